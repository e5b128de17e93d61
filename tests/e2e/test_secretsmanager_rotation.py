"""Secrets Manager rotation against a local "Lambda": an http.server on
127.0.0.1 that awsemu reaches through --lambda-endpoint rot=URL. The handler
receives the event JSON a rotation Lambda gets and implements AWS's standard
rotation template (SecretsManagerRotationTemplate/lambda_function.py) by
calling back into awsemu with boto3."""

import json
import threading
import time
import unittest
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from socketserver import ThreadingMixIn

from botocore.exceptions import ClientError

from harness import to_datetime
from test_secretsmanager import ACCOUNT, SmTestCase, uniq, wait_for

FUNCTION = "rot"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:%s:function:%s" % (ACCOUNT, FUNCTION)
STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"]


class _ThreadingHTTPServer(ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class RotationLambda:
    """A rotation function: records every event and runs AWS's template.

    fail[arn] = step makes that step fail (HTTP 500 with Lambda's
    X-Amz-Function-Error header). Departures from what the template expects
    of Secrets Manager (RotationEnabled, the token's AWSPENDING version existing
    before createSecret) are recorded in violations instead of failing, so
    that they show up in a test of their own."""

    def __init__(self, port=0):
        self.lock = threading.Lock()
        self.events = []  # (arn, event dict, path)
        self.errors = []  # (arn, message): steps that raised without being told to
        self.violations = []
        self.fail = {}
        self.sm = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _body(self):
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline().strip():
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_POST(self):
                status, headers, payload = owner.invoke(self.path, self._body())
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = _ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def attach(self, server):
        self.sm = server.client("secretsmanager")

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- what a test looks at ------------------------------------------
    def events_for(self, arn):
        with self.lock:
            return [e for a, e, _ in self.events if a == arn]

    def errors_for(self, arn):
        with self.lock:
            return [m for a, m in self.errors if a in (arn, None)]

    def steps_for(self, arn):
        return [e.get("Step") for e in self.events_for(arn)]

    # -- the function ----------------------------------------------------
    def invoke(self, path, body):
        try:
            event = json.loads(body)
        except ValueError:
            with self.lock:
                self.errors.append((None, "non-JSON event %r" % body[:200]))
            return 400, {}, b'{"errorMessage": "bad event"}'
        arn = event.get("SecretId")
        with self.lock:
            self.events.append((arn, event, path))
        step = event.get("Step")
        try:
            if self.fail.get(arn) == step:
                raise RuntimeError("%s failed on purpose" % step)
            self.run(event)
        except Exception as e:  # the Lambda failed: tell awsemu the way Lambda does
            if self.fail.get(arn) != step:
                with self.lock:
                    self.errors.append((arn, "%s: %r" % (step, e)))
            payload = json.dumps({"errorMessage": str(e), "errorType": type(e).__name__})
            return 500, {"X-Amz-Function-Error": "Unhandled"}, payload.encode()
        return 200, {}, b"null"

    def violate(self, arn, msg):
        with self.lock:
            self.violations.append((arn, msg))

    def violations_for(self, arn):
        with self.lock:
            return [m for a, m in self.violations if a == arn]

    def run(self, event):
        arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
        md = self.sm.describe_secret(SecretId=arn)
        if not md.get("RotationEnabled"):
            self.violate(arn, "%s: RotationEnabled not true during rotation" % step)
        versions = md.get("VersionIdsToStages") or {}
        if step != "createSecret" or token in versions:
            if token not in versions:
                self.violate(arn, "%s: version %s not in VersionIdsToStages" % (step, token))
            elif "AWSCURRENT" in versions[token]:
                return  # already current: nothing to do
            elif "AWSPENDING" not in versions[token]:
                self.violate(arn, "%s: version %s not AWSPENDING" % (step, token))
        else:
            self.violate(arn, "createSecret: RotateSecret did not create the AWSPENDING version %s "
                         "before invoking the function" % token)
        if step == "createSecret":
            current = self.sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")
            try:
                self.sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
            except ClientError as e:
                if e.response["Error"]["Code"] != "ResourceNotFoundException":
                    raise
                new = "rotated:%s:from:%s" % (token, current.get("SecretString", ""))
                self.sm.put_secret_value(SecretId=arn, ClientRequestToken=token,
                                         SecretString=new, VersionStages=["AWSPENDING"])
        elif step == "setSecret":
            pass  # nothing to update outside Secrets Manager
        elif step == "testSecret":
            pending = self.sm.get_secret_value(SecretId=arn, VersionId=token,
                                               VersionStage="AWSPENDING")
            if not pending.get("SecretString", "").startswith("rotated:"):
                raise ValueError("pending version has an unexpected value")
        elif step == "finishSecret":
            current_version = None
            for vid, stages in versions.items():
                if "AWSCURRENT" in stages:
                    if vid == token:
                        return
                    current_version = vid
                    break
            self.sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT",
                                                MoveToVersionId=token,
                                                RemoveFromVersionId=current_version)
        else:
            raise ValueError("invalid step %r" % step)


class RotationTestCase(SmTestCase):
    """The function listens on a free port; the server (one per class) is
    started with --lambda-endpoint rot=http://127.0.0.1:<that port>/."""

    needs_process = True
    own_server = True

    @classmethod
    def setUpClass(cls):
        cls.fn = RotationLambda()
        cls.server_args = ("--lambda-endpoint",
                           "%s=http://127.0.0.1:%d/" % (FUNCTION, cls.fn.port))
        try:
            super().setUpClass()
        except Exception:
            cls.fn.stop()
            raise
        cls.fn.attach(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.fn.stop()
        super().tearDownClass()

    def describe_raw(self, sid):
        """DescribeSecret as raw JSON (NextRotationDate is missing from old botocore)."""
        return self.raw("DescribeSecret", SecretId=sid)

    def wait_rotated(self, arn, token, timeout=5.0):
        def done():
            if "finishSecret" not in self.fn.steps_for(arn):
                return False
            try:
                return self.value(arn)["VersionId"] == token
            except ClientError:
                return False
        ok = wait_for(done, timeout=timeout)
        self.assertTrue(ok, "rotation of %s did not complete: steps %r, errors %r, versions %r"
                        % (arn, self.fn.steps_for(arn), self.fn.errors_for(arn),
                           self.versions(arn, deprecated=True)))

    def new_secret(self, value="original"):
        name = uniq("rot")
        r = self.sm.create_secret(Name=name, SecretString=value)
        return name, r["ARN"], r["VersionId"]


class RotationTests(RotationTestCase):

    def test_rotate_immediately(self):
        name, arn, v1 = self.new_secret("original")
        r = self.sm.rotate_secret(SecretId=name, RotationLambdaARN=LAMBDA_ARN,
                                  RotationRules={"AutomaticallyAfterDays": 30})
        self.assertEqual(arn, r["ARN"])
        self.assertEqual(name, r["Name"])
        token = r["VersionId"]
        self.assertTrue(token)
        self.wait_rotated(arn, token)
        events = self.fn.events_for(arn)
        self.assertEqual(STEPS, [e["Step"] for e in events])
        for e in events:
            self.assertEqual(arn, e["SecretId"])
            self.assertEqual(token, e["ClientRequestToken"])
            self.assertTrue(e.get("RotationToken"), "event without RotationToken: %r" % e)
        self.assertEqual([], self.fn.errors_for(arn))
        cur = self.value(name)
        self.assertEqual("rotated:%s:from:original" % token, cur["SecretString"])
        self.assertIn("AWSCURRENT", cur["VersionStages"])
        prev = self.value(name, VersionStage="AWSPREVIOUS")
        self.assertEqual(("original", v1), (prev["SecretString"], prev["VersionId"]))
        d = self.describe_raw(name)
        self.assertIs(True, d.get("RotationEnabled"))
        self.assertEqual(LAMBDA_ARN, d.get("RotationLambdaARN"))
        self.assertEqual(30, (d.get("RotationRules") or {}).get("AutomaticallyAfterDays"))
        self.assertIn("LastRotatedDate", d)
        self.assertRecent(d["LastRotatedDate"])
        self.assertIn("NextRotationDate", d)
        self.assertRecent(d["NextRotationDate"], delta_days=30, slack_seconds=86400 + 300)
        self.assertGreater(to_datetime(d["NextRotationDate"]), to_datetime(d["LastRotatedDate"]))
        # boto3 sees the same
        bd = self.describe(name)
        self.assertIs(True, bd["RotationEnabled"])
        self.assertEqual(LAMBDA_ARN, bd["RotationLambdaARN"])

    def test_template_preconditions(self):
        """What AWS's rotation template checks: RotationEnabled is set and
        RotateSecret created the AWSPENDING version (VersionId = token) before
        invoking createSecret."""
        name, arn, _ = self.new_secret()
        token = self.sm.rotate_secret(SecretId=name, RotationLambdaARN=LAMBDA_ARN,
                                      RotationRules={"AutomaticallyAfterDays": 10})["VersionId"]
        self.wait_rotated(arn, token)
        self.assertEqual([], self.fn.violations_for(arn))

    def test_client_request_token(self):
        name, arn, _ = self.new_secret()
        token = str(uuid.uuid4())
        r = self.sm.rotate_secret(SecretId=name, RotationLambdaARN=LAMBDA_ARN,
                                  ClientRequestToken=token,
                                  RotationRules={"AutomaticallyAfterDays": 5})
        self.assertEqual(token, r["VersionId"])
        self.wait_rotated(arn, token)
        self.assertEqual({token}, {e["ClientRequestToken"] for e in self.fn.events_for(arn)})

    def test_rotate_not_immediately(self):
        name, arn, v1 = self.new_secret("stays")
        self.sm.rotate_secret(SecretId=name, RotationLambdaARN=LAMBDA_ARN,
                              RotationRules={"AutomaticallyAfterDays": 7},
                              RotateImmediately=False)
        time.sleep(1.0)
        # AWS documents that only testSecret may run (to test the configuration)
        steps = [s for s in self.fn.steps_for(arn) if s != "testSecret"]
        self.assertEqual([], steps)
        g = self.value(name)
        self.assertEqual(("stays", v1), (g["SecretString"], g["VersionId"]))
        self.assertEqual({v1: {"AWSCURRENT"}}, self.versions(name))
        d = self.describe_raw(name)
        self.assertIs(True, d.get("RotationEnabled"))
        self.assertEqual(LAMBDA_ARN, d.get("RotationLambdaARN"))
        self.assertEqual(7, d["RotationRules"]["AutomaticallyAfterDays"])
        self.assertNotIn("LastRotatedDate", d)
        self.assertIn("NextRotationDate", d)
        self.assertRecent(d["NextRotationDate"], delta_days=7, slack_seconds=86400 + 300)
        # a later RotateSecret without parameters uses the stored configuration
        token = self.sm.rotate_secret(SecretId=name)["VersionId"]
        self.wait_rotated(arn, token)
        self.assertEqual(STEPS, self.fn.steps_for(arn)[-4:])
        self.assertEqual("stays", self.value(name, VersionStage="AWSPREVIOUS")["SecretString"])

    def test_unknown_function(self):
        name, arn, _ = self.new_secret()
        bad = "arn:aws:lambda:us-east-1:%s:function:no-such-function" % ACCOUNT
        # AWS: "Lambda does not exist"
        self.assertClientError("ResourceNotFoundException", self.sm.rotate_secret,
                               SecretId=name, RotationLambdaARN=bad,
                               RotationRules={"AutomaticallyAfterDays": 30})
        d = self.describe(name)
        self.assertFalse(d.get("RotationEnabled", False))
        self.assertEqual("original", self.value(name)["SecretString"])
        self.assertEqual([], self.fn.steps_for(arn))

    def test_no_function_configured(self):
        name, _, _ = self.new_secret()
        self.assertClientError("InvalidRequestException", self.sm.rotate_secret, SecretId=name)

    def test_rules_out_of_range(self):
        name, _, _ = self.new_secret()
        for days in (0, 1001):
            with self.subTest(days=days):
                self.assertClientError(("InvalidParameterException", "ValidationException"),
                                       self.sm_nv.rotate_secret, SecretId=name,
                                       RotationLambdaARN=LAMBDA_ARN,
                                       RotationRules={"AutomaticallyAfterDays": days})

    def test_unknown_and_deleted_secret(self):
        self.assertClientError("ResourceNotFoundException", self.sm.rotate_secret,
                               SecretId=uniq("missing"), RotationLambdaARN=LAMBDA_ARN)
        self.assertClientError("ResourceNotFoundException", self.sm.cancel_rotate_secret,
                               SecretId=uniq("missing"))
        name, _, _ = self.new_secret()
        self.sm.delete_secret(SecretId=name)
        self.assertClientError("InvalidRequestException", self.sm.rotate_secret,
                               SecretId=name, RotationLambdaARN=LAMBDA_ARN)

    def test_cancel_rotation(self):
        name, arn, _ = self.new_secret()
        self.sm.rotate_secret(SecretId=name, RotationLambdaARN=LAMBDA_ARN,
                              RotationRules={"AutomaticallyAfterDays": 15},
                              RotateImmediately=False)
        r = self.sm.cancel_rotate_secret(SecretId=name)
        self.assertEqual(arn, r["ARN"])
        self.assertEqual(name, r["Name"])
        d = self.describe_raw(name)
        self.assertFalse(d.get("RotationEnabled"))
        self.assertNotIn("NextRotationDate", d)
        # AWS keeps showing the previous schedule and function
        self.assertEqual(15, (d.get("RotationRules") or {}).get("AutomaticallyAfterDays"))
        self.assertEqual(LAMBDA_ARN, d.get("RotationLambdaARN"))

    def test_failed_step_stops_rotation(self):
        name, arn, v1 = self.new_secret("before-failure")
        self.fn.fail[arn] = "setSecret"
        token = self.sm.rotate_secret(SecretId=name, RotationLambdaARN=LAMBDA_ARN,
                                      RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
        self.assertTrue(wait_for(lambda: "setSecret" in self.fn.steps_for(arn)),
                        self.fn.steps_for(arn))
        time.sleep(0.5)
        self.assertEqual(["createSecret", "setSecret"], self.fn.steps_for(arn))
        g = self.value(name)
        self.assertEqual(("before-failure", v1), (g["SecretString"], g["VersionId"]))
        self.assertNotIn("LastRotatedDate", self.describe(name))
        # AWSPENDING is left on the new version: a new rotation is refused as "in progress"
        self.assertIn("AWSPENDING", self.versions(name).get(token, set()))
        self.assertClientError("InvalidRequestException", self.sm.rotate_secret, SecretId=name)


class ScheduledRotationTests(RotationTestCase):
    """Scheduled rotations start when they come due (POST /_awsemu/clock)."""

    # own server (RotationTestCase): this class moves the clock

    def test_rotation_comes_due(self):
        name, arn, v1 = self.new_secret("scheduled")
        self.sm.rotate_secret(SecretId=name, RotationLambdaARN=LAMBDA_ARN,
                              RotationRules={"AutomaticallyAfterDays": 7},
                              RotateImmediately=False)
        time.sleep(0.3)
        self.assertEqual("scheduled", self.value(name)["SecretString"])
        status, _, raw = self.server.http("POST", "/_awsemu/clock",
                                          body=json.dumps({"advance_days": 8}).encode(),
                                          headers={"Content-Type": "application/json"})
        self.assertEqual(200, status, raw)

        def rotated():
            return "finishSecret" in self.fn.steps_for(arn) and \
                self.value(name)["VersionId"] != v1
        self.assertTrue(wait_for(rotated), "no scheduled rotation: steps %r"
                        % self.fn.steps_for(arn))
        self.assertEqual(STEPS, self.fn.steps_for(arn)[-4:])
        self.assertEqual("scheduled", self.value(name, VersionStage="AWSPREVIOUS")["SecretString"])


if __name__ == "__main__":
    unittest.main()
