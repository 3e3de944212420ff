"""The test matrix's totals, from pytest's JUnit XML reports: one line per run,
then one closing line for all of them ("N passed, N failed, N skipped")."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path


def main(paths: list[str]) -> int:
    passed = failed = skipped = 0
    for path in paths:
        suites = ElementTree.parse(path).getroot()
        for suite in suites.iter("testsuite"):
            tests, skip = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            print(f"[test] {Path(path).stem}: {tests - bad - skip} passed, {bad} failed, {skip} skipped")
            passed, failed, skipped = passed + tests - bad - skip, failed + bad, skipped + skip
    print(f"matrix: {passed} passed, {failed} failed, {skipped} skipped")
    if passed + failed == 0:  # a selection that matched nothing is not a passing run
        print("[test] no test ran", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
