"""`letters preview`, driven in Debian's headless Chromium: edits show without a reload."""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from conftest import (
    DEFAULT_LETTER,
    ROOT,
    copy_of_project,
    normalise,
    patience,
    run,
    started_as_in_a_terminal,
)

pytestmark = pytest.mark.slow
A11Y = Path(__file__).resolve().parent / "a11y"
LETTERS = str(Path(sys.executable).parent / "letters")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """Serve a preview of the default letter from a copy of the project."""
    copy_of_project(tmp_path)
    with started_as_in_a_terminal(
        [LETTERS, "preview", "--port", "0", f"data/{DEFAULT_LETTER.name}"], tmp_path
    ) as server:  # however the test ends, the server and all it started are stopped
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.match(
            r"previewing data/\S+ at (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)", line
        )
        assert found, line
        yield found.group(1), tmp_path, server


def test_a_saved_template_and_a_broken_file_show_in_the_open_page(
    served: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    url, project, _ = served
    node = shutil.which("node")
    if node is None or not Path("/usr/bin/chromium").exists():
        pytest.fail("the check needs Node.js and Chromium: run make test")
    result = run(
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
    # only the page that shows the new words was fetched again
    with urllib.request.urlopen(url + "letter.pdf", timeout=patience(10)) as pdf:
        pages = pypdf.PdfReader(io.BytesIO(pdf.read())).pages
    shown = [
        n for n, page in enumerate(pages, 1) if "monthly scrutiny" in normalise(page.extract_text())
    ]
    assert report["redrawn"] == shown and len(shown) == 1
    assert report["warnings"] == (
        f"data/{DEFAULT_LETTER.name}: warning: no house font (templates/fonts) has U+0627 "
        "ARABIC LETTER ALEF; the PDF would show a blank box for each: add a font that has them "
        "to the house style, or write the text another way"
    )
    assert re.fullmatch(r"built in \d+\.\d\d s \(version \d+\), 1 warning", report["warned_state"])
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
    with urllib.request.urlopen(url + "events", timeout=patience(30)) as events:
        state = json.loads(events.readline().decode().removeprefix("data: "))
    assert state["pages"] == 3 and state["error"] == ""
    with urllib.request.urlopen(url + "letter.pdf", timeout=patience(10)) as pdf:
        assert pdf.read(5) == b"%PDF-"
    with urllib.request.urlopen(url + "page/1.png", timeout=patience(10)) as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    server.send_signal(signal.SIGINT)
    out, err = server.communicate(timeout=patience(10))
    assert server.returncode == 0 and "preview stopped" in out and "Traceback" not in err


#: Run in a fresh interpreter: rebuild the preview again and again, as saves would, printing
#: the resident memory after the 15th and the 45th rebuild.
REBUILDS = """
import sys
from pathlib import Path
from letters.office.preview import Preview
from letters.build.project import Project

def resident():
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) // 1024

root = Path(sys.argv[1])
preview = Preview(root / "data" / sys.argv[2], Project(root))
seen = []
for rebuild in range(1, 46):
    preview.rebuild()
    assert not preview.snapshot.error, preview.snapshot.error
    if rebuild in (15, 45):
        seen.append(resident())
print(seen[0], seen[1])
"""


def test_rebuilding_again_and_again_does_not_grow_the_preview(tmp_path: Path) -> None:
    # each rebuild loads the project afresh; a new font configuration each time kept 0.2 MB
    copy_of_project(tmp_path)
    done = run(
        [sys.executable, "-c", REBUILDS, str(tmp_path), DEFAULT_LETTER.name],
        capture_output=True,
        text=True,
        check=True,
    )
    first, last = map(int, done.stdout.split())
    assert last - first < 4, f"{first} MB after 15 rebuilds, {last} MB after 45"


def test_a_saved_reference_list_or_font_shows_in_the_next_build_of_a_running_process(
    tmp_path: Path,
) -> None:
    # the live preview runs on, loading the project afresh for each rebuild
    from letters.build.build import build_letter
    from letters.build.project import Project

    copy_of_project(tmp_path)
    letter = tmp_path / "data" / "examples" / "dyfed-powys-2025-peel-bilingual.yaml"

    def html() -> str:
        built = build_letter(letter, tmp_path / "out", ("html",), Project(tmp_path))
        return built.paths[0].read_text(encoding="utf-8")

    before = html()
    frameworks = tmp_path / "data" / "reference" / "frameworks.yaml"
    frameworks.write_text(
        frameworks.read_text(encoding="utf-8").replace("      good: da\n", "      good: da iawn\n"),
        encoding="utf-8",
    )
    after = html()
    assert "da iawn" in after and "da iawn" not in before
    fonts = tmp_path / "templates" / "fonts"
    shutil.copyfile(fonts / "LiberationSans-Regular.ttf", fonts / "LiberationSans-Bold.ttf")
    logo = re.compile(r'<img src="data:image/svg\+xml;base64,([^"]+)"')
    drawn = logo.search(html())
    assert drawn and drawn.group(1) != logo.search(after).group(1)  # type: ignore[union-attr]
