"""The office commands take no option from data, replace no input, and refuse odd names.

Each test here shows one hole found by trying `letters` as an attacker or a careless user
would (git options in a revision, text surgery on data files, outputs over inputs, a line
separator in the archive, look-alike names), closed.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, edit_yaml, run_in

LETTER = f"data/{DEFAULT_LETTER.name}"
RECORD = "approvals/letters/data/lancashire-2020-peel/1.json"


def _approved(
    root: Path, monkeypatch: pytest.MonkeyPatch, *more: str, by: str = "Clive Grunshaw"
) -> None:
    """Approve the default letter (a draft in the copy) as its first version, on its date."""
    shutil.rmtree(root / "approvals", ignore_errors=True)
    status, _, err = run_in(
        root, monkeypatch, "approve", LETTER, "--by", by, "--on", "2020-03-30", *more
    )
    assert (status, err) == (0, "")


def _committed(root: Path) -> None:
    """Make the folder a git repository with one commit of everything in it."""
    git = ["git", "-C", str(root), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True, timeout=60)
    subprocess.run([*git, "add", "-A"], check=True, timeout=60)
    subprocess.run([*git, "commit", "-qm", "start"], check=True, timeout=60)


# 1. A revision is never passed to git as an option -----------------------------------------


@pytest.mark.parametrize("revision", ["--output=DECOY", "--remote=ext::sh", "--list"])
def test_a_revision_that_looks_like_an_option_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, revision: str
) -> None:
    _committed(scratch)
    decoy = scratch / "decoy.txt"
    decoy.write_text("keep me\n", encoding="utf-8")
    revision = revision.replace("DECOY", str(decoy))
    status, out, err = run_in(scratch, monkeypatch, "diff", LETTER, f"--against={revision}")
    assert (status, out) == (1, "")
    assert err == (
        f"{LETTER}: error: {revision!r} is not a revision: give a commit, a tag or a branch "
        "(HEAD, HEAD~1, a commit's hash); a revision never starts with '-'\n"
    )
    assert decoy.read_text(encoding="utf-8") == "keep me\n"
    assert not (scratch / "build").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json", "Expecting property name"), ("[1, 2]", "it holds no JSON object")],
)
def test_a_malformed_approval_record_is_a_message(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, content: str, reason: str
) -> None:
    _approved(scratch, monkeypatch)
    (scratch / RECORD).write_text(content, "utf-8")
    status, _, err = run_in(scratch, monkeypatch, "build", LETTER, "--format", "html")
    assert status == 1 and not (scratch / "build").exists()
    assert f"{LETTER}: error: {RECORD}: not an approval record (" in err
    assert reason in err and "Traceback" not in err and "internal error" not in err


def test_a_revision_is_unpacked_without_pythons_extraction_filter(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.11.0 to 3.11.3 have no `filter=` for extractall: diff must not need it."""
    _committed(scratch)

    def no_filter(*_args: object, **kwargs: object) -> None:
        raise TypeError("extractall() got an unexpected keyword argument 'filter'")

    monkeypatch.setattr(tarfile.TarFile, "extractall", no_filter)
    monkeypatch.delattr(tarfile, "data_filter")
    status, out, err = run_in(scratch, monkeypatch, "diff", LETTER, "--against", "HEAD")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "0 changes since HEAD"


def test_a_link_in_the_projects_history_is_not_followed(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link committed under data/ or templates/ is left out of the revision, not followed."""
    (scratch / "data" / "passwords.yaml").symlink_to("/etc/passwd")
    (scratch / "templates" / "common" / "up").symlink_to("../../../../../etc")
    _committed(scratch)
    status, out, err = run_in(scratch, monkeypatch, "diff", LETTER, "--against", "HEAD")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "0 changes since HEAD"


# 2. One writer of data files: round-trip YAML, only the values it must -----------------------


def test_approving_a_file_named_like_a_pattern_removes_no_other_letters_files(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (draft / "data" / "*.yaml").write_bytes((draft / LETTER).read_bytes())
    (draft / "build").mkdir()
    other = draft / "build" / "lancashire-2020-peel.pdf"
    other.write_bytes(b"%PDF another letter's")
    status, out, err = run_in(draft, monkeypatch, "approve", "data/*.yaml", "--by", "A N Other")
    assert (status, out) == (1, "")
    assert err == (
        "error: the data file '*' is not a plain name: it holds asterisk (U+002A); use only the "
        "letters A to Z and a to z, digits, '-' and '_', starting with a letter or digit\n"
    )
    assert other.read_bytes() == b"%PDF another letter's"


def test_approval_changes_only_the_status_and_keeps_comments_and_flow_style(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(draft / "approvals")
    path = draft / LETTER
    edit_yaml(path, "status:\n  state: draft\n", "status: {state: draft}  # set by letters\n")
    edit_yaml(path, "letter:\n", "letter:  # the day it is signed\n")
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)
    status, _, err = run_in(
        draft, monkeypatch, "approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-30"
    )
    assert (status, err) == (0, "")
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
    assert changed == [
        "- status: {state: draft}  # set by letters\n",
        # the comment is kept; the longer line moves it to one space after the value
        "+ status: {state: approved, approved_by: Clive Grunshaw, approved_on: 2020-03-30,"
        " version: 1} # set by letters\n",
    ]


def test_publishing_a_letter_whose_letter_line_has_a_comment_keeps_one_letter_key(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = scratch / LETTER
    edit_yaml(path, "letter:\n", "letter:  # the day it is signed\n")
    _approved(scratch, monkeypatch)
    status, _, err = run_in(scratch, monkeypatch, "publish", LETTER, "--on", "2020-03-31")
    assert (status, err) == (0, "")
    text = path.read_text(encoding="utf-8")
    assert text.count("\nletter:") == 1
    assert 'letter:  # the day it is signed\n  date: 2020-03-30\n  our_ref: ""\n' in text
    assert "  published: 2020-03-31\n" in text
    assert run_in(scratch, monkeypatch, "check", LETTER)[0] == 0


def test_a_second_publication_replaces_the_first_day(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(scratch, monkeypatch)
    for day in ("2020-03-31", "2020-04-01"):
        assert run_in(scratch, monkeypatch, "publish", LETTER, "--on", day)[0] == 0
    text = (scratch / LETTER).read_text(encoding="utf-8")
    assert 'letter:\n  date: 2020-03-30\n  our_ref: ""\n  published: 2020-04-01\n\n' in text
    assert "2020-03-31" not in text
    assert text.count("sent_on:") == 1 and "  sent_on: 2020-04-01\n" in text


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (
            "2020-03-29",
            "--on 2020-03-29 is before 2020-03-30, when the letter was approved; give the day it "
            "happened",
        ),
        (
            (dt.date.today() + dt.timedelta(days=1)).isoformat(),
            f"--on {dt.date.today() + dt.timedelta(days=1)} is after today ({dt.date.today()}); "
            "record it once it has happened",
        ),
    ],
)
def test_publication_on_an_impossible_day_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, day: str, message: str
) -> None:
    _approved(scratch, monkeypatch)
    before = (scratch / LETTER).read_bytes()
    status, _, err = run_in(scratch, monkeypatch, "publish", LETTER, "--on", day)
    assert (status, err) == (1, f"{LETTER}: error: {message}\n")
    assert (scratch / LETTER).read_bytes() == before


def test_publication_before_the_reports_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(scratch, monkeypatch)
    # a day typed by hand into the status, which is no change to what the letter says
    edit_yaml(scratch / LETTER, "  approved_on: 2020-03-30\n", "  approved_on: 2019-01-01\n")
    status, _, err = run_in(scratch, monkeypatch, "publish", LETTER, "--on", "2020-01-01")
    assert status == 1
    assert err == (
        f"{LETTER}: error: --on 2020-01-01 is before 2020-02-07, when the report was published;"
        " give the day it happened\n"
    )


def test_a_data_file_saved_during_an_edit_is_not_overwritten(scratch: Path) -> None:
    from letters.build.data_edit import edit_data_file

    path = scratch / LETTER

    def saved_meanwhile(tree: object) -> None:
        path.write_text(path.read_text(encoding="utf-8") + "# saved in an editor\n", "utf-8")

    with pytest.raises(Exception, match="changed while letters was editing it"):
        edit_data_file(path, scratch, saved_meanwhile, ("status",))
    assert path.read_text(encoding="utf-8").endswith("# saved in an editor\n")


# 4. Outputs never replace inputs --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "target", "message"),
    [
        (
            ["due", "--ics", LETTER],
            LETTER,
            f"{LETTER} lies in the project's data/ folder, which holds the letters' inputs; write "
            "it somewhere else (build/, for example)",
        ),
        (
            ["findings", LETTER, "--out", "templates/letters/peel.md.j2"],
            "templates/letters/peel.md.j2",
            "templates/letters/peel.md.j2 lies in the project's templates/ folder, which holds "
            "the letters' inputs; write it somewhere else (build/, for example)",
        ),
        (
            ["findings", LETTER, "--out", "archive/manifest.jsonl"],
            "archive/manifest.jsonl",
            "archive/manifest.jsonl is a record of letters'; write it somewhere else",
        ),
        (
            ["findings", LETTER, "--out", "archive/findings.csv"],
            "archive/manifest.jsonl",
            "archive/findings.csv lies in an archive (its folder holds manifest.jsonl); write it "
            "somewhere else",
        ),
        (
            ["due", "--ics", "notes.txt"],
            "notes.txt",
            "notes.txt: give a file name ending .ics",
        ),
    ],
)
def test_an_output_is_never_written_over_an_input_or_a_record(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], target: str, message: str
) -> None:
    (scratch / "archive").mkdir()
    (scratch / "archive" / "manifest.jsonl").write_text("", encoding="utf-8")
    (scratch / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = (scratch / target).read_bytes()
    status, out, err = run_in(scratch, monkeypatch, *args)
    assert (status, out) == (1, "")
    assert err.endswith(f"{message}\n") and "Traceback" not in err
    assert (scratch / target).read_bytes() == before


@pytest.mark.parametrize("name", ["../x", "ELSEWHERE/new", "a\nb", ".", "x/y"])
def test_a_new_letters_name_is_a_plain_file_name_under_data(
    scratch: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    name = name.replace("ELSEWHERE", str(elsewhere))
    before = sorted(p.relative_to(scratch) for p in scratch.rglob("*"))
    status, _, err = run_in(
        scratch, monkeypatch, "new", name, "--kind", "peel-2023", "--office",
        "offices/lancashire-pcc.yaml",
    )  # fmt: skip
    assert status == 2
    assert "is not a plain name" in err
    assert sorted(p.relative_to(scratch) for p in scratch.rglob("*")) == before
    assert list(elsewhere.iterdir()) == [] and not (scratch.parent / "x.yaml").exists()


def test_new_from_a_file_that_is_not_yaml_is_a_message(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (scratch / "data" / "old.yaml").write_text("report: [unclosed\n", encoding="utf-8")
    status, _, err = run_in(scratch, monkeypatch, "new", "next", "--from", "data/old.yaml")
    assert status == 1
    assert err == (
        "data/old.yaml:1:9: a [ opened here is never closed with ]; or put text holding [ or ] "
        "in quotes\n"
    )
    assert not (scratch / "data" / "next.yaml").exists()


# 5. A line separator never breaks the archive -------------------------------------------------


def test_an_approver_with_a_line_separator_is_refused(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(draft / "approvals")
    before = (draft / LETTER).read_bytes()
    status, _, err = run_in(draft, monkeypatch, "approve", LETTER, "--by", "A\u2028B")
    assert status == 1
    assert err == (
        "error: --by 'A\\u2028B' holds U+2028; give the approver's name as it is written, on "
        "one line\n"
    )
    assert (draft / LETTER).read_bytes() == before
    assert not (draft / "approvals").exists()


def test_a_line_separator_in_the_data_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(scratch, monkeypatch)
    edit_yaml(scratch / LETTER, "approved_by: Clive Grunshaw", 'approved_by: "Clive\\u2028G"')
    status, _, err = run_in(scratch, monkeypatch, "check", LETTER)
    assert status == 1
    assert "status.approved_by: contains U+2028" in err


def test_the_manifest_is_ascii_and_a_name_with_diacritics_survives(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _approved(scratch, monkeypatch, "--sent", by="Zoë Ní Bhriain")
    status, _, err = run_in(scratch, monkeypatch, "archive", LETTER)
    assert status == 0 and re.fullmatch(r"archive head [0-9a-f]{64}\n", err), err
    raw = (scratch / "archive" / "manifest.jsonl").read_bytes()
    assert raw.isascii()
    assert json.loads(raw)["approved_by"] == "Zoë Ní Bhriain"
    assert run_in(scratch, monkeypatch, "archive", "--verify")[0] == 0


def test_an_older_manifest_holding_a_line_separator_still_verifies(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from letters.build.archive import row_hash

    _approved(scratch, monkeypatch, "--sent")
    assert run_in(scratch, monkeypatch, "archive", LETTER)[0] == 0
    manifest = scratch / "archive" / "manifest.jsonl"
    row = json.loads(manifest.read_text(encoding="utf-8"))
    row["approved_by"] = "A\u2028B"  # as an older letters wrote it: not ASCII
    row["hash"] = row_hash(row)
    manifest.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    status, out, err = run_in(scratch, monkeypatch, "archive", "--verify")
    assert (status, err) == (0, "")
    assert out.startswith("archive: verified 1 filed letter; chain head ")


# 8 and 9. Names that look alike are refused, not taken as different --------------------------


@pytest.mark.parametrize(
    ("name", "held"),
    [
        ("caf\u00e9", "latin small letter e with acute (U+00E9)"),
        ("cafe\u0301", "combining acute accent (U+0301)"),
        ("l\u0430ncashire", "cyrillic small letter a (U+0430)"),
    ],
)
def test_a_data_file_whose_name_is_not_plain_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, name: str, held: str
) -> None:
    (scratch / "data" / f"{name}.yaml").write_bytes((scratch / LETTER).read_bytes())
    status, _, err = run_in(scratch, monkeypatch, "check", f"data/{name}.yaml")
    assert status == 1
    escaped = name.encode("unicode_escape").decode("ascii")
    assert f"the data file '{escaped}' is not a plain name: it holds {held}" in err


def test_an_office_file_with_a_look_alike_name_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offices = scratch / "data" / "offices"
    (offices / "l\u0430ncashire-pcc.yaml").write_bytes(
        (offices / "lancashire-pcc.yaml").read_bytes()
    )
    edit_yaml(scratch / LETTER, "offices/lancashire-pcc.yaml", "offices/l\u0430ncashire-pcc.yaml")
    status, _, err = run_in(scratch, monkeypatch, "check", LETTER)
    assert status == 1
    assert "office: the office's file 'l\\u0430ncashire-pcc' is not a plain name" in err


def test_a_report_kind_with_a_dot_is_refused_where_it_is_named(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kind such as `mopac.v2` reads as a field path (or a module's) in messages."""
    frameworks = scratch / "data" / "reference" / "frameworks.yaml"
    edit_yaml(frameworks, "\npeel-2023:\n", "\nmopac.v2:\n")
    line = frameworks.read_text(encoding="utf-8").splitlines().index("mopac.v2:") + 1
    status, _, err = run_in(scratch, monkeypatch, "check", LETTER)
    assert status == 1
    assert (
        f"data/reference/frameworks.yaml:{line}:1: the report kind 'mopac.v2' is not a plain "
        "name: it holds full stop (U+002E)"
    ) in err


def test_text_is_read_in_one_spelling(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name typed with a combining accent (NFD) is the same name as one typed composed."""
    _approved(scratch, monkeypatch, "--sent", by="Zoe\u0308")
    assert run_in(scratch, monkeypatch, "archive", LETTER)[0] == 0
    row = json.loads((scratch / "archive" / "manifest.jsonl").read_text(encoding="utf-8"))
    assert row["approved_by"] == "Zo\u00eb"


# 7. Faults of the machine are messages too ----------------------------------------------------


def test_a_read_only_calendar_file_is_a_message(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (scratch / "build").mkdir()
    target = scratch / "build" / "deadlines.ics"
    target.write_text("an older calendar\n", encoding="utf-8")
    target.chmod(0o444)
    status, _, err = run_in(scratch, monkeypatch, "due", "--ics", "build/deadlines.ics")
    assert status == 1
    assert err.endswith(
        f"error: {target} is read-only (an archived record?); letters never writes over a "
        "read-only file: write somewhere else\n"
    )
    assert "internal error" not in err
    assert target.read_text(encoding="utf-8") == "an older calendar\n"


def test_a_full_disk_while_filing_is_a_message_and_files_nothing(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    def full(_src: object, dst: object) -> None:
        raise OSError(28, "No space left on device", str(dst))

    _approved(scratch, monkeypatch, "--sent")
    monkeypatch.setattr(os, "link", full)
    status, _, err = run_in(scratch, monkeypatch, "archive", LETTER)
    assert status == 1
    assert err == (
        f"{LETTER}: error: cannot file archive/2020/lancashire-2020-peel.pdf: No space left on "
        "device; nothing was filed\n"
    )
    # the lock the filing held stays, as after any filing; no PDF, row or journal
    assert sorted(p.name for p in (scratch / "archive").rglob("*") if p.is_file()) == [".lock"]
