"""S3 with AWS Signature Version 2: boto3's default presigned URLs
(AWSAccessKeyId/Signature/Expires) and header-signed requests
(Config(signature_version="s3"): "Authorization: AWS AK:sig"), verified
with --iam enforce, expiry checked in every mode, authorization applied."""

import urllib.error
import urllib.request

import botocore.config

from harness import ServerTestCase, new_session
from enforce_util import (ENFORCE, ROOT, Principals, advance_clock, allow, client, deny, doc,
                          uniq, xml_code)


def default_s3(server, creds):
    """An S3 client with boto3's default configuration: presigns SigV2."""
    cfg = botocore.config.Config(retries={"max_attempts": 0})
    return new_session().client(
        "s3", endpoint_url=server.url, region_name=server.region,
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, config=cfg)


def sigv2_s3(server, creds):
    """An S3 client that signs every request with SigV2 headers."""
    cfg = botocore.config.Config(retries={"max_attempts": 0}, signature_version="s3")
    return new_session().client(
        "s3", endpoint_url=server.url, region_name=server.region,
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=creds.token, config=cfg)


def fetch(url, method="GET", data=None, headers=None):
    """urllib request: (status, body)."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


class SigV2Enforce(ServerTestCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)
        cls.bucket = uniq("sigv2")
        client(cls.server, "s3").create_bucket(Bucket=cls.bucket)

    def presign(self, creds, method, key, expires=300, **params):
        s3 = default_s3(self.server, creds)
        url = s3.generate_presigned_url(method, Params=dict(Bucket=self.bucket, Key=key, **params),
                                        ExpiresIn=expires)
        self.assertIn("AWSAccessKeyId=", url)  # SigV2 query auth, not X-Amz-*
        self.assertNotIn("X-Amz-Signature", url)
        return url

    def test_presigned_put_get_root(self):
        key = "dir/a key+é.txt"
        url = self.presign(ROOT, "put_object", key, ContentType="text/plain")
        status, body = fetch(url, "PUT", b"hello sigv2", {"Content-Type": "text/plain"})
        self.assertEqual(200, status, body)
        status, body = fetch(self.presign(ROOT, "get_object", key))
        self.assertEqual((200, b"hello sigv2"), (status, body))

    def test_presigned_iam_user(self):
        u = self.p.user(inline=[doc(allow(["s3:GetObject", "s3:PutObject"],
                                          "arn:aws:s3:::%s/*" % self.bucket))])
        status, body = fetch(self.presign(u, "put_object", "user.txt"), "PUT", b"by user",
                             {"Content-Type": ""})
        self.assertEqual(200, status, body)
        status, body = fetch(self.presign(u, "get_object", "user.txt",
                                          ResponseContentType="text/x-test"))
        self.assertEqual((200, b"by user"), (status, body))

    def test_tampered_signature(self):
        client(self.server, "s3").put_object(Bucket=self.bucket, Key="t.txt", Body=b"x")
        url = self.presign(ROOT, "get_object", "t.txt")
        head, sig = url.split("Signature=", 1)
        sig, rest = (sig.split("&", 1) + [""])[:2]
        bad = ("B" if sig[0] != "B" else "C") + sig[1:]
        status, body = fetch(head + "Signature=" + bad + ("&" + rest if rest else ""))
        self.assertEqual(403, status)
        self.assertEqual("SignatureDoesNotMatch", xml_code(body))
        # a URL for another key does not fit this one
        other = url.replace("/t.txt?", "/u.txt?")
        self.assertEqual(403, fetch(other)[0])

    def test_unknown_key(self):
        url = default_s3(self.server, type(ROOT)("AKIANOSUCHKEY0000000", "x")) \
            .generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "k"})
        status, body = fetch(url)
        self.assertEqual((403, "InvalidAccessKeyId"), (status, xml_code(body)))

    def test_missing_query_parameter(self):
        url = self.presign(ROOT, "get_object", "k")
        url = url.replace("Expires=", "Nope=")
        status, body = fetch(url)
        self.assertEqual((403, "AccessDenied"), (status, xml_code(body)))

    def test_header_sigv2_client(self):
        s3 = sigv2_s3(self.server, ROOT)
        s3.put_object(Bucket=self.bucket, Key="h/one.txt", Body=b"one",
                      Metadata={"a": "1"}, ContentType="text/plain")
        self.assertEqual(b"one", s3.get_object(Bucket=self.bucket, Key="h/one.txt")["Body"].read())
        keys = [o["Key"] for o in s3.list_objects(Bucket=self.bucket, Prefix="h/")["Contents"]]
        self.assertEqual(["h/one.txt"], keys)
        bad = sigv2_s3(self.server, type(ROOT)(ROOT.access_key, "wrong-secret"))
        with self.assertRaises(Exception) as cm:
            bad.get_object(Bucket=self.bucket, Key="h/one.txt")
        self.assertEqual("SignatureDoesNotMatch", cm.exception.response["Error"]["Code"])

    def test_policy_still_applies(self):
        u = self.p.user(inline=[doc(allow("s3:*"),
                                    deny("s3:GetObject", "arn:aws:s3:::%s/secret/*" % self.bucket))])
        client(self.server, "s3").put_object(Bucket=self.bucket, Key="secret/s", Body=b"s")
        status, body = fetch(self.presign(u, "get_object", "secret/s"))
        self.assertEqual((403, "AccessDenied"), (status, xml_code(body)))
        s3 = sigv2_s3(self.server, u)
        with self.assertRaises(Exception) as cm:
            s3.get_object(Bucket=self.bucket, Key="secret/s")
        self.assertEqual("AccessDenied", cm.exception.response["Error"]["Code"])
        nopol = self.p.user()
        status, body = fetch(self.presign(nopol, "get_object", "secret/s"))
        self.assertEqual((403, "AccessDenied"), (status, xml_code(body)))


class ExpiryMixin:
    """An expired SigV2 presigned URL: AccessDenied "Request has expired"."""

    def test_expired(self):
        bucket = uniq("sigv2x")
        root = client(self.server, "s3")
        root.create_bucket(Bucket=bucket)
        root.put_object(Bucket=bucket, Key="k", Body=b"v")
        s3 = default_s3(self.server, ROOT)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                        ExpiresIn=1)
        self.assertIn("AWSAccessKeyId=", url)
        advance_clock(self.server, 30)
        status, body = fetch(url)
        self.assertEqual((403, "AccessDenied"), (status, xml_code(body)))
        self.assertIn(b"Request has expired", body)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                        ExpiresIn=3600)
        self.assertEqual((200, b"v"), fetch(url))


class SigV2ExpiryEnforce(ExpiryMixin, ServerTestCase):
    server_args = ENFORCE
    needs_process = True
    own_server = True


class SigV2ExpiryOff(ExpiryMixin, ServerTestCase):
    needs_process = True
    own_server = True
