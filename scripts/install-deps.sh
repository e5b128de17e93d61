#!/bin/sh
# install-deps.sh [--demo|--test|--bench] — installs what is missing from
# Debian's packages: the build libraries; --demo adds Python 3 and boto3
# (make demo), --test also the aws CLI, Python cryptography and valgrind (make test), --bench
# wrk (make bench). Uses sudo when not root. Does nothing when all is there.
set -e
case "$1" in
    ""|--demo|--test|--bench) ;;
    *) echo "usage: install-deps.sh [--demo|--test|--bench]" >&2; exit 2 ;;
esac
need=""
add() { need="$need $1"; }

command -v cc >/dev/null 2>&1 || add gcc
command -v make >/dev/null 2>&1 || add make
command -v pkg-config >/dev/null 2>&1 || add pkg-config
for pair in libevent:libevent-dev openssl:libssl-dev sqlite3:libsqlite3-dev \
            libcjson:libcjson-dev expat:libexpat1-dev; do
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
    command -v aws >/dev/null 2>&1 || add awscli
    command -v valgrind >/dev/null 2>&1 || add valgrind
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
