"""HTTP/1.1 connection handling: idle and slow-client timeouts, pipelining
depth, requests arriving a byte at a time, message body framing (RFC 9112
section 6) and HTTP/1.0 persistence."""

import base64
import json
import socket
import time
import unittest
import uuid

from harness import RawConn, ServerTestCase, raw_request_bytes


def request(server, target="TrentService.ListKeys", body=b"{}", **kw):
    head, body = raw_request_bytes(server, target, body, **kw)
    return head + body


def is_timeout_answer(data):
    """A 408, or AWS's RequestTimeout (S3: 400 RequestTimeout; the JSON
    services: 408 RequestTimeoutException)."""
    return data.startswith(b"HTTP/1.1 408 ") or (
        data.startswith(b"HTTP/1.1 400 ") and b"RequestTimeout" in data)


class RawTestCase(ServerTestCase):
    def raw(self, timeout=10):
        c = RawConn(self.server.host, self.server.port, timeout=timeout)
        self.addCleanup(c.close)
        return c

    def assertServing(self):
        """A fresh connection still gets a normal answer."""
        status, _, doc, raw = self.server.json_request("TrentService.GenerateRandom",
                                                       {"NumberOfBytes": 4})
        self.assertEqual(200, status, raw)
        self.assertEqual(4, len(base64.b64decode(doc["Plaintext"])))

    def assertClosedWithout(self, c, timeout, what):
        """The server closes c within timeout having sent nothing, or only a
        408 Request Timeout or AWS's RequestTimeout (a stalled request)."""
        t0 = time.monotonic()
        closed = c.wait_closed(timeout)
        elapsed = time.monotonic() - t0
        self.assertTrue(closed, "%s: connection still open after %.1fs with --idle-timeout 1"
                        % (what, timeout))
        if c.buf:
            self.assertTrue(is_timeout_answer(c.buf),
                            "%s: unexpected data before close: %r" % (what, c.buf[:200]))
        return elapsed


class IdleTimeoutTests(RawTestCase):
    """--idle-timeout 1: idle and stalled connections are dropped, slow
    clients included, without holding up anyone else."""

    server_args = ("--idle-timeout", "1")
    needs_process = True

    def test_idle_keep_alive_connection_closed(self):
        c = self.raw()
        c.send(request(self.server))
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        self.assertNotEqual("close", (r.header("connection") or "").lower(), r)
        elapsed = self.assertClosedWithout(c, 3.0, "idle keep-alive connection")
        # closed for being idle, not as a side effect of the response
        self.assertGreater(elapsed, 0.5, "keep-alive connection closed right after the response")

    def test_never_used_connection_closed(self):
        c = self.raw()
        self.assertClosedWithout(c, 3.0, "connection that never sent a byte")

    def test_half_head_then_stall(self):
        data = request(self.server)
        head_len = data.index(b"\r\n\r\n")
        c = self.raw()
        c.send(data[:head_len // 2])
        self.assertClosedWithout(c, 3.0, "half a request head, then nothing")
        self.assertServing()

    def test_partial_body_then_stall(self):
        head, body = raw_request_bytes(self.server, "TrentService.GenerateRandom",
                                       b'{"NumberOfBytes": 16}')
        c = self.raw()
        c.send(head + body[:5])
        self.assertClosedWithout(c, 3.0, "head with Content-Length, then part of the body")
        self.assertServing()

    def test_slowloris_trickle_is_cut_off_and_others_are_served(self):
        data = request(self.server)
        c = self.raw()
        t0 = time.monotonic()
        closed = False
        served_meanwhile = 0
        sent = 0
        while sent < len(data) and time.monotonic() - t0 < 8.0:
            try:
                c.send(data[sent:sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            sent += 1
            if sent in (1, 2):
                # another client is served promptly while this one trickles
                t1 = time.monotonic()
                self.assertServing()
                self.assertLess(time.monotonic() - t1, 1.0, "other client waited on the slow one")
                served_meanwhile += 1
            if c.wait_closed(0.3):
                closed = True
                break
        elapsed = time.monotonic() - t0
        self.assertEqual(2, served_meanwhile, "cut off before the check ran (sent %d bytes)" % sent)
        self.assertTrue(closed, "a client trickling its head one byte per 0.3s was never cut off "
                        "(%d of %d bytes sent in %.1fs)" % (sent, len(data), elapsed))
        self.assertLess(elapsed, 5.0, "slow client cut off only after %.1fs" % elapsed)
        if c.buf:
            self.assertTrue(is_timeout_answer(c.buf), c.buf[:200])
        self.assertServing()


class PipelineTests(RawTestCase):
    def test_fifty_pipelined_requests(self):
        n = 50
        data = b"".join(request(self.server, "TrentService.GenerateRandom",
                                json.dumps({"NumberOfBytes": i + 1}).encode())
                        for i in range(n))
        c = self.raw()
        c.send(data)
        ids = []
        for i in range(n):
            r = c.read_response()
            self.assertEqual("HTTP/1.1", r.version, (i, r))
            self.assertEqual(200, r.status, (i, r))
            # the i-th response answers the i-th request
            self.assertEqual(i + 1, len(base64.b64decode(r.json()["Plaintext"])), (i, r))
            ids.append(r.header("x-amzn-requestid"))
        self.assertTrue(all(ids), ids)
        self.assertEqual(n, len(set(ids)), "request ids repeat: %r" % ids)
        self.assertFalse(c.readable(0.2), "data after the 50th response: %r" % c.buf[:200])
        # the connection is still open and usable
        c.send(request(self.server))
        self.assertEqual(200, c.read_response().status)

    def test_request_one_byte_per_send(self):
        desc = "bytewise-" + uuid.uuid4().hex
        data = request(self.server, "TrentService.CreateKey",
                       json.dumps({"Description": desc}).encode())
        c = self.raw()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(data)):
            c.send(data[i:i + 1])
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        self.assertEqual(desc, r.json()["KeyMetadata"]["Description"])


class FramingTests(RawTestCase):
    """Message body length per RFC 9112 section 6."""

    def assert400AndClose(self, c, data, statuses=(400,)):
        try:
            c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.assertTrue(c.readable(5), "no response")
        r = c.read_response()
        self.assertIn(r.status, statuses, r)
        self.assertTrue(c.wait_closed(2.0), "connection left open after a request with "
                        "broken framing (%r)" % (r,))
        return r

    def test_content_length_and_transfer_encoding(self):
        body = b'{"NumberOfBytes": 8}'
        head, _ = raw_request_bytes(self.server, "TrentService.GenerateRandom", body,
                                    chunked=True,
                                    extra_headers=[("Content-Length", str(len(body)))])
        c = self.raw()
        self.assert400AndClose(c, head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        self.assertServing()

    def test_invalid_content_length(self):
        body = b"{}"
        for cl in ("abc", "-1", "+2", "0x2", "2abc", "1.5", ""):
            with self.subTest(content_length=cl):
                c = self.raw()
                self.assert400AndClose(c, request(self.server, body=body, content_length=cl))
        with self.subTest(content_length="99999999999999999999999999"):
            c = self.raw()
            self.assert400AndClose(c, request(self.server, body=body,
                                              content_length="99999999999999999999999999"),
                                   statuses=(400, 413))
        self.assertServing()

    def test_conflicting_content_lengths(self):
        # RFC 9112 6.3: differing Content-Length values make the framing
        # invalid: 400 and close. Whichever value a lax server picks, the
        # bytes for both are sent: with the short one the rest of the body
        # would be read as a second (smuggled) request.
        smuggled = b"GET /_awsemu/health HTTP/1.1\r\nHost: x\r\n\r\n"
        total = str(2 + len(smuggled))
        cases = [("2 then %s" % total, "2", total), ("%s then 2" % total, total, "2"),
                 ("one field: 2, %s" % total, None, "2, " + total)]
        for name, first, second in cases:
            with self.subTest(fields=name):
                extra = [("Content-Length", first)] if first else []
                c = self.raw()
                r = self.assert400AndClose(c, request(self.server, body=b"{}", content_length=second,
                                                      extra_headers=extra) + smuggled)
                self.assertEqual(b"", c.buf, "more after the 400: %r" % c.buf[:200])
        self.assertServing()

    def test_chunked_must_be_the_final_transfer_coding(self):
        body = b'{"NumberOfBytes": 8}'
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)

        def head(te):
            h, _ = raw_request_bytes(self.server, "TrentService.GenerateRandom", body,
                                     extra_headers=[("Transfer-Encoding", te)])
            return b"\r\n".join(line for line in h.split(b"\r\n")
                                if not line.lower().startswith(b"content-length:"))
        # RFC 9112 6.3: chunked not last -> length unknown -> 400 and close
        for te in ("chunked, gzip", "chunked, identity"):
            with self.subTest(te=te):
                self.assert400AndClose(self.raw(), head(te) + chunked)
        # a coding the server does not implement: 501 (RFC 9112 6.1) or 400
        for te, data in (("gzip", body), ("gzip, chunked", chunked)):
            with self.subTest(te=te):
                c = self.raw()
                c.send(head(te) + data)
                self.assertTrue(c.readable(5), "no response")
                r = c.read_response()
                self.assertIn(r.status, (400, 501), r)
        self.assertServing()

    def test_chunked_with_extensions_and_trailer(self):
        desc = "trailer-" + uuid.uuid4().hex
        body = json.dumps({"Description": desc}).encode()
        head, _ = raw_request_bytes(self.server, "TrentService.CreateKey", body, chunked=True,
                                    extra_headers=[("Trailer", "X-Checksum")])
        data = (b"%x;name=value\r\n%s\r\n" % (10, body[:10]) +
                b"%X ; quoted=\"a b;c\" ; flag\r\n%s\r\n" % (len(body) - 10, body[10:]) +
                b"0;last=1\r\nX-Checksum: abc123\r\nX-Other: 1\r\n\r\n")
        c = self.raw()
        c.send(head + data)
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        self.assertEqual(desc, r.json()["KeyMetadata"]["Description"])
        # the trailer was consumed: the next request on the connection works
        c.send(request(self.server))
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        self.assertIn("Keys", r.json())

    def test_malformed_chunk_size(self):
        body = b'{"NumberOfBytes": 8}'
        head, _ = raw_request_bytes(self.server, "TrentService.GenerateRandom", body,
                                    chunked=True)
        for size in (b"zz", b"-14", b"0x14", b"", b"14x", b"+14"):
            with self.subTest(size=size):
                c = self.raw()
                self.assert400AndClose(c, head + size + b"\r\n" + body + b"\r\n0\r\n\r\n")
        with self.subTest(size="overflow"):
            c = self.raw()
            self.assert400AndClose(c, head + b"f" * 40 + b"\r\n" + body + b"\r\n0\r\n\r\n",
                                   statuses=(400, 413))
        with self.subTest(what="chunk data longer than its size"):
            c = self.raw()
            self.assert400AndClose(c, head + b"%x\r\n%sXX\r\n0\r\n\r\n" % (len(body), body))
        self.assertServing()

    def test_http10_closes_by_default(self):
        c = self.raw()
        c.send(request(self.server, version="HTTP/1.0"))
        r = c.read_response()
        self.assertEqual(200, r.status, r)
        self.assertIn("Keys", r.json())
        self.assertEqual("close", (r.header("connection") or "").lower(), r)
        self.assertTrue(c.wait_closed(2.0), "HTTP/1.0 connection without keep-alive left open")
        self.assertEqual(b"", c.buf)

    def test_http10_keep_alive(self):
        c = self.raw()
        for i in range(2):
            c.send(request(self.server, version="HTTP/1.0",
                           extra_headers=[("Connection", "keep-alive")]))
            r = c.read_response()
            self.assertEqual(200, r.status, (i, r))
            self.assertNotIn("close", (r.header("connection") or "").lower(), (i, r))
        self.assertFalse(c.wait_closed(0.3), "HTTP/1.0 keep-alive connection was closed")


if __name__ == "__main__":
    unittest.main()
