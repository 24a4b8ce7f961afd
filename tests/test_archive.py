"""`letters archive` files approved and sent letters and never overwrites; --verify proves it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import DEFAULT_LETTER, copy_of_project, edit_yaml
from letters.build.archive import MANIFEST, read_manifest
from letters.build.snapshot import frozen

LETTER = f"data/{DEFAULT_LETTER.name}"


def _row_hash(row: dict[str, Any]) -> str:
    """Hash a manifest row as a verifier would: SHA-256 of its canonical JSON, less its hash.

    Canonical JSON: keys sorted, no spaces, text as UTF-8 rather than escapes.
    """
    content = {key: value for key, value in row.items() if key != "hash"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _run(*args: str) -> Result:
    from letters.cli import main

    return CliRunner().invoke(main, ["archive", *args])


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """Copy the project as it ships: its letters sent, each with its approval snapshot."""
    return copy_of_project(tmp_path, drafts=False)


@pytest.fixture
def archived(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """File the default letter in archive/ in a scratch project; return the archive folder."""
    monkeypatch.chdir(scratch)
    result = _run(LETTER)
    assert result.exit_code == 0, result.output
    assert result.stdout == "filed archive/2020/lancashire-2020-peel.pdf (version 1)\n"
    return scratch / "archive"


def test_filing_writes_the_pdf_and_a_chained_manifest_row(archived: Path) -> None:
    pdf = archived / "2020" / "lancashire-2020-peel.pdf"
    [row] = read_manifest(archived)
    assert row["file"] == "2020/lancashire-2020-peel.pdf" and row["version"] == 1
    assert (
        row["title"]
        == "Response to the HMICFRS Integrated PEEL Inspection report for Lancashire Constabulary"
    )
    assert (
        row["recipient"] == "Rt Hon Priti Patel, Home Secretary"
        and row["letter_date"] == "2020-03-30"
    )
    assert (
        row["report"]
        == "HMICFRS Integrated PEEL Inspection, Lancashire Constabulary, published 2020-02-07"
    )
    assert (row["status"], row["approved_by"], row["approved_on"]) == (
        "sent",
        "Clive Grunshaw",
        "2020-03-30",
    )
    assert row["review_by"] == "2027-03-30", "seven years, as the office file sets"
    # every input the record embeds, by its path in the project
    # (the letter is sent: its files are its approved snapshot's)
    approved = frozen(Path(LETTER).resolve(), Path.cwd().resolve())
    assert approved is not None
    for source in (LETTER, "data/offices/lancashire-pcc.yaml"):
        made_from = (approved.root / source).read_bytes()
        assert row["sources_sha256"][source] == hashlib.sha256(made_from).hexdigest()
    assert "templates/house-style.yaml" in row["sources_sha256"]
    assert row["prev"] == "0" * 64 and row["hash"] == _row_hash(row)
    assert row["pdf_sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    verified = _run("--verify")
    assert verified.exit_code == 0
    assert verified.stdout == (
        f"archive: verified 1 filed letter; chain head {row['hash']}; unsigned (filed before "
        "the archive had a key)\n"
    )
    assert _run("--head").stdout == row["hash"] + "\n"


def test_filing_an_unchanged_letter_again_does_nothing(archived: Path) -> None:
    before = (archived / MANIFEST).read_bytes()
    result = _run(LETTER)
    assert (
        result.exit_code == 0
        and result.stdout
        == "unchanged: archive/2020/lancashire-2020-peel.pdf is already archived\n"
    )
    assert (archived / MANIFEST).read_bytes() == before


def test_a_letter_a_newer_letters_writes_differently_is_still_unchanged(
    archived: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import letters.render.pdf

    before = (archived / MANIFEST).read_bytes()
    monkeypatch.setattr(letters.render.pdf, "COMPRESSION", 9)  # as an upgrade might
    result = _run(LETTER)
    assert result.exit_code == 0
    assert result.stdout == (
        "unchanged: archive/2020/lancashire-2020-peel.pdf is already archived from the same "
        "sources (this version of letters writes their PDF differently; the archived one "
        "stands)\n"
    )
    assert (archived / MANIFEST).read_bytes() == before
    filed = _run(LETTER, "--new-version")
    assert filed.stdout == "filed archive/2020/lancashire-2020-peel.v2.pdf (version 2)\n"


def test_a_row_that_names_a_field_twice_fails_verification(archived: Path) -> None:
    # a reader of the text sees the first value; the hash was checked against the last
    manifest = archived / MANIFEST
    manifest.write_text('{"status": "draft", ' + manifest.read_text()[1:], encoding="utf-8")
    verified = _run("--verify")
    assert verified.exit_code == 1
    assert verified.stderr == (
        "error: archive/manifest.jsonl:1: not a manifest row ('status' is given twice: a "
        "reader would see one value and its hash the other); restore it from a backup\n"
    )


def _new_version(scratch: Path, old: str, new: str) -> None:
    """Reopen the sent letter, change its words, approve and send it again: version 2."""
    from letters.cli import main

    def run(*args: str) -> None:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == 0, result.output

    run("reopen", LETTER, "--why", "a closing sentence to correct")
    edit_yaml(scratch / LETTER, old, new)
    run("approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-31")
    run("publish", LETTER, "--on", "2020-03-31")


def test_a_changed_reference_list_leaves_a_filed_letter_as_filed(
    archived: Path, scratch: Path
) -> None:
    # the letter is made from its approval's snapshot, whatever the lists say now
    edit_yaml(scratch / "data" / "reference" / "frameworks.yaml", "# The kinds", "# All kinds")
    again = _run(LETTER)
    assert again.exit_code == 0
    assert again.stdout == "unchanged: archive/2020/lancashire-2020-peel.pdf is already archived\n"
    assert len(read_manifest(archived)) == 1


def test_a_changed_letter_is_refused_unless_filed_as_a_new_version(
    archived: Path, scratch: Path
) -> None:
    _new_version(
        scratch, "as the activity progresses.", "as the activity progresses, every quarter."
    )
    refused = _run(LETTER)
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"{LETTER}: error: already archived as 2020/lancashire-2020-peel.pdf (version 1)"
        " and the letter has changed since;"
        " file it as a new version with --new-version, or restore the archived sources\n"
    )
    assert len(read_manifest(archived)) == 1
    filed = _run(LETTER, "--new-version")
    assert (
        filed.exit_code == 0
        and filed.stdout == "filed archive/2020/lancashire-2020-peel.v2.pdf (version 2)\n"
    )
    first, second = read_manifest(archived)
    assert (
        second["version"] == 2
        and second["prev"] == first["hash"]
        and second["pdf_sha256"] != first["pdf_sha256"]
    )
    assert _run("--verify").exit_code == 0


def test_a_draft_is_refused(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scratch)
    edit_yaml(scratch / LETTER, "  state: sent\n", "  state: draft\n")
    edit_yaml(scratch / LETTER, "  sent_on: 2020-03-30\n", "")
    result = _run(LETTER)
    assert result.exit_code == 1
    assert result.stderr == (
        f"{LETTER}: error: the letter is a draft; only approved or sent letters can be archived"
        " (approve it: letters approve)\n"
    )
    assert not (scratch / "archive").exists()


def _tamper_flip_a_byte(archive: Path) -> str:
    pdf = archive / "2020" / "lancashire-2020-peel.pdf"
    pdf.chmod(0o644)
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    return (
        "archive/2020/lancashire-2020-peel.pdf: altered: its SHA-256 differs from manifest.jsonl"
        " row 1 (lancashire-2020-peel version 1)"
    )


def _tamper_delete_the_file(archive: Path) -> str:
    (archive / "2020" / "lancashire-2020-peel.pdf").unlink()
    return (
        "archive/2020/lancashire-2020-peel.pdf: missing: listed in manifest.jsonl row 1"
        " (lancashire-2020-peel version 1) but not in the archive"
    )


def _tamper_add_a_file(archive: Path) -> str:
    (archive / "2020" / "extra.pdf").write_bytes(b"%PDF-1.7 not filed")
    return "archive/2020/extra.pdf: unlisted: in the archive but not in manifest.jsonl"


def _tamper_edit_a_row(archive: Path) -> str:
    manifest = archive / MANIFEST
    row = json.loads(manifest.read_text())
    row["approved_by"] = "Someone Else"
    manifest.write_text(json.dumps(row) + "\n")
    return (
        "archive/manifest.jsonl row 1 (lancashire-2020-peel version 1): edited:"
        " the row no longer matches its hash"
    )


@pytest.mark.parametrize(
    "tamper",
    [_tamper_flip_a_byte, _tamper_delete_the_file, _tamper_add_a_file, _tamper_edit_a_row],
    ids=["flipped byte", "deleted file", "extra file", "edited row"],
)
def test_verify_names_each_kind_of_tampering(archived: Path, tamper) -> None:  # type: ignore[no-untyped-def]
    expected = tamper(archived)
    result = _run("--verify")
    assert result.exit_code == 1
    assert result.stderr == f"{expected}\narchive: 1 problem found\n"


def test_verify_catches_a_removed_row_and_a_rehashed_edit(archived: Path, scratch: Path) -> None:
    _new_version(scratch, "as the activity progresses.", "as the activity progresses, monthly.")
    assert _run(LETTER, "--new-version").exit_code == 0
    manifest = archived / MANIFEST
    first, second = manifest.read_text().splitlines()
    manifest.write_text(second + "\n")  # remove the first row
    result = _run("--verify")
    assert result.exit_code == 1
    assert (
        "archive/manifest.jsonl row 1 (lancashire-2020-peel version 2): re-chained: it does not"
        " follow the row before it" in result.stderr
    )
    assert "archive/2020/lancashire-2020-peel.pdf: unlisted" in result.stderr
    row = json.loads(first)
    row["recipient"] = "Someone Else"
    row["hash"] = _row_hash(row)  # a careful forger re-hashes the row...
    manifest.write_text(json.dumps(row) + "\n" + second + "\n")
    result = _run("--verify")
    assert result.exit_code == 1  # ...and breaks the chain after it
    assert result.stderr.splitlines()[0].startswith(
        "archive/manifest.jsonl row 2 (lancashire-2020-peel version 2): re-chained"
    )


def test_verify_and_head_take_no_data(archived: Path) -> None:
    result = _run("--verify", LETTER)
    assert result.exit_code == 2 and "--verify and --head take no DATA files" in result.stderr


def test_a_bilingual_letter_files_a_pdf_per_language(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    result = _run("data/examples/dyfed-powys-2025-peel-bilingual.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "filed archive/2025/dyfed-powys-2025-peel-bilingual.cy.pdf (version 1)",
        "filed archive/2025/dyfed-powys-2025-peel-bilingual.en.pdf (version 1)",
    ]
    rows = read_manifest(scratch / "archive")
    assert [row["language"] for row in rows] == ["cy", "en-GB"] and rows[1]["prev"] == rows[0][
        "hash"
    ]
    assert _run("--verify").exit_code == 0
