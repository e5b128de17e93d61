"""IAM as AWS answers it (issue 15 items 3-6): the policy grammar and its
MalformedPolicyDocument texts, messages and shapes, inputs AWS accepts
(SSH keys, SAML metadata, server certificates, OIDC URLs) and virtual MFA.
Each class names the source that pinned AWS's behaviour."""

import base64
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


if __name__ == "__main__":
    unittest.main()
