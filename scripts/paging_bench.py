"""paging_bench.py — what the paging benchmarks share (bench-kms-paging.py,
bench-sm-paging.py): an ephemeral awsemu on a free port, a JSON 1.1 client
over one kept-alive connection (--iam off takes requests unsigned), paging
through a listing while timing each page, and the report line."""
import contextlib
import http.client
import json
import os
import socket
import subprocess
import time
import urllib.request

DEFAULT_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bin", "awsemu")


class Client:
    def __init__(self, port, target):
        self.c = http.client.HTTPConnection("127.0.0.1", port)
        self.target = target  # "TrentService", "secretsmanager"

    def call(self, op, body):
        self.c.request("POST", "/", json.dumps(body),
                       {"X-Amz-Target": "%s.%s" % (self.target, op),
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


@contextlib.contextmanager
def server(binary):
    """An ephemeral awsemu; yields its port once it answers."""
    port = free_port()
    proc = subprocess.Popen([binary, "--ephemeral", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/_awsemu/health" % port, timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait()


def page_through(client, op, args, member, token_in, token_out, more=None):
    """Calls op until the listing ends; returns (total s, items, page times).
    token_in/token_out: the request's and the response's paging members;
    more: the response member saying another page follows (KMS's Truncated),
    else the token's presence does."""
    times, n, token = [], 0, None
    t0 = time.perf_counter()
    while True:
        a = dict(args)
        if token:
            a[token_in] = token
        t = time.perf_counter()
        out = client.call(op, a)
        times.append(time.perf_counter() - t)
        n += len(out[member])
        token = out.get(token_out)
        if not token or (more and not out.get(more)):
            break
    return time.perf_counter() - t0, n, times


def report(label, total, n, times):
    s = sorted(times)
    print("%-28s %6d items %4d pages  total %.2f s  first %.1f ms  median %.1f ms  last %.1f ms"
          % (label, n, len(times), total, times[0] * 1e3, s[len(s) // 2] * 1e3, times[-1] * 1e3))
