"""KMS asymmetric, HMAC and key-agreement keys through boto3, every result
checked by an independent implementation (Python `cryptography`).

AWS's behaviour is pinned by the KMS API reference: CreateKey (KeySpec x
KeyUsage table), GetPublicKey (DER SubjectPublicKeyInfo), Sign/Verify
(RAW <= 4096 bytes, DIGEST of the algorithm's length, "Digest is invalid
length for algorithm X.", PSS salt = digest length, DER ECDSA, Verify raises
KMSInvalidSignatureException), Encrypt/Decrypt ("RSA key specs for
encryption": OAEP with MGF1 of the same hash), GenerateMac/VerifyMac
(KMSInvalidMacException), GenerateDataKeyPair (PKCS#8 DER private key,
sealed under a symmetric key), DeriveSharedSecret (ECDH: the raw shared
x-coordinate), and the developer guide's "Key spec reference".
"""

import base64
import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import unittest

import boto3
import botocore.config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from harness import ACCESS_KEY, EXTERNAL_URL, SECRET_KEY, Server, ServerTestCase, scan_for

RSA_SIGN = ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
            "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"]
EC_SIGN = {"ECC_NIST_P256": "ECDSA_SHA_256", "ECC_NIST_P384": "ECDSA_SHA_384",
           "ECC_NIST_P521": "ECDSA_SHA_512", "ECC_SECG_P256K1": "ECDSA_SHA_256"}
HASH = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
OAEP_LIMIT = {("RSA_2048", "RSAES_OAEP_SHA_1"): 214, ("RSA_2048", "RSAES_OAEP_SHA_256"): 190,
              ("RSA_3072", "RSAES_OAEP_SHA_1"): 342, ("RSA_3072", "RSAES_OAEP_SHA_256"): 318,
              ("RSA_4096", "RSAES_OAEP_SHA_1"): 470, ("RSA_4096", "RSAES_OAEP_SHA_256"): 446}


def patient(server):
    """A kms client that waits for RSA key generation (seconds for RSA_4096,
    more on a loaded machine) rather than the harness's 30 s."""
    return boto3.session.Session().client(
        "kms", endpoint_url=server.url, region_name=server.region,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=botocore.config.Config(retries={"max_attempts": 0}, read_timeout=300))


def code(cm):
    return cm.exception.response["Error"]["Code"]


def alg_hash(alg):
    return HASH[alg[-3:]]()


def verify_local(pub, alg, msg, sig):
    """Raises InvalidSignature unless sig is alg's signature of msg."""
    h = alg_hash(alg) if not alg.startswith("ED25519") else None
    if alg.startswith("RSASSA_PSS"):
        pub.verify(sig, msg, padding.PSS(padding.MGF1(h), h.digest_size), h)
    elif alg.startswith("RSASSA_PKCS1"):
        pub.verify(sig, msg, padding.PKCS1v15(), h)
    elif alg.startswith("ECDSA"):
        pub.verify(sig, msg, ec.ECDSA(h))
    else:
        pub.verify(sig, msg)


class AsymTests(ServerTestCase):
    keys = {}

    def key(self, spec, usage):
        """One key per (spec, usage) for the class."""
        k = (spec, usage)
        if k not in self.keys:
            md = patient(self.server).create_key(KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
            self.keys[k] = md
        return self.keys[k]["KeyId"]

    def public(self, key_id):
        der = self.kms.get_public_key(KeyId=key_id)["PublicKey"]
        return serialization.load_der_public_key(der)

    # ---- CreateKey, DescribeKey, GetPublicKey -------------------------------

    def test_create_describe_every_spec(self):
        cases = [("RSA_2048", "SIGN_VERIFY", "SigningAlgorithms", RSA_SIGN),
                 ("RSA_3072", "ENCRYPT_DECRYPT", "EncryptionAlgorithms",
                  ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
                 ("ECC_NIST_P256", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
                 ("ECC_NIST_P384", "KEY_AGREEMENT", "KeyAgreementAlgorithms", ["ECDH"]),
                 ("ECC_NIST_P521", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_512"]),
                 ("ECC_SECG_P256K1", "SIGN_VERIFY", "SigningAlgorithms", ["ECDSA_SHA_256"]),
                 ("HMAC_224", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_224"]),
                 ("HMAC_512", "GENERATE_VERIFY_MAC", "MacAlgorithms", ["HMAC_SHA_512"])]
        for spec, usage, member, algs in cases:
            with self.subTest(spec=spec, usage=usage):
                key_id = self.key(spec, usage)
                md = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
                self.assertEqual((md["KeySpec"], md["CustomerMasterKeySpec"], md["KeyUsage"]),
                                 (spec, spec, usage))
                self.assertEqual(md[member], algs)
                for other in {"SigningAlgorithms", "EncryptionAlgorithms", "MacAlgorithms",
                              "KeyAgreementAlgorithms"} - {member}:
                    self.assertNotIn(other, md)
                self.assertNotIn("CurrentKeyMaterialId", md)
        listed = {k["KeyId"] for k in self.kms.list_keys(Limit=1000)["Keys"]}
        self.assertTrue({v["KeyId"] for v in self.keys.values()} <= listed)

    def test_deprecated_customer_master_key_spec(self):
        md = self.kms.create_key(CustomerMasterKeySpec="ECC_NIST_P256",
                                 KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        self.assertEqual(md["KeySpec"], "ECC_NIST_P256")

    def test_usage_spec_mismatch(self):
        for spec, usage in [("HMAC_256", "ENCRYPT_DECRYPT"), ("ECC_NIST_P256", "ENCRYPT_DECRYPT"),
                            ("ECC_SECG_P256K1", "KEY_AGREEMENT"), ("RSA_2048", "KEY_AGREEMENT"),
                            ("SYMMETRIC_DEFAULT", "SIGN_VERIFY"), ("RSA_2048",
                                                                   "GENERATE_VERIFY_MAC")]:
            with self.subTest(spec=spec, usage=usage):
                with self.assertRaises(ClientError) as cm:
                    self.kms.create_key(KeySpec=spec, KeyUsage=usage)
                self.assertEqual(code(cm), "ValidationException")
        # HMAC without KeyUsage: the default ENCRYPT_DECRYPT does not fit
        with self.assertRaises(ClientError) as cm:
            self.kms.create_key(KeySpec="HMAC_256")
        self.assertEqual(code(cm), "ValidationException")

    def test_sm2_outside_china_and_ml_dsa(self):
        with self.assertRaises(ClientError) as cm:
            self.kms.create_key(KeySpec="SM2", KeyUsage="SIGN_VERIFY")
        self.assertEqual(code(cm), "UnsupportedOperationException")
        with self.assertRaises(ClientError) as cm:
            self.kms.create_key(KeySpec="ML_DSA_44", KeyUsage="SIGN_VERIFY")
        self.assertEqual(code(cm), "UnsupportedOperationException")
        self.assertIn("ML-DSA-44", cm.exception.response["Error"]["Message"])

    def test_get_public_key(self):
        key_id = self.key("RSA_2048", "ENCRYPT_DECRYPT")
        out = self.kms.get_public_key(KeyId=key_id)
        pub = serialization.load_der_public_key(out["PublicKey"])
        self.assertIsInstance(pub, rsa.RSAPublicKey)
        self.assertEqual(pub.key_size, 2048)
        self.assertEqual(out["EncryptionAlgorithms"], ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"])
        self.assertEqual((out["KeySpec"], out["KeyUsage"]), ("RSA_2048", "ENCRYPT_DECRYPT"))
        self.assertNotIn("SigningAlgorithms", out)
        pub = self.public(self.key("ECC_NIST_P384", "KEY_AGREEMENT"))
        self.assertEqual(pub.curve.name, "secp384r1")
        for spec, usage in [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
                            ("HMAC_256", "GENERATE_VERIFY_MAC")]:
            with self.assertRaises(ClientError) as cm:
                self.kms.get_public_key(KeyId=self.key(spec, usage))
            self.assertEqual(code(cm), "UnsupportedOperationException")

    # ---- Sign and Verify -----------------------------------------------------

    def test_sign_verify_every_spec_and_algorithm(self):
        msg = b"release artefact " + os.urandom(64)
        cases = [(s, a) for s in ("RSA_2048", "RSA_3072", "RSA_4096") for a in RSA_SIGN]
        cases += list(EC_SIGN.items())
        for spec, alg in cases:
            with self.subTest(spec=spec, alg=alg):
                key_id = self.key(spec, "SIGN_VERIFY")
                pub = self.public(key_id)
                out = self.kms.sign(KeyId=key_id, Message=msg, SigningAlgorithm=alg)
                self.assertEqual(out["SigningAlgorithm"], alg)
                verify_local(pub, alg, msg, out["Signature"])
                # a digest signs the same as its message
                digest = hashlib.new("sha" + alg[-3:], msg).digest()
                sig = self.kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST",
                                    SigningAlgorithm=alg)["Signature"]
                verify_local(pub, alg, msg, sig)
                self.assertTrue(self.kms.verify(KeyId=key_id, Message=msg, Signature=sig,
                                                SigningAlgorithm=alg)["SignatureValid"])
                self.assertTrue(self.kms.verify(KeyId=key_id, Message=digest,
                                                MessageType="DIGEST", Signature=sig,
                                                SigningAlgorithm=alg)["SignatureValid"])
                with self.assertRaises(ClientError) as cm:
                    self.kms.verify(KeyId=key_id, Message=msg + b"x", Signature=sig,
                                    SigningAlgorithm=alg)
                self.assertEqual(code(cm), "KMSInvalidSignatureException")

    def test_signature_made_locally_verifies(self):
        key_id = self.key("ECC_NIST_P256", "SIGN_VERIFY")
        # a signature by another key of the same curve must not verify
        other = ec.generate_private_key(ec.SECP256R1())
        sig = other.sign(b"m", ec.ECDSA(hashes.SHA256()))
        with self.assertRaises(ClientError) as cm:
            self.kms.verify(KeyId=key_id, Message=b"m", Signature=sig,
                            SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(code(cm), "KMSInvalidSignatureException")
        with self.assertRaises(ClientError) as cm:
            self.kms.verify(KeyId=key_id, Message=b"m", Signature=b"\x00garbage",
                            SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(code(cm), "KMSInvalidSignatureException")

    def test_sign_errors(self):
        key_id = self.key("ECC_NIST_P256", "SIGN_VERIFY")
        with self.assertRaises(ClientError) as cm:
            self.kms.sign(KeyId=key_id, Message=b"a" * 31, MessageType="DIGEST",
                          SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(code(cm), "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Digest is invalid length for algorithm ECDSA_SHA_256.")
        with self.assertRaises(ClientError) as cm:
            self.kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_384")
        self.assertEqual(code(cm), "InvalidKeyUsageException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.")
        self.kms.sign(KeyId=key_id, Message=b"m" * 4096, SigningAlgorithm="ECDSA_SHA_256")
        with self.assertRaises(ClientError) as cm:
            self.kms.sign(KeyId=key_id, Message=b"m" * 4097, SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(code(cm), "ValidationException")
        # wrong usage
        for spec, usage in [("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
                            ("RSA_2048", "ENCRYPT_DECRYPT"), ("HMAC_256", "GENERATE_VERIFY_MAC")]:
            with self.assertRaises(ClientError) as cm:
                self.kms.sign(KeyId=self.key(spec, usage), Message=b"m",
                              SigningAlgorithm="RSASSA_PSS_SHA_256")
            self.assertEqual(code(cm), "InvalidKeyUsageException")
        with self.assertRaises(ClientError) as cm:
            self.kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256",
                          DryRun=True)
        self.assertEqual(code(cm), "DryRunOperationException")
        self.kms.disable_key(KeyId=self.key("ECC_NIST_P521", "SIGN_VERIFY"))
        try:
            with self.assertRaises(ClientError) as cm:
                self.kms.sign(KeyId=self.key("ECC_NIST_P521", "SIGN_VERIFY"), Message=b"m",
                              SigningAlgorithm="ECDSA_SHA_512")
            self.assertEqual(code(cm), "DisabledException")
        finally:
            self.kms.enable_key(KeyId=self.key("ECC_NIST_P521", "SIGN_VERIFY"))

    def test_ed25519(self):
        key_id = self.key("ECC_NIST_EDWARDS25519", "SIGN_VERIFY")
        pub = self.public(key_id)
        self.assertIsInstance(pub, ed25519.Ed25519PublicKey)
        sig = self.kms.sign(KeyId=key_id, Message=b"jwt", SigningAlgorithm="ED25519_SHA_512")
        pub.verify(sig["Signature"], b"jwt")

    # ---- Encrypt and Decrypt --------------------------------------------------

    def test_rsa_encrypt_decrypt(self):
        for spec in ("RSA_2048", "RSA_3072", "RSA_4096"):
            key_id = self.key(spec, "ENCRYPT_DECRYPT")
            pub = self.public(key_id)
            for alg in ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"):
                with self.subTest(spec=spec, alg=alg):
                    h = hashes.SHA1() if alg.endswith("_1") else hashes.SHA256()
                    oaep = padding.OAEP(padding.MGF1(h), h, None)
                    limit = OAEP_LIMIT[(spec, alg)]
                    pt = os.urandom(limit)
                    # a ciphertext made client-side decrypts
                    ct = pub.encrypt(pt, oaep)
                    out = self.kms.decrypt(KeyId=key_id, CiphertextBlob=ct,
                                           EncryptionAlgorithm=alg)
                    self.assertEqual(out["Plaintext"], pt)
                    self.assertEqual(out["EncryptionAlgorithm"], alg)
                    # and one made by KMS decrypts with nothing but the
                    # public key's owner: check it through Decrypt
                    ct = self.kms.encrypt(KeyId=key_id, Plaintext=pt,
                                          EncryptionAlgorithm=alg)["CiphertextBlob"]
                    self.assertEqual(len(ct), int(spec[4:]) // 8)
                    self.assertEqual(self.kms.decrypt(KeyId=key_id, CiphertextBlob=ct,
                                                      EncryptionAlgorithm=alg)["Plaintext"], pt)
                    with self.assertRaises(ClientError) as cm:
                        self.kms.encrypt(KeyId=key_id, Plaintext=pt + b"x",
                                         EncryptionAlgorithm=alg)
                    self.assertEqual(code(cm), "ValidationException")
        key_id = self.key("RSA_2048", "ENCRYPT_DECRYPT")
        with self.assertRaises(ClientError) as cm:
            self.kms.encrypt(KeyId=key_id, Plaintext=b"x")  # SYMMETRIC_DEFAULT
        self.assertEqual(code(cm), "InvalidKeyUsageException")
        with self.assertRaises(ClientError) as cm:
            self.kms.decrypt(KeyId=key_id, CiphertextBlob=b"\x01" * 256,
                             EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        self.assertEqual(code(cm), "InvalidCiphertextException")
        with self.assertRaises(ClientError) as cm:
            self.kms.encrypt(KeyId=self.key("RSA_2048", "SIGN_VERIFY"), Plaintext=b"x",
                             EncryptionAlgorithm="RSAES_OAEP_SHA_256")
        self.assertEqual(code(cm), "InvalidKeyUsageException")
        with self.assertRaises(ClientError) as cm:
            self.kms.generate_data_key(KeyId=key_id, KeySpec="AES_256")
        self.assertEqual(code(cm), "InvalidKeyUsageException")

    def test_re_encrypt_between_symmetric_and_rsa(self):
        rsa_id = self.key("RSA_2048", "ENCRYPT_DECRYPT")
        sym = self.key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
        pub = self.public(rsa_id)
        oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
        ct = pub.encrypt(b"wrapped", oaep)
        out = self.kms.re_encrypt(CiphertextBlob=ct, SourceKeyId=rsa_id,
                                  SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
                                  DestinationKeyId=sym)
        self.assertEqual(out["SourceEncryptionAlgorithm"], "RSAES_OAEP_SHA_256")
        self.assertEqual(out["DestinationEncryptionAlgorithm"], "SYMMETRIC_DEFAULT")
        self.assertNotIn("SourceKeyMaterialId", out)
        self.assertEqual(self.kms.decrypt(CiphertextBlob=out["CiphertextBlob"])["Plaintext"],
                         b"wrapped")
        back = self.kms.re_encrypt(CiphertextBlob=out["CiphertextBlob"], DestinationKeyId=rsa_id,
                                   DestinationEncryptionAlgorithm="RSAES_OAEP_SHA_1")
        self.assertEqual(back["DestinationEncryptionAlgorithm"], "RSAES_OAEP_SHA_1")
        self.assertEqual(self.kms.decrypt(KeyId=rsa_id, CiphertextBlob=back["CiphertextBlob"],
                                          EncryptionAlgorithm="RSAES_OAEP_SHA_1")["Plaintext"],
                         b"wrapped")
        with self.assertRaises(ClientError) as cm:  # an asymmetric ciphertext names no key
            self.kms.re_encrypt(CiphertextBlob=ct, SourceEncryptionAlgorithm="RSAES_OAEP_SHA_256",
                                DestinationKeyId=sym)
        self.assertEqual(code(cm), "IncorrectKeyException")
        with self.assertRaises(ClientError) as cm:
            self.kms.re_encrypt(CiphertextBlob=out["CiphertextBlob"], DestinationKeyId=rsa_id)
        self.assertEqual(code(cm), "InvalidKeyUsageException")

    # ---- GenerateMac and VerifyMac ------------------------------------------

    def test_mac_every_spec(self):
        for bits in ("224", "256", "384", "512"):
            with self.subTest(bits=bits):
                key_id = self.key("HMAC_" + bits, "GENERATE_VERIFY_MAC")
                alg = "HMAC_SHA_" + bits
                msg = os.urandom(100)
                mac = self.kms.generate_mac(KeyId=key_id, Message=msg, MacAlgorithm=alg)["Mac"]
                self.assertEqual(len(mac), int(bits) // 8)
                self.assertEqual(self.kms.generate_mac(KeyId=key_id, Message=msg,
                                                       MacAlgorithm=alg)["Mac"], mac)
                out = self.kms.verify_mac(KeyId=key_id, Message=msg, MacAlgorithm=alg, Mac=mac)
                self.assertTrue(out["MacValid"])
                with self.assertRaises(ClientError) as cm:
                    self.kms.verify_mac(KeyId=key_id, Message=msg + b"!", MacAlgorithm=alg,
                                        Mac=mac)
                self.assertEqual(code(cm), "KMSInvalidMacException")
                wrong = "HMAC_SHA_256" if bits != "256" else "HMAC_SHA_384"
                with self.assertRaises(ClientError) as cm:
                    self.kms.generate_mac(KeyId=key_id, Message=msg, MacAlgorithm=wrong)
                self.assertEqual(code(cm), "InvalidKeyUsageException")
        with self.assertRaises(ClientError) as cm:
            self.kms.generate_mac(KeyId=self.key("ECC_NIST_P256", "SIGN_VERIFY"), Message=b"m",
                                  MacAlgorithm="HMAC_SHA_256")
        self.assertEqual(code(cm), "InvalidKeyUsageException")
        hkey = self.key("HMAC_256", "GENERATE_VERIFY_MAC")
        with self.assertRaises(ClientError) as cm:
            self.kms.encrypt(KeyId=hkey, Plaintext=b"x")
        self.assertEqual(code(cm), "InvalidKeyUsageException")

    # ---- GenerateDataKeyPair ----------------------------------------------------

    def test_data_key_pair_every_spec(self):
        sym = self.key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT")
        ctx = {"purpose": "wrap"}
        for spec in ("RSA_2048", "RSA_3072", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
                     "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519"):
            with self.subTest(spec=spec):
                out = patient(self.server).generate_data_key_pair(KeyId=sym, KeyPairSpec=spec,
                                                                  EncryptionContext=ctx)
                priv = serialization.load_der_private_key(out["PrivateKeyPlaintext"], None)
                pub = serialization.load_der_public_key(out["PublicKey"])
                fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
                self.assertEqual(priv.public_key().public_bytes(*fmt), pub.public_bytes(*fmt))
                self.assertEqual(out["KeyPairSpec"], spec)
                opened = self.kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"],
                                          EncryptionContext=ctx)["Plaintext"]
                self.assertEqual(opened, out["PrivateKeyPlaintext"])
                with self.assertRaises(ClientError) as cm:
                    self.kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"])
                self.assertEqual(code(cm), "InvalidCiphertextException")
        out = self.kms.generate_data_key_pair_without_plaintext(KeyId=sym,
                                                                KeyPairSpec="ECC_NIST_P256")
        self.assertNotIn("PrivateKeyPlaintext", out)
        der = self.kms.decrypt(CiphertextBlob=out["PrivateKeyCiphertextBlob"])["Plaintext"]
        priv = serialization.load_der_private_key(der, None)
        self.assertEqual(priv.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
            out["PublicKey"])
        with self.assertRaises(ClientError) as cm:
            self.kms.generate_data_key_pair(KeyId=self.key("RSA_2048", "ENCRYPT_DECRYPT"),
                                            KeyPairSpec="ECC_NIST_P256")
        self.assertEqual(code(cm), "InvalidKeyUsageException")
        with self.assertRaises(ClientError) as cm:
            self.kms.generate_data_key_pair(KeyId=self.key("ECC_NIST_P256", "SIGN_VERIFY"),
                                            KeyPairSpec="ECC_NIST_P256")
        self.assertEqual(code(cm), "InvalidKeyUsageException")

    # ---- DeriveSharedSecret ----------------------------------------------------

    def test_derive_shared_secret(self):
        curves = {"ECC_NIST_P256": ec.SECP256R1(), "ECC_NIST_P384": ec.SECP384R1(),
                  "ECC_NIST_P521": ec.SECP521R1()}
        for spec, curve in curves.items():
            with self.subTest(spec=spec):
                key_id = self.key(spec, "KEY_AGREEMENT")
                mine = ec.generate_private_key(curve)
                der = mine.public_key().public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
                out = self.kms.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH",
                                                    PublicKey=der)
                self.assertEqual(out["SharedSecret"], mine.exchange(ec.ECDH(), self.public(key_id)))
                self.assertEqual((out["KeyAgreementAlgorithm"], out["KeyOrigin"]),
                                 ("ECDH", "AWS_KMS"))
        key_id = self.key("ECC_NIST_P256", "KEY_AGREEMENT")
        other = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        with self.assertRaises(ClientError) as cm:
            self.kms.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH",
                                          PublicKey=other)
        self.assertEqual(code(cm), "ValidationException")
        with self.assertRaises(ClientError) as cm:
            self.kms.derive_shared_secret(KeyId=self.key("ECC_NIST_P256", "SIGN_VERIFY"),
                                          KeyAgreementAlgorithm="ECDH", PublicKey=other)
        self.assertEqual(code(cm), "InvalidKeyUsageException")
        with self.assertRaises(ClientError) as cm:
            self.kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
        self.assertEqual(code(cm), "InvalidKeyUsageException")

    def test_other_services_refuse_non_symmetric_keys(self):
        # S3 and Secrets Manager encrypt with symmetric encryption keys only
        # (S3 user guide "Using SSE-KMS": "Amazon S3 supports only symmetric
        # encryption KMS keys"; Secrets Manager "Secret encryption and
        # decryption"); the data key call fails as KMS's GenerateDataKey does,
        # relayed as KMS.<code> by S3 and as EncryptionFailure by SM.
        s3 = self.server.client("s3")
        sm = self.server.client("secretsmanager")
        bucket = "asym-" + os.urandom(6).hex()
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="src", Body=b"x")
        for spec, usage, want in [("RSA_2048", "ENCRYPT_DECRYPT", "InvalidKeyUsageException"),
                                  ("ECC_NIST_P256", "SIGN_VERIFY", "InvalidKeyUsageException"),
                                  ("HMAC_256", "GENERATE_VERIFY_MAC", "InvalidKeyUsageException")]:
            with self.subTest(spec=spec):
                key_id = self.key(spec, usage)
                with self.assertRaises(ClientError) as cm:
                    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                                  SSEKMSKeyId=key_id)
                self.assertEqual(code(cm), "KMS." + want)
                with self.assertRaises(ClientError) as cm:
                    s3.copy_object(Bucket=bucket, Key="c", CopySource={"Bucket": bucket, "Key": "src"},
                                   ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
                self.assertEqual(code(cm), "KMS." + want)
                s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]})
                with self.assertRaises(ClientError) as cm:
                    s3.put_object(Bucket=bucket, Key="d", Body=b"x")
                self.assertEqual(code(cm), "KMS." + want)
                s3.delete_bucket_encryption(Bucket=bucket)
                with self.assertRaises(ClientError) as cm:
                    sm.create_secret(Name="asym-" + os.urandom(6).hex(), SecretString="s",
                                     KmsKeyId=key_id)
                self.assertEqual(code(cm), "EncryptionFailure")
                self.assertIn(want, cm.exception.response["Error"]["Message"])

    def test_rotation_refused(self):
        with self.assertRaises(ClientError) as cm:
            self.kms.enable_key_rotation(KeyId=self.key("ECC_NIST_P256", "SIGN_VERIFY"))
        self.assertEqual(code(cm), "UnsupportedOperationException")


class Sm2Tests(ServerTestCase):
    """SM2 in a China Region (developer guide "SM2 key spec (China Regions
    only)": SM2DSA, SM2PKE, ECDH). Python cryptography has no SM2, so the
    checks are KMS against itself: a tampered message fails, and ECDH agrees
    from both sides."""

    def setUp(self):
        self.cn = self.server.client("kms", region="cn-north-1")

    def key(self, usage):
        return self.cn.create_key(KeySpec="SM2", KeyUsage=usage)["KeyMetadata"]["KeyId"]

    def test_sm2_sign_encrypt_agree(self):
        kid = self.key("SIGN_VERIFY")
        sig = self.cn.sign(KeyId=kid, Message=b"m", SigningAlgorithm="SM2DSA")["Signature"]
        self.assertTrue(self.cn.verify(KeyId=kid, Message=b"m", Signature=sig,
                                       SigningAlgorithm="SM2DSA")["SignatureValid"])
        with self.assertRaises(ClientError) as cm:
            self.cn.verify(KeyId=kid, Message=b"n", Signature=sig, SigningAlgorithm="SM2DSA")
        self.assertEqual(code(cm), "KMSInvalidSignatureException")
        kid = self.key("ENCRYPT_DECRYPT")
        ct = self.cn.encrypt(KeyId=kid, Plaintext=b"p" * 1024,
                             EncryptionAlgorithm="SM2PKE")["CiphertextBlob"]
        self.assertEqual(self.cn.decrypt(KeyId=kid, CiphertextBlob=ct,
                                         EncryptionAlgorithm="SM2PKE")["Plaintext"], b"p" * 1024)
        with self.assertRaises(ClientError) as cm:
            self.cn.encrypt(KeyId=kid, Plaintext=b"p" * 1025, EncryptionAlgorithm="SM2PKE")
        self.assertEqual(code(cm), "ValidationException")
        a, b = self.key("KEY_AGREEMENT"), self.key("KEY_AGREEMENT")
        pa, pb = (self.cn.get_public_key(KeyId=k)["PublicKey"] for k in (a, b))
        ab = self.cn.derive_shared_secret(KeyId=a, KeyAgreementAlgorithm="ECDH", PublicKey=pb)
        ba = self.cn.derive_shared_secret(KeyId=b, KeyAgreementAlgorithm="ECDH", PublicKey=pa)
        self.assertEqual(len(ab["SharedSecret"]), 32)
        self.assertEqual(ab["SharedSecret"], ba["SharedSecret"])
        sym = self.cn.create_key()["KeyMetadata"]["KeyId"]
        pair = self.cn.generate_data_key_pair(KeyId=sym, KeyPairSpec="SM2")
        self.assertEqual(self.cn.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])[
            "Plaintext"], pair["PrivateKeyPlaintext"])
        with self.assertRaises(ClientError) as cm:
            self.kms.generate_data_key_pair(KeyId=self.kms.create_key()["KeyMetadata"]["KeyId"],
                                            KeyPairSpec="SM2")
        self.assertEqual(code(cm), "UnsupportedOperationException")


@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class AsymPersistTests(unittest.TestCase):
    """Private keys and HMAC keys survive a restart and are never at rest in
    plaintext (the at-rest scan of test_kms_persist, for key pairs)."""

    def test_persist_and_at_rest(self):
        data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-asym-")
        server = Server(["--data-dir", data_dir])
        try:
            server.start()
            kms = server.client("kms")
            ec_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
            h_id = kms.create_key(KeySpec="HMAC_256",
                                  KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
            pub = kms.get_public_key(KeyId=ec_id)["PublicKey"]
            mac = kms.generate_mac(KeyId=h_id, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
            sym = kms.create_key()["KeyMetadata"]["KeyId"]
            pair = kms.generate_data_key_pair(KeyId=sym, KeyPairSpec="ECC_NIST_P256")
            rsa_id = patient(server).create_key(KeySpec="RSA_2048",
                                                KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
            server.restart()
            kms = server.client("kms")
            self.assertEqual(kms.get_public_key(KeyId=ec_id)["PublicKey"], pub)
            sig = kms.sign(KeyId=ec_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
            serialization.load_der_public_key(pub).verify(sig["Signature"], b"m",
                                                          ec.ECDSA(hashes.SHA256()))
            self.assertEqual(kms.generate_mac(KeyId=h_id, Message=b"m",
                                              MacAlgorithm="HMAC_SHA_256")["Mac"], mac)
            # the private scalar and PKCS#8 of the data key pair; the
            # HMAC key cannot be read back, so its MAC of a known message
            # stands for it (a store holding the key would not hold a MAC)
            priv = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], None)
            scalar = priv.private_numbers().private_value.to_bytes(32, "big")
            # KMS-held private keys cannot be exported, but a plaintext
            # PKCS#8 of one holds its public point (EC) or modulus (RSA),
            # which awsemu never stores apart from the sealed private key
            ec_point = serialization.load_der_public_key(pub).public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            modulus = serialization.load_der_public_key(
                kms.get_public_key(KeyId=rsa_id)["PublicKey"]).public_numbers().n.to_bytes(
                    256, "big")
            needles = []
            for label, s in [("pair pkcs8", pair["PrivateKeyPlaintext"]),
                             ("pair scalar", scalar), ("KMS EC key's point", ec_point),
                             ("KMS RSA key's modulus", modulus)]:
                needles += [(label, s), (label + " b64", base64.b64encode(s)),
                            (label + " hex", s.hex().encode())]
            server.stop()
            self.assertEqual([], scan_for(data_dir, needles))
        finally:
            server.cleanup()
            shutil.rmtree(data_dir, ignore_errors=True)


class KeygenNonBlockingTests(ServerTestCase):
    """RSA_4096 generation takes seconds; it must not stall other clients."""

    own_server = True

    def test_encrypt_answers_while_rsa4096_is_generated(self):
        sym = self.kms.create_key()["KeyMetadata"]["KeyId"]
        self.kms.encrypt(KeyId=sym, Plaintext=b"warm")
        other = self.server.client("kms")
        other.encrypt(KeyId=sym, Plaintext=b"warm")  # botocore's first call loads models
        done = []

        creator = patient(self.server)

        def create():
            done.append(creator.create_key(KeySpec="RSA_4096", KeyUsage="SIGN_VERIFY"))

        t = threading.Thread(target=create)
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
        self.assertEqual(done[0]["KeyMetadata"]["KeySpec"], "RSA_4096")
        # Encrypts kept being answered while the key was made: a loop
        # blocked by the generation would hold one of them for about all
        # of it. Typical answers within 50 ms; the slowest is bounded by a
        # fraction of the generation, not by 50 ms, since on a shared
        # 2-core machine the client itself is sometimes descheduled.
        times.sort()
        self.assertGreater(len(times), 5, took)
        self.assertLess(times[len(times) // 2], 0.05, times[-5:])
        self.assertLess(times[-1], max(0.5, took / 4), (took, times[-5:]))

    def test_more_key_pairs_at_once_than_threads(self):
        # generation runs at most 4 threads at once; the rest wait their turn
        results, errors = [], []

        def create(i):
            try:
                k = patient(self.server)
                if i % 2:
                    results.append(k.create_key(KeySpec="RSA_2048",
                                                KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeySpec"])
                else:
                    sym = k.create_key()["KeyMetadata"]["KeyId"]
                    results.append(k.generate_data_key_pair_without_plaintext(
                        KeyId=sym, KeyPairSpec="RSA_2048")["KeyPairSpec"])
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=create, args=(i,)) for i in range(7)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(results), ["RSA_2048"] * 7)

    def test_client_gone_before_its_key_and_pipelined_requests(self):
        # a CreateKey whose client leaves while the pair is made: the key
        # may be created, nothing is answered, and the server goes on
        body = b'{"KeySpec":"RSA_2048","KeyUsage":"SIGN_VERIFY"}'
        hdrs = self.server.signed_headers("kms", "TrentService.CreateKey", body)
        raw = "".join("%s: %s\r\n" % kv for kv in hdrs.items()).encode()
        req = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % len(body) + raw +
               b"\r\n" + body)
        s = socket.create_connection((self.server.host, self.server.port))
        s.sendall(req)
        s.close()
        # two requests pipelined behind a deferred one: answered in order
        s = socket.create_connection((self.server.host, self.server.port))
        try:
            s.settimeout(120)
            s.sendall(req + req)
            data = b""
            while data.count(b"HTTP/1.1 200") < 2:
                chunk = s.recv(65536)
                self.assertTrue(chunk, data[-300:])
                data += chunk
        finally:
            s.close()
        self.assertEqual(data.count(b'"KeySpec":"RSA_2048"'), 2)
        self.assertEqual(self.server.http("GET", "/_awsemu/health")[0], 200)


class SignOffLoopTests(ServerTestCase):
    """RSA signing and the curves other than P-256 take 0.3-1.5 ms each: they
    run on pool threads and are answered later (services/kms/kms_pool.c).
    Signatures stay the algorithm's (checked with `cryptography`, as the
    KMS API reference's Sign/Verify define them), every request gets its
    own answer, and a client that leaves costs nothing but its answer."""

    own_server = True

    def raw_sign(self, key_id, alg, msg):
        body = ('{"KeyId":"%s","Message":"%s","SigningAlgorithm":"%s"}' %
                (key_id, base64.b64encode(msg).decode(), alg)).encode()
        hdrs = self.server.signed_headers("kms", "TrentService.Sign", body)
        raw = "".join("%s: %s\r\n" % kv for kv in hdrs.items()).encode()
        return (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % len(body) + raw +
                b"\r\n" + body)

    def test_concurrent_signatures_each_its_own(self):
        kms = patient(self.server)
        keys = {spec: kms.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
                for spec in ("RSA_2048", "ECC_NIST_P384", "ECC_NIST_P256")}
        pubs = {spec: serialization.load_der_public_key(kms.get_public_key(KeyId=k)["PublicKey"])
                for spec, k in keys.items()}
        algs = {"RSA_2048": "RSASSA_PSS_SHA_256", "ECC_NIST_P384": "ECDSA_SHA_384",
                "ECC_NIST_P256": "ECDSA_SHA_256"}
        errors, done = [], []

        def worker(i):
            try:
                c = self.server.client("kms")
                for j in range(12):
                    spec = ("RSA_2048", "ECC_NIST_P384", "ECC_NIST_P256")[(i + j) % 3]
                    msg = b"%d/%d " % (i, j) + os.urandom(32)
                    out = c.sign(KeyId=keys[spec], Message=msg, SigningAlgorithm=algs[spec])
                    verify_local(pubs[spec], algs[spec], msg, out["Signature"])
                    self.assertTrue(c.verify(KeyId=keys[spec], Message=msg,
                                             Signature=out["Signature"],
                                             SigningAlgorithm=algs[spec])["SignatureValid"])
                    with self.assertRaises(ClientError) as cm:
                        c.verify(KeyId=keys[spec], Message=msg + b"!", Signature=out["Signature"],
                                 SigningAlgorithm=algs[spec])
                    self.assertEqual(code(cm), "KMSInvalidSignatureException")
                    done.append(spec)
            except Exception as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(len(done), 72)

    def test_client_gone_before_its_signature_and_pipelined_signs(self):
        kms = patient(self.server)
        key_id = kms.create_key(KeySpec="RSA_4096", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        pub = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
        alg = "RSASSA_PKCS1_V1_5_SHA_256"
        # a Sign whose client leaves at once: nothing is answered, the server goes on
        for _ in range(5):
            s = socket.create_connection((self.server.host, self.server.port))
            s.sendall(self.raw_sign(key_id, alg, b"gone"))
            s.close()
        # three signatures pipelined: each deferred, answered in order
        msgs = [b"first", b"second", b"third"]
        s = socket.create_connection((self.server.host, self.server.port))
        try:
            s.settimeout(60)
            s.sendall(b"".join(self.raw_sign(key_id, alg, m) for m in msgs))
            data = b""
            while data.count(b"HTTP/1.1 200") < 3 or not data.rstrip().endswith(b"}"):
                chunk = s.recv(65536)
                self.assertTrue(chunk, data[-300:])
                data += chunk
        finally:
            s.close()
        bodies = [part[part.index(b"{"):part.rindex(b"}") + 1]
                  for part in data.split(b"HTTP/1.1 ")[1:]]
        self.assertEqual(len(bodies), 3, data[-500:])
        for m, b in zip(msgs, bodies):
            sig = base64.b64decode(json.loads(b)["Signature"])
            verify_local(pub, alg, m, sig)  # in the order asked
        self.assertEqual(self.server.http("GET", "/_awsemu/health")[0], 200)


if __name__ == "__main__":
    unittest.main()
