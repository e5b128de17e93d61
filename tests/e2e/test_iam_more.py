"""IAM operations beyond users/roles/policies, through boto3 and the aws CLI:
login profiles and the password policy, account alias and summary, OIDC and
SAML providers, virtual MFA (TOTP codes computed here per RFC 6238), SSH
keys, signing and server certificates, service-specific credentials,
service-linked roles, reports and context keys, and the Organizations /
delegation / outbound-federation answers of an account outside an
organization. Also: DeleteUser conflicts and nothing secret at rest.
"""

import base64
import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import DEFAULT_ACCOUNT, EXTERNAL_URL, Server, ServerTestCase, scan_for

ACCOUNT = DEFAULT_ACCOUNT
AWS = shutil.which("aws")
OPENSSL = shutil.which("openssl")


def uniq(prefix="u"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def totp(seed_b32, step):
    key = base64.b32decode(seed_b32 + "=" * (-len(seed_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def emulated_time(server):
    status, _, raw = server.http("GET", "/_awsemu/clock")
    if status != 200:
        return time.time()
    import datetime
    s = json.loads(raw)["now"].strip().replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s).timestamp()


def ssh_key(seed=None):
    """An ssh-rsa public key line (structure only) and AWS's MD5 fingerprint."""
    def sshstr(b):
        return struct.pack(">I", len(b)) + b
    # a 2048-bit modulus has its top bit set (ssh-keygen's do): a random
    # first byte of 0 would make it shorter, which IAM refuses (1 run in 256)
    m = seed or os.urandom(256)
    n = b"\x00" + bytes([m[0] | 0x80]) + m[1:]
    blob = sshstr(b"ssh-rsa") + sshstr(b"\x01\x00\x01") + sshstr(n)
    fp = ":".join("%02x" % c for c in hashlib.md5(blob).digest())
    return "ssh-rsa %s test@host" % base64.b64encode(blob).decode(), fp


def self_signed(tmp, cn="example.com"):
    key, crt = os.path.join(tmp, cn + ".key"), os.path.join(tmp, cn + ".crt")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "30", "-subj", "/CN=" + cn],
                   check=True, capture_output=True)
    with open(key) as k, open(crt) as c:
        return c.read(), k.read()


SAML_META = ("<?xml version=\"1.0\"?><md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
             "entityID=\"https://idp.example.com/saml\" validUntil=\"2035-01-02T03:04:05Z\">"
             "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
             "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
             "Location=\"https://idp.example.com/sso\"/>" + "<!-- padding -->" * 60 +
             "</md:IDPSSODescriptor></md:EntityDescriptor>")


class MoreCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")

    def err(self, code, fn, *args, status=None, message=None, **kwargs):
        try:
            fn(*args, **kwargs)
        except ClientError as e:
            got = e.response.get("Error", {})
            self.assertEqual(code, got.get("Code"), "message: %r" % got.get("Message"))
            if status is not None:
                self.assertEqual(status, e.response["ResponseMetadata"]["HTTPStatusCode"])
            if message is not None:
                self.assertRegex(got.get("Message", ""), message)
            return got.get("Message")
        self.fail("expected %s, call succeeded" % code)

    def has(self, op):
        if op not in self.iam.meta.service_model.operation_names:
            self.skipTest("this botocore has no %s" % op)

    def user(self):
        name = uniq("mu")
        self.iam.create_user(UserName=name)
        return name


class LoginProfileTests(MoreCase):
    def test_profile_lifecycle_and_policy(self):
        u = self.user()
        self.err("NoSuchEntity", self.iam.get_login_profile, UserName=u, status=404)
        # AWS's default policy: three of four character classes
        self.err("PasswordPolicyViolation", self.iam.create_login_profile, UserName=u,
                 Password="alllowercase", status=400)
        p = self.iam.create_login_profile(UserName=u, Password="Abcdef12!x",
                                          PasswordResetRequired=True)["LoginProfile"]
        self.assertEqual(u, p["UserName"])
        self.assertTrue(p["PasswordResetRequired"])
        self.err("EntityAlreadyExists", self.iam.create_login_profile, UserName=u,
                 Password="Abcdef12!x", status=409)
        self.iam.update_login_profile(UserName=u, PasswordResetRequired=False)
        self.assertFalse(self.iam.get_login_profile(UserName=u)["LoginProfile"]["PasswordResetRequired"])
        self.err("DeleteConflict", self.iam.delete_user, UserName=u, status=409,
                 message="login profile")
        self.iam.delete_login_profile(UserName=u)
        self.err("NoSuchEntity", self.iam.delete_login_profile, UserName=u)
        self.iam.delete_user(UserName=u)

    def test_account_password_policy(self):
        try:
            self.iam.delete_account_password_policy()
        except ClientError:
            pass
        self.err("NoSuchEntity", self.iam.get_account_password_policy, status=404)
        self.err("NoSuchEntity", self.iam.delete_account_password_policy)
        self.iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True,
                                                RequireNumbers=True, MaxPasswordAge=90,
                                                AllowUsersToChangePassword=True)
        try:
            pol = self.iam.get_account_password_policy()["PasswordPolicy"]
            self.assertEqual(12, pol["MinimumPasswordLength"])
            self.assertTrue(pol["RequireSymbols"] and pol["RequireNumbers"])
            self.assertFalse(pol["RequireUppercaseCharacters"])
            self.assertTrue(pol["ExpirePasswords"])
            self.assertEqual(90, pol["MaxPasswordAge"])
            u = self.user()
            self.err("PasswordPolicyViolation", self.iam.create_login_profile, UserName=u,
                     Password="short1!", message="minimum length of 12")
            self.err("PasswordPolicyViolation", self.iam.create_login_profile, UserName=u,
                     Password="longenoughpassword!", message="number")
            self.iam.create_login_profile(UserName=u, Password="longenough1password!")
            self.iam.delete_login_profile(UserName=u)
            self.iam.delete_user(UserName=u)
            nv = self.server.client("iam", validate=False)
            self.err("ValidationError", nv.update_account_password_policy, MinimumPasswordLength=3)
        finally:
            self.iam.delete_account_password_policy()

    def test_change_password(self):
        u = self.user()
        self.iam.create_login_profile(UserName=u, Password="Start-pass-1")
        key = self.iam.create_access_key(UserName=u)["AccessKey"]
        mine = self.server.client("iam", access_key=key["AccessKeyId"],
                                  secret_key=key["SecretAccessKey"])
        self.err("AccessDenied", mine.change_password, OldPassword="wrong-Pass-1",
                 NewPassword="Next-pass-2")
        self.err("PasswordPolicyViolation", mine.change_password, OldPassword="Start-pass-1",
                 NewPassword="weak")
        mine.change_password(OldPassword="Start-pass-1", NewPassword="Next-pass-2")
        mine.change_password(OldPassword="Next-pass-2", NewPassword="Third-pass-3")
        # the root user has no password IAM manages
        self.err("InvalidUserType", self.iam.change_password, OldPassword="x", NewPassword="y")
        self.iam.delete_access_key(UserName=u, AccessKeyId=key["AccessKeyId"])
        self.iam.delete_login_profile(UserName=u)
        self.iam.delete_user(UserName=u)


class AccountTests(MoreCase):
    def test_alias(self):
        for a in self.iam.list_account_aliases()["AccountAliases"]:
            self.iam.delete_account_alias(AccountAlias=a)
        alias = "acme-" + uuid.uuid4().hex[:8]
        self.iam.create_account_alias(AccountAlias=alias)
        self.assertEqual([alias], self.iam.list_account_aliases()["AccountAliases"])
        other = alias + "-b"
        self.iam.create_account_alias(AccountAlias=other)  # replaces: one alias at most
        self.assertEqual([other], self.iam.list_account_aliases()["AccountAliases"])
        self.err("NoSuchEntity", self.iam.delete_account_alias, AccountAlias=alias)
        nv = self.server.client("iam", validate=False)
        self.err("ValidationError", nv.create_account_alias, AccountAlias="Bad_Alias")
        self.err("ValidationError", nv.create_account_alias, AccountAlias="a--b")
        self.iam.delete_account_alias(AccountAlias=other)
        self.assertEqual([], self.iam.list_account_aliases()["AccountAliases"])

    def test_summary_counts(self):
        before = self.iam.get_account_summary()["SummaryMap"]
        u = self.user()
        after = self.iam.get_account_summary()["SummaryMap"]
        self.assertEqual(before["Users"] + 1, after["Users"])
        self.assertEqual(2, after["AccessKeysPerUserQuota"])
        self.assertEqual(5000, after["UsersQuota"])
        for k in ("Groups", "Roles", "Policies", "MFADevices", "ServerCertificates", "Providers"):
            self.assertIn(k, after)
        self.iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v2Token")
        self.assertEqual(2, self.iam.get_account_summary()["SummaryMap"]["GlobalEndpointTokenVersion"])
        self.iam.set_security_token_service_preferences(GlobalEndpointTokenVersion="v1Token")
        self.iam.delete_user(UserName=u)

    def test_not_in_an_organization(self):
        for op in ("list_organizations_features", "enable_organizations_root_sessions",
                   "disable_organizations_root_credentials_management"):
            fn = getattr(self.iam, op, None)
            if fn is None:
                continue
            self.err("OrganizationNotFoundException", fn)
        jid = self.iam.generate_organizations_access_report(
            EntityPath="o-a1b2c3d4e5/r-f6g7")["JobId"]
        rep = self.iam.get_organizations_access_report(JobId=jid)
        self.assertEqual("FAILED", rep["JobStatus"])
        self.err("NoSuchEntity", self.iam.get_organizations_access_report, JobId=str(uuid.uuid4()))

    def test_delegation_and_outbound_federation(self):
        self.has("GetDelegationRequest")
        self.err("NoSuchEntity", self.iam.get_delegation_request,
                 DelegationRequestId="abcdefghijklmnop")
        self.assertEqual([], self.iam.list_delegation_requests().get("DelegationRequests", []))
        self.err("FeatureDisabled", self.iam.get_outbound_web_identity_federation_info, status=404)
        issuer = self.iam.enable_outbound_web_identity_federation()["IssuerIdentifier"]
        self.assertTrue(issuer.startswith("https://"))
        self.err("FeatureEnabled", self.iam.enable_outbound_web_identity_federation, status=409)
        self.assertEqual(issuer, self.iam.get_outbound_web_identity_federation_info()["IssuerIdentifier"])
        self.iam.disable_outbound_web_identity_federation()
        self.err("FeatureDisabled", self.iam.disable_outbound_web_identity_federation)


class ProviderTests(MoreCase):
    def test_oidc_lifecycle(self):
        url = "https://token.actions.%s.example.com" % uuid.uuid4().hex[:6]
        tp = "6938fd4d98bab03faadb97b34396831e3780aea1"
        arn = self.iam.create_open_id_connect_provider(
            Url=url, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[tp],
            Tags=[{"Key": "team", "Value": "ci"}])["OpenIDConnectProviderArn"]
        self.assertEqual("arn:aws:iam::%s:oidc-provider/%s" % (ACCOUNT, url[8:]), arn)
        self.err("EntityAlreadyExists", self.iam.create_open_id_connect_provider, Url=url,
                 ThumbprintList=[tp], status=409)
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.assertEqual(url[8:], got["Url"])
        self.assertEqual(["sts.amazonaws.com"], got["ClientIDList"])
        self.assertEqual([tp], got["ThumbprintList"])
        self.assertEqual([{"Key": "team", "Value": "ci"}], got["Tags"])
        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app-2")
        self.iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app-2")
        self.iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                                                ClientID="sts.amazonaws.com")
        self.assertEqual(["app-2"], self.iam.get_open_id_connect_provider(
            OpenIDConnectProviderArn=arn)["ClientIDList"])
        tp2 = "a" * 40
        self.iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                            ThumbprintList=[tp, tp2])
        self.assertEqual([tp, tp2], self.iam.get_open_id_connect_provider(
            OpenIDConnectProviderArn=arn)["ThumbprintList"])
        self.err("InvalidInput", self.iam.update_open_id_connect_provider_thumbprint,
                 OpenIDConnectProviderArn=arn, ThumbprintList=["a" * 40] * 6)
        self.iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn,
                                              Tags=[{"Key": "env", "Value": "prod"}])
        self.iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["team"])
        self.assertEqual([{"Key": "env", "Value": "prod"}], self.iam.list_open_id_connect_provider_tags(
            OpenIDConnectProviderArn=arn)["Tags"])
        self.assertIn(arn, [p["Arn"] for p in self.iam.list_open_id_connect_providers()[
            "OpenIDConnectProviderList"]])
        self.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        self.err("NoSuchEntity", self.iam.get_open_id_connect_provider,
                 OpenIDConnectProviderArn=arn, status=404)
        self.err("InvalidInput", self.iam.create_open_id_connect_provider,
                 Url="http://insecure.example.com", ThumbprintList=[tp])

    def test_saml_lifecycle(self):
        name = uniq("idp")
        arn = self.iam.create_saml_provider(Name=name, SAMLMetadataDocument=SAML_META,
                                            Tags=[{"Key": "k", "Value": "v"}])["SAMLProviderArn"]
        self.assertEqual("arn:aws:iam::%s:saml-provider/%s" % (ACCOUNT, name), arn)
        got = self.iam.get_saml_provider(SAMLProviderArn=arn)
        self.assertEqual(SAML_META, got["SAMLMetadataDocument"])
        self.assertEqual(2035, got["ValidUntil"].year)
        self.err("EntityAlreadyExists", self.iam.create_saml_provider, Name=name,
                 SAMLMetadataDocument=SAML_META)
        bad = "<notmetadata>" + "x" * 1000 + "</notmetadata>"
        self.err("InvalidInput", self.iam.create_saml_provider, Name=uniq("idp"),
                 SAMLMetadataDocument=bad)
        self.err("InvalidInput", self.iam.create_saml_provider, Name=uniq("idp"),
                 SAMLMetadataDocument="<" * 1000)
        self.assertEqual(arn, self.iam.update_saml_provider(
            SAMLProviderArn=arn, SAMLMetadataDocument=SAML_META.replace("2035", "2036"))["SAMLProviderArn"])
        self.assertEqual(2036, self.iam.get_saml_provider(SAMLProviderArn=arn)["ValidUntil"].year)
        self.assertIn(arn, [p["Arn"] for p in self.iam.list_saml_providers()["SAMLProviderList"]])
        self.iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "k2", "Value": "v2"}])
        self.assertEqual(2, len(self.iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"]))
        self.iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["k", "k2"])
        self.iam.delete_saml_provider(SAMLProviderArn=arn)
        self.err("NoSuchEntity", self.iam.get_saml_provider, SAMLProviderArn=arn)


class MfaTests(MoreCase):
    def test_virtual_mfa_totp(self):
        u = self.user()
        name = uniq("mfa")
        dev = self.iam.create_virtual_mfa_device(VirtualMFADeviceName=name,
                                                 Tags=[{"Key": "k", "Value": "v"}])["VirtualMFADevice"]
        serial = dev["SerialNumber"]
        self.assertEqual("arn:aws:iam::%s:mfa/%s" % (ACCOUNT, name), serial)
        seed = dev["Base32StringSeed"].decode()
        self.assertRegex(seed, "^[A-Z2-7]{32}$")
        self.err("EntityAlreadyExists", self.iam.create_virtual_mfa_device, VirtualMFADeviceName=name)
        unassigned = self.iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
        self.assertIn(serial, [d["SerialNumber"] for d in unassigned])
        step = int(emulated_time(self.server) // 30)
        wrong = "%06d" % ((int(totp(seed, step)) + 1) % 1000000)
        self.err("InvalidAuthenticationCode", self.iam.enable_mfa_device, UserName=u,
                 SerialNumber=serial, AuthenticationCode1=wrong,
                 AuthenticationCode2=totp(seed, step + 1), status=403)
        # the same code twice is not two consecutive codes
        self.err("InvalidAuthenticationCode", self.iam.enable_mfa_device, UserName=u,
                 SerialNumber=serial, AuthenticationCode1=totp(seed, step),
                 AuthenticationCode2=totp(seed, step))
        self.iam.enable_mfa_device(UserName=u, SerialNumber=serial,
                                   AuthenticationCode1=totp(seed, step - 1),
                                   AuthenticationCode2=totp(seed, step))
        devs = self.iam.list_mfa_devices(UserName=u)["MFADevices"]
        self.assertEqual([serial], [d["SerialNumber"] for d in devs])
        assigned = self.iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
        mine = [d for d in assigned if d["SerialNumber"] == serial]
        self.assertEqual(u, mine[0]["User"]["UserName"])
        if "GetMFADevice" in self.iam.meta.service_model.operation_names:
            self.assertEqual(serial, self.iam.get_mfa_device(SerialNumber=serial, UserName=u)["SerialNumber"])
        # codes already used are not accepted again (resync)
        self.err("InvalidAuthenticationCode", self.iam.resync_mfa_device, UserName=u,
                 SerialNumber=serial, AuthenticationCode1=totp(seed, step - 1),
                 AuthenticationCode2=totp(seed, step))
        self.iam.resync_mfa_device(UserName=u, SerialNumber=serial,
                                   AuthenticationCode1=totp(seed, step + 1),
                                   AuthenticationCode2=totp(seed, step + 2))
        self.err("DeleteConflict", self.iam.delete_virtual_mfa_device, SerialNumber=serial)
        self.err("DeleteConflict", self.iam.delete_user, UserName=u, message="MFA")
        self.iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "k2", "Value": "v2"}])
        self.assertEqual({"k", "k2"}, {t["Key"] for t in self.iam.list_mfa_device_tags(
            SerialNumber=serial)["Tags"]})
        self.iam.untag_mfa_device(SerialNumber=serial, TagKeys=["k2"])
        self.iam.deactivate_mfa_device(UserName=u, SerialNumber=serial)
        self.assertEqual([], self.iam.list_mfa_devices(UserName=u)["MFADevices"])
        self.iam.delete_virtual_mfa_device(SerialNumber=serial)
        self.err("NoSuchEntity", self.iam.delete_virtual_mfa_device, SerialNumber=serial)
        self.iam.delete_user(UserName=u)


class CredentialTests(MoreCase):
    def test_ssh_keys(self):
        u = self.user()
        body, fp = ssh_key()
        k = self.iam.upload_ssh_public_key(UserName=u, SSHPublicKeyBody=body)["SSHPublicKey"]
        self.assertEqual(fp, k["Fingerprint"])
        self.assertEqual("Active", k["Status"])
        kid = k["SSHPublicKeyId"]
        self.err("DuplicateSSHPublicKey", self.iam.upload_ssh_public_key, UserName=u, SSHPublicKeyBody=body)
        self.err("UnrecognizedPublicKeyEncoding", self.iam.upload_ssh_public_key, UserName=u,
                 SSHPublicKeyBody="not a key")
        self.err("InvalidPublicKey", self.iam.upload_ssh_public_key, UserName=u,
                 SSHPublicKeyBody="ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x")
        got = self.iam.get_ssh_public_key(UserName=u, SSHPublicKeyId=kid, Encoding="SSH")["SSHPublicKey"]
        self.assertEqual(body, got["SSHPublicKeyBody"])
        self.iam.update_ssh_public_key(UserName=u, SSHPublicKeyId=kid, Status="Inactive")
        self.assertEqual("Inactive", self.iam.list_ssh_public_keys(UserName=u)["SSHPublicKeys"][0]["Status"])
        for _ in range(4):
            self.iam.upload_ssh_public_key(UserName=u, SSHPublicKeyBody=ssh_key()[0])
        self.err("LimitExceeded", self.iam.upload_ssh_public_key, UserName=u,
                 SSHPublicKeyBody=ssh_key()[0])
        self.err("DeleteConflict", self.iam.delete_user, UserName=u, message="SSH")
        for k in self.iam.list_ssh_public_keys(UserName=u)["SSHPublicKeys"]:
            self.iam.delete_ssh_public_key(UserName=u, SSHPublicKeyId=k["SSHPublicKeyId"])
        self.err("NoSuchEntity", self.iam.delete_ssh_public_key, UserName=u, SSHPublicKeyId=kid)
        self.iam.delete_user(UserName=u)

    @unittest.skipIf(OPENSSL is None, "needs the openssl CLI")
    def test_signing_and_server_certificates(self):
        tmp = tempfile.mkdtemp()
        try:
            crt, key = self_signed(tmp, "a.example.com")
            crt2, key2 = self_signed(tmp, "b.example.com")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        u = self.user()
        c = self.iam.upload_signing_certificate(UserName=u, CertificateBody=crt)["Certificate"]
        self.assertRegex(c["CertificateId"], "^[0-9A-F]{40}$")
        self.err("DuplicateCertificate", self.iam.upload_signing_certificate, UserName=u, CertificateBody=crt)
        self.err("MalformedCertificate", self.iam.upload_signing_certificate, UserName=u,
                 CertificateBody="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        self.iam.update_signing_certificate(UserName=u, CertificateId=c["CertificateId"], Status="Inactive")
        self.assertEqual("Inactive", self.iam.list_signing_certificates(UserName=u)["Certificates"][0]["Status"])
        self.err("DeleteConflict", self.iam.delete_user, UserName=u, message="signing")
        self.iam.delete_signing_certificate(UserName=u, CertificateId=c["CertificateId"])
        self.iam.delete_user(UserName=u)

        name = uniq("cert")
        self.err("KeyPairMismatch", self.iam.upload_server_certificate, ServerCertificateName=name,
                 CertificateBody=crt, PrivateKey=key2)
        self.err("MalformedCertificate", self.iam.upload_server_certificate, ServerCertificateName=name,
                 CertificateBody="garbage", PrivateKey=key)
        m = self.iam.upload_server_certificate(ServerCertificateName=name, Path="/cloudfront/",
                                               CertificateBody=crt, PrivateKey=key,
                                               Tags=[{"Key": "k", "Value": "v"}])["ServerCertificateMetadata"]
        self.assertEqual("arn:aws:iam::%s:server-certificate/cloudfront/%s" % (ACCOUNT, name), m["Arn"])
        self.assertGreater(m["Expiration"].timestamp(), time.time() + 20 * 86400)
        self.err("EntityAlreadyExists", self.iam.upload_server_certificate, ServerCertificateName=name,
                 CertificateBody=crt, PrivateKey=key)
        got = self.iam.get_server_certificate(ServerCertificateName=name)["ServerCertificate"]
        self.assertEqual(crt, got["CertificateBody"])
        self.assertNotIn("PrivateKey", got)
        new = name + "-2"
        self.iam.update_server_certificate(ServerCertificateName=name, NewServerCertificateName=new)
        self.assertIn(new, [c["ServerCertificateName"] for c in self.iam.list_server_certificates(
            PathPrefix="/cloudfront/")["ServerCertificateMetadataList"]])
        self.iam.tag_server_certificate(ServerCertificateName=new, Tags=[{"Key": "k2", "Value": "v"}])
        self.assertEqual(2, len(self.iam.list_server_certificate_tags(ServerCertificateName=new)["Tags"]))
        self.iam.untag_server_certificate(ServerCertificateName=new, TagKeys=["k"])
        self.iam.delete_server_certificate(ServerCertificateName=new)
        self.err("NoSuchEntity", self.iam.get_server_certificate, ServerCertificateName=new,
                 message="cannot be found")

    def test_service_specific_credentials(self):
        u = self.user()
        c = self.iam.create_service_specific_credential(
            UserName=u, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
        self.assertEqual("%s-at-%s" % (u, ACCOUNT), c["ServiceUserName"])
        self.assertGreaterEqual(len(c["ServicePassword"]), 40)
        cid = c["ServiceSpecificCredentialId"]
        self.err("NotSupportedService", self.iam.create_service_specific_credential, UserName=u,
                 ServiceName="s3.amazonaws.com", status=404)
        self.iam.create_service_specific_credential(UserName=u, ServiceName="codecommit.amazonaws.com")
        self.err("LimitExceeded", self.iam.create_service_specific_credential, UserName=u,
                 ServiceName="codecommit.amazonaws.com")
        lst = self.iam.list_service_specific_credentials(UserName=u)["ServiceSpecificCredentials"]
        self.assertEqual(2, len(lst))
        self.assertNotIn("ServicePassword", lst[0])
        r = self.iam.reset_service_specific_credential(UserName=u, ServiceSpecificCredentialId=cid)
        self.assertNotEqual(c["ServicePassword"], r["ServiceSpecificCredential"]["ServicePassword"])
        self.iam.update_service_specific_credential(UserName=u, ServiceSpecificCredentialId=cid,
                                                    Status="Inactive")
        self.err("DeleteConflict", self.iam.delete_user, UserName=u, message="service specific")
        for x in lst:
            self.iam.delete_service_specific_credential(
                UserName=u, ServiceSpecificCredentialId=x["ServiceSpecificCredentialId"])
        self.err("NoSuchEntity", self.iam.delete_service_specific_credential, UserName=u,
                 ServiceSpecificCredentialId=cid)
        self.iam.delete_user(UserName=u)


class ServiceLinkedRoleTests(MoreCase):
    def test_create_get_delete(self):
        role = self.iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com",
                                                   CustomSuffix=uuid.uuid4().hex[:6])["Role"]
        self.assertTrue(role["RoleName"].startswith("AWSServiceRoleForAutoScaling_"))
        self.assertEqual("/aws-service-role/autoscaling.amazonaws.com/", role["Path"])
        trust = role["AssumeRolePolicyDocument"]
        self.assertEqual(["autoscaling.amazonaws.com"], trust["Statement"][0]["Principal"]["Service"])
        self.assertEqual(role["Arn"], self.iam.get_role(RoleName=role["RoleName"])["Role"]["Arn"])
        self.assertIn(role["RoleName"], [r["RoleName"] for r in self.iam.list_roles(
            PathPrefix="/aws-service-role/")["Roles"]])
        eks = self.iam.create_service_linked_role(AWSServiceName="eks.amazonaws.com")["Role"]
        self.assertEqual("AWSServiceRoleForAmazonEKS", eks["RoleName"])
        self.err("InvalidInput", self.iam.create_service_linked_role, AWSServiceName="eks.amazonaws.com")
        self.err("InvalidInput", self.iam.create_service_linked_role, AWSServiceName="not-a-service")
        for r in (role, eks):
            task = self.iam.delete_service_linked_role(RoleName=r["RoleName"])["DeletionTaskId"]
            self.assertEqual("SUCCEEDED", self.iam.get_service_linked_role_deletion_status(
                DeletionTaskId=task)["Status"])
            self.err("NoSuchEntity", self.iam.get_role, RoleName=r["RoleName"])


class ReportTests(MoreCase):
    POLICY = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "x", "s3:prefix": "a/"},
                       "Bool": {"aws:SecureTransport": "true"}}}]}

    def test_context_keys(self):
        keys = self.iam.get_context_keys_for_custom_policy(
            PolicyInputList=[json.dumps(self.POLICY)])["ContextKeyNames"]
        self.assertEqual({"aws:principaltag/team", "s3:prefix", "aws:securetransport"},
                         {k.lower() for k in keys})
        u = self.user()
        self.iam.put_user_policy(UserName=u, PolicyName="p", PolicyDocument=json.dumps(self.POLICY))
        arn = self.iam.get_user(UserName=u)["User"]["Arn"]
        keys = self.iam.get_context_keys_for_principal_policy(PolicySourceArn=arn)["ContextKeyNames"]
        self.assertEqual(3, len(keys))
        grants = self.iam.list_policies_granting_service_access(
            Arn=arn, ServiceNamespaces=["s3", "iam"])["PoliciesGrantingServiceAccess"]
        by = {g["ServiceNamespace"]: g["Policies"] for g in grants}
        self.assertEqual(["p"], [p["PolicyName"] for p in by["s3"]])
        self.assertEqual("INLINE", by["s3"][0]["PolicyType"])
        self.assertEqual([], by["iam"])
        job = self.iam.generate_service_last_accessed_details(Arn=arn)["JobId"]
        det = self.iam.get_service_last_accessed_details(JobId=job)
        self.assertEqual("COMPLETED", det["JobStatus"])
        self.assertEqual({"s3", "kms"}, {s["ServiceNamespace"] for s in det["ServicesLastAccessed"]})
        ent = self.iam.get_service_last_accessed_details_with_entities(JobId=job, ServiceNamespace="s3")
        self.assertEqual([], ent["EntityDetailsList"])
        self.err("NoSuchEntity", self.iam.get_service_last_accessed_details, JobId=str(uuid.uuid4()))
        self.iam.delete_user_policy(UserName=u, PolicyName="p")
        self.iam.delete_user(UserName=u)

    def test_credential_report(self):
        u = self.user()
        self.iam.create_login_profile(UserName=u, Password="Report-pass-1")
        self.iam.create_access_key(UserName=u)
        self.assertEqual("COMPLETE", self.iam.generate_credential_report()["State"])
        rep = self.iam.get_credential_report()
        self.assertEqual("text/csv", rep["ReportFormat"])
        lines = rep["Content"].decode().splitlines()
        head = lines[0].split(",")
        self.assertEqual(["user", "arn", "user_creation_time", "password_enabled"], head[:4])
        self.assertEqual(22, len(head))
        rows = {l.split(",")[0]: dict(zip(head, l.split(","))) for l in lines[1:]}
        self.assertIn("<root_account>", rows)
        self.assertEqual("true", rows[u]["password_enabled"])
        self.assertEqual("true", rows[u]["access_key_1_active"])
        self.assertEqual("false", rows[u]["access_key_2_active"])


class CliTests(MoreCase):
    @unittest.skipIf(AWS is None, "aws CLI not installed")
    def test_cli_summary_and_oidc(self):
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        out = subprocess.run([AWS, "--endpoint-url", self.server.url, "iam", "get-account-summary",
                              "--output", "json"], env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn("UsersQuota", json.loads(out.stdout)["SummaryMap"])
        url = "https://oidc.%s.example.com/id/X" % uuid.uuid4().hex[:6]
        out = subprocess.run([AWS, "--endpoint-url", self.server.url, "iam",
                              "create-open-id-connect-provider", "--url", url, "--client-id-list",
                              "sts.amazonaws.com", "--thumbprint-list", "9" * 40, "--output", "json"],
                             env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertTrue(json.loads(out.stdout)["OpenIDConnectProviderArn"].endswith(url[8:]))


class NoInvalidActionTests(MoreCase):
    def test_every_model_operation_is_known(self):
        """No operation in this botocore's IAM model answers InvalidAction."""
        from botocore import xform_name
        raw = self.server.client("iam", validate=False)
        for op in self.iam.meta.service_model.operation_names:
            if op.startswith(("Delete", "Remove", "Detach", "Deactivate", "Disable", "Update",
                              "Reset", "Set", "Generate", "Enable")):
                continue  # no-argument calls of these only fail validation anyway
            try:
                getattr(raw, xform_name(op))()
            except ClientError as e:
                self.assertNotEqual("InvalidAction", e.response["Error"]["Code"], op)


@unittest.skipIf(EXTERNAL_URL, "at-rest checks need their own awsemu process (AWSEMU_URL is set)")
class AtRestTests(unittest.TestCase):
    def test_no_secret_in_the_data_dir(self):
        data = tempfile.mkdtemp(prefix="awsemu-e2e-iam-more-")
        srv = Server(["--data-dir", data])
        try:
            srv.start()
            iam = srv.client("iam")
            u = uniq("rest")
            iam.create_user(UserName=u)
            pw = "Secret-Pass-" + uuid.uuid4().hex
            iam.create_login_profile(UserName=u, Password=pw)
            seed = iam.create_virtual_mfa_device(VirtualMFADeviceName=uniq("m"))[
                "VirtualMFADevice"]["Base32StringSeed"]
            ssc = iam.create_service_specific_credential(
                UserName=u, ServiceName="codecommit.amazonaws.com")["ServiceSpecificCredential"]
            needles = [("password", pw.encode()), ("seed", seed),
                       ("ssc password", ssc["ServicePassword"].encode()),
                       ("seed raw", base64.b32decode(seed))]
            if OPENSSL:
                tmp = tempfile.mkdtemp()
                try:
                    crt, key = self_signed(tmp, "rest.example.com")
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
                iam.upload_server_certificate(ServerCertificateName=uniq("c"), CertificateBody=crt,
                                              PrivateKey=key)
                body = "".join(l for l in key.splitlines() if "-----" not in l)
                needles += [("private key", key.encode()), ("private key b64", body[:64].encode())]
            srv.restart()
            self.assertEqual([], scan_for(data, needles))
        finally:
            srv.cleanup()
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
