"""Bad input never crashes KMS: every operation in botocore's model gets
members of the wrong type, out-of-range values, oversized strings and
nulls; every answer must be a JSON error of AWS's shape (4xx, __type) or a
200, and the server must stay up."""
import json
import random
import unittest
import urllib.request

import botocore.session

import harness

WRONG_VALUES = [None, 0, -1, 2**63, 1.5, True, "", "x" * 70000, [], [1, "a"], {},
                {"a": {"b": [None]}}, "alias/", "arn:aws:kms:us-east-1:000000000000:key/",
                "AAAA", "!!notbase64!!"]


def op_members(model, op):
    shape = model.operation_model(op).input_shape
    return list(shape.members) if shape is not None else []


class KmsRobustnessTests(harness.ServerTestCase):
    def raw(self, op, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(
            self.server.url + "/", data=data, method="POST",
            headers={"Content-Type": "application/x-amz-json-1.1",
                     "X-Amz-Target": "TrentService." + op})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def check(self, op, body):
        status, raw = self.raw(op, body)
        if status == 200:
            json.loads(raw or b"{}")
            return status
        self.assertTrue(400 <= status < 500, "%s %r -> %d %r" % (op, body, status, raw[:200]))
        doc = json.loads(raw)
        self.assertIn("__type", doc, "%s %r -> %r" % (op, body, raw[:200]))
        return status

    def test_every_operation_survives_wrong_types(self):
        model = botocore.session.get_session().get_service_model("kms")
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        rng = random.Random(7)
        sent = 0
        for op in model.operation_names:
            members = op_members(model, op)
            for m in members:
                for v in WRONG_VALUES:
                    body = {"KeyId": key} if "KeyId" in members and m != "KeyId" else {}
                    body[m] = v
                    self.check(op, body)
                    sent += 1
            # random combinations of members, some valid-looking
            for _ in range(5):
                body = {m: rng.choice(WRONG_VALUES + [key, "alias/x", 16, "AES_256"])
                        for m in members if rng.random() < 0.5}
                self.check(op, body)
                sent += 1
        self.assertGreater(sent, 1000)
        # still serving
        self.assertEqual(200, self.raw("ListKeys", {})[0])

    def test_non_object_bodies(self):
        for body in [b"[]", b"1", b'"s"', b"null", b"{", b"{}}", b"\xff\xfe", b"{\"a\":" * 5000]:
            status, raw = self.raw("ListKeys", body)
            self.assertEqual(400, status, body[:20])
            self.assertIn("__type", json.loads(raw))

    def test_huge_encryption_context(self):
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        ctx = {"k%d" % i: "v" * 10 for i in range(1000)}
        status = self.check("Encrypt", {"KeyId": key, "Plaintext": "aGk=", "EncryptionContext": ctx})
        self.assertEqual(400, status)


if __name__ == "__main__":
    unittest.main()


class KmsAbsentFeaturesTests(harness.ServerTestCase):
    """Operations on features an offline account does not have answer as
    AWS answers such an account."""

    def raw(self, op, body):
        return KmsRobustnessTests.raw(self, op, body)

    def test_custom_key_stores(self):
        status, raw = self.raw("DescribeCustomKeyStores", {})
        self.assertEqual(200, status)
        self.assertEqual([], json.loads(raw)["CustomKeyStores"])
        status, raw = self.raw("DescribeCustomKeyStores", {"CustomKeyStoreId": "cks-1234567890abcdef0"})
        self.assertEqual((400, "CustomKeyStoreNotFoundException"), (status, json.loads(raw)["__type"]))
        status, raw = self.raw("CreateCustomKeyStore", {"CustomKeyStoreName": "s",
                                                        "CloudHsmClusterId": "cluster-1a23b4cdefg"})
        self.assertEqual((400, "CloudHsmClusterNotFoundException"), (status, json.loads(raw)["__type"]))
        status, raw = self.raw("ConnectCustomKeyStore", {"CustomKeyStoreId": "cks-1234567890abcdef0"})
        self.assertEqual((400, "CustomKeyStoreNotFoundException"), (status, json.loads(raw)["__type"]))

    def test_import_and_multi_region_on_a_plain_key(self):
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        for op in ("GetParametersForImport", "DeleteImportedKeyMaterial", "ReplicateKey"):
            body = {"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                    "WrappingKeySpec": "RSA_2048", "ReplicaRegion": "eu-west-1"}
            status, raw = self.raw(op, body)
            self.assertEqual((400, "UnsupportedOperationException"),
                             (status, json.loads(raw)["__type"]), op)
        status, raw = self.raw("ReplicateKey", {"KeyId": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
                                                "ReplicaRegion": "eu-west-1"})
        self.assertEqual((400, "NotFoundException"), (status, json.loads(raw)["__type"]))
