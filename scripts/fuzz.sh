#!/bin/sh
# fuzz.sh — builds every tests/fuzz/fuzz_*.c with libFuzzer + ASan + UBSan and
# runs each for FUZZ_SECONDS (default 60) on a copy of its committed corpus.
# New inputs go to build-fuzz/corpus/<name>, crashes to build-fuzz/crashes/<name>/;
# the committed corpus is never modified. Exits non-zero if any target fails
# to build or finds a crash.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated target names to run (default: all)
#   FUZZ_LIB_SRC   library sources to link (default: every library .c file
#                  plus build/migrations.c and build/schema.c, which `make`
#                  generates)
#   FUZZ_ARGS      extra libFuzzer flags
#   CLANG          compiler (default clang)
# shellcheck disable=SC2086 # $PKGS and the flag lists are split on purpose
set -u
cd "$(dirname "$0")/.." || exit 1

CLANG=${CLANG:-clang}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_ARGS=${FUZZ_ARGS:-}
OUT=build-fuzz
PKGS="libevent openssl sqlite3 libcjson expat"  # the plugins (services/iam/plugin/) are not linked

if [ -z "${FUZZ_LIB_SRC:-}" ]; then
    make --no-print-directory build/migrations.c build/schema.c || exit 1
    FUZZ_LIB_SRC="build/migrations.c build/schema.c"
    for f in base/*.c storage/*.c authz/*.c emulator/*.c services/*.c services/*/*.c; do
        [ -f "$f" ] && [ "$f" != emulator/main.c ] && FUZZ_LIB_SRC="$FUZZ_LIB_SRC $f"
    done
    PKG_CFLAGS=$(pkg-config --cflags $PKGS) || exit 1
    PKG_LIBS=$(pkg-config --libs $PKGS) || exit 1
else
    # A hand-picked source list may not need the libraries; use them if present.
    PKG_CFLAGS=$(pkg-config --cflags $PKGS 2>/dev/null || true)
    PKG_LIBS=$(pkg-config --libs $PKGS 2>/dev/null || true)
fi

if [ -z "${FUZZ_TARGETS:-}" ]; then
    FUZZ_TARGETS=$(for f in tests/fuzz/fuzz_*.c; do [ -f "$f" ] && basename "$f" .c; done)
fi

mkdir -p "$OUT"
failed=""
for name in $FUZZ_TARGETS; do
    src=tests/fuzz/$name.c
    bin=$OUT/$name
    corpus=$OUT/corpus/$name
    crashes=$OUT/crashes/$name
    if [ ! -f "$src" ]; then
        echo "fuzz.sh: no such target: $src" >&2
        failed="$failed $name"
        continue
    fi
    echo "== $name: build"
    if ! "$CLANG" -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I. $PKG_CFLAGS \
        -o "$bin" "$src" $FUZZ_LIB_SRC $PKG_LIBS -lm; then
        failed="$failed $name"
        continue
    fi
    mkdir -p "$corpus" "$crashes"
    if [ -d "tests/fuzz/corpus/$name" ]; then
        cp -R "tests/fuzz/corpus/$name/." "$corpus/"
    fi
    echo "== $name: fuzzing for ${FUZZ_SECONDS}s (corpus $corpus)"
    if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "./$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$crashes/" $FUZZ_ARGS "$corpus"; then
        echo "fuzz.sh: $name FAILED; reproducer(s) in $crashes/" >&2
        failed="$failed $name"
    fi
done

if [ -n "$failed" ]; then
    echo "fuzz.sh: failed:$failed" >&2
    exit 1
fi
echo "fuzz.sh: all targets ran clean"
