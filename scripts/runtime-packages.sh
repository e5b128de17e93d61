#!/bin/sh
# runtime-packages.sh BINARY — prints, one per line, the Debian packages that
# hold the shared libraries BINARY loads (what the Docker runtime stage
# installs). Exits 1 when a library belongs to no package.
set -e
bin=${1:?usage: runtime-packages.sh BINARY}
libs=$(ldd "$bin" | awk '/=>/ { print $3 }')
[ -n "$libs" ] || { echo "runtime-packages: no shared libraries in $bin" >&2; exit 1; }
for lib in $libs; do
    # usrmerge: dpkg may record /lib/... or /usr/lib/...
    pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(realpath "$lib")" 2>/dev/null) || {
        echo "runtime-packages: no package holds $lib" >&2
        exit 1
    }
    echo "${pkg%%:*}"
done | sort -u
