"""S3 sub-resources and Object Lock.

Sub-resources: a request whose query names an S3 sub-resource is served by
that sub-resource's operation or refused (405 MethodNotAllowed with Allow,
501 NotImplemented naming it, 400 for two at once); it never reaches a plain
object or bucket operation (regression: PUT ?retention used to replace the
object's bytes with the XML body, GET ?legal-hold answered the object). One
test walks every sub-resource of botocore's S3 model over GET, PUT, POST,
DELETE and HEAD at a bucket's and an object's path and reads from the access
log which operation answered.

Object Lock, against AWS's answers as recorded by implementers that checked
them against S3 (adobe/S3Mock's @S3VerifiedSuccess tests, ceph s3-tests'
test_object_lock_* and their Java port, moto, and other emulators' recorded
answers; messages are S3's): a bucket created with Object Lock, enabling it
on an existing versioned bucket, the default retention (Days or Years)
applied to new versions, x-amz-object-lock-* on PutObject, CopyObject and
multipart uploads and on GET/HEAD, Put/GetObjectRetention and
Put/GetObjectLegalHold, GOVERNANCE vs COMPLIANCE, x-amz-bypass-governance-
retention and s3:BypassGovernanceRetention under --iam enforce, deletes of
locked versions refused (DeleteObject, DeleteObjects per key) while a delete
without a version id still makes a delete marker, retention dates on the
emulator clock, persistence across a restart, and one aws CLI call.

Runs with this machine's boto3 and with Debian 12's boto3 1.26."""

import datetime
import gzip
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

import botocore
from botocore.exceptions import ClientError

from enforce_util import (ENFORCE, Principals, advance_clock, allow, client, deny, doc,
                          emulated_now)
from harness import EXTERNAL_URL, Server
from test_s3 import S3TestCase, md5_b64, s3_client, s3_request, uniq

AWS = shutil.which("aws")
MODE = "x-amz-object-lock-mode"
UNTIL = "x-amz-object-lock-retain-until-date"
HOLD = "x-amz-object-lock-legal-hold"
BYPASS = "x-amz-bypass-governance-retention"
DAY = datetime.timedelta(days=1)
LOCKED_MSG = "Access Denied because object protected by object lock."
NOT_ENABLED = "Bucket is missing Object Lock Configuration"
DIGEST_MSG = ("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests "
              "with Object Lock parameters")
PART_DIGEST_MSG = ("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests "
                   "with Object Lock parameters")


def err(e):
    return (e.response["Error"].get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"],
            e.response["Error"].get("Message"))


def iso(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def s3_model():
    d = os.path.dirname(botocore.__file__)
    base = os.path.join(d, "data", "s3", "2006-03-01")
    for name in ("service-2.json.gz", "service-2.json"):
        p = os.path.join(base, name)
        if os.path.exists(p):
            opener = gzip.open if p.endswith(".gz") else open
            with opener(p, "rt") as f:
                return json.load(f)
    raise unittest.SkipTest("botocore's S3 model not found")


def model_subresources():
    """{(sub-resource, level, method): {operation names}} from botocore's S3
    model: every literal query key of a requestUri, and uploadId (a required
    query member of the multipart operations). level: "bucket" or "object"."""
    m = s3_model()
    out = {}
    for name, op in m["operations"].items():
        uri, method = op["http"]["requestUri"], op["http"]["method"]
        level = "object" if "{Key+}" in uri else "bucket" if "{Bucket}" in uri else None
        if level is None:
            continue
        subs = []
        if "?" in uri:
            subs += [p.split("=")[0] for p in uri.split("?", 1)[1].split("&")]
        shape = m["shapes"].get(op.get("input", {}).get("shape", ""), {})
        for mn, mm in shape.get("members", {}).items():
            if mm.get("locationName") == "uploadId" and mn in shape.get("required", []):
                subs.append("uploadId")
        for s in subs:
            if s == "list-type":  # ListObjectsV2: the listing, another shape
                continue
            out.setdefault((s, level, method), set()).add(name)
    return out


class LockHelpers:
    """Assertions and helpers of the Object Lock tests (self.s3, self.server)."""

    def assertErr(self, code, status, fn, *args, message=None, **kw):
        try:
            fn(*args, **kw)
        except ClientError as e:
            got = err(e)
            self.assertEqual((code, status), got[:2], "message: %r" % (got[2],))
            if message is not None:
                self.assertEqual(message, got[2])
            return e.response
        self.fail("expected %s, the call succeeded" % code)

    def now(self):
        return emulated_now(self.server)

    def lock_bucket(self, rule=None):
        b = uniq("lock")
        self.s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
        if rule:
            self.s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": rule}})
        return b

    def put_md5(self, bucket, key, body=b"hello", **kw):
        return self.s3.put_object(Bucket=bucket, Key=key, Body=body, ContentMD5=md5_b64(body), **kw)

    def versions(self, bucket):
        r = self.s3.list_object_versions(Bucket=bucket)
        return r.get("Versions", []), r.get("DeleteMarkers", [])


class LockCase(LockHelpers, S3TestCase):
    pass


# ==========================================================================
# sub-resources never fall through to the object or the bucket
# ==========================================================================

class SubresourceTests(LockCase):
    server_args = ("--log-format", "json")

    def setUp(self):
        super().setUp()
        self.b = self.make_bucket()
        self.body = b"the object's own bytes"
        self.s3.put_object(Bucket=self.b, Key="k", Body=self.body)

    def assertUnchanged(self):
        self.assertEqual(self.body, self.get_bytes(self.b, "k"))

    def test_put_retention_keeps_the_object(self):
        # regression: PutObject used to store the XML body as the object
        xml = (b'<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>GOVERNANCE</Mode>'
               b"<RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>")
        r = s3_request(self.server, "PUT", "/%s/k" % self.b, query="retention", body=xml,
                       headers={"Content-MD5": md5_b64(xml)})
        self.assertEqual(400, r.status, r)
        self.assertEqual({"Code": "InvalidRequest", "Message": NOT_ENABLED},
                         {k: r.error().get(k) for k in ("Code", "Message")})
        self.assertUnchanged()
        r = s3_request(self.server, "PUT", "/%s/k" % self.b, query="legal-hold",
                       body=b"<LegalHold><Status>ON</Status></LegalHold>")
        self.assertEqual(400, r.status, r)
        self.assertUnchanged()

    def test_get_legal_hold_is_not_the_object(self):
        r = s3_request(self.server, "GET", "/%s/k" % self.b, query="legal-hold")
        self.assertEqual(400, r.status, r)
        self.assertNotIn(self.body, r.body)
        r = s3_request(self.server, "GET", "/%s/k" % self.b, query="retention")
        self.assertEqual(400, r.status, r)

    def test_unimplemented_subresource_is_501_naming_it(self):
        r = s3_request(self.server, "GET", "/%s/k" % self.b, query="torrent")
        e = self.assertRawError(r, 501, "NotImplemented")
        self.assertIn("?torrent", e["Message"])
        # (analytics, once the example here, is served since issue 14)
        r = s3_request(self.server, "PUT", "/%s" % self.b, query="metadataInventoryTable", body=b"<x/>")
        e = self.assertRawError(r, 501, "NotImplemented")
        self.assertIn("?metadataInventoryTable", e["Message"])
        self.assertUnchanged()

    def test_wrong_method_is_405_with_allow(self):
        r = s3_request(self.server, "POST", "/%s/k" % self.b, query="retention", body=b"<x/>")
        self.assertRawError(r, 405, "MethodNotAllowed")
        self.assertEqual("GET, PUT", r.header("allow"))
        # no sub-resource has a HEAD form (brekkylab/backlot#230, measured: 405 + Allow)
        r = s3_request(self.server, "HEAD", "/%s" % self.b, query="versioning")
        self.assertEqual((405, "GET, PUT"), (r.status, r.header("allow")))
        r = s3_request(self.server, "HEAD", "/%s/k" % self.b, query="tagging")
        self.assertEqual((405, "DELETE, GET, PUT"), (r.status, r.header("allow")))

    def test_two_subresources_conflict(self):
        # "Conflicting query string parameters: acl, versioning" (measured,
        # brekkylab/backlot#118): InvalidArgument, ArgumentName ResourceType
        r = s3_request(self.server, "GET", "/%s" % self.b, query="versioning&acl")
        e = self.assertRawError(r, 400, "InvalidArgument")
        self.assertEqual("Conflicting query string parameters: acl, versioning", e["Message"])
        self.assertEqual(("ResourceType", "acl"), (e.get("ArgumentName"), e.get("ArgumentValue")))

    def test_bucket_subresource_at_a_key(self):
        # S3 answers some bucket sub-resources at a key's path with the bucket's
        # operation, others with their own 400 (measured, brekkylab/backlot#267)
        r = s3_request(self.server, "GET", "/%s/k" % self.b, query="versioning")
        self.assertEqual(200, r.status, r)
        self.assertIn(b"VersioningConfiguration", r.body)
        r = s3_request(self.server, "GET", "/%s/k" % self.b, query="versions")
        self.assertRawError(r, 400, "InvalidRequest")
        r = s3_request(self.server, "GET", "/%s/k" % self.b, query="logging")
        self.assertRawError(r, 400, "NoLoggingStatusForKey")
        r = s3_request(self.server, "PUT", "/%s/k" % self.b, query="policy", body=b"{}")
        self.assertRawError(r, 501, "NotImplemented")
        self.assertUnchanged()

    def test_plain_parameters_still_work(self):
        s3 = self.s3
        self.assertEqual(self.body, self.get_bytes(self.b, "k", ResponseContentType="text/x-a"))
        r = s3_request(self.server, "GET", "/%s/k" % self.b, query="x-id=GetObject&partNumber=1")
        self.assertEqual((206, self.body), (r.status, r.body))
        r = s3_request(self.server, "GET", "/%s" % self.b, query="list-type=2&prefix=k")
        self.assertIn(b"<Key>k</Key>", r.body)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": self.b, "Key": "k"})
        with urllib.request.urlopen(url, timeout=10) as resp:
            self.assertEqual(self.body, resp.read())
        # a CORS preflight carries the query of the request it asks about
        r = s3_request(self.server, "OPTIONS", "/%s/k" % self.b, query="tagging", sign=False,
                       headers={"Origin": "http://x", "Access-Control-Request-Method": "PUT"})
        self.assertEqual(403, r.status, r)  # no CORS rules: S3's 403, not a 405 or 501

    def test_every_model_subresource_never_reaches_a_plain_operation(self):
        """Each sub-resource of the model, at a bucket's and an object's path,
        over GET PUT POST DELETE HEAD: the operation that answered (from the
        access log) is one of that sub-resource's, or none (refused with 400,
        405 or 501); the object's bytes and the bucket stay."""
        model = model_subresources()
        subs = sorted({s for s, _, _ in model})
        plain = {"GetObject", "HeadObject", "PutObject", "CopyObject", "DeleteObject", "ListObjects",
                 "ListObjectsV2", "CreateBucket", "DeleteBucket", "HeadBucket"}
        names = {}
        for (s, _, m), ops in model.items():
            names.setdefault((s, m), set()).update(ops)
        sent, problems = [], []
        for sub in subs:
            query = {"uploadId": "uploadId=bogus", "select-type": "select-type=2"}.get(sub, sub)
            for level in ("bucket", "object"):
                path = "/%s" % self.b if level == "bucket" else "/%s/k" % self.b
                for method in ("GET", "PUT", "POST", "DELETE", "HEAD"):
                    body = b"<Nothing/>" if method in ("PUT", "POST") else b""
                    headers = {"Content-MD5": md5_b64(body)} if body else {}
                    r = s3_request(self.server, method, path, query=query, body=body, headers=headers)
                    where = "%s %s?%s -> %d" % (method, path, query, r.status)
                    try:
                        now = self.get_bytes(self.b, "k")
                    except ClientError:
                        now = None
                    if now != self.body:
                        problems.append(where + ": the object changed or went")
                        self.s3.put_object(Bucket=self.b, Key="k", Body=self.body)
                    if method == "GET" and self.body in r.body:
                        problems.append(where + ": answered with the object")
                    if method == "GET" and level == "bucket" and b"<ListBucketResult" in r.body:
                        problems.append(where + ": answered with the listing")
                    if method == "HEAD" and r.status != 405:
                        problems.append(where + ": a HEAD with a sub-resource is 405")
                    sent.append((sub, level, method, r.status, r.header("x-amz-request-id"), where))
        try:
            self.s3.head_bucket(Bucket=self.b)
        except ClientError as e:
            problems.append("the bucket is gone: %s" % (err(e),))
        # the access log (one JSON line a request) names the operation that answered
        ops = {}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for line in self.server.output().decode("utf-8", "replace").splitlines():
                if line.startswith("{"):
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    ops[e.get("request_id")] = e.get("operation")
            if all(rid in ops for *_, rid, _ in sent):
                break
            time.sleep(0.2)
        for sub, level, method, status, rid, where in sent:
            op = ops.get(rid)
            if op is None:
                problems.append(where + ": no access log line")
            elif op in plain:
                problems.append(where + ": served as " + op)
            elif op == "-" and status not in (400, 405, 501):
                problems.append(where + ": refused with an unexpected status")
            elif op != "-" and op not in names.get((sub, method), set()):
                problems.append(where + ": served as " + op)
        self.assertEqual([], problems, "%d problems" % len(problems))
        # the walk reached the operations it should (the log is read right)
        served = set(ops.values())
        self.assertTrue({"PutObjectRetention", "GetObjectLegalHold", "GetBucketVersioning",
                         "ListParts"} <= served, served)


# ==========================================================================
# Object Lock: buckets and their default retention
# ==========================================================================

class LockConfigurationTests(LockCase):
    def test_bucket_created_with_object_lock(self):
        b = self.lock_bucket()
        self.assertEqual({"ObjectLockEnabled": "Enabled"},
                         self.s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"])
        self.assertEqual("Enabled", self.s3.get_bucket_versioning(Bucket=b)["Status"])
        # no default retention: a version is locked only when asked
        self.put_md5(b, "free")
        self.assertNotIn("ObjectLockMode", self.s3.head_object(Bucket=b, Key="free"))
        self.put_md5(b, "held", ObjectLockLegalHoldStatus="ON")
        self.assertEqual("ON", self.s3.head_object(Bucket=b, Key="held")["ObjectLockLegalHoldStatus"])

    def test_enable_on_an_existing_versioned_bucket(self):
        # since November 2023 (s3-tests' test_created_bucket_enable_object_lock)
        b = self.make_bucket()
        self.assertErr("InvalidBucketState", 409, self.s3.put_object_lock_configuration, Bucket=b,
                       ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
        self.put_md5(b, "before")
        self.assertErr("InvalidRequest", 400, self.s3.put_object_legal_hold, Bucket=b, Key="before",
                       LegalHold={"Status": "ON"}, message=NOT_ENABLED)
        self.s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
        self.s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled"})
        self.s3.put_object_legal_hold(Bucket=b, Key="before", LegalHold={"Status": "ON"})
        self.assertEqual("ON", self.s3.get_object_legal_hold(Bucket=b, Key="before")["LegalHold"]["Status"])
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="before",
                       VersionId="null", message=LOCKED_MSG)
        self.s3.put_object_legal_hold(Bucket=b, Key="before", LegalHold={"Status": "OFF"})
        self.s3.delete_object(Bucket=b, Key="before", VersionId="null")

    def test_configuration_is_checked(self):
        b = self.lock_bucket()
        put = self.s3.put_object_lock_configuration

        def rule(**dr):
            return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": dr}}
        # s3-tests: days and years together, a mode S3 does not know, Disabled: MalformedXML
        self.assertErr("MalformedXML", 400, put, Bucket=b,
                       ObjectLockConfiguration=rule(Mode="GOVERNANCE", Days=1, Years=1))
        self.assertErr("MalformedXML", 400, put, Bucket=b,
                       ObjectLockConfiguration=rule(Mode="invalid", Days=1))
        self.assertErr("MalformedXML", 400, put, Bucket=b, ObjectLockConfiguration={
            "ObjectLockEnabled": "Disabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE",
                                                                           "Days": 1}}})
        r = self.assertErr("InvalidArgument", 400, put, Bucket=b,
                           ObjectLockConfiguration=rule(Mode="GOVERNANCE", Days=0),
                           message="Default retention period must be a positive integer value.")
        self.assertEqual("Days", r["Error"].get("ArgumentName"))
        self.assertErr("InvalidArgument", 400, put, Bucket=b,
                       ObjectLockConfiguration=rule(Mode="GOVERNANCE", Years=-1))
        self.assertErr("InvalidArgument", 400, put, Bucket=b,
                       ObjectLockConfiguration=rule(Mode="COMPLIANCE", Years=101),
                       message="Default retention period too large.")
        self.assertErr("InvalidBucketState", 409, self.s3.put_bucket_versioning, Bucket=b,
                       VersioningConfiguration={"Status": "Suspended"})

    def test_default_retention_applies_to_new_versions(self):
        b = self.lock_bucket({"Mode": "GOVERNANCE", "Days": 2})
        self.put_md5(b, "d")
        h = self.s3.head_object(Bucket=b, Key="d")
        self.assertEqual("GOVERNANCE", h["ObjectLockMode"])
        # "adding the specified duration to the object version's creation timestamp"
        delta = h["ObjectLockRetainUntilDate"] - h["LastModified"]
        self.assertLess(abs(delta.total_seconds() - 2 * 86400), 2)
        ret = self.s3.get_object_retention(Bucket=b, Key="d")["Retention"]
        self.assertEqual(("GOVERNANCE", h["ObjectLockRetainUntilDate"]),
                         (ret["Mode"], ret["RetainUntilDate"]))
        # a year is 365 days
        self.s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
        self.put_md5(b, "y")
        h = self.s3.head_object(Bucket=b, Key="y")
        delta = h["ObjectLockRetainUntilDate"] - h["LastModified"]
        self.assertEqual("COMPLIANCE", h["ObjectLockMode"])
        self.assertLess(abs(delta.total_seconds() - 365 * 86400), 2)
        # the request's own retention wins; a legal hold alone keeps the default
        until = (self.now() + 10 * DAY).replace(microsecond=0)
        self.put_md5(b, "own", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)
        h = self.s3.head_object(Bucket=b, Key="own")
        self.assertEqual(("GOVERNANCE", until), (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"]))
        self.put_md5(b, "hold", ObjectLockLegalHoldStatus="OFF")
        h = self.s3.head_object(Bucket=b, Key="hold")
        self.assertEqual(("COMPLIANCE", "OFF"), (h["ObjectLockMode"], h["ObjectLockLegalHoldStatus"]))

    def test_locked_upload_needs_content_md5_or_checksum(self):
        # s3-tests' test_object_lock_md5 (Java port): the default retention
        # makes every upload one "with Object Lock parameters"
        b = self.lock_bucket({"Mode": "GOVERNANCE", "Days": 1})
        old = s3_client(self.server, when_required=True)  # sends no checksum of its own
        self.assertErr("InvalidRequest", 400, old.put_object, Bucket=b, Key="k", Body=b"x",
                       message=DIGEST_MSG)
        old.put_object(Bucket=b, Key="k", Body=b"x", ContentMD5=md5_b64(b"x"))
        old.put_object(Bucket=b, Key="k", Body=b"x", ChecksumAlgorithm="CRC32")
        # a lock bucket without a default: only a lock header makes it needed
        b2 = self.lock_bucket()
        old.put_object(Bucket=b2, Key="plain", Body=b"x")
        self.assertErr("InvalidRequest", 400, old.put_object, Bucket=b2, Key="k", Body=b"x",
                       ObjectLockLegalHoldStatus="ON", message=DIGEST_MSG)
        self.assertNotIn("ObjectLockMode", self.s3.head_object(Bucket=b2, Key="plain"))

    def test_lock_headers_are_checked(self):
        b = self.lock_bucket()
        future = iso(self.now() + DAY)

        def put(headers, bucket=b):
            body = b"x"
            h = {"Content-MD5": md5_b64(body)}
            h.update(headers)
            return s3_request(self.server, "PUT", "/%s/new" % bucket, body=body, headers=h)
        both = "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"
        e = self.assertRawError(put({MODE: "GOVERNANCE"}), 400, "InvalidArgument")
        self.assertEqual((both, UNTIL), (e["Message"], e.get("ArgumentName")))
        e = self.assertRawError(put({UNTIL: future}), 400, "InvalidArgument")
        self.assertEqual((both, MODE), (e["Message"], e.get("ArgumentName")))
        e = self.assertRawError(put({MODE: "governance", UNTIL: future}), 400, "InvalidArgument")
        self.assertEqual(("Unknown wormMode directive.", MODE, "governance"),
                         (e["Message"], e.get("ArgumentName"), e.get("ArgumentValue")))
        e = self.assertRawError(put({MODE: "GOVERNANCE", UNTIL: "Tue, 01 Dec 2099 10:00:00 GMT"}),
                                400, "InvalidArgument")
        self.assertEqual("The retain until date must be provided in ISO 8601 format", e["Message"])
        # a value past any date's length is not cut down to one that parses
        e = self.assertRawError(put({MODE: "GOVERNANCE", UNTIL: "2099-01-01T00:00:00." + "0" * 80 + "x"}),
                                400, "InvalidArgument")
        self.assertEqual("The retain until date must be provided in ISO 8601 format", e["Message"])
        past = iso(self.now() - DAY)
        e = self.assertRawError(put({MODE: "GOVERNANCE", UNTIL: past}), 400, "InvalidArgument")
        self.assertEqual(("The retain until date must be in the future!", UNTIL, past),
                         (e["Message"], e.get("ArgumentName"), e.get("ArgumentValue")))
        e = self.assertRawError(put({HOLD: "on"}), 400, "InvalidArgument")
        self.assertEqual("Legal Hold must be either of 'ON' or 'OFF'", e["Message"])
        plain = self.make_bucket()
        e = self.assertRawError(put({HOLD: "ON"}, plain), 400, "InvalidRequest")
        self.assertEqual("Bucket is missing ObjectLockConfiguration", e["Message"])
        e = self.assertRawError(put({MODE: "COMPLIANCE", UNTIL: future}, plain), 400, "InvalidRequest")
        self.assertEqual([], self.list_all_v2(plain)[0])
        self.assertEqual([], self.list_all_v2(b)[0])
        # an offset is a time like any other
        r = put({MODE: "GOVERNANCE", UNTIL: "2099-06-01T02:00:00+02:00"})
        self.assertEqual(200, r.status, r)
        h = self.s3.head_object(Bucket=b, Key="new")
        self.assertEqual(datetime.datetime(2099, 6, 1, tzinfo=datetime.timezone.utc),
                         h["ObjectLockRetainUntilDate"])
        self.s3.delete_object(Bucket=b, Key="new", VersionId=h["VersionId"],
                              BypassGovernanceRetention=True)


# ==========================================================================
# Object Lock: retention and legal hold of versions
# ==========================================================================

class RetentionTests(LockCase):
    def test_governance(self):
        b = self.lock_bucket()
        vid = self.put_md5(b, "o")["VersionId"]
        self.assertErr("NoSuchObjectLockConfiguration", 404, self.s3.get_object_retention,
                       Bucket=b, Key="o",
                       message="The specified object does not have a ObjectLock configuration")
        until = (self.now() + 10 * DAY).replace(microsecond=0)
        self.s3.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": until})
        self.assertEqual({"Mode": "GOVERNANCE", "RetainUntilDate": until},
                         self.s3.get_object_retention(Bucket=b, Key="o", VersionId=vid)["Retention"])
        h = self.s3.head_object(Bucket=b, Key="o")
        self.assertEqual(("GOVERNANCE", until), (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"]))
        g = self.s3.get_object(Bucket=b, Key="o")
        self.assertEqual(("GOVERNANCE", b"hello"), (g["ObjectLockMode"], g["Body"].read()))
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="o", VersionId=vid,
                       message=LOCKED_MSG)
        # shortened, changed to COMPLIANCE, removed: only with the bypass
        for ret in ({"Mode": "GOVERNANCE", "RetainUntilDate": until - DAY},
                    {"Mode": "COMPLIANCE", "RetainUntilDate": until}):
            self.assertErr("AccessDenied", 403, self.s3.put_object_retention, Bucket=b, Key="o",
                           Retention=ret)
        r = self.raw_retention(b, "o", b"<Retention/>")
        self.assertRawError(r, 403, "AccessDenied")
        # extended: always
        self.s3.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": until + DAY})
        self.s3.put_object_retention(Bucket=b, Key="o", BypassGovernanceRetention=True, Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": until - DAY})
        self.assertEqual(until - DAY, self.s3.get_object_retention(
            Bucket=b, Key="o")["Retention"]["RetainUntilDate"])
        # a delete without a version id makes a delete marker, also for a locked object
        d = self.s3.delete_object(Bucket=b, Key="o")
        self.assertTrue(d["DeleteMarker"])
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="o", VersionId=vid)
        self.s3.delete_object(Bucket=b, Key="o", VersionId=d["VersionId"])
        self.assertEqual(b"hello", self.get_bytes(b, "o"))
        # removed with the bypass; then deletable
        r = self.raw_retention(b, "o", b"<Retention/>", {BYPASS: "true"})
        self.assertEqual(200, r.status, r)
        self.assertErr("NoSuchObjectLockConfiguration", 404, self.s3.get_object_retention,
                       Bucket=b, Key="o")
        self.s3.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": until})
        self.s3.delete_object(Bucket=b, Key="o", VersionId=vid, BypassGovernanceRetention=True)
        self.assertEqual(([], []), self.versions(b))

    def raw_retention(self, bucket, key, xml, headers=None):
        h = {"Content-MD5": md5_b64(xml)}
        h.update(headers or {})
        return s3_request(self.server, "PUT", "/%s/%s" % (bucket, key), query="retention", body=xml,
                          headers=h)

    def test_compliance(self):
        b = self.lock_bucket()
        vid = self.put_md5(b, "o", ObjectLockMode="COMPLIANCE",
                           ObjectLockRetainUntilDate=self.now() + 5 * DAY)["VersionId"]
        until = self.s3.get_object_retention(Bucket=b, Key="o")["Retention"]["RetainUntilDate"]
        for kw in ({}, {"BypassGovernanceRetention": True}):
            self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="o",
                           VersionId=vid, message=LOCKED_MSG, **kw)
            for ret in ({"Mode": "COMPLIANCE", "RetainUntilDate": until - DAY},
                        {"Mode": "GOVERNANCE", "RetainUntilDate": until + DAY}):
                self.assertErr("AccessDenied", 403, self.s3.put_object_retention, Bucket=b,
                               Key="o", Retention=ret, **kw)
        self.assertRawError(self.raw_retention(b, "o", b"<Retention/>", {BYPASS: "true"}), 403,
                            "AccessDenied")
        self.s3.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "COMPLIANCE", "RetainUntilDate": until + DAY})
        self.assertEqual(until + DAY, self.s3.get_object_retention(
            Bucket=b, Key="o", VersionId=vid)["Retention"]["RetainUntilDate"])

    def test_retention_requests_are_checked(self):
        b = self.lock_bucket()
        self.put_md5(b, "o")
        future = self.now() + DAY
        self.assertErr("MalformedXML", 400, self.s3.put_object_retention, Bucket=b, Key="o",
                       Retention={"Mode": "invalid", "RetainUntilDate": future})
        self.assertRawError(self.raw_retention(b, "o", b"<Retention><Mode>GOVERNANCE</Mode>"
                                               b"<RetainUntilDate>tomorrow</RetainUntilDate>"
                                               b"</Retention>"), 400, "MalformedXML")
        self.assertRawError(self.raw_retention(b, "o", b"<Retention><Mode>GOVERNANCE</Mode>"
                                               b"</Retention>"), 400, "MalformedXML")
        r = self.assertErr("InvalidArgument", 400, self.s3.put_object_retention, Bucket=b, Key="o",
                           Retention={"Mode": "GOVERNANCE", "RetainUntilDate": self.now() - DAY},
                           message="The retain until date must be in the future!")
        self.assertRawError(self.raw_retention(b, "o", b""), 400, "MissingRequestBodyError")
        self.assertErr("NoSuchKey", 404, self.s3.put_object_retention, Bucket=b, Key="missing",
                       Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future})
        self.assertErr("NoSuchKey", 404, self.s3.get_object_legal_hold, Bucket=b, Key="missing")
        # a bucket without Object Lock: every one of them
        plain = self.make_bucket()
        self.put_md5(plain, "o")
        for fn, kw in ((self.s3.get_object_retention, {}),
                       (self.s3.get_object_legal_hold, {}),
                       (self.s3.put_object_legal_hold, {"LegalHold": {"Status": "ON"}}),
                       (self.s3.put_object_retention, {"Retention": {
                           "Mode": "GOVERNANCE", "RetainUntilDate": future}})):
            self.assertErr("InvalidRequest", 400, fn, Bucket=plain, Key="o", message=NOT_ENABLED, **kw)
        self.assertEqual(b"hello", self.get_bytes(plain, "o"))
        # the bypass header is for Object Lock buckets only
        r = self.assertErr("InvalidArgument", 400, self.s3.delete_object, Bucket=plain, Key="o",
                           BypassGovernanceRetention=True)
        self.assertEqual(BYPASS, r["Error"].get("ArgumentName"))

    def test_legal_hold(self):
        b = self.lock_bucket()
        vid = self.put_md5(b, "o")["VersionId"]
        self.assertErr("NoSuchObjectLockConfiguration", 404, self.s3.get_object_legal_hold,
                       Bucket=b, Key="o")
        self.s3.put_object_legal_hold(Bucket=b, Key="o", LegalHold={"Status": "ON"})
        self.assertEqual({"Status": "ON"}, self.s3.get_object_legal_hold(Bucket=b, Key="o")["LegalHold"])
        self.assertEqual("ON", self.s3.head_object(Bucket=b, Key="o")["ObjectLockLegalHoldStatus"])
        self.assertNotIn("ObjectLockMode", self.s3.head_object(Bucket=b, Key="o"))
        # a legal hold has no bypass
        for kw in ({}, {"BypassGovernanceRetention": True}):
            self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="o",
                           VersionId=vid, message=LOCKED_MSG, **kw)
        self.assertErr("MalformedXML", 400, self.s3.put_object_legal_hold, Bucket=b, Key="o",
                       LegalHold={"Status": "abc"})
        # independent of retention
        self.s3.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": self.now() + DAY})
        self.s3.put_object_legal_hold(Bucket=b, Key="o", LegalHold={"Status": "OFF"})
        self.assertEqual("OFF", self.s3.get_object_legal_hold(Bucket=b, Key="o")["LegalHold"]["Status"])
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="o", VersionId=vid)
        self.s3.delete_object(Bucket=b, Key="o", VersionId=vid, BypassGovernanceRetention=True)

    def test_versions_are_locked_one_by_one(self):
        b = self.lock_bucket()
        v1 = self.put_md5(b, "o", b"one")["VersionId"]
        v2 = self.put_md5(b, "o", b"two")["VersionId"]
        until = (self.now() + DAY).replace(microsecond=0)
        self.s3.put_object_retention(Bucket=b, Key="o", VersionId=v1, Retention={
            "Mode": "COMPLIANCE", "RetainUntilDate": until})
        self.s3.put_object_legal_hold(Bucket=b, Key="o", VersionId=v1, LegalHold={"Status": "ON"})
        self.assertEqual(until, self.s3.get_object_retention(
            Bucket=b, Key="o", VersionId=v1)["Retention"]["RetainUntilDate"])
        self.assertErr("NoSuchObjectLockConfiguration", 404, self.s3.get_object_retention,
                       Bucket=b, Key="o")
        h = self.s3.head_object(Bucket=b, Key="o", VersionId=v1)
        self.assertEqual(("COMPLIANCE", "ON"), (h["ObjectLockMode"], h["ObjectLockLegalHoldStatus"]))
        self.assertNotIn("ObjectLockMode", self.s3.head_object(Bucket=b, Key="o"))
        # an overwrite makes a new version: allowed, the locked one stays
        self.put_md5(b, "o", b"three")
        self.assertEqual(b"one", self.get_bytes(b, "o", VersionId=v1))
        self.s3.delete_object(Bucket=b, Key="o", VersionId=v2)
        self.assertErr("NoSuchVersion", 404, self.s3.get_object_retention, Bucket=b, Key="o",
                       VersionId=v2)
        marker = self.s3.delete_object(Bucket=b, Key="o")["VersionId"]
        self.assertErr("MethodNotAllowed", 405, self.s3.get_object_retention, Bucket=b, Key="o",
                       VersionId=marker)
        self.assertErr("NoSuchKey", 404, self.s3.get_object_retention, Bucket=b, Key="o")

    def test_delete_objects_reports_each_key(self):
        b = self.lock_bucket()
        future = self.now() + DAY
        ids = {
            "governance": self.put_md5(b, "governance", ObjectLockMode="GOVERNANCE",
                                       ObjectLockRetainUntilDate=future)["VersionId"],
            "compliance": self.put_md5(b, "compliance", ObjectLockMode="COMPLIANCE",
                                       ObjectLockRetainUntilDate=future)["VersionId"],
            "held": self.put_md5(b, "held", ObjectLockLegalHoldStatus="ON")["VersionId"],
            "free": self.put_md5(b, "free")["VersionId"],
        }
        objects = [{"Key": k, "VersionId": v} for k, v in sorted(ids.items())]
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": objects})
        self.assertEqual(["free"], [d["Key"] for d in r.get("Deleted", [])])
        self.assertEqual({("compliance", "AccessDenied", LOCKED_MSG), ("governance", "AccessDenied", LOCKED_MSG),
                          ("held", "AccessDenied", LOCKED_MSG)},
                         {(e["Key"], e["Code"], e["Message"]) for e in r["Errors"]})
        self.assertEqual({ids["governance"]}, {e["VersionId"] for e in r["Errors"]
                                               if e["Key"] == "governance"})
        r = self.s3.delete_objects(Bucket=b, BypassGovernanceRetention=True,
                                   Delete={"Objects": objects})
        self.assertEqual(["governance"], sorted(d["Key"] for d in r.get("Deleted", [])
                                                if d["Key"] != "free"))
        self.assertEqual({"compliance", "held"}, {e["Key"] for e in r["Errors"]})
        # without version ids: delete markers, no errors
        r = self.s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "compliance"},
                                                                 {"Key": "held"}]})
        self.assertEqual([True, True], [d.get("DeleteMarker") for d in r["Deleted"]])
        self.assertNotIn("Errors", r)

    def test_copy_gets_its_own_lock(self):
        # s3-tests' test_object_lock_copy_object (Java port): the source's lock
        # is not copied; the destination bucket's default applies
        src = self.lock_bucket({"Mode": "GOVERNANCE", "Days": 1})
        dst = self.lock_bucket()
        self.put_md5(src, "k")
        self.s3.copy_object(Bucket=dst, Key="c", CopySource={"Bucket": src, "Key": "k"})
        self.assertNotIn("ObjectLockMode", self.s3.head_object(Bucket=dst, Key="c"))
        plain = self.make_bucket()
        self.put_md5(plain, "p")
        self.s3.copy_object(Bucket=src, Key="c", CopySource={"Bucket": plain, "Key": "p"})
        self.assertEqual("GOVERNANCE", self.s3.head_object(Bucket=src, Key="c")["ObjectLockMode"])
        until = (self.now() + 3 * DAY).replace(microsecond=0)
        self.s3.copy_object(Bucket=dst, Key="e", CopySource={"Bucket": plain, "Key": "p"},
                            ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until,
                            ObjectLockLegalHoldStatus="ON")
        h = self.s3.head_object(Bucket=dst, Key="e")
        self.assertEqual(("COMPLIANCE", until, "ON"), (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"],
                                                       h["ObjectLockLegalHoldStatus"]))
        self.assertErr("InvalidRequest", 400, self.s3.copy_object, Bucket=plain, Key="x",
                       CopySource={"Bucket": plain, "Key": "p"}, ObjectLockLegalHoldStatus="ON",
                       message="Bucket is missing ObjectLockConfiguration")

    def test_multipart_upload(self):
        b = self.lock_bucket()
        until = (self.now() + 2 * DAY).replace(microsecond=0)
        up = self.s3.create_multipart_upload(Bucket=b, Key="m", ObjectLockMode="GOVERNANCE",
                                             ObjectLockRetainUntilDate=until,
                                             ObjectLockLegalHoldStatus="ON")["UploadId"]
        part = b"p" * 1024
        old = s3_client(self.server, when_required=True)
        self.assertErr("InvalidRequest", 400, old.upload_part, Bucket=b, Key="m", UploadId=up,
                       PartNumber=1, Body=part, message=PART_DIGEST_MSG)
        etag = old.upload_part(Bucket=b, Key="m", UploadId=up, PartNumber=1, Body=part,
                               ContentMD5=md5_b64(part))["ETag"]
        vid = self.s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag}]})["VersionId"]
        h = self.s3.head_object(Bucket=b, Key="m")
        self.assertEqual(("GOVERNANCE", until, "ON"), (h["ObjectLockMode"], h["ObjectLockRetainUntilDate"],
                                                       h["ObjectLockLegalHoldStatus"]))
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="m", VersionId=vid)
        # the bucket's default applies at completion (s3-tests' test_object_lock_multipart)
        self.s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE",
                                                                          "Days": 1}}})
        up = self.s3.create_multipart_upload(Bucket=b, Key="d")["UploadId"]
        self.assertErr("InvalidRequest", 400, old.upload_part, Bucket=b, Key="d", UploadId=up,
                       PartNumber=1, Body=part, message=PART_DIGEST_MSG)
        etag = old.upload_part(Bucket=b, Key="d", UploadId=up, PartNumber=1, Body=part,
                               ChecksumAlgorithm="CRC32")["ETag"]
        self.s3.complete_multipart_upload(Bucket=b, Key="d", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag}]})
        self.assertEqual("GOVERNANCE", self.s3.head_object(Bucket=b, Key="d")["ObjectLockMode"])
        # lock headers on an upload to a bucket without Object Lock
        self.assertErr("InvalidRequest", 400, self.s3.create_multipart_upload, Bucket=self.make_bucket(),
                       Key="x", ObjectLockLegalHoldStatus="ON")

    def test_get_object_attributes_is_unaffected(self):
        b = self.lock_bucket()
        self.put_md5(b, "o", ObjectLockLegalHoldStatus="ON",
                     ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=self.now() + DAY)
        self.assertEqual("COMPLIANCE", self.s3.head_object(Bucket=b, Key="o")["ObjectLockMode"])
        r = self.s3.get_object_attributes(Bucket=b, Key="o", ObjectAttributes=["ETag", "ObjectSize"])
        self.assertEqual(5, r["ObjectSize"])
        self.assertNotIn("ObjectLockMode", r)

    @unittest.skipUnless(AWS, "aws CLI not on PATH")
    def test_aws_cli_legal_hold(self):
        b = self.lock_bucket()
        self.put_md5(b, "o")
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="", AWS_MAX_ATTEMPTS="1")
        env.pop("AWS_PROFILE", None)
        p = subprocess.run([AWS, "--endpoint-url", self.server.url, "s3api", "put-object-legal-hold",
                            "--bucket", b, "--key", "o", "--legal-hold", "Status=ON"],
                           env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        self.assertEqual(0, p.returncode, p.stderr.decode())
        p = subprocess.run([AWS, "--endpoint-url", self.server.url, "s3api", "get-object-legal-hold",
                            "--bucket", b, "--key", "o", "--output", "json"],
                           env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        self.assertEqual(0, p.returncode, p.stderr.decode())
        self.assertEqual({"LegalHold": {"Status": "ON"}}, json.loads(p.stdout))
        self.assertEqual(b"hello", self.get_bytes(b, "o"))


# ==========================================================================
# the emulator clock: a retention ends at its date
# ==========================================================================

class RetentionClockTests(LockCase):
    own_server = True  # it moves the clock
    needs_process = True

    def test_retention_ends_on_the_emulator_clock(self):
        b = self.lock_bucket({"Mode": "COMPLIANCE", "Days": 1})
        v_default = self.put_md5(b, "default")["VersionId"]
        v_own = self.put_md5(b, "own", ObjectLockMode="COMPLIANCE",
                             ObjectLockRetainUntilDate=self.now() + 3 * DAY)["VersionId"]
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="default",
                       VersionId=v_default)
        advance_clock(self.server, 2 * 86400)
        self.s3.delete_object(Bucket=b, Key="default", VersionId=v_default)
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="own",
                       VersionId=v_own)
        # a past retention may be replaced by anything
        self.assertEqual("COMPLIANCE", self.s3.get_object_retention(
            Bucket=b, Key="own")["Retention"]["Mode"])
        advance_clock(self.server, 2 * 86400)
        self.s3.put_object_retention(Bucket=b, Key="own", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": self.now() + DAY})
        self.s3.delete_object(Bucket=b, Key="own", VersionId=v_own, BypassGovernanceRetention=True)
        # new defaults count from the moved clock
        self.put_md5(b, "later")
        h = self.s3.head_object(Bucket=b, Key="later")
        delta = h["ObjectLockRetainUntilDate"] - self.now()
        self.assertLess(abs(delta.total_seconds() - 86400), 5)


# ==========================================================================
# persistence
# ==========================================================================

@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class LockPersistenceTests(LockHelpers, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-lock-")
        cls.server = Server(["--data-dir", cls.data_dir])
        try:
            cls.server.start()
        except Exception:
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def setUp(self):
        self.s3 = s3_client(self.server)

    def test_locks_survive_a_restart(self):
        b = self.lock_bucket({"Mode": "GOVERNANCE", "Days": 7})
        until = (self.now() + 5 * DAY).replace(microsecond=0)
        v1 = self.put_md5(b, "o", b"one", ObjectLockMode="COMPLIANCE",
                          ObjectLockRetainUntilDate=until)["VersionId"]
        self.put_md5(b, "o", b"two")
        self.s3.put_object_legal_hold(Bucket=b, Key="o", LegalHold={"Status": "ON"})
        up = self.s3.create_multipart_upload(Bucket=b, Key="m", ObjectLockLegalHoldStatus="ON")["UploadId"]
        self.server.restart()
        self.s3 = s3_client(self.server)
        self.assertEqual({"Mode": "COMPLIANCE", "RetainUntilDate": until},
                         self.s3.get_object_retention(Bucket=b, Key="o", VersionId=v1)["Retention"])
        self.assertEqual("ON", self.s3.get_object_legal_hold(Bucket=b, Key="o")["LegalHold"]["Status"])
        self.assertEqual("GOVERNANCE", self.s3.head_object(Bucket=b, Key="o")["ObjectLockMode"])
        self.assertErr("AccessDenied", 403, self.s3.delete_object, Bucket=b, Key="o", VersionId=v1)
        self.assertEqual({"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {
            "Mode": "GOVERNANCE", "Days": 7}}},
            self.s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"])
        part = b"x" * 100
        etag = self.s3.upload_part(Bucket=b, Key="m", UploadId=up, PartNumber=1, Body=part,
                                   ContentMD5=md5_b64(part))["ETag"]
        self.s3.complete_multipart_upload(Bucket=b, Key="m", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etag}]})
        self.assertEqual("ON", self.s3.head_object(Bucket=b, Key="m")["ObjectLockLegalHoldStatus"])


# ==========================================================================
# --iam enforce
# ==========================================================================

class LockEnforceTests(LockCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)

    def setUp(self):
        self.s3 = client(self.server, "s3")

    def user_s3(self, *statements):
        return client(self.server, "s3", self.p.user(inline=[doc(*statements)]))

    def test_bypass_needs_the_permission(self):
        b = self.lock_bucket()
        vid = self.put_md5(b, "o", ObjectLockMode="GOVERNANCE",
                           ObjectLockRetainUntilDate=self.now() + DAY)["VersionId"]
        plain = self.user_s3(allow("s3:*"), deny("s3:BypassGovernanceRetention"))
        r = self.assertErr("AccessDenied", 403, plain.delete_object, Bucket=b, Key="o",
                           VersionId=vid, BypassGovernanceRetention=True)
        self.assertIn("s3:BypassGovernanceRetention", r["Error"]["Message"])
        r = self.assertErr("AccessDenied", 403, plain.put_object_retention, Bucket=b, Key="o",
                           BypassGovernanceRetention=True, Retention={
                               "Mode": "GOVERNANCE", "RetainUntilDate": self.now() + DAY / 2})
        self.assertIn("s3:BypassGovernanceRetention", r["Error"]["Message"])
        r = plain.delete_objects(Bucket=b, BypassGovernanceRetention=True, Delete={
            "Objects": [{"Key": "o", "VersionId": vid}]})
        self.assertEqual(["AccessDenied"], [e["Code"] for e in r["Errors"]])
        # extending needs no bypass
        plain.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": self.now() + 2 * DAY})
        allowed = self.user_s3(allow(["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"],
                                     "arn:aws:s3:::%s/*" % b))
        allowed.delete_object(Bucket=b, Key="o", VersionId=vid, BypassGovernanceRetention=True)

    def test_actions_and_condition_keys(self):
        b = self.lock_bucket()
        self.put_md5(b, "o")
        res = "arn:aws:s3:::%s/*" % b
        reader = self.user_s3(allow(["s3:GetObject"], res))
        for fn, kw in ((reader.put_object_legal_hold, {"LegalHold": {"Status": "ON"}}),
                       (reader.get_object_legal_hold, {}),
                       (reader.get_object_retention, {}),
                       (reader.put_object_retention, {"Retention": {
                           "Mode": "GOVERNANCE", "RetainUntilDate": self.now() + DAY}})):
            r = self.assertErr("AccessDenied", 403, fn, Bucket=b, Key="o", **kw)
            action = {"put_object_legal_hold": "s3:PutObjectLegalHold",
                      "get_object_legal_hold": "s3:GetObjectLegalHold",
                      "get_object_retention": "s3:GetObjectRetention",
                      "put_object_retention": "s3:PutObjectRetention"}[fn.__name__]
            self.assertIn(action, r["Error"]["Message"])
        self.s3.put_object_legal_hold(Bucket=b, Key="o", LegalHold={"Status": "ON"})
        self.s3.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": self.now() + DAY})
        # the lock headers only for who may read them
        h = reader.head_object(Bucket=b, Key="o")
        self.assertNotIn("ObjectLockMode", h)
        self.assertNotIn("ObjectLockLegalHoldStatus", h)
        both = self.user_s3(allow(["s3:GetObject", "s3:GetObjectRetention", "s3:GetObjectLegalHold"], res))
        h = both.head_object(Bucket=b, Key="o")
        self.assertEqual(("GOVERNANCE", "ON"), (h["ObjectLockMode"], h["ObjectLockLegalHoldStatus"]))
        # s3:object-lock-mode and s3:object-lock-remaining-retention-days
        limited = self.user_s3(
            allow("s3:PutObjectRetention", res,
                  Condition={"StringEquals": {"s3:object-lock-mode": "GOVERNANCE"},
                             "NumericLessThanEquals": {"s3:object-lock-remaining-retention-days": "30"}}))
        limited.put_object_retention(Bucket=b, Key="o", Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": self.now() + 20 * DAY})
        self.assertErr("AccessDenied", 403, limited.put_object_retention, Bucket=b, Key="o",
                       Retention={"Mode": "GOVERNANCE", "RetainUntilDate": self.now() + 40 * DAY})
        self.assertErr("AccessDenied", 403, limited.put_object_retention, Bucket=b, Key="o",
                       Retention={"Mode": "COMPLIANCE", "RetainUntilDate": self.now() + 25 * DAY})
        # s3:object-lock-legal-hold on PutObject
        writer = self.user_s3(allow("s3:PutObject", res),
                              deny("s3:PutObject", res,
                                   Condition={"StringEquals": {"s3:object-lock-legal-hold": "ON"}}))
        writer.put_object(Bucket=b, Key="w", Body=b"x", ContentMD5=md5_b64(b"x"),
                          ObjectLockLegalHoldStatus="OFF")
        self.assertErr("AccessDenied", 403, writer.put_object, Bucket=b, Key="w", Body=b"x",
                       ContentMD5=md5_b64(b"x"), ObjectLockLegalHoldStatus="ON")
