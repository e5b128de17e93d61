"""The aws CLI against awsemu: create-key, encrypt/decrypt with fileb://;
asymmetric sign/verify and get-public-key, HMAC generate-mac/verify-mac
(checked with the `openssl` CLI where it is installed)."""

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import ServerTestCase

AWS = shutil.which("aws")


def cli_supports_endpoint_env():
    """AWS_ENDPOINT_URL is honoured from aws-cli 1.29 / 2.13 on."""
    try:
        out = subprocess.run([AWS, "--version"], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, timeout=30).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        return False
    m = re.search(r"aws-cli/(\d+)\.(\d+)", out)
    if not m:
        return False
    major, minor = int(m.group(1)), int(m.group(2))
    return (major == 1 and minor >= 29) or (major == 2 and minor >= 13) or major > 2


@unittest.skipUnless(AWS, "aws CLI not on PATH")
class CliTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="awsemu-e2e-cli-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def env(self, endpoint_env=False):
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                    "AWS_RETRY_MODE": "standard"})
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS"):
            env.pop(k, None)
        if endpoint_env:
            env["AWS_ENDPOINT_URL"] = self.server.url
        return env

    def aws(self, *args, endpoint_env=False, check=True):
        cmd = [AWS]
        if not endpoint_env:
            cmd += ["--endpoint-url", self.server.url]
        cmd += ["--cli-connect-timeout", "5", "--cli-read-timeout", "20"]
        cmd += list(args)
        p = subprocess.run(cmd, env=self.env(endpoint_env), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if check:
            self.assertEqual(0, p.returncode, "aws %s failed: %s" % (" ".join(args), p.stderr.decode()))
        return p

    def path(self, name):
        return os.path.join(self.tmp, name)

    def test_sign_verify_get_public_key_and_mac(self):
        md = json.loads(self.aws("kms", "create-key", "--key-spec", "ECC_NIST_P384", "--key-usage",
                                 "SIGN_VERIFY", "--output", "json").stdout)["KeyMetadata"]
        self.assertEqual(md["SigningAlgorithms"], ["ECDSA_SHA_384"])
        kid = md["KeyId"]
        with open(self.path("msg.bin"), "wb") as f:
            f.write(b"release 1.2.3\n")
        sig = self.aws("kms", "sign", "--key-id", kid, "--message", "fileb://" + self.path("msg.bin"),
                       "--signing-algorithm", "ECDSA_SHA_384", "--output", "text",
                       "--query", "Signature").stdout.strip()
        with open(self.path("sig.der"), "wb") as f:
            f.write(base64.b64decode(sig))
        out = self.aws("kms", "verify", "--key-id", kid, "--message",
                       "fileb://" + self.path("msg.bin"), "--signature",
                       "fileb://" + self.path("sig.der"), "--signing-algorithm", "ECDSA_SHA_384",
                       "--output", "json")
        self.assertTrue(json.loads(out.stdout)["SignatureValid"])
        with open(self.path("bad.bin"), "wb") as f:
            f.write(b"release 1.2.4\n")
        p = self.aws("kms", "verify", "--key-id", kid, "--message", "fileb://" + self.path("bad.bin"),
                     "--signature", "fileb://" + self.path("sig.der"), "--signing-algorithm",
                     "ECDSA_SHA_384", check=False)
        self.assertNotEqual(0, p.returncode)
        self.assertIn(b"KMSInvalidSignatureException", p.stderr)
        pub = self.aws("kms", "get-public-key", "--key-id", kid, "--output", "text",
                       "--query", "PublicKey").stdout.strip()
        with open(self.path("pub.der"), "wb") as f:
            f.write(base64.b64decode(pub))
        openssl = shutil.which("openssl")
        if openssl:  # an independent verifier
            p = subprocess.run([openssl, "dgst", "-sha384", "-verify", self.path("pub.der"),
                                "-keyform", "DER", "-signature", self.path("sig.der"),
                                self.path("msg.bin")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=30)
            self.assertEqual(0, p.returncode, p.stdout + p.stderr)
        hid = json.loads(self.aws("kms", "create-key", "--key-spec", "HMAC_256", "--key-usage",
                                  "GENERATE_VERIFY_MAC", "--output",
                                  "json").stdout)["KeyMetadata"]["KeyId"]
        mac = self.aws("kms", "generate-mac", "--key-id", hid, "--message",
                       "fileb://" + self.path("msg.bin"), "--mac-algorithm", "HMAC_SHA_256",
                       "--output", "text", "--query", "Mac").stdout.strip()
        with open(self.path("mac.bin"), "wb") as f:
            f.write(base64.b64decode(mac))
        out = self.aws("kms", "verify-mac", "--key-id", hid, "--message",
                       "fileb://" + self.path("msg.bin"), "--mac", "fileb://" + self.path("mac.bin"),
                       "--mac-algorithm", "HMAC_SHA_256", "--output", "json")
        self.assertTrue(json.loads(out.stdout)["MacValid"])

    def test_create_encrypt_decrypt(self):
        out = self.aws("kms", "create-key", "--description", "cli key", "--output", "json")
        md = json.loads(out.stdout)["KeyMetadata"]
        self.assertEqual("cli key", md["Description"])
        kid = md["KeyId"]
        secret = os.urandom(200) + b"cli plaintext"
        with open(self.path("pt.bin"), "wb") as f:
            f.write(secret)
        out = self.aws("kms", "encrypt", "--key-id", kid, "--plaintext", "fileb://" + self.path("pt.bin"),
                       "--output", "text", "--query", "CiphertextBlob")
        ct = base64.b64decode(out.stdout.strip())
        self.assertNotIn(secret, ct)
        with open(self.path("ct.bin"), "wb") as f:
            f.write(ct)
        out = self.aws("kms", "decrypt", "--ciphertext-blob", "fileb://" + self.path("ct.bin"),
                       "--output", "text", "--query", "Plaintext")
        self.assertEqual(secret, base64.b64decode(out.stdout.strip()))
        # the CLI's ciphertext works with boto3 too
        self.assertEqual(secret, self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_cli_error_exit_code(self):
        p = self.aws("kms", "describe-key", "--key-id", "alias/does-not-exist-cli", check=False)
        self.assertNotEqual(0, p.returncode)
        self.assertIn(b"NotFoundException", p.stderr)

    def test_endpoint_url_env(self):
        if not cli_supports_endpoint_env():
            self.skipTest("this aws CLI does not honour AWS_ENDPOINT_URL")
        kid = self.kms.create_key(Description="via env")["KeyMetadata"]["KeyId"]
        out = self.aws("kms", "describe-key", "--key-id", kid, "--output", "json", endpoint_env=True)
        self.assertEqual("via env", json.loads(out.stdout)["KeyMetadata"]["Description"])
        out = self.aws("kms", "generate-random", "--number-of-bytes", "24", "--output", "text",
                       "--query", "Plaintext", endpoint_env=True)
        self.assertEqual(24, len(base64.b64decode(out.stdout.strip())))


if __name__ == "__main__":
    unittest.main()
