#!/usr/bin/env python3
"""check-layers.py — fails on an #include that points up a layer.

The layers, lowest first (docs/architecture.md):
  base/      utilities: buffers, codecs, clock, log, XML, checksums, text
  storage/   SQLite, blobs, frames, envelope, keyring, paging
  authz/     signatures, the policy engine, the authorization decision
  emulator/  HTTP, protocols, the router, main; service.h is the contract
  services/  one folder per service, reached by the core only through
             the registry the contract declares

Every quoted include names its folder ("base/buf.h"). A service may include
another service's public header (services/kms/kms.h), never its *_int.h.

The master key seals through storage/keyring only (each purpose fixes its
AAD there): envelope_seal / envelope_open whose key argument names the
master key, anywhere but storage/keyring.c, is refused too.

Prints each offending line and exits 1; prints a summary and exits 0.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOWED = {
    "base": ("base/",),
    "storage": ("base/", "storage/"),
    "authz": ("base/", "storage/", "authz/", "emulator/service.h", "emulator/http.h",
              "emulator/config.h"),
    "emulator": ("base/", "storage/", "authz/", "emulator/"),
    "services": ("base/", "storage/", "authz/", "emulator/", "services/"),
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
ENVELOPE_CALL = re.compile(r'\benvelope_(seal|open)\s*\(')
KEYRING_C = os.path.join("storage", "keyring.c")


def first_arg(text, start):
    """The first argument of the call whose '(' is at text[start - 1]."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            if depth == 0:
                break
            depth -= 1
        elif c == "," and depth == 0:
            break
        i += 1
    return text[start:i]


def check_master_key(path):
    """envelope_seal/open given the master key outside storage/keyring.c."""
    if path == KEYRING_C or not path.endswith(".c"):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    bad = []
    for m in ENVELOPE_CALL.finditer(text):
        arg = first_arg(text, m.end())
        if "master" in arg:
            line = text.count("\n", 0, m.start()) + 1
            bad.append("%s:%d: envelope_%s(%s, ...) (the master key seals through "
                       "storage/keyring.h only)" % (path, line, m.group(1), arg.strip()))
    return bad


def check(path, layer):
    bad = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            why = None
            if "/" not in inc:
                why = "an include names its folder"
            elif not inc.startswith(ALLOWED[layer]):
                why = "%s/ may not include %s" % (layer, inc)
            elif layer == "services" and inc.startswith("services/"):
                own = path.split(os.sep)[1] if path.count(os.sep) >= 2 else None
                parts = inc.split("/")
                if len(parts) >= 3 and parts[1] != own and parts[2].endswith("_int.h"):
                    why = "a service includes another's public header only"
            if why:
                bad.append("%s:%d: %s (%s)" % (path, n, line.strip(), why))
    return bad


def main():
    os.chdir(ROOT)
    bad, files = [], 0
    for layer in ALLOWED:
        for dirpath, _, names in os.walk(layer):
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    files += 1
                    bad += check(os.path.join(dirpath, name), layer)
                    bad += check_master_key(os.path.join(dirpath, name))
    for b in bad:
        print(b)
    print("check-layers: %d files, %d include(s) pointing up a layer or master key use(s) "
          "outside the keyring" % (files, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
