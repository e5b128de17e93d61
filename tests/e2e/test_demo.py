"""`make demo` as a test: scripts/demo.py starts its own awsemu ($AWSEMU_BIN)
with --iam enforce and checks every step it shows (provision up, SSE-KMS
headers, the envelope, nothing at rest, key disable/enable, the
kms:GenerateDataKey finding and its fix, provision destroy)."""

import os
import subprocess
import sys
import unittest

from harness import EXTERNAL_URL, REPO, binary_path, server_env


class DemoTest(unittest.TestCase):
    def test_demo_passes_every_check(self):
        if EXTERNAL_URL:
            raise unittest.SkipTest("the demo starts its own awsemu (AWSEMU_URL is set)")
        env = server_env()
        env["AWSEMU_BIN"] = binary_path()
        p = subprocess.run([sys.executable, os.path.join(REPO, "scripts", "demo.py")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           cwd=REPO, timeout=300)
        out = p.stdout.decode("utf-8", "replace")
        self.assertEqual(0, p.returncode, out[-4000:])
        self.assertRegex(out, r"demo: all \d+ checks passed")
        self.assertNotIn("[FAIL]", out)
