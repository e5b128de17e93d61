"""Secrets Manager black-box tests through boto3 (and raw signed JSON where
Debian's botocore 1.29 lacks an operation or member), against AWS's documented
behaviour (botocore's secretsmanager 2017-10-17 model and the API reference).

Rotation: test_secretsmanager_rotation.py; persistence and secrets at rest:
test_secretsmanager_persist.py.
"""

import base64
import datetime
import json
import random
import re
import string
import threading
import time
import unittest
import uuid

import botocore.config
from botocore.exceptions import ClientError

from harness import ACCESS_KEY, DEFAULT_ACCOUNT, SECRET_KEY, ServerTestCase, new_session, to_datetime

ACCOUNT = DEFAULT_ACCOUNT  # 000000000000 unless AWSEMU_E2E_ACCOUNT says otherwise
REGION = "us-east-1"
SUFFIX_RE = r"-[A-Za-z0-9]{6}"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# AWS's documented punctuation set for GetRandomPassword
PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Codes a server may use for a request that breaks a documented length/range
# constraint (AWS's JSON services answer either, depending on the layer).
CONSTRAINT_CODES = ("InvalidParameterException", "ValidationException")
POLL_SECONDS = 5.0


def uniq(prefix="sm"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def letters(n=12):
    """A random lower-case word (no digits: the "all" filter splits words at
    letter/digit changes)."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n))


def secret_arn_re(name, region=REGION):
    return re.compile("^arn:aws:secretsmanager:%s:%s:secret:%s%s$"
                      % (re.escape(region), ACCOUNT, re.escape(name), SUFFIX_RE))


def partial_arn(name, region=REGION):
    return "arn:aws:secretsmanager:%s:%s:secret:%s" % (region, ACCOUNT, name)


def in_region(arn, region):
    parts = arn.split(":")
    parts[3] = region
    return ":".join(parts)


def key_arn(key_id, region=REGION):
    return "arn:aws:kms:%s:%s:key/%s" % (region, ACCOUNT, key_id)


def alias_arn(name, region=REGION):
    return "arn:aws:kms:%s:%s:%s" % (region, ACCOUNT, name)


def sm_call(server, op, params=None, region=None):
    """Calls a Secrets Manager operation with raw signed JSON (for operations or
    members an old botocore lacks). Returns the parsed body; raises ClientError
    like boto3 on errors. Timestamps come back as epoch seconds."""
    body = json.dumps(params or {}).encode()
    h = server.signed_headers("secretsmanager", "secretsmanager." + op, body, region=region)
    status, _, data = server.http("POST", "/", body=body, headers=h)
    try:
        parsed = json.loads(data) if data else {}
    except ValueError:
        parsed = None
    if status != 200:
        code, msg = "", ""
        if isinstance(parsed, dict):
            code = str(parsed.get("__type", "")).rsplit("#", 1)[-1]
            msg = parsed.get("message") or parsed.get("Message") or ""
        raise ClientError({"Error": {"Code": code, "Message": msg},
                           "ResponseMetadata": {"HTTPStatusCode": status},
                           "RawBody": data}, op)
    if not isinstance(parsed, dict):
        raise AssertionError("%s: 200 with a non-JSON body %r" % (op, data[:200]))
    return parsed


def wait_for(fn, timeout=POLL_SECONDS, interval=0.05):
    """Polls fn() until it returns a truthy value (returned) or timeout (the
    last value is returned). Exceptions propagate."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(interval)


_session = None
_clients = {}


def sm_client(server, region=None, validate=True):
    """A Secrets Manager client configured like Server.client, made from one
    shared boto3 session and cached per (endpoint, region, validate): creating
    a client from a fresh session reloads the service model (~0.1 s each)."""
    global _session
    region = region or server.region
    key = (server.url, region, validate)
    c = _clients.get(key)
    if c is None:
        if _session is None:
            _session = new_session()
        cfg = botocore.config.Config(retries={"max_attempts": 0}, connect_timeout=5,
                                     read_timeout=30, parameter_validation=validate)
        c = _session.client("secretsmanager", endpoint_url=server.url, region_name=region,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=cfg)
        _clients[key] = c
    return c


class SmTestCase(ServerTestCase):
    """Base: cls.sm (validating) and cls.sm_nv (no client-side validation)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sm = sm_client(cls.server)
        cls.sm_nv = sm_client(cls.server, validate=False)

    # -- helpers ---------------------------------------------------------
    def raw(self, op, region=None, **params):
        return sm_call(self.server, op, params, region=region)

    def client_in(self, region, validate=True):
        return sm_client(self.server, region, validate)

    def create(self, name=None, client=None, **kw):
        kw["Name"] = name or uniq()
        return (client or self.sm).create_secret(**kw)

    def value(self, sid, client=None, **kw):
        return (client or self.sm).get_secret_value(SecretId=sid, **kw)

    def describe(self, sid, client=None):
        return (client or self.sm).describe_secret(SecretId=sid)

    def versions(self, sid, deprecated=False, client=None):
        """{VersionId: set(stages)} over all pages of ListSecretVersionIds."""
        out = {}
        kw = {"SecretId": sid, "IncludeDeprecated": deprecated}
        for _ in range(100):
            r = (client or self.sm).list_secret_version_ids(**kw)
            for v in r["Versions"]:
                self.assertNotIn(v["VersionId"], out, "version listed twice")
                out[v["VersionId"]] = set(v.get("VersionStages") or [])
            if not r.get("NextToken"):
                return out
            kw["NextToken"] = r["NextToken"]
        self.fail("ListSecretVersionIds paging does not terminate")

    def stages_of(self, sid):
        d = self.describe(sid)
        return {k: set(v) for k, v in (d.get("VersionIdsToStages") or {}).items()}

    def new_key(self, **kw):
        return self.kms.create_key(**kw)["KeyMetadata"]["KeyId"]

    def assertNoValueFields(self, resp):
        self.assertNotIn("SecretString", resp)
        self.assertNotIn("SecretBinary", resp)


# ==========================================================================
# CreateSecret
# ==========================================================================

class CreateSecretTests(SmTestCase):
    def test_create_string(self):
        name = uniq("create")
        r = self.sm.create_secret(Name=name, SecretString="s3cr3t value ✓")
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertRegex(r["ARN"], secret_arn_re(name))
        self.assertEqual(name, r["Name"])
        self.assertTrue(r.get("VersionId"))
        g = self.value(name)
        self.assertEqual("s3cr3t value ✓", g["SecretString"])
        self.assertNotIn("SecretBinary", g)
        self.assertEqual(r["ARN"], g["ARN"])
        self.assertEqual(name, g["Name"])
        self.assertEqual(r["VersionId"], g["VersionId"])
        self.assertEqual(["AWSCURRENT"], g["VersionStages"])
        self.assertRecent(g["CreatedDate"])
        self.assertEqual({r["VersionId"]: {"AWSCURRENT"}}, self.versions(name))

    def test_create_binary(self):
        blob = bytes(range(256)) + b"\x00tail"
        name = uniq("bin")
        r = self.sm.create_secret(Name=name, SecretBinary=blob)
        g = self.value(r["ARN"])
        self.assertEqual(blob, g["SecretBinary"])
        self.assertNotIn("SecretString", g)
        # raw JSON carries it base64-encoded
        raw = self.raw("GetSecretValue", SecretId=name)
        self.assertEqual(blob, base64.b64decode(raw["SecretBinary"]))

    def test_create_both_values_rejected(self):
        name = uniq("both")
        self.assertClientError("InvalidParameterException", self.sm.create_secret,
                               Name=name, SecretString="a", SecretBinary=b"b")
        self.assertClientError("ResourceNotFoundException", self.sm.describe_secret, SecretId=name)

    def test_create_without_value_has_no_version(self):
        name = uniq("novalue")
        r = self.sm.create_secret(Name=name, Description="metadata only")
        self.assertRegex(r["ARN"], secret_arn_re(name))
        self.assertNotIn("VersionId", r)
        d = self.describe(name)
        self.assertEqual({}, d.get("VersionIdsToStages") or {})
        self.assertEqual({}, self.versions(name, deprecated=True))
        self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value, SecretId=name)

    def test_arn_suffix_differs_after_name_reuse(self):
        name = uniq("reuse")
        first = self.sm.create_secret(Name=name, SecretString="one")["ARN"]
        self.sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)

        def recreate():
            try:
                return self.sm.create_secret(Name=name, SecretString="two")["ARN"]
            except ClientError as e:
                if e.response["Error"]["Code"] in ("ResourceExistsException", "InvalidRequestException"):
                    return None
                raise
        second = wait_for(recreate, timeout=2)
        self.assertTrue(second, "name not reusable after a forced delete")
        self.assertRegex(second, secret_arn_re(name))
        self.assertNotEqual(first, second, "a re-created secret must get a new ARN suffix")
        self.assertEqual("two", self.value(name)["SecretString"])
        self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value, SecretId=first)

    def test_duplicate_name(self):
        name = uniq("dup")
        self.sm.create_secret(Name=name, SecretString="a")
        self.assertClientError("ResourceExistsException", self.sm.create_secret,
                               Name=name, SecretString="b")
        self.assertClientError("ResourceExistsException", self.sm.create_secret, Name=name)
        self.assertEqual("a", self.value(name)["SecretString"])

    def test_name_scheduled_for_deletion(self):
        name = uniq("pending")
        self.sm.create_secret(Name=name, SecretString="a")
        self.sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        self.assertClientError("InvalidRequestException", self.sm.create_secret,
                               Name=name, SecretString="b")

    def test_tags_and_description(self):
        name = uniq("tags")
        tags = [{"Key": "env", "Value": "dev"}, {"Key": "Env", "Value": "case-sensitive"},
                {"Key": "empty", "Value": ""}]
        r = self.sm.create_secret(Name=name, SecretString="x", Description="my description ✓",
                                  Tags=tags)
        d = self.describe(r["ARN"])
        self.assertEqual("my description ✓", d["Description"])
        self.assertEqual({"env": "dev", "Env": "case-sensitive", "empty": ""},
                         {t["Key"]: t["Value"] for t in d["Tags"]})
        self.assertEqual(name, d["Name"])
        self.assertEqual(r["ARN"], d["ARN"])

    def test_kms_key_id_forms_echoed(self):
        kid = self.new_key()
        alias = "alias/" + uniq("smkey")
        self.kms.create_alias(AliasName=alias, TargetKeyId=kid)
        for ident in (kid, key_arn(kid), alias, alias_arn(alias)):
            with self.subTest(ident=ident):
                name = uniq("kmsform")
                self.sm.create_secret(Name=name, SecretString="v-" + name, KmsKeyId=ident)
                self.assertEqual(ident, self.describe(name)["KmsKeyId"])
                self.assertEqual("v-" + name, self.value(name)["SecretString"])

    def test_default_key_omitted_from_describe(self):
        name = uniq("defkey")
        self.sm.create_secret(Name=name, SecretString="x")
        self.assertNotIn("KmsKeyId", self.describe(name))

    def test_secret_is_really_under_the_given_key(self):
        kid = self.new_key()
        name = uniq("underkey")
        self.sm.create_secret(Name=name, SecretString="protected", KmsKeyId=kid)
        self.kms.disable_key(KeyId=kid)
        try:
            self.assertClientError("DecryptionFailure", self.sm.get_secret_value, SecretId=name)
        finally:
            self.kms.enable_key(KeyId=kid)
        self.assertEqual("protected", self.value(name)["SecretString"])

    def test_unknown_kms_key(self):
        for ident in (str(uuid.uuid4()), key_arn(str(uuid.uuid4())), "alias/" + uniq("nokey")):
            with self.subTest(ident=ident):
                name = uniq("badkey")
                # AWS: EncryptionFailure ("check that the KMS key is available") or
                # InvalidParameterException ("invalid KMS key")
                self.assertClientError(("EncryptionFailure", "InvalidParameterException",
                                        "ResourceNotFoundException"),
                                       self.sm.create_secret, Name=name, SecretString="x",
                                       KmsKeyId=ident)
                self.assertClientError("ResourceNotFoundException", self.sm.describe_secret,
                                       SecretId=name)

    def test_disabled_kms_key_on_create(self):
        kid = self.new_key()
        self.kms.disable_key(KeyId=kid)
        name = uniq("disabledkey")
        self.assertClientError("EncryptionFailure", self.sm.create_secret,
                               Name=name, SecretString="x", KmsKeyId=kid)

    def test_value_size_limit(self):
        ok = uniq("big")
        self.sm.create_secret(Name=ok, SecretString="a" * 65536)
        self.assertEqual(65536, len(self.value(ok)["SecretString"]))
        okb = uniq("bigb")
        self.sm.create_secret(Name=okb, SecretBinary=b"\x01" * 65536)
        self.assertEqual(65536, len(self.value(okb)["SecretBinary"]))
        for kw in ({"SecretString": "a" * 65537}, {"SecretBinary": b"\x01" * 65537}):
            with self.subTest(kind=list(kw)[0]):
                name = uniq("toobig")
                self.assertClientError(CONSTRAINT_CODES, self.sm_nv.create_secret, Name=name, **kw)
                self.assertClientError("ResourceNotFoundException", self.sm.describe_secret,
                                       SecretId=name)

    def test_client_request_token_becomes_version_id(self):
        token = str(uuid.uuid4())
        name = uniq("token")
        r = self.sm.create_secret(Name=name, SecretString="x", ClientRequestToken=token)
        self.assertEqual(token, r["VersionId"])
        self.assertEqual(token, self.value(name)["VersionId"])
        self.assertEqual(token, self.value(name, VersionId=token)["VersionId"])

    def test_sdk_generates_uuid_version_ids(self):
        r = self.create(SecretString="x")
        self.assertRegex(r["VersionId"], UUID_RE)

    def test_invalid_name(self):
        for bad in ("has space", "semi;colon", "x" * 513):
            with self.subTest(name=bad[:20]):
                self.assertClientError(CONSTRAINT_CODES, self.sm_nv.create_secret,
                                       Name=bad, SecretString="x")

    def test_name_with_allowed_punctuation(self):
        name = "path/to_my+secret=1.0@x-" + uuid.uuid4().hex[:4]
        r = self.sm.create_secret(Name=name, SecretString="ok")
        self.assertRegex(r["ARN"], secret_arn_re(name))
        self.assertEqual("ok", self.value(name)["SecretString"])
        self.assertEqual("ok", self.value(partial_arn(name))["SecretString"])


# ==========================================================================
# GetSecretValue
# ==========================================================================

class GetSecretValueTests(SmTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = uniq("get")
        r = cls.sm.create_secret(Name=cls.name, SecretString="v1")
        cls.arn, cls.v1 = r["ARN"], r["VersionId"]
        cls.v2 = cls.sm.put_secret_value(SecretId=cls.name, SecretString="v2")["VersionId"]

    def test_by_name_full_arn_partial_arn(self):
        for ident in (self.name, self.arn, partial_arn(self.name)):
            with self.subTest(ident=ident):
                g = self.value(ident)
                self.assertEqual("v2", g["SecretString"])
                self.assertEqual(self.arn, g["ARN"])
                self.assertEqual(self.name, g["Name"])
                self.assertEqual(self.v2, g["VersionId"])

    def test_unknown_secret(self):
        for ident in (uniq("missing"), partial_arn(uniq("missing")),
                      partial_arn(uniq("missing")) + "-AbCdEf",
                      self.arn[:-6] + ("zzzzzz" if not self.arn.endswith("zzzzzz") else "yyyyyy")):
            with self.subTest(ident=ident):
                self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value,
                                       SecretId=ident)

    def test_version_selection(self):
        g = self.value(self.name, VersionId=self.v1)
        self.assertEqual("v1", g["SecretString"])
        self.assertEqual(["AWSPREVIOUS"], g["VersionStages"])
        g = self.value(self.name, VersionStage="AWSPREVIOUS")
        self.assertEqual((self.v1, "v1"), (g["VersionId"], g["SecretString"]))
        g = self.value(self.name, VersionStage="AWSCURRENT")
        self.assertEqual((self.v2, "v2"), (g["VersionId"], g["SecretString"]))
        self.assertEqual(["AWSCURRENT"], g["VersionStages"])
        g = self.value(self.name, VersionId=self.v2, VersionStage="AWSCURRENT")
        self.assertEqual("v2", g["SecretString"])

    def test_unknown_version_or_stage(self):
        self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value,
                               SecretId=self.name, VersionId=str(uuid.uuid4()))
        self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value,
                               SecretId=self.name, VersionStage="NOSUCHSTAGE")

    def test_version_and_stage_must_agree(self):
        self.assertClientError(("ResourceNotFoundException", "InvalidRequestException",
                                "InvalidParameterException"),
                               self.sm.get_secret_value, SecretId=self.name,
                               VersionId=self.v1, VersionStage="AWSCURRENT")

    def test_no_current_version(self):
        name = uniq("nocurrent")
        self.sm.create_secret(Name=name)
        self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value, SecretId=name)
        # a version that is only AWSPENDING does not make AWSCURRENT exist... unless it is the
        # first version (AWS then attaches AWSCURRENT too); either way PENDING must be readable
        self.sm.put_secret_value(SecretId=name, SecretString="p", VersionStages=["AWSPENDING"])
        self.assertEqual("p", self.value(name, VersionStage="AWSPENDING")["SecretString"])

    def test_pending_deletion(self):
        name = uniq("getdel")
        self.sm.create_secret(Name=name, SecretString="x")
        self.sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        self.assertClientError("InvalidRequestException", self.sm.get_secret_value, SecretId=name)

    def test_disabled_kms_key_then_reenabled(self):
        kid = self.new_key()
        name = uniq("disabled")
        plain = "plaintext-" + uuid.uuid4().hex
        self.sm.create_secret(Name=name, SecretString=plain, KmsKeyId=kid)
        self.kms.disable_key(KeyId=kid)
        try:
            e = self.assertClientError("DecryptionFailure", self.sm.get_secret_value, SecretId=name)
            self.assertNoValueFields(e)
            # the raw error body carries neither the value nor any ciphertext field
            try:
                self.raw("GetSecretValue", SecretId=name)
                self.fail("GetSecretValue succeeded with a disabled key")
            except ClientError as err:
                body = err.response["RawBody"]
                self.assertEqual("DecryptionFailure", err.response["Error"]["Code"])
                self.assertNotIn(plain.encode(), body)
                doc = json.loads(body)
                self.assertFalse({"SecretString", "SecretBinary", "CiphertextBlob"} & set(doc),
                                 doc)
            # describing still works
            self.assertEqual(name, self.describe(name)["Name"])
        finally:
            self.kms.enable_key(KeyId=kid)
        self.assertEqual(plain, self.value(name)["SecretString"])

    def test_kms_key_pending_deletion(self):
        kid = self.new_key()
        name = uniq("keydel")
        self.sm.create_secret(Name=name, SecretString="x", KmsKeyId=kid)
        self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        self.assertClientError("DecryptionFailure", self.sm.get_secret_value, SecretId=name)
        self.kms.cancel_key_deletion(KeyId=kid)
        self.kms.enable_key(KeyId=kid)
        self.assertEqual("x", self.value(name)["SecretString"])

    def test_missing_secret_id(self):
        self.assertClientError(CONSTRAINT_CODES + ("InvalidRequestException",),
                               self.sm_nv.get_secret_value)


# ==========================================================================
# PutSecretValue
# ==========================================================================

class PutSecretValueTests(SmTestCase):
    def test_labels_move(self):
        name = uniq("put")
        v1 = self.sm.create_secret(Name=name, SecretString="one")["VersionId"]
        r = self.sm.put_secret_value(SecretId=name, SecretString="two")
        v2 = r["VersionId"]
        self.assertEqual(["AWSCURRENT"], r["VersionStages"])
        self.assertRegex(r["ARN"], secret_arn_re(name))
        self.assertEqual(name, r["Name"])
        self.assertEqual({v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}}, self.versions(name))
        v3 = self.sm.put_secret_value(SecretId=name, SecretString="three")["VersionId"]
        self.assertEqual({v2: {"AWSPREVIOUS"}, v3: {"AWSCURRENT"}}, self.versions(name))
        allv = self.versions(name, deprecated=True)
        self.assertEqual({v1: set(), v2: {"AWSPREVIOUS"}, v3: {"AWSCURRENT"}}, allv)
        self.assertEqual({v2: {"AWSPREVIOUS"}, v3: {"AWSCURRENT"}}, self.stages_of(name))
        self.assertEqual("three", self.value(name)["SecretString"])
        self.assertEqual("two", self.value(name, VersionStage="AWSPREVIOUS")["SecretString"])
        # a deprecated version is still readable by id until AWS deletes it
        self.assertEqual(3, len({v1, v2, v3}))

    def test_custom_version_stages(self):
        name = uniq("stages")
        v1 = self.sm.create_secret(Name=name, SecretString="one")["VersionId"]
        r = self.sm.put_secret_value(SecretId=name, SecretString="pending",
                                     VersionStages=["AWSPENDING"])
        v2 = r["VersionId"]
        self.assertEqual(["AWSPENDING"], r["VersionStages"])
        self.assertEqual("one", self.value(name)["SecretString"])
        self.assertEqual("pending", self.value(name, VersionStage="AWSPENDING")["SecretString"])
        v3 = self.sm.put_secret_value(SecretId=name, SecretString="blue",
                                      VersionStages=["blue", "green"])["VersionId"]
        self.assertEqual({v1: {"AWSCURRENT"}, v2: {"AWSPENDING"}, v3: {"blue", "green"}},
                         self.versions(name))
        # a label moves away from the version that had it
        v4 = self.sm.put_secret_value(SecretId=name, SecretString="blue2",
                                      VersionStages=["blue"])["VersionId"]
        self.assertEqual({v1: {"AWSCURRENT"}, v2: {"AWSPENDING"}, v3: {"green"}, v4: {"blue"}},
                         self.versions(name))
        # AWSCURRENT given explicitly: AWSPREVIOUS follows
        v5 = self.sm.put_secret_value(SecretId=name, SecretString="cur",
                                      VersionStages=["AWSCURRENT", "extra"])["VersionId"]
        st = self.versions(name)
        self.assertEqual({"AWSCURRENT", "extra"}, st[v5])
        self.assertEqual({"AWSPREVIOUS"}, st[v1])

    def test_first_version_gets_current(self):
        name = uniq("firstput")
        self.sm.create_secret(Name=name)
        r = self.sm.put_secret_value(SecretId=name, SecretBinary=b"\x00\x01first")
        self.assertEqual(["AWSCURRENT"], r["VersionStages"])
        g = self.value(name)
        self.assertEqual(b"\x00\x01first", g["SecretBinary"])
        self.assertEqual(r["VersionId"], g["VersionId"])
        self.assertEqual({r["VersionId"]: {"AWSCURRENT"}}, self.versions(name))

    def test_idempotent_token(self):
        name = uniq("idem")
        self.sm.create_secret(Name=name, SecretString="zero")
        token = str(uuid.uuid4())
        r1 = self.sm.put_secret_value(SecretId=name, SecretString="same", ClientRequestToken=token)
        self.assertEqual(token, r1["VersionId"])
        before = self.versions(name, deprecated=True)
        r2 = self.sm.put_secret_value(SecretId=name, SecretString="same", ClientRequestToken=token)
        self.assertEqual(token, r2["VersionId"])
        self.assertEqual(before, self.versions(name, deprecated=True), "a retry made a new version")
        self.assertClientError("ResourceExistsException", self.sm.put_secret_value,
                               SecretId=name, SecretString="different", ClientRequestToken=token)
        self.assertEqual("same", self.value(name)["SecretString"])
        self.assertEqual(before, self.versions(name, deprecated=True))

    def test_concurrent_retries_make_one_version(self):
        name = uniq("race")
        self.sm.create_secret(Name=name, SecretString="zero")
        token = str(uuid.uuid4())
        results, errors = [], []

        def put():
            try:
                results.append(self.sm.put_secret_value(SecretId=name, SecretString="raced",
                                                        ClientRequestToken=token)["VersionId"])
            except Exception as e:  # noqa: BLE001 - collected for the assertion
                errors.append(e)
        threads = [threading.Thread(target=put) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual([], errors)
        self.assertEqual([token] * 8, results)
        self.assertEqual(2, len(self.versions(name, deprecated=True)))
        self.assertEqual("raced", self.value(name)["SecretString"])

    def test_concurrent_puts_keep_label_invariants(self):
        name = uniq("race2")
        self.sm.create_secret(Name=name, SecretString="zero")
        errors = []

        def put(i):
            try:
                self.sm.put_secret_value(SecretId=name, SecretString="v%d" % i)
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=put, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual([], errors)
        allv = self.versions(name, deprecated=True)
        self.assertEqual(9, len(allv))
        labelled = {v: ls for v, ls in allv.items() if ls}
        self.assertEqual([{"AWSCURRENT"}, {"AWSPREVIOUS"}],
                         sorted(labelled.values(), key=lambda ls: sorted(ls)))

    def test_idempotent_token_binary(self):
        name = uniq("idemb")
        self.sm.create_secret(Name=name, SecretString="zero")
        token = str(uuid.uuid4())
        self.sm.put_secret_value(SecretId=name, SecretBinary=b"\x01\x02", ClientRequestToken=token)
        r = self.sm.put_secret_value(SecretId=name, SecretBinary=b"\x01\x02", ClientRequestToken=token)
        self.assertEqual(token, r["VersionId"])
        self.assertClientError("ResourceExistsException", self.sm.put_secret_value,
                               SecretId=name, SecretBinary=b"\x01\x03", ClientRequestToken=token)

    def test_value_errors(self):
        name = uniq("puterr")
        self.sm.create_secret(Name=name, SecretString="x")
        self.assertClientError("InvalidParameterException", self.sm.put_secret_value,
                               SecretId=name, SecretString="a", SecretBinary=b"b")
        self.assertClientError(CONSTRAINT_CODES, self.sm_nv.put_secret_value,
                               SecretId=name, SecretString="a" * 65537)
        self.assertEqual(1, len(self.versions(name, deprecated=True)))

    def test_unknown_and_deleted(self):
        self.assertClientError("ResourceNotFoundException", self.sm.put_secret_value,
                               SecretId=uniq("missing"), SecretString="x")
        name = uniq("putdel")
        self.sm.create_secret(Name=name, SecretString="x")
        self.sm.delete_secret(SecretId=name)
        self.assertClientError("InvalidRequestException", self.sm.put_secret_value,
                               SecretId=name, SecretString="y")

    def test_by_arn_and_partial_arn(self):
        name = uniq("putarn")
        arn = self.sm.create_secret(Name=name, SecretString="x")["ARN"]
        self.sm.put_secret_value(SecretId=arn, SecretString="by-arn")
        self.assertEqual("by-arn", self.value(name)["SecretString"])
        self.sm.put_secret_value(SecretId=partial_arn(name), SecretString="by-partial")
        self.assertEqual("by-partial", self.value(arn)["SecretString"])


class StagingLabelModelTests(SmTestCase):
    """Random PutSecretValue / UpdateSecretVersionStage sequences checked
    against a model of AWS's documented label rules: a label is on at most one
    version; moving AWSCURRENT moves AWSPREVIOUS to the version it left."""

    LABELS = ["AWSCURRENT", "AWSPENDING", "blue", "green"]

    def model_attach(self, model, label, vid):
        old = next((v for v, ls in model.items() if label in ls), None)
        if old == vid:
            return
        if old is not None:
            model[old].discard(label)
        model.setdefault(vid, set()).add(label)
        if label == "AWSCURRENT" and old is not None:
            for ls in model.values():
                ls.discard("AWSPREVIOUS")
            model[old].add("AWSPREVIOUS")

    def check(self, name, model, step):
        want = {v: ls for v, ls in model.items() if ls}
        self.assertEqual(want, self.versions(name), "after step %d" % step)
        self.assertEqual(want, self.stages_of(name), "DescribeSecret after step %d" % step)
        for label in self.LABELS + ["AWSPREVIOUS"]:
            holders = [v for v, ls in want.items() if label in ls]
            self.assertLessEqual(len(holders), 1, label)
            if holders:
                g = self.value(name, VersionStage=label)
                self.assertEqual(holders[0], g["VersionId"])
                self.assertEqual(self.values[holders[0]], g["SecretString"])

    def test_random_sequences(self):
        for seed in (11, 12, 13):
            with self.subTest(seed=seed):
                rnd = random.Random(seed)
                name = uniq("model")
                r = self.sm.create_secret(Name=name, SecretString="v0")
                model = {r["VersionId"]: {"AWSCURRENT"}}
                self.values = {r["VersionId"]: "v0"}
                for step in range(30):
                    if rnd.random() < 0.5 or len(model) < 2:
                        stages = rnd.choice([None, ["AWSCURRENT"], ["AWSPENDING"], ["blue"],
                                             ["green", "blue"], ["AWSCURRENT", "green"]])
                        val = "v%d-%d" % (seed, step)
                        kw = {"SecretId": name, "SecretString": val}
                        if stages:
                            kw["VersionStages"] = stages
                        vid = self.sm.put_secret_value(**kw)["VersionId"]
                        self.values[vid] = val
                        model[vid] = set()
                        for label in stages or ["AWSCURRENT"]:
                            self.model_attach(model, label, vid)
                    else:
                        label = rnd.choice(self.LABELS)
                        target = rnd.choice(sorted(model))
                        holder = next((v for v, ls in model.items() if label in ls), None)
                        kw = {"SecretId": name, "VersionStage": label, "MoveToVersionId": target}
                        if holder is not None:
                            kw["RemoveFromVersionId"] = holder
                        self.sm.update_secret_version_stage(**kw)
                        self.model_attach(model, label, target)
                    self.check(name, model, step)


# ==========================================================================
# UpdateSecret
# ==========================================================================

class UpdateSecretTests(SmTestCase):
    def test_description_only(self):
        name = uniq("upd")
        v1 = self.sm.create_secret(Name=name, SecretString="x", Description="before")["VersionId"]
        r = self.sm.update_secret(SecretId=name, Description="after")
        self.assertNotIn("VersionId", r)
        self.assertRegex(r["ARN"], secret_arn_re(name))
        self.assertEqual(name, r["Name"])
        d = self.describe(name)
        self.assertEqual("after", d["Description"])
        self.assertEqual({v1: {"AWSCURRENT"}}, self.versions(name, deprecated=True))

    def test_with_value(self):
        name = uniq("updv")
        v1 = self.sm.create_secret(Name=name, SecretString="old")["VersionId"]
        r = self.sm.update_secret(SecretId=name, SecretString="new")
        v2 = r["VersionId"]
        self.assertNotEqual(v1, v2)
        self.assertEqual({v1: {"AWSPREVIOUS"}, v2: {"AWSCURRENT"}}, self.versions(name))
        self.assertEqual("new", self.value(name)["SecretString"])
        r = self.sm.update_secret(SecretId=name, SecretBinary=b"\xff\x00")
        self.assertEqual(b"\xff\x00", self.value(name)["SecretBinary"])
        self.assertEqual("new", self.value(name, VersionStage="AWSPREVIOUS")["SecretString"])

    def test_with_token(self):
        name = uniq("updt")
        self.sm.create_secret(Name=name, SecretString="old")
        token = str(uuid.uuid4())
        r = self.sm.update_secret(SecretId=name, SecretString="new", ClientRequestToken=token)
        self.assertEqual(token, r["VersionId"])
        self.assertEqual(token, self.value(name)["VersionId"])

    def test_kms_key_change(self):
        ka, kb = self.new_key(), self.new_key()
        name = uniq("updkey")
        v1 = self.sm.create_secret(Name=name, SecretString="under-a", KmsKeyId=ka)["VersionId"]
        r = self.sm.update_secret(SecretId=name, KmsKeyId=kb, SecretString="under-b")
        v2 = r["VersionId"]
        self.assertEqual(kb, self.describe(name)["KmsKeyId"])
        self.assertEqual("under-b", self.value(name)["SecretString"])
        self.assertEqual("under-a", self.value(name, VersionId=v1)["SecretString"])
        # the new version really is under key B: disabling B makes it unreadable
        self.kms.disable_key(KeyId=kb)
        try:
            self.assertClientError("DecryptionFailure", self.sm.get_secret_value, SecretId=name)
        finally:
            self.kms.enable_key(KeyId=kb)
        # and not under key A
        self.kms.disable_key(KeyId=ka)
        try:
            self.assertEqual("under-b", self.value(name, VersionId=v2)["SecretString"])
        finally:
            self.kms.enable_key(KeyId=ka)
        # later versions use B as well
        self.sm.put_secret_value(SecretId=name, SecretString="later")
        self.kms.disable_key(KeyId=ka)
        try:
            self.assertEqual("later", self.value(name)["SecretString"])
        finally:
            self.kms.enable_key(KeyId=ka)

    def test_kms_key_change_only(self):
        ka, kb = self.new_key(), self.new_key()
        name = uniq("updkey2")
        self.sm.create_secret(Name=name, SecretString="v", KmsKeyId=ka)
        r = self.sm.update_secret(SecretId=name, KmsKeyId=kb)
        self.assertNotIn("VersionId", r)
        self.assertEqual(kb, self.describe(name)["KmsKeyId"])
        self.assertEqual("v", self.value(name)["SecretString"])

    def test_errors(self):
        self.assertClientError("ResourceNotFoundException", self.sm.update_secret,
                               SecretId=uniq("missing"), Description="x")
        name = uniq("upderr")
        self.sm.create_secret(Name=name, SecretString="x")
        self.assertClientError("InvalidParameterException", self.sm.update_secret,
                               SecretId=name, SecretString="a", SecretBinary=b"b")
        self.assertClientError(("EncryptionFailure", "InvalidParameterException",
                                "ResourceNotFoundException"),
                               self.sm.update_secret, SecretId=name, SecretString="y",
                               KmsKeyId=str(uuid.uuid4()))
        self.assertEqual("x", self.value(name)["SecretString"])
        self.sm.delete_secret(SecretId=name)
        self.assertClientError("InvalidRequestException", self.sm.update_secret,
                               SecretId=name, Description="y")


# ==========================================================================
# UpdateSecretVersionStage
# ==========================================================================

class UpdateSecretVersionStageTests(SmTestCase):
    def setUp(self):
        self.name = uniq("uvs")
        self.v1 = self.sm.create_secret(Name=self.name, SecretString="one")["VersionId"]
        self.v2 = self.sm.put_secret_value(SecretId=self.name, SecretString="two")["VersionId"]

    def test_move_current_previous_follows(self):
        r = self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="AWSCURRENT",
                                                MoveToVersionId=self.v1,
                                                RemoveFromVersionId=self.v2)
        self.assertRegex(r["ARN"], secret_arn_re(self.name))
        self.assertEqual(self.name, r["Name"])
        self.assertEqual({self.v1: {"AWSCURRENT"}, self.v2: {"AWSPREVIOUS"}},
                         self.versions(self.name))
        self.assertEqual("one", self.value(self.name)["SecretString"])

    def test_move_current_requires_remove_from(self):
        self.assertClientError("InvalidParameterException", self.sm.update_secret_version_stage,
                               SecretId=self.name, VersionStage="AWSCURRENT",
                               MoveToVersionId=self.v1)
        # wrong RemoveFromVersionId: the label is not on that version
        self.assertClientError("InvalidParameterException", self.sm.update_secret_version_stage,
                               SecretId=self.name, VersionStage="AWSCURRENT",
                               MoveToVersionId=self.v1, RemoveFromVersionId=self.v1)
        self.assertEqual({self.v1: {"AWSPREVIOUS"}, self.v2: {"AWSCURRENT"}},
                         self.versions(self.name))

    def test_custom_label_add_move_remove(self):
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="blue",
                                            MoveToVersionId=self.v1)
        self.assertEqual({self.v1: {"AWSPREVIOUS", "blue"}, self.v2: {"AWSCURRENT"}},
                         self.versions(self.name))
        self.assertEqual("one", self.value(self.name, VersionStage="blue")["SecretString"])
        # moving it needs RemoveFromVersionId too
        self.assertClientError("InvalidParameterException", self.sm.update_secret_version_stage,
                               SecretId=self.name, VersionStage="blue", MoveToVersionId=self.v2)
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="blue",
                                            MoveToVersionId=self.v2, RemoveFromVersionId=self.v1)
        self.assertEqual({self.v1: {"AWSPREVIOUS"}, self.v2: {"AWSCURRENT", "blue"}},
                         self.versions(self.name))
        # remove: no MoveToVersionId
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="blue",
                                            RemoveFromVersionId=self.v2)
        self.assertEqual({self.v1: {"AWSPREVIOUS"}, self.v2: {"AWSCURRENT"}},
                         self.versions(self.name))
        self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value,
                               SecretId=self.name, VersionStage="blue")

    def test_removing_last_label_deprecates(self):
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="AWSPREVIOUS",
                                            RemoveFromVersionId=self.v1)
        self.assertEqual({self.v2: {"AWSCURRENT"}}, self.versions(self.name))
        self.assertEqual({self.v1: set(), self.v2: {"AWSCURRENT"}},
                         self.versions(self.name, deprecated=True))
        self.assertEqual({self.v2: {"AWSCURRENT"}}, self.stages_of(self.name))

    def test_attach_to_same_version_is_noop(self):
        self.sm.update_secret_version_stage(SecretId=self.name, VersionStage="AWSCURRENT",
                                            MoveToVersionId=self.v2, RemoveFromVersionId=self.v2)
        self.assertEqual("two", self.value(self.name)["SecretString"])

    def test_errors(self):
        self.assertClientError("ResourceNotFoundException", self.sm.update_secret_version_stage,
                               SecretId=uniq("missing"), VersionStage="x",
                               MoveToVersionId=self.v1)
        self.assertClientError(("ResourceNotFoundException", "InvalidParameterException"),
                               self.sm.update_secret_version_stage, SecretId=self.name,
                               VersionStage="x", MoveToVersionId=str(uuid.uuid4()))


# ==========================================================================
# DescribeSecret
# ==========================================================================

class DescribeSecretTests(SmTestCase):
    def test_fields(self):
        kid = self.new_key()
        name = uniq("desc")
        r = self.sm.create_secret(Name=name, SecretString="x", Description="d",
                                  KmsKeyId=kid, Tags=[{"Key": "k", "Value": "v"}])
        v2 = self.sm.put_secret_value(SecretId=name, SecretString="y")["VersionId"]
        for ident in (name, r["ARN"], partial_arn(name)):
            with self.subTest(ident=ident):
                d = self.describe(ident)
                self.assertEqual(r["ARN"], d["ARN"])
                self.assertEqual(name, d["Name"])
                self.assertEqual("d", d["Description"])
                self.assertEqual(kid, d["KmsKeyId"])
                self.assertEqual([{"Key": "k", "Value": "v"}], d["Tags"])
                self.assertEqual({r["VersionId"]: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]},
                                 d["VersionIdsToStages"])
                self.assertRecent(d["CreatedDate"])
                self.assertRecent(d["LastChangedDate"])
                self.assertGreaterEqual(to_datetime(d["LastChangedDate"]),
                                        to_datetime(d["CreatedDate"]))
                self.assertNotIn("DeletedDate", d)
                self.assertFalse(d.get("RotationEnabled", False))
                self.assertNotIn("RotationLambdaARN", d)
                self.assertNotIn("LastRotatedDate", d)
                self.assertNoValueFields(d)

    def test_last_accessed_after_read(self):
        name = uniq("accessed")
        self.sm.create_secret(Name=name, SecretString="x")
        self.value(name)
        d = self.describe(name)
        self.assertIn("LastAccessedDate", d)
        # AWS records the day only
        self.assertRecent(d["LastAccessedDate"], slack_seconds=86400 + 300)

    def test_deleted_date_when_pending(self):
        name = uniq("descdel")
        self.sm.create_secret(Name=name, SecretString="x")
        r = self.sm.delete_secret(SecretId=name, RecoveryWindowInDays=10)
        d = self.describe(name)
        self.assertIn("DeletedDate", d)
        deleted = to_datetime(d["DeletedDate"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertGreater(deleted, now - datetime.timedelta(minutes=5))
        self.assertLess(deleted, to_datetime(r["DeletionDate"]) + datetime.timedelta(minutes=5))
        self.sm.restore_secret(SecretId=name)
        self.assertNotIn("DeletedDate", self.describe(name))

    def test_unknown(self):
        self.assertClientError("ResourceNotFoundException", self.sm.describe_secret,
                               SecretId=uniq("missing"))
        self.assertClientError("ResourceNotFoundException", self.sm.describe_secret,
                               SecretId=partial_arn(uniq("missing")))


# ==========================================================================
# ListSecrets
# ==========================================================================

class ListSecretsTests(SmTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.word = letters()
        cls.prefix = "ls%s/" % cls.word
        cls.dword = letters()
        cls.tkey = "tk" + letters()
        cls.tval = "tv" + letters()
        cls.allword = letters(14)
        cls.names = {}
        specs = [
            ("a", {"Description": "Dsc%s first" % cls.dword.capitalize(),
                   "Tags": [{"Key": cls.tkey + "-env", "Value": cls.tval + "-prod"}]}),
            ("b", {"Description": "other description",
                   "Tags": [{"Key": "plain", "Value": cls.allword}]}),
            ("c", {"Tags": [{"Key": cls.tkey + "-team", "Value": "x"}]}),
            ("d", {}),
        ]
        for suffix, kw in specs:
            name = cls.prefix + suffix
            cls.names[suffix] = name
            cls.sm.create_secret(Name=name, SecretString="v", **kw)
        cls.outsider = cls.sm.create_secret(Name="out" + cls.word, SecretString="v")["Name"]

    def list_all(self, client=None, **kw):
        """Names over all pages (duplicates kept, to be checked)."""
        out = []
        for _ in range(1000):
            r = (client or self.sm).list_secrets(**kw)
            out.extend(s["Name"] for s in r["SecretList"])
            if not r.get("NextToken"):
                return out
            kw["NextToken"] = r["NextToken"]
        self.fail("ListSecrets paging does not terminate")

    def mine(self, names):
        return sorted(n for n in names if n.startswith(self.prefix))

    def filt(self, key, *values):
        return self.list_all(Filters=[{"Key": key, "Values": list(values)}])

    def n(self, *suffixes):
        return sorted(self.names[s] for s in suffixes)

    def test_entry_fields(self):
        r = self.filt("name", self.names["a"])
        self.assertEqual([self.names["a"]], r)
        e = self.sm.list_secrets(Filters=[{"Key": "name", "Values": [self.names["a"]]}])["SecretList"][0]
        self.assertRegex(e["ARN"], secret_arn_re(self.names["a"]))
        self.assertEqual("Dsc%s first" % self.dword.capitalize(), e["Description"])
        self.assertEqual({self.tkey + "-env": self.tval + "-prod"},
                         {t["Key"]: t["Value"] for t in e["Tags"]})
        self.assertEqual(1, len(e["SecretVersionsToStages"]))
        self.assertEqual([["AWSCURRENT"]], list(e["SecretVersionsToStages"].values()))
        self.assertRecent(e["CreatedDate"])
        self.assertNoValueFields(e)

    def test_name_prefix_case_sensitive(self):
        self.assertEqual(self.n("a", "b", "c", "d"), sorted(self.filt("name", self.prefix)))
        self.assertEqual([], self.filt("name", self.prefix.upper()))
        self.assertEqual(self.n("a"), sorted(self.filt("name", self.prefix + "a")))
        # a value is a prefix, not a substring
        self.assertEqual([], self.mine(self.filt("name", self.word)))

    def test_name_negation(self):
        got = self.filt("name", "!" + self.prefix)
        self.assertEqual([], self.mine(got))
        self.assertIn(self.outsider, got)

    def test_multiple_values_or(self):
        got = self.filt("name", self.prefix + "a", self.prefix + "c")
        self.assertEqual(self.n("a", "c"), sorted(got))

    def test_description_prefix_case_insensitive(self):
        self.assertEqual(self.n("a"), self.mine(self.filt("description", "dsc" + self.dword)))
        self.assertEqual(self.n("a"), self.mine(self.filt("description",
                                                          "DSC" + self.dword.upper())))
        self.assertEqual([], self.mine(self.filt("description", "zz" + self.dword)))

    def test_tag_key_and_value(self):
        self.assertEqual(self.n("a", "c"), self.mine(self.filt("tag-key", self.tkey)))
        self.assertEqual(self.n("a"), self.mine(self.filt("tag-key", self.tkey + "-env")))
        self.assertEqual([], self.mine(self.filt("tag-key", self.tkey.upper())))
        self.assertEqual(self.n("a"), self.mine(self.filt("tag-value", self.tval)))
        self.assertEqual([], self.mine(self.filt("tag-value", self.tval.upper())))
        neg = self.filt("tag-key", "!" + self.tkey)
        self.assertNotIn(self.names["a"], neg)
        self.assertNotIn(self.names["c"], neg)
        self.assertIn(self.outsider, neg)

    def test_filters_are_anded(self):
        got = self.list_all(Filters=[{"Key": "name", "Values": [self.prefix]},
                                     {"Key": "tag-key", "Values": [self.tkey + "-team"]}])
        self.assertEqual(self.n("c"), sorted(got))

    def test_all_filter(self):
        self.assertEqual(self.n("b"), self.mine(self.filt("all", self.allword)))
        self.assertEqual(self.n("b"), self.mine(self.filt("all", self.allword.upper())))
        # "all" also searches names
        self.assertIn(self.outsider, self.filt("all", "out" + self.word))

    def test_owning_service_and_primary_region(self):
        got = self.raw("ListSecrets", Filters=[{"Key": "owning-service", "Values": ["rds"]}])
        self.assertEqual([], self.mine(s["Name"] for s in got["SecretList"]))
        # none of these is replicated; primary-region eu-west-1 cannot match them
        got = self.filt("primary-region", "eu-west-1")
        self.assertEqual([], self.mine(got))

    def test_unknown_filter_key(self):
        self.assertClientError(CONSTRAINT_CODES, self.sm_nv.list_secrets,
                               Filters=[{"Key": "no-such-key", "Values": ["x"]}])

    def test_paging_exactly_once(self):
        full = self.list_all()
        self.assertEqual(len(full), len(set(full)), "duplicates in ListSecrets")
        paged = self.list_all(MaxResults=2)
        self.assertEqual(len(paged), len(set(paged)), "duplicates across pages")
        self.assertEqual(set(full), set(paged))
        mine = self.list_all(MaxResults=1, Filters=[{"Key": "name", "Values": [self.prefix]}])
        self.assertEqual(self.n("a", "b", "c", "d"), sorted(mine))
        r = self.sm.list_secrets(MaxResults=1, Filters=[{"Key": "name", "Values": [self.prefix]}])
        self.assertEqual(1, len(r["SecretList"]))
        self.assertTrue(r.get("NextToken"))

    def test_max_results_bounds_and_bad_token(self):
        for bad in (0, 101):
            with self.subTest(max_results=bad):
                self.assertClientError(CONSTRAINT_CODES, self.sm_nv.list_secrets, MaxResults=bad)
        self.assertIn("SecretList", self.sm.list_secrets(MaxResults=100))
        self.assertClientError("InvalidNextTokenException", self.sm.list_secrets,
                               NextToken="not-a-real-token")

    def test_include_planned_deletion(self):
        name = self.prefix + "deleted"
        self.sm.create_secret(Name=name, SecretString="v")
        self.sm.delete_secret(SecretId=name)
        self.assertNotIn(name, self.filt("name", self.prefix))
        got = self.raw("ListSecrets", IncludePlannedDeletion=True,
                       Filters=[{"Key": "name", "Values": [name]}])["SecretList"]
        self.assertEqual([name], [s["Name"] for s in got])
        self.assertIn("DeletedDate", got[0])
        got = self.raw("ListSecrets", IncludePlannedDeletion=False,
                       Filters=[{"Key": "name", "Values": [name]}])["SecretList"]
        self.assertEqual([], got)

    def test_sort_order(self):
        prefix = "sort%s/" % letters()
        made = []
        for i in range(3):
            if i:
                time.sleep(1.1)  # distinct CreatedDate even at one-second resolution
            made.append(self.sm.create_secret(Name=prefix + str(i), SecretString="v")["Name"])
        f = [{"Key": "name", "Values": [prefix]}]
        asc = self.list_all(Filters=f, SortOrder="asc")
        desc = self.list_all(Filters=f, SortOrder="desc")
        self.assertEqual(made, asc)
        self.assertEqual(list(reversed(made)), desc)
        # paging keeps the order
        self.assertEqual(made, self.list_all(Filters=f, SortOrder="asc", MaxResults=1))
        self.assertEqual(list(reversed(made)),
                         self.list_all(Filters=f, SortOrder="desc", MaxResults=2))


    def test_paging_keeps_every_sort(self):
        # each SortBy and SortOrder, a page at a time, gives the one-page listing
        f = [{"Key": "name", "Values": [self.prefix]}]
        for sort in ("name", "created-date", "last-changed-date", "last-accessed-date"):
            for order in ("asc", "desc"):
                with self.subTest(sort=sort, order=order):
                    whole = [s["Name"] for s in self.raw("ListSecrets", Filters=f, SortBy=sort,
                                                         SortOrder=order)["SecretList"]]
                    self.assertEqual(self.n("a", "b", "c", "d"), sorted(whole))
                    if sort == "name":
                        self.assertEqual(sorted(whole, reverse=order == "desc"), whole)
                    paged, kw = [], {"Filters": f, "SortBy": sort, "SortOrder": order,
                                     "MaxResults": 1}
                    for _ in range(10):
                        r = self.raw("ListSecrets", **kw)
                        paged.extend(s["Name"] for s in r["SecretList"])
                        if not r.get("NextToken"):
                            break
                        kw["NextToken"] = r["NextToken"]
                    self.assertEqual(whole, paged)

    def test_page_resumes_after_its_last_secret(self):
        # a secret removed between pages shifts nothing: the next page starts
        # after the last secret returned (an offset would skip one)
        prefix = "keyset%s/" % letters()
        made = [self.sm.create_secret(Name=prefix + str(i), SecretString="v")["Name"]
                for i in range(4)]
        f = [{"Key": "name", "Values": [prefix]}]
        p1 = self.sm.list_secrets(Filters=f, MaxResults=2, SortOrder="asc")
        self.assertEqual(made[:2], [s["Name"] for s in p1["SecretList"]])
        self.sm.delete_secret(SecretId=made[0], ForceDeleteWithoutRecovery=True)
        p2 = self.sm.list_secrets(Filters=f, MaxResults=2, SortOrder="asc",
                                  NextToken=p1["NextToken"])
        self.assertEqual(made[2:], [s["Name"] for s in p2["SecretList"]])
        self.assertNotIn("NextToken", p2)

    def test_altered_token_is_refused(self):
        f = [{"Key": "name", "Values": [self.prefix]}]
        tok = self.raw("ListSecrets", Filters=f, MaxResults=1, SortBy="name")["NextToken"]
        self.assertClientError("InvalidNextTokenException", self.sm.list_secrets,
                               Filters=f, MaxResults=1, NextToken=tok[:-2] + (
                                   "AA" if tok[-2:] != "AA" else "BB"))

# ==========================================================================
# ListSecretVersionIds
# ==========================================================================

class ListSecretVersionIdsTests(SmTestCase):
    def test_fields_and_paging(self):
        name = uniq("lsv")
        r = self.sm.create_secret(Name=name, SecretString="0")
        ids = [r["VersionId"]]
        for i in range(1, 5):
            ids.append(self.sm.put_secret_value(SecretId=name, SecretString=str(i))["VersionId"])
        out = self.sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)
        self.assertEqual(r["ARN"], out["ARN"])
        self.assertEqual(name, out["Name"])
        for v in out["Versions"]:
            self.assertRecent(v["CreatedDate"])
        self.assertEqual(set(ids), self.versions(name, deprecated=True).keys())
        self.assertEqual({ids[3], ids[4]}, self.versions(name).keys())
        paged, pages, kw = [], 0, {"SecretId": name, "IncludeDeprecated": True, "MaxResults": 2}
        while True:
            p = self.sm.list_secret_version_ids(**kw)
            pages += 1
            self.assertLessEqual(len(p["Versions"]), 2)
            paged.extend(v["VersionId"] for v in p["Versions"])
            if not p.get("NextToken"):
                break
            kw["NextToken"] = p["NextToken"]
            self.assertLess(pages, 50)
        self.assertEqual(sorted(ids), sorted(paged))
        self.assertGreaterEqual(pages, 3)

    def test_errors(self):
        self.assertClientError("ResourceNotFoundException", self.sm.list_secret_version_ids,
                               SecretId=uniq("missing"))
        name = uniq("lsverr")
        self.sm.create_secret(Name=name, SecretString="x")
        self.assertClientError("InvalidNextTokenException", self.sm.list_secret_version_ids,
                               SecretId=name, NextToken="bogus-token")
        for bad in (0, 101):
            with self.subTest(max_results=bad):
                self.assertClientError(CONSTRAINT_CODES, self.sm_nv.list_secret_version_ids,
                                       SecretId=name, MaxResults=bad)


# ==========================================================================
# DeleteSecret / RestoreSecret
# ==========================================================================

class DeleteRestoreTests(SmTestCase):
    def test_default_window_30_days(self):
        name = uniq("del")
        arn = self.sm.create_secret(Name=name, SecretString="x")["ARN"]
        r = self.sm.delete_secret(SecretId=name)
        self.assertEqual(arn, r["ARN"])
        self.assertEqual(name, r["Name"])
        self.assertRecent(r["DeletionDate"], delta_days=30, slack_seconds=86400 + 300)
        self.assertNotIn(name, [s["Name"] for s in self.sm.list_secrets(
            Filters=[{"Key": "name", "Values": [name]}])["SecretList"]])

    def test_recovery_window_bounds(self):
        for days in (7, 30):
            with self.subTest(days=days):
                name = uniq("win")
                self.sm.create_secret(Name=name, SecretString="x")
                r = self.sm.delete_secret(SecretId=name, RecoveryWindowInDays=days)
                self.assertRecent(r["DeletionDate"], delta_days=days, slack_seconds=86400 + 300)
        for days in (0, 6, 31):
            with self.subTest(days=days):
                name = uniq("badwin")
                self.sm.create_secret(Name=name, SecretString="x")
                self.assertClientError("InvalidParameterException", self.sm_nv.delete_secret,
                                       SecretId=name, RecoveryWindowInDays=days)
                self.assertEqual("x", self.value(name)["SecretString"])

    def test_force_with_window_rejected(self):
        name = uniq("forcewin")
        self.sm.create_secret(Name=name, SecretString="x")
        self.assertClientError("InvalidParameterException", self.sm.delete_secret,
                               SecretId=name, RecoveryWindowInDays=7,
                               ForceDeleteWithoutRecovery=True)
        self.assertEqual("x", self.value(name)["SecretString"])

    def test_force_delete(self):
        name = uniq("force")
        arn = self.sm.create_secret(Name=name, SecretString="x")["ARN"]
        r = self.sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        self.assertEqual(arn, r["ARN"])
        self.assertIn("DeletionDate", r)

        def gone():
            try:
                self.sm.describe_secret(SecretId=name)
                return False
            except ClientError as e:
                return e.response["Error"]["Code"] == "ResourceNotFoundException"
        self.assertTrue(wait_for(gone, timeout=2), "force-deleted secret still there")
        self.assertClientError("ResourceNotFoundException", self.sm.restore_secret, SecretId=name)

    def test_force_delete_nonexistent_is_not_an_error(self):
        # documented: "If you forcibly delete an already deleted or nonexistent
        # secret, the operation does not return ResourceNotFoundException."
        self.sm.delete_secret(SecretId=uniq("never"), ForceDeleteWithoutRecovery=True)

    def test_delete_unknown_and_twice(self):
        self.assertClientError("ResourceNotFoundException", self.sm.delete_secret,
                               SecretId=uniq("missing"))
        name = uniq("twice")
        self.sm.create_secret(Name=name, SecretString="x")
        self.sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        self.assertClientError("InvalidRequestException", self.sm.delete_secret,
                               SecretId=name, RecoveryWindowInDays=7)

    def test_force_delete_of_pending_secret(self):
        name = uniq("pendforce")
        self.sm.create_secret(Name=name, SecretString="x")
        self.sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
        self.sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
        self.assertTrue(wait_for(lambda: self._missing(name), timeout=2))

    def _missing(self, name):
        try:
            self.sm.describe_secret(SecretId=name)
            return False
        except ClientError as e:
            return e.response["Error"]["Code"] == "ResourceNotFoundException"

    def test_pending_secret_is_locked(self):
        name = uniq("locked")
        self.sm.create_secret(Name=name, SecretString="x")
        self.sm.delete_secret(SecretId=name)
        self.assertClientError("InvalidRequestException", self.sm.get_secret_value, SecretId=name)
        self.assertClientError("InvalidRequestException", self.sm.put_secret_value,
                               SecretId=name, SecretString="y")
        self.assertClientError("InvalidRequestException", self.sm.update_secret,
                               SecretId=name, SecretString="y")
        # metadata is still visible
        self.assertEqual(name, self.describe(name)["Name"])

    def test_restore(self):
        name = uniq("restore")
        arn = self.sm.create_secret(Name=name, SecretString="keep me")["ARN"]
        self.sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
        r = self.sm.restore_secret(SecretId=name)
        self.assertEqual(arn, r["ARN"])
        self.assertEqual(name, r["Name"])
        self.assertEqual("keep me", self.value(name)["SecretString"])
        self.assertNotIn("DeletedDate", self.describe(name))
        self.assertIn(name, [s["Name"] for s in self.sm.list_secrets(
            Filters=[{"Key": "name", "Values": [name]}])["SecretList"]])
        self.sm.put_secret_value(SecretId=name, SecretString="writable again")
        self.assertEqual("writable again", self.value(name)["SecretString"])

    def test_restore_unknown(self):
        self.assertClientError("ResourceNotFoundException", self.sm.restore_secret,
                               SecretId=uniq("missing"))


# ==========================================================================
# TagResource / UntagResource
# ==========================================================================

class TagTests(SmTestCase):
    def tags(self, sid):
        return {t["Key"]: t["Value"] for t in self.describe(sid).get("Tags") or []}

    def test_tag_untag(self):
        name = uniq("tag")
        arn = self.sm.create_secret(Name=name, SecretString="x",
                                    Tags=[{"Key": "a", "Value": "1"}])["ARN"]
        r = self.sm.tag_resource(SecretId=name, Tags=[{"Key": "b", "Value": "2"},
                                                      {"Key": "a", "Value": "one"}])
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual({"a": "one", "b": "2"}, self.tags(name))
        self.sm.tag_resource(SecretId=arn, Tags=[{"Key": "A", "Value": "upper"}])
        self.assertEqual({"a": "one", "b": "2", "A": "upper"}, self.tags(name))
        self.sm.untag_resource(SecretId=partial_arn(name), TagKeys=["a", "not-there"])
        self.assertEqual({"b": "2", "A": "upper"}, self.tags(name))
        self.sm.untag_resource(SecretId=name, TagKeys=["b", "A"])
        self.assertEqual({}, self.tags(name))

    def test_unknown_secret(self):
        self.assertClientError("ResourceNotFoundException", self.sm.tag_resource,
                               SecretId=uniq("missing"), Tags=[{"Key": "a", "Value": "b"}])
        self.assertClientError("ResourceNotFoundException", self.sm.untag_resource,
                               SecretId=uniq("missing"), TagKeys=["a"])

    def test_reserved_prefix(self):
        name = uniq("tagaws")
        self.sm.create_secret(Name=name, SecretString="x")
        self.assertClientError(CONSTRAINT_CODES, self.sm.tag_resource, SecretId=name,
                               Tags=[{"Key": "aws:reserved", "Value": "x"}])
        self.assertEqual({}, self.tags(name))


# ==========================================================================
# Resource policies
# ==========================================================================

POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow",
                   "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT},
                   "Action": "secretsmanager:GetSecretValue",
                   "Resource": "*"}]})
PUBLIC_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*",
                   "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})


class ResourcePolicyTests(SmTestCase):
    def setUp(self):
        self.name = uniq("pol")
        self.arn = self.sm.create_secret(Name=self.name, SecretString="x")["ARN"]

    def test_get_without_policy(self):
        r = self.sm.get_resource_policy(SecretId=self.name)
        self.assertEqual(200, r["ResponseMetadata"]["HTTPStatusCode"])
        self.assertEqual(self.arn, r["ARN"])
        self.assertEqual(self.name, r["Name"])
        self.assertNotIn("ResourcePolicy", r)

    def test_put_get_delete(self):
        r = self.sm.put_resource_policy(SecretId=self.name, ResourcePolicy=POLICY)
        self.assertEqual((self.arn, self.name), (r["ARN"], r["Name"]))
        g = self.sm.get_resource_policy(SecretId=self.arn)
        self.assertEqual(json.loads(POLICY), json.loads(g["ResourcePolicy"]))
        d = self.sm.delete_resource_policy(SecretId=self.name)
        self.assertEqual((self.arn, self.name), (d["ARN"], d["Name"]))
        self.assertNotIn("ResourcePolicy", self.sm.get_resource_policy(SecretId=self.name))
        # deleting when there is none is fine
        self.sm.delete_resource_policy(SecretId=self.name)

    def test_malformed(self):
        for bad in ("{not json", "[]", '"just a string"'):
            with self.subTest(policy=bad):
                self.assertClientError("MalformedPolicyDocumentException",
                                       self.sm.put_resource_policy, SecretId=self.name,
                                       ResourcePolicy=bad)
                self.assertClientError("MalformedPolicyDocumentException",
                                       self.sm.validate_resource_policy, SecretId=self.name,
                                       ResourcePolicy=bad)
        self.assertNotIn("ResourcePolicy", self.sm.get_resource_policy(SecretId=self.name))

    def test_validate(self):
        r = self.sm.validate_resource_policy(SecretId=self.name, ResourcePolicy=POLICY)
        self.assertIs(True, r["PolicyValidationPassed"])
        self.assertEqual([], r.get("ValidationErrors") or [])
        r = self.sm.validate_resource_policy(ResourcePolicy=POLICY)  # SecretId is optional
        self.assertIs(True, r["PolicyValidationPassed"])

    def test_block_public_policy(self):
        self.assertClientError("PublicPolicyException", self.sm.put_resource_policy,
                               SecretId=self.name, ResourcePolicy=PUBLIC_POLICY,
                               BlockPublicPolicy=True)
        self.assertNotIn("ResourcePolicy", self.sm.get_resource_policy(SecretId=self.name))

    def test_unknown_secret(self):
        missing = uniq("missing")
        self.assertClientError("ResourceNotFoundException", self.sm.get_resource_policy,
                               SecretId=missing)
        self.assertClientError("ResourceNotFoundException", self.sm.put_resource_policy,
                               SecretId=missing, ResourcePolicy=POLICY)
        self.assertClientError("ResourceNotFoundException", self.sm.delete_resource_policy,
                               SecretId=missing)


# ==========================================================================
# BatchGetSecretValue (raw: not in botocore 1.29)
# ==========================================================================

class BatchGetSecretValueTests(SmTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prefix = "batch%s/" % letters()
        cls.secrets = {}
        for i in range(5):
            name = cls.prefix + str(i)
            r = cls.sm.create_secret(Name=name, SecretString="value-%d" % i)
            cls.secrets[name] = r
        cls.bin_name = uniq("batchbin")
        cls.sm.create_secret(Name=cls.bin_name, SecretBinary=b"\x00\xffbin")

    def test_by_id_list_with_missing(self):
        a, b = self.prefix + "0", self.prefix + "1"
        missing = uniq("missing")
        r = self.raw("BatchGetSecretValue",
                     SecretIdList=[a, self.secrets[b]["ARN"], missing, self.bin_name])
        vals = {v["Name"]: v for v in r["SecretValues"]}
        self.assertEqual({a, b, self.bin_name}, set(vals))
        self.assertEqual("value-0", vals[a]["SecretString"])
        self.assertEqual("value-1", vals[b]["SecretString"])
        self.assertEqual(b"\x00\xffbin", base64.b64decode(vals[self.bin_name]["SecretBinary"]))
        self.assertEqual(self.secrets[a]["ARN"], vals[a]["ARN"])
        self.assertEqual(self.secrets[a]["VersionId"], vals[a]["VersionId"])
        self.assertEqual(["AWSCURRENT"], vals[a]["VersionStages"])
        self.assertRecent(vals[a]["CreatedDate"])
        errs = r.get("Errors") or []
        self.assertEqual(1, len(errs), errs)
        self.assertEqual(missing, errs[0]["SecretId"])
        self.assertEqual("ResourceNotFoundException", errs[0]["ErrorCode"])

    def test_by_filters(self):
        r = self.raw("BatchGetSecretValue",
                     Filters=[{"Key": "name", "Values": [self.prefix]}])
        got = {v["Name"]: v["SecretString"] for v in r["SecretValues"]}
        self.assertEqual({n: "value-%s" % n[-1] for n in self.secrets}, got)
        self.assertEqual([], r.get("Errors") or [])

    def test_filters_paging(self):
        seen, pages = [], 0
        params = {"Filters": [{"Key": "name", "Values": [self.prefix]}], "MaxResults": 2}
        while True:
            r = self.raw("BatchGetSecretValue", **params)
            pages += 1
            self.assertLessEqual(len(r["SecretValues"]), 2)
            seen.extend(v["Name"] for v in r["SecretValues"])
            if not r.get("NextToken"):
                break
            params["NextToken"] = r["NextToken"]
            self.assertLess(pages, 20)
        self.assertEqual(sorted(self.secrets), sorted(seen))
        self.assertGreaterEqual(pages, 3)

    def test_parameter_errors(self):
        a = self.prefix + "0"
        f = [{"Key": "name", "Values": [self.prefix]}]
        for params in ({"SecretIdList": [a], "Filters": f},  # both
                       {},  # neither
                       {"SecretIdList": [a], "MaxResults": 2}):  # MaxResults needs Filters
            with self.subTest(params=sorted(params)):
                with self.assertRaises(ClientError) as cm:
                    self.raw("BatchGetSecretValue", **params)
                self.assertIn(cm.exception.response["Error"]["Code"],
                              ("InvalidParameterException", "InvalidRequestException")
                              + CONSTRAINT_CODES)
        with self.assertRaises(ClientError) as cm:
            self.raw("BatchGetSecretValue", SecretIdList=["s%d" % i for i in range(21)])
        self.assertIn(cm.exception.response["Error"]["Code"], CONSTRAINT_CODES)


# ==========================================================================
# GetRandomPassword
# ==========================================================================

class GetRandomPasswordTests(SmTestCase):
    DRAWS = 100

    def pw(self, **kw):
        r = self.sm.get_random_password(**kw)
        return r["RandomPassword"]

    def test_default(self):
        p = self.pw()
        self.assertEqual(32, len(p))
        allowed = set(string.ascii_letters + string.digits) | PUNCT
        for _ in range(self.DRAWS):
            p = self.pw()
            self.assertEqual(32, len(p))
            self.assertTrue(set(p) <= allowed, p)
            self.assertNotIn(" ", p)
            # default RequireEachIncludedType: at least one of every type
            self.assertTrue(set(p) & set(string.ascii_uppercase), p)
            self.assertTrue(set(p) & set(string.ascii_lowercase), p)
            self.assertTrue(set(p) & set(string.digits), p)
            self.assertTrue(set(p) & PUNCT, p)

    def test_calls_differ(self):
        self.assertEqual(20, len({self.pw() for _ in range(20)}))

    def test_lengths(self):
        self.assertEqual(1, len(self.pw(PasswordLength=1, RequireEachIncludedType=False)))
        self.assertEqual(4096, len(self.pw(PasswordLength=4096)))
        self.assertEqual(7, len(self.pw(PasswordLength=7)))
        for bad in (0, 4097):
            with self.subTest(length=bad):
                self.assertClientError(CONSTRAINT_CODES, self.sm_nv.get_random_password,
                                       PasswordLength=bad)

    def test_exclude_classes(self):
        cases = [({"ExcludeNumbers": True}, set(string.digits)),
                 ({"ExcludePunctuation": True}, PUNCT),
                 ({"ExcludeUppercase": True}, set(string.ascii_uppercase)),
                 ({"ExcludeLowercase": True}, set(string.ascii_lowercase))]
        for kw, banned in cases:
            with self.subTest(**kw):
                seen = set()
                for _ in range(self.DRAWS):
                    p = self.pw(PasswordLength=64, **kw)
                    self.assertEqual(64, len(p))
                    self.assertFalse(set(p) & banned, p)
                    seen |= set(p)
                # the other classes still occur
                for cls in (set(string.digits), PUNCT, set(string.ascii_uppercase),
                            set(string.ascii_lowercase)):
                    if cls != banned:
                        self.assertTrue(seen & cls)

    def test_exclude_characters(self):
        excl = "abcXYZ012!@#\"'\\"
        for _ in range(self.DRAWS):
            p = self.pw(PasswordLength=64, ExcludeCharacters=excl)
            self.assertFalse(set(p) & set(excl), p)

    def test_only_digits(self):
        for _ in range(20):
            p = self.pw(PasswordLength=40, ExcludeUppercase=True, ExcludeLowercase=True,
                        ExcludePunctuation=True)
            self.assertTrue(p.isdigit(), p)

    def test_require_each_included_type(self):
        for _ in range(self.DRAWS):
            p = self.pw(PasswordLength=4, RequireEachIncludedType=True)
            self.assertEqual(4, len(p))
            for cls in (set(string.ascii_uppercase), set(string.ascii_lowercase),
                        set(string.digits), PUNCT):
                self.assertTrue(set(p) & cls, p)
            p = self.pw(PasswordLength=3, RequireEachIncludedType=True, ExcludePunctuation=True)
            for cls in (set(string.ascii_uppercase), set(string.ascii_lowercase),
                        set(string.digits)):
                self.assertTrue(set(p) & cls, p)

    def test_include_space(self):
        seen_space = False
        for _ in range(30):
            p = self.pw(PasswordLength=64, IncludeSpace=True)
            seen_space = seen_space or " " in p
        self.assertTrue(seen_space, "IncludeSpace never produced a space")
        for _ in range(30):
            self.assertNotIn(" ", self.pw(PasswordLength=64, IncludeSpace=False))

    def test_everything_excluded(self):
        self.assertClientError("InvalidParameterException", self.sm.get_random_password,
                               ExcludeNumbers=True, ExcludePunctuation=True,
                               ExcludeUppercase=True, ExcludeLowercase=True)
        everything = string.ascii_letters + string.digits + "".join(sorted(PUNCT))
        self.assertClientError("InvalidParameterException", self.sm.get_random_password,
                               ExcludeCharacters=everything)


# ==========================================================================
# Replication
# ==========================================================================

class ReplicationTests(SmTestCase):
    EU = "eu-west-1"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eu = sm_client(cls.server, cls.EU)

    def replica_status(self, sid, region):
        for s in self.describe(sid).get("ReplicationStatus") or []:
            if s["Region"] == region:
                return s
        return None

    def wait_in_sync(self, sid, region):
        st = wait_for(lambda: (self.replica_status(sid, region) or {}).get("Status") == "InSync")
        self.assertTrue(st, "replica in %s not InSync: %r" % (region, self.replica_status(sid, region)))

    def eu_value(self, sid, client=None):
        try:
            return (client or self.eu).get_secret_value(SecretId=sid)["SecretString"]
        except ClientError as e:
            return "<%s>" % e.response["Error"]["Code"]

    def test_create_with_replica(self):
        name = uniq("repl")
        r = self.sm.create_secret(Name=name, SecretString="primary-v1",
                                  AddReplicaRegions=[{"Region": self.EU}])
        st = r.get("ReplicationStatus") or []
        self.assertEqual([self.EU], [s["Region"] for s in st])
        self.assertIn(st[0]["Status"], ("InSync", "InProgress"))
        self.wait_in_sync(name, self.EU)
        d = self.describe(name)
        self.assertEqual("us-east-1", d.get("PrimaryRegion", "us-east-1"))
        # the replica: same name, same value, ARN in its own region
        self.assertTrue(wait_for(lambda: self.eu_value(name) == "primary-v1"),
                        "replica answers %r" % self.eu_value(name))
        g = self.eu.get_secret_value(SecretId=name)
        self.assertEqual(in_region(r["ARN"], self.EU), g["ARN"])
        self.assertEqual(name, g["Name"])
        ed = self.eu.describe_secret(SecretId=name)
        self.assertEqual("us-east-1", ed["PrimaryRegion"])
        self.assertEqual(in_region(r["ARN"], self.EU), ed["ARN"])
        # also reachable by its replica ARN
        self.assertEqual("primary-v1", self.eu_value(in_region(r["ARN"], self.EU)))

    def test_primary_update_propagates(self):
        name = uniq("replput")
        self.sm.create_secret(Name=name, SecretString="v1", AddReplicaRegions=[{"Region": self.EU}])
        self.wait_in_sync(name, self.EU)
        self.sm.put_secret_value(SecretId=name, SecretString="v2")
        self.assertTrue(wait_for(lambda: self.eu_value(name) == "v2"),
                        "replica shows %r" % self.eu_value(name))
        self.sm.update_secret(SecretId=name, Description="desc-propagated")
        self.assertTrue(wait_for(lambda: self.eu.describe_secret(SecretId=name)
                                 .get("Description") == "desc-propagated"))

    def test_replica_is_read_only(self):
        name = uniq("replro")
        self.sm.create_secret(Name=name, SecretString="v1", AddReplicaRegions=[{"Region": self.EU}])
        self.wait_in_sync(name, self.EU)
        self.assertClientError("InvalidRequestException", self.eu.put_secret_value,
                               SecretId=name, SecretString="from-replica")
        self.assertEqual("v1", self.value(name)["SecretString"])

    def test_cannot_delete_primary_with_replicas(self):
        name = uniq("repldel")
        self.sm.create_secret(Name=name, SecretString="v1", AddReplicaRegions=[{"Region": self.EU}])
        self.wait_in_sync(name, self.EU)
        self.assertClientError("InvalidRequestException", self.sm.delete_secret, SecretId=name)
        self.assertEqual("v1", self.value(name)["SecretString"])

    def test_remove_regions(self):
        name = uniq("replrm")
        self.sm.create_secret(Name=name, SecretString="v1", AddReplicaRegions=[{"Region": self.EU}])
        self.wait_in_sync(name, self.EU)
        r = self.sm.remove_regions_from_replication(SecretId=name, RemoveReplicaRegions=[self.EU])
        self.assertIn("ARN", r)
        self.assertEqual([], [s for s in r.get("ReplicationStatus") or [] if s["Region"] == self.EU])
        self.assertTrue(wait_for(lambda: self.eu_value(name) == "<ResourceNotFoundException>"),
                        "replica still answers %r" % self.eu_value(name))
        self.assertIsNone(self.replica_status(name, self.EU))
        # now the primary can be deleted
        self.sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)

    def test_stop_replication_promotes(self):
        name = uniq("replstop")
        self.sm.create_secret(Name=name, SecretString="v1", AddReplicaRegions=[{"Region": self.EU}])
        self.wait_in_sync(name, self.EU)
        r = self.eu.stop_replication_to_replica(SecretId=name)
        self.assertIn("ARN", r)
        ed = self.eu.describe_secret(SecretId=name)
        self.assertIn(ed.get("PrimaryRegion", self.EU), (self.EU,))
        self.assertIsNone(self.replica_status(name, self.EU))
        # the promoted secret is writable and independent
        self.eu.put_secret_value(SecretId=name, SecretString="eu-own")
        self.assertEqual("eu-own", self.eu_value(name))
        self.sm.put_secret_value(SecretId=name, SecretString="us-v2")
        time.sleep(0.3)
        self.assertEqual("eu-own", self.eu_value(name))
        self.assertEqual("us-v2", self.value(name)["SecretString"])

    def test_stop_replication_from_primary_region_rejected(self):
        name = uniq("replstop2")
        self.sm.create_secret(Name=name, SecretString="v1", AddReplicaRegions=[{"Region": self.EU}])
        self.wait_in_sync(name, self.EU)
        self.assertClientError(("InvalidRequestException", "InvalidParameterException"),
                               self.sm.stop_replication_to_replica, SecretId=name)

    def test_replicate_existing(self):
        region = "eu-central-1"
        other = self.client_in(region)
        name = uniq("replexist")
        arn = self.sm.create_secret(Name=name, SecretString="existing")["ARN"]
        self.assertEqual("<ResourceNotFoundException>", self.eu_value(name, other))
        r = self.sm.replicate_secret_to_regions(SecretId=name,
                                                AddReplicaRegions=[{"Region": region}])
        self.assertEqual(arn, r["ARN"])
        self.assertEqual([region], [s["Region"] for s in r["ReplicationStatus"]])
        self.wait_in_sync(name, region)
        self.assertTrue(wait_for(lambda: self.eu_value(name, other) == "existing"))
        self.assertEqual(region, self.describe(name)["ReplicationStatus"][0]["Region"])

    def test_replica_name_conflict(self):
        region = "ap-northeast-1"
        other = self.client_in(region)
        name = uniq("replconf")
        other.create_secret(Name=name, SecretString="already-there")
        self.sm.create_secret(Name=name, SecretString="primary")
        r = self.sm.replicate_secret_to_regions(SecretId=name,
                                                AddReplicaRegions=[{"Region": region}])
        self.assertEqual([region], [s["Region"] for s in r["ReplicationStatus"]])
        failed = wait_for(lambda: (self.replica_status(name, region) or {}).get("Status") == "Failed")
        self.assertTrue(failed, self.replica_status(name, region))
        self.assertEqual("already-there", self.eu_value(name, other))
        # with ForceOverwriteReplicaSecret the existing one is replaced
        name2 = uniq("replforce")
        other.create_secret(Name=name2, SecretString="already-there")
        self.sm.create_secret(Name=name2, SecretString="primary2")
        self.sm.replicate_secret_to_regions(SecretId=name2, AddReplicaRegions=[{"Region": region}],
                                            ForceOverwriteReplicaSecret=True)
        self.wait_in_sync(name2, region)
        self.assertTrue(wait_for(lambda: self.eu_value(name2, other) == "primary2"),
                        self.eu_value(name2, other))

    def test_primary_region_filter(self):
        name = "prf%s" % letters()
        self.sm.create_secret(Name=name, SecretString="v", AddReplicaRegions=[{"Region": self.EU}])
        self.wait_in_sync(name, self.EU)
        got = [s["Name"] for s in self.eu.list_secrets(
            Filters=[{"Key": "primary-region", "Values": ["us-east-1"]},
                     {"Key": "name", "Values": [name]}])["SecretList"]]
        self.assertEqual([name], got)
        got = [s["Name"] for s in self.eu.list_secrets(
            Filters=[{"Key": "primary-region", "Values": [self.EU]},
                     {"Key": "name", "Values": [name]}])["SecretList"]]
        self.assertEqual([], got)

    def test_unknown_secret(self):
        self.assertClientError("ResourceNotFoundException", self.sm.replicate_secret_to_regions,
                               SecretId=uniq("missing"), AddReplicaRegions=[{"Region": self.EU}])
        self.assertClientError("ResourceNotFoundException",
                               self.sm.remove_regions_from_replication,
                               SecretId=uniq("missing"), RemoveReplicaRegions=[self.EU])


# ==========================================================================
# Clock-driven behaviour (own servers: the clock is process-wide)
# ==========================================================================

class ClockMixin:
    needs_process = True
    own_server = True

    def advance_days(self, days):
        status, _, raw = self.server.http("POST", "/_awsemu/clock",
                                          body=json.dumps({"advance_days": days}).encode(),
                                          headers={"Content-Type": "application/json"})
        self.assertEqual(200, status, raw)


class PurgeAfterWindowTests(ClockMixin, SmTestCase):
    def test_purge_after_window(self):
        short, default, kept = uniq("purge7"), uniq("purge30"), uniq("kept")
        short_arn = self.sm.create_secret(Name=short, SecretString="x")["ARN"]
        self.sm.create_secret(Name=default, SecretString="x")
        self.sm.create_secret(Name=kept, SecretString="keep")
        self.sm.delete_secret(SecretId=short, RecoveryWindowInDays=7)
        self.sm.delete_secret(SecretId=default)
        self.advance_days(6)
        self.assertIn("DeletedDate", self.describe(short))
        self.advance_days(2)  # day 8: past the 7-day window

        def gone(n):
            def f():
                try:
                    self.sm.describe_secret(SecretId=n)
                    return False
                except ClientError as e:
                    return e.response["Error"]["Code"] == "ResourceNotFoundException"
            return f
        self.assertTrue(wait_for(gone(short)), "secret still there after its window")
        self.assertClientError("ResourceNotFoundException", self.sm.get_secret_value, SecretId=short)
        self.assertClientError("ResourceNotFoundException", self.sm.restore_secret, SecretId=short)
        self.assertIn("DeletedDate", self.describe(default))  # 30 days not over yet
        # the name is free again, with a new ARN
        new_arn = self.sm.create_secret(Name=short, SecretString="new")["ARN"]
        self.assertNotEqual(short_arn, new_arn)
        self.assertEqual("new", self.value(short)["SecretString"])
        self.advance_days(23)  # day 31
        self.assertTrue(wait_for(gone(default)), "secret still there after 30 days")
        self.assertEqual("keep", self.value(kept)["SecretString"])
        self.assertEqual("new", self.value(short)["SecretString"])


class KmsKeyDeletedTests(ClockMixin, SmTestCase):
    def test_secret_unreadable_after_key_deleted(self):
        kid = self.new_key()
        name = uniq("keygone")
        self.sm.create_secret(Name=name, SecretString="doomed", KmsKeyId=kid)
        self.sm.put_secret_value(SecretId=name, SecretString="doomed2")
        self.kms.schedule_key_deletion(KeyId=kid, PendingWindowInDays=7)
        self.assertClientError("DecryptionFailure", self.sm.get_secret_value, SecretId=name)
        self.advance_days(31)
        self.assertClientError("NotFoundException", self.kms.describe_key, KeyId=kid)
        for stage in ("AWSCURRENT", "AWSPREVIOUS"):
            with self.subTest(stage=stage):
                e = self.assertClientError("DecryptionFailure", self.sm.get_secret_value,
                                           SecretId=name, VersionStage=stage)
                self.assertNoValueFields(e)
        self.advance_days(31)
        self.assertClientError("DecryptionFailure", self.sm.get_secret_value, SecretId=name)
        # the secret's metadata survives; a new value under a live key works again
        self.assertEqual(name, self.describe(name)["Name"])


class DefaultKeyTests(SmTestCase):
    """alias/aws/secretsmanager is created the first time a value is encrypted."""

    needs_process = True
    own_server = True  # a fresh server: the default key must not exist yet

    def managed_alias(self):
        for a in self.kms.list_aliases(Limit=100)["Aliases"]:
            if a["AliasName"] == "alias/aws/secretsmanager":
                return a
        return None

    def test_default_key_created_on_first_use(self):
        before = self.managed_alias()
        self.assertFalse(before and before.get("TargetKeyId"),
                         "default key exists before any secret: %r" % (before,))
        name = uniq("nov")
        self.sm.create_secret(Name=name)  # no value: nothing to encrypt yet
        before = self.managed_alias()
        self.assertFalse(before and before.get("TargetKeyId"),
                         "default key created without a value to encrypt: %r" % (before,))
        self.sm.put_secret_value(SecretId=name, SecretString="first")
        a = self.managed_alias()
        self.assertIsNotNone(a, "alias/aws/secretsmanager not in ListAliases")
        self.assertTrue(a.get("TargetKeyId"))
        self.assertEqual(alias_arn("alias/aws/secretsmanager"), a["AliasArn"])
        md = self.kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
        self.assertEqual("AWS", md["KeyManager"])
        self.assertEqual(a["TargetKeyId"], md["KeyId"])
        self.assertEqual("Enabled", md["KeyState"])
        # the next secret reuses it
        self.sm.create_secret(Name=uniq("second"), SecretString="x")
        self.assertEqual(a["TargetKeyId"], self.managed_alias()["TargetKeyId"])
        self.assertEqual("first", self.value(name)["SecretString"])
        # listed under its key too
        by_key = self.kms.list_aliases(KeyId=a["TargetKeyId"])["Aliases"]
        self.assertEqual(["alias/aws/secretsmanager"], [x["AliasName"] for x in by_key])

    def test_explicit_default_alias(self):
        name = uniq("explicit")
        self.sm.create_secret(Name=name, SecretString="x", KmsKeyId="alias/aws/secretsmanager")
        self.assertEqual("x", self.value(name)["SecretString"])
        self.assertIsNotNone(self.managed_alias())


# ==========================================================================
# Protocol
# ==========================================================================

class ProtocolTests(SmTestCase):
    def test_unknown_operation(self):
        with self.assertRaises(ClientError) as cm:
            self.raw("NoSuchOperation")
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("UnknownOperationException", "InvalidAction"))

    def test_error_shape(self):
        body = json.dumps({"SecretId": uniq("missing")}).encode()
        h = self.server.signed_headers("secretsmanager", "secretsmanager.GetSecretValue", body)
        status, headers, data = self.server.http("POST", "/", body=body, headers=h)
        self.assertEqual(400, status)
        self.assertIn("application/x-amz-json-1.1", headers.get("content-type", ""))
        doc = json.loads(data)
        self.assertEqual("ResourceNotFoundException", doc["__type"].rsplit("#", 1)[-1])
        self.assertTrue(doc.get("message") or doc.get("Message"))
        self.assertTrue(headers.get("x-amzn-requestid"))

    def test_malformed_json(self):
        body = b"{not json"
        h = self.server.signed_headers("secretsmanager", "secretsmanager.ListSecrets", body)
        status, _, data = self.server.http("POST", "/", body=body, headers=h)
        self.assertEqual(400, status, data)
        self.assertTrue(data)

    def test_values_never_echoed_in_errors(self):
        """AWS marks SecretString/SecretBinary sensitive: error messages
        (validation ones included) never quote them."""
        marker = "LEAKMARK" + letters(24)
        big = (marker * (65537 // len(marker) + 1))[:65537]
        name = uniq("leak")
        self.sm.create_secret(Name=name, SecretString="base")
        token = self.sm.put_secret_value(SecretId=name, SecretString="tokval")["VersionId"]
        b64big = base64.b64encode(big.encode()).decode()
        cases = [
            ("CreateSecret", {"Name": uniq("leak"), "SecretString": big}),
            ("CreateSecret", {"Name": uniq("leak"), "SecretBinary": b64big}),
            ("CreateSecret", {"Name": uniq("leak"), "SecretString": marker,
                              "SecretBinary": base64.b64encode(marker.encode()).decode()}),
            ("CreateSecret", {"Name": uniq("leak"), "SecretString": marker,
                              "KmsKeyId": str(uuid.uuid4())}),
            ("CreateSecret", {"Name": name, "SecretString": marker}),
            ("PutSecretValue", {"SecretId": name, "SecretString": big}),
            ("PutSecretValue", {"SecretId": name, "SecretString": marker,
                                "ClientRequestToken": token}),
            ("UpdateSecret", {"SecretId": name, "SecretString": big}),
            ("PutSecretValue", {"SecretId": uniq("missing"), "SecretString": marker}),
        ]
        for op, params in cases:
            with self.subTest(op=op, params=sorted(params)):
                with self.assertRaises(ClientError) as cm:
                    self.raw(op, **params)
                body = cm.exception.response["RawBody"]
                self.assertNotIn(marker.encode(), body)
                self.assertNotIn(b64big[:40].encode(), body)
        self.assertEqual("tokval", self.value(name)["SecretString"])

    def test_values_not_in_server_log(self):
        if self.server.external:
            self.skipTest("needs the server's own log")
        marker = "LOGMARK" + letters(24)
        binmark = b"BINLOGMARK" + letters(16).encode()
        name = uniq("logleak")
        self.sm.create_secret(Name=name, SecretString=marker + "-1")
        self.sm.put_secret_value(SecretId=name, SecretString=marker + "-2")
        self.sm.update_secret(SecretId=name, SecretBinary=binmark)
        self.value(name)
        self.value(name, VersionStage="AWSPREVIOUS")
        self.raw("BatchGetSecretValue", SecretIdList=[name])
        self.assertClientError(CONSTRAINT_CODES, self.sm_nv.put_secret_value, SecretId=name,
                               SecretString=marker * 3000)
        time.sleep(0.2)  # let the access log reach the file
        out = self.server.output() + self.server.output(stderr=True)
        for label, needle in (("string", marker.encode()), ("binary", binmark),
                              ("binary b64", base64.b64encode(binmark)[:16]),
                              ("string b64", base64.b64encode((marker + "-1").encode())[:24])):
            with self.subTest(label=label):
                self.assertNotIn(needle, out)

    def test_wrong_json_type(self):
        with self.assertRaises(ClientError) as cm:
            self.raw("GetSecretValue", SecretId=12345)
        self.assertEqual(400, cm.exception.response["ResponseMetadata"]["HTTPStatusCode"])


if __name__ == "__main__":
    unittest.main()
