#!/usr/bin/env python3
"""Times ListSecrets paging over many secrets (issue 12, item 6: a page
must cost about the same wherever it starts).

    scripts/bench-sm-paging.py [--secrets 10000] [--page 100] [--bin bin/awsemu]

Starts its own ephemeral awsemu on a free port, creates the secrets through
boto3 (no value: metadata only, fast), then pages through them with
ListSecrets and prints the total time, the first, median and last page
times, and the same for ListSecrets sorted by name descending."""
import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import botocore.config


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def page_through(sm, **kw):
    times, n, token = [], 0, None
    t0 = time.perf_counter()
    while True:
        args = dict(kw, MaxResults=kw.get("MaxResults", 100))
        if token:
            args["NextToken"] = token
        t = time.perf_counter()
        out = sm.list_secrets(**args)
        times.append(time.perf_counter() - t)
        n += len(out["SecretList"])
        token = out.get("NextToken")
        if not token:
            break
    return time.perf_counter() - t0, n, times


def report(label, total, n, times):
    s = sorted(times)
    print("%-28s %6d secrets %4d pages  total %.2f s  first %.1f ms  median %.1f ms  last %.1f ms"
          % (label, n, len(times), total, times[0] * 1e3, s[len(s) // 2] * 1e3, times[-1] * 1e3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secrets", type=int, default=10000)
    ap.add_argument("--page", type=int, default=100)
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "..", "bin", "awsemu"))
    a = ap.parse_args()
    port = free_port()
    proc = subprocess.Popen([a.bin, "--ephemeral", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = "http://127.0.0.1:%d" % port
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/_awsemu/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        sm = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test",
                          config=botocore.config.Config(retries={"max_attempts": 0}))
        t = time.perf_counter()
        for i in range(a.secrets):
            sm.create_secret(Name="bench/%05d" % i)
        print("created %d secrets in %.1f s" % (a.secrets, time.perf_counter() - t))
        report("ListSecrets created asc", *page_through(sm, MaxResults=a.page))
        report("ListSecrets name desc", *page_through(sm, MaxResults=a.page, SortBy="name",
                                                      SortOrder="desc"))
        report("ListSecrets filter name", *page_through(sm, MaxResults=a.page,
                                                        Filters=[{"Key": "name",
                                                                  "Values": ["bench/0"]}]))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())
