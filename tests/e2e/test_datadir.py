"""One awsemu per data directory (issue 16 item 5): a second awsemu on a
directory in use is refused with a message naming the holder's pid and the
way out, instead of SQLite's bare "database is locked"; the lock goes with
the process, even a killed one; an unwritable or non-directory data dir is
said so plainly. (awsemu behaviour, not AWS's: nothing to pin to AWS.)"""

import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from harness import EXTERNAL_URL, Server, binary_path, free_port, server_env

HINT = "pick another --data-dir or use --ephemeral"


def run_awsemu(*args, user=None, timeout=10):
    """Starts awsemu expecting it to refuse; returns (exit status, stderr)."""
    cmd = [binary_path(), "--port", str(free_port())] + list(args)
    if user is not None:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + cmd
    p = subprocess.run(cmd, env=server_env(), stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stderr.decode("utf-8", "replace")


class DataDirTests(unittest.TestCase):
    def setUp(self):
        if EXTERNAL_URL:
            raise unittest.SkipTest("starts its own awsemu (AWSEMU_URL is set)")
        self.tmp = tempfile.mkdtemp(prefix="awsemu-datadir-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.data = os.path.join(self.tmp, "data")

    def start(self):
        srv = Server(["--data-dir", self.data], check_exit=False)
        srv.start()
        self.addCleanup(srv.cleanup)
        return srv

    def test_second_awsemu_on_a_dir_in_use_names_the_first(self):
        first = self.start()
        with open(os.path.join(self.data, "awsemu.lock")) as f:
            self.assertEqual(str(first.proc.pid), f.read().strip())
        rc, err = run_awsemu("--data-dir", self.data)
        self.assertEqual(1, rc)
        self.assertEqual("awsemu: %s is in use by another awsemu (pid %d): %s\n"
                         % (self.data, first.proc.pid, HINT), err)
        self.assertNotIn("database is locked", err)
        # the first is untouched by the attempt
        self.assertEqual(200, first.http("GET", "/_awsemu/health")[0])
        # --ephemeral is the way out named: it needs no data dir
        other = Server(["--ephemeral"])
        other.start()
        other.cleanup()

    def test_lock_goes_with_the_process_even_when_killed(self):
        first = self.start()
        kms = first.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(10)
        # the lock file stays, naming a dead pid, but it is no longer locked
        self.assertTrue(os.path.exists(os.path.join(self.data, "awsemu.lock")))
        second = self.start()
        self.assertEqual(key, second.client("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyId"])
        with open(os.path.join(self.data, "awsemu.lock")) as f:
            self.assertEqual(str(second.proc.pid), f.read().strip())

    def test_a_file_where_the_data_dir_should_be(self):
        with open(self.data, "w") as f:
            f.write("not a directory")
        rc, err = run_awsemu("--data-dir", self.data)
        self.assertEqual((1, "awsemu: %s is not a directory: %s\n" % (self.data, HINT)), (rc, err))

    def test_read_only_data_dir(self):
        """chmod does not stop root, so as root the check runs as nobody
        (setpriv); where neither works the assertion is skipped."""
        os.chmod(self.tmp, 0o755)  # nobody must reach it
        os.mkdir(self.data, 0o755)
        os.chmod(self.data, 0o555)
        self.addCleanup(os.chmod, self.data, 0o755)
        user = None
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                raise unittest.SkipTest("root ignores chmod and setpriv is missing")
            user = 65534  # nobody: needs to reach the binary
            if subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               binary_path(), "--version"], capture_output=True).returncode != 0:
                raise unittest.SkipTest("nobody cannot run %s" % binary_path())
        rc, err = run_awsemu("--data-dir", self.data, user=user)
        self.assertEqual(1, rc, err)
        self.assertEqual("awsemu: %s is not writable (Permission denied): awsemu keeps its "
                         "store there; make it writable, %s\n" % (self.data, HINT), err)
        self.assertEqual([], os.listdir(self.data))

    def test_unmakeable_data_dir(self):
        path = os.path.join(self.tmp, "no", "such")
        rc, err = run_awsemu("--data-dir", path)
        self.assertEqual((1, "awsemu: cannot create %s (No such file or directory): %s\n"
                          % (path, HINT)), (rc, err))


if __name__ == "__main__":
    unittest.main()
