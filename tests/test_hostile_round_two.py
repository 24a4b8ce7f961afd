"""What a second look by someone trying to break letters found, each closed (docs/security.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, edit_yaml, run_in

LETTER = f"data/{DEFAULT_LETTER.name}"
APPROVE = ["approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-30"]
RECORDS = "approvals/letters/data/lancashire-2020-peel"


def _approved(root: Path, monkeypatch: pytest.MonkeyPatch, *more: str) -> None:
    """Approve the default letter (a draft in the copy) as its first version, on its date."""
    shutil.rmtree(root / "approvals", ignore_errors=True)
    assert run_in(root, monkeypatch, *APPROVE, *more)[:3:2] == (0, "")


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Make a folder outside the project, holding one file of its own."""
    folder = tmp_path_factory.mktemp("elsewhere")
    (folder / "lancashire-2020-peel.pdf").write_bytes(b"not the project's")
    return folder


def test_approve_deletes_nothing_through_a_linked_build_folder(
    draft: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (draft / "build").symlink_to(elsewhere)
    status, out, err = run_in(draft, monkeypatch, *APPROVE)
    assert (status, err) == (0, "")
    assert "removed" not in out
    assert (elsewhere / "lancashire-2020-peel.pdf").read_bytes() == b"not the project's"


@pytest.mark.parametrize(
    "args",
    [
        ["build", LETTER, "--format", "html", "--out", "build/sub"],
        ["findings", LETTER, "--out", "build/f.csv"],
        ["due", LETTER, "--ics", "build/d.ics"],
        ["archive", LETTER, "--to", "build/archive"],
    ],
)
def test_nothing_is_written_through_a_link_in_the_project_leading_out(
    scratch: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    (scratch / "build").symlink_to(elsewhere)
    status, _, err = run_in(scratch, monkeypatch, *args)
    assert status == 1
    assert "lies in the project, but a link on the way leads outside it" in err
    assert sorted(p.name for p in elsewhere.iterdir()) == ["lancashire-2020-peel.pdf"]


def test_an_approval_that_cannot_record_its_inputs_changes_nothing(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(draft / "approvals")
    (draft / RECORDS).parent.mkdir(parents=True)
    (draft / RECORDS).write_text("in the way of the letter's records\n", encoding="utf-8")
    before = (draft / LETTER).read_bytes()
    status, _, err = run_in(draft, monkeypatch, *APPROVE)
    assert (status, err) == (
        1,
        f"error: {LETTER}: not approved: cannot make the folder {RECORDS}: File exists; nothing"
        " was changed: the letter is still a draft\n",
    )
    assert (draft / LETTER).read_bytes() == before
    assert (draft / RECORDS).read_text(encoding="utf-8") == "in the way of the letter's records\n"


@pytest.mark.parametrize(
    ("by", "found"),
    [("A\udc85B", "holds U+DC85"), ("A\u200bB", "holds U+200B"), ("x" * 200, "200 characters")],
)
def test_an_approver_name_that_would_not_check_is_refused(
    draft: Path, monkeypatch: pytest.MonkeyPatch, by: str, found: str
) -> None:
    before = (draft / LETTER).read_bytes()
    status, _, err = run_in(draft, monkeypatch, "approve", LETTER, "--by", by)
    assert status == 1 and found in err
    assert (draft / LETTER).read_bytes() == before


@pytest.mark.parametrize(
    ("dress", "undress"),
    [
        (lambda b: b"\xef\xbb\xbf" + b, lambda b: b[3:]),
        (lambda b: b.replace(b"\n", b"\r\n"), lambda b: b.replace(b"\r\n", b"\n")),
        (lambda b: b"---\n" + b + b"...\n", lambda b: b[4:-4]),
        (lambda b: b"%YAML 1.1\n---\n" + b, lambda b: b.split(b"---\n", 1)[1]),
    ],
    ids=["bom", "crlf", "document-markers", "yaml-directive"],
)
def test_approval_keeps_how_the_file_is_written(
    draft: Path, monkeypatch: pytest.MonkeyPatch, dress: object, undress: object
) -> None:
    shutil.rmtree(draft / "approvals")
    path = draft / LETTER
    plain = path.read_bytes()
    path.write_bytes(dress(plain))  # type: ignore[operator]
    status, _, err = run_in(draft, monkeypatch, *APPROVE)
    assert (status, err) == (0, "")
    after = path.read_bytes()
    if b"%YAML" not in dress(plain):  # type: ignore[operator]
        assert after.startswith(dress(b"")[:3])  # type: ignore[operator]
    written = undress(after)  # type: ignore[operator]
    assert written == plain.replace(
        b"status:\n  state: draft\n",
        b"status:\n  state: approved\n  approved_by: Clive Grunshaw\n  approved_on: 2020-03-30\n"
        b"  version: 1\n",
    )


def test_a_manifest_row_of_the_wrong_shape_is_a_message(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(scratch, monkeypatch, "--sent")
    assert run_in(scratch, monkeypatch, "archive", LETTER)[0] == 0
    manifest = scratch / "archive" / "manifest.jsonl"
    row = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**row, "version": "abc"}) + "\n", encoding="utf-8")
    status, _, err = run_in(scratch, monkeypatch, "archive", LETTER, "--new-version")
    assert status == 1
    assert err.endswith(
        "archive/manifest.jsonl:1: not a manifest row (its version is not a number from 1); "
        "restore it from a backup\n"
    )


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("manifest.jsonl", ["--verify"]),
        ("manifest.jsonl", ["--head"]),
        ("manifest.jsonl", [LETTER]),
        (".filing.json", [LETTER]),
    ],
)
def test_a_fifo_in_the_archive_holds_no_command(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, name: str, args: list[str]
) -> None:
    _approved(scratch, monkeypatch, "--sent")
    (scratch / "archive").mkdir()
    if name != "manifest.jsonl":
        (scratch / "archive" / "manifest.jsonl").write_text("", encoding="utf-8")
    os.mkfifo(scratch / "archive" / name)
    done = subprocess.run(
        [sys.executable, "-m", "letters.cli", "archive", *args],
        cwd=scratch,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    said = "not a regular file" if name == "manifest.jsonl" else "journal is unreadable"
    assert said in done.stderr and "Traceback" not in done.stderr


def test_a_template_with_a_second_name_is_refused(
    scratch: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = elsewhere / "secret.md.j2"
    secret.write_text("TOP SECRET from outside\n", encoding="utf-8")
    os.link(secret, scratch / "templates" / "common" / "secret.md.j2")
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    template.write_text(
        template.read_text(encoding="utf-8") + '{% include "common/secret.md.j2" %}\n', "utf-8"
    )
    status, _, err = run_in(scratch, monkeypatch, "build", LETTER, "--format", "html")
    assert status == 1
    assert "templates/common/secret.md.j2: the file has a second name (a hard link)" in err
    assert not list((scratch / "build").glob("*.html")) if (scratch / "build").exists() else True


def test_a_name_too_long_for_the_system_is_a_message(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, err = run_in(scratch, monkeypatch, "check", f"data/{'a' * 300}.yaml")
    assert status == 1
    assert err.endswith(": File name too long; shorten the name\n")
    assert "internal error" not in err


def test_a_calendar_is_not_replaced_by_one_missing_a_letter(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (scratch / "build").mkdir()
    calendar = scratch / "build" / "due.ics"
    assert run_in(scratch, monkeypatch, "due", LETTER, "--ics", "build/due.ics")[0] in (0, 1)
    good = calendar.read_bytes()
    edit_yaml(scratch / LETTER, "report:\n", "report: [\n")
    status, _, err = run_in(scratch, monkeypatch, "due", LETTER, "--ics", "build/due.ics")
    assert status == 1
    assert "build/due.ics: not written: a calendar missing a letter" in err
    assert calendar.read_bytes() == good


def test_a_new_letters_office_is_written_so_it_reads_back(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offices = scratch / "data" / "offices"
    (offices / "x: y.yaml").write_bytes((offices / "lancashire-pcc.yaml").read_bytes())
    status, _, _ = run_in(
        scratch, monkeypatch, "new", "next", "--kind", "peel-2023", "--office", "offices/x: y.yaml"
    )
    assert status == 0
    assert 'office: "offices/x: y.yaml"\n' in (scratch / "data" / "next.yaml").read_text("utf-8")


def test_approving_a_link_to_a_letter_is_refused(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (draft / "data" / "alias.yaml").symlink_to(DEFAULT_LETTER.name)
    status, _, err = run_in(draft, monkeypatch, "approve", "data/alias.yaml", "--by", "A N Other")
    assert status == 1
    assert err == (
        "error: data/alias.yaml is a link; give the letter's own file, which is the one changed\n"
    )
    assert (draft / "data" / "alias.yaml").is_symlink()


def test_escape_sequences_from_a_shared_record_never_reach_the_terminal(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(scratch, monkeypatch)
    record = scratch / RECORDS / "1.json"
    tree = json.loads(record.read_text(encoding="utf-8"))
    tree["inputs"]["\x1b]0;pwned\x07x"] = "0" * 64
    record.write_text(json.dumps(tree), "utf-8")
    status, _, err = run_in(scratch, monkeypatch, "build", LETTER, "--format", "html")
    assert status == 1
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b]0;pwned\\x07x" in err


def test_a_broken_template_included_by_a_made_name_is_a_message(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (scratch / "templates" / "common" / "broken.md.j2").write_text("{% if %}\n", "utf-8")
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    template.write_text(
        template.read_text(encoding="utf-8")
        + '{% set n = "common/broken.md.j2" %}{% include n %}\n',
        "utf-8",
    )
    status, _, err = run_in(scratch, monkeypatch, "build", LETTER, "--format", "html")
    assert status == 1
    assert err == (
        "templates/common/broken.md.j2:1: template syntax error: Expected an expression, got "
        "'end of statement block'\n"
    )


def test_a_day_not_written_yyyy_mm_dd_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.11 reads 20200330 and 2020-W14-1 as days too; the help says YYYY-MM-DD."""
    for day in ("20200330", "2020-W14-1"):
        status, _, err = run_in(scratch, monkeypatch, "due", "--today", day)
        assert status == 2
        assert f"'{day}' is not a date; write it YYYY-MM-DD, for example 2020-03-30" in err


def test_an_office_file_that_is_a_fifo_is_named_for_what_it_is(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(scratch / "data" / "offices" / "pipe.yaml")
    edit_yaml(scratch / LETTER, "offices/lancashire-pcc.yaml", "offices/pipe.yaml")
    status, _, err = run_in(scratch, monkeypatch, "check", LETTER)
    assert status == 1
    assert (
        "office: 'offices/pipe.yaml' is not a regular file; an office's file is a YAML file" in err
    )
