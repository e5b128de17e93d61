"""S3 bucket configuration subresources, ACLs and versioning, against AWS's
documented answers (botocore's s3 2006-03-01 model, the S3 API reference):
each subresource put/get/delete and its "not configured" error, CORS
preflight over raw HTTP, canned and explicit ACLs, versioning end to end
(version ids, delete markers, get/head/delete by versionId, ListObjectVersions
paging, the suspended "null" version, old bodies byte-exact, at rest and
across a restart), and the Terraform/Pulumi aws_s3_bucket call sequences of
examples/iac-call-sequences.md replayed with boto3.

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import EXTERNAL_URL, Server, scan_for
from test_s3 import S3TestCase, body_of, s3_client, uniq

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
MiB = 1024 * 1024
AWS = shutil.which("aws")


def err(e):
    """(code, HTTP status, message) of a ClientError."""
    return (e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"],
            e.response["Error"].get("Message"))


class ConfigCase(S3TestCase):
    def assertS3Error(self, code, status, fn, *args, message=None, **kw):
        try:
            fn(*args, **kw)
        except ClientError as e:
            got = err(e)
            self.assertEqual((code, status), got[:2], "message: %r" % (got[2],))
            if message is not None:
                self.assertEqual(message, got[2])
            return e.response
        self.fail("expected %s, the call succeeded" % code)


# ---------------------------------------------------------------------------
# configuration subresources
# ---------------------------------------------------------------------------

NOT_CONFIGURED = [
    ("get_bucket_policy", "NoSuchBucketPolicy", "The bucket policy does not exist"),
    ("get_bucket_cors", "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
    ("get_bucket_website", "NoSuchWebsiteConfiguration",
     "The specified bucket does not have a website configuration"),
    ("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration",
     "The lifecycle configuration does not exist"),
    ("get_bucket_replication", "ReplicationConfigurationNotFoundError",
     "The replication configuration was not found"),
    ("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError",
     "Object Lock configuration does not exist for this bucket"),
    ("get_bucket_tagging", "NoSuchTagSet", "The TagSet does not exist"),
]
# configured on every new bucket (AWS's defaults since April 2023) until deleted
DEFAULTED = [
    ("get_public_access_block", "NoSuchPublicAccessBlockConfiguration",
     "The public access block configuration was not found"),
    ("get_bucket_ownership_controls", "OwnershipControlsNotFoundError",
     "The bucket ownership controls were not found"),
]


class ConfigTests(ConfigCase):
    def setUp(self):
        super().setUp()
        self.bucket = self.make_bucket()

    def test_not_configured_answers(self):
        for op, code, msg in NOT_CONFIGURED:
            with self.subTest(op=op):
                r = self.assertS3Error(code, 404, getattr(self.s3, op), Bucket=self.bucket,
                                       message=msg)
                self.assertEqual(self.bucket, r["Error"].get("BucketName"))
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=self.bucket))
        self.assertNotIn("Status", self.s3.get_bucket_accelerate_configuration(Bucket=self.bucket))
        self.assertEqual("BucketOwner", self.s3.get_bucket_request_payment(Bucket=self.bucket)["Payer"])
        self.assertNotIn("LoggingEnabled", self.s3.get_bucket_logging(Bucket=self.bucket))

    def test_no_such_bucket(self):
        for op, _, _ in NOT_CONFIGURED + DEFAULTED + [("get_bucket_acl", "", "")]:
            with self.subTest(op=op):
                self.assertS3Error("NoSuchBucket", 404, getattr(self.s3, op), Bucket=uniq("none"))

    def test_cors(self):
        rules = [{"ID": "r1", "AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://*.example.com"],
                  "AllowedHeaders": ["x-amz-*", "Content-Type"], "ExposeHeaders": ["ETag"],
                  "MaxAgeSeconds": 600},
                 {"AllowedMethods": ["PUT"], "AllowedOrigins": ["*"]}]
        self.s3.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": rules})
        got = self.s3.get_bucket_cors(Bucket=self.bucket)["CORSRules"]
        self.assertEqual(rules, got)
        self.s3.delete_bucket_cors(Bucket=self.bucket)
        self.assertS3Error("NoSuchCORSConfiguration", 404, self.s3.get_bucket_cors, Bucket=self.bucket)
        self.assertS3Error("InvalidRequest", 400, self.s3.put_bucket_cors, Bucket=self.bucket,
                           CORSConfiguration={"CORSRules": [{"AllowedMethods": ["PATCH"],
                                                             "AllowedOrigins": ["*"]}]},
                           message="Found unsupported HTTP method in CORS config. Unsupported "
                                   "method is PATCH")
        self.assertS3Error("MalformedXML", 400, self.s3_nv.put_bucket_cors, Bucket=self.bucket,
                           CORSConfiguration={"CORSRules": []})

    def test_cors_preflight_raw_http(self):
        path = "/%s/obj.txt" % self.bucket
        st, h, body = self.server.http("OPTIONS", path, headers={
            "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
        self.assertEqual(403, st)
        self.assertIn(b"<Code>CORSResponse</Code>", body)
        self.assertIn(b"CORS is not enabled for this bucket.", body)
        self.s3.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": [
            {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://*.example.com"],
             "AllowedHeaders": ["x-amz-*", "content-type"], "ExposeHeaders": ["ETag", "x-amz-version-id"],
             "MaxAgeSeconds": 600},
            {"AllowedMethods": ["PUT"], "AllowedOrigins": ["*"]}]})
        st, h, body = self.server.http("OPTIONS", path, headers={
            "Origin": "https://app.example.com", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-Amz-Date, Content-Type"})
        self.assertEqual(200, st, body)
        self.assertEqual("https://app.example.com", h["access-control-allow-origin"])
        self.assertEqual("GET, HEAD", h["access-control-allow-methods"])
        self.assertEqual("X-Amz-Date, Content-Type", h["access-control-allow-headers"])
        self.assertEqual("600", h["access-control-max-age"])
        self.assertEqual("ETag, x-amz-version-id", h["access-control-expose-headers"])
        self.assertEqual("true", h["access-control-allow-credentials"])
        # the wildcard rule answers "*"
        st, h, _ = self.server.http("OPTIONS", path, headers={
            "Origin": "https://other.test", "Access-Control-Request-Method": "PUT"})
        self.assertEqual(200, st)
        self.assertEqual("*", h["access-control-allow-origin"])
        self.assertEqual("PUT", h["access-control-allow-methods"])
        # nothing matches: origin, method, or a header
        for hdrs in ({"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"},
                     {"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE"},
                     {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET",
                      "Access-Control-Request-Headers": "authorization"}):
            st, h, body = self.server.http("OPTIONS", path, headers=hdrs)
            self.assertEqual(403, st, hdrs)
            self.assertIn(b"<Code>CORSResponse</Code>", body)
            self.assertIn(b"This CORS request is not allowed.", body)
            self.assertNotIn("access-control-allow-origin", h)
        st, _, body = self.server.http("OPTIONS", path, headers={"Access-Control-Request-Method": "GET"})
        self.assertEqual(400, st)
        self.assertIn(b"Origin request header needed", body)
        # an ordinary request with a matching Origin gets the headers
        self.s3.put_object(Bucket=self.bucket, Key="obj.txt", Body=b"x")
        s3 = s3_client(self.server)

        def add_origin(request, **_):
            request.headers["Origin"] = origin
        s3.meta.events.register("before-sign.s3.GetObject", add_origin)
        origin = "https://app.example.com"
        r = s3.get_object(Bucket=self.bucket, Key="obj.txt")
        self.assertEqual(origin, r["ResponseMetadata"]["HTTPHeaders"]["access-control-allow-origin"])
        origin = "https://evil.test"
        r = s3.get_object(Bucket=self.bucket, Key="obj.txt")
        self.assertNotIn("access-control-allow-origin", r["ResponseMetadata"]["HTTPHeaders"])

    def test_website(self):
        cfg = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"},
               "RoutingRules": [{"Condition": {"KeyPrefixEquals": "docs/"},
                                 "Redirect": {"ReplaceKeyPrefixWith": "documents/"}}]}
        self.s3.put_bucket_website(Bucket=self.bucket, WebsiteConfiguration=cfg)
        got = self.s3.get_bucket_website(Bucket=self.bucket)
        for k in cfg:
            self.assertEqual(cfg[k], got[k])
        self.s3.put_bucket_website(Bucket=self.bucket, WebsiteConfiguration={
            "RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "https"}})
        self.assertEqual({"HostName": "example.com", "Protocol": "https"},
                         self.s3.get_bucket_website(Bucket=self.bucket)["RedirectAllRequestsTo"])
        self.s3.delete_bucket_website(Bucket=self.bucket)
        self.assertS3Error("NoSuchWebsiteConfiguration", 404, self.s3.get_bucket_website, Bucket=self.bucket)
        self.assertS3Error("InvalidArgument", 400, self.s3.put_bucket_website, Bucket=self.bucket,
                           WebsiteConfiguration={"ErrorDocument": {"Key": "e.html"}},
                           message="A value for IndexDocument Suffix must be provided if "
                                   "RedirectAllRequestsTo is empty")
        self.assertS3Error("InvalidArgument", 400, self.s3.put_bucket_website, Bucket=self.bucket,
                           WebsiteConfiguration={"IndexDocument": {"Suffix": "a/index.html"}},
                           message="The IndexDocument Suffix is not well formed")

    def test_lifecycle(self):
        rules = [{"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
                  "Expiration": {"Days": 30}},
                 {"ID": "old-versions", "Filter": {"And": {"Prefix": "data/", "Tags": [
                     {"Key": "class", "Value": "tmp"}]}}, "Status": "Disabled",
                  "NoncurrentVersionExpiration": {"NoncurrentDays": 7}},
                 # AWS refuses AbortIncompleteMultipartUpload in a rule that filters
                 # by tags (test_s3_lifecycle), so it has a rule of its own
                 {"ID": "uploads", "Filter": {"Prefix": "data/"}, "Status": "Enabled",
                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]
        self.s3.put_bucket_lifecycle_configuration(Bucket=self.bucket,
                                                   LifecycleConfiguration={"Rules": rules})
        got = self.s3.get_bucket_lifecycle_configuration(Bucket=self.bucket)["Rules"]
        self.assertEqual(rules, got)
        # a rule without an ID gets one
        self.s3.put_bucket_lifecycle_configuration(Bucket=self.bucket, LifecycleConfiguration={
            "Rules": [{"Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 1}}]})
        got = self.s3.get_bucket_lifecycle_configuration(Bucket=self.bucket)["Rules"]
        self.assertTrue(got[0]["ID"])
        self.s3.delete_bucket_lifecycle(Bucket=self.bucket)
        self.assertS3Error("NoSuchLifecycleConfiguration", 404,
                           self.s3.get_bucket_lifecycle_configuration, Bucket=self.bucket)
        self.assertS3Error("InvalidRequest", 400, self.s3.put_bucket_lifecycle_configuration,
                           Bucket=self.bucket, LifecycleConfiguration={"Rules": [
                               {"ID": "a", "Filter": {"Prefix": "x"}, "Status": "Enabled"}]},
                           message="At least one action needs to be specified in a rule")
        self.assertS3Error("InvalidArgument", 400, self.s3.put_bucket_lifecycle_configuration,
                           Bucket=self.bucket, LifecycleConfiguration={"Rules": [
                               {"ID": "a", "Filter": {"Prefix": "x"}, "Status": "Enabled",
                                "Expiration": {"Days": 1}},
                               {"ID": "a", "Filter": {"Prefix": "y"}, "Status": "Enabled",
                                "Expiration": {"Days": 2}}]},
                           message="Rule ID must be unique. Found same ID for more than one rule")
        self.assertS3Error("InvalidArgument", 400, self.s3.put_bucket_lifecycle_configuration,
                           Bucket=self.bucket, LifecycleConfiguration={"Rules": [
                               {"ID": "a", "Filter": {"Prefix": "x"}, "Status": "Enabled",
                                "Expiration": {"Days": 0}}]})
        self.assertS3Error("MalformedXML", 400, self.s3_nv.put_bucket_lifecycle_configuration,
                           Bucket=self.bucket, LifecycleConfiguration={"Rules": [
                               {"ID": "a", "Filter": {"Prefix": "x"}, "Status": "On",
                                "Expiration": {"Days": 1}}]})

    def test_replication_needs_versioning(self):
        dest = self.make_bucket()
        cfg = {"Role": "arn:aws:iam::000000000000:role/replication",
               "Rules": [{"ID": "all", "Priority": 1, "Filter": {"Prefix": ""}, "Status": "Enabled",
                          "DeleteMarkerReplication": {"Status": "Disabled"},
                          "Destination": {"Bucket": "arn:aws:s3:::" + dest}}]}
        self.assertS3Error("InvalidRequest", 400, self.s3.put_bucket_replication, Bucket=self.bucket,
                           ReplicationConfiguration=cfg,
                           message="Versioning must be 'Enabled' on the bucket to apply a "
                                   "replication configuration")
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        self.assertS3Error("InvalidRequest", 400, self.s3.put_bucket_replication, Bucket=self.bucket,
                           ReplicationConfiguration=cfg,
                           message="Destination bucket must have versioning enabled.")
        self.s3.put_bucket_versioning(Bucket=dest, VersioningConfiguration={"Status": "Enabled"})
        self.s3.put_bucket_replication(Bucket=self.bucket, ReplicationConfiguration=cfg)
        got = self.s3.get_bucket_replication(Bucket=self.bucket)["ReplicationConfiguration"]
        self.assertEqual(cfg["Role"], got["Role"])
        self.assertEqual(cfg["Rules"], got["Rules"])
        self.s3.delete_bucket_replication(Bucket=self.bucket)
        self.assertS3Error("ReplicationConfigurationNotFoundError", 404, self.s3.get_bucket_replication,
                           Bucket=self.bucket)

    def test_bucket_tagging(self):
        tags = [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": ""}]
        r = self.s3.put_bucket_tagging(Bucket=self.bucket, Tagging={"TagSet": tags})
        self.assertEqual(204, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual(tags, self.s3.get_bucket_tagging(Bucket=self.bucket)["TagSet"])
        self.assertS3Error("InvalidTag", 400, self.s3.put_bucket_tagging, Bucket=self.bucket,
                           Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]},
                           message="Cannot provide multiple Tags with the same key")
        self.assertS3Error("InvalidTag", 400, self.s3.put_bucket_tagging, Bucket=self.bucket,
                           Tagging={"TagSet": [{"Key": "aws:x", "Value": "1"}]},
                           message="System tags cannot be added/updated by requester")
        self.assertEqual(tags, self.s3.get_bucket_tagging(Bucket=self.bucket)["TagSet"])
        r = self.s3.delete_bucket_tagging(Bucket=self.bucket)
        self.assertEqual(204, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertS3Error("NoSuchTagSet", 404, self.s3.get_bucket_tagging, Bucket=self.bucket)

    def test_accelerate_request_payment_logging(self):
        self.s3.put_bucket_accelerate_configuration(Bucket=self.bucket,
                                                    AccelerateConfiguration={"Status": "Enabled"})
        self.assertEqual("Enabled", self.s3.get_bucket_accelerate_configuration(Bucket=self.bucket)["Status"])
        self.s3.put_bucket_accelerate_configuration(Bucket=self.bucket,
                                                    AccelerateConfiguration={"Status": "Suspended"})
        self.assertEqual("Suspended",
                         self.s3.get_bucket_accelerate_configuration(Bucket=self.bucket)["Status"])
        dotted = self.make_bucket("dot.%s" % uniq("b"))
        self.assertS3Error("InvalidRequest", 400, self.s3.put_bucket_accelerate_configuration,
                           Bucket=dotted, AccelerateConfiguration={"Status": "Enabled"})
        self.s3.put_bucket_request_payment(Bucket=self.bucket,
                                           RequestPaymentConfiguration={"Payer": "Requester"})
        self.assertEqual("Requester", self.s3.get_bucket_request_payment(Bucket=self.bucket)["Payer"])
        self.assertS3Error("MalformedXML", 400, self.s3_nv.put_bucket_request_payment,
                           Bucket=self.bucket, RequestPaymentConfiguration={"Payer": "Nobody"})
        target = self.make_bucket()
        self.s3.put_bucket_logging(Bucket=self.bucket, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "logs/"}})
        got = self.s3.get_bucket_logging(Bucket=self.bucket)["LoggingEnabled"]
        self.assertEqual(target, got["TargetBucket"])
        self.assertEqual("logs/", got["TargetPrefix"])
        self.assertS3Error("InvalidTargetBucketForLogging", 400, self.s3.put_bucket_logging,
                           Bucket=self.bucket, BucketLoggingStatus={
                               "LoggingEnabled": {"TargetBucket": uniq("gone"), "TargetPrefix": ""}},
                           message="The target bucket for logging does not exist")
        self.s3.put_bucket_logging(Bucket=self.bucket, BucketLoggingStatus={})
        self.assertNotIn("LoggingEnabled", self.s3.get_bucket_logging(Bucket=self.bucket))

    def test_object_lock(self):
        lock = {"ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 5}}}
        self.assertS3Error("InvalidBucketState", 409, self.s3.put_object_lock_configuration,
                           Bucket=self.bucket, ObjectLockConfiguration=lock)
        b = uniq("lock")
        self.s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
        self.assertEqual({"ObjectLockEnabled": "Enabled"},
                         self.s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"])
        self.assertEqual("Enabled", self.s3.get_bucket_versioning(Bucket=b)["Status"])
        self.s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration=lock)
        self.assertEqual(lock, self.s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"])
        self.assertS3Error("InvalidBucketState", 409, self.s3.put_bucket_versioning, Bucket=b,
                           VersioningConfiguration={"Status": "Suspended"})
        self.assertS3Error("MalformedXML", 400, self.s3.put_object_lock_configuration, Bucket=b,
                           ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": {
                               "DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}})

    def test_deleted_defaults_answer_not_configured(self):
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.s3.delete_bucket_ownership_controls(Bucket=self.bucket)
        for op, code, msg in DEFAULTED:
            with self.subTest(op=op):
                r = self.assertS3Error(code, 404, getattr(self.s3, op), Bucket=self.bucket,
                                       message=msg)
                self.assertEqual(self.bucket, r["Error"].get("BucketName"))

    def test_public_access_block(self):
        self.assertEqual({"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                          "RestrictPublicBuckets": True},
                         self.s3.get_public_access_block(Bucket=self.bucket)["PublicAccessBlockConfiguration"])
        # ACLs enabled, so that BlockPublicAcls is what refuses a public one
        self.s3.put_bucket_ownership_controls(Bucket=self.bucket, OwnershipControls={
            "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        self.s3.put_public_access_block(Bucket=self.bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "BlockPublicPolicy": True})
        self.assertEqual({"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": True,
                          "RestrictPublicBuckets": False},
                         self.s3.get_public_access_block(Bucket=self.bucket)["PublicAccessBlockConfiguration"])
        # its effect: public ACLs and public policies are refused
        self.assertS3Error("AccessDenied", 403, self.s3.put_bucket_acl, Bucket=self.bucket,
                           ACL="public-read")
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::%s/*" % self.bucket}]})
        self.assertS3Error("AccessDenied", 403, self.s3.put_bucket_policy, Bucket=self.bucket,
                           Policy=policy)
        self.s3.put_bucket_acl(Bucket=self.bucket, ACL="private")
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.assertS3Error("NoSuchPublicAccessBlockConfiguration", 404, self.s3.get_public_access_block,
                           Bucket=self.bucket)
        self.s3.put_bucket_policy(Bucket=self.bucket, Policy=policy)
        self.s3.put_bucket_acl(Bucket=self.bucket, ACL="public-read")

    def test_ownership_controls(self):
        self.assertEqual([{"ObjectOwnership": "BucketOwnerEnforced"}], self.s3.get_bucket_ownership_controls(
            Bucket=self.bucket)["OwnershipControls"]["Rules"])
        for o in ("ObjectWriter", "BucketOwnerPreferred", "BucketOwnerEnforced"):
            self.s3.put_bucket_ownership_controls(Bucket=self.bucket, OwnershipControls={
                "Rules": [{"ObjectOwnership": o}]})
            self.assertEqual([{"ObjectOwnership": o}], self.s3.get_bucket_ownership_controls(
                Bucket=self.bucket)["OwnershipControls"]["Rules"])
        # ACLs disabled: only the owner's own ACL is accepted
        self.assertS3Error("AccessControlListNotSupported", 400, self.s3.put_bucket_acl,
                           Bucket=self.bucket, ACL="public-read",
                           message="The bucket does not allow ACLs")
        # even "private": only the owner's full control spelled out is accepted
        self.assertS3Error("AccessControlListNotSupported", 400, self.s3.put_bucket_acl,
                           Bucket=self.bucket, ACL="private")
        owner = self.s3.get_bucket_acl(Bucket=self.bucket)["Owner"]["ID"]
        self.s3.put_bucket_acl(Bucket=self.bucket, AccessControlPolicy={
            "Owner": {"ID": owner}, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner},
                                                "Permission": "FULL_CONTROL"}]})
        self.assertS3Error("AccessControlListNotSupported", 400, self.s3.put_object,
                           Bucket=self.bucket, Key="k", Body=b"x", ACL="public-read")
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
        self.s3.delete_bucket_ownership_controls(Bucket=self.bucket)
        self.assertS3Error("OwnershipControlsNotFoundError", 404,
                           self.s3.get_bucket_ownership_controls, Bucket=self.bucket)
        b = uniq("own")
        self.assertS3Error("InvalidBucketAclWithObjectOwnership", 400, self.s3.create_bucket,
                           Bucket=b, ACL="public-read", ObjectOwnership="BucketOwnerEnforced")
        self.s3.create_bucket(Bucket=b, ObjectOwnership="ObjectWriter")
        self.assertEqual("ObjectWriter", self.s3.get_bucket_ownership_controls(
            Bucket=b)["OwnershipControls"]["Rules"][0]["ObjectOwnership"])


# ---------------------------------------------------------------------------
# ACLs
# ---------------------------------------------------------------------------

def grants(acl):
    """{(type, id or uri, permission)} of a Get*Acl answer."""
    out = set()
    for g in acl["Grants"]:
        ge = g["Grantee"]
        out.add((ge["Type"], ge.get("ID") or ge.get("URI"), g["Permission"]))
    return out


class AclTests(ConfigCase):
    def setUp(self):
        super().setUp()
        self.bucket = self.make_acl_bucket()
        self.owner = self.s3.get_bucket_acl(Bucket=self.bucket)["Owner"]["ID"]

    def test_default_owner_full_control(self):
        acl = self.s3.get_bucket_acl(Bucket=self.bucket)
        self.assertRegex(acl["Owner"]["ID"], r"^[0-9a-f]{64}$")
        self.assertTrue(acl["Owner"]["DisplayName"])
        self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL")}, grants(acl))
        # the same canonical id in listings
        self.assertEqual(self.owner, self.s3.list_buckets()["Owner"]["ID"])
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL")},
                         grants(self.s3.get_object_acl(Bucket=self.bucket, Key="k")))

    def test_canned_acls(self):
        want = {"private": set(),
                "public-read": {("Group", ALL_USERS, "READ")},
                "public-read-write": {("Group", ALL_USERS, "READ"), ("Group", ALL_USERS, "WRITE")},
                "authenticated-read": {("Group", AUTH_USERS, "READ")},
                "log-delivery-write": {("Group", LOG_DELIVERY, "WRITE"),
                                       ("Group", LOG_DELIVERY, "READ_ACP")}}
        for canned, extra in want.items():
            with self.subTest(canned=canned):
                self.s3.put_bucket_acl(Bucket=self.bucket, ACL=canned)
                self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL")} | extra,
                                 grants(self.s3.get_bucket_acl(Bucket=self.bucket)))
        b = uniq("acl")
        # a new bucket's ACL needs ACLs enabled, and a public one cannot pass the
        # default public access block (see test_s3_defaults)
        self.s3.create_bucket(Bucket=b, ACL="log-delivery-write", ObjectOwnership="ObjectWriter")
        self.assertIn(("Group", LOG_DELIVERY, "WRITE"), grants(self.s3.get_bucket_acl(Bucket=b)))
        self.s3.put_object(Bucket=self.bucket, Key="o", Body=b"x", ACL="authenticated-read")
        self.assertIn(("Group", AUTH_USERS, "READ"),
                      grants(self.s3.get_object_acl(Bucket=self.bucket, Key="o")))
        self.s3.put_object_acl(Bucket=self.bucket, Key="o", ACL="private")
        self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL")},
                         grants(self.s3.get_object_acl(Bucket=self.bucket, Key="o")))
        self.assertS3Error("InvalidArgument", 400, self.s3_nv.put_bucket_acl, Bucket=self.bucket,
                           ACL="very-public")

    def test_explicit_acl(self):
        other = "a" * 64
        policy = {"Owner": {"ID": self.owner},
                  "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": self.owner},
                              "Permission": "FULL_CONTROL"},
                             {"Grantee": {"Type": "CanonicalUser", "ID": other}, "Permission": "READ_ACP"},
                             {"Grantee": {"Type": "Group", "URI": LOG_DELIVERY}, "Permission": "WRITE"}]}
        self.s3.put_bucket_acl(Bucket=self.bucket, AccessControlPolicy=policy)
        acl = self.s3.get_bucket_acl(Bucket=self.bucket)
        self.assertEqual(self.owner, acl["Owner"]["ID"])
        self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL"),
                          ("CanonicalUser", other, "READ_ACP"), ("Group", LOG_DELIVERY, "WRITE")},
                         grants(acl))
        self.s3.put_bucket_acl(Bucket=self.bucket, GrantRead='uri="%s"' % ALL_USERS,
                               GrantFullControl='id="%s"' % self.owner)
        self.assertEqual({("CanonicalUser", self.owner, "FULL_CONTROL"), ("Group", ALL_USERS, "READ")},
                         grants(self.s3.get_bucket_acl(Bucket=self.bucket)))
        self.s3.put_object(Bucket=self.bucket, Key="o", Body=b"x")
        self.s3.put_object_acl(Bucket=self.bucket, Key="o", AccessControlPolicy=policy)
        self.assertEqual(grants(acl), grants(self.s3.get_object_acl(Bucket=self.bucket, Key="o")))
        # errors
        self.assertS3Error("InvalidRequest", 400, self.s3.put_bucket_acl, Bucket=self.bucket,
                           ACL="private", GrantRead='uri="%s"' % ALL_USERS,
                           message="Specifying both Canned ACLs and Header Grants is not allowed")
        bad_owner = dict(policy, Owner={"ID": other})
        self.assertS3Error("AccessDenied", 403, self.s3.put_bucket_acl, Bucket=self.bucket,
                           AccessControlPolicy=bad_owner)
        bad_perm = dict(policy, Grants=[{"Grantee": {"Type": "Group", "URI": ALL_USERS},
                                         "Permission": "EVERYTHING"}])
        self.assertS3Error("MalformedACLError", 400, self.s3_nv.put_bucket_acl, Bucket=self.bucket,
                           AccessControlPolicy=bad_perm)
        self.assertS3Error("InvalidArgument", 400, self.s3.put_bucket_acl, Bucket=self.bucket,
                           GrantRead='uri="http://acs.amazonaws.com/groups/global/Nobody"')
        self.assertS3Error("NoSuchKey", 404, self.s3.get_object_acl, Bucket=self.bucket, Key="none")


# ---------------------------------------------------------------------------
# versioning
# ---------------------------------------------------------------------------

class VersioningTests(ConfigCase):
    def setUp(self):
        super().setUp()
        self.bucket = self.make_bucket()

    def enable(self, status="Enabled", bucket=None):
        self.s3.put_bucket_versioning(Bucket=bucket or self.bucket,
                                      VersioningConfiguration={"Status": status})

    def test_status(self):
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket=self.bucket))
        self.enable()
        self.assertEqual("Enabled", self.s3.get_bucket_versioning(Bucket=self.bucket)["Status"])
        self.enable("Suspended")
        self.assertEqual("Suspended", self.s3.get_bucket_versioning(Bucket=self.bucket)["Status"])
        self.assertS3Error("MalformedXML", 400, self.s3_nv.put_bucket_versioning, Bucket=self.bucket,
                           VersioningConfiguration={"Status": "On"})

    def test_unversioned_bucket_has_no_version_ids(self):
        r = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"x")
        self.assertNotIn("VersionId", r)
        self.assertNotIn("x-amz-version-id", self.s3.get_object(
            Bucket=self.bucket, Key="k")["ResponseMetadata"]["HTTPHeaders"])
        v = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([("k", "null", True)],
                         [(x["Key"], x["VersionId"], x["IsLatest"]) for x in v["Versions"]])
        # the null version can be named
        self.assertEqual(b"x", self.s3.get_object(Bucket=self.bucket, Key="k", VersionId="null")["Body"].read())

    def test_versions_and_old_bodies(self):
        self.enable()
        bodies = [body_of(100), body_of(300 * 1024), b"", body_of(5000)]
        vids = []
        for b in bodies:
            r = self.s3.put_object(Bucket=self.bucket, Key="doc", Body=b)
            self.assertRegex(r["VersionId"], r"^[A-Za-z0-9]{32}$")
            vids.append(r["VersionId"])
        self.assertEqual(len(set(vids)), len(vids))
        for vid, b in zip(vids, bodies):
            g = self.s3.get_object(Bucket=self.bucket, Key="doc", VersionId=vid)
            self.assertEqual(vid, g["VersionId"])
            self.assertTrue(g["Body"].read() == b, "version %s differs" % vid)
            h = self.s3.head_object(Bucket=self.bucket, Key="doc", VersionId=vid)
            self.assertEqual(len(b), h["ContentLength"])
            self.assertEqual(vid, h["VersionId"])
        g = self.s3.get_object(Bucket=self.bucket, Key="doc")
        self.assertEqual(vids[-1], g["VersionId"])
        self.assertEqual(bodies[-1], g["Body"].read())
        # a range of an old version
        g = self.s3.get_object(Bucket=self.bucket, Key="doc", VersionId=vids[1], Range="bytes=1000-1999")
        self.assertEqual(bodies[1][1000:2000], g["Body"].read())
        v = self.s3.list_object_versions(Bucket=self.bucket)["Versions"]
        self.assertEqual(list(reversed(vids)), [x["VersionId"] for x in v])
        self.assertEqual([True, False, False, False], [x["IsLatest"] for x in v])
        self.assertEqual(list(reversed([len(b) for b in bodies])), [x["Size"] for x in v])
        # version-specific errors
        self.assertS3Error("NoSuchVersion", 404, self.s3.get_object, Bucket=self.bucket, Key="doc",
                           VersionId="A" * 32, message="The specified version does not exist.")
        self.assertS3Error("InvalidArgument", 400, self.s3.get_object, Bucket=self.bucket, Key="doc",
                           VersionId="not-a-version", message="Invalid version id specified")

    def test_multipart_and_copy_make_versions(self):
        self.enable()
        first = self.s3.put_object(Bucket=self.bucket, Key="mp", Body=b"small")["VersionId"]
        up = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp")
        p1, p2 = body_of(5 * MiB), body_of(1000)
        e1 = self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=p1)
        e2 = self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=up["UploadId"], PartNumber=2, Body=p2)
        c = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="mp", UploadId=up["UploadId"],
                                              MultipartUpload={"Parts": [
                                                  {"PartNumber": 1, "ETag": e1["ETag"]},
                                                  {"PartNumber": 2, "ETag": e2["ETag"]}]})
        self.assertTrue(c["VersionId"])
        cp = self.s3.copy_object(Bucket=self.bucket, Key="mp", CopySource={"Bucket": self.bucket, "Key": "mp"},
                                 MetadataDirective="REPLACE", Metadata={"v": "3"})
        self.assertTrue(cp["VersionId"])
        self.assertEqual(b"small", self.s3.get_object(Bucket=self.bucket, Key="mp", VersionId=first)["Body"].read())
        self.assertTrue(self.s3.get_object(Bucket=self.bucket, Key="mp", VersionId=c["VersionId"])["Body"].read()
                        == p1 + p2)
        self.assertTrue(self.s3.get_object(Bucket=self.bucket, Key="mp")["Body"].read() == p1 + p2)
        self.assertEqual(3, len(self.s3.list_object_versions(Bucket=self.bucket)["Versions"]))

    def test_delete_markers(self):
        self.enable()
        v1 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"one")["VersionId"]
        v2 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"two")["VersionId"]
        d = self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.assertTrue(d["DeleteMarker"])
        dm = d["VersionId"]
        self.assertNotIn(dm, (v1, v2))
        r = self.assertS3Error("NoSuchKey", 404, self.s3.get_object, Bucket=self.bucket, Key="k")
        self.assertEqual("true", r["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"])
        self.assertEqual(dm, r["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"])
        try:
            self.s3.head_object(Bucket=self.bucket, Key="k")
            self.fail("head of a deleted key succeeded")
        except ClientError as e:
            self.assertEqual(404, e.response["ResponseMetadata"]["HTTPStatusCode"])
            self.assertEqual("true", e.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"])
        r = self.assertS3Error("MethodNotAllowed", 405, self.s3.get_object, Bucket=self.bucket, Key="k",
                               VersionId=dm)
        self.assertEqual("true", r["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"])
        self.assertEqual("DELETE", r["ResponseMetadata"]["HTTPHeaders"]["allow"])
        try:
            self.s3.head_object(Bucket=self.bucket, Key="k", VersionId=dm)
            self.fail("head of a delete marker succeeded")
        except ClientError as e:
            self.assertEqual(405, e.response["ResponseMetadata"]["HTTPStatusCode"])
        # old versions still read; the listing shows the marker as latest
        self.assertEqual(b"one", self.s3.get_object(Bucket=self.bucket, Key="k", VersionId=v1)["Body"].read())
        v = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([(dm, True)], [(m["VersionId"], m["IsLatest"]) for m in v["DeleteMarkers"]])
        self.assertEqual([(v2, False), (v1, False)], [(x["VersionId"], x["IsLatest"]) for x in v["Versions"]])
        self.assertEqual([], self.s3.list_objects_v2(Bucket=self.bucket).get("Contents", []))
        # deleting the marker brings the object back
        d = self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=dm)
        self.assertTrue(d["DeleteMarker"])
        self.assertEqual(dm, d["VersionId"])
        self.assertEqual(b"two", self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read())
        # deleting the current version by id promotes the previous one
        d = self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId=v2)
        self.assertEqual(v2, d["VersionId"])
        self.assertNotIn("DeleteMarker", d)
        g = self.s3.get_object(Bucket=self.bucket, Key="k")
        self.assertEqual((b"one", v1), (g["Body"].read(), g["VersionId"]))
        self.assertS3Error("NoSuchVersion", 404, self.s3.get_object, Bucket=self.bucket, Key="k", VersionId=v2)
        # a delete marker on a key that never existed
        d = self.s3.delete_object(Bucket=self.bucket, Key="never")
        self.assertTrue(d["DeleteMarker"])
        # the bucket is not empty while versions or markers remain
        self.assertS3Error("BucketNotEmpty", 409, self.s3.delete_bucket, Bucket=self.bucket)

    def test_copy_from_a_version(self):
        self.enable()
        v1 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"first")["VersionId"]
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"second")
        # restoring an old version onto its own key is allowed
        r = self.s3.copy_object(Bucket=self.bucket, Key="k",
                                CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": v1})
        self.assertEqual(v1, r["CopySourceVersionId"])
        self.assertEqual(b"first", self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read())
        self.assertEqual(3, len(self.s3.list_object_versions(Bucket=self.bucket)["Versions"]))
        dm = self.s3.delete_object(Bucket=self.bucket, Key="k")["VersionId"]
        self.assertS3Error("InvalidRequest", 400, self.s3.copy_object, Bucket=self.bucket, Key="c",
                           CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": dm})
        self.assertS3Error("NoSuchVersion", 404, self.s3.copy_object, Bucket=self.bucket, Key="c",
                           CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": "B" * 32})
        self.s3.copy_object(Bucket=self.bucket, Key="c",
                            CopySource={"Bucket": self.bucket, "Key": "k", "VersionId": v1})
        self.assertEqual(b"first", self.s3.get_object(Bucket=self.bucket, Key="c")["Body"].read())

    def test_delete_objects_with_versions(self):
        self.enable()
        v1 = self.s3.put_object(Bucket=self.bucket, Key="a", Body=b"1")["VersionId"]
        v2 = self.s3.put_object(Bucket=self.bucket, Key="a", Body=b"2")["VersionId"]
        self.s3.put_object(Bucket=self.bucket, Key="b", Body=b"3")
        r = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [
            {"Key": "a", "VersionId": v1}, {"Key": "b"}]})
        got = {(d["Key"], d.get("VersionId"), d.get("DeleteMarker", False)) for d in r["Deleted"]}
        self.assertIn(("a", v1, False), got)
        b_del = [d for d in r["Deleted"] if d["Key"] == "b"][0]
        self.assertTrue(b_del["DeleteMarker"])
        self.assertTrue(b_del["DeleteMarkerVersionId"])
        # empty the bucket the way force_destroy does, then delete it
        v = self.s3.list_object_versions(Bucket=self.bucket)
        objs = [{"Key": x["Key"], "VersionId": x["VersionId"]}
                for x in v.get("Versions", []) + v.get("DeleteMarkers", [])]
        self.assertIn({"Key": "a", "VersionId": v2}, objs)
        self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objs})
        v = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([], v.get("Versions", []) + v.get("DeleteMarkers", []))
        self.s3.delete_bucket(Bucket=self.bucket)

    def test_list_versions_paging_prefix_delimiter(self):
        self.enable()
        want = []
        for key in ("a/1", "a/2", "b", "c/x/1"):
            vs = [self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode() + bytes([i]))["VersionId"]
                  for i in range(3)]
            want += [(key, v) for v in reversed(vs)]
        dm = self.s3.delete_object(Bucket=self.bucket, Key="b")["VersionId"]
        want.insert([k for k, _ in want].index("b"), ("b", dm))
        # paging one entry at a time walks every version in order
        got, kw = [], {}
        for _ in range(100):
            r = self.s3.list_object_versions(Bucket=self.bucket, MaxKeys=1, **kw)
            items = r.get("Versions", []) + r.get("DeleteMarkers", [])
            self.assertEqual(1, len(items))
            got.append((items[0]["Key"], items[0]["VersionId"]))
            if not r["IsTruncated"]:
                break
            kw = {"KeyMarker": r["NextKeyMarker"], "VersionIdMarker": r["NextVersionIdMarker"]}
        self.assertEqual(want, got)
        # pages of 5
        got, kw = [], {}
        while True:
            r = self.s3.list_object_versions(Bucket=self.bucket, MaxKeys=5, **kw)
            items = r.get("Versions", []) + r.get("DeleteMarkers", [])
            got += [(x["Key"], x["VersionId"]) for x in items]
            if not r["IsTruncated"]:
                break
            kw = {"KeyMarker": r["NextKeyMarker"], "VersionIdMarker": r["NextVersionIdMarker"]}
        self.assertEqual(sorted(want), sorted(got))
        # key-marker alone skips all versions of that key
        r = self.s3.list_object_versions(Bucket=self.bucket, KeyMarker="a/2")
        self.assertEqual({"b", "c/x/1"}, {x["Key"] for x in r.get("Versions", []) + r.get("DeleteMarkers", [])})
        r = self.s3.list_object_versions(Bucket=self.bucket, Prefix="a/")
        self.assertEqual(6, len(r["Versions"]))
        self.assertEqual("a/", r["Prefix"])
        r = self.s3.list_object_versions(Bucket=self.bucket, Delimiter="/")
        self.assertEqual(["a/", "c/"], [p["Prefix"] for p in r["CommonPrefixes"]])
        self.assertEqual({"b"}, {x["Key"] for x in r["Versions"] + r["DeleteMarkers"]})
        self.assertS3Error("InvalidArgument", 400, self.s3.list_object_versions, Bucket=self.bucket,
                           VersionIdMarker=want[0][1],
                           message="A version-id marker cannot be specified without a key marker.")

    def test_suspended_null_version(self):
        self.enable()
        v1 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"enabled")["VersionId"]
        self.enable("Suspended")
        r = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"null-1")
        self.assertNotEqual(v1, r.get("VersionId"))
        g = self.s3.get_object(Bucket=self.bucket, Key="k")
        self.assertEqual((b"null-1", "null"), (g["Body"].read(), g["VersionId"]))
        # a second put replaces the null version
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"null-2")
        v = self.s3.list_object_versions(Bucket=self.bucket)["Versions"]
        self.assertEqual([("null", True), (v1, False)], [(x["VersionId"], x["IsLatest"]) for x in v])
        self.assertEqual(b"null-2", self.s3.get_object(Bucket=self.bucket, Key="k", VersionId="null")["Body"].read())
        # delete: the null version goes, a null delete marker takes its place
        d = self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.assertTrue(d["DeleteMarker"])
        self.assertEqual("null", d["VersionId"])
        v = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([v1], [x["VersionId"] for x in v["Versions"]])
        self.assertEqual([("null", True)], [(m["VersionId"], m["IsLatest"]) for m in v["DeleteMarkers"]])
        self.assertEqual(b"enabled", self.s3.get_object(Bucket=self.bucket, Key="k", VersionId=v1)["Body"].read())
        # a put over the null marker
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"null-3")
        v = self.s3.list_object_versions(Bucket=self.bucket)
        self.assertEqual([], v.get("DeleteMarkers", []))
        self.assertEqual(["null", v1], [x["VersionId"] for x in v["Versions"]])
        # enabled again: the null version becomes noncurrent and stays
        self.enable()
        v3 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"enabled-2")["VersionId"]
        v = self.s3.list_object_versions(Bucket=self.bucket)["Versions"]
        self.assertEqual([v3, "null", v1], [x["VersionId"] for x in v])
        self.assertEqual(b"null-3", self.s3.get_object(Bucket=self.bucket, Key="k", VersionId="null")["Body"].read())
        self.s3.delete_object(Bucket=self.bucket, Key="k", VersionId="null")
        self.assertEqual([v3, v1], [x["VersionId"] for x in self.s3.list_object_versions(
            Bucket=self.bucket)["Versions"]])

    def test_version_acl_and_tagging(self):
        self.s3.put_bucket_ownership_controls(Bucket=self.bucket, OwnershipControls={
            "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        self.s3.delete_public_access_block(Bucket=self.bucket)
        self.enable()
        v1 = self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"1", ACL="public-read")["VersionId"]
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"2")
        acl = self.s3.get_object_acl(Bucket=self.bucket, Key="k", VersionId=v1)
        self.assertIn(("Group", ALL_USERS, "READ"), grants(acl))
        self.assertEqual(1, len(self.s3.get_object_acl(Bucket=self.bucket, Key="k")["Grants"]))
        self.s3.put_object_acl(Bucket=self.bucket, Key="k", VersionId=v1, ACL="private")
        self.assertEqual(1, len(self.s3.get_object_acl(Bucket=self.bucket, Key="k", VersionId=v1)["Grants"]))

    @unittest.skipUnless(AWS, "aws CLI not installed")
    def test_cli(self):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")

        def aws(*args):
            p = subprocess.run([AWS, "--endpoint-url", self.server.url, "--output", "json"] + list(args),
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            self.assertEqual(0, p.returncode, p.stderr.decode())
            return json.loads(p.stdout) if p.stdout.strip() else None
        aws("s3api", "put-bucket-versioning", "--bucket", self.bucket,
            "--versioning-configuration", "Status=Enabled")
        self.assertEqual("Enabled", aws("s3api", "get-bucket-versioning", "--bucket", self.bucket)["Status"])
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"cli body")
            f.flush()
            v1 = aws("s3api", "put-object", "--bucket", self.bucket, "--key", "c", "--body", f.name)["VersionId"]
            v2 = aws("s3api", "put-object", "--bucket", self.bucket, "--key", "c", "--body", f.name)["VersionId"]
        out = aws("s3api", "list-object-versions", "--bucket", self.bucket)
        self.assertEqual([v2, v1], [x["VersionId"] for x in out["Versions"]])
        acl = aws("s3api", "get-bucket-acl", "--bucket", self.bucket)
        self.assertEqual("FULL_CONTROL", acl["Grants"][0]["Permission"])
        cors = os.path.join(tempfile.mkdtemp(), "cors.json")
        with open(cors, "w") as f:
            json.dump({"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}, f)
        aws("s3api", "put-bucket-cors", "--bucket", self.bucket, "--cors-configuration", "file://" + cors)
        self.assertEqual(["GET"], aws("s3api", "get-bucket-cors", "--bucket", self.bucket)["CORSRules"][0]["AllowedMethods"])
        shutil.rmtree(os.path.dirname(cors), ignore_errors=True)


# ---------------------------------------------------------------------------
# versions at rest and across a restart
# ---------------------------------------------------------------------------

@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class VersionsAtRestTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-s3ver-")
        cls.server = Server(["--data-dir", cls.data_dir])
        cls.server.start()
        try:
            s3 = s3_client(cls.server)
            cls.bucket = uniq("ver")
            s3.create_bucket(Bucket=cls.bucket)
            s3.put_bucket_versioning(Bucket=cls.bucket, VersioningConfiguration={"Status": "Enabled"})
            cls.versions = []  # (key, version id, body)
            for key, sizes in (("small", (200, 3000, 40)), ("large", (200 * 1024, 90 * 1024))):
                for i, n in enumerate(sizes):
                    body = ("plaintext %s v%d " % (key, i)).encode() + body_of(n)
                    vid = s3.put_object(Bucket=cls.bucket, Key=key, Body=body)["VersionId"]
                    cls.versions.append((key, vid, body))
            cls.marker = s3.delete_object(Bucket=cls.bucket, Key="small")["VersionId"]
            cls.listing = s3.list_object_versions(Bucket=cls.bucket)
            cls.hits_running = scan_for(cls.data_dir, cls.needles())
            cls.server.restart()
            cls.s3 = s3_client(cls.server)
        except Exception:
            cls.server.cleanup()
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    @classmethod
    def needles(cls):
        out = []
        for key, vid, body in cls.versions:
            for off in range(0, len(body) - 32, max(1, len(body) // 8)):
                out.append(("%s/%s@%d" % (key, vid, off), body[off:off + 32]))
        return out

    def test_no_version_plaintext_at_rest(self):
        self.assertEqual([], self.hits_running)
        self.assertEqual([], scan_for(self.data_dir, self.needles()))

    def test_versions_survive_restart(self):
        for key, vid, body in self.versions:
            g = self.s3.get_object(Bucket=self.bucket, Key=key, VersionId=vid)
            self.assertTrue(g["Body"].read() == body, "%s@%s differs after restart" % (key, vid))
        after = self.s3.list_object_versions(Bucket=self.bucket)
        strip = lambda l: [(x["Key"], x["VersionId"], x["IsLatest"]) for x in l]
        self.assertEqual(strip(self.listing["Versions"]), strip(after["Versions"]))
        self.assertEqual(strip(self.listing["DeleteMarkers"]), strip(after["DeleteMarkers"]))
        try:
            self.s3.get_object(Bucket=self.bucket, Key="small")
            self.fail("the delete marker was lost")
        except ClientError as e:
            self.assertEqual(self.marker, e.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"])


# ---------------------------------------------------------------------------
# the providers' aws_s3_bucket sequences
# ---------------------------------------------------------------------------

class IacSequenceTests(ConfigCase):
    """examples/iac-call-sequences.md, aws_s3_bucket: create, read
    (refresh) and delete, call by call in the provider's order."""

    def expect(self, code, fn, **kw):
        try:
            fn(**kw)
        except ClientError as e:
            self.assertEqual(code, e.response["Error"]["Code"], fn.__name__)
            return
        self.fail("%s: expected %s" % (fn.__name__, code))

    def read(self, bucket, tags):
        s3 = self.s3
        s3.head_bucket(Bucket=bucket)
        self.expect("NoSuchBucketPolicy", s3.get_bucket_policy, Bucket=bucket)
        acl = s3.get_bucket_acl(Bucket=bucket)
        self.assertTrue(acl["Owner"]["ID"])
        self.assertEqual("FULL_CONTROL", acl["Grants"][0]["Permission"])
        self.expect("NoSuchCORSConfiguration", s3.get_bucket_cors, Bucket=bucket)
        self.expect("NoSuchWebsiteConfiguration", s3.get_bucket_website, Bucket=bucket)
        r = s3.get_bucket_versioning(Bucket=bucket)
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertNotIn("Status", r)
        r = s3.get_bucket_accelerate_configuration(Bucket=bucket)
        self.assertNotIn("Status", r)
        self.assertEqual("BucketOwner", s3.get_bucket_request_payment(Bucket=bucket)["Payer"])
        self.assertNotIn("LoggingEnabled", s3.get_bucket_logging(Bucket=bucket))
        self.expect("NoSuchLifecycleConfiguration", s3.get_bucket_lifecycle_configuration, Bucket=bucket)
        self.expect("ReplicationConfigurationNotFoundError", s3.get_bucket_replication, Bucket=bucket)
        enc = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        self.assertEqual("aws:kms", enc["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])
        self.expect("ObjectLockConfigurationNotFoundError", s3.get_object_lock_configuration, Bucket=bucket)
        h = s3.head_bucket(Bucket=bucket)
        self.assertEqual("us-east-1", h["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"])
        if tags:
            self.assertEqual(tags, s3.get_bucket_tagging(Bucket=bucket)["TagSet"])
        else:
            self.expect("NoSuchTagSet", s3.get_bucket_tagging, Bucket=bucket)

    def test_terraform_create_read_delete(self):
        s3 = self.s3
        bucket = "ai-model-bucket-" + uniq("x")[-7:]
        tags = [{"Key": "Name", "Value": "ai-model-bucket"}]
        try:
            s3.head_bucket(Bucket=bucket)
            self.fail("HeadBucket of a new name must be 404")
        except ClientError as e:
            self.assertEqual(404, e.response["ResponseMetadata"]["HTTPStatusCode"])
        s3.create_bucket(Bucket=bucket, ACL="private")
        s3.head_bucket(Bucket=bucket)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
        key = self.kms.create_key(Description="bucket key")["KeyMetadata"]["Arn"]
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key},
            "BucketKeyEnabled": False}]})
        self.read(bucket, tags)
        self.read(bucket, tags)  # refresh
        s3.delete_bucket(Bucket=bucket)
        try:
            s3.head_bucket(Bucket=bucket)
            self.fail("the bucket survived DeleteBucket")
        except ClientError as e:
            self.assertEqual(404, e.response["ResponseMetadata"]["HTTPStatusCode"])
        self.expect("NoSuchBucket", s3.delete_bucket, Bucket=bucket)

    def test_pulumi_legacy_read_and_force_destroy(self):
        s3 = self.s3
        bucket = uniq("legacy")
        s3.create_bucket(Bucket=bucket, ACL="private")
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        s3.head_bucket(Bucket=bucket)
        acl = s3.get_bucket_acl(Bucket=bucket)
        self.assertTrue(acl["Owner"]["ID"])  # the legacy provider dereferences Owner.ID
        self.expect("NoSuchCORSConfiguration", s3.get_bucket_cors, Bucket=bucket)
        self.expect("NoSuchWebsiteConfiguration", s3.get_bucket_website, Bucket=bucket)
        s3.get_bucket_versioning(Bucket=bucket)
        s3.get_bucket_accelerate_configuration(Bucket=bucket)
        s3.get_bucket_request_payment(Bucket=bucket)
        s3.get_bucket_logging(Bucket=bucket)
        self.expect("NoSuchLifecycleConfiguration", s3.get_bucket_lifecycle_configuration, Bucket=bucket)
        self.expect("ReplicationConfigurationNotFoundError", s3.get_bucket_replication, Bucket=bucket)
        s3.get_bucket_encryption(Bucket=bucket)
        self.expect("ObjectLockConfigurationNotFoundError", s3.get_object_lock_configuration, Bucket=bucket)
        s3.head_bucket(Bucket=bucket)
        self.expect("NoSuchTagSet", s3.get_bucket_tagging, Bucket=bucket)
        # force_destroy: BucketNotEmpty, then ListObjectVersions + DeleteObjects
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        for i in range(3):
            s3.put_object(Bucket=bucket, Key="m", Body=b"%d" % i)
        s3.delete_object(Bucket=bucket, Key="m")
        self.expect("BucketNotEmpty", s3.delete_bucket, Bucket=bucket)
        v = s3.list_object_versions(Bucket=bucket)
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [
            {"Key": x["Key"], "VersionId": x["VersionId"]} for x in v["Versions"] + v["DeleteMarkers"]]})
        s3.delete_bucket(Bucket=bucket)
        self.expect("NoSuchBucket", s3.delete_bucket, Bucket=bucket)


if __name__ == "__main__":
    unittest.main()
