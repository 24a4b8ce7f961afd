"""The benchmark's own workings (scripts/bench*.py): what it runs and how it reads it.

These time nothing: the benchmark measures; here it is checked that it runs the code it says
it runs, reads `python -X importtime` and the preview's event stream as they are written, and
names the stages it times.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import ROOT, run

SCRIPTS = ROOT / "scripts"


def _script(name: str) -> ModuleType:
    """Import one of scripts/'s modules (they import each other by their bare names)."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(SCRIPTS))


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       102 |        102 |   _io
import time:      1500 |       1500 |     encodings.utf_8
import time:      2000 |       3000 |   yaml.reader
import time:       250 |        250 |     _yaml
import time:      4000 |       7250 | yaml
import time:     12000 |      12000 |       weasyprint.text.fonts
import time:      3000 |      15000 |     weasyprint
import time:       700 |        700 | __editable___letters_0_1_0_finder
import time:      9000 |      27000 | letters.cli
Traceback or anything else the command said
"""


def test_import_times_are_summed_by_top_level_package() -> None:
    times = _script("bench_profile").import_times(IMPORTTIME)
    assert times == {
        "(standard library)": (1.602, 2),
        "yaml": (6.25, 3),
        "weasyprint": (15.0, 2),
        "(editable install's finder)": (0.7, 1),
        "letters": (9.0, 1),
    }


def test_a_letter_is_made_a_draft() -> None:
    text = "letter:\n  date: 2020-03-30\nstatus:\n  state: sent\n  sent_on: 2020-03-30\nnotes: x\n"
    assert _script("bench_sides").as_draft(text) == (
        "letter:\n  date: 2020-03-30\nstatus:\n  state: draft\nnotes: x\n"
    )


def test_the_sides_take_turns_neither_always_first() -> None:
    sides = ["BASE", "now"]
    turns = list(_script("bench_against").in_turns(sides, 4))
    assert turns == ["BASE", "now", "now", "BASE", "BASE", "now", "now", "BASE"]


def _fake_tree(root: Path) -> Path:
    """Write a tree whose letters package has the modules a side imports to check itself."""
    for module in ("__init__", "cli/__init__", "build/__init__", "build/build"):
        (root / "letters" / f"{module}.py").parent.mkdir(parents=True, exist_ok=True)
        (root / "letters" / f"{module}.py").write_text("", encoding="utf-8")
    return root


def test_a_side_runs_its_own_trees_letters(tmp_path: Path) -> None:
    sides = _script("bench_sides")
    tree = _fake_tree(tmp_path / "tree")
    (tmp_path / "project").mkdir()
    side = sides.Side("BASE (fake)", tree, tmp_path / "project")
    assert side.resolves() == (tree / "letters" / "build" / "build.py").resolve()


def test_a_side_whose_tree_lacks_letters_is_refused(tmp_path: Path) -> None:
    # without PYTHONPATH's tree, this virtual environment's editable install finds letters
    sides = _script("bench_sides")
    (tmp_path / "tree").mkdir()
    (tmp_path / "project").mkdir()
    side = sides.Side("BASE (empty)", tmp_path / "tree", tmp_path / "project")
    with pytest.raises(SystemExit) as refused:
        side.resolves()
    message = str(refused.value)
    assert message.startswith("BASE (empty): `import letters` finds ")
    assert message.endswith(f", not {tmp_path / 'tree' / 'letters'}")


def test_the_base_side_is_the_commits_tree_unpacked(tmp_path: Path) -> None:
    sides = _script("bench_sides")
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    side = sides.base_side("HEAD", tmp_path)
    assert side.label == f"BASE ({head})"
    assert side.resolves() == (tmp_path / "base-tree/letters/build/build.py").resolve()
    assert sorted(p.name for p in (tmp_path / "base-tree").iterdir()) == [
        "data",
        "letters",
        "templates",
    ]
    assert sorted(p.name for p in side.project.iterdir()) == ["data", "templates"]


def test_the_stage_timer_runs_the_command_and_names_its_stages(tmp_path: Path) -> None:
    sides = _script("bench_sides")
    project = sides.make_project(tmp_path / "project")
    (letter,) = sides.distinct_letters(project, 1, "one")
    out = tmp_path / "stages.json"
    done = run(
        [sys.executable, SCRIPTS / "bench_stages.py", "--stages", out, sides.LETTERS]
        + ["findings", letter.relative_to(project)],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("number,kind,area,theme,cause,addressed_to,text,")
    assert "problem-solving activity (copy 1)." in done.stdout
    timed = json.loads(out.read_text(encoding="utf-8"))
    assert timed["calls"]["load and validate the data"] == 1
    assert timed["calls"]["import modules"] > 0
    assert "PDF: write (WeasyPrint)" not in timed["calls"]
    assert sum(timed["stages"].values()) <= timed["command"]


def test_the_stage_timer_passes_on_the_commands_exit_status(tmp_path: Path) -> None:
    sides = _script("bench_sides")
    project = sides.make_project(tmp_path / "project")
    command: list[str | Path] = [sys.executable, SCRIPTS / "bench_stages.py", "--stages"]
    command += [tmp_path / "stages.json", sides.LETTERS, "findings", "data/missing.yaml"]
    done = run(
        command,
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "data/missing.yaml" in done.stderr


@pytest.mark.slow
def test_the_preview_client_times_an_edit_the_page_is_told_of(tmp_path: Path) -> None:
    sides = _script("bench_sides")
    against = _script("bench_against")
    side = sides.Side("now", ROOT, sides.make_project(tmp_path / "project"))
    preview = against.Preview(side, tmp_path / "preview.log")
    try:
        # the edit is checked to show in the letter's HTML before it returns
        told, fetched, cpu = preview.edit(3)
        assert 0 < told <= fetched
        assert cpu > 0
        assert "(edit 3)." in preview.letter.read_text(encoding="utf-8")
    finally:
        preview.close()


@pytest.mark.slow
def test_the_profile_names_the_stages_packages_and_functions() -> None:
    done = run(
        [sys.executable, SCRIPTS / "bench.py", "--profile", "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for heading in (
        "== one letter cold, DOCX and PDF: letters build LETTER --format docx,pdf --force",
        "== letters check LETTER",
        "== letters due LETTER --today 2020-03-01",
        "== letters findings LETTER",
    ):
        assert heading in out
    build = out.split("== ")[1]
    for line in (
        "  import modules (",
        "  PDF: style and lay out (WeasyPrint) (1)",
        "  weasyprint (",
    ):
        assert line in build
    assert "  letters.cli:build (line " in build
