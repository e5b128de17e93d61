"""Server core: admin endpoints, HTTP/1.1 handling, command-line flags, signals."""

import base64
import datetime
import http.client
import json
import re
import select
import signal
import socket
import subprocess
import time
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import (EXTERNAL_URL, RawConn, Server, ServerExitError, ServerTestCase,
                     binary_path, have_binary, model_has, raw_request_bytes, server_env,
                     to_datetime)

MiB = 1024 * 1024


class AdminTests(ServerTestCase):
    needs_process = True

    def test_health(self):
        for path in ("/_awsemu/health", "/_localstack/health"):
            with self.subTest(path=path):
                status, headers, body = self.server.http("GET", path)
                self.assertEqual(200, status, body)
                self.assertIn("json", headers.get("content-type", ""))
                doc = json.loads(body)
                self.assertIsInstance(doc.get("version"), str)
                self.assertTrue(doc["version"])
                self.assertIn("kms", doc["services"])

    def test_unknown_admin_path(self):
        status, _, _ = self.server.http("GET", "/_awsemu/no-such-thing")
        self.assertEqual(404, status)

    def _check_reset(self, path):
        kid = self.kms.create_key(Description="to be wiped")["KeyMetadata"]["KeyId"]
        alias = "alias/wipe-" + uuid.uuid4().hex[:8]
        self.kms.create_alias(AliasName=alias, TargetKeyId=kid)
        status, _, body = self.server.http("POST", path, body=b"")
        self.assertEqual(200, status, body)
        self.assertNotIn(kid, [k["KeyId"] for k in self.kms.list_keys(Limit=1000)["Keys"]])
        self.assertNotIn(alias, [a["AliasName"] for a in self.kms.list_aliases(Limit=100)["Aliases"]])
        with self.assertRaises(ClientError) as cm:
            self.kms.describe_key(KeyId=kid)
        self.assertEqual("NotFoundException", cm.exception.response["Error"]["Code"])
        # still serving after a reset
        self.kms.create_key()

    def test_reset_awsemu(self):
        self._check_reset("/_awsemu/reset")

    def test_reset_moto_api(self):
        self._check_reset("/moto-api/reset")

    def test_reset_empties_everything(self):
        kids = [self.kms.create_key(Description="pre-reset %d" % i)["KeyMetadata"]["KeyId"]
                for i in range(3)]
        for i, kid in enumerate(kids):
            self.kms.create_alias(AliasName="alias/pre-reset-%d-%s" % (i, uuid.uuid4().hex[:8]),
                                  TargetKeyId=kid)
        ct = self.kms.encrypt(KeyId=kids[0], Plaintext=b"made before reset")["CiphertextBlob"]
        status, _, body = self.server.http("POST", "/moto-api/reset", body=b"")
        self.assertEqual(200, status, body)
        self.assertEqual([], self.kms.list_keys()["Keys"])
        aliases = self.kms.list_aliases()["Aliases"]
        # only AWS-managed aliases without keys could remain in a fresh account
        self.assertEqual([], [a for a in aliases
                              if a.get("TargetKeyId") or not a["AliasName"].startswith("alias/aws/")],
                         aliases)
        self.assertClientError(("InvalidCiphertextException", "NotFoundException"),
                               self.kms.decrypt, CiphertextBlob=ct)


def list_keys_request(server, conn_close=False):
    extra = [("Connection", "close")] if conn_close else []
    head, body = raw_request_bytes(server, "TrentService.ListKeys", b"{}", extra)
    return head + body


class HttpTests(ServerTestCase):
    def raw(self, timeout=10):
        c = RawConn(self.server.host, self.server.port, timeout=timeout)
        self.addCleanup(c.close)
        return c

    def assertHealthy(self):
        self.assertIn("Keys", self.server.client("kms").list_keys())

    def test_keep_alive(self):
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=10)
        self.addCleanup(conn.close)
        body = b"{}"
        headers = self.server.signed_headers("kms", "TrentService.ListKeys", body)
        conn.request("POST", "/", body=body, headers=headers)
        r1 = conn.getresponse()
        self.assertEqual(200, r1.status)
        self.assertIn("Keys", json.loads(r1.read()))
        self.assertNotEqual("close", (r1.getheader("Connection") or "").lower())
        sock1 = conn.sock
        self.assertIsNotNone(sock1, "server closed a keep-alive connection")
        headers = self.server.signed_headers("kms", "TrentService.GenerateRandom", b'{"NumberOfBytes": 8}')
        conn.request("POST", "/", body=b'{"NumberOfBytes": 8}', headers=headers)
        r2 = conn.getresponse()
        self.assertEqual(200, r2.status)
        self.assertIn("Plaintext", json.loads(r2.read()))
        self.assertIs(sock1, conn.sock, "second request needed a new connection")

    def test_pipelining(self):
        c = self.raw()
        h1, b1 = raw_request_bytes(self.server, "TrentService.ListKeys", b"{}")
        missing = json.dumps({"KeyId": str(uuid.uuid4())}).encode()
        h2, b2 = raw_request_bytes(self.server, "TrentService.DescribeKey", missing)
        h3, b3 = raw_request_bytes(self.server, "TrentService.GenerateRandom", b'{"NumberOfBytes": 5}')
        c.send(h1 + b1 + h2 + b2 + h3 + b3)
        r1 = c.read_response()
        r2 = c.read_response()
        r3 = c.read_response()
        self.assertEqual(200, r1.status, r1)
        self.assertIn("Keys", r1.json())
        self.assertEqual(400, r2.status, r2)
        self.assertIn("NotFoundException", r2.json()["__type"])
        self.assertEqual(200, r3.status, r3)
        self.assertIn("Plaintext", r3.json())

    def test_chunked_request_body(self):
        desc = "chunked-" + uuid.uuid4().hex
        body = json.dumps({"Description": desc}).encode()
        head, _ = raw_request_bytes(self.server, "TrentService.CreateKey", body, chunked=True)
        pieces = [body[:5], body[5:20], body[20:]]
        data = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        c = self.raw()
        c.send(head + data)
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        md = r.json()["KeyMetadata"]
        self.assertEqual(desc, md["Description"])
        self.assertEqual(desc, self.kms.describe_key(KeyId=md["KeyId"])["KeyMetadata"]["Description"])
        # the connection is still usable afterwards
        c.send(list_keys_request(self.server))
        self.assertEqual(200, c.read_response().status)

    def test_expect_100_continue(self):
        desc = "continue-" + uuid.uuid4().hex
        body = json.dumps({"Description": desc}).encode()
        head, _ = raw_request_bytes(self.server, "TrentService.CreateKey", body,
                                    extra_headers=[("Expect", "100-continue")])
        c = self.raw()
        c.send(head)
        self.assertTrue(c.readable(5), "no 100 Continue within 5s (body not sent yet)")
        status, reason, headers = c.read_head()
        self.assertEqual(100, status, (status, reason, headers))
        c.send(body)
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        self.assertEqual(desc, r.json()["KeyMetadata"]["Description"])

    def test_header_over_cap(self):
        c = self.raw()
        head, body = raw_request_bytes(self.server, "TrentService.ListKeys", b"{}",
                                       extra_headers=[("X-Big", "a" * (100 * 1024))])
        try:
            c.send(head + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        self.assertTrue(c.readable(5), "no response to an oversized head")
        r = c.read_response()
        self.assertIn(r.status, (400, 431), r)
        self.assertHealthy()

    def test_body_over_cap(self):
        size = 16 * MiB + 1024
        c = self.raw(timeout=20)
        head, _ = raw_request_bytes(self.server, "TrentService.Encrypt", b"",
                                    content_length=size)
        c.send(head)
        piece = b"{" + b" " * (256 * 1024 - 1)
        sent = 0
        answered = False
        deadline = time.monotonic() + 20
        while sent < size and time.monotonic() < deadline:
            if c.readable(0):
                answered = True
                break
            try:
                n = min(len(piece), size - sent)
                c.sock.sendall(piece[:n])
                sent += n
                piece = b" " * len(piece)
            except (BrokenPipeError, ConnectionResetError):
                answered = True
                break
        self.assertTrue(answered or c.readable(10), "no response to a >16 MiB body")
        r = c.read_response()
        self.assertIn(r.status, (400, 413), r)
        doc = json.loads(r.body)
        self.assertIsInstance(doc, dict)
        self.assertTrue(doc.get("__type") or doc.get("message") or doc.get("Message"), doc)
        self.assertHealthy()

    def test_unknown_target_prefix(self):
        status, headers, body, raw = self.server.json_request("NoSuchService_20200101.DoThing", {})
        self.assertGreaterEqual(status, 400, raw)
        self.assertLess(status, 500, raw)
        self.assertIsInstance(body, dict, raw)
        self.assertTrue(body.get("__type") or body.get("message") or body.get("Message"), body)

    def test_garbage_request_line(self):
        c = self.raw()
        c.send(b"THIS IS NOT HTTP\r\n\r\n")
        if c.readable(5):
            try:
                r = c.read_response()
                self.assertGreaterEqual(r.status, 400, r)
                self.assertLess(r.status, 500, r)
            except EOFError:
                pass  # closing is acceptable for garbage
        self.assertHealthy()


@unittest.skipIf(EXTERNAL_URL, "flags need the awsemu binary (AWSEMU_URL is set)")
class FlagTests(unittest.TestCase):
    def setUp(self):
        if not have_binary():
            self.fail("awsemu binary not found at %s" % binary_path())

    def run_bin(self, *args):
        return subprocess.run([binary_path()] + list(args), stdin=subprocess.DEVNULL, env=server_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)

    def test_help(self):
        p = self.run_bin("--help")
        self.assertEqual(0, p.returncode, p.stderr)
        out = (p.stdout + p.stderr).decode("utf-8", "replace")
        for flag in ("--host", "--port", "--data-dir", "--ephemeral", "--account-id",
                     "--region", "--iam", "--log-format", "--fsync"):
            self.assertIn(flag, out)

    def test_bogus_flag(self):
        p = self.run_bin("--bogus")
        self.assertEqual(2, p.returncode, (p.stdout, p.stderr))
        self.assertTrue(p.stderr.strip(), "no message on stderr")
        self.assertIn(b"bogus", p.stderr)

    def test_bad_port(self):
        p = self.run_bin("--ephemeral", "--port", "notaport")
        self.assertEqual(2, p.returncode, (p.stdout, p.stderr))
        self.assertTrue(p.stderr.strip())

    def test_account_and_region(self):
        srv = Server(["--account-id", "123456789012", "--region", "eu-west-1"], region="eu-west-1")
        self.addCleanup(srv.cleanup)
        srv.start()
        kms = srv.client("kms", region="eu-west-1")
        md = kms.create_key()["KeyMetadata"]
        self.assertEqual("arn:aws:kms:eu-west-1:123456789012:key/" + md["KeyId"], md["Arn"])
        self.assertEqual("123456789012", md["AWSAccountId"])
        pol = json.loads(kms.get_key_policy(KeyId=md["KeyId"], PolicyName="default")["Policy"])
        self.assertIn("arn:aws:iam::123456789012:root", json.dumps(pol))

    def test_harness_flags_unclean_exit(self):
        # Server.stop() must catch a server that does not exit 0 on SIGTERM
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        pid = srv.proc.pid
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(5)
        with self.assertRaises(ServerExitError) as cm:
            srv.stop()
        self.assertIn("-9", str(cm.exception))
        self.assertIn("server log tail", str(cm.exception))
        # opting out: a test that kills the server on purpose
        srv2 = Server(check_exit=False)
        self.addCleanup(srv2.cleanup)
        srv2.start()
        self.assertNotEqual(pid, srv2.proc.pid)
        srv2.proc.send_signal(signal.SIGKILL)
        srv2.proc.wait(5)
        self.assertEqual(-signal.SIGKILL, srv2.stop()[0])

    def test_sigterm_exits_zero_promptly(self):
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        # an idle keep-alive connection must not hold up shutdown
        s = socket.create_connection((srv.host, srv.port), timeout=5)
        self.addCleanup(s.close)
        rc, elapsed = srv.stop()
        self.assertEqual(0, rc, srv.log_tail())
        self.assertLess(elapsed, 5.0)



@unittest.skipIf(EXTERNAL_URL, "shutdown tests need their own awsemu process (AWSEMU_URL is set)")
class ShutdownTests(unittest.TestCase):
    def start(self):
        srv = Server()
        self.addCleanup(srv.cleanup)
        return srv.start()

    def wait_for_signal_noted(self, srv, timeout=1.0):
        """Gives the server up to timeout to act on SIGTERM (it says so on
        stderr); no assertion, the wording is not part of the contract."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and b"signal" not in srv.output():
            time.sleep(0.02)

    def test_in_flight_request_finishes_after_sigterm(self):
        srv = self.start()
        body = b'{"NumberOfBytes": 32' + b" " * 200 + b"}"
        head, _ = raw_request_bytes(srv, "TrentService.GenerateRandom", body)
        c = RawConn(srv.host, srv.port, timeout=10)
        self.addCleanup(c.close)
        c.send(head + body[:40])
        time.sleep(0.1)  # the server has the head and part of the body
        srv.proc.send_signal(signal.SIGTERM)
        self.wait_for_signal_noted(srv)
        self.assertIsNone(srv.proc.poll(), "exited with a request in flight\n" + srv.log_tail())
        # a new connection is refused or left unserved
        try:
            s2 = socket.create_connection((srv.host, srv.port), timeout=2)
        except OSError:
            s2 = None
        if s2 is not None:
            self.addCleanup(s2.close)
            head2, body2 = raw_request_bytes(srv, "TrentService.ListKeys", b"{}")
            try:
                s2.sendall(head2 + body2)
                r, _, _ = select.select([s2], [], [], 0.5)
                got = s2.recv(65536) if r else b""
            except OSError:
                got = b""
            self.assertFalse(got.startswith(b"HTTP/1.1 2"),
                             "new connection served after SIGTERM: %r" % got[:200])
        # the rest of the body: the answer arrives in full, then the close
        c.send(body[40:])
        self.assertTrue(c.readable(5), "no response to the in-flight request\n" + srv.log_tail())
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        self.assertEqual(32, len(base64.b64decode(r.json()["Plaintext"])))
        self.assertEqual("close", (r.header("connection") or "").lower(), r)
        self.assertTrue(c.wait_closed(3), "connection still open after the last response")
        self.assertEqual(b"", c.buf)
        try:
            rc = srv.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.fail("still running 5s after its last request finished\n" + srv.log_tail())
        self.assertEqual(0, rc, srv.log_tail())
        srv.stop()  # sanitizer check on the log

    def test_idle_keep_alive_connections_do_not_delay_exit(self):
        srv = self.start()
        # one connection that served a request and is now idle, one that
        # never sent anything
        c = RawConn(srv.host, srv.port, timeout=5)
        self.addCleanup(c.close)
        head, body = raw_request_bytes(srv, "TrentService.ListKeys", b"{}")
        c.send(head + body)
        self.assertEqual(200, c.read_response().status)
        s = socket.create_connection((srv.host, srv.port), timeout=5)
        self.addCleanup(s.close)
        time.sleep(0.05)
        rc, elapsed = srv.stop()
        self.assertEqual(0, rc)
        self.assertLess(elapsed, 1.5, "exit took %.2fs with idle connections open" % elapsed)
        self.assertTrue(c.wait_closed(1), "idle connection not closed at shutdown")


SECRET = b"SECRET-PLAINTEXT-XYZ"


@unittest.skipIf(EXTERNAL_URL, "access-log tests need their own awsemu process (AWSEMU_URL is set)")
class AccessLogTests(unittest.TestCase):
    """One access line per request on stdout, never a secret."""

    def run_traffic(self, log_format):
        srv = Server(["--log-format", log_format], split_output=True)
        self.addCleanup(srv.cleanup)
        srv.start()
        kms = srv.client("kms")
        kid = kms.create_key(Description="log test")["KeyMetadata"]["KeyId"]
        ctx = {"purpose": "log-test"}
        ct = kms.encrypt(KeyId=kid, Plaintext=SECRET, EncryptionContext=ctx)["CiphertextBlob"]
        self.assertEqual(SECRET, kms.decrypt(CiphertextBlob=ct, EncryptionContext=ctx)["Plaintext"])
        dk = kms.generate_data_key(KeyId=kid, KeySpec="AES_256")
        with self.assertRaises(ClientError):  # the error path logs too
            kms.decrypt(CiphertextBlob=ct, EncryptionContext={"purpose": "wrong"})
        rc, _ = srv.stop()  # flushes stdout
        self.assertEqual(0, rc)
        out, err = srv.output(), srv.output(stderr=True)
        needles = [("plaintext", SECRET), ("plaintext base64", base64.b64encode(SECRET)),
                   ("ciphertext base64", base64.b64encode(ct)),
                   ("ciphertext base64 (first 40)", base64.b64encode(ct)[:40]),
                   ("data key base64", base64.b64encode(dk["Plaintext"])),
                   ("data key hex", dk["Plaintext"].hex().encode()),
                   ("wrapped data key base64", base64.b64encode(dk["CiphertextBlob"]))]
        for stream, data in (("stdout", out), ("stderr", err)):
            for label, needle in needles:
                self.assertNotIn(needle, data, "%s found on %s" % (label, stream))
        self.assertTrue(out.endswith(b"\n"), "stdout does not end in a whole line: %r" % out[-200:])
        return out.decode("utf-8").splitlines()

    def test_json_lines(self):
        lines = self.run_traffic("json")
        entries = []
        for line in lines:
            try:
                e = json.loads(line)
            except ValueError:
                self.fail("stdout line is not JSON: %r" % line)
            self.assertIsInstance(e, dict, line)
            for k in ("method", "service", "operation"):
                self.assertIsInstance(e.get(k), str, line)
            self.assertIsInstance(e.get("status"), int, line)
            lat = [v for k, v in e.items() if k.startswith("latency")]
            self.assertEqual(1, len(lat), line)
            self.assertIsInstance(lat[0], (int, float), line)
            self.assertGreaterEqual(lat[0], 0, line)
            entries.append(e)
        kms_ops = [(e["operation"], e["status"]) for e in entries if e["service"] == "kms"]
        self.assertEqual([("CreateKey", 200), ("Encrypt", 200), ("Decrypt", 200),
                          ("GenerateDataKey", 200), ("Decrypt", 400)], kms_ops)
        self.assertTrue(all(e["method"] == "POST" for e in entries if e["service"] == "kms"))

    def test_text_lines(self):
        lines = self.run_traffic("text")
        ops = []
        for line in lines:
            self.assertFalse(line.lstrip().startswith("{"), "json line in text format: %r" % line)
            self.assertRegex(line, r"\b(GET|POST|PUT|HEAD|DELETE)\b")
            m = re.search(r" kms (\w+) (\d{3}) ", line)
            if m:
                ops.append((m.group(1), int(m.group(2))))
        self.assertEqual([("CreateKey", 200), ("Encrypt", 200), ("Decrypt", 200),
                          ("GenerateDataKey", 200), ("Decrypt", 400)], ops, lines)


def parse_iso(s):
    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(s)


class ClockTests(ServerTestCase):
    """POST /_awsemu/clock moves this server's clock forward: deletion
    windows end and automatic rotations happen."""

    needs_process = True
    own_server = True  # the clock is process-wide

    def clock(self, body=None):
        if body is None:
            status, _, raw = self.server.http("GET", "/_awsemu/clock")
        else:
            status, _, raw = self.server.http("POST", "/_awsemu/clock", body=json.dumps(body).encode(),
                                              headers={"Content-Type": "application/json"})
        try:
            doc = json.loads(raw)
        except ValueError:
            doc = None
        return status, doc, raw

    def offset(self):
        status, doc, raw = self.clock()
        self.assertEqual(200, status, raw)
        return doc["offset_seconds"]

    def advance(self, days):
        before = self.offset()
        status, doc, raw = self.clock({"advance_days": days})
        self.assertEqual(200, status, raw)
        self.assertAlmostEqual(before + days * 86400, doc["offset_seconds"], delta=1)
        return doc

    def emulated_now(self):
        status, doc, raw = self.clock()
        self.assertEqual(200, status, raw)
        return parse_iso(doc["now"])

    def test_get_shows_offset(self):
        before = self.offset()
        self.advance(2)
        status, doc, raw = self.clock()
        self.assertEqual(200, status, raw)
        self.assertAlmostEqual(before + 2 * 86400, doc["offset_seconds"], delta=1)
        real = datetime.datetime.now(datetime.timezone.utc)
        shift = (parse_iso(doc["now"]) - real).total_seconds()
        self.assertAlmostEqual(doc["offset_seconds"], shift, delta=60)
        # KMS sees the moved clock
        md = self.kms.create_key()["KeyMetadata"]
        self.assertAlmostEqual(doc["offset_seconds"],
                               (to_datetime(md["CreationDate"]) - real).total_seconds(), delta=60)

    def test_negative_advance_rejected(self):
        before = self.offset()
        for body in ({"advance_days": -1}, {"advance_seconds": -5}):
            with self.subTest(body=body):
                status, _, raw = self.clock(body)
                self.assertEqual(400, status, raw)
        self.assertEqual(before, self.offset())

    def test_deletion_window_ends(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        alias = "alias/doomed-" + uuid.uuid4().hex[:8]
        self.kms.create_alias(AliasName=alias, TargetKeyId=kid)
        keep = self.kms.create_key()["KeyMetadata"]["KeyId"]
        keep_alias = "alias/kept-" + uuid.uuid4().hex[:8]
        self.kms.create_alias(AliasName=keep_alias, TargetKeyId=keep)
        self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        self.advance(6)
        self.assertEqual("PendingDeletion", self.kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"])
        self.advance(31)
        self.assertClientError("NotFoundException", self.kms.describe_key, KeyId=kid)
        self.assertNotIn(kid, [k["KeyId"] for k in self.kms.list_keys(Limit=1000)["Keys"]])
        names = [a["AliasName"] for a in self.kms.list_aliases(Limit=100)["Aliases"]]
        self.assertNotIn(alias, names)
        # other keys are untouched
        self.assertIn(keep_alias, names)
        self.assertEqual("Enabled", self.kms.describe_key(KeyId=keep)["KeyMetadata"]["KeyState"])

    def test_automatic_rotation(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        ct_before = self.kms.encrypt(KeyId=kid, Plaintext=b"before rotation")["CiphertextBlob"]
        if model_has(self.kms, "EnableKeyRotation", ("RotationPeriodInDays",)):
            self.kms.enable_key_rotation(KeyId=kid, RotationPeriodInDays=90)
        else:
            self.server.kms_raw("EnableKeyRotation", KeyId=kid, RotationPeriodInDays=90)
        enabled_at = self.emulated_now()
        self.advance(91)
        if model_has(self.kms, "ListKeyRotations"):
            rot = self.kms.list_key_rotations(KeyId=kid)
        else:
            rot = self.server.kms_raw("ListKeyRotations", KeyId=kid)
        auto = [r for r in rot["Rotations"] if r.get("RotationType") == "AUTOMATIC"]
        self.assertEqual(1, len(auto), rot)
        when = to_datetime(auto[0]["RotationDate"])
        lo = enabled_at + datetime.timedelta(days=89)
        hi = self.emulated_now() + datetime.timedelta(minutes=1)
        self.assertTrue(lo <= when <= hi, "RotationDate %s not in [%s, %s]" % (when, lo, hi))
        self.assertEqual(b"before rotation", self.kms.decrypt(CiphertextBlob=ct_before)["Plaintext"])
        ct_after = self.kms.encrypt(KeyId=kid, Plaintext=b"after rotation")["CiphertextBlob"]
        self.assertEqual(b"after rotation", self.kms.decrypt(CiphertextBlob=ct_after)["Plaintext"])
        if model_has(self.kms, "GetKeyRotationStatus", (), ("NextRotationDate",)):
            st = self.kms.get_key_rotation_status(KeyId=kid)
        else:
            st = self.server.kms_raw("GetKeyRotationStatus", KeyId=kid)
        self.assertIs(True, st["KeyRotationEnabled"])
        self.assertGreater(to_datetime(st["NextRotationDate"]), self.emulated_now(),
                           "next rotation date is in the (emulated) past")


if __name__ == "__main__":
    unittest.main()
