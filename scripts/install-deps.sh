#!/bin/sh
# install-deps.sh [--demo|--test|--bench] — installs what is missing from
# Debian's packages: the build libraries; --demo adds Python 3 and boto3
# (make demo); --test also the aws CLI (v1 and, where Debian packages it,
# v2), rclone, s3cmd, Python cryptography,
# valgrind and the
# JS SDK v3 modules of tests/js (npm, only where node and npm exist; an
# unreachable npm skips those tests, never fails); --bench wrk (make bench).
# Uses sudo when not root. Does nothing when all is there.
set -e
case "$1" in
    ""|--demo|--test|--bench) ;;
    *) echo "usage: install-deps.sh [--demo|--test|--bench]" >&2; exit 2 ;;
esac
js_modules() {
    dir="$(dirname "$0")/../tests/js"
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 0
    [ -d "$dir/node_modules/@aws-sdk/client-iam" ] && [ -d "$dir/node_modules/jsqr" ] && return 0
    echo "install-deps: npm ci in tests/js (JS SDK v3 tests)"
    (cd "$dir" && timeout 600 npm ci --no-audit --no-fund >/dev/null 2>&1) ||
        echo "install-deps: npm ci failed (offline?): the JS SDK tests will be skipped"
}
need=""
add() { need="$need $1"; }

command -v cc >/dev/null 2>&1 || add gcc
command -v make >/dev/null 2>&1 || add make
command -v pkg-config >/dev/null 2>&1 || add pkg-config
for pair in libevent:libevent-dev openssl:libssl-dev sqlite3:libsqlite3-dev \
            libcjson:libcjson-dev expat:libexpat1-dev \
            libqrencode:libqrencode-dev libpng:libpng-dev \
            xmlsec1-openssl:libxmlsec1-dev; do
    pkg-config --exists "${pair%%:*}" 2>/dev/null || add "${pair#*:}"
done
if [ -n "$1" ]; then
    command -v curl >/dev/null 2>&1 || add curl
    command -v python3 >/dev/null 2>&1 || add python3
    if ! python3 -c 'import boto3' >/dev/null 2>&1 &&
       ! /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1; then
        add python3-boto3
    fi
fi
if [ "$1" = "--test" ]; then
    # test_kms_asym checks KMS's signatures and ciphertexts with it
    if ! python3 -c 'import cryptography' >/dev/null 2>&1 &&
       ! /usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1; then
        add python3-cryptography
    fi
    # the aws CLI: any where none is; and Debian's awscli where it is v2
    # (Debian 12: 2.9), installed as /usr/bin/aws beside pip's v1
    # (python3 -m awscli), which keeps `aws` on a PATH that lists it first:
    # test_s3_clients.py runs both
    if ! command -v aws >/dev/null 2>&1; then
        add awscli
    elif ! dpkg -s awscli >/dev/null 2>&1 &&
         apt-cache policy awscli 2>/dev/null | grep -q 'Candidate: 2\.'; then
        add awscli
    fi
    command -v valgrind >/dev/null 2>&1 || add valgrind
    command -v xmlsec1 >/dev/null 2>&1 || add xmlsec1  # signs test SAML assertions
    command -v rclone >/dev/null 2>&1 || add rclone   # tests/e2e/test_s3_clients.py
    command -v s3cmd >/dev/null 2>&1 || add s3cmd
    js_modules
fi
if [ "$1" = "--bench" ]; then
    command -v wrk >/dev/null 2>&1 || add wrk
fi
[ -z "$need" ] && exit 0

echo "install-deps: installing$need"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1; then
    $SUDO apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $need
fi
