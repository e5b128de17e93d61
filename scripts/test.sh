#!/bin/sh
# test.sh BUILD — runs every test layer and ends with "N passed, N failed":
# C unit tests (and, outside sanitizer builds, the same under valgrind),
# fuzz-corpus replays, and the black-box e2e suite against bin/awsemu.
BUILD=${1:-build}
BIN=${AWSEMU_BIN:-bin/awsemu}
passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

count() { # "P passed, F failed" in file $1 -> adds to the totals
    line=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    p=$(echo "$line" | awk '{print $1}')
    f=$(echo "$line" | awk '{print $3}')
    if [ -z "$line" ]; then p=0; f=1; fi
    passed=$((passed + p))
    failed=$((failed + f))
}

echo "== C unit tests"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if "$t" >"$log/$name" 2>&1; then :; else
        cat "$log/$name"
    fi
    grep -E '^unit ' "$log/$name"
    count "$log/$name"
done

if [ -z "$AWSEMU_SANITIZED" ] && command -v valgrind >/dev/null 2>&1; then
    echo "== unit tests under valgrind"
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        name=$(basename "$t")
        if valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
            --error-exitcode=99 "$t" >"$log/vg-$name" 2>&1; then
            echo "valgrind $name: clean"
            passed=$((passed + 1))
        else
            tail -n 30 "$log/vg-$name"
            echo "valgrind $name: FAILED"
            failed=$((failed + 1))
        fi
    done
fi

echo "== fuzz corpus replay"
for f in "$BUILD"/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    if "$f" "tests/fuzz/corpus/$name" >"$log/$name" 2>&1; then
        tail -n 1 "$log/$name"
        passed=$((passed + 1))
    else
        cat "$log/$name"
        echo "fuzz $name: FAILED"
        failed=$((failed + 1))
    fi
done

# The service contract's guards: no include points up a layer, every
# operation of each service's botocore model has a row, base/limits.h
# matches botocore's models, no file is over 1,000 lines and no function
# over 120 without a `long:` comment saying why (scripts/).
# the Python that has boto3 (and so botocore's models): the contract's
# guards read the models, the e2e suites drive boto3
PY=python3
if ! python3 -c 'import boto3' >/dev/null 2>&1 && /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1; then
    PY=/usr/bin/python3
fi
echo "== the contract"
for c in scripts/check-layers.py scripts/check-coverage.py scripts/check-limits.py \
    scripts/check-sizes.py; do
    [ -f "$c" ] || continue
    if "$PY" "$c" >"$log/contract" 2>&1; then
        tail -n 1 "$log/contract"
        passed=$((passed + 1))
    else
        tail -n 40 "$log/contract"
        echo "$c: FAILED"
        failed=$((failed + 1))
    fi
done

echo "== e2e (boto3, aws CLI) against $BIN"
AWSEMU_BIN="$BIN" "$PY" tests/e2e/run.py --exclude='test_adversarial_*' >"$log/e2e" 2>&1
tail -n 60 "$log/e2e" | grep -vE '^(ok|\.)$' | tail -n 40
count "$log/e2e"

# The attacks found by trying awsemu as an adversary would, kept as tests:
# signed requests replayed with other bodies, raw sockets, NUL bytes and
# invalid UTF-8, trickled bodies, descriptor exhaustion.
echo "== adversarial (raw sockets, signed replays) against $BIN"
AWSEMU_BIN="$BIN" "$PY" tests/e2e/run.py 'test_adversarial_*' >"$log/adv" 2>&1
tail -n 60 "$log/adv" | grep -vE '^(ok|\.)$' | tail -n 40
count "$log/adv"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
