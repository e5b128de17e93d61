"""Adversarial: what an attacker holding one signed request can do with it,
under --iam enforce (and what a careless client's body gets in either mode).

- A real boto3-signed request replayed within the skew window with another
  body is refused before it takes effect, for every S3 operation that takes
  a body and for the JSON (KMS, Secrets Manager) and Query (IAM, STS)
  services; state is unchanged; the original body still works (so the test
  proves the signature was good and only the body changed).
- Content-MD5 and x-amz-checksum-* on those bodies are checked
  (BadDigest / InvalidDigest / InvalidRequest), and buffered aws-chunked
  bodies are decoded and their chunk signatures verified.
- x-amz-content-sha256 values S3 does not know are refused (InvalidArgument;
  the message is AWS's, as MinIO and Ceph RGW reproduce it).

Each case failed on the main of 2026-12-07 (4dc904f): the replayed body was
accepted."""

import base64
import datetime
import hashlib
import http.client
import json
import unittest
import urllib.parse
import zlib

import botocore.awsrequest
from botocore.exceptions import ClientError

from harness import ServerTestCase
from enforce_util import ENFORCE, client, uniq
from test_s3 import sign_s3


class _FakeRaw:
    """The raw stream of a response botocore never got from the wire."""

    def __init__(self, body):
        self.body = body

    def stream(self, **kw):
        yield self.body


def capture(cl, call, fake_body=b"<R></R>"):
    """Runs call() on client cl but keeps the signed request from being sent:
    returns (method, target, headers, body) exactly as boto3 signed them."""
    box = {}

    def hook(request, **kw):
        box["req"] = request
        return botocore.awsrequest.AWSResponse(request.url, 200, {}, _FakeRaw(fake_body))

    cl.meta.events.register_first("before-send", hook, unique_id="capture-hook")
    try:
        try:
            call()
        except (ClientError, ValueError, KeyError):
            pass
    finally:
        cl.meta.events.unregister("before-send", unique_id="capture-hook")
    req = box["req"]
    u = urllib.parse.urlsplit(req.url)
    target = u.path + ("?" + u.query if u.query else "")
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()}
    body = req.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    return req.method, target, headers, body


def send(server, method, target, headers, body):
    """Sends a request as given (Content-Length fitted to body); returns
    (status, headers, body)."""
    h = dict(headers)
    h = {k: v for k, v in h.items() if k.lower() not in ("content-length", "transfer-encoding")}
    h["Content-Length"] = str(len(body))
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(method, target, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def xml_code(body):
    b = body.decode("utf-8", "replace")
    i = b.find("<Code>")
    return b[i + 6:b.find("</Code>")] if i >= 0 else None


def json_code(body):
    try:
        t = json.loads(body or b"{}").get("__type", "")
    except ValueError:
        return None
    return t.rsplit("#", 1)[-1]


def policy(effect, bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": effect, "Effect": effect, "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::%s/*" % bucket}]})


def tagging_xml(tags):
    inner = "".join("<Tag><Key>%s</Key><Value>%s</Value></Tag>" % kv for kv in tags)
    return ('<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>%s</TagSet>'
            '</Tagging>' % inner).encode()


def delete_xml(keys):
    inner = "".join("<Object><Key>%s</Key></Object>" % k for k in keys)
    return ('<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</Delete>' % inner).encode()


class SignedBodyReplayS3(ServerTestCase):
    """S3 operations with a buffered body: a boto3-signed request replayed
    with another body is refused with XAmzContentSHA256Mismatch and changes
    nothing."""

    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = client(cls.server, "s3")

    def new_bucket(self, public=False):
        b = uniq("rp")
        self.s3.create_bucket(Bucket=b)
        if public:
            self.s3.delete_public_access_block(Bucket=b)
        return b

    def replay(self, call, other_body, fake_body=b"<R></R>"):
        """Captures call's signed request, sends it with other_body (must be
        refused), then with its own body (must work). Returns the second
        response."""
        method, target, headers, body = capture(self.s3, call, fake_body)
        self.assertNotEqual(body, other_body)
        st, _, rb = send(self.server, method, target, headers, other_body)
        self.assertEqual(400, st, rb)
        self.assertEqual("XAmzContentSHA256Mismatch", xml_code(rb), rb)
        st, _, rb = send(self.server, method, target, headers, body)
        self.assertLess(st, 300, rb)
        return rb

    def test_put_bucket_policy_deny_cannot_become_allow(self):
        b = self.new_bucket(public=True)
        self.replay(lambda: self.s3.put_bucket_policy(Bucket=b, Policy=policy("Deny", b)),
                    policy("Allow", b).encode())
        self.assertIn('"Deny"', self.s3.get_bucket_policy(Bucket=b)["Policy"])

    def test_delete_objects_signed_for_one_key_deletes_only_it(self):
        b = self.new_bucket()
        for k in ("one", "two", "three"):
            self.s3.put_object(Bucket=b, Key=k, Body=b"x")
        self.replay(lambda: self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "one"}]}),
                    delete_xml(["two", "three"]))
        left = sorted(o["Key"] for o in self.s3.list_objects_v2(Bucket=b).get("Contents", []))
        self.assertEqual(["three", "two"], left)

    def test_put_bucket_tagging(self):
        b = self.new_bucket()
        self.replay(lambda: self.s3.put_bucket_tagging(
            Bucket=b, Tagging={"TagSet": [{"Key": "team", "Value": "blue"}]}),
            tagging_xml([("team", "red")]))
        self.assertEqual([{"Key": "team", "Value": "blue"}],
                         self.s3.get_bucket_tagging(Bucket=b)["TagSet"])

    def test_put_object_tagging(self):
        b = self.new_bucket()
        self.s3.put_object(Bucket=b, Key="k", Body=b"x")
        self.replay(lambda: self.s3.put_object_tagging(
            Bucket=b, Key="k", Tagging={"TagSet": [{"Key": "c", "Value": "public"}]}),
            tagging_xml([("c", "secret")]))
        self.assertEqual("public", self.s3.get_object_tagging(Bucket=b, Key="k")["TagSet"][0]["Value"])

    def test_put_bucket_versioning(self):
        b = self.new_bucket()
        other = (b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                 b'<Status>Suspended</Status></VersioningConfiguration>')
        self.replay(lambda: self.s3.put_bucket_versioning(
            Bucket=b, VersioningConfiguration={"Status": "Enabled"}), other)
        self.assertEqual("Enabled", self.s3.get_bucket_versioning(Bucket=b)["Status"])

    def test_put_bucket_encryption(self):
        b = self.new_bucket()
        other = (b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                 b'<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>'
                 b'</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>')
        self.replay(lambda: self.s3.put_bucket_encryption(
            Bucket=b, ServerSideEncryptionConfiguration={"Rules": [{
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}), other)
        rule = self.s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual("aws:kms", rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])

    def test_put_public_access_block(self):
        b = self.new_bucket()
        other = (b'<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                 b'<BlockPublicAcls>false</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>'
                 b'<BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>false'
                 b'</RestrictPublicBuckets></PublicAccessBlockConfiguration>')
        cfg = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
               "RestrictPublicBuckets": True}
        self.replay(lambda: self.s3.put_public_access_block(
            Bucket=b, PublicAccessBlockConfiguration=cfg), other)
        self.assertEqual(cfg, self.s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"])

    def test_put_bucket_cors(self):
        b = self.new_bucket()
        other = (b'<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>'
                 b'<AllowedMethod>PUT</AllowedMethod></CORSRule></CORSConfiguration>')
        self.replay(lambda: self.s3.put_bucket_cors(Bucket=b, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["https://app.example"], "AllowedMethods": ["GET"]}]}), other)
        rule = self.s3.get_bucket_cors(Bucket=b)["CORSRules"][0]
        self.assertEqual(["https://app.example"], rule["AllowedOrigins"])

    def test_put_bucket_ownership_controls(self):
        b = self.new_bucket()
        other = (b'<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>'
                 b'<ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>')
        self.replay(lambda: self.s3.put_bucket_ownership_controls(
            Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}),
            other)
        rules = self.s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"]
        self.assertEqual("BucketOwnerPreferred", rules[0]["ObjectOwnership"])

    def test_complete_multipart_upload(self):
        b = self.new_bucket()
        up = self.s3.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
        e1 = self.s3.upload_part(Bucket=b, Key="mp", UploadId=up, PartNumber=1,
                                 Body=b"a" * (5 << 20))["ETag"]
        e2 = self.s3.upload_part(Bucket=b, Key="mp", UploadId=up, PartNumber=2, Body=b"b")["ETag"]
        other = ('<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>%s</ETag></Part>'
                 '</CompleteMultipartUpload>' % e2).encode()
        self.replay(lambda: self.s3.complete_multipart_upload(
            Bucket=b, Key="mp", UploadId=up, MultipartUpload={"Parts": [
                {"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]}), other,
            fake_body=b"<CompleteMultipartUploadResult></CompleteMultipartUploadResult>")
        self.assertEqual((5 << 20) + 1, self.s3.head_object(Bucket=b, Key="mp")["ContentLength"])

    def test_create_bucket_configuration(self):
        b = uniq("rpc")
        other = (b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                 b'<LocationConstraint>ap-south-1</LocationConstraint></CreateBucketConfiguration>')
        self.replay(lambda: self.s3.create_bucket(
            Bucket=b, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}), other)
        self.assertEqual("eu-west-1", self.s3.get_bucket_location(Bucket=b)["LocationConstraint"])


    def test_every_body_operation_refuses_another_body(self):
        # the rest of S3's operations with a request body, each replayed
        # with another body: refused before the operation runs
        b = self.new_bucket()
        self.s3.put_object(Bucket=b, Key="k", Body=b"x")
        self.s3.put_bucket_ownership_controls(
            Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
        owner = self.s3.get_bucket_acl(Bucket=b)["Owner"]
        acl = {"Owner": owner, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]},
                                           "Permission": "FULL_CONTROL"}]}
        calls = {
            "PutBucketAcl": lambda: self.s3.put_bucket_acl(Bucket=b, AccessControlPolicy=acl),
            "PutObjectAcl": lambda: self.s3.put_object_acl(Bucket=b, Key="k", AccessControlPolicy=acl),
            "PutBucketLifecycleConfiguration": lambda: self.s3.put_bucket_lifecycle_configuration(
                Bucket=b, LifecycleConfiguration={"Rules": [{"ID": "r", "Status": "Enabled",
                                                             "Filter": {"Prefix": "tmp/"},
                                                             "Expiration": {"Days": 1}}]}),
            "PutBucketWebsite": lambda: self.s3.put_bucket_website(
                Bucket=b, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}),
            "PutBucketLogging": lambda: self.s3.put_bucket_logging(
                Bucket=b, BucketLoggingStatus={}),
            "PutBucketRequestPayment": lambda: self.s3.put_bucket_request_payment(
                Bucket=b, RequestPaymentConfiguration={"Payer": "BucketOwner"}),
            "PutBucketAccelerateConfiguration": lambda: self.s3.put_bucket_accelerate_configuration(
                Bucket=b, AccelerateConfiguration={"Status": "Suspended"}),
            "PutBucketReplication": lambda: self.s3.put_bucket_replication(
                Bucket=b, ReplicationConfiguration={
                    "Role": "arn:aws:iam::000000000000:role/r",
                    "Rules": [{"Status": "Enabled", "Prefix": "",
                               "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]}),
        }
        for op, call in calls.items():
            with self.subTest(op=op):
                method, target, headers, body = capture(self.s3, call)
                self.assertTrue(body, op)
                st, _, rb = send(self.server, method, target, headers, body + b" ")
                self.assertEqual((400, "XAmzContentSHA256Mismatch"), (st, xml_code(rb)), rb)


    def test_object_lock_bodies(self):
        b = uniq("rpl")
        self.s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
        v = self.s3.put_object(Bucket=b, Key="k", Body=b"x")["VersionId"]
        until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        calls = {
            "PutObjectRetention": lambda: self.s3.put_object_retention(
                Bucket=b, Key="k", VersionId=v,
                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until}),
            "PutObjectLegalHold": lambda: self.s3.put_object_legal_hold(
                Bucket=b, Key="k", VersionId=v, LegalHold={"Status": "ON"}),
            "PutObjectLockConfiguration": lambda: self.s3.put_object_lock_configuration(
                Bucket=b, ObjectLockConfiguration={
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}),
        }
        for op, call in calls.items():
            with self.subTest(op=op):
                method, target, headers, body = capture(self.s3, call)
                st, _, rb = send(self.server, method, target, headers, body + b" ")
                self.assertEqual((400, "XAmzContentSHA256Mismatch"), (st, xml_code(rb)), rb)
        # nothing took: the version can still be deleted
        self.s3.delete_object(Bucket=b, Key="k", VersionId=v)


class SignedBodyReplayJsonQuery(ServerTestCase):
    """JSON and Query services: the signature covers the body's hash, so a
    replay with another body fails the signature and changes nothing."""

    server_args = ENFORCE
    needs_process = True

    def replay(self, cl, call, other_body, want_code, want_status):
        method, target, headers, body = capture(cl, call, fake_body=b"{}")
        st, _, rb = send(self.server, method, target, headers, other_body)
        self.assertEqual(want_status, st, rb)
        code = json_code(rb) if rb.startswith(b"{") else xml_code(rb)
        self.assertEqual(want_code, code, rb)
        st, _, rb = send(self.server, method, target, headers, body)
        self.assertEqual(200, st, rb)

    def test_kms_put_key_policy(self):
        kms = client(self.server, "kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        good = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
        bad = json.dumps({"KeyId": key, "PolicyName": "default", "Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                    "Action": "kms:*", "Resource": "*"}]})})
        self.replay(kms, lambda: kms.put_key_policy(KeyId=key, PolicyName="default", Policy=good),
                    bad.encode(), "InvalidSignatureException", 400)
        self.assertNotIn('"Principal": "*"', kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])

    def test_secretsmanager_put_secret_value(self):
        sm = client(self.server, "secretsmanager")
        name = uniq("s")
        sm.create_secret(Name=name, SecretString="v1")
        bad = json.dumps({"SecretId": name, "SecretString": "attacker"}).encode()
        self.replay(sm, lambda: sm.put_secret_value(SecretId=name, SecretString="v2"), bad,
                    "InvalidSignatureException", 400)
        self.assertEqual("v2", sm.get_secret_value(SecretId=name)["SecretString"])

    def test_iam_create_user(self):
        iam = client(self.server, "iam")
        name = uniq("u")
        bad = urllib.parse.urlencode({"Action": "CreateUser", "Version": "2010-05-08",
                                      "UserName": name + "-evil"}).encode()
        method, target, headers, body = capture(
            iam, lambda: iam.create_user(UserName=name),
            fake_body=b"<CreateUserResponse><CreateUserResult><User><UserName>x</UserName>"
                      b"<Path>/</Path><UserId>AIDA</UserId><Arn>arn:aws:iam::0:user/x</Arn>"
                      b"<CreateDate>2020-01-01T00:00:00Z</CreateDate></User></CreateUserResult>"
                      b"</CreateUserResponse>")
        st, _, rb = send(self.server, method, target, headers, bad)
        self.assertEqual(403, st, rb)
        self.assertEqual("SignatureDoesNotMatch", xml_code(rb), rb)
        names = [u["UserName"] for u in iam.list_users()["Users"]]
        self.assertNotIn(name + "-evil", names)


def sign_raw_s3(server, method, path, query, headers, body, payload_hash=None):
    """SigV4 header-signed S3 headers for a raw request (test_s3.sign_s3,
    which signs host, x-amz-* and content-* as sent)."""
    if payload_hash is None:
        payload_hash = hashlib.sha256(body).hexdigest()
    return dict(sign_s3(server, method, path, query, headers, payload_hash).headers)


class DeclaredDigests(ServerTestCase):
    """Content-MD5 and x-amz-checksum-* on a buffered body, signed correctly
    but not matching the bytes: S3 answers BadDigest / InvalidDigest /
    InvalidRequest and changes nothing. Both modes: these are integrity
    checks, not authorization."""

    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = client(cls.server, "s3")

    def setUp(self):
        self.bucket = uniq("dg")
        self.s3.create_bucket(Bucket=self.bucket)

    def put_tagging(self, body, extra):
        path = "/%s" % self.bucket
        h = sign_raw_s3(self.server, "PUT", path, "tagging", extra, body)
        return send(self.server, "PUT", path + "?tagging", h, body)

    def assertTags(self, want):
        try:
            got = self.s3.get_bucket_tagging(Bucket=self.bucket)["TagSet"]
        except ClientError:
            got = []
        self.assertEqual(want, got)

    def test_content_md5(self):
        body = tagging_xml([("a", "1")])
        good = base64.b64encode(hashlib.md5(body).digest()).decode()
        wrong = base64.b64encode(hashlib.md5(body + b" ").digest()).decode()
        st, _, rb = self.put_tagging(body, {"Content-MD5": wrong})
        self.assertEqual((400, "BadDigest"), (st, xml_code(rb)), rb)
        st, _, rb = self.put_tagging(body, {"Content-MD5": "not-base64!"})
        self.assertEqual((400, "InvalidDigest"), (st, xml_code(rb)), rb)
        self.assertTags([])
        st, _, rb = self.put_tagging(body, {"Content-MD5": good})
        self.assertEqual(204, st, rb)
        self.assertTags([{"Key": "a", "Value": "1"}])

    def test_checksum_headers(self):
        body = tagging_xml([("b", "2")])
        for alg, fn in (("crc32", lambda d: zlib.crc32(d).to_bytes(4, "big")),
                        ("sha256", lambda d: hashlib.sha256(d).digest()),
                        ("sha1", lambda d: hashlib.sha1(d).digest())):
            with self.subTest(alg=alg):
                name = "x-amz-checksum-" + alg
                wrong = base64.b64encode(fn(body + b"x")).decode()
                st, _, rb = self.put_tagging(body, {name: wrong})
                self.assertEqual((400, "BadDigest"), (st, xml_code(rb)), rb)
                st, _, rb = self.put_tagging(body, {name: "!!!"})
                self.assertEqual((400, "InvalidRequest"), (st, xml_code(rb)), rb)
        st, _, rb = self.put_tagging(body, {"x-amz-checksum-crc32": "AAAAAA==",
                                            "x-amz-checksum-sha1": "AAAAAAAAAAAAAAAAAAAAAAAAAAA="})
        self.assertEqual((400, "InvalidRequest"), (st, xml_code(rb)), rb)
        self.assertTags([])

    def test_unknown_payload_declaration(self):
        body = tagging_xml([("c", "3")])
        path = "/%s" % self.bucket
        h = sign_raw_s3(self.server, "PUT", path, "tagging", {}, body, payload_hash="SHA256-PLEASE")
        st, _, rb = send(self.server, "PUT", path + "?tagging", h, body)
        self.assertEqual((400, "InvalidArgument"), (st, xml_code(rb)), rb)
        self.assertIn(b"x-amz-content-sha256 must be UNSIGNED-PAYLOAD", rb)
        # on an upload too: the streamed body would otherwise go unchecked
        h = sign_raw_s3(self.server, "PUT", path + "/obj", "", {}, b"data", payload_hash="whatever")
        st, _, rb = send(self.server, "PUT", path + "/obj", h, b"data")
        self.assertEqual((400, "InvalidArgument"), (st, xml_code(rb)), rb)
        self.assertTags([])

    def test_aws_chunked_buffered_body(self):
        # an aws-chunked body on a buffered operation is decoded (and its
        # trailer checksum checked), not handed to the XML parser as framing
        body = tagging_xml([("d", "4")])
        crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        enc = b"%x\r\n" % len(body) + body + b"\r\n0\r\nx-amz-checksum-crc32:" + crc.encode() + b"\r\n\r\n"
        hdrs = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(body)),
                "x-amz-trailer": "x-amz-checksum-crc32"}
        path = "/%s" % self.bucket
        bad = enc.replace(crc.encode(), b"AAAAAA==")
        h = sign_raw_s3(self.server, "PUT", path, "tagging", hdrs, bad,
                        payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        st, _, rb = send(self.server, "PUT", path + "?tagging", h, bad)
        self.assertEqual((400, "BadDigest"), (st, xml_code(rb)), rb)
        self.assertTags([])
        h = sign_raw_s3(self.server, "PUT", path, "tagging", hdrs, enc,
                        payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        st, _, rb = send(self.server, "PUT", path + "?tagging", h, enc)
        self.assertEqual(204, st, rb)
        self.assertTags([{"Key": "d", "Value": "4"}])


if __name__ == "__main__":
    unittest.main()


# --------------------------------------------------------------------------
# Admin endpoints under --iam enforce
# --------------------------------------------------------------------------

class AdminEndpointsEnforced(ServerTestCase):
    """Under --iam enforce every admin endpoint but health takes a request
    signed with the root credentials; anyone else gets 403 and changes
    nothing (an anonymous reset wiped everything before)."""

    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = client(cls.server, "s3")
        cls.bucket = uniq("adm")
        cls.s3.create_bucket(Bucket=cls.bucket)
        cls.s3.put_object(Bucket=cls.bucket, Key="k", Body=b"keep me")

    def unsigned(self, method, path, body=b""):
        return self.server.http(method, path, body=body, sign_admin=False)

    def assertIntact(self):
        self.assertEqual(b"keep me", self.s3.get_object(Bucket=self.bucket, Key="k")["Body"].read())

    def test_health_stays_open(self):
        for path in ("/_awsemu/health", "/_localstack/health"):
            st, _, body = self.unsigned("GET", path)
            self.assertEqual(200, st, body)

    def test_unsigned_admin_requests_are_refused(self):
        for method, path in (("POST", "/_awsemu/reset"), ("POST", "/moto-api/reset"),
                             ("POST", "/_localstack/state/reset"),
                             ("GET", "/_awsemu/inspect/s3/%s/k" % self.bucket),
                             ("GET", "/_awsemu/clock"),
                             ("POST", "/_awsemu/clock?advance_seconds=86400")):
            with self.subTest(path=path):
                st, _, body = self.unsigned(method, path)
                self.assertEqual(403, st, body)
                self.assertNotIn(b"wrapped", body)
                self.assertIn("error", json.loads(body))
        self.assertIntact()
        st, _, body = self.server.http("GET", "/_awsemu/clock")
        self.assertEqual(0, json.loads(body)["offset_seconds"])

    def test_wrong_secret_and_non_root_are_refused(self):
        from harness import sign_admin_request
        h = sign_admin_request(self.server.url, "POST", "/_awsemu/reset", b"", secret_key="wrong")
        st, _, body = self.server.http("POST", "/_awsemu/reset", body=b"", headers=h, sign_admin=False)
        self.assertEqual(403, st, body)
        # an IAM user allowed everything is still not the root user
        iam = client(self.server, "iam")
        user = uniq("admin")
        iam.create_user(UserName=user)
        iam.attach_user_policy(UserName=user, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        key = iam.create_access_key(UserName=user)["AccessKey"]
        h = sign_admin_request(self.server.url, "POST", "/_awsemu/reset", b"",
                               access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
        st, _, body = self.server.http("POST", "/_awsemu/reset", body=b"", headers=h, sign_admin=False)
        self.assertEqual(403, st, body)
        self.assertIn("root", json.loads(body)["error"])
        self.assertIntact()

    def test_root_signed_inspect_works(self):
        st, _, body = self.server.http("GET", "/_awsemu/inspect/s3/%s/k" % self.bucket)
        self.assertEqual(200, st, body)


# --------------------------------------------------------------------------
# Presigned URLs: dated in the future, tokens outside the signature
# --------------------------------------------------------------------------

def presign_s3(server, method, path, amz_date, expires, extra=(), token=None):
    """A SigV4 presigned S3 URL (path?query) signed by root at amz_date
    (YYYYMMDDTHHMMSSZ); extra: query pairs added to what is signed."""
    import hmac
    scope = "%s/%s/s3/aws4_request" % (amz_date[:8], server.region)
    q = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "test/" + scope),
         ("X-Amz-Date", amz_date), ("X-Amz-Expires", str(expires)),
         ("X-Amz-SignedHeaders", "host")] + list(extra)
    if token:
        q.append(("X-Amz-Security-Token", token))
    enc = lambda s: urllib.parse.quote(s, safe="-_.~")
    cq = "&".join("%s=%s" % (enc(k), enc(v)) for k, v in sorted(q))
    host = "%s:%d" % (server.host, server.port)
    canonical = "\n".join([method, path, cq, "host:" + host, "", "host", "UNSIGNED-PAYLOAD"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(canonical.encode()).hexdigest()])
    k = ("AWS4test").encode()
    for part in (amz_date[:8], server.region, "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return path + "?" + cq + "&X-Amz-Signature=" + sig


def amz(dt):
    return dt.strftime("%Y%m%dT%H%M%SZ")


class PresignedUrls(ServerTestCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = client(cls.server, "s3")
        cls.bucket = uniq("ps")
        cls.s3.create_bucket(Bucket=cls.bucket)
        cls.s3.put_object(Bucket=cls.bucket, Key="k", Body=b"hello")
        cls.path = "/%s/k" % cls.bucket

    def get(self, url):
        return self.server.http("GET", url)

    def now(self):
        return datetime.datetime.now(datetime.timezone.utc)

    def test_signed_now_works(self):
        st, _, body = self.get(presign_s3(self.server, "GET", self.path, amz(self.now()), 600))
        self.assertEqual((200, b"hello"), (st, body))

    def test_dated_in_the_future_is_not_yet_valid(self):
        # AWS: 403 AccessDenied "Request is not yet valid" (a URL dated a
        # year ahead with a 7-day expiry used to work for that whole year)
        for days in (365, 1):
            url = presign_s3(self.server, "GET", self.path,
                             amz(self.now() + datetime.timedelta(days=days)), 604800)
            st, _, body = self.get(url)
            self.assertEqual((403, "AccessDenied"), (st, xml_code(body)), body)
            self.assertIn(b"Request is not yet valid", body)

    def test_expiry_counts_from_the_signing_time(self):
        url = presign_s3(self.server, "GET", self.path,
                         amz(self.now() - datetime.timedelta(days=8)), 604800)
        st, _, body = self.get(url)
        self.assertEqual((403, "AccessDenied"), (st, xml_code(body)), body)
        self.assertIn(b"Request has expired", body)
        url = presign_s3(self.server, "GET", self.path, amz(self.now()), 604801)
        st, _, body = self.get(url)
        self.assertEqual(400, st, body)
        self.assertEqual("AuthorizationQueryParametersError", xml_code(body), body)

    def test_unsigned_security_token_is_refused(self):
        url = presign_s3(self.server, "GET", self.path, amz(self.now()), 600)
        st, _, body = self.get(url + "&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE")
        self.assertEqual(403, st, body)
        self.assertIn(xml_code(body), ("SignatureDoesNotMatch", "InvalidToken",
                                       "InvalidAccessKeyId"), body)
        # any parameter added after signing breaks the signature
        st, _, body = self.get(url + "&X-Amz-Foo=bar")
        self.assertEqual((403, "SignatureDoesNotMatch"), (st, xml_code(body)), body)


class ClockLimits(ServerTestCase):
    """POST /_awsemu/clock refuses values that would overflow time_t or are
    not finite (advance_seconds 1e308 used to be accepted)."""

    needs_process = True
    own_server = True

    def offset(self):
        st, _, body = self.server.http("GET", "/_awsemu/clock")
        self.assertEqual(200, st, body)
        return json.loads(body)["offset_seconds"]

    def test_out_of_range_values_are_refused(self):
        before = self.offset()
        for body in (b'{"advance_seconds": 1e308}', b'{"advance_seconds": 1e400}',
                     b'{"advance_days": 1e300}', b'{"advance_seconds": 300000000000}'):
            with self.subTest(body=body):
                st, _, rb = self.server.http("POST", "/_awsemu/clock", body=body,
                                             headers={"Content-Type": "application/json"})
                self.assertEqual(400, st, rb)
        for q in ("inf", "nan", "1e308", "12abc", "-5"):
            with self.subTest(q=q):
                st, _, rb = self.server.http("POST", "/_awsemu/clock?advance_seconds=" + q, body=b"")
                self.assertEqual(400, st, rb)
        self.assertEqual(before, self.offset())
        st, _, rb = self.server.http("POST", "/_awsemu/clock", body=b'{"advance_seconds": 60}',
                                     headers={"Content-Type": "application/json"})
        self.assertEqual(200, st, rb)
        self.assertEqual(before + 60, self.offset())


# --------------------------------------------------------------------------
# Authorize before looking: no probing of names
# --------------------------------------------------------------------------

class AuthorizeBeforeExistence(ServerTestCase):
    """A caller not allowed an operation learns nothing of what exists: the
    same AccessDeniedException for an existing and a missing secret
    (CreateSecret used to answer ResourceExistsException to anyone)."""

    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from enforce_util import Principals, allow, doc
        cls.p = Principals(cls.server)
        cls.sm = client(cls.server, "secretsmanager")
        cls.existing = uniq("team-b/db")
        cls.sm.create_secret(Name=cls.existing, SecretString="s3cr3t")
        # allowed everything on team-a's secrets only
        cls.user = cls.p.user(inline=[doc(allow("secretsmanager:*",
                                                "arn:aws:secretsmanager:*:*:secret:team-a/*"))])
        cls.usm = client(cls.server, "secretsmanager", cls.user)

    def code_of(self, fn, **kw):
        try:
            fn(**kw)
        except ClientError as e:
            return e.response["Error"]["Code"]
        return None

    def test_create_secret_does_not_reveal_existing_names(self):
        self.assertEqual("AccessDeniedException",
                         self.code_of(self.usm.create_secret, Name=self.existing, SecretString="x"))
        self.assertEqual("AccessDeniedException",
                         self.code_of(self.usm.create_secret, Name=uniq("team-b/none"),
                                      SecretString="x"))
        # where allowed, the real answer
        name = uniq("team-a/app")
        self.usm.create_secret(Name=name, SecretString="x")
        self.assertEqual("ResourceExistsException",
                         self.code_of(self.usm.create_secret, Name=name, SecretString="y"))

    def test_reads_do_not_reveal_existence(self):
        for op in ("get_secret_value", "describe_secret", "delete_secret"):
            with self.subTest(op=op):
                fn = getattr(self.usm, op)
                self.assertEqual("AccessDeniedException", self.code_of(fn, SecretId=self.existing))
                self.assertEqual("AccessDeniedException",
                                 self.code_of(fn, SecretId=uniq("team-b/missing")))
        self.assertEqual("ResourceNotFoundException",
                         self.code_of(self.usm.describe_secret, SecretId=uniq("team-a/missing")))
        self.assertEqual("s3cr3t", self.sm.get_secret_value(SecretId=self.existing)["SecretString"])
