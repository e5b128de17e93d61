"""IAM black-box tests through boto3 and the aws CLI, against AWS's documented
behaviour (botocore's iam 2010-05-08 model, the IAM API reference and quotas):
users, access keys, groups, roles, managed policies and versions, the built-in
AWS managed policies, attachments, inline policies, instance profiles, tags,
paging, GetAccountAuthorizationDetails, persistence and keys at rest.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import uuid

from botocore.exceptions import ClientError

from harness import DEFAULT_ACCOUNT, EXTERNAL_URL, Server, ServerTestCase, scan_for

ACCOUNT = DEFAULT_ACCOUNT
AWS = shutil.which("aws")
ID_RE = r"[A-Z2-7]{17}"

TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}
S3_READ = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                          "Resource": "*"}]}
KMS_ALL = {"Version": "2012-10-17",
           "Statement": [{"Sid": "k", "Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
AWS_POLICY = "arn:aws:iam::aws:policy/"


def uniq(prefix="u"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


class IamCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.iam = cls.server.client("iam")
        cls.iam_nv = cls.server.client("iam", validate=False)

    def err(self, code, status, fn, *args, message=None, **kwargs):
        """fn must fail with code and HTTP status (and message, a regex)."""
        try:
            fn(*args, **kwargs)
        except ClientError as e:
            got = e.response.get("Error", {})
            self.assertEqual(code, got.get("Code"), "message: %r" % got.get("Message"))
            self.assertEqual(status, e.response["ResponseMetadata"]["HTTPStatusCode"])
            if message is not None:
                self.assertRegex(got.get("Message", ""), message)
            return got.get("Message")
        self.fail("expected %s, call succeeded" % code)

    def user(self, **kw):
        name = kw.pop("UserName", None) or uniq("user")
        return self.iam.create_user(UserName=name, **kw)["User"]

    def role(self, **kw):
        name = kw.pop("RoleName", None) or uniq("role")
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                                    **kw)["Role"]

    def policy(self, doc=S3_READ, **kw):
        name = kw.pop("PolicyName", None) or uniq("pol")
        return self.iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(doc), **kw)["Policy"]

    def group(self, **kw):
        name = kw.pop("GroupName", None) or uniq("grp")
        return self.iam.create_group(GroupName=name, **kw)["Group"]

    def pages(self, fn, key, **kw):
        """All items over Marker paging, checking each page's size."""
        out, n = [], kw.get("MaxItems")
        for _ in range(200):
            r = fn(**kw)
            if n:
                self.assertLessEqual(len(r[key]), n)
            out += r[key]
            if not r["IsTruncated"]:
                self.assertNotIn("Marker", r)
                return out
            self.assertTrue(r["Marker"])
            kw["Marker"] = r["Marker"]
        self.fail("paging does not end")


# ==========================================================================
# Users
# ==========================================================================

class UserTests(IamCase):
    def test_create_get(self):
        name = uniq("alice")
        u = self.iam.create_user(UserName=name, Path="/team/a/",
                                 Tags=[{"Key": "dept", "Value": "eng"}])["User"]
        self.assertEqual(name, u["UserName"])
        self.assertEqual("/team/a/", u["Path"])
        self.assertRegex(u["UserId"], "^AIDA" + ID_RE + "$")
        self.assertEqual("arn:aws:iam::%s:user/team/a/%s" % (ACCOUNT, name), u["Arn"])
        self.assertRecent(u["CreateDate"])
        self.assertEqual([{"Key": "dept", "Value": "eng"}], u["Tags"])
        g = self.iam.get_user(UserName=name)["User"]
        for k in ("UserName", "UserId", "Arn", "Path", "Tags"):
            self.assertEqual(u[k], g[k])

    def test_names_case_insensitive(self):
        name = uniq("CaseUser")
        self.user(UserName=name)
        self.assertEqual(name, self.iam.get_user(UserName=name.lower())["User"]["UserName"])
        self.err("EntityAlreadyExists", 409, self.iam.create_user, UserName=name.upper(),
                 message="^User with name %s already exists.$" % name.upper())

    def test_get_user_without_name_is_root(self):
        u = self.iam.get_user()["User"]
        self.assertEqual(ACCOUNT, u["UserId"])
        self.assertEqual("arn:aws:iam::%s:root" % ACCOUNT, u["Arn"])
        self.assertNotIn("UserName", u)

    def test_missing_user(self):
        self.err("NoSuchEntity", 404, self.iam.get_user, UserName="nobody-here",
                 message="^The user with name nobody-here cannot be found.$")

    def test_validation(self):
        self.err("ValidationError", 400, self.iam_nv.create_user, UserName="bad name")
        self.err("ValidationError", 400, self.iam_nv.create_user, UserName="x" * 65)
        self.err("ValidationError", 400, self.iam_nv.create_user, UserName=uniq(), Path="nopath")
        self.err("ValidationError", 400, self.iam_nv.create_user, UserName=uniq(), Path="/a")
        self.err("ValidationError", 400, self.iam_nv.create_user, UserName="")
        self.user(UserName="a+b=c,d.e@f-g_" + uuid.uuid4().hex[:6])
        self.user(UserName="x" * 64)

    def test_update_user_rename_moves_everything(self):
        old, new = uniq("old"), uniq("new")
        self.user(UserName=old, Tags=[{"Key": "k", "Value": "v"}])
        g = self.group()["GroupName"]
        self.iam.add_user_to_group(GroupName=g, UserName=old)
        key = self.iam.create_access_key(UserName=old)["AccessKey"]["AccessKeyId"]
        self.iam.put_user_policy(UserName=old, PolicyName="inl", PolicyDocument=json.dumps(S3_READ))
        self.iam.attach_user_policy(UserName=old, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
        self.iam.update_user(UserName=old, NewUserName=new, NewPath="/moved/")
        self.err("NoSuchEntity", 404, self.iam.get_user, UserName=old)
        u = self.iam.get_user(UserName=new)["User"]
        self.assertEqual("/moved/", u["Path"])
        self.assertEqual("arn:aws:iam::%s:user/moved/%s" % (ACCOUNT, new), u["Arn"])
        self.assertEqual([{"Key": "k", "Value": "v"}], u["Tags"])
        self.assertEqual([g], [x["GroupName"] for x in self.iam.list_groups_for_user(UserName=new)["Groups"]])
        self.assertEqual([key], [k["AccessKeyId"] for k in self.iam.list_access_keys(UserName=new)["AccessKeyMetadata"]])
        self.assertEqual(["inl"], self.iam.list_user_policies(UserName=new)["PolicyNames"])
        self.assertEqual(["ReadOnlyAccess"], [p["PolicyName"] for p in
                                              self.iam.list_attached_user_policies(UserName=new)["AttachedPolicies"]])

    def test_update_user_conflicts(self):
        a, b = self.user()["UserName"], self.user()["UserName"]
        self.err("EntityAlreadyExists", 409, self.iam.update_user, UserName=a, NewUserName=b.upper())
        self.err("NoSuchEntity", 404, self.iam.update_user, UserName="ghost-user", NewUserName="x")
        # a change of case only is a rename to itself
        self.iam.update_user(UserName=a, NewUserName=a.upper())
        self.assertEqual(a.upper(), self.iam.get_user(UserName=a)["User"]["UserName"])

    def test_delete_conflict_chain(self):
        name = self.user()["UserName"]
        key = self.iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        self.iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(S3_READ))
        pol = self.policy()["Arn"]
        self.iam.attach_user_policy(UserName=name, PolicyArn=pol)
        g = self.group()["GroupName"]
        self.iam.add_user_to_group(GroupName=g, UserName=name)
        self.err("DeleteConflict", 409, self.iam.delete_user, UserName=name,
                 message="^Cannot delete entity, must delete access keys first.$")
        self.iam.delete_access_key(UserName=name, AccessKeyId=key)
        self.err("DeleteConflict", 409, self.iam.delete_user, UserName=name,
                 message="must delete policies first")
        self.iam.delete_user_policy(UserName=name, PolicyName="p")
        self.err("DeleteConflict", 409, self.iam.delete_user, UserName=name,
                 message="must detach all policies first")
        self.iam.detach_user_policy(UserName=name, PolicyArn=pol)
        self.err("DeleteConflict", 409, self.iam.delete_user, UserName=name,
                 message="must remove user from all groups first")
        self.iam.remove_user_from_group(GroupName=g, UserName=name)
        self.iam.delete_user(UserName=name)
        self.err("NoSuchEntity", 404, self.iam.get_user, UserName=name)
        self.err("NoSuchEntity", 404, self.iam.delete_user, UserName=name)

    def test_list_users_paging_and_prefix(self):
        prefix = "/page-%s/" % uuid.uuid4().hex[:8]
        names = sorted(uniq("pg%d" % i) for i in range(7))
        for n in names:
            self.user(UserName=n, Path=prefix)
        got = self.pages(self.iam.list_users, "Users", PathPrefix=prefix, MaxItems=3)
        self.assertEqual(names, sorted(u["UserName"] for u in got))
        self.assertEqual(7, len(got))
        for u in got:
            self.assertNotIn("Tags", u)
        all_users = self.pages(self.iam.list_users, "Users")
        self.assertTrue(set(names) <= {u["UserName"] for u in all_users})
        self.err("ValidationError", 400, self.iam_nv.list_users, MaxItems=0)
        self.err("ValidationError", 400, self.iam_nv.list_users, MaxItems=1001)

    def test_paginator(self):
        prefix = "/pgn-%s/" % uuid.uuid4().hex[:8]
        for i in range(5):
            self.user(Path=prefix)
        p = self.iam.get_paginator("list_users")
        users = [u for page in p.paginate(PathPrefix=prefix, PaginationConfig={"PageSize": 2})
                 for u in page["Users"]]
        self.assertEqual(5, len(users))

    def test_tags(self):
        name = self.user(Tags=[{"Key": "a", "Value": "1"}])["UserName"]
        self.iam.tag_user(UserName=name, Tags=[{"Key": "b", "Value": "2"}, {"Key": "A", "Value": "3"}])
        tags = {t["Key"]: t["Value"] for t in self.iam.list_user_tags(UserName=name)["Tags"]}
        self.assertEqual({"A": "3", "b": "2"}, tags)
        self.iam.untag_user(UserName=name, TagKeys=["b", "missing"])
        self.assertEqual([{"Key": "A", "Value": "3"}], self.iam.list_user_tags(UserName=name)["Tags"])
        self.err("InvalidInput", 400, self.iam.tag_user, UserName=name,
                 Tags=[{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}])
        self.err("ValidationError", 400, self.iam_nv.tag_user, UserName=name,
                 Tags=[{"Key": "k" * 129, "Value": "1"}])
        self.err("ValidationError", 400, self.iam_nv.tag_user, UserName=name,
                 Tags=[{"Key": "k", "Value": "v" * 257}])
        self.err("ValidationError", 400, self.iam_nv.tag_user, UserName=name,
                 Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(51)])
        self.iam.tag_user(UserName=name, Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(49)])
        self.err("LimitExceeded", 409, self.iam.tag_user, UserName=name,
                 Tags=[{"Key": "one-more", "Value": "v"}])
        self.assertEqual(50, len(self.pages(self.iam.list_user_tags, "Tags", UserName=name, MaxItems=20)))
        self.err("NoSuchEntity", 404, self.iam.tag_user, UserName="ghost-tag",
                 Tags=[{"Key": "a", "Value": "b"}])

    def test_permissions_boundary(self):
        pol = self.policy()["Arn"]
        u = self.user(PermissionsBoundary=pol)
        self.assertEqual({"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                          "PermissionsBoundaryArn": pol}, u["PermissionsBoundary"])
        self.assertEqual(1, self.iam.get_policy(PolicyArn=pol)["Policy"]["PermissionsBoundaryUsageCount"])
        self.iam.delete_user_permissions_boundary(UserName=u["UserName"])
        self.assertNotIn("PermissionsBoundary", self.iam.get_user(UserName=u["UserName"])["User"])
        self.iam.put_user_permissions_boundary(UserName=u["UserName"],
                                               PermissionsBoundary=AWS_POLICY + "AmazonS3ReadOnlyAccess")
        self.assertEqual(AWS_POLICY + "AmazonS3ReadOnlyAccess",
                         self.iam.get_user(UserName=u["UserName"])["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"])
        self.err("NoSuchEntity", 404, self.iam.put_user_permissions_boundary, UserName=u["UserName"],
                 PermissionsBoundary="arn:aws:iam::%s:policy/not-there" % ACCOUNT)
        self.err("NoSuchEntity", 404, self.iam.create_user, UserName=uniq(),
                 PermissionsBoundary="arn:aws:iam::%s:policy/not-there" % ACCOUNT)


# ==========================================================================
# Access keys
# ==========================================================================

class AccessKeyTests(IamCase):
    def test_create_list_update_delete(self):
        name = self.user()["UserName"]
        k = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.assertRegex(k["AccessKeyId"], "^AKIA[A-Z2-7]{16}$")
        self.assertRegex(k["SecretAccessKey"], "^[A-Za-z0-9+/]{40}$")
        self.assertEqual("Active", k["Status"])
        self.assertEqual(name, k["UserName"])
        md = self.iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
        self.assertEqual([k["AccessKeyId"]], [m["AccessKeyId"] for m in md])
        self.assertNotIn("SecretAccessKey", md[0])
        self.iam.update_access_key(UserName=name, AccessKeyId=k["AccessKeyId"], Status="Inactive")
        self.assertEqual("Inactive", self.iam.list_access_keys(UserName=name)["AccessKeyMetadata"][0]["Status"])
        self.err("ValidationError", 400, self.iam_nv.update_access_key, UserName=name,
                 AccessKeyId=k["AccessKeyId"], Status="Sleeping")
        self.iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
        self.assertEqual([], self.iam.list_access_keys(UserName=name)["AccessKeyMetadata"])
        self.err("NoSuchEntity", 404, self.iam.delete_access_key, UserName=name,
                 AccessKeyId=k["AccessKeyId"])

    def test_two_keys_max(self):
        name = self.user()["UserName"]
        a = self.iam.create_access_key(UserName=name)["AccessKey"]
        b = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.assertNotEqual(a["AccessKeyId"], b["AccessKeyId"])
        self.assertNotEqual(a["SecretAccessKey"], b["SecretAccessKey"])
        self.err("LimitExceeded", 409, self.iam.create_access_key, UserName=name,
                 message="^Cannot exceed quota for AccessKeysPerUser: 2$")

    def test_unknown_user(self):
        self.err("NoSuchEntity", 404, self.iam.create_access_key, UserName="ghost-key-user")
        self.err("NoSuchEntity", 404, self.iam.list_access_keys, UserName="ghost-key-user")

    def test_key_of_another_user(self):
        a, b = self.user()["UserName"], self.user()["UserName"]
        k = self.iam.create_access_key(UserName=a)["AccessKey"]["AccessKeyId"]
        self.err("NoSuchEntity", 404, self.iam.update_access_key, UserName=b, AccessKeyId=k,
                 Status="Inactive")
        self.err("NoSuchEntity", 404, self.iam.delete_access_key, UserName=b, AccessKeyId=k)

    def test_last_used(self):
        name = self.user()["UserName"]
        k = self.iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
        r = self.iam.get_access_key_last_used(AccessKeyId=k)
        self.assertEqual(name, r["UserName"])
        self.assertEqual("N/A", r["AccessKeyLastUsed"]["ServiceName"])
        self.assertEqual("N/A", r["AccessKeyLastUsed"]["Region"])
        self.assertNotIn("LastUsedDate", r["AccessKeyLastUsed"])
        self.err("NoSuchEntity", 404, self.iam.get_access_key_last_used,
                 AccessKeyId="AKIAAAAAAAAAAAAAAAAA")
        self.err("ValidationError", 400, self.iam_nv.get_access_key_last_used, AccessKeyId="short")


# ==========================================================================
# Groups
# ==========================================================================

class GroupTests(IamCase):
    def test_lifecycle(self):
        name = uniq("Devs")
        g = self.iam.create_group(GroupName=name, Path="/eng/")["Group"]
        self.assertRegex(g["GroupId"], "^AGPA" + ID_RE + "$")
        self.assertEqual("arn:aws:iam::%s:group/eng/%s" % (ACCOUNT, name), g["Arn"])
        self.err("EntityAlreadyExists", 409, self.iam.create_group, GroupName=name.lower())
        users = sorted(self.user()["UserName"] for _ in range(3))
        for u in users:
            self.iam.add_user_to_group(GroupName=name.lower(), UserName=u)
        self.iam.add_user_to_group(GroupName=name, UserName=users[0])  # idempotent
        r = self.iam.get_group(GroupName=name)
        self.assertEqual(name, r["Group"]["GroupName"])
        self.assertEqual(users, sorted(u["UserName"] for u in r["Users"]))
        self.assertEqual(3, len(self.pages(self.iam.get_group, "Users", GroupName=name, MaxItems=2)))
        self.assertIn(name, [x["GroupName"] for x in
                             self.iam.list_groups_for_user(UserName=users[1])["Groups"]])
        self.assertIn(name, [x["GroupName"] for x in self.pages(self.iam.list_groups, "Groups",
                                                               PathPrefix="/eng/")])
        self.err("DeleteConflict", 409, self.iam.delete_group, GroupName=name,
                 message="must remove users from group first")
        for u in users:
            self.iam.remove_user_from_group(GroupName=name, UserName=u)
        self.err("NoSuchEntity", 404, self.iam.remove_user_from_group, GroupName=name,
                 UserName=users[0])
        self.iam.put_group_policy(GroupName=name, PolicyName="gp", PolicyDocument=json.dumps(S3_READ))
        self.err("DeleteConflict", 409, self.iam.delete_group, GroupName=name,
                 message="must delete policies first")
        self.iam.delete_group_policy(GroupName=name, PolicyName="gp")
        self.iam.attach_group_policy(GroupName=name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
        self.err("DeleteConflict", 409, self.iam.delete_group, GroupName=name,
                 message="must detach all policies first")
        self.iam.detach_group_policy(GroupName=name, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
        self.iam.delete_group(GroupName=name)
        self.err("NoSuchEntity", 404, self.iam.get_group, GroupName=name,
                 message="^The group with name %s cannot be found.$" % name)

    def test_update_group(self):
        old, new = uniq("g-old"), uniq("g-new")
        self.group(GroupName=old)
        u = self.user()["UserName"]
        self.iam.add_user_to_group(GroupName=old, UserName=u)
        self.iam.attach_group_policy(GroupName=old, PolicyArn=AWS_POLICY + "AdministratorAccess")
        self.iam.update_group(GroupName=old, NewGroupName=new, NewPath="/x/")
        r = self.iam.get_group(GroupName=new)
        self.assertEqual("/x/", r["Group"]["Path"])
        self.assertEqual([u], [x["UserName"] for x in r["Users"]])
        self.assertEqual(1, len(self.iam.list_attached_group_policies(GroupName=new)["AttachedPolicies"]))
        self.err("NoSuchEntity", 404, self.iam.get_group, GroupName=old)

    def test_membership_errors(self):
        g = self.group()["GroupName"]
        self.err("NoSuchEntity", 404, self.iam.add_user_to_group, GroupName=g, UserName="ghost-member")
        u = self.user()["UserName"]
        self.err("NoSuchEntity", 404, self.iam.add_user_to_group, GroupName="ghost-group", UserName=u)
        self.err("NoSuchEntity", 404, self.iam.list_groups_for_user, UserName="ghost-member")
        self.err("ValidationError", 400, self.iam_nv.create_group, GroupName="g" * 129)


# ==========================================================================
# Roles
# ==========================================================================

class RoleTests(IamCase):
    def test_create_get(self):
        name = uniq("Role")
        r = self.iam.create_role(RoleName=name, Path="/svc/", AssumeRolePolicyDocument=json.dumps(TRUST),
                                 Description="my role", MaxSessionDuration=7200,
                                 Tags=[{"Key": "team", "Value": "x"}])["Role"]
        self.assertRegex(r["RoleId"], "^AROA" + ID_RE + "$")
        self.assertEqual("arn:aws:iam::%s:role/svc/%s" % (ACCOUNT, name), r["Arn"])
        self.assertEqual(TRUST, r["AssumeRolePolicyDocument"])
        g = self.iam.get_role(RoleName=name.lower())["Role"]
        self.assertEqual(name, g["RoleName"])
        self.assertEqual(TRUST, g["AssumeRolePolicyDocument"])
        self.assertEqual("my role", g["Description"])
        self.assertEqual(7200, g["MaxSessionDuration"])
        self.assertEqual([{"Key": "team", "Value": "x"}], g["Tags"])
        self.assertEqual({}, g["RoleLastUsed"])
        self.err("EntityAlreadyExists", 409, self.role, RoleName=name.upper(),
                 message="^Role with name %s already exists.$" % name.upper())

    def test_document_round_trip_special_chars(self):
        doc = {"Version": "2012-10-17",
               "Statement": [{"Sid": "a", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                              "Action": "sts:AssumeRole",
                              "Condition": {"StringEquals": {"sts:ExternalId": "a+b c&d=e%20/é"}}}]}
        name = uniq("rt")
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(doc, indent=2))
        self.assertEqual(doc, self.iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"])

    def test_validation(self):
        self.err("ValidationError", 400, self.iam_nv.create_role, RoleName="r" * 65,
                 AssumeRolePolicyDocument=json.dumps(TRUST))
        self.err("ValidationError", 400, self.iam_nv.create_role, RoleName=uniq(),
                 AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=3599)
        self.err("ValidationError", 400, self.iam_nv.create_role, RoleName=uniq(),
                 AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=43201)
        self.err("MalformedPolicyDocument", 400, self.iam.create_role, RoleName=uniq(),
                 AssumeRolePolicyDocument="{not json")
        big = dict(TRUST)
        big["Statement"] = [dict(TRUST["Statement"][0], Sid="s%03d" % i) for i in range(40)]
        self.err("LimitExceeded", 409, self.iam.create_role, RoleName=uniq(),
                 AssumeRolePolicyDocument=json.dumps(big), message="ACLSizePerRole: 2048")
        self.err("NoSuchEntity", 404, self.iam.get_role, RoleName="ghost-role",
                 message="^The role with name ghost-role cannot be found.$")

    def test_updates(self):
        name = self.role()["RoleName"]
        self.iam.update_role(RoleName=name, Description="d2", MaxSessionDuration=43200)
        g = self.iam.get_role(RoleName=name)["Role"]
        self.assertEqual(("d2", 43200), (g["Description"], g["MaxSessionDuration"]))
        r = self.iam.update_role_description(RoleName=name, Description="d3")["Role"]
        self.assertEqual("d3", r["Description"])
        new_trust = {"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                    "Action": "sts:AssumeRole"}]}
        self.iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(new_trust))
        self.assertEqual(new_trust, self.iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"])
        self.err("MalformedPolicyDocument", 400, self.iam.update_assume_role_policy, RoleName=name,
                 PolicyDocument="[]")
        self.err("NoSuchEntity", 404, self.iam.update_role, RoleName="ghost-role", Description="x")
        self.err("ValidationError", 400, self.iam_nv.update_role, RoleName=name, MaxSessionDuration=60)

    def test_delete_conflicts(self):
        name = self.role()["RoleName"]
        prof = uniq("prof")
        self.iam.create_instance_profile(InstanceProfileName=prof)
        self.iam.add_role_to_instance_profile(InstanceProfileName=prof, RoleName=name)
        self.iam.attach_role_policy(RoleName=name, PolicyArn=AWS_POLICY + "AmazonS3FullAccess")
        self.iam.put_role_policy(RoleName=name, PolicyName="inl", PolicyDocument=json.dumps(KMS_ALL))
        self.err("DeleteConflict", 409, self.iam.delete_role, RoleName=name,
                 message="must remove roles from instance profile first")
        self.iam.remove_role_from_instance_profile(InstanceProfileName=prof, RoleName=name)
        self.err("DeleteConflict", 409, self.iam.delete_role, RoleName=name,
                 message="must detach all policies first")
        self.iam.detach_role_policy(RoleName=name, PolicyArn=AWS_POLICY + "AmazonS3FullAccess")
        self.err("DeleteConflict", 409, self.iam.delete_role, RoleName=name,
                 message="must delete policies first")
        self.iam.delete_role_policy(RoleName=name, PolicyName="inl")
        self.iam.delete_role(RoleName=name)
        self.err("NoSuchEntity", 404, self.iam.get_role, RoleName=name)

    def test_list_roles(self):
        prefix = "/lr-%s/" % uuid.uuid4().hex[:8]
        names = sorted(self.role(Path=prefix, Description="x")["RoleName"] for _ in range(5))
        got = self.pages(self.iam.list_roles, "Roles", PathPrefix=prefix, MaxItems=2)
        self.assertEqual(names, [r["RoleName"] for r in got])
        self.assertEqual(TRUST, got[0]["AssumeRolePolicyDocument"])
        self.assertNotIn("Tags", got[0])

    def test_tags_and_boundary(self):
        name = self.role()["RoleName"]
        self.iam.tag_role(RoleName=name, Tags=[{"Key": "a", "Value": ""}])
        self.assertEqual([{"Key": "a", "Value": ""}], self.iam.list_role_tags(RoleName=name)["Tags"])
        self.iam.untag_role(RoleName=name, TagKeys=["A"])
        self.assertEqual([], self.iam.list_role_tags(RoleName=name)["Tags"])
        self.iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=AWS_POLICY + "ReadOnlyAccess")
        self.assertEqual(AWS_POLICY + "ReadOnlyAccess",
                         self.iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"])
        self.iam.delete_role_permissions_boundary(RoleName=name)
        self.assertNotIn("PermissionsBoundary", self.iam.get_role(RoleName=name)["Role"])


# ==========================================================================
# Managed policies
# ==========================================================================

class ManagedPolicyTests(IamCase):
    def test_create_get(self):
        name = uniq("Pol")
        p = self.iam.create_policy(PolicyName=name, Path="/app/", PolicyDocument=json.dumps(S3_READ),
                                   Description="reads", Tags=[{"Key": "t", "Value": "1"}])["Policy"]
        self.assertRegex(p["PolicyId"], "^ANPA" + ID_RE + "$")
        self.assertEqual("arn:aws:iam::%s:policy/app/%s" % (ACCOUNT, name), p["Arn"])
        self.assertEqual("v1", p["DefaultVersionId"])
        self.assertEqual(0, p["AttachmentCount"])
        self.assertTrue(p["IsAttachable"])
        g = self.iam.get_policy(PolicyArn=p["Arn"])["Policy"]
        self.assertEqual("reads", g["Description"])
        self.assertEqual([{"Key": "t", "Value": "1"}], g["Tags"])
        v = self.iam.get_policy_version(PolicyArn=p["Arn"], VersionId="v1")["PolicyVersion"]
        self.assertEqual(S3_READ, v["Document"])
        self.assertTrue(v["IsDefaultVersion"])
        self.err("EntityAlreadyExists", 409, self.policy, PolicyName=name.lower())
        self.err("NoSuchEntity", 404, self.iam.get_policy,
                 PolicyArn="arn:aws:iam::%s:policy/ghost-policy" % ACCOUNT)

    def test_malformed_and_limits(self):
        self.err("MalformedPolicyDocument", 400, self.iam.create_policy, PolicyName=uniq(),
                 PolicyDocument="not json")
        self.err("MalformedPolicyDocument", 400, self.iam.create_policy, PolicyName=uniq(),
                 PolicyDocument='{"Version": "2012-10-17"}')
        big = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                              "Resource": "arn:aws:s3:::bucket-%04d/*" % i} for i in range(150)]}
        self.err("LimitExceeded", 409, self.iam.create_policy, PolicyName=uniq(),
                 PolicyDocument=json.dumps(big), message="PolicySize: 6144")
        self.err("ValidationError", 400, self.iam_nv.create_policy, PolicyName="p" * 129,
                 PolicyDocument=json.dumps(S3_READ))

    def test_versions(self):
        arn = self.policy()["Arn"]
        v2 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(KMS_ALL))["PolicyVersion"]
        self.assertEqual(("v2", False), (v2["VersionId"], v2["IsDefaultVersion"]))
        v3 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(KMS_ALL),
                                            SetAsDefault=True)["PolicyVersion"]
        self.assertEqual(("v3", True), (v3["VersionId"], v3["IsDefaultVersion"]))
        self.assertEqual("v3", self.iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"])
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(S3_READ))
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(S3_READ))
        self.err("LimitExceeded", 409, self.iam.create_policy_version, PolicyArn=arn,
                 PolicyDocument=json.dumps(S3_READ),
                 message=r"^A managed policy can have up to 5 versions. Before you create a new "
                         r"version, you must delete an existing version.$")
        vs = self.iam.list_policy_versions(PolicyArn=arn)["Versions"]
        self.assertEqual(["v5", "v4", "v3", "v2", "v1"], [v["VersionId"] for v in vs])
        self.assertEqual(["v3"], [v["VersionId"] for v in vs if v["IsDefaultVersion"]])
        self.assertEqual(5, len(self.pages(self.iam.list_policy_versions, "Versions", PolicyArn=arn,
                                           MaxItems=2)))
        self.assertEqual(KMS_ALL, self.iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"])
        self.err("DeleteConflict", 409, self.iam.delete_policy_version, PolicyArn=arn, VersionId="v3",
                 message="^Cannot delete the default version of a policy.$")
        self.err("DeleteConflict", 409, self.iam.delete_policy, PolicyArn=arn,
                 message="more than one version")
        self.iam.set_default_policy_version(PolicyArn=arn, VersionId="v1")
        self.err("NoSuchEntity", 404, self.iam.set_default_policy_version, PolicyArn=arn, VersionId="v9")
        self.err("NoSuchEntity", 404, self.iam.get_policy_version, PolicyArn=arn, VersionId="v9")
        self.err("ValidationError", 400, self.iam_nv.get_policy_version, PolicyArn=arn, VersionId="x1")
        for v in ("v2", "v3", "v4", "v5"):
            self.iam.delete_policy_version(PolicyArn=arn, VersionId=v)
        self.err("NoSuchEntity", 404, self.iam.delete_policy_version, PolicyArn=arn, VersionId="v2")
        v6 = self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(S3_READ))["PolicyVersion"]
        self.assertEqual("v6", v6["VersionId"])  # ids are never reused
        self.iam.delete_policy_version(PolicyArn=arn, VersionId="v6")
        self.iam.delete_policy(PolicyArn=arn)
        self.err("NoSuchEntity", 404, self.iam.get_policy, PolicyArn=arn)

    def test_delete_attached(self):
        arn = self.policy()["Arn"]
        role = self.role()["RoleName"]
        self.iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        self.err("DeleteConflict", 409, self.iam.delete_policy, PolicyArn=arn,
                 message="^Cannot delete a policy attached to entities.$")
        self.iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        self.iam.delete_policy(PolicyArn=arn)

    def test_aws_managed(self):
        for name in ("AdministratorAccess", "ReadOnlyAccess", "AmazonS3FullAccess",
                     "AmazonS3ReadOnlyAccess", "SecretsManagerReadWrite",
                     "AWSKeyManagementServicePowerUser"):
            p = self.iam.get_policy(PolicyArn=AWS_POLICY + name)["Policy"]
            self.assertEqual(name, p["PolicyName"])
            self.assertEqual("/", p["Path"])
            self.assertTrue(p["IsAttachable"])
            doc = self.iam.get_policy_version(PolicyArn=p["Arn"], VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
            self.assertEqual("2012-10-17", doc["Version"])
        admin = self.iam.get_policy_version(PolicyArn=AWS_POLICY + "AdministratorAccess",
                                            VersionId="v1")["PolicyVersion"]["Document"]
        self.assertEqual([{"Effect": "Allow", "Action": "*", "Resource": "*"}], admin["Statement"])
        ro = self.iam.get_policy_version(PolicyArn=AWS_POLICY + "ReadOnlyAccess",
                                         VersionId="v1")["PolicyVersion"]["Document"]
        actions = ro["Statement"][0]["Action"]
        self.assertIn("s3:Get*", actions)
        self.assertIn("kms:Describe*", actions)
        self.assertNotIn("secretsmanager:GetSecretValue", actions)
        self.err("NoSuchEntity", 404, self.iam.get_policy, PolicyArn=AWS_POLICY + "NoSuchPolicyHere")
        aws = self.pages(self.iam.list_policies, "Policies", Scope="AWS", MaxItems=2)
        self.assertEqual(6, len(aws))
        self.assertTrue(all(p["Arn"].startswith(AWS_POLICY) for p in aws))
        self.err("AccessDenied", 403, self.iam.delete_policy, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
        self.assertEqual(1, len(self.iam.list_policy_versions(PolicyArn=AWS_POLICY + "ReadOnlyAccess")["Versions"]))

    def test_list_policies_filters(self):
        prefix = "/lp%s/" % uuid.uuid4().hex[:8]
        a = self.policy(Path=prefix)["Arn"]
        b = self.policy(Path=prefix)["Arn"]
        local = self.pages(self.iam.list_policies, "Policies", Scope="Local", PathPrefix=prefix)
        self.assertEqual(sorted([a, b]), sorted(p["Arn"] for p in local))
        role = self.role()["RoleName"]
        self.iam.attach_role_policy(RoleName=role, PolicyArn=a)
        att = self.pages(self.iam.list_policies, "Policies", Scope="Local", PathPrefix=prefix,
                         OnlyAttached=True)
        self.assertEqual([a], [p["Arn"] for p in att])
        self.assertEqual(1, att[0]["AttachmentCount"])
        all_p = self.pages(self.iam.list_policies, "Policies", MaxItems=3)
        arns = [p["Arn"] for p in all_p]
        self.assertEqual(len(arns), len(set(arns)))
        self.assertIn(a, arns)
        self.assertIn(AWS_POLICY + "AdministratorAccess", arns)
        self.err("ValidationError", 400, self.iam_nv.list_policies, Scope="Mine")

    def test_tags(self):
        arn = self.policy()["Arn"]
        self.iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "b"}])
        self.assertEqual([{"Key": "a", "Value": "b"}], self.iam.list_policy_tags(PolicyArn=arn)["Tags"])
        self.iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
        self.assertEqual([], self.iam.list_policy_tags(PolicyArn=arn)["Tags"])
        self.err("NoSuchEntity", 404, self.iam.tag_policy,
                 PolicyArn="arn:aws:iam::%s:policy/ghost-policy" % ACCOUNT, Tags=[{"Key": "a", "Value": "b"}])


# ==========================================================================
# Attachments
# ==========================================================================

class AttachmentTests(IamCase):
    def test_attach_list_detach(self):
        user, role, group = self.user()["UserName"], self.role()["RoleName"], self.group()["GroupName"]
        arn = self.policy(Path="/att/")["Arn"]
        self.iam.attach_user_policy(UserName=user.upper(), PolicyArn=arn)
        self.iam.attach_user_policy(UserName=user, PolicyArn=arn)  # again: no-op
        self.iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        self.iam.attach_group_policy(GroupName=group, PolicyArn=arn)
        self.iam.attach_user_policy(UserName=user, PolicyArn=AWS_POLICY + "ReadOnlyAccess")
        got = self.iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
        self.assertEqual({arn, AWS_POLICY + "ReadOnlyAccess"}, {p["PolicyArn"] for p in got})
        only = self.iam.list_attached_user_policies(UserName=user, PathPrefix="/att/")["AttachedPolicies"]
        self.assertEqual([arn], [p["PolicyArn"] for p in only])
        self.assertEqual(3, self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"])
        ents = self.iam.list_entities_for_policy(PolicyArn=arn)
        self.assertEqual([user], [u["UserName"] for u in ents["PolicyUsers"]])
        self.assertEqual([role], [r["RoleName"] for r in ents["PolicyRoles"]])
        self.assertEqual([group], [g["GroupName"] for g in ents["PolicyGroups"]])
        self.assertTrue(ents["PolicyUsers"][0]["UserId"].startswith("AIDA"))
        roles_only = self.iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
        self.assertEqual([role], [r["RoleName"] for r in roles_only["PolicyRoles"]])
        self.assertEqual([], roles_only.get("PolicyUsers", []))
        paged = self.iam.list_entities_for_policy(PolicyArn=arn, MaxItems=2)
        self.assertTrue(paged["IsTruncated"])
        rest = self.iam.list_entities_for_policy(PolicyArn=arn, Marker=paged["Marker"])
        n = sum(len(paged.get(k, [])) + len(rest.get(k, []))
                for k in ("PolicyUsers", "PolicyRoles", "PolicyGroups"))
        self.assertEqual(3, n)
        self.iam.detach_user_policy(UserName=user, PolicyArn=arn)
        self.err("NoSuchEntity", 404, self.iam.detach_user_policy, UserName=user, PolicyArn=arn)
        self.assertEqual(2, self.iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"])

    def test_errors(self):
        user = self.user()["UserName"]
        ghost = "arn:aws:iam::%s:policy/ghost-pol" % ACCOUNT
        self.err("NoSuchEntity", 404, self.iam.attach_user_policy, UserName=user, PolicyArn=ghost,
                 message="^Policy %s does not exist or is not attachable.$" % re.escape(ghost))
        self.err("NoSuchEntity", 404, self.iam.attach_role_policy, RoleName="ghost-role",
                 PolicyArn=AWS_POLICY + "ReadOnlyAccess")
        self.err("NoSuchEntity", 404, self.iam.list_attached_group_policies, GroupName="ghost-group")
        self.err("NoSuchEntity", 404, self.iam.list_entities_for_policy, PolicyArn=ghost)

    def test_limit_ten(self):
        for kind in ("user", "role", "group"):
            if kind == "user":
                name, att = self.user()["UserName"], self.iam.attach_user_policy
                quota, kw = "PoliciesPerUser", "UserName"
            elif kind == "role":
                name, att = self.role()["RoleName"], self.iam.attach_role_policy
                quota, kw = "PoliciesPerRole", "RoleName"
            else:
                name, att = self.group()["GroupName"], self.iam.attach_group_policy
                quota, kw = "PoliciesPerGroup", "GroupName"
            arns = [AWS_POLICY + n for n in ("AdministratorAccess", "ReadOnlyAccess", "AmazonS3FullAccess",
                                            "AmazonS3ReadOnlyAccess", "SecretsManagerReadWrite",
                                            "AWSKeyManagementServicePowerUser")]
            arns += [self.policy()["Arn"] for _ in range(5)]
            for a in arns[:10]:
                att(**{kw: name, "PolicyArn": a})
            self.err("LimitExceeded", 409, att, **{kw: name, "PolicyArn": arns[10]},
                     message="^Cannot exceed quota for %s: 10$" % quota)


# ==========================================================================
# Inline policies
# ==========================================================================

class InlinePolicyTests(IamCase):
    def test_user_group_role(self):
        for kind, make in (("User", self.user), ("Group", self.group), ("Role", self.role)):
            name = make()[kind + "Name"]
            put = getattr(self.iam, "put_%s_policy" % kind.lower())
            get = getattr(self.iam, "get_%s_policy" % kind.lower())
            lst = getattr(self.iam, "list_%s_policies" % kind.lower())
            dele = getattr(self.iam, "delete_%s_policy" % kind.lower())
            put(**{kind + "Name": name, "PolicyName": "Beta", "PolicyDocument": json.dumps(S3_READ)})
            put(**{kind + "Name": name, "PolicyName": "alpha", "PolicyDocument": json.dumps(KMS_ALL)})
            put(**{kind + "Name": name, "PolicyName": "BETA", "PolicyDocument": json.dumps(KMS_ALL)})
            r = get(**{kind + "Name": name, "PolicyName": "beta"})
            self.assertEqual(KMS_ALL, r["PolicyDocument"])
            self.assertEqual(name, r[kind + "Name"])
            names = lst(**{kind + "Name": name})["PolicyNames"]
            self.assertEqual(2, len(names))
            self.assertEqual(2, len(self.pages(lst, "PolicyNames", MaxItems=1, **{kind + "Name": name})))
            dele(**{kind + "Name": name, "PolicyName": "ALPHA"})
            self.err("NoSuchEntity", 404, get, **{kind + "Name": name, "PolicyName": "alpha"},
                     message="^The %s policy with name alpha cannot be found.$" % kind.lower())
            self.err("NoSuchEntity", 404, dele, **{kind + "Name": name, "PolicyName": "alpha"})
            self.err("MalformedPolicyDocument", 400, put,
                     **{kind + "Name": name, "PolicyName": "bad", "PolicyDocument": "{"})
            self.err("NoSuchEntity", 404, put, **{kind + "Name": "ghost-x", "PolicyName": "p",
                                                  "PolicyDocument": json.dumps(S3_READ)})

    def test_size_limits(self):
        def doc(n):
            return json.dumps({"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                              "Resource": "arn:aws:s3:::%s/*" % ("b" * n)}]})
        base = len(re.sub(r"\s", "", doc(0)))
        for kind, make, limit in (("User", self.user, 2048), ("Group", self.group, 5120),
                                  ("Role", self.role, 10240)):
            name = make()[kind + "Name"]
            put = getattr(self.iam, "put_%s_policy" % kind.lower())
            put(**{kind + "Name": name, "PolicyName": "fits", "PolicyDocument": doc(limit - base)})
            put(**{kind + "Name": name, "PolicyName": "fits", "PolicyDocument": doc(limit - base)})
            self.err("LimitExceeded", 409, put,
                     **{kind + "Name": name, "PolicyName": "more", "PolicyDocument": doc(1)},
                     message="^Maximum policy size of %d bytes exceeded for %s %s$"
                             % (limit, kind.lower(), name))


# ==========================================================================
# Instance profiles
# ==========================================================================

class InstanceProfileTests(IamCase):
    def test_lifecycle(self):
        name = uniq("Prof")
        p = self.iam.create_instance_profile(InstanceProfileName=name, Path="/ip/",
                                             Tags=[{"Key": "a", "Value": "b"}])["InstanceProfile"]
        self.assertRegex(p["InstanceProfileId"], "^AIPA" + ID_RE + "$")
        self.assertEqual("arn:aws:iam::%s:instance-profile/ip/%s" % (ACCOUNT, name), p["Arn"])
        self.assertEqual([], p["Roles"])
        self.err("EntityAlreadyExists", 409, self.iam.create_instance_profile, InstanceProfileName=name.lower())
        role, role2 = self.role()["RoleName"], self.role()["RoleName"]
        self.iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
        self.err("LimitExceeded", 409, self.iam.add_role_to_instance_profile, InstanceProfileName=name,
                 RoleName=role2, message="^Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1$")
        g = self.iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]
        self.assertEqual([role], [r["RoleName"] for r in g["Roles"]])
        self.assertEqual(TRUST, g["Roles"][0]["AssumeRolePolicyDocument"])
        self.assertEqual([{"Key": "a", "Value": "b"}], g["Tags"])
        self.assertEqual([name], [x["InstanceProfileName"] for x in
                                  self.iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]])
        self.assertIn(name, [x["InstanceProfileName"] for x in
                             self.pages(self.iam.list_instance_profiles, "InstanceProfiles", PathPrefix="/ip/")])
        self.err("DeleteConflict", 409, self.iam.delete_instance_profile, InstanceProfileName=name)
        self.err("NoSuchEntity", 404, self.iam.remove_role_from_instance_profile,
                 InstanceProfileName=name, RoleName=role2)
        self.iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role)
        self.iam.tag_instance_profile(InstanceProfileName=name, Tags=[{"Key": "c", "Value": "d"}])
        self.iam.untag_instance_profile(InstanceProfileName=name, TagKeys=["a"])
        self.assertEqual([{"Key": "c", "Value": "d"}],
                         self.iam.list_instance_profile_tags(InstanceProfileName=name)["Tags"])
        self.iam.delete_instance_profile(InstanceProfileName=name)
        self.err("NoSuchEntity", 404, self.iam.get_instance_profile, InstanceProfileName=name,
                 message="^Instance Profile %s cannot be found.$" % name)
        self.err("NoSuchEntity", 404, self.iam.list_instance_profiles_for_role, RoleName="ghost-role")


# ==========================================================================
# GetAccountAuthorizationDetails, protocol details
# ==========================================================================

class AccountDetailsTests(IamCase):
    def test_details(self):
        user = self.user()["UserName"]
        group = self.group()["GroupName"]
        role = self.role()["RoleName"]
        prof = uniq("adp")
        self.iam.create_instance_profile(InstanceProfileName=prof)
        self.iam.add_role_to_instance_profile(InstanceProfileName=prof, RoleName=role)
        arn = self.policy()["Arn"]
        self.iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(KMS_ALL))
        self.iam.add_user_to_group(GroupName=group, UserName=user)
        self.iam.put_user_policy(UserName=user, PolicyName="ui", PolicyDocument=json.dumps(S3_READ))
        self.iam.attach_user_policy(UserName=user, PolicyArn=arn)
        self.iam.put_group_policy(GroupName=group, PolicyName="gi", PolicyDocument=json.dumps(S3_READ))
        self.iam.put_role_policy(RoleName=role, PolicyName="ri", PolicyDocument=json.dumps(KMS_ALL))
        self.iam.attach_role_policy(RoleName=role, PolicyArn=AWS_POLICY + "SecretsManagerReadWrite")
        p = self.iam.get_paginator("get_account_authorization_details")
        users, groups, roles, pols = [], [], [], []
        for page in p.paginate(PaginationConfig={"PageSize": 7}):
            users += page.get("UserDetailList", [])
            groups += page.get("GroupDetailList", [])
            roles += page.get("RoleDetailList", [])
            pols += page.get("Policies", [])
        u = [x for x in users if x["UserName"] == user][0]
        self.assertEqual([{"PolicyName": "ui", "PolicyDocument": S3_READ}], u["UserPolicyList"])
        self.assertEqual([group], u["GroupList"])
        self.assertEqual([arn], [a["PolicyArn"] for a in u["AttachedManagedPolicies"]])
        g = [x for x in groups if x["GroupName"] == group][0]
        self.assertEqual(["gi"], [x["PolicyName"] for x in g["GroupPolicyList"]])
        r = [x for x in roles if x["RoleName"] == role][0]
        self.assertEqual(TRUST, r["AssumeRolePolicyDocument"])
        self.assertEqual([prof], [x["InstanceProfileName"] for x in r["InstanceProfileList"]])
        self.assertEqual([{"PolicyName": "ri", "PolicyDocument": KMS_ALL}], r["RolePolicyList"])
        self.assertIn("RoleLastUsed", r)
        pol = [x for x in pols if x["Arn"] == arn][0]
        self.assertEqual({"v1": S3_READ, "v2": KMS_ALL},
                         {v["VersionId"]: v["Document"] for v in pol["PolicyVersionList"]})
        self.assertIn(AWS_POLICY + "SecretsManagerReadWrite", [x["Arn"] for x in pols])
        names = [x["UserName"] for x in users]
        self.assertEqual(len(names), len(set(names)))
        only_roles = self.iam.get_account_authorization_details(Filter=["Role"])
        self.assertEqual([], only_roles.get("UserDetailList", []))
        self.assertTrue(only_roles["RoleDetailList"])
        local = self.iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])
        self.assertTrue(all(not x["Arn"].startswith(AWS_POLICY) for x in local["Policies"]))
        self.err("ValidationError", 400, self.iam_nv.get_account_authorization_details,
                 Filter=["Robots"])

    def test_unknown_action_and_raw_xml(self):
        status, _, body = self.server.http(
            "POST", "/", body=b"Action=NoSuchOp&Version=2010-05-08",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00"})
        self.assertEqual(400, status)
        self.assertIn(b"InvalidAction", body)
        name = self.user()["UserName"]
        status, _, body = self.server.http(
            "POST", "/", body=("Action=GetUser&Version=2010-05-08&UserName=%s" % name).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00"})
        self.assertEqual(200, status)
        self.assertIn(b'<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">', body)
        self.assertIn(b"<RequestId>", body)


# ==========================================================================
# The aws CLI
# ==========================================================================

@unittest.skipUnless(AWS, "aws CLI not on PATH")
class IamCliTests(IamCase):
    def aws(self, *args):
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"})
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.pop(k, None)
        p = subprocess.run([AWS, "--endpoint-url", self.server.url, "--output", "json"] + list(args),
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        return p

    def test_create_and_list_users(self):
        name = uniq("cli")
        p = self.aws("iam", "create-user", "--user-name", name, "--path", "/cli/")
        self.assertEqual(0, p.returncode, p.stderr.decode())
        self.assertEqual(name, json.loads(p.stdout)["User"]["UserName"])
        p = self.aws("iam", "list-users", "--path-prefix", "/cli/")
        self.assertEqual(0, p.returncode, p.stderr.decode())
        self.assertIn(name, [u["UserName"] for u in json.loads(p.stdout)["Users"]])
        p = self.aws("iam", "get-user", "--user-name", "ghost-cli-user")
        self.assertNotEqual(0, p.returncode)
        self.assertIn(b"NoSuchEntity", p.stderr)

    def test_role_document_decoded(self):
        name = uniq("clirole")
        p = self.aws("iam", "create-role", "--role-name", name, "--assume-role-policy-document",
                     json.dumps(TRUST))
        self.assertEqual(0, p.returncode, p.stderr.decode())
        p = self.aws("iam", "get-role", "--role-name", name)
        self.assertEqual(TRUST, json.loads(p.stdout)["Role"]["AssumeRolePolicyDocument"])


# ==========================================================================
# Persistence and keys at rest
# ==========================================================================

@unittest.skipIf(EXTERNAL_URL, "restart tests need their own awsemu process (AWSEMU_URL is set)")
class IamPersistTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-iam-data-")
        cls.server = Server(["--data-dir", cls.data_dir])
        try:
            cls.server.start()
            iam = cls.server.client("iam")
            cls.user = uniq("persist")
            iam.create_user(UserName=cls.user, Tags=[{"Key": "k", "Value": "v"}])
            cls.key = iam.create_access_key(UserName=cls.user)["AccessKey"]
            cls.pol = iam.create_policy(PolicyName=uniq("ppol"), PolicyDocument=json.dumps(S3_READ))["Policy"]
            iam.attach_user_policy(UserName=cls.user, PolicyArn=cls.pol["Arn"])
            cls.role = uniq("prole")
            iam.create_role(RoleName=cls.role, AssumeRolePolicyDocument=json.dumps(TRUST))
            cls.server.restart()
        except Exception:
            cls.server.cleanup()
            shutil.rmtree(cls.data_dir, ignore_errors=True)
            raise
        cls.iam = cls.server.client("iam")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        shutil.rmtree(cls.data_dir, ignore_errors=True)

    def test_state_survives_restart(self):
        u = self.iam.get_user(UserName=self.user)["User"]
        self.assertEqual([{"Key": "k", "Value": "v"}], u["Tags"])
        keys = self.iam.list_access_keys(UserName=self.user)["AccessKeyMetadata"]
        self.assertEqual([self.key["AccessKeyId"]], [k["AccessKeyId"] for k in keys])
        self.assertEqual(self.pol["PolicyId"], self.iam.get_policy(PolicyArn=self.pol["Arn"])["Policy"]["PolicyId"])
        self.assertEqual([self.pol["Arn"]], [p["PolicyArn"] for p in
                                             self.iam.list_attached_user_policies(UserName=self.user)["AttachedPolicies"]])
        self.assertEqual(TRUST, self.iam.get_role(RoleName=self.role)["Role"]["AssumeRolePolicyDocument"])

    def test_secret_key_not_at_rest(self):
        secret = self.key["SecretAccessKey"].encode()
        import base64
        needles = [("secret", secret), ("secret base64", base64.b64encode(secret)),
                   ("secret hex", secret.hex().encode()),
                   ("secret utf-16", self.key["SecretAccessKey"].encode("utf-16-le"))]
        self.assertEqual([], scan_for(self.data_dir, needles))
        # the key id itself is stored (it is not a secret)
        self.assertTrue(scan_for(self.data_dir, [("id", self.key["AccessKeyId"].encode())]))


if __name__ == "__main__":
    unittest.main()
