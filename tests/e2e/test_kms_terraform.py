"""Real Terraform (hashicorp/aws, offline mirror) against awsemu: aws_kms_key
with every asymmetric, HMAC and key-agreement spec, and data
aws_kms_public_key; apply, `plan -detailed-exitcode` without drift,
destroy. Skipped with a message where terraform or the mirror is absent
(tf_util.skip_reason).

The provider's reads (DescribeKey, GetKeyPolicy, GetKeyRotationStatus,
ListResourceTags, GetPublicKey) must answer what it wrote, or plan shows
drift; resource docs: registry.terraform.io/providers/hashicorp/aws
kms_key (key_usage, customer_master_key_spec) and kms_public_key."""

import base64
import shutil
import tempfile
import unittest

from cryptography.hazmat.primitives import serialization

from harness import ServerTestCase
from tf_util import Terraform, skip_reason

SPECS = [("rsa_sign", "RSA_2048", "SIGN_VERIFY"), ("rsa_enc", "RSA_3072", "ENCRYPT_DECRYPT"),
         ("p256", "ECC_NIST_P256", "SIGN_VERIFY"), ("p384_ecdh", "ECC_NIST_P384", "KEY_AGREEMENT"),
         ("p521", "ECC_NIST_P521", "SIGN_VERIFY"), ("k1", "ECC_SECG_P256K1", "SIGN_VERIFY"),
         ("hmac224", "HMAC_224", "GENERATE_VERIFY_MAC"),
         ("hmac512", "HMAC_512", "GENERATE_VERIFY_MAC")]

HCL = "".join("""
resource "aws_kms_key" "%s" {
  description              = "tf %s"
  customer_master_key_spec = "%s"
  key_usage                = "%s"
  deletion_window_in_days  = 7
  tags = { spec = "%s" }
}
""" % (name, spec, spec, usage, spec) for name, spec, usage in SPECS) + """
data "aws_kms_public_key" "p256" {
  key_id = aws_kms_key.p256.arn
}

output "p256_pem" {
  value = data.aws_kms_public_key.p256.public_key_pem
}
output "p256_der" {
  value = data.aws_kms_public_key.p256.public_key
}
output "p256_algs" {
  value = data.aws_kms_public_key.p256.signing_algorithms
}
output "p256_id" {
  value = aws_kms_key.p256.key_id
}
"""


@unittest.skipIf(skip_reason(), skip_reason() or "")
class TerraformKmsAsymTests(ServerTestCase):
    needs_process = True

    def test_every_spec_apply_plan_destroy(self):
        work = tempfile.mkdtemp(prefix="awsemu-tf-kms-")
        try:
            tf = Terraform(self.server, work)
            tf.write("main.tf", HCL)
            tf.apply()
            out = tf.outputs()
            der = self.kms.get_public_key(KeyId=out["p256_id"])["PublicKey"]
            self.assertEqual(base64.b64decode(out["p256_der"]), der)
            pem = serialization.load_der_public_key(der).public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            self.assertEqual(out["p256_pem"].strip(), pem.decode().strip())
            self.assertEqual(out["p256_algs"], ["ECDSA_SHA_256"])
            specs = {}
            for k in self.kms.list_keys(Limit=1000)["Keys"]:
                md = self.kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
                if md["KeyState"] == "Enabled" and md["Description"].startswith("tf "):
                    specs[md["KeySpec"]] = md["KeyUsage"]
            self.assertEqual(specs, {spec: usage for _, spec, usage in SPECS})
            tf.assert_no_drift(self)
            tf.destroy()
            states = {self.kms.describe_key(KeyId=out["p256_id"])["KeyMetadata"]["KeyState"]}
            self.assertEqual(states, {"PendingDeletion"})
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
