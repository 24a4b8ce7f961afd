"""The same inputs give the same bytes in every format, even built a year later by the clock."""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from conftest import ROOT, run, started

LETTERS = sorted((ROOT / "data").glob("*.yaml"))


def _build(out: Path, *prefix: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    run(
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
        run(
            [faketime, "-f", "+365d", "date", "+%Y"], capture_output=True, text=True, check=True
        ).stdout.strip()
        != run(["date", "+%Y"], capture_output=True, text=True, check=True).stdout.strip()
    ), "faketime moved the clock"
    assert len(now) == 4 * len(LETTERS)
    assert sorted(now) == sorted(later)
    for name, data in now.items():
        assert later[name] == data, f"{name} differs a year later"


#: Write the fontconfig file many times over, as build workers starting together do (each
#: process writes it once: past its cache, `__wrapped__`, is each new process's first call).
_WRITER = """
import sys
from pathlib import Path
from letters.render.fonts import fontconfig_file
for _ in range(300):
    fontconfig_file.__wrapped__((Path(sys.argv[1]),))
"""


def test_workers_starting_together_never_give_fontconfig_half_a_file(tmp_path: Path) -> None:
    from letters.render.fonts import fontconfig_file

    fonts = ROOT / "templates" / "fonts"
    path = fontconfig_file.__wrapped__((fonts,))
    whole = path.read_text(encoding="utf-8")
    assert whole.endswith("</fontconfig>\n") and str(fonts) in whole
    path.write_text(whole[:40], encoding="utf-8")  # left half written
    assert fontconfig_file.__wrapped__((fonts,)).read_text(encoding="utf-8") == whole
    seen = set()
    with ExitStack() as stack:  # however it ends, no writer is left running
        writers = [
            stack.enter_context(started([sys.executable, "-c", _WRITER, str(fonts)], cwd=ROOT))
            for _ in range(2)
        ]
        while any(writer.poll() is None for writer in writers):
            seen.add(path.read_text(encoding="utf-8"))
    assert [writer.returncode for writer in writers] == [0, 0]
    assert seen == {whole}
