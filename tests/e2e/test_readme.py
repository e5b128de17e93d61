"""The README as a newcomer follows it (issue 16): the rclone and s3cmd
snippets run exactly as written against a fresh awsemu (its port put in place
of 4566), `make run`'s knobs (PORT, DATA, ARGS; the environment honoured, the
command line winning), `make demo` installing no test-only tools, and no link
out of the repository. rclone's and s3cmd's settings are pinned by their
docs (rclone.org/s3 "Other" provider: force_path_style, region; s3cmd
--host-bucket without %(bucket)s for path style)."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import EXTERNAL_URL, REPO, ServerTestCase

README = os.path.join(REPO, "README.md")


def readme():
    with open(README) as f:
        return f.read()


def snippet(name):
    """The fenced block after <!-- snippet: NAME --> in the README."""
    m = re.search(r"<!-- snippet: %s -->\n```[a-z]*\n(.*?)```" % re.escape(name), readme(), re.S)
    if m is None:
        raise AssertionError("README has no snippet %r" % name)
    return m.group(1)


def make_dry_run(*args, env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWSEMU_")}
    e.pop("MAKEFLAGS", None)
    e.update(env or {})
    p = subprocess.run(["make", "-n", "--no-print-directory"] + list(args), cwd=REPO, env=e,
                       capture_output=True, text=True, timeout=120)
    return p.stdout + p.stderr


class ClientSnippetTests(ServerTestCase):
    """rclone and s3cmd, each skipped (with the reason) where not installed."""

    def run_snippet(self, tool, config_name, commands_name):
        if EXTERNAL_URL:
            raise unittest.SkipTest("the snippets name their port (AWSEMU_URL is set)")
        if not shutil.which(tool):
            raise unittest.SkipTest("%s is not installed" % tool)
        port = "127.0.0.1:%d" % self.server.port
        work = tempfile.mkdtemp(prefix="awsemu-readme-")
        self.addCleanup(shutil.rmtree, work, True)
        with open(os.path.join(work, config_name), "w") as f:
            f.write(snippet(config_name).replace("127.0.0.1:4566", port))
        body = os.urandom(100000)
        with open(os.path.join(work, "model.bin"), "wb") as f:
            f.write(body)
        # no user config of the tool applies, nor AWS_* settings (rclone fails
        # on AWS_CA_BUNDLE: see the README's troubleshooting)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["HOME"] = work
        outs = []
        for line in snippet(commands_name).strip().splitlines():
            self.assertIn(tool, line)
            p = subprocess.run(line.replace("127.0.0.1:4566", port), shell=True, cwd=work,
                               env=env, capture_output=True, timeout=120)
            self.assertEqual(0, p.returncode, "%s\n%s%s" % (line, p.stdout.decode(errors="replace"),
                                                          p.stderr.decode(errors="replace")))
            outs.append(p.stdout)
        return body, outs, work

    def test_rclone_snippet(self):
        body, outs, _ = self.run_snippet("rclone", "rclone.conf", "rclone commands")
        s3 = self.server.client("s3")
        self.assertEqual(body, s3.get_object(Bucket="models", Key="model.bin")["Body"].read())
        self.assertIn(b"model.bin", outs[2])
        self.assertEqual(body, outs[3])

    def test_s3cmd_snippet(self):
        body, outs, work = self.run_snippet("s3cmd", "awsemu.s3cfg", "s3cmd commands")
        s3 = self.server.client("s3")
        self.assertEqual(body, s3.get_object(Bucket="reports", Key="model.bin")["Body"].read())
        self.assertIn(b"s3://reports/model.bin", outs[2])
        with open(os.path.join(work, "copy.bin"), "rb") as f:
            self.assertEqual(body, f.read())


class MakeKnobTests(unittest.TestCase):
    def setUp(self):
        if not shutil.which("make"):
            raise unittest.SkipTest("make is not installed")

    def run_line(self, out):
        lines = [l for l in out.splitlines() if l.startswith("./bin/awsemu ")]
        self.assertEqual(1, len(lines), out)
        return lines[0].split()

    def test_make_run_defaults(self):
        self.assertEqual(["./bin/awsemu", "--host", "127.0.0.1", "--port", "4566",
                          "--data-dir", "./data"], self.run_line(make_dry_run("run")))

    def test_make_run_port_data_args(self):
        argv = self.run_line(make_dry_run("run", "PORT=5000", "DATA=/tmp/x y",
                                          "ARGS=--iam enforce --log-format json"))
        self.assertEqual(["./bin/awsemu", "--host", "127.0.0.1", "--port", "5000", "--data-dir",
                          "/tmp/x", "y", "--iam", "enforce", "--log-format", "json"], argv)

    def test_environment_is_honoured_and_the_command_line_wins(self):
        env = {"AWSEMU_PORT": "7000", "AWSEMU_DATA_DIR": "/tmp/d", "AWSEMU_HOST": "0.0.0.0"}
        self.assertEqual(["./bin/awsemu", "--host", "0.0.0.0", "--port", "7000",
                          "--data-dir", "/tmp/d"], self.run_line(make_dry_run("run", env=env)))
        self.assertIn("8000", self.run_line(make_dry_run("run", "PORT=8000", env=env)))

    def test_demo_installs_no_test_only_tools(self):
        out = make_dry_run("demo")
        self.assertIn("install-deps.sh --demo", out)
        self.assertNotIn("--test", out)
        with open(os.path.join(REPO, "scripts", "install-deps.sh")) as f:
            deps = f.read()
        demo_part = deps.split('if [ "$1" = "--test" ]', 1)[0]
        for tool in ("valgrind", "wrk", "awscli"):
            self.assertNotIn(tool, demo_part.split("set -e", 1)[1])

    def test_build_is_parallel_by_default(self):
        with open(os.path.join(REPO, "Makefile")) as f:
            mk = f.read()
        self.assertRegex(mk, r"MAKEFLAGS \+= -j\$\(JOBS\)")
        self.assertIn("JOBS    ?= $(shell nproc", mk)


class ReadmeTests(unittest.TestCase):
    def test_nothing_points_out_of_the_repository(self):
        text = readme()
        self.assertNotIn("../shared", text)
        for path in re.findall(r"`(examples/[\w./-]+)`", text):
            self.assertTrue(os.path.exists(os.path.join(REPO, path)), path)
        for name in ("ai_model_stack.py", "ai_model_stack.tf", "Pulumi.yaml", "README.md"):
            self.assertTrue(os.path.exists(os.path.join(REPO, "examples", name)), name)

    def test_endpoint_claim_names_versions_and_the_fallback(self):
        text = readme()
        self.assertNotIn("every current SDK and the CLI honour it", text)
        for want in ("1.29.0 / 2.13.0", "1.28.0", "--endpoint-url", "endpoint_url="):
            self.assertIn(want, text)


if __name__ == "__main__":
    unittest.main()
