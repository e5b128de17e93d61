"""POST Object: browser-form uploads with a policy document (issue 14, item
4). boto3's generate_presigned_post makes the form (SigV4 and SigV2 policy
signatures); a plain multipart/form-data POST through http.client sends it.

AWS's behaviour, pinned by the S3 API Reference's "Browser-Based Uploads
Using POST (AWS Signature Version 4)", "Creating a POST Policy" (conditions
eq / starts-with / content-length-range, the expiration, every form field
but policy, x-amz-signature, file and x-ignore-* named by a condition) and
"POST Object" (success_action_status 200/201/204, default 204;
success_action_redirect: 303 to the URL with bucket, key and etag)."""

import base64
import hashlib
import http.client
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import boto3
import botocore.config

from enforce_util import Principals, allow, client as enforce_client, doc
from test_s3 import S3TestCase, uniq


def form_post(url, fields, data=b"hello post", filename="hello.txt", content_type=None,
              extra_after=None):
    """POSTs fields and the file as multipart/form-data: (status, headers, body)."""
    bd = "----awsemu" + uuid.uuid4().hex
    body = b""
    for k, v in fields.items():
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n' % (bd, k)).encode()
        body += (v if isinstance(v, bytes) else str(v).encode()) + b"\r\n"
    body += ('--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
             'Content-Type: application/octet-stream\r\n\r\n' % (bd, filename)).encode()
    body += data + b"\r\n"
    for k, v in (extra_after or {}).items():
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (bd, k, v)).encode()
    body += ("--%s--\r\n" % bd).encode()
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request("POST", u.path, body, {
            "Content-Type": content_type or "multipart/form-data; boundary=" + bd})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def error_of(body):
    root = ET.fromstring(body)
    return root.findtext("Code"), root.findtext("Message")


class PostObjectTests(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("post"))
        cfg = botocore.config.Config(signature_version="s3v4")
        cls.v4 = boto3.session.Session().client(
            "s3", endpoint_url=cls.server.url, region_name=cls.server.region,
            aws_access_key_id="test", aws_secret_access_key="test", config=cfg)
        cls.v2 = boto3.session.Session().client(
            "s3", endpoint_url=cls.server.url, region_name=cls.server.region,
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(signature_version="s3"))

    def presign(self, key, fields=None, conditions=None, client=None, expires=3600):
        return (client or self.v4).generate_presigned_post(
            self.bucket, key, Fields=fields, Conditions=conditions, ExpiresIn=expires)

    def test_sigv4_upload_default_204(self):
        p = self.presign("v4/${filename}")
        self.assertIn("x-amz-signature", p["fields"])
        st, h, _ = form_post(p["url"], p["fields"], b"four")
        self.assertEqual(204, st)
        self.assertEqual('"%s"' % hashlib.md5(b"four").hexdigest(), h["etag"])
        self.assertTrue(h["location"].endswith("/%s/v4/hello.txt" % self.bucket))
        got = self.s3.get_object(Bucket=self.bucket, Key="v4/hello.txt")
        self.assertEqual(b"four", got["Body"].read())

    def test_sigv2_upload(self):
        p = self.presign("v2/k", client=self.v2)
        self.assertIn("signature", p["fields"])
        st, _, _ = form_post(p["url"], p["fields"], b"two")
        self.assertEqual(204, st)
        self.assertEqual(b"two", self.s3.get_object(Bucket=self.bucket, Key="v2/k")["Body"].read())

    def test_success_action_status_and_redirect(self):
        p = self.presign("st/201", {"success_action_status": "201"},
                         [{"success_action_status": "201"}])
        st, _, body = form_post(p["url"], p["fields"])
        self.assertEqual(201, st)
        root = ET.fromstring(body)
        self.assertEqual("PostResponse", root.tag)
        self.assertEqual(self.bucket, root.findtext("Bucket"))
        self.assertEqual("st/201", root.findtext("Key"))
        self.assertEqual('"%s"' % hashlib.md5(b"hello post").hexdigest(), root.findtext("ETag"))
        p = self.presign("st/200", {"success_action_status": "200"},
                         [{"success_action_status": "200"}])
        self.assertEqual(200, form_post(p["url"], p["fields"])[0])
        p = self.presign("st/redir", {"success_action_redirect": "http://example.com/done?x=1"},
                         [{"success_action_redirect": "http://example.com/done?x=1"}])
        st, h, _ = form_post(p["url"], p["fields"])
        self.assertEqual(303, st)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(h["location"]).query)
        self.assertTrue(h["location"].startswith("http://example.com/done?x=1&"))
        self.assertEqual([self.bucket], q["bucket"])
        self.assertEqual(["st/redir"], q["key"])
        self.assertEqual(['"%s"' % hashlib.md5(b"hello post").hexdigest()], q["etag"])

    def test_conditions(self):
        p = self.presign("c/${filename}", {"x-amz-meta-color": "blue", "Content-Type": "text/plain"},
                         [{"x-amz-meta-color": "blue"}, ["starts-with", "$Content-Type", "text/"],
                          ["content-length-range", 2, 20]])
        st, _, _ = form_post(p["url"], p["fields"], b"ok!")
        self.assertEqual(204, st)
        h = self.s3.head_object(Bucket=self.bucket, Key="c/hello.txt")
        self.assertEqual({"color": "blue"}, h["Metadata"])
        self.assertEqual("text/plain", h["ContentType"])
        st, _, body = form_post(p["url"], p["fields"], b"x" * 21)
        self.assertEqual((400, "EntityTooLarge"), (st, error_of(body)[0]))
        st, _, body = form_post(p["url"], p["fields"], b"x")
        self.assertEqual((400, "EntityTooSmall"), (st, error_of(body)[0]))
        bad = dict(p["fields"], **{"x-amz-meta-color": "red"})
        st, _, body = form_post(p["url"], bad)
        self.assertEqual(403, st)
        self.assertEqual(("AccessDenied", 'Invalid according to Policy: Policy Condition failed: '
                          '["eq", "$x-amz-meta-color", "blue"]'), error_of(body))
        bad = dict(p["fields"], **{"Content-Type": "image/png"})
        self.assertEqual(403, form_post(p["url"], bad)[0])
        extra = dict(p["fields"], **{"x-amz-meta-other": "1"})
        st, _, body = form_post(p["url"], extra)
        self.assertEqual(("AccessDenied", "Invalid according to Policy: Extra input fields: "
                          "x-amz-meta-other"), error_of(body))
        # x-ignore-* fields and fields after the file need no condition
        extra = dict(p["fields"], **{"x-ignore-me": "1"})
        self.assertEqual(204, form_post(p["url"], extra, extra_after={"late": "1"})[0])

    def test_key_prefix_condition(self):
        p = self.presign("users/alice/${filename}")
        bad = dict(p["fields"], key="users/bob/x")
        st, _, body = form_post(p["url"], bad)
        self.assertEqual(403, st)
        self.assertIn("Policy Condition failed", error_of(body)[1])

    def test_expired_policy(self):
        p = self.presign("old", expires=-60)
        st, _, body = form_post(p["url"], p["fields"])
        self.assertEqual((403, ("AccessDenied", "Invalid according to Policy: Policy expired.")),
                         (st, error_of(body)))

    def test_sse_and_checksum_fields(self):
        data = b"checked"
        sha = base64.b64encode(hashlib.sha256(data).digest()).decode()
        f = {"x-amz-server-side-encryption": "AES256", "x-amz-checksum-sha256": sha}
        p = self.presign("sse", f, [{k: v} for k, v in f.items()])
        st, h, _ = form_post(p["url"], p["fields"], data)
        self.assertEqual(204, st)
        self.assertEqual("AES256", h["x-amz-server-side-encryption"])
        hd = self.s3.head_object(Bucket=self.bucket, Key="sse", ChecksumMode="ENABLED")
        self.assertEqual(sha, hd["ChecksumSHA256"])
        st, _, body = form_post(p["url"], p["fields"], b"other bytes")
        self.assertEqual((400, "BadDigest"), (st, error_of(body)[0]))

    def test_tagging_field(self):
        # The tagging field is a Tagging XML document (S3 API Reference,
        # "POST Object": "tagging ... Valid values: XML tag set"); its tags are
        # checked as PutObjectTagging's TagSet is (Ceph RGW reads it the same
        # way: RGWPostObj_ObjStore_S3::get_tags)
        def tagging(pairs):
            return "<Tagging><TagSet>%s</TagSet></Tagging>" % "".join(
                "<Tag><Key>%s</Key><Value>%s</Value></Tag>" % kv for kv in pairs)

        def post(key, xml):
            p = self.presign(key, {"tagging": xml}, [{"tagging": xml}])
            st, _, body = form_post(p["url"], p["fields"], b"tagged")
            return st, (error_of(body) if st >= 300 else None)

        self.assertEqual((204, None), post("tags/ok", tagging([("team", "blue"), ("n", "caf\u00e9")])))
        got = self.s3.get_object_tagging(Bucket=self.bucket, Key="tags/ok")["TagSet"]
        self.assertEqual({"team": "blue", "n": "caf\u00e9"}, {t["Key"]: t["Value"] for t in got})
        self.assertEqual("2", self.s3.head_object(Bucket=self.bucket, Key="tags/ok")
                         ["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"])
        self.assertEqual(b"tagged", self.s3.get_object(Bucket=self.bucket, Key="tags/ok")["Body"].read())
        # the field is a form field like any other: the policy must name it
        p = self.presign("tags/extra")
        st, _, body = form_post(p["url"], dict(p["fields"], tagging=tagging([("a", "1")])))
        self.assertEqual((403, ("AccessDenied", "Invalid according to Policy: Extra input "
                                "fields: tagging")), (st, error_of(body)))
        # AWS's errors, as PutObjectTagging answers them; nothing is stored
        st, err = post("tags/bad", "<Tagging><TagSet><Tag><Key>a</Key>")
        self.assertEqual((400, "MalformedXML"), (st, err[0]))
        self.assertTrue(err[1])
        st, err = post("tags/bad", "<NotTagging/>")
        self.assertEqual((400, "MalformedXML"), (st, err[0]))
        st, err = post("tags/bad", tagging([("k%d" % i, "v") for i in range(11)]))
        self.assertEqual((400, ("BadRequest", "Object tags cannot be greater than 10")), (st, err))
        st, err = post("tags/bad", tagging([("aws:x", "v")]))
        self.assertEqual((400, ("InvalidTag", "Your TagKey cannot be prefixed with aws:")), (st, err))
        st, err = post("tags/bad", tagging([("d", "1"), ("d", "2")]))
        self.assertEqual((400, "InvalidTag"), (st, err[0]))
        st, err = post("tags/bad", tagging([("k" * 129, "v")]))
        self.assertEqual((400, "InvalidTag"), (st, err[0]))
        st, err = post("tags/bad", tagging([("k", "v" * 257)]))
        self.assertEqual((400, "InvalidTag"), (st, err[0]))
        with self.assertRaises(self.s3.exceptions.ClientError) as cm:
            self.s3.head_object(Bucket=self.bucket, Key="tags/bad")
        self.assertEqual("404", cm.exception.response["Error"]["Code"])
        # an empty TagSet is allowed and leaves the object untagged
        self.assertEqual((204, None), post("tags/none", tagging([])))
        self.assertEqual([], self.s3.get_object_tagging(Bucket=self.bucket, Key="tags/none")["TagSet"])

    def test_malformed_requests(self):
        p = self.presign("m")
        st, _, body = form_post(p["url"], p["fields"], content_type="text/plain")
        self.assertEqual((412, "PreconditionFailed"), (st, error_of(body)[0]))
        nokey = {k: v for k, v in p["fields"].items() if k != "key"}
        st, _, body = form_post(p["url"], nokey)
        self.assertEqual((400, "InvalidArgument"), (st, error_of(body)[0]))
        self.assertIn("key", error_of(body)[1])
        st, _, body = form_post(p["url"], dict(p["fields"], policy="not base64!"))
        self.assertEqual((400, "InvalidPolicyDocument"), (st, error_of(body)[0]))
        st, _, body = form_post(p["url"], dict(p["fields"], key=b"bad\xff\xfekey"))
        self.assertEqual((400, "InvalidArgument"), (st, error_of(body)[0]))
        st, _, body = form_post(self.server.url + "/" + uniq("nob"), p["fields"])
        self.assertEqual((404, "NoSuchBucket"), (st, error_of(body)[0]))


class PostObjectEnforceTests(S3TestCase):
    """--iam enforce: the policy's signature is verified and the upload is
    authorized as s3:PutObject for its signer."""
    server_args = ("--iam", "enforce")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bucket = cls.make_bucket(uniq("poste"))
        cls.principals = Principals(cls.server)

    def test_signature_and_authorization(self):
        root = enforce_client(self.server, "s3")
        p = root.generate_presigned_post(self.bucket, "root/k")
        self.assertEqual(204, form_post(p["url"], p["fields"])[0])
        bad = dict(p["fields"], **{"x-amz-signature": "0" * 64})
        st, _, body = form_post(p["url"], bad)
        self.assertEqual((403, "SignatureDoesNotMatch"), (st, error_of(body)[0]))
        writer = self.principals.user(inline=[doc(allow("s3:PutObject",
                                                        "arn:aws:s3:::%s/w/*" % self.bucket))])
        wc = enforce_client(self.server, "s3", writer)
        p = wc.generate_presigned_post(self.bucket, "w/ok")
        self.assertEqual(204, form_post(p["url"], p["fields"])[0])
        p = wc.generate_presigned_post(self.bucket, "elsewhere")
        st, _, body = form_post(p["url"], p["fields"])
        self.assertEqual((403, "AccessDenied"), (st, error_of(body)[0]))
        forged = dict(p["fields"], **{"x-amz-credential": p["fields"]["x-amz-credential"].replace(
            writer.access_key, "AKIANOSUCHKEY0000000")})
        st, _, body = form_post(p["url"], forged)
        self.assertEqual((403, "InvalidAccessKeyId"), (st, error_of(body)[0]))
        # no policy: the anonymous caller, whom nothing allows here
        st, _, body = form_post(p["url"], {"key": "anon"})
        self.assertEqual((403, "AccessDenied"), (st, error_of(body)[0]))
