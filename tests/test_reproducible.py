"""The same inputs give the same bytes in every format, even built a year later by the clock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

LETTERS = sorted((ROOT / "data").glob("*.yaml"))


def _build(out: Path, *prefix: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    subprocess.run(
        [
            *prefix,
            sys.executable,
            "-m",
            "letters.cli",
            "build",
            *map(str, LETTERS),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
    )
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_a_build_a_year_later_is_byte_identical(tmp_path: Path) -> None:
    faketime = shutil.which("faketime")
    if faketime is None:
        pytest.fail("libfaketime is needed: run scripts/system-deps.sh test")
    now = _build(tmp_path / "now")
    later = _build(tmp_path / "later", faketime, "-f", "+365d")
    assert (
        subprocess.run(
            [faketime, "-f", "+365d", "date", "+%Y"], capture_output=True, text=True, check=True
        ).stdout.strip()
        != subprocess.run(
            ["date", "+%Y"], capture_output=True, text=True, check=True
        ).stdout.strip()
    ), "faketime moved the clock"
    assert len(now) == 4 * len(LETTERS)
    assert sorted(now) == sorted(later)
    for name, data in now.items():
        assert later[name] == data, f"{name} differs a year later"
