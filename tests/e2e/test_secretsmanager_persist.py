"""Secrets Manager state across restarts (--data-dir) and secrets at rest:
no secret value may appear in any file under the data dir, in plain bytes,
base64 or UTF-16."""

import base64
import json
import os
import shutil
import tempfile
import unittest
import uuid

from harness import EXTERNAL_URL, Server, scan_for
from test_secretsmanager import ACCOUNT, secret_arn_re


def needles_for(label, value):
    """The encodings of value a careless store could leave on disk."""
    raw = value.encode("utf-8") if isinstance(value, str) else value
    out = [(label, raw), (label + " base64", base64.b64encode(raw)),
           (label + " base64url", base64.urlsafe_b64encode(raw).rstrip(b"="))]
    if isinstance(value, str):
        out += [(label + " utf-16-le", value.encode("utf-16-le")),
                (label + " utf-16-be", value.encode("utf-16-be"))]
    out.append((label + " hex", raw.hex().encode()))
    return out


@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class SecretsPersistTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-sm-data-")
        cls.server = Server(["--data-dir", cls.data_dir])
        try:
            cls.server.start()
            cls._populate()
            cls.scan_while_running = scan_for(cls.data_dir, cls.needles)
            cls.server.restart()
        except Exception:
            cls.server.cleanup()
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise
        cls.sm = cls.server.client("secretsmanager")
        cls.kms = cls.server.client("kms")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    @classmethod
    def _populate(cls):
        sm = cls.server.client("secretsmanager")
        kms = cls.server.client("kms")
        tag = uuid.uuid4().hex
        cls.tag = tag
        # distinctive values (long enough that a chance match is impossible)
        cls.s1 = "SMPERSIST-string-one-%s-Zq" % tag
        cls.s2 = "SMPERSIST-string-two-%s-Wx ✓ ünïcödé" % tag
        cls.b1 = b"SMBIN1-" + tag.encode() + os.urandom(40)
        cls.b2 = os.urandom(24) + b"SMBIN2-" + tag.encode() + os.urandom(24)
        cls.k1 = '{"username":"admin","password":"SMKMS-%s"}' % tag
        cls.pending_value = "SMPENDING-%s" % tag
        cls.label_value = "SMLABEL-%s" % tag

        # a string secret under the default key, updated once
        cls.str_name = "persist/str-" + tag[:10]
        r = sm.create_secret(Name=cls.str_name, SecretString=cls.s1, Description="persisted " + tag,
                             Tags=[{"Key": "case", "Value": tag}])
        cls.str_arn, cls.str_v1 = r["ARN"], r["VersionId"]
        cls.str_v2 = sm.put_secret_value(SecretId=cls.str_name, SecretString=cls.s2)["VersionId"]

        # a binary secret, updated through UpdateSecret
        cls.bin_name = "persist/bin-" + tag[:10]
        r = sm.create_secret(Name=cls.bin_name, SecretBinary=cls.b1)
        cls.bin_arn, cls.bin_v1 = r["ARN"], r["VersionId"]
        cls.bin_v2 = sm.update_secret(SecretId=cls.bin_name, SecretBinary=cls.b2)["VersionId"]

        # a secret under a customer key given by alias, with a custom label
        cls.key_id = kms.create_key(Description="sm persist " + tag)["KeyMetadata"]["KeyId"]
        cls.alias = "alias/smpersist-" + tag[:10]
        kms.create_alias(AliasName=cls.alias, TargetKeyId=cls.key_id)
        cls.kms_name = "persist/kms-" + tag[:10]
        cls.kms_token = str(uuid.uuid4())
        sm.create_secret(Name=cls.kms_name, SecretString=cls.k1, KmsKeyId=cls.alias,
                         ClientRequestToken=cls.kms_token)
        cls.label_v = sm.put_secret_value(SecretId=cls.kms_name, SecretString=cls.label_value,
                                          VersionStages=["blue"])["VersionId"]
        cls.pending_v = sm.put_secret_value(SecretId=cls.kms_name, SecretString=cls.pending_value,
                                            VersionStages=["AWSPENDING"])["VersionId"]

        # one pending deletion, with a resource policy on another
        cls.del_name = "persist/del-" + tag[:10]
        sm.create_secret(Name=cls.del_name, SecretString="SMDEL-%s" % tag)
        cls.deletion_date = sm.delete_secret(SecretId=cls.del_name,
                                             RecoveryWindowInDays=9)["DeletionDate"]
        cls.policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
                      '{"AWS":"arn:aws:iam::%s:root"},"Action":"secretsmanager:GetSecretValue",'
                      '"Resource":"*"}]}' % ACCOUNT)
        sm.put_resource_policy(SecretId=cls.str_name, ResourcePolicy=cls.policy)

        cls.needles = []
        for label, v in (("s1", cls.s1), ("s2", cls.s2), ("b1", cls.b1), ("b2", cls.b2),
                         ("k1", cls.k1), ("pending", cls.pending_value),
                         ("label", cls.label_value), ("deleted", "SMDEL-%s" % tag),
                         ("k1 password", "SMKMS-%s" % tag)):
            cls.needles += needles_for(label, v)

    # -- after the restart -------------------------------------------------
    def test_string_secret_survives(self):
        g = self.sm.get_secret_value(SecretId=self.str_name)
        self.assertEqual((self.s2, self.str_v2), (g["SecretString"], g["VersionId"]))
        self.assertEqual(self.str_arn, g["ARN"])
        p = self.sm.get_secret_value(SecretId=self.str_arn, VersionStage="AWSPREVIOUS")
        self.assertEqual((self.s1, self.str_v1), (p["SecretString"], p["VersionId"]))
        d = self.sm.describe_secret(SecretId=self.str_name)
        self.assertRegex(d["ARN"], secret_arn_re(self.str_name))
        self.assertEqual("persisted " + self.tag, d["Description"])
        self.assertEqual([{"Key": "case", "Value": self.tag}], d["Tags"])
        self.assertEqual({self.str_v1: ["AWSPREVIOUS"], self.str_v2: ["AWSCURRENT"]},
                         d["VersionIdsToStages"])
        pol = self.sm.get_resource_policy(SecretId=self.str_name)
        self.assertEqual(json.loads(self.policy), json.loads(pol["ResourcePolicy"]))

    def test_binary_secret_survives(self):
        g = self.sm.get_secret_value(SecretId=self.bin_name)
        self.assertEqual((self.b2, self.bin_v2), (g["SecretBinary"], g["VersionId"]))
        p = self.sm.get_secret_value(SecretId=self.bin_name, VersionId=self.bin_v1)
        self.assertEqual(self.b1, p["SecretBinary"])
        self.assertEqual(["AWSPREVIOUS"], p["VersionStages"])

    def test_kms_secret_survives(self):
        d = self.sm.describe_secret(SecretId=self.kms_name)
        self.assertEqual(self.alias, d["KmsKeyId"])
        g = self.sm.get_secret_value(SecretId=self.kms_name)
        self.assertEqual((self.k1, self.kms_token), (g["SecretString"], g["VersionId"]))
        self.assertEqual(self.label_value,
                         self.sm.get_secret_value(SecretId=self.kms_name,
                                                  VersionStage="blue")["SecretString"])
        self.assertEqual(self.pending_value,
                         self.sm.get_secret_value(SecretId=self.kms_name,
                                                  VersionStage="AWSPENDING")["SecretString"])
        # still bound to the customer key
        self.kms.disable_key(KeyId=self.key_id)
        try:
            with self.assertRaises(Exception) as cm:
                self.sm.get_secret_value(SecretId=self.kms_name)
            self.assertEqual("DecryptionFailure", cm.exception.response["Error"]["Code"])
        finally:
            self.kms.enable_key(KeyId=self.key_id)

    def test_pending_deletion_survives(self):
        d = self.sm.describe_secret(SecretId=self.del_name)
        self.assertIn("DeletedDate", d)
        with self.assertRaises(Exception) as cm:
            self.sm.get_secret_value(SecretId=self.del_name)
        self.assertEqual("InvalidRequestException", cm.exception.response["Error"]["Code"])
        self.sm.restore_secret(SecretId=self.del_name)
        self.assertEqual("SMDEL-%s" % self.tag,
                         self.sm.get_secret_value(SecretId=self.del_name)["SecretString"])

    def test_idempotency_token_survives(self):
        # a retried PutSecretValue with a known token and a different value still conflicts
        with self.assertRaises(Exception) as cm:
            self.sm.put_secret_value(SecretId=self.kms_name, SecretString="other",
                                     ClientRequestToken=self.kms_token)
        self.assertEqual("ResourceExistsException", cm.exception.response["Error"]["Code"])

    def test_no_plaintext_at_rest_while_running(self):
        self.assertEqual([], self.scan_while_running)

    def test_no_plaintext_at_rest_after_restart_and_stop(self):
        # touch everything once more, then stop so WAL/journal content is final
        for n in (self.str_name, self.bin_name, self.kms_name):
            self.sm.get_secret_value(SecretId=n)
        self.server.stop()
        try:
            files = [os.path.join(dp, f) for dp, _, fs in os.walk(self.data_dir) for f in fs]
            self.assertTrue(files, "nothing written under --data-dir")
            self.assertEqual([], scan_for(self.data_dir, self.needles))
        finally:
            self.server.start()


if __name__ == "__main__":
    unittest.main()
