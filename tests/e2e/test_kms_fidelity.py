"""KMS as AWS answers it (issue 15 item 12): alias names with ':' refused,
the predefined AWS managed aliases listed without TargetKeyId until a
service uses them, ScheduleKeyDeletion and TagResource on a key pending
deletion, and the NotFound texts.

Pinned by the KMS API reference (ListAliases: "The response might also
include aliases that have no TargetKeyId field. These are predefined
aliases that AWS has created but has not yet associated with a KMS key";
"Key states of AWS KMS keys": ScheduleKeyDeletion and TagResource refuse a
PendingDeletion key with KMSInvalidStateException) and moto's tests
(test__create_alias__raises_if_alias_has_colon_character: "alias/my:alias
contains invalid characters for an alias"; its RESERVED_ALIASES list)."""

import uuid

from botocore.exceptions import ClientError

from harness import ServerTestCase

ACCOUNT = "000000000000"
PREDEFINED = ["alias/aws/acm", "alias/aws/dynamodb", "alias/aws/ebs",
              "alias/aws/elasticfilesystem", "alias/aws/es", "alias/aws/glue",
              "alias/aws/kinesisvideo", "alias/aws/lambda", "alias/aws/rds",
              "alias/aws/redshift", "alias/aws/s3", "alias/aws/secretsmanager",
              "alias/aws/ssm", "alias/aws/xray"]


class KmsFidelityTests(ServerTestCase):
    own_server = True  # counts the account's aliases

    def error(self, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        return cm.exception.response["Error"]

    def aliases(self, **kw):
        out = []
        while True:
            r = self.kms.list_aliases(**kw)
            out += r["Aliases"]
            if not r["Truncated"]:
                return out
            kw["Marker"] = r["NextMarker"]

    def test_alias_with_colon_refused(self):
        key = self.kms.create_key()["KeyMetadata"]["KeyId"]
        e = self.error(self.kms.create_alias, AliasName="alias/my:alias", TargetKeyId=key)
        self.assertEqual(("ValidationException", "alias/my:alias contains invalid characters for "
                          "an alias"), (e["Code"], e["Message"]))
        self.kms.create_alias(AliasName="alias/my-alias_/", TargetKeyId=key)

    def test_predefined_aws_aliases_listed(self):
        got = {a["AliasName"]: a for a in self.aliases(Limit=5)}
        for name in PREDEFINED:
            self.assertIn(name, got)
        a = got["alias/aws/ebs"]
        self.assertEqual("arn:aws:kms:us-east-1:%s:alias/aws/ebs" % ACCOUNT, a["AliasArn"])
        self.assertNotIn("TargetKeyId", a)
        # a service's first use associates its alias with the managed key
        sm = self.server.client("secretsmanager")
        sm.create_secret(Name="fid-" + uuid.uuid4().hex[:8], SecretString="v")
        got = {a["AliasName"]: a for a in self.aliases()}
        key = got["alias/aws/secretsmanager"]["TargetKeyId"]
        meta = self.kms.describe_key(KeyId=key)["KeyMetadata"]
        self.assertEqual("AWS", meta["KeyManager"])
        self.assertEqual(1, [a["AliasName"] for a in self.aliases()].count(
            "alias/aws/secretsmanager"))
        # a key's aliases never include the unassociated ones
        self.assertEqual(["alias/aws/secretsmanager"],
                         [a["AliasName"] for a in self.aliases(KeyId=key)])

    def test_pending_deletion_key(self):
        key = self.kms.create_key()["KeyMetadata"]
        self.kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
        for fn, kw in ((self.kms.schedule_key_deletion, {"KeyId": key["KeyId"]}),
                       (self.kms.tag_resource, {"KeyId": key["KeyId"],
                                                "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
                       (self.kms.untag_resource, {"KeyId": key["KeyId"], "TagKeys": ["a"]})):
            e = self.error(fn, **kw)
            self.assertEqual(("KMSInvalidStateException", "%s is pending deletion." % key["Arn"]),
                             (e["Code"], e["Message"]))

    def test_not_found_texts(self):
        missing = str(uuid.uuid4())
        e = self.error(self.kms.describe_key, KeyId=missing)
        self.assertEqual(("NotFoundException", "Key 'arn:aws:kms:us-east-1:%s:key/%s' does not "
                          "exist" % (ACCOUNT, missing)), (e["Code"], e["Message"]))
        e = self.error(self.kms.describe_key, KeyId="alias/no-such")
        self.assertEqual("Alias arn:aws:kms:us-east-1:%s:alias/no-such is not found." % ACCOUNT,
                         e["Message"])
        e = self.error(self.kms.delete_alias, AliasName="alias/no-such")
        self.assertEqual("Alias arn:aws:kms:us-east-1:%s:alias/no-such is not found." % ACCOUNT,
                         e["Message"])
