#!/usr/bin/env python3
"""Helpers for scripts/bench.sh: free ports, health waits, KMS/SM request setup.

Subcommands (all talk to 127.0.0.1 only, every loop bounded by a deadline):
  freeport                      print a free TCP port on 127.0.0.1
  wait PORT PATH [--pid P] [--timeout S]
                                wait until GET PATH answers 200; exit 1 if the
                                process P dies or the deadline passes
  kms-setup PORT                create a KMS key, encrypt once, decrypt once,
                                verify every answer is 200, and print shell
                                assignments (for eval) of the exact requests
                                wrk will replay: KMS_KEY_ID, KMS_DATE,
                                KMS_KEEPALIVE (yes/no), ENC_BODY, ENC_AUTH,
                                DEC_BODY, DEC_AUTH
  kms-asym-setup PORT           create an ECC_NIST_P256 and an RSA_2048
                                SIGN_VERIFY key and an HMAC_256 key; Sign
                                with each, Verify the P-256 signature,
                                GenerateMac; verify every answer is 200 and
                                print shell assignments of the requests wrk
                                replays: SIGN_EC_BODY, SIGN_EC_AUTH,
                                SIGN_RSA_BODY, SIGN_RSA_AUTH, VERIFY_BODY,
                                VERIFY_AUTH, MAC_BODY, MAC_AUTH (KMS_DATE)
  sm-setup PORT                 create the secret bench/secret (a ~200-byte
                                JSON SecretString), GetSecretValue it by name,
                                verify both answer 200 and the value comes
                                back intact, and print shell assignments of
                                the GetSecretValue request wrk will replay:
                                SM_ARN, SM_DATE, SM_KEEPALIVE (yes/no),
                                GSV_TARGET, GSV_BODY, GSV_AUTH
  s3-setup PORT BODYFILE PUTFILE GETFILE
                                create the bucket bench-bucket (PUT
                                /bench-bucket), PUT the bytes of BODYFILE to
                                bench-bucket/bench-4k and to each of the 64
                                keys bench-put-NNN (Content-Length,
                                x-amz-content-sha256: UNSIGNED-PAYLOAD, SigV4
                                header auth), GET bench-4k and bench-put-000
                                back; verify every answer is 200 and every
                                GET returns exactly those bytes. Writes the
                                requests wrk replays ("path<TAB>Authorization"
                                lines: the 64 PUTs to PUTFILE, the GET to
                                GETFILE) and prints shell assignments S3_DATE,
                                S3_KEEPALIVE (yes/no), S3_PUT_KEYS, S3_GET_PATH
  s3-check PORT BODYFILE        GET every bench-put-NNN (exact bytes), then
                                PUT + GET bench-4k (200, exact bytes)
  s3-bucket PORT BUCKET         create BUCKET; exit 1 unless 200
  s3-auth PORT METHOD PATH      print shell assignments S3_DATE, S3_AUTH: a
                                SigV4 Authorization for METHOD PATH with an
                                UNSIGNED-PAYLOAD body (for curl)
  kms-key PORT                  CreateKey; print the new KeyId
  rss PID                       print VmRSS of PID in KiB
"""
import argparse
import base64
import datetime
import errno
import hashlib
import hmac
import http.client
import json
import os
import shlex
import socket
import sys
import time

HOST = "127.0.0.1"
ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"
SERVICE = "kms"
SM_SERVICE = "secretsmanager"
SM_NAME = "bench/secret"
# ~200 bytes of JSON: a typical database credential secret.
SM_VALUE = json.dumps({
    "engine": "postgres",
    "host": "bench-db.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com",
    "port": 5432,
    "username": "bench_app_user",
    "password": "Zq7!vR2#kP9$wL4^mN8&xT3*",
    "dbname": "benchdb",
    "sslmode": "require",
}, separators=(",", ":"))
# 64 bytes of plaintext: a typical small secret / data key size.
PLAINTEXT = bytes(range(64))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def probe(port, path, timeout=2.0):
    """One GET over a fresh connection. Returns the status code, or None if
    the connection was refused/reset/closed before a status line arrived."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((HOST, port))
        s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n"
                   % (path, HOST, port)).encode())
        buf = b""
        while b"\r\n" not in buf and len(buf) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        line = buf.split(b"\r\n", 1)[0].split()
        if len(line) >= 2 and line[0].startswith(b"HTTP/") and line[1].isdigit():
            return int(line[1])
        return None
    except OSError as e:
        if e.errno in (errno.ECONNREFUSED, errno.ECONNRESET, errno.EPIPE,
                       errno.ECONNABORTED) or isinstance(e, socket.timeout):
            return None
        raise
    finally:
        s.close()


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def wait_healthy(port, path, pid=None, timeout=15.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if pid is not None and not pid_alive(pid):
            return False, "process %d exited before answering" % pid
        last = probe(port, path)
        if last == 200:
            return True, ""
        time.sleep(0.005)
    return False, "no 200 from GET %s on port %d within %.0fs (last status %s)" % (
        path, port, timeout, last)


# --- SigV4 (header auth, signed headers host;x-amz-date) ---------------------

def _hmac(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sigv4_auth(port, amz_date, body, service=SERVICE):
    """A real SigV4 Authorization header for POST / with the given body, so
    the replayed request stays valid even if signatures are verified."""
    day = amz_date[:8]
    host = "%s:%d" % (HOST, port)
    canonical = "\n".join([
        "POST", "/", "",
        "host:" + host, "x-amz-date:" + amz_date, "",
        "host;x-amz-date",
        hashlib.sha256(body.encode()).hexdigest(),
    ])
    scope = "%s/%s/%s/aws4_request" % (day, REGION, service)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = _hmac(("AWS4" + SECRET_KEY).encode(), day)
    k = _hmac(k, REGION)
    k = _hmac(k, service)
    k = _hmac(k, "aws4_request")
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=host;x-amz-date, "
            "Signature=%s" % (ACCESS_KEY, scope, sig))


def s3_auth(port, amz_date, method, path):
    """SigV4 for an S3 path-style request whose body is UNSIGNED-PAYLOAD;
    signed headers host;x-amz-content-sha256;x-amz-date, no query string.
    PATH must already be URI-encoded (the bench only uses safe characters)."""
    day = amz_date[:8]
    host = "%s:%d" % (HOST, port)
    canonical = "\n".join([
        method, path, "",
        "host:" + host, "x-amz-content-sha256:UNSIGNED-PAYLOAD",
        "x-amz-date:" + amz_date, "",
        "host;x-amz-content-sha256;x-amz-date",
        "UNSIGNED-PAYLOAD",
    ])
    scope = "%s/%s/s3/aws4_request" % (day, REGION)
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = _hmac(("AWS4" + SECRET_KEY).encode(), day)
    k = _hmac(k, REGION)
    k = _hmac(k, "s3")
    k = _hmac(k, "aws4_request")
    sig = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return ("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=host;"
            "x-amz-content-sha256;x-amz-date, Signature=%s" % (ACCESS_KEY, scope, sig))


def s3_call(what, port, amz_date, method, path, body=None):
    """One signed S3 request; SystemExit unless it answers 200. Returns
    (body bytes, keep-alive?). Same header set as scripts/bench/s3.lua
    (http.client adds Content-Length for a body, as wrk does)."""
    headers = {
        "Host": "%s:%d" % (HOST, port),
        "X-Amz-Date": amz_date,
        "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
        "Authorization": s3_auth(port, amz_date, method, path),
        "Accept-Encoding": "identity",
    }
    if method == "PUT":
        headers["Content-Length"] = str(len(body or b""))
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        keepalive = (resp.version == 11 and
                     (resp.getheader("Connection") or "").lower() != "close")
    finally:
        conn.close()
    if resp.status != 200:
        raise SystemExit("%s: %s %s answered HTTP %d: %s"
                         % (what, method, path, resp.status,
                            data[:500].decode("utf-8", "replace")))
    return data, keepalive


S3_BUCKET = "bench-bucket"
S3_GET_KEY = "bench-4k"
# PutObject runs cycle a ring of fixed keys, split between the wrk threads:
# moto (5.2.1) answers 500 "I/O operation on closed file" whenever two PUTs
# to the *same* key overlap (the second disposes the first's buffer while it
# is still computing the ETag), so 8 connections on one key cannot be
# measured. Every PUT in the run is still an overwrite of an existing key.
S3_PUT_KEYS = 64


def s3_put_key(i):
    return "bench-put-%03d" % i


def s3_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def s3_get_exact(what, port, amz_date, path, body):
    got, keepalive = s3_call(what, port, amz_date, "GET", path)
    if got != body:
        raise SystemExit("%s: GET %s returned %d bytes that are not the %d bytes "
                         "PUT (first differing byte at %d)"
                         % (what, path, len(got), len(body), next(
                             (i for i, (x, y) in enumerate(zip(got, body)) if x != y),
                             min(len(got), len(body)))))
    return keepalive


def s3_setup(port, body_file, put_file, get_file):
    amz_date = s3_now()
    with open(body_file, "rb") as f:
        body = f.read()
    s3_call("s3-setup", port, amz_date, "PUT", "/" + S3_BUCKET, b"")
    get_path = "/%s/%s" % (S3_BUCKET, S3_GET_KEY)
    # The pre-flight checks: the GET wrk replays, and every PUT it replays
    # (which also makes each PUT in the run an overwrite).
    s3_call("s3-setup", port, amz_date, "PUT", get_path, body)
    keepalive = s3_get_exact("s3-setup", port, amz_date, get_path, body)
    with open(put_file, "w") as f:
        for i in range(S3_PUT_KEYS):
            path = "/%s/%s" % (S3_BUCKET, s3_put_key(i))
            _, ka = s3_call("s3-setup", port, amz_date, "PUT", path, body)
            keepalive = keepalive and ka
            f.write("%s\t%s\n" % (path, s3_auth(port, amz_date, "PUT", path)))
    s3_get_exact("s3-setup", port, amz_date, "/%s/%s" % (S3_BUCKET, s3_put_key(0)), body)
    with open(get_file, "w") as f:
        f.write("%s\t%s\n" % (get_path, s3_auth(port, amz_date, "GET", get_path)))
    out = {
        "S3_DATE": amz_date,
        "S3_KEEPALIVE": "yes" if keepalive else "no",
        "S3_PUT_KEYS": str(S3_PUT_KEYS),
        "S3_GET_PATH": get_path,
    }
    for k, v in out.items():
        print("%s=%s" % (k, shlex.quote(v)))


def s3_check(port, body_file):
    """After the PutObject run: every key of the ring still reads back
    exactly, and one more PUT + GET of the GET key answer 200 / exact."""
    amz_date = s3_now()
    with open(body_file, "rb") as f:
        body = f.read()
    for i in range(S3_PUT_KEYS):
        s3_get_exact("s3-check", port, amz_date, "/%s/%s" % (S3_BUCKET, s3_put_key(i)), body)
    get_path = "/%s/%s" % (S3_BUCKET, S3_GET_KEY)
    s3_call("s3-check", port, amz_date, "PUT", get_path, body)
    s3_get_exact("s3-check", port, amz_date, get_path, body)


def json_headers(port, amz_date, target, body, service):
    # Same header set the wrk Lua script sends (wrk adds Content-Length).
    return {
        "Host": "%s:%d" % (HOST, port),
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target,
        "X-Amz-Date": amz_date,
        "Authorization": sigv4_auth(port, amz_date, body, service),
    }


def json_call(what, port, amz_date, target, body, service):
    """One signed JSON 1.1 POST; SystemExit unless it answers 200 with JSON.
    Sets json_call.keepalive to whether the connection would stay open."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", "/", body=body.encode(),
                     headers=dict(json_headers(port, amz_date, target, body, service),
                                  **{"Accept-Encoding": "identity"}))
        resp = conn.getresponse()
        data = resp.read()
        # what a keep-alive client gets: HTTP/1.1 without Connection: close
        json_call.keepalive = (resp.version == 11 and
                               (resp.getheader("Connection") or "").lower() != "close")
    finally:
        conn.close()
    op = target.rsplit(".", 1)[-1]
    if resp.status != 200:
        raise SystemExit("%s: %s answered HTTP %d: %s"
                         % (what, op, resp.status, data[:500].decode("utf-8", "replace")))
    try:
        return json.loads(data)
    except ValueError:
        raise SystemExit("%s: %s answered 200 with non-JSON body: %r"
                         % (what, op, data[:200]))


def kms_call(port, amz_date, op, body):
    r = json_call("kms-setup", port, amz_date, "TrentService." + op, body, SERVICE)
    kms_call.keepalive = json_call.keepalive
    return r


def kms_setup(port):
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    key = kms_call(port, amz_date, "CreateKey", "{}")
    try:
        key_id = key["KeyMetadata"]["KeyId"]
    except (KeyError, TypeError):
        raise SystemExit("kms-setup: CreateKey response has no KeyMetadata.KeyId: %r" % key)
    enc_body = json.dumps({"KeyId": key_id,
                           "Plaintext": base64.b64encode(PLAINTEXT).decode()},
                          separators=(",", ":"))
    # This is also the pre-flight check of the exact Encrypt request wrk sends.
    enc = kms_call(port, amz_date, "Encrypt", enc_body)
    blob = enc.get("CiphertextBlob")
    if not isinstance(blob, str) or not blob:
        raise SystemExit("kms-setup: Encrypt response has no CiphertextBlob: %r" % enc)
    dec_body = json.dumps({"CiphertextBlob": blob}, separators=(",", ":"))
    dec = kms_call(port, amz_date, "Decrypt", dec_body)
    keepalive = kms_call.keepalive
    try:
        pt = base64.b64decode(dec["Plaintext"])
    except (KeyError, TypeError, ValueError):
        raise SystemExit("kms-setup: Decrypt response has no valid Plaintext: %r" % dec)
    if pt != PLAINTEXT:
        raise SystemExit("kms-setup: Decrypt did not round-trip the plaintext")
    out = {
        "KMS_KEY_ID": key_id,
        "KMS_DATE": amz_date,
        "KMS_KEEPALIVE": "yes" if keepalive else "no",
        "ENC_BODY": enc_body,
        "ENC_AUTH": sigv4_auth(port, amz_date, enc_body),
        "DEC_BODY": dec_body,
        "DEC_AUTH": sigv4_auth(port, amz_date, dec_body),
    }
    for k, v in out.items():
        print("%s=%s" % (k, shlex.quote(v)))


def kms_asym_setup(port):
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    msg = base64.b64encode(PLAINTEXT).decode()

    def key(spec, usage):
        md = kms_call(port, amz_date, "CreateKey",
                      json.dumps({"KeySpec": spec, "KeyUsage": usage}))
        try:
            return md["KeyMetadata"]["KeyId"]
        except (KeyError, TypeError):
            raise SystemExit("kms-asym-setup: CreateKey %s has no KeyId: %r" % (spec, md))

    def body(**kw):
        return json.dumps(kw, separators=(",", ":"))

    ec, rsa, mac = (key("ECC_NIST_P256", "SIGN_VERIFY"), key("RSA_2048", "SIGN_VERIFY"),
                    key("HMAC_256", "GENERATE_VERIFY_MAC"))
    sign_ec = body(KeyId=ec, Message=msg, SigningAlgorithm="ECDSA_SHA_256")
    sign_rsa = body(KeyId=rsa, Message=msg, SigningAlgorithm="RSASSA_PSS_SHA_256")
    mac_body = body(KeyId=mac, Message=msg, MacAlgorithm="HMAC_SHA_256")
    # the pre-flight of each request wrk sends
    sig = kms_call(port, amz_date, "Sign", sign_ec).get("Signature")
    if not sig:
        raise SystemExit("kms-asym-setup: Sign answered no Signature")
    kms_call(port, amz_date, "Sign", sign_rsa)
    verify = body(KeyId=ec, Message=msg, Signature=sig, SigningAlgorithm="ECDSA_SHA_256")
    if kms_call(port, amz_date, "Verify", verify).get("SignatureValid") is not True:
        raise SystemExit("kms-asym-setup: Verify of a fresh signature did not answer valid")
    if not kms_call(port, amz_date, "GenerateMac", mac_body).get("Mac"):
        raise SystemExit("kms-asym-setup: GenerateMac answered no Mac")
    out = {"KMS_DATE": amz_date}
    for name, b in (("SIGN_EC", sign_ec), ("SIGN_RSA", sign_rsa), ("VERIFY", verify),
                    ("MAC", mac_body)):
        out[name + "_BODY"] = b
        out[name + "_AUTH"] = sigv4_auth(port, amz_date, b)
    for k, v in out.items():
        print("%s=%s" % (k, shlex.quote(v)))


def sm_setup(port):
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    create_body = json.dumps({"Name": SM_NAME, "SecretString": SM_VALUE},
                             separators=(",", ":"))
    created = json_call("sm-setup", port, amz_date, "secretsmanager.CreateSecret",
                        create_body, SM_SERVICE)
    arn = created.get("ARN") if isinstance(created, dict) else None
    if not isinstance(arn, str) or not arn:
        raise SystemExit("sm-setup: CreateSecret response has no ARN: %r" % created)
    target = "secretsmanager.GetSecretValue"
    gsv_body = json.dumps({"SecretId": SM_NAME}, separators=(",", ":"))
    # The pre-flight check of the exact GetSecretValue request wrk sends.
    got = json_call("sm-setup", port, amz_date, target, gsv_body, SM_SERVICE)
    keepalive = json_call.keepalive
    if not isinstance(got, dict) or got.get("SecretString") != SM_VALUE:
        raise SystemExit("sm-setup: GetSecretValue did not return the stored "
                         "SecretString: %r" % (got,))
    if got.get("Name") != SM_NAME:
        raise SystemExit("sm-setup: GetSecretValue answered Name %r, expected %r"
                         % (got.get("Name"), SM_NAME))
    out = {
        "SM_ARN": arn,
        "SM_DATE": amz_date,
        "SM_KEEPALIVE": "yes" if keepalive else "no",
        "SM_VALUE_BYTES": str(len(SM_VALUE)),
        "GSV_TARGET": target,
        "GSV_BODY": gsv_body,
        "GSV_AUTH": sigv4_auth(port, amz_date, gsv_body, SM_SERVICE),
    }
    for k, v in out.items():
        print("%s=%s" % (k, shlex.quote(v)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("freeport")
    w = sub.add_parser("wait")
    w.add_argument("port", type=int)
    w.add_argument("path")
    w.add_argument("--pid", type=int)
    w.add_argument("--timeout", type=float, default=15.0)
    k = sub.add_parser("kms-setup")
    k.add_argument("port", type=int)
    ka = sub.add_parser("kms-asym-setup")
    ka.add_argument("port", type=int)
    m = sub.add_parser("sm-setup")
    m.add_argument("port", type=int)
    s3 = sub.add_parser("s3-setup")
    s3.add_argument("port", type=int)
    s3.add_argument("body_file")
    s3.add_argument("put_file")
    s3.add_argument("get_file")
    sc = sub.add_parser("s3-check")
    sc.add_argument("port", type=int)
    sc.add_argument("body_file")
    sb = sub.add_parser("s3-bucket")
    sb.add_argument("port", type=int)
    sb.add_argument("bucket")
    sa = sub.add_parser("s3-auth")
    sa.add_argument("port", type=int)
    sa.add_argument("method")
    sa.add_argument("path")
    kk = sub.add_parser("kms-key")
    kk.add_argument("port", type=int)
    r = sub.add_parser("rss")
    r.add_argument("pid", type=int)
    a = ap.parse_args()
    if a.cmd == "freeport":
        print(free_port())
    elif a.cmd == "wait":
        ok, why = wait_healthy(a.port, a.path, a.pid, a.timeout)
        if not ok:
            print("wait: " + why, file=sys.stderr)
            sys.exit(1)
    elif a.cmd == "kms-setup":
        kms_setup(a.port)
    elif a.cmd == "kms-asym-setup":
        kms_asym_setup(a.port)
    elif a.cmd == "sm-setup":
        sm_setup(a.port)
    elif a.cmd == "s3-setup":
        s3_setup(a.port, a.body_file, a.put_file, a.get_file)
    elif a.cmd == "s3-check":
        s3_check(a.port, a.body_file)
    elif a.cmd == "s3-bucket":
        amz_date = s3_now()
        s3_call("s3-bucket", a.port, amz_date, "PUT", "/" + a.bucket, b"")
    elif a.cmd == "s3-auth":
        amz_date = s3_now()
        print("S3_DATE=%s" % shlex.quote(amz_date))
        print("S3_AUTH=%s" % shlex.quote(s3_auth(a.port, amz_date, a.method, a.path)))
    elif a.cmd == "kms-key":
        amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        key = kms_call(a.port, amz_date, "CreateKey", "{}")
        try:
            print(key["KeyMetadata"]["KeyId"])
        except (KeyError, TypeError):
            raise SystemExit("kms-key: CreateKey response has no KeyMetadata.KeyId: %r" % key)
    elif a.cmd == "rss":
        v = vm_rss_kib(a.pid)
        if v is None:
            sys.exit(1)
        print(v)


if __name__ == "__main__":
    main()
