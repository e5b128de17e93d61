#!/usr/bin/env python3
"""Times ListSecrets paging over many secrets (issue 12, item 6: a page
must cost about the same wherever it starts).

    scripts/bench-sm-paging.py [--secrets 10000] [--page 100] [--bin bin/awsemu]

Starts its own ephemeral awsemu on a free port, creates the secrets (no
value: metadata only, fast), then pages through them with ListSecrets and
prints the total time and the first, median and last page times: in
creation order, by name descending, and with a name filter. Requests are
plain JSON 1.1 over one kept-alive connection (--iam off takes them
unsigned), so the times are the server's plus a little JSON decoding."""
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
                       {"X-Amz-Target": "secretsmanager." + op,
                        "Content-Type": "application/x-amz-json-1.1"})
        r = self.c.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("%s: %d %s" % (op, r.status, data[:200]))
        return json.loads(data)

    def list_secrets(self, **kw):
        return self.call("ListSecrets", kw)

    def create_secret(self, **kw):
        return self.call("CreateSecret", kw)


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
        sm = Client(port)
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
