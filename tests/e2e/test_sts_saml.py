"""AssumeRoleWithSAML with real verification (issue 15 item 9): the
assertion's XML signature is checked against the signing certificate of
the SAML provider's metadata, then its audience and recipient
(https://signin.aws.amazon.com/saml), NotOnOrAfter, the Role attribute
naming the role and provider, RoleSessionName, and the role's trust policy
(SAML:aud). Assertions are signed here by the xmlsec1 command-line tool
(Debian package xmlsec1); without it the tests skip with a message.

Pinned by the STS API reference (AssumeRoleWithSAML: response members
Subject, SubjectType, Issuer, Audience, NameQualifier), the IAM User Guide
("Configure SAML assertions for the authentication response": the Role
attribute "role-arn,provider-arn", RoleSessionName, Audience and Recipient
https://signin.aws.amazon.com/saml, the trust policy's SAML:aud), and
messages users quote from AWS: "Response signature invalid"
(cevoaustralia/aws-google-auth#270), "RoleSessionName in AuthnResponse must
match [a-zA-Z_0-9+=,.@-]{2,64}" (MicrosoftDocs/azure-docs#45025)."""

import base64
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

import boto3
import botocore.config
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from harness import ServerTestCase
from enforce_util import ENFORCE, Creds, client

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover
    x509 = None

ACCOUNT = "000000000000"
AWS_SAML = "https://signin.aws.amazon.com/saml"
XMLSEC = shutil.which("xmlsec1")
TMP = tempfile.mkdtemp(prefix="awsemu-saml-")


class Idp:
    """An IdP: a key, its self-signed certificate and metadata."""

    def __init__(self, name):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - datetime.timedelta(days=1))
                     .not_valid_after(now + datetime.timedelta(days=365))
                     .sign(self.key, hashes.SHA256()))
        self.pem = os.path.join(TMP, name + ".pem")
        with open(self.pem, "wb") as f:
            f.write(self.key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        self.entity = "https://idp.example.com/" + name

    def metadata(self):
        der = base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()
        return ('<?xml version="1.0"?>\n'
                '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
                'entityID="%s"><md:IDPSSODescriptor protocolSupportEnumeration='
                '"urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">'
                '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>'
                '<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>'
                '</md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:'
                'bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>'
                '</md:IDPSSODescriptor></md:EntityDescriptor>' % (self.entity, der))


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def response(idp, role_arn, provider_arn, session="alice", audience=AWS_SAML,
             recipient=AWS_SAML, expires_in=300, extra_assertion=""):
    now = datetime.datetime.now(datetime.timezone.utc)
    aid = "_a" + uuid.uuid4().hex
    return """<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r{rid}" Version="2.0" IssueInstant="{now}" Destination="{rec}"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">{iss}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{aid}" Version="2.0" IssueInstant="{now}"><saml:Issuer>{iss}</saml:Issuer><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{aid}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice@example.com</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{exp}" Recipient="{rec}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{nb}" NotOnOrAfter="{exp}"><saml:AudienceRestriction><saml:Audience>{aud}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{now}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>{role},{prov}</saml:AttributeValue></saml:Attribute><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>{sess}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>{extra}</samlp:Response>""".format(
        rid=uuid.uuid4().hex, now=iso(now), iss=idp.entity, aid=aid, rec=recipient, aud=audience,
        nb=iso(now - datetime.timedelta(minutes=1)),
        exp=iso(now + datetime.timedelta(seconds=expires_in)),
        role=role_arn, prov=provider_arn, sess=session, extra=extra_assertion)


def sign(idp, xml):
    """The document signed by xmlsec1 with idp's key (bytes)."""
    src = os.path.join(TMP, uuid.uuid4().hex + ".xml")
    with open(src, "w") as f:
        f.write(xml)
    out = subprocess.run([XMLSEC, "--sign", "--privkey-pem", idp.pem,
                          "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", src],
                         capture_output=True, check=True)
    return out.stdout


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


class SamlBase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        if x509 is None:
            raise unittest.SkipTest("python3-cryptography is not installed")
        if XMLSEC is None:
            raise unittest.SkipTest("the xmlsec1 command (Debian package xmlsec1) is not "
                                    "installed: SAML assertions cannot be signed here")
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.idp = Idp("corp")
        cls.other = Idp("evil")
        name = "corp-" + uuid.uuid4().hex[:6]
        cls.provider = cls.iam.create_saml_provider(
            Name=name, SAMLMetadataDocument=cls.idp.metadata())["SAMLProviderArn"]
        cls.role = cls.iam.create_role(
            RoleName="saml-" + uuid.uuid4().hex[:6],
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": cls.provider},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": AWS_SAML}}}]}))["Role"]

    def sts(self):
        cfg = botocore.config.Config(signature_version=UNSIGNED, retries={"max_attempts": 0})
        return boto3.session.Session().client("sts", endpoint_url=self.server.url,
                                              region_name="us-east-1", config=cfg)

    def assume(self, assertion, role=None):
        return self.sts().assume_role_with_saml(RoleArn=(role or self.role)["Arn"],
                                                PrincipalArn=self.provider,
                                                SAMLAssertion=assertion)

    def assert_error(self, code, message, assertion, role=None):
        with self.assertRaises(ClientError) as cm:
            self.assume(assertion, role)
        err = cm.exception.response["Error"]
        self.assertEqual(code, err["Code"], err)
        if message is not None:
            self.assertEqual(message, err["Message"])
        return err


class SamlTests(SamlBase):
    def test_signed_assertion_assumes_role(self):
        got = self.assume(b64(sign(self.idp, response(self.idp, self.role["Arn"], self.provider))))
        self.assertEqual("arn:aws:sts::%s:assumed-role/%s/alice" % (ACCOUNT, self.role["RoleName"]),
                         got["AssumedRoleUser"]["Arn"])
        self.assertEqual("alice@example.com", got["Subject"])
        self.assertEqual("persistent", got["SubjectType"])
        self.assertEqual(self.idp.entity, got["Issuer"])
        self.assertEqual(AWS_SAML, got["Audience"])
        self.assertTrue(got["NameQualifier"])
        who = client(self.server, "sts", Creds.from_sts(got)).get_caller_identity()
        self.assertEqual(got["AssumedRoleUser"]["Arn"], who["Arn"])

    def test_tampered_assertion(self):
        signed = sign(self.idp, response(self.idp, self.role["Arn"], self.provider)).decode()
        tampered = signed.replace(">alice<", ">mallory<")
        self.assertNotEqual(signed, tampered)
        self.assert_error("InvalidIdentityToken", "Response signature invalid", b64(tampered))

    def test_signed_by_another_key(self):
        xml = response(self.other, self.role["Arn"], self.provider)
        self.assert_error("InvalidIdentityToken", "Response signature invalid",
                          b64(sign(self.other, xml)))

    def test_unsigned_assertion(self):
        self.assert_error("InvalidIdentityToken", "Response signature invalid",
                          b64(response(self.idp, self.role["Arn"], self.provider)))

    def test_wrapped_second_assertion_refused(self):
        # a signature wrapping attempt: an unsigned assertion next to the signed one
        extra = ('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" '
                 'Version="2.0"/>')
        xml = response(self.idp, self.role["Arn"], self.provider, extra_assertion=extra)
        self.assert_error("InvalidIdentityToken", None, b64(sign(self.idp, xml)))

    def test_expired(self):
        xml = response(self.idp, self.role["Arn"], self.provider, expires_in=-60)
        self.assert_error("ExpiredTokenException", None, b64(sign(self.idp, xml)))

    def test_wrong_audience_and_recipient(self):
        xml = response(self.idp, self.role["Arn"], self.provider, audience="https://other.example")
        self.assert_error("InvalidIdentityToken", None, b64(sign(self.idp, xml)))
        xml = response(self.idp, self.role["Arn"], self.provider, recipient="https://other.example")
        self.assert_error("InvalidIdentityToken", None, b64(sign(self.idp, xml)))

    def test_bad_session_name(self):
        xml = response(self.idp, self.role["Arn"], self.provider, session="bad name")
        self.assert_error("InvalidIdentityToken", "RoleSessionName in AuthnResponse must match "
                          "[a-zA-Z_0-9+=,.@-]{2,64}", b64(sign(self.idp, xml)))

    def test_role_not_in_assertion(self):
        other = self.iam.create_role(
            RoleName="saml2-" + uuid.uuid4().hex[:6],
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Federated": self.provider},
                "Action": "sts:AssumeRoleWithSAML"}]}))["Role"]
        signed = b64(sign(self.idp, response(self.idp, self.role["Arn"], self.provider)))
        self.assert_error("AccessDenied", None, signed, role=other)


class SamlEnforceTests(SamlBase):
    server_args = ENFORCE

    def test_unsigned_call_under_enforce(self):
        got = self.assume(b64(sign(self.idp, response(self.idp, self.role["Arn"], self.provider))))
        self.assertIn("AssumedRoleUser", got)
