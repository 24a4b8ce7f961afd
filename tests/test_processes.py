"""The tests' own helper for commands: however a test ends, nothing it started runs on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SLOWDOWN, run, started

#: Start a child in the group and one in a session of its own (as puppeteer starts Chromium),
#: print their pids, then wait for ever.
FAMILY = """
import subprocess, sys, time
inside = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
apart = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True
)
print(inside.pid, apart.pid, flush=True)
time.sleep(600)
"""


def _gone(pid: int) -> bool:
    """Tell whether a process has ended: no such process, or a zombie awaiting its reaper."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return True
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def test_a_failing_block_kills_the_command_and_all_it_started() -> None:
    with pytest.raises(AssertionError, match="the test failed"):
        with started([sys.executable, "-c", FAMILY], stdout=subprocess.PIPE, text=True) as family:
            assert family.stdout is not None
            pids = [int(pid) for pid in family.stdout.readline().split()]
            raise AssertionError("the test failed")
    assert family.returncode is not None, "reaped"
    assert family.stdout is not None and family.stdout.closed
    assert [_gone(pid) for pid in pids] == [True, True]


def test_a_command_past_its_limit_is_killed_and_the_test_fails() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"ran past \d+ s and was killed"):
        with started(
            [sys.executable, "-c", FAMILY], stdout=subprocess.PIPE, text=True, limit=1 / SLOWDOWN
        ) as family:
            assert family.stdout is not None
            pids = [int(pid) for pid in family.stdout.readline().split()]
            assert family.stdout.readline() == ""  # blocked until the limit kills it
    assert family.returncode is not None
    assert [_gone(pid) for pid in pids] == [True, True]


def test_run_kills_all_the_command_started_on_its_time_out(tmp_path: Path) -> None:
    printed = tmp_path / "pids"
    with pytest.raises(pytest.fail.Exception, match=r"ran past \d+ s and was killed"):
        with printed.open("w") as out:
            run([sys.executable, "-c", FAMILY], stdout=out, timeout=1 / SLOWDOWN)
    pids = [int(pid) for pid in printed.read_text().split()]
    assert len(pids) == 2 and [_gone(pid) for pid in pids] == [True, True]


def test_run_returns_as_subprocess_run_does() -> None:
    done = run([sys.executable, "-c", "print('out'); exit(3)"], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (3, "out\n", "")
    with pytest.raises(subprocess.CalledProcessError):
        run([sys.executable, "-c", "exit(3)"], check=True)
    assert run(["cat"], input="in", capture_output=True, text=True).stdout == "in"
