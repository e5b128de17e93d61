#!/usr/bin/env python3
"""Start-up time: from exec to the first 200 on a health URL.

usage: startup.py [--runs N] [--path P] [--timeout S] [--fresh-data-dir]
                  [--log FILE] [--label L] -- CMD ARG...

In CMD, {port} becomes a fresh free port and {datadir} a fresh, empty temp
directory (removed after the run). For each run the clock starts right before
subprocess.Popen; the port is then polled in a tight loop with a raw socket
(connect, send GET, read the status line), retrying at once on ECONNREFUSED
(never sleeping more than 0.2 ms), until the answer is 200. The server is then
killed (SIGTERM, SIGKILL after 3 s). Prints one line:
  STARTUP label=L runs=N median_ms=.. p90_ms=.. min_ms=.. max_ms=..
and exits 1 if any run failed (the server died or missed the deadline).
"""
import argparse
import errno
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from benchutil import HOST, free_port

_children = []


def _on_term(signum, frame):
    raise SystemExit(128 + signum)


def kill(proc):
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=3)


def poll_once(port, req):
    """Returns the HTTP status, or None if not answering yet."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.settimeout(5.0)
        s.connect((HOST, port))
        s.sendall(req)
        buf = b""
        while b"\r\n" not in buf and len(buf) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        parts = buf.split(b"\r\n", 1)[0].split()
        if len(parts) >= 2 and parts[1].isdigit():
            return int(parts[1])
        return None
    except socket.timeout:
        return None
    except OSError as e:
        if e.errno in (errno.ECONNREFUSED, errno.ECONNRESET, errno.EPIPE,
                       errno.ECONNABORTED):
            return None
        raise
    finally:
        s.close()


def one_run(cmd_tmpl, path, timeout, log):
    port = free_port()
    datadir = tempfile.mkdtemp(prefix="awsemu-bench-data-")
    cmd = [a.replace("{port}", str(port)).replace("{datadir}", datadir)
           for a in cmd_tmpl]
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n"
           % (path, HOST, port)).encode()
    proc = None
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
        _children.append(proc)
        deadline = t0 + timeout
        while True:
            st = poll_once(port, req)
            if st == 200:
                return (time.perf_counter() - t0) * 1000.0, None
            now = time.perf_counter()
            if proc.poll() is not None:
                return None, "exited with code %d before answering" % proc.returncode
            if now > deadline:
                return None, "no 200 within %.0f s (last status %s)" % (timeout, st)
            if st is not None:
                time.sleep(0.0002)  # answered but not healthy yet
    finally:
        if proc is not None:
            kill(proc)
            _children.remove(proc)
        shutil.rmtree(datadir, ignore_errors=True)


def main():
    signal.signal(signal.SIGTERM, _on_term)
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--path", default="/_awsemu/health")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--label", default="server")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd or a.runs < 1:
        ap.error("need --runs >= 1 and a command after --")
    times = []
    failed = 0
    with open(a.log, "ab") as log:
        try:
            for i in range(a.runs):
                ms, err = one_run(cmd, a.path, a.timeout, log)
                if err:
                    failed += 1
                    print("startup %s run %d: %s (log: %s)" % (a.label, i + 1, err, a.log),
                          file=sys.stderr)
                    if failed >= 3:
                        break
                else:
                    times.append(ms)
        finally:
            for p in list(_children):
                kill(p)
    if times:
        s = sorted(times)
        p90 = s[max(0, math.ceil(0.9 * len(s)) - 1)]
        print("STARTUP label=%s runs=%d failed=%d median_ms=%.2f p90_ms=%.2f "
              "min_ms=%.2f max_ms=%.2f" % (a.label, len(s), failed,
                                           statistics.median(s), p90, s[0], s[-1]))
    else:
        print("STARTUP label=%s runs=0 failed=%d" % (a.label, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
