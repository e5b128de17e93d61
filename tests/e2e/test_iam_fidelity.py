"""IAM as AWS answers it (issue 15 items 3-6): the policy grammar and its
MalformedPolicyDocument texts, messages and shapes, inputs AWS accepts
(SSH keys, SAML metadata, server certificates, OIDC URLs) and virtual MFA.
Each class names the source that pinned AWS's behaviour."""

import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import unittest

from harness import REPO, ServerTestCase
from test_iam_more import emulated_time, totp

JS_DIR = os.path.join(REPO, "tests", "js")


class FidCase(ServerTestCase):
    def setUp(self):
        self.iam = self.server.client("iam")

    def err(self, code, fn, *a, **kw):
        with self.assertRaises(Exception) as cm:
            fn(*a, **kw)
        e = cm.exception
        self.assertEqual(code, e.response["Error"]["Code"], e.response)
        return e.response["Error"]["Message"]


class VirtualMfaTests(FidCase):
    """The API reference's VirtualMFADevice: QRCodePNG is a PNG of the QR
    code of otpauth://totp/$virtualMFADeviceName@$AccountName?secret=
    $Base32String; Base32StringSeed the Base32 seed; EnableMFADevice takes
    two consecutive RFC 6238 codes (computed here with hmac/struct)."""

    def test_qr_png_encodes_the_otpauth_uri(self):
        dev = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="qr-dev")["VirtualMFADevice"]
        png = dev["QRCodePNG"]
        seed = dev["Base32StringSeed"].decode()
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        # IHDR: square, 8-bit greyscale; a QR code of version v is 4v+17
        # modules, plus a quiet zone of 4 on each side, 4 pixels a module
        w, h, depth, colour = struct.unpack(">IIBB", png[16:26])
        self.assertEqual((w, h, depth, colour), (w, w, 8, 0))
        modules = w // 4 - 8
        self.assertEqual((modules - 17) % 4, 0, modules)
        if not shutil.which("node") or not os.path.isdir(os.path.join(JS_DIR, "node_modules", "jsqr")):
            self.skipTest("node or tests/js's jsqr is absent: QR content not decoded")
        p = subprocess.run(["node", "qr_decode.mjs"], cwd=JS_DIR, input=base64.b64encode(png),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr[-1000:])
        uri = p.stdout.decode()
        self.assertEqual(uri, "otpauth://totp/qr-dev@%s?secret=%s" % (self.server.account, seed))
        # the seed read from the QR code enables the device
        self.iam.create_user(UserName="qr-user")
        step = int(emulated_time(self.server) // 30)
        secret = uri.split("secret=", 1)[1]
        self.iam.enable_mfa_device(UserName="qr-user", SerialNumber=dev["SerialNumber"],
                                   AuthenticationCode1=totp(secret, step - 1),
                                   AuthenticationCode2=totp(secret, step))
        devs = self.iam.list_mfa_devices(UserName="qr-user")["MFADevices"]
        self.assertEqual([dev["SerialNumber"]], [d["SerialNumber"] for d in devs])

    def test_each_device_its_own_seed_and_code(self):
        a = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="qr-a")["VirtualMFADevice"]
        b = self.iam.create_virtual_mfa_device(VirtualMFADeviceName="qr-b")["VirtualMFADevice"]
        self.assertNotEqual(a["Base32StringSeed"], b["Base32StringSeed"])
        self.assertNotEqual(a["QRCodePNG"], b["QRCodePNG"])


# (document, AWS's MalformedPolicyDocument text) for CreatePolicy; the
# cases and texts are moto's AWS-verified ones
# (tests/test_iam/test_iam_policies.py, invalid_policy_document_test_cases).
B = "arn:aws:s3:::example_bucket"
V = "2012-10-17"
SYN = "Syntax errors in policy."
VER = "Policy document must be version 2012-10-17 or greater."
LEG = "The policy failed legacy parsing"
VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."


def st(**kw):
    d = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": B}
    d.update(kw)
    return {k: v for k, v in d.items() if v is not None}


INVALID = [
    ("This is not a json document", SYN),
    ({"Statement": st()}, VER),
    ({"Version": "2008-10-17", "Statement": st()}, VER),
    ({"Version": "2013-10-17", "Statement": st()}, SYN),
    ({"Version": V}, SYN),
    ({"Version": V, "Statement": ["afd"]}, SYN),
    ({"Version": V, "Statement": []}, SYN),
    ({"Version": V, "Statement": st(), "Extra field": "value"}, SYN),
    ({"Version": V, "Statement": st(**{"Extra field": "value"})}, SYN),
    ({"Version": V, "Id": ["x"], "Statement": st()}, SYN),
    ({"Version": V, "Statement": st(Effect="invalid")}, SYN),
    ({"Version": V, "Statement": st(Effect=None)}, SYN),
    ({"Version": V, "Statement": st(Action="invalid")}, VENDOR),
    ({"Version": V, "Statement": st(Action=None, NotAction="")}, VENDOR),
    ({"Version": V, "Statement": st(Action="a a:ListBucket")}, "Vendor a a is not valid"),
    ({"Version": V, "Statement": st(Action="s3:List:Bucket")},
     "Actions/Condition can contain only one colon."),
    ({"Version": V, "Statement": st(Resource="invalid resource")},
     'Resource invalid resource must be in ARN format or "*".'),
    ({"Version": V, "Statement": st(Action="s:3:ListBucket", Resource="sdfsadf")},
     'Resource sdfsadf must be in ARN format or "*".'),
    ({"Version": V, "Statement": st(Resource=["adf"])}, 'Resource adf must be in ARN format or "*".'),
    ({"Version": V, "Statement": st(Resource="")}, 'Resource  must be in ARN format or "*".'),
    ({"Version": V, "Statement": st(Action=None, NotAction="s3s:ListBucket", Resource="a:bsdfdsafsad")},
     'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".'),
    ({"Version": V, "Statement": st(Resource="a:b:cadfsdf")},
     'Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".'),
    ({"Version": V, "Statement": st(Resource="a:b:c:d:e:f:g:h")},
     'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".'),
    ({"Version": V, "Statement": st(Resource="aws:s3:::example_bucket")},
     'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".'),
    ({"Version": V, "Statement": st(Resource=["arn:error:s3:::example_bucket", "arn:error:s3::example_bucket"])},
     'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".'),
    ({"Version": V, "Statement": st(Resource=None)}, "Policy statement must contain resources."),
    ({"Version": V, "Statement": st(Resource=[])}, "Policy statement must contain resources."),
    ({"Version": V, "Statement": st(Action="invalid", Resource=None)}, VENDOR),
    ({"Version": V, "Statement": st(Action=None)}, "Policy statement must contain actions."),
    ({"Version": V, "Statement": {"Effect": "Allow"}}, "Policy statement must contain actions."),
    ({"Version": V, "Statement": st(Action=[])}, "Policy statement must contain actions."),
    ({"Version": V, "Statement": [{"Effect": "Deny"}, st()]}, "Policy statement must contain actions."),
    ({"Version": V, "Statement": st(Resource="arn:aws:iam:::example_bucket")},
     'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
     'instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, '
     'oidc-provider/, report/, access-report/.'),
    ({"Version": V, "Statement": st(Resource="arn:aws:s3::example_bucket")}, LEG),
    ({"Version": V, "Statement": st(Action=None, Resource="arn:aws:s3::example_bucket")}, LEG),
    ({"Version": V, "Statement": st(Resource="arn:aws")},
     "Resource vendor must be fully qualified and cannot contain regexes."),
    ({"Version": V, "Statement": st(Resource={"a": B})}, SYN),
    ({"Version": V, "Statement": st(Effect="Deny", Resource=["adfdf", {}])}, SYN),
    ({"Version": V, "Statement": st(Action=None, NotAction="s3:ListBucket", NotResource=[])}, SYN),
    ({"Version": V, "Statement": st(Action=[[]])}, SYN),
    ({"Version": V, "Statement": st(Action={})}, SYN),
    ({"Version": V, "Statement": st(Condition=[])}, SYN),
    ({"Version": V, "Statement": st(Condition="a")}, SYN),
    ({"Version": V, "Statement": st(Condition={"a": "b"})}, SYN),
    ({"Version": V, "Statement": st(Condition={"DateGreaterThan": "b"})}, SYN),
    ({"Version": V, "Statement": st(Condition={"DateGreaterThan": []})}, SYN),
    ({"Version": V, "Statement": st(Condition={"DateGreaterThan": {"a": {}}})}, SYN),
    ({"Version": V, "Statement": st(Condition={"x": {"a": "1"}})}, SYN),
    ({"Version": V, "Statement": st(Condition={"ForAnyValue::StringEqualsIfExists": {"a": "asf"}})}, SYN),
    ({"Version": V, "Statement": st(Resource="arn:aws:iam:us-east-1::example_bucket")},
     "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."),
    ({"Version": V, "Statement": st(Resource="arn:aws:s3:us-east-1::example_bucket")},
     "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."),
    ({"Version": V, "Statement": st(Sid={})}, SYN),
    ({"Version": V, "Statement": [st(Sid="sdf"), {"Sid": "sdf", "Effect": "Allow"}]},
     "Statement IDs (SID) in a single policy must be unique."),
    ({"Statement": [st(Sid="sdf"), {"Sid": "sdf", "Effect": "Allow"}]}, VER),
    ({"Version": V, "Statement": st(NotAction="s3:ListBucket", Action="iam:dsf")}, SYN),
    ({"Version": V, "Statement": st(NotResource="*")}, SYN),
    ({"Version": V, "Statement": st(Effect="denY")}, LEG),
    ({"Version": V, "Statement": st(Condition={"DateGreaterThan": {"a": "sdfdsf"}})}, LEG),
    ({"Statement": st(Condition={"DateGreaterThan": {"a": "sdfdsf"}})}, VER),
    ({"Statement": st(Effect="denY")}, VER),
    ({"Version": V, "Statement": {"Effect": "Allow", "Condition": {"DateGreaterThan": {"a": "sdfdsf"}}}}, LEG),
    ({"Version": V, "Statement": st(Action=None, NotAction="s3:ListBucket", Resource="arn:aws::::example_bucket")}, LEG),
    ({"Version": V, "Statement": {"Effect": "allow", "Resource": "arn:aws:s3:us-east-1::example_bucket"}}, LEG),
    ({"Version": V, "Statement": [st(Sid="sdf", Effect="aLLow"), {"Sid": "sdf", "Effect": "Allow"}]}, LEG),
    ({"Version": V, "Statement": st(Resource=None, NotResource="arn:aws:s3::example_bucket")}, LEG),
    ({"Version": V, "Statement": st(Condition={"DateLessThanEquals": {"a": "234-13"}})}, LEG),
    ({"Version": V, "Statement": st(Condition={"DateLessThanEquals": {"a": "2016-12-13t2:00:00.593194+1"}})}, LEG),
    ({"Version": V, "Statement": st(Condition={"DateLessThanEquals": {"a": "2016-12-13t2:00:00.1999999999+10:59"}})}, LEG),
    ({"Version": V, "Statement": st(Condition={"DateLessThan": {"a": "9223372036854775808"}})}, LEG),
    ({"Version": V, "Statement": st(Resource="arn:error:s3:::example_bucket",
                                    Condition={"DateGreaterThan": {"a": "sdfdsf"}})}, LEG),
    ({"Version": V, "Statement": st(Resource="arn:aws::fdsasf")}, LEG),
]

VALID = [
    {"Version": V, "Statement": st(Resource=[B])},
    {"Version": V, "Statement": st(Action="iam: asdf safdsf af ")},
    {"Version": V, "Statement": st(Resource=[B, "*"])},
    {"Version": V, "Statement": st(Action="*")},
    {"Version": V, "Statement": [st()]},
    {"Version": V, "Statement": st(Action="service-prefix:action-name", Resource="*",
                                   Condition={"DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
                                              "DateLessThan": {"aws:CurrentTime": "2017-12-31T23:59:59Z"}})},
    {"Version": V, "Statement": st(Action="fsx:ListBucket")},
    {"Version": V, "Statement": st(Resource="arn:aws:iam:::user/example_bucket")},
    {"Version": V, "Statement": st(Resource="arn:aws:s33:::example_bucket")},
    {"Version": V, "Statement": st(Resource="arn:aws:fdsasf")},
    {"Version": V, "Statement": st(Condition={})},
    {"Version": V, "Statement": st(Condition={"ForAllValues:StringEquals": {"aws:TagKeys": "Department"}})},
    {"Version": V, "Statement": st(Resource="arn:aws:cloudwatch:us-east-1::example_bucket")},
    {"Version": V, "Statement": st(Resource="arn:aws:ec2:us-east-1::example_bucket")},
    {"Version": V, "Statement": st(Resource="arn:aws:invalid-service:::example_bucket")},
    {"Version": V, "Statement": st(Resource="arn:aws:invalid-service:us-east-1::example_bucket")},
    {"Version": V, "Statement": st(Condition={"DateGreaterThan": {}})},
    {"Version": V, "Statement": st(Condition={"DateGreaterThan": {"a": []}})},
    {"Version": V, "Statement": st(Condition={"a": {}})},
    {"Version": V, "Statement": st(Sid="dsfsdfsdfsdfsdfsadfsd")},
    # partitions other than aws (issue 15 item 7: ARNs follow the region)
    {"Version": V, "Statement": st(Resource="arn:aws-cn:s3:::example_bucket")},
    {"Version": V, "Statement": st(Resource="arn:aws-us-gov:iam::123456789012:role/x")},
    {"Version": V, "Statement": st(Condition={"Bool": {"aws:SecureTransport": "true"},
                                              "NumericLessThan": {"s3:max-keys": "10"}})},
]


class PolicyGrammarTests(FidCase):
    def _doc(self, d):
        return d if isinstance(d, str) else json.dumps(d)

    def test_invalid_documents_get_aws_text(self):
        for i, (doc, msg) in enumerate(INVALID):
            with self.subTest(case=i, doc=doc):
                got = self.err("MalformedPolicyDocument", self.iam.create_policy,
                               PolicyName="bad-%d" % i, PolicyDocument=self._doc(doc))
                self.assertEqual(got, msg)

    def test_valid_documents_accepted(self):
        for i, doc in enumerate(VALID):
            with self.subTest(case=i, doc=doc):
                arn = self.iam.create_policy(PolicyName="good-%d" % i,
                                             PolicyDocument=self._doc(doc))["Policy"]["Arn"]
                self.iam.delete_policy(PolicyArn=arn)

    def test_inline_policies_same_grammar(self):
        self.iam.create_user(UserName="grammar-user")
        msg = self.err("MalformedPolicyDocument", self.iam.put_user_policy, UserName="grammar-user",
                       PolicyName="p", PolicyDocument=json.dumps({"Statement": st()}))
        self.assertEqual(msg, VER)
        msg = self.err("MalformedPolicyDocument", self.iam.put_user_policy, UserName="grammar-user",
                       PolicyName="p", PolicyDocument=json.dumps(
                           {"Version": V, "Statement": st(Resource="bucket")}))
        self.assertEqual(msg, 'Resource bucket must be in ARN format or "*".')

    def test_trust_policy_keeps_2008_version(self):
        # trust and resource policies are not IAM identity policies: the
        # 2008-10-17 version many templates still use is accepted
        trust = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        self.iam.create_role(RoleName="grammar-role", AssumeRolePolicyDocument=json.dumps(trust))


class MessagesTests(FidCase):
    """NoSuchEntity / EntityAlreadyExists texts as AWS writes them (moto's
    and LocalStack's AWS-verified snapshots: "The user with name X cannot
    be found.", "User with name X already exists.", "Policy ARN was not
    found."); tag validation paths 'tags.N.member.key' (AWS-verified IAM
    compatibility suites)."""

    def test_not_found_per_entity(self):
        acct = self.server.account
        cases = [
            (self.iam.get_user, {"UserName": "nobody"}, "The user with name nobody cannot be found."),
            (self.iam.get_role, {"RoleName": "nobody"}, "The role with name nobody cannot be found."),
            (self.iam.get_group, {"GroupName": "nobody"}, "The group with name nobody cannot be found."),
            (self.iam.get_policy, {"PolicyArn": "arn:aws:iam::%s:policy/nobody" % acct},
             "Policy arn:aws:iam::%s:policy/nobody was not found." % acct),
            (self.iam.get_instance_profile, {"InstanceProfileName": "nobody"},
             "Instance Profile nobody cannot be found."),
        ]
        for fn, kw, msg in cases:
            with self.subTest(op=fn.__name__):
                self.assertEqual(self.err("NoSuchEntity", fn, **kw), msg)

    def test_already_exists_per_entity(self):
        self.iam.create_user(UserName="dup-u")
        self.iam.create_group(GroupName="dup-g")
        self.assertEqual(self.err("EntityAlreadyExists", self.iam.create_user, UserName="dup-u"),
                         "User with name dup-u already exists.")
        self.assertEqual(self.err("EntityAlreadyExists", self.iam.create_group, GroupName="dup-g"),
                         "Group with name dup-g already exists.")

    def test_tag_validation_paths(self):
        self.iam = self.server.client("iam", validate=False)  # the server's checks, not boto3's
        msg = self.err("ValidationError", self.iam.create_user, UserName="tag-u",
                       Tags=[{"Key": "ok", "Value": "v"}, {"Key": "bad#", "Value": "v"}])
        self.assertEqual(msg, "1 validation error detected: Value 'bad#' at 'tags.2.member.key' "
                              "failed to satisfy constraint: Member must satisfy regular "
                              "expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+")
        msg = self.err("ValidationError", self.iam.create_user, UserName="tag-u",
                       Tags=[{"Key": "k", "Value": "v" * 257}])
        self.assertIn("at 'tags.1.member.value' failed to satisfy constraint: Member must have "
                      "length less than or equal to 256", msg)
        msg = self.err("ValidationError", self.iam.create_user, UserName="tag-u",
                       Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(51)])
        self.assertIn("at 'tags' failed to satisfy constraint: Member must have length less "
                      "than or equal to 50", msg)

    def test_tag_paging(self):
        self.iam.create_user(UserName="tag-pages", Tags=[{"Key": "k%d" % i, "Value": "v"}
                                                          for i in range(5)])
        seen, marker = [], None
        while True:
            kw = {"UserName": "tag-pages", "MaxItems": 2}
            if marker:
                kw["Marker"] = marker
            r = self.iam.list_user_tags(**kw)
            seen += [t["Key"] for t in r["Tags"]]
            if not r["IsTruncated"]:
                break
            self.assertLessEqual(len(r["Tags"]), 2)
            marker = r["Marker"]
        self.assertEqual(seen, ["k%d" % i for i in range(5)])

    def test_policy_description_and_tags(self):
        doc = json.dumps({"Version": V, "Statement": st()})
        p = self.iam.create_policy(PolicyName="desc-pol", PolicyDocument=doc,
                                   Description="what it is for",
                                   Tags=[{"Key": "team", "Value": "a"}])["Policy"]
        self.assertEqual(p["Description"], "what it is for")
        self.assertEqual(p["Tags"], [{"Key": "team", "Value": "a"}])
        g = self.iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        self.assertEqual(g["Description"], "what it is for")
        self.assertEqual(g["Tags"], [{"Key": "team", "Value": "a"}])


class EnforcedIdentityTests(FidCase):
    """GetUser without UserName answers the caller's own user (API
    reference: "If you do not specify a user name, IAM determines the user
    name implicitly based on the Amazon Web Services access key ID used to
    sign the request"); GetAccessKeyLastUsed reports the key's last use
    (LastUsedDate, ServiceName, Region) once it has signed a request."""

    server_args = ("--iam", "enforce")

    def test_get_user_self_and_key_last_used(self):
        self.iam.create_user(UserName="self-u")
        self.iam.put_user_policy(UserName="self-u", PolicyName="p", PolicyDocument=json.dumps({
            "Version": V, "Statement": [{"Effect": "Allow", "Action": "iam:GetUser",
                                          "Resource": "*"}]}))
        k = self.iam.create_access_key(UserName="self-u")["AccessKey"]
        before = self.iam.get_access_key_last_used(AccessKeyId=k["AccessKeyId"])
        self.assertNotIn("LastUsedDate", before["AccessKeyLastUsed"])
        mine = self.server.client("iam", access_key=k["AccessKeyId"],
                                  secret_key=k["SecretAccessKey"])
        u = mine.get_user()["User"]
        self.assertEqual(u["UserName"], "self-u")
        self.assertEqual(u["Arn"], "arn:aws:iam::%s:user/self-u" % self.server.account)
        after = self.iam.get_access_key_last_used(AccessKeyId=k["AccessKeyId"])
        used = after["AccessKeyLastUsed"]
        self.assertEqual(after["UserName"], "self-u")
        self.assertIn("LastUsedDate", used)
        self.assertEqual(used["ServiceName"], "iam")
        self.assertEqual(used["Region"], "us-east-1")
        self.assertRecent(used["LastUsedDate"])


class SshKeyEncodingTests(FidCase):
    """UploadSSHPublicKey takes "ssh-rsa format or PEM format", at least 2048
    bits (API reference, UploadSSHPublicKey SSHPublicKeyBody). The
    fingerprint is the MD5 of the ssh-rsa blob (what `ssh-keygen -l -E md5`
    prints), so one key in either encoding is one key."""

    def _keys(self, bits=2048):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        pub = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
        ssh = pub.public_bytes(serialization.Encoding.OpenSSH,
                               serialization.PublicFormat.OpenSSH).decode()
        spki = pub.public_bytes(serialization.Encoding.PEM,
                                serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        pkcs1 = pub.public_bytes(serialization.Encoding.PEM,
                                 serialization.PublicFormat.PKCS1).decode()
        blob = base64.b64decode(ssh.split()[1])
        fp = ":".join("%02x" % b for b in hashlib.md5(blob).digest())
        return ssh, spki, pkcs1, fp

    def test_openssh_and_pem_encodings(self):
        try:
            import cryptography  # noqa: F401
        except ImportError:
            self.skipTest("python3 cryptography is absent")
        self.iam.create_user(UserName="ssh-u")
        ssh, spki, pkcs1, fp = self._keys()
        k = self.iam.upload_ssh_public_key(UserName="ssh-u", SSHPublicKeyBody=spki)["SSHPublicKey"]
        self.assertEqual(k["Fingerprint"], fp)
        self.assertEqual(k["SSHPublicKeyBody"], spki)
        # the same key again, in any encoding, is a duplicate
        for body in (ssh, pkcs1):
            self.err("DuplicateSSHPublicKey", self.iam.upload_ssh_public_key, UserName="ssh-u",
                     SSHPublicKeyBody=body)
        _, _, pkcs1b, fpb = self._keys()
        k2 = self.iam.upload_ssh_public_key(UserName="ssh-u", SSHPublicKeyBody=pkcs1b)["SSHPublicKey"]
        self.assertEqual(k2["Fingerprint"], fpb)
        ssh3, spki3, _, fp3 = self._keys()
        k3 = self.iam.upload_ssh_public_key(UserName="ssh-u", SSHPublicKeyBody=ssh3)["SSHPublicKey"]
        self.assertEqual(k3["Fingerprint"], fp3)
        # GetSSHPublicKey answers in the Encoding asked for, whichever was uploaded
        def get(kid, enc):
            return self.iam.get_ssh_public_key(UserName="ssh-u", SSHPublicKeyId=kid,
                                               Encoding=enc)["SSHPublicKey"]["SSHPublicKeyBody"]
        self.assertEqual(get(k3["SSHPublicKeyId"], "SSH"), ssh3)
        self.assertEqual(get(k3["SSHPublicKeyId"], "PEM"), spki3)
        self.assertEqual(get(k["SSHPublicKeyId"], "PEM"), spki)
        self.assertEqual(get(k["SSHPublicKeyId"], "SSH"), ssh)

    def test_short_or_garbled_pem_refused(self):
        try:
            import cryptography  # noqa: F401
        except ImportError:
            self.skipTest("python3 cryptography is absent")
        self.iam.create_user(UserName="ssh-v")
        _, spki, _, _ = self._keys(1024)
        self.err("InvalidPublicKey", self.iam.upload_ssh_public_key, UserName="ssh-v",
                 SSHPublicKeyBody=spki)
        self.err("InvalidPublicKey", self.iam.upload_ssh_public_key, UserName="ssh-v",
                 SSHPublicKeyBody="-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        self.err("UnrecognizedPublicKeyEncoding", self.iam.upload_ssh_public_key,
                 UserName="ssh-v", SSHPublicKeyBody="not a key at all")


def self_signed_b64(cn="idp.example.com"):
    import datetime as dt
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime(2025, 1, 1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3650)).sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def wrap64(s):
    return "\n".join(s[i:i + 64] for i in range(0, len(s), 64))


class SamlMetadataTests(FidCase):
    """CreateSAMLProvider reads the metadata as the SAML 2.0 metadata
    schema (saml-metadata-2.0-os) and common IdPs write it: Okta (md:
    prefixes), AD FS (default namespace, RoleDescriptors, a Signature,
    encryption and signing keys), Keycloak (an EntitiesDescriptor);
    "Could not parse metadata" (InvalidInput) otherwise (moto's and
    LocalStack's AWS-verified texts)."""

    def setUp(self):
        super().setUp()
        try:
            self.cert = wrap64(self_signed_b64())
        except ImportError:
            self.skipTest("python3 cryptography is absent")

    def okta(self):
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="http://www.okta.com/exk1abcd"><md:IDPSSODescriptor WantAuthnRequestsSigned='
            '"false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
            '<ds:X509Data><ds:X509Certificate>\n%s\n</ds:X509Certificate></ds:X509Data></ds:KeyInfo>'
            '</md:KeyDescriptor><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:'
            'unspecified</md:NameIDFormat><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:'
            '2.0:bindings:HTTP-POST" Location="https://example.okta.com/app/sso/saml"/>'
            '</md:IDPSSODescriptor></md:EntityDescriptor>' % self.cert)

    def adfs(self):
        return (
            '<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="_a1b2" entityID="http://'
            'adfs.example.com/adfs/services/trust" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">'
            '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/>'
            '<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>'
            '<RoleDescriptor xsi:type="fed:SecurityTokenServiceType" xmlns:xsi="http://www.w3.org/'
            '2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" '
            'protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706">'
            '<KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">'
            '<X509Data><X509Certificate>%s</X509Certificate></X509Data></KeyInfo></KeyDescriptor>'
            '</RoleDescriptor><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:'
            'SAML:2.0:protocol"><KeyDescriptor use="encryption"><KeyInfo xmlns="http://www.w3.org/'
            '2000/09/xmldsig#"><X509Data><X509Certificate>%s</X509Certificate></X509Data></KeyInfo>'
            '</KeyDescriptor><KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/'
            '09/xmldsig#"><X509Data><X509Certificate>%s</X509Certificate></X509Data></KeyInfo>'
            '</KeyDescriptor><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:'
            'HTTP-Redirect" Location="https://adfs.example.com/adfs/ls/"/></IDPSSODescriptor>'
            '</EntityDescriptor>' % (self.cert, self.cert, self.cert))

    def keycloak(self):
        return (
            '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" Name="urn:'
            'keycloak"><md:EntityDescriptor entityID="https://kc.example.com/realms/demo">'
            '<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:'
            'oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:'
            'ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyName>k1</ds:KeyName><ds:X509Data>'
            '<ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo>'
            '</md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:'
            'bindings:HTTP-POST" Location="https://kc.example.com/realms/demo/protocol/saml"/>'
            '</md:IDPSSODescriptor></md:EntityDescriptor></md:EntitiesDescriptor>' % self.cert)

    def test_common_idp_metadata_accepted(self):
        for i, (name, doc) in enumerate((("okta", self.okta()), ("adfs", self.adfs()),
                                         ("keycloak", self.keycloak()))):
            with self.subTest(idp=name):
                doc = doc + "<!-- %s -->" % ("x" * 1000)  # the API's 1000-character minimum
                arn = self.iam.create_saml_provider(Name="idp-%s" % name,
                                                    SAMLMetadataDocument=doc)["SAMLProviderArn"]
                got = self.iam.get_saml_provider(SAMLProviderArn=arn)
                self.assertEqual(got["SAMLMetadataDocument"], doc)

    def test_bad_metadata_refused(self):
        pad = "<!-- %s -->" % ("x" * 1000)
        okta = self.okta()
        bad = {
            "garbled certificate": okta.replace(self.cert, "MIIBAAAA"),
            "an SP, no IdP": okta.replace("IDPSSODescriptor", "SPSSODescriptor"),
            "no entityID": okta.replace('entityID="http://www.okta.com/exk1abcd"', ""),
            "wrong namespace": okta.replace("urn:oasis:names:tc:SAML:2.0:metadata", "urn:x"),
            "a DOCTYPE": okta.replace('<?xml version="1.0" encoding="UTF-8"?>',
                                      '<!DOCTYPE x [<!ENTITY e "e">]>'),
            "not XML": "x" * 1200,
        }
        for what, doc in bad.items():
            with self.subTest(case=what):
                msg = self.err("InvalidInput", self.iam.create_saml_provider,
                               Name="bad-idp", SAMLMetadataDocument=doc + pad)
                self.assertEqual(msg, "Could not parse metadata")


class OidcProviderTests(FidCase):
    """CreateOpenIDConnectProvider's URL rules and quotas, with the texts of
    versitygw's AWS-compatibility suite (IAMCreateOpenIDConnectProvider_*)
    and moto's ("Thumbprint list must contain fewer than 5 entries.",
    "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")."""

    def test_url_rules(self):
        iam = self.server.client("iam", validate=False)
        bad = [
            ("example.com", "ValidationError", "Invalid Open ID Connect Provider URL"),
            ("https://", "ValidationError", "Invalid Open ID Connect Provider URL"),
            ("http://example.com", "InvalidInput",
             "Invalid Open ID Connect Provider URL. The URL must begin with https://."),
            ("https://user:pass@example.com", "InvalidInput", "Invalid Open ID Connect Provider URL."),
            ("https://example.com?foo=1", "InvalidInput", "Invalid Open ID Connect Provider URL."),
            ("https://example.com#frag", "InvalidInput", "Invalid Open ID Connect Provider URL."),
            ("https://example.com:8443", "InvalidInput", "Invalid Open ID Connect Provider URL."),
            ("https://exa_mple.com", "InvalidInput", "Invalid Open ID Connect Provider URL."),
        ]
        for url, code, msg in bad:
            with self.subTest(url=url):
                self.assertEqual(self.err(code, iam.create_open_id_connect_provider, Url=url,
                                          ThumbprintList=["a" * 40]), msg)
        msg = self.err("ValidationError", iam.create_open_id_connect_provider,
                       Url="https://" + "a" * 250 + ".com", ThumbprintList=["a" * 40])
        self.assertIn("at 'url' failed to satisfy constraint: Member must have length less than "
                      "or equal to 255", msg)

    def test_accepted_urls_and_identity(self):
        a = self.iam.create_open_id_connect_provider(
            Url="https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123",
            ThumbprintList=["9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"],
            ClientIDList=["sts.amazonaws.com"])["OpenIDConnectProviderArn"]
        self.assertEqual(a, "arn:aws:iam::%s:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/"
                            "ABCDEF0123" % self.server.account)
        got = self.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=a)
        self.assertEqual(got["Url"], "oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123")
        self.assertEqual(got["ThumbprintList"], ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"])
        # a trailing slash is part of the identity
        b = self.iam.create_open_id_connect_provider(Url="https://token.example.org",
                                                     ThumbprintList=["b" * 40])
        c = self.iam.create_open_id_connect_provider(Url="https://token.example.org/",
                                                     ThumbprintList=["b" * 40])
        self.assertNotEqual(b["OpenIDConnectProviderArn"], c["OpenIDConnectProviderArn"])
        # five thumbprints are accepted; six are not
        self.iam.create_open_id_connect_provider(Url="https://five.example.org",
                                                 ThumbprintList=[str(i) * 40 for i in range(5)])
        self.assertEqual(self.err("InvalidInput", self.iam.create_open_id_connect_provider,
                                  Url="https://six.example.org",
                                  ThumbprintList=[str(i) * 40 for i in range(6)]),
                         "Thumbprint list must contain fewer than 5 entries.")
        self.assertEqual(self.err("LimitExceeded", self.iam.create_open_id_connect_provider,
                                  Url="https://many.example.org", ThumbprintList=["a" * 40],
                                  ClientIDList=["c%d" % i for i in range(101)]),
                         "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")


class ServerCertificateTests(FidCase):
    """UploadServerCertificate with a certificate chain (intermediate and
    root, PEM-concatenated as the API reference describes) and RSA or EC
    keys; a chain that is not PEM gets MalformedCertificate."""

    def _chain(self, ec=False):
        import datetime as dt
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec as ecmod, rsa
        from cryptography.x509.oid import NameOID

        def key():
            return (ecmod.generate_private_key(ecmod.SECP256R1()) if ec else
                    rsa.generate_private_key(public_exponent=65537, key_size=2048))

        def cert(subject, issuer, pub, signer, ca):
            t = dt.datetime(2025, 1, 1)
            b = (x509.CertificateBuilder().subject_name(x509.Name(
                [x509.NameAttribute(NameOID.COMMON_NAME, subject)])).issuer_name(x509.Name(
                    [x509.NameAttribute(NameOID.COMMON_NAME, issuer)])).public_key(pub)
                .serial_number(x509.random_serial_number()).not_valid_before(t)
                .not_valid_after(t + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
            return b.sign(signer, hashes.SHA256())

        pem = serialization.Encoding.PEM
        rk, ik, lk = key(), key(), key()
        root = cert("root", "root", rk.public_key(), rk, True)
        inter = cert("inter", "root", ik.public_key(), rk, True)
        leaf = cert("www.example.com", "inter", lk.public_key(), ik, False)
        pkey = lk.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        return (leaf.public_bytes(pem).decode(),
                inter.public_bytes(pem).decode() + root.public_bytes(pem).decode(), pkey,
                leaf.not_valid_after)

    def test_chain_and_key_types(self):
        try:
            import cryptography  # noqa: F401
        except ImportError:
            self.skipTest("python3 cryptography is absent")
        for ec in (False, True):
            with self.subTest(ec=ec):
                body, chain, key, notafter = self._chain(ec)
                name = "cert-ec" if ec else "cert-rsa"
                m = self.iam.upload_server_certificate(
                    ServerCertificateName=name, CertificateBody=body, CertificateChain=chain,
                    PrivateKey=key)["ServerCertificateMetadata"]
                self.assertEqual(m["Expiration"].replace(tzinfo=None), notafter)
                got = self.iam.get_server_certificate(ServerCertificateName=name)[
                    "ServerCertificate"]
                self.assertEqual(got["CertificateChain"], chain)
                self.assertEqual(got["CertificateBody"], body)
                self.assertNotIn("PrivateKey", got)
        body, chain, key, _ = self._chain()
        msg = self.err("MalformedCertificate", self.iam.upload_server_certificate,
                       ServerCertificateName="cert-bad", CertificateBody=body,
                       CertificateChain="not a chain", PrivateKey=key)
        self.assertIn("certificate chain", msg)


if __name__ == "__main__":
    unittest.main()
