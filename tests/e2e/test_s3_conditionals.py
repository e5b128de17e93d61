"""S3 conditional requests on writes and deletes (issue 14, item 7), through
boto3: DeleteObject's If-Match, If-None-Match / If-Match on a CopyObject
destination (CompleteMultipartUpload's: test_s3_multipart.py), and the
<Condition> element of PreconditionFailed.

AWS's behaviour, pinned by the S3 User Guide's "How to perform conditional
deletes" (If-Match with an ETag or "*", 412 on a mismatch, current version
only) and "How to prevent object overwrites with conditional writes"; a
missing key under If-Match is 404 NoSuchKey (rustfs discussion #2602 lists
S3's status matrix for conditional DELETE)."""

from botocore.exceptions import ClientError

from test_s3 import S3TestCase, uniq


class ConditionalTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("cond"))

    def assertPrecondition(self, condition, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        r = cm.exception.response
        self.assertEqual("PreconditionFailed", r["Error"]["Code"])
        self.assertEqual(412, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual(condition, r["Error"].get("Condition"))
        self.assertTrue(r["Error"]["Message"])

    def assertNoSuchKey(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual("NoSuchKey", cm.exception.response["Error"]["Code"])

    def test_delete_if_match(self):
        etag = self.s3.put_object(Bucket=self.bucket, Key="d", Body=b"one")["ETag"]
        self.assertPrecondition("If-Match", self.s3.delete_object, Bucket=self.bucket, Key="d",
                                IfMatch='"00000000000000000000000000000000"')
        self.s3.head_object(Bucket=self.bucket, Key="d")  # still there
        self.s3.delete_object(Bucket=self.bucket, Key="d", IfMatch=etag)
        self.assertNoSuchKey(self.s3.get_object, Bucket=self.bucket, Key="d")
        self.assertNoSuchKey(self.s3.delete_object, Bucket=self.bucket, Key="d", IfMatch="*")
        self.s3.put_object(Bucket=self.bucket, Key="d", Body=b"two")
        self.s3.delete_object(Bucket=self.bucket, Key="d", IfMatch="*")
        # unquoted ETags match too
        etag = self.s3.put_object(Bucket=self.bucket, Key="d", Body=b"three")["ETag"]
        self.s3.delete_object(Bucket=self.bucket, Key="d", IfMatch=etag.strip('"'))

    def test_delete_if_match_versioned_marker(self):
        b = self.make_bucket(uniq("condv"))
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.s3.put_object(Bucket=b, Key="k", Body=b"x")
        self.s3.delete_object(Bucket=b, Key="k")  # a delete marker is current
        self.assertNoSuchKey(self.s3.delete_object, Bucket=b, Key="k", IfMatch="*")

    def test_copy_destination_conditionals(self):
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"source")
        src = {"Bucket": self.bucket, "Key": "src"}
        self.assertNoSuchKey(self.s3.copy_object, Bucket=self.bucket, Key="dst", CopySource=src,
                             IfMatch='"abc"')
        self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource=src, IfNoneMatch="*")
        self.assertPrecondition("If-None-Match", self.s3.copy_object, Bucket=self.bucket,
                                Key="dst", CopySource=src, IfNoneMatch="*")
        etag = self.s3.head_object(Bucket=self.bucket, Key="dst")["ETag"]
        self.assertPrecondition("If-Match", self.s3.copy_object, Bucket=self.bucket, Key="dst",
                                CopySource=src, IfMatch='"ffffffffffffffffffffffffffffffff"')
        self.s3.copy_object(Bucket=self.bucket, Key="dst", CopySource=src, IfMatch=etag)

    def test_put_and_get_name_the_condition(self):
        self.s3.put_object(Bucket=self.bucket, Key="p", Body=b"p")
        self.assertPrecondition("If-None-Match", self.s3.put_object, Bucket=self.bucket, Key="p",
                                Body=b"q", IfNoneMatch="*")
        self.assertPrecondition("If-Match", self.s3.get_object, Bucket=self.bucket, Key="p",
                                IfMatch='"nope"')
