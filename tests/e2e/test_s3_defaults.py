"""S3's defaults for new buckets (AWS, April 2023): Object Ownership
BucketOwnerEnforced (ACLs disabled) unless CreateBucket's
x-amz-object-ownership says otherwise, and all four Block Public Access
settings on. Each refusal with AWS's code, status and message; the ways a
user opens a bucket up (ObjectOwnership at create, DeletePublicAccessBlock);
and a bucket written by an older awsemu (no stored defaults) keeping the old
behaviour across a restart.

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import json
import os
import shutil
import sqlite3
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import EXTERNAL_URL, Server
from test_s3 import s3_client, uniq
from test_s3_config import ALL_USERS, LOG_DELIVERY, ConfigCase, grants

NO_ACLS = ("AccessControlListNotSupported", 400, "The bucket does not allow ACLs")
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
          "RestrictPublicBuckets": True}


def public_policy(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::%s/*" % bucket}]})


class DefaultsCase(ConfigCase):
    def ownership(self, bucket):
        return self.s3.get_bucket_ownership_controls(
            Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]

    def pab(self, bucket):
        return self.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]

    def owner_only(self, owner):
        return {"Owner": {"ID": owner}, "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": owner}, "Permission": "FULL_CONTROL"}]}


class NewBucketTests(DefaultsCase):
    def setUp(self):
        super().setUp()
        self.bucket = self.make_bucket()
        self.owner = self.s3.get_bucket_acl(Bucket=self.bucket)["Owner"]["ID"]

    def test_defaults_are_stored(self):
        self.assertEqual("BucketOwnerEnforced", self.ownership(self.bucket))
        self.assertEqual(ALL_ON, self.pab(self.bucket))
        # reading ACLs still works: the owner's full control
        self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL")},
                         grants(self.s3.get_bucket_acl(Bucket=self.bucket)))
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL")},
                         grants(self.s3.get_object_acl(Bucket=self.bucket, Key="k")))

    def test_acl_writes_refused(self):
        b = self.bucket
        self.s3.put_object(Bucket=b, Key="src", Body=b"s")
        src = {"Bucket": b, "Key": "src"}
        other = "a" * 64
        refused = [
            ("put_bucket_acl public-read", self.s3.put_bucket_acl, dict(ACL="public-read")),
            ("put_bucket_acl private", self.s3.put_bucket_acl, dict(ACL="private")),
            ("put_bucket_acl grant", self.s3.put_bucket_acl, dict(GrantRead='id="%s"' % other)),
            ("put_bucket_acl xml", self.s3.put_bucket_acl, dict(AccessControlPolicy={
                "Owner": {"ID": self.owner}, "Grants": [
                    {"Grantee": {"Type": "CanonicalUser", "ID": self.owner},
                     "Permission": "FULL_CONTROL"},
                    {"Grantee": {"Type": "Group", "URI": LOG_DELIVERY}, "Permission": "WRITE"}]})),
            ("put_object_acl public-read", self.s3.put_object_acl, dict(Key="src", ACL="public-read")),
            ("put_object_acl private", self.s3.put_object_acl, dict(Key="src", ACL="private")),
            ("put_object_acl no grants", self.s3.put_object_acl, dict(
                Key="src", AccessControlPolicy={"Owner": {"ID": self.owner}, "Grants": []})),
            ("put_object public-read", self.s3.put_object, dict(Key="k", Body=b"x", ACL="public-read")),
            ("put_object private", self.s3.put_object, dict(Key="k", Body=b"x", ACL="private")),
            ("put_object bucket-owner-read", self.s3.put_object,
             dict(Key="k", Body=b"x", ACL="bucket-owner-read")),
            ("copy_object public-read", self.s3.copy_object,
             dict(Key="c", CopySource=src, ACL="public-read")),
            ("create_multipart_upload public-read", self.s3.create_multipart_upload,
             dict(Key="m", ACL="public-read")),
            ("create_multipart_upload grant", self.s3.create_multipart_upload,
             dict(Key="m", GrantRead='id="%s"' % other)),
        ]
        for name, fn, kw in refused:
            with self.subTest(call=name):
                self.assertS3Error(NO_ACLS[0], NO_ACLS[1], fn, Bucket=b, message=NO_ACLS[2], **kw)
        # nothing was written by the refused PUTs
        self.assertS3Error("NoSuchKey", 404, self.s3.get_object, Bucket=b, Key="k")
        self.assertS3Error("NoSuchKey", 404, self.s3.get_object, Bucket=b, Key="c")
        self.assertNotIn("Uploads", self.s3.list_multipart_uploads(Bucket=b))

    def test_owner_full_control_accepted(self):
        b = self.bucket
        self.s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="bucket-owner-full-control")
        self.s3.copy_object(Bucket=b, Key="c", CopySource={"Bucket": b, "Key": "k"},
                            ACL="bucket-owner-full-control")
        up = self.s3.create_multipart_upload(Bucket=b, Key="m", ACL="bucket-owner-full-control")
        self.s3.abort_multipart_upload(Bucket=b, Key="m", UploadId=up["UploadId"])
        self.s3.put_bucket_acl(Bucket=b, AccessControlPolicy=self.owner_only(self.owner))
        self.s3.put_object_acl(Bucket=b, Key="k", AccessControlPolicy=self.owner_only(self.owner))
        self.s3.put_object_acl(Bucket=b, Key="k", GrantFullControl='id="%s"' % self.owner)
        for key in ("k", "c"):
            self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL")},
                             grants(self.s3.get_object_acl(Bucket=b, Key=key)))

    def test_public_policy_needs_the_block_deleted(self):
        b = self.bucket
        self.assertS3Error("AccessDenied", 403, self.s3.put_bucket_policy, Bucket=b,
                           Policy=public_policy(b))
        self.assertS3Error("NoSuchBucketPolicy", 404, self.s3.get_bucket_policy, Bucket=b)
        self.s3.delete_public_access_block(Bucket=b)
        self.assertS3Error("NoSuchPublicAccessBlockConfiguration", 404,
                           self.s3.get_public_access_block, Bucket=b,
                           message="The public access block configuration was not found")
        self.s3.put_bucket_policy(Bucket=b, Policy=public_policy(b))
        self.assertTrue(self.s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"])
        # ACLs stay disabled: the two defaults are independent
        self.assertS3Error(NO_ACLS[0], NO_ACLS[1], self.s3.put_bucket_acl, Bucket=b,
                           ACL="public-read", message=NO_ACLS[2])
        # putting the block back refuses the next public policy, keeps the stored one
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration=ALL_ON)
        self.assertEqual(ALL_ON, self.pab(b))
        self.assertS3Error("AccessDenied", 403, self.s3.put_bucket_policy, Bucket=b,
                           Policy=public_policy(b))
        self.s3.get_bucket_policy(Bucket=b)

    def test_put_ownership_controls_enables_acls(self):
        b = self.bucket
        self.s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
        self.s3.put_bucket_acl(Bucket=b, ACL="private")
        self.s3.put_bucket_acl(Bucket=b, ACL="log-delivery-write")
        # BlockPublicAcls (still on) refuses the public ones
        self.assertS3Error("AccessDenied", 403, self.s3.put_bucket_acl, Bucket=b, ACL="public-read")
        self.s3.delete_public_access_block(Bucket=b)
        self.s3.put_bucket_acl(Bucket=b, ACL="public-read")
        self.assertIn(("Group", ALL_USERS, "READ"), grants(self.s3.get_bucket_acl(Bucket=b)))
        # and back to BucketOwnerEnforced only once the ACL is the owner's alone
        self.assertS3Error("InvalidBucketAclWithObjectOwnership", 400,
                           self.s3.put_bucket_ownership_controls, Bucket=b, OwnershipControls={
                               "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        self.s3.put_bucket_acl(Bucket=b, ACL="private")
        self.s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})


class CreateBucketTests(DefaultsCase):
    def assertNoBucket(self, b):
        self.assertS3Error("404", 404, self.s3.head_bucket, Bucket=b)

    def test_acl_without_ownership_refused(self):
        msg = "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
        for kw in (dict(ACL="public-read"), dict(ACL="log-delivery-write"),
                   dict(GrantRead='id="%s"' % ("a" * 64)),
                   dict(ACL="authenticated-read", ObjectOwnership="BucketOwnerEnforced")):
            with self.subTest(**kw):
                b = uniq("def")
                self.assertS3Error("InvalidBucketAclWithObjectOwnership", 400, self.s3.create_bucket,
                                   Bucket=b, message=msg, **kw)
                self.assertNoBucket(b)

    def test_public_acl_refused_by_the_default_block(self):
        msg = "Bucket cannot have public ACLs set with BlockPublicAccess enabled"
        for kw in (dict(ACL="public-read"), dict(ACL="public-read-write"),
                   dict(ACL="authenticated-read"), dict(GrantRead='uri="%s"' % ALL_USERS)):
            with self.subTest(**kw):
                b = uniq("def")
                self.assertS3Error("InvalidBucketAclWithBlockPublicAccessError", 400,
                                   self.s3.create_bucket, Bucket=b, ObjectOwnership="ObjectWriter",
                                   message=msg, **kw)
                self.assertNoBucket(b)

    def test_private_acl_accepted(self):
        # AWS makes a bucket asked for with the private canned ACL (and no
        # ObjectOwnership) BucketOwnerPreferred, and keeps BucketOwnerEnforced
        # when it is named: versitygw#1869 / #1871, checked against AWS
        b = uniq("def")
        self.s3.create_bucket(Bucket=b, ACL="private")
        self.assertEqual("BucketOwnerPreferred", self.ownership(b))
        self.assertEqual(ALL_ON, self.pab(b))
        self.s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="private")
        b = uniq("def")
        self.s3.create_bucket(Bucket=b, ACL="private", ObjectOwnership="BucketOwnerEnforced")
        self.assertEqual("BucketOwnerEnforced", self.ownership(b))

    def test_bucket_owner_full_control_ignored(self):
        # AWS ignores this canned ACL on CreateBucket (issue 14: the aws CLI's
        # create-bucket --acl bucket-owner-full-control succeeds on AWS)
        b = uniq("def")
        self.s3.create_bucket(Bucket=b, ACL="bucket-owner-full-control")
        self.assertEqual("BucketOwnerEnforced", self.ownership(b))

    def test_bad_canned_acl_names_the_argument(self):
        b = uniq("def")
        with self.assertRaises(ClientError) as cm:
            self.s3.create_bucket(Bucket=b, ACL="privatee")
        err = cm.exception.response["Error"]
        self.assertEqual("InvalidArgument", err["Code"])
        self.assertTrue(err.get("Message"))
        self.assertEqual("x-amz-acl", err.get("ArgumentName"))
        self.assertEqual("privatee", err.get("ArgumentValue"))

    def test_object_writer_allows_acls(self):
        b = uniq("def")
        self.s3.create_bucket(Bucket=b, ObjectOwnership="ObjectWriter", ACL="log-delivery-write")
        self.assertEqual("ObjectWriter", self.ownership(b))
        self.assertEqual(ALL_ON, self.pab(b))  # the block is on all the same
        self.assertIn(("Group", LOG_DELIVERY, "WRITE"), grants(self.s3.get_bucket_acl(Bucket=b)))
        owner = self.s3.get_bucket_acl(Bucket=b)["Owner"]["ID"]
        self.s3.put_object(Bucket=b, Key="k", Body=b"x", GrantRead='id="%s"' % ("b" * 64))
        self.assertIn(("CanonicalUser", "b" * 64, "READ"),
                      grants(self.s3.get_object_acl(Bucket=b, Key="k")))
        self.assertS3Error("AccessDenied", 403, self.s3.put_object, Bucket=b, Key="p", Body=b"x",
                           ACL="public-read")
        self.s3.delete_public_access_block(Bucket=b)
        self.s3.put_object(Bucket=b, Key="p", Body=b"x", ACL="public-read")
        self.assertEqual({("CanonicalUser", owner, "FULL_CONTROL"), ("Group", ALL_USERS, "READ")},
                         grants(self.s3.get_object_acl(Bucket=b, Key="p")))

    def test_bucket_owner_preferred(self):
        b = uniq("def")
        self.s3.create_bucket(Bucket=b, ObjectOwnership="BucketOwnerPreferred")
        self.assertEqual("BucketOwnerPreferred", self.ownership(b))
        self.s3.put_bucket_acl(Bucket=b, ACL="private")


@unittest.skipIf(EXTERNAL_URL, "needs its own awsemu process and data dir (AWSEMU_URL is set)")
class OlderBucketTests(unittest.TestCase):
    """A data dir from an awsemu without the defaults holds buckets with no
    ownership controls and no public access block rows: they keep behaving
    as they did (ACLs on, public policies allowed)."""

    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-s3def-")
        cls.server = Server(["--data-dir", cls.data_dir])
        cls.server.start()
        try:
            s3 = s3_client(cls.server)
            cls.old = uniq("old")
            s3.create_bucket(Bucket=cls.old)
            cls.server.stop()
            # what an older awsemu wrote: the bucket row, no configuration rows
            db = sqlite3.connect(os.path.join(cls.data_dir, "awsemu.db"))
            with db:
                n = db.execute("DELETE FROM s3_bucket_configs WHERE bucket=? AND name IN "
                               "('ownershipControls', 'publicAccessBlock')", (cls.old,)).rowcount
            db.close()
            assert n == 2, n
            cls.server.start()
            cls.s3 = s3_client(cls.server)
        except Exception:
            cls.server.cleanup()
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def code(self, fn, **kw):
        try:
            fn(**kw)
        except ClientError as e:
            return e.response["Error"]["Code"]
        return None

    def test_older_bucket_keeps_its_behaviour(self):
        b = self.old
        self.assertEqual("NoSuchPublicAccessBlockConfiguration",
                         self.code(self.s3.get_public_access_block, Bucket=b))
        self.assertEqual("OwnershipControlsNotFoundError",
                         self.code(self.s3.get_bucket_ownership_controls, Bucket=b))
        self.s3.put_bucket_acl(Bucket=b, ACL="public-read")
        self.assertIn(("Group", ALL_USERS, "READ"), grants(self.s3.get_bucket_acl(Bucket=b)))
        self.s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="public-read")
        self.s3.put_bucket_policy(Bucket=b, Policy=public_policy(b))

    def test_new_bucket_beside_it_gets_the_defaults(self):
        b = uniq("new")
        self.s3.create_bucket(Bucket=b)
        self.assertEqual("AccessControlListNotSupported",
                         self.code(self.s3.put_bucket_acl, Bucket=b, ACL="public-read"))
        self.assertEqual("AccessDenied",
                         self.code(self.s3.put_bucket_policy, Bucket=b, Policy=public_policy(b)))


if __name__ == "__main__":
    unittest.main()
