"""--iam enforce and KMS's asymmetric and HMAC operations: each row's
action, the algorithm condition keys (kms:SigningAlgorithm,
kms:MessageType, kms:MacAlgorithm, kms:KeyAgreementAlgorithm,
kms:EncryptionAlgorithm, kms:KeySpec, kms:KeyUsage) and grants of the new
operations, valid per key usage.

Pinned by the Service Authorization Reference ("Actions, resources, and
condition keys for AWS KMS": the condition keys of Sign, Verify, GenerateMac,
VerifyMac, DeriveSharedSecret, Encrypt) and the KMS developer guide's "Grant
operations" table (which operations each kind of key can be granted)."""

from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import ServerTestCase
from enforce_util import ENFORCE, Principals, allow, check_denied, client, doc


class AsymEnforceTests(ServerTestCase):
    server_args = ENFORCE
    needs_process = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)

    def c(self, creds):
        return client(self.server, "kms", creds)

    def test_signing_algorithm_and_message_type_conditions(self):
        kid = self.kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Sign", Condition={"StringEquals": {
            "kms:SigningAlgorithm": "RSASSA_PSS_SHA_256", "kms:MessageType": "DIGEST",
            "kms:KeySpec": "RSA_2048", "kms:KeyUsage": "SIGN_VERIFY"}}))])
        kms = self.c(u)
        kms.sign(KeyId=kid, Message=b"d" * 32, MessageType="DIGEST",
                 SigningAlgorithm="RSASSA_PSS_SHA_256")
        check_denied(self, "kms", kms.sign, KeyId=kid, Message=b"d" * 32, MessageType="DIGEST",
                     SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")
        # MessageType absent is RAW
        check_denied(self, "kms", kms.sign, KeyId=kid, Message=b"m",
                     SigningAlgorithm="RSASSA_PSS_SHA_256")
        check_denied(self, "kms", kms.verify, KeyId=kid, Message=b"m", Signature=b"s",
                     SigningAlgorithm="RSASSA_PSS_SHA_256")
        check_denied(self, "kms", kms.get_public_key, KeyId=kid)

    def test_mac_and_key_agreement_conditions(self):
        hid = self.kms.create_key(KeySpec="HMAC_384",
                                  KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        eid = self.kms.create_key(KeySpec="ECC_NIST_P256",
                                  KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(
            allow("kms:GenerateMac", Condition={"StringEquals": {
                "kms:MacAlgorithm": "HMAC_SHA_384"}}),
            allow("kms:DeriveSharedSecret", Condition={"StringEquals": {
                "kms:KeyAgreementAlgorithm": "ECDH"}}))])
        kms = self.c(u)
        kms.generate_mac(KeyId=hid, Message=b"m", MacAlgorithm="HMAC_SHA_384")
        check_denied(self, "kms", kms.verify_mac, KeyId=hid, Message=b"m",
                     MacAlgorithm="HMAC_SHA_384", Mac=b"x")
        peer = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        kms.derive_shared_secret(KeyId=eid, KeyAgreementAlgorithm="ECDH", PublicKey=peer)
        u2 = self.p.user(inline=[doc(allow("kms:GenerateMac", Condition={"StringEquals": {
            "kms:MacAlgorithm": "HMAC_SHA_256"}}))])
        check_denied(self, "kms", self.c(u2).generate_mac, KeyId=hid, Message=b"m",
                     MacAlgorithm="HMAC_SHA_384")

    def test_encryption_algorithm_condition(self):
        kid = self.kms.create_key(KeySpec="RSA_2048",
                                  KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
        u = self.p.user(inline=[doc(allow(["kms:Encrypt", "kms:Decrypt"], Condition={
            "StringEquals": {"kms:EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}}))])
        kms = self.c(u)
        ct = kms.encrypt(KeyId=kid, Plaintext=b"x",
                         EncryptionAlgorithm="RSAES_OAEP_SHA_256")["CiphertextBlob"]
        self.assertEqual(kms.decrypt(KeyId=kid, CiphertextBlob=ct,
                                     EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"], b"x")
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"x",
                     EncryptionAlgorithm="RSAES_OAEP_SHA_1")
        sym = self.kms.create_key()["KeyMetadata"]["KeyId"]
        # absent on a symmetric key: SYMMETRIC_DEFAULT, which the condition refuses
        check_denied(self, "kms", kms.encrypt, KeyId=sym, Plaintext=b"x")

    def test_grants_of_new_operations(self):
        kid = self.kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        u = self.p.user()
        kms = self.c(u)
        check_denied(self, "kms", kms.sign, KeyId=kid, Message=b"m",
                     SigningAlgorithm="ECDSA_SHA_256")
        self.kms.create_grant(KeyId=kid, GranteePrincipal=u.arn,
                              Operations=["Sign", "GetPublicKey"])
        sig = kms.sign(KeyId=kid, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
        kms.get_public_key(KeyId=kid)
        check_denied(self, "kms", kms.verify, KeyId=kid, Message=b"m", Signature=sig,
                     SigningAlgorithm="ECDSA_SHA_256")
        # operations a signing key cannot be granted
        for op in ("Encrypt", "GenerateMac", "DeriveSharedSecret"):
            with self.assertRaises(ClientError) as cm:
                self.kms.create_grant(KeyId=kid, GranteePrincipal=u.arn, Operations=[op])
            self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        hid = self.kms.create_key(KeySpec="HMAC_256",
                                  KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        self.kms.create_grant(KeyId=hid, GranteePrincipal=u.arn, Operations=["GenerateMac"])
        kms.generate_mac(KeyId=hid, Message=b"m", MacAlgorithm="HMAC_SHA_256")
        with self.assertRaises(ClientError) as cm:
            self.kms.create_grant(KeyId=hid, GranteePrincipal=u.arn, Operations=["Sign"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")

    def test_create_key_spec_condition(self):
        u = self.p.user(inline=[doc(allow("kms:CreateKey", Condition={"StringEquals": {
            "kms:KeySpec": "ECC_NIST_P256", "kms:KeyUsage": "SIGN_VERIFY"}}))])
        kms = self.c(u)
        kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY",
                       BypassPolicyLockoutSafetyCheck=True)
        check_denied(self, "kms", kms.create_key, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY",
                     BypassPolicyLockoutSafetyCheck=True)
