"""Session policy size (issue 15 item 8): GetFederationToken's Policy is
sessionPolicyDocumentType (max 2048 characters) in STS's model, so a longer
one is the model's ValidationError; AssumeRole's Policy is
unrestrictedSessionPolicyDocumentType (no maximum), so a long one is judged
by its packed size: PackedPolicyTooLarge "Packed policy consumes N% of
allotted space" (the text users quote from AWS, e.g. "Packed policy
consumes 157% of allotted space").

Pinned by botocore's sts/2011-06-15/service-2.json and moto's
test_get_federation_token_with_too_long_policy (ValidationError, "Member
must have length less than or equal to 2048")."""

import json

from botocore.exceptions import ClientError

from harness import ServerTestCase


def long_policy(n_actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Resource": "*",
        "Action": ["s3:GetObjectVersionTagging%04d" % i for i in range(n_actions)]}]})


class PolicySizeTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sts = cls.server.client("sts", validate=False)
        cls.iam = cls.server.client("iam")
        cls.role = cls.iam.create_role(RoleName="size-role", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                "Action": "sts:AssumeRole"}]}))["Role"]

    def test_federation_token_policy_over_2048_is_validation_error(self):
        policy = long_policy(80)
        self.assertGreater(len(policy), 2048)
        with self.assertRaises(ClientError) as cm:
            self.sts.get_federation_token(Name="fed", Policy=policy)
        e = cm.exception.response["Error"]
        self.assertEqual("ValidationError", e["Code"])
        self.assertIn("at 'policy' failed to satisfy constraint: Member must have length less "
                      "than or equal to 2048", e["Message"])

    def test_assume_role_long_policy_is_packed_policy_too_large(self):
        with self.assertRaises(ClientError) as cm:
            self.sts.assume_role(RoleArn=self.role["Arn"], RoleSessionName="s1",
                                 Policy=long_policy(80))
        e = cm.exception.response["Error"]
        self.assertEqual("PackedPolicyTooLarge", e["Code"])
        self.assertRegex(e["Message"], r"^Packed policy consumes \d+% of allotted space$")

    def test_fitting_policies_pass(self):
        small = long_policy(5)
        got = self.sts.get_federation_token(Name="fed", Policy=small)
        self.assertLess(got["PackedPolicySize"], 100)
        got = self.sts.assume_role(RoleArn=self.role["Arn"], RoleSessionName="s1", Policy=small)
        self.assertLess(got["PackedPolicySize"], 100)
