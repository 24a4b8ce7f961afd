"""Approval that holds: `letters approve` snapshots the inputs; a changed letter is held."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, edit_yaml, run_in

LETTER = f"data/{DEFAULT_LETTER.name}"
APPROVAL = "approvals/letters/data/lancashire-2020-peel/1.json"


@pytest.fixture
def approved(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Build the default letter (a draft in the copy) once, then approve it as version 1."""
    shutil.rmtree(scratch / "approvals")
    assert run_in(scratch, monkeypatch, "build", LETTER, "--format", "html")[0] == 0
    status, out, _ = run_in(
        scratch, monkeypatch, "approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-30"
    )
    assert status == 0
    assert out.splitlines() == [
        "removed the draft build/lancashire-2020-peel.html",
        f"approved {LETTER}; its snapshot is recorded in {APPROVAL}",
    ]
    return scratch


def test_approval_records_who_when_and_every_input(approved: Path) -> None:
    text = (approved / LETTER).read_text(encoding="utf-8")
    assert text.endswith(
        "status:\n  state: approved\n  approved_by: Clive Grunshaw\n  approved_on: 2020-03-30\n"
        "  version: 1\n"
    )
    record = json.loads((approved / APPROVAL).read_text(encoding="utf-8"))
    assert record["approved_by"] == "Clive Grunshaw" and record["approved_on"] == "2020-03-30"
    assert (record["version"], record["how"], record["supersedes"]) == (1, "approved", 0)
    assert {LETTER, "data/offices/lancashire-pcc.yaml", "templates/house-style.yaml"} <= set(
        record["inputs"]
    )
    assert "templates/README.md" not in record["inputs"]


def test_an_approved_letter_builds_until_its_data_changes(
    approved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_in(approved, monkeypatch, "build", LETTER, "--format", "html")[0] == 0
    template = approved / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(template, "As you would expect", "As you would surely expect")
    status, _, err = run_in(
        approved, monkeypatch, "build", LETTER, "--format", "html", "--out", "t"
    )
    assert (status, err) == (
        0,
        f"{LETTER}: note: built as approved (version 1); templates/letters/integrated-peel-2018"
        ".md.j2 changed since, which it does not take: `letters diff --all` shows what that "
        "would change if it were reopened\n",
    )
    assert "As you would surely expect" not in (
        approved / "t" / "lancashire-2020-peel.html"
    ).read_text(encoding="utf-8")
    edit_yaml(approved / LETTER, "I am pleased that", "I am very pleased that")
    status, _, err = run_in(
        approved, monkeypatch, "build", LETTER, "--format", "html", "--out", "o"
    )
    assert status == 1 and not (approved / "o").exists()
    assert err == (
        f"{LETTER}: error: held: the letter is approved, but its data changed since version 1"
        " was approved (paragraphs.body[0]); undo the change, or reopen the letter for a new"
        " version (letters reopen --why ...)\n"
    )


def test_a_build_of_many_letters_holds_a_changed_one_and_exits_0(
    approved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(approved / LETTER, "I am pleased that", "I am very pleased that")
    other = "data/examples/durham-2023-peel.yaml"
    status, out, err = run_in(approved, monkeypatch, "build", LETTER, other, "--format", "html")
    assert status == 0
    assert out == "wrote build/durham-2023-peel.html\n"
    assert f"{LETTER}: held: the letter is approved, but its data changed since version 1" in err
    assert re.search(
        r"built 1, skipped 0 \(up to date\), held 1, failed 0 of 2 letters in [\d.]+ s "
        r"\(held: approved, then changed\)\n$",
        err,
    )


def test_a_newer_letters_making_the_same_files_builds_without_a_word(
    approved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = json.loads((approved / APPROVAL).read_text(encoding="utf-8"))
    record["letters"] = "0.0.1"
    (approved / APPROVAL).write_text(json.dumps(record), encoding="utf-8")
    status, out, err = run_in(approved, monkeypatch, "build", LETTER, "--format", "html")
    assert (status, out, err) == (0, "wrote build/lancashire-2020-peel.html\n", "")


def test_publishing_records_the_day_and_the_copies(
    approved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = run_in(approved, monkeypatch, "publish", LETTER, "--on", "2020-03-31")
    assert status == 0 and out == f"published {LETTER}: state sent, copies recorded\n"
    text = (approved / LETTER).read_text(encoding="utf-8")
    assert 'letter:\n  date: 2020-03-30\n  our_ref: ""\n  published: 2020-03-31\n\n' in text
    assert text.endswith(
        "status:\n  state: sent\n  approved_by: Clive Grunshaw\n  approved_on: 2020-03-30\n"
        "  version: 1\n  sent_on: 2020-03-31\n  copied_on: 2020-03-31\n"
    )
    record = json.loads((approved / APPROVAL).read_text(encoding="utf-8"))
    assert set(record["outputs"]) == {"approved", "sent"}
    # publishing is no change to what the letter says: it still builds
    assert run_in(approved, monkeypatch, "build", LETTER, "--format", "html")[0] == 0


def test_a_draft_cannot_be_published(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    status, _, err = run_in(scratch, monkeypatch, "publish", LETTER)
    assert status == 1
    assert err == f"{LETTER}: error: the letter is a draft; approve it first (letters approve)\n"
