"""Run tests of today's tree against an earlier commit's code, to show what they catch there.

    .venv/bin/python scripts/before_and_after.py [--base COMMIT] [TEST_FILE ...]

By default the base is the commit before the work on issue 22 (1da2088) and the tests are
tests/test_hostile_*.py. The base's letters/, data/ and templates/ are checked out into a
temporary git worktree; today's tests (with today's conftest.py and test data) are copied
over it and run there with this virtual environment's Python, which imports the base's
letters package from the worktree. The table at the end gives each test's outcome on the
base and on today's tree: a test that passes on both shows no hole it closes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "1da2088"
#: pytest's -rA lines: 'PASSED tests/x.py::test_y[param]' (FAILED and ERROR end ' - why').
OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (tests/\S+)", re.M)


#: Run pytest importing letters from the working folder alone: an editable install's finder
#: would otherwise supply a module the base lacks from today's tree.
_ONLY_HERE = (
    "import sys; sys.path.insert(0, '.'); "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "import pytest; sys.exit(pytest.main(sys.argv[1:]))"
)


def outcomes(folder: Path, tests: list[str]) -> dict[str, str]:
    """Run the tests in a folder with this Python; return each test's outcome.

    The commands the tests start (the `letters` program in this virtual environment) import
    letters from the folder too: PYTHONPATH comes before the editable install.
    """
    done = subprocess.run(
        [sys.executable, "-c", _ONLY_HERE, "-q", "-rA", "-p", "no:cacheprovider", *tests],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    found = {name: outcome for outcome, name in OUTCOME.findall(done.stdout)}
    if not found:
        sys.stdout.write(done.stdout[-3000:] + done.stderr[-3000:])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the earlier commit (default {BASE})")
    parser.add_argument("tests", nargs="*", help="test files (default tests/test_hostile_*.py)")
    options = parser.parse_args()
    tests = options.tests or sorted(
        p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").glob("test_hostile_*.py")
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(base), options.base],
            check=True,
            timeout=120,
        )
        try:
            shutil.rmtree(base / "tests")
            shutil.copytree(
                ROOT / "tests", base / "tests", ignore=shutil.ignore_patterns("node_modules")
            )
            if (ROOT / "tests" / "a11y" / "node_modules").exists():
                (base / "tests" / "a11y" / "node_modules").symlink_to(
                    ROOT / "tests" / "a11y" / "node_modules"
                )
            shutil.copy(ROOT / "pyproject.toml", base / "pyproject.toml")  # pytest's settings
            before = outcomes(base, tests)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)],
                check=False,
                timeout=120,
            )
    after = outcomes(ROOT, tests)
    width = max((len(name) for name in after), default=10)
    print(f"{'test':<{width}}  {options.base[:10]:<8}  now")
    caught = 0
    for name in sorted(after):
        was = before.get(name, "ERROR")
        caught += was != "PASSED" and after[name] == "PASSED"
        print(f"{name:<{width}}  {was:<8}  {after[name]}")
    print(f"{caught} of {len(after)} tests fail on {options.base} and pass now")
    return 0 if all(outcome == "PASSED" for outcome in after.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
