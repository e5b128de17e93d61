"""--iam enforce and KMS beyond policies: grants (an allow for their grantee
on the operations they list, under their encryption-context constraints,
gone once retired or revoked, never beating an explicit deny; grants to a
role, to the account; CreateGrant and RetireGrant through a grant) and
attribute-based access control (aws:ResourceTag, aws:RequestTag,
aws:TagKeys, kms:ResourceAliases, kms:RequestAlias)."""

from harness import ServerTestCase
from enforce_util import (ENFORCE, ROOT_ARN, Principals, allow, check_denied, client, deny,
                          denial_text, doc, log_line, message, no_identity, uniq)


class KmsEnforceTestCase(ServerTestCase):
    server_args = ENFORCE
    needs_process = True  # its own --iam enforce server, reads the access log

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)

    def c(self, creds):
        return client(self.server, "kms", creds)

    def key(self, policy=None, tags=None):
        kw = {"Description": "grant test key"}
        if policy:
            kw["Policy"] = policy
            kw["BypassPolicyLockoutSafetyCheck"] = True
        if tags:
            kw["Tags"] = [{"TagKey": k, "TagValue": v} for k, v in tags.items()]
        return self.kms.create_key(**kw)["KeyMetadata"]

    def sealed(self, kid, ctx=None, data=b"secret"):
        """A ciphertext of data under kid (by the root user)."""
        kw = {"EncryptionContext": ctx} if ctx is not None else {}
        return self.kms.encrypt(KeyId=kid, Plaintext=data, **kw)["CiphertextBlob"]

    def grant(self, kid, grantee, ops, **kw):
        return self.kms.create_grant(KeyId=kid, GranteePrincipal=grantee, Operations=ops, **kw)


# --------------------------------------------------------------------------
# Grants
# --------------------------------------------------------------------------

class GrantTests(KmsEnforceTestCase):
    def test_grant_allows_only_its_operations(self):
        md = self.key()
        kid = md["KeyId"]
        ct = self.sealed(kid)
        u = self.p.user()
        kms = self.c(u)
        resp = check_denied(self, "kms", kms.decrypt, CiphertextBlob=ct)
        self.assertEqual(denial_text(u.arn, "kms:Decrypt", md["Arn"], no_identity("kms:Decrypt")),
                         message(resp))
        g = self.grant(kid, u.arn, ["Decrypt"])
        self.assertEqual(b"secret", kms.decrypt(CiphertextBlob=ct)["Plaintext"])
        resp = check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"x")
        self.assertIn(no_identity("kms:Encrypt"), message(resp))
        check_denied(self, "kms", kms.describe_key, KeyId=kid)
        check_denied(self, "kms", kms.generate_data_key, KeyId=kid, KeySpec="AES_256")
        # another user gets nothing from it
        check_denied(self, "kms", self.c(self.p.user()).decrypt, CiphertextBlob=ct)
        # the access log names the grant
        rid = kms.decrypt(CiphertextBlob=ct)["ResponseMetadata"]["RequestId"]
        line = log_line(self.server, rid)
        self.assertIsNotNone(line, "no log line for %s" % rid)
        self.assertIn("allow kms:Decrypt by grant %s" % g["GrantId"], line)

    def test_grant_tokens_accepted(self):
        kid = self.key()["KeyId"]
        u = self.p.user()
        g = self.grant(kid, u.arn, ["Encrypt", "Decrypt", "GenerateDataKey", "DescribeKey",
                                    "ReEncryptFrom", "ReEncryptTo"])
        kms = self.c(u)
        tokens = [g["GrantToken"]]
        ct = kms.encrypt(KeyId=kid, Plaintext=b"t", GrantTokens=tokens)["CiphertextBlob"]
        self.assertEqual(b"t", kms.decrypt(CiphertextBlob=ct, GrantTokens=tokens)["Plaintext"])
        kms.generate_data_key(KeyId=kid, KeySpec="AES_256", GrantTokens=tokens)
        self.assertEqual(kid, kms.describe_key(KeyId=kid, GrantTokens=tokens)["KeyMetadata"]["KeyId"])
        kms.re_encrypt(CiphertextBlob=ct, DestinationKeyId=kid, GrantTokens=tokens)

    def test_encryption_context_equals(self):
        kid = self.key()["KeyId"]
        u = self.p.user()
        self.grant(kid, u.arn, ["Decrypt", "Encrypt"],
                   Constraints={"EncryptionContextEquals": {"app": "billing"}})
        kms = self.c(u)
        ok = self.sealed(kid, {"app": "billing"})
        self.assertEqual(b"secret", kms.decrypt(CiphertextBlob=ok,
                                                EncryptionContext={"app": "billing"})["Plaintext"])
        kms.encrypt(KeyId=kid, Plaintext=b"x", EncryptionContext={"app": "billing"})
        # more pairs, fewer pairs, another value, a value of another case: not equal
        for ctx in ({"app": "billing", "env": "prod"}, None, {"app": "payroll"},
                    {"app": "Billing"}):
            with self.subTest(ctx=ctx):
                ct = self.sealed(kid, ctx)
                kw = {"EncryptionContext": ctx} if ctx is not None else {}
                check_denied(self, "kms", kms.decrypt, CiphertextBlob=ct, **kw)
                check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"x", **kw)
        # in a grant constraint the key is not case sensitive (AWS documents it)
        ct = self.sealed(kid, {"APP": "billing"})
        kms.decrypt(CiphertextBlob=ct, EncryptionContext={"APP": "billing"})

    def test_encryption_context_subset(self):
        kid = self.key()["KeyId"]
        u = self.p.user()
        self.grant(kid, u.arn, ["Decrypt"],
                   Constraints={"EncryptionContextSubset": {"app": "billing", "env": "prod"}})
        kms = self.c(u)
        for ctx in ({"app": "billing", "env": "prod"},
                    {"app": "billing", "env": "prod", "extra": "fine"}):
            with self.subTest(ctx=ctx):
                ct = self.sealed(kid, ctx)
                self.assertEqual(b"secret", kms.decrypt(CiphertextBlob=ct,
                                                        EncryptionContext=ctx)["Plaintext"])
        for ctx in ({"app": "billing"}, {"app": "billing", "env": "dev"}, None,
                    {"app": "billing", "env": "PROD"}):
            with self.subTest(ctx=ctx):
                ct = self.sealed(kid, ctx)
                kw = {"EncryptionContext": ctx} if ctx is not None else {}
                check_denied(self, "kms", kms.decrypt, CiphertextBlob=ct, **kw)

    def test_constraints_do_not_apply_to_describe_key(self):
        kid = self.key()["KeyId"]
        u = self.p.user()
        self.grant(kid, u.arn, ["DescribeKey"],
                   Constraints={"EncryptionContextEquals": {"app": "billing"}})
        self.assertEqual(kid, self.c(u).describe_key(KeyId=kid)["KeyMetadata"]["KeyId"])

    def test_grantee_retires_when_grant_allows_it(self):
        kid = self.key()["KeyId"]
        ct = self.sealed(kid)
        u = self.p.user()
        kms = self.c(u)
        g = self.grant(kid, u.arn, ["Decrypt", "RetireGrant"])
        kms.decrypt(CiphertextBlob=ct)
        kms.retire_grant(KeyId=kid, GrantId=g["GrantId"])
        check_denied(self, "kms", kms.decrypt, CiphertextBlob=ct)
        self.assertEqual([], self.kms.list_grants(KeyId=kid)["Grants"])

    def test_retiring_principal(self):
        md = self.key()
        kid = md["KeyId"]
        ct = self.sealed(kid)
        u, retirer, other = self.p.user(), self.p.user(), self.p.user()
        g = self.grant(kid, u.arn, ["Decrypt"], RetiringPrincipal=retirer.arn)
        self.c(u).decrypt(CiphertextBlob=ct)
        # the grantee without RetireGrant in the grant, and anyone else, may not
        resp = check_denied(self, "kms", self.c(u).retire_grant, KeyId=kid, GrantId=g["GrantId"])
        self.assertEqual(denial_text(u.arn, "kms:RetireGrant", md["Arn"],
                                     no_identity("kms:RetireGrant")), message(resp))
        check_denied(self, "kms", self.c(other).retire_grant, GrantToken=g["GrantToken"])
        self.c(u).decrypt(CiphertextBlob=ct)
        self.c(retirer).retire_grant(GrantToken=g["GrantToken"])
        check_denied(self, "kms", self.c(u).decrypt, CiphertextBlob=ct)

    def test_retire_grant_delegated_by_iam_policy(self):
        kid = self.key()["KeyId"]
        u = self.p.user()
        admin = self.p.user(inline=[doc(allow("kms:RetireGrant"))])
        g = self.grant(kid, u.arn, ["Decrypt"])
        self.c(admin).retire_grant(KeyId=kid, GrantId=g["GrantId"])
        self.assertEqual([], self.kms.list_grants(KeyId=kid)["Grants"])
        # the account's root user can retire any grant
        g = self.grant(kid, u.arn, ["Decrypt"])
        self.kms.retire_grant(KeyId=kid, GrantId=g["GrantId"])

    def test_explicit_deny_blocks_retiring(self):
        kid = self.key()["KeyId"]
        u = self.p.user(inline=[doc(deny("kms:RetireGrant"))])
        g = self.grant(kid, u.arn, ["Decrypt", "RetireGrant"], RetiringPrincipal=u.arn)
        resp = check_denied(self, "kms", self.c(u).retire_grant, KeyId=kid, GrantId=g["GrantId"])
        self.assertIn("with an explicit deny in an identity-based policy", message(resp))

    def test_revoked_grant_stops_at_once(self):
        kid = self.key()["KeyId"]
        ct = self.sealed(kid)
        u = self.p.user()
        g = self.grant(kid, u.arn, ["Decrypt"])
        self.c(u).decrypt(CiphertextBlob=ct)
        # RevokeGrant is for key policies and IAM policies to allow, not grants
        check_denied(self, "kms", self.c(u).revoke_grant, KeyId=kid, GrantId=g["GrantId"])
        self.kms.revoke_grant(KeyId=kid, GrantId=g["GrantId"])
        check_denied(self, "kms", self.c(u).decrypt, CiphertextBlob=ct)

    def test_grant_to_role_covers_its_sessions(self):
        kid = self.key()["KeyId"]
        role, other_role = self.p.role(), self.p.role()
        self.grant(kid, role["Arn"], ["Encrypt", "Decrypt"])
        s = self.p.session(role)
        kms = self.c(s)
        ct = kms.encrypt(KeyId=kid, Plaintext=b"r")["CiphertextBlob"]
        self.assertEqual(b"r", kms.decrypt(CiphertextBlob=ct)["Plaintext"])
        check_denied(self, "kms", self.c(self.p.session(other_role)).decrypt, CiphertextBlob=ct)

    def test_grant_to_session_arn(self):
        kid = self.key()["KeyId"]
        role = self.p.role()
        s1, s2 = self.p.session(role, name="one"), self.p.session(role, name="two")
        self.grant(kid, s1.arn, ["Encrypt"])
        self.c(s1).encrypt(KeyId=kid, Plaintext=b"s")
        check_denied(self, "kms", self.c(s2).encrypt, KeyId=kid, Plaintext=b"s")

    def test_identity_deny_beats_grant(self):
        md = self.key()
        ct = self.sealed(md["KeyId"])
        u = self.p.user(inline=[doc(deny("kms:Decrypt"))])
        self.grant(md["KeyId"], u.arn, ["Decrypt"])
        resp = check_denied(self, "kms", self.c(u).decrypt, CiphertextBlob=ct)
        self.assertEqual(denial_text(u.arn, "kms:Decrypt", md["Arn"],
                                     "with an explicit deny in an identity-based policy"),
                         message(resp))

    def test_key_policy_deny_beats_grant(self):
        u = self.p.user()
        md = self.key(doc(
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*",
             "Resource": "*"},
            {"Sid": "NoDecrypt", "Effect": "Deny", "Principal": {"AWS": u.arn},
             "Action": "kms:Decrypt", "Resource": "*"}))
        ct = self.sealed(md["KeyId"])
        self.grant(md["KeyId"], u.arn, ["Decrypt"])
        resp = check_denied(self, "kms", self.c(u).decrypt, CiphertextBlob=ct)
        self.assertIn("with an explicit deny in a resource-based policy", message(resp))

    def test_grant_stands_in_for_the_key_policy(self):
        # the key policy allows Encrypt to nobody, even with IAM; a grant does
        u = self.p.user(inline=[doc(allow("kms:Encrypt"))])
        md = self.key(doc({"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                           "Action": ["kms:CreateGrant", "kms:DescribeKey"], "Resource": "*"}))
        kms = self.c(u)
        resp = check_denied(self, "kms", kms.encrypt, KeyId=md["KeyId"], Plaintext=b"p")
        self.assertIn("because no resource-based policy allows the kms:Encrypt action",
                      message(resp))
        self.grant(md["KeyId"], u.arn, ["Encrypt"])
        kms.encrypt(KeyId=md["KeyId"], Plaintext=b"p")

    def test_grant_to_account_needs_identity_policy(self):
        # the key policy does not delegate Encrypt to the account; a grant to
        # the account does, for principals whose IAM policies allow it
        md = self.key(doc({"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": ROOT_ARN},
                           "Action": ["kms:CreateGrant", "kms:DescribeKey"], "Resource": "*"}))
        kid = md["KeyId"]
        user = self.p.user(inline=[doc(allow("kms:Encrypt"))])
        bare = self.p.user()
        check_denied(self, "kms", self.c(user).encrypt, KeyId=kid, Plaintext=b"a")
        self.grant(kid, ROOT_ARN, ["Encrypt"])
        self.c(user).encrypt(KeyId=kid, Plaintext=b"a")
        check_denied(self, "kms", self.c(bare).encrypt, KeyId=kid, Plaintext=b"a")

    def test_create_grant_through_a_grant(self):
        kid = self.key()["KeyId"]
        ct = self.sealed(kid, {"app": "a", "env": "prod"})
        u, v = self.p.user(), self.p.user()
        self.grant(kid, u.arn, ["Decrypt", "DescribeKey", "CreateGrant"],
                   Constraints={"EncryptionContextSubset": {"app": "a"}})
        ku = self.c(u)
        # more operations than the parent grant has: denied
        check_denied(self, "kms", ku.create_grant, KeyId=kid, GranteePrincipal=v.arn,
                     Operations=["Decrypt", "Encrypt"],
                     Constraints={"EncryptionContextSubset": {"app": "a"}})
        # looser constraints than the parent grant's: denied
        check_denied(self, "kms", ku.create_grant, KeyId=kid, GranteePrincipal=v.arn,
                     Operations=["Decrypt"])
        check_denied(self, "kms", ku.create_grant, KeyId=kid, GranteePrincipal=v.arn,
                     Operations=["Decrypt"],
                     Constraints={"EncryptionContextSubset": {"env": "prod"}})
        # as strict or stricter: allowed, and the new grant works
        g = ku.create_grant(KeyId=kid, GranteePrincipal=v.arn, Operations=["Decrypt"],
                            Constraints={"EncryptionContextSubset": {"app": "a", "env": "prod"}})
        self.assertEqual(64, len(g["GrantId"]))
        self.assertEqual(b"secret", self.c(v).decrypt(
            CiphertextBlob=ct, EncryptionContext={"app": "a", "env": "prod"})["Plaintext"])
        ku.create_grant(KeyId=kid, GranteePrincipal=v.arn, Operations=["DescribeKey"],
                        Constraints={"EncryptionContextEquals": {"app": "a"}})
        # a grant without CreateGrant cannot create grants
        w = self.p.user()
        self.grant(kid, w.arn, ["Decrypt"])
        check_denied(self, "kms", self.c(w).create_grant, KeyId=kid, GranteePrincipal=v.arn,
                     Operations=["Decrypt"])

    def test_grants_of_another_key_do_not_apply(self):
        k1, k2 = self.key()["KeyId"], self.key()["KeyId"]
        u = self.p.user()
        self.grant(k1, u.arn, ["Encrypt"])
        self.c(u).encrypt(KeyId=k1, Plaintext=b"1")
        check_denied(self, "kms", self.c(u).encrypt, KeyId=k2, Plaintext=b"2")


# --------------------------------------------------------------------------
# Attribute-based access control
# --------------------------------------------------------------------------

class AbacTests(KmsEnforceTestCase):
    def test_resource_tag(self):
        u = self.p.user(inline=[doc(allow("kms:Encrypt", Condition={
            "StringEquals": {"aws:ResourceTag/team": "ml"}}))])
        kms = self.c(u)
        tagged = self.key(tags={"team": "ml"})["KeyId"]
        untagged = self.key()["KeyId"]
        other = self.key(tags={"team": "web"})["KeyId"]
        kms.encrypt(KeyId=tagged, Plaintext=b"t")
        check_denied(self, "kms", kms.encrypt, KeyId=untagged, Plaintext=b"t")
        check_denied(self, "kms", kms.encrypt, KeyId=other, Plaintext=b"t")
        # tag changes take effect at once
        self.kms.tag_resource(KeyId=untagged, Tags=[{"TagKey": "team", "TagValue": "ml"}])
        kms.encrypt(KeyId=untagged, Plaintext=b"t")
        self.kms.untag_resource(KeyId=tagged, TagKeys=["team"])
        check_denied(self, "kms", kms.encrypt, KeyId=tagged, Plaintext=b"t")
        self.kms.tag_resource(KeyId=other, Tags=[{"TagKey": "team", "TagValue": "ml"}])
        kms.encrypt(KeyId=other, Plaintext=b"t")

    def test_resource_tag_deny(self):
        u = self.p.user(inline=[doc(allow("kms:*"), deny("kms:Decrypt", Condition={
            "StringEquals": {"aws:ResourceTag/classification": "secret"}}))])
        kid = self.key(tags={"classification": "secret"})["KeyId"]
        ct = self.c(u).encrypt(KeyId=kid, Plaintext=b"s")["CiphertextBlob"]
        resp = check_denied(self, "kms", self.c(u).decrypt, CiphertextBlob=ct)
        self.assertIn("with an explicit deny in an identity-based policy", message(resp))

    def test_create_key_request_tags(self):
        u = self.p.user(inline=[doc(allow("kms:CreateKey", Condition={
            "StringEquals": {"aws:RequestTag/team": "ml"},
            "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost-center"]}}))])
        kms = self.c(u)
        md = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "ml"}])["KeyMetadata"]
        self.assertEqual([{"TagKey": "team", "TagValue": "ml"}],
                         self.kms.list_resource_tags(KeyId=md["KeyId"])["Tags"])
        kms.create_key(Tags=[{"TagKey": "team", "TagValue": "ml"},
                             {"TagKey": "cost-center", "TagValue": "42"}])
        for tags in ([{"TagKey": "team", "TagValue": "web"}],
                     [{"TagKey": "team", "TagValue": "ml"}, {"TagKey": "owner", "TagValue": "x"}],
                     None):
            with self.subTest(tags=tags):
                kw = {"Tags": tags} if tags is not None else {}
                resp = check_denied(self, "kms", kms.create_key, **kw)
                self.assertEqual(denial_text(u.arn, "kms:CreateKey", None,
                                             no_identity("kms:CreateKey")), message(resp))

    def test_tag_resource_request_tags(self):
        kid = self.key(tags={"team": "ml"})["KeyId"]
        u = self.p.user(inline=[doc(
            allow("kms:TagResource", Condition={
                "StringEquals": {"aws:RequestTag/env": ["dev", "test"]},
                "ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}),
            allow("kms:UntagResource", Condition={
                "ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}))])
        kms = self.c(u)
        kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "env", "TagValue": "dev"}])
        check_denied(self, "kms", kms.tag_resource, KeyId=kid,
                     Tags=[{"TagKey": "env", "TagValue": "prod"}])
        check_denied(self, "kms", kms.tag_resource, KeyId=kid,
                     Tags=[{"TagKey": "team", "TagValue": "web"}])
        check_denied(self, "kms", kms.untag_resource, KeyId=kid, TagKeys=["team"])
        check_denied(self, "kms", kms.untag_resource, KeyId=kid, TagKeys=["env", "team"])
        kms.untag_resource(KeyId=kid, TagKeys=["env"])
        self.assertEqual([{"TagKey": "team", "TagValue": "ml"}],
                         self.kms.list_resource_tags(KeyId=kid)["Tags"])

    def test_resource_aliases(self):
        u = self.p.user(inline=[doc(allow("kms:Encrypt", Condition={
            "ForAnyValue:StringLike": {"kms:ResourceAliases": "alias/ml-*"}}))])
        kms = self.c(u)
        kid = self.key()["KeyId"]
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"a")
        name = "alias/ml-" + uniq("a")
        self.kms.create_alias(AliasName=name, TargetKeyId=kid)
        kms.encrypt(KeyId=kid, Plaintext=b"a")
        kms.encrypt(KeyId=name, Plaintext=b"a")
        self.kms.delete_alias(AliasName=name)
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"a")

    def test_request_alias(self):
        name = "alias/" + uniq("req")
        u = self.p.user(inline=[doc(allow(["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"],
                                          Condition={"StringEquals": {"kms:RequestAlias": name}}))])
        kms = self.c(u)
        md = self.key()
        self.kms.create_alias(AliasName=name, TargetKeyId=md["KeyId"])
        alias_arn = "arn:aws:kms:%s:%s:%s" % (self.server.region, md["AWSAccountId"], name)
        ct = kms.encrypt(KeyId=name, Plaintext=b"q")["CiphertextBlob"]
        kms.encrypt(KeyId=alias_arn, Plaintext=b"q")
        kms.describe_key(KeyId=name)
        self.assertEqual(b"q", kms.decrypt(CiphertextBlob=ct, KeyId=name)["Plaintext"])
        check_denied(self, "kms", kms.encrypt, KeyId=md["KeyId"], Plaintext=b"q")
        check_denied(self, "kms", kms.decrypt, CiphertextBlob=ct)
        check_denied(self, "kms", kms.describe_key, KeyId=md["Arn"])


if __name__ == "__main__":
    import unittest
    unittest.main()


class EncryptionContextKeyTests(KmsEnforceTestCase):
    def test_every_context_pair_is_a_condition_key(self):
        # a Deny on one pair must hold however many pairs come before it
        # (and however long their names are)
        kid = self.key()["KeyId"]
        u = self.p.user(inline=[doc(allow("kms:Encrypt"),
                                    deny("kms:Encrypt", Condition={
                                        "StringEquals": {"kms:EncryptionContext:stage": "prod"}}))])
        kms = self.c(u)
        ctx = {("k%03d-" % i) + "x" * 200: "v" for i in range(150)}
        ctx["stage"] = "dev"
        kms.encrypt(KeyId=kid, Plaintext=b"x", EncryptionContext=ctx)
        ctx["stage"] = "prod"
        check_denied(self, "kms", kms.encrypt, KeyId=kid, Plaintext=b"x", EncryptionContext=ctx)
        # ... and ForAnyValue over kms:EncryptionContextKeys sees all of them
        u2 = self.p.user(inline=[doc(allow("kms:Encrypt"),
                                     deny("kms:Encrypt", Condition={
                                         "ForAnyValue:StringEquals": {
                                             "kms:EncryptionContextKeys": "secret-tag"}}))])
        ctx2 = {"p%03d" % i: "v" for i in range(120)}
        self.c(u2).encrypt(KeyId=kid, Plaintext=b"x", EncryptionContext=ctx2)
        ctx2["secret-tag"] = "1"
        check_denied(self, "kms", self.c(u2).encrypt, KeyId=kid, Plaintext=b"x",
                     EncryptionContext=ctx2)


# --------------------------------------------------------------------------
# The rows' resource functions: what is answered first
# --------------------------------------------------------------------------

class CheckOrderTests(KmsEnforceTestCase):
    """AWS validates a request, then resolves its key (NotFoundException),
    then authorizes it under the key policy (AccessDeniedException)."""

    def test_validation_then_not_found_then_denied(self):
        md = self.key()
        u = self.p.user()  # no policy at all
        kms = self.c(u)
        missing = "11111111-2222-3333-4444-555555555555"
        # botocore allows 1..365; AWS's own rule is 7..30
        for kid in (md["KeyId"], missing):
            resp = self.assertClientError("ValidationException", kms.schedule_key_deletion,
                                          KeyId=kid, PendingWindowInDays=5)
            self.assertIn("pendingWindowInDays", message(resp))
        self.assertClientError("NotFoundException", kms.schedule_key_deletion,
                               KeyId=missing, PendingWindowInDays=7)
        resp = check_denied(self, "kms", kms.schedule_key_deletion, KeyId=md["KeyId"],
                            PendingWindowInDays=7)
        self.assertEqual(denial_text(u.arn, "kms:ScheduleKeyDeletion", md["Arn"],
                                     no_identity("kms:ScheduleKeyDeletion")), message(resp))
        self.assertEqual("Enabled", self.kms.describe_key(KeyId=md["KeyId"])
                         ["KeyMetadata"]["KeyState"])

    def test_decrypt_names_the_ciphertexts_key(self):
        md = self.key()
        ct = self.sealed(md["KeyId"])
        u = self.p.user()
        resp = check_denied(self, "kms", self.c(u).decrypt, CiphertextBlob=ct)
        self.assertEqual(denial_text(u.arn, "kms:Decrypt", md["Arn"], no_identity("kms:Decrypt")),
                         message(resp))
        self.assertClientError("InvalidCiphertextException", self.c(u).decrypt,
                               CiphertextBlob=b"\x01" + b"0" * 80)

    def test_delete_alias_is_authorized_on_its_key(self):
        md = self.key()
        name = "alias/" + uniq("del")
        self.kms.create_alias(AliasName=name, TargetKeyId=md["KeyId"])
        u = self.p.user()
        resp = check_denied(self, "kms", self.c(u).delete_alias, AliasName=name)
        self.assertEqual(denial_text(u.arn, "kms:DeleteAlias", md["Arn"],
                                     no_identity("kms:DeleteAlias")), message(resp))
        names = [a["AliasName"] for a in self.kms.list_aliases(KeyId=md["KeyId"])["Aliases"]]
        self.assertIn(name, names)
        # a missing alias is NotFound before any authorization
        self.assertClientError("NotFoundException", self.c(u).delete_alias,
                               AliasName="alias/" + uniq("none"))
        allowed = self.p.user(inline=[doc(allow("kms:DeleteAlias"))])
        self.c(allowed).delete_alias(AliasName=name)
        names = [a["AliasName"] for a in self.kms.list_aliases(KeyId=md["KeyId"])["Aliases"]]
        self.assertNotIn(name, names)
