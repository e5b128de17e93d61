"""The call sequences the Terraform and Pulumi AWS providers make
(examples/iac-call-sequences.md), replayed with boto3 in the
providers' order, with the answers the providers need: provider start-up,
and create / read (refresh) / delete of the reference stack's KMS key,
secret, IAM role, IAM policy and role-policy attachment. (The S3 bucket's
sequence is in test_s3_config.py.)"""

import json
import unittest
import urllib.parse
import uuid

from botocore.exceptions import ClientError

from harness import ServerTestCase

ACCOUNT = "000000000000"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


def uniq(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:7])


def code_of(e):
    return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]


class IacTestCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.server.client("secretsmanager")
        cls.iam = cls.server.client("iam")
        cls.sts = cls.server.client("sts")

    def expect(self, code, status, fn, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(**kw)
        self.assertEqual((code, status), code_of(cm.exception),
                         cm.exception.response["Error"].get("Message"))
        return cm.exception.response


class ProviderStartupTests(IacTestCase):
    def test_get_caller_identity_has_a_parseable_arn(self):
        r = self.sts.get_caller_identity()
        self.assertEqual(ACCOUNT, r["Account"])
        arn = r["Arn"].split(":")
        self.assertEqual(["arn", "aws", "iam", "", ACCOUNT, "root"], arn)

    def test_get_user_without_name_then_list_roles(self):
        # skip_credentials_validation=true path: GetUser, then ListRoles MaxItems=1
        u = self.iam.get_user()["User"]
        self.assertEqual(ACCOUNT, u["Arn"].split(":")[4])
        self.assertTrue(u["Arn"].startswith("arn:aws:iam::"))
        r = self.iam.list_roles(MaxItems=1)
        self.assertIn("Roles", r)
        self.assertLessEqual(len(r["Roles"]), 1)


class KmsKeyTests(IacTestCase):
    def test_create_read_delete(self):
        kms = self.kms
        # create: the inputs the provider sends
        md = kms.create_key(Description="ai-model-kms-key", KeyUsage="ENCRYPT_DECRYPT",
                            CustomerMasterKeySpec="SYMMETRIC_DEFAULT",
                            BypassPolicyLockoutSafetyCheck=False)["KeyMetadata"]
        kid = md["KeyId"]
        # read: DescribeKey, GetKeyPolicy(default), GetKeyRotationStatus, ListResourceTags
        d = kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual(("AWS_KMS", "Enabled", "CUSTOMER", "SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"),
                         (d["Origin"], d["KeyState"], d["KeyManager"], d["KeySpec"],
                          d["CustomerMasterKeySpec"]))
        self.assertTrue(d["Arn"].startswith("arn:aws:kms:us-east-1:%s:key/" % ACCOUNT))
        pol = json.loads(kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"])
        self.assertEqual("arn:aws:iam::%s:root" % ACCOUNT,
                         pol["Statement"][0]["Principal"]["AWS"])
        self.assertFalse(kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"])
        self.assertEqual([], kms.list_resource_tags(KeyId=kid)["Tags"])
        # delete: ScheduleKeyDeletion, then DescribeKey shows PendingDeletion
        kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        d = kms.describe_key(KeyId=kid)["KeyMetadata"]
        self.assertEqual("PendingDeletion", d["KeyState"])
        self.assertIn("DeletionDate", d)
        # a second delete: "is pending deletion", which the provider accepts
        r = self.expect("KMSInvalidStateException", 400, kms.schedule_key_deletion, KeyId=kid,
                        PendingWindowInDays=7)
        self.assertIn("is pending deletion", r["Error"]["Message"])

    def test_read_of_a_missing_key(self):
        self.expect("NotFoundException", 400, self.kms.describe_key, KeyId=str(uuid.uuid4()))


class SecretTests(IacTestCase):
    def test_create_read_delete(self):
        kid = self.kms.create_key(Description="k")["KeyMetadata"]["KeyId"]
        name = uniq("ai-model-secret")
        token = str(uuid.uuid4())
        arn = self.sm.create_secret(ClientRequestToken=token, Description="",
                                    ForceOverwriteReplicaSecret=False, Name=name,
                                    KmsKeyId=kid, SecretString="v1")["ARN"]
        # idempotent on ClientRequestToken: a retried request with the same value
        again = self.sm.create_secret(ClientRequestToken=token, Description="",
                                      ForceOverwriteReplicaSecret=False, Name=name, KmsKeyId=kid,
                                      SecretString="v1")
        self.assertEqual((arn, token), (again["ARN"], again["VersionId"]))
        self.expect("ResourceExistsException", 400, self.sm.create_secret,
                    ClientRequestToken=token, Name=name, SecretString="other")
        self.expect("ResourceExistsException", 400, self.sm.create_secret,
                    ClientRequestToken=str(uuid.uuid4()), Name=name, SecretString="v1")
        # read: DescribeSecret (KmsKeyId echoed exactly), GetResourcePolicy 200 without policy
        d = self.sm.describe_secret(SecretId=arn)
        self.assertEqual(kid, d["KmsKeyId"])
        self.assertNotIn("DeletedDate", d)
        p = self.sm.get_resource_policy(SecretId=arn)
        self.assertEqual((arn, name), (p["ARN"], p["Name"]))
        self.assertNotIn("ResourcePolicy", p)
        # delete with the default 30-day window; DescribeSecret then shows DeletedDate
        self.sm.delete_secret(SecretId=arn, RecoveryWindowInDays=30)
        self.assertIn("DeletedDate", self.sm.describe_secret(SecretId=arn))
        # re-creating the name while it is scheduled: the message the provider retries on
        r = self.expect("InvalidRequestException", 400, self.sm.create_secret, Name=name,
                        ClientRequestToken=str(uuid.uuid4()))
        self.assertIn("scheduled for deletion", r["Error"]["Message"])


class IamRoleTests(IacTestCase):
    def test_create_read_delete(self):
        name = uniq("ai-service-role")
        self.iam.create_role(AssumeRolePolicyDocument=TRUST, Path="/", RoleName=name)
        # read: GetRole (URL-encoded document on the wire, MaxSessionDuration 3600)
        role = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual(3600, role["MaxSessionDuration"])
        self.assertTrue(role["Arn"].startswith("arn:aws:iam::%s:role/" % ACCOUNT))
        self.assertTrue(role["RoleId"].startswith("AROA"))
        self.assertEqual("/", role["Path"])
        self.assertIn("CreateDate", role)
        self.assertEqual(json.loads(TRUST), role["AssumeRolePolicyDocument"])
        # on the wire the document is URL-encoded, as AWS sends it (unsigned: --iam off)
        form = urllib.parse.urlencode({"Action": "GetRole", "Version": "2010-05-08",
                                       "RoleName": name}).encode()
        status, _, body = self.server.http(
            "POST", "/", body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(200, status, body)
        self.assertIn(b"<AssumeRolePolicyDocument>%7B%22Version%22", body)
        self.assertEqual([], self.iam.list_role_policies(RoleName=name)["PolicyNames"])
        self.assertEqual([], self.iam.list_attached_role_policies(RoleName=name)[
            "AttachedPolicies"])
        # delete: ListInstanceProfilesForRole, then DeleteRole; a second delete NoSuchEntity
        self.assertEqual([], self.iam.list_instance_profiles_for_role(RoleName=name)[
            "InstanceProfiles"])
        self.iam.delete_role(RoleName=name)
        self.expect("NoSuchEntity", 404, self.iam.get_role, RoleName=name)
        self.expect("NoSuchEntity", 404, self.iam.delete_role, RoleName=name)


class IamPolicyAndAttachmentTests(IacTestCase):
    def test_create_read_attach_detach_delete(self):
        doc = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]})
        pname = uniq("ai-service-policy")
        arn = self.iam.create_policy(Description="", Path="/", PolicyDocument=doc,
                                     PolicyName=pname)["Policy"]["Arn"]
        p = self.iam.get_policy(PolicyArn=arn)["Policy"]
        self.assertEqual(("v1", 0), (p["DefaultVersionId"], p["AttachmentCount"]))
        v = self.iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
        self.assertEqual(json.loads(doc), v["Document"])
        role = uniq("ai-service-role")
        self.iam.create_role(AssumeRolePolicyDocument=TRUST, RoleName=role)
        # attachment: visible at once, found by ARN in ListAttachedRolePolicies
        self.iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        att = self.iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        self.assertEqual([arn], [a["PolicyArn"] for a in att])
        self.assertEqual(1, self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"])
        # role delete while attached: DeleteConflict (the provider retries)
        self.expect("DeleteConflict", 409, self.iam.delete_role, RoleName=role)
        self.iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        self.expect("NoSuchEntity", 404, self.iam.detach_role_policy, RoleName=role,
                    PolicyArn=arn)
        # policy delete: ListPolicyVersions, DeletePolicyVersion of non-defaults, DeletePolicy
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc, SetAsDefault=False)
        versions = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual({"v1", "v2"}, {x["VersionId"] for x in versions})
        for x in versions:
            if not x["IsDefaultVersion"]:
                self.iam.delete_policy_version(PolicyArn=arn, VersionId=x["VersionId"])
        self.iam.delete_policy(PolicyArn=arn)
        self.expect("NoSuchEntity", 404, self.iam.get_policy, PolicyArn=arn)
        self.expect("NoSuchEntity", 404, self.iam.list_policy_versions, PolicyArn=arn)
        self.iam.delete_role(RoleName=role)

    def test_malformed_policy_document(self):
        self.expect("MalformedPolicyDocument", 400, self.iam.create_policy,
                    PolicyName=uniq("bad"), PolicyDocument='{"Statement": 7}')


if __name__ == "__main__":
    unittest.main()
