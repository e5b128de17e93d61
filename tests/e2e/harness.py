"""Black-box e2e harness for awsemu.

Server   starts bin/awsemu (or $AWSEMU_BIN) on a free 127.0.0.1 port, waits
         for /_awsemu/health, stops it with SIGTERM.  When $AWSEMU_URL is set
         no process is started: the tests talk to that endpoint instead (for
         sanity-checking expectations against another emulator; tests that
         need to own the process skip themselves).  stop() also checks the
         exit: status 0 after SIGTERM and no sanitizer report (ASan, LSan,
         UBSan "runtime error:") in this run's output, else ServerExitError
         with the log tail; tests that kill the server on purpose pass
         check_exit=False (or stop(check=False)).
ServerTestCase  base class; one server per (module, server_args), started by
         the first class that needs it and stopped when the module finishes
         (own_server = True: one for the class alone).

Only the standard library plus boto3/botocore are used, and only features
that exist in Debian 12's python3-boto3 (1.26) / python3-botocore (1.29).
"""

import base64
import datetime
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

import boto3
import botocore.auth
import botocore.loaders
import botocore.awsrequest
import botocore.config
import botocore.credentials
from botocore.exceptions import ClientError

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(E2E_DIR))
EXTERNAL_URL = os.environ.get("AWSEMU_URL", "").rstrip("/") or None
# The account the server is expected to use; override only to sanity-check the
# suite against another emulator (moto uses 123456789012).
DEFAULT_ACCOUNT = os.environ.get("AWSEMU_E2E_ACCOUNT", "000000000000")
DEFAULT_REGION = "us-east-1"
ACCESS_KEY = "test"
SECRET_KEY = "test"
HEALTH_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
# Anything in the server's output that means a sanitizer (make asan) found a
# bug; the plain build never prints these.
SANITIZER_MARKERS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:")

# Keep the user's AWS config/credentials files out of every client and of the
# aws CLI started by the tests.
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for _v in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
           "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS"):
    os.environ.pop(_v, None)


def binary_path():
    p = os.environ.get("AWSEMU_BIN", "bin/awsemu")
    if not os.path.isabs(p):
        p = os.path.join(REPO, p)
    return p


def admin_needs_signature(path):
    """Admin endpoints other than health need root's signature under
    --iam enforce."""
    p = path.split("?", 1)[0]
    return (p.startswith("/_awsemu/") or p.startswith("/moto-api/") or
            p.startswith("/_localstack/")) and not p.rstrip("/").endswith("/health")


def sign_admin_request(url, method, path, body=None, headers=None,
                       access_key=ACCESS_KEY, secret_key=SECRET_KEY):
    """Headers of an admin request signed (SigV4) with the given
    credentials, by default the root pair."""
    req = botocore.awsrequest.AWSRequest(method=method, url=url + path, data=body or b"",
                                         headers=dict(headers or {}))
    creds = botocore.credentials.Credentials(access_key, secret_key)
    botocore.auth.SigV4Auth(creds, "awsemu", DEFAULT_REGION).add_auth(req)
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()}


def have_binary():
    p = binary_path()
    return os.path.isfile(p) and os.access(p, os.X_OK)


def server_env():
    """The caller's environment without AWSEMU_* settings (the server reads
    e.g. AWSEMU_IAM as defaults), so that only the flags given apply."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWSEMU_")}


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


# One loader for every session: a session's own loader parses each service's
# JSON model again (~3 MiB a client kept), and test classes keep their
# clients until the run ends (tests/e2e/run.py peaked at 4.4 GB RSS so).
_LOADER = botocore.loaders.create_loader()


def new_session(**kw):
    """A boto3 session sharing the process's model loader."""
    s = boto3.session.Session(**kw)
    s._session.register_component("data_loader", _LOADER)
    return s


class ServerError(Exception):
    pass


class ServerExitError(ServerError):
    """The server did not exit cleanly on SIGTERM (non-zero status, killed,
    crashed) or a sanitizer reported an error in its output."""


def to_datetime(v):
    """boto3 gives datetimes; raw JSON gives epoch seconds."""
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        return v
    if isinstance(v, (int, float)):
        return datetime.datetime.fromtimestamp(v, datetime.timezone.utc)
    raise TypeError("not a timestamp: %r" % (v,))


class Server:
    """One awsemu process (or the external endpoint from $AWSEMU_URL)."""

    def __init__(self, args=(), region=DEFAULT_REGION, account=DEFAULT_ACCOUNT,
                 check_exit=True, split_output=False):
        """check_exit: stop() raises ServerExitError unless the process exits
        0 on SIGTERM with no sanitizer report in its output; tests that kill
        the process or expect a failure pass False (or stop(check=False)).
        split_output: stdout (the access log) and stderr go to separate files
        (log_path and err_path) instead of one merged log."""
        self.args = list(args)
        self.region = region
        self.account = account
        self.check_exit = check_exit
        self.split_output = split_output
        self.external = EXTERNAL_URL is not None
        self.proc = None
        self.tmpdir = None
        self.log_path = None
        self.err_path = None
        self._log = None
        self._err = None
        self._offsets = {}  # path -> size when the current process started
        self.port = None
        self.host = "127.0.0.1"
        if self.external:
            u = urllib.parse.urlsplit(EXTERNAL_URL)
            self.host = u.hostname or "127.0.0.1"
            self.port = u.port or 80

    # -- process control -------------------------------------------------
    @property
    def url(self):
        return "http://%s:%d" % (self.host, self.port)

    def command(self):
        cmd = [binary_path()]
        if not any(a == "--data-dir" or a.startswith("--data-dir=") for a in self.args):
            cmd.append("--ephemeral")
        cmd += ["--host", "127.0.0.1", "--port", str(self.port)]
        return cmd + self.args

    def log_paths(self):
        return [p for p in (self.log_path, self.err_path) if p]

    def start(self):
        if self.external:
            self.wait_healthy(HEALTH_TIMEOUT, external=True)
            return self
        if not have_binary():
            raise ServerError("awsemu binary not found at %s (build it with make, "
                              "or set AWSEMU_BIN / AWSEMU_URL)" % binary_path())
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="awsemu-e2e-")
            if self.split_output:
                self.log_path = os.path.join(self.tmpdir, "stdout.log")
                self.err_path = os.path.join(self.tmpdir, "stderr.log")
            else:
                self.log_path = os.path.join(self.tmpdir, "server.log")
        if self.port is None:
            self.port = free_port()
        marker = ("\n=== start: %s\n" % " ".join(self.command())).encode()
        self._log = open(self.log_path, "ab")
        if self.split_output:
            # the marker goes to stderr so that stdout holds only access lines
            self._err = open(self.err_path, "ab")
            self._err.write(marker)
            self._err.flush()
        else:
            self._log.write(marker)
            self._log.flush()
        self._offsets = {p: os.path.getsize(p) for p in self.log_paths()}
        self.proc = subprocess.Popen(self.command(), stdout=self._log,
                                     stderr=self._err if self._err else subprocess.STDOUT,
                                     env=server_env(), stdin=subprocess.DEVNULL, cwd=REPO)
        try:
            self.wait_healthy(HEALTH_TIMEOUT)
        except Exception:
            self.stop(check=False)
            raise
        return self

    def wait_healthy(self, timeout, external=False):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerError("awsemu exited with %s before becoming healthy\n%s"
                                  % (self.proc.returncode, self.log_tail()))
            try:
                paths = ["/_awsemu/health"]
                if external:
                    paths.append("/moto-api/")
                for p in paths:
                    try:
                        with urllib.request.urlopen(self.url + p, timeout=1) as r:
                            if r.status == 200:
                                return
                            last = "status %d" % r.status
                    except urllib.error.HTTPError as e:
                        last = "status %d" % e.code
            except (OSError, http.client.HTTPException) as e:
                last = repr(e)
            time.sleep(0.05)
        raise ServerError("awsemu not healthy at %s after %.0fs (last: %s)\n%s"
                          % (self.url, timeout, last, self.log_tail()))

    def stop(self, timeout=STOP_TIMEOUT, check=None):
        """SIGTERM, wait, SIGKILL after timeout. Returns (returncode, seconds).
        With check (default: self.check_exit) raises ServerExitError, with the
        log tail, when the exit status is not 0 or the output of this run has
        a sanitizer report."""
        if self.proc is None:
            return None, 0.0
        if check is None:
            check = self.check_exit
        t0 = time.monotonic()
        rc = self.proc.poll()
        if rc is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                rc = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                rc = "killed after %.0fs" % timeout
        elapsed = time.monotonic() - t0
        self.proc = None
        for f in (self._log, self._err):
            if f is not None:
                f.close()
        self._log = self._err = None
        if check:
            problems = []
            if rc != 0:
                problems.append("exit status %s after SIGTERM (want 0)" % (rc,))
            out = self.output() + self.output(stderr=True)
            found = [m.decode() for m in SANITIZER_MARKERS if m in out]
            if found:
                problems.append("sanitizer report in the log (%s)" % ", ".join(found))
            if problems:
                raise ServerExitError("awsemu on port %s: %s\n%s" % (
                    self.port, "; ".join(problems), self.log_tail(80)))
        return rc, elapsed

    def output(self, stderr=False):
        """What the current (or last) process wrote: stdout with
        split_output, the merged log without (stderr=True gives stderr with
        split_output, b"" without)."""
        path = self.err_path if stderr else self.log_path
        if not path or not os.path.exists(path):
            return b""
        with open(path, "rb") as f:
            f.seek(self._offsets.get(path, 0))
            return f.read()

    def cleanup(self):
        """Stops the server and removes its temp dir (log), unless
        AWSEMU_KEEP_LOGS is set or the stop check failed (the log is kept
        for a look; the error names it)."""
        self.stop()
        if self.tmpdir and not os.environ.get("AWSEMU_KEEP_LOGS"):
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def restart(self):
        if self.external:
            raise unittest.SkipTest("restart needs a server process (AWSEMU_URL set)")
        self.stop()
        return self.start()

    def log_tail(self, n=40):
        parts = []
        for path in self.log_paths():
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            parts.append("--- server log tail (%s) ---\n%s" % (path, "\n".join(lines[-n:])))
        return "\n".join(parts) or "(no log)"

    # -- clients ---------------------------------------------------------
    def client(self, service, region=None, access_key=ACCESS_KEY,
               secret_key=SECRET_KEY, validate=True):
        cfg = botocore.config.Config(retries={"max_attempts": 0},
                                     connect_timeout=5, read_timeout=30,
                                     parameter_validation=validate)
        return new_session().client(service, endpoint_url=self.url,
                              region_name=region or self.region,
                              aws_access_key_id=access_key,
                              aws_secret_access_key=secret_key, config=cfg)

    def http(self, method, path, body=None, headers=None, timeout=30, sign_admin=True):
        """Plain HTTP request; returns (status, headers dict lower-cased, body bytes).
        Admin endpoints other than health are signed with the root
        credentials (--iam enforce requires it; --iam off ignores it) unless
        sign_admin is False."""
        if sign_admin and admin_needs_signature(path):
            headers = sign_admin_request(self.url, method, path, body, headers)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def reset(self):
        status, _, body = self.http("POST", "/_awsemu/reset", body=b"")
        if status == 404 and self.external:
            status, _, body = self.http("POST", "/moto-api/reset", body=b"")
        if status != 200:
            raise ServerError("reset failed: %d %r" % (status, body[:200]))

    def signed_headers(self, service, target, body, region=None,
                       content_type="application/x-amz-json-1.1"):
        """SigV4-signed headers for a JSON-protocol request to POST /."""
        req = botocore.awsrequest.AWSRequest(
            method="POST", url=self.url + "/", data=body,
            headers={"Content-Type": content_type, "X-Amz-Target": target})
        creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
        botocore.auth.SigV4Auth(creds, service, region or self.region).add_auth(req)
        return dict(req.headers.items())

    def json_request(self, target, body, service="kms", sign=True, headers=None):
        """POST / with X-Amz-Target; body is bytes or a JSON-able object.
        Returns (status, headers, parsed JSON or None, raw body)."""
        if not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode()
        if sign:
            h = self.signed_headers(service, target, body)
        else:
            h = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
        h.update(headers or {})
        status, rh, data = self.http("POST", "/", body=body, headers=h)
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return status, rh, parsed, data

    def kms_raw(self, op, **params):
        """Call a KMS operation with raw JSON (for members an old botocore's
        model lacks). Raises ClientError like boto3 on errors."""
        status, _, parsed, data = self.json_request("TrentService." + op, params)
        if status != 200:
            code = ""
            msg = ""
            if isinstance(parsed, dict):
                code = str(parsed.get("__type", "")).rsplit("#", 1)[-1]
                msg = parsed.get("message") or parsed.get("Message") or ""
            raise ClientError({"Error": {"Code": code, "Message": msg},
                               "ResponseMetadata": {"HTTPStatusCode": status}}, op)
        return parsed if parsed is not None else {}


def model_has(client, op, input_members=(), output_members=()):
    """True when the installed botocore model knows op and the given members."""
    sm = client.meta.service_model
    if op not in sm.operation_names:
        return False
    om = sm.operation_model(op)
    if input_members:
        have = om.input_shape.members if om.input_shape is not None else {}
        if any(m not in have for m in input_members):
            return False
    if output_members:
        have = om.output_shape.members if om.output_shape is not None else {}
        if any(m not in have for m in output_members):
            return False
    return True


# --------------------------------------------------------------------------
# Raw-socket HTTP helpers
# --------------------------------------------------------------------------

class RawResponse:
    def __init__(self, status, reason, headers, body, version="HTTP/1.1"):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (lower-name, value)
        self.body = body
        self.version = version

    def header(self, name, default=None):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return default

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<RawResponse %s %d %r %r>" % (self.version, self.status, self.headers,
                                              self.body[:300])


class RawConn:
    """Minimal HTTP/1.1 client over a socket, for pipelining, chunked bodies,
    Expect: 100-continue and oversized requests."""

    def __init__(self, host, port, timeout=10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.version = None  # HTTP version of the last status line read

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    def readable(self, timeout):
        if self.buf:
            return True
        r, _, _ = select.select([self.sock], [], [], timeout)
        return bool(r)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by server (buffered: %r)" % self.buf[:200])
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_head(self):
        status_line = self._line().decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ValueError("bad status line %r" % status_line)
        self.version = parts[0]
        headers = []
        while True:
            line = self._line()
            if not line:
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers.append((k.strip().lower(), v.strip()))
        return int(parts[1]), (parts[2] if len(parts) > 2 else ""), headers

    def read_response(self, head_request=False):
        """Reads one final response (1xx interim responses are skipped)."""
        while True:
            status, reason, headers = self.read_head()
            if 100 <= status < 200:
                continue
            break
        h = {k: v for k, v in headers}
        body = b""
        if head_request or status in (204, 304):
            pass
        elif "chunked" in h.get("transfer-encoding", "").lower():
            while True:
                size = int(self._line().split(b";")[0].strip(), 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                body += self._exact(size)
                self._exact(2)
        elif "content-length" in h:
            body = self._exact(int(h["content-length"]))
        else:
            # read until close
            try:
                while True:
                    self._fill()
            except (EOFError, OSError):
                pass
            body, self.buf = self.buf, b""
        return RawResponse(status, reason, headers, body, self.version)

    def wait_closed(self, timeout):
        """True when the server closes the connection (EOF or reset) within
        timeout seconds; data it sends first (e.g. a 408) is kept in buf."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return False
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ConnectionAbortedError):
                return True
            if not chunk:
                return True
            self.buf += chunk


def raw_request_bytes(server, target, body, extra_headers=(), chunked=False,
                      content_length=None, service="kms", version="HTTP/1.1"):
    """Builds the bytes of a signed JSON POST / request (head + body).
    content_length may be an int or a str sent as is."""
    h = server.signed_headers(service, target, body)
    lines = ["POST / %s" % version, "Host: %s:%d" % (server.host, server.port)]
    for k, v in h.items():
        if k.lower() in ("host", "content-length", "transfer-encoding"):
            continue
        lines.append("%s: %s" % (k, v))
    for k, v in extra_headers:
        lines.append("%s: %s" % (k, v))
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    else:
        lines.append("Content-Length: %s" % (len(body) if content_length is None else content_length))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head, body


# --------------------------------------------------------------------------
# Test base class
# --------------------------------------------------------------------------

_servers = {}


def _stop_server(key):
    srv = _servers.pop(key, None)
    if isinstance(srv, Server):
        srv.cleanup()


class ServerTestCase(unittest.TestCase):
    """Base class: cls.server (shared per module and server_args), cls.kms."""

    server_args = ()
    needs_process = False  # skip when AWSEMU_URL points at an external server
    own_server = False  # True: this class gets a server of its own (e.g. it moves the clock)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.needs_process and EXTERNAL_URL:
            raise unittest.SkipTest("needs its own awsemu process (AWSEMU_URL is set)")
        key = (cls.__module__, tuple(cls.server_args), cls.__name__ if cls.own_server else None)
        srv = _servers.get(key)
        if isinstance(srv, Exception):  # an earlier class failed to start it
            raise ServerError("server failed to start earlier in this module: %s" % srv)
        if srv is None:
            srv = Server(cls.server_args)
            unittest.addModuleCleanup(_stop_server, key)
            try:
                srv.start()
            except Exception as e:
                _servers[key] = e
                raise
            _servers[key] = srv
        cls.server = srv
        cls.kms = srv.client("kms")
        cls.kms_nv = srv.client("kms", validate=False)  # no client-side validation

    # -- assertions ------------------------------------------------------
    def assertClientError(self, codes, fn, *args, **kwargs):
        """fn(*args, **kwargs) must fail with HTTP 400 and one of codes."""
        if isinstance(codes, str):
            codes = (codes,)
        try:
            fn(*args, **kwargs)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            self.assertIn(code, codes, "wrong error code (message: %r)"
                          % e.response.get("Error", {}).get("Message"))
            self.assertEqual(400, status, "error %s should be HTTP 400" % code)
            return e.response
        self.fail("expected %s, call succeeded" % "/".join(codes))

    def assertRecent(self, ts, delta_days=0.0, slack_seconds=300):
        """ts is about now + delta_days."""
        ts = to_datetime(ts)
        want = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=delta_days)
        diff = abs((ts - want).total_seconds())
        self.assertLess(diff, slack_seconds, "timestamp %s not near %s" % (ts, want))


def b64(b):
    return base64.b64encode(b).decode()


def scan_for(root, needles):
    """[(path relative to root, label)] for every (label, bytes) needle found
    in any file under root: the at-rest check of every persistence suite."""
    hits = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            for label, needle in needles:
                if needle and needle in data:
                    hits.append((os.path.relpath(path, root), label))
    return hits
