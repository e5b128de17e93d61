"""KMS multi-Region keys through boto3: mrk- key ids, ReplicateKey,
UpdatePrimaryRegion, DescribeKey's MultiRegionConfiguration, per-replica
description, policy, tags and aliases, ciphertexts that open in every
region, asymmetric and HMAC multi-Region keys (the same private key and
HMAC key in every region, checked with Python `cryptography`), rotation
that reaches the replicas, and the deletion rules of a
primary with replicas (PendingReplicaDeletion); --iam enforce with
kms:ReplicaRegion, kms:PrimaryRegion, kms:MultiRegion and
kms:MultiRegionKeyType.

Behaviour pinned by the AWS KMS Developer Guide ("Multi-Region keys in
AWS KMS", "Creating multi-Region replica keys", "Updating the primary
Region", "Deleting multi-Region keys": a primary with replicas waits in
PendingReplicaDeletion and its waiting period begins when its last replica
is deleted) and the API reference of ReplicateKey, UpdatePrimaryRegion and
ScheduleKeyDeletion (no DeletionDate for such a primary)."""

import json
import re

from harness import DEFAULT_ACCOUNT, ServerTestCase
from enforce_util import ENFORCE, Principals, allow, client, doc

ACCOUNT = DEFAULT_ACCOUNT
MRK_RE = re.compile(r"^mrk-[0-9a-f]{32}$")


def arn(region, key_id):
    return "arn:aws:kms:%s:%s:key/%s" % (region, ACCOUNT, key_id)


class MrkTestCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.west = cls.server.client("kms", region="us-west-2")
        cls.eu = cls.server.client("kms", region="eu-west-1")

    def advance_days(self, days):
        status, _, raw = self.server.http(
            "POST", "/_awsemu/clock", body=json.dumps({"advance_days": days}).encode(),
            headers={"Content-Type": "application/json"})
        self.assertEqual(200, status, raw)

    def mrk(self, **kw):
        return self.kms.create_key(MultiRegion=True, **kw)["KeyMetadata"]


class CreateReplicateTests(MrkTestCase):
    def test_create_multi_region_key(self):
        md = self.mrk(Description="primary")
        self.assertRegex(md["KeyId"], MRK_RE)
        self.assertEqual(arn("us-east-1", md["KeyId"]), md["Arn"])
        self.assertIs(True, md["MultiRegion"])
        cfg = md["MultiRegionConfiguration"]
        self.assertEqual("PRIMARY", cfg["MultiRegionKeyType"])
        self.assertEqual({"Arn": md["Arn"], "Region": "us-east-1"}, cfg["PrimaryKey"])
        self.assertEqual([], cfg["ReplicaKeys"])
        single = self.kms.create_key()["KeyMetadata"]
        self.assertIs(False, single["MultiRegion"])
        self.assertNotIn("MultiRegionConfiguration", single)

    def test_replicate_same_id_own_settings(self):
        md = self.mrk(Description="primary", Tags=[{"TagKey": "side", "TagValue": "east"}])
        kid = md["KeyId"]
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "root", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
            "Action": "kms:*", "Resource": "*"}]})
        r = self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2", Description="replica",
                                   Policy=policy, Tags=[{"TagKey": "side", "TagValue": "west"}])
        rmd = r["ReplicaKeyMetadata"]
        self.assertEqual(kid, rmd["KeyId"])
        self.assertEqual(arn("us-west-2", kid), rmd["Arn"])
        self.assertEqual("replica", rmd["Description"])
        self.assertEqual("Enabled", rmd["KeyState"])
        self.assertEqual("REPLICA", rmd["MultiRegionConfiguration"]["MultiRegionKeyType"])
        self.assertEqual(policy, r["ReplicaPolicy"])
        self.assertEqual([{"TagKey": "side", "TagValue": "west"}], r["ReplicaTags"])
        # each region describes its own copy; both list the whole key
        wmd = self.west.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("replica", wmd["Description"])
        self.assertEqual(rmd["CurrentKeyMaterialId"], md["CurrentKeyMaterialId"])
        emd = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("primary", emd["Description"])
        for m in (wmd, emd):
            cfg = m["MultiRegionConfiguration"]
            self.assertEqual({"Arn": md["Arn"], "Region": "us-east-1"}, cfg["PrimaryKey"])
            self.assertEqual([{"Arn": arn("us-west-2", kid), "Region": "us-west-2"}],
                             cfg["ReplicaKeys"])
        self.assertEqual([{"TagKey": "side", "TagValue": "west"}],
                         self.west.list_resource_tags(KeyId=kid)["Tags"])
        self.assertEqual([{"TagKey": "side", "TagValue": "east"}],
                         self.kms.list_resource_tags(KeyId=kid)["Tags"])
        self.assertEqual(policy, self.west.get_key_policy(KeyId=kid, PolicyName="default")["Policy"])
        # a description change stays in its region
        self.west.update_key_description(KeyId=kid, Description="changed")
        self.assertEqual("primary", self.kms.describe_key(KeyId=kid)["KeyMetadata"]["Description"])
        # the replica is a key of us-west-2 only
        self.assertIn(kid, [k["KeyId"] for k in self.west.list_keys(Limit=1000)["Keys"]])
        self.assertNotIn(kid, [k["KeyId"] for k in self.eu.list_keys(Limit=1000)["Keys"]])
        self.assertClientError("NotFoundException", self.eu.describe_key, KeyId=kid)

    def test_aliases_per_region(self):
        kid = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        self.west.create_alias(AliasName="alias/mrk-west", TargetKeyId=kid)
        self.assertEqual(kid, self.west.describe_key(KeyId="alias/mrk-west")["KeyMetadata"]["KeyId"])
        self.assertClientError("NotFoundException", self.kms.describe_key, KeyId="alias/mrk-west")
        targets = [a.get("TargetKeyId") for a in self.west.list_aliases(KeyId=kid)["Aliases"]]
        self.assertEqual([kid], targets)

    def test_ciphertext_opens_in_every_region(self):
        kid = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="eu-west-1")
        ctx = {"purpose": "dr"}
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"from east", EncryptionContext=ctx)
        for c in (self.west, self.eu):
            out = c.decrypt(CiphertextBlob=ct["CiphertextBlob"], EncryptionContext=ctx)
            self.assertEqual(b"from east", out["Plaintext"])
            self.assertEqual(arn(c.meta.region_name, kid), out["KeyId"])
        dk = self.west.generate_data_key(KeyId=arn("us-west-2", kid), KeySpec="AES_256")
        self.assertEqual(dk["Plaintext"],
                         self.kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"])
        # the encryption context still binds
        self.assertClientError("InvalidCiphertextException", self.west.decrypt,
                               CiphertextBlob=ct["CiphertextBlob"])
        # a disabled replica refuses; the primary still opens it
        self.west.disable_key(KeyId=kid)
        self.assertClientError("DisabledException", self.west.decrypt,
                               CiphertextBlob=dk["CiphertextBlob"])
        self.assertEqual(dk["Plaintext"],
                         self.kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"])

    def test_rotation_reaches_replicas(self):
        kid = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        self.kms.rotate_key_on_demand(KeyId=kid)
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"rotated")["CiphertextBlob"]
        self.assertEqual(b"rotated", self.west.decrypt(CiphertextBlob=ct)["Plaintext"])
        self.assertEqual(self.kms.describe_key(KeyId=kid)["KeyMetadata"]["CurrentKeyMaterialId"],
                         self.west.describe_key(KeyId=kid)["KeyMetadata"]["CurrentKeyMaterialId"])
        # rotation is the primary's business
        self.assertClientError("UnsupportedOperationException", self.west.rotate_key_on_demand,
                               KeyId=kid)
        self.assertClientError("UnsupportedOperationException", self.west.enable_key_rotation,
                               KeyId=kid)

    def test_replicate_errors(self):
        single = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertClientError("UnsupportedOperationException", self.kms.replicate_key,
                               KeyId=single, ReplicaRegion="us-west-2")
        kid = self.mrk()["KeyId"]
        self.assertClientError("ValidationException", self.kms.replicate_key, KeyId=kid,
                               ReplicaRegion="us-east-1")
        self.assertClientError("ValidationException", self.kms_nv.replicate_key, KeyId=kid,
                               ReplicaRegion="Not_A_Region")
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        self.assertClientError("AlreadyExistsException", self.kms.replicate_key, KeyId=kid,
                               ReplicaRegion="us-west-2")
        # only the primary replicates
        self.assertClientError("UnsupportedOperationException", self.west.replicate_key,
                               KeyId=kid, ReplicaRegion="eu-west-1")
        self.assertClientError("MalformedPolicyDocumentException", self.kms.replicate_key,
                               KeyId=kid, ReplicaRegion="eu-west-1", Policy="{not json")
        self.assertClientError("NotFoundException", self.kms.replicate_key,
                               KeyId="mrk-" + "0" * 32, ReplicaRegion="eu-west-1")
        off = self.mrk()["KeyId"]
        self.kms.disable_key(KeyId=off)
        self.assertClientError("DisabledException", self.kms.replicate_key, KeyId=off,
                               ReplicaRegion="us-west-2")


class UpdatePrimaryRegionTests(MrkTestCase):
    def test_update_primary_region(self):
        kid = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        self.kms.update_primary_region(KeyId=kid, PrimaryRegion="us-west-2")
        for c, kind in ((self.kms, "REPLICA"), (self.west, "PRIMARY")):
            cfg = c.describe_key(KeyId=kid)["KeyMetadata"]["MultiRegionConfiguration"]
            self.assertEqual(kind, cfg["MultiRegionKeyType"])
            self.assertEqual({"Arn": arn("us-west-2", kid), "Region": "us-west-2"},
                             cfg["PrimaryKey"])
            self.assertEqual([{"Arn": arn("us-east-1", kid), "Region": "us-east-1"}],
                             cfg["ReplicaKeys"])
        # the new primary replicates; the old one no longer does
        self.assertClientError("UnsupportedOperationException", self.kms.replicate_key,
                               KeyId=kid, ReplicaRegion="eu-west-1")
        self.west.replicate_key(KeyId=kid, ReplicaRegion="eu-west-1")
        ct = self.eu.encrypt(KeyId=kid, Plaintext=b"eu")["CiphertextBlob"]
        self.assertEqual(b"eu", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_update_primary_region_errors(self):
        kid = self.mrk()["KeyId"]
        self.assertClientError("NotFoundException", self.kms.update_primary_region, KeyId=kid,
                               PrimaryRegion="ap-south-1")
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        self.assertClientError("UnsupportedOperationException", self.west.update_primary_region,
                               KeyId=kid, PrimaryRegion="us-east-1")
        single = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertClientError("UnsupportedOperationException", self.kms.update_primary_region,
                               KeyId=single, PrimaryRegion="us-west-2")


class DeletionTests(MrkTestCase):
    own_server = True  # moves the clock

    def test_primary_waits_for_its_replicas(self):
        kid = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        r = self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        self.assertEqual("PendingReplicaDeletion", r["KeyState"])
        self.assertEqual(7, r["PendingWindowInDays"])
        self.assertNotIn("DeletionDate", r)
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("PendingReplicaDeletion", md["KeyState"])
        self.assertEqual(7, md["PendingDeletionWindowInDays"])
        self.assertNotIn("DeletionDate", md)
        self.assertClientError("KMSInvalidStateException", self.kms.encrypt, KeyId=kid,
                               Plaintext=b"x")
        self.assertClientError("KMSInvalidStateException", self.kms.replicate_key, KeyId=kid,
                               ReplicaRegion="eu-west-1")
        # cancel: Disabled, as any key whose deletion is cancelled
        self.kms.cancel_key_deletion(KeyId=kid)
        self.assertEqual("Disabled", self.kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"])
        self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        # the replica goes after its own window; then the primary's begins
        rep = self.west.schedule_key_deletion(KeyId=kid, PendingWindowInDays=10)
        self.assertEqual("PendingDeletion", rep["KeyState"])
        self.advance_days(11)
        self.assertClientError("NotFoundException", self.west.describe_key, KeyId=kid)
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("PendingDeletion", md["KeyState"])
        self.assertEqual([], md["MultiRegionConfiguration"]["ReplicaKeys"])
        # the window began when the replica was deleted (day 10), not now
        self.assertAlmostEqual(
            (rep["DeletionDate"] - md["DeletionDate"]).total_seconds(), -7 * 86400, delta=5)
        self.advance_days(7)
        self.assertClientError("NotFoundException", self.kms.describe_key, KeyId=kid)

    def test_primary_without_replicas_and_replica_deletion(self):
        kid = self.mrk()["KeyId"]
        r = self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        self.assertEqual("PendingDeletion", r["KeyState"])
        self.assertIn("DeletionDate", r)
        kid2 = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid2, ReplicaRegion="us-west-2")
        self.west.schedule_key_deletion(KeyId=kid2, PendingWindowInDays=7)
        self.advance_days(8)
        self.assertEqual([], self.kms.describe_key(KeyId=kid2)["KeyMetadata"]
                         ["MultiRegionConfiguration"]["ReplicaKeys"])
        # a replica can be made again
        self.kms.replicate_key(KeyId=kid2, ReplicaRegion="us-west-2")
        self.assertEqual("Enabled", self.west.describe_key(KeyId=kid2)["KeyMetadata"]["KeyState"])


class MrkEnforceTests(MrkTestCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)

    def test_replica_region_condition(self):
        kid = self.mrk()["KeyId"]
        u = self.p.user(inline=[doc(
            allow("kms:ReplicateKey", Condition={"StringEquals": {"kms:ReplicaRegion": "us-west-2"}}),
            allow("kms:CreateKey"))])
        c = client(self.server, "kms", u)
        err = self.assertClientError("AccessDeniedException", c.replicate_key, KeyId=kid,
                                     ReplicaRegion="eu-west-1")
        self.assertIn("kms:ReplicateKey", err["Error"]["Message"])
        c.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")

    def test_replicate_needs_create_key(self):
        kid = self.mrk()["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:ReplicateKey"))])
        err = self.assertClientError("AccessDeniedException",
                                     client(self.server, "kms", u).replicate_key, KeyId=kid,
                                     ReplicaRegion="us-west-2")
        self.assertIn("kms:CreateKey", err["Error"]["Message"])

    def test_multi_region_key_type_condition(self):
        kid = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        single = self.kms.create_key()["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(
            allow("kms:DescribeKey", Condition={"StringEquals": {"kms:MultiRegionKeyType": "REPLICA"}}),
            allow("kms:Encrypt", Condition={"Bool": {"kms:MultiRegion": "false"}}))])
        east = client(self.server, "kms", u)
        west = client(self.server, "kms", u, region="us-west-2")
        west.describe_key(KeyId=kid)
        self.assertClientError("AccessDeniedException", east.describe_key, KeyId=kid)
        east.encrypt(KeyId=single, Plaintext=b"x")
        self.assertClientError("AccessDeniedException", east.encrypt, KeyId=kid, Plaintext=b"x")

    def test_primary_region_condition(self):
        kid = self.mrk()["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="eu-west-1")
        u = self.p.user(inline=[doc(allow(
            "kms:UpdatePrimaryRegion",
            Condition={"StringEquals": {"kms:PrimaryRegion": "us-west-2"}}))])
        c = client(self.server, "kms", u)
        self.assertClientError("AccessDeniedException", c.update_primary_region, KeyId=kid,
                               PrimaryRegion="eu-west-1")
        c.update_primary_region(KeyId=kid, PrimaryRegion="us-west-2")
        self.assertEqual("PRIMARY", self.west.describe_key(KeyId=kid)["KeyMetadata"]
                         ["MultiRegionConfiguration"]["MultiRegionKeyType"])


class AsymmetricMrkTests(MrkTestCase):
    """Multi-Region asymmetric and HMAC keys: the replica holds the same
    private key (GetPublicKey answers the same public key; a signature made
    in one region verifies locally with the other's public key) and the
    same HMAC key (GenerateMac answers the same tag)."""

    def test_ecc_signing_key_replicates(self):
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        md = self.mrk(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
        kid = md["KeyId"]
        self.assertRegex(kid, MRK_RE)
        rep = self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")["ReplicaKeyMetadata"]
        self.assertEqual("ECC_NIST_P256", rep["KeySpec"])
        self.assertEqual("SIGN_VERIFY", rep["KeyUsage"])
        east_pub = self.kms.get_public_key(KeyId=kid)["PublicKey"]
        self.assertEqual(east_pub, self.west.get_public_key(KeyId=kid)["PublicKey"])
        sig = self.west.sign(KeyId=kid, Message=b"release-1.0", MessageType="RAW",
                             SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        serialization.load_der_public_key(east_pub).verify(sig, b"release-1.0",
                                                           ec.ECDSA(hashes.SHA256()))
        self.assertTrue(self.kms.verify(KeyId=kid, Message=b"release-1.0", Signature=sig,
                                        SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"])

    def test_hmac_key_replicates(self):
        kid = self.mrk(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="eu-west-1")
        tags = [c.generate_mac(KeyId=kid, Message=b"webhook", MacAlgorithm="HMAC_SHA_256")["Mac"]
                for c in (self.kms, self.eu)]
        self.assertEqual(tags[0], tags[1])
        self.assertTrue(self.eu.verify_mac(KeyId=kid, Message=b"webhook", Mac=tags[0],
                                           MacAlgorithm="HMAC_SHA_256")["MacValid"])

    def test_rsa_encryption_key_replicates(self):
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
        kid = self.mrk(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
        self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
        pub = serialization.load_der_public_key(self.kms.get_public_key(KeyId=kid)["PublicKey"])
        ct = pub.encrypt(b"client-side", padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                      algorithm=hashes.SHA256(), label=None))
        out = self.west.decrypt(KeyId=kid, CiphertextBlob=ct,
                                EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        self.assertEqual(b"client-side", out["Plaintext"])


# --------------------------------------------------------------------------
# Real Terraform: aws_kms_replica_key, aws_kms_external_key,
# aws_kms_replica_external_key (the provider wraps key_material_base64
# itself), apply, plan without drift, destroy.
# --------------------------------------------------------------------------

TF_MAIN = """
provider "aws" {
  alias                       = "west"
  region                      = "us-west-2"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    kms = "%(url)s"
    sts = "%(url)s"
    iam = "%(url)s"
  }
}

resource "aws_kms_key" "primary" {
  description             = "tf multi-Region primary"
  multi_region            = true
  deletion_window_in_days = 7
  tags                    = { side = "east" }
}

resource "aws_kms_replica_key" "replica" {
  provider                = aws.west
  description             = "tf multi-Region replica"
  primary_key_arn         = aws_kms_key.primary.arn
  deletion_window_in_days = 7
  tags                    = { side = "west" }
}

resource "aws_kms_external_key" "byok" {
  description             = "tf imported material"
  multi_region            = true
  key_material_base64     = "%(material)s"
  enabled                 = true
  deletion_window_in_days = 7
}

resource "aws_kms_replica_external_key" "byok_replica" {
  provider                = aws.west
  description             = "tf imported material replica"
  primary_key_arn         = aws_kms_external_key.byok.arn
  key_material_base64     = "%(material)s"
  enabled                 = true
  deletion_window_in_days = 7
}

output "primary_id" { value = aws_kms_key.primary.key_id }
output "replica_arn" { value = aws_kms_replica_key.replica.arn }
output "byok_id" { value = aws_kms_external_key.byok.id }
output "byok_state" { value = aws_kms_external_key.byok.enabled }
"""


class TerraformTests(MrkTestCase):
    own_server = True

    def test_replica_and_external_keys(self):
        import base64
        import os
        import tempfile
        import shutil
        import tf_util
        why = tf_util.skip_reason()
        if why:
            self.skipTest(why)
        work = tempfile.mkdtemp(prefix="awsemu-tf-mrk-")
        try:
            tf = tf_util.Terraform(self.server, work)
            material = base64.b64encode(os.urandom(32)).decode()
            tf.write("main.tf", TF_MAIN % {"url": self.server.url, "material": material})
            tf.apply()
            out = tf.outputs()
            kid = out["primary_id"]
            self.assertRegex(kid, MRK_RE)
            self.assertEqual(arn("us-west-2", kid), out["replica_arn"])
            wmd = self.west.describe_key(KeyId=kid)["KeyMetadata"]
            self.assertEqual("tf multi-Region replica", wmd["Description"])
            self.assertEqual([{"TagKey": "side", "TagValue": "west"}],
                             self.west.list_resource_tags(KeyId=kid)["Tags"])
            ct = self.kms.encrypt(KeyId=kid, Plaintext=b"tf")["CiphertextBlob"]
            self.assertEqual(b"tf", self.west.decrypt(CiphertextBlob=ct)["Plaintext"])
            byok = out["byok_id"]
            self.assertEqual("Enabled", self.kms.describe_key(KeyId=byok)["KeyMetadata"]["KeyState"])
            self.assertEqual("Enabled", self.west.describe_key(KeyId=byok)["KeyMetadata"]["KeyState"])
            ct = self.kms.encrypt(KeyId=byok, Plaintext=b"byok")["CiphertextBlob"]
            self.assertEqual(b"byok", self.west.decrypt(CiphertextBlob=ct)["Plaintext"])
            tf.assert_no_drift(self)
            tf.destroy()
            for c in (self.kms, self.west):
                for k in (kid, byok):
                    self.assertIn(c.describe_key(KeyId=k)["KeyMetadata"]["KeyState"],
                                  ("PendingDeletion", "PendingReplicaDeletion"))
        finally:
            shutil.rmtree(work, ignore_errors=True)
