"""Secrets Manager as AWS answers it (issue 15 items 10-11): ListSecrets
filters (words of "all" split as AWS splits them, multi-word values,
repeated keys, primary-region, negation, empty or missing value lists), the
first PutSecretValue getting AWSCURRENT with a requested stage,
GetRandomPassword's IncludeSpace, and the ClientRequestToken reuse text.

Pinned by the Secrets Manager API reference (Filter: keys, "!" negation,
Values of 1 to 10 strings of ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$;
GetRandomPassword: RequireEachIncludedType names letters, numbers and
punctuation), the user guide "Find secrets in AWS Secrets Manager" (words
split at case changes, letter/number changes and punctuation), and moto's
AWS-verified tests in tests/test_secretsmanager/test_list_secrets.py
(test_with_all_filter_special_characters, test_with_duplicate_filter_keys,
test_with_filter_with_value_with_multiple_words) and moto's and other
emulators' "You can't use ClientRequestToken ... because that value is
already in use for a version of secret ..." text."""

import uuid

from botocore.exceptions import ClientError

from harness import ServerTestCase


class ListFilterTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.server.client("secretsmanager")
        cls.nv = cls.server.client("secretsmanager", validate=False)
        u = uuid.uuid4().hex[:6]
        cls.u = u
        cls.names = {
            "slash": "prod/AppBeta/x" + u, "under": "prod_AppBeta_x" + u,
            "upper": "uat/COMPANY/x" + u, "mixed": "uat/COMPANYthings/x" + u,
            "one_two": "d1-" + u, "one_and_two": "d2-" + u, "one": "d3-" + u,
            "two": "d4-" + u, "other": "d5-" + u,
        }
        desc = {"one_two": "one two", "one_and_two": "one and two", "one": "one",
                "two": "two", "other": "unrelated"}
        for k, name in cls.names.items():
            kw = {"Description": desc[k]} if k in desc else {}
            cls.sm.create_secret(Name=name, SecretString="v", **kw)

    def names_of(self, *filters):
        out, kw = [], {"Filters": list(filters)}
        while True:
            r = self.sm.list_secrets(**kw)
            out += [s["Name"] for s in r["SecretList"] if s["Name"].endswith(self.u)]
            if not r.get("NextToken"):
                return sorted(out)
            kw["NextToken"] = r["NextToken"]

    def pick(self, *keys):
        return sorted(self.names[k] for k in keys)

    def test_all_splits_words_as_aws(self):
        f = lambda v: {"Key": "all", "Values": [v]}  # noqa: E731
        self.assertEqual(self.pick("slash", "under"), self.names_of(f("AppBeta")))
        self.assertEqual(self.pick("slash", "under"), self.names_of(f("beta")))
        self.assertEqual(self.pick("upper"), self.names_of(f("company")))
        # COMPANYthings is COMPAN + Ythings
        self.assertEqual([], self.names_of(f("things")))
        self.assertEqual(self.pick("mixed"), self.names_of(f("Ythings")))
        self.assertEqual([], self.names_of(f("pany")))
        # punctuation alone has no words and finds nothing
        self.assertEqual([], self.names_of(f("+")))

    def test_description_multi_word_values(self):
        f = lambda *v: {"Key": "description", "Values": list(v)}  # noqa: E731
        self.assertEqual(self.pick("one_two", "one_and_two"), self.names_of(f("one two")))
        self.assertEqual(self.pick("one_two", "one_and_two"), self.names_of(f("o t")))
        self.assertEqual(self.pick("one_two", "one_and_two", "two"), self.names_of(f("t")))

    def test_repeated_keys_are_anded(self):
        got = self.names_of({"Key": "description", "Values": ["one"]},
                            {"Key": "description", "Values": ["two"]})
        self.assertEqual(self.pick("one_two", "one_and_two"), got)

    def test_negation(self):
        got = self.names_of({"Key": "description", "Values": ["!o"]})
        self.assertIn(self.names["two"], got)
        self.assertNotIn(self.names["one"], got)

    def test_primary_region(self):
        # not replicated: primary-region us-east-1 is the secret's own region
        self.assertIn(self.names["one"], self.names_of({"Key": "primary-region",
                                                        "Values": ["us-east-1"]}))
        self.assertEqual([], self.names_of({"Key": "primary-region", "Values": ["eu-west-1"]}))

    def error(self, filters):
        with self.assertRaises(ClientError) as cm:
            self.nv.list_secrets(Filters=filters)
        return cm.exception.response["Error"]

    def test_empty_and_missing_values(self):
        e = self.error([{"Key": "name", "Values": ["a"]}, {"Key": "description", "Values": []}])
        self.assertEqual("ValidationException", e["Code"])
        self.assertEqual("1 validation error detected: Value '[]' at 'filters.2.member.values' "
                         "failed to satisfy constraint: Member must have length greater than or "
                         "equal to 1", e["Message"])
        e = self.error([{"Key": "description"}])
        self.assertEqual(("InvalidParameterException", "Invalid filter values for key: description"),
                         (e["Code"], e["Message"]))
        e = self.error([{"Values": ["foo"]}])
        self.assertEqual(("InvalidParameterException", "Invalid filter key"),
                         (e["Code"], e["Message"]))

    def test_bad_key_and_value(self):
        e = self.error([{"Key": "name", "Values": ["a"]}, {"Key": "invalid", "Values": ["a"]}])
        self.assertEqual("ValidationException", e["Code"])
        self.assertIn("Value 'invalid' at 'filters.2.member.key'", e["Message"])
        e = self.error([{"Key": "name", "Values": ["a#b"]}])
        self.assertEqual("ValidationException", e["Code"])
        self.assertIn("'filters.1.member.values'", e["Message"])
        e = self.error([{"Key": "name", "Values": ["v%d" % i for i in range(11)]}])
        self.assertEqual("ValidationException", e["Code"])
        self.assertIn("less than or equal to 10", e["Message"])


class ValueTests(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = cls.server.client("secretsmanager")

    def test_first_put_gets_awscurrent_with_requested_stage(self):
        name = "first-" + uuid.uuid4().hex[:8]
        self.sm.create_secret(Name=name)  # no value: no version yet
        v = self.sm.put_secret_value(SecretId=name, SecretString="s1", VersionStages=["custom"])
        self.assertEqual(["AWSCURRENT", "custom"], sorted(v["VersionStages"]))
        self.assertEqual("s1", self.sm.get_secret_value(SecretId=name)["SecretString"])
        # a later version with a stage of its own leaves AWSCURRENT where it is
        v2 = self.sm.put_secret_value(SecretId=name, SecretString="s2", VersionStages=["next"])
        self.assertEqual(["next"], v2["VersionStages"])
        self.assertEqual("s1", self.sm.get_secret_value(SecretId=name)["SecretString"])

    def test_client_request_token_reuse_text(self):
        name = "tok-" + uuid.uuid4().hex[:8]
        arn = self.sm.create_secret(Name=name, SecretString="a")["ARN"]
        token = str(uuid.uuid4())
        self.sm.put_secret_value(SecretId=name, SecretString="b", ClientRequestToken=token)
        # the same token and value again: idempotent
        self.sm.put_secret_value(SecretId=name, SecretString="b", ClientRequestToken=token)
        with self.assertRaises(ClientError) as cm:
            self.sm.put_secret_value(SecretId=name, SecretString="c", ClientRequestToken=token)
        e = cm.exception.response["Error"]
        self.assertEqual("ResourceExistsException", e["Code"])
        self.assertEqual("You can't use ClientRequestToken %s because that value is already in "
                         "use for a version of secret %s." % (token, arn), e["Message"])

    def test_random_password_include_space(self):
        # a pool of "a" and the space: 64 characters all "a" has odds 2^-63
        pw = self.sm.get_random_password(
            PasswordLength=64, IncludeSpace=True, ExcludeNumbers=True, ExcludePunctuation=True,
            ExcludeUppercase=True, ExcludeCharacters="bcdefghijklmnopqrstuvwxyz")["RandomPassword"]
        self.assertEqual(64, len(pw))
        self.assertLessEqual(set(pw), {"a", " "})
        self.assertIn(" ", pw)
        # the space is allowed, not required: four required classes fit in 4
        pw = self.sm.get_random_password(PasswordLength=4, IncludeSpace=True)["RandomPassword"]
        self.assertEqual(4, len(pw))
        for cls_ in ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"):
            self.assertTrue(any(c in cls_ for c in pw), (pw, cls_))
        # without IncludeSpace there is never a space
        for _ in range(20):
            self.assertNotIn(" ", self.sm.get_random_password(PasswordLength=64)["RandomPassword"])
