#!/bin/sh
# make bench: awsemu and moto side by side on the same workload.
#   1. KMS Encrypt / Decrypt req/s: wrk -t2 -c8 -d${BENCH_SECONDS}s, keep-alive,
#      one signed request replayed (scripts/bench/kms.lua); any non-200 fails.
#   1a. KMS Sign (ECC_NIST_P256 ECDSA_SHA_256, RSA_2048 RSASSA_PSS_SHA_256),
#      Verify (P-256) and GenerateMac (HMAC_256) req/s, the same way; each
#      request checked first (benchutil.py kms-asym-setup); target >= 100x moto.
#   1b. Secrets Manager GetSecretValue req/s, same wrk settings: a ~200-byte
#      JSON secret "bench/secret" is created on each server first and one
#      GetSecretValue (SecretId by name) checked for 200 + the value
#      (benchutil.py sm-setup); then that signed request is replayed.
#   1c. S3 PutObject / GetObject req/s of a 4096-byte object, same wrk
#      settings (scripts/bench/s3.lua): bucket bench-bucket is created on each
#      server, the object bench-4k and the 64 keys bench-put-NNN are PUT and
#      read back byte-exact first (benchutil.py s3-setup); the PUT run
#      overwrites those 64 fixed keys (each wrk thread its own half — moto
#      5.2.1 answers 500 when two PUTs to one key overlap), then every key is
#      read back byte-exact and one PUT + GET of bench-4k re-checked (s3-check)
#      before the GET run, which checks every body it gets. Headers:
#      Content-Length, x-amz-content-sha256: UNSIGNED-PAYLOAD, SigV4 auth.
#   1d. One large object (BENCH_S3_BIG_MIB, 1 GiB) under SSE-KMS, awsemu only
#      (moto buffers whole bodies in Python: not measured): a fresh
#      --data-dir on disk, CreateKey, curl -T PUT with
#      x-amz-server-side-encryption: aws:kms and the key id, then curl GET to
#      /dev/null, each timed -> MB/s (10^6 bytes/s); one more GET to a file
#      whose sha256 must equal the source's (untimed); against
#      `openssl speed -evp aes-256-gcm` at 16384 bytes (3 s); awsemu's peak
#      RSS (VmHWM) over its whole life.
#   1e. The cost of --iam enforce: KMS Encrypt on an --iam off and an --iam
#      enforce awsemu side by side, in BENCH_ENFORCE_PAIRS alternating pairs
#      of BENCH_ENFORCE_SLICE-second wrk runs (same wrk settings); the median
#      over pairs of 1 - enforce/off, plus each server's CPU per request.
#   1f. S3 listing with a delimiter, awsemu only: a bucket of
#      BENCH_LIST_KEYS keys (220,000) in 100 prefixes p000/ .. p099/, put
#      through the API (empty bodies, 8 connections, pipelined; no direct
#      SQL), then the median of 20 ListObjectsV2 delimiter=/ (one page: the
#      100 common prefixes, checked) against a prefix listing (1000 keys of
#      p050/, checked) (scripts/bench/s3list.py).
#   2. Start-up: exec -> first 200 from the health URL (scripts/bench/startup.py),
#      median and p90; awsemu with a fresh --data-dir and with --ephemeral.
#   3. RSS: idle after start, and after the wrk runs.
# Everything talks to 127.0.0.1 only. moto missing -> awsemu alone.
# Exits non-zero if awsemu fails to start, dies, or answers non-200.
#
# Environment: BENCH_SECONDS (10), BENCH_STARTUP_RUNS (20),
#   BENCH_MOTO_STARTUP_RUNS (3), AWSEMU_BIN (bin/awsemu), BENCH_NO_MOTO=1,
#   BENCH_S3_BIG_MIB (1024; 0 skips 1d), BENCH_LIST_KEYS (220000; 0 skips 1f), BENCH_ENFORCE_PAIRS (15),
#   BENCH_ENFORCE_SLICE (2 seconds), BENCH_KEEP_TMP=1 (keep logs; the
#   large files are deleted anyway), PYTHON (python3), WRK (wrk),
#   OPENSSL (openssl), CURL (curl).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/scripts/bench
AWSEMU=${AWSEMU_BIN:-bin/awsemu}
case $AWSEMU in /*) ;; *) AWSEMU=$ROOT/$AWSEMU ;; esac
SECS=${BENCH_SECONDS:-10}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-20}
MOTO_STARTUP_RUNS=${BENCH_MOTO_STARTUP_RUNS:-3}
BIG_MIB=${BENCH_S3_BIG_MIB:-1024}
LIST_KEYS=${BENCH_LIST_KEYS:-220000}
ENF_PAIRS=${BENCH_ENFORCE_PAIRS:-15}
ENF_SLICE=${BENCH_ENFORCE_SLICE:-2}
WRK=${WRK:-wrk}
OPENSSL=${OPENSSL:-openssl}
CURL=${CURL:-curl}
HEALTH=/_awsemu/health
MOTO_HEALTH=/moto-api/data.json

FAIL=0
MOTO_BAD=0
CHILD=
AW_PID=
MOTO_PID=
OFF_PID=
ENF_PID=
TMP=

say() { printf '%s\n' "$*"; }
warn() { printf 'bench: %s\n' "$*" >&2; }
die() { warn "$*"; exit 1; }
isnum() { case $1 in ''|*[!0-9]*) return 1 ;; *) return 0 ;; esac; }

if ! isnum "$SECS" || [ "$SECS" -lt 1 ]; then die "BENCH_SECONDS must be a positive integer"; fi
if ! isnum "$STARTUP_RUNS" || [ "$STARTUP_RUNS" -lt 1 ]; then die "BENCH_STARTUP_RUNS must be >= 1"; fi
isnum "$MOTO_STARTUP_RUNS" || die "BENCH_MOTO_STARTUP_RUNS must be an integer"
isnum "$BIG_MIB" || die "BENCH_S3_BIG_MIB must be an integer (0 skips the large object)"
if ! isnum "$LIST_KEYS" || { [ "$LIST_KEYS" -gt 0 ] && [ "$LIST_KEYS" -lt 100 ]; }; then
	die "BENCH_LIST_KEYS must be 0 (skip) or an integer >= 100"
fi
if ! isnum "$ENF_PAIRS" || [ "$ENF_PAIRS" -lt 1 ]; then die "BENCH_ENFORCE_PAIRS must be >= 1"; fi
if ! isnum "$ENF_SLICE" || [ "$ENF_SLICE" -lt 1 ]; then die "BENCH_ENFORCE_SLICE must be >= 1"; fi

# The real interpreter, not a pyenv shim (a shim adds ~50 ms to every start
# and puts a wrapper process in front of moto).
PY=$(${PYTHON:-python3} -c 'import sys; print(sys.executable)' 2>/dev/null) ||
	die "python3 not found"
command -v "$WRK" >/dev/null 2>&1 || die "wrk not found (apt-get install wrk)"
[ -x "$AWSEMU" ] || die "$AWSEMU not found or not executable (run make all)"
if [ "$BIG_MIB" -gt 0 ]; then
	command -v "$CURL" >/dev/null 2>&1 || die "curl not found (apt-get install curl)"
	command -v "$OPENSSL" >/dev/null 2>&1 || die "openssl not found (apt-get install openssl)"
	command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (coreutils)"
fi

stop_pid() { # pid: SIGTERM, then SIGKILL after ~3 s; reap
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
	n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 30 ]; do
		# a zombie still answers kill -0: stop once it is one
		case $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) in Z|'') break ;; esac
		sleep 0.1; n=$((n + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
	trap - EXIT INT TERM
	stop_pid "$CHILD"; CHILD=
	stop_pid "$AW_PID"; AW_PID=
	stop_pid "$MOTO_PID"; MOTO_PID=
	stop_pid "$OFF_PID"; OFF_PID=
	stop_pid "$ENF_PID"; ENF_PID=
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		rm -rf "$TMP/big" # the large-object files and data dir, kept or not
		if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then
			warn "logs kept in $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TMP=$(mktemp -d "${TMPDIR:-/tmp}/awsemu-bench.XXXXXX") || die "mktemp failed"

util() { "$PY" "$HERE/benchutil.py" "$@"; }
# run OUTFILE CMD...: run CMD in the background with its output in OUTFILE and
# wait for it, so that INT/TERM reach our trap at once (sh defers traps until
# a foreground command ends) and the trap can stop it.
run() {
	_out=$1; shift
	"$@" >"$_out" 2>&1 &
	CHILD=$!
	wait "$CHILD"; _rc=$?
	CHILD=
	return $_rc
}
rss_mib() { # pid -> MiB with one decimal, or "?"
	awk '/^VmRSS:/ { printf "%.1f", $2 / 1024; found = 1 } END { if (!found) printf "?" }' \
		"/proc/$1/status" 2>/dev/null || printf '?'
}
alive() { # pid: running and not a zombie
	kill -0 "$1" 2>/dev/null || return 1
	case $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) in Z|'') return 1 ;; esac
	return 0
}
fmt_rps() { [ -n "$1" ] && printf '%.0f req/s' "$1" || printf 'FAILED'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a + 0 > 0) printf "%.1fx", a / b; else printf "n/a" }'; }
logtail() { [ -f "$1" ] && { warn "last lines of $1:"; tail -n 15 "$1" | sed 's/^/    /' >&2; }; }

# kv KEY LINE: the value of KEY=value in a line of space-separated pairs
kv() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1; }

# run_wrk SERVER OP PORT BODY AUTH DATE [TARGET] -> sets RPS, LAT; returns 1
# on any non-200 or socket error. TARGET: the whole X-Amz-Target (default
# TrentService.OP)
run_wrk() {
	out=$TMP/wrk-$1-$2.out
	BENCH_OP=$2 BENCH_HOST=127.0.0.1:$3 BENCH_BODY=$4 BENCH_AUTH=$5 BENCH_DATE=$6 \
		BENCH_TARGET=${7:-} \
		run "$out" "$WRK" -t2 -c8 -d"${SECS}s" --timeout 5s -s "$HERE/kms.lua" \
		"http://127.0.0.1:$3/"
	wrk_report "$1" "$2" "$out" $?
}

# run_s3_wrk SERVER OP PORT METHOD REQFILE DATE -> as run_wrk; the 4 KiB body
# is $S3_BODY (PUT: sent; GET: every 200 must return exactly it)
run_s3_wrk() {
	out=$TMP/wrk-$1-$2.out
	BENCH_METHOD=$4 BENCH_REQ_FILE=$5 BENCH_THREADS=2 BENCH_HOST=127.0.0.1:$3 \
		BENCH_DATE=$6 BENCH_BODY_FILE=$S3_BODY \
		run "$out" "$WRK" -t2 -c8 -d"${SECS}s" --timeout 5s -s "$HERE/s3.lua" \
		"http://127.0.0.1:$3/"
	wrk_report "$1" "$2" "$out" $?
}

# wrk_report SERVER OP OUTFILE WRK_EXIT -> sets RPS, LAT; returns 1 on a wrk
# failure, any non-200, any wrong body (s3.lua: badbody) or socket error
wrk_report() {
	out=$3 rc=$4
	line=$(grep '^BENCH_RESULT ' "$out" | head -n 1)
	RPS=$(kv rps "$line")
	LAT="p50 $(kv p50_ms "$line") ms, p99 $(kv p99_ms "$line") ms"
	bad=$(kv non200 "$line")
	wrong=$(kv badbody "$line")
	errs=$(printf '%s\n' "$line" | awk '{ n = 0; for (i = 1; i <= NF; i++)
		if ($i ~ /^(connect|read|write|timeout)_err=/) { split($i, a, "="); n += a[2] }
		print n }')
	extra=
	[ -n "$wrong" ] && extra=", wrong bodies $wrong"
	say "  $1 $2: ${RPS:-?} req/s ($(kv requests "$line") requests, $LAT, non-200 ${bad:-?}$extra, socket errors ${errs:-?})"
	if [ "$rc" -ne 0 ] || [ -z "$line" ]; then
		warn "wrk failed for $1 $2 (exit $rc):"; sed 's/^/    /' "$out" >&2
		RPS=; return 1
	fi
	if [ "$bad" != 0 ] || [ "${wrong:-0}" != 0 ]; then
		[ "$bad" != 0 ] && warn "$1 $2: $bad NON-200 RESPONSES — this figure is worthless"
		[ "${wrong:-0}" != 0 ] && warn "$1 $2: $wrong 200 RESPONSES WITH THE WRONG BODY — this figure is worthless"
		grep '^BENCH_FIRST_BAD ' "$out" | sed 's/^BENCH_FIRST_BAD /    first: /' >&2
		RPS=; return 1
	fi
	if [ "$errs" != 0 ]; then
		warn "$1 $2: $errs socket errors (connect/read/write/timeout) — see below"
		grep -i -E 'socket errors|timeout' "$out" | sed 's/^/    /' >&2
		RPS=; return 1
	fi
	return 0
}

pretty_startup() { # STARTUP line -> human text
	case $1 in *median_ms=*) ;; *) printf 'FAILED'; return ;; esac
	printf 'median %s ms, p90 %s ms (min %s, max %s, %s runs)' "$(kv median_ms "$1")" \
		"$(kv p90_ms "$1")" "$(kv min_ms "$1")" "$(kv max_ms "$1")" "$(kv runs "$1")"
}

say "== awsemu bench: $(nproc) cores, $(uname -m), wrk -t2 -c8 -d${SECS}s (client and server share the cores) =="
say "awsemu: $AWSEMU"

############################################################################
# moto available?
MOTO=1
if [ "${BENCH_NO_MOTO:-0}" = 1 ]; then
	MOTO=0; say "moto: skipped (BENCH_NO_MOTO=1)"
elif MOTO_VER=$("$PY" -c 'import moto.server, moto.kms, moto; print(moto.__version__)' 2>/dev/null); then
	say "moto: $MOTO_VER ($PY -m moto.server)"
else
	MOTO=0
	say "moto: NOT INSTALLED for $PY (pip install 'moto[server]') — reporting awsemu alone"
fi
say ""

############################################################################
# 1. Start-up
say "-- start-up: exec -> first 200 from GET $HEALTH ($STARTUP_RUNS runs each)"
S_DATA=; S_EPH=; S_MOTO=
run "$TMP/startup-data.out" "$PY" "$HERE/startup.py" --runs "$STARTUP_RUNS" \
	--label awsemu-data-dir --log "$TMP/startup-data.log" -- \
	"$AWSEMU" --host 127.0.0.1 --port '{port}' --data-dir '{datadir}' --log-format text ||
	{ FAIL=1; warn "awsemu start-up (data dir) failed:"; cat "$TMP/startup-data.out" >&2
	  logtail "$TMP/startup-data.log"; }
S_DATA=$(grep '^STARTUP ' "$TMP/startup-data.out")
say "  awsemu --data-dir (fresh): $(pretty_startup "$S_DATA")"
run "$TMP/startup-eph.out" "$PY" "$HERE/startup.py" --runs "$STARTUP_RUNS" \
	--label awsemu-ephemeral --log "$TMP/startup-eph.log" -- \
	"$AWSEMU" --host 127.0.0.1 --port '{port}' --ephemeral --log-format text ||
	{ FAIL=1; warn "awsemu start-up (ephemeral) failed:"; cat "$TMP/startup-eph.out" >&2
	  logtail "$TMP/startup-eph.log"; }
S_EPH=$(grep '^STARTUP ' "$TMP/startup-eph.out")
say "  awsemu --ephemeral:        $(pretty_startup "$S_EPH")"
if [ $MOTO = 1 ] && [ "$MOTO_STARTUP_RUNS" -ge 1 ]; then
	run "$TMP/startup-moto.out" "$PY" "$HERE/startup.py" --runs "$MOTO_STARTUP_RUNS" \
		--label moto --path "$MOTO_HEALTH" --timeout 60 --log "$TMP/startup-moto.log" -- \
		"$PY" -m moto.server -H 127.0.0.1 -p '{port}' ||
		{ warn "moto start-up failed:"; cat "$TMP/startup-moto.out" >&2
		  logtail "$TMP/startup-moto.log"; }
	S_MOTO=$(grep '^STARTUP ' "$TMP/startup-moto.out")
	say "  moto (GET $MOTO_HEALTH): $(pretty_startup "$S_MOTO")"
fi
say ""

############################################################################
# 2. Idle RSS with a data dir
say "-- idle RSS"
RSS_DATA='?'
mkdir -p "$TMP/rss-data"
port=$(util freeport) || die "no free port"
"$AWSEMU" --host 127.0.0.1 --port "$port" --data-dir "$TMP/rss-data" --log-format text \
	>"$TMP/awsemu-rss.log" 2>&1 &
AW_PID=$!
if util wait "$port" "$HEALTH" --pid "$AW_PID" --timeout 15; then
	sleep 0.2
	RSS_DATA=$(rss_mib "$AW_PID")
	say "  awsemu --data-dir, idle: $RSS_DATA MiB"
else
	FAIL=1; warn "awsemu (data dir) did not become healthy"; logtail "$TMP/awsemu-rss.log"
fi
stop_pid "$AW_PID"; AW_PID=

############################################################################
# 3. Throughput
# bench_server NAME PORT PID -> sets <NAME>_ENC, <NAME>_DEC, <NAME>_GSV,
# <NAME>_PUT, <NAME>_GET, <NAME>_RSS_IDLE, <NAME>_RSS_AFTER. KMS, SM and S3
# are set up and run independently: a KMS failure still lets the others be
# measured.
bench_server() {
	name=$1 port=$2 pid=$3
	label=awsemu; [ "$name" = MOTO ] && label=moto
	eval "${name}_RSS_IDLE=\$(rss_mib \$pid)"
	ok=0
	if ! setup=$(util kms-setup "$port" 2>"$TMP/setup-$label.err"); then
		warn "$label: KMS pre-flight failed: $(cat "$TMP/setup-$label.err")"
		ok=1
	else
		eval "$setup"
		say "  $label: key $KMS_KEY_ID; pre-flight CreateKey/Encrypt/Decrypt all 200, round-trip ok"
		[ "$KMS_KEEPALIVE" = yes ] ||
			say "  NOTE: $label does not keep connections alive (HTTP/1.0 or Connection: close): wrk reconnects per request"
		run_wrk "$label" Encrypt "$port" "$ENC_BODY" "$ENC_AUTH" "$KMS_DATE" || ok=1
		eval "${name}_ENC=\$RPS"
		if ! alive "$pid"; then warn "$label DIED during the Encrypt run"; return 1; fi
		run_wrk "$label" Decrypt "$port" "$DEC_BODY" "$DEC_AUTH" "$KMS_DATE" || ok=1
		eval "${name}_DEC=\$RPS"
		if ! alive "$pid"; then warn "$label DIED during the Decrypt run"; return 1; fi
	fi
	# asymmetric and HMAC keys: Sign (P-256, RSA_2048 PSS), Verify (P-256), GenerateMac
	if ! setup=$(util kms-asym-setup "$port" 2>"$TMP/asym-setup-$label.err"); then
		warn "$label: KMS asymmetric pre-flight failed: $(cat "$TMP/asym-setup-$label.err")"
		ok=1
	else
		eval "$setup"
		say "  $label: P-256, RSA_2048 and HMAC_256 keys; pre-flight Sign/Verify/GenerateMac all 200, signature valid"
		for op in SIGN_EC:Sign SIGN_RSA:Sign VERIFY:Verify MAC:GenerateMac; do
			v=${op%%:*}
			eval "b=\$${v}_BODY a=\$${v}_AUTH"
			run_wrk "$label" "$v" "$port" "$b" "$a" \
				"$KMS_DATE" "TrentService.${op#*:}" || ok=1
			eval "${name}_${v}=\$RPS"
			if ! alive "$pid"; then warn "$label DIED during the ${op#*:} run"; return 1; fi
		done
	fi
	if ! setup=$(util sm-setup "$port" 2>"$TMP/sm-setup-$label.err"); then
		warn "$label: Secrets Manager pre-flight failed: $(cat "$TMP/sm-setup-$label.err")"
		ok=1
	else
		eval "$setup"
		say "  $label: secret $SM_ARN ($SM_VALUE_BYTES-byte value); pre-flight CreateSecret/GetSecretValue 200, value ok"
		[ "$SM_KEEPALIVE" = yes ] ||
			say "  NOTE: $label does not keep SM connections alive (HTTP/1.0 or Connection: close): wrk reconnects per request"
		run_wrk "$label" GetSecretValue "$port" "$GSV_BODY" "$GSV_AUTH" "$SM_DATE" "$GSV_TARGET" || ok=1
		eval "${name}_GSV=\$RPS"
		if ! alive "$pid"; then warn "$label DIED during the GetSecretValue run"; return 1; fi
	fi
	if ! setup=$(util s3-setup "$port" "$S3_BODY" "$TMP/s3-put-$label.txt" \
		"$TMP/s3-get-$label.txt" 2>"$TMP/s3-setup-$label.err"); then
		warn "$label: S3 pre-flight failed: $(cat "$TMP/s3-setup-$label.err")"
		ok=1
	else
		eval "$setup"
		say "  $label: bucket bench-bucket; pre-flight PUT of bench-4k and $S3_PUT_KEYS bench-put-NNN keys (4096 bytes) all 200, GETs byte-exact"
		[ "$S3_KEEPALIVE" = yes ] ||
			say "  NOTE: $label does not keep S3 connections alive (HTTP/1.0 or Connection: close): wrk reconnects per request"
		run_s3_wrk "$label" PutObject "$port" PUT "$TMP/s3-put-$label.txt" "$S3_DATE" || ok=1
		eval "${name}_PUT=\$RPS"
		if ! alive "$pid"; then warn "$label DIED during the PutObject run"; return 1; fi
		if ! util s3-check "$port" "$S3_BODY" 2>"$TMP/s3-check-$label.err"; then
			warn "$label: S3 check after the PutObject run failed: $(cat "$TMP/s3-check-$label.err")"
			ok=1
		else
			say "  $label: after PutObject all $S3_PUT_KEYS keys read back byte-exact; pre-flight PUT + GET of $S3_GET_PATH 200, byte-exact"
			run_s3_wrk "$label" GetObject "$port" GET "$TMP/s3-get-$label.txt" "$S3_DATE" || ok=1
			eval "${name}_GET=\$RPS"
			if ! alive "$pid"; then warn "$label DIED during the GetObject run"; return 1; fi
		fi
	fi
	eval "${name}_RSS_AFTER=\$(rss_mib \$pid)"
	return $ok
}

say ""
say "-- throughput, 8 keep-alive connections (KMS: 64-byte plaintext, one key; SM: GetSecretValue of one ~200-byte secret by name; S3: 4096-byte objects)"
AW_SIGN_EC=; AW_SIGN_RSA=; AW_VERIFY=; AW_MAC=; MOTO_SIGN_EC=; MOTO_SIGN_RSA=; MOTO_VERIFY=; MOTO_MAC=
AW_ENC=; AW_DEC=; AW_GSV=; AW_PUT=; AW_GET=; AW_RSS_IDLE='?'; AW_RSS_AFTER='?'
MOTO_ENC=; MOTO_DEC=; MOTO_GSV=; MOTO_PUT=; MOTO_GET=; MOTO_RSS_IDLE='?'; MOTO_RSS_AFTER='?'
S3_BODY=$TMP/s3-body.bin
head -c 4096 /dev/urandom >"$S3_BODY" || die "cannot write the S3 body"
[ "$(wc -c <"$S3_BODY")" -eq 4096 ] || die "cannot write the 4096-byte S3 body"
port=$(util freeport) || die "no free port"
"$AWSEMU" --ephemeral --host 127.0.0.1 --port "$port" --log-format text \
	>"$TMP/awsemu.log" 2>&1 &
AW_PID=$!
if util wait "$port" "$HEALTH" --pid "$AW_PID" --timeout 15; then
	sleep 0.2
	bench_server AW "$port" "$AW_PID" || { FAIL=1; logtail "$TMP/awsemu.log"; }
	say "  awsemu log: $(wc -l <"$TMP/awsemu.log") lines ($(du -h "$TMP/awsemu.log" | cut -f1))"
else
	FAIL=1; warn "awsemu (ephemeral) did not become healthy"; logtail "$TMP/awsemu.log"
fi
stop_pid "$AW_PID"; AW_PID=

if [ $MOTO = 1 ]; then
	port=$(util freeport) || die "no free port"
	"$PY" -m moto.server -H 127.0.0.1 -p "$port" >"$TMP/moto.log" 2>&1 &
	MOTO_PID=$!
	if util wait "$port" "$MOTO_HEALTH" --pid "$MOTO_PID" --timeout 60; then
		sleep 0.2
		bench_server MOTO "$port" "$MOTO_PID" ||
			{ MOTO_BAD=1; warn "moto figures invalid (see above)"; logtail "$TMP/moto.log"; }
	else
		warn "moto did not start; reporting awsemu alone"; logtail "$TMP/moto.log"
	fi
	stop_pid "$MOTO_PID"; MOTO_PID=
fi

############################################################################
# 3b. What --iam enforce costs: KMS Encrypt on two awsemu side by side, one
# --iam off and one --iam enforce (every signature verified, every request
# authorized against the key policy), measured in alternating slices of
# ENF_SLICE seconds (off/enforce, then enforce/off, ...) so that both see the
# same machine: on a shared VM the same server's req/s drifts by more than
# the difference measured, over seconds, which separate runs minutes apart
# turn into noise. Reported: the median over pairs of (1 - enforce/off), the
# cost over all slices' requests, and each server's CPU time per request
# (utime + stime from /proc: what the checks cost the server itself).
ENF_COST=; ENF_TOTAL=; ENF_CPU=; ENF_RANGE=; AW_ENF_ENC=; AW_OFF_ENC=
enf_cleanup() { stop_pid "$ENF_PID"; ENF_PID=; stop_pid "$OFF_PID"; OFF_PID=; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# enf_slice NAME PORT PID BODY AUTH DATE -> appends "NAME requests ticks" to
# $TMP/enforce-slices; returns 1 on any non-200 or socket error
enf_slice() {
	_t0=$(cpu_ticks "$3")
	BENCH_OP=Encrypt BENCH_HOST=127.0.0.1:$2 BENCH_BODY=$4 BENCH_AUTH=$5 BENCH_DATE=$6 \
		run "$TMP/wrk-slice.out" "$WRK" -t2 -c8 -d"${ENF_SLICE}s" --timeout 5s \
		-s "$HERE/kms.lua" "http://127.0.0.1:$2/"
	_rc=$?
	_t1=$(cpu_ticks "$3")
	_line=$(grep '^BENCH_RESULT ' "$TMP/wrk-slice.out" | head -n 1)
	_n=$(kv requests "$_line")
	if [ "$_rc" -ne 0 ] || [ -z "$_line" ] || [ "$(kv non200 "$_line")" != 0 ] ||
		[ "$(printf '%s\n' "$_line" | grep -c ' connect_err=0 read_err=0 write_err=0 timeout_err=0 ')" != 1 ]; then
		warn "$1 slice failed (wrk exit $_rc):"; sed 's/^/    /' "$TMP/wrk-slice.out" >&2
		return 1
	fi
	printf '%s %s %s\n' "$1" "$_n" $((_t1 - _t0)) >>"$TMP/enforce-slices"
}
say ""
say "-- --iam enforce vs --iam off: KMS Encrypt, $ENF_PAIRS alternating pairs of ${ENF_SLICE} s slices"
oport=$(util freeport) || die "no free port"
"$AWSEMU" --ephemeral --iam off --host 127.0.0.1 --port "$oport" --log-format text \
	>"$TMP/awsemu-enf-off.log" 2>&1 &
OFF_PID=$!
eport=$(util freeport) || die "no free port"
[ "$eport" = "$oport" ] && eport=$((oport + 1))
"$AWSEMU" --ephemeral --iam enforce --host 127.0.0.1 --port "$eport" --log-format text \
	>"$TMP/awsemu-enforce.log" 2>&1 &
ENF_PID=$!
: >"$TMP/enforce-slices"
if util wait "$oport" "$HEALTH" --pid "$OFF_PID" --timeout 15 &&
	util wait "$eport" "$HEALTH" --pid "$ENF_PID" --timeout 15; then
	if osetup=$(util kms-setup "$oport" 2>"$TMP/setup-enf-off.err") &&
		esetup=$(util kms-setup "$eport" 2>"$TMP/setup-enforce.err"); then
		OFF_BODY=$(eval "$osetup"; printf '%s' "$ENC_BODY"); OFF_AUTH=$(eval "$osetup"; printf '%s' "$ENC_AUTH")
		OFF_DATE=$(eval "$osetup"; printf '%s' "$KMS_DATE")
		EN_BODY=$(eval "$esetup"; printf '%s' "$ENC_BODY"); EN_AUTH=$(eval "$esetup"; printf '%s' "$ENC_AUTH")
		EN_DATE=$(eval "$esetup"; printf '%s' "$KMS_DATE")
		i=0
		while [ $i -lt "$ENF_PAIRS" ]; do
			if [ $((i % 2)) = 0 ]; then
				enf_slice off "$oport" "$OFF_PID" "$OFF_BODY" "$OFF_AUTH" "$OFF_DATE" &&
					enf_slice enforce "$eport" "$ENF_PID" "$EN_BODY" "$EN_AUTH" "$EN_DATE"
			else
				enf_slice enforce "$eport" "$ENF_PID" "$EN_BODY" "$EN_AUTH" "$EN_DATE" &&
					enf_slice off "$oport" "$OFF_PID" "$OFF_BODY" "$OFF_AUTH" "$OFF_DATE"
			fi || { FAIL=1; break; }
			i=$((i + 1))
		done
		alive "$OFF_PID" && alive "$ENF_PID" || { FAIL=1; warn "an awsemu died during the enforce run"; }
	else
		FAIL=1; warn "enforce comparison: KMS pre-flight failed: $(cat "$TMP/setup-enf-off.err" "$TMP/setup-enforce.err")"
	fi
else
	FAIL=1; warn "enforce comparison: an awsemu did not become healthy"
	logtail "$TMP/awsemu-enf-off.log"; logtail "$TMP/awsemu-enforce.log"
fi
enf_cleanup
if [ "$FAIL" = 0 ] && [ -s "$TMP/enforce-slices" ]; then
	# pairs in order: slices 2k-1 and 2k form pair k, whatever their order
	eval "$(awk -v secs="$ENF_SLICE" -v hz="$(getconf CLK_TCK)" '
		{ n[$1] += $2; t[$1] += $3; v[NR] = $2; who[NR] = $1 }
		NR % 2 == 0 {
			o = who[NR] == "off" ? v[NR] : v[NR - 1]; e = who[NR] == "off" ? v[NR - 1] : v[NR]
			c[++np] = (1 - e / o) * 100
		}
		END {
			if (!np || !n["off"] || !n["enforce"]) exit
			for (i = 1; i <= np; i++) for (j = i + 1; j <= np; j++) if (c[j] < c[i]) { x = c[i]; c[i] = c[j]; c[j] = x }
			med = np % 2 ? c[(np + 1) / 2] : (c[np / 2] + c[np / 2 + 1]) / 2
			printf "ENF_COST=%.1f ENF_TOTAL=%.1f ENF_RANGE=\"%.1f%%..%.1f%%\" ", med, (1 - n["enforce"] / n["off"]) * 100, c[1], c[np]
			printf "AW_OFF_ENC=%.1f AW_ENF_ENC=%.1f ", n["off"] / (np * secs), n["enforce"] / (np * secs)
			printf "ENF_CPU=\"%.1f us vs %.1f us per request (+%.1f%%)\"\n", t["enforce"] * 1e6 / hz / n["enforce"],
				t["off"] * 1e6 / hz / n["off"], (t["enforce"] * n["off"] / (t["off"] * n["enforce"]) - 1) * 100
		}' "$TMP/enforce-slices")"
	say "  off $(fmt_rps "$AW_OFF_ENC"), enforce $(fmt_rps "$AW_ENF_ENC") (means over the slices)"
	say "  cost per pair: median ${ENF_COST}%, range $ENF_RANGE; over all requests ${ENF_TOTAL}%"
	say "  server CPU: enforce $ENF_CPU"
fi

############################################################################
# 4. One large SSE-KMS object, awsemu only
# big_curl OUT CURLARGS... -> runs curl (bounded) whose -w prints
# "code seconds bytes" as the last line of OUT; sets C_CODE, C_TIME, C_BYTES
BIG_PUT=; BIG_GET=; BIG_HWM='?'; BIG_RSS='?'; SSL_MBS=; BIG_NOTE=
big_curl() {
	_o=$1; shift
	run "$_o" "$CURL" -sS --max-time 600 "$@"
	_rc=$?
	[ $_rc -eq 0 ] || { warn "curl exited $_rc:"; sed 's/^/    /' "$_o" >&2; }
	C_CODE=$(tail -n 1 "$_o" | awk '{ print $1 }')
	C_TIME=$(tail -n 1 "$_o" | awk '{ print $2 }')
	C_BYTES=$(tail -n 1 "$_o" | awk '{ print $3 }')
	return $_rc
}
secs() { awk -v t="$1" 'BEGIN { printf "%.3f", t }'; }
mbs() { awk -v b="$1" -v t="$2" 'BEGIN { if (t + 0 > 0) printf "%.1f", b / t / 1e6; else printf "" }'; }
hwm_mib() {
	awk '/^VmHWM:/ { printf "%.1f", $2 / 1024; found = 1 } END { if (!found) printf "?" }' \
		"/proc/$1/status" 2>/dev/null || printf '?'
}
big_bench() {
	bytes=$((BIG_MIB * 1048576))
	BIG=$TMP/big
	mkdir -p "$BIG/data" || { warn "cannot create $BIG"; return 1; }
	need_kib=$((BIG_MIB * 1024 * 3 + 262144)) # source, blob, verify copy, slack
	have_kib=$(df -Pk "$BIG" | awk 'NR == 2 { print $4 }')
	if isnum "$have_kib" && [ "$have_kib" -lt "$need_kib" ]; then
		BIG_NOTE="SKIPPED: $((have_kib / 1024)) MiB free in $TMP, need $((need_kib / 1024)) MiB"
		warn "large object: $BIG_NOTE"
		return 0
	fi
	say "  data dir $BIG/data on $(stat -f -c %T "$BIG" 2>/dev/null || echo '?'), $BIG_LABEL source file from /dev/urandom"
	# openssl first, on an otherwise idle machine
	run "$TMP/openssl.out" "$OPENSSL" speed -seconds 3 -bytes 16384 -evp aes-256-gcm ||
		warn "openssl speed failed: $(tail -n 3 "$TMP/openssl.out")"
	# the 16384-byte column of the AES-256-GCM row, in 1000s of bytes/s
	SSL_MBS=$(awk '$1 == "type" { for (j = 2; j <= NF; j += 2) { c++; if ($j == 16384) want = c } }
		want && $1 ~ /^AES-256-GCM/ { v = $(want + 1); sub(/k$/, "", v); printf "%.1f", v / 1000; exit }' \
		"$TMP/openssl.out")
	say "  openssl speed -evp aes-256-gcm, 16384-byte blocks: ${SSL_MBS:-?} MB/s (one core)"
	# shellcheck disable=SC2016  # $1, $2 are the inner sh's arguments
	run "$TMP/big-gen.out" sh -c 'head -c "$1" /dev/urandom | tee "$2" | sha256sum' sh "$bytes" "$BIG/src.bin" ||
		{ warn "cannot generate the source file: $(cat "$TMP/big-gen.out")"; return 1; }
	src_sha=$(awk '{ print $1; exit }' "$TMP/big-gen.out")
	[ "$(wc -c <"$BIG/src.bin")" -eq "$bytes" ] || { warn "source file has the wrong size"; return 1; }

	port=$(util freeport) || die "no free port"
	"$AWSEMU" --host 127.0.0.1 --port "$port" --data-dir "$BIG/data" --log-format text \
		>"$TMP/awsemu-big.log" 2>&1 &
	AW_PID=$!
	util wait "$port" "$HEALTH" --pid "$AW_PID" --timeout 15 ||
		{ warn "awsemu (large object, data dir) did not become healthy"; return 1; }
	key=$(util kms-key "$port" 2>"$TMP/big-key.err") ||
		{ warn "awsemu: CreateKey failed: $(cat "$TMP/big-key.err")"; return 1; }
	util s3-bucket "$port" bench-bucket 2>"$TMP/big-bucket.err" ||
		{ warn "awsemu: CreateBucket failed: $(cat "$TMP/big-bucket.err")"; return 1; }
	path=/bench-bucket/big-object
	url=http://127.0.0.1:$port$path

	auth=$(util s3-auth "$port" PUT "$path") || { warn "s3-auth failed"; return 1; }
	eval "$auth"
	big_curl "$TMP/big-put.out" -T "$BIG/src.bin" -H 'Expect:' -D "$TMP/big-put.hdr" \
		-o "$TMP/big-put.body" -w '%{http_code} %{time_total} %{size_upload}\n' \
		-H 'x-amz-server-side-encryption: aws:kms' \
		-H "x-amz-server-side-encryption-aws-kms-key-id: $key" \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
		-H "x-amz-date: $S3_DATE" -H "Authorization: $S3_AUTH" "$url" || return 1
	if [ "$C_CODE" != 200 ] || [ "$C_BYTES" != "$bytes" ]; then
		warn "awsemu: PUT of $BIG_LABEL answered HTTP $C_CODE after $C_BYTES bytes: $(head -c 500 "$TMP/big-put.body")"
		return 1
	fi
	if ! tr -d '\r' <"$TMP/big-put.hdr" | grep -qi '^x-amz-server-side-encryption: aws:kms$' ||
		! tr -d '\r' <"$TMP/big-put.hdr" | grep -qi "^x-amz-server-side-encryption-aws-kms-key-id: .*$key\$"; then
		warn "awsemu: PUT answered 200 without x-amz-server-side-encryption: aws:kms and the key:"
		sed 's/^/    /' "$TMP/big-put.hdr" >&2
		return 1
	fi
	BIG_PUT=$(mbs "$C_BYTES" "$C_TIME")
	say "  awsemu PUT $BIG_LABEL (SSE-KMS): $(secs "$C_TIME") s, $BIG_PUT MB/s; VmRSS now $(rss_mib "$AW_PID") MiB, VmHWM $(hwm_mib "$AW_PID") MiB"
	alive "$AW_PID" || { warn "awsemu DIED after the large PUT"; return 1; }

	auth=$(util s3-auth "$port" GET "$path") || { warn "s3-auth failed"; return 1; }
	eval "$auth"
	big_curl "$TMP/big-get.out" -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
		-H "x-amz-date: $S3_DATE" -H "Authorization: $S3_AUTH" "$url" || return 1
	if [ "$C_CODE" != 200 ] || [ "$C_BYTES" != "$bytes" ]; then
		warn "awsemu: GET of $BIG_LABEL answered HTTP $C_CODE with $C_BYTES bytes (expected $bytes)"
		return 1
	fi
	BIG_GET=$(mbs "$C_BYTES" "$C_TIME")
	say "  awsemu GET $BIG_LABEL -> /dev/null: $(secs "$C_TIME") s, $BIG_GET MB/s; VmRSS now $(rss_mib "$AW_PID") MiB, VmHWM $(hwm_mib "$AW_PID") MiB"

	# untimed: the bytes themselves
	big_curl "$TMP/big-get2.out" -o "$BIG/got.bin" -w '%{http_code} %{time_total} %{size_download}\n' \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
		-H "x-amz-date: $S3_DATE" -H "Authorization: $S3_AUTH" "$url" || { rm -f "$BIG/got.bin"; return 1; }
	got_sha=$(sha256sum "$BIG/got.bin" | awk '{ print $1 }')
	rm -f "$BIG/got.bin"
	if [ "$C_CODE" != 200 ] || [ "$got_sha" != "$src_sha" ]; then
		warn "awsemu: GET of $BIG_LABEL to a file: HTTP $C_CODE, $C_BYTES bytes, sha256 $got_sha != source $src_sha — WRONG BYTES"
		return 1
	fi
	say "  awsemu GET $BIG_LABEL -> file: sha256 equals the source's ($src_sha)"
	BIG_HWM=$(hwm_mib "$AW_PID"); BIG_RSS=$(rss_mib "$AW_PID")
	alive "$AW_PID" || { warn "awsemu DIED during the large-object run"; return 1; }
	return 0
}

if [ "$BIG_MIB" -gt 0 ]; then
	if [ "$BIG_MIB" -ge 1024 ] && [ $((BIG_MIB % 1024)) -eq 0 ]; then
		BIG_LABEL="$((BIG_MIB / 1024)) GiB"
	else
		BIG_LABEL="$BIG_MIB MiB"
	fi
	say ""
	say "-- S3 one $BIG_LABEL object, SSE-KMS, curl over one connection (awsemu only: moto not measured — it holds whole bodies in Python memory and would take far too long)"
	if ! big_bench; then
		FAIL=1; logtail "$TMP/awsemu-big.log"
	fi
	stop_pid "$AW_PID"; AW_PID=
	rm -rf "$TMP/big"
fi

############################################################################
# 1f. S3 listing with a delimiter (awsemu only)
LIST_LINE=
if [ "$LIST_KEYS" -gt 0 ]; then
	say ""
	say "-- S3 ListObjectsV2 over $LIST_KEYS keys in 100 prefixes: delimiter=/ vs one prefix (awsemu only, --ephemeral)"
	port=$(util freeport) || die "no free port"
	"$AWSEMU" --ephemeral --host 127.0.0.1 --port "$port" --log-format text \
		>"$TMP/awsemu-list.log" 2>&1 &
	AW_PID=$!
	if util wait "$port" "$HEALTH" --pid "$AW_PID" --timeout 15 &&
		run "$TMP/s3list.out" "$PY" "$HERE/s3list.py" "$port" --keys "$LIST_KEYS" --prefixes 100; then
		LIST_LINE=$(grep '^LIST_RESULT ' "$TMP/s3list.out" | head -n 1)
		say "  awsemu: populated $(kv keys "$LIST_LINE") keys in $(kv populate_s "$LIST_LINE") s ($(kv put_rps "$LIST_LINE") PUT/s); every listing answer checked"
	else
		FAIL=1; warn "S3 listing bench failed:"; sed 's/^/    /' "$TMP/s3list.out" >&2 2>/dev/null
		logtail "$TMP/awsemu-list.log"
	fi
	stop_pid "$AW_PID"; AW_PID=
fi

############################################################################
# Report
ms() { kv "$1" "$2"; }
check() { # value op target -> ok / MISS / ?
	awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
		if (v == "" || v == "?" || v == "n/a") { print "?"; exit }
		v += 0; ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "ok" : "MISS" }'
}
rnum() { printf '%s' "$1" | sed 's/x$//'; }

say ""
say "================================ results ================================"
ENC_R=n/a; DEC_R=n/a; GSV_R=n/a; PUT_R=n/a; GET_R=n/a
if [ $MOTO = 1 ]; then
	[ -n "$AW_ENC" ] && [ -n "$MOTO_ENC" ] && ENC_R=$(ratio "$AW_ENC" "$MOTO_ENC")
	[ -n "$AW_DEC" ] && [ -n "$MOTO_DEC" ] && DEC_R=$(ratio "$AW_DEC" "$MOTO_DEC")
	[ -n "$AW_GSV" ] && [ -n "$MOTO_GSV" ] && GSV_R=$(ratio "$AW_GSV" "$MOTO_GSV")
	[ -n "$AW_PUT" ] && [ -n "$MOTO_PUT" ] && PUT_R=$(ratio "$AW_PUT" "$MOTO_PUT")
	[ -n "$AW_GET" ] && [ -n "$MOTO_GET" ] && GET_R=$(ratio "$AW_GET" "$MOTO_GET")
	printf '%-17s awsemu %-13s moto %-13s ratio %-8s (target >= 50x: %s)\n' \
		"KMS Encrypt" "$(fmt_rps "$AW_ENC")" "$(fmt_rps "$MOTO_ENC")" "$ENC_R" "$(check "$(rnum "$ENC_R")" '>=' 50)"
	printf '%-17s awsemu %-13s moto %-13s ratio %-8s (target >= 50x: %s)\n' \
		"KMS Decrypt" "$(fmt_rps "$AW_DEC")" "$(fmt_rps "$MOTO_DEC")" "$DEC_R" "$(check "$(rnum "$DEC_R")" '>=' 50)"
	for row in "SIGN_EC:KMS Sign P-256" "SIGN_RSA:KMS Sign RSA2048" "VERIFY:KMS Verify P-256" \
		"MAC:KMS GenerateMac"; do
		v=${row%%:*}
		eval "a=\$AW_$v m=\$MOTO_$v"
		r=n/a; [ -n "$a" ] && [ -n "$m" ] && r=$(ratio "$a" "$m")
		printf '%-17s awsemu %-13s moto %-13s ratio %-8s (target >= 100x: %s)\n' \
			"${row#*:}" "$(fmt_rps "$a")" "$(fmt_rps "$m")" "$r" "$(check "$(rnum "$r")" '>=' 100)"
	done
	printf '%-17s awsemu %-13s moto %-13s ratio %-8s (target >= 50x: %s)\n' \
		"SM GetSecretValue" "$(fmt_rps "$AW_GSV")" "$(fmt_rps "$MOTO_GSV")" "$GSV_R" "$(check "$(rnum "$GSV_R")" '>=' 50)"
	printf '%-17s awsemu %-13s moto %-13s ratio %-8s (target >= 60x: %s)\n' \
		"S3 PutObject 4KiB" "$(fmt_rps "$AW_PUT")" "$(fmt_rps "$MOTO_PUT")" "$PUT_R" "$(check "$(rnum "$PUT_R")" '>=' 60)"
	printf '%-17s awsemu %-13s moto %-13s ratio %-8s (target >= 60x: %s)\n' \
		"S3 GetObject 4KiB" "$(fmt_rps "$AW_GET")" "$(fmt_rps "$MOTO_GET")" "$GET_R" "$(check "$(rnum "$GET_R")" '>=' 60)"
else
	printf '%-17s awsemu %-13s (moto not available)\n' "KMS Encrypt" "$(fmt_rps "$AW_ENC")"
	printf '%-17s awsemu %-13s (moto not available)\n' "KMS Decrypt" "$(fmt_rps "$AW_DEC")"
	for row in "SIGN_EC:KMS Sign P-256" "SIGN_RSA:KMS Sign RSA2048" "VERIFY:KMS Verify P-256" \
		"MAC:KMS GenerateMac"; do
		eval "a=\$AW_${row%%:*}"
		printf '%-17s awsemu %-13s (moto not available)\n' "${row#*:}" "$(fmt_rps "$a")"
	done
	printf '%-17s awsemu %-13s (moto not available)\n' "SM GetSecretValue" "$(fmt_rps "$AW_GSV")"
	printf '%-17s awsemu %-13s (moto not available)\n' "S3 PutObject 4KiB" "$(fmt_rps "$AW_PUT")"
	printf '%-17s awsemu %-13s (moto not available)\n' "S3 GetObject 4KiB" "$(fmt_rps "$AW_GET")"
fi
printf '%-17s awsemu %-13s --iam off %-13s cost %-7s (median of %s pairs; target <= 20%%: %s)\n' \
	"KMS Encrypt enforce" "$(fmt_rps "$AW_ENF_ENC")" "$(fmt_rps "$AW_OFF_ENC")" "${ENF_COST:-?}%" \
	"$ENF_PAIRS" "$(check "$ENF_COST" '<=' 20)"
if [ -n "$LIST_LINE" ]; then
	printf '%-22s %8s ms  (%s keys, 100 prefixes, median of 20; target <= 20 ms: %s)\n' \
		"S3 list delimiter=/" "$(kv delim_ms "$LIST_LINE")" "$(kv keys "$LIST_LINE")" "$(check "$(kv delim_ms "$LIST_LINE")" '<=' 20)"
	printf '%-22s %8s ms  (1000 keys of one prefix, median of 20)\n' \
		"S3 list prefix" "$(kv prefix_ms "$LIST_LINE")"
fi
if [ "$BIG_MIB" -gt 0 ]; then
	say ""
	fmt_mbs() { [ -n "$1" ] && printf '%s MB/s' "$1" || printf 'FAILED'; }
	sratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "n/a" }'; }
	if [ -n "$BIG_NOTE" ]; then
		say "S3 $BIG_LABEL SSE-KMS   $BIG_NOTE"
	else
		PUT_S=$(sratio "$BIG_PUT" "$SSL_MBS"); GET_S=$(sratio "$BIG_GET" "$SSL_MBS")
		printf '%-22s %-13s openssl %-13s ratio %-5s (target >= 0.25: %s)\n' \
			"S3 $BIG_LABEL SSE-KMS PUT" "$(fmt_mbs "$BIG_PUT")" "${SSL_MBS:-?} MB/s" "$PUT_S" "$(check "$PUT_S" '>=' 0.25)"
		printf '%-22s %-13s openssl %-13s ratio %-5s (target >= 0.25: %s)\n' \
			"S3 $BIG_LABEL SSE-KMS GET" "$(fmt_mbs "$BIG_GET")" "${SSL_MBS:-?} MB/s" "$GET_S" "$(check "$GET_S" '>=' 0.25)"
		printf '%-22s %6s MiB  (VmHWM over the run; target <= 64 MiB: %s; VmRSS at the end %s MiB)\n' \
			"RSS awsemu $BIG_LABEL peak" "$BIG_HWM" "$(check "$BIG_HWM" '<=' 64)" "$BIG_RSS"
	fi
fi
say ""
D_MED=$(ms median_ms "$S_DATA"); D_P90=$(ms p90_ms "$S_DATA")
E_MED=$(ms median_ms "$S_EPH"); E_P90=$(ms p90_ms "$S_EPH")
M_MED=$(ms median_ms "$S_MOTO"); M_P90=$(ms p90_ms "$S_MOTO")
printf '%-22s median %8s ms  p90 %8s ms  (target <= 20 ms: %s)\n' \
	"start-up awsemu data" "${D_MED:-?}" "${D_P90:-?}" "$(check "$D_MED" '<=' 20)"
printf '%-22s median %8s ms  p90 %8s ms  (target <= 20 ms: %s)\n' \
	"start-up awsemu ephem" "${E_MED:-?}" "${E_P90:-?}" "$(check "$E_MED" '<=' 20)"
if [ $MOTO = 1 ]; then
	printf '%-22s median %8s ms  p90 %8s ms  (moto/awsemu-data %s)\n' \
		"start-up moto" "${M_MED:-?}" "${M_P90:-?}" "$(ratio "${M_MED:-0}" "${D_MED:-0}")"
fi
say ""
printf '%-22s %6s MiB  (target <= 8 MiB: %s)\n' "RSS awsemu idle data" "$RSS_DATA" "$(check "$RSS_DATA" '<=' 8)"
printf '%-22s %6s MiB\n' "RSS awsemu idle ephem" "$AW_RSS_IDLE"
printf '%-22s %6s MiB\n' "RSS awsemu after wrk" "$AW_RSS_AFTER"
if [ $MOTO = 1 ]; then
	printf '%-22s %6s MiB\n' "RSS moto idle" "$MOTO_RSS_IDLE"
	printf '%-22s %6s MiB\n' "RSS moto after wrk" "$MOTO_RSS_AFTER"
fi
say "========================================================================="
if [ "$FAIL" != 0 ]; then
	warn "FAILED: awsemu did not start, died, or answered non-200 (see above)"
	exit 1
fi
if [ "$MOTO_BAD" = 1 ]; then
	warn "FAILED: moto answered non-200 or errored during the run (see above)"
	exit 1
fi
exit 0
