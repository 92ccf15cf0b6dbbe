"""Runs the mysqlgw Python client tests (stdlib unittest) and prints a final
line "N passed, M failed". Exit status 0 only when nothing failed.

Usage: python3 tests/runner.py [-v] [PATTERN...]
  PATTERN   test module globs (default test_*.py), e.g. test_values.py
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)


class _CountingResult(unittest.TextTestResult):
    """Counts successes directly: testsRun includes skipped tests but not
    module- or class-level setup errors, so it cannot be used to derive them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.successes = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.successes += 1


def main(argv):
    verbosity = 1
    patterns = []
    for arg in argv:
        if arg in ("-v", "--verbose"):
            verbosity = 2
        elif arg in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            patterns.append(arg)
    sys.path.insert(0, PACKAGE_ROOT)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for pattern in patterns or ["test_*.py"]:
        suite.addTests(loader.discover(HERE, pattern=pattern, top_level_dir=HERE))
    runner = unittest.TextTestRunner(verbosity=verbosity, stream=sys.stderr,
                                     resultclass=_CountingResult)
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    # Expected failures count as passed: the test asserted what it meant to.
    passed = result.successes + len(result.expectedFailures)
    if result.testsRun == 0:
        failed += 1  # nothing ran: a broken discovery must not look green
        print("no tests ran", file=sys.stderr)
    sys.stdout.flush()
    print(f"{passed} passed, {failed} failed" + (f" ({skipped} skipped)" if skipped else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
