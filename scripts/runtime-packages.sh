#!/bin/sh
# runtime-packages.sh FILE... — prints, one per line, the Debian packages that
# hold the shared libraries the binary and its plugins (bin/awsemu-*.so) load
# (what the Docker runtime stage installs). Exits 1 when a library belongs to
# no package.
set -e
[ $# -gt 0 ] || { echo "usage: runtime-packages.sh BINARY [PLUGIN.so...]" >&2; exit 1; }
libs=
for f in "$@"; do
    l=$(ldd "$f" | awk '/=>/ { print $3 }')
    [ -n "$l" ] || { echo "runtime-packages: no shared libraries in $f" >&2; exit 1; }
    libs="$libs $l"
done
for lib in $(printf '%s\n' $libs | sort -u); do
    # usrmerge: dpkg may record /lib/... or /usr/lib/...
    pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(realpath "$lib")" 2>/dev/null) || {
        echo "runtime-packages: no package holds $lib" >&2
        exit 1
    }
    echo "${pkg%%:*}"
done | sort -u
