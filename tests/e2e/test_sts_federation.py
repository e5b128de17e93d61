"""STS GetFederationToken with --iam enforce: the federated user's identity,
its permissions (the calling user's, limited by the session policies; none
without one), what it may not call (IAM, STS but GetCallerIdentity), the
duration limits, session tags, and the caller's own permission to ask."""

import json
import re

from harness import ServerTestCase, to_datetime
from enforce_util import (ACCOUNT, ENFORCE, ROOT, Creds, Principals, advance_clock, allow,
                          check_denied, check_error, client, deny, doc, emulated_now, message,
                          reset_clock, uniq)

ACCESS_KEY_RE = re.compile(r"^ASIA[A-Z2-7]{16}$")
FED = "arn:aws:sts::%s:federated-user/%%s" % ACCOUNT


def fed_creds(resp):
    return Creds.from_sts(resp, arn=resp["FederatedUser"]["Arn"])


class FederationTests(ServerTestCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)
        cls.kms = client(cls.server, "kms")
        cls.key_a = cls.kms.create_key(Description="fed a")["KeyMetadata"]["Arn"]
        cls.key_b = cls.kms.create_key(Description="fed b")["KeyMetadata"]["Arn"]
        # the proxy user: may federate, and may use both keys
        cls.proxy = cls.p.user(inline=[doc(allow(["sts:GetFederationToken", "sts:TagSession"]),
                                           allow(["kms:Encrypt", "kms:DescribeKey"]))])

    def federate(self, creds=None, **kw):
        kw.setdefault("Name", uniq("fed")[:32])
        return client(self.server, "sts", creds or self.proxy).get_federation_token(**kw)

    def test_identity(self):
        name = uniq("bob")[:32]
        resp = self.federate(Name=name, Policy=doc(allow("kms:Encrypt")))
        fu = resp["FederatedUser"]
        self.assertEqual(FED % name, fu["Arn"])
        self.assertEqual("%s:%s" % (ACCOUNT, name), fu["FederatedUserId"])
        c = resp["Credentials"]
        self.assertRegex(c["AccessKeyId"], ACCESS_KEY_RE)
        self.assertEqual(40, len(c["SecretAccessKey"]))
        self.assertGreater(len(c["SessionToken"]), 100)
        self.assertIn("PackedPolicySize", resp)
        # default duration: 12 hours
        left = to_datetime(c["Expiration"]) - emulated_now(self.server)
        self.assertLess(abs(left.total_seconds() - 43200), 120)
        who = client(self.server, "sts", fed_creds(resp)).get_caller_identity()
        self.assertEqual(FED % name, who["Arn"])
        self.assertEqual("%s:%s" % (ACCOUNT, name), who["UserId"])
        self.assertEqual(ACCOUNT, who["Account"])

    def test_session_policy_limits_the_user(self):
        resp = self.federate(Policy=doc(allow("kms:Encrypt", self.key_a)))
        kms = client(self.server, "kms", fed_creds(resp))
        kms.encrypt(KeyId=self.key_a, Plaintext=b"x")
        # the user may use key b, the session policy does not allow it
        r = check_denied(self, "kms", kms.encrypt, KeyId=self.key_b, Plaintext=b"x")
        self.assertIn(FED % resp["FederatedUser"]["Arn"].rsplit("/", 1)[1], message(r))
        self.assertIn("kms:Encrypt", message(r))
        # the session policy allows DescribeKey... the user's policy too
        check_denied(self, "kms", kms.describe_key, KeyId=self.key_a)

    def test_session_policy_cannot_widen(self):
        # the session allows Decrypt; the user may not: denied
        resp = self.federate(Policy=doc(allow(["kms:Encrypt", "kms:Decrypt"])))
        kms = client(self.server, "kms", fed_creds(resp))
        blob = kms.encrypt(KeyId=self.key_a, Plaintext=b"secret")["CiphertextBlob"]
        check_denied(self, "kms", kms.decrypt, CiphertextBlob=blob)

    def test_no_session_policy_no_permissions(self):
        resp = self.federate()
        kms = client(self.server, "kms", fed_creds(resp))
        r = check_denied(self, "kms", kms.encrypt, KeyId=self.key_a, Plaintext=b"x")
        self.assertIn("kms:Encrypt", message(r))
        # but it may always ask who it is
        sts = client(self.server, "sts", fed_creds(resp))
        self.assertEqual(resp["FederatedUser"]["Arn"], sts.get_caller_identity()["Arn"])

    def test_policy_arns(self):
        arn = self.p.managed(doc(allow("kms:Encrypt", self.key_b)))
        resp = self.federate(PolicyArns=[{"arn": arn}])
        kms = client(self.server, "kms", fed_creds(resp))
        kms.encrypt(KeyId=self.key_b, Plaintext=b"x")
        check_denied(self, "kms", kms.encrypt, KeyId=self.key_a, Plaintext=b"x")

    def test_session_deny_wins(self):
        resp = self.federate(Policy=doc(allow("kms:*"), deny("kms:Encrypt", self.key_b)))
        kms = client(self.server, "kms", fed_creds(resp))
        kms.encrypt(KeyId=self.key_a, Plaintext=b"x")
        r = check_denied(self, "kms", kms.encrypt, KeyId=self.key_b, Plaintext=b"x")
        self.assertIn("explicit deny", message(r))

    def test_no_iam_and_no_sts_but_caller_identity(self):
        resp = self.federate(Policy=doc(allow("*")))
        creds = fed_creds(resp)
        r = check_denied(self, "iam", client(self.server, "iam", creds).list_users)
        self.assertIn("iam:ListUsers", message(r))
        sts = client(self.server, "sts", creds)
        check_denied(self, "sts", sts.get_session_token)
        check_denied(self, "sts", sts.get_federation_token, Name="again",
                     Policy=doc(allow("*")))

    def test_caller_needs_permission(self):
        u = self.p.user(inline=[doc(allow("kms:Encrypt"))])
        name = uniq("f")[:32]
        r = check_denied(self, "sts", self.federate, creds=u, Name=name)
        self.assertIn("sts:GetFederationToken", message(r))
        self.assertIn(FED % name, message(r))
        # allowed on one federated-user name only
        v = self.p.user(inline=[doc(allow("sts:GetFederationToken", FED % "alice*"))])
        self.federate(creds=v, Name="alice-1", Policy=doc(allow("kms:Encrypt")))
        check_denied(self, "sts", self.federate, creds=v, Name="mallory")

    def test_not_with_session_credentials(self):
        role = self.p.role(inline=[doc(allow("sts:GetFederationToken"))])
        s = self.p.session(role)
        r = check_error(self, "AccessDenied", 403, self.federate, creds=s, Name="x1")
        self.assertIn("session credentials", message(r))

    def test_root_may_and_is_capped_at_an_hour(self):
        resp = self.federate(creds=ROOT, DurationSeconds=7200,
                             Policy=doc(allow("kms:DescribeKey")))
        left = to_datetime(resp["Credentials"]["Expiration"]) - emulated_now(self.server)
        self.assertLess(left.total_seconds(), 3600 + 120)
        self.assertGreater(left.total_seconds(), 3600 - 120)
        kms = client(self.server, "kms", fed_creds(resp))
        kms.describe_key(KeyId=self.key_a)  # root's permissions, narrowed by the session
        check_denied(self, "kms", kms.encrypt, KeyId=self.key_a, Plaintext=b"x")

    def test_validation(self):
        sts = client(self.server, "sts", self.proxy, validate=False)
        for bad in ("a", "x" * 33, "has space", "semi;colon"):
            with self.subTest(name=bad):
                check_error(self, "ValidationError", 400, sts.get_federation_token, Name=bad)
        for secs in (899, 129601):
            with self.subTest(duration=secs):
                check_error(self, "ValidationError", 400, sts.get_federation_token, Name="okname",
                            DurationSeconds=secs)
        check_error(self, "MalformedPolicyDocument", 400, sts.get_federation_token, Name="okname",
                    Policy="{not json")

    def test_expires(self):
        resp = self.federate(DurationSeconds=900, Policy=doc(allow("kms:Encrypt")))
        kms = client(self.server, "kms", fed_creds(resp))
        kms.encrypt(KeyId=self.key_a, Plaintext=b"x")
        advance_clock(self.server, 901)
        try:
            check_error(self, "ExpiredTokenException", 400, kms.encrypt, KeyId=self.key_a,
                        Plaintext=b"x")
        finally:
            reset_clock(self.server)

    def test_session_tags(self):
        resp = self.federate(Tags=[{"Key": "team", "Value": "ml"}],
                             Policy=doc(allow("kms:Encrypt", "*",
                                              Condition={"StringEquals": {
                                                  "aws:PrincipalTag/team": "ml"}})))
        client(self.server, "kms", fed_creds(resp)).encrypt(KeyId=self.key_a, Plaintext=b"x")
        resp = self.federate(Tags=[{"Key": "team", "Value": "web"}],
                             Policy=doc(allow("kms:Encrypt", "*",
                                              Condition={"StringEquals": {
                                                  "aws:PrincipalTag/team": "ml"}})))
        check_denied(self, "kms", client(self.server, "kms", fed_creds(resp)).encrypt,
                     KeyId=self.key_a, Plaintext=b"x")
        # tags need sts:TagSession
        u = self.p.user(inline=[doc(allow("sts:GetFederationToken"))])
        r = check_denied(self, "sts", self.federate, creds=u,
                         Tags=[{"Key": "team", "Value": "ml"}])
        self.assertIn("sts:TagSession", message(r))

    def test_resource_policy_names_the_federated_user(self):
        # a secret whose resource policy allows the federated user directly:
        # allowed without any session policy
        sm = client(self.server, "secretsmanager")
        name = uniq("fedsec")[:32]
        arn = sm.create_secret(Name=uniq("s"), SecretString="v")["ARN"]
        sm.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": FED % name},
                "Action": "secretsmanager:DescribeSecret", "Resource": "*"}]}))
        resp = self.federate(Name=name)
        fsm = client(self.server, "secretsmanager", fed_creds(resp))
        self.assertEqual(arn, fsm.describe_secret(SecretId=arn)["ARN"])
        check_denied(self, "secretsmanager", fsm.get_secret_value, SecretId=arn)


class StandaloneAccountTests(ServerTestCase):
    """STS operations for features a standalone account does not have
    answer as AWS answers it, after validating their input."""

    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sts = client(cls.server, "sts", validate=False)

    def call(self, op, **kw):
        if not hasattr(self.sts, op):
            self.skipTest("this botocore has no %s" % op)
        return getattr(self.sts, op)(**kw)

    def test_assume_root(self):
        r = check_error(self, "AccessDenied", 403, self.call, "assume_root",
                        TargetPrincipal="111122223333",
                        TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"})
        self.assertIn("sts:AssumeRoot", message(r))
        check_error(self, "ValidationError", 400, self.call, "assume_root",
                    TargetPrincipal="1111",
                    TaskPolicyArn={"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"})

    def test_get_web_identity_token(self):
        check_error(self, "OutboundWebIdentityFederationDisabledException", 403, self.call,
                    "get_web_identity_token", Audience=["https://example.com"],
                    SigningAlgorithm="RS256")
        check_error(self, "ValidationError", 400, self.call, "get_web_identity_token",
                    Audience=["https://example.com"], SigningAlgorithm="HS256")
        check_error(self, "ValidationError", 400, self.call, "get_web_identity_token",
                    Audience=["a"] * 11, SigningAlgorithm="RS256")

    def test_get_delegated_access_token(self):
        check_error(self, "ExpiredTradeInTokenException", 400, self.call,
                    "get_delegated_access_token", TradeInToken="not-a-token")


class PrincipalTypeTests(ServerTestCase):
    """aws:PrincipalType as AWS sets it: User for an IAM user and for its
    GetSessionToken credentials, FederatedUser for GetFederationToken."""

    server_args = ENFORCE
    needs_process = True

    def test_principal_type(self):
        p = Principals(self.server)
        kms = client(self.server, "kms")
        kid = kms.create_key()["KeyMetadata"]["KeyId"]

        def only(ptype):
            return doc(allow("kms:Encrypt", "*", Condition={
                "StringEquals": {"aws:PrincipalType": ptype}}))

        u = p.user(inline=[only("User"), doc(allow(["sts:GetFederationToken"]))])
        client(self.server, "kms", u).encrypt(KeyId=kid, Plaintext=b"x")
        st = client(self.server, "sts", u).get_session_token(DurationSeconds=900)
        client(self.server, "kms", Creds.from_sts(st)).encrypt(KeyId=kid, Plaintext=b"x")
        fed = client(self.server, "sts", u).get_federation_token(
            Name="ptype", Policy=only("FederatedUser"))
        # the session policy asks FederatedUser, the user's own policy User:
        # the federated user is not a User, so the identity side denies
        check_denied(self, "kms", client(self.server, "kms", fed_creds(fed)).encrypt,
                     KeyId=kid, Plaintext=b"x")
        v = p.user(inline=[only("FederatedUser"), doc(allow(["sts:GetFederationToken"]))])
        fed = client(self.server, "sts", v).get_federation_token(
            Name="ptype2", Policy=only("FederatedUser"))
        client(self.server, "kms", fed_creds(fed)).encrypt(KeyId=kid, Plaintext=b"x")
