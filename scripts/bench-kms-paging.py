#!/usr/bin/env python3
"""Times KMS List* paging over many keys and aliases (issue 12: a page
must cost about the same wherever it starts; Markers are keysets).

    scripts/bench-kms-paging.py [--keys 5000] [--page 100] [--bin bin/awsemu]

Starts its own ephemeral awsemu on a free port, creates the keys and an
alias for each, then pages through ListKeys and ListAliases and prints the
total time and the first, median and last page times. Requests are plain
JSON 1.1 over one kept-alive connection (--iam off takes them unsigned)."""
import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port)

    def call(self, op, body):
        self.c.request("POST", "/", json.dumps(body),
                       {"X-Amz-Target": "TrentService." + op,
                        "Content-Type": "application/x-amz-json-1.1"})
        r = self.c.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("%s: %d %s" % (op, r.status, data[:200]))
        return json.loads(data)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def page_through(kms, op, member, limit):
    times, n, marker = [], 0, None
    t0 = time.perf_counter()
    while True:
        args = {"Limit": limit}
        if marker:
            args["Marker"] = marker
        t = time.perf_counter()
        out = kms.call(op, args)
        times.append(time.perf_counter() - t)
        n += len(out[member])
        marker = out.get("NextMarker")
        if not out.get("Truncated"):
            break
    return time.perf_counter() - t0, n, times


def report(label, total, n, times):
    s = sorted(times)
    print("%-12s %6d items %4d pages  total %.2f s  first %.1f ms  median %.1f ms  last %.1f ms"
          % (label, n, len(times), total, times[0] * 1e3, s[len(s) // 2] * 1e3, times[-1] * 1e3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", type=int, default=5000)
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
        kms = Client(port)
        t = time.perf_counter()
        for i in range(a.keys):
            kid = kms.call("CreateKey", {})["KeyMetadata"]["KeyId"]
            kms.call("CreateAlias", {"AliasName": "alias/bench-%05d" % i, "TargetKeyId": kid})
        print("created %d keys and aliases in %.1f s" % (a.keys, time.perf_counter() - t))
        report("ListKeys", *page_through(kms, "ListKeys", "Keys", a.page))
        report("ListAliases", *page_through(kms, "ListAliases", "Aliases", min(a.page, 100)))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())
