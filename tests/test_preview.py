"""`letters preview`, driven in Debian's headless Chromium: edits show without a reload."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, ROOT, copy_of_project, interruptible

pytestmark = pytest.mark.slow
A11Y = Path(__file__).resolve().parent / "a11y"
LETTERS = str(Path(sys.executable).parent / "letters")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """Serve a preview of the default letter from a copy of the project."""
    copy_of_project(tmp_path)
    server = subprocess.Popen(
        [LETTERS, "preview", "--port", "0", f"data/{DEFAULT_LETTER.name}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    found = re.match(r"previewing data/\S+ at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)", line)
    assert found, line
    try:
        yield found.group(1), tmp_path, server
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=10)  # reads and closes its pipes


def test_a_saved_template_and_a_broken_file_show_in_the_open_page(
    served: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, project, _ = served
    node = shutil.which("node")
    if node is None or not Path("/usr/bin/chromium").exists():
        pytest.fail("the check needs Node.js and Chromium: run make test")
    result = subprocess.run(
        [
            node,
            str(A11Y / "preview-check.mjs"),
            url,
            str(project / "templates" / "letters" / "integrated-peel-2018.md.j2"),
            "quarterly scrutiny meetings",
            "monthly scrutiny meetings",
            str(project / "data" / DEFAULT_LETTER.name),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["pages"] == 3 and report["before"] is True and report["after"] is True
    position = next(
        f"{n}:{line.index('report:') + 1}"
        for n, line in enumerate(
            (ROOT / "data" / DEFAULT_LETTER.name).read_text(encoding="utf-8").splitlines(), 1
        )
        if line.startswith("report:")
    )
    row = int(position.split(":")[0]) + 1  # the broken line follows 'report:'
    assert report["error"] == (
        f"data/{DEFAULT_LETTER.name}:{row}:10: a [ opened here is never closed with ]; or put"
        " text holding [ or ] in quotes"
    )


def test_the_files_are_served_and_ctrl_c_stops_it(
    served: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, _, server = served
    with urllib.request.urlopen(url + "events", timeout=30) as events:
        state = json.loads(events.readline().decode().removeprefix("data: "))
    assert state["pages"] == 3 and state["error"] == ""
    with urllib.request.urlopen(url + "letter.pdf", timeout=10) as pdf:
        assert pdf.read(5) == b"%PDF-"
    with urllib.request.urlopen(url + "page/1.png", timeout=10) as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=10)
    assert server.returncode == 0 and "preview stopped" in out and "Traceback" not in err
