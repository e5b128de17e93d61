"""scripts/provision as a user runs it (a subprocess) against a fresh awsemu:
up creates exactly the reference stack (examples/ai_model_stack.py)
with the right properties, a second up only reads, a resource deleted behind
its back is recreated alone, outputs, destroy, and failures (unreachable
endpoint, a denied call) that end in one line and resume on the next up.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from botocore.exceptions import ClientError

from harness import REPO, ServerTestCase, free_port

PROVISION = os.path.join(REPO, "scripts", "provision")
ORDER = [("aws:kms:Key", "ai-model-kms-key"),
         ("aws:secretsmanager:Secret", "ai-model-secret"),
         ("aws:s3:Bucket", "ai-model-s3-bucket"),
         ("aws:iam:Role", "ai-service-role"),
         ("aws:iam:Policy", "s3-access-policy"),
         ("aws:iam:RolePolicyAttachment", "ai-service-role-policy-attachment")]
TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow",
                        "Principal": {"Service": "aiforecasts.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}
OUTPUT_KEYS = {"kms_key_id", "secret_arn", "s3_bucket_name", "ai_service_role_name"}
# Operations that change nothing (the access log names each request's operation).
READ_OP = re.compile(r"^(Get|List|Describe|Head)")


def lines(verb_sign, verb, order=ORDER):
    return ["%s %s %s %s" % (verb_sign, t, n, verb) for t, n in order]


class ProvisionCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.server.client("secretsmanager")
        cls.s3 = cls.server.client("s3")
        cls.iam = cls.server.client("iam")

    def setUp(self):
        self.server.reset()
        self.dir = tempfile.mkdtemp(prefix="awsemu-prov-")
        self.state = os.path.join(self.dir, "stack.json")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def provision(self, *args, endpoint=None, key="test", secret="test", state=True):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "AWSEMU_"))}
        env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                   AWS_EC2_METADATA_DISABLED="true")
        cmd = [sys.executable, PROVISION] + list(args)
        if args[0] != "outputs":
            cmd += ["--endpoint", endpoint or self.server.url]
        if state:
            cmd += ["--state", self.state]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=self.dir, env=env, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def up(self, *args, **kw):
        rc, out, err = self.provision("up", *args, **kw)
        self.assertEqual(0, rc, "provision up failed:\n%s%s" % (out, err))
        self.assertEqual("", err)
        return out

    @staticmethod
    def resource_lines(out):
        return [l for l in out.splitlines() if re.match(r"^(\+-|[+~=-]) aws:", l)]

    @staticmethod
    def outputs_block(out):
        return out[out.index("Outputs:"):out.index("Resources:")]

    def stack(self):
        with open(self.state) as f:
            return json.load(f)

    def mark(self):
        """Offset in the access log just past a request made now (the server
        flushes its log about once a second, so this waits for it)."""
        rid = self.server.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"]
        deadline = time.monotonic() + 5
        while True:
            log = self.server.output()
            i = log.find(rid.encode())
            if i >= 0:
                return log.index(b"\n", i) + 1
            if time.monotonic() > deadline:
                self.fail("request %s never reached the access log" % rid)
            time.sleep(0.05)

    def log_ops(self, since):
        """Operations in the access log between offset since and a new mark."""
        until = self.mark()
        ops = []
        for line in self.server.output()[since:until].decode("utf-8", "replace").splitlines():
            f = line.split()
            if len(f) >= 5 and f[1] in ("GET", "PUT", "POST", "HEAD", "DELETE"):
                ops.append(f[3])
        return ops[:-1]  # the closing mark

    def assert_stack(self, outputs):
        """The resources are the reference program's, with its properties."""
        key_id = outputs["kms_key_id"]
        md = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
        self.assertEqual("KMS key for AI model sensitive data", md["Description"])
        self.assertEqual("Enabled", md["KeyState"])
        self.assertEqual("CUSTOMER", md["KeyManager"])
        self.assertEqual("SYMMETRIC_DEFAULT", md["KeySpec"])
        self.assertEqual("ENCRYPT_DECRYPT", md["KeyUsage"])
        key_arn = md["Arn"]

        sec = self.sm.describe_secret(SecretId=outputs["secret_arn"])
        self.assertEqual(key_id, sec["KmsKeyId"])
        self.assertRegex(sec["Name"], r"^ai-model-secret-[0-9a-f]{7}$")
        self.assertNotIn("DeletedDate", sec)

        bucket = outputs["s3_bucket_name"]
        self.assertRegex(bucket, r"^ai-model-s3-bucket-[0-9a-f]{7}$")
        rules = self.s3.get_bucket_encryption(Bucket=bucket)[
            "ServerSideEncryptionConfiguration"]["Rules"]
        self.assertEqual(1, len(rules))
        self.assertEqual({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id},
                         rules[0]["ApplyServerSideEncryptionByDefault"])

        role_name = outputs["ai_service_role_name"]
        self.assertRegex(role_name, r"^ai-service-role-[0-9a-f]{7}$")
        role = self.iam.get_role(RoleName=role_name)["Role"]
        self.assertEqual(TRUST, role["AssumeRolePolicyDocument"])
        self.assertEqual("/", role["Path"])

        attached = self.iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
        self.assertEqual(1, len(attached))
        self.assertRegex(attached[0]["PolicyName"], r"^s3-access-policy-[0-9a-f]{7}$")
        parn = attached[0]["PolicyArn"]
        pol = self.iam.get_policy(PolicyArn=parn)["Policy"]
        doc = self.iam.get_policy_version(PolicyArn=parn, VersionId=pol["DefaultVersionId"])[
            "PolicyVersion"]["Document"]
        barn = "arn:aws:s3:::" + bucket
        self.assertEqual({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": [barn, barn + "/*"]},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}]}, doc)
        self.assertEqual(1, pol["AttachmentCount"])
        return {"key_arn": key_arn, "policy_arn": parn}

    def assert_only_the_stack(self, outputs):
        keys = [k["KeyId"] for k in self.kms.list_keys()["Keys"]
                if self.kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyManager"]
                == "CUSTOMER"]
        self.assertEqual([outputs["kms_key_id"]], keys)
        self.assertEqual([outputs["secret_arn"]],
                         [s["ARN"] for s in self.sm.list_secrets()["SecretList"]])
        self.assertEqual([outputs["s3_bucket_name"]],
                         [b["Name"] for b in self.s3.list_buckets()["Buckets"]])
        self.assertEqual([outputs["ai_service_role_name"]],
                         [r["RoleName"] for r in self.iam.list_roles()["Roles"]])
        self.assertEqual(1, len(self.iam.list_policies(Scope="Local")["Policies"]))


class UpTests(ProvisionCase):
    def test_up_creates_exactly_the_reference_stack_in_order(self):
        out = self.up()
        self.assertEqual(lines("+", "created"), self.resource_lines(out))
        self.assertIn("Resources: 6 created", out)
        outputs = self.stack()["outputs"]
        self.assertEqual(OUTPUT_KEYS, set(outputs))
        for k, v in outputs.items():
            self.assertIn("%s: %s" % (k, json.dumps(v)), re.sub(r" +:", ":", out))
        self.assert_stack(outputs)
        self.assert_only_the_stack(outputs)

    def test_each_resource_is_read_back_after_its_create(self):
        since = self.mark()
        self.up()
        ops = self.log_ops(since)
        for create, read in (("CreateKey", "GetKeyPolicy"), ("CreateSecret", "GetResourcePolicy"),
                             ("PutBucketEncryption", "GetBucketEncryption"),
                             ("CreateRole", "GetRole"), ("CreatePolicy", "GetPolicyVersion"),
                             ("AttachRolePolicy", "ListAttachedRolePolicies")):
            self.assertIn(create, ops)
            self.assertIn(read, ops[ops.index(create):], "%s not read back" % create)
        # dependency order
        firsts = [ops.index(o) for o in ("CreateKey", "CreateSecret", "CreateBucket",
                                         "CreateRole", "CreatePolicy", "AttachRolePolicy")]
        self.assertEqual(sorted(firsts), firsts)

    def test_second_up_only_reads_and_prints_the_same_outputs(self):
        first = self.up()
        state1 = self.stack()
        since = self.mark()
        second = self.up()
        self.assertEqual(lines("=", "unchanged"), self.resource_lines(second))
        self.assertIn("Resources: 6 unchanged", second)
        self.assertEqual(self.outputs_block(first), self.outputs_block(second))
        self.assertEqual(state1["resources"], self.stack()["resources"])
        ops = self.log_ops(since)
        self.assertTrue(ops)
        self.assertEqual([], [o for o in ops if not READ_OP.match(o)],
                         "a second up must change nothing")
        outputs = self.stack()["outputs"]
        self.assert_stack(outputs)
        self.assert_only_the_stack(outputs)
        parn = state1["resources"]["s3-access-policy"]["arn"]
        self.assertEqual(1, len(self.iam.list_policy_versions(PolicyArn=parn)["Versions"]))

    def test_resources_deleted_behind_its_back_are_recreated_alone(self):
        first = self.up()
        outputs = self.stack()["outputs"]
        parn = self.stack()["resources"]["s3-access-policy"]["arn"]
        role = outputs["ai_service_role_name"]
        self.iam.detach_role_policy(RoleName=role, PolicyArn=parn)
        self.iam.delete_role(RoleName=role)
        self.s3.delete_bucket(Bucket=outputs["s3_bucket_name"])
        since = self.mark()
        out = self.up()
        signs = ["=", "=", "+", "+", "=", "+"]
        verbs = {"=": "unchanged", "+": "created"}
        self.assertEqual(["%s %s %s %s" % (s, t, n, verbs[s]) for s, (t, n) in zip(signs, ORDER)],
                         self.resource_lines(out))
        changes = [o for o in self.log_ops(since) if not READ_OP.match(o)]
        self.assertEqual(["CreateBucket", "PutBucketEncryption", "CreateRole",
                          "AttachRolePolicy"], changes)
        # the physical names were free, so they are kept and the outputs stay
        self.assertEqual(self.outputs_block(first), self.outputs_block(out))
        self.assert_stack(outputs)
        self.assert_only_the_stack(outputs)

    def test_a_secret_deleted_with_a_window_comes_back_under_a_new_name(self):
        self.up()
        old = self.stack()["outputs"]
        self.sm.delete_secret(SecretId=old["secret_arn"])  # 30-day window: name still held
        out = self.up()
        self.assertEqual("+ aws:secretsmanager:Secret ai-model-secret created",
                         self.resource_lines(out)[1])
        self.assertEqual(5, sum(1 for l in self.resource_lines(out) if l.startswith("=")))
        new = self.stack()["outputs"]
        self.assertNotEqual(old["secret_arn"], new["secret_arn"])
        self.assertEqual({k: v for k, v in old.items() if k != "secret_arn"},
                         {k: v for k, v in new.items() if k != "secret_arn"})
        self.assert_stack(new)

    def test_a_key_pending_deletion_is_replaced_and_dependents_follow(self):
        self.up()
        old = self.stack()["outputs"]
        self.kms.schedule_key_deletion(KeyId=old["kms_key_id"], PendingWindowInDays=7)
        out = self.up()
        self.assertEqual(["+ aws:kms:Key ai-model-kms-key created",
                          "~ aws:secretsmanager:Secret ai-model-secret updated (kms_key_id)",
                          "~ aws:s3:Bucket ai-model-s3-bucket updated (default encryption)",
                          "= aws:iam:Role ai-service-role unchanged",
                          "~ aws:iam:Policy s3-access-policy updated (policy document)",
                          "= aws:iam:RolePolicyAttachment ai-service-role-policy-attachment "
                          "unchanged"], self.resource_lines(out))
        new = self.stack()["outputs"]
        self.assertNotEqual(old["kms_key_id"], new["kms_key_id"])
        self.assert_stack(new)

    def test_drift_is_put_back(self):
        self.up()
        outputs = self.stack()["outputs"]
        self.kms.disable_key(KeyId=outputs["kms_key_id"])
        self.kms.update_key_description(KeyId=outputs["kms_key_id"], Description="changed")
        self.s3.put_bucket_encryption(Bucket=outputs["s3_bucket_name"],
                                      ServerSideEncryptionConfiguration={"Rules": [{
                                          "ApplyServerSideEncryptionByDefault": {
                                              "SSEAlgorithm": "AES256"}}]})
        self.iam.update_assume_role_policy(
            RoleName=outputs["ai_service_role_name"],
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}))
        out = self.up()
        got = self.resource_lines(out)
        self.assertEqual("~ aws:kms:Key ai-model-kms-key updated (description, enabled)", got[0])
        self.assertEqual("~ aws:s3:Bucket ai-model-s3-bucket updated (default encryption)",
                         got[2])
        self.assertEqual("~ aws:iam:Role ai-service-role updated (assume_role_policy)", got[3])
        self.assert_stack(outputs)

    def test_region_flag(self):
        self.up("--region", "eu-west-1")
        outputs = self.stack()["outputs"]
        self.assertIn(":eu-west-1:", outputs["secret_arn"])
        s3 = self.server.client("s3", region="eu-west-1")
        self.assertEqual("eu-west-1", s3.get_bucket_location(
            Bucket=outputs["s3_bucket_name"])["LocationConstraint"])
        # destroy goes where up went: endpoint and region come from the state
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWSEMU_"))}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        p = subprocess.run([sys.executable, PROVISION, "destroy", "--state", self.state],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           cwd=self.dir, timeout=120)
        self.assertEqual(0, p.returncode, p.stderr)
        self.assertNotIn(b"already gone", p.stdout)
        self.assertEqual([], s3.list_buckets()["Buckets"])


class OutputsTests(ProvisionCase):
    def test_outputs_json_and_table(self):
        self.up()
        rc, out, err = self.provision("outputs", "--json")
        self.assertEqual((0, ""), (rc, err))
        got = json.loads(out)
        self.assertEqual(OUTPUT_KEYS, set(got))
        self.assertEqual(self.stack()["outputs"], got)
        self.assertEqual(got["kms_key_id"],
                         self.kms.describe_key(KeyId=got["kms_key_id"])["KeyMetadata"]["KeyId"])
        rc, out, err = self.provision("outputs")
        self.assertEqual(0, rc)
        for k, v in got.items():
            self.assertRegex(out, r"(?m)^\s+%s\s+%s$" % (k, re.escape(v)))

    def test_outputs_without_a_stack_fails_in_one_line(self):
        rc, out, err = self.provision("outputs", "--json")
        self.assertEqual(1, rc)
        self.assertEqual("", out)
        self.assertEqual(1, len(err.splitlines()), err)

    def test_default_state_file_is_in_the_working_directory(self):
        rc, out, err = self.provision("up", state=False)
        self.assertEqual(0, rc, err)
        self.assertTrue(os.path.exists(os.path.join(self.dir, ".awsemu-stack.json")))
        rc, out, err = self.provision("outputs", "--json", state=False)
        self.assertEqual(0, rc, err)
        self.assertEqual(OUTPUT_KEYS, set(json.loads(out)))


class DestroyTests(ProvisionCase):
    def test_destroy_removes_everything_in_reverse_order(self):
        self.up()
        stack = self.stack()
        outputs = stack["outputs"]
        since = self.mark()
        rc, out, err = self.provision("destroy")
        self.assertEqual((0, ""), (rc, err), out)
        got = self.resource_lines(out)
        self.assertEqual([l.split(" (")[0] for l in lines("-", "deleted", ORDER[::-1])],
                         [l.split(" (")[0] for l in got])
        self.assertIn("Resources: 6 deleted", out)
        self.assertFalse(os.path.exists(self.state))
        changes = [o for o in self.log_ops(since) if not READ_OP.match(o)]
        self.assertEqual(["DetachRolePolicy", "DeletePolicy", "DeleteRole", "DeleteBucket",
                          "DeleteSecret", "ScheduleKeyDeletion"], changes)

        md = self.kms.describe_key(KeyId=outputs["kms_key_id"])["KeyMetadata"]
        self.assertEqual("PendingDeletion", md["KeyState"])
        self.assertRecent(md["DeletionDate"], delta_days=30, slack_seconds=86400 + 300)
        sec = self.sm.describe_secret(SecretId=outputs["secret_arn"])
        self.assertIn("DeletedDate", sec)
        with self.assertRaises(ClientError):
            self.s3.head_bucket(Bucket=outputs["s3_bucket_name"])
        for fn, kw in ((self.iam.get_role, {"RoleName": outputs["ai_service_role_name"]}),
                       (self.iam.get_policy,
                        {"PolicyArn": stack["resources"]["s3-access-policy"]["arn"]})):
            with self.assertRaises(ClientError) as cm:
                fn(**kw)
            self.assertEqual("NoSuchEntity", cm.exception.response["Error"]["Code"])
        rc, out, err = self.provision("outputs")
        self.assertEqual(1, rc)

    def test_destroy_tolerates_what_is_already_gone_and_refuses_a_full_bucket(self):
        self.up()
        outputs = self.stack()["outputs"]
        self.s3.put_object(Bucket=outputs["s3_bucket_name"], Key="model.bin", Body=b"weights")
        rc, out, err = self.provision("destroy")
        self.assertEqual(1, rc)
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertIn("not empty", err)
        # what was deleted before the failure is out of the state; the rest stays
        left = set(self.stack()["resources"])
        self.assertEqual({"ai-model-kms-key", "ai-model-secret", "ai-model-s3-bucket"}, left)
        self.sm.delete_secret(SecretId=outputs["secret_arn"], ForceDeleteWithoutRecovery=True)
        rc, out, err = self.provision("destroy", "--force")
        self.assertEqual(0, rc, err)
        self.assertIn("- aws:secretsmanager:Secret ai-model-secret deleted (already gone)", out)
        self.assertEqual([], self.s3.list_buckets()["Buckets"])


class FailureTests(ProvisionCase):
    def test_unreachable_endpoint_is_one_line_and_non_zero(self):
        url = "http://127.0.0.1:%d" % free_port()
        for cmd in ("up", "destroy"):
            if cmd == "destroy":
                self.up()
            rc, out, err = self.provision(cmd, endpoint=url)
            self.assertEqual(1, rc)
            self.assertEqual(1, len(err.splitlines()), err)
            self.assertIn("cannot reach " + url, err)
            self.assertNotIn("Traceback", err)
        self.assertEqual(6, len(self.stack()["resources"]))  # destroy touched nothing

    def test_endpoint_from_aws_endpoint_url(self):
        env_url = self.server.url
        rc, out, err = self._with_env_endpoint(env_url)
        self.assertEqual(0, rc, err)
        self.assertIn("Resources: 6 created", out)

    def _with_env_endpoint(self, url):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AWSEMU_"))}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_ENDPOINT_URL=url, AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        p = subprocess.run([sys.executable, PROVISION, "up", "--state", self.state],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           cwd=self.dir, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()


class EnforcedFailureTests(ProvisionCase):
    """A call that fails half-way (denied by IAM) stops with one line; the next
    up, with the rights, resumes where it stopped."""
    server_args = ("--iam", "enforce")

    def test_denied_call_then_resume(self):
        user = "deployer"
        self.iam.create_user(UserName=user)
        self.iam.put_user_policy(UserName=user, PolicyName="no-iam", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["kms:*", "secretsmanager:*", "s3:*"],
                           "Resource": "*"}]}))
        ak = self.iam.create_access_key(UserName=user)["AccessKey"]
        rc, out, err = self.provision("up", key=ak["AccessKeyId"], secret=ak["SecretAccessKey"])
        self.assertEqual(1, rc)
        self.assertEqual(lines("+", "created", ORDER[:3]), self.resource_lines(out))
        self.assertEqual(1, len(err.splitlines()), err)
        self.assertRegex(err, r"^provision up: aws:iam:Role ai-service-role: CreateRole failed: "
                              r"AccessDenied: .*iam:CreateRole")
        self.assertEqual({"ai-model-kms-key", "ai-model-secret", "ai-model-s3-bucket",
                          "ai-service-role"}, set(self.stack()["resources"]))
        out = self.up()  # as root
        self.assertEqual(lines("=", "unchanged", ORDER[:3]) + lines("+", "created", ORDER[3:]),
                         self.resource_lines(out))
        self.iam.delete_access_key(UserName=user, AccessKeyId=ak["AccessKeyId"])
        self.iam.delete_user_policy(UserName=user, PolicyName="no-iam")
        self.iam.delete_user(UserName=user)
        outputs = self.stack()["outputs"]
        self.assert_stack(outputs)
        self.assert_only_the_stack(outputs)
