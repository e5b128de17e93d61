"""S3 server-side encryption: SSE-S3 (the default), SSE-KMS by request
header and by bucket default, KMS key state (missing, disabled, pending
deletion) on PUT and GET, SSE-C (customer keys), re-encryption by
CopyObject, multipart under SSE-KMS/SSE-C, and the envelope inspector
GET /_awsemu/inspect/s3/<bucket>/<key>."""

import base64
import hashlib
import json
import os
import uuid

from test_s3 import (ACCOUNT, MiB, REGION, S3TestCase, body_of, encode_key,
                     md5_b64, quoted_md5, uniq)

KMS_GET_CODES = ("KMS.DisabledException", "KMS.KMSInvalidStateException", "KMS.NotFoundException",
                 "AccessDenied", "KMS.AccessDeniedException")
FRAME_HEADER = 24  # storage/frames.h: "AWSF" | version | 3 zero bytes | frame size | base IV
FRAME_TAG = 16


def b64json(d):
    return base64.b64encode(json.dumps(d).encode()).decode()


def norm(name):
    return name.lower().replace("_", "").replace("-", "")


def find_field(doc, *names):
    """The first value in a JSON document (searched depth-first) whose key
    matches one of names, ignoring case, '_' and '-'."""
    want = [norm(n) for n in names]
    todo = [doc]
    while todo:
        d = todo.pop(0)
        if isinstance(d, dict):
            for w in want:
                for k, v in d.items():
                    if norm(k) == w:
                        return v
            todo.extend(v for v in d.values() if isinstance(v, (dict, list)))
        elif isinstance(d, list):
            todo.extend(d)
    return None


class EncTestCase(S3TestCase):
    def inspect(self, bucket, key, expect=200):
        status, _, body = self.server.http("GET", "/_awsemu/inspect/s3/%s/%s" % (bucket, encode_key(key)))
        self.assertEqual(expect, status, body[:300])
        doc = json.loads(body)
        self.assertIsInstance(doc, dict)
        return doc

    def check_frames(self, doc, size):
        """The framing numbers agree with each other and with size."""
        fs = find_field(doc, "frame_size", "framesize")
        fc = find_field(doc, "frame_count", "frames", "framecount")
        pb = find_field(doc, "plaintext_bytes", "plaintext_size", "size", "object_size")
        sb = find_field(doc, "stored_bytes", "stored_size", "stored_byte_count", "sealed_bytes")
        self.assertIsInstance(fs, (int, float), doc)
        self.assertIsInstance(fc, (int, float), doc)
        self.assertIsInstance(sb, (int, float), doc)
        self.assertGreater(fs, 0)
        if pb is not None:
            self.assertEqual(size, pb, doc)
        # a body of n bytes is n // F + 1 frames (the last one possibly empty)
        self.assertEqual(size // fs + 1, fc, doc)
        self.assertEqual(FRAME_HEADER + size + FRAME_TAG * fc, sb, doc)
        return fs, fc, sb

    def new_key(self, **kw):
        return self.kms.create_key(Description="s3 e2e " + uuid.uuid4().hex[:8], **kw)["KeyMetadata"]

    def managed_s3_key_arn(self):
        return self.kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]

    def assertKmsFailure(self, codes, fn, *args, **kwargs):
        """fn fails with a 4xx (never 5xx) and one of codes."""
        from botocore.exceptions import ClientError
        try:
            fn(*args, **kwargs)
        except ClientError as e:
            st = e.response["ResponseMetadata"]["HTTPStatusCode"]
            code = e.response["Error"].get("Code")
            self.assertTrue(400 <= st < 500, "KMS failure should be 4xx, got %d %s" % (st, code))
            self.assertIn(code, codes)
            return e.response
        self.fail("expected one of %s, call succeeded" % "/".join(codes))


# ==========================================================================
# SSE-S3
# ==========================================================================

class SseS3Tests(EncTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("sses3"))

    def test_default_is_sse_s3(self):
        body = body_of(1000)
        r = self.put(self.bucket, "default", body)
        self.assertEqual("AES256", r["ServerSideEncryption"])
        self.assertEqual(quoted_md5(body), r["ETag"])
        self.assertNotIn("SSEKMSKeyId", r)
        for method in ("GET", "HEAD"):
            h = self.raw(method, self.obj_path(self.bucket, "default"))
            self.assertEqual(200, h.status)
            self.assertEqual("AES256", h.header("x-amz-server-side-encryption"))
            self.assertIsNone(h.header("x-amz-server-side-encryption-aws-kms-key-id"))

    def test_explicit_aes256(self):
        r = self.put(self.bucket, "explicit", b"explicit", ServerSideEncryption="AES256")
        self.assertEqual("AES256", r["ServerSideEncryption"])
        self.assertEqual("AES256", self.s3.head_object(Bucket=self.bucket, Key="explicit")["ServerSideEncryption"])

    def test_invalid_algorithm(self):
        r = self.raw("PUT", self.obj_path(self.bucket, "badalg"), body=b"x",
                     headers={"x-amz-server-side-encryption": "AES128"})
        self.assertRawError(r, 400, "InvalidArgument")
        self.assertNoSuchKey(self.bucket, "badalg")

    def test_kms_key_id_without_kms(self):
        key = self.new_key()
        r = self.raw("PUT", self.obj_path(self.bucket, "mismatch"), body=b"x",
                     headers={"x-amz-server-side-encryption": "AES256",
                              "x-amz-server-side-encryption-aws-kms-key-id": key["KeyId"]})
        self.assertEqual(400, r.status, r)
        self.assertIn(r.error().get("Code"), ("InvalidArgument", "InvalidRequest"), r)
        self.assertNoSuchKey(self.bucket, "mismatch")

    def test_inspect(self):
        size = 200 * 1024 + 17
        self.put(self.bucket, "inspect me", body_of(size))
        doc = self.inspect(self.bucket, "inspect me")
        self.assertEqual("AES256", find_field(doc, "algorithm", "sse_algorithm", "server_side_encryption"))
        self.assertTrue(find_field(doc, "wrapped_data_key", "encrypted_data_key", "data_key"), doc)
        fs, fc, _ = self.check_frames(doc, size)
        self.assertGreater(fc, 1, "a 200 KiB body spans frames")
        doc = self.inspect(self.bucket, "no-such-key", expect=404)
        self.inspect(uniq("nobucket"), "k", expect=404)

    def test_empty_object_inspect(self):
        self.put(self.bucket, "empty", b"")
        self.check_frames(self.inspect(self.bucket, "empty"), 0)


# ==========================================================================
# SSE-KMS
# ==========================================================================

class SseKmsTests(EncTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("ssekms"))
        md = cls.kms.create_key(Description="s3 sse-kms e2e")["KeyMetadata"]
        cls.key_id, cls.key_arn = md["KeyId"], md["Arn"]
        cls.alias = "alias/s3e2e-" + uuid.uuid4().hex[:10]
        cls.kms.create_alias(AliasName=cls.alias, TargetKeyId=cls.key_id)

    def put_kms(self, key, body, kms_key=None, **kw):
        kw["ServerSideEncryption"] = "aws:kms"
        if kms_key:
            kw["SSEKMSKeyId"] = kms_key
        return self.put(self.bucket, key, body, **kw)

    def test_key_id_forms(self):
        alias_arn = "arn:aws:kms:%s:%s:%s" % (REGION, ACCOUNT, self.alias)
        body = body_of(70000)
        for i, form in enumerate((self.key_id, self.key_arn, self.alias, alias_arn)):
            with self.subTest(form=form):
                k = "forms/%d" % i
                r = self.put_kms(k, body, form)
                self.assertEqual("aws:kms", r["ServerSideEncryption"])
                self.assertEqual(self.key_arn, r["SSEKMSKeyId"])
                self.assertNotEqual(quoted_md5(body), r["ETag"], "SSE-KMS ETags are not the MD5")
                g = self.s3.get_object(Bucket=self.bucket, Key=k)
                self.assertEqual(body, g["Body"].read())
                self.assertEqual("aws:kms", g["ServerSideEncryption"])
                self.assertEqual(self.key_arn, g["SSEKMSKeyId"])
                self.assertEqual(r["ETag"], g["ETag"])
                h = self.raw("HEAD", self.obj_path(self.bucket, k))
                self.assertEqual("aws:kms", h.header("x-amz-server-side-encryption"))
                self.assertEqual(self.key_arn, h.header("x-amz-server-side-encryption-aws-kms-key-id"))

    def test_aws_managed_key(self):
        r = self.put_kms("managed", b"managed key body")
        self.assertEqual("aws:kms", r["ServerSideEncryption"])
        md = self.kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
        self.assertEqual("AWS", md["KeyManager"])
        self.assertEqual(md["Arn"], r["SSEKMSKeyId"])
        self.assertEqual(b"managed key body", self.get_bytes(self.bucket, "managed"))

    def test_encryption_context(self):
        ctx = {"department": "finance", "project": "ü-42"}
        r = self.put_kms("ctx", b"context body", self.key_id, SSEKMSEncryptionContext=b64json(ctx))
        self.assertEqual(b"context body", self.get_bytes(self.bucket, "ctx"))
        doc = self.inspect(self.bucket, "ctx")
        stored = find_field(doc, "encryption_context", "context")
        self.assertIsInstance(stored, dict, doc)
        for k, v in ctx.items():
            self.assertEqual(v, stored.get(k), doc)
        # PutObject answers with the context it used
        self.assertIn("SSEKMSEncryptionContext", r, "PutObject response lacks "
                      "x-amz-server-side-encryption-context")
        echoed = json.loads(base64.b64decode(r["SSEKMSEncryptionContext"]))
        for k, v in ctx.items():
            self.assertEqual(v, echoed.get(k))

    def test_invalid_encryption_context(self):
        for bad in ("not base64 !!", base64.b64encode(b"not json").decode(),
                    base64.b64encode(b'["a list"]').decode()):
            with self.subTest(ctx=bad):
                r = self.raw("PUT", self.obj_path(self.bucket, "badctx"), body=b"x",
                             headers={"x-amz-server-side-encryption": "aws:kms",
                                      "x-amz-server-side-encryption-aws-kms-key-id": self.key_id,
                                      "x-amz-server-side-encryption-context": bad})
                self.assertRawError(r, 400, "InvalidArgument")
        self.assertNoSuchKey(self.bucket, "badctx")

    def test_bucket_key_flag_echoed(self):
        r = self.put_kms("bk", b"bucket key", self.key_id, BucketKeyEnabled=True)
        self.assertTrue(r.get("BucketKeyEnabled"))
        for method in ("GET", "HEAD"):
            h = self.raw(method, self.obj_path(self.bucket, "bk"))
            self.assertEqual("true", h.header("x-amz-server-side-encryption-bucket-key-enabled"))
        doc = self.inspect(self.bucket, "bk")
        self.assertIs(True, find_field(doc, "bucket_key_enabled", "bucket_key"))

    def test_bucket_default_kms(self):
        b = self.make_bucket(uniq("kmsdefault"))
        other = self.new_key()
        self.s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.key_arn},
            "BucketKeyEnabled": True}]})
        r = self.put(b, "by-default", b"default kms")
        self.assertEqual("aws:kms", r["ServerSideEncryption"])
        self.assertEqual(self.key_arn, r["SSEKMSKeyId"])
        self.assertTrue(r.get("BucketKeyEnabled"))
        h = self.s3.head_object(Bucket=b, Key="by-default")
        self.assertEqual(self.key_arn, h["SSEKMSKeyId"])
        self.assertEqual(b"default kms", self.get_bytes(b, "by-default"))
        # request headers win over the default
        r = self.put(b, "explicit-aes", b"aes", ServerSideEncryption="AES256")
        self.assertEqual("AES256", r["ServerSideEncryption"])
        r = self.put(b, "explicit-other", b"other", ServerSideEncryption="aws:kms", SSEKMSKeyId=other["KeyId"])
        self.assertEqual(other["Arn"], r["SSEKMSKeyId"])
        # a default of aws:kms without a key uses aws/s3
        self.s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
        r = self.put(b, "managed-default", b"m")
        self.assertEqual("aws:kms", r["ServerSideEncryption"])
        self.assertEqual(self.managed_s3_key_arn(), r["SSEKMSKeyId"])
        # multipart uploads follow the default too
        uid = self.s3.create_multipart_upload(Bucket=b, Key="mp-default")["UploadId"]
        e = self.s3.upload_part(Bucket=b, Key="mp-default", UploadId=uid, PartNumber=1, Body=b"mp")["ETag"]
        self.s3.complete_multipart_upload(Bucket=b, Key="mp-default", UploadId=uid,
                                          MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]})
        h = self.s3.head_object(Bucket=b, Key="mp-default")
        self.assertEqual("aws:kms", h["ServerSideEncryption"])

    def test_missing_key_fails_put(self):
        for bad in (str(uuid.uuid4()), "alias/does-not-exist-" + uuid.uuid4().hex[:6],
                    "arn:aws:kms:%s:%s:key/%s" % (REGION, ACCOUNT, uuid.uuid4())):
            with self.subTest(key=bad):
                self.assertKmsFailure(("KMS.NotFoundException",), self.put_kms, "nokey", b"x", bad)
        self.assertNoSuchKey(self.bucket, "nokey")

    def test_disabled_key_fails_put(self):
        md = self.new_key()
        self.kms.disable_key(KeyId=md["KeyId"])
        self.assertKmsFailure(("KMS.DisabledException",), self.put_kms, "disabled-put", b"x", md["KeyId"])
        self.assertNoSuchKey(self.bucket, "disabled-put")
        # multipart creation too
        self.assertKmsFailure(("KMS.DisabledException",), self.s3.create_multipart_upload, Bucket=self.bucket,
                              Key="disabled-mp", ServerSideEncryption="aws:kms", SSEKMSKeyId=md["KeyId"])

    def test_pending_deletion_key_fails_put(self):
        md = self.new_key()
        self.kms.schedule_key_deletion(KeyId=md["KeyId"], PendingWindowInDays=7)
        self.assertKmsFailure(("KMS.KMSInvalidStateException",), self.put_kms, "pending-put", b"x", md["KeyId"])
        self.assertNoSuchKey(self.bucket, "pending-put")

    def test_disabled_key_blocks_get_until_enabled(self):
        md = self.new_key()
        body = body_of(150000)
        self.put_kms("shred", body, md["KeyId"])
        self.kms.disable_key(KeyId=md["KeyId"])
        self.assertKmsFailure(("KMS.DisabledException",) + KMS_GET_CODES, self.s3.get_object,
                              Bucket=self.bucket, Key="shred")
        self.assertKmsFailure(KMS_GET_CODES, self.s3.get_object, Bucket=self.bucket, Key="shred",
                              Range="bytes=70000-70010")
        self.assertKmsFailure(KMS_GET_CODES, self.s3.copy_object, Bucket=self.bucket, Key="shred-copy",
                              CopySource={"Bucket": self.bucket, "Key": "shred"})
        # HEAD needs no decryption in AWS; whatever it answers it is no 5xx
        h = self.raw("HEAD", self.obj_path(self.bucket, "shred"))
        self.assertLess(h.status, 500)
        self.kms.enable_key(KeyId=md["KeyId"])
        self.assertTrue(body == self.get_bytes(self.bucket, "shred"))

    def test_pending_deletion_blocks_get_until_cancelled(self):
        md = self.new_key()
        self.put_kms("pending", b"pending body", md["KeyId"])
        self.kms.schedule_key_deletion(KeyId=md["KeyId"], PendingWindowInDays=7)
        self.assertKmsFailure(("KMS.KMSInvalidStateException",) + KMS_GET_CODES, self.s3.get_object,
                              Bucket=self.bucket, Key="pending")
        self.kms.cancel_key_deletion(KeyId=md["KeyId"])
        self.kms.enable_key(KeyId=md["KeyId"])
        self.assertEqual(b"pending body", self.get_bytes(self.bucket, "pending"))

    def test_copy_reencrypts(self):
        k1, k2 = self.new_key(), self.new_key()
        body = body_of(100000)
        self.put_kms("re-src", body, k1["KeyId"])
        r = self.s3.copy_object(Bucket=self.bucket, Key="re-dst", CopySource={"Bucket": self.bucket, "Key": "re-src"},
                                ServerSideEncryption="aws:kms", SSEKMSKeyId=k2["KeyId"])
        self.assertEqual("aws:kms", r["ServerSideEncryption"])
        self.assertEqual(k2["Arn"], r["SSEKMSKeyId"])
        self.assertEqual(k2["Arn"], self.s3.head_object(Bucket=self.bucket, Key="re-dst")["SSEKMSKeyId"])
        doc = self.inspect(self.bucket, "re-dst")
        self.assertEqual(k2["Arn"], find_field(doc, "kms_key_arn", "key_arn", "kms_key_id"))
        # really under k2 now: disabling k1 leaves the copy readable
        self.kms.disable_key(KeyId=k1["KeyId"])
        try:
            self.assertTrue(body == self.get_bytes(self.bucket, "re-dst"))
            self.assertKmsFailure(KMS_GET_CODES, self.s3.get_object, Bucket=self.bucket, Key="re-src")
        finally:
            self.kms.enable_key(KeyId=k1["KeyId"])
        # to SSE-S3, and without headers: the destination bucket's default (SSE-S3)
        r = self.s3.copy_object(Bucket=self.bucket, Key="re-aes", CopySource={"Bucket": self.bucket, "Key": "re-src"},
                                ServerSideEncryption="AES256")
        self.assertEqual("AES256", r["ServerSideEncryption"])
        r = self.s3.copy_object(Bucket=self.bucket, Key="re-default",
                                CopySource={"Bucket": self.bucket, "Key": "re-src"})
        self.assertEqual("AES256", r["ServerSideEncryption"])
        self.assertTrue(body == self.get_bytes(self.bucket, "re-default"))

    def test_multipart_under_kms(self):
        body1, body2 = body_of(5 * MiB, b"kms-mp-1"), body_of(1000, b"kms-mp-2")
        r = self.s3.create_multipart_upload(Bucket=self.bucket, Key="kms-mp", ServerSideEncryption="aws:kms",
                                            SSEKMSKeyId=self.alias)
        self.assertEqual("aws:kms", r["ServerSideEncryption"])
        self.assertEqual(self.key_arn, r["SSEKMSKeyId"])
        uid = r["UploadId"]
        p1 = self.s3.upload_part(Bucket=self.bucket, Key="kms-mp", UploadId=uid, PartNumber=1, Body=body1)
        self.assertEqual("aws:kms", p1.get("ServerSideEncryption"))
        p2 = self.s3.upload_part(Bucket=self.bucket, Key="kms-mp", UploadId=uid, PartNumber=2, Body=body2)
        c = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="kms-mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["ETag"]}]})
        self.assertEqual("aws:kms", c.get("ServerSideEncryption"))
        g = self.s3.get_object(Bucket=self.bucket, Key="kms-mp")
        self.assertTrue(body1 + body2 == g["Body"].read())
        self.assertEqual(self.key_arn, g["SSEKMSKeyId"])

    def test_inspect_envelope(self):
        size = 300 * 1024 + 5
        ctx = {"purpose": "inspect"}
        self.put_kms("inspect/obj", body_of(size), self.key_id, SSEKMSEncryptionContext=b64json(ctx))
        doc = self.inspect(self.bucket, "inspect/obj")
        self.assertEqual("aws:kms", find_field(doc, "algorithm", "sse_algorithm", "server_side_encryption"))
        self.assertEqual(self.key_arn, find_field(doc, "kms_key_arn", "key_arn", "kms_key_id"))
        stored_ctx = find_field(doc, "encryption_context", "context")
        self.assertIsInstance(stored_ctx, dict, doc)
        self.assertEqual("inspect", stored_ctx.get("purpose"))
        wrapped = find_field(doc, "wrapped_data_key", "encrypted_data_key", "data_key")
        self.assertTrue(wrapped, doc)
        blob = base64.b64decode(wrapped)
        self.assertGreater(len(blob), 32)
        _, fc, _ = self.check_frames(doc, size)
        self.assertGreater(fc, 2)
        # the wrapped data key is a KMS ciphertext of a 256-bit key, bound to
        # the stored context
        d = self.kms.decrypt(CiphertextBlob=blob, EncryptionContext=stored_ctx)
        self.assertEqual(self.key_arn, d["KeyId"])
        self.assertEqual(32, len(d["Plaintext"]))
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError):
            self.kms.decrypt(CiphertextBlob=blob, EncryptionContext=dict(stored_ctx, purpose="other"))

    def test_default_context_names_the_object(self):
        self.put_kms("ctx/default", b"default context", self.key_id)
        doc = self.inspect(self.bucket, "ctx/default")
        ctx = find_field(doc, "encryption_context", "context")
        self.assertEqual({"aws:s3:arn": "arn:aws:s3:::%s/ctx/default" % self.bucket}, ctx)


# ==========================================================================
# SSE-C
# ==========================================================================

class SseCTests(EncTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("ssec"))
        cls.key = os.urandom(32)
        cls.other_key = os.urandom(32)

    def c_args(self, key=None, prefix=""):
        return {prefix + "SSECustomerAlgorithm": "AES256", prefix + "SSECustomerKey": key or self.key}

    def c_headers(self, key=None, md5=None, alg="AES256"):
        key = key or self.key
        return {"x-amz-server-side-encryption-customer-algorithm": alg,
                "x-amz-server-side-encryption-customer-key": base64.b64encode(key).decode(),
                "x-amz-server-side-encryption-customer-key-MD5": md5 or md5_b64(key)}

    def put_c(self, k, body, key=None, **kw):
        return self.put(self.bucket, k, body, **dict(self.c_args(key), **kw))

    def test_round_trip(self):
        body = body_of(200000)
        r = self.put_c("c/obj", body)
        self.assertEqual("AES256", r["SSECustomerAlgorithm"])
        self.assertEqual(md5_b64(self.key), r["SSECustomerKeyMD5"])
        self.assertNotEqual(quoted_md5(body), r["ETag"], "SSE-C ETags are not the MD5")
        g = self.s3.get_object(Bucket=self.bucket, Key="c/obj", **self.c_args())
        self.assertTrue(body == g["Body"].read())
        self.assertEqual("AES256", g["SSECustomerAlgorithm"])
        self.assertEqual(md5_b64(self.key), g["SSECustomerKeyMD5"])
        self.assertEqual(r["ETag"], g["ETag"])
        h = self.s3.head_object(Bucket=self.bucket, Key="c/obj", **self.c_args())
        self.assertEqual(len(body), h["ContentLength"])
        self.assertEqual(md5_b64(self.key), h["SSECustomerKeyMD5"])
        # ranged, across frames
        g = self.s3.get_object(Bucket=self.bucket, Key="c/obj", Range="bytes=65530-131080", **self.c_args())
        self.assertEqual(body[65530:131081], g["Body"].read())

    def test_without_key(self):
        self.put_c("c/nokey", b"secret")
        r = self.raw("GET", self.obj_path(self.bucket, "c/nokey"))
        self.assertRawError(r, 400, "InvalidRequest")
        self.assertNotIn(b"secret", r.body)
        h = self.raw("HEAD", self.obj_path(self.bucket, "c/nokey"))
        self.assertEqual(400, h.status)
        self.assertEqual(b"", h.body)
        self.assertS3Error(400, "InvalidRequest", self.s3.get_object, Bucket=self.bucket, Key="c/nokey")

    def test_wrong_key(self):
        self.put_c("c/wrong", b"secret")
        r = self.raw("GET", self.obj_path(self.bucket, "c/wrong"), headers=self.c_headers(self.other_key))
        self.assertRawError(r, 403, "AccessDenied")
        self.assertNotIn(b"secret", r.body)
        h = self.raw("HEAD", self.obj_path(self.bucket, "c/wrong"), headers=self.c_headers(self.other_key))
        self.assertEqual(403, h.status)
        self.assertEqual(b"", h.body)
        self.assertS3Error(403, "AccessDenied", self.s3.get_object, Bucket=self.bucket, Key="c/wrong",
                           **self.c_args(self.other_key))

    def test_bad_customer_headers(self):
        path = self.obj_path(self.bucket, "c/bad")
        # key MD5 does not match the key
        r = self.raw("PUT", path, body=b"x", headers=self.c_headers(md5=md5_b64(self.other_key)))
        self.assertRawError(r, 400, "InvalidArgument")
        # a key that is not 256 bits
        short = os.urandom(16)
        r = self.raw("PUT", path, body=b"x", headers=self.c_headers(short))
        self.assertRawError(r, 400, "InvalidArgument")
        # an algorithm other than AES256
        r = self.raw("PUT", path, body=b"x", headers=self.c_headers(alg="AES128"))
        self.assertEqual(400, r.status, r)
        self.assertIn(r.error().get("Code"), ("InvalidArgument", "InvalidEncryptionAlgorithmError"), r)
        # a key without its algorithm
        h = self.c_headers()
        del h["x-amz-server-side-encryption-customer-algorithm"]
        r = self.raw("PUT", path, body=b"x", headers=h)
        self.assertRawError(r, 400, "InvalidArgument")
        self.assertEqual(404, self.raw("HEAD", path).status)

    def test_customer_key_on_unencrypted_object(self):
        self.put(self.bucket, "c/plain", b"plain")
        r = self.raw("GET", self.obj_path(self.bucket, "c/plain"), headers=self.c_headers())
        self.assertEqual(400, r.status, r)
        self.assertIn(r.error().get("Code"), ("InvalidRequest", "InvalidArgument"), r)

    def test_copy(self):
        body = body_of(80000)
        self.put_c("c/copy-src", body)
        # without the source key: refused
        self.assertS3Error(400, "InvalidRequest", self.s3.copy_object, Bucket=self.bucket, Key="c/copy-dst",
                           CopySource={"Bucket": self.bucket, "Key": "c/copy-src"})
        # with it: the copy gets the bucket default (SSE-S3)
        r = self.s3.copy_object(Bucket=self.bucket, Key="c/copy-dst",
                                CopySource={"Bucket": self.bucket, "Key": "c/copy-src"},
                                **self.c_args(prefix="CopySource"))
        self.assertEqual("AES256", r.get("ServerSideEncryption"))
        self.assertTrue(body == self.get_bytes(self.bucket, "c/copy-dst"))
        # to another customer key
        r = self.s3.copy_object(Bucket=self.bucket, Key="c/copy-rekey",
                                CopySource={"Bucket": self.bucket, "Key": "c/copy-src"},
                                **dict(self.c_args(prefix="CopySource"), **self.c_args(self.other_key)))
        self.assertEqual(md5_b64(self.other_key), r["SSECustomerKeyMD5"])
        self.assertTrue(body == self.get_bytes(self.bucket, "c/copy-rekey", **self.c_args(self.other_key)))
        self.assertS3Error(403, "AccessDenied", self.s3.get_object, Bucket=self.bucket, Key="c/copy-rekey",
                           **self.c_args())

    def test_multipart(self):
        p1, p2 = body_of(5 * MiB, b"ssec-1"), body_of(4321, b"ssec-2")
        uid = self.s3.create_multipart_upload(Bucket=self.bucket, Key="c/mp", **self.c_args())["UploadId"]
        e1 = self.s3.upload_part(Bucket=self.bucket, Key="c/mp", UploadId=uid, PartNumber=1, Body=p1,
                                 **self.c_args())["ETag"]
        # a part under another key is refused
        r = self.raw("PUT", self.obj_path(self.bucket, "c/mp"), query="partNumber=2&uploadId=%s" % uid,
                     body=p2, headers=self.c_headers(self.other_key))
        self.assertIn(r.status, (400, 403), r)
        e2 = self.s3.upload_part(Bucket=self.bucket, Key="c/mp", UploadId=uid, PartNumber=2, Body=p2,
                                 **self.c_args())["ETag"]
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key="c/mp", UploadId=uid, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
        self.assertTrue(p1 + p2 == self.get_bytes(self.bucket, "c/mp", **self.c_args()))
        self.assertS3Error(400, "InvalidRequest", self.s3.get_object, Bucket=self.bucket, Key="c/mp")

    def test_overwrite_without_customer_key(self):
        self.put_c("c/over", b"first")
        self.put(self.bucket, "c/over", b"second")
        self.assertEqual(b"second", self.get_bytes(self.bucket, "c/over"))

    def test_inspect(self):
        size = 250 * 1024
        self.put_c("c/inspect", body_of(size))
        doc = self.inspect(self.bucket, "c/inspect")
        alg = find_field(doc, "algorithm", "sse_algorithm")
        self.assertIn(alg, ("SSE-C", "AES256"), doc)
        self.assertIsNone(find_field(doc, "kms_key_arn", "key_arn"), doc)
        text = json.dumps(doc)
        for needle in (base64.b64encode(self.key).decode(), self.key.hex(), md5_b64(self.key)):
            self.assertNotIn(needle, text)
        self.check_frames(doc, size)
