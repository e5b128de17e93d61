"""AssumeRoleWithWebIdentity with real verification, offline (issue 15
item 9): awsemu checks the token's signature against the JWK Set
registered with --oidc-jwks ISSUER=FILE, the issuer against the account's
IAM OIDC providers, the audience against the provider's client ids, the
expiry, and the role's trust policy with <provider>:sub / :aud conditions
(GitHub Actions and EKS IRSA style). The tokens are minted here with
`cryptography` (RSA and EC keys, JWS by hand).

AWS's behaviour is pinned by the STS API reference (AssumeRoleWithWebIdentity:
errors InvalidIdentityToken, ExpiredTokenException, response members
Provider, Audience, SubjectFromWebIdentityToken), the IAM User Guide
("Configuring a role for GitHub OIDC identity provider", "IAM roles for
service accounts": trust policy conditions on <provider>:sub and :aud), and
messages users quote from AWS: "No OpenIDConnect provider found in your
account for https://token.actions.githubusercontent.com"
(aws-actions/configure-aws-credentials#280), "Incorrect token audience"
(#775), "Couldn't retrieve verification key from your identity provider,
please reference AssumeRoleWithWebIdentity documentation for requirements"
(awslabs/aws-sdk-rust#827), "Token expired: current date/time N must be
before the expiration date/timeM"."""

import base64
import json
import os
import tempfile
import time
import unittest

import boto3
import botocore.config
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from harness import ServerTestCase
from enforce_util import ENFORCE, Creds, allow, client, doc, uniq

try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
except ImportError:  # pragma: no cover
    ec = None

ACCOUNT = "000000000000"
GH = "https://token.actions.githubusercontent.com"
GH_HOST = "token.actions.githubusercontent.com"
EKS = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
EKS_HOST = EKS[len("https://"):]
THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_b64u(n, size=None):
    size = size or (n.bit_length() + 7) // 8
    return b64u(n.to_bytes(size, "big"))


class Signer:
    """A key of the IdP: signs JWTs and publishes its JWK."""

    def __init__(self, kind, kid):
        self.kind, self.kid = kind, kid
        if kind == "RS256" or kind == "PS256":
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            self.key = ec.generate_private_key(ec.SECP256R1() if kind == "ES256" else ec.SECP384R1())

    def jwk(self):
        pub = self.key.public_key().public_numbers()
        if self.kind in ("RS256", "PS256"):
            return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": self.kind,
                    "n": int_b64u(pub.n), "e": int_b64u(pub.e)}
        crv, size = ("P-256", 32) if self.kind == "ES256" else ("P-384", 48)
        return {"kty": "EC", "kid": self.kid, "crv": crv,
                "x": int_b64u(pub.x, size), "y": int_b64u(pub.y, size)}

    def token(self, claims, header=None):
        h = {"alg": self.kind, "typ": "JWT", "kid": self.kid}
        h.update(header or {})
        signing = ("%s.%s" % (b64u(json.dumps(h).encode()),
                              b64u(json.dumps(claims).encode()))).encode()
        if self.kind == "RS256":
            sig = self.key.sign(signing, padding.PKCS1v15(), hashes.SHA256())
        elif self.kind == "PS256":
            sig = self.key.sign(signing, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                     salt_length=32), hashes.SHA256())
        else:
            h_alg, size = (hashes.SHA256(), 32) if self.kind == "ES256" else (hashes.SHA384(), 48)
            r, s = decode_dss_signature(self.key.sign(signing, ec.ECDSA(h_alg)))
            sig = r.to_bytes(size, "big") + s.to_bytes(size, "big")
        return signing.decode() + "." + b64u(sig)


TMP = tempfile.mkdtemp(prefix="awsemu-oidc-")
SIGNERS = {}
SERVER_ARGS = ()
if ec is not None:
    SIGNERS = {"gh": Signer("RS256", "gh-1"), "gh_ec": Signer("ES256", "gh-2"),
               "gh_ps": Signer("PS256", "gh-3"), "eks": Signer("ES384", "eks-1"),
               "rogue": Signer("RS256", "gh-1")}  # same kid, another key
    with open(os.path.join(TMP, "gh.json"), "w") as f:
        json.dump({"keys": [SIGNERS[k].jwk() for k in ("gh", "gh_ec", "gh_ps")]}, f)
    with open(os.path.join(TMP, "eks.json"), "w") as f:
        json.dump({"keys": [SIGNERS["eks"].jwk()]}, f)
    SERVER_ARGS = ("--oidc-jwks", "%s=%s" % (GH, os.path.join(TMP, "gh.json")),
                   "--oidc-jwks", "%s=%s" % (EKS, os.path.join(TMP, "eks.json")))


def gh_claims(**kw):
    now = int(time.time())
    c = {"iss": GH, "aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
         "repository": "octo-org/octo-repo", "ref": "refs/heads/main", "iat": now - 10,
         "nbf": now - 10, "exp": now + 300}
    c.update(kw)
    return c


class WebIdentityBase(ServerTestCase):
    server_args = SERVER_ARGS

    @classmethod
    def setUpClass(cls):
        if ec is None:
            raise unittest.SkipTest("python3-cryptography is not installed")
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.gh_provider = cls.provider(GH, ["sts.amazonaws.com"])
        cls.eks_provider = cls.provider(EKS, ["sts.amazonaws.com"])
        cls.gh_role = cls.role({
            "Effect": "Allow", "Principal": {"Federated": cls.gh_provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {GH_HOST + ":aud": "sts.amazonaws.com"},
                          "StringLike": {GH_HOST + ":sub": "repo:octo-org/octo-repo:ref:refs/heads/main"}}})
        cls.eks_role = cls.role({
            "Effect": "Allow", "Principal": {"Federated": cls.eks_provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {EKS_HOST + ":sub": "system:serviceaccount:default:my-sa",
                                           EKS_HOST + ":aud": "sts.amazonaws.com"}}})

    @classmethod
    def provider(cls, url, client_ids):
        arn = "arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, url[len("https://"):])
        try:
            cls.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        except ClientError:
            pass
        return cls.iam.create_open_id_connect_provider(
            Url=url, ClientIDList=client_ids, ThumbprintList=[THUMB])["OpenIDConnectProviderArn"]

    @classmethod
    def role(cls, statement, name=None):
        return cls.iam.create_role(RoleName=name or uniq("web"), AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}))["Role"]

    def sts(self):
        """An unsigned STS client, as SDKs call AssumeRoleWithWebIdentity."""
        cfg = botocore.config.Config(signature_version=UNSIGNED, retries={"max_attempts": 0})
        return boto3.session.Session().client("sts", endpoint_url=self.server.url,
                                              region_name="us-east-1", config=cfg)

    def assume(self, role, token, **kw):
        return self.sts().assume_role_with_web_identity(
            RoleArn=role["Arn"], RoleSessionName=kw.pop("name", "gha"), WebIdentityToken=token,
            **kw)

    def assert_error(self, code, message, role, token, **kw):
        with self.assertRaises(ClientError) as cm:
            self.assume(role, token, **kw)
        err = cm.exception.response["Error"]
        self.assertEqual(code, err["Code"], err)
        if message is not None:
            self.assertEqual(message, err["Message"])
        return err


class GitHubActionsTests(WebIdentityBase):
    def test_github_actions_token_assumes_role(self):
        for kind in ("gh", "gh_ec", "gh_ps"):
            with self.subTest(alg=SIGNERS[kind].kind):
                got = self.assume(self.gh_role, SIGNERS[kind].token(gh_claims()))
                self.assertEqual("arn:aws:sts::%s:assumed-role/%s/gha"
                                 % (ACCOUNT, self.gh_role["RoleName"]),
                                 got["AssumedRoleUser"]["Arn"])
                self.assertEqual("repo:octo-org/octo-repo:ref:refs/heads/main",
                                 got["SubjectFromWebIdentityToken"])
                self.assertEqual(self.gh_provider, got["Provider"])
                self.assertEqual("sts.amazonaws.com", got["Audience"])
                self.assertTrue(got["Credentials"]["AccessKeyId"].startswith("ASIA"))

    def test_session_credentials_work(self):
        got = self.assume(self.gh_role, SIGNERS["gh"].token(gh_claims()), DurationSeconds=900)
        who = client(self.server, "sts", Creds.from_sts(got)).get_caller_identity()
        self.assertEqual(got["AssumedRoleUser"]["Arn"], who["Arn"])

    def test_other_branch_is_refused_by_the_sub_condition(self):
        tok = SIGNERS["gh"].token(gh_claims(sub="repo:octo-org/octo-repo:ref:refs/heads/dev"))
        self.assert_error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity",
                          self.gh_role, tok)
        tok = SIGNERS["gh"].token(gh_claims(sub="repo:evil-org/octo-repo:ref:refs/heads/main"))
        self.assert_error("AccessDenied", None, self.gh_role, tok)

    def test_string_like_sub_with_wildcard(self):
        role = self.role({"Effect": "Allow", "Principal": {"Federated": self.gh_provider},
                          "Action": "sts:AssumeRoleWithWebIdentity",
                          "Condition": {"StringLike": {GH_HOST + ":sub": "repo:octo-org/*"}}})
        tok = SIGNERS["gh"].token(gh_claims(sub="repo:octo-org/other:pull_request"))
        self.assertIn("AssumedRoleUser", self.assume(role, tok))

    def test_forged_signature_is_invalid(self):
        # same kid, another key: the registered JWK does not verify it
        tok = SIGNERS["rogue"].token(gh_claims())
        self.assert_error("InvalidIdentityToken", None, self.gh_role, tok)
        # a tampered payload under a real signature
        head, _, sig = SIGNERS["gh"].token(gh_claims()).split(".")
        forged = b64u(json.dumps(gh_claims(sub="repo:octo-org/octo-repo:ref:refs/heads/main",
                                           extra=1)).encode())
        self.assert_error("InvalidIdentityToken", None, self.gh_role,
                          "%s.%s.%s" % (head, forged, sig))

    def test_alg_none_and_garbage_are_invalid(self):
        claims = b64u(json.dumps(gh_claims()).encode())
        none = b64u(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + claims + "."
        self.assert_error("InvalidIdentityToken", None, self.gh_role, none)
        self.assert_error("InvalidIdentityToken", None, self.gh_role, "not-a-jwt")

    def test_unknown_kid_cannot_be_verified(self):
        tok = SIGNERS["gh"].token(gh_claims(), header={"kid": "nope"})
        self.assert_error("InvalidIdentityToken",
                          "Couldn't retrieve verification key from your identity provider,  "
                          "please reference AssumeRoleWithWebIdentity documentation for "
                          "requirements", self.gh_role, tok)

    def test_expired_token(self):
        now = int(time.time())
        tok = SIGNERS["gh"].token(gh_claims(exp=now - 60, iat=now - 400, nbf=now - 400))
        err = self.assert_error("ExpiredTokenException", None, self.gh_role, tok)
        self.assertRegex(err["Message"], r"^Token expired: current date/time \d+ must be before "
                                         r"the expiration date/time%d$" % (now - 60))

    def test_wrong_audience(self):
        tok = SIGNERS["gh"].token(gh_claims(aud="sigstore"))
        self.assert_error("InvalidIdentityToken", "Incorrect token audience", self.gh_role, tok)

    def test_issuer_without_provider(self):
        tok = SIGNERS["gh"].token(gh_claims(iss="https://issuer.example.com"))
        self.assert_error("InvalidIdentityToken",
                          "No OpenIDConnect provider found in your account for "
                          "https://issuer.example.com", self.gh_role, tok)

    def test_role_without_trust_for_the_provider(self):
        role = self.role({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                          "Action": "sts:AssumeRole"})
        self.assert_error("AccessDenied", None, role, SIGNERS["gh"].token(gh_claims()))

    def test_validation_before_token(self):
        with self.assertRaises(ClientError) as cm:
            self.sts().assume_role_with_web_identity(
                RoleArn=self.gh_role["Arn"], RoleSessionName="bad name!",
                WebIdentityToken=SIGNERS["gh"].token(gh_claims()))
        self.assertEqual("ValidationError", cm.exception.response["Error"]["Code"])


class EksIrsaTests(WebIdentityBase):
    def test_irsa_service_account_token(self):
        now = int(time.time())
        claims = {"iss": EKS, "aud": ["sts.amazonaws.com"], "sub": "system:serviceaccount:default:my-sa",
                  "iat": now, "nbf": now, "exp": now + 86400,
                  "kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "my-sa"}}}
        got = self.assume(self.eks_role, SIGNERS["eks"].token(claims), name="botocore-session-1")
        self.assertEqual("system:serviceaccount:default:my-sa", got["SubjectFromWebIdentityToken"])
        self.assertEqual(self.eks_provider, got["Provider"])
        claims["sub"] = "system:serviceaccount:kube-system:other"
        self.assert_error("AccessDenied", None, self.eks_role, SIGNERS["eks"].token(claims))

    def test_sdk_web_identity_provider_end_to_end(self):
        """boto3's own AssumeRoleWithWebIdentity credential provider (the
        one IRSA pods use: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE)."""
        now = int(time.time())
        claims = {"iss": EKS, "aud": "sts.amazonaws.com", "sub": "system:serviceaccount:default:my-sa",
                  "iat": now, "exp": now + 3600}
        path = os.path.join(TMP, "token")
        with open(path, "w") as f:
            f.write(SIGNERS["eks"].token(claims))
        cfg = os.path.join(TMP, "config")
        with open(cfg, "w") as f:
            f.write("[profile irsa]\nrole_arn = %s\nweb_identity_token_file = %s\n"
                    "endpoint_url = %s\n" % (self.eks_role["Arn"], path, self.server.url))
        old = os.environ.get("AWS_CONFIG_FILE")
        os.environ["AWS_CONFIG_FILE"] = cfg
        try:
            sess = boto3.session.Session(profile_name="irsa", region_name="us-east-1")
            who = sess.client("sts", endpoint_url=self.server.url).get_caller_identity()
        except Exception as e:  # older botocore: no endpoint_url in profiles
            if "endpoint" in str(e).lower():
                self.skipTest("this botocore does not take endpoint_url from a profile")
            raise
        finally:
            os.environ["AWS_CONFIG_FILE"] = old or os.devnull
        self.assertIn(":assumed-role/%s/" % self.eks_role["RoleName"], who["Arn"])


class WebIdentityEnforceTests(WebIdentityBase):
    """Under --iam enforce the call is still unsigned, and the session's
    permissions are the role's."""
    server_args = SERVER_ARGS + ENFORCE

    def test_unsigned_call_and_role_permissions(self):
        self.iam.put_role_policy(RoleName=self.gh_role["RoleName"], PolicyName="p",
                                 PolicyDocument=doc(allow("sts:GetCallerIdentity")))
        got = self.assume(self.gh_role, SIGNERS["gh"].token(gh_claims()))
        creds = Creds.from_sts(got)
        self.assertEqual(got["AssumedRoleUser"]["Arn"],
                         client(self.server, "sts", creds).get_caller_identity()["Arn"])
        with self.assertRaises(ClientError) as cm:
            client(self.server, "kms", creds).list_keys()
        self.assertEqual("AccessDeniedException", cm.exception.response["Error"]["Code"])
