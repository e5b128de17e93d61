"""awsemu through the AWS SDK for JavaScript v3 (issue 15 item 1).

tests/js/sdk_test.mjs runs one check per line against a fresh awsemu and
prints {"name", "ok", "error"}; each becomes a subTest here.  Skipped with a
message where node or the npm modules (`scripts/install-deps.sh --test`, or
`npm ci` in tests/js) are absent.

The bug this guards: @aws-sdk/client-iam 3.11xx returned no `User` for
CreateUser because whitespace-only text without a newline before a closing
tag is content to its XML parser (@aws-sdk/core parseXmlBody:
fast-xml-parser with trimValues: false; its tagValueProcessor blanks only
whitespace that holds a newline).
"""

import json
import os
import re
import shutil
import subprocess
import unittest
import urllib.request

from harness import REPO, ServerTestCase

JS_DIR = os.path.join(REPO, "tests", "js")
CHECKS = ["iam_create_get_user", "iam_tags", "iam_access_key", "iam_role_policy", "iam_error",
          "iam_delete_user", "sts_identity_assume", "kms_round_trip", "kms_grant_empty_subset",
          "secretsmanager_round_trip", "s3_round_trip"]


def skip_reason():
    if not shutil.which("node"):
        return "node is not installed (skipped: the JS SDK v3 tests need it)"
    for m in ("client-iam", "client-sts", "client-kms", "client-secrets-manager", "client-s3"):
        if not os.path.isdir(os.path.join(JS_DIR, "node_modules", "@aws-sdk", m)):
            return ("@aws-sdk/%s is not installed in tests/js (run scripts/install-deps.sh "
                    "--test or `npm ci` there; skipped)" % m)
    return None


class JsSdkTests(ServerTestCase):
    def test_js_sdk_v3(self):
        why = skip_reason()
        if why:
            self.skipTest(why)
        env = dict(os.environ, AWSEMU_URL=self.server.url, AWSEMU_ACCOUNT=self.server.account,
                   NODE_NO_WARNINGS="1")
        p = subprocess.run(["node", "sdk_test.mjs"], cwd=JS_DIR, env=env, capture_output=True,
                           text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        results = {}
        for line in p.stdout.splitlines():
            if line.startswith("{"):
                d = json.loads(line)
                results[d["name"]] = d
        for name in CHECKS:
            with self.subTest(check=name):
                self.assertIn(name, results, "check did not run:\n" + p.stderr[-2000:])
                self.assertTrue(results[name]["ok"], results[name].get("error"))


class QueryXmlLayoutTests(ServerTestCase):
    """The layout itself, through a raw signed request: AWS indents with a
    newline before every tag of an element that has children, so no such
    element holds whitespace without a newline."""

    def _raw(self, service, body):
        import botocore.auth
        import botocore.awsrequest
        import botocore.credentials
        req = botocore.awsrequest.AWSRequest(
            method="POST", url=self.server.url + "/", data=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"),
                                service, "us-east-1").add_auth(req)
        p = req.prepare()
        r = urllib.request.Request(p.url, data=p.body, headers=dict(p.headers), method="POST")
        with urllib.request.urlopen(r) as resp:
            return resp.read().decode()

    def test_no_bare_whitespace_before_closing_tags(self):
        self.server.client("iam").create_user(UserName="layout-user")
        for service, body in (("iam", "Action=GetUser&UserName=layout-user&Version=2010-05-08"),
                              ("iam", "Action=ListUsers&Version=2010-05-08"),
                              ("sts", "Action=GetCallerIdentity&Version=2011-06-15")):
            text = self._raw(service, body)
            self.assertIsNone(re.search(r">[ \t]+<", text), text)
            self.assertIn("\n  <ResponseMetadata>\n    <RequestId>", text)
        text = self._raw("iam", "Action=GetUser&UserName=layout-user&Version=2010-05-08")
        self.assertIn("<GetUserResult>\n    <User>\n      <Path>/</Path>\n", text)
        self.assertIn("\n    </User>\n  </GetUserResult>\n", text)


if __name__ == "__main__":
    unittest.main()
