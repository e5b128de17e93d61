#!/usr/bin/env python3
"""make bench, S3 listing: a bucket of KEYS keys in PREFIXES prefixes, then
ListObjectsV2 with delimiter=/ (one page: every common prefix) against a
prefix listing (one page of 1000 keys of one prefix).

usage: s3list.py PORT [--keys N] [--prefixes P] [--conns C] [--runs R]

Populate through the API only: C keep-alive connections, each sending its
PUTs (empty bodies, SigV4 header auth, UNSIGNED-PAYLOAD) pipelined in
batches of 64, every response checked for 200; keys p000/k0000000 ...
Then R timed requests of each listing over one keep-alive connection
(after one untimed warm-up each), every answer checked (200, the common
prefixes or keys expected). Prints one line
  LIST_RESULT keys=.. prefixes=.. populate_s=.. put_rps=.. delim_ms=.. prefix_ms=..
(the medians) that bench.sh reads. Exits 1 on any failure."""
import argparse
import hashlib
import hmac
import http.client
import os
import re
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchutil import ACCESS_KEY, HOST, REGION, SECRET_KEY, s3_call, s3_now  # noqa: E402

BUCKET = "bench-list"
BATCH = 64


class Signer:
    """SigV4 for UNSIGNED-PAYLOAD path-style requests, the signing key
    derived once (benchutil.s3_auth derives it per request)."""

    def __init__(self, port, amz_date):
        self.host = "%s:%d" % (HOST, port)
        self.date = amz_date
        day = amz_date[:8]
        self.scope = "%s/%s/s3/aws4_request" % (day, REGION)
        k = ("AWS4" + SECRET_KEY).encode()
        for part in (day, REGION, "s3", "aws4_request"):
            k = hmac.new(k, part.encode(), hashlib.sha256).digest()
        self.key = k

    def auth(self, method, path, query=""):
        canonical = "\n".join([method, path, query, "host:" + self.host,
                               "x-amz-content-sha256:UNSIGNED-PAYLOAD",
                               "x-amz-date:" + self.date, "",
                               "host;x-amz-content-sha256;x-amz-date", "UNSIGNED-PAYLOAD"])
        to_sign = "\n".join(["AWS4-HMAC-SHA256", self.date, self.scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        sig = hmac.new(self.key, to_sign.encode(), hashlib.sha256).hexdigest()
        return ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=host;"
                "x-amz-content-sha256;x-amz-date, Signature=%s" % (ACCESS_KEY, self.scope, sig))

    def put(self, path):
        return ("PUT %s HTTP/1.1\r\nHost: %s\r\nX-Amz-Date: %s\r\n"
                "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD\r\nAuthorization: %s\r\n"
                "Content-Length: 0\r\n\r\n" % (path, self.host, self.date,
                                               self.auth("PUT", path))).encode()


def read_responses(sock, n, buf):
    """Reads n responses from sock (buf: bytes already read); returns the
    rest. SystemExit on anything but 200."""
    while n > 0:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("s3list: connection closed with %d responses due" % n)
            buf += chunk
            continue
        head = buf[:end].decode("latin-1")
        if not head.startswith("HTTP/1.1 200"):
            raise SystemExit("s3list: PUT answered %s" % head.split("\r\n")[0])
        m = re.search(r"(?im)^content-length:\s*(\d+)", head)
        need = end + 4 + (int(m.group(1)) if m else 0)
        while len(buf) < need:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("s3list: connection closed inside a response")
            buf += chunk
        buf = buf[need:]
        n -= 1
    return buf


def populate(port, signer, paths, conns):
    errors = []

    def worker(mine):
        try:
            s = socket.create_connection((HOST, port), timeout=60)
            buf = b""
            for i in range(0, len(mine), BATCH):
                batch = mine[i:i + BATCH]
                s.sendall(b"".join(signer.put(p) for p in batch))
                buf = read_responses(s, len(batch), buf)
            s.close()
        except (OSError, SystemExit) as e:
            errors.append(str(e))

    ts = [threading.Thread(target=worker, args=(paths[c::conns],)) for c in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise SystemExit("s3list: populate failed: %s" % errors[0])


def timed_list(port, signer, query, check, runs):
    """Median ms of runs GET /BUCKET?query over one connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    path = "/" + BUCKET
    canon_q = "&".join(sorted(query.split("&")))
    times = []
    for i in range(runs + 1):
        headers = {"Host": signer.host, "X-Amz-Date": signer.date,
                   "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
                   "Authorization": signer.auth("GET", path, canon_q)}
        t0 = time.perf_counter()
        conn.request("GET", path + "?" + query, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        dt = time.perf_counter() - t0
        if resp.status != 200:
            raise SystemExit("s3list: GET ?%s answered %d: %s" % (query, resp.status, data[:300]))
        check(data)
        if i:
            times.append(dt * 1000)
    conn.close()
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("port", type=int)
    ap.add_argument("--keys", type=int, default=220000)
    ap.add_argument("--prefixes", type=int, default=100)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--runs", type=int, default=20)
    a = ap.parse_args()
    if a.keys < a.prefixes or a.prefixes < 1 or a.prefixes > 1000:
        raise SystemExit("s3list: need 1 <= prefixes <= min(keys, 1000)")
    signer = Signer(a.port, s3_now())
    s3_call("s3list", a.port, signer.date, "PUT", "/" + BUCKET, b"")
    per = a.keys // a.prefixes
    paths = ["/%s/p%03d/k%07d" % (BUCKET, i % a.prefixes, i // a.prefixes)
             for i in range(per * a.prefixes)]
    t0 = time.perf_counter()
    populate(a.port, signer, paths, a.conns)
    pop = time.perf_counter() - t0
    cps = ["p%03d/" % i for i in range(a.prefixes)]

    def check_delim(data):
        got = re.findall(rb"<CommonPrefixes><Prefix>([^<]*)</Prefix>", data)
        if [g.decode() for g in got] != cps or b"<Contents>" in data:
            raise SystemExit("s3list: delimiter listing: %d common prefixes, not the %d expected"
                             % (len(got), len(cps)))

    want = min(per, 1000)

    def check_prefix(data):
        n = data.count(b"<Contents>")
        if n != want or b"<Key>p%03d/k0000000</Key>" % (a.prefixes // 2) not in data:
            raise SystemExit("s3list: prefix listing: %d keys, not the %d expected" % (n, want))

    d_ms = timed_list(a.port, signer, "delimiter=%2F&list-type=2", check_delim, a.runs)
    p_ms = timed_list(a.port, signer, "list-type=2&prefix=p%03d%%2F" % (a.prefixes // 2),
                      check_prefix, a.runs)
    print("LIST_RESULT keys=%d prefixes=%d populate_s=%.1f put_rps=%.0f delim_ms=%.2f prefix_ms=%.2f"
          % (len(paths), a.prefixes, pop, len(paths) / pop, d_ms, p_ms))


if __name__ == "__main__":
    main()
