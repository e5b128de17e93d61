"""The Dockerfile without a Docker engine: its build stage runs the same
commands as CI (scripts/install-deps.sh, make), scripts/runtime-packages.sh
finds the runtime stage's packages for the built binary, and the binary,
started with nothing but the image's environment, answers the image's
HEALTHCHECK command, also on a port given as a flag; with a Docker engine,
the image itself is built and run (skipped where none runs)."""

import json
import os
import re
import shutil
import subprocess
import sys
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
        self.assertRegex(text, r"(?m)^HEALTHCHECK .* CMD \[\"/usr/local/bin/awsemu\", \"--health-check=1\"\]$")

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

    def test_runtime_packages_cover_the_plugins(self):
        """The plugins (bin/awsemu-saml.so, bin/awsemu-qr.so) load libraries
        the binary does not: the runtime stage must install their packages
        too, and ship the plugins where base/plugin.c looks for them."""
        if not shutil.which("dpkg") or not shutil.which("ldd"):
            raise unittest.SkipTest("needs dpkg and ldd (Debian)")
        build, runtime = ([" ".join(l.split()) for l in st] for st in stages(dockerfile()))
        self.assertIn("RUN sh scripts/runtime-packages.sh bin/awsemu bin/awsemu-saml.so "
                      "bin/awsemu-qr.so > /src/runtime-packages", build)
        self.assertIn("COPY --from=build /src/bin/awsemu-saml.so /src/bin/awsemu-qr.so "
                      "/usr/local/lib/awsemu/", runtime)
        files = [binary_path(), binary_path() + "-saml.so", binary_path() + "-qr.so"]
        p = subprocess.run(["sh", os.path.join(REPO, "scripts", "runtime-packages.sh")] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(0, p.returncode, p.stderr.decode())
        pkgs = p.stdout.decode().split()
        for want in ("libssl3", "libxmlsec1-openssl", "libxml2", "libqrencode4", "libc6"):
            self.assertIn(want, pkgs)
        self.assertTrue(any(x.startswith("libpng") for x in pkgs), pkgs)
        alone = subprocess.run(["sh", os.path.join(REPO, "scripts", "runtime-packages.sh"),
                                binary_path()], capture_output=True).stdout.decode().split()
        self.assertNotIn("libxmlsec1-openssl", alone)  # the binary itself links none of it

    def healthcheck_argv(self, pid):
        """The image's HEALTHCHECK command for this machine: exec form, the
        image's binary replaced by the one built here, PID 1 by pid."""
        runtime = stages(dockerfile())[1]
        health = [l for l in runtime if l.startswith("HEALTHCHECK ")][0]
        argv = json.loads(health.split(" CMD ", 1)[1])
        self.assertEqual(["/usr/local/bin/awsemu", "--health-check=1"], argv)
        return [binary_path(), "--health-check=%d" % pid]

    def image_env(self, data):
        runtime = stages(dockerfile())[1]
        env_line = [l for l in runtime if l.startswith("ENV AWSEMU_HOST")][0]
        env = server_env()
        for kv in env_line.split()[1:]:
            k, v = kv.split("=", 1)
            env[k] = v
        env["AWSEMU_DATA_DIR"] = data  # not /data here
        return env

    def wait_health(self, argv, env, proc):
        deadline = time.monotonic() + 10
        while True:
            p = subprocess.run(argv, env=env, capture_output=True)
            if p.returncode == 0:
                return p
            self.assertIsNone(proc.poll(), "awsemu exited")
            self.assertLess(time.monotonic(), deadline, "HEALTHCHECK never passed: %s" % p.stderr)
            time.sleep(0.1)

    def test_binary_with_the_image_environment_passes_the_healthcheck(self):
        if EXTERNAL_URL:
            raise unittest.SkipTest("starts its own awsemu (AWSEMU_URL is set)")
        data = tempfile.mkdtemp(prefix="awsemu-docker-")
        self.addCleanup(shutil.rmtree, data, True)
        env = self.image_env(data)
        port = free_port()
        env["AWSEMU_PORT"] = str(port)  # not 4566: another awsemu may be there
        proc = subprocess.Popen([binary_path()], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            argv = self.healthcheck_argv(proc.pid)
            p = self.wait_health(argv, env, proc)
            self.assertEqual(b"awsemu on 127.0.0.1:%d: healthy\n" % port, p.stdout)
            self.assertTrue(os.path.exists(os.path.join(data, "master.key")))
            # listening on every address, as in the container
            with open("/proc/net/tcp") as f:
                self.assertIn("00000000:%04X" % port, f.read())
        finally:
            proc.terminate()
            self.assertEqual(0, proc.wait(10))
        p = subprocess.run([binary_path(), "--health-check"], env=env, capture_output=True)
        self.assertEqual(1, p.returncode, "the HEALTHCHECK must fail when nothing answers")
        self.assertEqual(b"awsemu: health check: nothing answers on 127.0.0.1:%d\n" % port, p.stderr)

    def test_healthcheck_follows_the_port_flag_given_to_docker_run(self):
        """`docker run ... awsemu --port P`: the flag reaches PID 1 only; the
        probe reads it from /proc/PID/cmdline (issue 16: with the image's
        AWSEMU_PORT alone it probed 4566 and called a healthy server
        unhealthy)."""
        if EXTERNAL_URL:
            raise unittest.SkipTest("starts its own awsemu (AWSEMU_URL is set)")
        data = tempfile.mkdtemp(prefix="awsemu-docker-")
        self.addCleanup(shutil.rmtree, data, True)
        env = self.image_env(data)
        env["AWSEMU_PORT"] = str(free_port())  # nothing listens there
        port = free_port()
        proc = subprocess.Popen([binary_path(), "--port", str(port), "--iam", "enforce"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        # an init (docker run --init) holding the server's command line
        init = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "--",
                                 "/usr/local/bin/awsemu", "--port=%d" % port])
        try:
            p = self.wait_health(self.healthcheck_argv(proc.pid), env, proc)
            self.assertEqual(b"awsemu on 127.0.0.1:%d: healthy\n" % port, p.stdout)
            p = subprocess.run(self.healthcheck_argv(init.pid), env=env, capture_output=True)
            self.assertEqual((0, b"awsemu on 127.0.0.1:%d: healthy\n" % port), (p.returncode, p.stdout))
            # the environment alone names the wrong port
            self.assertEqual(1, subprocess.run([binary_path(), "--health-check"], env=env,
                                               capture_output=True).returncode)
            # a process that is no awsemu
            p = subprocess.run([binary_path(), "--health-check=%d" % os.getpid()], env=env,
                               capture_output=True)
            self.assertEqual(1, p.returncode)
            self.assertIn(b"is not an awsemu", p.stderr)
            p = subprocess.run([binary_path(), "--health-check=x"], env=env, capture_output=True)
            self.assertEqual(2, p.returncode)
        finally:
            init.kill()
            init.wait(10)
            proc.terminate()
            self.assertEqual(0, proc.wait(10))


class DockerEngineTests(unittest.TestCase):
    """The image itself, where a Docker engine runs (none on our CI machines:
    skipped there with the reason)."""

    def test_image_is_healthy_on_a_port_given_as_flag(self):
        if not shutil.which("docker"):
            raise unittest.SkipTest("docker is not installed")
        if subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode != 0:
            raise unittest.SkipTest("no Docker engine answers (docker info failed)")
        tag = "awsemu-e2e:%d" % os.getpid()
        b = subprocess.run(["docker", "build", "-q", "-t", tag, REPO], capture_output=True,
                           timeout=1800)
        self.assertEqual(0, b.returncode, b.stderr.decode()[-2000:])
        self.addCleanup(subprocess.run, ["docker", "rmi", "-f", tag], capture_output=True)
        r = subprocess.run(["docker", "run", "-d", "--health-interval=1s", tag, "--port", "5000",
                            "--ephemeral"], capture_output=True, timeout=60)
        self.assertEqual(0, r.returncode, r.stderr.decode())
        cid = r.stdout.decode().strip()
        self.addCleanup(subprocess.run, ["docker", "rm", "-f", cid], capture_output=True)
        deadline = time.monotonic() + 60
        status = ""
        while time.monotonic() < deadline and status != "healthy":
            time.sleep(1)
            status = subprocess.run(["docker", "inspect", "-f", "{{.State.Health.Status}}", cid],
                                    capture_output=True).stdout.decode().strip()
        self.assertEqual("healthy", status)
