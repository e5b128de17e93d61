#!/usr/bin/env python3
"""check-limits.py — base/limits.h against botocore's models.

Each `#define AWS_... N` in base/limits.h cites the shapes it comes from
in its comment as "<service>[/<service>...] <Shape>" pairs (for example
"iam/sts arnType, kms ArnType"); every cited shape's "max" must equal N.
Defines citing no shape (S3's documented rules, buffer sizes) are skipped.
Prints each mismatch and exits 1; prints a summary and exits 0. Without
botocore, says so and exits 0.
"""
import glob
import gzip
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFINE = re.compile(r"^#define\s+(AWS_\w+)\s+(\d+)\s*/\*(.*)\*/")
CITE = re.compile(r"\b((?:[a-z0-9]+/)*[a-z0-9]+)\s+([A-Za-z]\w*Type|[A-Z]\w+)\b")


def model(data, svc, cache={}):
    if svc not in cache:
        dirs = sorted(glob.glob(os.path.join(data, svc, "*")))
        cache[svc] = None
        for d in reversed(dirs):
            for name in ("service-2.json", "service-2.json.gz"):
                p = os.path.join(d, name)
                if os.path.exists(p):
                    opener = gzip.open if p.endswith(".gz") else open
                    with opener(p, "rt", encoding="utf-8") as f:
                        cache[svc] = json.load(f)["shapes"]
                    break
            if cache[svc] is not None:
                break
    return cache[svc]


def main():
    try:
        import botocore
    except ImportError:
        print("check-limits: botocore is not installed: nothing to check against")
        return 1
    data = os.path.join(os.path.dirname(botocore.__file__), "data")
    bad, checked = [], 0
    with open(os.path.join(ROOT, "base", "limits.h"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = DEFINE.match(line)
            if not m:
                continue
            name, value = m.group(1), int(m.group(2))
            for svcs, shape in CITE.findall(m.group(3)):
                for svc in svcs.split("/"):
                    shapes = model(data, svc)
                    if shapes is None:
                        continue  # not a service: a word in the comment
                    checked += 1
                    got = shapes.get(shape, {}).get("max")
                    if got != value:
                        bad.append("base/limits.h:%d: %s is %d, %s %s max is %s"
                                   % (n, name, value, svc, shape, got))
    for b in bad:
        print(b)
    print("check-limits: %d citation(s) checked against botocore, %d mismatch(es)"
          % (checked, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
