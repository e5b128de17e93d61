"""--iam enforce end to end: authentication errors per service (bad
signature, unknown key, expired presigned URL), identity policies (inline,
group, customer and AWS managed, boundaries), condition keys clients hit,
resource policies (bucket, key, secret), cross-service KMS checks,
assumed-role sessions, denial messages and access-log lines, and
SimulatePrincipalPolicy / SimulateCustomPolicy agreeing with real requests."""

import json
import time
import unittest
import urllib.parse

from harness import ServerTestCase
from enforce_util import (ACCOUNT, ENFORCE, REGION, ROOT, ROOT_ARN, Creds, Principals,
                          advance_clock, allow, check_denied, check_error, client, deny,
                          denial_text, doc, error_of, get_url, json_code, log_line, message,
                          no_identity, presign_json, request_id, uniq, xml_code)

AWSPOL = "arn:aws:iam::aws:policy/"
S3_READ_ONLY = AWSPOL + "AmazonS3ReadOnlyAccess"
ADMIN = AWSPOL + "AdministratorAccess"


class EnforceTestCase(ServerTestCase):
    server_args = ENFORCE
    needs_process = True  # its own --iam enforce server, reads the access log

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)
        cls.iam = cls.p.iam
        cls.s3 = client(cls.server, "s3")
        cls.sm = client(cls.server, "secretsmanager")

    def c(self, service, creds, **kw):
        return client(self.server, service, creds, **kw)

    def bucket(self, objects=()):
        """A new bucket (by root) holding objects {key: body}."""
        name = uniq("b")
        self.s3.create_bucket(Bucket=name)
        for k in objects:
            self.s3.put_object(Bucket=name, Key=k, Body=b"data of " + k.encode())
        return name

    def key(self, policy=None):
        kw = {"Description": "enforce test key"}
        if policy:
            kw["Policy"] = policy
            kw["BypassPolicyLockoutSafetyCheck"] = True
        return self.kms.create_key(**kw)["KeyMetadata"]


# --------------------------------------------------------------------------
# Authentication per service
# --------------------------------------------------------------------------

# (code, status) per service for a wrong secret and for an unknown key
BAD_SIGNATURE = {"kms": ("InvalidSignatureException", 400),
                 "secretsmanager": ("InvalidSignatureException", 400),
                 "s3": ("SignatureDoesNotMatch", 403),
                 "iam": ("SignatureDoesNotMatch", 403),
                 "sts": ("SignatureDoesNotMatch", 403)}
UNKNOWN_KEY = {"kms": ("UnrecognizedClientException", 400),
               "secretsmanager": ("UnrecognizedClientException", 400),
               "s3": ("InvalidAccessKeyId", 403),
               "iam": ("InvalidClientTokenId", 403),
               "sts": ("InvalidClientTokenId", 403)}


ONE_CALL = {"kms": "list_keys", "secretsmanager": "list_secrets", "s3": "list_buckets",
            "iam": "list_users", "sts": "get_caller_identity"}


def one_call(server, service, creds):
    return getattr(client(server, service, creds), ONE_CALL[service])


class AuthenticationTests(EnforceTestCase):
    def test_bad_signature_root(self):
        bad = Creds("test", "not-the-secret")
        for service, (code, status) in BAD_SIGNATURE.items():
            with self.subTest(service=service):
                check_error(self, code, status, one_call(self.server, service, bad))

    def test_bad_signature_user_key(self):
        u = self.p.user(managed=[ADMIN])
        bad = Creds(u.access_key, u.secret_key[:-1] + ("A" if u.secret_key[-1] != "A" else "B"))
        for service, (code, status) in BAD_SIGNATURE.items():
            with self.subTest(service=service):
                one_call(self.server, service, u)()  # the right secret works
                check_error(self, code, status, one_call(self.server, service, bad))

    def test_unknown_access_key(self):
        bad = Creds("AKIA" + "Q" * 16, "x" * 40)
        for service, (code, status) in UNKNOWN_KEY.items():
            with self.subTest(service=service):
                check_error(self, code, status, one_call(self.server, service, bad))

    def test_deleted_key_unknown_everywhere(self):
        u = self.p.user(managed=[ADMIN])
        for service in UNKNOWN_KEY:
            one_call(self.server, service, u)()
        self.iam.delete_access_key(UserName=u.name, AccessKeyId=u.access_key)
        for service, (code, status) in UNKNOWN_KEY.items():
            with self.subTest(service=service):
                check_error(self, code, status, one_call(self.server, service, u))

    def test_unsigned_requests(self):
        status, _, body, raw = self.server.json_request("TrentService.ListKeys", {}, sign=False)
        self.assertEqual(400, status, raw)
        self.assertEqual("MissingAuthenticationTokenException", str(body.get("__type")).rsplit("#", 1)[-1])
        status, _, data = self.server.http("GET", "/")
        self.assertEqual(403, status, data)
        self.assertEqual("AccessDenied", xml_code(data))
        status, _, data = self.server.http(
            "GET", "/?Action=GetCallerIdentity&Version=2011-06-15")
        self.assertEqual(403, status, data)
        self.assertEqual("MissingAuthenticationToken", xml_code(data))

    def test_tampered_body(self):
        body = json.dumps({"Limit": 5}).encode()
        h = self.server.signed_headers("kms", "TrentService.ListKeys", body)
        status, _, data = self.server.http("POST", "/", body=json.dumps({"Limit": 6}).encode(),
                                           headers=h)
        self.assertEqual(400, status, data)
        self.assertEqual("InvalidSignatureException", json_code(data))
        status, _, data = self.server.http("POST", "/", body=body, headers=h)
        self.assertEqual(200, status, data)


class PresignTests(EnforceTestCase):
    """Presigned requests, valid and past their expiry (own server: moves
    the clock)."""

    own_server = True

    def presigned(self, creds=ROOT, expires=60):
        """service -> (send, parse code) for one presigned request each."""
        srv = self.server
        bucket = self.bucket(["p.txt"])
        s3url = self.c("s3", creds).generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": "p.txt"}, ExpiresIn=expires)
        stsurl = self.c("sts", creds).generate_presigned_url(
            "get_caller_identity", Params={}, ExpiresIn=expires, HttpMethod="GET")
        iamurl = self.c("iam", creds).generate_presigned_url(
            "list_users", Params={}, ExpiresIn=expires, HttpMethod="GET")
        kms = presign_json(srv, "kms", "TrentService.ListKeys", {}, expires, creds)
        sm = presign_json(srv, "secretsmanager", "secretsmanager.ListSecrets", {}, expires, creds)
        return {
            "s3": (lambda: get_url(srv, s3url), xml_code),
            "sts": (lambda: get_url(srv, stsurl), xml_code),
            "iam": (lambda: get_url(srv, iamurl), xml_code),
            "kms": (lambda: srv.http("POST", kms[0], body=kms[2], headers=kms[1])[::2], json_code),
            "secretsmanager": (lambda: srv.http("POST", sm[0], body=sm[2], headers=sm[1])[::2],
                               json_code),
        }

    def test_valid_then_expired(self):
        reqs = self.presigned()
        for service, (send, _) in reqs.items():
            with self.subTest(service=service, when="valid"):
                status, data = send()
                self.assertEqual(200, status, data[:300])
        advance_clock(self.server, 61)
        for service, (send, code_of) in reqs.items():
            with self.subTest(service=service, when="expired"):
                status, data = send()
                self.assertEqual(403, status, data[:300])
                self.assertEqual("AccessDenied", code_of(data), data[:300])
                self.assertIn(b"Request has expired", data)

    def test_user_presigned_is_authorized(self):
        u = self.p.user(inline=[doc(allow("sts:GetCallerIdentity"))])
        reqs = self.presigned(creds=u, expires=300)
        status, data = reqs["sts"][0]()
        self.assertEqual(200, status, data)
        self.assertIn(u.arn.encode(), data)
        for service in ("s3", "iam"):
            with self.subTest(service=service):
                status, data = reqs[service][0]()
                self.assertEqual(403, status, data[:300])
                self.assertEqual("AccessDenied", xml_code(data))
                self.assertIn(u.arn.encode(), data)
        for service in ("kms", "secretsmanager"):
            with self.subTest(service=service):
                status, data = reqs[service][0]()
                self.assertEqual(400, status, data[:300])
                self.assertEqual("AccessDeniedException", json_code(data))

    def test_presigned_with_wrong_secret(self):
        bad = Creds("test", "wrong-secret")
        reqs = self.presigned(creds=bad, expires=300)
        want = {"s3": "SignatureDoesNotMatch", "sts": "SignatureDoesNotMatch",
                "iam": "SignatureDoesNotMatch", "kms": "InvalidSignatureException",
                "secretsmanager": "InvalidSignatureException"}
        for service, (send, code_of) in reqs.items():
            with self.subTest(service=service):
                status, data = send()
                self.assertIn(status, (400, 403), data[:300])
                self.assertEqual(want[service], code_of(data), data[:300])


# --------------------------------------------------------------------------
# Identity-based policies
# --------------------------------------------------------------------------

class IdentityPolicyTests(EnforceTestCase):
    def test_action_wildcards(self):
        u = self.p.user(inline=[doc(allow("kms:List*"))])
        kms = self.c("kms", u)
        kms.list_keys()
        kms.list_aliases()
        check_denied(self, "kms", kms.create_key)
        check_denied(self, "s3", self.c("s3", u).list_buckets)

    def test_action_case_insensitive(self):
        u = self.p.user(inline=[doc(allow("KMS:listkeys"))])
        self.c("kms", u).list_keys()

    def test_not_action(self):
        u = self.p.user(inline=[doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"})])
        self.c("kms", u).list_keys()
        self.c("secretsmanager", u).list_secrets()
        check_denied(self, "s3", self.c("s3", u).list_buckets)

    def test_resource(self):
        a = self.bucket(["x.txt"])
        b = self.bucket(["x.txt"])
        u = self.p.user(inline=[doc(allow("s3:GetObject", "arn:aws:s3:::%s/*" % a))])
        s3 = self.c("s3", u)
        self.assertEqual(b"data of x.txt", s3.get_object(Bucket=a, Key="x.txt")["Body"].read())
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="x.txt")
        # the bucket ARN is not an object ARN
        check_denied(self, "s3", s3.list_objects_v2, Bucket=a)

    def test_not_resource(self):
        a = self.bucket(["x.txt"])
        b = self.bucket(["x.txt"])
        u = self.p.user(inline=[doc({"Effect": "Allow", "Action": "s3:*",
                                     "NotResource": ["arn:aws:s3:::%s" % b,
                                                     "arn:aws:s3:::%s/*" % b]})])
        s3 = self.c("s3", u)
        s3.get_object(Bucket=a, Key="x.txt")
        s3.list_objects_v2(Bucket=a)
        check_denied(self, "s3", s3.get_object, Bucket=b, Key="x.txt")
        check_denied(self, "s3", s3.list_objects_v2, Bucket=b)

    def test_explicit_deny_beats_allow(self):
        bucket = self.bucket(["keep.txt", "pub.txt"])
        u = self.p.user(inline={
            "all": doc(allow("s3:*")),
            "nodelete": doc(dict(deny("s3:DeleteObject", "arn:aws:s3:::%s/keep.txt" % bucket),
                                 Sid="KeepIt"))})
        s3 = self.c("s3", u)
        s3.delete_object(Bucket=bucket, Key="pub.txt")
        resp = check_denied(self, "s3", s3.delete_object, Bucket=bucket, Key="keep.txt")
        self.assertEqual(denial_text(u.arn, "s3:DeleteObject", "arn:aws:s3:::%s/keep.txt" % bucket,
                                     "with an explicit deny in an identity-based policy", s3=True),
                         message(resp))
        self.s3.head_object(Bucket=bucket, Key="keep.txt")

    def test_deny_in_group_beats_allow_in_user(self):
        g = self.p.group(inline=[doc(deny("kms:ListKeys"))])
        u = self.p.user(inline=[doc(allow("kms:*"))], groups=[g])
        check_denied(self, "kms", self.c("kms", u).list_keys)
        self.c("kms", u).list_aliases()

    def test_group_policies(self):
        g = self.p.group(inline=[doc(allow("kms:ListKeys"))])
        g2 = self.p.group(managed=[S3_READ_ONLY])
        u = self.p.user(groups=[g, g2])
        self.c("kms", u).list_keys()
        self.c("s3", u).list_buckets()
        self.iam.remove_user_from_group(GroupName=g, UserName=u.name)
        check_denied(self, "kms", self.c("kms", u).list_keys)
        self.c("s3", u).list_buckets()

    def test_customer_managed_policy(self):
        arn = self.p.managed(doc(allow("kms:ListKeys")))
        u = self.p.user()
        check_denied(self, "kms", self.c("kms", u).list_keys)
        self.iam.attach_user_policy(UserName=u.name, PolicyArn=arn)
        self.c("kms", u).list_keys()
        # a new default version changes the decision
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc(allow("kms:ListAliases")),
                                       SetAsDefault=True)
        check_denied(self, "kms", self.c("kms", u).list_keys)
        self.c("kms", u).list_aliases()
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        self.c("kms", u).list_keys()
        self.iam.detach_user_policy(UserName=u.name, PolicyArn=arn)
        check_denied(self, "kms", self.c("kms", u).list_keys)

    def test_aws_managed_s3_read_only(self):
        bucket = self.bucket(["r.txt"])
        u = self.p.user(managed=[S3_READ_ONLY])
        s3 = self.c("s3", u)
        self.assertIn(bucket, [b["Name"] for b in s3.list_buckets()["Buckets"]])
        s3.get_object(Bucket=bucket, Key="r.txt")
        s3.list_objects_v2(Bucket=bucket)
        check_denied(self, "s3", s3.put_object, Bucket=bucket, Key="w.txt", Body=b"w")
        check_denied(self, "s3", s3.delete_object, Bucket=bucket, Key="r.txt")
        check_denied(self, "kms", self.c("kms", u).list_keys)

    def test_aws_managed_administrator_access(self):
        u = self.p.user(managed=[ADMIN])
        self.c("kms", u).list_keys()
        self.c("s3", u).create_bucket(Bucket=uniq("adm"))
        self.c("secretsmanager", u).create_secret(Name=uniq("adm"), SecretString="s")
        name = uniq("made-by-admin")
        self.c("iam", u).create_user(UserName=name)
        self.iam.get_user(UserName=name)

    def test_permissions_boundary(self):
        bucket = self.bucket(["b.txt"])
        u = self.p.user(managed=[ADMIN], boundary=S3_READ_ONLY)
        s3 = self.c("s3", u)
        s3.get_object(Bucket=bucket, Key="b.txt")
        resp = check_denied(self, "s3", s3.put_object, Bucket=bucket, Key="n.txt", Body=b"n")
        self.assertIn("because no permissions boundary allows the s3:PutObject action",
                      message(resp))
        check_denied(self, "kms", self.c("kms", u).list_keys)
        # removing the boundary restores the identity policy's reach
        self.iam.delete_user_permissions_boundary(UserName=u.name)
        s3.put_object(Bucket=bucket, Key="n.txt", Body=b"n")
        self.c("kms", u).list_keys()

    def test_boundary_alone_grants_nothing(self):
        u = self.p.user(boundary=ADMIN)
        resp = check_denied(self, "kms", self.c("kms", u).list_keys)
        self.assertIn(no_identity("kms:ListKeys"), message(resp))

    def test_boundary_on_role(self):
        boundary = self.p.managed(doc(allow("kms:ListKeys")))
        role = self.p.role(managed=[ADMIN], boundary=boundary)
        s = self.p.session(role)
        self.c("kms", s).list_keys()
        check_denied(self, "kms", self.c("kms", s).list_aliases)
        check_denied(self, "s3", self.c("s3", s).list_buckets)

    def test_policy_changes_apply_at_once(self):
        u = self.p.user()
        check_denied(self, "kms", self.c("kms", u).list_keys)
        self.iam.put_user_policy(UserName=u.name, PolicyName="now",
                                 PolicyDocument=doc(allow("kms:ListKeys")))
        self.c("kms", u).list_keys()
        self.iam.delete_user_policy(UserName=u.name, PolicyName="now")
        check_denied(self, "kms", self.c("kms", u).list_keys)

    def test_iam_actions_on_own_user(self):
        other = self.p.user()
        u = self.p.user(inline=[doc(allow(["iam:GetUser", "iam:ListAccessKeys"],
                                          "arn:aws:iam::%s:user/${aws:username}" % ACCOUNT))])
        iam = self.c("iam", u)
        self.assertEqual(u.name, iam.get_user()["User"]["UserName"])
        self.assertEqual(u.name, iam.get_user(UserName=u.name)["User"]["UserName"])
        iam.list_access_keys()
        resp = check_denied(self, "iam", iam.get_user, UserName=other.name)
        self.assertEqual(denial_text(u.arn, "iam:GetUser", other.arn, no_identity("iam:GetUser")),
                         message(resp))
        check_denied(self, "iam", iam.list_users)

    def test_statements_combine_across_policies(self):
        managed = self.p.managed(doc(allow("kms:ListKeys")))
        g = self.p.group(inline=[doc(allow("kms:ListAliases"))])
        u = self.p.user(inline=[doc(allow("secretsmanager:ListSecrets"))], managed=[managed],
                        groups=[g])
        self.c("kms", u).list_keys()
        self.c("kms", u).list_aliases()
        self.c("secretsmanager", u).list_secrets()
        check_denied(self, "kms", self.c("kms", u).create_key)


# --------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------

class ConditionTests(EnforceTestCase):
    def test_source_ip(self):
        here = self.p.user(inline=[doc(allow("kms:ListKeys", Condition={
            "IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))])
        elsewhere = self.p.user(inline=[doc(allow("kms:ListKeys", Condition={
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))])
        not_here = self.p.user(inline=[doc(allow("kms:ListKeys", Condition={
            "NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}}))])
        self.c("kms", here).list_keys()
        check_denied(self, "kms", self.c("kms", elsewhere).list_keys)
        self.c("kms", not_here).list_keys()

    def test_secure_transport(self):
        # the classic "deny unless TLS" statement denies plain HTTP
        u = self.p.user(inline=[doc(allow("s3:*"), deny("s3:*", Condition={
            "Bool": {"aws:SecureTransport": "false"}}))])
        resp = check_denied(self, "s3", self.c("s3", u).list_buckets)
        self.assertIn("explicit deny", message(resp))
        only_tls = self.p.user(inline=[doc(allow("s3:*", Condition={
            "Bool": {"aws:SecureTransport": "true"}}))])
        check_denied(self, "s3", self.c("s3", only_tls).list_buckets)

    def test_username_variable_in_resource(self):
        bucket = self.bucket()
        policy = doc(allow(["s3:PutObject", "s3:GetObject"],
                           "arn:aws:s3:::%s/${aws:username}/*" % bucket))
        alice = self.p.user(inline=[policy])
        bob = self.p.user(inline=[policy])
        s3 = self.c("s3", alice)
        s3.put_object(Bucket=bucket, Key="%s/notes.txt" % alice.name, Body=b"mine")
        self.assertEqual(b"mine", s3.get_object(Bucket=bucket, Key="%s/notes.txt" % alice.name)
                         ["Body"].read())
        resp = check_denied(self, "s3", s3.put_object, Bucket=bucket,
                            Key="%s/notes.txt" % bob.name, Body=b"theirs")
        self.assertIn('"arn:aws:s3:::%s/%s/notes.txt"' % (bucket, bob.name), message(resp))
        check_denied(self, "s3", self.c("s3", bob).get_object, Bucket=bucket,
                     Key="%s/notes.txt" % alice.name)

    def test_s3_prefix_on_list_objects(self):
        bucket = self.bucket(["home/a/1", "home/b/1", "top"])
        u = self.p.user(inline=[doc(allow("s3:ListBucket", "arn:aws:s3:::%s" % bucket, Condition={
            "StringLike": {"s3:prefix": ["home/${aws:username}/*", "home/a/*"]}}))])
        s3 = self.c("s3", u)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="home/a/")["Contents"]]
        self.assertEqual(["home/a/1"], keys)
        s3.list_objects_v2(Bucket=bucket, Prefix="home/%s/" % u.name)
        check_denied(self, "s3", s3.list_objects_v2, Bucket=bucket, Prefix="home/b/")
        check_denied(self, "s3", s3.list_objects_v2, Bucket=bucket)

    def test_max_keys_numeric(self):
        bucket = self.bucket(["k1"])
        u = self.p.user(inline=[doc(allow("s3:ListBucket", "arn:aws:s3:::%s" % bucket, Condition={
            "NumericLessThanEquals": {"s3:max-keys": "10"}}))])
        s3 = self.c("s3", u)
        s3.list_objects_v2(Bucket=bucket, MaxKeys=5)
        check_denied(self, "s3", s3.list_objects_v2, Bucket=bucket, MaxKeys=50)

    def test_sse_header_required(self):
        bucket = self.bucket()
        u = self.p.user(inline=[doc(
            allow("s3:*"),
            dict(deny("s3:PutObject", "arn:aws:s3:::%s/*" % bucket, Condition={
                "StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}}),
                 Sid="RequireAES256"))])
        s3 = self.c("s3", u)
        s3.put_object(Bucket=bucket, Key="enc", Body=b"x", ServerSideEncryption="AES256")
        # no header: the negated operator matches a missing key
        check_denied(self, "s3", s3.put_object, Bucket=bucket, Key="plain", Body=b"x")
        line = log_line(self.server, "deny s3:PutObject on arn:aws:s3:::%s/plain" % bucket)
        self.assertIsNotNone(line)
        self.assertIn("RequireAES256", line)

    def test_null_condition(self):
        bucket = self.bucket()
        u = self.p.user(inline=[doc(allow("s3:*"), deny("s3:PutObject", Condition={
            "Null": {"s3:x-amz-server-side-encryption": "true"}}))])
        s3 = self.c("s3", u)
        check_denied(self, "s3", s3.put_object, Bucket=bucket, Key="plain", Body=b"x")
        s3.put_object(Bucket=bucket, Key="enc", Body=b"x", ServerSideEncryption="AES256")

    def test_encryption_context(self):
        kid = self.key()["KeyId"]
        u = self.p.user(inline=[doc(allow(["kms:Encrypt", "kms:Decrypt"], Condition={
            "StringEquals": {"kms:EncryptionContext:purpose": "test"}}))])
        kms = self.c("kms", u)
        ct = kms.encrypt(KeyId=kid, Plaintext=b"p", EncryptionContext={"purpose": "test"})
        self.assertEqual(b"p", kms.decrypt(CiphertextBlob=ct["CiphertextBlob"],
                                           EncryptionContext={"purpose": "test"})["Plaintext"])
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"p")
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"p",
                     EncryptionContext={"purpose": "prod"})

    def test_if_exists(self):
        kid = self.key()["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Encrypt", Condition={
            "StringEqualsIfExists": {"kms:EncryptionContext:purpose": "a"}}))])
        kms = self.c("kms", u)
        kms.encrypt(KeyId=kid, Plaintext=b"p")
        kms.encrypt(KeyId=kid, Plaintext=b"p", EncryptionContext={"purpose": "a"})
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"p",
                     EncryptionContext={"purpose": "b"})

    def test_for_any_value(self):
        kid = self.key()["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Encrypt", Condition={
            "ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": ["project"]}}))])
        kms = self.c("kms", u)
        kms.encrypt(KeyId=kid, Plaintext=b"p", EncryptionContext={"project": "x", "other": "y"})
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"p",
                     EncryptionContext={"other": "y"})
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"p")

    def test_for_all_values(self):
        kid = self.key()["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Encrypt", Condition={
            "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["a", "b"]}}))])
        kms = self.c("kms", u)
        kms.encrypt(KeyId=kid, Plaintext=b"p", EncryptionContext={"a": "1"})
        kms.encrypt(KeyId=kid, Plaintext=b"p", EncryptionContext={"a": "1", "b": "2"})
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"p",
                     EncryptionContext={"a": "1", "c": "3"})

    def test_principal_tag_of_user(self):
        u = self.p.user(tags={"team": "red"}, inline=[doc(allow("kms:ListKeys", Condition={
            "StringEquals": {"aws:PrincipalTag/team": "red"}}))])
        self.c("kms", u).list_keys()
        self.iam.tag_user(UserName=u.name, Tags=[{"Key": "team", "Value": "blue"}])
        check_denied(self, "kms", self.c("kms", u).list_keys)

    def test_string_like_and_ignore_case(self):
        u = self.p.user(path="/eng/", inline=[doc(
            allow("kms:ListKeys", Condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/eng/*"}}),
            allow("kms:ListAliases", Condition={"StringEqualsIgnoreCase": {"aws:RequestedRegion": "US-EAST-1"}}),
            allow("kms:CreateKey", Condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/ops/*"}}))])
        kms = self.c("kms", u)
        kms.list_keys()
        kms.list_aliases()
        check_denied(self, "kms", kms.create_key)
        check_denied(self, "kms", self.c("kms", u, region="eu-west-1").list_aliases)

    def test_arn_like(self):
        u = self.p.user(path="/eng/", inline=[doc(allow("kms:ListKeys", Condition={
            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::%s:user/eng/*" % ACCOUNT}}))])
        other = self.p.user(inline=[doc(allow("kms:ListKeys", Condition={
            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::%s:user/eng/*" % ACCOUNT}}))])
        self.c("kms", u).list_keys()
        check_denied(self, "kms", self.c("kms", other).list_keys)

    def test_dates(self):
        past = self.p.user(inline=[doc(allow("kms:ListKeys", Condition={
            "DateLessThan": {"aws:CurrentTime": "2001-01-01T00:00:00Z"}}))])
        future = self.p.user(inline=[doc(allow("kms:ListKeys", Condition={
            "DateGreaterThan": {"aws:CurrentTime": "2001-01-01T00:00:00Z"}}))])
        check_denied(self, "kms", self.c("kms", past).list_keys)
        self.c("kms", future).list_keys()

    def test_secret_tag_condition(self):
        tagged = self.sm.create_secret(Name=uniq("tagged"), SecretString="t",
                                       Tags=[{"Key": "env", "Value": "dev"}])["ARN"]
        other = self.sm.create_secret(Name=uniq("untagged"), SecretString="u")["ARN"]
        u = self.p.user(inline=[doc(allow("secretsmanager:GetSecretValue", Condition={
            "StringEquals": {"secretsmanager:ResourceTag/env": "dev"}}))])
        sm = self.c("secretsmanager", u)
        self.assertEqual("t", sm.get_secret_value(SecretId=tagged)["SecretString"])
        check_denied(self, "secretsmanager", sm.get_secret_value, SecretId=other)

    def test_secret_request_condition_keys(self):
        # the request's members as Secrets Manager documents its keys
        name = uniq("keys")
        u = self.p.user(inline=[doc(
            allow("secretsmanager:*"),
            deny("secretsmanager:DeleteSecret", Condition={
                "Bool": {"secretsmanager:ForceDeleteWithoutRecovery": "true"}}),
            deny("secretsmanager:DeleteSecret", Condition={
                "NumericLessThan": {"secretsmanager:RecoveryWindowInDays": "10"}}),
            deny("secretsmanager:CreateSecret", Condition={
                "StringEquals": {"aws:RequestTag/team": "red"}}),
            deny("secretsmanager:TagResource", Condition={
                "ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}))])
        sm = self.c("secretsmanager", u)
        check_denied(self, "secretsmanager", sm.create_secret, Name=name, SecretString="v",
                     Tags=[{"Key": "team", "Value": "red"}])
        sm.create_secret(Name=name, SecretString="v", Tags=[{"Key": "team", "Value": "blue"}])
        check_denied(self, "secretsmanager", sm.tag_resource, SecretId=name,
                     Tags=[{"Key": "owner", "Value": "me"}])
        sm.tag_resource(SecretId=name, Tags=[{"Key": "cost", "Value": "1"}])
        check_denied(self, "secretsmanager", sm.delete_secret, SecretId=name,
                     ForceDeleteWithoutRecovery=True)
        check_denied(self, "secretsmanager", sm.delete_secret, SecretId=name,
                     RecoveryWindowInDays=7)
        sm.delete_secret(SecretId=name, RecoveryWindowInDays=20)

    def test_secret_resource_tag_on_every_secret_operation(self):
        # aws:ResourceTag too, on the secret the row's resource function found
        tagged = self.sm.create_secret(Name=uniq("rt"), SecretString="t",
                                       Tags=[{"Key": "Env", "Value": "dev"}])["ARN"]
        other = self.sm.create_secret(Name=uniq("rt"), SecretString="u")["ARN"]
        u = self.p.user(inline=[doc(allow(["secretsmanager:DescribeSecret",
                                           "secretsmanager:PutSecretValue"], Condition={
            "StringEquals": {"aws:ResourceTag/Env": "dev"}}))])
        sm = self.c("secretsmanager", u)
        self.assertEqual(tagged, sm.describe_secret(SecretId=tagged)["ARN"])
        sm.put_secret_value(SecretId=tagged, SecretString="t2")
        check_denied(self, "secretsmanager", sm.describe_secret, SecretId=other)
        check_denied(self, "secretsmanager", sm.put_secret_value, SecretId=other,
                     SecretString="u2")


# --------------------------------------------------------------------------
# Resource-based policies
# --------------------------------------------------------------------------

class ResourcePolicyTests(EnforceTestCase):
    def put_bucket_policy(self, bucket, *statements):
        self.s3.put_bucket_policy(Bucket=bucket, Policy=doc(*statements))

    def test_bucket_policy_grants_user_directly(self):
        bucket = self.bucket(["shared.txt"])
        u = self.p.user()
        s3 = self.c("s3", u)
        check_denied(self, "s3", s3.get_object, Bucket=bucket, Key="shared.txt")
        self.put_bucket_policy(bucket, {"Effect": "Allow", "Principal": {"AWS": u.arn},
                                        "Action": "s3:GetObject",
                                        "Resource": "arn:aws:s3:::%s/*" % bucket})
        self.assertEqual(b"data of shared.txt",
                         s3.get_object(Bucket=bucket, Key="shared.txt")["Body"].read())
        check_denied(self, "s3", s3.put_object, Bucket=bucket, Key="new", Body=b"n")
        other = self.p.user()
        check_denied(self, "s3", self.c("s3", other).get_object, Bucket=bucket, Key="shared.txt")

    def test_bucket_policy_to_account_needs_identity_policy(self):
        bucket = self.bucket(["a.txt"])
        self.put_bucket_policy(bucket, {"Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                                        "Action": "s3:GetObject",
                                        "Resource": "arn:aws:s3:::%s/*" % bucket})
        u = self.p.user()
        check_denied(self, "s3", self.c("s3", u).get_object, Bucket=bucket, Key="a.txt")
        allowed = self.p.user(inline=[doc(allow("s3:GetObject"))])
        self.c("s3", allowed).get_object(Bucket=bucket, Key="a.txt")

    def test_bucket_policy_deny_blocks_root(self):
        bucket = self.bucket(["locked.txt", "open.txt"])
        self.put_bucket_policy(bucket, {"Sid": "NoLocked", "Effect": "Deny", "Principal": "*",
                                        "Action": "s3:GetObject",
                                        "Resource": "arn:aws:s3:::%s/locked.txt" % bucket})
        resp = check_denied(self, "s3", self.s3.get_object, Bucket=bucket, Key="locked.txt")
        self.assertEqual(denial_text(ROOT_ARN, "s3:GetObject",
                                     "arn:aws:s3:::%s/locked.txt" % bucket,
                                     "with an explicit deny in a resource-based policy", s3=True),
                         message(resp))
        self.s3.get_object(Bucket=bucket, Key="open.txt")
        admin = self.p.user(managed=[ADMIN])
        check_denied(self, "s3", self.c("s3", admin).get_object, Bucket=bucket, Key="locked.txt")
        # the policy is the root's to remove
        self.assertIn("NoLocked", self.s3.get_bucket_policy(Bucket=bucket)["Policy"])
        self.s3.delete_bucket_policy(Bucket=bucket)
        self.s3.get_object(Bucket=bucket, Key="locked.txt")

    def test_bucket_policy_names_role(self):
        bucket = self.bucket(["r.txt"])
        role = self.p.role()
        self.put_bucket_policy(bucket, {"Effect": "Allow", "Principal": {"AWS": role["Arn"]},
                                        "Action": "s3:GetObject",
                                        "Resource": "arn:aws:s3:::%s/*" % bucket})
        s = self.p.session(role)
        self.c("s3", s).get_object(Bucket=bucket, Key="r.txt")
        other = self.p.session(self.p.role())
        check_denied(self, "s3", self.c("s3", other).get_object, Bucket=bucket, Key="r.txt")

    def test_bucket_policy_operations_are_authorized(self):
        bucket = self.bucket()
        u = self.p.user(inline=[doc(allow("s3:GetBucketPolicy"))])
        check_denied(self, "s3", self.c("s3", u).put_bucket_policy, Bucket=bucket,
                     Policy=doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                 "Resource": "arn:aws:s3:::%s/*" % bucket}))
        # a new bucket blocks public policies until its public access block goes
        self.s3.delete_public_access_block(Bucket=bucket)
        self.put_bucket_policy(bucket, {"Effect": "Allow", "Principal": "*",
                                        "Action": "s3:GetObject",
                                        "Resource": "arn:aws:s3:::%s/*" % bucket})
        self.c("s3", u).get_bucket_policy(Bucket=bucket)
        self.assertTrue(self.s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"])

    def test_malformed_bucket_policy(self):
        bucket = self.bucket()
        check_error(self, "MalformedPolicy", 400, self.s3.put_bucket_policy, Bucket=bucket,
                    Policy=doc({"Effect": "Allow", "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::%s/*" % bucket}))  # no Principal

    def test_key_policy_without_delegation(self):
        direct = self.p.user()
        iam_only = self.p.user(inline=[doc(allow("kms:*"))])
        policy = doc(
            {"Sid": "RootAdmin", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
             "Action": ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"], "Resource": "*"},
            {"Sid": "DirectUse", "Effect": "Allow", "Principal": {"AWS": direct.arn},
             "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"})
        md = self.key(policy)
        ct = self.c("kms", direct).encrypt(KeyId=md["KeyId"], Plaintext=b"k")["CiphertextBlob"]
        self.assertEqual(b"k", self.c("kms", direct).decrypt(CiphertextBlob=ct)["Plaintext"])
        resp = check_denied(self, "kms", self.c("kms", iam_only).encrypt, KeyId=md["KeyId"],
                            Plaintext=b"k")
        self.assertEqual(denial_text(iam_only.arn, "kms:Encrypt", md["Arn"],
                                     "because no resource-based policy allows the kms:Encrypt action"),
                         message(resp))
        # even the root user is bound by the key policy
        check_denied(self, "kms", self.kms.encrypt, KeyId=md["KeyId"], Plaintext=b"k")
        self.kms.describe_key(KeyId=md["KeyId"])
        # IAM users may describe it through the delegation to the account
        self.c("kms", iam_only).describe_key(KeyId=md["KeyId"])

    def test_key_policy_deny(self):
        u = self.p.user(inline=[doc(allow("kms:*"))])
        policy = doc(
            {"Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": u.arn}, "Action": "kms:Decrypt", "Resource": "*"})
        kid = self.key(policy)["KeyId"]
        ct = self.c("kms", u).encrypt(KeyId=kid, Plaintext=b"x")["CiphertextBlob"]
        resp = check_denied(self, "kms", self.c("kms", u).decrypt, CiphertextBlob=ct)
        self.assertIn("with an explicit deny in a resource-based policy", message(resp))
        self.assertEqual(b"x", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_put_key_policy_takes_effect(self):
        u = self.p.user(inline=[doc(allow("kms:Encrypt"))])
        kid = self.key()["KeyId"]
        self.c("kms", u).encrypt(KeyId=kid, Plaintext=b"x")
        self.kms.put_key_policy(KeyId=kid, PolicyName="default", BypassPolicyLockoutSafetyCheck=True,
                                Policy=doc({"Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                                            "Action": ["kms:PutKeyPolicy", "kms:DescribeKey"],
                                            "Resource": "*"}))
        check_denied(self, "kms", self.c("kms", u).encrypt, KeyId=kid, Plaintext=b"x")

    def test_secret_resource_policy(self):
        arn = self.sm.create_secret(Name=uniq("shared"), SecretString="v")["ARN"]
        reader = self.p.user()
        sm = self.c("secretsmanager", reader)
        check_denied(self, "secretsmanager", sm.get_secret_value, SecretId=arn)
        self.sm.put_resource_policy(SecretId=arn, ResourcePolicy=doc(
            {"Effect": "Allow", "Principal": {"AWS": reader.arn},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
        self.assertEqual("v", sm.get_secret_value(SecretId=arn)["SecretString"])
        check_denied(self, "secretsmanager", sm.put_secret_value, SecretId=arn, SecretString="w")
        check_denied(self, "secretsmanager", self.c("secretsmanager", self.p.user()).get_secret_value,
                     SecretId=arn)

    def test_secret_resource_policy_deny(self):
        arn = self.sm.create_secret(Name=uniq("guarded"), SecretString="v")["ARN"]
        admin = self.p.user(managed=[ADMIN])
        self.c("secretsmanager", admin).get_secret_value(SecretId=arn)
        self.sm.put_resource_policy(SecretId=arn, ResourcePolicy=doc(
            {"Effect": "Deny", "Principal": {"AWS": admin.arn},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
        resp = check_denied(self, "secretsmanager",
                            self.c("secretsmanager", admin).get_secret_value, SecretId=arn)
        self.assertEqual(denial_text(admin.arn, "secretsmanager:GetSecretValue", arn,
                                     "with an explicit deny in a resource-based policy"),
                         message(resp))
        self.assertEqual("v", self.sm.get_secret_value(SecretId=arn)["SecretString"])


# --------------------------------------------------------------------------
# One service calling another (KMS under S3 and Secrets Manager)
# --------------------------------------------------------------------------

class CrossServiceTests(EnforceTestCase):
    def test_s3_sse_kms_needs_kms_permissions(self):
        md = self.key()
        bucket = self.bucket()
        s3_only = self.p.user(inline=[doc(allow("s3:*"))])
        s3 = self.c("s3", s3_only)
        resp = check_denied(self, "s3", s3.put_object, Bucket=bucket, Key="k", Body=b"x",
                            ServerSideEncryption="aws:kms", SSEKMSKeyId=md["Arn"])
        self.assertIn(s3_only.arn, message(resp))
        self.assertIn("kms:GenerateDataKey", message(resp))
        self.assertIn(md["Arn"], message(resp))
        gone = error_of(self.s3.head_object, Bucket=bucket, Key="k")
        self.assertIsNotNone(gone, "the denied PutObject stored the object")
        self.assertEqual(404, gone["ResponseMetadata"]["HTTPStatusCode"])
        # with kms:GenerateDataKey it can write, but not read back without kms:Decrypt
        writer = self.p.user(inline=[doc(allow("s3:*"), allow("kms:GenerateDataKey", md["Arn"]))])
        self.c("s3", writer).put_object(Bucket=bucket, Key="k", Body=b"x",
                                        ServerSideEncryption="aws:kms", SSEKMSKeyId=md["Arn"])
        resp = check_denied(self, "s3", self.c("s3", writer).get_object, Bucket=bucket, Key="k")
        self.assertIn("kms:Decrypt", message(resp))
        reader = self.p.user(inline=[doc(allow("s3:GetObject"), allow("kms:Decrypt", md["Arn"]))])
        self.assertEqual(b"x", self.c("s3", reader).get_object(Bucket=bucket, Key="k")["Body"].read())

    def test_bucket_default_kms_encryption(self):
        md = self.key()
        bucket = self.bucket()
        self.s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": md["Arn"]}}]})
        s3_only = self.p.user(inline=[doc(allow("s3:*"))])
        resp = check_denied(self, "s3", self.c("s3", s3_only).put_object, Bucket=bucket, Key="d",
                            Body=b"d")
        self.assertIn("kms:GenerateDataKey", message(resp))
        both = self.p.user(inline=[doc(allow("s3:*"), allow(["kms:GenerateDataKey", "kms:Decrypt"]))])
        self.c("s3", both).put_object(Bucket=bucket, Key="d", Body=b"d")
        self.assertEqual(b"d", self.c("s3", both).get_object(Bucket=bucket, Key="d")["Body"].read())

    def test_reference_stack_role(self):
        """A role with {s3:* on the bucket and its objects, kms:Decrypt on
        the key} may read SSE-KMS objects but not write them: PutObject
        needs kms:GenerateDataKey."""
        md = self.key()
        bucket = self.bucket()
        self.s3.put_object(Bucket=bucket, Key="existing", Body=b"old",
                           ServerSideEncryption="aws:kms", SSEKMSKeyId=md["Arn"])
        role = self.p.role(inline=[doc(
            allow("s3:*", ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]),
            allow("kms:Decrypt", md["Arn"]))])
        s = self.p.session(role)
        s3 = self.c("s3", s)
        self.assertEqual(b"old", s3.get_object(Bucket=bucket, Key="existing")["Body"].read())
        resp = check_denied(self, "s3", s3.put_object, Bucket=bucket, Key="new", Body=b"new",
                            ServerSideEncryption="aws:kms", SSEKMSKeyId=md["Arn"])
        self.assertIn(s.arn, message(resp))
        self.assertIn("kms:GenerateDataKey", message(resp))
        # the decision as the simulator sees it
        res = self.iam.simulate_principal_policy(
            PolicySourceArn=role["Arn"], ActionNames=["kms:Decrypt", "kms:GenerateDataKey"],
            ResourceArns=[md["Arn"]])["EvaluationResults"]
        self.assertEqual({"kms:Decrypt": "allowed", "kms:GenerateDataKey": "implicitDeny"},
                         {r["EvalActionName"]: r["EvalDecision"] for r in res})
        # unencrypted writes are fine
        s3.put_object(Bucket=bucket, Key="plain", Body=b"p")

    def test_via_service_condition(self):
        md = self.key()
        bucket = self.bucket()
        self.s3.put_object(Bucket=bucket, Key="v", Body=b"via",
                           ServerSideEncryption="aws:kms", SSEKMSKeyId=md["Arn"])
        ct = self.kms.encrypt(KeyId=md["KeyId"], Plaintext=b"direct")["CiphertextBlob"]
        u = self.p.user(inline=[doc(allow("s3:GetObject"), allow("kms:Decrypt", md["Arn"], Condition={
            "StringEquals": {"kms:ViaService": "s3.%s.amazonaws.com" % REGION}}))])
        self.assertEqual(b"via", self.c("s3", u).get_object(Bucket=bucket, Key="v")["Body"].read())
        check_denied(self, "kms", self.c("kms", u).decrypt, CiphertextBlob=ct)

    def test_secret_under_customer_key(self):
        md = self.key()
        arn = self.sm.create_secret(Name=uniq("cmk"), SecretString="s", KmsKeyId=md["Arn"])["ARN"]
        sm_only = self.p.user(inline=[doc(allow("secretsmanager:GetSecretValue"))])
        resp = check_error(self, "AccessDeniedException", 400,
                           self.c("secretsmanager", sm_only).get_secret_value, SecretId=arn)
        self.assertEqual("Access to KMS is not allowed", message(resp))
        both = self.p.user(inline=[doc(allow("secretsmanager:GetSecretValue"),
                                       allow("kms:Decrypt", md["Arn"]))])
        self.assertEqual("s", self.c("secretsmanager", both).get_secret_value(SecretId=arn)
                         ["SecretString"])

    def test_secret_under_default_key_needs_no_kms_permission(self):
        arn = self.sm.create_secret(Name=uniq("dflt"), SecretString="d")["ARN"]
        u = self.p.user(inline=[doc(allow("secretsmanager:GetSecretValue"))])
        self.assertEqual("d", self.c("secretsmanager", u).get_secret_value(SecretId=arn)
                         ["SecretString"])

    def test_kms_key_policy_applies_under_s3(self):
        # the key policy, not only identity policies, decides under S3 as well
        u = self.p.user(inline=[doc(allow("s3:*"), allow("kms:*"))])
        md = self.key(doc({"Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                           "Action": ["kms:DescribeKey", "kms:PutKeyPolicy"], "Resource": "*"}))
        bucket = self.bucket()
        resp = check_denied(self, "s3", self.c("s3", u).put_object, Bucket=bucket, Key="k",
                            Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=md["Arn"])
        self.assertIn("kms:GenerateDataKey", message(resp))


# --------------------------------------------------------------------------
# Assumed-role sessions
# --------------------------------------------------------------------------

class AssumedRoleTests(EnforceTestCase):
    def test_role_policies_apply_to_sessions(self):
        bucket = self.bucket(["r.txt"])
        managed = self.p.managed(doc(allow("kms:ListKeys")))
        role = self.p.role(inline=[doc(allow("s3:GetObject", "arn:aws:s3:::%s/*" % bucket))],
                           managed=[managed])
        s = self.p.session(role, name="worker-1")
        self.c("s3", s).get_object(Bucket=bucket, Key="r.txt")
        self.c("kms", s).list_keys()
        resp = check_denied(self, "s3", self.c("s3", s).put_object, Bucket=bucket, Key="w",
                            Body=b"w")
        self.assertEqual(denial_text("arn:aws:sts::%s:assumed-role/%s/worker-1"
                                     % (ACCOUNT, role["RoleName"]), "s3:PutObject",
                                     "arn:aws:s3:::%s/w" % bucket, no_identity("s3:PutObject"),
                                     s3=True), message(resp))
        # detaching from the role applies to live sessions
        self.iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=managed)
        check_denied(self, "kms", self.c("kms", s).list_keys)

    def test_secret_policy_names_role(self):
        role = self.p.role()
        arn = self.sm.create_secret(Name=uniq("forrole"), SecretString="r")["ARN"]
        self.sm.put_resource_policy(SecretId=arn, ResourcePolicy=doc(
            {"Effect": "Allow", "Principal": {"AWS": role["Arn"]},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
        s = self.p.session(role)
        self.assertEqual("r", self.c("secretsmanager", s).get_secret_value(SecretId=arn)
                         ["SecretString"])

    def test_principal_arn_of_session_is_role(self):
        # aws:PrincipalArn of a role session is the role's ARN (with its path);
        # ArnEquals and ArnLike both take wildcards
        for op in ("ArnEquals", "ArnLike"):
            with self.subTest(op=op):
                cond = {op: {"aws:PrincipalArn": "arn:aws:iam::%s:role/app/*" % ACCOUNT}}
                inside = self.p.role(path="/app/", inline=[doc(allow("kms:ListKeys", Condition=cond))])
                outside = self.p.role(path="/web/", inline=[doc(allow("kms:ListKeys", Condition=cond))])
                self.c("kms", self.p.session(inside)).list_keys()
                check_denied(self, "kms", self.c("kms", self.p.session(outside)).list_keys)


# --------------------------------------------------------------------------
# Denial messages and the access log
# --------------------------------------------------------------------------

class DenialMessageTests(EnforceTestCase):
    def test_messages_per_service(self):
        u = self.p.user()
        md = self.key()
        secret = self.sm.create_secret(Name=uniq("msg"), SecretString="m")["ARN"]
        bucket = self.bucket(["m.txt"])
        target = "arn:aws:iam::%s:user/%s" % (ACCOUNT, uniq("nobody"))
        cases = [
            ("kms", lambda: self.c("kms", u).encrypt(KeyId=md["KeyId"], Plaintext=b"m"),
             "kms:Encrypt", md["Arn"], False),
            ("secretsmanager", lambda: self.c("secretsmanager", u).get_secret_value(SecretId=secret),
             "secretsmanager:GetSecretValue", secret, False),
            ("s3", lambda: self.c("s3", u).get_object(Bucket=bucket, Key="m.txt"),
             "s3:GetObject", "arn:aws:s3:::%s/m.txt" % bucket, True),
            ("iam", lambda: self.c("iam", u).create_user(UserName=target.rsplit("/", 1)[1]),
             "iam:CreateUser", target, False),
            ("sts", lambda: self.c("sts", u).get_access_key_info(AccessKeyId=u.access_key),
             "sts:GetAccessKeyInfo", None, False),
        ]
        for service, call, action, resource, quoted in cases:
            with self.subTest(service=service):
                resp = check_denied(self, service, call)
                self.assertEqual(denial_text(u.arn, action, resource, no_identity(action),
                                             s3=quoted), message(resp))

    def test_access_log_records_denial(self):
        u = self.p.user(inline=[doc(allow("s3:*"), dict(deny("s3:DeleteBucket"), Sid="KeepBuckets"))])
        bucket = self.bucket()
        resp = check_denied(self, "s3", self.c("s3", u).delete_bucket, Bucket=bucket)
        line = log_line(self.server, request_id(resp))
        self.assertIsNotNone(line, "no log line for %s" % request_id(resp))
        self.assertIn(" 403 ", line)
        self.assertIn(u.arn, line)
        self.assertIn("deny s3:DeleteBucket on arn:aws:s3:::%s" % bucket, line)
        self.assertIn("with an explicit deny in an identity-based policy", line)
        self.assertIn("user/%s inline policy p0" % u.name, line)
        self.assertIn("Sid KeepBuckets", line)

    def test_access_log_records_allow(self):
        u = self.p.user(inline={"lister": doc(dict(allow("kms:ListKeys"), Sid="CanList"))})
        rid = self.c("kms", u).list_keys()["ResponseMetadata"]["RequestId"]
        line = log_line(self.server, rid)
        self.assertIsNotNone(line, "no log line for %s" % rid)
        self.assertIn(u.arn, line)
        self.assertIn("allow kms:ListKeys by user/%s inline policy lister" % u.name, line)
        self.assertIn("CanList", line)

    def test_access_log_records_resource_policy_allow(self):
        bucket = self.bucket(["x"])
        u = self.p.user()
        self.s3.put_bucket_policy(Bucket=bucket, Policy=doc(
            {"Sid": "ShareX", "Effect": "Allow", "Principal": {"AWS": u.arn},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/x" % bucket}))
        rid = self.c("s3", u).get_object(Bucket=bucket, Key="x")["ResponseMetadata"]["RequestId"]
        line = log_line(self.server, rid)
        self.assertIsNotNone(line)
        self.assertIn("allow s3:GetObject by resource-based policy", line)
        self.assertIn("ShareX", line)


# --------------------------------------------------------------------------
# The simulator agrees with real requests
# --------------------------------------------------------------------------

def decisions(results):
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}


class SimulateTests(EnforceTestCase):
    def setUp(self):
        self.bucket_name = self.bucket(["open/a", "secret/b"])
        b = self.bucket_name
        self.policy = doc(
            dict(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::%s/*" % b), Sid="Objects"),
            dict(deny("s3:GetObject", "arn:aws:s3:::%s/secret/*" % b), Sid="NoSecrets"),
            dict(allow("kms:ListKeys"), Sid="Keys"))
        self.user = self.p.user(inline={"main": self.policy})
        self.cases = [
            ("s3:GetObject", "arn:aws:s3:::%s/open/a" % b, "allowed"),
            ("s3:GetObject", "arn:aws:s3:::%s/secret/b" % b, "explicitDeny"),
            ("s3:DeleteObject", "arn:aws:s3:::%s/open/a" % b, "implicitDeny"),
            ("kms:ListKeys", "*", "allowed"),
            ("kms:CreateKey", "*", "implicitDeny"),
        ]

    def real(self, action, resource):
        """The outcome of the real request: allowed / denied (explicitly?)."""
        s3 = self.c("s3", self.user)
        kms = self.c("kms", self.user)
        b = self.bucket_name
        key = resource.split("/", 1)[1] if resource.startswith("arn:aws:s3") else None
        call = {"s3:GetObject": lambda: s3.get_object(Bucket=b, Key=key),
                "s3:DeleteObject": lambda: s3.delete_object(Bucket=b, Key=key),
                "kms:ListKeys": kms.list_keys,
                "kms:CreateKey": kms.create_key}[action]
        resp = error_of(call)
        if resp is None:
            return "allowed"
        msg = message(resp)
        self.assertIn(resp["Error"]["Code"], ("AccessDenied", "AccessDeniedException"), msg)
        return "explicitDeny" if "explicit deny" in msg else "implicitDeny"

    def test_principal_policy_matches_requests(self):
        actions = sorted({a for a, _, _ in self.cases})
        resources = sorted({r for _, r, _ in self.cases})
        res = self.iam.simulate_principal_policy(PolicySourceArn=self.user.arn,
                                                 ActionNames=actions,
                                                 ResourceArns=resources)["EvaluationResults"]
        got = decisions(res)
        for action, resource, want in self.cases:
            with self.subTest(action=action, resource=resource):
                self.assertEqual(want, got[(action, resource)])
                self.assertEqual(want, self.real(action, resource))
        for r in res:
            if r["EvalDecision"] != "implicitDeny":
                self.assertTrue(r["MatchedStatements"], r)
                self.assertIn("main", r["MatchedStatements"][0]["SourcePolicyId"])
            else:
                self.assertEqual([], r.get("MatchedStatements", []), r)

    def test_custom_policy_matches(self):
        for action, resource, want in self.cases:
            with self.subTest(action=action, resource=resource):
                res = self.iam.simulate_custom_policy(
                    PolicyInputList=[self.policy], ActionNames=[action],
                    ResourceArns=[resource])["EvaluationResults"]
                self.assertEqual(want, res[0]["EvalDecision"])
                if want != "implicitDeny":
                    self.assertEqual(1, len(res[0]["MatchedStatements"]), res[0])

    def test_group_and_managed_policies_count(self):
        g = self.p.group(inline=[doc(allow("secretsmanager:ListSecrets"))])
        u = self.p.user(managed=[S3_READ_ONLY], groups=[g])
        got = decisions(self.iam.simulate_principal_policy(
            PolicySourceArn=u.arn, ActionNames=["secretsmanager:ListSecrets", "s3:ListAllMyBuckets",
                                                "s3:PutObject"])["EvaluationResults"])
        self.assertEqual({("secretsmanager:ListSecrets", "*"): "allowed",
                          ("s3:ListAllMyBuckets", "*"): "allowed",
                          ("s3:PutObject", "*"): "implicitDeny"}, got)
        self.c("secretsmanager", u).list_secrets()
        self.c("s3", u).list_buckets()

    def test_boundary_detail(self):
        u = self.p.user(managed=[ADMIN], boundary=S3_READ_ONLY)
        res = self.iam.simulate_principal_policy(
            PolicySourceArn=u.arn, ActionNames=["s3:ListAllMyBuckets", "kms:ListKeys"])
        got = {r["EvalActionName"]: r for r in res["EvaluationResults"]}
        self.assertEqual("allowed", got["s3:ListAllMyBuckets"]["EvalDecision"])
        self.assertEqual("implicitDeny", got["kms:ListKeys"]["EvalDecision"])
        self.assertIs(False, got["kms:ListKeys"]["PermissionsBoundaryDecisionDetail"]
                      ["AllowedByPermissionsBoundary"])
        self.assertIs(True, got["s3:ListAllMyBuckets"]["PermissionsBoundaryDecisionDetail"]
                      ["AllowedByPermissionsBoundary"])
        self.c("s3", u).list_buckets()
        check_denied(self, "kms", self.c("kms", u).list_keys)

    def test_context_entries(self):
        policy = doc(allow("kms:ListKeys", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))
        u = self.p.user(inline=[policy])
        self.c("kms", u).list_keys()  # the real request comes from 127.0.0.1

        def sim(ip):
            return self.iam.simulate_custom_policy(
                PolicyInputList=[policy], ActionNames=["kms:ListKeys"],
                ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": [ip],
                                 "ContextKeyType": "ip"}])["EvaluationResults"][0]["EvalDecision"]
        self.assertEqual("allowed", sim("127.0.0.1"))
        self.assertEqual("implicitDeny", sim("10.1.2.3"))

    def test_resource_policy_in_simulation(self):
        b = self.bucket(["shared"])
        u = self.p.user()
        bucket_policy = doc({"Effect": "Allow", "Principal": {"AWS": u.arn},
                             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % b})
        res = self.iam.simulate_principal_policy(
            PolicySourceArn=u.arn, ActionNames=["s3:GetObject"],
            ResourceArns=["arn:aws:s3:::%s/shared" % b], ResourcePolicy=bucket_policy)
        self.assertEqual("allowed", res["EvaluationResults"][0]["EvalDecision"])
        check_denied(self, "s3", self.c("s3", u).get_object, Bucket=b, Key="shared")
        self.s3.put_bucket_policy(Bucket=b, Policy=bucket_policy)
        self.c("s3", u).get_object(Bucket=b, Key="shared")

    def test_simulate_needs_permission(self):
        u = self.p.user()
        check_denied(self, "iam", self.c("iam", u).simulate_principal_policy,
                     PolicySourceArn=self.user.arn, ActionNames=["kms:ListKeys"])
        reader = self.p.user(managed=[AWSPOL + "ReadOnlyAccess"])
        res = self.c("iam", reader).simulate_principal_policy(
            PolicySourceArn=self.user.arn, ActionNames=["kms:ListKeys"])
        self.assertEqual("allowed", res["EvaluationResults"][0]["EvalDecision"])

    def test_unknown_source(self):
        check_error(self, "NoSuchEntity", 404, self.iam.simulate_principal_policy,
                    PolicySourceArn="arn:aws:iam::%s:user/%s" % (ACCOUNT, uniq("ghost")),
                    ActionNames=["kms:ListKeys"])

    def test_malformed_input_policy(self):
        check_error(self, "MalformedPolicyDocument", 400, self.iam.simulate_custom_policy,
                    PolicyInputList=["{not json"], ActionNames=["kms:ListKeys"])


if __name__ == "__main__":
    unittest.main()
