"""An empty map or list is absent where AWS says "only one of" (issue 15
item 2).

Pinned by Terraform's hashicorp/aws provider (internal/service/kms/grant.go,
expandGrantConstraints), which sends the unused constraint of
aws_kms_grant's `constraints` block as {} and works against AWS, and by the
KMS API reference for GrantConstraints ("specify only one").
"""

import tempfile
import unittest

import tf_util
from harness import ServerTestCase


class KmsGrantConstraintTests(ServerTestCase):
    def setUp(self):
        self.key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.grantee = "arn:aws:iam::%s:role/grantee" % self.server.account

    def _grant(self, cons):
        g = self.kms.create_grant(KeyId=self.key, GranteePrincipal=self.grantee,
                                  Operations=["Decrypt", "Encrypt"], Constraints=cons)
        for x in self.kms.list_grants(KeyId=self.key)["Grants"]:
            if x["GrantId"] == g["GrantId"]:
                return x
        self.fail("grant not listed")

    def test_empty_subset_beside_equals_is_absent(self):
        g = self._grant({"EncryptionContextEquals": {"app": "x"}, "EncryptionContextSubset": {}})
        self.assertEqual(g["Constraints"], {"EncryptionContextEquals": {"app": "x"}})

    def test_empty_equals_beside_subset_is_absent(self):
        g = self._grant({"EncryptionContextSubset": {"app": "x"}, "EncryptionContextEquals": {}})
        self.assertEqual(g["Constraints"], {"EncryptionContextSubset": {"app": "x"}})

    def test_both_empty_is_no_constraint(self):
        g = self._grant({"EncryptionContextSubset": {}, "EncryptionContextEquals": {}})
        self.assertNotIn("Constraints", g)

    def test_two_nonempty_refused(self):
        self.assertClientError(
            ["ValidationException"], self.kms.create_grant, KeyId=self.key,
            GranteePrincipal=self.grantee, Operations=["Decrypt"],
            Constraints={"EncryptionContextSubset": {"a": "b"},
                         "EncryptionContextEquals": {"a": "b"}})


class SecretsManagerEmptyTests(ServerTestCase):
    def setUp(self):
        self.sm = self.server.client("secretsmanager")

    def test_force_delete_false_with_window(self):
        # "in conjunction" is about ForceDeleteWithoutRecovery=true only
        self.sm.create_secret(Name="ea-1", SecretString="x")
        r = self.sm.delete_secret(SecretId="ea-1", ForceDeleteWithoutRecovery=False,
                                  RecoveryWindowInDays=7)
        self.assertIn("DeletionDate", r)


class TerraformKmsGrantTests(ServerTestCase):
    def test_aws_kms_grant_with_encryption_context_equals(self):
        why = tf_util.skip_reason()
        if why:
            self.skipTest(why)
        with tempfile.TemporaryDirectory() as d:
            tf = tf_util.Terraform(self.server, d)
            tf.write("main.tf", """
resource "aws_kms_key" "k" {
  description             = "grant test"
  deletion_window_in_days = 7
}
resource "aws_kms_grant" "g" {
  name              = "tf-grant"
  key_id            = aws_kms_key.k.key_id
  grantee_principal = "arn:aws:iam::%s:role/tf-grantee"
  operations        = ["Encrypt", "Decrypt", "GenerateDataKey"]
  constraints {
    encryption_context_equals = {
      Department = "Finance"
    }
  }
}
output "grant_id" { value = aws_kms_grant.g.grant_id }
output "key_id" { value = aws_kms_key.k.key_id }
""" % self.server.account)
            tf.apply()
            out = tf.outputs()
            grants = self.kms.list_grants(KeyId=out["key_id"])["Grants"]
            self.assertEqual([g["GrantId"] for g in grants], [out["grant_id"]])
            self.assertEqual(grants[0]["Constraints"],
                             {"EncryptionContextEquals": {"Department": "Finance"}})
            tf.assert_no_drift(self)
            tf.destroy()


if __name__ == "__main__":
    unittest.main()
