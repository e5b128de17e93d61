"""S3 objects at rest and across restarts (--data-dir): no 32-byte window of
any object body (SSE-S3, SSE-KMS, SSE-C; bodies large enough to span
frames, and small ones) appears in any file under the data dir, raw, in
base64 or in hex; an SSE-C key is not stored (AWS keeps only a salted HMAC
of it); after a restart every object reads back byte for byte with its
encryption settings, and storage is freed by overwrites and deletes."""

import base64
import hashlib
import os
import shutil
import tempfile
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import EXTERNAL_URL, Server, scan_for
from test_s3 import s3_client

WINDOW = 32


def file_list(root):
    out = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            out.append(os.path.join(dirpath, name))
    return out


def needle_windows(label, data):
    """{window: label}: every raw 32-byte window, and windows of the base64
    and hex forms (sampled: a stored copy of either still contains them)."""
    out = {}
    for i in range(len(data) - WINDOW + 1):
        out.setdefault(data[i:i + WINDOW], label)
    b64 = base64.b64encode(data)
    for i in range(0, len(b64) - WINDOW + 1, 4):
        out.setdefault(b64[i:i + WINDOW], label + " (base64)")
    hx = data.hex().encode()
    for i in range(0, len(hx) - WINDOW + 1, 16):
        out.setdefault(hx[i:i + WINDOW], label + " (hex)")
    return out


def scan_windows(root, windows):
    """[(relative path, offset, label)]: the first window hit per file."""
    hits = []
    for path in file_list(root):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            continue
        for i in range(len(data) - WINDOW + 1):
            label = windows.get(data[i:i + WINDOW])
            if label is not None:
                hits.append((os.path.relpath(path, root), i, label))
                break
    return hits


def blob_files(root):
    """Committed object-body files (everything under blobs/ except tmp/)."""
    base = os.path.join(root, "blobs")
    return [p for p in file_list(base) if os.sep + "tmp" + os.sep not in p[len(base):]]


@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class S3AtRestTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-s3-data-")
        cls.server = Server(["--data-dir", cls.data_dir])
        try:
            cls.server.start()
            cls._populate()
            cls.hits_running = scan_windows(cls.data_dir, cls.windows)
            cls.needle_hits_running = scan_for(cls.data_dir, cls.key_needles)
            cls.server.restart()
            cls.hits_stopped = None
        except Exception:
            cls.server.cleanup()
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise
        cls.s3 = s3_client(cls.server)
        cls.kms = cls.server.client("kms")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)
        # ~1M 32-byte windows (~150 MB) and the bodies: a class outlives
        # its tests, so they would stay for the rest of the run
        for name in ("windows", "bodies", "mp_parts", "pending_part"):
            if hasattr(cls, name):
                delattr(cls, name)

    @classmethod
    def _populate(cls):
        s3 = s3_client(cls.server)
        kms = cls.server.client("kms")
        cls.bucket = "persist-" + uuid.uuid4().hex[:12]
        s3.create_bucket(Bucket=cls.bucket)
        md = kms.create_key(Description="s3 at rest")["KeyMetadata"]
        cls.key_id, cls.key_arn = md["KeyId"], md["Arn"]
        cls.ssec_key = os.urandom(32)
        cls.ssec = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": cls.ssec_key}
        size = 210 * 1024 + 7
        cls.bodies = {
            "sse-s3/large": os.urandom(size),
            "sse-kms/large": os.urandom(size + 1),
            "sse-c/large": os.urandom(size + 2),
            "sse-s3/small": b"SMALL-S3-" + os.urandom(48),
            "sse-kms/small": b"SMALL-KMS-" + os.urandom(48),
            "sse-c/small": b"SMALL-C-" + os.urandom(48),
        }
        for key, body in cls.bodies.items():
            if key.startswith("sse-s3/"):
                s3.put_object(Bucket=cls.bucket, Key=key, Body=body)
            elif key.startswith("sse-kms/"):
                s3.put_object(Bucket=cls.bucket, Key=key, Body=body, ServerSideEncryption="aws:kms",
                              SSEKMSKeyId=cls.key_id, SSEKMSEncryptionContext=base64.b64encode(
                                  b'{"case":"at-rest"}').decode())
            else:
                s3.put_object(Bucket=cls.bucket, Key=key, Body=body, **cls.ssec)
        # a multipart object (parts are stored too, until completion)
        cls.mp_parts = [os.urandom(5 * 1024 * 1024), b"MP-TAIL-" + os.urandom(64)]
        uid = s3.create_multipart_upload(Bucket=cls.bucket, Key="mp/obj")["UploadId"]
        parts = []
        for n, p in enumerate(cls.mp_parts, 1):
            e = s3.upload_part(Bucket=cls.bucket, Key="mp/obj", UploadId=uid, PartNumber=n, Body=p)["ETag"]
            parts.append({"PartNumber": n, "ETag": e})
        s3.complete_multipart_upload(Bucket=cls.bucket, Key="mp/obj", UploadId=uid,
                                     MultipartUpload={"Parts": parts})
        # an upload left in progress across the restart
        cls.pending_part = b"PENDING-PART-" + os.urandom(100000)
        cls.pending_uid = s3.create_multipart_upload(Bucket=cls.bucket, Key="mp/pending")["UploadId"]
        cls.pending_etag = s3.upload_part(Bucket=cls.bucket, Key="mp/pending", UploadId=cls.pending_uid,
                                          PartNumber=1, Body=cls.pending_part)["ETag"]
        cls.windows = {}
        for key, body in cls.bodies.items():
            cls.windows.update(needle_windows(key, body))
        # the large part only sampled (every 64th window): any stored copy
        # of it still shows
        big = cls.mp_parts[0]
        for i in range(0, len(big) - WINDOW + 1, 64):
            cls.windows.setdefault(big[i:i + WINDOW], "mp part 1")
        cls.windows.update(needle_windows("mp tail", cls.mp_parts[1]))
        cls.windows.update(needle_windows("pending part", cls.pending_part))
        k = cls.ssec_key
        cls.key_needles = [("SSE-C key", k), ("SSE-C key base64", base64.b64encode(k)),
                           ("SSE-C key hex", k.hex().encode()),
                           ("SSE-C key MD5 (unsalted)", hashlib.md5(k).digest()),
                           ("SSE-C key MD5 base64 (unsalted)", base64.b64encode(hashlib.md5(k).digest())),
                           ("SSE-C key SHA-256 (unsalted)", hashlib.sha256(k).digest())]

    # -- at rest -----------------------------------------------------------
    def test_no_plaintext_while_running(self):
        self.assertEqual([], self.hits_running, "object plaintext found in the data dir")

    def test_no_plaintext_after_restart(self):
        self.assertEqual([], scan_windows(self.data_dir, self.windows), "object plaintext found in the data dir")

    def test_customer_key_not_stored(self):
        self.assertEqual([], self.needle_hits_running)
        self.assertEqual([], scan_for(self.data_dir, self.key_needles))

    def test_file_modes(self):
        p = os.path.join(self.data_dir, "master.key")
        self.assertEqual(0, os.stat(p).st_mode & 0o077, "master.key is readable by group/others")
        for p in blob_files(self.data_dir):
            self.assertEqual(0, os.stat(p).st_mode & 0o077, "%s is readable by group/others" % p)

    # -- after the restart -------------------------------------------------
    def test_objects_read_back(self):
        for key, body in self.bodies.items():
            with self.subTest(key=key):
                kw = self.ssec if key.startswith("sse-c/") else {}
                g = self.s3.get_object(Bucket=self.bucket, Key=key, **kw)
                self.assertTrue(body == g["Body"].read(), "%s differs after restart" % key)
                if key.startswith("sse-s3/"):
                    self.assertEqual("AES256", g["ServerSideEncryption"])
                elif key.startswith("sse-kms/"):
                    self.assertEqual("aws:kms", g["ServerSideEncryption"])
                    self.assertEqual(self.key_arn, g["SSEKMSKeyId"])
                else:
                    self.assertEqual(base64.b64encode(hashlib.md5(self.ssec_key).digest()).decode(),
                                     g["SSECustomerKeyMD5"])
        # ranged reads across frames
        body = self.bodies["sse-kms/large"]
        g = self.s3.get_object(Bucket=self.bucket, Key="sse-kms/large", Range="bytes=65000-140000")
        self.assertTrue(body[65000:140001] == g["Body"].read())
        mp = self.s3.get_object(Bucket=self.bucket, Key="mp/obj")
        self.assertTrue(b"".join(self.mp_parts) == mp["Body"].read())
        self.assertTrue(mp["ETag"].endswith('-2"'))

    def test_listing_after_restart(self):
        keys = [c["Key"] for c in self.s3.list_objects_v2(Bucket=self.bucket)["Contents"]]
        self.assertEqual(sorted(list(self.bodies) + ["mp/obj"]), keys)
        self.assertIn(self.bucket, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])

    def test_pending_upload_survives(self):
        r = self.s3.list_parts(Bucket=self.bucket, Key="mp/pending", UploadId=self.pending_uid)
        self.assertEqual([(1, self.pending_etag)], [(p["PartNumber"], p["ETag"]) for p in r["Parts"]])
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp/pending", UploadId=self.pending_uid,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": self.pending_etag}]})
        self.assertTrue(self.pending_part == self.s3.get_object(Bucket=self.bucket, Key="mp/pending")["Body"].read())
        self.s3.delete_object(Bucket=self.bucket, Key="mp/pending")

    def test_sse_c_still_needs_the_key(self):
        for kw, status in (({}, 400), ({"SSECustomerAlgorithm": "AES256", "SSECustomerKey": os.urandom(32)}, 403)):
            with self.assertRaises(ClientError) as cm:
                self.s3.get_object(Bucket=self.bucket, Key="sse-c/large", **kw)
            self.assertEqual(status, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])

    def test_kms_key_state_still_governs(self):
        self.kms.disable_key(KeyId=self.key_id)
        try:
            with self.assertRaises(ClientError) as cm:
                self.s3.get_object(Bucket=self.bucket, Key="sse-kms/small")
            st = cm.exception.response["ResponseMetadata"]["HTTPStatusCode"]
            self.assertTrue(400 <= st < 500, st)
        finally:
            self.kms.enable_key(KeyId=self.key_id)
        self.assertEqual(self.bodies["sse-kms/small"],
                         self.s3.get_object(Bucket=self.bucket, Key="sse-kms/small")["Body"].read())

    def test_overwrite_and_delete_free_storage(self):
        before = set(blob_files(self.data_dir))
        for i in range(4):
            self.s3.put_object(Bucket=self.bucket, Key="churn", Body=os.urandom(300 * 1024))
        after = set(blob_files(self.data_dir))
        self.assertLessEqual(len(after - before), 1, "overwritten bodies were not removed")
        self.s3.delete_object(Bucket=self.bucket, Key="churn")
        self.assertEqual(before, set(blob_files(self.data_dir)), "a deleted object's body is still on disk")

    def test_multipart_storage_freed(self):
        before = set(blob_files(self.data_dir))
        part = os.urandom(5 * 1024 * 1024)
        # completed with a subset of the uploaded parts, then deleted
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp/churn")["UploadId"]
        etags = {}
        for n, body in ((1, part), (2, b"replaced"), (2, part), (3, b"unused part"), (4, b"tail")):
            etags[n] = self.s3.upload_part(Bucket=self.bucket, Key="mp/churn", UploadId=uid, PartNumber=n,
                                           Body=body)["ETag"]
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp/churn", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": n, "ETag": etags[n]} for n in (1, 2, 4)]})
        self.assertTrue(part + part + b"tail" ==
                        self.s3.get_object(Bucket=self.bucket, Key="mp/churn")["Body"].read())
        self.assertLessEqual(len(set(blob_files(self.data_dir)) - before), 3,
                             "bodies of replaced or unused parts are still on disk")
        # overwritten by a single-part object, then deleted
        self.s3.put_object(Bucket=self.bucket, Key="mp/churn", Body=b"single")
        self.assertLessEqual(len(set(blob_files(self.data_dir)) - before), 1,
                             "an overwritten multipart object's parts are still on disk")
        self.s3.delete_object(Bucket=self.bucket, Key="mp/churn")
        self.assertEqual(before, set(blob_files(self.data_dir)), "a deleted object's body is still on disk")
        # an aborted upload leaves nothing
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp/aborted")["UploadId"]
        for n in (1, 2):
            self.s3.upload_part(Bucket=self.bucket, Key="mp/aborted", UploadId=uid, PartNumber=n, Body=part)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key="mp/aborted", UploadId=uid)
        self.assertEqual(before, set(blob_files(self.data_dir)), "an aborted upload's parts are still on disk")
        # a multipart object deleted directly
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp/direct")["UploadId"]
        e = self.s3.upload_part(Bucket=self.bucket, Key="mp/direct", UploadId=uid, PartNumber=1, Body=part)["ETag"]
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp/direct", UploadId=uid,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
        self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": "mp/direct"}]})
        self.assertEqual(before, set(blob_files(self.data_dir)), "a deleted multipart object's parts are on disk")
