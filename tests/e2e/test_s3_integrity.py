"""S3 data integrity: x-amz-checksum-* headers (CRC32, CRC32C, SHA1,
SHA256) verified on upload and returned with ChecksumMode=ENABLED, the SDKs'
default CRC32 checksums, and aws-chunked uploads built by hand: unsigned
with a checksum trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER), signed chunks
(STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and signed chunks with a signed trailer
(STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER), with Content-Length or HTTP
chunked framing. A wrong checksum is rejected and nothing is stored."""

import base64
import hashlib
import hmac
import unittest
import zlib

from botocore.compat import HAS_CRT

from test_s3 import (MiB, NEW_CHECKSUMS, S3TestCase, body_of, force_trailer_checksums,
                     quoted_md5, s3_client, send_raw, sign_s3, uniq)

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    t = _CRC32C
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def checksum(alg, data):
    """The base64 value of x-amz-checksum-<alg> for data."""
    alg = alg.lower()
    if alg == "crc32":
        raw = zlib.crc32(data).to_bytes(4, "big")
    elif alg == "crc32c":
        raw = crc32c(data).to_bytes(4, "big")
    elif alg == "sha1":
        raw = hashlib.sha1(data).digest()
    elif alg == "sha256":
        raw = hashlib.sha256(data).digest()
    else:
        raise ValueError(alg)
    return base64.b64encode(raw).decode()


ALGS = ("crc32", "crc32c", "sha1", "sha256")
BOTO_MEMBER = {"crc32": "ChecksumCRC32", "crc32c": "ChecksumCRC32C", "sha1": "ChecksumSHA1",
               "sha256": "ChecksumSHA256"}


def chunks_of(data, size):
    if not data:
        return []
    return [data[i:i + size] for i in range(0, len(data), size)]


def unsigned_trailer_body(data, chunk_size, trailers):
    """aws-chunked encoding without chunk signatures, ending with trailers
    [(name, value)]."""
    out = bytearray()
    for c in chunks_of(data, chunk_size):
        out += b"%x\r\n" % len(c) + c + b"\r\n"
    out += b"0\r\n"
    for name, value in trailers:
        out += ("%s:%s\r\n" % (name, value)).encode()
    out += b"\r\n"
    return bytes(out)


def signed_chunk_body(data, chunk_size, signed, trailers=None):
    """aws-chunked with chunk signatures chained from the seed signature;
    with trailers, a final trailer section and x-amz-trailer-signature."""
    prev = signed.signature
    out = bytearray()
    for c in chunks_of(data, chunk_size) + [b""]:
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", signed.amz_date, signed.scope, prev,
                         EMPTY_SHA256, hashlib.sha256(c).hexdigest()])
        sig = hmac.new(signed.key, sts.encode(), hashlib.sha256).hexdigest()
        out += b"%x;chunk-signature=%s\r\n" % (len(c), sig.encode()) + c
        if c or trailers is None:
            out += b"\r\n"
        prev = sig
    if trailers is not None:
        tb = "".join("%s:%s\n" % (n, v) for n, v in trailers).encode()
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", signed.amz_date, signed.scope, prev,
                         hashlib.sha256(tb).hexdigest()])
        tsig = hmac.new(signed.key, sts.encode(), hashlib.sha256).hexdigest()
        for n, v in trailers:
            out += ("%s:%s\r\n" % (n, v)).encode()
        out += ("x-amz-trailer-signature:%s\r\n" % tsig).encode()
        out += b"\r\n"
    return bytes(out)


# ==========================================================================
# x-amz-checksum-* headers
# ==========================================================================

class ChecksumHeaderTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("cksum"))

    def test_correct_checksums_stored_and_returned(self):
        body = body_of(100000)
        for alg in ALGS:
            with self.subTest(alg=alg):
                key = "ok/" + alg
                value = checksum(alg, body)
                r = self.raw("PUT", self.obj_path(self.bucket, key), body=body,
                             headers={"x-amz-checksum-" + alg: value, "x-amz-sdk-checksum-algorithm": alg.upper()})
                self.assertEqual(200, r.status, r)
                self.assertEqual(value, r.header("x-amz-checksum-" + alg))
                self.assertEqual(quoted_md5(body), r.header("etag"))
                for method in ("GET", "HEAD"):
                    g = self.raw(method, self.obj_path(self.bucket, key), headers={"x-amz-checksum-mode": "ENABLED"})
                    self.assertEqual(200, g.status)
                    self.assertEqual(value, g.header("x-amz-checksum-" + alg), method)
                    if method == "GET":
                        self.assertEqual(body, g.body)
                g = self.s3.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(body, g["Body"].read())
                self.assertEqual(value, g[BOTO_MEMBER[alg]])
                h = self.s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(value, h[BOTO_MEMBER[alg]])

    def test_wrong_checksum_rejected(self):
        body = body_of(50000)
        self.put(self.bucket, "keep", b"original")
        for alg in ALGS:
            with self.subTest(alg=alg):
                wrong = checksum(alg, body + b"!")
                for key in ("bad/" + alg, "keep"):
                    r = self.raw("PUT", self.obj_path(self.bucket, key), body=body,
                                 headers={"x-amz-checksum-" + alg: wrong})
                    self.assertEqual(400, r.status, r)
                    self.assertIn(r.error().get("Code"), ("BadDigest", "InvalidRequest"), r)
                self.assertNoSuchKey(self.bucket, "bad/" + alg)
                self.assertEqual(b"original", self.get_bytes(self.bucket, "keep"))

    def test_malformed_checksum_rejected(self):
        for alg, value in (("crc32", "not base64!"), ("crc32", base64.b64encode(b"12345").decode()),
                           ("sha256", base64.b64encode(b"short").decode())):
            with self.subTest(alg=alg, value=value):
                r = self.raw("PUT", self.obj_path(self.bucket, "malformed"), body=b"x",
                             headers={"x-amz-checksum-" + alg: value})
                self.assertEqual(400, r.status, r)
                self.assertIn(r.error().get("Code"), ("InvalidRequest", "InvalidArgument", "BadDigest"), r)
        self.assertNoSuchKey(self.bucket, "malformed")

    def test_two_checksums_rejected(self):
        body = b"two checksums"
        r = self.raw("PUT", self.obj_path(self.bucket, "two"), body=body,
                     headers={"x-amz-checksum-crc32": checksum("crc32", body),
                              "x-amz-checksum-sha256": checksum("sha256", body)})
        self.assertEqual(400, r.status, r)
        self.assertEqual("InvalidRequest", r.error().get("Code"), r)
        self.assertNoSuchKey(self.bucket, "two")

    def test_boto3_checksum_algorithms(self):
        body = body_of(70001)
        algs = ["CRC32", "SHA1", "SHA256"] + (["CRC32C"] if HAS_CRT else [])
        for alg in algs:
            with self.subTest(alg=alg):
                key = "boto/" + alg
                r = self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ChecksumAlgorithm=alg)
                want = checksum(alg, body)
                self.assertEqual(want, r[BOTO_MEMBER[alg.lower()]])
                g = self.s3.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(body, g["Body"].read())
                self.assertEqual(want, g[BOTO_MEMBER[alg.lower()]])

    @unittest.skipUnless(NEW_CHECKSUMS, "botocore < 1.36 sends no default checksum")
    def test_default_crc32(self):
        body = body_of(123456)
        r = self.s3.put_object(Bucket=self.bucket, Key="default-crc", Body=body)
        self.assertEqual(checksum("crc32", body), r["ChecksumCRC32"])
        g = self.s3.get_object(Bucket=self.bucket, Key="default-crc", ChecksumMode="ENABLED")
        self.assertEqual(body, g["Body"].read())
        self.assertEqual(checksum("crc32", body), g["ChecksumCRC32"])
        h = self.s3.head_object(Bucket=self.bucket, Key="default-crc", ChecksumMode="ENABLED")
        self.assertEqual(checksum("crc32", body), h["ChecksumCRC32"])

    def test_checksum_survives_copy(self):
        body = b"copied with checksum"
        self.raw("PUT", self.obj_path(self.bucket, "ck-src"), body=body,
                 headers={"x-amz-checksum-sha256": checksum("sha256", body)})
        self.s3.copy_object(Bucket=self.bucket, Key="ck-dst", CopySource={"Bucket": self.bucket, "Key": "ck-src"},
                            ChecksumAlgorithm="SHA256")
        h = self.s3.head_object(Bucket=self.bucket, Key="ck-dst", ChecksumMode="ENABLED")
        self.assertEqual(checksum("sha256", body), h["ChecksumSHA256"])

    def test_multipart_part_checksums(self):
        key = "mp-checksum"
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key, ChecksumAlgorithm="SHA256")["UploadId"]
        p1, p2 = body_of(5 * MiB, b"ck1"), body_of(777, b"ck2")
        r1 = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=uid, PartNumber=1, Body=p1,
                                 ChecksumAlgorithm="SHA256")
        self.assertEqual(checksum("sha256", p1), r1["ChecksumSHA256"])
        # a wrong part checksum is refused and the part not stored
        r = self.raw("PUT", self.obj_path(self.bucket, key), query="partNumber=2&uploadId=%s" % uid, body=p2,
                     headers={"x-amz-checksum-sha256": checksum("sha256", p2 + b"x"),
                              "x-amz-sdk-checksum-algorithm": "SHA256"})
        self.assertEqual(400, r.status, r)
        self.assertIn(r.error().get("Code"), ("BadDigest", "InvalidRequest"), r)
        self.assertEqual([1], [p["PartNumber"] for p in self.s3.list_parts(
            Bucket=self.bucket, Key=key, UploadId=uid)["Parts"]])
        r2 = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=uid, PartNumber=2, Body=p2,
                                 ChecksumAlgorithm="SHA256")
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": r1["ETag"], "ChecksumSHA256": r1["ChecksumSHA256"]},
            {"PartNumber": 2, "ETag": r2["ETag"], "ChecksumSHA256": r2["ChecksumSHA256"]}]})
        self.assertTrue(p1 + p2 == self.get_bytes(self.bucket, key))
        h = self.s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        # a composite checksum: SHA256 of the part digests, "-2"
        composite = base64.b64encode(hashlib.sha256(hashlib.sha256(p1).digest() +
                                                    hashlib.sha256(p2).digest()).digest()).decode()
        self.assertEqual(composite + "-2", h.get("ChecksumSHA256"))


# ==========================================================================
# aws-chunked uploads
# ==========================================================================

class AwsChunkedTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("chunked"))

    def chunked_put(self, key, encoded, decoded_len, content_sha, extra=None, chunked_te=False,
                    trailer=None, query=""):
        path = self.obj_path(self.bucket, key)
        headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(decoded_len)}
        if trailer:
            headers["x-amz-trailer"] = trailer
            headers["x-amz-sdk-checksum-algorithm"] = trailer.rsplit("-", 1)[-1].upper()
        headers.update(extra or {})
        signed = sign_s3(self.server, "PUT", path, query, headers, content_sha)
        return self.send(path, query, encoded, signed, chunked_te)

    def send(self, path, query, encoded, signed, chunked_te=False):
        headers = dict(signed.headers)
        target = path + ("?" + query if query else "")
        if chunked_te:
            headers["Transfer-Encoding"] = "chunked"
            pieces = [encoded[i:i + 10000] for i in range(0, len(encoded), 10000)]
            return send_raw(self.server, "PUT", target, iter(pieces), headers, encode_chunked=True)
        headers["Content-Length"] = str(len(encoded))
        return send_raw(self.server, "PUT", target, encoded, headers)

    def assertStored(self, key, data):
        r = self.raw("GET", self.obj_path(self.bucket, key))
        self.assertEqual(200, r.status, r)
        self.assertEqual(len(data), len(r.body))
        self.assertTrue(data == r.body, "stored body differs from the decoded payload")
        self.assertEqual(str(len(data)), r.header("content-length"))
        self.assertNotIn("aws-chunked", r.header("content-encoding") or "")
        self.assertEqual(quoted_md5(data), r.header("etag"))

    def test_unsigned_trailer_crc32(self):
        for size, chunk in ((0, 8192), (1, 8192), (65536, 65536), (200000, 65536), (100000, 8192)):
            with self.subTest(size=size, chunk=chunk):
                data = body_of(size)
                key = "ut/%d-%d" % (size, chunk)
                value = checksum("crc32", data)
                enc = unsigned_trailer_body(data, chunk, [("x-amz-checksum-crc32", value)])
                r = self.chunked_put(key, enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                     trailer="x-amz-checksum-crc32")
                self.assertEqual(200, r.status, r)
                self.assertEqual(quoted_md5(data), r.header("etag"))
                self.assertStored(key, data)
                h = self.raw("HEAD", self.obj_path(self.bucket, key), headers={"x-amz-checksum-mode": "ENABLED"})
                self.assertEqual(value, h.header("x-amz-checksum-crc32"))

    def test_unsigned_trailer_other_algorithms(self):
        data = body_of(150000)
        for alg in ("crc32c", "sha1", "sha256"):
            with self.subTest(alg=alg):
                name = "x-amz-checksum-" + alg
                enc = unsigned_trailer_body(data, 65536, [(name, checksum(alg, data))])
                r = self.chunked_put("ut-alg/" + alg, enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                     trailer=name)
                self.assertEqual(200, r.status, r)
                self.assertStored("ut-alg/" + alg, data)
                g = self.raw("GET", self.obj_path(self.bucket, "ut-alg/" + alg),
                             headers={"x-amz-checksum-mode": "ENABLED"})
                self.assertEqual(checksum(alg, data), g.header(name))

    def test_unsigned_trailer_over_http_chunked(self):
        # what botocore sends over https: aws-chunked inside Transfer-Encoding: chunked
        data = body_of(300001)
        enc = unsigned_trailer_body(data, 65536, [("x-amz-checksum-crc32", checksum("crc32", data))])
        r = self.chunked_put("ut-te", enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                             trailer="x-amz-checksum-crc32", chunked_te=True)
        self.assertEqual(200, r.status, r)
        self.assertStored("ut-te", data)

    def test_wrong_trailer_checksum_rejected(self):
        data = body_of(100000)
        self.put(self.bucket, "ut-keep", b"keep me")
        for key in ("ut-wrong", "ut-keep"):
            for chunked_te in (False, True):
                with self.subTest(key=key, chunked_te=chunked_te):
                    enc = unsigned_trailer_body(data, 65536, [("x-amz-checksum-crc32", checksum("crc32", data[:-1]))])
                    r = self.chunked_put(key, enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                         trailer="x-amz-checksum-crc32", chunked_te=chunked_te)
                    self.assertEqual(400, r.status, r)
                    self.assertIn(r.error().get("Code"), ("BadDigest", "InvalidRequest"), r)
        self.assertNoSuchKey(self.bucket, "ut-wrong")
        self.assertEqual(b"keep me", self.get_bytes(self.bucket, "ut-keep"))

    def test_missing_trailer_rejected(self):
        data = b"promised a trailer"
        enc = unsigned_trailer_body(data, 8192, [])
        r = self.chunked_put("ut-missing", enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                             trailer="x-amz-checksum-crc32")
        self.assertEqual(400, r.status, r)
        self.assertNoSuchKey(self.bucket, "ut-missing")

    def test_decoded_length_mismatch_rejected(self):
        data = body_of(5000)
        enc = unsigned_trailer_body(data, 4096, [("x-amz-checksum-crc32", checksum("crc32", data))])
        for claimed in (len(data) + 1, len(data) - 1):
            with self.subTest(claimed=claimed):
                r = self.chunked_put("ut-len", enc, claimed, "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                     trailer="x-amz-checksum-crc32")
                self.assertEqual(400, r.status, r)
        self.assertNoSuchKey(self.bucket, "ut-len")

    def test_malformed_framing_rejected(self):
        data = b"0123456789"
        good = unsigned_trailer_body(data, 4, [("x-amz-checksum-crc32", checksum("crc32", data))])
        for label, enc in (("bad hex", good.replace(b"4\r\n", b"zz\r\n", 1)),
                           ("short chunk", good.replace(b"4\r\n0123", b"5\r\n0123", 1)),
                           ("truncated", good[:-7])):
            with self.subTest(case=label):
                r = self.chunked_put("ut-malformed", enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                     trailer="x-amz-checksum-crc32")
                self.assertGreaterEqual(r.status, 400, r)
                self.assertLess(r.status, 500, r)
        self.assertNoSuchKey(self.bucket, "ut-malformed")

    def test_signed_chunks(self):
        for size, chunk in ((0, 8192), (70000, 65536), (200000, 8192)):
            with self.subTest(size=size):
                data = body_of(size)
                key = "sc/%d" % size
                path = self.obj_path(self.bucket, key)
                headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(size)}
                signed = sign_s3(self.server, "PUT", path, "", headers, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
                enc = signed_chunk_body(data, chunk, signed)
                r = self.send(path, "", enc, signed)
                self.assertEqual(200, r.status, r)
                self.assertStored(key, data)

    def test_signed_chunks_with_signed_trailer(self):
        data = body_of(130000)
        key = "sct/obj"
        path = self.obj_path(self.bucket, key)
        value = checksum("crc32c", data)
        headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
                   "x-amz-trailer": "x-amz-checksum-crc32c", "x-amz-sdk-checksum-algorithm": "CRC32C"}
        signed = sign_s3(self.server, "PUT", path, "", headers, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
        enc = signed_chunk_body(data, 65536, signed, [("x-amz-checksum-crc32c", value)])
        r = self.send(path, "", enc, signed)
        self.assertEqual(200, r.status, r)
        self.assertStored(key, data)
        g = self.raw("HEAD", path, headers={"x-amz-checksum-mode": "ENABLED"})
        self.assertEqual(value, g.header("x-amz-checksum-crc32c"))
        # and a wrong trailer checksum under valid signatures
        signed = sign_s3(self.server, "PUT", self.obj_path(self.bucket, "sct/bad"), "", headers,
                         "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
        enc = signed_chunk_body(data, 65536, signed, [("x-amz-checksum-crc32c", checksum("crc32c", b"x"))])
        r = self.send(self.obj_path(self.bucket, "sct/bad"), "", enc, signed)
        self.assertEqual(400, r.status, r)
        self.assertNoSuchKey(self.bucket, "sct/bad")

    def test_chunked_upload_part(self):
        key = "ut-part"
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        p1, p2 = body_of(5 * MiB, b"cp1"), body_of(1000, b"cp2")
        etags = []
        for n, data in ((1, p1), (2, p2)):
            enc = unsigned_trailer_body(data, 65536, [("x-amz-checksum-crc32", checksum("crc32", data))])
            r = self.chunked_put(key, enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                                 trailer="x-amz-checksum-crc32", chunked_te=(n == 2),
                                 query="partNumber=%d&uploadId=%s" % (n, uid))
            self.assertEqual(200, r.status, r)
            self.assertEqual(quoted_md5(data), r.header("etag"))
            etags.append(r.header("etag"))
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
        self.assertStoredMultipart(key, p1 + p2)

    def assertStoredMultipart(self, key, data):
        got = self.get_bytes(self.bucket, key)
        self.assertTrue(data == got)

    def test_boto3_trailer_mode(self):
        # botocore's own aws-chunked encoder (its default over https)
        client = force_trailer_checksums(s3_client(self.server))
        kw = {} if NEW_CHECKSUMS else {"ChecksumAlgorithm": "CRC32"}
        for size in (0, 10, 65536 + 3, 2 * MiB + 5):
            with self.subTest(size=size):
                data = body_of(size)
                key = "boto-trailer/%d" % size
                r = client.put_object(Bucket=self.bucket, Key=key, Body=data, **kw)
                self.assertEqual(quoted_md5(data), r["ETag"])
                self.assertStored(key, data)
                h = self.s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(checksum("crc32", data), h["ChecksumCRC32"])
        uid = client.create_multipart_upload(Bucket=self.bucket, Key="boto-trailer/mp", **kw)["UploadId"]
        p1, p2 = body_of(5 * MiB, b"bt1"), body_of(99, b"bt2")
        e1 = client.upload_part(Bucket=self.bucket, Key="boto-trailer/mp", UploadId=uid, PartNumber=1,
                                Body=p1, **kw)
        e2 = client.upload_part(Bucket=self.bucket, Key="boto-trailer/mp", UploadId=uid, PartNumber=2,
                                Body=p2, **kw)
        parts = []
        for n, e in ((1, e1), (2, e2)):
            p = {"PartNumber": n, "ETag": e["ETag"]}
            if e.get("ChecksumCRC32"):
                p["ChecksumCRC32"] = e["ChecksumCRC32"]
            parts.append(p)
        client.complete_multipart_upload(Bucket=self.bucket, Key="boto-trailer/mp", UploadId=uid,
                                         MultipartUpload={"Parts": parts})
        self.assertStoredMultipart("boto-trailer/mp", p1 + p2)

    def test_content_md5_with_aws_chunked(self):
        data = body_of(20000)
        enc = unsigned_trailer_body(data, 8192, [("x-amz-checksum-crc32", checksum("crc32", data))])
        r = self.chunked_put("md5-chunked", enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                             trailer="x-amz-checksum-crc32",
                             extra={"Content-MD5": base64.b64encode(hashlib.md5(data).digest()).decode()})
        self.assertEqual(200, r.status, r)
        self.assertStored("md5-chunked", data)
        enc = unsigned_trailer_body(data, 8192, [("x-amz-checksum-crc32", checksum("crc32", data))])
        r = self.chunked_put("md5-chunked-bad", enc, len(data), "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                             trailer="x-amz-checksum-crc32",
                             extra={"Content-MD5": base64.b64encode(hashlib.md5(b"x").digest()).decode()})
        self.assertEqual(400, r.status, r)
        self.assertEqual("BadDigest", r.error().get("Code"), r)
        self.assertNoSuchKey(self.bucket, "md5-chunked-bad")

    def test_stored_content_encoding_drops_aws_chunked(self):
        data = b"gzip-ish payload"
        enc = unsigned_trailer_body(data, 8192, [("x-amz-checksum-crc32", checksum("crc32", data))])
        path = self.obj_path(self.bucket, "ce")
        headers = {"Content-Encoding": "aws-chunked,gzip", "x-amz-decoded-content-length": str(len(data)),
                   "x-amz-trailer": "x-amz-checksum-crc32"}
        signed = sign_s3(self.server, "PUT", path, "", headers, "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        r = self.send(path, "", enc, signed)
        self.assertEqual(200, r.status, r)
        g = self.raw("GET", path)
        self.assertEqual(data, g.body)
        self.assertEqual("gzip", g.header("content-encoding"))
