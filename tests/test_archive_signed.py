"""A signed archive: rows signed with the office's key, a head to expect, and --list."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_of_project, run_in
from letters.build.archive import GENESIS, MANIFEST, read_manifest, row_hash, signed_part
from letters.build.archive_keys import PUBLIC_COPY, SETTINGS_VARIABLE

LETTERS = (
    "data/lancashire-2020-peel.yaml",
    "data/examples/durham-2023-peel.yaml",
    "data/examples/mopac-2025-peel.yaml",
)


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Make a key and file three letters, signed, in a project of their own (done once)."""
    root = copy_of_project(tmp_path_factory.mktemp("signed"), drafts=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SETTINGS_VARIABLE, str(root / "office" / "archive.toml"))
        status, out, err = run_in(root, patch, "archive", "--init-key")
        assert status == 0, err
        assert "made key" in out
        status, out, err = run_in(root, patch, "archive", *LETTERS)
        assert status == 0, err
        assert out.count("filed ") == 3 and err.count("archive head ") == 3
    return root


@pytest.fixture
def project(filed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Copy the signed archive and the office's settings into a project a test may change."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("archive", "office"):
        shutil.copytree(filed / name, root / name, symlinks=True)
    settings = (filed / "office" / "archive.toml").read_text().replace(str(filed), str(root))
    (root / "office" / "archive.toml").write_text(settings)
    monkeypatch.setenv(SETTINGS_VARIABLE, str(root / "office" / "archive.toml"))
    yield root


def _verify(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    return run_in(root, monkeypatch, "archive", "--verify", *args)


def _rechain(root: Path, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    """Rewrite the manifest as someone without the key would: change, then recompute every hash."""
    rows = change(read_manifest(root / "archive"))
    previous = GENESIS
    for row in rows:
        row["prev"] = previous
        row["hash"] = previous = row_hash(row)
    manifest = root / "archive" / MANIFEST
    os.chmod(manifest, 0o644)
    manifest.write_text("".join(json.dumps(row, sort_keys=True) + "\n" for row in rows))


def test_a_signed_archive_verifies_and_says_by_which_key(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = _verify(project, monkeypatch)
    assert (status, err) == (0, "")
    assert out.startswith("archive: verified 3 filed letters; chain head ")
    assert "; signed by key " in out
    rows = read_manifest(project / "archive")
    assert all(row["signature"] and row["signed_by"] for row in rows)
    log = (project / "office" / "archive-heads.log").read_text().splitlines()
    assert log[-1].endswith(rows[-1]["hash"])


def test_an_edited_row_rehashed_fails_on_that_row(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows[1]["recipient"] = "Someone else"
        return rows

    _rechain(project, edit)
    status, _, err = _verify(project, monkeypatch)
    assert status == 1
    assert "manifest.jsonl row 2 (durham-2023-peel version 1): not signed by the office's" in err
    assert "(and the 1 row after it)" in err
    assert "row 1 " not in err


@pytest.mark.parametrize(
    ("change", "first"),
    [
        (lambda rows: [rows[0], rows[2]], "row 2 (mopac-2025-peel"),  # the middle deleted
        (lambda rows: [rows[1], rows[0], rows[2]], "row 1 (durham-2023-peel"),  # swapped
        (lambda rows: [rows[2], rows[0], rows[1]], "row 1 (mopac-2025-peel"),  # reordered
    ],
    ids=["delete-middle", "swap", "reorder"],
)
def test_a_rechained_manifest_fails_on_the_first_row_moved(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    first: str,
) -> None:
    _rechain(project, change)
    status, _, err = _verify(project, monkeypatch)
    assert status == 1
    assert f"manifest.jsonl {first} version 1): not signed by the office's key" in err


def test_deleting_the_last_row_shows_only_against_the_head_expected(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = read_manifest(project / "archive")[-1]["hash"]
    _rechain(project, lambda rows: rows[:-1])
    (project / "archive" / "2025" / "mopac-2025-peel.pdf").unlink()
    assert _verify(project, monkeypatch)[0] == 0  # a shorter chain is still a whole one
    status, _, err = _verify(project, monkeypatch, "--expect-head", head)
    assert status == 1
    assert f"not the head expected ({head})" in err


def test_deleting_every_row_fails_against_the_head_expected(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = read_manifest(project / "archive")[-1]["hash"]
    _rechain(project, lambda rows: [])
    for year in ("2020", "2024", "2025"):
        shutil.rmtree(project / "archive" / year)
    status, _, err = _verify(project, monkeypatch, "--expect-head", head)
    assert status == 1
    assert f"its last row is {GENESIS}, not the head expected" in err


def test_a_new_key_in_the_archive_and_every_row_resigned_fails_against_the_office_key(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from letters.build.archive_keys import load_settings, signer

    # the forger makes a key of their own, outside the office's settings
    monkeypatch.setenv(SETTINGS_VARIABLE, str(tmp_path / "forger" / "archive.toml"))
    assert run_in(project, monkeypatch, "archive", "--init-key", "--to", "elsewhere")[0] == 0
    forged = signer(load_settings(), project / "archive")
    assert forged is not None
    (project / "archive" / PUBLIC_COPY).chmod(0o644)
    shutil.copy(project / "elsewhere" / PUBLIC_COPY, project / "archive" / PUBLIC_COPY)

    def resign(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        previous = GENESIS
        for row in rows:
            row["prev"], row["signed_by"] = previous, forged.key_id
            row["signature"] = forged.sign(signed_part(row))
            row["hash"] = previous = row_hash(row)
        return rows

    _rechain(project, resign)  # rechaining again changes nothing: the signatures still hold
    assert _verify(project, monkeypatch)[0] == 0  # against the forger's own settings
    monkeypatch.setenv(SETTINGS_VARIABLE, str(project / "office" / "archive.toml"))
    status, _, err = _verify(project, monkeypatch)
    assert status == 1
    assert "row 1 (lancashire-2020-peel version 1): not signed by the office's key" in err
    assert f"{PUBLIC_COPY}: not the office's public key" in err


def test_key_names_the_public_key_to_check_with(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = tmp_path / "office.pub"
    shutil.copy(project / "archive" / PUBLIC_COPY, key)
    monkeypatch.setenv(SETTINGS_VARIABLE, str(tmp_path / "none.toml"))
    assert _verify(project, monkeypatch, "--key", str(key))[0] == 0
    status, _, err = _verify(project, monkeypatch)
    assert status == 1
    assert "signed, and no public key to check it with" in err


def test_an_unsigned_row_after_a_signed_one_fails(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unsign(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        del rows[2]["signature"], rows[2]["signed_by"]
        return rows

    _rechain(project, unsign)
    status, _, err = _verify(project, monkeypatch)
    assert status == 1
    assert "row 3 (mopac-2025-peel version 1): unsigned after a signed row" in err


def test_an_archive_from_before_keys_verifies_and_says_it_is_unsigned(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def unsign(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for row in rows:
            del row["signature"], row["signed_by"]
        return rows

    _rechain(project, unsign)
    (project / "archive" / PUBLIC_COPY).unlink()
    monkeypatch.setenv(SETTINGS_VARIABLE, str(tmp_path / "none.toml"))
    status, out, _ = _verify(project, monkeypatch)
    assert status == 0
    assert out.endswith("; unsigned (filed before the archive had a key)\n")


def test_verify_reports_writable_records_a_full_lock_and_hard_links(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    archive = project / "archive"
    (archive / "2020" / "lancashire-2020-peel.pdf").chmod(0o666)
    (archive / ".lock").write_text("hidden")
    os.link(archive / "2024" / "durham-2023-peel.pdf", tmp_path / "outside.pdf")
    status, _, err = _verify(project, monkeypatch)
    assert status == 1
    assert "archive/2020/lancashire-2020-peel.pdf: writable by others (mode -rw-rw-rw-)" in err
    assert "archive/.lock: holds content (6 bytes)" in err
    assert "archive/2024/durham-2023-peel.pdf: hard-linked (2 names)" in err


def test_a_key_inside_the_archive_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SETTINGS_VARIABLE, str(project / "archive" / "settings.toml"))
    status, _, err = run_in(project, monkeypatch, "archive", "--init-key")
    assert status == 1
    assert "must not be kept inside the archive" in err
    assert not (project / "archive" / "settings.toml").exists()


def test_list_json_carries_what_finds_a_letter(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run_in(project, monkeypatch, "archive", "--list", "--json")
    assert (status, err) == (0, "")
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [
        "lancashire-2020-peel",
        "durham-2023-peel",
        "mopac-2025-peel",
    ]
    for row in rows:
        assert {"kind", "force", "status", "sent_on", "letter_version", "supersedes"} <= set(row)
    assert rows[0]["kind"] == "integrated-peel-2018" and rows[0]["letter_version"] == 1
    _, out, _ = run_in(project, monkeypatch, "archive", "--list", "--json", "--year", "2024")
    assert [row["id"] for row in json.loads(out)] == ["durham-2023-peel"]
    _, out, _ = run_in(project, monkeypatch, "archive", "--list", "--json", "--force", "lancs")
    assert json.loads(out) == []


def test_list_prints_a_table_that_fits_100_columns(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = run_in(project, monkeypatch, "archive", "--list", "--force", "Durham")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["#", "file", "kind", "state", "letter", "sent", "ver", "sup"]
    assert len(lines) == 2 and lines[1].split()[:3] == [
        "2",
        "2024/durham-2023-peel.pdf",
        "peel-2023",
    ]
    assert max(len(line) for line in lines) <= 100


def test_a_settings_file_of_the_users_is_never_rewritten(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = project / "elsewhere" / "mine.toml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text('[shared]\nhead_log = "x"\n', encoding="utf-8")
    monkeypatch.setenv(SETTINGS_VARIABLE, str(settings))
    status, _, err = run_in(project, monkeypatch, "archive", "--init-key")
    assert status == 1
    assert err == (
        f"error: {settings}: exists; letters writes the settings only as a new file. Move it "
        f"aside (or point {SETTINGS_VARIABLE} at a new file), run --init-key, then merge the "
        "two by hand\n"
    )
    assert settings.read_text(encoding="utf-8") == '[shared]\nhead_log = "x"\n'
    assert sorted(p.name for p in settings.parent.iterdir()) == ["mine.toml"]


def test_settings_named_by_a_link_are_refused_before_any_key_is_made(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = project / "linked"
    folder.mkdir()
    (folder / "s.toml").symlink_to(folder / "nothere.toml")
    monkeypatch.setenv(SETTINGS_VARIABLE, str(folder / "s.toml"))
    status, _, err = run_in(project, monkeypatch, "archive", "--init-key")
    assert (status, err) == (
        1,
        f"error: {folder / 's.toml'}: a link; name the settings file itself (letters writes "
        "it new)\n",
    )
    assert sorted(p.name for p in folder.iterdir()) == ["s.toml"]
