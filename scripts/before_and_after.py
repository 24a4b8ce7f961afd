"""Run tests of today's tree against an earlier commit's code, to show what they catch there.

    .venv/bin/python scripts/before_and_after.py [--base COMMIT] [--head COMMIT] [TEST ...]

By default the base is the commit before the work on issue 22 (1da2088) and the tests are
tests/test_hostile_*.py. The base's letters/, data/ and templates/ are checked out into a
temporary git worktree; today's tests (with today's conftest.py and test data) are copied
over it and run there with this virtual environment's Python, which imports the base's
letters package from the worktree. The table at the end gives each test's outcome on the
base and on today's tree: a test that passes on both shows no hole it closes. Tests that
import the code by a later layout (after the move into packages, 9a612dc) cannot run on an
earlier one: for issue 22's tests, give --head 59b098d, its last commit before the move.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from base_tree import LEAVE_OUT_EDITABLE, ROOT, checked_out, only_from

BASE = "1da2088"
#: pytest's -rA lines: 'PASSED tests/x.py::test_y[param]' (FAILED and ERROR end ' - why').
OUTCOME = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (tests/\S+)", re.M)


#: Run pytest importing letters from the working folder alone: an editable install's finder
#: would otherwise supply a module the base lacks from today's tree.
_ONLY_HERE = (
    LEAVE_OUT_EDITABLE
    + "sys.path.insert(0, '.'); import pytest; sys.exit(pytest.main(sys.argv[1:]))"
)


def outcomes(folder: Path, tests: list[str]) -> dict[str, str]:
    """Run the tests in a folder with this Python; return each test's outcome.

    The commands the tests start (the `letters` program in this virtual environment) import
    letters from the folder too: PYTHONPATH comes before the editable install.
    """
    done = subprocess.run(
        [sys.executable, "-c", _ONLY_HERE, "-q", "-rA", "-p", "no:cacheprovider", *tests],
        cwd=folder,
        env=only_from(folder),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    found = {name: outcome for outcome, name in OUTCOME.findall(done.stdout)}
    if not found:
        sys.stdout.write(done.stdout[-3000:] + done.stderr[-3000:])
    return found


def _share_node_modules(tree: Path) -> None:
    """Lend a checked-out tree this one's tests/a11y/node_modules, for the browser tests."""
    modules = ROOT / "tests" / "a11y" / "node_modules"
    if modules.exists() and not (tree / "tests" / "a11y" / "node_modules").exists():
        (tree / "tests" / "a11y" / "node_modules").symlink_to(modules)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help=f"the earlier commit (default {BASE})")
    parser.add_argument(
        "--head",
        help="take the tests and the 'now' code from this commit, not the working tree (for "
        "tests written before a later move of the code)",
    )
    parser.add_argument("tests", nargs="*", help="test files (default tests/test_hostile_*.py)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        now = ROOT
        if options.head:
            now = stack.enter_context(checked_out(options.head, Path(tmp) / "head"))
            _share_node_modules(now)
        tests = options.tests or sorted(
            p.relative_to(now).as_posix() for p in (now / "tests").glob("test_hostile_*.py")
        )
        with checked_out(options.base, Path(tmp) / "base") as base:
            shutil.rmtree(base / "tests")
            shutil.copytree(
                now / "tests", base / "tests", ignore=shutil.ignore_patterns("node_modules")
            )
            _share_node_modules(base)
            shutil.copy(now / "pyproject.toml", base / "pyproject.toml")  # pytest's settings
            before = outcomes(base, tests)
        after = outcomes(now, tests)
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
