#!/usr/bin/env python3
"""Runs the awsemu e2e tests (stdlib unittest).

usage: python3 tests/e2e/run.py [-q] [--exclude=GLOB ...] [PATTERN|MODULE|MODULE.Class[.test] ...]

  PATTERN   a file glob such as test_kms* (".py" is added when missing)
  MODULE    test_core, tests/e2e/test_core.py
  dotted    test_kms.EncryptDecryptTests.test_round_trip
  --exclude=GLOB  leave out modules whose file name matches GLOB
                  (e.g. --exclude='test_adversarial_*')

Environment: AWSEMU_BIN (default bin/awsemu), AWSEMU_URL (use an already
running endpoint instead of starting servers).

The last line printed is `e2e: P passed, F failed, S skipped` (F counts
failures and errors); the exit status is 1 when F > 0.
"""

import fnmatch
import os
import resource
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)


def _malloc_gives_back():
    """glibc raises its mmap threshold to the size of every large block
    freed (up to 32 MiB), so after the first multi-MiB body every later one
    comes from the heap and the heap only grows: fixed thresholds keep
    large bodies in mmap, returned to the system when freed."""
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 256 << 10)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 20)    # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


class CountingResult(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def _without(suite, excludes):
    """suite minus the tests of modules matching any of excludes."""
    out = unittest.TestSuite()
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            out.addTests(_without(t, excludes))
            continue
        mod = type(t).__module__.rsplit(".", 1)[-1] + ".py"
        if not any(fnmatch.fnmatch(mod, e if e.endswith(".py") else e + ".py") for e in excludes):
            out.addTest(t)
    return out


def build_suite(args, excludes=()):
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    if not args:
        args = ["test_*.py"]
    for arg in args:
        name = os.path.basename(arg)
        if name.endswith(".py") or "*" in name or "?" in name:
            pattern = name if name.endswith(".py") else name + ".py"
            found = loader.discover(HERE, pattern=pattern, top_level_dir=HERE)
            suite.addTests(_without(found, excludes) if excludes else found)
        elif "." in name:
            suite.addTests(loader.loadTestsFromName(name))
        else:
            suite.addTests(loader.discover(HERE, pattern=name + ".py", top_level_dir=HERE))
    return suite


def main(argv):
    verbosity = 2
    args = []
    excludes = []
    for a in argv:
        if a.startswith("--exclude="):
            excludes.append(a.split("=", 1)[1])
        elif a in ("-q", "--quiet"):
            verbosity = 1
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    _malloc_gives_back()
    suite = build_suite(args, excludes)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=verbosity,
                                     resultclass=CountingResult)
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    none = result.testsRun == 0 and failed == 0
    if none:
        print("no tests matched %s" % (args or "test_*.py"))
    sys.stderr.flush()
    # the runner's own peak (the suite once reached 4.4 GB holding clients)
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("e2e: the runner's peak RSS: %d MiB" % (kib // 1024))
    print("e2e: %d passed, %d failed, %d skipped" % (result.passed, failed, skipped))
    sys.stdout.flush()
    return 1 if failed > 0 or none else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
