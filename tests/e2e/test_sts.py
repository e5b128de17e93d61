"""STS with --iam enforce: who am I (root, IAM user, assumed role),
AssumeRole (trust policy, ExternalId, DurationSeconds, session policies,
PolicyArns, session tags), temporary credentials until they expire,
GetSessionToken, GetAccessKeyInfo and DecodeAuthorizationMessage."""

import base64
import datetime
import json
import os
import re
import shutil
import subprocess
import unittest

from harness import ServerTestCase, to_datetime
from enforce_util import (ACCOUNT, ENFORCE, ROOT, ROOT_ARN, Creds, Principals, advance_clock,
                          allow, check_denied, check_error, client, deny, doc, emulated_now,
                          encoded_message, error_of, log_line, message, no_identity,
                          request_id, trust, uniq)

AWS = shutil.which("aws")
ACCESS_KEY_RE = re.compile(r"^ASIA[A-Z2-7]{16}$")


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class StsTestCase(ServerTestCase):
    server_args = ENFORCE
    needs_process = True  # reads the server's access log, signs with its root pair

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p = Principals(cls.server)
        cls.iam = cls.p.iam
        cls.sts = cls.p.sts

    def sts_as(self, creds, **kw):
        return client(self.server, "sts", creds, **kw)

    def assertNear(self, ts, want, slack=60):
        ts = to_datetime(ts)
        self.assertLess(abs((ts - want).total_seconds()), slack, "%s not near %s" % (ts, want))


# --------------------------------------------------------------------------
# GetCallerIdentity
# --------------------------------------------------------------------------

class CallerIdentityTests(StsTestCase):
    def test_root(self):
        r = self.sts.get_caller_identity()
        self.assertEqual(ROOT_ARN, r["Arn"])
        self.assertEqual(ACCOUNT, r["UserId"])
        self.assertEqual(ACCOUNT, r["Account"])

    def test_iam_user(self):
        u = self.p.user(path="/eng/")
        r = self.sts_as(u).get_caller_identity()
        self.assertEqual("arn:aws:iam::%s:user/eng/%s" % (ACCOUNT, u.name), r["Arn"])
        self.assertEqual(u.user_id, r["UserId"])
        self.assertTrue(r["UserId"].startswith("AIDA"), r["UserId"])
        self.assertEqual(ACCOUNT, r["Account"])

    def test_needs_no_permission(self):
        # a user without any policy may still ask who it is
        u = self.p.user()
        self.assertEqual(u.arn, self.sts_as(u).get_caller_identity()["Arn"])

    def test_assumed_role(self):
        role = self.p.role(path="/svc/")
        name = uniq("sess")
        s = self.p.session(role, name=name)
        r = self.sts_as(s).get_caller_identity()
        # the assumed-role ARN has no path
        self.assertEqual("arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role["RoleName"], name),
                         r["Arn"])
        self.assertEqual("%s:%s" % (role["RoleId"], name), r["UserId"])
        self.assertTrue(r["UserId"].startswith("AROA"), r["UserId"])
        self.assertEqual(ACCOUNT, r["Account"])

    def test_deleted_key_no_longer_works(self):
        u = self.p.user()
        self.sts_as(u).get_caller_identity()
        self.iam.delete_access_key(UserName=u.name, AccessKeyId=u.access_key)
        check_error(self, "InvalidClientTokenId", 403, self.sts_as(u).get_caller_identity)

    def test_inactive_key_rejected_until_reactivated(self):
        u = self.p.user()
        self.iam.update_access_key(UserName=u.name, AccessKeyId=u.access_key, Status="Inactive")
        check_error(self, "InvalidClientTokenId", 403, self.sts_as(u).get_caller_identity)
        self.iam.update_access_key(UserName=u.name, AccessKeyId=u.access_key, Status="Active")
        self.assertEqual(u.arn, self.sts_as(u).get_caller_identity()["Arn"])

    @unittest.skipUnless(AWS, "aws CLI not on PATH")
    def test_cli_with_user_keys(self):
        u = self.p.user()
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": u.access_key, "AWS_SECRET_ACCESS_KEY": u.secret_key,
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"})
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(k, None)
        out = subprocess.run([AWS, "--endpoint-url", self.server.url, "sts",
                              "get-caller-identity", "--output", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60)
        self.assertEqual(0, out.returncode, out.stderr.decode())
        self.assertEqual(u.arn, json.loads(out.stdout)["Arn"])


# --------------------------------------------------------------------------
# AssumeRole
# --------------------------------------------------------------------------

class AssumeRoleTests(StsTestCase):
    def test_happy_path(self):
        role = self.p.role()
        name = uniq("ok")
        before = utcnow()
        resp = self.sts_as(self.p.assumer).assume_role(RoleArn=role["Arn"], RoleSessionName=name,
                                                       DurationSeconds=900)
        c = resp["Credentials"]
        self.assertRegex(c["AccessKeyId"], ACCESS_KEY_RE)
        self.assertEqual(40, len(c["SecretAccessKey"]))
        self.assertGreater(len(c["SessionToken"]), 100)
        self.assertNear(c["Expiration"], before + datetime.timedelta(seconds=900))
        self.assertEqual("arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role["RoleName"], name),
                         resp["AssumedRoleUser"]["Arn"])
        self.assertEqual("%s:%s" % (role["RoleId"], name), resp["AssumedRoleUser"]["AssumedRoleId"])
        # every call gets new credentials
        again = self.sts_as(self.p.assumer).assume_role(RoleArn=role["Arn"], RoleSessionName=name)
        self.assertNotEqual(c["AccessKeyId"], again["Credentials"]["AccessKeyId"])
        self.assertNotEqual(c["SessionToken"], again["Credentials"]["SessionToken"])

    def test_default_duration_is_one_hour(self):
        role = self.p.role()
        before = utcnow()
        s = self.p.session(role)
        self.assertNear(s.expiration, before + datetime.timedelta(hours=1))

    def test_duration_up_to_max_session_duration(self):
        role = self.p.role(max_session=7200)
        before = utcnow()
        s = self.p.session(role, DurationSeconds=7200)
        self.assertNear(s.expiration, before + datetime.timedelta(seconds=7200))
        resp = check_error(self, "ValidationError", 400, self.p.session, role,
                           DurationSeconds=7201)
        self.assertIn("MaxSessionDuration", message(resp))

    def test_duration_above_default_max(self):
        role = self.p.role()  # MaxSessionDuration 3600
        check_error(self, "ValidationError", 400, self.p.session, role, DurationSeconds=3601)

    def test_role_chaining_limited_to_one_hour(self):
        first = self.p.role(inline=[doc(allow("sts:AssumeRole"))], max_session=7200)
        second = self.p.role(max_session=7200)
        s = self.p.session(first)
        check_error(self, "ValidationError", 400, self.p.session, second, creds=s,
                    DurationSeconds=7200)
        chained = self.p.session(second, creds=s, DurationSeconds=3600)
        self.assertIn("assumed-role/%s/" % second["RoleName"],
                      self.sts_as(chained).get_caller_identity()["Arn"])

    def test_unknown_role(self):
        arn = "arn:aws:iam::%s:role/%s" % (ACCOUNT, uniq("nosuch"))
        resp = check_error(self, "AccessDenied", 403, self.sts_as(self.p.assumer).assume_role,
                           RoleArn=arn, RoleSessionName="sx")
        self.assertIn(self.p.assumer.arn, message(resp))
        self.assertIn("sts:AssumeRole", message(resp))
        self.assertIn(arn, message(resp))

    def test_root_may_not_assume_roles(self):
        # even a trust policy naming the account: AWS refuses the root user
        role = self.p.role(trust_doc=trust())
        resp = check_error(self, "AccessDenied", 403, self.sts.assume_role,
                           RoleArn=role["Arn"], RoleSessionName="rootsess")
        self.assertEqual("Roles may not be assumed by root accounts.", message(resp))

    def test_trust_policy_names_another_user(self):
        trusted = self.p.user()
        other = self.p.user(inline=[doc(allow("sts:AssumeRole"))])
        role = self.p.role(trust_doc=trust(trusted.arn))
        # the trusted user needs no identity policy: the trust policy names it
        s = self.p.session(role, creds=trusted)
        self.assertIn(role["RoleName"], s.arn)
        resp = check_error(self, "AccessDenied", 403, self.p.session, role, creds=other)
        self.assertEqual("User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                         % (other.arn, role["Arn"]), message(resp))

    def test_trust_to_account_needs_identity_permission(self):
        role = self.p.role()  # trusts the account root
        nobody = self.p.user()
        resp = check_error(self, "AccessDenied", 403, self.p.session, role, creds=nobody)
        self.assertIn(nobody.arn, message(resp))
        self.assertIn("sts:AssumeRole", message(resp))
        # an identity policy allowing it on that role only
        only = self.p.user(inline=[doc(allow("sts:AssumeRole", role["Arn"]))])
        self.p.session(role, creds=only)
        other_role = self.p.role()
        check_error(self, "AccessDenied", 403, self.p.session, other_role, creds=only)

    def test_identity_deny_beats_trust(self):
        u = self.p.user(inline=[doc(deny("sts:AssumeRole"))])
        role = self.p.role(trust_doc=trust(u.arn))
        check_error(self, "AccessDenied", 403, self.p.session, role, creds=u)

    def test_trust_policy_update_takes_effect(self):
        u = self.p.user()
        role = self.p.role(trust_doc=trust(u.arn))
        self.p.session(role, creds=u)
        self.iam.update_assume_role_policy(RoleName=role["RoleName"],
                                           PolicyDocument=trust(self.p.assumer.arn))
        check_error(self, "AccessDenied", 403, self.p.session, role, creds=u)
        self.p.session(role)

    def test_external_id(self):
        role = self.p.role(trust_doc=trust(condition={"StringEquals": {"sts:ExternalId": "ext-42"}}))
        check_error(self, "AccessDenied", 403, self.p.session, role)
        check_error(self, "AccessDenied", 403, self.p.session, role, ExternalId="ext-43")
        s = self.p.session(role, ExternalId="ext-42")
        self.assertIn(role["RoleName"], self.sts_as(s).get_caller_identity()["Arn"])

    def test_role_session_name_condition(self):
        role = self.p.role(trust_doc=trust(
            condition={"StringLike": {"sts:RoleSessionName": "ci-*"}}))
        self.p.session(role, name="ci-build-1")
        check_error(self, "AccessDenied", 403, self.p.session, role, name="laptop")

    def test_session_policy_limits_role(self):
        role = self.p.role(inline=[doc(allow(["s3:*", "kms:*"]))])
        full = self.p.session(role)
        bucket = uniq("sp")
        client(self.server, "s3", full).create_bucket(Bucket=bucket)
        limited = self.p.session(role, Policy=doc(allow("s3:ListAllMyBuckets")))
        names = [b["Name"] for b in client(self.server, "s3", limited).list_buckets()["Buckets"]]
        self.assertIn(bucket, names)
        resp = check_denied(self, "s3", client(self.server, "s3", limited).create_bucket,
                            Bucket=uniq("sp2"))
        self.assertIn("because no session policy allows the s3:CreateBucket action",
                      message(resp))
        check_denied(self, "kms", client(self.server, "kms", limited).list_keys)
        # a session policy cannot grant what the role does not have
        wider = self.p.session(role, Policy=doc(allow("*")))
        check_denied(self, "secretsmanager",
                     client(self.server, "secretsmanager", wider).list_secrets)
        client(self.server, "kms", wider).list_keys()

    def test_session_policy_deny(self):
        role = self.p.role(inline=[doc(allow("s3:*"))])
        s = self.p.session(role, Policy=doc(allow("s3:*"), deny("s3:ListAllMyBuckets")))
        resp = check_denied(self, "s3", client(self.server, "s3", s).list_buckets)
        self.assertIn("with an explicit deny in a session policy", message(resp))

    def test_malformed_session_policy(self):
        role = self.p.role()
        check_error(self, "MalformedPolicyDocument", 400, self.p.session, role, Policy="{not json")

    def test_policy_arns(self):
        role = self.p.role(inline=[doc(allow(["s3:*", "kms:*"]))])
        s = self.p.session(role, PolicyArns=[
            {"arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}])
        client(self.server, "s3", s).list_buckets()
        check_denied(self, "s3", client(self.server, "s3", s).create_bucket, Bucket=uniq("pa"))
        check_denied(self, "kms", client(self.server, "kms", s).list_keys)
        # a customer managed policy works as well
        mp = self.p.managed(doc(allow("kms:ListKeys")))
        s2 = self.p.session(role, PolicyArns=[{"arn": mp}])
        client(self.server, "kms", s2).list_keys()
        check_denied(self, "s3", client(self.server, "s3", s2).list_buckets)

    def test_policy_arns_unknown_policy(self):
        role = self.p.role()
        resp = error_of(self.p.session, role, PolicyArns=[
            {"arn": "arn:aws:iam::%s:policy/%s" % (ACCOUNT, uniq("none"))}])
        self.assertIsNotNone(resp, "AssumeRole with an unknown policy ARN succeeded")
        self.assertEqual(400, resp["ResponseMetadata"]["HTTPStatusCode"])

    def test_session_tags_as_principal_tags(self):
        role = self.p.role(inline=[doc(allow(
            "s3:ListAllMyBuckets",
            Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}))])
        red = self.p.session(role, Tags=[{"Key": "team", "Value": "red"}])
        client(self.server, "s3", red).list_buckets()
        blue = self.p.session(role, Tags=[{"Key": "team", "Value": "blue"}])
        check_denied(self, "s3", client(self.server, "s3", blue).list_buckets)
        untagged = self.p.session(role)
        check_denied(self, "s3", client(self.server, "s3", untagged).list_buckets)

    def test_session_tag_overrides_role_tag(self):
        role = self.p.role(tags={"team": "blue"}, inline=[doc(allow(
            "s3:ListAllMyBuckets",
            Condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}))])
        check_denied(self, "s3", client(self.server, "s3", self.p.session(role)).list_buckets)
        s = self.p.session(role, Tags=[{"Key": "team", "Value": "red"}])
        client(self.server, "s3", s).list_buckets()

    def test_session_tags_in_resource_via_variable(self):
        bucket = uniq("tagvar")
        s3 = client(self.server, "s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="red/a.txt", Body=b"red")
        s3.put_object(Bucket=bucket, Key="blue/a.txt", Body=b"blue")
        role = self.p.role(inline=[doc(allow(
            "s3:GetObject", "arn:aws:s3:::%s/${aws:PrincipalTag/team}/*" % bucket))])
        s = client(self.server, "s3", self.p.session(role, Tags=[{"Key": "team", "Value": "red"}]))
        self.assertEqual(b"red", s.get_object(Bucket=bucket, Key="red/a.txt")["Body"].read())
        check_denied(self, "s3", s.get_object, Bucket=bucket, Key="blue/a.txt")

    def test_tags_need_tag_session_permission(self):
        # the trust policy allows sts:AssumeRole but not sts:TagSession
        role = self.p.role(trust_doc=trust(actions=("sts:AssumeRole",)))
        self.p.session(role)
        check_error(self, "AccessDenied", 403, self.p.session, role,
                    Tags=[{"Key": "team", "Value": "red"}])

    def test_session_can_assume_another_role(self):
        target = self.p.role(inline=[doc(allow("kms:ListKeys"))])
        hop = self.p.role(inline=[doc(allow("sts:AssumeRole", target["Arn"]))])
        s1 = self.p.session(hop)
        check_denied(self, "kms", client(self.server, "kms", s1).list_keys)
        s2 = self.p.session(target, creds=s1)
        client(self.server, "kms", s2).list_keys()

    def test_invalid_session_name(self):
        role = self.p.role()
        sts = self.sts_as(self.p.assumer, validate=False)
        check_error(self, "ValidationError", 400, sts.assume_role, RoleArn=role["Arn"],
                    RoleSessionName="has space")

    def test_assumed_role_permissions(self):
        role = self.p.role(managed=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
        s = self.p.session(role)
        client(self.server, "s3", s).list_buckets()
        resp = check_denied(self, "kms", client(self.server, "kms", s).list_keys)
        self.assertEqual("User: %s is not authorized to perform: kms:ListKeys %s"
                         % (s.arn, no_identity("kms:ListKeys")), message(resp))


# --------------------------------------------------------------------------
# Invalid session tokens
# --------------------------------------------------------------------------

class SessionTokenTests(StsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        role = cls.p.role(managed=["arn:aws:iam::aws:policy/AdministratorAccess"])
        cls.session = cls.p.session(role)

    def calls(self, token):
        """(service, code, status, call) for each service with the session's
        key and the given token ("" for none)."""
        s = self.session
        return [
            ("kms", client(self.server, "kms", s, token=token).list_keys),
            ("secretsmanager", client(self.server, "secretsmanager", s, token=token).list_secrets),
            ("s3", client(self.server, "s3", s, token=token).list_buckets),
            ("sts", client(self.server, "sts", s, token=token).get_caller_identity),
            ("iam", client(self.server, "iam", s, token=token).list_users),
        ]

    def test_right_token_works_everywhere(self):
        for service, call in self.calls(self.session.token):
            with self.subTest(service=service):
                call()

    def test_wrong_token(self):
        wrong = base64.b64encode(os.urandom(256)).decode()
        want = {"kms": ("UnrecognizedClientException", 400),
                "secretsmanager": ("UnrecognizedClientException", 400),
                "s3": ("InvalidToken", 400),
                "sts": ("InvalidClientTokenId", 403),
                "iam": ("InvalidClientTokenId", 403)}
        for service, call in self.calls(wrong):
            with self.subTest(service=service):
                check_error(self, want[service][0], want[service][1], call)

    def test_missing_token(self):
        want = {"kms": ("UnrecognizedClientException", 400),
                "secretsmanager": ("UnrecognizedClientException", 400),
                "s3": ("InvalidAccessKeyId", 403),
                "sts": ("InvalidClientTokenId", 403),
                "iam": ("InvalidClientTokenId", 403)}
        for service, call in self.calls(""):
            with self.subTest(service=service):
                check_error(self, want[service][0], want[service][1], call)

    def test_token_of_another_session(self):
        other = self.p.session(self.p.role())
        check_error(self, "InvalidClientTokenId", 403,
                    client(self.server, "sts", self.session, token=other.token).get_caller_identity)

    def test_wrong_secret_with_right_token(self):
        bad = Creds(self.session.access_key, "x" * 40, self.session.token)
        check_error(self, "SignatureDoesNotMatch", 403,
                    client(self.server, "sts", bad).get_caller_identity)
        check_error(self, "InvalidSignatureException", 400, client(self.server, "kms", bad).list_keys)


# --------------------------------------------------------------------------
# Expiry (own server: moves the clock)
# --------------------------------------------------------------------------

class ExpiryTests(StsTestCase):
    own_server = True

    def test_assumed_role_credentials_expire(self):
        role = self.p.role(managed=["arn:aws:iam::aws:policy/AdministratorAccess"])
        s = self.p.session(role, DurationSeconds=900)
        calls = {
            "kms": (client(self.server, "kms", s).list_keys, "ExpiredTokenException", 400),
            "secretsmanager": (client(self.server, "secretsmanager", s).list_secrets,
                               "ExpiredTokenException", 400),
            "s3": (client(self.server, "s3", s).list_buckets, "ExpiredToken", 400),
            "sts": (client(self.server, "sts", s).get_caller_identity, "ExpiredToken", 403),
            "iam": (client(self.server, "iam", s).list_users, "ExpiredToken", 403),
        }
        for service, (call, _, _) in calls.items():
            with self.subTest(service=service, when="before"):
                call()
        advance_clock(self.server, 800)
        for service, (call, _, _) in calls.items():
            with self.subTest(service=service, when="still valid"):
                call()
        advance_clock(self.server, 101)
        for service, (call, code, status) in calls.items():
            with self.subTest(service=service, when="expired"):
                check_error(self, code, status, call)
        # new credentials work again
        fresh = self.p.session(role, DurationSeconds=900)
        client(self.server, "kms", fresh).list_keys()

    def test_expiration_follows_emulated_clock(self):
        advance_clock(self.server, 3 * 86400)
        role = self.p.role()
        now = emulated_now(self.server)
        s = self.p.session(role, DurationSeconds=1800)
        self.assertNear(s.expiration, now + datetime.timedelta(seconds=1800))

    def test_session_token_credentials_expire(self):
        u = self.p.user(inline=[doc(allow("s3:ListAllMyBuckets"))])
        s = Creds.from_sts(self.sts_as(u).get_session_token(DurationSeconds=900), arn=u.arn)
        client(self.server, "s3", s).list_buckets()
        advance_clock(self.server, 901)
        check_error(self, "ExpiredToken", 400, client(self.server, "s3", s).list_buckets)
        check_error(self, "ExpiredToken", 403, client(self.server, "sts", s).get_caller_identity)
        # the user's own keys are not temporary
        client(self.server, "s3", u).list_buckets()


# --------------------------------------------------------------------------
# GetSessionToken
# --------------------------------------------------------------------------

class GetSessionTokenTests(StsTestCase):
    def test_user_session(self):
        u = self.p.user(inline=[doc(allow("s3:ListAllMyBuckets"))])
        before = utcnow()
        resp = self.sts_as(u).get_session_token()
        c = resp["Credentials"]
        self.assertRegex(c["AccessKeyId"], ACCESS_KEY_RE)
        self.assertEqual(40, len(c["SecretAccessKey"]))
        self.assertTrue(c["SessionToken"])
        self.assertNear(c["Expiration"], before + datetime.timedelta(hours=12))
        s = Creds.from_sts(resp, arn=u.arn)
        ident = self.sts_as(s).get_caller_identity()
        # the session acts as the user
        self.assertEqual(u.arn, ident["Arn"])
        self.assertEqual(u.user_id, ident["UserId"])
        client(self.server, "s3", s).list_buckets()
        check_denied(self, "kms", client(self.server, "kms", s).list_keys)

    def test_duration(self):
        u = self.p.user()
        before = utcnow()
        c = self.sts_as(u).get_session_token(DurationSeconds=900)["Credentials"]
        self.assertNear(c["Expiration"], before + datetime.timedelta(seconds=900))
        sts = self.sts_as(u, validate=False)
        check_error(self, "ValidationError", 400, sts.get_session_token, DurationSeconds=899)
        check_error(self, "ValidationError", 400, sts.get_session_token, DurationSeconds=129601)

    def test_root_session_lasts_at_most_an_hour(self):
        before = utcnow()
        c = self.sts.get_session_token(DurationSeconds=7200)["Credentials"]
        self.assertLessEqual((to_datetime(c["Expiration"]) - before).total_seconds(), 3600 + 60)
        s = Creds.from_sts({"Credentials": c})
        self.assertEqual(ROOT_ARN, self.sts_as(s).get_caller_identity()["Arn"])

    def test_not_with_session_credentials(self):
        u = self.p.user()
        s = Creds.from_sts(self.sts_as(u).get_session_token(), arn=u.arn)
        check_error(self, "AccessDenied", 403, self.sts_as(s).get_session_token)
        role_session = self.p.session(self.p.role())
        check_error(self, "AccessDenied", 403, self.sts_as(role_session).get_session_token)

    def test_session_cannot_call_iam(self):
        u = self.p.user(managed=["arn:aws:iam::aws:policy/AdministratorAccess"])
        client(self.server, "iam", u).list_users()
        s = Creds.from_sts(self.sts_as(u).get_session_token(), arn=u.arn)
        check_error(self, "AccessDenied", 403, client(self.server, "iam", s).list_users)
        # other services are fine
        client(self.server, "kms", s).list_keys()

    def test_session_can_assume_role(self):
        u = self.p.user(inline=[doc(allow("sts:AssumeRole"))])
        role = self.p.role()
        s = Creds.from_sts(self.sts_as(u).get_session_token(), arn=u.arn)
        rs = self.p.session(role, creds=s)
        self.assertIn(role["RoleName"], self.sts_as(rs).get_caller_identity()["Arn"])


# --------------------------------------------------------------------------
# GetAccessKeyInfo
# --------------------------------------------------------------------------

class AccessKeyInfoTests(StsTestCase):
    def test_user_key(self):
        u = self.p.user()
        self.assertEqual(ACCOUNT, self.sts.get_access_key_info(AccessKeyId=u.access_key)["Account"])

    def test_session_key(self):
        s = self.p.session(self.p.role())
        self.assertEqual(ACCOUNT, self.sts.get_access_key_info(AccessKeyId=s.access_key)["Account"])

    def test_needs_permission(self):
        u = self.p.user()
        resp = check_error(self, "AccessDenied", 403, self.sts_as(u).get_access_key_info,
                           AccessKeyId=u.access_key)
        self.assertEqual("User: %s is not authorized to perform: sts:GetAccessKeyInfo %s"
                         % (u.arn, no_identity("sts:GetAccessKeyInfo")), message(resp))
        allowed = self.p.user(inline=[doc(allow("sts:GetAccessKeyInfo"))])
        self.assertEqual(ACCOUNT, self.sts_as(allowed).get_access_key_info(
            AccessKeyId=u.access_key)["Account"])

    def test_invalid_key_id(self):
        sts = client(self.server, "sts", validate=False)
        check_error(self, "ValidationError", 400, sts.get_access_key_info, AccessKeyId="AKIA-bad!")


# --------------------------------------------------------------------------
# DecodeAuthorizationMessage
# --------------------------------------------------------------------------

class DecodeAuthorizationMessageTests(StsTestCase):
    def denial(self, service="s3"):
        """A user's denied request: (user, encoded message from the log)."""
        u = self.p.user()
        if service == "s3":
            resp = check_denied(self, "s3", client(self.server, "s3", u).list_buckets)
        else:
            resp = check_denied(self, "kms", client(self.server, "kms", u).list_keys)
        rid = request_id(resp)
        self.assertTrue(rid, resp)
        line = log_line(self.server, rid)
        self.assertIsNotNone(line, "no access-log line for request %s" % rid)
        enc = encoded_message(self.server, rid)
        self.assertIsNotNone(enc, "no encoded= in the log line: %s" % line)
        return u, enc

    def test_round_trip(self):
        for service, action in (("s3", "s3:ListAllMyBuckets"), ("kms", "kms:ListKeys")):
            with self.subTest(service=service):
                u, enc = self.denial(service)
                out = self.sts.decode_authorization_message(EncodedMessage=enc)["DecodedMessage"]
                d = json.loads(out)
                self.assertIs(False, d["allowed"])
                self.assertIs(False, d["explicitDeny"])
                self.assertEqual(u.arn, d["context"]["principal"]["arn"])
                self.assertEqual(u.user_id, d["context"]["principal"]["id"])
                self.assertEqual(action, d["context"]["action"])
                self.assertEqual("*", d["context"]["resource"])
                keys = {c["key"] for c in d["context"]["conditions"]["items"]}
                self.assertIn("aws:username", keys)

    def test_explicit_deny_names_statement(self):
        u = self.p.user(inline=[doc(allow("s3:*"),
                                    dict(deny("s3:ListAllMyBuckets"), Sid="NoListing"))])
        resp = check_denied(self, "s3", client(self.server, "s3", u).list_buckets)
        enc = encoded_message(self.server, request_id(resp))
        self.assertIsNotNone(enc, log_line(self.server, request_id(resp)))
        d = json.loads(self.sts.decode_authorization_message(EncodedMessage=enc)["DecodedMessage"])
        self.assertIs(True, d["explicitDeny"])
        items = d["matchedStatements"]["items"]
        self.assertEqual(1, len(items), items)
        self.assertEqual("NoListing", items[0]["statementId"])
        self.assertEqual("DENY", items[0]["effect"])

    def test_needs_permission(self):
        _, enc = self.denial()
        u = self.p.user()
        check_error(self, "AccessDenied", 403, self.sts_as(u).decode_authorization_message,
                    EncodedMessage=enc)
        allowed = self.p.user(inline=[doc(allow("sts:DecodeAuthorizationMessage"))])
        d = json.loads(self.sts_as(allowed).decode_authorization_message(
            EncodedMessage=enc)["DecodedMessage"])
        self.assertIs(False, d["allowed"])

    def test_invalid_message(self):
        check_error(self, "InvalidAuthorizationMessageException", 400,
                    self.sts.decode_authorization_message, EncodedMessage="not-a-message")
        check_error(self, "InvalidAuthorizationMessageException", 400,
                    self.sts.decode_authorization_message,
                    EncodedMessage=base64.b64encode(os.urandom(200)).decode())

    def test_tampered_message(self):
        _, enc = self.denial()
        raw = bytearray(base64.b64decode(enc))
        raw[len(raw) // 2] ^= 1
        check_error(self, "InvalidAuthorizationMessageException", 400,
                    self.sts.decode_authorization_message,
                    EncodedMessage=base64.b64encode(bytes(raw)).decode())


if __name__ == "__main__":
    unittest.main()


# --------------------------------------------------------------------------
# Routing: a Query request goes to the service whose rows have its Action
# --------------------------------------------------------------------------

class QueryRoutingTests(ServerTestCase):
    """Issue 12: the router once kept its own list of STS actions, which
    drifted: an unsigned GET /?Action=GetWebIdentityToken answered IAM's
    InvalidAction. Now the rows decide (emulator/router.c query_action)."""

    def get(self, query):
        import urllib.error
        import urllib.request
        try:
            with urllib.request.urlopen(self.server.url + "/?" + query, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_every_sts_action_reaches_sts(self):
        import botocore.session
        model = botocore.session.get_session().get_service_model("sts")
        for op in model.operation_names:
            status, body = self.get("Action=%s&Version=2011-06-15" % op)
            self.assertNotIn("InvalidAction", body, op)
            self.assertIn('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"', body, op)

    def test_unsigned_get_web_identity_token_is_sts(self):
        status, body = self.get("Action=GetWebIdentityToken&Version=2011-06-15")
        self.assertEqual(400, status, body)
        self.assertIn("<Code>ValidationError</Code>", body)
        self.assertIn('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"', body)

    def test_an_action_cut_by_a_nul_selects_no_row(self):
        # "AssumeRole\0x" is no operation: it must not reach STS's AssumeRole
        # row by its C-string prefix; the first Query service (IAM) refuses
        # its text
        status, body = self.get("Action=AssumeRole%00x&Version=2011-06-15")
        self.assertEqual(400, status, body)
        self.assertIn("<Code>ValidationError</Code>", body)
        self.assertIn('xmlns="https://iam.amazonaws.com/doc/2010-05-08/"', body)

    def test_unknown_action_is_iams_invalid_action(self):
        status, body = self.get("Action=NoSuchThing&Version=2010-05-08")
        self.assertEqual(400, status, body)
        self.assertIn("<Code>InvalidAction</Code>", body)
        self.assertIn("Could not find operation NoSuchThing for version 2010-05-08", body)
