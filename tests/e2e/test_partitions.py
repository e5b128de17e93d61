"""Partitions follow the signing region (issue 15 item 7): a client of
cn-north-1 sees arn:aws-cn:..., of us-gov-west-1 arn:aws-us-gov:..., of
us-iso-east-1 arn:aws-iso:..., in every ARN of KMS, Secrets Manager, IAM,
STS and in the S3 resource ARNs that policies name.

Pinned by the AWS General Reference, "Amazon Resource Names (ARNs)"
(partition: aws, aws-cn, aws-us-gov, ...) and botocore's endpoints.json
(partitions[].regionRegex: ^cn\\-\\w+\\-\\d+$, ^us\\-gov\\-\\w+\\-\\d+$,
^us\\-iso\\-\\w+\\-\\d+$, ^us\\-isob\\-\\w+\\-\\d+$ ...)."""

import json

from botocore.exceptions import ClientError

from harness import ServerTestCase
from enforce_util import ENFORCE, Creds, Principals, allow, client, doc, trust, uniq

ACCOUNT = "000000000000"
CASES = (("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
         ("us-iso-east-1", "aws-iso"), ("us-isob-east-1", "aws-iso-b"))


class PartitionArnTests(ServerTestCase):
    def test_kms_key_and_alias_arns(self):
        for region, part in CASES:
            with self.subTest(region=region):
                kms = self.server.client("kms", region=region)
                meta = kms.create_key()["KeyMetadata"]
                self.assertEqual("arn:%s:kms:%s:%s:key/%s" % (part, region, ACCOUNT, meta["KeyId"]),
                                 meta["Arn"])
                # the key is found by its own ARN
                self.assertEqual(meta["KeyId"],
                                 kms.describe_key(KeyId=meta["Arn"])["KeyMetadata"]["KeyId"])
                name = "alias/" + uniq("p")
                kms.create_alias(AliasName=name, TargetKeyId=meta["KeyId"])
                arns = [a["AliasArn"] for a in kms.list_aliases()["Aliases"]
                        if a["AliasName"] == name]
                self.assertEqual(["arn:%s:kms:%s:%s:%s" % (part, region, ACCOUNT, name)], arns)
                # the default key policy names the partition's root
                pol = json.loads(kms.get_key_policy(KeyId=meta["KeyId"],
                                                    PolicyName="default")["Policy"])
                self.assertEqual("arn:%s:iam::%s:root" % (part, ACCOUNT),
                                 pol["Statement"][0]["Principal"]["AWS"])
                # NotFound names the ARN in the caller's partition
                missing = "11111111-2222-3333-4444-555555555555"
                with self.assertRaises(ClientError) as cm:
                    kms.describe_key(KeyId=missing)
                self.assertEqual("Key 'arn:%s:kms:%s:%s:key/%s' does not exist"
                                 % (part, region, ACCOUNT, missing),
                                 cm.exception.response["Error"]["Message"])

    def test_kms_other_partition_arn_is_not_found(self):
        kms = self.server.client("kms", region="cn-north-1")
        key = kms.create_key()["KeyMetadata"]
        foreign = key["Arn"].replace("arn:aws-cn:", "arn:aws:", 1)
        with self.assertRaises(ClientError) as cm:
            kms.describe_key(KeyId=foreign)
        self.assertEqual("NotFoundException", cm.exception.response["Error"]["Code"])

    def test_kms_asymmetric_key_arns(self):
        # CreateKey/GetPublicKey/Sign return the key ARN as KeyId (KMS API
        # reference, "GetPublicKey" and "Sign" response elements); the
        # partition follows the region as for symmetric keys.
        for region, part in CASES[:3]:
            with self.subTest(region=region):
                kms = self.server.client("kms", region=region)
                meta = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
                arn = "arn:%s:kms:%s:%s:key/%s" % (part, region, ACCOUNT, meta["KeyId"])
                self.assertEqual(arn, meta["Arn"])
                self.assertEqual(arn, kms.get_public_key(KeyId=meta["KeyId"])["KeyId"])
                sig = kms.sign(KeyId=arn, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")
                self.assertEqual(arn, sig["KeyId"])

    def test_s3_bucket_arn_in_partition(self):
        # CreateBucketOutput.BucketArn (x-amz-bucket-arn, botocore's s3
        # service-2.json) is arn:<partition>:s3:::<bucket> (General Reference, ARNs).
        for region, part in CASES[:3]:
            with self.subTest(region=region):
                s3 = self.server.client("s3", region=region)
                bucket = uniq("pa")
                conf = {} if region == "us-east-1" else {
                    "CreateBucketConfiguration": {"LocationConstraint": region}}
                out = s3.create_bucket(Bucket=bucket, **conf)
                self.assertEqual("arn:%s:s3:::%s" % (part, bucket), out["BucketArn"])
                # an analytics export destination in the caller's partition is accepted
                s3.put_bucket_analytics_configuration(
                    Bucket=bucket, Id="a1", AnalyticsConfiguration={
                        "Id": "a1", "StorageClassAnalysis": {"DataExport": {
                            "OutputSchemaVersion": "V_1", "Destination": {
                                "S3BucketDestination": {"Format": "CSV",
                                                        "Bucket": out["BucketArn"]}}}}})
                got = s3.get_bucket_analytics_configuration(Bucket=bucket, Id="a1")
                dest = got["AnalyticsConfiguration"]["StorageClassAnalysis"]["DataExport"]
                self.assertEqual(out["BucketArn"],
                                 dest["Destination"]["S3BucketDestination"]["Bucket"])

    def test_secret_arns(self):
        for region, part in CASES:
            with self.subTest(region=region):
                sm = self.server.client("secretsmanager", region=region)
                name = uniq("s")
                arn = sm.create_secret(Name=name, SecretString="x")["ARN"]
                self.assertRegex(arn, r"^arn:%s:secretsmanager:%s:%s:secret:%s-\w{6}$"
                                 % (part, region, ACCOUNT, name))
                self.assertEqual(name, sm.describe_secret(SecretId=arn)["Name"])

    def test_iam_and_sts_arns(self):
        for region, part in CASES:
            with self.subTest(region=region):
                iam = self.server.client("iam", region=region)
                sts = self.server.client("sts", region=region)
                user = uniq("u")
                self.assertEqual("arn:%s:iam::%s:user/%s" % (part, ACCOUNT, user),
                                 iam.create_user(UserName=user)["User"]["Arn"])
                pol = iam.create_policy(PolicyName=uniq("p"), PolicyDocument=doc(allow("s3:*")))
                self.assertTrue(pol["Policy"]["Arn"].startswith("arn:%s:iam::%s:policy/"
                                                                % (part, ACCOUNT)))
                role = iam.create_role(RoleName=uniq("r"),
                                       AssumeRolePolicyDocument=trust(
                                           "arn:%s:iam::%s:root" % (part, ACCOUNT)))["Role"]
                self.assertTrue(role["Arn"].startswith("arn:%s:iam::" % part))
                self.assertEqual("arn:%s:iam::%s:root" % (part, ACCOUNT),
                                 sts.get_caller_identity()["Arn"])
                got = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
                self.assertEqual("arn:%s:sts::%s:assumed-role/%s/s1"
                                 % (part, ACCOUNT, role["RoleName"]),
                                 got["AssumedRoleUser"]["Arn"])
                fed = sts.get_federation_token(Name="fed1")
                self.assertEqual("arn:%s:sts::%s:federated-user/fed1" % (part, ACCOUNT),
                                 fed["FederatedUser"]["Arn"])

    def test_aws_managed_policy_in_partition(self):
        iam = self.server.client("iam", region="cn-north-1")
        user = uniq("u")
        iam.create_user(UserName=user)
        # the AWS managed policies exist in every partition under its own ARN
        arn = "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
        self.assertEqual([arn], [p["PolicyArn"] for p in
                                 iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]])


class PartitionEnforceTests(ServerTestCase):
    """Policies name resources and principals in the caller's partition."""
    server_args = ENFORCE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)

    def test_s3_policy_resource_in_partition(self):
        region = "cn-north-1"
        s3root = client(self.server, "s3", region=region)
        bucket = uniq("pb")
        s3root.create_bucket(Bucket=bucket,
                             CreateBucketConfiguration={"LocationConstraint": region})
        s3root.put_object(Bucket=bucket, Key="k", Body=b"v")
        cn_user = self.p.user(inline=[doc(allow("s3:GetObject", "arn:aws-cn:s3:::%s/*" % bucket))])
        aws_user = self.p.user(inline=[doc(allow("s3:GetObject", "arn:aws:s3:::%s/*" % bucket))])
        got = client(self.server, "s3", cn_user, region=region).get_object(Bucket=bucket, Key="k")
        self.assertEqual(b"v", got["Body"].read())
        # an aws-partition ARN names nothing in aws-cn
        with self.assertRaises(ClientError) as cm:
            client(self.server, "s3", aws_user, region=region).get_object(Bucket=bucket, Key="k")
        self.assertEqual("AccessDenied", cm.exception.response["Error"]["Code"])

    def test_role_session_in_partition(self):
        region = "us-gov-west-1"
        iam = client(self.server, "iam", region=region)
        user = self.p.user(inline=[doc(allow("sts:AssumeRole"))])
        role = iam.create_role(RoleName=uniq("gr"), AssumeRolePolicyDocument=trust(
            "arn:aws-us-gov:iam::%s:root" % ACCOUNT))["Role"]
        sts = client(self.server, "sts", user, region=region)
        got = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="gov")
        self.assertEqual("arn:aws-us-gov:sts::%s:assumed-role/%s/gov" % (ACCOUNT, role["RoleName"]),
                         got["AssumedRoleUser"]["Arn"])
        who = client(self.server, "sts", Creds.from_sts(got), region=region).get_caller_identity()
        self.assertEqual(got["AssumedRoleUser"]["Arn"], who["Arn"])
