"""`letters new`: a skeleton of a report kind's letter, or a copy of a previous letter."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from letters.cli import main

EXAMPLE = "data/examples/durham-2023-peel.yaml"


def _run(scratch: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_skeleton_fails_check_once_for_each_blank(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = _run(
        scratch, monkeypatch, "new", "kent-2025", "--kind", "peel-2023", "--office",
        "offices/durham-pcvc.yaml",
    )  # fmt: skip
    assert status == 0 and out.startswith("wrote data/kent-2025.yaml")
    text = (scratch / "data" / "kent-2025.yaml").read_text(encoding="utf-8")
    blanks = text.count(': ""')
    assert '  grades:\n    recording data about crime: ""\n' in text
    status, out, err = _run(scratch, monkeypatch, "check", "data/kent-2025.yaml")
    assert status == 1
    assert out == f"data/kent-2025.yaml: fails: {blanks} errors\n"
    assert len(err.splitlines()) == blanks == 16


def test_a_letter_started_from_another_keeps_its_people_not_its_report(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, _ = _run(scratch, monkeypatch, "new", "durham-2025", "--from", EXAMPLE)
    assert status == 0
    new = yaml.safe_load((scratch / "data" / "durham-2025.yaml").read_text(encoding="utf-8"))
    old = yaml.safe_load((scratch / EXAMPLE).read_text(encoding="utf-8"))
    assert new["office"] == "offices/durham-pcvc.yaml"  # the same file, seen from data/
    assert new["recipient"] == old["recipient"] and new["force"] == old["force"]
    assert new["paragraphs"] == old["paragraphs"]
    assert new["status"] == {"state": "draft"}
    assert new["report"] == {
        "inspectorate": "HMICFRS", "title": "", "kind": "peel-2023", "published": "",
        "findings": [],
    }  # fmt: skip
    assert new["letter"] == {"date": ""}
    assert "notes" not in new and "chief_officer_comments" not in new
    status, out, _ = _run(scratch, monkeypatch, "check", "data/durham-2025.yaml")
    assert status == 1 and out == "data/durham-2025.yaml: fails: 3 errors\n"


def test_new_never_replaces_a_file(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (scratch / "data" / "lancashire-2020-peel.yaml").read_bytes()
    status, _, err = _run(scratch, monkeypatch, "new", "lancashire-2020-peel", "--from", EXAMPLE)
    assert status == 1
    assert err == (
        "data/lancashire-2020-peel.yaml: a file of this name exists; choose another name\n"
    )
    assert (scratch / "data" / "lancashire-2020-peel.yaml").read_bytes() == before


def test_an_unknown_kind_lists_the_kinds(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    status, _, err = _run(
        scratch, monkeypatch, "new", "x", "--kind", "peel2023", "--office", "offices/x.yaml"
    )
    assert status == 2
    assert (
        "Invalid value for --kind: choose one of annual-assessment, force-inspection,"
        " hmic-thematic, integrated-peel-2018, joint, peel-2014, peel-2021, peel-2023, peel-2025,"
        " spotlight, thematic (did you mean 'peel-2023'?)"
    ) in " ".join(err.split())
