"""KMS black-box tests through boto3, against AWS's documented behaviour."""

import base64
import json
import os
import re
import unittest
import uuid


from harness import DEFAULT_ACCOUNT, ServerTestCase, model_has

ACCOUNT = DEFAULT_ACCOUNT  # 000000000000 unless AWSEMU_E2E_ACCOUNT says otherwise
REGION = "us-east-1"
KEY_ARN_RE = re.compile(r"^arn:aws:kms:us-east-1:%s:key/"
                        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" % ACCOUNT)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ROOT = "arn:aws:iam::%s:root" % ACCOUNT


def key_arn(key_id):
    return "arn:aws:kms:%s:%s:key/%s" % (REGION, ACCOUNT, key_id)


def alias_arn(name):
    return "arn:aws:kms:%s:%s:%s" % (REGION, ACCOUNT, name)


def uniq(prefix="t"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class KmsTestCase(ServerTestCase):
    def new_key(self, **kw):
        md = self.kms.create_key(**kw)["KeyMetadata"]
        return md["KeyId"]

    def state(self, key_id):
        return self.kms.describe_key(KeyId=key_id)["KeyMetadata"]


class CreateDescribeKeyTests(KmsTestCase):
    def test_create_key_defaults(self):
        r = self.kms.create_key()
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        md = r["KeyMetadata"]
        self.assertRegex(md["KeyId"], UUID_RE)
        self.assertRegex(md["Arn"], KEY_ARN_RE)
        self.assertEqual(key_arn(md["KeyId"]), md["Arn"])
        self.assertEqual(ACCOUNT, md["AWSAccountId"])
        self.assertEqual("ENCRYPT_DECRYPT", md["KeyUsage"])
        self.assertEqual("SYMMETRIC_DEFAULT", md["KeySpec"])
        self.assertEqual("AWS_KMS", md["Origin"])
        self.assertIs(True, md["Enabled"])
        self.assertEqual("Enabled", md["KeyState"])
        self.assertEqual("CUSTOMER", md["KeyManager"])
        self.assertEqual(["SYMMETRIC_DEFAULT"], md["EncryptionAlgorithms"])
        self.assertEqual("", md.get("Description", ""))
        self.assertNotIn("DeletionDate", md)
        self.assertRecent(md["CreationDate"])
        if "CustomerMasterKeySpec" in md:
            self.assertEqual("SYMMETRIC_DEFAULT", md["CustomerMasterKeySpec"])
        if "MultiRegion" in md:
            self.assertIs(False, md["MultiRegion"])

    def test_create_keys_get_distinct_ids(self):
        ids = {self.new_key() for _ in range(3)}
        self.assertEqual(3, len(ids))

    def test_create_key_description_tags_policy(self):
        policy = json.dumps({
            "Version": "2012-10-17", "Id": "custom",
            "Statement": [{"Sid": "AllowRoot", "Effect": "Allow",
                           "Principal": {"AWS": ROOT}, "Action": "kms:*",
                           "Resource": "*"}]})
        md = self.kms.create_key(
            Description="my description ✓",
            Tags=[{"TagKey": "env", "TagValue": "dev"},
                  {"TagKey": "team", "TagValue": ""}],
            Policy=policy,
            KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")["KeyMetadata"]
        self.assertEqual("my description ✓", md["Description"])
        kid = md["KeyId"]
        self.assertEqual("my description ✓", self.state(kid)["Description"])
        tags = self.kms.list_resource_tags(KeyId=kid)["Tags"]
        self.assertEqual({"env": "dev", "team": ""},
                         {t["TagKey"]: t["TagValue"] for t in tags})
        got = self.kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"]
        self.assertEqual(json.loads(policy), json.loads(got))

    def test_create_key_invalid_usage_spec_combinations(self):
        for usage, spec in [("SIGN_VERIFY", "SYMMETRIC_DEFAULT"),
                            ("GENERATE_VERIFY_MAC", "SYMMETRIC_DEFAULT"),
                            ("ENCRYPT_DECRYPT", "HMAC_256"),
                            ("ENCRYPT_DECRYPT", "ECC_NIST_P256")]:
            with self.subTest(usage=usage, spec=spec):
                self.assertClientError("ValidationException", self.kms_nv.create_key,
                                       KeyUsage=usage, KeySpec=spec)

    def test_create_key_unknown_enum_values(self):
        self.assertClientError("ValidationException", self.kms_nv.create_key,
                               KeySpec="NOT_A_SPEC")
        self.assertClientError("ValidationException", self.kms_nv.create_key,
                               KeyUsage="NOT_A_USAGE")

    def test_create_key_malformed_policy(self):
        self.assertClientError("MalformedPolicyDocumentException", self.kms.create_key,
                               Policy="{not json")

    def test_create_key_reserved_tag(self):
        self.assertClientError("TagException", self.kms.create_key,
                               Tags=[{"TagKey": "aws:reserved", "TagValue": "x"}])

    def test_describe_by_id_arn_alias_alias_arn(self):
        kid = self.new_key(Description="describe-me")
        name = "alias/" + uniq("desc")
        self.kms.create_alias(AliasName=name, TargetKeyId=kid)
        for ident in (kid, key_arn(kid), name, alias_arn(name)):
            with self.subTest(ident=ident):
                md = self.kms.describe_key(KeyId=ident)["KeyMetadata"]
                self.assertEqual(kid, md["KeyId"])
                self.assertEqual(key_arn(kid), md["Arn"])
                self.assertEqual("describe-me", md["Description"])

    def test_describe_unknown(self):
        for ident in (str(uuid.uuid4()), key_arn(str(uuid.uuid4())),
                      "alias/" + uniq("missing"), alias_arn("alias/" + uniq("missing"))):
            with self.subTest(ident=ident):
                self.assertClientError("NotFoundException", self.kms.describe_key, KeyId=ident)

    def test_update_key_description(self):
        kid = self.new_key(Description="before")
        r = self.kms.update_key_description(KeyId=kid, Description="after")
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual("after", self.state(kid)["Description"])
        self.kms.update_key_description(KeyId=kid, Description="")
        self.assertEqual("", self.state(kid).get("Description", ""))
        self.assertClientError("NotFoundException", self.kms.update_key_description,
                               KeyId=str(uuid.uuid4()), Description="x")


class ListKeysTests(KmsTestCase):
    def all_keys(self, limit):
        seen = []
        pages = 0
        kw = {"Limit": limit}
        while True:
            r = self.kms.list_keys(**kw)
            pages += 1
            self.assertLessEqual(len(r["Keys"]), limit)
            for k in r["Keys"]:
                self.assertEqual(key_arn(k["KeyId"]), k["KeyArn"])
                seen.append(k["KeyId"])
            if not r["Truncated"]:
                self.assertNotIn("NextMarker", r)
                break
            self.assertTrue(r.get("NextMarker"))
            kw["Marker"] = r["NextMarker"]
            self.assertLess(pages, 1000, "paging does not terminate")
        return seen, pages

    def test_paging(self):
        mine = {self.new_key() for _ in range(5)}
        full, _ = self.all_keys(1000)
        self.assertEqual(len(full), len(set(full)), "duplicates in ListKeys")
        self.assertTrue(mine <= set(full))
        paged, pages = self.all_keys(2)
        self.assertEqual(len(paged), len(set(paged)), "duplicates across pages")
        self.assertEqual(set(full), set(paged))
        self.assertGreaterEqual(pages, 3)
        r = self.kms.list_keys(Limit=1)
        self.assertEqual(1, len(r["Keys"]))
        self.assertIs(True, r["Truncated"])

    def test_limit_bounds(self):
        for bad in (0, 1001):
            with self.subTest(limit=bad):
                self.assertClientError("ValidationException", self.kms_nv.list_keys, Limit=bad)
        self.assertIn("Keys", self.kms.list_keys(Limit=1000))

    def test_bad_marker(self):
        self.assertClientError("InvalidMarkerException", self.kms.list_keys,
                               Marker="this-is-not-a-marker")


class EncryptDecryptTests(KmsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.kms.create_key()["KeyMetadata"]["KeyId"]
        cls.other = cls.kms.create_key()["KeyMetadata"]["KeyId"]

    def test_round_trip(self):
        for pt in (b"hello world", bytes(range(256)), b"\x00", os.urandom(4096)):
            with self.subTest(n=len(pt)):
                r = self.kms.encrypt(KeyId=self.key, Plaintext=pt)
                self.assertEqual(key_arn(self.key), r["KeyId"])
                self.assertEqual("SYMMETRIC_DEFAULT", r.get("EncryptionAlgorithm", "SYMMETRIC_DEFAULT"))
                ct = r["CiphertextBlob"]
                if len(pt) >= 8:  # a short plaintext can occur in any byte string
                    self.assertNotIn(pt, ct)
                self.assertGreater(len(ct), len(pt))
                d = self.kms.decrypt(CiphertextBlob=ct)  # no KeyId
                self.assertEqual(pt, d["Plaintext"])
                self.assertEqual(key_arn(self.key), d["KeyId"])
                d2 = self.kms.decrypt(CiphertextBlob=ct, KeyId=self.key)
                self.assertEqual(pt, d2["Plaintext"])

    def test_encryption_is_randomized(self):
        a = self.kms.encrypt(KeyId=self.key, Plaintext=b"same")["CiphertextBlob"]
        b = self.kms.encrypt(KeyId=self.key, Plaintext=b"same")["CiphertextBlob"]
        self.assertNotEqual(a, b)

    def test_encrypt_by_arn_and_alias(self):
        name = "alias/" + uniq("enc")
        self.kms.create_alias(AliasName=name, TargetKeyId=self.key)
        for ident in (key_arn(self.key), name, alias_arn(name)):
            with self.subTest(ident=ident):
                r = self.kms.encrypt(KeyId=ident, Plaintext=b"via " + ident.encode())
                self.assertEqual(key_arn(self.key), r["KeyId"])
                d = self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"], KeyId=ident)
                self.assertEqual(b"via " + ident.encode(), d["Plaintext"])

    def test_decrypt_with_wrong_key(self):
        ct = self.kms.encrypt(KeyId=self.key, Plaintext=b"x")["CiphertextBlob"]
        self.assertClientError("IncorrectKeyException", self.kms.decrypt,
                               CiphertextBlob=ct, KeyId=self.other)

    def test_encryption_context_binding(self):
        ctx = {"purpose": "test", "user": "alice"}
        ct = self.kms.encrypt(KeyId=self.key, Plaintext=b"ctx", EncryptionContext=ctx)["CiphertextBlob"]
        # same map, different order: still matches
        d = self.kms.decrypt(CiphertextBlob=ct, EncryptionContext={"user": "alice", "purpose": "test"})
        self.assertEqual(b"ctx", d["Plaintext"])
        for bad in ({"purpose": "test", "user": "bob"}, {"purpose": "test"},
                    dict(ctx, extra="1"), None):
            with self.subTest(ctx=bad):
                kw = {"CiphertextBlob": ct}
                if bad is not None:
                    kw["EncryptionContext"] = bad
                self.assertClientError("InvalidCiphertextException", self.kms.decrypt, **kw)
        # ciphertext made without context does not decrypt with one
        ct2 = self.kms.encrypt(KeyId=self.key, Plaintext=b"noctx")["CiphertextBlob"]
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=ct2, EncryptionContext={"a": "b"})

    def test_tampered_ciphertext(self):
        ct = bytearray(self.kms.encrypt(KeyId=self.key, Plaintext=b"tamper me")["CiphertextBlob"])
        last = bytearray(ct)
        last[-1] ^= 0x01
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt, CiphertextBlob=bytes(last))
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt, CiphertextBlob=bytes(ct[:-1]))
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=b"\x01" + os.urandom(150))

    def test_plaintext_size_limits(self):
        self.kms.encrypt(KeyId=self.key, Plaintext=b"a" * 4096)
        self.assertClientError("ValidationException", self.kms_nv.encrypt,
                               KeyId=self.key, Plaintext=b"a" * 4097)
        self.assertClientError("ValidationException", self.kms_nv.encrypt,
                               KeyId=self.key, Plaintext=b"")

    def test_asymmetric_algorithm_on_symmetric_key(self):
        self.assertClientError("InvalidKeyUsageException", self.kms.encrypt, KeyId=self.key,
                               Plaintext=b"x", EncryptionAlgorithm="RSAES_OAEP_SHA_256")

    def test_encrypt_unknown_key(self):
        self.assertClientError("NotFoundException", self.kms.encrypt,
                               KeyId=str(uuid.uuid4()), Plaintext=b"x")
        self.assertClientError("NotFoundException", self.kms.encrypt,
                               KeyId="alias/" + uniq("nokey"), Plaintext=b"x")

    def test_missing_required_parameter(self):
        status, _, body, raw = self.server.json_request("TrentService.Encrypt", {"Plaintext": "eA=="})
        self.assertEqual(400, status, raw)
        self.assertIn("ValidationException", str(body.get("__type")))

    def test_reencrypt(self):
        src_ctx = {"stage": "src"}
        dst_ctx = {"stage": "dst"}
        ct = self.kms.encrypt(KeyId=self.key, Plaintext=b"move me",
                              EncryptionContext=src_ctx)["CiphertextBlob"]
        r = self.kms.re_encrypt(CiphertextBlob=ct, SourceEncryptionContext=src_ctx,
                                DestinationKeyId=self.other,
                                DestinationEncryptionContext=dst_ctx)
        self.assertEqual(key_arn(self.key), r["SourceKeyId"])
        self.assertEqual(key_arn(self.other), r["KeyId"])
        self.assertNotEqual(ct, r["CiphertextBlob"])
        d = self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"], EncryptionContext=dst_ctx)
        self.assertEqual(b"move me", d["Plaintext"])
        self.assertEqual(key_arn(self.other), d["KeyId"])
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=r["CiphertextBlob"], EncryptionContext=src_ctx)
        self.assertClientError("IncorrectKeyException", self.kms.decrypt,
                               CiphertextBlob=r["CiphertextBlob"], KeyId=self.key,
                               EncryptionContext=dst_ctx)
        # wrong source context
        self.assertClientError("InvalidCiphertextException", self.kms.re_encrypt,
                               CiphertextBlob=ct, SourceEncryptionContext={"stage": "nope"},
                               DestinationKeyId=self.other)
        # wrong source key id
        self.assertClientError("IncorrectKeyException", self.kms.re_encrypt,
                               CiphertextBlob=ct, SourceEncryptionContext=src_ctx,
                               SourceKeyId=self.other, DestinationKeyId=self.other)
        # same key, new context (re-wrap in place)
        r2 = self.kms.re_encrypt(CiphertextBlob=ct, SourceEncryptionContext=src_ctx,
                                 DestinationKeyId=self.key)
        self.assertEqual(b"move me", self.kms.decrypt(CiphertextBlob=r2["CiphertextBlob"])["Plaintext"])


class DataKeyRandomTests(KmsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.kms.create_key()["KeyMetadata"]["KeyId"]

    def test_generate_data_key_specs(self):
        for kw, n in (({"KeySpec": "AES_256"}, 32), ({"KeySpec": "AES_128"}, 16),
                      ({"NumberOfBytes": 1}, 1), ({"NumberOfBytes": 64}, 64),
                      ({"NumberOfBytes": 1024}, 1024)):
            with self.subTest(kw=kw):
                r = self.kms.generate_data_key(KeyId=self.key, **kw)
                self.assertEqual(n, len(r["Plaintext"]))
                self.assertEqual(key_arn(self.key), r["KeyId"])
                d = self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"])
                self.assertEqual(r["Plaintext"], d["Plaintext"])
                self.assertEqual(key_arn(self.key), d["KeyId"])

    def test_generate_data_key_is_random(self):
        a = self.kms.generate_data_key(KeyId=self.key, KeySpec="AES_256")["Plaintext"]
        b = self.kms.generate_data_key(KeyId=self.key, KeySpec="AES_256")["Plaintext"]
        self.assertNotEqual(a, b)

    def test_generate_data_key_with_context(self):
        ctx = {"file": "a.txt"}
        r = self.kms.generate_data_key(KeyId=self.key, KeySpec="AES_256", EncryptionContext=ctx)
        d = self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"], EncryptionContext=ctx)
        self.assertEqual(r["Plaintext"], d["Plaintext"])
        self.assertClientError("InvalidCiphertextException", self.kms.decrypt,
                               CiphertextBlob=r["CiphertextBlob"])

    def test_generate_data_key_validation(self):
        bad = [{}, {"KeySpec": "AES_256", "NumberOfBytes": 32},
               {"NumberOfBytes": 0}, {"NumberOfBytes": 1025}, {"KeySpec": "AES_512"}]
        for kw in bad:
            with self.subTest(kw=kw):
                self.assertClientError("ValidationException", self.kms_nv.generate_data_key,
                                       KeyId=self.key, **kw)
        self.assertClientError("NotFoundException", self.kms.generate_data_key,
                               KeyId=str(uuid.uuid4()), KeySpec="AES_256")

    def test_generate_data_key_without_plaintext(self):
        r = self.kms.generate_data_key_without_plaintext(KeyId=self.key, KeySpec="AES_256")
        self.assertNotIn("Plaintext", r)
        self.assertEqual(key_arn(self.key), r["KeyId"])
        self.assertEqual(32, len(self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"])["Plaintext"]))
        r = self.kms.generate_data_key_without_plaintext(KeyId=self.key, NumberOfBytes=7,
                                                         EncryptionContext={"k": "v"})
        d = self.kms.decrypt(CiphertextBlob=r["CiphertextBlob"], EncryptionContext={"k": "v"})
        self.assertEqual(7, len(d["Plaintext"]))
        self.assertClientError("ValidationException", self.kms_nv.generate_data_key_without_plaintext,
                               KeyId=self.key)

    def test_generate_random(self):
        for n in (1, 32, 1024):
            with self.subTest(n=n):
                self.assertEqual(n, len(self.kms.generate_random(NumberOfBytes=n)["Plaintext"]))
        a = self.kms.generate_random(NumberOfBytes=32)["Plaintext"]
        b = self.kms.generate_random(NumberOfBytes=32)["Plaintext"]
        self.assertNotEqual(a, b)
        self.assertNotEqual(bytes(32), a)
        for n in (0, 1025):
            with self.subTest(n=n):
                self.assertClientError("ValidationException", self.kms_nv.generate_random,
                                       NumberOfBytes=n)


class AliasTests(KmsTestCase):
    def aliases(self, **kw):
        out = []
        while True:
            r = self.kms.list_aliases(**kw)
            out.extend(r["Aliases"])
            if not r.get("Truncated"):
                return out
            kw["Marker"] = r["NextMarker"]

    def test_create_list_alias(self):
        kid = self.new_key()
        name = "alias/" + uniq("list")
        r = self.kms.create_alias(AliasName=name, TargetKeyId=kid)
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        found = [a for a in self.aliases() if a["AliasName"] == name]
        self.assertEqual(1, len(found))
        a = found[0]
        self.assertEqual(kid, a["TargetKeyId"])
        self.assertEqual(alias_arn(name), a["AliasArn"])
        if "CreationDate" in a:
            self.assertRecent(a["CreationDate"])

    def test_create_alias_by_key_arn(self):
        kid = self.new_key()
        name = "alias/" + uniq("byarn")
        self.kms.create_alias(AliasName=name, TargetKeyId=key_arn(kid))
        self.assertEqual(kid, self.state(name)["KeyId"])

    def test_create_alias_errors(self):
        kid = self.new_key()
        self.assertClientError("ValidationException", self.kms.create_alias,
                               AliasName=uniq("noprefix"), TargetKeyId=kid)
        self.assertClientError("NotAuthorizedException", self.kms.create_alias,
                               AliasName="alias/aws/" + uniq("reserved"), TargetKeyId=kid)
        self.assertClientError(("ValidationException", "InvalidAliasNameException"),
                               self.kms_nv.create_alias, AliasName="alias/has space", TargetKeyId=kid)
        self.assertClientError("NotFoundException", self.kms.create_alias,
                               AliasName="alias/" + uniq("nokey"), TargetKeyId=str(uuid.uuid4()))
        name = "alias/" + uniq("dup")
        self.kms.create_alias(AliasName=name, TargetKeyId=kid)
        self.assertClientError("AlreadyExistsException", self.kms.create_alias,
                               AliasName=name, TargetKeyId=kid)
        other = self.new_key()
        self.assertClientError("AlreadyExistsException", self.kms.create_alias,
                               AliasName=name, TargetKeyId=other)
        self.assertEqual(kid, self.state(name)["KeyId"])

    def test_update_alias(self):
        k1, k2 = self.new_key(), self.new_key()
        name = "alias/" + uniq("upd")
        self.kms.create_alias(AliasName=name, TargetKeyId=k1)
        ct = self.kms.encrypt(KeyId=name, Plaintext=b"one")["CiphertextBlob"]
        self.kms.update_alias(AliasName=name, TargetKeyId=k2)
        self.assertEqual(k2, self.state(name)["KeyId"])
        self.assertEqual(key_arn(k2), self.kms.encrypt(KeyId=name, Plaintext=b"two")["KeyId"])
        self.assertEqual(b"one", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])
        self.assertClientError("NotFoundException", self.kms.update_alias,
                               AliasName="alias/" + uniq("missing"), TargetKeyId=k1)
        self.assertClientError("NotFoundException", self.kms.update_alias,
                               AliasName=name, TargetKeyId=str(uuid.uuid4()))
        self.assertEqual(k2, self.state(name)["KeyId"])

    def test_delete_alias(self):
        kid = self.new_key()
        name = "alias/" + uniq("del")
        self.kms.create_alias(AliasName=name, TargetKeyId=kid)
        self.kms.delete_alias(AliasName=name)
        self.assertClientError("NotFoundException", self.kms.describe_key, KeyId=name)
        self.assertNotIn(name, [a["AliasName"] for a in self.aliases()])
        self.assertClientError("NotFoundException", self.kms.delete_alias, AliasName=name)
        # the key itself is untouched, and the name can be reused
        self.assertEqual("Enabled", self.state(kid)["KeyState"])
        self.kms.create_alias(AliasName=name, TargetKeyId=kid)
        self.assertEqual(kid, self.state(name)["KeyId"])

    def test_list_aliases_by_key_and_paging(self):
        k1, k2 = self.new_key(), self.new_key()
        names1 = sorted("alias/" + uniq("k1-%d" % i) for i in range(3))
        for n in names1:
            self.kms.create_alias(AliasName=n, TargetKeyId=k1)
        n2 = "alias/" + uniq("k2")
        self.kms.create_alias(AliasName=n2, TargetKeyId=k2)
        got = self.kms.list_aliases(KeyId=k1)["Aliases"]
        self.assertEqual(names1, sorted(a["AliasName"] for a in got))
        self.assertTrue(all(a["TargetKeyId"] == k1 for a in got))
        got2 = self.kms.list_aliases(KeyId=key_arn(k2))["Aliases"]
        self.assertEqual([n2], [a["AliasName"] for a in got2])
        self.assertEqual([], self.kms.list_aliases(KeyId=self.new_key())["Aliases"])
        # paging, Limit=1 with KeyId
        seen, kw, pages = [], {"KeyId": k1, "Limit": 1}, 0
        while True:
            r = self.kms.list_aliases(**kw)
            pages += 1
            self.assertLessEqual(len(r["Aliases"]), 1)
            seen += [a["AliasName"] for a in r["Aliases"]]
            if not r["Truncated"]:
                break
            kw["Marker"] = r["NextMarker"]
            self.assertLess(pages, 50)
        self.assertEqual(names1, sorted(seen))
        # paging without KeyId covers everything exactly once
        full = [a["AliasName"] for a in self.aliases(Limit=2)]
        self.assertEqual(len(full), len(set(full)))
        self.assertTrue(set(names1 + [n2]) <= set(full))
        self.assertClientError("NotFoundException", self.kms.list_aliases, KeyId=str(uuid.uuid4()))
        self.assertClientError("ValidationException", self.kms_nv.list_aliases, Limit=0)


class KeyStateTests(KmsTestCase):
    def test_disable_enable(self):
        kid = self.new_key()
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"before")["CiphertextBlob"]
        self.kms.disable_key(KeyId=kid)
        md = self.state(kid)
        self.assertIs(False, md["Enabled"])
        self.assertEqual("Disabled", md["KeyState"])
        self.assertClientError("DisabledException", self.kms.encrypt, KeyId=kid, Plaintext=b"x")
        self.assertClientError("DisabledException", self.kms.decrypt, CiphertextBlob=ct)
        self.assertClientError("DisabledException", self.kms.generate_data_key,
                               KeyId=kid, KeySpec="AES_256")
        other = self.new_key()
        ct_other = self.kms.encrypt(KeyId=other, Plaintext=b"to disabled")["CiphertextBlob"]
        self.assertClientError("DisabledException", self.kms.re_encrypt,
                               CiphertextBlob=ct_other, DestinationKeyId=kid)
        self.kms.disable_key(KeyId=kid)  # idempotent
        self.kms.enable_key(KeyId=kid)
        md = self.state(kid)
        self.assertIs(True, md["Enabled"])
        self.assertEqual("Enabled", md["KeyState"])
        self.assertEqual(b"before", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])
        self.assertClientError("NotFoundException", self.kms.disable_key, KeyId=str(uuid.uuid4()))
        self.assertClientError("NotFoundException", self.kms.enable_key, KeyId=str(uuid.uuid4()))

    def test_schedule_and_cancel_deletion(self):
        kid = self.new_key()
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"doomed")["CiphertextBlob"]
        r = self.kms.schedule_key_deletion(KeyId=kid)
        self.assertEqual(key_arn(kid), r["KeyId"])
        self.assertEqual("PendingDeletion", r["KeyState"])
        self.assertEqual(30, r["PendingWindowInDays"])
        self.assertRecent(r["DeletionDate"], delta_days=30, slack_seconds=2 * 86400)
        md = self.state(kid)
        self.assertEqual("PendingDeletion", md["KeyState"])
        self.assertIs(False, md["Enabled"])
        self.assertIn("DeletionDate", md)
        self.assertClientError("KMSInvalidStateException", self.kms.encrypt, KeyId=kid, Plaintext=b"x")
        self.assertClientError("KMSInvalidStateException", self.kms.decrypt, CiphertextBlob=ct)
        self.assertClientError("KMSInvalidStateException", self.kms.generate_data_key,
                               KeyId=kid, KeySpec="AES_256")
        self.assertClientError("KMSInvalidStateException", self.kms.enable_key, KeyId=kid)
        self.assertClientError("KMSInvalidStateException", self.kms.schedule_key_deletion, KeyId=kid)
        self.assertClientError("KMSInvalidStateException", self.kms.create_alias,
                               AliasName="alias/" + uniq("pending"), TargetKeyId=kid)
        self.assertClientError("KMSInvalidStateException", self.kms.update_key_description,
                               KeyId=kid, Description="nope")
        self.assertClientError("KMSInvalidStateException", self.kms.tag_resource,
                               KeyId=kid, Tags=[{"TagKey": "a", "TagValue": "b"}])
        # read-only operations still work, and the key is still listed
        self.assertIn("Policy", self.kms.get_key_policy(KeyId=kid, PolicyName="default"))
        self.assertIn(kid, [k["KeyId"] for k in self.kms.list_keys(Limit=1000)["Keys"]])
        r = self.kms.cancel_key_deletion(KeyId=kid)
        self.assertEqual(key_arn(kid), r["KeyId"])
        md = self.state(kid)
        self.assertEqual("Disabled", md["KeyState"])
        self.assertIs(False, md["Enabled"])
        self.assertNotIn("DeletionDate", md)
        self.assertClientError("KMSInvalidStateException", self.kms.cancel_key_deletion, KeyId=kid)
        self.kms.enable_key(KeyId=kid)
        self.assertEqual(b"doomed", self.kms.decrypt(CiphertextBlob=ct)["Plaintext"])

    def test_pending_window_bounds(self):
        kid = self.new_key()
        for bad in (6, 31, 0):
            with self.subTest(days=bad):
                self.assertClientError("ValidationException", self.kms_nv.schedule_key_deletion,
                                       KeyId=kid, PendingWindowInDays=bad)
        self.assertEqual("Enabled", self.state(kid)["KeyState"])
        for days in (7, 30):
            with self.subTest(days=days):
                k = self.new_key()
                r = self.kms.schedule_key_deletion(KeyId=k, PendingWindowInDays=days)
                self.assertEqual(days, r["PendingWindowInDays"])
                self.assertRecent(r["DeletionDate"], delta_days=days, slack_seconds=2 * 86400)
        self.assertClientError("NotFoundException", self.kms.schedule_key_deletion,
                               KeyId=str(uuid.uuid4()))
        self.assertClientError("NotFoundException", self.kms.cancel_key_deletion,
                               KeyId=str(uuid.uuid4()))


class RotationTests(KmsTestCase):
    def call(self, op, snake, in_members=(), out_members=(), **params):
        """boto3 when this botocore knows the members, raw JSON otherwise."""
        if model_has(self.kms, op, in_members, out_members):
            return getattr(self.kms, snake)(**params)
        return self.server.kms_raw(op, **params)

    def status(self, kid):
        return self.call("GetKeyRotationStatus", "get_key_rotation_status",
                         out_members=("RotationPeriodInDays", "NextRotationDate"), KeyId=kid)

    def test_rotation_status_lifecycle(self):
        kid = self.new_key()
        self.assertIs(False, self.status(kid)["KeyRotationEnabled"])
        self.kms.enable_key_rotation(KeyId=kid)
        st = self.status(kid)
        self.assertIs(True, st["KeyRotationEnabled"])
        self.assertEqual(365, st["RotationPeriodInDays"])
        self.assertRecent(st["NextRotationDate"], delta_days=365, slack_seconds=2 * 86400)
        self.kms.disable_key_rotation(KeyId=kid)
        self.assertIs(False, self.status(kid)["KeyRotationEnabled"])
        self.assertClientError("NotFoundException", self.kms.get_key_rotation_status,
                               KeyId=str(uuid.uuid4()))
        self.assertClientError("NotFoundException", self.kms.enable_key_rotation,
                               KeyId=str(uuid.uuid4()))

    def test_rotation_period(self):
        kid = self.new_key()
        for days in (90, 2560):
            with self.subTest(days=days):
                self.call("EnableKeyRotation", "enable_key_rotation", ("RotationPeriodInDays",),
                          KeyId=kid, RotationPeriodInDays=days)
                st = self.status(kid)
                self.assertIs(True, st["KeyRotationEnabled"])
                self.assertEqual(days, st["RotationPeriodInDays"])
                self.assertRecent(st["NextRotationDate"], delta_days=days, slack_seconds=2 * 86400)
        for bad in (89, 2561):
            with self.subTest(bad=bad):
                if model_has(self.kms, "EnableKeyRotation", ("RotationPeriodInDays",)):
                    fn = self.kms_nv.enable_key_rotation
                else:
                    fn = lambda **kw: self.server.kms_raw("EnableKeyRotation", **kw)  # noqa: E731
                self.assertClientError("ValidationException", fn, KeyId=kid, RotationPeriodInDays=bad)

    def test_rotation_on_disabled_key(self):
        kid = self.new_key()
        self.kms.disable_key(KeyId=kid)
        self.assertClientError("DisabledException", self.kms.enable_key_rotation, KeyId=kid)

    def test_rotate_on_demand(self):
        kid = self.new_key()
        ct1 = self.kms.encrypt(KeyId=kid, Plaintext=b"before rotation")["CiphertextBlob"]
        dk = self.kms.generate_data_key(KeyId=kid, KeySpec="AES_256")
        r = self.call("RotateKeyOnDemand", "rotate_key_on_demand", KeyId=kid)
        self.assertIn(r["KeyId"], (kid, key_arn(kid)))
        ct2 = self.kms.encrypt(KeyId=kid, Plaintext=b"after rotation")["CiphertextBlob"]
        self.assertEqual(b"before rotation", self.kms.decrypt(CiphertextBlob=ct1)["Plaintext"])
        self.assertEqual(b"after rotation", self.kms.decrypt(CiphertextBlob=ct2)["Plaintext"])
        self.assertEqual(dk["Plaintext"], self.kms.decrypt(CiphertextBlob=dk["CiphertextBlob"])["Plaintext"])
        rot = self.call("ListKeyRotations", "list_key_rotations", KeyId=kid)
        self.assertEqual(1, len(rot["Rotations"]), rot)
        entry = rot["Rotations"][0]
        self.assertEqual("ON_DEMAND", entry["RotationType"])
        self.assertIn(entry["KeyId"], (kid, key_arn(kid)))
        self.assertRecent(entry["RotationDate"])
        self.assertIs(False, rot.get("Truncated", False))
        # key metadata is unchanged by rotation
        md = self.state(kid)
        self.assertEqual(kid, md["KeyId"])
        self.assertEqual("Enabled", md["KeyState"])
        self.assertClientError("NotFoundException", self.call, "RotateKeyOnDemand",
                               "rotate_key_on_demand", KeyId=str(uuid.uuid4()))

    def test_list_key_rotations_fresh_key(self):
        kid = self.new_key()
        rot = self.call("ListKeyRotations", "list_key_rotations", KeyId=kid)
        self.assertEqual([], rot["Rotations"])


class TagTests(KmsTestCase):
    def tags(self, kid):
        return {t["TagKey"]: t["TagValue"] for t in self.kms.list_resource_tags(KeyId=kid)["Tags"]}

    def test_tag_untag_list(self):
        kid = self.new_key()
        self.assertEqual({}, self.tags(kid))
        self.kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "a", "TagValue": "1"},
                                               {"TagKey": "b", "TagValue": "2"}])
        self.assertEqual({"a": "1", "b": "2"}, self.tags(kid))
        self.kms.tag_resource(KeyId=key_arn(kid), Tags=[{"TagKey": "a", "TagValue": "updated"}])
        self.assertEqual({"a": "updated", "b": "2"}, self.tags(kid))
        self.kms.untag_resource(KeyId=kid, TagKeys=["b", "not-there"])
        self.assertEqual({"a": "updated"}, self.tags(kid))
        self.kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "k" * 128, "TagValue": "v" * 256},
                                               {"TagKey": "empty", "TagValue": ""}])
        self.assertEqual({"a": "updated", "k" * 128: "v" * 256, "empty": ""}, self.tags(kid))

    def test_tag_errors(self):
        kid = self.new_key()
        self.assertClientError("TagException", self.kms.tag_resource, KeyId=kid,
                               Tags=[{"TagKey": "aws:owner", "TagValue": "x"}])
        self.assertClientError(("ValidationException", "TagException"), self.kms_nv.tag_resource,
                               KeyId=kid, Tags=[{"TagKey": "k" * 129, "TagValue": "x"}])
        self.assertClientError(("ValidationException", "TagException"), self.kms_nv.tag_resource,
                               KeyId=kid, Tags=[{"TagKey": "k", "TagValue": "v" * 257}])
        self.assertClientError(("ValidationException", "TagException"), self.kms_nv.tag_resource,
                               KeyId=kid, Tags=[{"TagKey": "", "TagValue": "x"}])
        self.assertEqual({}, self.tags(kid))
        self.assertClientError(("LimitExceededException", "TagException"), self.kms.tag_resource,
                               KeyId=kid, Tags=[{"TagKey": "t%d" % i, "TagValue": "v"} for i in range(51)])
        self.assertEqual({}, self.tags(kid))
        for fn, kw in ((self.kms.tag_resource, {"Tags": [{"TagKey": "a", "TagValue": "b"}]}),
                       (self.kms.untag_resource, {"TagKeys": ["a"]}),
                       (self.kms.list_resource_tags, {})):
            with self.subTest(fn=fn.__name__):
                self.assertClientError("NotFoundException", fn, KeyId=str(uuid.uuid4()), **kw)


class PolicyTests(KmsTestCase):
    def test_default_policy(self):
        kid = self.new_key()
        r = self.kms.get_key_policy(KeyId=kid, PolicyName="default")
        doc = json.loads(r["Policy"])
        self.assertEqual("2012-10-17", doc["Version"])
        stmts = doc["Statement"]
        self.assertIsInstance(stmts, list)
        st = [s for s in stmts if s.get("Sid") == "Enable IAM User Permissions"]
        self.assertEqual(1, len(st), stmts)
        st = st[0]
        self.assertEqual("Allow", st["Effect"])
        self.assertEqual({"AWS": ROOT}, st["Principal"])
        self.assertEqual("kms:*", st["Action"])
        self.assertEqual("*", st["Resource"])

    def test_put_get_round_trip(self):
        kid = self.new_key()
        policy = {"Version": "2012-10-17", "Id": "custom-1",
                  "Statement": [{"Sid": "Custom", "Effect": "Allow",
                                 "Principal": {"AWS": ROOT}, "Action": ["kms:Encrypt", "kms:Decrypt"],
                                 "Resource": "*"}]}
        text = json.dumps(policy, indent=2)
        self.kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=text)
        got = self.kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"]
        self.assertEqual(policy, json.loads(got))

    def test_put_malformed(self):
        kid = self.new_key()
        before = self.kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"]
        for bad in ("{not json", "[]", "\"just a string\""):
            with self.subTest(policy=bad):
                self.assertClientError("MalformedPolicyDocumentException", self.kms.put_key_policy,
                                       KeyId=kid, PolicyName="default", Policy=bad)
        self.assertEqual(before, self.kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"])

    def test_list_key_policies(self):
        kid = self.new_key()
        r = self.kms.list_key_policies(KeyId=kid)
        self.assertEqual(["default"], r["PolicyNames"])
        self.assertIs(False, r["Truncated"])
        self.assertClientError("NotFoundException", self.kms.list_key_policies, KeyId=str(uuid.uuid4()))
        self.assertClientError("NotFoundException", self.kms.get_key_policy,
                               KeyId=str(uuid.uuid4()), PolicyName="default")


class GrantTests(KmsTestCase):
    GRANTEE = "arn:aws:iam::%s:role/" % ACCOUNT + "grantee"
    RETIRER = "arn:aws:iam::%s:role/" % ACCOUNT + "retirer"

    def grants(self, kid):
        return {g["GrantId"]: g for g in self.kms.list_grants(KeyId=kid)["Grants"]}

    def test_create_and_list(self):
        kid = self.new_key()
        r = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE,
                                  RetiringPrincipal=self.RETIRER,
                                  Operations=["Encrypt", "Decrypt"], Name="g1")
        gid, tok = r["GrantId"], r["GrantToken"]
        self.assertTrue(gid)
        self.assertTrue(tok)
        g = self.grants(kid)
        self.assertEqual([gid], list(g))
        g = g[gid]
        self.assertEqual(key_arn(kid), g["KeyId"])
        self.assertEqual(self.GRANTEE, g["GranteePrincipal"])
        self.assertEqual(self.RETIRER, g["RetiringPrincipal"])
        self.assertEqual({"Encrypt", "Decrypt"}, set(g["Operations"]))
        self.assertEqual("g1", g["Name"])
        if "CreationDate" in g:
            self.assertRecent(g["CreationDate"])
        r2 = self.kms.create_grant(KeyId=key_arn(kid), GranteePrincipal=self.GRANTEE,
                                   Operations=["GenerateDataKey"])
        self.assertNotEqual(gid, r2["GrantId"])
        self.assertEqual({gid, r2["GrantId"]}, set(self.grants(kid)))
        self.assertEqual({}, self.grants(self.new_key()))

    def test_create_grant_errors(self):
        kid = self.new_key()
        self.assertClientError("ValidationException", self.kms_nv.create_grant, KeyId=kid,
                               GranteePrincipal=self.GRANTEE, Operations=["Nope"])
        self.assertClientError("ValidationException", self.kms_nv.create_grant, KeyId=kid,
                               GranteePrincipal=self.GRANTEE, Operations=["Encrypt"],
                               Name="bad name!")
        self.assertClientError("NotFoundException", self.kms.create_grant, KeyId=str(uuid.uuid4()),
                               GranteePrincipal=self.GRANTEE, Operations=["Encrypt"])
        self.assertEqual({}, self.grants(kid))
        self.assertClientError("NotFoundException", self.kms.list_grants, KeyId=str(uuid.uuid4()))

    def test_list_retirable_grants(self):
        kid = self.new_key()
        retirer = "arn:aws:iam::%s:role/" % ACCOUNT + uniq("ret")
        gid = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE,
                                    RetiringPrincipal=retirer, Operations=["Encrypt"])["GrantId"]
        self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE, Operations=["Decrypt"])
        r = self.kms.list_retirable_grants(RetiringPrincipal=retirer)
        self.assertEqual([gid], [g["GrantId"] for g in r["Grants"]])
        self.assertEqual(key_arn(kid), r["Grants"][0]["KeyId"])
        other = "arn:aws:iam::%s:role/" % ACCOUNT + uniq("none")
        self.assertEqual([], self.kms.list_retirable_grants(RetiringPrincipal=other)["Grants"])

    def test_grant_token_accepted(self):
        kid = self.new_key()
        tok = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE,
                                    Operations=["Encrypt", "Decrypt"])["GrantToken"]
        ct = self.kms.encrypt(KeyId=kid, Plaintext=b"with token", GrantTokens=[tok])["CiphertextBlob"]
        d = self.kms.decrypt(CiphertextBlob=ct, GrantTokens=[tok])
        self.assertEqual(b"with token", d["Plaintext"])

    def test_retire_by_token(self):
        kid = self.new_key()
        r = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE,
                                  RetiringPrincipal=self.RETIRER, Operations=["Encrypt"])
        keep = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE,
                                     Operations=["Decrypt"])["GrantId"]
        self.kms.retire_grant(GrantToken=r["GrantToken"])
        self.assertEqual([keep], list(self.grants(kid)))

    def test_retire_by_key_and_id(self):
        kid = self.new_key()
        gid = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE,
                                    Operations=["Encrypt"])["GrantId"]
        self.kms.retire_grant(KeyId=key_arn(kid), GrantId=gid)
        self.assertEqual({}, self.grants(kid))
        self.assertClientError(("NotFoundException", "InvalidGrantIdException"),
                               self.kms.retire_grant, KeyId=key_arn(kid), GrantId=gid)

    def test_retire_bad_token(self):
        self.assertClientError("InvalidGrantTokenException", self.kms.retire_grant,
                               GrantToken="definitely-not-a-grant-token")

    def test_revoke(self):
        kid = self.new_key()
        g1 = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE, Operations=["Encrypt"])["GrantId"]
        g2 = self.kms.create_grant(KeyId=kid, GranteePrincipal=self.GRANTEE, Operations=["Decrypt"])["GrantId"]
        self.kms.revoke_grant(KeyId=kid, GrantId=g1)
        self.assertEqual([g2], list(self.grants(kid)))
        self.assertClientError(("NotFoundException", "InvalidGrantIdException"),
                               self.kms.revoke_grant, KeyId=kid, GrantId=g1)
        self.assertClientError("NotFoundException", self.kms.revoke_grant,
                               KeyId=str(uuid.uuid4()), GrantId=g2)


class WrongKeyTypeTests(KmsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = cls.kms.create_key()["KeyMetadata"]["KeyId"]

    def test_get_public_key(self):
        self.assertClientError("UnsupportedOperationException", self.kms.get_public_key, KeyId=self.key)

    def test_sign_verify(self):
        self.assertClientError("InvalidKeyUsageException", self.kms.sign, KeyId=self.key,
                               Message=b"msg", SigningAlgorithm="RSASSA_PSS_SHA_256")
        self.assertClientError("InvalidKeyUsageException", self.kms.verify, KeyId=self.key,
                               Message=b"msg", Signature=b"\x00" * 64,
                               SigningAlgorithm="RSASSA_PSS_SHA_256")

    def test_mac(self):
        self.assertClientError("InvalidKeyUsageException", self.kms.generate_mac, KeyId=self.key,
                               Message=b"msg", MacAlgorithm="HMAC_SHA_256")
        self.assertClientError("InvalidKeyUsageException", self.kms.verify_mac, KeyId=self.key,
                               Message=b"msg", Mac=b"\x00" * 32, MacAlgorithm="HMAC_SHA_256")

    def test_unknown_key(self):
        self.assertClientError("NotFoundException", self.kms.get_public_key, KeyId=str(uuid.uuid4()))


class ProtocolTests(KmsTestCase):
    def test_unknown_operation(self):
        status, headers, body, raw = self.server.json_request("TrentService.Nope", {})
        self.assertEqual(400, status, raw)
        self.assertIsInstance(body, dict, raw)
        self.assertEqual("UnknownOperationException", str(body.get("__type")).rsplit("#", 1)[-1])

    def test_unknown_operation_unsigned(self):
        status, _, body, raw = self.server.json_request("TrentService.Nope", {}, sign=False)
        self.assertEqual(400, status, raw)
        self.assertIsInstance(body, dict, raw)
        self.assertIn(str(body.get("__type")).rsplit("#", 1)[-1],
                      ("UnknownOperationException", "MissingAuthenticationTokenException"))

    def test_malformed_json(self):
        for bad in (b"{not json", b"[1,2", b"\xff\xfe"):
            with self.subTest(body=bad):
                status, headers, body, raw = self.server.json_request("TrentService.ListKeys", bad)
                self.assertEqual(400, status, raw)
                self.assertIsInstance(body, dict, raw)
                self.assertEqual("SerializationException", str(body.get("__type")).rsplit("#", 1)[-1])

    def test_wrong_json_type(self):
        status, _, body, raw = self.server.json_request("TrentService.DescribeKey", {"KeyId": 12345})
        self.assertEqual(400, status, raw)
        self.assertIsInstance(body, dict, raw)
        self.assertIn(str(body.get("__type")).rsplit("#", 1)[-1],
                      ("SerializationException", "ValidationException"))

    def test_error_response_shape(self):
        status, headers, body, raw = self.server.json_request(
            "TrentService.DescribeKey", {"KeyId": str(uuid.uuid4())})
        self.assertEqual(400, status)
        self.assertIn("json", headers.get("content-type", ""))
        self.assertEqual("NotFoundException", str(body.get("__type")).rsplit("#", 1)[-1])
        self.assertTrue(body.get("message") or body.get("Message"))
        self.assertTrue(headers.get("x-amzn-requestid"))

    def test_success_response_shape(self):
        status, headers, body, raw = self.server.json_request("TrentService.GenerateRandom",
                                                              {"NumberOfBytes": 16})
        self.assertEqual(200, status, raw)
        self.assertIn("application/x-amz-json-1.1", headers.get("content-type", ""))
        self.assertEqual(16, len(base64.b64decode(body["Plaintext"])))

class KeysetPagingTests(KmsTestCase):
    """Markers name the last item a page returned (a keyset), not an offset:
    every page size walks the same items in the same order, an item deleted
    between pages skips nothing, and a Marker is good for its listing only."""

    needs_process = True
    own_server = True  # its own listings, and it moves the clock
    N = 25
    RETIRER = "arn:aws:iam::%s:role/" % ACCOUNT + "paging-retirer"
    GRANTEE = "arn:aws:iam::%s:role/" % ACCOUNT + "paging-grantee"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        kms = cls.kms
        cls.keys = [kms.create_key()["KeyMetadata"]["KeyId"] for _ in range(cls.N)]
        cls.key = cls.keys[0]
        for i in range(cls.N):
            kms.create_alias(AliasName="alias/page-%02d-%s" % ((i * 7) % cls.N, uniq()),
                             TargetKeyId=cls.key)
            kms.create_grant(KeyId=cls.key, GranteePrincipal=cls.GRANTEE,
                             RetiringPrincipal=cls.RETIRER, Operations=["Encrypt"])
        kms.tag_resource(KeyId=cls.key, Tags=[{"TagKey": "t%02d" % ((i * 11) % cls.N),
                                               "TagValue": str(i)} for i in range(cls.N)])
        for _ in range(10):
            kms.rotate_key_on_demand(KeyId=cls.key)

    # listing name -> (call, items member, identity of an item, max Limit)
    def listings(self):
        k = self.key
        return {
            "keys": (lambda **kw: self.kms.list_keys(**kw), "Keys", "KeyId", 1000),
            "aliases": (lambda **kw: self.kms.list_aliases(**kw), "Aliases", "AliasName", 100),
            "key aliases": (lambda **kw: self.kms.list_aliases(KeyId=k, **kw), "Aliases",
                            "AliasName", 100),
            "grants": (lambda **kw: self.kms.list_grants(KeyId=k, **kw), "Grants", "GrantId", 100),
            "retirable": (lambda **kw: self.kms.list_retirable_grants(
                RetiringPrincipal=self.RETIRER, **kw), "Grants", "GrantId", 100),
            "tags": (lambda **kw: self.kms.list_resource_tags(KeyId=k, **kw), "Tags", "TagKey",
                     50),
            "rotations": (lambda **kw: self.kms.list_key_rotations(KeyId=k, **kw), "Rotations",
                          "KeyMaterialId", 1000),
        }

    def walk(self, call, member, ident, limit):
        out, kw, pages = [], {"Limit": limit}, 0
        while True:
            r = call(**kw)
            pages += 1
            self.assertLessEqual(len(r[member]), limit)
            out += [e[ident] for e in r[member]]
            if not r["Truncated"]:
                self.assertNotIn("NextMarker", r)
                return out
            self.assertEqual(limit, len(r[member]))
            self.assertLessEqual(len(r["NextMarker"]), 1024)
            kw["Marker"] = r["NextMarker"]
            self.assertLess(pages, 200, "paging does not terminate")

    def test_every_item_once_in_order(self):
        for name, (call, member, ident, most) in self.listings().items():
            full = call(Limit=most)
            self.assertFalse(full["Truncated"], name)
            full = [e[ident] for e in full[member]]
            self.assertGreaterEqual(len(full), 10, name)
            self.assertEqual(len(full), len(set(full)), name)
            for limit in range(2, 8):
                with self.subTest(listing=name, limit=limit):
                    self.assertEqual(full, self.walk(call, member, ident, limit))

    def first_page_then(self, call, member, ident, delete, limit=3):
        """Page 1, delete the item the Marker names, page 2: returns page 2
        and what a fresh listing has after that item."""
        r = call(Limit=limit)
        self.assertTrue(r["Truncated"])
        cursor = r[member][-1][ident]
        delete(r[member][-1])
        after = [e[ident] for e in call(Limit=1000 if member in ("Keys", "Rotations")
                                         else 50 if member == "Tags" else 100)[member]]
        nxt = [e[ident] for e in call(Limit=limit, Marker=r["NextMarker"])[member]]
        return nxt, after, cursor

    def test_item_deleted_between_pages_skips_nothing(self):
        k = self.new_key()
        for i in range(8):
            self.kms.create_alias(AliasName="alias/del-%d-%s" % (i, uniq()), TargetKeyId=k)
            self.kms.create_grant(KeyId=k, GranteePrincipal=self.GRANTEE, Operations=["Encrypt"])
        self.kms.tag_resource(KeyId=k, Tags=[{"TagKey": "d%d" % i, "TagValue": ""}
                                             for i in range(8)])
        cases = {
            "aliases": (lambda **kw: self.kms.list_aliases(KeyId=k, **kw), "Aliases",
                        "AliasName", lambda e: self.kms.delete_alias(AliasName=e["AliasName"])),
            "grants": (lambda **kw: self.kms.list_grants(KeyId=k, **kw), "Grants", "GrantId",
                       lambda e: self.kms.revoke_grant(KeyId=k, GrantId=e["GrantId"])),
            "tags": (lambda **kw: self.kms.list_resource_tags(KeyId=k, **kw), "Tags", "TagKey",
                     lambda e: self.kms.untag_resource(KeyId=k, TagKeys=[e["TagKey"]])),
        }
        for name, (call, member, ident, delete) in cases.items():
            with self.subTest(listing=name):
                before = [e[ident] for e in call(Limit=50)[member]]
                nxt, after, cursor = self.first_page_then(call, member, ident, delete)
                self.assertNotIn(cursor, after)
                self.assertEqual(before[3:6], nxt)
                self.assertEqual(after[2:5], nxt)

    def test_key_deleted_between_pages_skips_nothing(self):
        def delete(e):
            self.kms.schedule_key_deletion(KeyId=e["KeyId"], PendingWindowInDays=7)
            status, _, raw = self.server.http(
                "POST", "/_awsemu/clock", body=json.dumps({"advance_days": 8}).encode(),
                headers={"Content-Type": "application/json"})
            self.assertEqual(200, status, raw)

        call = lambda **kw: self.kms.list_keys(**kw)
        before = [e["KeyId"] for e in call(Limit=1000)["Keys"]]
        nxt, after, cursor = self.first_page_then(call, "Keys", "KeyId", delete)
        self.assertNotIn(cursor, after)
        self.assertEqual(before[3:6], nxt)
        self.assertEqual(after[2:5], nxt)

    def test_marker_of_another_listing_or_altered(self):
        k, other = self.key, self.keys[1]
        mk = self.kms.list_keys(Limit=2)["NextMarker"]
        ma = self.kms.list_aliases(KeyId=k, Limit=2)["NextMarker"]
        mg = self.kms.list_grants(KeyId=k, Limit=2)["NextMarker"]
        mt = self.kms.list_resource_tags(KeyId=k, Limit=2)["NextMarker"]
        bad = {
            "keys": (self.kms.list_aliases, {}, mk),
            "aliases of another key": (self.kms.list_aliases, {"KeyId": other}, ma),
            "aliases, no KeyId": (self.kms.list_aliases, {}, ma),
            "aliases by ARN": (self.kms.list_aliases, {"KeyId": key_arn(k)}, ma),
            "grants of another key": (self.kms.list_grants, {"KeyId": other}, mg),
            "grants filtered": (self.kms.list_grants, {"KeyId": k, "GranteePrincipal":
                                                      self.GRANTEE}, mg),
            "retirable": (self.kms.list_retirable_grants, {"RetiringPrincipal": self.RETIRER},
                          mg),
            "tags as grants": (self.kms.list_grants, {"KeyId": k}, mt),
            "tags as rotations": (self.kms.list_key_rotations, {"KeyId": k}, mt),
            "tags of another key": (self.kms.list_resource_tags, {"KeyId": other}, mt),
            "key policies": (self.kms.list_key_policies, {"KeyId": k}, mk),
            "altered": (self.kms.list_keys, {}, mk[:-2] + ("A" if mk[-2] != "A" else "B") + mk[-1]),
            "cut": (self.kms.list_keys, {}, mk[:-1]),
            "an offset": (self.kms.list_keys, {}, "awsemu-2"),
        }
        for name, (fn, kw, marker) in bad.items():
            with self.subTest(name):
                e = self.assertClientError("InvalidMarkerException", fn, Marker=marker, **kw)
                self.assertEqual("The request was rejected because the marker that specifies "
                                 "where pagination should next begin is not valid.",
                                 e["Error"]["Message"])
        # the same listing takes it, whatever the Limit
        self.assertEqual(3, len(self.kms.list_aliases(KeyId=k, Limit=3, Marker=ma)["Aliases"]))

    def test_longest_sort_key_fits_the_marker(self):
        k = self.new_key()
        tags = [{"TagKey": c * 128, "TagValue": ""} for c in ("\u00e9", "\u20ac", "\u6f22")]
        self.kms.tag_resource(KeyId=k, Tags=tags)
        got = self.walk(lambda **kw: self.kms.list_resource_tags(KeyId=k, **kw), "Tags",
                        "TagKey", 1)
        self.assertEqual(sorted(t["TagKey"] for t in tags), got)


if __name__ == "__main__":
    unittest.main()
