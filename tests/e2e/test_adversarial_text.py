"""Adversarial text: U+0000 and ill-formed UTF-8 wherever text enters.

What these guard (the security issue's items 3, 7 and 8):
- a NUL inside an encryption context key or value must neither satisfy a
  policy condition or grant constraint written for the text before it, nor
  give the same AAD as that text (so a ciphertext made under one context
  does not decrypt under the other);
- a NUL must never cut a name short ("victim\\0x" is not "victim") in S3
  keys, secret names, IAM user names or KMS aliases, and a secret value
  holding NULs comes back byte for byte;
- ill-formed UTF-8 is refused with each protocol's error where it enters,
  and is never stored: afterwards every SDK listing still parses.

Sources for the expected answers are named at each test: botocore's models
(patterns), AWS's Jackson-based JSON front end (SerializationException for
bodies it cannot decode), Secrets Manager's own name rule, ceph's s3-tests
(a key with a NUL fails) and Apache Ozone's fix notes (S3 answers InvalidURI
for a key it cannot read)."""

import json
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.exceptions import ClientError

from harness import ACCESS_KEY, SECRET_KEY, ServerTestCase, model_has
from enforce_util import ENFORCE, Principals, allow, check_denied, client, doc, uniq
from test_s3 import s3_client, s3_request


def error_code(parsed):
    return str((parsed or {}).get("__type", "")).rsplit("#", 1)[-1]


def query_request(server, body, service="iam"):
    """A signed IAM/STS Query POST of the raw form body (bytes, sent as
    is). Returns (status, headers, body)."""
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=server.url + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
    botocore.auth.SigV4Auth(creds, service, server.region).add_auth(req)
    return server.http("POST", "/", body=body, headers=dict(req.headers.items()))


def xml_code(body):
    import xml.etree.ElementTree as ET
    root = ET.fromstring(body)
    for el in root.iter():
        if el.tag.endswith("Code"):
            return el.text
    return None


# --------------------------------------------------------------------------
# Encryption contexts with U+0000 (item 3), --iam off: the AAD
# --------------------------------------------------------------------------

class ContextAadTests(ServerTestCase):
    """The canonical encryption context that is the ciphertext's AAD takes
    every key and value by its length."""

    def seal(self, kid, ctx):
        return self.kms.encrypt(KeyId=kid, Plaintext=b"payload", EncryptionContext=ctx)[
            "CiphertextBlob"]

    def test_nul_in_value_is_part_of_the_context(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        ct = self.seal(kid, {"owner": "alice\x00bob"})
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=ct, EncryptionContext={"owner": "alice"})
        self.assertEqual(b"payload", self.kms.decrypt(
            CiphertextBlob=ct, EncryptionContext={"owner": "alice\x00bob"})["Plaintext"])
        # and the other way round
        ct = self.seal(kid, {"owner": "alice"})
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=ct, EncryptionContext={"owner": "alice\x00bob"})

    def test_nul_in_key_is_part_of_the_context(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        ct = self.seal(kid, {"owner\x00x": "alice"})
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=ct, EncryptionContext={"owner": "alice"})
        self.assertEqual(b"payload", self.kms.decrypt(
            CiphertextBlob=ct, EncryptionContext={"owner\x00x": "alice"})["Plaintext"])

    def test_reencrypt_keeps_the_nul(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        ct = self.seal(kid, {"owner": "a"})
        out = self.kms.re_encrypt(CiphertextBlob=ct, SourceEncryptionContext={"owner": "a"},
                                  DestinationKeyId=kid,
                                  DestinationEncryptionContext={"owner": "a\x00"})
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=out["CiphertextBlob"],
                               EncryptionContext={"owner": "a"})
        self.assertEqual(b"payload", self.kms.decrypt(
            CiphertextBlob=out["CiphertextBlob"],
            EncryptionContext={"owner": "a\x00"})["Plaintext"])


# --------------------------------------------------------------------------
# Encryption contexts with U+0000 (item 3), --iam enforce: conditions, grants
# --------------------------------------------------------------------------

class ContextConditionTests(ServerTestCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)

    def kms_of(self, creds):
        return client(self.server, "kms", creds)

    def sealed(self, kid, ctx):
        return self.kms.encrypt(KeyId=kid, Plaintext=b"s3cret", EncryptionContext=ctx)[
            "CiphertextBlob"]

    def test_string_equals_condition_is_not_met_by_a_longer_value(self):
        # the default key policy delegates to IAM; the user may decrypt only
        # under owner=alice
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Decrypt", Condition={
            "StringEquals": {"kms:EncryptionContext:owner": "alice"}}))])
        kms = self.kms_of(u)
        ok = {"owner": "alice"}
        self.assertEqual(b"s3cret", kms.decrypt(CiphertextBlob=self.sealed(kid, ok),
                                                EncryptionContext=ok)["Plaintext"])
        for ctx in ({"owner": "alice\x00bob"}, {"owner\x00x": "alice"},
                    {"owner": "alice\x00"}):
            check_denied(self, "kms", kms.decrypt, CiphertextBlob=self.sealed(kid, ctx),
                         EncryptionContext=ctx)

    def test_empty_string_condition_matches_only_the_empty_string(self):
        # found while testing lengths: an empty pattern compiled to "match
        # anything", so StringEquals "" let every value through
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Decrypt", Condition={
            "StringEquals": {"kms:EncryptionContext:owner": ""}}))])
        kms = self.kms_of(u)
        empty = {"owner": ""}
        self.assertEqual(b"s3cret", kms.decrypt(CiphertextBlob=self.sealed(kid, empty),
                                                EncryptionContext=empty)["Plaintext"])
        for ctx in ({"owner": "x"}, {"owner": "\x00"}):
            check_denied(self, "kms", kms.decrypt, CiphertextBlob=self.sealed(kid, ctx),
                         EncryptionContext=ctx)

    def test_context_keys_compare_by_length(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Decrypt", Condition={
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["owner"]},
            "Null": {"kms:EncryptionContextKeys": "false"}}))])
        kms = self.kms_of(u)
        ok = {"owner": "anyone"}
        self.assertEqual(b"s3cret", kms.decrypt(CiphertextBlob=self.sealed(kid, ok),
                                                EncryptionContext=ok)["Plaintext"])
        bad = {"owner\x00x": "anyone"}
        check_denied(self, "kms", kms.decrypt, CiphertextBlob=self.sealed(kid, bad),
                     EncryptionContext=bad)

    def test_deny_on_a_value_is_not_dodged_by_a_nul(self):
        # an explicit deny for owner=mallory must still see "mallory\0..." as
        # something else (it is), and an allow for StringNotEquals mallory
        # must not be fooled into thinking "mallory\0x" is mallory either way
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Decrypt", Condition={
            "StringNotEquals": {"kms:EncryptionContext:owner": "mallory"}}))])
        kms = self.kms_of(u)
        ctx = {"owner": "mallory\x00x"}
        # not mallory: allowed, and the plaintext is the one sealed under it
        self.assertEqual(b"s3cret", kms.decrypt(CiphertextBlob=self.sealed(kid, ctx),
                                                EncryptionContext=ctx)["Plaintext"])
        check_denied(self, "kms", kms.decrypt,
                     CiphertextBlob=self.sealed(kid, {"owner": "mallory"}),
                     EncryptionContext={"owner": "mallory"})

    def test_grant_constraints_compare_by_length(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        for kind in ("EncryptionContextEquals", "EncryptionContextSubset"):
            u = self.p.user()
            self.kms.create_grant(KeyId=kid, GranteePrincipal=u.arn, Operations=["Decrypt"],
                                  Constraints={kind: {"owner": "alice"}})
            kms = self.kms_of(u)
            ok = {"owner": "alice"}
            self.assertEqual(b"s3cret", kms.decrypt(CiphertextBlob=self.sealed(kid, ok),
                                                    EncryptionContext=ok)["Plaintext"])
            for ctx in ({"owner": "alice\x00bob"}, {"owner\x00x": "alice"}):
                check_denied(self, "kms", kms.decrypt, CiphertextBlob=self.sealed(kid, ctx),
                             EncryptionContext=ctx)

    def test_grant_constraint_holding_a_nul(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        u = self.p.user()
        want = {"owner": "alice\x00bob"}
        gid = self.kms.create_grant(KeyId=kid, GranteePrincipal=u.arn, Operations=["Decrypt"],
                                    Constraints={"EncryptionContextEquals": want})["GrantId"]
        grants = self.kms.list_grants(KeyId=kid)["Grants"]
        g = [g for g in grants if g["GrantId"] == gid][0]
        self.assertEqual({"EncryptionContextEquals": want}, g["Constraints"])
        kms = self.kms_of(u)
        self.assertEqual(b"s3cret", kms.decrypt(CiphertextBlob=self.sealed(kid, want),
                                                EncryptionContext=want)["Plaintext"])
        alice = {"owner": "alice"}
        check_denied(self, "kms", kms.decrypt, CiphertextBlob=self.sealed(kid, alice),
                     EncryptionContext=alice)


# --------------------------------------------------------------------------
# U+0000 in names and values (item 7) and ill-formed UTF-8 (item 8)
# --------------------------------------------------------------------------

class SecretsTextTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.server.client("secretsmanager")

    def test_secret_string_with_nuls_round_trips(self):
        value = "user\x00pass\x00\x00end"
        name = uniq("nul-value")
        self.sm.create_secret(Name=name, SecretString=value)
        self.assertEqual(value, self.sm.get_secret_value(SecretId=name)["SecretString"])
        if model_has(self.sm, "BatchGetSecretValue"):
            got = self.sm.batch_get_secret_value(SecretIdList=[name])["SecretValues"]
            self.assertEqual(value, got[0]["SecretString"])
        self.sm.put_secret_value(SecretId=name, SecretString="\x00")
        self.assertEqual("\x00", self.sm.get_secret_value(SecretId=name)["SecretString"])

    def test_secret_name_with_nul_is_refused(self):
        # Secrets Manager's own name rule (its docs: "ASCII letters, numbers,
        # and the following characters: /_+=.@-"); as a C string the name
        # would be "victim" and collide with it
        victim = uniq("victim")
        self.sm.create_secret(Name=victim, SecretString="v1")
        resp = self.assertClientError("InvalidParameterException", self.sm.create_secret,
                                      Name=victim + "\x00x", SecretString="evil")
        self.assertIn("Invalid name", resp["Error"]["Message"])
        self.assertEqual("v1", self.sm.get_secret_value(SecretId=victim)["SecretString"])
        names = [s["Name"] for s in self.sm.list_secrets()["SecretList"]]
        self.assertEqual(1, names.count(victim))

    def test_invalid_utf8_description_refused_and_listing_parses(self):
        name = uniq("badtext")
        body = b'{"Name":"%s","SecretString":"x","Description":"\xff\xfe"}' % name.encode()
        status, _, parsed, raw = self.server.json_request("secretsmanager.CreateSecret", body,
                                                          service="secretsmanager")
        # AWS's JSON front end (Jackson) cannot decode it: SerializationException
        self.assertEqual(400, status, raw)
        self.assertEqual("SerializationException", error_code(parsed))
        raw.decode("utf-8")
        # never stored: every listing parses in the SDK
        names = [s["Name"] for s in self.sm.list_secrets()["SecretList"]]
        self.assertNotIn(name, names)

    def test_nul_in_tag_or_description_is_refused_not_truncated(self):
        name = uniq("nul-desc")
        self.assertClientError("ValidationException", self.sm.create_secret, Name=name,
                               SecretString="x", Description="a\x00b")
        self.assertClientError("ValidationException", self.sm.create_secret, Name=name,
                               SecretString="x", Tags=[{"Key": "k\x00", "Value": "v"}])
        self.assertNotIn(name, [s["Name"] for s in self.sm.list_secrets()["SecretList"]])


class KmsTextTests(ServerTestCase):
    def raw(self, op, body):
        return self.server.json_request("TrentService." + op, body)

    def assert_listing_parses(self):
        for k in self.kms.list_keys()["Keys"]:
            self.kms.describe_key(KeyId=k["KeyId"])
        self.kms.list_aliases()

    def test_ill_formed_utf8_is_refused(self):
        # Markus Kuhn's stress cases: impossible bytes, an overlong '/', a
        # UTF-16 surrogate, a code point past U+10FFFF, a cut sequence
        cases = [(b"\xff\xfe", "Invalid UTF-8 start byte 0xff"),
                 (b"\xc0\xaf", "Invalid UTF-8 start byte 0xc0"),
                 (b"a\xed\xa0\x80", "Invalid UTF-8 middle byte 0xa0"),
                 (b"\xf4\x90\x80\x80", "Invalid UTF-8 middle byte 0x90"),
                 (b"\xe2\x82", "Invalid UTF-8 middle byte 0x22")]
        for bad, msg in cases:
            status, _, parsed, raw = self.raw("CreateKey", b'{"Description":"' + bad + b'"}')
            self.assertEqual(400, status, raw)
            self.assertEqual("SerializationException", error_code(parsed), raw)
            self.assertEqual(msg, parsed.get("message"))
        self.assert_listing_parses()

    def test_json_that_cjson_lets_through_is_refused(self):
        # a raw control character in a string, a \\u escape that is not hex
        # (cJSON reads it as NUL), a lone surrogate escape, a non-JSON
        # whitespace byte: JSON (RFC 8259) and Jackson refuse all four
        for body in (b'{"Description":"a\x01b"}', b'{"Description":"a\\u00zzb"}',
                     b'{"Description":"a\\ud800"}', b'{\x01"Description":"a"}'):
            status, _, parsed, raw = self.raw("CreateKey", body)
            self.assertEqual(400, status, raw)
            self.assertEqual("SerializationException", error_code(parsed), raw)
        self.assert_listing_parses()

    def test_alias_with_nul_is_refused(self):
        # botocore's model: AliasNameType pattern ^[a-zA-Z0-9:/_-]+$
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        other = self.kms.create_key()["KeyMetadata"]["KeyId"]
        alias = "alias/" + uniq("victim")
        self.kms.create_alias(AliasName=alias, TargetKeyId=kid)
        resp = self.assertClientError("ValidationException", self.kms_nv.create_alias,
                                      AliasName=alias + "\x00x", TargetKeyId=other)
        self.assertIn("Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
                      resp["Error"]["Message"])
        self.assertEqual(kid, self.kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])

    def test_nul_in_description_is_refused_not_truncated(self):
        self.assertClientError("ValidationException", self.kms.create_key,
                               Description="a\x00b")
        self.assertClientError("ValidationException", self.kms.create_key,
                               Tags=[{"TagKey": "k", "TagValue": "v\x00"}])


class IamTextTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")

    def assert_listing_parses(self):
        for u in self.iam.list_users()["Users"]:
            self.iam.get_user(UserName=u["UserName"])
            self.iam.list_user_tags(UserName=u["UserName"])

    def test_user_name_with_nul_is_refused(self):
        # botocore's model: userNameType pattern [\w+=,.@-]+
        victim = uniq("victim")
        self.iam.create_user(UserName=victim, Tags=[{"Key": "k", "Value": "orig"}])
        status, _, body = query_request(self.server, (
            "Action=CreateUser&Version=2010-05-08&UserName=%s%%00x" % victim).encode())
        self.assertEqual(400, status, body)
        self.assertEqual("ValidationError", xml_code(body))
        self.assertIn(b"at &apos;userName&apos; failed to satisfy constraint: Member must "
                      b"satisfy regular expression pattern: [\\w+=,.@-]+", body)
        self.assertEqual([{"Key": "k", "Value": "orig"}],
                         self.iam.list_user_tags(UserName=victim)["Tags"])

    def test_invalid_utf8_tag_value_refused_and_listing_parses(self):
        name = uniq("u")
        status, _, body = query_request(self.server, (
            "Action=CreateUser&Version=2010-05-08&UserName=%s&Tags.member.1.Key=k"
            "&Tags.member.1.Value=%%FF%%FE" % name).encode())
        self.assertEqual(400, status, body)
        body.decode("utf-8")  # the error itself is text an SDK can read
        self.assertEqual("ValidationError", xml_code(body))
        self.assertIn(b"at &apos;value&apos;", body)
        self.assertNotIn(name, [u["UserName"] for u in self.iam.list_users()["Users"]])
        self.assert_listing_parses()

    def test_error_never_echoes_ill_formed_utf8(self):
        status, _, body = query_request(self.server, (
            "Action=CreateUser&Version=2010-05-08&UserName=%s&Path=%%2F%%C0%%AF%%2F"
            % uniq("u")).encode())
        self.assertEqual(400, status, body)
        body.decode("utf-8")
        self.assertEqual("ValidationError", xml_code(body))


class S3TextTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = s3_client(cls.server)

    def bucket(self):
        b = uniq("text")
        self.s3.create_bucket(Bucket=b)
        return b

    def assert_listing_parses(self, bucket):
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]

    def test_key_with_nul_is_refused(self):
        b = self.bucket()
        self.s3.put_object(Bucket=b, Key="victim.txt", Body=b"original")
        for path, host in (("/%s/victim.txt%%00" % b, None),
                           ("/%s/victim.txt%%00.evil" % b, None),
                           ("/victim.txt%00", "%s.localhost:%d" % (b, self.server.port))):
            r = s3_request(self.server, "PUT", path, body=b"evil", host=host)
            self.assertEqual(400, r.status, r)
            self.assertEqual("InvalidURI", r.error().get("Code"))
            self.assertEqual("Couldn't parse the specified URI.", r.error().get("Message"))
        self.assertEqual(b"original", self.s3.get_object(Bucket=b, Key="victim.txt")["Body"].read())
        self.assertEqual(["victim.txt"], self.assert_listing_parses(b))

    def test_key_with_ill_formed_utf8_is_refused(self):
        b = self.bucket()
        for enc in ("%FF", "%C0%AF", "a%ED%A0%80", "%F4%90%80%80", "%E2%82"):
            r = s3_request(self.server, "PUT", "/%s/%s" % (b, enc), body=b"x")
            self.assertEqual(400, r.status, (enc, r))
            self.assertEqual("InvalidURI", r.error().get("Code"))
        self.assertEqual([], self.assert_listing_parses(b))

    def test_request_document_keys_with_nul_or_bad_utf8(self):
        # XML 1.0 forbids &#0;; S3 answers MalformedXML for a document it
        # cannot read. A guard: expat refused these before this suite, and
        # xml_parse now checks UTF-8 itself as well.
        b = self.bucket()
        self.s3.put_object(Bucket=b, Key="victim", Body=b"keep")
        for key in (b"victim&#0;", b"victim&#x0;", b"victim\xff", b"victim\xed\xa0\x80"):
            body = (b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>'
                    + key + b"</Key></Object></Delete>")
            import base64
            import hashlib
            md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
            r = s3_request(self.server, "POST", "/" + b, query="delete", body=body,
                           headers={"Content-MD5": md5})
            self.assertEqual(400, r.status, (key, r))
            self.assertEqual("MalformedXML", r.error().get("Code"))
        self.assertEqual(["victim"], self.assert_listing_parses(b))


class S3HeaderAndQueryTextTests(ServerTestCase):
    """Stored S3 headers and query values: never bytes a reader chokes on.
    User metadata is kept as UTF-8 (RFC 2047 encoded-words decoded, other
    non-UTF-8 bytes read as ISO-8859-1) and returned RFC 2047-encoded when it
    holds more than US-ASCII, as AWS documents for x-amz-meta-* ("Values of
    such headers are character decoded as per RFC 2047 before storing and
    encoded as per RFC 2047 to make them mail-safe before returning",
    Amazon S3 User Guide, "Working with object metadata"). Query values and
    the tagging header that decode to U+0000 or ill-formed UTF-8 are refused
    instead of being cut at the NUL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = s3_client(cls.server)
        cls.b = uniq("hdr")
        cls.s3.create_bucket(Bucket=cls.b)

    def test_metadata_with_ill_formed_utf8_is_stored_as_text(self):
        r = s3_request(self.server, "PUT", "/%s/raw" % self.b, body=b"x",
                       headers={"x-amz-meta-note": "caf\xe9 \xff\xfe"})
        self.assertEqual(200, r.status, r)
        h = self.s3.head_object(Bucket=self.b, Key="raw")
        enc = h["Metadata"]["note"]
        self.assertTrue(enc.startswith("=?UTF-8?B?") and enc.endswith("?="), enc)
        import base64
        self.assertEqual("caf\xe9 \xff\xfe", base64.b64decode(enc[10:-2]).decode("utf-8"))

    def test_rfc2047_metadata_round_trips(self):
        import base64
        word = "=?UTF-8?B?%s?=" % base64.b64encode("naïve ünïcode".encode()).decode()
        self.s3.put_object(Bucket=self.b, Key="enc", Body=b"x", Metadata={"n": word, "a": "ascii"})
        md = self.s3.head_object(Bucket=self.b, Key="enc")["Metadata"]
        self.assertEqual("ascii", md["a"])
        self.assertEqual("naïve ünïcode", base64.b64decode(md["n"][10:-2]).decode())

    def test_query_values_with_nul_are_refused(self):
        self.s3.put_object(Bucket=self.b, Key="a-file", Body=b"x")
        for q in ("list-type=2&prefix=a%00zzz", "prefix=%FF", "list-type=2&start-after=%00"):
            r = s3_request(self.server, "GET", "/" + self.b, query=q)
            self.assertEqual(400, r.status, (q, r))
            self.assertEqual("InvalidURI", r.error().get("Code"))

    def test_tagging_header_with_nul_is_refused(self):
        r = s3_request(self.server, "PUT", "/%s/tagged" % self.b, body=b"x",
                       headers={"x-amz-tagging": "k%00evil=v"})
        self.assertEqual(400, r.status, r)
        self.assertEqual("InvalidTag", r.error().get("Code"))
