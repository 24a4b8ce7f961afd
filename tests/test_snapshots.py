"""What is sent is what was approved: approval freezes every input; approved letters build from it.

Each test works in a copy of the project with no git, as an office would: a draft is
approved with `letters approve`, then templates, reference lists or the letter change.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import (
    DEFAULT_LETTER,
    ROOT,
    SENT_STATUS,
    as_draft,
    copy_of_project,
    edit_yaml,
    position,
    run_in,
)
from letters.build.batch import build_many
from letters.build.project import Project
from letters.build.snapshot import frozen

LETTER = f"data/{DEFAULT_LETTER.name}"


def _note(changed: str) -> str:
    """Say, as a build does, that an approved letter keeps out of a shared file's change."""
    return (
        f"{LETTER}: note: built as approved (version 1); {changed} changed since, which it does "
        "not take: `letters diff --all` shows what that would change if it were reopened\n"
    )


RECORDS = "approvals/letters/data/lancashire-2020-peel"
TEMPLATE = "templates/letters/integrated-peel-2018.md.j2"
FRAMEWORKS = "data/reference/frameworks.yaml"
#: A sentence of the default letter's template, and the same changed by comms staff.
OPENING = "I write in response to the publication of"
CHANGED = "I am writing in response to the publication of"


def _approved(draft: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Approve the draft default letter in its copy of the project; return the project."""
    shutil.rmtree(draft / "approvals", ignore_errors=True)
    status, out, err = run_in(
        draft, monkeypatch, "approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-30"
    )
    assert (status, err) == (0, ""), err
    assert out == f"approved {LETTER}; its snapshot is recorded in {RECORDS}/1.json\n"
    return draft


def _template(root: Path) -> Path:
    return root / "templates" / "letters" / "integrated-peel-2018.md.j2"


def _build(root: Path, monkeypatch: pytest.MonkeyPatch, out: str, *more: str) -> tuple[int, str]:
    status, _, err = run_in(root, monkeypatch, "build", LETTER, "--out", out, *more)
    return status, err


def test_a_template_changed_after_approval_leaves_the_approved_letter_as_it_was(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    assert _build(root, monkeypatch, "before") == (0, "")
    edit_yaml(_template(root), OPENING, CHANGED)
    assert _build(root, monkeypatch, "after") == (0, _note(TEMPLATE))
    for name in (
        "lancashire-2020-peel.pdf",
        "lancashire-2020-peel.docx",
        "lancashire-2020-peel.html",
    ):
        assert (root / "after" / name).read_bytes() == (root / "before" / name).read_bytes(), name
    html = (root / "after" / "lancashire-2020-peel.html").read_text(encoding="utf-8")
    assert OPENING in html and CHANGED not in html
    # a draft takes the change
    (root / "data" / "second.yaml").write_bytes(
        (root / LETTER).read_bytes().replace(b"state: approved", b"state: draft")
    )
    edit_yaml(root / "data" / "second.yaml", "  approved_by: Clive Grunshaw\n", "")
    edit_yaml(root / "data" / "second.yaml", "  approved_on: 2020-03-30\n", "")
    edit_yaml(root / "data" / "second.yaml", "  version: 1\n", "")
    status, _, err = run_in(
        root, monkeypatch, "build", "data/second.yaml", "--out", "draft", "--format", "html"
    )
    assert status == 0, err
    assert CHANGED in (root / "draft" / "second.html").read_text(encoding="utf-8")


def test_a_reference_list_changed_after_approval_holds_nothing(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    assert _build(root, monkeypatch, "before", "--format", "html") == (0, "")
    frameworks = root / "data" / "reference" / "frameworks.yaml"
    edit_yaml(frameworks, "requires improvement", "needs to improve")
    assert _build(root, monkeypatch, "after", "--format", "html") == (0, _note(FRAMEWORKS))
    assert (root / "after" / "lancashire-2020-peel.html").read_bytes() == (
        root / "before" / "lancashire-2020-peel.html"
    ).read_bytes()


def test_a_letter_set_to_sent_by_hand_is_refused(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(draft / LETTER, "status:\n  state: draft\n", SENT_STATUS)
    shutil.rmtree(draft / "approvals", ignore_errors=True)
    status, err = _build(draft, monkeypatch, "out")
    assert status == 1
    assert err == (
        f"{LETTER}: error: the letter is sent, but nothing records its approval (no "
        f"{RECORDS}/); approve it (letters approve; --sent for one sent before letters), or "
        "set status.state to draft\n"
    )
    assert not (draft / "out").exists()


def test_a_deleted_approval_record_holds_the_letter(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    (root / RECORDS / "1.json").unlink()
    status, err = _build(root, monkeypatch, "out")
    assert status == 1 and "the letter is approved, but nothing records its approval" in err
    assert not (root / "out").exists()


def test_an_edit_to_the_approved_letters_data_holds_it_naming_the_field(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    edit_yaml(root / LETTER, "Lancashire Constabulary", "Lancashire Police")
    status, err = _build(root, monkeypatch, "out")
    assert status == 1
    assert err.startswith(
        f"{LETTER}: error: held: the letter is approved, but its data changed since version 1 "
        "was approved (force.name"
    )
    assert err.endswith(
        "undo the change, or reopen the letter for a new version (letters reopen --why ...)\n"
    )
    assert not (root / "out").exists()


def test_an_altered_file_in_the_store_is_refused_by_name(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    record = json.loads((root / RECORDS / "1.json").read_text(encoding="utf-8"))
    digest = record["inputs"]["templates/house-style.yaml"]
    stored = root / "approvals" / "objects" / digest[:2] / digest[2:]
    os.chmod(stored, 0o644)
    stored.write_bytes(stored.read_bytes() + b"\n# changed\n")
    shutil.rmtree(root / ".letters-cache", ignore_errors=True)
    status, err = _build(root, monkeypatch, "out")
    assert status == 1
    assert (
        f"approvals/objects/{digest[:2]}/{digest[2:]}: altered: it no longer matches its "
        "SHA-256, so templates/house-style.yaml" in err
    )
    assert not (root / "out").exists()


def test_reopen_approve_and_history(draft: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _approved(draft, monkeypatch)
    status, out, err = run_in(
        root, monkeypatch, "reopen", LETTER, "--why", "The savings figure was wrong"
    )
    assert (status, out, err) == (0, f"reopened {LETTER} as version 2, a draft\n", "")
    edit_yaml(_template(root), OPENING, CHANGED)
    assert _build(root, monkeypatch, "draft", "--format", "html") == (0, "")
    assert CHANGED in (root / "draft" / "lancashire-2020-peel.html").read_text(encoding="utf-8")
    status, out, err = run_in(
        root, monkeypatch, "approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-04-01"
    )
    assert status == 0, err
    status, out, err = run_in(root, monkeypatch, "publish", LETTER, "--on", "2020-04-01")
    assert status == 0, err
    status, out, err = run_in(root, monkeypatch, "history", LETTER)
    assert (status, err) == (0, "")
    assert out == (
        "version 1: approved by Clive Grunshaw on 2020-03-30\n"
        "version 2: sent by Clive Grunshaw on 2020-04-01; reopened from version 1: The savings "
        "figure was wrong\n"
    )
    text = (root / LETTER).read_text(encoding="utf-8")
    assert "  version: 2\n  reopened_because: The savings figure was wrong\n" in text


def test_a_letter_sent_before_letters_is_recorded_as_such(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(draft / "approvals", ignore_errors=True)
    status, out, err = run_in(
        draft,
        monkeypatch,
        "approve",
        LETTER,
        "--sent",
        "--by",
        "Clive Grunshaw",
        "--on",
        "2020-03-30",
    )
    assert (status, err) == (0, ""), err
    assert out.startswith(f"recorded as sent {LETTER}")
    record = json.loads((draft / RECORDS / "1.json").read_text(encoding="utf-8"))
    assert record["how"] == "sent before letters"
    assert sorted(record["outputs"]) == ["sent"]
    assert sorted(record["outputs"]["sent"]) == [
        "lancashire-2020-peel.docx",
        "lancashire-2020-peel.html",
        "lancashire-2020-peel.pdf",
        "lancashire-2020-peel.public.pdf",
    ]
    assert "  state: sent\n" in (draft / LETTER).read_text(encoding="utf-8")
    assert _build(draft, monkeypatch, "out") == (0, "")


def test_a_file_made_differently_now_is_written_as_approved_and_said(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    record_path = root / RECORDS / "1.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    # as if an earlier letters had made the page: a page of other bytes kept as approved
    older = b"<!DOCTYPE html><html><body><p>As approved</p></body></html>\n"
    digest = hashlib.sha256(older).hexdigest()
    stored = root / "approvals" / "objects" / digest[:2] / digest[2:]
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(older)
    record["outputs"]["approved"]["lancashire-2020-peel.html"] = digest
    record["letters"] = "0.0.1"
    record_path.write_text(json.dumps(record), encoding="utf-8")
    status, err = _build(root, monkeypatch, "out", "--format", "html")
    assert status == 0
    assert err == (
        f"{LETTER}: warning: letters 0.0.1 made lancashire-2020-peel.html when the letter was "
        "approved; this version of letters makes it differently, so the file as then is written\n"
    )
    assert (root / "out" / "lancashire-2020-peel.html").read_bytes() == older


def test_every_letter_marked_approved_or_sent_in_the_project_has_its_snapshot() -> None:
    letters = [
        p
        for folder in ("data", "data/examples", "tests/real")
        for p in sorted((ROOT / folder).glob("*.yaml"))
        if not p.name.endswith(".expect.yaml")
    ]
    assert len(letters) >= 24
    for path in letters:
        text = path.read_text(encoding="utf-8")
        if "state: draft" in text:
            continue
        name = path.relative_to(ROOT).with_suffix("").as_posix()
        records = sorted((ROOT / "approvals" / "letters" / name).glob("*.json"))
        assert records, f"{name} has no snapshot"
        record = json.loads(records[-1].read_text(encoding="utf-8"))
        assert record["how"] in ("reconstructed", "approved", "sent before letters")
        assert position(path, "state:")  # the state is written in the file


def test_diff_needs_no_git_and_an_edit_before_approval_is_part_of_the_approved_text(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not (draft / ".git").exists()
    edit_yaml(draft / LETTER, "I am pleased that with over", "I am delighted that with over")
    root = _approved(draft, monkeypatch)
    edit_yaml(_template(root), OPENING, CHANGED)
    status, out, err = run_in(root, monkeypatch, "diff", LETTER)
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "1 change since version 1"
    html = (root / "build" / "lancashire-2020-peel.redline.html").read_text(encoding="utf-8")
    assert "I am delighted that with over" in html and "pleased" not in html
    assert "<del>write </del><ins>am writing </ins>in response" in html
    assert "(from templates/letters/integrated-peel-2018.md.j2)</small>" in html
    assert "<li>templates/letters/integrated-peel-2018.md.j2: 1</li>" in html


def test_a_reference_list_change_holds_nothing_and_diff_all_names_it(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    frameworks = root / "data" / "reference" / "frameworks.yaml"
    pillar = "  area_noun: pillar\n  every_area_graded: true       # every force's report graded"
    edit_yaml(frameworks, pillar, pillar.replace("pillar\n", "strand\n"))
    assert _build(root, monkeypatch, "out", "--format", "html") == (0, _note(FRAMEWORKS))
    assert "pillar" in (root / "out" / "lancashire-2020-peel.html").read_text(encoding="utf-8")
    status, out, err = run_in(root, monkeypatch, "diff", "--all")
    assert (status, err) == (0, "")
    assert out == (
        f"{LETTER} (version 1): 3 changes if reopened, from data/reference/frameworks.yaml\n"
    )


def test_the_snapshots_kept_in_the_project_still_build_as_recorded(tmp_path: Path) -> None:
    """A change to the model or the code that broke an old snapshot fails here, not in an office."""
    root = copy_of_project(tmp_path, drafts=False)
    letter = root / LETTER
    batch = build_many([letter], root / "out", project=Project(root))
    [outcome] = batch.outcomes
    assert outcome.state == "done", outcome.error
    assert outcome.result is not None and outcome.result.warnings == ()
    record = json.loads((ROOT / RECORDS / "1.json").read_text(encoding="utf-8"))
    assert record["how"] == "reconstructed" and sorted(record["outputs"]) == ["sent"]
    for name, digest in record["outputs"]["sent"].items():
        assert hashlib.sha256((root / "out" / name).read_bytes()).hexdigest() == digest, name


def test_a_file_left_in_a_snapshots_folder_is_no_input_of_the_letter(tmp_path: Path) -> None:
    """A template another version left where the snapshot is written out is removed first.

    Every file under a project's templates/ is an input of its letters (their provenance,
    their PDF's metadata), so a stray one would make the approved letter differently.
    """
    root = copy_of_project(tmp_path, drafts=False)
    stray = root / ".letters-cache/snapshots/data/lancashire-2020-peel/1/templates/stray.md.j2"
    stray.parent.mkdir(parents=True)
    stray.write_text("Left by another version.\n", encoding="utf-8")
    batch = build_many([root / LETTER], root / "out", project=Project(root))
    [outcome] = batch.outcomes
    assert outcome.result is not None and outcome.result.warnings == ()
    assert not stray.exists()
    record = json.loads((ROOT / RECORDS / "1.json").read_text(encoding="utf-8"))
    for name, digest in record["outputs"]["sent"].items():
        assert hashlib.sha256((root / "out" / name).read_bytes()).hexdigest() == digest, name


def _templates_as_approved(root: Path) -> None:
    """Put back the templates the default letter was approved with, as if none changed since."""
    approved = frozen(root / LETTER, root)
    assert approved is not None
    shutil.rmtree(root / "templates")
    shutil.copytree(approved.root / "templates", root / "templates")


def test_only_letters_made_with_a_changed_template_are_told_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_of_project(tmp_path, drafts=False)
    # the shared templates as the letters were approved with them, so that none has changed yet
    record = json.loads(
        (root / "approvals" / "letters" / LETTER.removesuffix(".yaml") / "1.json").read_text()
    )
    for name, digest in record["inputs"].items():
        if name.startswith("templates/"):
            stored = root / "approvals" / "objects" / digest[:2] / digest[2:]
            (root / name).write_bytes(stored.read_bytes())
    durham = "data/examples/durham-2023-peel.yaml"  # a PEEL 2023-25 letter: another template
    _templates_as_approved(root)
    # The shared files as both letters were approved with them (the project's have moved on
    # since, which each letter would be told of): only the template's change is left to tell.
    records = [
        root / RECORDS / "1.json",
        root / "approvals/letters/data/examples/durham-2023-peel/1.json",
    ]
    inputs = [json.loads(record.read_text(encoding="utf-8"))["inputs"] for record in records]
    for name in ("templates/house-style.yaml", FRAMEWORKS):
        sha = inputs[0][name]
        assert inputs[1][name] == sha, name
        (root / name).write_bytes((root / "approvals" / "objects" / sha[:2] / sha[2:]).read_bytes())
    status, _, err = run_in(root, monkeypatch, "build", LETTER, durham, "--format", "html")
    assert status == 0 and "note:" not in err
    edit_yaml(_template(root), OPENING, CHANGED)
    status, out, err = run_in(root, monkeypatch, "build", LETTER, durham, "--format", "html")
    assert status == 0
    assert err.splitlines()[0] == _note(TEMPLATE).rstrip("\n")
    assert "durham" not in err.split("built ")[0], err
    assert "wrote build/durham-2023-peel.html" in out  # made again, as approved, and said nothing


def test_check_takes_an_approved_letter_as_approved_and_a_draft_as_it_is(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    second = root / "data" / "second.yaml"
    second.write_text(as_draft((root / LETTER).read_text(encoding="utf-8")), encoding="utf-8")
    # comms staff break the template the two letters share
    edit_yaml(_template(root), "{% for paragraph in facts.body %}", "{% for paragraph in %}")
    status, out, err = run_in(root, monkeypatch, "check", LETTER, "data/second.yaml")
    assert status == 1
    assert f"{LETTER}: ok: " in out
    assert "templates/letters/integrated-peel-2018.md.j2:" in err  # the draft's error
    assert "data/second.yaml: fails: 1 error" in out
    edit_yaml(_template(root), "{% for paragraph in %}", "{% for paragraph in facts.body %}")
    edit_yaml(root / LETTER, "Lancashire Constabulary", "Lancashire Police")
    status, out, err = run_in(root, monkeypatch, "check", LETTER)
    assert (status, err) == (1, "")
    assert out.startswith(f"{LETTER}: error: held: the letter is approved, but its data changed")
    assert out.endswith(f"{LETTER}: fails: 1 error, 0 warnings, 1 note\n")


# What a second look tried against the snapshots, each now refused in one line ------------------


def test_an_approver_changed_by_hand_holds_the_letter(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    edit_yaml(root / LETTER, "approved_by: Clive Grunshaw", "approved_by: Mallory Forger")
    status, err = _build(root, monkeypatch, "out")
    assert (status, err) == (
        1,
        f"{LETTER}: error: held: status.approved_by says 'Mallory Forger', but version 1 was "
        "approved with 'Clive Grunshaw'; set it back\n",
    )
    status, _, err = run_in(root, monkeypatch, "archive", LETTER)
    assert status == 1 and "held: status.approved_by" in err
    assert not (root / "archive" / "manifest.jsonl").exists()


def test_a_link_in_the_cache_is_never_written_through(
    draft: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = _approved(draft, monkeypatch)
    outside = tmp_path_factory.mktemp("outside")
    (outside / "kept.txt").write_text("precious", encoding="utf-8")
    cache = root / ".letters-cache" / "snapshots" / "data"
    shutil.rmtree(cache, ignore_errors=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.symlink_to(outside, target_is_directory=True)
    status, err = _build(root, monkeypatch, "out", "--force")
    assert status == 1
    assert err.endswith(
        "a link, where letters writes its copies of snapshots; remove .letters-cache (letters "
        "makes it again)\n"
    )
    assert sorted(p.name for p in outside.iterdir()) == ["kept.txt"]


def test_a_store_file_changed_after_a_build_is_caught_by_the_next(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    assert _build(root, monkeypatch, "out", "--format", "html") == (0, "")
    record = json.loads((root / RECORDS / "1.json").read_text(encoding="utf-8"))
    digest = record["inputs"][TEMPLATE]
    stored = root / "approvals" / "objects" / digest[:2] / digest[2:]
    os.chmod(stored, 0o644)
    stored.write_text(stored.read_text(encoding="utf-8") + "Changed in the store.\n")
    status, err = _build(root, monkeypatch, "out", "--format", "html")
    assert status == 1 and f"so {TEMPLATE} of {LETTER} version 1 is not as approved" in err


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ('"supersedes": 0', '"supersedes": Infinity'),
        ('"templates/house-style.yaml"', '"./templates/house-style.yaml"'),
        ('"templates/house-style.yaml"', '"templates/house-style.yaml\\u0000"'),
        ('"version": 1', '"version": true'),
    ],
)
def test_a_record_written_by_hand_is_refused_in_one_line(
    draft: Path, monkeypatch: pytest.MonkeyPatch, change: str, reason: str
) -> None:
    root = _approved(draft, monkeypatch)
    path = root / RECORDS / "1.json"
    text = path.read_text(encoding="utf-8")
    assert change in text
    path.write_text(text.replace(change, reason, 1), encoding="utf-8")
    shutil.rmtree(root / ".letters-cache", ignore_errors=True)
    status, err = _build(root, monkeypatch, "out")
    assert status == 1
    assert err.startswith(f"{LETTER}: error: {RECORDS}/1.json: not an approval record (")
    assert err.count("\n") == 1
    assert "internal error" not in err


def test_a_second_record_of_one_version_is_refused(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _approved(draft, monkeypatch)
    shutil.copy(root / RECORDS / "1.json", root / RECORDS / "01.json")
    status, err = _build(root, monkeypatch, "out")
    assert (status, err) == (
        1,
        f"{LETTER}: error: {RECORDS}/01.json: not a version's record (records are named "
        "1.json, 2.json, ...); move it out of approvals/\n",
    )
