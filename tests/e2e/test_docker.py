"""The Dockerfile without a Docker engine: its build stage runs the same
commands as CI (scripts/install-deps.sh, make), scripts/runtime-packages.sh
finds the runtime stage's packages for the built binary, and the binary,
started with nothing but the image's environment, answers the image's
HEALTHCHECK command."""

import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import EXTERNAL_URL, REPO, binary_path, free_port, server_env


def dockerfile():
    with open(os.path.join(REPO, "Dockerfile")) as f:
        text = f.read()
    return re.sub(r"\\\n\s*", " ", text)  # join continuation lines


def stages(text):
    """[[instruction lines of stage 1], ...]"""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            out.append([])
        out[-1].append(line)
    return out


class DockerfileTests(unittest.TestCase):
    def test_build_stage_runs_what_ci_runs(self):
        build, runtime = stages(dockerfile())
        self.assertRegex(build[0], r"^FROM debian:\S+-slim AS build$")
        self.assertRegex(runtime[0], r"^FROM debian:\S+-slim$")
        runs = [l[4:] for l in build if l.startswith("RUN ")]
        self.assertIn("sh scripts/install-deps.sh", runs)
        self.assertTrue(any(re.match(r"make( -j\S+)? all$", r) for r in runs), runs)
        with open(os.path.join(REPO, "Makefile")) as f:
            mk = f.read()
        self.assertIn("@sh scripts/install-deps.sh\n", mk)  # make deps: the same script
        self.assertIn("scripts/install-deps.sh --test", mk)  # make test (CI): plus test tools

    def test_runtime_stage_is_non_root_on_0000_4566_with_data_volume_and_healthcheck(self):
        runtime = stages(dockerfile())[1]
        text = "\n".join(runtime)
        self.assertRegex(text, r"(?m)^USER awsemu$")
        self.assertRegex(text, r"(?m)^VOLUME \[\"/data\"\]$")
        self.assertRegex(text, r"(?m)^EXPOSE 4566$")
        self.assertIn("AWSEMU_HOST=0.0.0.0", text)
        self.assertIn("AWSEMU_PORT=4566", text)
        self.assertIn("AWSEMU_DATA_DIR=/data", text)
        self.assertRegex(text, r"(?m)^HEALTHCHECK .* CMD .*/_awsemu/health")

    def test_runtime_packages_of_the_built_binary(self):
        if not shutil.which("dpkg") or not shutil.which("ldd"):
            raise unittest.SkipTest("needs dpkg and ldd (Debian)")
        p = subprocess.run(["sh", os.path.join(REPO, "scripts", "runtime-packages.sh"),
                            binary_path()], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(0, p.returncode, p.stderr.decode())
        pkgs = p.stdout.decode().split()
        for want in ("libssl3", "libsqlite3-0", "libexpat1", "libcjson1", "libc6"):
            self.assertIn(want, pkgs)
        self.assertTrue(any(x.startswith("libevent") for x in pkgs), pkgs)

    def test_binary_with_the_image_environment_passes_the_healthcheck(self):
        if EXTERNAL_URL:
            raise unittest.SkipTest("starts its own awsemu (AWSEMU_URL is set)")
        if not shutil.which("curl"):
            raise unittest.SkipTest("needs curl, as the image's HEALTHCHECK does")
        runtime = stages(dockerfile())[1]
        health = [l for l in runtime if l.startswith("HEALTHCHECK ")][0]
        cmd = health.split(" CMD ", 1)[1]
        env_line = [l for l in runtime if l.startswith("ENV AWSEMU_HOST")][0]
        data = tempfile.mkdtemp(prefix="awsemu-docker-")
        self.addCleanup(shutil.rmtree, data, True)
        env = server_env()
        for kv in env_line.split()[1:]:
            k, v = kv.split("=", 1)
            env[k] = v
        port = free_port()
        env.update(AWSEMU_PORT=str(port), AWSEMU_DATA_DIR=data)  # not 4566, not /data here
        proc = subprocess.Popen([binary_path()], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                rc = subprocess.run(["sh", "-c", cmd], env=env, stderr=subprocess.DEVNULL).returncode
                if rc == 0:
                    break
                self.assertIsNone(proc.poll(), "awsemu exited")
                self.assertLess(time.monotonic(), deadline, "HEALTHCHECK never passed")
                time.sleep(0.1)
            self.assertTrue(os.path.exists(os.path.join(data, "master.key")))
            # listening on every address, as in the container
            with open("/proc/net/tcp") as f:
                self.assertIn("00000000:%04X" % port, f.read())
        finally:
            proc.terminate()
            self.assertEqual(0, proc.wait(10))
        env["AWSEMU_PORT"] = str(free_port())
        self.assertNotEqual(0, subprocess.run(["sh", "-c", cmd], env=env,
                                            stderr=subprocess.DEVNULL).returncode,
                            "the HEALTHCHECK must fail when nothing answers")
