"""S3 crash safety: concurrent PUTs (8 threads, random bodies of 0..2 MiB,
plus one thread overwriting a single hot key) against awsemu --data-dir,
SIGKILL mid-stream, restart on the same dir. Every acknowledged object must
read back byte for byte; an object whose PUT was not acknowledged is either
absent or complete; the hot key holds the last acknowledged body or a later
attempt; the SQLite database passes PRAGMA integrity_check; the restart's
sweep leaves nothing in blobs/tmp. Two rounds."""

import hashlib
import http.client
import os
import random
import shutil
import sqlite3
import tempfile
import threading
import time
import unittest
import uuid

import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.exceptions import ClientError

from harness import ACCESS_KEY, DEFAULT_REGION, EXTERNAL_URL, SECRET_KEY, Server
from test_s3 import MiB, s3_client
from test_s3_persist import blob_files

THREADS = 8
RUN_SECONDS = 2.0
ROUNDS = 2
MAX_SIZE = 2 * MiB
INLINE_MAX = 64 * 1024  # bodies up to this are stored inline in the database row


def body_size(rnd):
    """Half the bodies small (stored inline, in the row's transaction), half
    up to MAX_SIZE (blob files): a kill must lose neither kind."""
    return rnd.randint(0, INLINE_MAX) if rnd.random() < 0.5 else rnd.randint(0, MAX_SIZE)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def integrity_check(db_path):
    """PRAGMA integrity_check on a copy of the database and its WAL, so the
    check neither needs write access nor recovers the WAL in awsemu's place
    (awsemu keeps its WAL index in memory: exclusive locking mode)."""
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="awsemu-dbcheck-")
    try:
        for suffix in ("", "-wal"):
            if os.path.exists(db_path + suffix):
                shutil.copyfile(db_path + suffix, os.path.join(d, "copy.db" + suffix))
        conn = sqlite3.connect(os.path.join(d, "copy.db"))
        try:
            return [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    finally:
        shutil.rmtree(d, ignore_errors=True)


@unittest.skipIf(EXTERNAL_URL, "crash tests need their own awsemu process (AWSEMU_URL is set)")
class S3CrashTests(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-s3-crash-")
        self.server = Server(["--data-dir", self.data_dir], check_exit=False)
        self.server.start()
        self.bucket = "crash-" + uuid.uuid4().hex[:12]
        s3_client(self.server).create_bucket(Bucket=self.bucket)

    def tearDown(self):
        self.server.cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def load(self, round_no):
        """Runs the writers, SIGKILLs the server after RUN_SECONDS. Returns
        (acked {key: sha}, attempted {key: sha}, hot [(sha, acked)])."""
        acked, attempted, hot = {}, {}, []
        lock = threading.Lock()
        stop = threading.Event()

        # clients are made up front: loading botocore's S3 model in 9
        # threads at once can take longer than the whole run
        clients = [s3_client(self.server) for _ in range(THREADS + 1)]

        def writer(t):
            client = clients[t]
            rnd = random.Random()
            n = 0
            while not stop.is_set():
                key = "r%d/t%d/%05d" % (round_no, t, n)
                n += 1
                body = os.urandom(body_size(rnd))
                digest = sha(body)
                with lock:
                    attempted[key] = digest
                try:
                    r = client.put_object(Bucket=self.bucket, Key=key, Body=body)
                except Exception:
                    continue
                if r["ResponseMetadata"]["HTTPStatusCode"] == 200:
                    with lock:
                        acked[key] = digest

        def hot_writer():
            client = clients[THREADS]
            rnd = random.Random()
            while not stop.is_set():
                body = os.urandom(body_size(rnd))
                entry = [sha(body), False]
                with lock:
                    hot.append(entry)
                try:
                    r = client.put_object(Bucket=self.bucket, Key="hot", Body=body)
                except Exception:
                    continue
                if r["ResponseMetadata"]["HTTPStatusCode"] == 200:
                    entry[1] = True

        threads = [threading.Thread(target=writer, args=(t,), daemon=True) for t in range(THREADS)]
        threads.append(threading.Thread(target=hot_writer, daemon=True))
        for th in threads:
            th.start()
        # run for RUN_SECONDS, longer (up to 15 s) until some PUTs were
        # acknowledged
        t0 = time.monotonic()
        while time.monotonic() - t0 < 15:
            time.sleep(0.1)
            with lock:
                n = len(acked)
            if time.monotonic() - t0 >= RUN_SECONDS and n >= 20:
                break
        self.server.proc.kill()  # SIGKILL mid-stream
        self.server.proc.wait()
        stop.set()
        for th in threads:
            th.join(30)
            self.assertFalse(th.is_alive(), "a writer thread hung after the kill")
        self.server.stop(check=False)
        return acked, attempted, hot

    def verify(self, round_no, acked, attempted, hot):
        s3 = s3_client(self.server)
        self.assertGreater(len(acked), 10, "too few acknowledged PUTs to mean anything")
        # every acknowledged object, byte for byte
        small = 0
        for key, digest in sorted(acked.items()):
            body = s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            self.assertEqual(digest, sha(body), "acknowledged object %s lost or damaged" % key)
            small += len(body) <= INLINE_MAX
        self.assertGreater(small, 0, "no small (inline) PUT was acknowledged: the kill tested files only")
        # whatever is listed is something a client sent, and complete
        listed = set()
        token = None
        while True:
            kw = {"Prefix": "r%d/" % round_no}
            if token:
                kw["ContinuationToken"] = token
            r = s3.list_objects_v2(Bucket=self.bucket, **kw)
            listed.update(c["Key"] for c in r.get("Contents", []))
            if not r.get("IsTruncated"):
                break
            token = r["NextContinuationToken"]
        self.assertEqual(set(), set(acked) - listed, "acknowledged objects missing from the listing")
        self.assertEqual(set(), listed - set(attempted), "listed keys nobody wrote")
        for key in sorted(set(attempted) - set(acked)):
            try:
                body = s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            except ClientError as e:
                self.assertEqual(404, e.response["ResponseMetadata"]["HTTPStatusCode"], key)
                self.assertNotIn(key, listed, "%s listed but not readable" % key)
                continue
            self.assertEqual(attempted[key], sha(body), "unacknowledged %s is half-written" % key)
            self.assertIn(key, listed)
        # the hot key: the last acknowledged version or a later attempt
        last_acked = max((i for i, (_, ok) in enumerate(hot) if ok), default=None)
        try:
            body = s3.get_object(Bucket=self.bucket, Key="hot")["Body"].read()
        except ClientError as e:
            self.assertEqual(404, e.response["ResponseMetadata"]["HTTPStatusCode"])
            self.assertIsNone(last_acked, "the hot key vanished after an acknowledged PUT")
            return
        digest = sha(body)
        ok = [i for i, (d, _) in enumerate(hot) if d == digest]
        self.assertTrue(ok, "the hot key holds a body nobody sent")
        if last_acked is not None:
            self.assertGreaterEqual(max(ok), last_acked, "the hot key went back to an older version")

    def count_objects(self):
        s3 = s3_client(self.server)
        n, token = 0, None
        while True:
            kw = {"ContinuationToken": token} if token else {}
            r = s3.list_objects_v2(Bucket=self.bucket, **kw)
            n += r["KeyCount"]
            if not r.get("IsTruncated"):
                return n
            token = r["NextContinuationToken"]

    def test_sigkill_during_concurrent_puts(self):
        t0 = time.monotonic()
        db = os.path.join(self.data_dir, "awsemu.db")
        for round_no in range(ROUNDS):
            with self.subTest(round=round_no):
                acked, attempted, hot = self.load(round_no)
                self.assertEqual(["ok"], integrity_check(db), "database damaged by the kill")
                self.server.start()
                tmp = os.path.join(self.data_dir, "blobs", "tmp")
                left = os.listdir(tmp) if os.path.isdir(tmp) else []
                self.assertEqual([], left, "temp files survived the start-up sweep")
                self.verify(round_no, acked, attempted, hot)
                # the sweep also removed bodies no object refers to
                self.assertLessEqual(len(blob_files(self.data_dir)), self.count_objects(),
                                     "orphaned body files survived the start-up sweep")
        self.server.stop(check=True)
        self.assertEqual(["ok"], integrity_check(db))
        self.assertLess(time.monotonic() - t0, 60, "crash test too slow")


# Group commit: the PUTs of one event-loop turn commit together and each is
# answered only after that commit. Many connections at once put many writes
# in each turn; a SIGKILL must still lose none that was answered.
GC_CONNS = 32
GC_SECONDS = 2.0
GC_SMALL = 4096           # the bench's object: stored inline, one row
GC_BIG = 70 * 1024        # over the inline limit: a blob file per version


def s3_headers(server, method, path, body):
    """SigV4 (header auth, the body's SHA-256) for a path-style request."""
    req = botocore.awsrequest.AWSRequest(
        method=method, url=server.url + path, data=body,
        headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
    creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
    botocore.auth.S3SigV4Auth(creds, "s3", DEFAULT_REGION).add_auth(req)
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()}


@unittest.skipIf(EXTERNAL_URL, "crash tests need their own awsemu process (AWSEMU_URL is set)")
class S3GroupCommitCrashTests(unittest.TestCase):
    """GC_CONNS keep-alive connections, each PUTting 4 KiB objects under
    new keys, overwriting one key of its own with 70 KiB bodies (blob
    files: the old one is deleted only after the commit that replaced it)
    and deleting some of its keys, until SIGKILL. After a restart: every
    answered PUT reads back byte for byte, every answered DELETE stays
    deleted, each overwritten key holds its last answered body or a later
    attempt; an unanswered PUT is absent or complete."""

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="awsemu-e2e-s3-gc-")
        self.server = Server(["--data-dir", self.data_dir], check_exit=False)
        self.server.start()
        self.bucket = "gc-" + uuid.uuid4().hex[:12]
        s3_client(self.server).create_bucket(Bucket=self.bucket)

    def tearDown(self):
        self.server.cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def writer(self, t, stop, out):
        """One connection's writes; out: {"put": {key: sha} answered,
        "tried": {key: sha}, "deleted": set() answered, "maybe": set()
        (a DELETE sent, not answered), "ow": [(sha, answered)]}."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        rnd = random.Random(t)
        n = 0
        try:
            while not stop.is_set():
                n += 1
                if n % 5 == 0:
                    key, body = "t%02d/ow" % t, os.urandom(GC_BIG)
                    out["ow"].append([sha(body), False])
                elif n % 7 == 0 and out["put"]:
                    # unanswered, a DELETE may or may not have happened:
                    # the key leaves "put" before it is sent
                    key = rnd.choice(sorted(out["put"]))
                    del out["put"][key]
                    out["maybe"].add(key)
                    path = "/%s/%s" % (self.bucket, key)
                    conn.request("DELETE", path, headers=s3_headers(self.server, "DELETE", path, b""))
                    r = conn.getresponse()
                    r.read()
                    if r.status == 204:
                        out["maybe"].discard(key)
                        out["deleted"].add(key)
                    continue
                else:
                    key, body = "t%02d/%05d" % (t, n), os.urandom(GC_SMALL)
                    out["tried"][key] = sha(body)
                path = "/%s/%s" % (self.bucket, key)
                conn.request("PUT", path, body=body, headers=s3_headers(self.server, "PUT", path, body))
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    if key.endswith("/ow"):
                        out["ow"][-1][1] = True
                    else:
                        out["put"][key] = sha(body)
        except (OSError, http.client.HTTPException):
            pass  # the kill
        finally:
            conn.close()

    def test_sigkill_during_many_concurrent_small_puts(self):
        stop = threading.Event()
        outs = [{"put": {}, "tried": {}, "deleted": set(), "maybe": set(), "ow": []}
                for _ in range(GC_CONNS)]
        threads = [threading.Thread(target=self.writer, args=(t, stop, outs[t]), daemon=True)
                   for t in range(GC_CONNS)]
        for th in threads:
            th.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 15:
            time.sleep(0.1)
            if (time.monotonic() - t0 >= GC_SECONDS and
                    sum(len(o["put"]) for o in outs) >= 200 and
                    sum(len(o["deleted"]) for o in outs) >= 5):
                break
        self.server.proc.kill()  # SIGKILL with writes in flight
        self.server.proc.wait()
        stop.set()
        for th in threads:
            th.join(30)
            self.assertFalse(th.is_alive(), "a writer hung after the kill")
        self.server.stop(check=False)
        self.assertEqual(["ok"], integrity_check(os.path.join(self.data_dir, "awsemu.db")))
        self.server.start()
        s3 = s3_client(self.server)
        acked = {k: v for o in outs for k, v in o["put"].items()}
        self.assertGreater(len(acked), 100, "too few answered PUTs to mean anything")
        for key, digest in sorted(acked.items()):
            body = s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            self.assertEqual(digest, sha(body), "answered PUT of %s lost or damaged" % key)
        for o in outs:
            for key in sorted(o["deleted"]):
                with self.assertRaises(ClientError, msg="answered DELETE of %s undone" % key):
                    s3.head_object(Bucket=self.bucket, Key=key)
            for key in sorted(set(o["tried"]) - set(o["put"]) - o["deleted"]):  # unanswered or "maybe": absent or complete
                try:
                    body = s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                except ClientError as e:
                    self.assertEqual(404, e.response["ResponseMetadata"]["HTTPStatusCode"], key)
                    continue
                self.assertEqual(o["tried"][key], sha(body), "unanswered %s is half-written" % key)
            if not o["ow"]:
                continue
            key = "t%02d/ow" % outs.index(o)
            last = max((i for i, (_, ok) in enumerate(o["ow"]) if ok), default=None)
            try:
                body = s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            except ClientError as e:
                self.assertEqual(404, e.response["ResponseMetadata"]["HTTPStatusCode"])
                self.assertIsNone(last, "%s vanished after an answered overwrite" % key)
                continue
            got = [i for i, (d, _) in enumerate(o["ow"]) if d == sha(body)]
            self.assertTrue(got, "%s holds a body nobody sent (an old blob deleted early?)" % key)
            if last is not None:
                self.assertGreaterEqual(max(got), last, "%s went back to an older version" % key)
        self.server.stop(check=True)
