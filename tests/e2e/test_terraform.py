"""Real Terraform (hashicorp/aws from the machine's offline mirror) against a
fresh awsemu: examples/ai_model_stack.tf exactly as a user runs it, and
tests/e2e/terraform/common_resources.tf, the resources people declare most
for these five services. Each is applied, checked through boto3, planned
again with -detailed-exitcode (no drift: every read-back matches what was
written, as on AWS) and destroyed. Skipped with the reason where terraform
or the provider mirror is absent (tf_util.skip_reason).

What the provider sends and expects back is pinned by its source
(hashicorp/terraform-provider-aws internal/service/{kms,secretsmanager,s3,
iam}; notes in examples/iac-call-sequences.md): a read-back that differs
from what was written shows up here as drift or as a waiter timing out."""

import json
import os
import shutil
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import EXTERNAL_URL, REPO, Server
import tf_util

EXAMPLES = os.path.join(REPO, "examples")
CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "terraform")


def statements(doc):
    if isinstance(doc, str):
        doc = json.loads(doc)
    st = doc["Statement"]
    return st if isinstance(st, list) else [st]


def as_list(v):
    return v if isinstance(v, list) else [v]


class TerraformTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = tf_util.skip_reason()
        if why:
            raise unittest.SkipTest(why)
        if EXTERNAL_URL:
            raise unittest.SkipTest("starts its own awsemu (AWSEMU_URL is set)")

    def setUp(self):
        self.server = Server(["--ephemeral"])
        self.server.start()
        self.addCleanup(self.server.cleanup)
        self.dir = tempfile.mkdtemp(prefix="awsemu-tf-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def client(self, service):
        return self.server.client(service)

    def assertGone(self, codes, fn, *args, **kw):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kw)
        self.assertIn(cm.exception.response["Error"]["Code"], codes)


class ReferenceStackTests(TerraformTestCase):
    def test_ai_model_stack_tf(self):
        """examples/ai_model_stack.tf: its own provider block, the endpoint
        given as its variable, as the README tells users to run it."""
        shutil.copy(os.path.join(EXAMPLES, "ai_model_stack.tf"), self.dir)
        tf = tf_util.Terraform(self.server, self.dir, provider=False)
        tf.write("terraform.tfvars", 'endpoint = "%s"\n' % self.server.url)
        tf.apply()
        out = tf.outputs()
        self.assertEqual({"kms_key_id", "secret_arn", "s3_bucket_name", "ai_service_role_name"},
                         set(out))
        kms, sm, s3, iam = (self.client(s) for s in ("kms", "secretsmanager", "s3", "iam"))

        key = kms.describe_key(KeyId=out["kms_key_id"])["KeyMetadata"]
        self.assertEqual("KMS key for AI model sensitive data", key["Description"])
        self.assertEqual("Enabled", key["KeyState"])
        secret = sm.describe_secret(SecretId=out["secret_arn"])
        self.assertTrue(secret["Name"].startswith("ai-model-secret-"))
        self.assertIn(secret["KmsKeyId"], (key["KeyId"], key["Arn"]))

        # the bucket's default: SSE-KMS under the stack's key, used by a PUT
        # that names no encryption
        bucket = out["s3_bucket_name"]
        self.assertTrue(bucket.startswith("ai-model-s3-bucket-"))
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        default = rule["ApplyServerSideEncryptionByDefault"]
        self.assertEqual("aws:kms", default["SSEAlgorithm"])
        self.assertIn(default["KMSMasterKeyID"], (key["KeyId"], key["Arn"]))
        put = s3.put_object(Bucket=bucket, Key="model.bin", Body=b"weights")
        self.assertEqual("aws:kms", put["ServerSideEncryption"])
        self.assertEqual(key["Arn"], put["SSEKMSKeyId"])
        self.assertEqual(b"weights", s3.get_object(Bucket=bucket, Key="model.bin")["Body"].read())
        s3.delete_object(Bucket=bucket, Key="model.bin")  # destroy refuses a non-empty bucket

        # the role, trusted by the service, with the policy attached
        role = out["ai_service_role_name"]
        trust = statements(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"])
        self.assertEqual([{"Effect": "Allow", "Principal": {"Service": "aiforecasts.amazonaws.com"},
                           "Action": "sts:AssumeRole"}], trust)
        attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
        self.assertEqual(1, len(attached))
        pol = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
        self.assertTrue(pol["PolicyName"].startswith("s3-access-policy-"))
        doc = iam.get_policy_version(PolicyArn=pol["Arn"],
                                     VersionId=pol["DefaultVersionId"])["PolicyVersion"]["Document"]
        barn = "arn:aws:s3:::" + bucket
        self.assertEqual([{"Effect": "Allow", "Action": "s3:*", "Resource": [barn, barn + "/*"]},
                          {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key["Arn"]}],
                         statements(doc))
        sim = iam.simulate_principal_policy(
            PolicySourceArn=iam.get_role(RoleName=role)["Role"]["Arn"],
            ActionNames=["s3:GetObject", "kms:Decrypt", "kms:GenerateDataKey"],
            ResourceArns=[barn + "/model.bin", key["Arn"]])["EvaluationResults"]
        got = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in sim}
        self.assertEqual("allowed", got[("s3:GetObject", barn + "/model.bin")])
        self.assertEqual("allowed", got[("kms:Decrypt", key["Arn"])])
        self.assertEqual("implicitDeny", got[("kms:GenerateDataKey", key["Arn"])])

        tf.assert_no_drift(self)
        tf.destroy()
        self.assertEqual("PendingDeletion", kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"])
        self.assertIn("DeletedDate", sm.describe_secret(SecretId=out["secret_arn"]))
        self.assertGone(("404", "NoSuchBucket"), s3.head_bucket, Bucket=bucket)
        self.assertGone(("NoSuchEntity",), iam.get_role, RoleName=role)
        self.assertGone(("NoSuchEntity",), iam.get_policy, PolicyArn=pol["Arn"])


class CommonResourcesTests(TerraformTestCase):
    def test_common_resources_tf(self):
        shutil.copy(os.path.join(CONFIGS, "common_resources.tf"), self.dir)
        tf = tf_util.Terraform(self.server, self.dir)
        tf.apply()
        out = tf.outputs()
        kms, sm, s3, iam = (self.client(s) for s in ("kms", "secretsmanager", "s3", "iam"))
        acct = "000000000000"
        self.assertEqual(acct, out["account_id"])
        self.assertEqual("arn:aws:iam::%s:root" % acct, out["caller_arn"])
        self.assertEqual("us-east-1", out["region"])

        # KMS: rotation, the policy from aws_iam_policy_document, the alias
        key = kms.describe_key(KeyId="alias/tfcommon-data")["KeyMetadata"]
        self.assertEqual(out["key_arn"], key["Arn"])
        self.assertTrue(kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"])
        kp = statements(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        self.assertEqual("arn:aws:iam::%s:root" % acct, kp[0]["Principal"]["AWS"])
        tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]}
        self.assertEqual({"project": "awsemu-e2e", "owner": "terraform"}, tags)

        # Secrets Manager: the value, sealed under the key
        val = sm.get_secret_value(SecretId=out["secret_arn"])
        self.assertEqual({"username": "app", "password": "s3cr3t-from-terraform"},
                         json.loads(val["SecretString"]))
        self.assertIn(sm.describe_secret(SecretId="tfcommon/db")["KmsKeyId"], (key["Arn"], key["KeyId"]))

        # S3: versioning, SSE-KMS by alias with a bucket key, public access
        # block, ownership, policy, and the object written
        b = out["bucket"]
        self.assertEqual("Enabled", s3.get_bucket_versioning(Bucket=b)["Status"])
        rule = s3.get_bucket_encryption(Bucket=b)["ServerSideEncryptionConfiguration"]["Rules"][0]
        self.assertEqual({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": out["alias_arn"]},
                         rule["ApplyServerSideEncryptionByDefault"])
        self.assertTrue(rule["BucketKeyEnabled"])
        pab = s3.get_public_access_block(Bucket=b)["PublicAccessBlockConfiguration"]
        self.assertTrue(all(pab.values()) and len(pab) == 4, pab)
        own = s3.get_bucket_ownership_controls(Bucket=b)["OwnershipControls"]["Rules"]
        self.assertEqual([{"ObjectOwnership": "BucketOwnerEnforced"}], own)
        bp = statements(s3.get_bucket_policy(Bucket=b)["Policy"])
        self.assertEqual(["DenyInsecureTransport", "AppReads"], [s["Sid"] for s in bp])
        self.assertEqual(out["role_arn"], bp[1]["Principal"]["AWS"])
        obj = s3.get_object(Bucket=b, Key="logs/README.txt")
        self.assertEqual(b"written by terraform", obj["Body"].read())
        self.assertEqual(("aws:kms", key["Arn"]), (obj["ServerSideEncryption"], obj["SSEKMSKeyId"]))

        # IAM: role with path, policies and instance profile
        role = iam.get_role(RoleName="tfcommon-app")["Role"]
        self.assertEqual((out["role_arn"], "/apps/", 7200),
                         (role["Arn"], role["Path"], role["MaxSessionDuration"]))
        attached = sorted(p["PolicyName"] for p in
                          iam.list_attached_role_policies(RoleName="tfcommon-app")["AttachedPolicies"])
        self.assertEqual(["ReadOnlyAccess", "tfcommon-read-secret"], attached)
        self.assertEqual(["write-logs"], iam.list_role_policies(RoleName="tfcommon-app")["PolicyNames"])
        prof = iam.get_instance_profile(InstanceProfileName="tfcommon-app")["InstanceProfile"]
        self.assertEqual(out["instance_profile_arn"], prof["Arn"])
        self.assertEqual(["tfcommon-app"], [r["RoleName"] for r in prof["Roles"]])

        # IAM: the user in its group, with an inline policy and a working key
        groups = [g["GroupName"] for g in iam.list_groups_for_user(UserName="tfcommon-ci")["Groups"]]
        self.assertEqual(["tfcommon-devs"], groups)
        self.assertEqual(["assume-app"], iam.list_user_policies(UserName="tfcommon-ci")["PolicyNames"])
        secret_key = tf.run("output", "-raw", "ci_secret_access_key").stdout
        sts = self.server.client("sts", access_key=out["ci_access_key_id"], secret_key=secret_key)
        self.assertEqual("arn:aws:iam::%s:user/tfcommon-ci" % acct, sts.get_caller_identity()["Arn"])

        tf.assert_no_drift(self)
        tf.destroy()
        self.assertEqual("PendingDeletion", kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"])
        self.assertGone(("ResourceNotFoundException",), sm.describe_secret, SecretId="tfcommon/db")
        self.assertGone(("404", "NoSuchBucket"), s3.head_bucket, Bucket=b)
        self.assertGone(("NoSuchEntity",), iam.get_role, RoleName="tfcommon-app")
        self.assertGone(("NoSuchEntity",), iam.get_user, UserName="tfcommon-ci")
        self.assertGone(("NoSuchEntity",), iam.get_group, GroupName="tfcommon-devs")
        self.assertGone(("NoSuchEntity",), iam.get_instance_profile, InstanceProfileName="tfcommon-app")


if __name__ == "__main__":
    unittest.main()
