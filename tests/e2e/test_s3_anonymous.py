"""S3 under --iam enforce for the anonymous caller (unsigned requests, as
boto3 sends them with signature_version=UNSIGNED and as urllib / http.client
do) and the object-tag condition keys.

Anonymous: denied by default with S3's plain "Access Denied"; allowed by a
bucket policy to Principal "*" / {"AWS": "*"} (conditions apply:
aws:SourceIp) or by a public ACL (public-read object ACL for GetObject,
public-read bucket ACL for ListBucket); explicit denies win; Block Public
Access: RestrictPublicBuckets voids public policies (not non-public ones),
IgnorePublicAcls voids public ACLs, BlockPublicPolicy leaves stored policies
alone; BucketOwnerEnforced turns ACLs off; a missing key is AccessDenied
unless listing is allowed; SSE-KMS objects answer InvalidArgument; the
access log names the principal "anonymous". With --iam off nothing changes.

Tag keys: s3:ExistingObjectTag/<key> (current object or the version named),
s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys (x-amz-tagging on
PutObject / CreateMultipartUpload, the PutObjectTagging body), in identity
and bucket policies.

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import json
import urllib.error
import urllib.request

import botocore.config
from botocore import UNSIGNED

from harness import ServerTestCase, new_session
from enforce_util import (ENFORCE, ROOT_ARN, Principals, allow, check_denied, check_error,
                          client, deny, doc, error_of, log_line, message, request_id, uniq,
                          xml_code)

KMS_SIGV4 = ("Requests specifying Server Side Encryption with AWS KMS managed keys require "
             "AWS Signature Version 4.")


def anonymous_client(server):
    """A boto3 S3 client that signs nothing."""
    cfg = botocore.config.Config(signature_version=UNSIGNED, retries={"max_attempts": 0},
                                 connect_timeout=5, read_timeout=30,
                                 s3={"addressing_style": "path"})
    return new_session().client("s3", endpoint_url=server.url,
                                          region_name=server.region, config=cfg)


def public(bucket, action="s3:GetObject", resource=None, principal="*", **extra):
    st = {"Effect": "Allow", "Principal": principal, "Action": action,
          "Resource": resource or "arn:aws:s3:::%s/*" % bucket}
    st.update(extra)
    return st


class AnonymousCase(ServerTestCase):
    server_args = ENFORCE
    needs_process = True  # its own --iam enforce server, reads the access log

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)
        cls.s3 = client(cls.server, "s3")
        cls.anon = anonymous_client(cls.server)

    def bucket(self, objects=(), ACL=None, defaults=False):
        """A new bucket holding objects. Unless defaults, opened up as a real
        AWS user must since April 2023 before public policies or ACLs work:
        ACLs enabled (ObjectWriter) and the public access block deleted."""
        name = uniq("anon")
        if defaults:
            self.s3.create_bucket(Bucket=name)
        else:
            self.s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
            self.s3.delete_public_access_block(Bucket=name)
        if ACL:
            self.s3.put_bucket_acl(Bucket=name, ACL=ACL)
        for k in objects:
            self.s3.put_object(Bucket=name, Key=k, Body=b"data of " + k.encode())
        return name

    def policy(self, bucket, *statements):
        self.s3.put_bucket_policy(Bucket=bucket, Policy=doc(*statements))

    def denied(self, fn, *args, **kwargs):
        """fn must fail as S3 fails an anonymous request: 403 AccessDenied
        "Access Denied" (a HEAD answer has no body: 403 alone)."""
        if getattr(fn, "__name__", "").startswith("head_"):
            return check_error(self, "403", 403, fn, *args, **kwargs)
        resp = check_denied(self, "s3", fn, *args, **kwargs)
        self.assertEqual("Access Denied", message(resp))
        return resp

    def raw_get(self, bucket, key):
        """Plain http.client GET without any credentials: (status, body)."""
        status, _, data = self.server.http("GET", "/%s/%s" % (bucket, key))
        return status, data

    def read(self, bucket, key):
        return self.anon.get_object(Bucket=bucket, Key=key)["Body"].read()


# --------------------------------------------------------------------------
# Bucket policies
# --------------------------------------------------------------------------

class AnonymousPolicyTests(AnonymousCase):
    def test_denied_by_default(self):
        b = self.bucket(["k"])
        resp = self.denied(self.anon.get_object, Bucket=b, Key="k")
        status, data = self.raw_get(b, "k")
        self.assertEqual(403, status, data)
        self.assertEqual("AccessDenied", xml_code(data))
        self.assertIn(b"<Message>Access Denied</Message>", data)
        self.denied(self.anon.head_object, Bucket=b, Key="k")
        self.denied(self.anon.list_objects_v2, Bucket=b)
        self.denied(self.anon.get_bucket_acl, Bucket=b)
        self.denied(self.anon.list_buckets)
        # the access log names the caller
        line = log_line(self.server, request_id(resp))
        self.assertIsNotNone(line)
        self.assertIn(" anonymous ", line)
        self.assertIn("deny s3:GetObject", line)

    def test_public_policy_allows_get(self):
        b = self.bucket(["k", "dir/k2"])
        self.policy(b, public(b))
        self.assertEqual(b"data of k", self.read(b, "k"))
        self.assertEqual(b"data of dir/k2", self.read(b, "dir/k2"))
        self.assertEqual(len(b"data of k"),
                         self.anon.head_object(Bucket=b, Key="k")["ContentLength"])
        with urllib.request.urlopen("%s/%s/k" % (self.server.url, b), timeout=10) as r:
            self.assertEqual(200, r.status)
            self.assertEqual(b"data of k", r.read())
        status, data = self.raw_get(b, "dir/k2")
        self.assertEqual((200, b"data of dir/k2"), (status, data))
        # only what the policy names
        self.denied(self.anon.list_objects_v2, Bucket=b)
        self.denied(self.anon.put_object, Bucket=b, Key="new", Body=b"n")
        self.denied(self.anon.delete_object, Bucket=b, Key="k")
        self.denied(self.anon.get_object_tagging, Bucket=b, Key="k")
        self.assertEqual(b"data of k", self.s3.get_object(Bucket=b, Key="k")["Body"].read())
        # the allowing statement is in the log
        resp = self.anon.get_object(Bucket=b, Key="k")
        line = log_line(self.server, request_id(resp))
        self.assertIn(" anonymous allow s3:GetObject by resource-based policy", line)

    def test_missing_key_needs_list(self):
        b = self.bucket(["k"])
        self.policy(b, public(b))
        # without s3:ListBucket a missing key is indistinguishable from a forbidden one
        self.denied(self.anon.get_object, Bucket=b, Key="missing")
        self.denied(self.anon.head_object, Bucket=b, Key="missing")
        try:
            urllib.request.urlopen("%s/%s/missing" % (self.server.url, b), timeout=10)
            self.fail("missing key served")
        except urllib.error.HTTPError as e:
            self.assertEqual(403, e.code)
        self.policy(b, public(b), public(b, "s3:ListBucket", "arn:aws:s3:::%s" % b))
        check_error(self, "NoSuchKey", 404, self.anon.get_object, Bucket=b, Key="missing")
        keys = [o["Key"] for o in self.anon.list_objects_v2(Bucket=b)["Contents"]]
        self.assertEqual(["k"], keys)
        self.anon.head_bucket(Bucket=b)

    def test_principal_forms(self):
        b = self.bucket(["k"])
        self.policy(b, public(b, principal={"AWS": "*"}))
        self.assertEqual(b"data of k", self.read(b, "k"))
        # a named principal (the account, a user) is never the anonymous caller
        u = self.p.user()
        self.policy(b, public(b, principal={"AWS": ROOT_ARN}), public(b, principal={"AWS": u.arn}))
        self.denied(self.anon.get_object, Bucket=b, Key="k")
        self.policy(b, public(b, principal={"AWS": [u.arn, "*"]}))
        self.assertEqual(b"data of k", self.read(b, "k"))

    def test_source_ip_condition(self):
        b = self.bucket(["k"])
        self.policy(b, public(b, Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}))
        self.assertEqual(b"data of k", self.read(b, "k"))
        self.policy(b, public(b, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
        self.denied(self.anon.get_object, Bucket=b, Key="k")
        self.policy(b, public(b, Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
        self.assertEqual(b"data of k", self.read(b, "k"))

    def test_principal_keys_of_the_anonymous_caller(self):
        b = self.bucket(["k"])
        # aws:PrincipalType "Anonymous", aws:userid "anonymous", no aws:PrincipalAccount
        self.policy(b, public(b, Condition={"StringEquals": {"aws:PrincipalType": "Anonymous",
                                                             "aws:userid": "anonymous"}}))
        self.assertEqual(b"data of k", self.read(b, "k"))
        self.policy(b, public(b, Condition={"StringEquals": {"aws:PrincipalAccount":
                                                             self.server.account}}))
        self.denied(self.anon.get_object, Bucket=b, Key="k")
        self.policy(b, public(b, Condition={"Null": {"aws:PrincipalArn": "true"}}))
        self.assertEqual(b"data of k", self.read(b, "k"))

    def test_explicit_deny_wins(self):
        b = self.bucket(["k", "secret"])
        self.s3.put_object_acl(Bucket=b, Key="secret", ACL="public-read")
        self.policy(b, public(b), {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:::%s/secret" % b})
        self.assertEqual(b"data of k", self.read(b, "k"))
        self.denied(self.anon.get_object, Bucket=b, Key="secret")

    def test_anonymous_put(self):
        b = self.bucket()
        self.denied(self.anon.put_object, Bucket=b, Key="up", Body=b"x")
        status, _, data = self.server.http("PUT", "/%s/raw" % b, body=b"raw",
                                           headers={"Content-Length": "3"})
        self.assertEqual((403, "AccessDenied"), (status, xml_code(data)))
        with self.assertRaises(Exception):
            self.s3.head_object(Bucket=b, Key="up")
        self.policy(b, public(b, "s3:PutObject"))
        self.anon.put_object(Bucket=b, Key="up", Body=b"from anyone")
        self.assertEqual(b"from anyone", self.s3.get_object(Bucket=b, Key="up")["Body"].read())
        # SSE-KMS needs SigV4
        check_error(self, "InvalidArgument", 400, self.anon.put_object, Bucket=b, Key="kms",
                    Body=b"x", ServerSideEncryption="aws:kms")
        # so does a bucket whose default is SSE-KMS
        self.s3.put_bucket_encryption(Bucket=b, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
        resp = check_error(self, "InvalidArgument", 400, self.anon.put_object, Bucket=b,
                           Key="kms2", Body=b"x")
        self.assertEqual(KMS_SIGV4, message(resp))

    def test_sse_kms_object(self):
        b = self.bucket()
        self.s3.put_object(Bucket=b, Key="kms", Body=b"secret", ServerSideEncryption="aws:kms")
        self.s3.put_object(Bucket=b, Key="s3", Body=b"plain", ServerSideEncryption="AES256")
        self.denied(self.anon.get_object, Bucket=b, Key="kms")
        self.policy(b, public(b))
        resp = check_error(self, "InvalidArgument", 400, self.anon.get_object, Bucket=b, Key="kms")
        self.assertEqual(KMS_SIGV4, message(resp))
        status, data = self.raw_get(b, "kms")
        self.assertEqual((400, "InvalidArgument"), (status, xml_code(data)))
        self.assertNotIn(b"secret", data)
        check_error(self, "400", 400, self.anon.head_object, Bucket=b, Key="kms")
        self.assertEqual(b"plain", self.read(b, "s3"))
        self.assertEqual(b"secret", self.s3.get_object(Bucket=b, Key="kms")["Body"].read())

    def test_no_such_bucket(self):
        check_error(self, "NoSuchBucket", 404, self.anon.get_object, Bucket=uniq("gone"), Key="k")
        self.denied(self.anon.create_bucket, Bucket=uniq("new"))

    def test_delete_objects_per_key(self):
        b = self.bucket(["a", "b"])
        self.policy(b, public(b, "s3:DeleteObject", "arn:aws:s3:::%s/a" % b))
        resp = self.anon.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "a"},
                                                                      {"Key": "b"}]})
        self.assertEqual(["a"], [d["Key"] for d in resp.get("Deleted", [])])
        self.assertEqual([("b", "AccessDenied", "Access Denied")],
                         [(e["Key"], e["Code"], e["Message"]) for e in resp.get("Errors", [])])
        self.s3.head_object(Bucket=b, Key="b")

    def test_policy_status(self):
        b = self.bucket()
        cases = [
            (public(b), True),
            (public(b, principal={"AWS": "*"}), True),
            (public(b, Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}), False),
            (public(b, Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), False),
            (public(b, Condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}), True),
            (public(b, Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), True),
            (public(b, Condition={"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}), False),
            (public(b, Condition={"StringLike": {"aws:SourceVpc": "vpc-*"}}), True),
            (public(b, Condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1a2b3c4d"}}),
             True),
            (public(b, Condition={"StringEquals": {"s3:prefix": "home/"}}), True),
            (public(b, principal={"AWS": ROOT_ARN}), False),
        ]
        for st, want in cases:
            with self.subTest(statement=st):
                self.policy(b, st)
                got = self.s3.get_bucket_policy_status(Bucket=b)["PolicyStatus"]["IsPublic"]
                self.assertEqual(want, got)
        # BlockPublicPolicy refuses exactly the public ones
        self.s3.delete_bucket_policy(Bucket=b)
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "BlockPublicPolicy": True})
        check_denied(self, "s3", self.policy, b, public(
            b, Condition={"StringLike": {"aws:SourceVpc": "vpc-*"}}))
        self.policy(b, public(b, Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}))


# --------------------------------------------------------------------------
# Block Public Access and ACLs
# --------------------------------------------------------------------------

class BlockPublicAccessTests(AnonymousCase):
    def test_new_bucket_defaults(self):
        """A bucket as AWS creates it: public policies refused, ACLs off."""
        b = self.bucket(["k"], defaults=True)
        check_denied(self, "s3", self.policy, b, public(b))
        check_error(self, "AccessControlListNotSupported", 400, self.s3.put_object_acl,
                    Bucket=b, Key="k", ACL="public-read")
        self.denied(self.anon.get_object, Bucket=b, Key="k")
        # opening it up, step by step
        self.s3.delete_public_access_block(Bucket=b)
        self.policy(b, public(b))
        self.assertEqual(b"data of k", self.read(b, "k"))

    def test_restrict_public_buckets(self):
        b = self.bucket(["k"])
        self.policy(b, public(b))
        self.assertEqual(b"data of k", self.read(b, "k"))
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "RestrictPublicBuckets": True})
        resp = self.denied(self.anon.get_object, Bucket=b, Key="k")
        line = log_line(self.server, request_id(resp))
        self.assertIn("RestrictPublicBuckets", line)
        # the bucket owner's account is not restricted
        self.s3.get_object(Bucket=b, Key="k")
        # a non-public policy (a fixed source range) still applies
        self.policy(b, public(b, Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}))
        self.assertEqual(b"data of k", self.read(b, "k"))
        # ... but not beside a public statement: the whole policy is public then
        self.policy(b, public(b, Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}}),
                    public(b, "s3:ListBucket", "arn:aws:s3:::%s" % b))
        self.denied(self.anon.get_object, Bucket=b, Key="k")
        self.s3.delete_public_access_block(Bucket=b)
        self.assertEqual(b"data of k", self.read(b, "k"))

    def test_block_public_policy_leaves_stored_policy(self):
        b = self.bucket(["k"])
        self.policy(b, public(b))
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "BlockPublicPolicy": True, "BlockPublicAcls": True})
        # "Enabling this setting doesn't affect existing bucket policies."
        self.assertEqual(b"data of k", self.read(b, "k"))
        check_denied(self, "s3", self.policy, b, public(b, "s3:ListBucket",
                                                         "arn:aws:s3:::%s" % b))

    def test_public_read_object_acl(self):
        b = self.bucket(["open", "closed"])
        self.s3.put_object_acl(Bucket=b, Key="open", ACL="public-read")
        self.assertEqual(b"data of open", self.read(b, "open"))
        status, data = self.raw_get(b, "open")
        self.assertEqual((200, b"data of open"), (status, data))
        self.denied(self.anon.get_object, Bucket=b, Key="closed")
        # READ is the body: not the ACL, not a write
        self.denied(self.anon.get_object_acl, Bucket=b, Key="open")
        self.denied(self.anon.put_object, Bucket=b, Key="open", Body=b"overwritten")
        # an object written with a canned ACL
        self.s3.put_object(Bucket=b, Key="canned", Body=b"c", ACL="public-read")
        self.assertEqual(b"c", self.read(b, "canned"))
        # IgnorePublicAcls: public ACLs grant nothing
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "IgnorePublicAcls": True})
        self.denied(self.anon.get_object, Bucket=b, Key="open")
        self.s3.delete_public_access_block(Bucket=b)
        self.assertEqual(b"data of open", self.read(b, "open"))
        # ACLs disabled (BucketOwnerEnforced): the same
        self.s3.put_bucket_ownership_controls(Bucket=b, OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
        self.denied(self.anon.get_object, Bucket=b, Key="open")
        self.s3.delete_bucket_ownership_controls(Bucket=b)
        self.s3.put_object_acl(Bucket=b, Key="open", ACL="private")
        self.denied(self.anon.get_object, Bucket=b, Key="open")

    def test_object_acl_grants(self):
        b = self.bucket(["k"])
        all_users = "uri=http://acs.amazonaws.com/groups/global/AllUsers"
        auth_users = "uri=http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
        self.s3.put_object_acl(Bucket=b, Key="k", GrantReadACP=all_users)
        self.anon.get_object_acl(Bucket=b, Key="k")
        self.denied(self.anon.get_object, Bucket=b, Key="k")
        self.s3.put_object_acl(Bucket=b, Key="k", GrantFullControl=all_users)
        self.assertEqual(b"data of k", self.read(b, "k"))
        # "any AWS user" is not the anonymous caller
        self.s3.put_object_acl(Bucket=b, Key="k", GrantRead=auth_users)
        self.denied(self.anon.get_object, Bucket=b, Key="k")

    def test_public_read_bucket_acl(self):
        b = self.bucket(["k"], ACL="public-read")
        keys = [o["Key"] for o in self.anon.list_objects_v2(Bucket=b)["Contents"]]
        self.assertEqual(["k"], keys)
        self.anon.head_bucket(Bucket=b)
        # the bucket's READ lists; the objects keep their own ACLs
        self.denied(self.anon.get_object, Bucket=b, Key="k")
        self.denied(self.anon.put_object, Bucket=b, Key="new", Body=b"n")
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "IgnorePublicAcls": True})
        self.denied(self.anon.list_objects_v2, Bucket=b)
        self.s3.delete_public_access_block(Bucket=b)
        self.s3.put_bucket_acl(Bucket=b, ACL="private")
        self.denied(self.anon.list_objects_v2, Bucket=b)

    def test_public_read_write_bucket_acl(self):
        b = self.bucket(ACL="public-read-write")
        self.anon.put_object(Bucket=b, Key="dropped", Body=b"d")
        self.assertEqual(b"d", self.s3.get_object(Bucket=b, Key="dropped")["Body"].read())
        self.s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "IgnorePublicAcls": True})
        self.denied(self.anon.put_object, Bucket=b, Key="dropped2", Body=b"d")


# --------------------------------------------------------------------------
# Object tags as condition keys
# --------------------------------------------------------------------------

class ObjectTagKeyTests(AnonymousCase):
    def test_existing_object_tag_in_identity_policy(self):
        b = self.bucket()
        self.s3.put_object(Bucket=b, Key="pub", Body=b"p", Tagging="classification=public")
        self.s3.put_object(Bucket=b, Key="sec", Body=b"s", Tagging="classification=secret")
        self.s3.put_object(Bucket=b, Key="none", Body=b"n")
        cond = {"StringEquals": {"s3:ExistingObjectTag/classification": "public"}}
        u = self.p.user(inline=[doc(allow(["s3:GetObject", "s3:GetObjectTagging"],
                                          "arn:aws:s3:::%s/*" % b, Condition=cond))])
        s3 = client(self.server, "s3", u)
        self.assertEqual(b"p", s3.get_object(Bucket=b, Key="pub")["Body"].read())
        s3.head_object(Bucket=b, Key="pub")
        self.assertEqual([{"Key": "classification", "Value": "public"}],
                         s3.get_object_tagging(Bucket=b, Key="pub")["TagSet"])
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="sec")
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="none")
        check_denied(self, "s3", s3.get_object_tagging, Bucket=b, Key="sec")
        # the tags are read at each request
        self.s3.put_object_tagging(Bucket=b, Key="sec", Tagging={"TagSet": [
            {"Key": "classification", "Value": "public"}]})
        self.assertEqual(b"s", s3.get_object(Bucket=b, Key="sec")["Body"].read())
        self.s3.delete_object_tagging(Bucket=b, Key="pub")
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="pub")
        # the tag key is exact; the prefix is a key name (any case)
        u2 = self.p.user(inline=[doc(allow("s3:GetObject", "arn:aws:s3:::%s/*" % b, Condition={
            "StringEquals": {"S3:existingObjectTag/classification": "public"}}))])
        self.assertEqual(b"s", client(self.server, "s3", u2).get_object(
            Bucket=b, Key="sec")["Body"].read())
        u3 = self.p.user(inline=[doc(allow("s3:GetObject", "arn:aws:s3:::%s/*" % b, Condition={
            "StringEquals": {"s3:ExistingObjectTag/Classification": "public"}}))])
        check_denied(self, "s3", client(self.server, "s3", u3).get_object, Bucket=b, Key="sec")

    def test_existing_object_tag_deny(self):
        b = self.bucket()
        self.s3.put_object(Bucket=b, Key="a", Body=b"a", Tagging="hold=yes")
        self.s3.put_object(Bucket=b, Key="c", Body=b"c")
        u = self.p.user(inline=[doc(allow("s3:*"), deny(
            ["s3:GetObject", "s3:PutObjectTagging"], "*",
            Condition={"StringEquals": {"s3:ExistingObjectTag/hold": "yes"}}))])
        s3 = client(self.server, "s3", u)
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="a")
        check_denied(self, "s3", s3.put_object_tagging, Bucket=b, Key="a",
                     Tagging={"TagSet": []})
        s3.get_object(Bucket=b, Key="c")
        # PutObject does not see the existing tags (AWS: not supported there)
        s3.put_object(Bucket=b, Key="a", Body=b"replaced")

    def test_existing_object_tag_of_a_version(self):
        b = self.bucket()
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        v1 = self.s3.put_object(Bucket=b, Key="k", Body=b"one", Tagging="stage=public")["VersionId"]
        v2 = self.s3.put_object(Bucket=b, Key="k", Body=b"two", Tagging="stage=draft")["VersionId"]
        cond = {"StringEquals": {"s3:ExistingObjectTag/stage": "public"}}
        u = self.p.user(inline=[doc(allow(["s3:GetObject", "s3:GetObjectVersion"],
                                          "arn:aws:s3:::%s/*" % b, Condition=cond))])
        s3 = client(self.server, "s3", u)
        self.assertEqual(b"one", s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read())
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="k", VersionId=v2)
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="k")

    def test_existing_object_tag_in_bucket_policy_for_anonymous(self):
        b = self.bucket()
        self.s3.put_object(Bucket=b, Key="shared", Body=b"s", Tagging="public=yes")
        self.s3.put_object(Bucket=b, Key="private", Body=b"p")
        self.policy(b, public(b, Condition={"StringEquals": {"s3:ExistingObjectTag/public": "yes"}}))
        self.assertEqual(b"s", self.read(b, "shared"))
        self.denied(self.anon.get_object, Bucket=b, Key="private")

    def test_request_object_tag_on_put(self):
        b = self.bucket()
        cond = {"StringEquals": {"s3:RequestObjectTag/team": "blue"}}
        u = self.p.user(inline=[doc(allow("s3:PutObject", "arn:aws:s3:::%s/*" % b,
                                          Condition=cond))])
        s3 = client(self.server, "s3", u)
        s3.put_object(Bucket=b, Key="ok", Body=b"x", Tagging="team=blue")
        s3.put_object(Bucket=b, Key="ok2", Body=b"x", Tagging="team=blue&env=dev")
        self.assertEqual({"team": "blue", "env": "dev"}, {
            t["Key"]: t["Value"]
            for t in self.s3.get_object_tagging(Bucket=b, Key="ok2")["TagSet"]})
        check_denied(self, "s3", s3.put_object, Bucket=b, Key="red", Body=b"x",
                     Tagging="team=red")
        check_denied(self, "s3", s3.put_object, Bucket=b, Key="untagged", Body=b"x")
        # URL-encoded values are compared decoded
        u2 = self.p.user(inline=[doc(allow("s3:PutObject", "arn:aws:s3:::%s/*" % b, Condition={
            "StringEquals": {"s3:RequestObjectTag/team name": "blue & green"}}))])
        client(self.server, "s3", u2).put_object(Bucket=b, Key="enc", Body=b"x",
                                                 Tagging="team%20name=blue%20%26%20green")
        # a multipart upload carries its tags at CreateMultipartUpload
        up = s3.create_multipart_upload(Bucket=b, Key="mp", Tagging="team=blue")
        self.s3.abort_multipart_upload(Bucket=b, Key="mp", UploadId=up["UploadId"])
        check_denied(self, "s3", s3.create_multipart_upload, Bucket=b, Key="mp2",
                     Tagging="team=red")

    def test_request_object_tag_keys_on_put_object_tagging(self):
        b = self.bucket(["k"])
        u = self.p.user(inline=[doc(allow("s3:PutObjectTagging", "arn:aws:s3:::%s/*" % b,
                                          Condition={
                                              "ForAllValues:StringEquals": {
                                                  "s3:RequestObjectTagKeys": ["team", "env"]},
                                              "Null": {"s3:RequestObjectTagKeys": "false"}}))])
        s3 = client(self.server, "s3", u)
        s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [
            {"Key": "team", "Value": "a"}, {"Key": "env", "Value": "b"}]})
        s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": [{"Key": "env", "Value": "c"}]})
        check_denied(self, "s3", s3.put_object_tagging, Bucket=b, Key="k", Tagging={"TagSet": [
            {"Key": "team", "Value": "a"}, {"Key": "owner", "Value": "x"}]})
        check_denied(self, "s3", s3.put_object_tagging, Bucket=b, Key="k",
                     Tagging={"TagSet": []})
        self.assertEqual([{"Key": "env", "Value": "c"}],
                         self.s3.get_object_tagging(Bucket=b, Key="k")["TagSet"])

    def test_request_object_tag_deny(self):
        b = self.bucket()
        u = self.p.user(inline=[doc(allow("s3:*"), deny("s3:PutObject", "*", Condition={
            "ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": "secret"}}))])
        s3 = client(self.server, "s3", u)
        s3.put_object(Bucket=b, Key="a", Body=b"a", Tagging="public=1")
        s3.put_object(Bucket=b, Key="b", Body=b"b")
        check_denied(self, "s3", s3.put_object, Bucket=b, Key="c", Body=b"c",
                     Tagging="public=1&secret=2")
        # a copy takes the request's tags only with TaggingDirective REPLACE
        check_denied(self, "s3", s3.copy_object, Bucket=b, Key="d", CopySource="%s/a" % b,
                     Tagging="secret=1", TaggingDirective="REPLACE")
        s3.copy_object(Bucket=b, Key="e", CopySource="%s/a" % b, Tagging="secret=1")
        self.assertEqual([{"Key": "public", "Value": "1"}],
                         self.s3.get_object_tagging(Bucket=b, Key="e")["TagSet"])


# --------------------------------------------------------------------------
# --iam off: unchanged
# --------------------------------------------------------------------------

class IamOffTests(ServerTestCase):
    server_args = ()

    def test_anonymous_served_as_before(self):
        s3 = self.server.client("s3")
        anon = anonymous_client(self.server)
        b = uniq("off")
        anon.create_bucket(Bucket=b)
        anon.put_object(Bucket=b, Key="k", Body=b"v")
        self.assertEqual(b"v", anon.get_object(Bucket=b, Key="k")["Body"].read())
        s3.put_object(Bucket=b, Key="kms", Body=b"secret", ServerSideEncryption="aws:kms")
        self.assertEqual(b"secret", anon.get_object(Bucket=b, Key="kms")["Body"].read())
        self.assertEqual(["k", "kms"],
                         [o["Key"] for o in anon.list_objects_v2(Bucket=b)["Contents"]])
        check_error(self, "NoSuchKey", 404, anon.get_object, Bucket=b, Key="missing")
        s3.put_public_access_block(Bucket=b, PublicAccessBlockConfiguration={
            "RestrictPublicBuckets": True, "IgnorePublicAcls": True})
        self.assertEqual(b"v", anon.get_object(Bucket=b, Key="k")["Body"].read())
        self.assertIsNone(error_of(anon.list_buckets))
