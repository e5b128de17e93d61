"""Server core: admin endpoints, HTTP/1.1 handling, command-line flags, signals."""

import http.client
import json
import socket
import subprocess
import time
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import (EXTERNAL_URL, RawConn, Server, ServerTestCase, binary_path,
                     have_binary, raw_request_bytes, server_env)

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


if __name__ == "__main__":
    unittest.main()
