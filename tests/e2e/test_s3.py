"""S3 black-box tests: buckets, objects, keys, metadata, ranges, conditional
requests, DeleteObjects, CopyObject, listings, tagging, GetObjectAttributes
and virtual-hosted addressing, against AWS's documented behaviour (botocore's
s3 2006-03-01 model and the S3 API reference).

The helpers here (clients, raw signed requests, error parsing) are shared by
the other test_s3_*.py modules: multipart, encryption, integrity, persist and
crash.

Runs with this machine's boto3 and with Debian 12's boto3 1.26 / botocore
1.29; features an old botocore lacks are sent as raw signed HTTP.
"""

import base64
import concurrent.futures
import datetime
import email.utils
import gzip
import hashlib
import hmac
import http.client
import os
import re
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import botocore
import botocore.config
from botocore.exceptions import ClientError

from harness import (ACCESS_KEY, DEFAULT_ACCOUNT, DEFAULT_REGION, SECRET_KEY, RawConn,
                     ServerTestCase, new_session)

ACCOUNT = DEFAULT_ACCOUNT
REGION = DEFAULT_REGION
MiB = 1024 * 1024
# botocore >= 1.36 computes CRC32 checksums for uploads by default
NEW_CHECKSUMS = "request_checksum_calculation" in getattr(
    botocore.config.Config, "OPTION_DEFAULTS", {})
UNSIGNED_PAYLOAD_HASH = "UNSIGNED-PAYLOAD"
BOTOCORE_VERSION = tuple(int(x) for x in re.findall(r"\d+", botocore.__version__)[:3])


def uniq(prefix="t"):
    """A valid, unique bucket name (or key part)."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:16])


def md5_hex(b):
    return hashlib.md5(b).hexdigest()


def md5_b64(b):
    return base64.b64encode(hashlib.md5(b).digest()).decode()


def quoted_md5(b):
    return '"%s"' % md5_hex(b)


def body_of(size, seed=b""):
    """size deterministic-looking but non-repeating bytes."""
    out = bytearray()
    counter = 0
    seed = seed or uuid.uuid4().bytes
    while len(out) < size:
        out += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:size])


def http_date(dt):
    return email.utils.format_datetime(dt.astimezone(datetime.timezone.utc), usegmt=True)


def key_arn(key_id, region=REGION):
    return "arn:aws:kms:%s:%s:key/%s" % (region, ACCOUNT, key_id)


def encode_key(key):
    """A key as a path segment, percent-encoded like the SDKs do ('/' kept)."""
    return urllib.parse.quote(key.encode("utf-8"), safe="/~")


# --------------------------------------------------------------------------
# clients and raw requests
# --------------------------------------------------------------------------

_SESSION = None


def s3_client(server, region=None, style="path", validate=True, when_required=False,
              payload_signing=None, read_timeout=30):
    """A boto3 S3 client. style "virtual" talks to http://localhost:PORT and
    botocore puts the bucket in the host (bucket.localhost:PORT); since that
    name need not resolve, the connection is redirected to the server's
    address with the Host header kept. when_required: a new botocore computes
    checksums only where the model requires them (the old behaviour)."""
    s3cfg = {"addressing_style": style}
    if payload_signing is not None:
        s3cfg["payload_signing_enabled"] = payload_signing
    kw = dict(retries={"max_attempts": 0}, connect_timeout=5, read_timeout=read_timeout,
              parameter_validation=validate, s3=s3cfg, signature_version="s3v4")
    if when_required and NEW_CHECKSUMS:
        kw["request_checksum_calculation"] = "when_required"
        kw["response_checksum_validation"] = "when_required"
    cfg = botocore.config.Config(**kw)
    endpoint = server.url if style == "path" else "http://localhost:%d" % server.port
    global _SESSION
    if _SESSION is None:
        _SESSION = new_session()  # shared: its loader caches the S3 model
    client = _SESSION.client("s3", endpoint_url=endpoint, region_name=region or server.region,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=cfg)
    if style != "path":
        target = "%s:%d" % (server.host, server.port)

        def redirect(request, **_):
            u = urllib.parse.urlsplit(request.url)
            request.headers["Host"] = u.netloc
            request.url = urllib.parse.urlunsplit((u.scheme, target, u.path, u.query, u.fragment))
        client.meta.events.register("before-send.s3", redirect)
    return client


def force_trailer_checksums(client, ops=("PutObject", "UploadPart")):
    """Makes botocore send its checksum as an aws-chunked trailer
    (STREAMING-UNSIGNED-PAYLOAD-TRAILER, HTTP chunked), as it does by default
    over https, also over plain http."""
    def to_trailer(params, **_):
        alg = params.get("context", {}).get("checksum", {}).get("request_algorithm")
        if isinstance(alg, dict):
            alg["in"] = "trailer"
    for op in ops:
        client.meta.events.register("before-call.s3.%s" % op, to_trailer)
    return client


class Resp:
    def __init__(self, status, headers, body, header_list):
        self.status = status
        self.headers = headers  # lower-cased names -> last value
        self.body = body
        self.header_list = header_list

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def error(self):
        return parse_error(self.body)

    def xml(self):
        return strip_ns(ET.fromstring(self.body))

    def __repr__(self):
        return "<Resp %d %r %r>" % (self.status, self.headers, self.body[:400])


def strip_ns(root):
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    return root


def parse_error(body):
    """{Code, Message, ...} from an S3 <Error> body ({} when none)."""
    if not body:
        return {}
    try:
        root = strip_ns(ET.fromstring(body))
    except ET.ParseError:
        return {}
    if root.tag != "Error":
        return {}
    return {c.tag: (c.text or "") for c in root}


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(date, region, service="s3", secret=SECRET_KEY):
    k = _hmac(("AWS4" + secret).encode(), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def _canonical_query(query):
    if not query:
        return ""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        k = urllib.parse.quote(urllib.parse.unquote(k), safe="-_.~")
        v = urllib.parse.quote(urllib.parse.unquote(v), safe="-_.~")
        pairs.append((k, v))
    return "&".join("%s=%s" % kv for kv in sorted(pairs))


class Signed:
    """What sign_s3 made: the headers to send and what chunk signatures need."""

    def __init__(self, headers, signature, key, amz_date, scope):
        self.headers = headers
        self.signature = signature
        self.key = key
        self.amz_date = amz_date
        self.scope = scope


def sign_s3(server, method, path, query="", headers=None, payload_hash=UNSIGNED_PAYLOAD_HASH,
            host=None, region=None, amz_date=None):
    """SigV4 for a raw S3 request (path sent as is, S3-style: not
    normalized, not double-encoded). Signs host, x-amz-* and content-*
    headers."""
    region = region or server.region
    amz_date = amz_date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    h = dict(headers or {})
    h = {k: v for k, v in h.items() if k.lower() not in ("host", "x-amz-date", "x-amz-content-sha256",
                                                          "authorization")}
    h["Host"] = host or "%s:%d" % (server.host, server.port)
    h["X-Amz-Date"] = amz_date
    h["X-Amz-Content-SHA256"] = payload_hash
    to_sign = {}
    for k, v in h.items():
        lk = k.lower()
        if lk == "host" or lk.startswith("x-amz-") or lk.startswith("content-"):
            to_sign[lk] = " ".join(str(v).strip().split())
    names = sorted(to_sign)
    canonical = "\n".join([method, path, _canonical_query(query)] +
                           ["%s:%s" % (n, to_sign[n]) for n in names] +
                           ["", ";".join(names), payload_hash])
    scope = "%s/%s/s3/aws4_request" % (amz_date[:8], region)
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                      hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = signing_key(amz_date[:8], region)
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    h["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
        ACCESS_KEY, scope, ";".join(names), sig)
    return Signed(h, sig, key, amz_date, scope)


def send_raw(server, method, target, body, headers, timeout=120, encode_chunked=False):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers, encode_chunked=encode_chunked)
        r = conn.getresponse()
        data = r.read()
        hl = [(k.lower(), v) for k, v in r.getheaders()]
        return Resp(r.status, dict(hl), data, hl)
    finally:
        conn.close()


def s3_request(server, method, path, query="", body=b"", headers=None, host=None,
               region=None, payload_hash=None, sign=True, timeout=120):
    """A (signed) raw S3 request. path is sent as is (percent-encode it
    yourself, e.g. with encode_key); query is a raw query string. Returns
    Resp."""
    hdrs = dict(headers or {})
    target = path + ("?" + query if query else "")
    if sign:
        if payload_hash is None:
            payload_hash = (hashlib.sha256(body).hexdigest() if isinstance(body, (bytes, bytearray))
                            else UNSIGNED_PAYLOAD_HASH)
        hdrs = sign_s3(server, method, path, query, hdrs, payload_hash, host=host, region=region).headers
    elif host:
        hdrs["Host"] = host
    return send_raw(server, method, target, body, hdrs, timeout=timeout)


# --------------------------------------------------------------------------
# base class
# --------------------------------------------------------------------------

class S3TestCase(ServerTestCase):
    """cls.s3 (path style, validating), cls.s3_nv (no client-side
    validation), cls.s3_old (a new botocore configured like an old one: no
    default checksums)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = s3_client(cls.server)
        cls.s3_nv = s3_client(cls.server, validate=False)
        cls.s3_old = s3_client(cls.server, when_required=True)

    def setUp(self):
        super().setUp()
        # a fresh client (and connection pool) per test, so that a connection
        # one test leaves in a bad state cannot fail the next
        self.s3 = s3_client(self.server)

    # -- helpers ---------------------------------------------------------
    @classmethod
    def make_bucket(cls, name=None, client=None):
        name = name or uniq()
        (client or cls.s3).create_bucket(Bucket=name)
        return name

    @classmethod
    def make_acl_bucket(cls, name=None, client=None, ownership="ObjectWriter"):
        """A new bucket with ACLs enabled and no public access block: what a
        real AWS user must ask for since April 2023 to use (public) ACLs."""
        name = name or uniq()
        c = client or cls.s3
        c.create_bucket(Bucket=name, ObjectOwnership=ownership)
        c.delete_public_access_block(Bucket=name)
        return name

    def put(self, bucket, key, body=b"", client=None, **kw):
        return (client or self.s3).put_object(Bucket=bucket, Key=key, Body=body, **kw)

    def get_bytes(self, bucket, key, client=None, **kw):
        r = (client or self.s3).get_object(Bucket=bucket, Key=key, **kw)
        return r["Body"].read()

    def raw(self, method, path, **kw):
        return s3_request(self.server, method, path, **kw)

    def obj_path(self, bucket, key):
        return "/%s/%s" % (bucket, encode_key(key))

    def list_all_v2(self, bucket, client=None, **kw):
        """Every key (and common prefix) over all ListObjectsV2 pages."""
        keys, prefixes = [], []
        token = None
        for _ in range(10000):
            args = dict(kw)
            if token:
                args["ContinuationToken"] = token
            r = (client or self.s3).list_objects_v2(Bucket=bucket, **args)
            keys += [c["Key"] for c in r.get("Contents", [])]
            prefixes += [p["Prefix"] for p in r.get("CommonPrefixes", [])]
            if not r.get("IsTruncated"):
                self.assertFalse(r.get("NextContinuationToken"),
                                 "NextContinuationToken on the last page")
                return keys, prefixes
            token = r.get("NextContinuationToken")
            self.assertTrue(token, "IsTruncated without NextContinuationToken")
        self.fail("ListObjectsV2 paging does not terminate")

    def empty_bucket(self, bucket):
        keys, _ = self.list_all_v2(bucket)
        for i in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=bucket, Delete={
                "Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})

    # -- assertions ------------------------------------------------------
    def assertS3Error(self, status, codes, fn, *args, **kwargs):
        """fn(*args, **kwargs) must fail with HTTP status and one of codes
        (for HEAD requests boto3's code is the status as a string)."""
        if isinstance(codes, str):
            codes = (codes,)
        try:
            fn(*args, **kwargs)
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            st = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            self.assertIn(code, codes, "wrong error code (message: %r, status %s)"
                          % (e.response.get("Error", {}).get("Message"), st))
            self.assertEqual(status, st, "error %s should be HTTP %d" % (code, status))
            return e.response
        self.fail("expected %s (HTTP %d), call succeeded" % ("/".join(codes), status))

    def assertRawError(self, resp, status, codes):
        if isinstance(codes, str):
            codes = (codes,)
        self.assertEqual(status, resp.status, resp)
        err = resp.error()
        self.assertIn(err.get("Code"), codes, resp)
        self.assertTrue(err.get("Message"), "error without a Message: %r" % resp.body[:300])
        return err

    def assertNoSuchKey(self, bucket, key, client=None):
        self.assertS3Error(404, "NoSuchKey", (client or self.s3).get_object, Bucket=bucket, Key=key)


# ==========================================================================
# Buckets
# ==========================================================================

class BucketTests(S3TestCase):
    def test_create_head_delete(self):
        name = uniq("crud")
        r = self.s3.create_bucket(Bucket=name)
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual("/" + name, r.get("Location"))
        h = self.s3.head_bucket(Bucket=name)
        self.assertEqual(200, h["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual(REGION, h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-bucket-region"))
        d = self.s3.delete_bucket(Bucket=name)
        self.assertEqual(204, d["ResponseMetadata"]["HTTPStatusCode"])
        self.assertS3Error(404, ("404", "NoSuchBucket"), self.s3.head_bucket, Bucket=name)

    def test_head_missing_bucket_has_no_body(self):
        name = uniq("nobucket")
        r = self.raw("HEAD", "/" + name)
        self.assertEqual(404, r.status)
        self.assertEqual(b"", r.body)
        self.assertS3Error(404, "404", self.s3.head_bucket, Bucket=name)

    def test_invalid_bucket_names(self):
        bad = ["ab", "a" * 64, "MyBucket", "my_bucket", "-abc", "abc-", ".abc", "abc.",
               "a..b", "192.168.5.4", "xn--abc", "abc-s3alias", "abc--ol-s3", "sthree-abc"]
        for name in bad:
            with self.subTest(name=name):
                self.assertS3Error(400, "InvalidBucketName", self.s3_nv.create_bucket, Bucket=name)
        # names botocore itself refuses are sent raw
        for name in ["a b!", "a\\b"]:
            with self.subTest(name=name):
                r = self.raw("PUT", "/" + urllib.parse.quote(name, safe="%"))
                self.assertEqual(400, r.status, r)
                self.assertIn(r.error().get("Code"), ("InvalidBucketName", "InvalidURI"), r)

    def test_valid_edge_names(self):
        tag = uuid.uuid4().hex
        for name in ["a%s" % tag[:2], ("b" + tag * 2)[:63], "c.%s.d" % tag[:8], "1%s" % tag[:10],
                     "e-%s-f" % tag[:6]]:
            with self.subTest(name=name):
                self.s3.create_bucket(Bucket=name)
                self.s3.head_bucket(Bucket=name)
                self.s3.delete_bucket(Bucket=name)

    def test_already_owned_outside_us_east_1(self):
        eu = s3_client(self.server, region="eu-west-1")
        name = uniq("owned")
        eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertS3Error(409, "BucketAlreadyOwnedByYou", eu.create_bucket, Bucket=name,
                           CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        eu.delete_bucket(Bucket=name)

    def test_already_owned_in_us_east_1_keeps_contents(self):
        # AWS: BucketAlreadyOwnedByYou 409 in every region except
        # us-east-1, where re-creating an owned bucket answers 200 for legacy
        # compatibility. Either way nothing in it may be lost.
        name = self.make_bucket()
        self.put(name, "keep", b"kept")
        try:
            r = self.s3.create_bucket(Bucket=name)
            self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        except ClientError as e:
            self.assertEqual("BucketAlreadyOwnedByYou", e.response["Error"]["Code"])
            self.assertEqual(409, e.response["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual(b"kept", self.get_bytes(name, "keep"))

    def test_location_constraint(self):
        eu = s3_client(self.server, region="eu-west-1")
        name = uniq("eu")
        eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        self.assertEqual("eu-west-1", eu.get_bucket_location(Bucket=name)["LocationConstraint"])
        h = eu.head_bucket(Bucket=name)
        self.assertEqual("eu-west-1", h["ResponseMetadata"]["HTTPHeaders"].get("x-amz-bucket-region"))
        # ListBuckets lists buckets of every region
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertIn(name, names)
        # a us-east-1 bucket has an empty LocationConstraint
        us = self.make_bucket()
        self.assertIsNone(self.s3.get_bucket_location(Bucket=us).get("LocationConstraint"))
        raw = self.raw("GET", "/%s" % us, query="location")
        self.assertEqual(200, raw.status)
        root = raw.xml()
        self.assertEqual("LocationConstraint", root.tag)
        self.assertFalse(root.text)
        eu.put_object(Bucket=name, Key="x", Body=b"eu body")
        self.assertEqual(b"eu body", eu.get_object(Bucket=name, Key="x")["Body"].read())

    def test_invalid_location_constraint(self):
        # us-east-1 is the default and may not be named explicitly
        self.assertS3Error(400, "InvalidLocationConstraint", self.s3.create_bucket,
                           Bucket=uniq("lc"), CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
        self.assertS3Error(400, "InvalidLocationConstraint", self.s3_nv.create_bucket,
                           Bucket=uniq("lc"), CreateBucketConfiguration={"LocationConstraint": "mars-north-9"})

    def test_location_constraint_must_match_endpoint_region(self):
        eu = s3_client(self.server, region="eu-west-1")
        name = uniq("mismatch")
        self.assertS3Error(400, "IllegalLocationConstraintException", eu.create_bucket,
                           Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        self.assertS3Error(404, ("404", "NoSuchBucket"), eu.head_bucket, Bucket=name)

    def test_list_buckets(self):
        names = sorted(self.make_bucket(uniq("lb")) for _ in range(3))
        r = self.s3.list_buckets()
        listed = [b["Name"] for b in r["Buckets"]]
        for n in names:
            self.assertEqual(1, listed.count(n))
        self.assertEqual(sorted(listed), listed, "ListBuckets is in name order")
        for b in r["Buckets"]:
            if b["Name"] in names:
                self.assertRecent(b["CreationDate"])
        self.assertTrue(r["Owner"]["ID"])

    def test_delete_non_empty_and_missing(self):
        name = self.make_bucket()
        self.put(name, "obj", b"x")
        self.assertS3Error(409, "BucketNotEmpty", self.s3.delete_bucket, Bucket=name)
        self.assertEqual(b"x", self.get_bytes(name, "obj"))
        self.s3.delete_object(Bucket=name, Key="obj")
        self.s3.delete_bucket(Bucket=name)
        self.assertS3Error(404, "NoSuchBucket", self.s3.delete_bucket, Bucket=name)
        # and it can be created again, empty
        self.s3.create_bucket(Bucket=name)
        self.assertEqual(0, self.s3.list_objects_v2(Bucket=name)["KeyCount"])
        self.s3.delete_bucket(Bucket=name)

    def test_operations_on_missing_bucket(self):
        name = uniq("missing")
        self.assertS3Error(404, "NoSuchBucket", self.s3.list_objects_v2, Bucket=name)
        self.assertS3Error(404, "NoSuchBucket", self.s3.list_objects, Bucket=name)
        self.assertS3Error(404, "NoSuchBucket", self.s3.put_object, Bucket=name, Key="k", Body=b"x")
        self.assertS3Error(404, "NoSuchBucket", self.s3.get_object, Bucket=name, Key="k")
        self.assertS3Error(404, "NoSuchBucket", self.s3.get_bucket_location, Bucket=name)
        self.assertS3Error(404, "NoSuchBucket", self.s3.get_bucket_encryption, Bucket=name)
        self.assertS3Error(404, "NoSuchBucket", self.s3.delete_object, Bucket=name, Key="k")

    def test_error_document_shape(self):
        name = uniq("shape")
        r = self.raw("GET", "/%s/some/key" % name)
        self.assertEqual(404, r.status)
        self.assertIn("xml", r.header("content-type", ""))
        self.assertTrue(r.header("x-amz-request-id"))
        err = r.error()
        self.assertEqual("NoSuchBucket", err.get("Code"))
        self.assertEqual(name, err.get("BucketName"))
        self.assertTrue(err.get("Message"))
        self.assertTrue(err.get("RequestId"))
        self.assertEqual(r.header("x-amz-request-id"), err.get("RequestId"))

    # -- default encryption ------------------------------------------------
    def test_default_encryption_is_sse_s3(self):
        # Since January 2023 every bucket has SSE-S3 default encryption and
        # GetBucketEncryption reports it.
        name = self.make_bucket()
        rules = self.s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(1, len(rules))
        self.assertEqual("AES256", rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])
        self.assertNotIn("KMSMasterKeyID", rules[0]["ApplyServerSideEncryptionByDefault"])
        self.assertFalse(rules[0].get("BucketKeyEnabled", False))

    def test_put_get_delete_bucket_encryption(self):
        name = self.make_bucket()
        key_id = self.kms.create_key(Description="s3 bucket default")["KeyMetadata"]["KeyId"]
        cfg = {"Rules": [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}, "BucketKeyEnabled": True}]}
        r = self.s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=cfg)
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        got = self.s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(1, len(got))
        d = got[0]["ApplyServerSideEncryptionByDefault"]
        self.assertEqual("aws:kms", d["SSEAlgorithm"])
        self.assertIn(d["KMSMasterKeyID"], (key_id, key_arn(key_id)))
        self.assertTrue(got[0].get("BucketKeyEnabled"))
        # back to AES256
        self.s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        got = self.s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual("AES256", got[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])
        d = self.s3.delete_bucket_encryption(Bucket=name)
        self.assertEqual(204, d["ResponseMetadata"]["HTTPStatusCode"])
        got = self.s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual("AES256", got[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])

    def test_put_bucket_encryption_malformed(self):
        name = self.make_bucket()
        body = b"<ServerSideEncryptionConfiguration><Rule><oops"
        r = self.raw("PUT", "/" + name, query="encryption", body=body,
                     headers={"Content-MD5": md5_b64(body)})
        self.assertRawError(r, 400, "MalformedXML")
        body = (b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                b"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>ROT13</SSEAlgorithm>"
                b"</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")
        r = self.raw("PUT", "/" + name, query="encryption", body=body,
                     headers={"Content-MD5": md5_b64(body)})
        self.assertEqual(400, r.status, r)
        self.assertIn(r.error().get("Code"), ("MalformedXML", "InvalidArgument", "InvalidRequest"), r)
        got = self.s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual("AES256", got[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"])


# ==========================================================================
# Objects
# ==========================================================================

class ObjectTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("obj"))

    def test_round_trip_sizes(self):
        for size in (0, 1, 65535, 65536, 65537, 5 * MiB + 1):
            with self.subTest(size=size):
                body = body_of(size)
                key = "sizes/%d" % size
                r = self.put(self.bucket, key, body)
                self.assertEqual(quoted_md5(body), r["ETag"])
                self.assertEqual("AES256", r.get("ServerSideEncryption"))
                g = self.s3.get_object(Bucket=self.bucket, Key=key)
                data = g["Body"].read()
                self.assertEqual(len(body), len(data))
                self.assertTrue(data == body, "body differs at size %d" % size)
                self.assertEqual(size, g["ContentLength"])
                self.assertEqual(quoted_md5(body), g["ETag"])
                h = self.s3.head_object(Bucket=self.bucket, Key=key)
                self.assertEqual(size, h["ContentLength"])
                self.assertEqual(quoted_md5(body), h["ETag"])
                self.assertRecent(h["LastModified"])
                # raw GET: exact bytes, Content-Length, Accept-Ranges
                raw = self.raw("GET", self.obj_path(self.bucket, key))
                self.assertEqual(200, raw.status)
                self.assertTrue(raw.body == body)
                self.assertEqual(str(size), raw.header("content-length"))
                self.assertEqual("bytes", raw.header("accept-ranges"))
                d = self.s3.delete_object(Bucket=self.bucket, Key=key)
                self.assertEqual(204, d["ResponseMetadata"]["HTTPStatusCode"])
                self.assertNoSuchKey(self.bucket, key)

    def test_empty_put_keeps_connection_usable(self):
        # boto3 sends Expect: 100-continue with every PutObject, also with an
        # empty body; the pooled connection must stay usable afterwards
        client = s3_client(self.server, read_timeout=5)
        for i in range(3):
            client.put_object(Bucket=self.bucket, Key="empty-then-%d" % i, Body=b"")
            r = client.put_object(Bucket=self.bucket, Key="after-empty-%d" % i, Body=b"next")
            self.assertEqual(quoted_md5(b"next"), r.get("ETag"), r["ResponseMetadata"])
            self.assertEqual(b"next", self.get_bytes(self.bucket, "after-empty-%d" % i))

    def test_old_style_client_round_trip(self):
        # a new botocore told to send no default checksums (Content-MD5 path)
        body = body_of(70000)
        self.s3_old.put_object(Bucket=self.bucket, Key="oldstyle", Body=body, ContentMD5=md5_b64(body))
        self.assertEqual(body, self.get_bytes(self.bucket, "oldstyle", client=self.s3_old))

    def test_unusual_keys_round_trip(self):
        prefix = "keys-%s/" % uuid.uuid4().hex[:8]
        names = ["unicode-ключ-日本語-😀", "with space", "a+b", "100%", "%41%2F", "../up", "a/../b",
                 "./dot", "q?x=1&y=2", "frag#ment", "line\nbreak", "cr\rlf", "tab\tx", "trailing/",
                 "double//slash", "semi;colon", "star*", "quote\"'", "<xml>&amp;", "~tilde", "=eq",
                 "back\\slash", "brace{}[]", "@at:colon", "é-nfc", "e\u0301-nfd", " leading-space",
                 "trailing-space ", "bang!$,()"]
        keys = [prefix + n for n in names]
        for i, k in enumerate(keys):
            with self.subTest(key=k):
                body = ("body of %r #%d" % (k, i)).encode()
                self.put(self.bucket, k, body, Metadata={"idx": str(i)})
                self.assertEqual(body, self.get_bytes(self.bucket, k))
                h = self.s3.head_object(Bucket=self.bucket, Key=k)
                self.assertEqual(str(i), h["Metadata"].get("idx"))
        listed, _ = self.list_all_v2(self.bucket, Prefix=prefix)
        self.assertEqual(sorted(keys, key=lambda s: s.encode()), listed)
        v1 = self.s3.list_objects(Bucket=self.bucket, Prefix=prefix)
        self.assertEqual(sorted(keys, key=lambda s: s.encode()), [c["Key"] for c in v1["Contents"]])
        # a virtual-hosted client sees the same keys
        vh = s3_client(self.server, style="virtual")
        for k in keys[:6]:
            self.assertEqual(self.get_bytes(self.bucket, k), self.get_bytes(self.bucket, k, client=vh))
        for k in keys:
            self.s3.delete_object(Bucket=self.bucket, Key=k)
        self.assertEqual([], self.list_all_v2(self.bucket, Prefix=prefix)[0])

    def test_percent_encoded_path_is_decoded(self):
        # %2F in the path is a '/' in the key, %2B a plus
        r = self.raw("PUT", "/%s/enc%%2Fslash%%20sp%%2Bplus%%25" % self.bucket, body=b"decoded")
        self.assertEqual(200, r.status, r)
        self.assertEqual(b"decoded", self.get_bytes(self.bucket, "enc/slash sp+plus%"))

    def test_metadata_and_headers_round_trip(self):
        body = gzip.compress(b"compressed text " * 50)
        expires = datetime.datetime(2031, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
        self.put(self.bucket, "meta", body, Metadata={"Color": "Blue", "multi-word-name": "a b  c",
                                                      "empty": ""},
                 ContentType="text/plain; charset=utf-8", ContentEncoding="gzip",
                 ContentDisposition='attachment; filename="report 2024.txt"',
                 CacheControl="max-age=3600, must-revalidate", Expires=expires,
                 ContentLanguage="de-CH")
        for method in ("GET", "HEAD"):
            with self.subTest(method=method):
                r = self.raw(method, self.obj_path(self.bucket, "meta"))
                self.assertEqual(200, r.status)
                self.assertEqual("Blue", r.header("x-amz-meta-color"))
                self.assertEqual("a b  c", r.header("x-amz-meta-multi-word-name"))
                self.assertEqual("", r.header("x-amz-meta-empty"))
                self.assertEqual("text/plain; charset=utf-8", r.header("content-type"))
                self.assertEqual("gzip", r.header("content-encoding"))
                self.assertEqual('attachment; filename="report 2024.txt"', r.header("content-disposition"))
                self.assertEqual("max-age=3600, must-revalidate", r.header("cache-control"))
                self.assertEqual("Tue, 06 May 2031 07:08:09 GMT", r.header("expires"))
                self.assertEqual("de-CH", r.header("content-language"))
                self.assertEqual(str(len(body)), r.header("content-length"))
                if method == "GET":
                    self.assertEqual(body, r.body)
                else:
                    self.assertEqual(b"", r.body)
        h = self.s3.head_object(Bucket=self.bucket, Key="meta")
        self.assertEqual({"color": "Blue", "multi-word-name": "a b  c", "empty": ""}, h["Metadata"])

    def test_default_content_type(self):
        r = self.raw("PUT", self.obj_path(self.bucket, "notype"), body=b"x")
        self.assertEqual(200, r.status, r)
        self.assertEqual(quoted_md5(b"x"), r.header("etag"))
        g = self.raw("GET", self.obj_path(self.bucket, "notype"))
        self.assertEqual("binary/octet-stream", g.header("content-type"))

    def test_overwrite_replaces_body_and_metadata(self):
        self.put(self.bucket, "over", b"first", Metadata={"a": "1"}, ContentType="text/a")
        self.put(self.bucket, "over", b"second!", Metadata={"b": "2"})
        g = self.s3.get_object(Bucket=self.bucket, Key="over")
        self.assertEqual(b"second!", g["Body"].read())
        self.assertEqual({"b": "2"}, g["Metadata"])
        self.assertNotEqual("text/a", g.get("ContentType"))

    def test_response_headers(self):
        r = self.raw("GET", self.obj_path(self.bucket, "hdrs-missing"))
        self.assertTrue(r.header("x-amz-request-id"))
        self.put(self.bucket, "hdrs", b"abc")
        r = self.raw("GET", self.obj_path(self.bucket, "hdrs"))
        lm = r.header("last-modified")
        self.assertIsNotNone(email.utils.parsedate_to_datetime(lm), lm)
        self.assertTrue(lm.endswith("GMT"), lm)
        self.assertTrue(r.header("x-amz-request-id"))
        self.assertEqual("AES256", r.header("x-amz-server-side-encryption"))

    def test_content_md5(self):
        body = b"content md5 body"
        r = self.put(self.bucket, "md5ok", body, ContentMD5=md5_b64(body))
        self.assertEqual(quoted_md5(body), r["ETag"])
        # wrong digest: BadDigest, nothing stored (new key absent, old kept)
        wrong = md5_b64(b"something else")
        for client in (self.s3, self.s3_old):
            self.assertS3Error(400, "BadDigest", client.put_object, Bucket=self.bucket,
                               Key="md5bad", Body=body, ContentMD5=wrong)
        self.assertNoSuchKey(self.bucket, "md5bad")
        self.assertS3Error(400, "BadDigest", self.s3.put_object, Bucket=self.bucket,
                           Key="md5ok", Body=b"replacement", ContentMD5=wrong)
        self.assertEqual(body, self.get_bytes(self.bucket, "md5ok"))
        # not a digest at all: InvalidDigest
        for bad in ("not-base64!!", base64.b64encode(b"short").decode()):
            r = self.raw("PUT", self.obj_path(self.bucket, "md5inv"), body=body,
                         headers={"Content-MD5": bad})
            self.assertRawError(r, 400, "InvalidDigest")
        self.assertNoSuchKey(self.bucket, "md5inv")
        # a large body with a wrong digest
        big = body_of(MiB + 3)
        r = self.raw("PUT", self.obj_path(self.bucket, "md5big"), body=big,
                     headers={"Content-MD5": md5_b64(big[:-1])})
        self.assertRawError(r, 400, "BadDigest")
        self.assertNoSuchKey(self.bucket, "md5big")

    def test_missing_key(self):
        key = "missing/" + uuid.uuid4().hex
        resp = self.assertS3Error(404, "NoSuchKey", self.s3.get_object, Bucket=self.bucket, Key=key)
        r = self.raw("GET", self.obj_path(self.bucket, key))
        err = self.assertRawError(r, 404, "NoSuchKey")
        self.assertEqual(key, err.get("Key"))
        self.assertTrue(resp["Error"]["Message"])
        h = self.raw("HEAD", self.obj_path(self.bucket, key))
        self.assertEqual(404, h.status)
        self.assertEqual(b"", h.body)
        self.assertS3Error(404, "404", self.s3.head_object, Bucket=self.bucket, Key=key)

    def test_delete_missing_key_is_204(self):
        r = self.s3.delete_object(Bucket=self.bucket, Key="never-" + uuid.uuid4().hex)
        self.assertEqual(204, r["ResponseMetadata"]["HTTPStatusCode"])

    def test_key_too_long(self):
        self.put(self.bucket, "k" * 1024, b"max")
        self.assertEqual(b"max", self.get_bytes(self.bucket, "k" * 1024))
        self.assertS3Error(400, "KeyTooLongError", self.s3.put_object, Bucket=self.bucket,
                           Key="k" * 1025, Body=b"x")

    def test_put_if_none_match_star(self):
        # conditional writes: If-None-Match: * only creates
        key = "cond-create-" + uuid.uuid4().hex
        path = self.obj_path(self.bucket, key)
        r = self.raw("PUT", path, body=b"one", headers={"If-None-Match": "*"})
        self.assertEqual(200, r.status, r)
        r = self.raw("PUT", path, body=b"two", headers={"If-None-Match": "*"})
        self.assertRawError(r, 412, "PreconditionFailed")
        self.assertEqual(b"one", self.get_bytes(self.bucket, key))

    def test_presigned_urls(self):
        # query-string SigV4 (X-Amz-Algorithm, X-Amz-Signature, ... in the
        # query) must not be mistaken for subresources
        self.put(self.bucket, "presigned/get me", b"presigned body")
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket,
                                                                   "Key": "presigned/get me"}, ExpiresIn=300)
        u = urllib.parse.urlsplit(url)
        self.assertIn("X-Amz-Signature=", u.query)
        r = s3_request(self.server, "GET", u.path, query=u.query, sign=False)
        self.assertEqual(200, r.status, r)
        self.assertEqual(b"presigned body", r.body)
        url = self.s3.generate_presigned_url("put_object", Params={"Bucket": self.bucket,
                                                                   "Key": "presigned/put"}, ExpiresIn=300)
        u = urllib.parse.urlsplit(url)
        r = s3_request(self.server, "PUT", u.path, query=u.query, body=b"uploaded presigned", sign=False)
        self.assertEqual(200, r.status, r)
        self.assertEqual(b"uploaded presigned", self.get_bytes(self.bucket, "presigned/put"))
        url = self.s3.generate_presigned_url("list_objects_v2", Params={"Bucket": self.bucket,
                                                                        "Prefix": "presigned/"})
        u = urllib.parse.urlsplit(url)
        r = s3_request(self.server, "GET", u.path, query=u.query, sign=False)
        self.assertEqual(200, r.status, r)
        root = r.xml()
        keys = [c.findtext("Key") for c in root.findall("Contents")]
        if root.findtext("EncodingType") == "url":  # botocore asks for it
            keys = [urllib.parse.unquote_plus(k) for k in keys]
        self.assertEqual(["presigned/get me", "presigned/put"], keys)

    def test_missing_content_length(self):
        # a PUT with neither Content-Length nor a chunked body: 411
        path = self.obj_path(self.bucket, "no-length")
        signed = sign_s3(self.server, "PUT", path, "", {}, UNSIGNED_PAYLOAD_HASH)
        head = "PUT %s HTTP/1.1\r\n%s\r\n" % (path, "".join("%s: %s\r\n" % kv for kv in signed.headers.items()))
        conn = RawConn(self.server.host, self.server.port)
        try:
            conn.send(head.encode())
            r = conn.read_response()
        finally:
            conn.close()
        self.assertEqual(411, r.status, r)
        self.assertEqual("MissingContentLength", parse_error(r.body).get("Code"), r)
        self.assertNoSuchKey(self.bucket, "no-length")

    def test_metadata_too_large(self):
        # user metadata is limited to 2 KB
        self.assertS3Error(400, "MetadataTooLarge", self.s3.put_object, Bucket=self.bucket,
                           Key="bigmeta", Body=b"x", Metadata={"m": "v" * 2100})
        self.assertNoSuchKey(self.bucket, "bigmeta")


class ConcurrencyTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("conc"))

    def test_readers_see_whole_versions_during_overwrites(self):
        import threading
        versions = [body_of(1 * MiB + i * 1000, b"v%d" % i) for i in range(4)]
        digests = {hashlib.sha256(v).hexdigest(): quoted_md5(v) for v in versions}
        self.put(self.bucket, "hot", versions[0])
        stop = threading.Event()
        problems = []
        clients = [s3_client(self.server) for _ in range(5)]

        def writer():
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    clients[0].put_object(Bucket=self.bucket, Key="hot", Body=versions[i % len(versions)])
                except Exception as e:  # noqa: BLE001
                    problems.append("PUT failed: %r" % e)

        def reader(c):
            while not stop.is_set():
                try:
                    g = c.get_object(Bucket=self.bucket, Key="hot")
                    data = g["Body"].read()
                except Exception as e:  # noqa: BLE001 - any failure is a finding
                    problems.append("GET failed: %r" % e)
                    continue
                d = hashlib.sha256(data).hexdigest()
                if d not in digests:
                    problems.append("torn read: %d bytes matching no version" % len(data))
                elif digests[d] != g["ETag"]:
                    problems.append("ETag %s does not belong to the body returned" % g["ETag"])
        threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader, args=(c,))
                                                       for c in clients[1:]]
        for t in threads:
            t.start()
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join(30)
        self.assertEqual([], problems[:5])

    def test_get_while_deleted(self):
        import threading
        body = body_of(3 * MiB)
        for i in range(5):
            self.put(self.bucket, "del-%d" % i, body)
        results = []
        clients = [s3_client(self.server) for _ in range(5)]

        def read(i):
            try:
                g = clients[i].get_object(Bucket=self.bucket, Key="del-%d" % i)
                results.append(g["Body"].read() == body)
            except ClientError as e:
                results.append(e.response["Error"]["Code"])
        threads = [threading.Thread(target=read, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for i in range(5):
            self.s3.delete_object(Bucket=self.bucket, Key="del-%d" % i)
        for t in threads:
            t.join(30)
        # each GET either streamed the whole body or found no key
        for r in results:
            self.assertIn(r, (True, "NoSuchKey"))


# ==========================================================================
# Range and conditional requests, response overrides
# ==========================================================================

class RangeConditionalTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("range"))
        cls.body = body_of(1000)
        cls.s3.put_object(Bucket=cls.bucket, Key="r", Body=cls.body)
        cls.big = body_of(3 * 65536 + 123)
        cls.s3.put_object(Bucket=cls.bucket, Key="big", Body=cls.big)
        h = cls.s3.head_object(Bucket=cls.bucket, Key="r")
        cls.etag = h["ETag"]
        cls.lm = h["LastModified"]
        cls.path = "/%s/r" % cls.bucket

    def get_range(self, rng, key="r", method="GET"):
        return self.raw(method, "/%s/%s" % (self.bucket, key), headers={"Range": rng})

    def test_ranges(self):
        n = len(self.body)
        cases = [("bytes=0-9", 0, 9), ("bytes=10-", 10, n - 1), ("bytes=-5", n - 5, n - 1),
                 ("bytes=5-100000", 5, n - 1), ("bytes=999-999", 999, 999), ("bytes=0-0", 0, 0),
                 ("bytes=-5000", 0, n - 1), ("bytes=0-", 0, n - 1)]
        for rng, first, last in cases:
            with self.subTest(range=rng):
                r = self.get_range(rng)
                self.assertEqual(206, r.status, r)
                self.assertEqual(self.body[first:last + 1], r.body)
                self.assertEqual("bytes %d-%d/%d" % (first, last, n), r.header("content-range"))
                self.assertEqual(str(last - first + 1), r.header("content-length"))
                self.assertEqual(self.etag, r.header("etag"))
        g = self.s3.get_object(Bucket=self.bucket, Key="r", Range="bytes=3-7")
        self.assertEqual(self.body[3:8], g["Body"].read())
        self.assertEqual("bytes 3-7/%d" % n, g["ContentRange"])
        self.assertEqual(206, g["ResponseMetadata"]["HTTPStatusCode"])

    def test_range_not_satisfiable(self):
        n = len(self.body)
        for rng in ("bytes=%d-" % n, "bytes=5000-6000"):
            with self.subTest(range=rng):
                r = self.get_range(rng)
                err = self.assertRawError(r, 416, "InvalidRange")
                self.assertEqual(err.get("Code"), "InvalidRange")
        self.assertS3Error(416, "InvalidRange", self.s3.get_object, Bucket=self.bucket, Key="r",
                           Range="bytes=%d-" % (n + 10))

    def test_unparsable_range_is_ignored(self):
        for rng in ("bytes=abc", "lines=1-2"):
            with self.subTest(range=rng):
                r = self.get_range(rng)
                self.assertEqual(200, r.status, r)
                self.assertEqual(self.body, r.body)

    def test_ranges_across_frames(self):
        n = len(self.big)
        for first, last in ((65530, 65545), (0, 65535), (65536, 131071), (65535, 65536),
                            (131000, n - 1), (n - 200, n - 1), (1, n - 2)):
            with self.subTest(first=first, last=last):
                r = self.get_range("bytes=%d-%d" % (first, last), key="big")
                self.assertEqual(206, r.status)
                self.assertTrue(self.big[first:last + 1] == r.body)
                self.assertEqual("bytes %d-%d/%d" % (first, last, n), r.header("content-range"))

    def test_head_with_range(self):
        r = self.get_range("bytes=0-9", method="HEAD")
        self.assertEqual(206, r.status)
        self.assertEqual("10", r.header("content-length"))
        self.assertEqual("bytes 0-9/%d" % len(self.body), r.header("content-range"))
        self.assertEqual(b"", r.body)

    def cond(self, method="GET", **headers):
        return self.raw(method, self.path, headers=headers)

    def test_if_match(self):
        r = self.cond(**{"If-Match": self.etag})
        self.assertEqual(200, r.status)
        self.assertEqual(self.body, r.body)
        r = self.cond(**{"If-Match": "*"})
        self.assertEqual(200, r.status)
        r = self.cond(**{"If-Match": '"0123456789abcdef0123456789abcdef"'})
        self.assertRawError(r, 412, "PreconditionFailed")
        r = self.cond("HEAD", **{"If-Match": '"0123456789abcdef0123456789abcdef"'})
        self.assertEqual(412, r.status)
        self.assertEqual(b"", r.body)
        self.assertS3Error(412, "PreconditionFailed", self.s3.get_object, Bucket=self.bucket,
                           Key="r", IfMatch='"nope"')

    def test_if_none_match(self):
        r = self.cond(**{"If-None-Match": self.etag})
        self.assertEqual(304, r.status)
        self.assertEqual(b"", r.body)
        self.assertEqual(self.etag, r.header("etag"))
        r = self.cond("HEAD", **{"If-None-Match": self.etag})
        self.assertEqual(304, r.status)
        r = self.cond(**{"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
        self.assertEqual(200, r.status)
        self.assertEqual(self.body, r.body)

    def test_if_modified_since(self):
        r = self.cond(**{"If-Modified-Since": http_date(self.lm)})
        self.assertEqual(304, r.status)
        r = self.cond(**{"If-Modified-Since": http_date(self.lm - datetime.timedelta(days=1))})
        self.assertEqual(200, r.status)
        self.assertEqual(self.body, r.body)
        r = self.cond("HEAD", **{"If-Modified-Since": http_date(self.lm)})
        self.assertEqual(304, r.status)

    def test_if_unmodified_since(self):
        r = self.cond(**{"If-Unmodified-Since": http_date(self.lm - datetime.timedelta(days=1))})
        self.assertRawError(r, 412, "PreconditionFailed")
        r = self.cond("HEAD", **{"If-Unmodified-Since": http_date(self.lm - datetime.timedelta(days=1))})
        self.assertEqual(412, r.status)
        self.assertEqual(b"", r.body)
        r = self.cond(**{"If-Unmodified-Since": http_date(self.lm)})
        self.assertEqual(200, r.status)
        r = self.cond(**{"If-Unmodified-Since": http_date(self.lm + datetime.timedelta(days=1))})
        self.assertEqual(200, r.status)

    def test_documented_combinations(self):
        past = http_date(self.lm - datetime.timedelta(days=1))
        # If-Match true and If-Unmodified-Since false: 200
        r = self.cond(**{"If-Match": self.etag, "If-Unmodified-Since": past})
        self.assertEqual(200, r.status)
        # If-None-Match false and If-Modified-Since true: 304
        r = self.cond(**{"If-None-Match": self.etag, "If-Modified-Since": past})
        self.assertEqual(304, r.status)

    def test_response_overrides(self):
        r = self.s3.get_object(Bucket=self.bucket, Key="r", ResponseContentType="application/x-test",
                               ResponseContentLanguage="fr", ResponseCacheControl="no-store",
                               ResponseContentDisposition='inline; filename="x.bin"',
                               ResponseContentEncoding="identity",
                               ResponseExpires=datetime.datetime(2030, 1, 2, 3, 4, 5,
                                                                 tzinfo=datetime.timezone.utc))
        h = r["ResponseMetadata"]["HTTPHeaders"]
        self.assertEqual("application/x-test", h.get("content-type"))
        self.assertEqual("fr", h.get("content-language"))
        self.assertEqual("no-store", h.get("cache-control"))
        self.assertEqual('inline; filename="x.bin"', h.get("content-disposition"))
        self.assertEqual("identity", h.get("content-encoding"))
        self.assertEqual("Wed, 02 Jan 2030 03:04:05 GMT", h.get("expires"))
        self.assertEqual(self.body, r["Body"].read())
        # the stored object is unchanged
        g = self.raw("GET", self.path)
        self.assertNotEqual("application/x-test", g.header("content-type"))
        self.assertIsNone(g.header("content-language"))


# ==========================================================================
# DeleteObjects
# ==========================================================================

class DeleteObjectsTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("delobjs"))

    def test_verbose(self):
        keys = ["v/%d" % i for i in range(5)]
        for k in keys:
            self.put(self.bucket, k, b"x")
        r = self.s3.delete_objects(Bucket=self.bucket, Delete={
            "Objects": [{"Key": k} for k in keys + ["v/missing"]]})
        self.assertEqual(sorted(keys + ["v/missing"]), sorted(d["Key"] for d in r["Deleted"]))
        self.assertFalse(r.get("Errors"))
        self.assertEqual([], self.list_all_v2(self.bucket, Prefix="v/")[0])

    def test_quiet(self):
        keys = ["q/%d" % i for i in range(5)]
        for k in keys:
            self.put(self.bucket, k, b"x")
        r = self.s3.delete_objects(Bucket=self.bucket, Delete={
            "Objects": [{"Key": k} for k in keys], "Quiet": True})
        self.assertFalse(r.get("Deleted"))
        self.assertFalse(r.get("Errors"))
        self.assertEqual([], self.list_all_v2(self.bucket, Prefix="q/")[0])

    def test_special_keys(self):
        keys = ["s/a b", "s/ü", "s/line\nbreak", "s/<&>", "s/+%"]
        for k in keys:
            self.put(self.bucket, k, b"x")
        r = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in keys]})
        self.assertEqual(sorted(keys), sorted(d["Key"] for d in r["Deleted"]))
        self.assertEqual([], self.list_all_v2(self.bucket, Prefix="s/")[0])

    def test_thousand_keys_and_listing_cap(self):
        keys = ["m/%04d" % i for i in range(1001)]

        def put(k):
            return self.s3.put_object(Bucket=self.bucket, Key=k, Body=k.encode())
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            list(ex.map(put, keys))
        # a listing returns at most 1000 keys, whatever max-keys says
        r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="m/", MaxKeys=5000)
        self.assertEqual(1000, len(r["Contents"]))
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(1000, r["KeyCount"])
        r = self.s3.list_objects(Bucket=self.bucket, Prefix="m/")
        self.assertEqual(1000, len(r["Contents"]))
        self.assertTrue(r["IsTruncated"])
        # over 1000 keys in one request: MalformedXML
        self.assertS3Error(400, "MalformedXML", self.s3_nv.delete_objects, Bucket=self.bucket,
                           Delete={"Objects": [{"Key": k} for k in keys], "Quiet": True})
        self.assertEqual(1001, len(self.list_all_v2(self.bucket, Prefix="m/")[0]))
        r = self.s3.delete_objects(Bucket=self.bucket, Delete={
            "Objects": [{"Key": k} for k in keys[:1000]]})
        self.assertEqual(1000, len(r["Deleted"]))
        self.assertEqual(["m/1000"], self.list_all_v2(self.bucket, Prefix="m/")[0])
        self.s3.delete_object(Bucket=self.bucket, Key="m/1000")

    def test_malformed_xml(self):
        for body in (b"<Delete><Object><Key>a</Key></Object>", b"not xml at all",
                     b"<Delete></Delete>", b"<Delete><Object></Object></Delete>"):
            with self.subTest(body=body):
                r = self.raw("POST", "/" + self.bucket, query="delete", body=body,
                             headers={"Content-MD5": md5_b64(body)})
                self.assertRawError(r, 400, "MalformedXML")

    def test_missing_bucket(self):
        self.assertS3Error(404, "NoSuchBucket", self.s3.delete_objects, Bucket=uniq("gone"),
                           Delete={"Objects": [{"Key": "a"}]})


# ==========================================================================
# CopyObject
# ==========================================================================

class CopyObjectTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("copy"))
        cls.other = cls.make_bucket(uniq("copydst"))
        cls.body = body_of(200000)
        cls.s3.put_object(Bucket=cls.bucket, Key="src", Body=cls.body, ContentType="text/x-src",
                          Metadata={"origin": "source"}, CacheControl="max-age=1")

    def test_copy_default_directive_copies_metadata(self):
        r = self.s3.copy_object(Bucket=self.bucket, Key="dst-copy",
                                CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertEqual(quoted_md5(self.body), r["CopyObjectResult"]["ETag"])
        self.assertRecent(r["CopyObjectResult"]["LastModified"])
        g = self.s3.get_object(Bucket=self.bucket, Key="dst-copy")
        self.assertEqual(self.body, g["Body"].read())
        self.assertEqual({"origin": "source"}, g["Metadata"])
        self.assertEqual("text/x-src", g["ContentType"])
        self.assertEqual("max-age=1", g.get("CacheControl"))

    def test_copy_replace_directive(self):
        self.s3.copy_object(Bucket=self.bucket, Key="dst-replace",
                            CopySource={"Bucket": self.bucket, "Key": "src"},
                            MetadataDirective="REPLACE", Metadata={"new": "yes"},
                            ContentType="application/x-new")
        g = self.s3.get_object(Bucket=self.bucket, Key="dst-replace")
        self.assertEqual(self.body, g["Body"].read())
        self.assertEqual({"new": "yes"}, g["Metadata"])
        self.assertEqual("application/x-new", g["ContentType"])
        # the source is untouched
        h = self.s3.head_object(Bucket=self.bucket, Key="src")
        self.assertEqual({"origin": "source"}, h["Metadata"])

    def test_copy_to_other_bucket_and_special_key(self):
        key = "dir/ü nicode+plus%?#"
        self.put(self.bucket, key, b"special source")
        self.s3.copy_object(Bucket=self.other, Key=key, CopySource={"Bucket": self.bucket, "Key": key})
        self.assertEqual(b"special source", self.get_bytes(self.other, key))
        # raw x-amz-copy-source, URL-encoded, with a leading slash
        r = self.raw("PUT", self.obj_path(self.other, "raw-copy"),
                     headers={"x-amz-copy-source": "/%s/%s" % (self.bucket, encode_key(key))})
        self.assertEqual(200, r.status, r)
        self.assertIn(b"CopyObjectResult", r.body)
        self.assertEqual(b"special source", self.get_bytes(self.other, "raw-copy"))

    def test_copy_to_itself(self):
        self.put(self.bucket, "self", b"self body", Metadata={"v": "1"})
        self.assertS3Error(400, "InvalidRequest", self.s3.copy_object, Bucket=self.bucket, Key="self",
                           CopySource={"Bucket": self.bucket, "Key": "self"})
        self.s3.copy_object(Bucket=self.bucket, Key="self", CopySource={"Bucket": self.bucket, "Key": "self"},
                            MetadataDirective="REPLACE", Metadata={"v": "2"})
        g = self.s3.get_object(Bucket=self.bucket, Key="self")
        self.assertEqual(b"self body", g["Body"].read())
        self.assertEqual({"v": "2"}, g["Metadata"])

    def test_copy_missing_source(self):
        self.assertS3Error(404, "NoSuchKey", self.s3.copy_object, Bucket=self.bucket, Key="x",
                           CopySource={"Bucket": self.bucket, "Key": "no-such-source"})
        self.assertS3Error(404, "NoSuchBucket", self.s3.copy_object, Bucket=self.bucket, Key="x",
                           CopySource={"Bucket": uniq("nosrc"), "Key": "k"})
        self.assertS3Error(404, "NoSuchBucket", self.s3.copy_object, Bucket=uniq("nodst"), Key="x",
                           CopySource={"Bucket": self.bucket, "Key": "src"})
        self.assertNoSuchKey(self.bucket, "x")

    def test_copy_conditions(self):
        etag = quoted_md5(self.body)
        self.s3.copy_object(Bucket=self.bucket, Key="c1", CopySource={"Bucket": self.bucket, "Key": "src"},
                            CopySourceIfMatch=etag)
        self.assertS3Error(412, "PreconditionFailed", self.s3.copy_object, Bucket=self.bucket, Key="c2",
                           CopySource={"Bucket": self.bucket, "Key": "src"}, CopySourceIfMatch='"nope"')
        self.assertS3Error(412, "PreconditionFailed", self.s3.copy_object, Bucket=self.bucket, Key="c2",
                           CopySource={"Bucket": self.bucket, "Key": "src"}, CopySourceIfNoneMatch=etag)
        self.assertNoSuchKey(self.bucket, "c2")

    def test_copy_large_and_empty(self):
        big = body_of(5 * MiB + 1)
        self.put(self.bucket, "bigsrc", big)
        self.s3.copy_object(Bucket=self.other, Key="bigdst", CopySource={"Bucket": self.bucket, "Key": "bigsrc"})
        self.assertTrue(big == self.get_bytes(self.other, "bigdst"))
        self.put(self.bucket, "emptysrc", b"")
        r = self.s3.copy_object(Bucket=self.other, Key="emptydst",
                                CopySource={"Bucket": self.bucket, "Key": "emptysrc"})
        self.assertEqual(quoted_md5(b""), r["CopyObjectResult"]["ETag"])
        self.assertEqual(b"", self.get_bytes(self.other, "emptydst"))

    def test_copy_overwrite_then_delete_source(self):
        self.put(self.bucket, "ephemeral-src", b"copy me")
        self.put(self.other, "target", b"old target")
        self.s3.copy_object(Bucket=self.other, Key="target",
                            CopySource={"Bucket": self.bucket, "Key": "ephemeral-src"})
        self.s3.delete_object(Bucket=self.bucket, Key="ephemeral-src")
        self.assertEqual(b"copy me", self.get_bytes(self.other, "target"))

    def test_copy_tagging_directive(self):
        self.put(self.bucket, "tagged-src", b"t", Tagging="a=1&b=2")
        self.s3.copy_object(Bucket=self.bucket, Key="tag-copy",
                            CopySource={"Bucket": self.bucket, "Key": "tagged-src"})
        tags = self.s3.get_object_tagging(Bucket=self.bucket, Key="tag-copy")["TagSet"]
        self.assertEqual({"a": "1", "b": "2"}, {t["Key"]: t["Value"] for t in tags})
        self.s3.copy_object(Bucket=self.bucket, Key="tag-replace",
                            CopySource={"Bucket": self.bucket, "Key": "tagged-src"},
                            TaggingDirective="REPLACE", Tagging="c=3")
        tags = self.s3.get_object_tagging(Bucket=self.bucket, Key="tag-replace")["TagSet"]
        self.assertEqual({"c": "3"}, {t["Key"]: t["Value"] for t in tags})


# ==========================================================================
# Listing
# ==========================================================================

class ListTests(S3TestCase):
    KEYS = ["a", "a/1", "a/2", "a/b/1", "a/b/2", "a/c", "b", "b/x/y", "c d/e", "c+d/f", "d%e",
            "e\nline/z", "ü/1", "ü/2", "z"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("list"))
        for k in cls.KEYS:
            cls.s3.put_object(Bucket=cls.bucket, Key=k, Body=k.encode() * 3)
        cls.sorted_keys = sorted(cls.KEYS, key=lambda s: s.encode("utf-8"))

    def test_v2_all(self):
        r = self.s3.list_objects_v2(Bucket=self.bucket)
        self.assertEqual(self.sorted_keys, [c["Key"] for c in r["Contents"]])
        self.assertEqual(len(self.KEYS), r["KeyCount"])
        self.assertFalse(r["IsTruncated"])
        self.assertEqual(self.bucket, r["Name"])
        self.assertEqual(1000, r["MaxKeys"])
        for c in r["Contents"]:
            self.assertEqual(len(c["Key"].encode()) * 3, c["Size"])
            self.assertEqual(quoted_md5(c["Key"].encode() * 3), c["ETag"])
            self.assertEqual("STANDARD", c["StorageClass"])
            self.assertRecent(c["LastModified"])
            self.assertNotIn("Owner", c)  # v2 has no owner unless asked

    def test_v2_fetch_owner(self):
        r = self.s3.list_objects_v2(Bucket=self.bucket, FetchOwner=True, MaxKeys=3)
        for c in r["Contents"]:
            self.assertTrue(c["Owner"]["ID"])

    def test_v2_paging_every_page_size(self):
        for n in (1, 2, 3, 7, len(self.KEYS) - 1, len(self.KEYS)):
            with self.subTest(max_keys=n):
                keys, _ = self.list_all_v2(self.bucket, MaxKeys=n)
                self.assertEqual(self.sorted_keys, keys)

    def test_v2_page_shape(self):
        r = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=4)
        self.assertTrue(r["IsTruncated"])
        self.assertEqual(4, r["KeyCount"])
        self.assertEqual(4, r["MaxKeys"])
        r2 = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=4,
                                     ContinuationToken=r["NextContinuationToken"])
        self.assertEqual(r["NextContinuationToken"], r2["ContinuationToken"])
        self.assertEqual(self.sorted_keys[4:8], [c["Key"] for c in r2["Contents"]])

    def test_v2_start_after(self):
        r = self.s3.list_objects_v2(Bucket=self.bucket, StartAfter="a/c")
        self.assertEqual([k for k in self.sorted_keys if k.encode() > b"a/c"], [c["Key"] for c in r["Contents"]])
        self.assertEqual("a/c", r["StartAfter"])
        r = self.s3.list_objects_v2(Bucket=self.bucket, StartAfter="ü/2")
        self.assertEqual(0, r["KeyCount"])
        self.assertNotIn("Contents", r)
        keys, _ = self.list_all_v2(self.bucket, StartAfter="a/2", MaxKeys=2)
        self.assertEqual([k for k in self.sorted_keys if k.encode() > b"a/2"], keys)

    def test_v2_prefix_delimiter(self):
        r = self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="/")
        self.assertEqual(["a", "b", "d%e", "z"], [c["Key"] for c in r["Contents"]])
        self.assertEqual(sorted(["a/", "b/", "c d/", "c+d/", "e\nline/", "ü/"], key=lambda s: s.encode()),
                         [p["Prefix"] for p in r["CommonPrefixes"]])
        self.assertEqual(10, r["KeyCount"])
        r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="a/", Delimiter="/")
        self.assertEqual(["a/1", "a/2", "a/c"], [c["Key"] for c in r["Contents"]])
        self.assertEqual(["a/b/"], [p["Prefix"] for p in r["CommonPrefixes"]])
        self.assertEqual("a/", r["Prefix"])
        self.assertEqual("/", r["Delimiter"])
        r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="nothing/")
        self.assertEqual(0, r["KeyCount"])
        self.assertNotIn("Contents", r)
        # a delimiter other than "/"
        r = self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="b")
        self.assertIn("a/b", [p["Prefix"] for p in r["CommonPrefixes"]])
        self.assertIn("b", [p["Prefix"] for p in r["CommonPrefixes"]])

    def test_v2_delimiter_paging_counts_prefixes_once(self):
        for n in (1, 2, 3):
            with self.subTest(max_keys=n):
                keys, prefixes = self.list_all_v2(self.bucket, Delimiter="/", MaxKeys=n)
                self.assertEqual(["a", "b", "d%e", "z"], keys)
                self.assertEqual(sorted(["a/", "b/", "c d/", "c+d/", "e\nline/", "ü/"], key=lambda s: s.encode()),
                                 prefixes)

    def test_v1(self):
        r = self.s3.list_objects(Bucket=self.bucket)
        self.assertEqual(self.sorted_keys, [c["Key"] for c in r["Contents"]])
        self.assertFalse(r["IsTruncated"])
        for c in r["Contents"]:
            self.assertTrue(c["Owner"]["ID"])  # v1 lists owners
        # paging by Marker without a delimiter: no NextMarker, use the last key
        keys, marker = [], None
        for _ in range(100):
            kw = {"MaxKeys": 4}
            if marker:
                kw["Marker"] = marker
            r = self.s3.list_objects(Bucket=self.bucket, **kw)
            page = [c["Key"] for c in r["Contents"]]
            keys += page
            if not r["IsTruncated"]:
                break
            marker = r.get("NextMarker") or page[-1]
        self.assertEqual(self.sorted_keys, keys)
        # with a delimiter, NextMarker is given
        seen_keys, seen_prefixes, marker = [], [], None
        for _ in range(100):
            kw = {"MaxKeys": 2, "Delimiter": "/"}
            if marker:
                kw["Marker"] = marker
            r = self.s3.list_objects(Bucket=self.bucket, **kw)
            seen_keys += [c["Key"] for c in r.get("Contents", [])]
            seen_prefixes += [p["Prefix"] for p in r.get("CommonPrefixes", [])]
            if not r["IsTruncated"]:
                break
            self.assertTrue(r.get("NextMarker"), "truncated v1 listing with a delimiter has NextMarker")
            marker = r["NextMarker"]
        self.assertEqual(["a", "b", "d%e", "z"], seen_keys)
        self.assertEqual(sorted(["a/", "b/", "c d/", "c+d/", "e\nline/", "ü/"], key=lambda s: s.encode()),
                         seen_prefixes)

    def test_encoding_type_url(self):
        for version in (1, 2):
            with self.subTest(version=version):
                query = "encoding-type=url&prefix=" + urllib.parse.quote("e\n")
                if version == 2:
                    query = "list-type=2&" + query
                r = self.raw("GET", "/" + self.bucket, query=query)
                self.assertEqual(200, r.status, r)
                root = r.xml()
                self.assertEqual("url", root.findtext("EncodingType"))
                keys = [c.findtext("Key") for c in root.findall("Contents")]
                self.assertEqual(1, len(keys))
                self.assertNotIn("\n", keys[0])
                self.assertEqual("e\nline/z", urllib.parse.unquote_plus(keys[0]))
                self.assertEqual("e\n", urllib.parse.unquote_plus(root.findtext("Prefix")))
        # everything decodes back to the keys
        r = self.raw("GET", "/" + self.bucket, query="list-type=2&encoding-type=url")
        keys = [urllib.parse.unquote_plus(c.findtext("Key")) for c in r.xml().findall("Contents")]
        self.assertEqual(self.sorted_keys, keys)
        r = self.raw("GET", "/" + self.bucket, query="list-type=2&encoding-type=url&delimiter=%2F")
        prefixes = [urllib.parse.unquote_plus(p.findtext("Prefix")) for p in r.xml().findall("CommonPrefixes")]
        self.assertIn("c+d/", prefixes)
        self.assertIn("c d/", prefixes)
        # without encoding-type the XML carries the raw key
        r = self.raw("GET", "/" + self.bucket, query="list-type=2&prefix=c%2Bd")
        self.assertEqual(["c+d/f"], [c.findtext("Key") for c in r.xml().findall("Contents")])
        r = self.raw("GET", "/" + self.bucket, query="list-type=2&encoding-type=bogus")
        self.assertRawError(r, 400, "InvalidArgument")

    def test_invalid_arguments(self):
        r = self.raw("GET", "/" + self.bucket, query="list-type=2&continuation-token=garbage%21%21")
        self.assertRawError(r, 400, "InvalidArgument")
        r = self.raw("GET", "/" + self.bucket, query="list-type=2&max-keys=-1")
        self.assertRawError(r, 400, "InvalidArgument")
        r = self.raw("GET", "/" + self.bucket, query="list-type=2&max-keys=abc")
        self.assertRawError(r, 400, "InvalidArgument")

    def test_max_keys_zero(self):
        r = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=0)
        self.assertEqual(0, r["KeyCount"])
        self.assertNotIn("Contents", r)

    def test_empty_bucket(self):
        b = self.make_bucket()
        r = self.s3.list_objects_v2(Bucket=b)
        self.assertEqual(0, r["KeyCount"])
        self.assertFalse(r["IsTruncated"])
        self.assertNotIn("Contents", r)
        r = self.s3.list_objects(Bucket=b)
        self.assertNotIn("Contents", r)

    def test_listing_sees_changes(self):
        b = self.make_bucket()
        self.put(b, "one", b"1")
        self.put(b, "two", b"22")
        self.put(b, "one", b"111")
        r = self.s3.list_objects_v2(Bucket=b)
        self.assertEqual([("one", 3), ("two", 2)], [(c["Key"], c["Size"]) for c in r["Contents"]])
        self.s3.delete_object(Bucket=b, Key="two")
        self.assertEqual(["one"], self.list_all_v2(b)[0])


# ==========================================================================
# Tagging and GetObjectAttributes
# ==========================================================================

class TaggingTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("tags"))

    def tags(self, key):
        return {t["Key"]: t["Value"] for t in self.s3.get_object_tagging(Bucket=self.bucket, Key=key)["TagSet"]}

    def test_tagging_on_put(self):
        self.put(self.bucket, "tp", b"x", Tagging="k1=v1&k2=v%202&k3=")
        self.assertEqual({"k1": "v1", "k2": "v 2", "k3": ""}, self.tags("tp"))
        g = self.s3.get_object(Bucket=self.bucket, Key="tp")
        self.assertEqual(3, g.get("TagCount"))
        h = self.raw("HEAD", self.obj_path(self.bucket, "tp"))
        self.assertEqual("3", h.header("x-amz-tagging-count"))

    def test_put_get_delete_tagging(self):
        self.put(self.bucket, "tt", b"x")
        self.assertEqual({}, self.tags("tt"))
        self.assertIsNone(self.s3.get_object(Bucket=self.bucket, Key="tt").get("TagCount"))
        r = self.s3.put_object_tagging(Bucket=self.bucket, Key="tt", Tagging={"TagSet": [
            {"Key": "env", "Value": "prod"}, {"Key": "ü", "Value": "ß + ?"}]})
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual({"env": "prod", "ü": "ß + ?"}, self.tags("tt"))
        self.s3.put_object_tagging(Bucket=self.bucket, Key="tt", Tagging={"TagSet": [
            {"Key": "only", "Value": "one"}]})
        self.assertEqual({"only": "one"}, self.tags("tt"))
        d = self.s3.delete_object_tagging(Bucket=self.bucket, Key="tt")
        self.assertEqual(204, d["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual({}, self.tags("tt"))
        self.assertEqual(b"x", self.get_bytes(self.bucket, "tt"))

    def test_tagging_errors(self):
        self.put(self.bucket, "te", b"x")
        self.assertS3Error(404, "NoSuchKey", self.s3.get_object_tagging, Bucket=self.bucket, Key="te-missing")
        self.assertS3Error(404, "NoSuchKey", self.s3.put_object_tagging, Bucket=self.bucket, Key="te-missing",
                           Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
        self.assertS3Error(400, "InvalidTag", self.s3.put_object_tagging, Bucket=self.bucket, Key="te",
                           Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]})
        self.assertS3Error(400, "InvalidTag", self.s3.put_object_tagging, Bucket=self.bucket, Key="te",
                           Tagging={"TagSet": [{"Key": "k" * 129, "Value": "1"}]})
        self.assertS3Error(400, "InvalidTag", self.s3.put_object_tagging, Bucket=self.bucket, Key="te",
                           Tagging={"TagSet": [{"Key": "k", "Value": "v" * 257}]})
        self.assertS3Error(400, ("BadRequest", "InvalidTag"), self.s3.put_object_tagging, Bucket=self.bucket,
                           Key="te", Tagging={"TagSet": [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]})
        self.assertEqual({}, self.tags("te"))


class ObjectAttributesTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("attrs"))

    def test_single_part(self):
        body = body_of(12345)
        kw = {} if NEW_CHECKSUMS else {"ChecksumAlgorithm": "CRC32"}
        self.put(self.bucket, "single", body, **kw)
        r = self.s3.get_object_attributes(Bucket=self.bucket, Key="single",
                                          ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"])
        self.assertEqual(md5_hex(body), r["ETag"].strip('"'))
        self.assertEqual(12345, r["ObjectSize"])
        self.assertEqual("STANDARD", r["StorageClass"])
        self.assertRecent(r["LastModified"])
        import zlib
        crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        self.assertEqual(crc, r["Checksum"]["ChecksumCRC32"])
        # only what was asked for
        r = self.s3.get_object_attributes(Bucket=self.bucket, Key="single", ObjectAttributes=["ObjectSize"])
        self.assertEqual(12345, r["ObjectSize"])
        self.assertNotIn("ETag", r)
        self.assertNotIn("StorageClass", r)

    def test_errors(self):
        self.assertS3Error(404, "NoSuchKey", self.s3.get_object_attributes, Bucket=self.bucket,
                           Key="none", ObjectAttributes=["ETag"])
        self.put(self.bucket, "a", b"x")
        r = self.raw("GET", self.obj_path(self.bucket, "a"), query="attributes",
                     headers={"x-amz-object-attributes": "Bogus"})
        self.assertRawError(r, 400, "InvalidArgument")


# ==========================================================================
# Virtual-hosted addressing
# ==========================================================================

class VirtualHostTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("vhost"))
        cls.dotted = cls.make_bucket("dot.%s.ted" % uuid.uuid4().hex[:10])

    def host(self, bucket, suffix="localhost"):
        return "%s.%s:%d" % (bucket, suffix, self.server.port)

    def test_boto3_virtual_client(self):
        vh = s3_client(self.server, style="virtual")
        name = uniq("vhc")
        vh.create_bucket(Bucket=name)
        vh.put_object(Bucket=name, Key="dir/a b+c", Body=b"virtual")
        self.assertEqual(b"virtual", vh.get_object(Bucket=name, Key="dir/a b+c")["Body"].read())
        self.assertEqual(b"virtual", self.get_bytes(name, "dir/a b+c"))
        self.assertEqual(["dir/a b+c"], [c["Key"] for c in vh.list_objects_v2(Bucket=name)["Contents"]])
        self.assertIn(name, [b["Name"] for b in vh.list_buckets()["Buckets"]])
        vh.head_bucket(Bucket=name)
        vh.delete_object(Bucket=name, Key="dir/a b+c")
        vh.delete_bucket(Bucket=name)
        self.assertS3Error(404, ("404", "NoSuchBucket"), self.s3.head_bucket, Bucket=name)

    def test_raw_hosts(self):
        for suffix in ("localhost", "s3.amazonaws.com", "s3.us-east-1.amazonaws.com",
                       "s3.localhost.localstack.cloud"):
            with self.subTest(suffix=suffix):
                key = "vh/%s" % suffix
                h = self.host(self.bucket, suffix)
                r = s3_request(self.server, "PUT", "/" + encode_key(key), body=suffix.encode(), host=h)
                self.assertEqual(200, r.status, r)
                self.assertEqual(suffix.encode(), self.get_bytes(self.bucket, key))
                r = s3_request(self.server, "GET", "/" + encode_key(key), host=h)
                self.assertEqual(200, r.status, r)
                self.assertEqual(suffix.encode(), r.body)
                r = s3_request(self.server, "GET", "/", query="list-type=2&prefix=vh%2F", host=h)
                self.assertEqual(200, r.status, r)
                self.assertEqual(self.bucket, r.xml().findtext("Name"))
                r = s3_request(self.server, "HEAD", "/", host=h)
                self.assertEqual(200, r.status, r)

    def test_host_without_port_and_dotted_bucket(self):
        r = s3_request(self.server, "PUT", "/k", body=b"noport", host="%s.localhost" % self.bucket)
        self.assertEqual(200, r.status, r)
        self.assertEqual(b"noport", self.get_bytes(self.bucket, "k"))
        r = s3_request(self.server, "PUT", "/k", body=b"dotted", host=self.host(self.dotted))
        self.assertEqual(200, r.status, r)
        self.assertEqual(b"dotted", self.get_bytes(self.dotted, "k"))

    def test_virtual_missing_bucket(self):
        name = uniq("vmissing")
        r = s3_request(self.server, "GET", "/key", host=self.host(name))
        self.assertRawError(r, 404, "NoSuchBucket")
        self.assertEqual(name, r.error().get("BucketName"))

    def test_path_style_on_plain_hosts(self):
        # neither an IP address nor a bare localhost names a bucket
        for host in ("127.0.0.1:%d" % self.server.port, "localhost:%d" % self.server.port,
                     "localhost"):
            with self.subTest(host=host):
                r = s3_request(self.server, "GET", "/%s/vh/localhost" % self.bucket, host=host)
                if r.status == 404:
                    self.put(self.bucket, "vh/localhost", b"localhost")
                    r = s3_request(self.server, "GET", "/%s/vh/localhost" % self.bucket, host=host)
                self.assertEqual(200, r.status, r)
                self.assertEqual(b"localhost", r.body)
