"""S3 multipart uploads: CreateMultipartUpload / UploadPart / Complete /
Abort, ListParts, ListMultipartUploads, UploadPartCopy, GetObject by part
number, the documented errors (EntityTooSmall, InvalidPart,
InvalidPartOrder, NoSuchUpload), and the aws CLI's high-level commands
(multipart `aws s3 cp`, `aws s3 ls`, `aws s3 sync`)."""

import filecmp
import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

from botocore.exceptions import ClientError

from test_s3 import MiB, S3TestCase, body_of, md5_hex, quoted_md5, uniq

AWS = shutil.which("aws")


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


PART = 5 * MiB


def multipart_etag(parts):
    """The ETag S3 gives a completed upload: MD5 of the concatenated binary
    MD5s of the parts, '-' and the part count, quoted."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return '"%s-%d"' % (digest, len(parts))


class MultipartTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("mpu"))
        cls.p1 = body_of(PART, b"part-1")
        cls.p2 = body_of(PART, b"part-2")
        cls.p3 = body_of(123457, b"part-3")

    # -- helpers ---------------------------------------------------------
    def create(self, key, client=None, **kw):
        r = (client or self.s3).create_multipart_upload(Bucket=self.bucket, Key=key, **kw)
        self.assertEqual(self.bucket, r["Bucket"])
        self.assertEqual(key, r["Key"])
        self.assertTrue(r["UploadId"])
        return r["UploadId"]

    def upload_part(self, key, upload_id, n, body, client=None, **kw):
        r = (client or self.s3).upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                            PartNumber=n, Body=body, **kw)
        return r

    def complete(self, key, upload_id, parts, client=None):
        return (client or self.s3).complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]})

    def upload(self, key, bodies, **create_kw):
        uid = self.create(key, **create_kw)
        parts = []
        for i, b in enumerate(bodies, 1):
            r = self.upload_part(key, uid, i, b)
            self.assertEqual(quoted_md5(b), r["ETag"])
            parts.append((i, r["ETag"]))
        return uid, self.complete(key, uid, parts)

    def uploads(self, **kw):
        r = self.s3.list_multipart_uploads(Bucket=self.bucket, **kw)
        return [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]

    # -- tests -----------------------------------------------------------
    def test_get_streams_whole_while_the_object_is_deleted(self):
        """A GET answered before a delete commits streams the whole old body:
        its parts are read turn by turn as the client takes them, and the
        delete must not remove a part the GET has not opened yet (blob pins).
        Fails on a server that opens each part's file only when it reaches it
        (the connection closed mid-body; seen as ConnectionClosedError in
        test_s3's overwrite race)."""
        import socket
        import time
        from urllib.parse import urlsplit
        key = "mp/deleted-while-read"
        big = body_of(24 * MiB, b"first")  # more than socket buffers hold
        bodies = [big, self.p3]
        self.upload(key, bodies)
        u = urlsplit(self.server.url)
        sock = socket.create_connection((u.hostname, u.port), timeout=30)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            sock.sendall(("GET /%s/%s HTTP/1.1\r\nHost: %s:%d\r\n\r\n"
                          % (self.bucket, key, u.hostname, u.port)).encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(65536)
                self.assertTrue(chunk, "closed before the head")
                head += chunk
            head, _, got = head.partition(b"\r\n\r\n")
            self.assertIn(b" 200 ", head.split(b"\r\n")[0])
            # the server is mid-way through the first part: delete the object
            time.sleep(0.3)
            self.s3.delete_object(Bucket=self.bucket, Key=key)
            want = len(big) + len(self.p3)
            # hashed as it arrives: the body is not held a second time
            digest, n = hashlib.sha256(got), len(got)
            while n < want:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                digest.update(chunk)
                n += len(chunk)
        finally:
            sock.close()
        self.assertEqual(want, n, "the body stopped short")
        expect = hashlib.sha256(big)
        expect.update(self.p3)
        self.assertEqual(expect.hexdigest(), digest.hexdigest())

    def test_complete_round_trip(self):
        key = "mp/three-parts"
        bodies = [self.p1, self.p2, self.p3]
        uid, r = self.upload(key, bodies, ContentType="application/x-mp", Metadata={"who": "mp"})
        want_etag = multipart_etag(bodies)
        self.assertEqual(want_etag, r["ETag"])
        self.assertEqual(self.bucket, r["Bucket"])
        self.assertEqual(key, r["Key"])
        whole = b"".join(bodies)
        g = self.s3.get_object(Bucket=self.bucket, Key=key)
        data = g["Body"].read()
        self.assertEqual(len(whole), len(data))
        self.assertTrue(whole == data, "completed object differs from its parts")
        self.assertEqual(want_etag, g["ETag"])
        self.assertEqual("application/x-mp", g["ContentType"])
        self.assertEqual({"who": "mp"}, g["Metadata"])
        h = self.s3.head_object(Bucket=self.bucket, Key=key)
        self.assertEqual(len(whole), h["ContentLength"])
        c = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key)["Contents"][0]
        self.assertEqual(len(whole), c["Size"])
        self.assertEqual(want_etag, c["ETag"])
        # the upload is gone
        self.assertNotIn((key, uid), self.uploads())
        self.assertS3Error(404, "NoSuchUpload", self.s3.list_parts, Bucket=self.bucket, Key=key, UploadId=uid)
        # a range across the part boundary
        r = self.s3.get_object(Bucket=self.bucket, Key=key, Range="bytes=%d-%d" % (PART - 10, PART + 9))
        self.assertEqual(whole[PART - 10:PART + 10], r["Body"].read())

    def test_single_small_part(self):
        uid, r = self.upload("mp/single", [b"tiny last part"])
        self.assertEqual(multipart_etag([b"tiny last part"]), r["ETag"])
        self.assertEqual(b"tiny last part", self.get_bytes(self.bucket, "mp/single"))

    def test_completion_replaces_existing_object(self):
        key = "mp/replace"
        self.put(self.bucket, key, b"old single-part body", Metadata={"old": "1"})
        self.upload(key, [self.p3])
        g = self.s3.get_object(Bucket=self.bucket, Key=key)
        self.assertEqual(self.p3, g["Body"].read())
        self.assertEqual({}, g["Metadata"])

    def test_object_invisible_until_completed(self):
        key = "mp/invisible"
        uid = self.create(key)
        self.upload_part(key, uid, 1, b"partial")
        self.assertNoSuchKey(self.bucket, key)
        self.assertEqual([], self.list_all_v2(self.bucket, Prefix=key)[0])
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)

    def test_entity_too_small(self):
        key = "mp/too-small"
        uid = self.create(key)
        small = body_of(MiB)
        e1 = self.upload_part(key, uid, 1, small)["ETag"]
        e2 = self.upload_part(key, uid, 2, small)["ETag"]
        resp = self.assertS3Error(400, "EntityTooSmall", self.complete, key, uid, [(1, e1), (2, e2)])
        self.assertTrue(resp["Error"]["Message"])
        self.assertNoSuchKey(self.bucket, key)
        # the upload is still there and can be completed with a valid set
        self.assertEqual([1, 2], [p["PartNumber"] for p in
                                  self.s3.list_parts(Bucket=self.bucket, Key=key, UploadId=uid)["Parts"]])
        self.complete(key, uid, [(1, e1)])
        self.assertEqual(small, self.get_bytes(self.bucket, key))

    def test_invalid_part(self):
        key = "mp/invalid-part"
        uid = self.create(key)
        e1 = self.upload_part(key, uid, 1, self.p1)["ETag"]
        self.assertS3Error(400, "InvalidPart", self.complete, key, uid, [(1, e1), (2, e1)])
        self.assertS3Error(400, "InvalidPart", self.complete, key, uid,
                           [(1, '"0123456789abcdef0123456789abcdef"')])
        self.assertNoSuchKey(self.bucket, key)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)

    def test_invalid_part_order(self):
        key = "mp/order"
        uid = self.create(key)
        e1 = self.upload_part(key, uid, 1, self.p1)["ETag"]
        e2 = self.upload_part(key, uid, 2, b"last")["ETag"]
        self.assertS3Error(400, "InvalidPartOrder", self.complete, key, uid, [(2, e2), (1, e1)])
        self.assertNoSuchKey(self.bucket, key)
        # parts need not be contiguous
        uid2 = self.create("mp/gaps")
        ea = self.upload_part("mp/gaps", uid2, 3, self.p1)["ETag"]
        eb = self.upload_part("mp/gaps", uid2, 7, b"tail")["ETag"]
        self.complete("mp/gaps", uid2, [(3, ea), (7, eb)])
        self.assertEqual(self.p1 + b"tail", self.get_bytes(self.bucket, "mp/gaps"))
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)

    def test_complete_without_parts(self):
        key = "mp/no-parts"
        uid = self.create(key)
        self.assertS3Error(400, "MalformedXML", self.s3_nv.complete_multipart_upload, Bucket=self.bucket,
                           Key=key, UploadId=uid, MultipartUpload={"Parts": []})
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)

    def test_abort(self):
        key = "mp/abort"
        uid = self.create(key)
        e1 = self.upload_part(key, uid, 1, b"x" * 100)["ETag"]
        self.assertIn((key, uid), self.uploads(Prefix="mp/abort"))
        r = self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)
        self.assertEqual(204, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertNotIn((key, uid), self.uploads(Prefix="mp/abort"))
        self.assertS3Error(404, "NoSuchUpload", self.upload_part, key, uid, 2, b"late")
        self.assertS3Error(404, "NoSuchUpload", self.s3.list_parts, Bucket=self.bucket, Key=key, UploadId=uid)
        self.assertS3Error(404, "NoSuchUpload", self.complete, key, uid, [(1, e1)])
        self.assertS3Error(404, "NoSuchUpload", self.s3.abort_multipart_upload, Bucket=self.bucket,
                           Key=key, UploadId=uid)
        self.assertNoSuchKey(self.bucket, key)

    def test_unknown_upload_id(self):
        self.assertS3Error(404, "NoSuchUpload", self.upload_part, "mp/x", "no-such-upload-" + uuid.uuid4().hex,
                           1, b"x")
        # an upload id belongs to its key
        uid = self.create("mp/owner")
        self.assertS3Error(404, "NoSuchUpload", self.upload_part, "mp/other-key", uid, 1, b"x")
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key="mp/owner", UploadId=uid)

    def test_bad_part_numbers(self):
        key = "mp/partnum"
        uid = self.create(key)
        for n in (0, 10001, -1):
            with self.subTest(part=n):
                self.assertS3Error(400, "InvalidArgument", self.upload_part, key, uid, n, b"x",
                                   client=self.s3_nv)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)

    def test_part_content_md5(self):
        key = "mp/md5"
        uid = self.create(key)
        self.assertS3Error(400, "BadDigest", self.upload_part, key, uid, 1, b"body",
                           ContentMD5="XrY7u+Ae7tCTyyK7j1rNww==")
        self.assertEqual([], self.s3.list_parts(Bucket=self.bucket, Key=key, UploadId=uid).get("Parts", []))
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)

    def test_list_parts(self):
        key = "mp/list-parts"
        uid = self.create(key)
        bodies = {1: b"a" * 10, 2: b"bb" * 10, 3: b"ccc" * 10, 5: b"e"}
        for n, b in bodies.items():
            self.upload_part(key, uid, n, b)
        self.upload_part(key, uid, 2, b"replaced part two")  # last upload of a number wins
        bodies[2] = b"replaced part two"
        r = self.s3.list_parts(Bucket=self.bucket, Key=key, UploadId=uid)
        self.assertEqual(uid, r["UploadId"])
        self.assertEqual(key, r["Key"])
        self.assertFalse(r["IsTruncated"])
        self.assertEqual([1, 2, 3, 5], [p["PartNumber"] for p in r["Parts"]])
        for p in r["Parts"]:
            self.assertEqual(quoted_md5(bodies[p["PartNumber"]]), p["ETag"])
            self.assertEqual(len(bodies[p["PartNumber"]]), p["Size"])
            self.assertRecent(p["LastModified"])
        # paging
        seen, marker = [], 0
        for _ in range(10):
            r = self.s3.list_parts(Bucket=self.bucket, Key=key, UploadId=uid, MaxParts=1,
                                   PartNumberMarker=marker)
            seen += [p["PartNumber"] for p in r.get("Parts", [])]
            self.assertLessEqual(len(r.get("Parts", [])), 1)
            if not r["IsTruncated"]:
                break
            marker = r["NextPartNumberMarker"]
        self.assertEqual([1, 2, 3, 5], seen)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=uid)

    def test_list_multipart_uploads(self):
        prefix = "lmu-%s/" % uuid.uuid4().hex[:6]
        ids = []
        for k in ("b", "a", "c/d", "a"):
            ids.append((prefix + k, self.create(prefix + k)))
        r = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        self.assertEqual(self.bucket, r["Bucket"])
        listed = [(u["Key"], u["UploadId"]) for u in r["Uploads"]]
        self.assertEqual(sorted(ids), sorted(listed))
        self.assertEqual(sorted(k for k, _ in ids), [k for k, _ in listed], "uploads are in key order")
        for u in r["Uploads"]:
            self.assertRecent(u["Initiated"])
        # delimiter
        r = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix, Delimiter="/")
        self.assertEqual([prefix + "c/"], [p["Prefix"] for p in r.get("CommonPrefixes", [])])
        self.assertEqual(3, len(r["Uploads"]))
        # paging collects each upload once
        seen, kw = [], {}
        for _ in range(20):
            r = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix, MaxUploads=1, **kw)
            seen += [(u["Key"], u["UploadId"]) for u in r.get("Uploads", [])]
            if not r["IsTruncated"]:
                break
            kw = {"KeyMarker": r["NextKeyMarker"], "UploadIdMarker": r["NextUploadIdMarker"]}
        self.assertEqual(sorted(ids), sorted(seen))
        self.assertEqual(len(ids), len(seen))
        for k, u in ids:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=k, UploadId=u)
        self.assertEqual([], self.uploads(Prefix=prefix))

    def test_upload_part_copy(self):
        src = body_of(PART + 4321, b"copy-src")
        self.put(self.bucket, "mp/copy-src", src)
        key = "mp/copied"
        uid = self.create(key)
        r1 = self.s3.upload_part_copy(Bucket=self.bucket, Key=key, UploadId=uid, PartNumber=1,
                                      CopySource={"Bucket": self.bucket, "Key": "mp/copy-src"},
                                      CopySourceRange="bytes=0-%d" % (PART - 1))
        self.assertEqual(quoted_md5(src[:PART]), r1["CopyPartResult"]["ETag"])
        r2 = self.s3.upload_part_copy(Bucket=self.bucket, Key=key, UploadId=uid, PartNumber=2,
                                      CopySource={"Bucket": self.bucket, "Key": "mp/copy-src"},
                                      CopySourceRange="bytes=%d-%d" % (PART, len(src) - 1))
        self.assertEqual(quoted_md5(src[PART:]), r2["CopyPartResult"]["ETag"])
        # a whole small object as a third part
        self.put(self.bucket, "mp/copy-small", b"small whole object")
        r3 = self.s3.upload_part_copy(Bucket=self.bucket, Key=key, UploadId=uid, PartNumber=3,
                                      CopySource={"Bucket": self.bucket, "Key": "mp/copy-small"})
        parts = [(1, r1["CopyPartResult"]["ETag"]), (2, r2["CopyPartResult"]["ETag"]),
                 (3, r3["CopyPartResult"]["ETag"])]
        # part 2 (not last) is under 5 MiB: completing all three is refused
        self.assertS3Error(400, "EntityTooSmall", self.complete, key, uid, parts)
        r = self.complete(key, uid, parts[:2])
        self.assertEqual(multipart_etag([src[:PART], src[PART:]]), r["ETag"])
        self.assertTrue(src == self.get_bytes(self.bucket, key))
        # a range outside the source
        uid = self.create("mp/copy-bad")
        # (AWS: 400 InvalidArgument "Range specified is not valid for source
        # object of size: N"; 416 InvalidRange is accepted too)
        try:
            self.s3.upload_part_copy(Bucket=self.bucket, Key="mp/copy-bad", UploadId=uid, PartNumber=1,
                                     CopySource={"Bucket": self.bucket, "Key": "mp/copy-small"},
                                     CopySourceRange="bytes=0-100000")
            self.fail("a copy range past the end of the source was accepted")
        except ClientError as e:
            self.assertIn((e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]),
                          ((400, "InvalidArgument"), (416, "InvalidRange")))
        self.assertS3Error(404, "NoSuchKey", self.s3.upload_part_copy, Bucket=self.bucket, Key="mp/copy-bad",
                           UploadId=uid, PartNumber=1, CopySource={"Bucket": self.bucket, "Key": "mp/none"})
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key="mp/copy-bad", UploadId=uid)

    def test_get_by_part_number(self):
        key = "mp/by-part"
        bodies = [self.p1, self.p2, self.p3]
        self.upload(key, bodies)
        total = sum(len(b) for b in bodies)
        offset = 0
        for n, b in enumerate(bodies, 1):
            with self.subTest(part=n):
                g = self.s3.get_object(Bucket=self.bucket, Key=key, PartNumber=n)
                self.assertEqual(206, g["ResponseMetadata"]["HTTPStatusCode"])
                self.assertTrue(b == g["Body"].read())
                self.assertEqual(len(b), g["ContentLength"])
                self.assertEqual(3, g.get("PartsCount"))
                self.assertEqual("bytes %d-%d/%d" % (offset, offset + len(b) - 1, total), g["ContentRange"])
                h = self.s3.head_object(Bucket=self.bucket, Key=key, PartNumber=n)
                self.assertEqual(len(b), h["ContentLength"])
                self.assertEqual(3, h.get("PartsCount"))
                offset += len(b)
        self.assertS3Error(416, "InvalidPartNumber", self.s3.get_object, Bucket=self.bucket, Key=key, PartNumber=4)
        # part 1 of a single-part object is the whole object
        self.put(self.bucket, "mp/plain", b"plain object")
        g = self.s3.get_object(Bucket=self.bucket, Key="mp/plain", PartNumber=1)
        self.assertEqual(b"plain object", g["Body"].read())

    def test_copy_of_multipart_object(self):
        key = "mp/copy-source-mp"
        bodies = [self.p1, self.p3]
        self.upload(key, bodies)
        whole = b"".join(bodies)
        # CopyObject of the whole object
        self.s3.copy_object(Bucket=self.bucket, Key="mp/copied-whole", CopySource={"Bucket": self.bucket, "Key": key})
        self.assertTrue(whole == self.get_bytes(self.bucket, "mp/copied-whole"))
        # UploadPartCopy of a range spanning the source's part boundary
        uid = self.create("mp/copied-range")
        first, last = PART - 1000, PART + 999
        r = self.s3.upload_part_copy(Bucket=self.bucket, Key="mp/copied-range", UploadId=uid, PartNumber=1,
                                     CopySource={"Bucket": self.bucket, "Key": key},
                                     CopySourceRange="bytes=%d-%d" % (first, last))
        self.assertEqual(quoted_md5(whole[first:last + 1]), r["CopyPartResult"]["ETag"])
        self.complete("mp/copied-range", uid, [(1, r["CopyPartResult"]["ETag"])])
        self.assertEqual(whole[first:last + 1], self.get_bytes(self.bucket, "mp/copied-range"))
        # the source survives its copies being deleted, and the copies the source
        self.s3.delete_object(Bucket=self.bucket, Key="mp/copied-range")
        self.assertTrue(whole == self.get_bytes(self.bucket, key))
        self.s3.delete_object(Bucket=self.bucket, Key=key)
        self.assertTrue(whole == self.get_bytes(self.bucket, "mp/copied-whole"))

    def test_ranges_across_parts(self):
        key = "mp/ranges"
        bodies = [self.p1, self.p2, self.p3]
        self.upload(key, bodies)
        whole = b"".join(bodies)
        n = len(whole)
        for first, last in ((0, 0), (PART - 1, PART), (PART - 5, 2 * PART + 5), (2 * PART, n - 1),
                            (n - 1, n - 1), (12345, 2 * PART - 12345)):
            with self.subTest(first=first, last=last):
                g = self.s3.get_object(Bucket=self.bucket, Key=key, Range="bytes=%d-%d" % (first, last))
                self.assertTrue(whole[first:last + 1] == g["Body"].read())
                self.assertEqual("bytes %d-%d/%d" % (first, last, n), g["ContentRange"])
        g = self.s3.get_object(Bucket=self.bucket, Key=key, Range="bytes=-100")
        self.assertEqual(whole[-100:], g["Body"].read())

    def test_attributes_of_multipart_object(self):
        key = "mp/attrs"
        bodies = [self.p1, self.p3]
        self.upload(key, bodies)
        r = self.s3.get_object_attributes(Bucket=self.bucket, Key=key,
                                          ObjectAttributes=["ETag", "ObjectSize", "ObjectParts"])
        self.assertEqual(multipart_etag(bodies).strip('"'), r["ETag"].strip('"'))
        self.assertEqual(len(self.p1) + len(self.p3), r["ObjectSize"])
        self.assertEqual(2, r["ObjectParts"]["TotalPartsCount"])

    def test_concurrent_part_uploads(self):
        import concurrent.futures
        key = "mp/concurrent"
        uid = self.create(key)
        bodies = [body_of(PART, b"c%d" % i) for i in range(3)] + [b"end"]

        def up(i):
            return i + 1, self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=uid,
                                              PartNumber=i + 1, Body=bodies[i])["ETag"]
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            parts = sorted(ex.map(up, range(len(bodies))))
        self.complete(key, uid, parts)
        self.assertTrue(b"".join(bodies) == self.get_bytes(self.bucket, key))


# ==========================================================================
# aws CLI high-level commands
# ==========================================================================

@unittest.skipUnless(AWS, "aws CLI not on PATH")
class CliS3Tests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="awsemu-e2e-s3cli-")
        cls.bucket = cls.make_bucket(uniq("cli"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def aws(self, *args, check=True):
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                    "AWS_RETRY_MODE": "standard"})
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
            env.pop(k, None)
        cmd = [AWS, "--endpoint-url", self.server.url, "--cli-connect-timeout", "5",
               "--cli-read-timeout", "60"] + list(args)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
        if check and p.returncode != 0:
            self.fail("%s failed (%d):\n%s\n%s" % (" ".join(args), p.returncode,
                                                   p.stdout.decode(errors="replace")[-2000:],
                                                   p.stderr.decode(errors="replace")[-2000:]))
        return p.stdout.decode(errors="replace")

    def test_cp_large_file_round_trip(self):
        src = os.path.join(self.tmp, "big.bin")
        size = 20 * MiB
        with open(src, "wb") as f:  # written and compared 1 MiB at a time
            for i in range(20):
                f.write(body_of(MiB, b"cli-big-%d" % i))
        self.aws("s3", "cp", src, "s3://%s/cli/big.bin" % self.bucket)
        h = self.s3.head_object(Bucket=self.bucket, Key="cli/big.bin")
        self.assertEqual(size, h["ContentLength"])
        self.assertRegex(h["ETag"], r'^"[0-9a-f]{32}-\d+"$', "20 MiB via the CLI is a multipart upload")
        back = os.path.join(self.tmp, "big.back")
        self.aws("s3", "cp", "s3://%s/cli/big.bin" % self.bucket, back)
        self.assertEqual(file_sha256(src), file_sha256(back), "downloaded file differs")
        out = self.aws("s3", "ls", "s3://%s/cli/" % self.bucket)
        self.assertRegex(out, r"\b%d big\.bin" % size)
        out = self.aws("s3", "ls")
        self.assertIn(self.bucket, out)

    def test_sync_tree(self):
        tree = os.path.join(self.tmp, "tree")
        files = {"a.txt": b"alpha", "sub/b.txt": b"beta" * 1000, "sub/deeper/c.bin": body_of(300000),
                 "empty": b"", "sp ace/ü.txt": "unicode ✓".encode()}
        for rel, data in files.items():
            p = os.path.join(tree, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        self.aws("s3", "sync", tree, "s3://%s/tree" % self.bucket)
        keys, _ = self.list_all_v2(self.bucket, Prefix="tree/")
        self.assertEqual(sorted("tree/" + k for k in files), sorted(keys))
        for rel, data in files.items():
            self.assertEqual(data, self.get_bytes(self.bucket, "tree/" + rel))
        # nothing to do the second time
        out = self.aws("s3", "sync", tree, "s3://%s/tree" % self.bucket)
        self.assertNotIn("upload:", out)
        # and back down
        down = os.path.join(self.tmp, "down")
        self.aws("s3", "sync", "s3://%s/tree" % self.bucket, down)
        cmp = filecmp.dircmp(tree, down)
        for rel in files:
            with open(os.path.join(down, rel), "rb") as f:
                self.assertEqual(files[rel], f.read(), rel)
        self.assertFalse(cmp.left_only or cmp.right_only)
        out = self.aws("s3", "ls", "--recursive", "s3://%s/tree/" % self.bucket)
        self.assertEqual(len(files), len([l for l in out.splitlines() if l.strip()]))


class MultipartFidelityTests(S3TestCase):
    """Issue 14, item 5 (and the Complete side of items 6-7)."""
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("mpf"))
        cls.p1 = body_of(PART, b"part-1")
        cls.p3 = body_of(123457, b"part-3")

    create, upload_part, complete = MultipartTests.create, MultipartTests.upload_part, MultipartTests.complete
    upload, uploads = MultipartTests.upload, MultipartTests.uploads

    def test_complete_repeated_with_the_same_parts(self):
        # S3 answers a repeated Complete with the first answer (adobe/S3Mock#2586
        # runs it against S3; minio#13318); even with If-None-Match: * (moto#9209)
        key = "fid/repeat-" + uuid.uuid4().hex[:8]
        uid = self.create(key)
        e1 = self.upload_part(key, uid, 1, self.p1)["ETag"]
        e2 = self.upload_part(key, uid, 2, self.p3)["ETag"]
        first = self.complete(key, uid, [(1, e1), (2, e2)])
        again = self.complete(key, uid, [(1, e1), (2, e2.strip('"'))])
        self.assertEqual(first["ETag"], again["ETag"])
        again = self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=uid, IfNoneMatch="*",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        self.assertEqual(first["ETag"], again["ETag"])
        self.assertEqual(self.p1 + self.p3,
                         self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        # other parts: the upload is gone
        with self.assertRaises(ClientError) as cm:
            self.complete(key, uid, [(1, e1)])
        self.assertEqual("NoSuchUpload", cm.exception.response["Error"]["Code"])
        self.assertNotIn(uid, [u for _, u in self.uploads()])

    def test_version_id_in_complete(self):
        b = self.make_bucket(uniq("mpv"))
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        uid = self.s3.create_multipart_upload(Bucket=b, Key="k")["UploadId"]
        e = self.s3.upload_part(Bucket=b, Key="k", UploadId=uid, PartNumber=1, Body=b"x")["ETag"]
        r = self.s3.complete_multipart_upload(Bucket=b, Key="k", UploadId=uid,
                                              MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
        self.assertTrue(r.get("VersionId"))
        self.assertEqual(r["VersionId"], self.s3.head_object(Bucket=b, Key="k")["VersionId"])

    def test_tagging_and_lock_headers_kept(self):
        key = "fid/tags"
        uid = self.create(key, Tagging="a=1&b=two")
        e = self.upload_part(key, uid, 1, b"tagged")["ETag"]
        self.complete(key, uid, [(1, e)])
        tags = self.s3.get_object_tagging(Bucket=self.bucket, Key=key)["TagSet"]
        self.assertEqual({"a": "1", "b": "two"}, {t["Key"]: t["Value"] for t in tags})
        b = uniq("mpl")
        self.s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
        import datetime
        until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        uid = self.s3.create_multipart_upload(
            Bucket=b, Key="k", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until,
            ObjectLockLegalHoldStatus="ON", ChecksumAlgorithm="SHA256")["UploadId"]
        e = self.s3.upload_part(Bucket=b, Key="k", UploadId=uid, PartNumber=1, Body=b"x",
                                ChecksumAlgorithm="SHA256")
        self.s3.complete_multipart_upload(
            Bucket=b, Key="k", UploadId=uid, MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": e["ETag"], "ChecksumSHA256": e["ChecksumSHA256"]}]})
        h = self.s3.head_object(Bucket=b, Key="k", ChecksumMode="ENABLED")
        self.assertEqual("GOVERNANCE", h["ObjectLockMode"])
        self.assertEqual("ON", h["ObjectLockLegalHoldStatus"])
        self.assertTrue(h["ChecksumSHA256"].endswith("-1"))

    def test_part_number_names_the_argument(self):
        key = "fid/pn"
        uid = self.create(key)
        for pn in (0, 10001):
            with self.subTest(pn=pn):
                with self.assertRaises(ClientError) as cm:
                    self.s3_nv.upload_part(Bucket=self.bucket, Key=key, UploadId=uid,
                                           PartNumber=pn, Body=b"x")
                err = cm.exception.response["Error"]
                self.assertEqual("InvalidArgument", err["Code"])
                self.assertEqual("partNumber", err.get("ArgumentName"))
                self.assertEqual(str(pn), err.get("ArgumentValue"))
                self.assertEqual("Part number must be an integer between 1 and 10000, inclusive",
                                 err["Message"])

    def test_get_part_number_out_of_range(self):
        key = "fid/range"
        self.upload(key, [self.p1, self.p3])
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object(Bucket=self.bucket, Key=key, PartNumber=3)
        self.assertEqual("InvalidPartNumber", cm.exception.response["Error"]["Code"])
        self.assertEqual(416, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])
        with self.assertRaises(ClientError) as cm:
            self.s3_nv.get_object(Bucket=self.bucket, Key=key, PartNumber=0)
        err = cm.exception.response["Error"]
        self.assertEqual(("InvalidArgument", "partNumber", "0"),
                         (err["Code"], err.get("ArgumentName"), err.get("ArgumentValue")))

    def test_complete_conditionals(self):
        # If-None-Match / If-Match on CompleteMultipartUpload ("How to prevent
        # object overwrites with conditional writes", S3 User Guide)
        key = "fid/cond-" + uuid.uuid4().hex[:8]

        def attempt(**kw):
            uid = self.create(key)
            e = self.upload_part(key, uid, 1, b"cond")["ETag"]
            return self.s3.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=uid,
                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]}, **kw)

        with self.assertRaises(ClientError) as cm:
            attempt(IfMatch='"0123"')
        self.assertEqual("NoSuchKey", cm.exception.response["Error"]["Code"])
        first = attempt(IfNoneMatch="*")
        with self.assertRaises(ClientError) as cm:
            attempt(IfNoneMatch="*")
        self.assertEqual("PreconditionFailed", cm.exception.response["Error"]["Code"])
        self.assertEqual(412, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual("If-None-Match", cm.exception.response["Error"].get("Condition"))
        with self.assertRaises(ClientError) as cm:
            attempt(IfMatch='"ffff"')
        self.assertEqual("If-Match", cm.exception.response["Error"].get("Condition"))
        attempt(IfMatch=first["ETag"])
