"""A build of one letter lays its PDFs out in a second process, started as the build starts.

With a core to spare (`--jobs` above 1), the PDFs are laid out beside the rest of the letter
and are the same files as those one process makes (`--jobs 1`); when that process fails, they
are laid out in the command's own, as before; and however the build ends, nothing it started
is left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import _children, patience, position, run, started, started_as_in_a_terminal

BILINGUAL = "data/examples/dyfed-powys-2025-peel-bilingual.yaml"

#: Runs `letters` with WeasyPrint's layout refused in one of its processes: in the command's
#: own ('beside': the PDFs must be laid out in the other) or in the other ('here': it fails,
#: and the command must lay them out itself).
REFUSING = """
import os, sys
import letters.render.pdf as pdf

command, real, refused = os.getpid(), pdf.render_pdfs, sys.argv[1]

def render_pdfs(*args, **kwargs):
    if (os.getpid() == command) == (refused == "beside"):
        raise RuntimeError("laid out in the process that may not")
    return real(*args, **kwargs)

pdf.render_pdfs = render_pdfs
from letters.cli import main
sys.argv = ["letters", *sys.argv[2:]]
main()
"""


def _build(
    root: Path, out: str, *args: str, refusing: str = ""
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "letters.cli"]
    if refusing:
        command = [sys.executable, "-c", REFUSING, refusing]
    return run(
        [*command, "build", BILINGUAL, "--force", "--out", out, *args],
        cwd=root,
        capture_output=True,
        text=True,
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.parametrize("refusing", ["beside", "here"])
def test_one_letter_s_pdfs_are_the_files_one_process_makes(scratch: Path, refusing: str) -> None:
    alone = _build(scratch, "alone", "--jobs", "1")
    assert alone.returncode == 0, alone.stderr
    both = _build(scratch, "both", "--jobs", "2", refusing=refusing)
    assert both.returncode == 0, both.stderr
    assert both.stderr == alone.stderr
    made = _files(scratch / "both")
    assert sorted(made) == [
        "dyfed-powys-2025-peel-bilingual.cy.pdf",
        "dyfed-powys-2025-peel-bilingual.cy.public.pdf",
        "dyfed-powys-2025-peel-bilingual.docx",
        "dyfed-powys-2025-peel-bilingual.en.pdf",
        "dyfed-powys-2025-peel-bilingual.en.public.pdf",
        "dyfed-powys-2025-peel-bilingual.html",
    ]
    assert made == _files(scratch / "alone")


def _group_ended(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_letter_that_fails_its_checks_leaves_no_process_running(scratch: Path) -> None:
    letter = scratch / BILINGUAL
    text = letter.read_text(encoding="utf-8")
    letter.write_text(text.replace("  date: 2025-03-10", "  date: 2025-13-10", 1), encoding="utf-8")
    command = [sys.executable, "-m", "letters.cli", "build", BILINGUAL, "--jobs", "2"]
    with started(command, cwd=scratch, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as build:
        _, err = build.communicate(timeout=patience(60))
        assert build.returncode == 1
        assert err.decode() == (
            f"{BILINGUAL}:{position(letter, '2025-13-10', after='date: ')}: letter.date: "
            "'2025-13-10' is not a date; expected a real date written YYYY-MM-DD, for example "
            "2020-03-30\n"
        )
        assert _group_ended(build.pid)
    assert not (scratch / "build").exists() or list((scratch / "build").iterdir()) == []


def test_ctrl_c_during_one_letter_leaves_whole_files_and_no_process(scratch: Path) -> None:
    command = [sys.executable, "-m", "letters.cli", "build", BILINGUAL, "--force", "--jobs", "2"]
    with started_as_in_a_terminal(command, scratch) as build:
        deadline = time.monotonic() + patience(30)
        while build.poll() is None and time.monotonic() < deadline:
            if _children().get(build.pid):  # its PDFs' process, or its templates' sandbox
                break
            time.sleep(0.01)
        assert build.poll() is None, "the build ended before its PDFs' process started"
        os.killpg(build.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to every process in it
        _, err = build.communicate(timeout=patience(30))
        assert "Traceback" not in err
        assert _group_ended(build.pid)
    out = scratch / "build"
    names = sorted(path.name for path in out.iterdir()) if out.exists() else []
    assert [name for name in names if name.startswith(".")] == []
    # stopped before it wrote: nothing of the letter. (Python ends by Ctrl-C's own signal,
    # not with status 1, when Ctrl-C came as it ran code written as text, as dataclasses do
    # when imported: it says so after "Aborted!" all the same.)
    if build.returncode in (1, -signal.SIGINT):
        assert err.splitlines()[-1] == "Aborted!"
        assert [name for name in names if name.startswith("dyfed")] == []
    else:  # it was writing as Ctrl-C came: it finished, and wrote every file
        assert build.returncode == 0
        assert len([name for name in names if name.startswith("dyfed")]) == 6


#: Runs `letters` with the DOCX refused: the build fails in the command's own process while
#: the process beside may still be laying out the PDFs it will not be asked for.
DOCX_REFUSED = """
import sys
import letters.render.docx as docx
from letters.source.errors import RenderError

def render_docx(*args, **kwargs):
    raise RenderError("the DOCX cannot be made")

docx.render_docx = render_docx
from letters.cli import main
sys.argv = ["letters", *sys.argv[1:]]
main()
"""


def test_a_letter_failing_as_its_pdfs_are_laid_out_beside_says_only_why(scratch: Path) -> None:
    said = []
    for jobs in ("1", "2"):
        command = [sys.executable, "-c", DOCX_REFUSED, "build", BILINGUAL, "--force"]
        with started(
            [*command, "--jobs", jobs, "--out", f"out{jobs}"],
            cwd=scratch,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as build:
            _, err = build.communicate(timeout=patience(60))
            assert build.returncode == 1
            assert _group_ended(build.pid)
        said.append(err)
    assert said[1] == said[0] == f"{BILINGUAL}: error: the DOCX cannot be made\n"


#: Runs `letters` where the system refuses multiprocessing a process (fork's EAGAIN, as under a
#: limit on processes): there is none to lay the PDFs out beside the rest.
FORK_REFUSED = """
import errno, sys
from multiprocessing import popen_fork

def refused(*args):
    raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

popen_fork.Popen._launch = refused
from letters.cli import main
sys.argv = ["letters", *sys.argv[1:]]
main()
"""


def test_a_process_the_system_refuses_leaves_the_pdfs_to_be_laid_out_here(scratch: Path) -> None:
    alone = _build(scratch, "alone", "--jobs", "1")
    assert alone.returncode == 0, alone.stderr
    command = [sys.executable, "-c", FORK_REFUSED, "build", BILINGUAL, "--force"]
    refused = run(
        [*command, "--jobs", "2", "--out", "refused"], cwd=scratch, capture_output=True, text=True
    )
    assert (refused.returncode, refused.stderr) == (0, alone.stderr)
    assert _files(scratch / "refused") == _files(scratch / "alone")
