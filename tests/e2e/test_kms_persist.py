"""KMS persistence across restarts (--data-dir), secrets at rest, --iam enforce."""

import base64
import os
import shutil
import stat
import tempfile
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import EXTERNAL_URL, Server, ServerTestCase, model_has, scan_for


@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class PersistTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-data-")
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
        cls.kms = cls.server.client("kms")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    @classmethod
    def _populate(cls):
        kms = cls.server.client("kms")
        tag = uuid.uuid4().hex
        cls.pt_text = ("persist-secret-%s" % tag).encode()
        cls.pt_bin = os.urandom(64)
        cls.ctx = {"app": "persist-test"}
        md = kms.create_key(Description="persisted " + tag,
                            Tags=[{"TagKey": "case", "TagValue": tag}])["KeyMetadata"]
        cls.key_id, cls.key_arn, cls.tag = md["KeyId"], md["Arn"], tag
        cls.alias = "alias/persist-" + tag[:12]
        kms.create_alias(AliasName=cls.alias, TargetKeyId=cls.key_id)
        cls.ct_text = kms.encrypt(KeyId=cls.alias, Plaintext=cls.pt_text,
                                  EncryptionContext=cls.ctx)["CiphertextBlob"]
        cls.ct_bin = kms.encrypt(KeyId=cls.key_id, Plaintext=cls.pt_bin)["CiphertextBlob"]
        dk = kms.generate_data_key(KeyId=cls.key_id, KeySpec="AES_256")
        cls.dk_plain, cls.dk_blob = dk["Plaintext"], dk["CiphertextBlob"]
        kms.enable_key_rotation(KeyId=cls.key_id)
        # a second key: disabled, and one pending deletion
        cls.disabled_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=cls.disabled_id)
        cls.pending_id = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=cls.pending_id, PendingWindowInDays=7)
        # a rotated key: ciphertext from before the rotation must survive the restart
        cls.rot_id = kms.create_key()["KeyMetadata"]["KeyId"]
        cls.pt_rot = os.urandom(48)
        cls.ct_rot_before = kms.encrypt(KeyId=cls.rot_id, Plaintext=cls.pt_rot)["CiphertextBlob"]
        if model_has(kms, "RotateKeyOnDemand"):
            kms.rotate_key_on_demand(KeyId=cls.rot_id)
        else:
            cls.server.kms_raw("RotateKeyOnDemand", KeyId=cls.rot_id)
        cls.ct_rot_after = kms.encrypt(KeyId=cls.rot_id, Plaintext=cls.pt_rot)["CiphertextBlob"]
        secrets = [("plaintext text", cls.pt_text), ("plaintext binary", cls.pt_bin),
                   ("data key", cls.dk_plain), ("rotated-key plaintext", cls.pt_rot)]
        cls.needles = []
        for label, s in secrets:
            cls.needles.append((label, s))
            cls.needles.append((label + " (base64)", base64.b64encode(s)))
            cls.needles.append((label + " (hex)", s.hex().encode()))

    def test_key_metadata_survives(self):
        md = self.kms.describe_key(KeyId=self.key_id)["KeyMetadata"]
        self.assertEqual(self.key_arn, md["Arn"])
        self.assertEqual("persisted " + self.tag, md["Description"])
        self.assertEqual("Enabled", md["KeyState"])
        tags = self.kms.list_resource_tags(KeyId=self.key_id)["Tags"]
        self.assertEqual([{"TagKey": "case", "TagValue": self.tag}], tags)
        self.assertIs(True, self.kms.get_key_rotation_status(KeyId=self.key_id)["KeyRotationEnabled"])
        self.assertIn(self.key_id, [k["KeyId"] for k in self.kms.list_keys(Limit=1000)["Keys"]])

    def test_alias_survives(self):
        self.assertEqual(self.key_id, self.kms.describe_key(KeyId=self.alias)["KeyMetadata"]["KeyId"])
        names = [a["AliasName"] for a in self.kms.list_aliases(KeyId=self.key_id)["Aliases"]]
        self.assertEqual([self.alias], names)

    def test_old_ciphertexts_decrypt(self):
        d = self.kms.decrypt(CiphertextBlob=self.ct_text, EncryptionContext=self.ctx)
        self.assertEqual(self.pt_text, d["Plaintext"])
        self.assertEqual(self.key_arn, d["KeyId"])
        self.assertEqual(self.pt_bin, self.kms.decrypt(CiphertextBlob=self.ct_bin)["Plaintext"])
        self.assertEqual(self.dk_plain, self.kms.decrypt(CiphertextBlob=self.dk_blob)["Plaintext"])
        with self.assertRaises(ClientError) as cm:
            self.kms.decrypt(CiphertextBlob=self.ct_text)  # context still enforced
        self.assertEqual("InvalidCiphertextException", cm.exception.response["Error"]["Code"])
        ct = self.kms.encrypt(KeyId=self.alias, Plaintext=b"after restart")["CiphertextBlob"]
        self.assertEqual(b"after restart", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_rotated_key_material_survives(self):
        for ct in (self.ct_rot_before, self.ct_rot_after):
            self.assertEqual(self.pt_rot, self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_key_states_survive(self):
        self.assertEqual("Disabled", self.kms.describe_key(KeyId=self.disabled_id)["KeyMetadata"]["KeyState"])
        md = self.kms.describe_key(KeyId=self.pending_id)["KeyMetadata"]
        self.assertEqual("PendingDeletion", md["KeyState"])
        self.assertIn("DeletionDate", md)

    def test_master_key_file_mode(self):
        found = []
        for dirpath, _, files in os.walk(self.data_dir):
            found += [os.path.join(dirpath, f) for f in files if f == "master.key"]
        self.assertEqual(1, len(found), "master.key files: %r" % found)
        mode = stat.S_IMODE(os.stat(found[0]).st_mode)
        self.assertEqual(0o600, mode, "master.key mode is %o" % mode)

    def test_no_plaintext_at_rest(self):
        self.assertEqual([], self.scan_while_running, "secrets found while running (before restart)")
        self.assertEqual([], scan_for(self.data_dir, self.needles), "secrets found after restart")
        rc, _ = self.server.stop()
        self.assertEqual(0, rc)
        try:
            self.assertEqual([], scan_for(self.data_dir, self.needles), "secrets found after shutdown")
        finally:
            self.server.start()


class IamEnforceTests(ServerTestCase):
    server_args = ("--iam", "enforce")
    needs_process = True

    def test_right_secret(self):
        kid = self.kms.create_key()["KeyMetadata"]["KeyId"]
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"signed")["CiphertextBlob"]
        self.assertEqual(b"signed", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_wrong_secret(self):
        bad = self.server.client("kms", secret_key="not-the-secret")
        self.assertClientError("InvalidSignatureException", bad.list_keys)

    def test_unknown_access_key(self):
        bad = self.server.client("kms", access_key="AKIAUNKNOWNUNKNOWN00", secret_key="test")
        self.assertClientError("UnrecognizedClientException", bad.list_keys)

    def test_unsigned_request(self):
        status, _, body, raw = self.server.json_request("TrentService.ListKeys", {}, sign=False)
        self.assertIn(status, (400, 403), raw)
        self.assertIsInstance(body, dict, raw)
        self.assertIn(str(body.get("__type")).rsplit("#", 1)[-1],
                      ("MissingAuthenticationTokenException", "IncompleteSignatureException",
                       "AccessDeniedException"))


if __name__ == "__main__":
    unittest.main()
