"""S3 through the clients people point at it: rclone's default S3 remote
(provider Other, path style), s3cmd, and the aws CLI v1 and v2 on the
requests that used to fail (issue 14, items 1-3). Each client skips with a
message where it is not installed (scripts/install-deps.sh --test installs
them; the v2 CLI where Debian packages it, beside pip's v1).

Where AWS's behaviour was pinned, the test says by what."""

import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import ACCESS_KEY, DEFAULT_REGION, SECRET_KEY, Server
from test_s3 import S3TestCase, s3_client, uniq

RCLONE = shutil.which("rclone")
S3CMD = shutil.which("s3cmd")


def _awscli_v1():
    """The command that runs the aws CLI v1 (python -m awscli), or None."""
    try:
        import awscli  # noqa: F401
        return [sys.executable, "-m", "awscli"]
    except ImportError:
        return [shutil.which("aws")] if shutil.which("aws") else None


AWSCLI = _awscli_v1()


def _awscli_v2():
    """The aws CLI v2 (Debian's awscli package: /usr/bin/aws, behind pip's
    v1 on PATH), or None."""
    seen = set()
    for path in (shutil.which("aws"), "/usr/bin/aws", "/usr/local/bin/aws"):
        if not path or path in seen or not os.access(path, os.X_OK):
            continue
        seen.add(path)
        try:
            out = subprocess.run([path, "--version"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        if out.startswith(b"aws-cli/2."):
            return [path]
    return None


AWSCLI_V2 = _awscli_v2()


class ClientCase(S3TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.mkdtemp(prefix="awsemu-e2e-clients-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    def run_tool(self, cmd, env=None, check=True):
        p = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        if check:
            self.assertEqual(0, p.returncode, "%s failed:\n%s\n%s" % (
                " ".join(cmd), p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")))
        return p

    def tree(self, name, files):
        root = os.path.join(self.tmp, name)
        for rel, data in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        return root


FILES = {"a.txt": b"hello rclone\n", "dir/b.bin": os.urandom(70000),
         "dir/sub/c.bin": os.urandom(3 * 1024 * 1024 + 17), "empty": b""}


@unittest.skipUnless(RCLONE, "rclone not installed (scripts/install-deps.sh --test)")
class RcloneTests(ClientCase):
    """rclone's default remote sends x-amz-acl: private on CreateBucket and
    on every upload. AWS makes such a bucket BucketOwnerPreferred, so the
    uploads' private ACL is accepted (versitygw#1869/#1871, checked against
    AWS; rclone#6993 shows AWS refusing only non-private bucket ACLs)."""

    def env(self):
        # rclone's AWS SDK reads AWS_CA_BUNDLE and then fails on its own
        # transport ("LoadCustomCABundleError"); awsemu here is plain HTTP
        env = {k: v for k, v in os.environ.items()
               if k not in ("AWS_CA_BUNDLE", "AWS_PROFILE", "AWS_CONFIG_FILE")}
        env.update({"RCLONE_CONFIG": os.devnull,
                    "RCLONE_CONFIG_EMU_TYPE": "s3", "RCLONE_CONFIG_EMU_PROVIDER": "Other",
                    "RCLONE_CONFIG_EMU_ACCESS_KEY_ID": ACCESS_KEY,
                    "RCLONE_CONFIG_EMU_SECRET_ACCESS_KEY": SECRET_KEY,
                    "RCLONE_CONFIG_EMU_ENDPOINT": self.server.url,
                    "RCLONE_CONFIG_EMU_REGION": DEFAULT_REGION,
                    "RCLONE_CONFIG_EMU_FORCE_PATH_STYLE": "true"})
        return env

    def rclone(self, *args, check=True):
        return self.run_tool([RCLONE, "--low-level-retries", "1", "--retries", "1"] + list(args),
                             env=self.env(), check=check)

    def test_mkdir_copy_check(self):
        bucket = uniq("rc")
        src = self.tree("rc-src", FILES)
        self.rclone("mkdir", "emu:" + bucket)
        own = self.s3.get_bucket_ownership_controls(Bucket=bucket)
        self.assertEqual("BucketOwnerPreferred",
                         own["OwnershipControls"]["Rules"][0]["ObjectOwnership"])
        self.rclone("copy", src, "emu:" + bucket + "/data")
        self.rclone("check", src, "emu:" + bucket + "/data")
        got = self.s3.get_object(Bucket=bucket, Key="data/dir/b.bin")["Body"].read()
        self.assertEqual(FILES["dir/b.bin"], got)
        dst = os.path.join(self.tmp, "rc-dst")
        self.rclone("copy", "emu:" + bucket + "/data", dst)
        self.assertEqual([], filecmp.dircmp(src, dst).diff_files)
        for rel in FILES:
            self.assertTrue(filecmp.cmp(os.path.join(src, rel), os.path.join(dst, rel), False), rel)

    def test_copy_creates_the_bucket(self):
        bucket = uniq("rc")
        src = self.tree("rc-src2", {"x.txt": b"x"})
        self.rclone("copy", src, "emu:" + bucket)
        self.rclone("check", src, "emu:" + bucket)


@unittest.skipUnless(S3CMD, "s3cmd not installed (scripts/install-deps.sh --test)")
class S3cmdTests(ClientCase):
    def s3cmd(self, *args, check=True):
        cfg = os.path.join(self.tmp, "s3cfg")
        host = self.server.url.split("://", 1)[1]
        with open(cfg, "w") as f:
            f.write("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\n"
                    "host_bucket = %s\nuse_https = False\nbucket_location = %s\n"
                    "signature_v2 = False\n" % (ACCESS_KEY, SECRET_KEY, host, host,
                                                 DEFAULT_REGION))
        return self.run_tool([S3CMD, "-c", cfg] + list(args), check=check)

    def test_mb_put_get_ls_del(self):
        bucket = uniq("s3cmd")
        src = self.tree("s3cmd", {"f.bin": os.urandom(20000)})
        self.s3cmd("mb", "s3://" + bucket)
        self.s3cmd("put", os.path.join(src, "f.bin"), "s3://%s/k/f.bin" % bucket)
        out = self.s3cmd("ls", "s3://%s/k/" % bucket).stdout.decode()
        self.assertIn("s3://%s/k/f.bin" % bucket, out)
        dst = os.path.join(self.tmp, "s3cmd-got.bin")
        self.s3cmd("get", "--force", "s3://%s/k/f.bin" % bucket, dst)
        self.assertTrue(filecmp.cmp(os.path.join(src, "f.bin"), dst, False))
        self.s3cmd("del", "s3://%s/k/f.bin" % bucket)
        self.assertEqual(0, self.s3.list_objects_v2(Bucket=bucket)["KeyCount"])
        self.s3cmd("rb", "s3://" + bucket)


@unittest.skipUnless(AWSCLI, "aws CLI v1 not installed")
class AwsCliTests(ClientCase):
    CLI = AWSCLI

    def aws(self, *args, check=True):
        env = dict(os.environ)
        env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                    "AWS_DEFAULT_REGION": DEFAULT_REGION, "AWS_PAGER": "",
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"})
        # AWS_DATA_PATH: importing v1's awscli (to find it) points it at v1's
        # data, which v2 would then read ("'Namespace' object has no
        # attribute 'cli_binary_format'"); each CLI sets its own
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DATA_PATH"):
            env.pop(k, None)
        return self.run_tool(self.CLI + ["--endpoint-url", self.server.url] + list(args),
                             env=env, check=check)

    def test_create_bucket_owner_full_control(self):
        # AWS ignores this canned ACL on CreateBucket (issue 14); an empty
        # <Message> used to crash the CLI ("argument of type 'NoneType' is
        # not iterable")
        bucket = uniq("cli")
        self.aws("s3api", "create-bucket", "--bucket", bucket, "--acl",
                 "bucket-owner-full-control")
        self.s3.head_bucket(Bucket=bucket)

    def test_errors_are_reported_not_crashes(self):
        bucket = uniq("cli")
        p = self.aws("s3api", "create-bucket", "--bucket", bucket, "--acl", "privatee",
                     check=False)
        err = p.stderr.decode()
        self.assertNotEqual(0, p.returncode)
        self.assertIn("InvalidArgument", err)
        self.assertNotIn("Traceback", err)
        self.assertNotIn("NoneType", err)
        p = self.aws("s3api", "get-object", "--bucket", bucket, "--key", "k",
                     os.path.join(self.tmp, "none"), check=False)
        self.assertIn("NoSuchBucket", p.stderr.decode())


@unittest.skipUnless(AWSCLI_V2, "aws CLI v2 not installed (Debian's awscli package: "
                     "scripts/install-deps.sh --test)")
class AwsCliV2Tests(AwsCliTests):
    """Issue 14's client items through the aws CLI v2 (its own botocore and
    s3transfer): the same tests as v1's, and what AWS answers them."""
    CLI = AWSCLI_V2

    def test_is_v2(self):
        self.assertTrue(self.aws("--version").stdout.startswith(b"aws-cli/2."))

    def test_missing_key_messages(self):
        # AWS's text as the CLI prints it: GetObject's NoSuchKey carries
        # "The specified key does not exist." (S3 API Reference, Error
        # responses); HeadObject has no body, so the CLI prints the status
        b = self.make_bucket()
        p = self.aws("s3api", "get-object", "--bucket", b, "--key", "missing",
                     os.path.join(self.tmp, "none"), check=False)
        err = p.stderr.decode()
        self.assertNotEqual(0, p.returncode)
        # (one attempt here: "... operation (reached max retries: 0): ...")
        self.assertRegex(err, r"An error occurred \(NoSuchKey\) when calling the GetObject "
                              r"operation( \([^)]*\))?: The specified key does not exist\.")
        self.assertNotIn("Traceback", err)
        p = self.aws("s3api", "head-object", "--bucket", b, "--key", "missing", check=False)
        self.assertNotEqual(0, p.returncode)
        self.assertRegex(p.stderr.decode(), r"An error occurred \(404\) when calling the "
                                            r"HeadObject operation( \([^)]*\))?: Not Found")
        p = self.aws("s3api", "create-bucket", "--bucket", "Bad_Name", check=False)
        self.assertIn("(InvalidBucketName)", p.stderr.decode())
        self.assertIn("The specified bucket is not valid.", p.stderr.decode())

    def test_s3_cp_ls_round_trip(self):
        # a small file and one over the CLI's 8 MiB multipart threshold
        b = uniq("cli2")
        self.aws("s3", "mb", "s3://" + b)
        src = self.tree("v2-src", {"small.txt": b"hello v2\n",
                                   "dir/big.bin": os.urandom(9 * 1024 * 1024 + 5)})
        self.aws("s3", "cp", os.path.join(src, "small.txt"), "s3://%s/small.txt" % b)
        self.aws("s3", "cp", "--recursive", os.path.join(src, "dir"), "s3://%s/dir/" % b)
        out = self.aws("s3", "ls", "s3://%s/" % b).stdout.decode()
        self.assertIn("small.txt", out)
        self.assertIn("PRE dir/", out)
        out = self.aws("s3", "ls", "--recursive", "s3://%s/" % b).stdout.decode()
        self.assertIn(str(9 * 1024 * 1024 + 5) + " dir/big.bin", out)
        dst = os.path.join(self.tmp, "v2-dst")
        self.aws("s3", "cp", "--recursive", "s3://%s/" % b, dst)
        for rel in ("small.txt", "dir/big.bin"):
            self.assertTrue(filecmp.cmp(os.path.join(src, rel), os.path.join(dst, rel), False), rel)
        self.assertEqual(b"hello v2\n", self.s3.get_object(Bucket=b, Key="small.txt")["Body"].read())
        self.aws("s3", "rm", "--recursive", "s3://%s/" % b)
        self.assertEqual(0, self.s3.list_objects_v2(Bucket=b)["KeyCount"])
        self.aws("s3", "rb", "s3://" + b)


class NoEmptyMessageTests(S3TestCase):
    """Every S3 error carries a message (tests/unit/test_s3_errors.c walks
    every code the sources can answer); here a sample of them through boto3."""

    def test_messages(self):
        b = self.make_bucket()
        nv = s3_client(self.server, validate=False)
        calls = [
            (self.s3.create_bucket, dict(Bucket=uniq("m"), ACL="nope")),
            (self.s3.get_object, dict(Bucket=b, Key="missing")),
            (self.s3.get_object, dict(Bucket=uniq("nob"), Key="k")),
            (self.s3.put_bucket_acl, dict(Bucket=b, ACL="public-read")),
            (nv.list_objects_v2, dict(Bucket=b, MaxKeys=-1)),
            (self.s3.upload_part, dict(Bucket=b, Key="k", UploadId="x", PartNumber=1, Body=b"x")),
            (self.s3.get_bucket_policy, dict(Bucket=b)),
            (self.s3.create_bucket, dict(Bucket="Bad_Name")),
        ]
        for fn, kw in calls:
            with self.subTest(fn=fn.__name__, **{k: str(v) for k, v in kw.items()}):
                with self.assertRaises(ClientError) as cm:
                    fn(**kw)
                self.assertTrue(cm.exception.response["Error"].get("Message"),
                                cm.exception.response["Error"])


class LegacyDefaultsTests(S3TestCase):
    """--s3-legacy-defaults: new buckets as before April 2023 (ObjectWriter,
    no public access block: AWS's "Heads-Up: Amazon S3 Security Changes Are
    Coming in April of 2023" post lists what changed)."""
    server_args = ("--s3-legacy-defaults",)

    def test_new_bucket_is_object_writer_without_block(self):
        b = self.make_bucket()
        own = self.s3.get_bucket_ownership_controls(Bucket=b)
        self.assertEqual("ObjectWriter", own["OwnershipControls"]["Rules"][0]["ObjectOwnership"])
        with self.assertRaises(ClientError) as cm:
            self.s3.get_public_access_block(Bucket=b)
        self.assertEqual("NoSuchPublicAccessBlockConfiguration",
                         cm.exception.response["Error"]["Code"])
        self.s3.put_object(Bucket=b, Key="k", Body=b"x", ACL="public-read")
        b2 = uniq("leg")
        self.s3.create_bucket(Bucket=b2, ACL="public-read")
        # the environment twin, AWSEMU_S3_LEGACY_DEFAULTS: tests/unit/test_config.c


if __name__ == "__main__":
    unittest.main()
