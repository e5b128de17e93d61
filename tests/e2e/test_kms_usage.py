"""KMS GetKeyLastUsage: the last successful cryptographic operation on a
key, by KMS itself and by S3 and Secrets Manager on a caller's behalf;
failures leave it alone; it survives a restart; tracking starts at the
key's creation."""

import datetime
import shutil
import tempfile
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import EXTERNAL_URL, Server, ServerTestCase, model_has, to_datetime


def rid(resp):
    return resp["ResponseMetadata"]["RequestId"]


class LastUsageTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kms = cls.server.client("kms")
        if not model_has(cls.kms, "GetKeyLastUsage"):
            raise unittest.SkipTest("this botocore has no GetKeyLastUsage")

    def key(self):
        return self.kms.create_key(Description="usage")["KeyMetadata"]

    def usage(self, key_id):
        return self.kms.get_key_last_usage(KeyId=key_id)

    def assertUsed(self, key_id, op, request_id):
        u = self.usage(key_id)
        self.assertEqual(key_id, u["KeyId"])
        self.assertEqual(op, u["KeyLastUsage"]["Operation"])
        self.assertEqual(request_id, u["KeyLastUsage"]["KmsRequestId"])
        self.assertEqual(request_id, u["KeyLastUsage"]["CloudTrailEventId"])
        ts = to_datetime(u["KeyLastUsage"]["Timestamp"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - ts).total_seconds()), 120)
        return u

    def test_new_key_not_used(self):
        md = self.key()
        u = self.usage(md["KeyId"])
        self.assertNotIn("KeyLastUsage", u)
        self.assertEqual(to_datetime(md["CreationDate"]), to_datetime(u["KeyCreationDate"]))
        self.assertEqual(to_datetime(u["KeyCreationDate"]), to_datetime(u["TrackingStartDate"]))

    def test_each_operation(self):
        md = self.key()
        kid = md["KeyId"]
        enc = self.kms.encrypt(KeyId=kid, Plaintext=b"x", EncryptionContext={"a": "b"})
        self.assertUsed(kid, "Encrypt", rid(enc))
        dec = self.kms.decrypt(CiphertextBlob=enc["CiphertextBlob"], EncryptionContext={"a": "b"})
        self.assertUsed(kid, "Decrypt", rid(dec))
        g = self.kms.generate_data_key(KeyId=kid, KeySpec="AES_256")
        self.assertUsed(kid, "GenerateDataKey", rid(g))
        g = self.kms.generate_data_key_without_plaintext(KeyId=kid, NumberOfBytes=32)
        self.assertUsed(kid, "GenerateDataKeyWithoutPlaintext", rid(g))
        # by ARN too
        self.assertEqual(kid, self.kms.get_key_last_usage(KeyId=md["Arn"])["KeyId"])

    def test_reencrypt_marks_both_keys(self):
        a, b = self.key()["KeyId"], self.key()["KeyId"]
        blob = self.kms.encrypt(KeyId=a, Plaintext=b"x")["CiphertextBlob"]
        re = self.kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=b)
        self.assertUsed(a, "ReEncrypt", rid(re))
        self.assertUsed(b, "ReEncrypt", rid(re))

    def test_failures_do_not_count(self):
        kid = self.key()["KeyId"]
        enc = self.kms.encrypt(KeyId=kid, Plaintext=b"x", EncryptionContext={"a": "b"})
        with self.assertRaises(ClientError):
            self.kms.decrypt(CiphertextBlob=enc["CiphertextBlob"], EncryptionContext={"a": "c"})
        self.assertUsed(kid, "Encrypt", rid(enc))
        self.kms.disable_key(KeyId=kid)
        with self.assertRaises(ClientError):
            self.kms.encrypt(KeyId=kid, Plaintext=b"y")
        self.assertUsed(kid, "Encrypt", rid(enc))
        # describing a key is not a cryptographic use
        self.kms.describe_key(KeyId=kid)
        self.assertUsed(kid, "Encrypt", rid(enc))

    def test_other_services(self):
        kid = self.key()["KeyId"]
        s3 = self.server.client("s3")
        bucket = "usage-" + uuid.uuid4().hex[:12]
        s3.create_bucket(Bucket=bucket)
        put = s3.put_object(Bucket=bucket, Key="k", Body=b"body",
                            ServerSideEncryption="aws:kms", SSEKMSKeyId=kid)
        self.assertEqual("GenerateDataKey", self.usage(kid)["KeyLastUsage"]["Operation"])
        get = s3.get_object(Bucket=bucket, Key="k")
        self.assertEqual(b"body", get["Body"].read())
        self.assertEqual("Decrypt", self.usage(kid)["KeyLastUsage"]["Operation"])
        self.assertEqual(put["ResponseMetadata"]["HTTPStatusCode"], 200)
        sm = self.server.client("secretsmanager")
        name = "usage-" + uuid.uuid4().hex[:8]
        sm.create_secret(Name=name, SecretString="v", KmsKeyId=kid)
        self.assertEqual("GenerateDataKey", self.usage(kid)["KeyLastUsage"]["Operation"])
        gsv = sm.get_secret_value(SecretId=name)
        u = self.assertUsed(kid, "Decrypt", rid(gsv))
        self.assertIn("KeyLastUsage", u)

    def test_errors(self):
        kid = self.key()["KeyId"]
        self.kms.create_alias(AliasName="alias/usage-" + kid[:8], TargetKeyId=kid)
        for ref in ("alias/usage-" + kid[:8], str(uuid.uuid4())):
            with self.subTest(ref=ref):
                with self.assertRaises(ClientError) as cm:
                    self.kms.get_key_last_usage(KeyId=ref)
                self.assertEqual("NotFoundException", cm.exception.response["Error"]["Code"])
                self.assertEqual(400, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])


@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class LastUsagePersistTests(unittest.TestCase):
    def test_survives_restart(self):
        data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-usage-")
        server = Server(["--data-dir", data_dir])
        try:
            server.start()
            kms = server.client("kms")
            if not model_has(kms, "GetKeyLastUsage"):
                self.skipTest("this botocore has no GetKeyLastUsage")
            kid = kms.create_key()["KeyMetadata"]["KeyId"]
            kms.encrypt(KeyId=kid, Plaintext=b"1")
            # within the minute: only in memory until exit writes it out
            last = kms.generate_data_key(KeyId=kid, NumberOfBytes=16)
            server.restart()
            kms = server.client("kms")
            u = kms.get_key_last_usage(KeyId=kid)["KeyLastUsage"]
            self.assertEqual("GenerateDataKey", u["Operation"])
            self.assertEqual(rid(last), u["KmsRequestId"])
        finally:
            server.cleanup()
            shutil.rmtree(data_dir, ignore_errors=True)
