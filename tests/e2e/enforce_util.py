"""Helpers shared by the --iam enforce suites (test_sts, test_iam_enforce):
principals (users with keys and policies, roles and their sessions),
clients signed with any credentials, error assertions with the HTTP status
of each service, the emulator clock, the access log and presigned requests.

Not a test module (the loader only picks up test_*.py)."""

import datetime
import json
import re
import time
import urllib.parse
import uuid

import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
from botocore.exceptions import ClientError

from harness import DEFAULT_ACCOUNT, DEFAULT_REGION, new_session

ACCOUNT = DEFAULT_ACCOUNT
REGION = DEFAULT_REGION
ROOT_ARN = "arn:aws:iam::%s:root" % ACCOUNT
ENFORCE = ("--iam", "enforce")


def uniq(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def doc(*statements):
    """A policy document (JSON text) of the given statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra):
    st = {"Effect": "Allow", "Action": action, "Resource": resource}
    st.update(extra)
    return st


def deny(action, resource="*", **extra):
    st = {"Effect": "Deny", "Action": action, "Resource": resource}
    st.update(extra)
    return st


def trust(principal=None, actions=("sts:AssumeRole", "sts:TagSession"), condition=None):
    """A trust policy; principal defaults to the account root (delegation
    to IAM: the caller's identity policy must allow sts:AssumeRole too)."""
    st = {"Effect": "Allow", "Principal": {"AWS": principal or ROOT_ARN},
          "Action": list(actions)}
    if condition:
        st["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


class Creds:
    """Access key, secret and (temporary credentials) session token."""

    def __init__(self, access_key, secret_key, token=None, arn=None, expiration=None):
        self.access_key = access_key
        self.secret_key = secret_key
        self.token = token
        self.arn = arn
        self.expiration = expiration

    @classmethod
    def from_sts(cls, resp, arn=None):
        c = resp["Credentials"]
        if arn is None and "AssumedRoleUser" in resp:
            arn = resp["AssumedRoleUser"]["Arn"]
        return cls(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], arn,
                   c["Expiration"])


ROOT = Creds("test", "test", arn=ROOT_ARN)


def client(server, service, creds=ROOT, validate=True, token=None, region=None):
    """A boto3 client of server signed with creds (token overrides the
    session token: "" sends none)."""
    kw = {}
    if service == "s3":
        # presigned URLs with SigV4 too (boto3 presigns S3 with SigV2
        # otherwise: test_s3_sigv2 covers that)
        kw["signature_version"] = "s3v4"
    cfg = botocore.config.Config(retries={"max_attempts": 0}, connect_timeout=5,
                                 read_timeout=30, parameter_validation=validate, **kw)
    tok = creds.token if token is None else (token or None)
    return new_session().client(
        service, endpoint_url=server.url, region_name=region or server.region,
        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
        aws_session_token=tok, config=cfg)


class Principals:
    """Creates users and roles through the root client and cleans them up."""

    def __init__(self, server):
        self.server = server
        self.iam = client(server, "iam")
        self.sts = client(server, "sts")
        self._assumer = None

    @property
    def assumer(self):
        """A user allowed sts:AssumeRole and sts:TagSession on every role
        (AWS does not let the root user assume roles)."""
        if self._assumer is None:
            self._assumer = self.user(inline=[doc(allow(["sts:AssumeRole", "sts:TagSession"]))])
        return self._assumer

    def user(self, name=None, inline=(), managed=(), groups=(), boundary=None, path="/",
             tags=None):
        """A user with an access key. inline: policy documents (dict of
        name -> JSON text, or a list of JSON texts); managed: policy ARNs;
        groups: group names; boundary: a managed policy ARN."""
        name = name or uniq("u")
        kw = {"UserName": name, "Path": path}
        if tags:
            kw["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        if boundary:
            kw["PermissionsBoundary"] = boundary
        u = self.iam.create_user(**kw)["User"]
        if not isinstance(inline, dict):
            inline = {"p%d" % i: d for i, d in enumerate(inline)}
        for pname, d in inline.items():
            self.iam.put_user_policy(UserName=name, PolicyName=pname, PolicyDocument=d)
        for arn in managed:
            self.iam.attach_user_policy(UserName=name, PolicyArn=arn)
        for g in groups:
            self.iam.add_user_to_group(UserName=name, GroupName=g)
        k = self.iam.create_access_key(UserName=name)["AccessKey"]
        c = Creds(k["AccessKeyId"], k["SecretAccessKey"], arn=u["Arn"])
        c.name = name
        c.user_id = u["UserId"]
        return c

    def group(self, inline=(), managed=()):
        name = uniq("g")
        self.iam.create_group(GroupName=name)
        for i, d in enumerate(inline):
            self.iam.put_group_policy(GroupName=name, PolicyName="g%d" % i, PolicyDocument=d)
        for arn in managed:
            self.iam.attach_group_policy(GroupName=name, PolicyArn=arn)
        return name

    def managed(self, document, name=None):
        return self.iam.create_policy(PolicyName=name or uniq("mp"),
                                      PolicyDocument=document)["Policy"]["Arn"]

    def role(self, inline=(), managed=(), trust_doc=None, max_session=None, path="/",
             boundary=None, tags=None, name=None):
        name = name or uniq("r")
        kw = {"RoleName": name, "AssumeRolePolicyDocument": trust_doc or trust(), "Path": path}
        if max_session:
            kw["MaxSessionDuration"] = max_session
        if boundary:
            kw["PermissionsBoundary"] = boundary
        if tags:
            kw["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        r = self.iam.create_role(**kw)["Role"]
        for i, d in enumerate(inline):
            self.iam.put_role_policy(RoleName=name, PolicyName="rp%d" % i, PolicyDocument=d)
        for arn in managed:
            self.iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        return r

    def session(self, role, creds=None, name=None, **kw):
        """Credentials of an AssumeRole session of role (a CreateRole
        answer) assumed by creds (default: self.assumer)."""
        sts = client(self.server, "sts", creds or self.assumer)
        resp = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=name or uniq("s"), **kw)
        return Creds.from_sts(resp)


# -- errors ------------------------------------------------------------------

def error_of(fn, *args, **kwargs):
    """The ClientError response of fn(...), or None when it succeeds."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        return e.response
    return None


def check_error(tc, codes, status, fn, *args, **kwargs):
    """fn(...) must fail with one of codes and HTTP status; returns the
    error response (Error.Message is in resp["Error"]["Message"])."""
    if isinstance(codes, str):
        codes = (codes,)
    resp = error_of(fn, *args, **kwargs)
    if resp is None:
        tc.fail("expected %s (HTTP %s), call succeeded" % ("/".join(codes), status))
    code = resp.get("Error", {}).get("Code")
    got = resp.get("ResponseMetadata", {}).get("HTTPStatusCode")
    tc.assertIn(code, codes, "wrong error code (message: %r)" % resp.get("Error", {}).get("Message"))
    tc.assertEqual(status, got, "error %s should be HTTP %s" % (code, status))
    return resp


def message(resp):
    return resp.get("Error", {}).get("Message") or ""


def request_id(resp):
    md = resp.get("ResponseMetadata", {})
    return md.get("RequestId") or md.get("HTTPHeaders", {}).get("x-amz-request-id") or \
        md.get("HTTPHeaders", {}).get("x-amzn-requestid")


# The error shape of a denial, per service: (code, HTTP status).
DENIED = {
    "kms": ("AccessDeniedException", 400),
    "secretsmanager": ("AccessDeniedException", 400),
    "s3": ("AccessDenied", 403),
    "iam": ("AccessDenied", 403),
    "sts": ("AccessDenied", 403),
}


def check_denied(tc, service, fn, *args, **kwargs):
    code, status = DENIED[service]
    return check_error(tc, code, status, fn, *args, **kwargs)


def denial_text(principal, action, resource, reason, s3=False):
    """AWS's newer denial message."""
    on = ""
    if resource:
        on = ' on resource: "%s"' % resource if s3 else " on resource: %s" % resource
    return "User: %s is not authorized to perform: %s%s %s" % (principal, action, on, reason)


def no_identity(action):
    return "because no identity-based policy allows the %s action" % action


# -- clock ---------------------------------------------------------------------

def advance_clock(server, seconds):
    status, _, raw = server.http("POST", "/_awsemu/clock",
                                 body=json.dumps({"advance_seconds": seconds}).encode(),
                                 headers={"Content-Type": "application/json"})
    if status != 200:
        raise AssertionError("clock advance failed: %d %r" % (status, raw[:200]))
    return json.loads(raw)


def reset_clock(server):
    status, _, raw = server.http("POST", "/_awsemu/clock", body=json.dumps({"reset": True}).encode(),
                                 headers={"Content-Type": "application/json"})
    if status != 200:
        raise AssertionError("clock reset failed: %d %r" % (status, raw[:200]))


def emulated_now(server):
    status, _, raw = server.http("GET", "/_awsemu/clock")
    if status != 200:
        raise AssertionError("clock failed: %d %r" % (status, raw[:200]))
    s = json.loads(raw)["now"].strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    return datetime.datetime.fromisoformat(s)


# -- access log ----------------------------------------------------------------

def log_line(server, needle, timeout=4.0):
    """The access-log line containing needle (the server flushes its log
    once a second), or None."""
    deadline = time.monotonic() + timeout
    while True:
        for line in server.output().decode("utf-8", "replace").splitlines():
            if needle in line:
                return line
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


ENCODED_RE = re.compile(r"encoded=([A-Za-z0-9+/=]+)")


def encoded_message(server, rid, timeout=4.0):
    """The encoded authorization message the log line of request rid
    carries, or None."""
    line = log_line(server, rid, timeout)
    if line is None:
        return None
    m = ENCODED_RE.search(line)
    return m.group(1) if m else None


# -- presigned requests --------------------------------------------------------

def presign_json(server, service, target, body, expires, creds=ROOT):
    """A JSON-protocol request (KMS, Secrets Manager) signed in the query
    string: (path?query, headers, body). Only for operations whose input
    may be empty (botocore's presigner empties the body)."""
    data = json.dumps(body).encode()
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=server.url + "/", data=data,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})
    cr = botocore.credentials.Credentials(creds.access_key, creds.secret_key, creds.token)
    botocore.auth.SigV4QueryAuth(cr, service, server.region, expires=expires).add_auth(req)
    u = urllib.parse.urlsplit(req.url)
    headers = {k: v for k, v in req.headers.items()}
    # botocore moves a JSON body's members into the query string and signs
    # what is left of the body: send that
    body = req.data or b""
    if isinstance(body, str):
        body = body.encode()
    return u.path + "?" + u.query, headers, body


def get_url(server, url, method="GET", headers=None, body=None):
    """Sends a presigned URL (made for server); returns (status, body)."""
    u = urllib.parse.urlsplit(url)
    status, _, data = server.http(method, u.path + ("?" + u.query if u.query else ""),
                                  body=body, headers=headers or {})
    return status, data


def xml_code(data):
    m = re.search(rb"<Code>([^<]*)</Code>", data or b"")
    return m.group(1).decode() if m else None


def json_code(data):
    try:
        d = json.loads(data)
    except ValueError:
        return None
    return str(d.get("__type", "")).rsplit("#", 1)[-1] if isinstance(d, dict) else None
