#!/usr/bin/env python3
"""demo.py — `make demo`: the reference AI-model stack on awsemu, end to end.

Starts awsemu (bin/awsemu, or $AWSEMU_BIN) on a free port with a throw-away
data dir and --iam enforce, then walks through:

  1. scripts/provision up (the Pulumi reference program's six resources)
  2. an API key into the secret, an 8 MiB model.bin into the bucket
  3. the SSE-KMS response headers (aws:kms + the stack's key ARN)
  4. the object's envelope from /_awsemu/inspect
  5. no file in the data dir holds the API key or the model's bytes
  6. disabling the key makes model and secret unreadable; enabling restores them
  7. SimulatePrincipalPolicy on the role: the reference policy allows
     kms:Decrypt but not kms:GenerateDataKey, so the AI service can read
     SSE-KMS objects but not write them; then the same with real requests
     signed by a stand-in principal holding the same policy, the one-line
     fix, and the write succeeding with it
  8. scripts/provision destroy

Every step is also checked: the demo exits 1 when anything does not behave as
described (it is a test, too), 0 when all checks pass.
"""

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
from botocore.exceptions import ClientError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROVISION = os.path.join(REPO, "scripts", "provision")
MODEL_SIZE = 8 * 1024 * 1024
ACCESS, SECRET = "test", "test"
REGION = "us-east-1"


class DemoFailed(Exception):
    pass


passed = 0


def section(n, title):
    print()
    print("=" * 78)
    print(" %s. %s" % (n, title))
    print("=" * 78, flush=True)


def say(text="", indent=2, gap=False):
    """Prints text dedented and indented; gap: a blank line before and after."""
    if gap:
        print()
    for line in textwrap.dedent(text).strip("\n").splitlines() or [""]:
        print(" " * indent + line if line else "")
    if gap:
        print()
    sys.stdout.flush()


def check(cond, what):
    global passed
    if not cond:
        print("  [FAIL] " + what, flush=True)
        raise DemoFailed(what)
    passed += 1
    print("  [ok]   " + what, flush=True)


def error_of(fn, *args, **kwargs):
    """(code, message) of the ClientError fn raises; None when it succeeds."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        err = e.response.get("Error", {})
        return err.get("Code", ""), err.get("Message", "")
    return None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def binary():
    p = os.environ.get("AWSEMU_BIN", "bin/awsemu")
    return p if os.path.isabs(p) else os.path.join(REPO, p)


class Emulator:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="awsemu-demo-")
        self.data = os.path.join(self.tmp, "data")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(self.tmp, "awsemu.log"), "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWSEMU_")}
        self.cmd = [binary(), "--host", "127.0.0.1", "--port", str(self.port),
                    "--data-dir", self.data, "--iam", "enforce"]
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise DemoFailed("awsemu exited with %s at start-up (log: %s)"
                                 % (self.proc.returncode, self.log.name))
            try:
                with urllib.request.urlopen(self.url + "/_awsemu/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise DemoFailed("awsemu not healthy after 10 s")
            time.sleep(0.05)

    def client(self, service, key=ACCESS, secret=SECRET):
        cfg = botocore.config.Config(retries={"max_attempts": 0},
                                     s3={"addressing_style": "path"})
        return boto3.session.Session().client(
            service, endpoint_url=self.url, region_name=REGION, aws_access_key_id=key,
            aws_secret_access_key=secret, config=cfg)

    def get(self, path):
        """GET an admin endpoint; under --iam enforce they need a request
        signed with the root credentials (SigV4, any service name)."""
        req = botocore.awsrequest.AWSRequest(method="GET", url=self.url + path)
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(ACCESS, SECRET), "awsemu",
                                REGION).add_auth(req)
        headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()}
        with urllib.request.urlopen(urllib.request.Request(self.url + path, headers=headers),
                                    timeout=10) as r:
            return r.status, r.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def provision(emu, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=ACCESS, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    cmd = [sys.executable, PROVISION] + list(args) + [
        "--endpoint", emu.url, "--state", os.path.join(emu.tmp, "stack.json")]
    say("$ scripts/provision %s --endpoint %s" % (" ".join(args), emu.url))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                       timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    say(out, indent=4)
    check(p.returncode == 0, "provision %s exited 0" % args[0])
    return out


def scan(root, needles):
    hits, files, size = [], 0, 0
    for d, _, names in os.walk(root):
        for n in names:
            path = os.path.join(d, n)
            with open(path, "rb") as f:
                data = f.read()
            files += 1
            size += len(data)
            hits += ["%s in %s" % (label, os.path.relpath(path, root))
                     for label, needle in needles if needle in data]
    return hits, files, size


def decisions(iam, source, actions, resources):
    r = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=actions,
                                      ResourceArns=resources)["EvaluationResults"]
    return {(e["EvalActionName"], e.get("EvalResourceName")): e["EvalDecision"] for e in r}


def run(emu):
    kms, sm, s3, iam = (emu.client(s) for s in ("kms", "secretsmanager", "s3", "iam"))

    section(0, "awsemu")
    say("$ %s" % " ".join(emu.cmd))
    say("a throw-away data dir, and --iam enforce: every request below is signed and\n"
        "authorized (the demo's own calls as the account root, test/test).")
    check(emu.proc.poll() is None, "awsemu is up at %s" % emu.url)

    section(1, "Provision the reference stack (ai_model_stack.py)")
    provision(emu, "up")
    with open(os.path.join(emu.tmp, "stack.json")) as f:
        stack = json.load(f)
    out = stack["outputs"]
    res = stack["resources"]
    key_id, key_arn = out["kms_key_id"], res["ai-model-kms-key"]["arn"]
    bucket, secret_arn = out["s3_bucket_name"], out["secret_arn"]
    role_name, role_arn = out["ai_service_role_name"], res["ai-service-role"]["arn"]
    policy_arn = res["s3-access-policy"]["arn"]
    check(kms.describe_key(KeyId=key_id)["KeyMetadata"]["Description"]
          == "KMS key for AI model sensitive data", "the key has the reference description")
    check(sm.describe_secret(SecretId=secret_arn)["KmsKeyId"] == key_id,
          "the secret is under the stack's key")
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    check(rule["ApplyServerSideEncryptionByDefault"] ==
          {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id},
          "the bucket's default encryption is aws:kms with that key")

    section(2, "Store an API key in the secret and an 8 MiB model.bin in the bucket")
    api_key = "sk-demo-" + os.urandom(16).hex()
    model = b"AWSEMU-DEMO-MODEL v1\n" + os.urandom(MODEL_SIZE - 21)
    digest = hashlib.sha256(model).hexdigest()
    sm.put_secret_value(SecretId=secret_arn, SecretString=json.dumps({"api_key": api_key}))
    say("PutSecretValue  %s\n                {\"api_key\": \"%s...\"}" % (secret_arn, api_key[:12]))
    put = s3.put_object(Bucket=bucket, Key="model.bin", Body=model)
    say("PutObject       s3://%s/model.bin  (%d bytes, sha256 %s...)"
        % (bucket, len(model), digest[:16]))

    section(3, "The response headers: SSE-KMS with the stack's key, by bucket default")
    headers = put["ResponseMetadata"]["HTTPHeaders"]
    for h in sorted(headers):
        if h.startswith("x-amz-server-side-encryption") or h == "etag":
            say("%s: %s" % (h, headers[h]))
    check(headers.get("x-amz-server-side-encryption") == "aws:kms",
          "x-amz-server-side-encryption: aws:kms (no SSE header was sent)")
    check(headers.get("x-amz-server-side-encryption-aws-kms-key-id") == key_arn,
          "the key id header is the stack's key ARN")
    head = s3.head_object(Bucket=bucket, Key="model.bin")
    check(head["ServerSideEncryption"] == "aws:kms" and head["SSEKMSKeyId"] == key_arn,
          "HeadObject reports the same")

    section(4, "The envelope: GET /_awsemu/inspect/s3/%s/model.bin" % bucket)
    status, body = emu.get("/_awsemu/inspect/s3/%s/model.bin" % bucket)
    env = json.loads(body)
    say(json.dumps(env, indent=2, sort_keys=True), indent=4)
    flat = json.dumps(env)
    check(status == 200 and key_arn in flat, "the envelope names the stack's KMS key")
    check('"arn:aws:s3:::%s/model.bin"' % bucket in flat,
          "the data key is bound to the object (encryption context aws:s3:arn)")

    section(5, "At rest: no file in the data dir holds the plaintext")
    needles = [("the API key", api_key.encode()), ("model.bin's first 4 KiB", model[:4096])]
    for off in range(MODEL_SIZE // 8, MODEL_SIZE, MODEL_SIZE // 8):
        needles.append(("model.bin bytes at %d" % off, model[off:off + 64]))
    needles.append(("model.bin's last 64 bytes", model[-64:]))
    hits, files, size = scan(emu.data, needles)
    say("scanned %d files, %d bytes, for the API key and %d samples of model.bin"
        % (files, size, len(needles) - 1))
    check(size >= MODEL_SIZE, "the data dir does hold the model (%d bytes stored)" % size)
    check(not hits, "no plaintext found%s" % ("" if not hits else ": " + ", ".join(hits)))

    section(6, "Disable the key: model and secret become unreadable; enable it: back")
    kms.disable_key(KeyId=key_id)
    say("DisableKey %s" % key_id)
    e1 = error_of(s3.get_object, Bucket=bucket, Key="model.bin")
    e2 = error_of(sm.get_secret_value, SecretId=secret_arn)
    say("GetObject model.bin -> %s: %s" % (e1 or ("OK", "")))
    say("GetSecretValue      -> %s: %s" % (e2 or ("OK", "")))
    check(e1 is not None and "Disabled" in e1[0] + e1[1], "the model is unreadable")
    check(e2 is not None and e2[0] in ("DecryptionFailure", "DisabledException"),
          "the secret is unreadable")
    kms.enable_key(KeyId=key_id)
    say("EnableKey %s" % key_id)
    got = s3.get_object(Bucket=bucket, Key="model.bin")["Body"].read()
    val = json.loads(sm.get_secret_value(SecretId=secret_arn)["SecretString"])
    check(hashlib.sha256(got).hexdigest() == digest, "model.bin reads back, same sha256")
    check(val == {"api_key": api_key}, "the API key reads back")

    section(7, "What the AI service's role may do (SimulatePrincipalPolicy)")
    obj_arn = "arn:aws:s3:::%s/model.bin" % bucket
    dec = decisions(iam, role_arn, ["s3:GetObject", "s3:PutObject"], [obj_arn])
    dec.update(decisions(iam, role_arn, ["kms:Decrypt", "kms:GenerateDataKey"], [key_arn]))
    for (action, resource), d in sorted(dec.items()):
        say("%-22s %-13s %s" % (action, d, resource))
    check(dec[("s3:GetObject", obj_arn)] == "allowed" and
          dec[("s3:PutObject", obj_arn)] == "allowed", "s3:GetObject and s3:PutObject: allowed")
    check(dec[("kms:Decrypt", key_arn)] == "allowed", "kms:Decrypt: allowed")
    check(dec[("kms:GenerateDataKey", key_arn)] == "implicitDeny",
          "kms:GenerateDataKey: implicitDeny")
    say("""
        FINDING: an S3 PUT into this bucket encrypts under SSE-KMS by default, and
        S3 needs kms:GenerateDataKey on the key, for the caller, to do it. The
        reference policy grants s3:* but only kms:Decrypt: the AI service can read
        models but every write fails with AccessDenied.
        """, gap=True)

    say("Proof with real requests: the role trusts aiforecasts.amazonaws.com, which\n"
        "nobody here can be, so a stand-in user gets the same managed policy.")
    user = "ai-service-standin"
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=policy_arn)
    ak = iam.create_access_key(UserName=user)["AccessKey"]
    s3u = emu.client("s3", ak["AccessKeyId"], ak["SecretAccessKey"])
    try:
        body = s3u.get_object(Bucket=bucket, Key="model.bin")["Body"].read()
        check(hashlib.sha256(body).hexdigest() == digest, "as the stand-in: GetObject works")
        err = error_of(s3u.put_object, Bucket=bucket, Key="model-v2.bin", Body=b"new weights")
        say("PutObject model-v2.bin -> %s: %s" % (err or ("OK", "")))
        check(err is not None and err[0] == "AccessDenied" and "kms:GenerateDataKey" in err[1],
              "as the stand-in: PutObject is denied for kms:GenerateDataKey")

        fixed = iam.get_policy_version(
            PolicyArn=policy_arn,
            VersionId=iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"],
        )["PolicyVersion"]["Document"]
        if isinstance(fixed, str):
            fixed = json.loads(urllib.parse.unquote(fixed))
        fixed["Statement"][1]["Action"] = ["kms:Decrypt", "kms:GenerateDataKey"]
        say("""
            THE FIX, one line in ai_model_stack.py (the policy's second statement):
                -  "Action": "kms:Decrypt",
                +  "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            """, gap=True)
        sim = iam.simulate_custom_policy(PolicyInputList=[json.dumps(fixed)],
                                         ActionNames=["kms:GenerateDataKey"],
                                         ResourceArns=[key_arn])["EvaluationResults"][0]
        check(sim["EvalDecision"] == "allowed",
              "SimulateCustomPolicy with the fix: kms:GenerateDataKey allowed")
        iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(fixed),
                                  SetAsDefault=True)
        say("CreatePolicyVersion (SetAsDefault) with the fix")
        dec = decisions(iam, role_arn, ["kms:GenerateDataKey"], [key_arn])
        check(dec[("kms:GenerateDataKey", key_arn)] == "allowed",
              "SimulatePrincipalPolicy on the role: kms:GenerateDataKey now allowed")
        s3u.put_object(Bucket=bucket, Key="model-v2.bin", Body=b"new weights")
        check(s3u.head_object(Bucket=bucket, Key="model-v2.bin")["SSEKMSKeyId"] == key_arn,
              "as the stand-in: PutObject works, SSE-KMS under the stack's key")
    finally:
        iam.delete_access_key(UserName=user, AccessKeyId=ak["AccessKeyId"])
        iam.detach_user_policy(UserName=user, PolicyArn=policy_arn)
        iam.delete_user(UserName=user)

    section(8, "provision up again: the drift is put back; then provision destroy")
    out2 = provision(emu, "up")
    check("~ aws:iam:Policy s3-access-policy updated (policy document)" in out2,
          "the hand-made policy change is reported and reverted to the reference")
    for k in ("model.bin", "model-v2.bin"):
        s3.delete_object(Bucket=bucket, Key=k)
    say("DeleteObject model.bin, model-v2.bin (destroy, like the providers, "
        "does not empty buckets)")
    provision(emu, "destroy")
    state = kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    check(state == "PendingDeletion", "the key is pending deletion")
    check("DeletedDate" in sm.describe_secret(SecretId=secret_arn),
          "the secret is scheduled for deletion")
    check(error_of(s3.head_bucket, Bucket=bucket) is not None, "the bucket is gone")
    check(error_of(iam.get_role, RoleName=role_name) is not None, "the role is gone")
    check(error_of(iam.get_policy, PolicyArn=policy_arn) is not None, "the policy is gone")


def main():
    for v in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(v, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    if not os.access(binary(), os.X_OK):
        print("demo: %s not found; build it with make" % binary(), file=sys.stderr)
        return 1
    t0 = time.monotonic()
    emu = None
    try:
        emu = Emulator()
        run(emu)
    except DemoFailed as e:
        print("\ndemo: FAILED: %s" % e, flush=True)
        return 1
    except Exception as e:  # an unexpected error is a failed step too
        print("\ndemo: FAILED: %s: %s" % (type(e).__name__, e), flush=True)
        return 1
    finally:
        if emu is not None:
            emu.stop()
    print()
    print("demo: all %d checks passed in %.1f s" % (passed, time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
