#!/usr/bin/env python3
"""check-coverage.py — every operation of each service's botocore model has a
row in awsemu's operation tables, and every row is an operation of the model.

The rows come from `awsemu --list-operations` (AWSEMU_BIN, else bin/awsemu):
"<service> <operation> <action|-> handler|unsupported:<Code>[,flags]". A row
either has a handler or is marked OP_UNSUPPORTED with the error AWS answers
an account without the feature. The models are botocore's, installed with
boto3 (data/<service>/<version>/service-2.json[.gz]). For S3, whose
operations are told apart by the query, every literal query key of the
model's requestUris must also be one of S3's sub-resources, the table
services/s3/s3_route.c routes by (a query naming one never reaches a plain
object or bucket operation). Exits 1 on a gap.
"""
import glob
import gzip
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# awsemu's service name -> botocore's
MODELS = {"kms": "kms", "secretsmanager": "secretsmanager", "iam": "iam", "sts": "sts",
          "s3": "s3"}
# Services whose operations are not yet rows: reported, not counted.
PENDING = set()
S3_ROUTE = os.path.join("services", "s3", "s3_route.c")
# Literal query keys that select no sub-resource: ListObjectsV2's list-type
# picks the listing's shape (services/s3/s3_list.c), and x-id names the
# operation for the SDKs only.
S3_NOT_SUBRESOURCES = {"list-type", "x-id"}


def botocore_data():
    try:
        import botocore
        return os.path.join(os.path.dirname(botocore.__file__), "data")
    except ImportError:
        for d in ("/usr/lib/python3/dist-packages/botocore/data",):
            if os.path.isdir(d):
                return d
    return None


def load_model(data, name):
    versions = sorted(glob.glob(os.path.join(data, name, "*")))
    for v in reversed(versions):
        for f in ("service-2.json", "service-2.json.gz"):
            p = os.path.join(v, f)
            if os.path.exists(p):
                opener = gzip.open if p.endswith(".gz") else open
                with opener(p, "rt", encoding="utf-8") as fh:
                    return json.load(fh)
    return None


def s3_subresource_gaps(model):
    """Literal query keys of S3's requestUris missing from s3_route.c's
    subresources[] table."""
    with open(S3_ROUTE, encoding="utf-8") as fh:
        src = fh.read()
    m = re.search(r"subresources\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    if m is None:
        return ["s3: no subresources[] table in %s" % S3_ROUTE]
    table = set(re.findall(r'\{"([^"]+)",', m.group(1)))
    gaps = []
    for name, op in sorted(model["operations"].items()):
        uri = op["http"]["requestUri"]
        if "?" not in uri:
            continue
        for part in uri.split("?", 1)[1].split("&"):
            key = part.split("=", 1)[0]
            if key and key not in table and key not in S3_NOT_SUBRESOURCES:
                gaps.append("s3: %s's query key %s is not in %s's subresources[]" %
                            (name, key, S3_ROUTE))
    return gaps


def main():
    os.chdir(ROOT)
    data = botocore_data()
    if data is None:
        print("check-coverage: botocore is not installed: nothing to check against")
        return 1
    binary = os.environ.get("AWSEMU_BIN", "bin/awsemu")
    out = subprocess.run([binary, "--list-operations"], capture_output=True, text=True,
                         check=True).stdout
    rows = {}
    for line in out.splitlines():
        svc, op, action, kind = line.split(" ", 3)
        rows.setdefault(svc, {})[op] = (action, kind)
    gaps = []
    summary = []
    for svc, model_name in MODELS.items():
        model = load_model(data, model_name)
        if model is None:
            gaps.append("%s: no botocore model %s" % (svc, model_name))
            continue
        ops = set(model["operations"])
        have = rows.get(svc, {})
        if svc in PENDING and not have:
            summary.append("%s pending (%d model operations not yet rows)" % (svc, len(ops)))
            continue
        missing = sorted(ops - set(have))
        extra = sorted(set(have) - ops)
        for op in missing:
            gaps.append("%s: %s has no row" % (svc, op))
        for op in extra:
            gaps.append("%s: row %s is not an operation of the model" % (svc, op))
        if svc == "s3":
            gaps.extend(s3_subresource_gaps(model))
        unsupported = sum(1 for a, k in have.values() if k.startswith("unsupported:"))
        summary.append("%s %d/%d (%d answered as unsupported)" %
                       (svc, len(ops) - len(missing), len(ops), unsupported))
    for g in gaps:
        print(g)
    print("check-coverage: %s; %d gap(s)" % (", ".join(summary), len(gaps)))
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
