"""KMS imported key material (Origin EXTERNAL) through boto3, the wrapping
done client-side by an independent implementation (Python `cryptography`:
RSA-OAEP, and RFC 5649 AES key wrap with padding for RSA_AES_KEY_WRAP_*):
GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
import tokens (single use, 24 hours on the emulator clock), expiry
(KEY_MATERIAL_EXPIRES + ValidTo), re-import of the same material and
refusal of different material, HMAC keys and asymmetric private keys
(PKCS#8 DER; the MAC, signature and public key checked against Python's
hmac and cryptography), imported multi-Region keys, the at-rest
scan, the aws CLI and --iam enforce with kms:WrappingAlgorithm,
kms:WrappingKeySpec, kms:ExpirationModel and kms:ValidTo.

Behaviour pinned by the AWS KMS Developer Guide ("Importing key material",
"Step 3: Encrypt the key material": RSA_AES_KEY_WRAP_SHA_* is the RSA-OAEP
encryption of an ephemeral 256-bit AES key followed by the material
wrapped under it with AES key wrap with padding, RFC 5649; "Step 4: Import
the key material": the first material is permanently associated with the
key, only the same material can be reimported; expired or deleted material
leaves the key in PendingImport) and the API reference of
GetParametersForImport (token and public key valid for 24 hours) and
ImportKeyMaterial (ValidTo required with KEY_MATERIAL_EXPIRES, refused with
KEY_MATERIAL_DOES_NOT_EXPIRE, at most 365 days ahead)."""

import datetime
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

from harness import EXTERNAL_URL, Server, ServerTestCase, scan_for
from enforce_util import ENFORCE, Principals, allow, client, doc

ALGS = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1",
        "RSA_AES_KEY_WRAP_SHA_256")
AWS = shutil.which("aws")


def wrap(public_der, alg, material):
    """EncryptedKeyMaterial for material under the wrapping public key."""
    pub = serialization.load_der_public_key(public_der)
    h = hashes.SHA256() if alg.endswith("SHA_256") else hashes.SHA1()
    oaep = padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None)
    if alg.startswith("RSA_AES_KEY_WRAP"):
        aes = os.urandom(32)
        return pub.encrypt(aes, oaep) + aes_key_wrap_with_padding(aes, material)
    return pub.encrypt(material, oaep)


class ImportTestCase(ServerTestCase):
    def external_key(self, c=None, **kw):
        return (c or self.kms).create_key(Origin="EXTERNAL", **kw)["KeyMetadata"]

    def import_material(self, kid, material, alg="RSAES_OAEP_SHA_256", spec="RSA_2048", c=None,
                        **kw):
        c = c or self.kms
        p = c.get_parameters_for_import(KeyId=kid, WrappingAlgorithm=alg, WrappingKeySpec=spec)
        return c.import_key_material(KeyId=kid, ImportToken=p["ImportToken"],
                                     EncryptedKeyMaterial=wrap(p["PublicKey"], alg, material),
                                     **kw)

    def advance_days(self, days):
        status, _, raw = self.server.http(
            "POST", "/_awsemu/clock", body=json.dumps({"advance_days": days}).encode(),
            headers={"Content-Type": "application/json"})
        self.assertEqual(200, status, raw)

    def state(self, kid, c=None):
        return (c or self.kms).describe_key(KeyId=kid)["KeyMetadata"]["KeyState"]


class ImportTests(ImportTestCase):
    def test_external_key_waits_for_material(self):
        md = self.external_key(Description="byok")
        self.assertEqual("EXTERNAL", md["Origin"])
        self.assertEqual("PendingImport", md["KeyState"])
        self.assertIs(False, md["Enabled"])
        self.assertNotIn("CurrentKeyMaterialId", md)
        self.assertNotIn("ExpirationModel", md)
        kid = md["KeyId"]
        self.assertClientError("KMSInvalidStateException", self.kms.encrypt, KeyId=kid,
                               Plaintext=b"x")
        self.assertClientError("KMSInvalidStateException", self.kms.enable_key, KeyId=kid)
        # a key made by KMS takes no material
        own = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.assertClientError("UnsupportedOperationException",
                               self.kms.get_parameters_for_import, KeyId=own,
                               WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
        self.assertClientError("UnsupportedOperationException",
                               self.kms.delete_imported_key_material, KeyId=own)

    def test_every_wrapping_algorithm_and_key_spec(self):
        for spec, bits in (("RSA_2048", 2048), ("RSA_3072", 3072), ("RSA_4096", 4096)):
            for alg in ALGS:
                with self.subTest(spec=spec, alg=alg):
                    kid = self.external_key()["KeyId"]
                    p = self.kms.get_parameters_for_import(KeyId=kid, WrappingAlgorithm=alg,
                                                           WrappingKeySpec=spec)
                    self.assertTrue(p["KeyId"].endswith(kid))
                    pub = serialization.load_der_public_key(p["PublicKey"])
                    self.assertEqual(bits, pub.key_size)
                    left = p["ParametersValidTo"] - datetime.datetime.now(datetime.timezone.utc)
                    self.assertAlmostEqual(86400, left.total_seconds(), delta=600)
                    material = os.urandom(32)
                    r = self.kms.import_key_material(
                        KeyId=kid, ImportToken=p["ImportToken"],
                        EncryptedKeyMaterial=wrap(p["PublicKey"], alg, material),
                        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
                    self.assertRegex(r["KeyMaterialId"], r"^[0-9a-f]{64}$")
                    md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
                    self.assertEqual("Enabled", md["KeyState"])
                    self.assertEqual("KEY_MATERIAL_DOES_NOT_EXPIRE", md["ExpirationModel"])
                    self.assertEqual(r["KeyMaterialId"], md["CurrentKeyMaterialId"])
                    self.assertNotIn("ValidTo", md)
                    ct = self.kms.encrypt(KeyId=kid, Plaintext=b"imported")["CiphertextBlob"]
                    self.assertEqual(b"imported",
                                     self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_token_single_use_and_bound_to_its_key(self):
        kid = self.external_key()["KeyId"]
        other = self.external_key()["KeyId"]
        material = os.urandom(32)
        p = self.kms.get_parameters_for_import(KeyId=kid, WrappingAlgorithm="RSAES_OAEP_SHA_1",
                                               WrappingKeySpec="RSA_2048")
        blob = wrap(p["PublicKey"], "RSAES_OAEP_SHA_1", material)
        self.assertClientError("InvalidImportTokenException", self.kms.import_key_material,
                               KeyId=other, ImportToken=p["ImportToken"],
                               EncryptedKeyMaterial=blob)
        self.kms.import_key_material(KeyId=kid, ImportToken=p["ImportToken"],
                                     EncryptedKeyMaterial=blob)
        self.assertClientError("InvalidImportTokenException", self.kms.import_key_material,
                               KeyId=kid, ImportToken=p["ImportToken"],
                               EncryptedKeyMaterial=blob)
        self.assertClientError("InvalidImportTokenException", self.kms.import_key_material,
                               KeyId=kid, ImportToken=os.urandom(32), EncryptedKeyMaterial=blob)

    def test_wrong_wrapping_is_invalid_ciphertext(self):
        kid = self.external_key()["KeyId"]
        p = self.kms.get_parameters_for_import(KeyId=kid, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                               WrappingKeySpec="RSA_2048")
        for bad in (wrap(p["PublicKey"], "RSAES_OAEP_SHA_1", os.urandom(32)),
                    wrap(p["PublicKey"], "RSA_AES_KEY_WRAP_SHA_256", os.urandom(32)),
                    os.urandom(256)):
            self.assertClientError("InvalidCiphertextException", self.kms.import_key_material,
                                   KeyId=kid, ImportToken=p["ImportToken"],
                                   EncryptedKeyMaterial=bad)
        # the failed attempts did not spend the token
        self.kms.import_key_material(
            KeyId=kid, ImportToken=p["ImportToken"],
            EncryptedKeyMaterial=wrap(p["PublicKey"], "RSAES_OAEP_SHA_256", os.urandom(32)))
        self.assertEqual("Enabled", self.state(kid))

    def test_wrapping_key_generation_does_not_block(self):
        # an RSA_4096 wrapping pair takes seconds: made off the event loop
        # (as CreateKey's RSA pairs, test_kms_asym), other clients keep
        # being answered meanwhile; the same bounds as that test
        import threading
        import time
        kid = self.external_key()["KeyId"]
        sym = self.kms.create_key()["KeyMetadata"]["KeyId"]
        other = self.server.client("kms")
        done = []

        def params():
            for _ in range(3):
                done.append(self.kms.get_parameters_for_import(
                    KeyId=kid, WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256",
                    WrappingKeySpec="RSA_4096"))

        t = threading.Thread(target=params)
        t0 = time.monotonic()
        t.start()
        time.sleep(0.05)
        times = []
        while t.is_alive():
            t1 = time.monotonic()
            other.encrypt(KeyId=sym, Plaintext=b"x")
            times.append(time.monotonic() - t1)
            time.sleep(0.01)
        t.join()
        took = time.monotonic() - t0
        self.assertEqual(3, len(done))
        self.assertEqual(4096, serialization.load_der_public_key(done[0]["PublicKey"]).key_size)
        times.sort()
        self.assertGreater(len(times), 5, took)
        self.assertLess(times[len(times) // 2], 0.05, times[-5:])
        self.assertLess(times[-1], max(0.5, took / 4), (took, times[-5:]))

    def test_symmetric_material_is_256_bits(self):
        kid = self.external_key()["KeyId"]
        for n in (16, 31, 33, 64):
            self.assertClientError("ValidationException", self.import_material, kid,
                                   os.urandom(n))
        self.assertEqual("PendingImport", self.state(kid))

    def test_delete_and_reimport_same_material(self):
        kid = self.external_key()["KeyId"]
        material = os.urandom(32)
        mid = self.import_material(kid, material)["KeyMaterialId"]
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"keep me",
                              EncryptionContext={"k": "v"})["CiphertextBlob"]
        r = self.kms.delete_imported_key_material(KeyId=kid)
        self.assertEqual(mid, r.get("KeyMaterialId", mid))
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("PendingImport", md["KeyState"])
        self.assertClientError("KMSInvalidStateException", self.kms.decrypt, CiphertextBlob=ct,
                               EncryptionContext={"k": "v"})
        # different material is refused; the same brings the ciphertext back
        self.assertClientError("IncorrectKeyMaterialException", self.import_material, kid,
                               os.urandom(32), alg="RSA_AES_KEY_WRAP_SHA_1")
        self.assertEqual(mid, self.import_material(kid, material, alg="RSA_AES_KEY_WRAP_SHA_1")
                         ["KeyMaterialId"])
        self.assertEqual(b"keep me", self.kms.decrypt(CiphertextBlob=ct,
                                                      EncryptionContext={"k": "v"})["Plaintext"])
        # while the material is there, a reimport only changes its expiry
        self.assertClientError("IncorrectKeyMaterialException", self.import_material, kid,
                               os.urandom(32))
        self.assertClientError("IncorrectKeyMaterialException", self.import_material, kid,
                               material, KeyMaterialId="0" * 64)

    def test_list_key_rotations_import_state(self):
        kid = self.external_key()["KeyId"]
        m = os.urandom(32)
        soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=5)
        mid = self.import_material(kid, m, ValidTo=soon)["KeyMaterialId"]
        self.assertEqual([], self.kms.list_key_rotations(KeyId=kid)["Rotations"])
        rows = self.kms.list_key_rotations(KeyId=kid, IncludeKeyMaterial="ALL_KEY_MATERIAL")
        self.assertEqual(1, len(rows["Rotations"]))
        e = rows["Rotations"][0]
        self.assertEqual((kid, mid, "CURRENT", "IMPORTED", "KEY_MATERIAL_EXPIRES"),
                         (e["KeyId"], e["KeyMaterialId"], e["KeyMaterialState"], e["ImportState"],
                          e["ExpirationModel"]))
        self.assertAlmostEqual(0, (e["ValidTo"] - soon).total_seconds(), delta=2)
        self.kms.delete_imported_key_material(KeyId=kid)
        e = self.kms.list_key_rotations(KeyId=kid, IncludeKeyMaterial="ALL_KEY_MATERIAL")[
            "Rotations"][0]
        self.assertEqual((mid, "PENDING_IMPORT"), (e["KeyMaterialId"], e["ImportState"]))
        self.assertNotIn("ValidTo", e)

    def test_expiration_arguments(self):
        kid = self.external_key()["KeyId"]
        m = os.urandom(32)
        soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
        self.assertClientError("ValidationException", self.import_material, kid, m,
                               ExpirationModel="KEY_MATERIAL_EXPIRES")
        self.assertClientError("ValidationException", self.import_material, kid, m,
                               ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE", ValidTo=soon)
        self.assertClientError("ValidationException", self.import_material, kid, m,
                               ValidTo=soon - datetime.timedelta(days=2))
        self.assertClientError("ValidationException", self.import_material, kid, m,
                               ValidTo=soon + datetime.timedelta(days=400))
        # no ExpirationModel: ValidTo decides
        self.import_material(kid, m, ValidTo=soon)
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("KEY_MATERIAL_EXPIRES", md["ExpirationModel"])
        self.assertAlmostEqual(0, (md["ValidTo"] - soon).total_seconds(), delta=2)
        # a reimport of the same material changes the expiry
        self.import_material(kid, m, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("KEY_MATERIAL_DOES_NOT_EXPIRE", md["ExpirationModel"])
        self.assertNotIn("ValidTo", md)

    def test_unsupported_wrapping(self):
        kid = self.external_key()["KeyId"]
        self.assertClientError("ValidationException", self.kms.get_parameters_for_import,
                               KeyId=kid, WrappingAlgorithm="RSAES_PKCS1_V1_5",
                               WrappingKeySpec="RSA_2048")
        self.assertClientError("UnsupportedOperationException", self.kms.get_parameters_for_import,
                               KeyId=kid, WrappingAlgorithm="SM2PKE", WrappingKeySpec="SM2")
        self.assertClientError("ValidationException", self.kms_nv.get_parameters_for_import,
                               KeyId=kid, WrappingAlgorithm="RSAES_OAEP_SHA_384",
                               WrappingKeySpec="RSA_2048")

    def test_pending_deletion_refuses_import(self):
        kid = self.external_key()["KeyId"]
        self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        self.assertClientError("KMSInvalidStateException", self.kms.get_parameters_for_import,
                               KeyId=kid, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                               WrappingKeySpec="RSA_2048")
        self.kms.cancel_key_deletion(KeyId=kid)
        self.assertEqual("Disabled", self.state(kid))

    def test_imported_multi_region_key(self):
        west = self.server.client("kms", region="us-west-2")
        md = self.external_key(MultiRegion=True)
        kid = md["KeyId"]
        self.assertTrue(kid.startswith("mrk-"))
        material = os.urandom(32)
        self.import_material(kid, material)
        rep = self.kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")["ReplicaKeyMetadata"]
        self.assertEqual("PendingImport", rep["KeyState"])
        self.assertEqual("EXTERNAL", rep["Origin"])
        self.assertClientError("IncorrectKeyMaterialException", self.import_material, kid,
                               os.urandom(32), c=west)
        self.import_material(kid, material, c=west, alg="RSA_AES_KEY_WRAP_SHA_256")
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"byok dr")["CiphertextBlob"]
        self.assertEqual(b"byok dr", west.decrypt(CiphertextBlob=ct)["Plaintext"])
        # each region's material is its own: deleting one leaves the other
        west.delete_imported_key_material(KeyId=kid)
        self.assertEqual(b"byok dr", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])
        self.assertClientError("KMSInvalidStateException", west.decrypt, CiphertextBlob=ct)


class RotationTests(ImportTestCase):
    """On-demand rotation of imported material, pinned by the AWS KMS
    Developer Guide ("Rotating keys with imported key material": import
    NEW_KEY_MATERIAL, shown PENDING_ROTATION by ListKeyRotations, then
    RotateKeyOnDemand makes it current; older ciphertexts still decrypt;
    "Delete imported key material": material pending rotation is not
    permanently associated with the key, KeyMaterialId names the material
    to delete) and the API reference of RotateKeyOnDemand and
    ImportKeyMaterial (NEW_KEY_MATERIAL only for symmetric encryption
    keys)."""

    def rows(self, kid):
        return {e["KeyMaterialId"]: e for e in self.kms.list_key_rotations(
            KeyId=kid, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]}

    def current(self, kid):
        return self.kms.describe_key(KeyId=kid)["KeyMetadata"].get("CurrentKeyMaterialId")

    def test_new_material_pending_then_rotated(self):
        kid = self.external_key()["KeyId"]
        m1, m2 = os.urandom(32), os.urandom(32)
        id1 = self.import_material(kid, m1)["KeyMaterialId"]
        old = self.kms.encrypt(KeyId=kid, Plaintext=b"first")["CiphertextBlob"]
        # nothing pending yet
        self.assertClientError("ValidationException", self.kms.rotate_key_on_demand, KeyId=kid)
        id2 = self.import_material(kid, m2, ImportType="NEW_KEY_MATERIAL",
                                   alg="RSA_AES_KEY_WRAP_SHA_256")["KeyMaterialId"]
        self.assertNotEqual(id1, id2)
        rows = self.rows(kid)
        self.assertEqual(("CURRENT", "PENDING_ROTATION", "IMPORTED"),
                         (rows[id1]["KeyMaterialState"], rows[id2]["KeyMaterialState"],
                          rows[id2]["ImportState"]))
        self.assertEqual([], self.kms.list_key_rotations(KeyId=kid)["Rotations"])
        self.assertEqual(id1, self.current(kid))
        # pending material is not used yet; only one may be pending
        self.assertEqual(id1, self.kms.decrypt(CiphertextBlob=self.kms.encrypt(
            KeyId=kid, Plaintext=b"x")["CiphertextBlob"])["KeyMaterialId"])
        self.assertClientError("ValidationException", self.import_material, kid,
                               os.urandom(32), ImportType="NEW_KEY_MATERIAL")
        self.assertClientError("ValidationException", self.import_material, kid, m1,
                               ImportType="NEW_KEY_MATERIAL")
        self.assertEqual(kid, self.kms.rotate_key_on_demand(KeyId=kid)["KeyId"])
        self.assertEqual(id2, self.current(kid))
        new = self.kms.encrypt(KeyId=kid, Plaintext=b"second")["CiphertextBlob"]
        r = self.kms.decrypt(CiphertextBlob=new)
        self.assertEqual((b"second", id2), (r["Plaintext"], r["KeyMaterialId"]))
        r = self.kms.decrypt(CiphertextBlob=old)
        self.assertEqual((b"first", id1), (r["Plaintext"], r["KeyMaterialId"]))
        rows = self.rows(kid)
        self.assertEqual(("NON_CURRENT", "CURRENT", "ON_DEMAND"),
                         (rows[id1]["KeyMaterialState"], rows[id2]["KeyMaterialState"],
                          rows[id2]["RotationType"]))
        self.assertEqual([id2], [e["KeyMaterialId"] for e in
                                 self.kms.list_key_rotations(KeyId=kid)["Rotations"]])
        self.assertClientError("ValidationException", self.kms.rotate_key_on_demand, KeyId=kid)

    def test_delete_by_material_id(self):
        kid = self.external_key()["KeyId"]
        m1, m2, m3 = os.urandom(32), os.urandom(32), os.urandom(32)
        id1 = self.import_material(kid, m1)["KeyMaterialId"]
        old = self.kms.encrypt(KeyId=kid, Plaintext=b"first")["CiphertextBlob"]
        id2 = self.import_material(kid, m2, ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
        # pending material goes away without touching the key
        r = self.kms.delete_imported_key_material(KeyId=kid, KeyMaterialId=id2)
        self.assertEqual(id2, r["KeyMaterialId"])
        self.assertEqual("Enabled", self.state(kid))
        self.assertNotIn(id2, self.rows(kid))
        self.assertClientError("NotFoundException", self.kms.delete_imported_key_material,
                               KeyId=kid, KeyMaterialId=id2)
        id3 = self.import_material(kid, m3, ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
        self.kms.rotate_key_on_demand(KeyId=kid)
        # deleting the non-current material: the key waits for it again
        self.assertEqual(id1, self.kms.delete_imported_key_material(
            KeyId=kid, KeyMaterialId=id1)["KeyMaterialId"])
        self.assertEqual("PendingImport", self.state(kid))
        rows = self.rows(kid)
        self.assertEqual(("PENDING_IMPORT", "IMPORTED"),
                         (rows[id1]["ImportState"], rows[id3]["ImportState"]))
        # only that material comes back, named by its id
        self.assertClientError("IncorrectKeyMaterialException", self.import_material, kid, m1)
        self.import_material(kid, m1, KeyMaterialId=id1)
        self.assertEqual("Enabled", self.state(kid))
        self.assertEqual(b"first", self.kms.decrypt(CiphertextBlob=old)["Plaintext"])
        self.assertEqual(id3, self.current(kid))

    def test_new_material_expiry(self):
        kid = self.external_key()["KeyId"]
        id1 = self.import_material(kid, os.urandom(32))["KeyMaterialId"]
        soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=5)
        id2 = self.import_material(kid, os.urandom(32), ImportType="NEW_KEY_MATERIAL",
                                   ValidTo=soon)["KeyMaterialId"]
        rows = self.rows(kid)
        self.assertEqual(("KEY_MATERIAL_DOES_NOT_EXPIRE", "KEY_MATERIAL_EXPIRES"),
                         (rows[id1]["ExpirationModel"], rows[id2]["ExpirationModel"]))
        self.assertAlmostEqual(0, (rows[id2]["ValidTo"] - soon).total_seconds(), delta=2)
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("KEY_MATERIAL_DOES_NOT_EXPIRE", md["ExpirationModel"])
        self.kms.rotate_key_on_demand(KeyId=kid)
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("KEY_MATERIAL_EXPIRES", md["ExpirationModel"])
        self.assertAlmostEqual(0, (md["ValidTo"] - soon).total_seconds(), delta=2)
        # the current material's expiry leaves the key waiting for an import
        self.addCleanup(self.server.http, "POST", "/_awsemu/clock",
                        body=json.dumps({"reset": True}).encode(),
                        headers={"Content-Type": "application/json"})
        self.advance_days(6)
        self.assertEqual("PendingImport", self.state(kid))

    def test_new_material_refused(self):
        # first import: either type; asymmetric and HMAC keys take no new material
        hmac = self.external_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
        self.import_material(hmac, os.urandom(32), ImportType="NEW_KEY_MATERIAL")
        self.assertClientError("ValidationException", self.import_material, hmac,
                               os.urandom(32), ImportType="NEW_KEY_MATERIAL")
        self.assertClientError("UnsupportedOperationException", self.kms.rotate_key_on_demand,
                               KeyId=hmac)
        kid = self.external_key()["KeyId"]
        self.assertClientError("KMSInvalidStateException", self.kms.rotate_key_on_demand,
                               KeyId=kid)


class AsymmetricImportTests(ImportTestCase):
    """HMAC keys and asymmetric private keys (PKCS#8 DER) imported, checked
    with Python's hmac and cryptography: the MAC KMS answers is the local
    HMAC under the imported key; a signature KMS makes verifies with the
    imported key's public half; GetPublicKey is that public half."""

    def test_hmac_import(self):
        import hashlib
        import hmac
        for spec, alg, digest, size in (("HMAC_224", "HMAC_SHA_224", hashlib.sha224, 28),
                                        ("HMAC_256", "HMAC_SHA_256", hashlib.sha256, 64),
                                        ("HMAC_384", "HMAC_SHA_384", hashlib.sha384, 48),
                                        ("HMAC_512", "HMAC_SHA_512", hashlib.sha512, 128)):
            with self.subTest(spec=spec):
                kid = self.external_key(KeySpec=spec, KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
                self.assertEqual("PendingImport", self.state(kid))
                key = os.urandom(size)
                self.import_material(kid, key)
                mac = self.kms.generate_mac(KeyId=kid, Message=b"msg", MacAlgorithm=alg)["Mac"]
                self.assertEqual(hmac.new(key, b"msg", digest).digest(), mac)
        kid = self.external_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyId"]
        self.assertClientError("ValidationException", self.import_material, kid, os.urandom(16))
        self.assertClientError("ValidationException", self.import_material, kid, os.urandom(65))

    def test_ecc_private_key_import(self):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        priv = ec.generate_private_key(ec.SECP256R1())
        der = priv.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
        kid = self.external_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyId"]
        self.assertClientError("KMSInvalidStateException", self.kms.get_public_key, KeyId=kid)
        self.import_material(kid, der, alg="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_3072")
        pub = priv.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertEqual(pub, self.kms.get_public_key(KeyId=kid)["PublicKey"])
        sig = self.kms.sign(KeyId=kid, Message=b"artefact", MessageType="RAW",
                            SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        priv.public_key().verify(sig, b"artefact", ec.ECDSA(hashes.SHA256()))
        # another curve's key, or another key, is refused
        kid2 = self.external_key(KeySpec="ECC_NIST_P384", KeyUsage="SIGN_VERIFY")["KeyId"]
        self.assertClientError("ValidationException", self.import_material, kid2, der,
                               alg="RSA_AES_KEY_WRAP_SHA_256")
        self.kms.delete_imported_key_material(KeyId=kid)
        other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        self.assertClientError("IncorrectKeyMaterialException", self.import_material, kid, other,
                               alg="RSA_AES_KEY_WRAP_SHA_1")
        self.import_material(kid, der, alg="RSA_AES_KEY_WRAP_SHA_1")
        self.assertTrue(self.kms.verify(KeyId=kid, Message=b"artefact", Signature=sig,
                                        SigningAlgorithm="ECDSA_SHA_256")["SignatureValid"])

    def test_rsa_private_key_import(self):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import rsa
        priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = priv.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
        kid = self.external_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyId"]
        self.import_material(kid, der, alg="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_4096")
        ct = priv.public_key().encrypt(b"to kms", padding.OAEP(
            mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None))
        self.assertEqual(b"to kms", self.kms.decrypt(KeyId=kid, CiphertextBlob=ct,
                                                     EncryptionAlgorithm="RSAES_OAEP_SHA_1")
                         ["Plaintext"])
        kid3 = self.external_key(KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")["KeyId"]
        self.assertClientError("ValidationException", self.import_material, kid3, der,
                               alg="RSA_AES_KEY_WRAP_SHA_256")


class ClockTests(ImportTestCase):
    own_server = True  # moves the clock

    def test_token_expires_after_24_hours(self):
        kid = self.external_key()["KeyId"]
        p = self.kms.get_parameters_for_import(KeyId=kid, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                               WrappingKeySpec="RSA_2048")
        self.advance_days(1.01)
        self.assertClientError("ExpiredImportTokenException", self.kms.import_key_material,
                               KeyId=kid, ImportToken=p["ImportToken"],
                               EncryptedKeyMaterial=wrap(p["PublicKey"], "RSAES_OAEP_SHA_256",
                                                         os.urandom(32)))

    def test_material_expires_back_to_pending_import(self):
        kid = self.external_key()["KeyId"]
        material = os.urandom(32)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.import_material(kid, material, ExpirationModel="KEY_MATERIAL_EXPIRES",
                             ValidTo=now + datetime.timedelta(days=2))
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"short-lived")["CiphertextBlob"]
        self.advance_days(3)
        md = self.kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("PendingImport", md["KeyState"])
        self.assertNotIn("ValidTo", md)
        self.assertClientError("KMSInvalidStateException", self.kms.decrypt, CiphertextBlob=ct)
        self.import_material(kid, material)
        self.assertEqual(b"short-lived", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])


class ImportEnforceTests(ImportTestCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)

    def test_wrapping_and_expiration_conditions(self):
        kid = self.external_key()["KeyId"]
        u = self.p.user(inline=[doc(
            allow("kms:GetParametersForImport", Condition={"StringEquals": {
                "kms:WrappingAlgorithm": "RSA_AES_KEY_WRAP_SHA_256",
                "kms:WrappingKeySpec": "RSA_4096"}}),
            allow("kms:ImportKeyMaterial", Condition={"StringEquals": {
                "kms:ExpirationModel": "KEY_MATERIAL_EXPIRES"}, "NumericLessThan": {
                "kms:ValidTo": str(int((datetime.datetime.now(datetime.timezone.utc)
                                        + datetime.timedelta(days=30)).timestamp()))}}))])
        c = client(self.server, "kms", u)
        for alg, spec in (("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048"),
                          ("RSAES_OAEP_SHA_256", "RSA_4096")):
            self.assertClientError("AccessDeniedException", c.get_parameters_for_import,
                                   KeyId=kid, WrappingAlgorithm=alg, WrappingKeySpec=spec)
        m = os.urandom(32)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertClientError("AccessDeniedException", self.import_material, kid, m,
                               alg="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_4096", c=c)
        self.assertClientError("AccessDeniedException", self.import_material, kid, m,
                               alg="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_4096", c=c,
                               ValidTo=now + datetime.timedelta(days=60))
        self.import_material(kid, m, alg="RSA_AES_KEY_WRAP_SHA_256", spec="RSA_4096", c=c,
                             ValidTo=now + datetime.timedelta(days=10))
        self.assertEqual("Enabled", self.state(kid))


@unittest.skipIf(EXTERNAL_URL, "at-rest checks need their own awsemu process (AWSEMU_URL is set)")
class AtRestTests(unittest.TestCase):
    def test_imported_material_never_at_rest(self):
        data = tempfile.mkdtemp(prefix="awsemu-e2e-import-")
        srv = Server(["--data-dir", data])
        try:
            srv.start()
            kms = srv.client("kms")
            west = srv.client("kms", region="us-west-2")
            material = os.urandom(32)
            kid = kms.create_key(Origin="EXTERNAL", MultiRegion=True)["KeyMetadata"]["KeyId"]
            for c in (kms, west):
                if c is west:
                    kms.replicate_key(KeyId=kid, ReplicaRegion="us-west-2")
                p = c.get_parameters_for_import(KeyId=kid, WrappingAlgorithm="RSAES_OAEP_SHA_1",
                                                WrappingKeySpec="RSA_2048")
                c.import_key_material(KeyId=kid, ImportToken=p["ImportToken"],
                                      EncryptedKeyMaterial=wrap(p["PublicKey"],
                                                                "RSAES_OAEP_SHA_1", material))
            # a token never used: its wrapping private key stays, sealed
            kms.get_parameters_for_import(KeyId=kid, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                          WrappingKeySpec="RSA_2048")
            pt = b"imported-plaintext-" + os.urandom(8).hex().encode()
            ct = kms.encrypt(KeyId=kid, Plaintext=pt)["CiphertextBlob"]
            self.assertEqual(pt, west.decrypt(CiphertextBlob=ct)["Plaintext"])
            # an imported HMAC key and EC private key (its PKCS#8 and its scalar)
            from cryptography.hazmat.primitives.asymmetric import ec
            mac_key = os.urandom(48)
            hk = kms.create_key(Origin="EXTERNAL", KeySpec="HMAC_384",
                                KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
            priv = ec.generate_private_key(ec.SECP384R1())
            der = priv.private_bytes(serialization.Encoding.DER,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
            ek = kms.create_key(Origin="EXTERNAL", KeySpec="ECC_NIST_P384",
                                KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            for k, m in ((hk, mac_key), (ek, der)):
                p = kms.get_parameters_for_import(KeyId=k,
                                                  WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256",
                                                  WrappingKeySpec="RSA_2048")
                kms.import_key_material(KeyId=k, ImportToken=p["ImportToken"],
                                        EncryptedKeyMaterial=wrap(p["PublicKey"],
                                                                  "RSA_AES_KEY_WRAP_SHA_256", m))
            # new material: one rotated to, one pending rotation
            sk = kms.create_key(Origin="EXTERNAL")["KeyMetadata"]["KeyId"]
            rotated, pending = os.urandom(32), os.urandom(32)
            for m, t in ((os.urandom(32), "EXISTING_KEY_MATERIAL"),
                         (rotated, "NEW_KEY_MATERIAL"), (pending, "NEW_KEY_MATERIAL")):
                p = kms.get_parameters_for_import(KeyId=sk, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                  WrappingKeySpec="RSA_2048")
                kms.import_key_material(KeyId=sk, ImportToken=p["ImportToken"], ImportType=t,
                                        EncryptedKeyMaterial=wrap(p["PublicKey"],
                                                                  "RSAES_OAEP_SHA_256", m))
                if m is rotated:
                    kms.rotate_key_on_demand(KeyId=sk)
            kms.encrypt(KeyId=sk, Plaintext=b"x")
            kms.generate_mac(KeyId=hk, Message=b"m", MacAlgorithm="HMAC_SHA_384")
            kms.sign(KeyId=ek, Message=b"m", SigningAlgorithm="ECDSA_SHA_384")
            scalar = priv.private_numbers().private_value.to_bytes(48, "big")
            needles = [("imported material", material), ("plaintext", pt),
                       ("imported HMAC key", mac_key), ("imported EC PKCS#8", der),
                       ("imported EC scalar", scalar), ("rotated material", rotated),
                       ("pending material", pending)]
            self.assertEqual([], scan_for(data, needles))
            self.assertEqual(0, srv.stop()[0])
            self.assertEqual([], scan_for(data, needles))
        finally:
            srv.cleanup()
            shutil.rmtree(data, ignore_errors=True)


@unittest.skipUnless(AWS, "aws CLI not on PATH")
class CliTests(ImportTestCase):
    def aws(self, *args, region="us-east-1"):
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": region, "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"})
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS"):
            env.pop(k, None)
        p = subprocess.run([AWS, "--endpoint-url", self.server.url, "--output", "json"]
                           + list(args), env=env, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=60)
        self.assertEqual(0, p.returncode, p.stderr.decode())
        return json.loads(p.stdout or b"{}")

    def test_cli_import_and_replicate(self):
        tmp = tempfile.mkdtemp(prefix="awsemu-e2e-cli-import-")
        try:
            kid = self.aws("kms", "create-key", "--origin", "EXTERNAL",
                           "--multi-region")["KeyMetadata"]["KeyId"]
            p = self.kms.get_parameters_for_import(KeyId=kid,
                                                   WrappingAlgorithm="RSA_AES_KEY_WRAP_SHA_256",
                                                   WrappingKeySpec="RSA_3072")
            paths = {}
            for name, data in (("token.bin", p["ImportToken"]),
                               ("material.bin", wrap(p["PublicKey"], "RSA_AES_KEY_WRAP_SHA_256",
                                                     os.urandom(32)))):
                paths[name] = os.path.join(tmp, name)
                with open(paths[name], "wb") as f:
                    f.write(data)
            self.aws("kms", "import-key-material", "--key-id", kid,
                     "--import-token", "fileb://" + paths["token.bin"],
                     "--encrypted-key-material", "fileb://" + paths["material.bin"],
                     "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE")
            out = self.aws("kms", "replicate-key", "--key-id", kid, "--replica-region",
                           "eu-central-1")
            self.assertEqual("PendingImport", out["ReplicaKeyMetadata"]["KeyState"])
            md = self.aws("kms", "describe-key", "--key-id", kid)["KeyMetadata"]
            self.assertEqual("Enabled", md["KeyState"])
            self.assertEqual("eu-central-1", md["MultiRegionConfiguration"]["ReplicaKeys"][0]
                             ["Region"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
