"""Small S3 bodies stored inline (--data-dir): an object of at most 64 KiB
keeps its sealed body in its database row, not in a blob file. Guards: no
plaintext window of a small body of any SSE kind (SSE-S3, SSE-KMS, SSE-C) is
in any file of the data dir, running or stopped; the inspector says where a
body is stored and its stored byte count is the sealed size; the 64 KiB edge
(inline) and one byte more (a file) both read back; bodies of unknown length
(chunked) go inline when small and spill to a file when not; ranged GETs of
small bodies; copies into and out of inline bodies; overwrites between inline
and file bodies leave no file behind; everything survives a restart."""

import base64
import hashlib
import json
import os
import shutil
import tempfile
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import EXTERNAL_URL, Server, scan_for
from test_s3 import UNSIGNED_PAYLOAD_HASH, encode_key, s3_client, send_raw, sign_s3
from test_s3_persist import blob_files, needle_windows, scan_windows

INLINE_MAX = 64 * 1024
FRAME = 65536


def sealed_size(n):
    """Header, the body, one tag per frame (a multiple of the frame size
    ends with an empty final frame)."""
    return 24 + n + 16 * (n // FRAME + 1)


@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class S3InlineBodyTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-s3-inline-")
        cls.server = Server(["--data-dir", cls.data_dir])
        try:
            cls.server.start()
            cls._populate()
            cls.hits_running = scan_windows(cls.data_dir, cls.windows)
            cls.key_hits_running = scan_for(cls.data_dir, cls.key_needles)
            cls.server.restart()
        except Exception:
            cls.server.cleanup()
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise
        cls.s3 = s3_client(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    @classmethod
    def chunked_put(cls, key, body, piece=1000):
        """PUT with Transfer-Encoding: chunked, no length known up front."""
        path = "/%s/%s" % (cls.bucket, encode_key(key))
        h = sign_s3(cls.server, "PUT", path, "", {}, UNSIGNED_PAYLOAD_HASH).headers
        pieces = (body[i:i + piece] for i in range(0, len(body), piece))
        r = send_raw(cls.server, "PUT", path, pieces, h, encode_chunked=True)
        assert r.status == 200, (r.status, r.body[:300])

    @classmethod
    def _populate(cls):
        s3 = s3_client(cls.server)
        kms = cls.server.client("kms")
        cls.bucket = "inline-" + uuid.uuid4().hex[:12]
        s3.create_bucket(Bucket=cls.bucket)
        cls.key_id = kms.create_key(Description="s3 inline")["KeyMetadata"]["KeyId"]
        cls.ssec_key = os.urandom(32)
        cls.ssec = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": cls.ssec_key}
        kms_kw = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": cls.key_id}
        # key -> (body, extra get/put args, where it must be stored)
        cls.objects = {}

        def put(key, body, where, **kw):
            s3.put_object(Bucket=cls.bucket, Key=key, Body=body, **kw)
            cls.objects[key] = (body, kw if "SSECustomerKey" in kw else {}, where)

        put("s3/small", b"INLINE-S3-" + os.urandom(3000), "inline")
        put("kms/small", b"INLINE-KMS-" + os.urandom(3000), "inline", **kms_kw)
        put("c/small", b"INLINE-C-" + os.urandom(3000), "inline", **cls.ssec)
        put("s3/empty", b"", "inline")
        put("s3/edge-inline", os.urandom(INLINE_MAX), "inline")
        put("kms/edge-file", os.urandom(INLINE_MAX + 1), "blob", **kms_kw)
        put("c/edge-inline", os.urandom(INLINE_MAX), "inline", **cls.ssec)
        # no Content-Length: buffered, then kept inline or spilled to a file
        for key, body, where in (("chunked/small", b"CHUNKED-" + os.urandom(5000), "inline"),
                                 ("chunked/large", os.urandom(3 * INLINE_MAX + 5), "blob")):
            cls.chunked_put(key, body)
            cls.objects[key] = (body, {}, where)
        # overwrites across the threshold, both ways
        s3.put_object(Bucket=cls.bucket, Key="over/to-small", Body=os.urandom(300 * 1024))
        put("over/to-small", b"NOW-SMALL-" + os.urandom(2000), "inline")
        s3.put_object(Bucket=cls.bucket, Key="over/to-large", Body=os.urandom(2000))
        put("over/to-large", os.urandom(200 * 1024), "blob")
        # copies: inline -> inline (re-sealed under another kind), file -> inline
        s3.copy_object(Bucket=cls.bucket, Key="copy/of-kms-small", ServerSideEncryption="AES256",
                       CopySource={"Bucket": cls.bucket, "Key": "kms/small"})
        cls.objects["copy/of-kms-small"] = (cls.objects["kms/small"][0], {}, "inline")
        s3.copy_object(Bucket=cls.bucket, Key="copy/of-c-small", CopySource={"Bucket": cls.bucket, "Key": "c/small"},
                       CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=cls.ssec_key)
        cls.objects["copy/of-c-small"] = (cls.objects["c/small"][0], {}, "inline")
        # UploadPartCopy from an inline source (parts are files)
        uid = s3.create_multipart_upload(Bucket=cls.bucket, Key="mp/from-inline")["UploadId"]
        e = s3.upload_part_copy(Bucket=cls.bucket, Key="mp/from-inline", UploadId=uid, PartNumber=1,
                                CopySource={"Bucket": cls.bucket, "Key": "s3/small"},
                                CopySourceRange="bytes=10-1009")["CopyPartResult"]["ETag"]
        s3.complete_multipart_upload(Bucket=cls.bucket, Key="mp/from-inline", UploadId=uid,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
        cls.objects["mp/from-inline"] = (cls.objects["s3/small"][0][10:1010], {}, "parts")
        cls.windows = {}
        for key, (body, _, _) in cls.objects.items():
            if len(body) >= 32:
                cls.windows.update(needle_windows(key, body))
        k = cls.ssec_key
        cls.key_needles = [("SSE-C key", k), ("SSE-C key base64", base64.b64encode(k)),
                           ("SSE-C key hex", k.hex().encode())]

    def inspect(self, key):
        status, _, body = self.server.http("GET", "/_awsemu/inspect/s3/%s/%s" % (self.bucket, encode_key(key)))
        self.assertEqual(200, status, body[:300])
        return json.loads(body)

    def get(self, key, **kw):
        return self.s3.get_object(Bucket=self.bucket, Key=key, **dict(self.objects[key][1], **kw))

    # -- at rest -----------------------------------------------------------
    def test_no_plaintext_while_running(self):
        self.assertEqual([], self.hits_running, "small-object plaintext found in the data dir")
        self.assertEqual([], self.key_hits_running)

    def test_no_plaintext_after_restart(self):
        self.assertEqual([], scan_windows(self.data_dir, self.windows), "small-object plaintext found in the data dir")
        self.assertEqual([], scan_for(self.data_dir, self.key_needles))

    def test_placement_and_stored_size(self):
        for key, (body, _, where) in self.objects.items():
            with self.subTest(key=key):
                doc = self.inspect(key)
                self.assertEqual(where, doc["stored_in"], doc)
                self.assertEqual(len(body), doc["plaintext_bytes"])
                if where == "inline":
                    self.assertEqual(0, doc["blob_count"], doc)
                    self.assertNotIn("blob_id", doc)
                if where != "parts":
                    self.assertEqual(sealed_size(len(body)), doc["stored_bytes"], doc)
                    self.assertEqual(len(body) // FRAME + 1, doc["frame_count"], doc)

    def test_only_file_bodies_have_files(self):
        want = sum(1 for _, _, where in self.objects.values() if where in ("blob", "parts"))
        self.assertEqual(want, len(blob_files(self.data_dir)),
                         "blob files do not match the file-stored bodies (an inline body wrote a file, "
                         "or an overwritten one was left behind)")

    # -- reads after the restart --------------------------------------------
    def test_read_back_after_restart(self):
        for key, (body, _, _) in self.objects.items():
            with self.subTest(key=key):
                g = self.get(key)
                self.assertTrue(body == g["Body"].read(), "%s differs after restart" % key)
                self.assertEqual(len(body), g["ContentLength"])

    def test_ranged_reads_of_small_bodies(self):
        for key in ("s3/small", "kms/small", "c/small", "s3/edge-inline", "c/edge-inline", "chunked/small"):
            body = self.objects[key][0]
            n = len(body)
            for rng, want in (("bytes=0-0", body[:1]), ("bytes=100-199", body[100:200]),
                              ("bytes=-50", body[-50:]), ("bytes=%d-" % (n - 10), body[n - 10:]),
                              ("bytes=5-%d" % (n + 1000), body[5:]), ("bytes=%d-%d" % (n - 536, n - 1), body[-536:])):
                with self.subTest(key=key, range=rng):
                    g = self.get(key, Range=rng)
                    self.assertEqual(206, g["ResponseMetadata"]["HTTPStatusCode"])
                    self.assertTrue(want == g["Body"].read(), "%s %s" % (key, rng))
            with self.subTest(key=key, range="past the end"):
                with self.assertRaises(ClientError) as cm:
                    self.get(key, Range="bytes=%d-" % n)
                self.assertEqual(416, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])

    def test_sse_c_small_still_needs_the_key(self):
        for kw, status in (({}, 400), ({"SSECustomerAlgorithm": "AES256", "SSECustomerKey": os.urandom(32)}, 403)):
            with self.assertRaises(ClientError) as cm:
                self.s3.get_object(Bucket=self.bucket, Key="c/small", **kw)
            self.assertEqual(status, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])

    def test_small_object_lifecycle_after_restart(self):
        body = b"LIFECYCLE-" + os.urandom(700)
        self.s3.put_object(Bucket=self.bucket, Key="life", Body=body, ServerSideEncryption="aws:kms",
                           SSEKMSKeyId=self.key_id)
        before = set(blob_files(self.data_dir))
        self.server.restart()
        self.s3 = s3_client(self.server)
        self.assertTrue(body == self.s3.get_object(Bucket=self.bucket, Key="life")["Body"].read())
        self.assertEqual(before, set(blob_files(self.data_dir)), "the start-up sweep changed the blob files")
        for key, (b, _, _) in self.objects.items():
            with self.subTest(key=key):
                self.assertTrue(b == self.get(key)["Body"].read(), "%s lost by the start-up sweep" % key)
        self.s3.delete_object(Bucket=self.bucket, Key="life")
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object(Bucket=self.bucket, Key="life")
        self.assertEqual(404, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])


if __name__ == "__main__":
    unittest.main()
