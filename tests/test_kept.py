"""What a cold run skips is kept under .letters-cache/made/, and never trusted unchecked.

Each entry is the format's first line, an HMAC-SHA256 tag (with this user's key, outside
the project) over its name and content, then its content. These tests forge, cut short
and outdate entries, and build in fresh processes (which keep nothing in memory).
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, run

LETTER = f"data/{DEFAULT_LETTER.name}"
MAGIC = b"letters-kept 1\n"
#: The kinds of entry a cold build of the default letter (a draft: it has a DRAFT mark) keeps.
KINDS = {"css", "docx", "drawing", "font", "includes", "template"}


def _build(root: Path, out: str, keys: Path, *more: str) -> tuple[str, str]:
    """Build the default letter (DOCX and PDF) in a fresh process; return its out and err."""
    done = run(
        [sys.executable, "-m", "letters.cli", "build", LETTER, "--format", "docx,pdf"]
        + ["--out", out, *more],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "XDG_CACHE_HOME": str(keys)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def _entries(root: Path) -> dict[str, bytes]:
    folder = root / ".letters-cache" / "made"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _tag(keys: Path, name: str, content: bytes) -> bytes:
    key = (keys / "letters" / "kept.key").read_bytes()
    return hmac.new(key, name.encode() + b"\0" + content, hashlib.sha256).digest()


def _holds(keys: Path, name: str, entry: bytes) -> bool:
    """Say whether an entry's tag is right for its content, under this user's key."""
    tag, content = entry[len(MAGIC) : len(MAGIC) + 32], entry[len(MAGIC) + 32 :]
    return entry.startswith(MAGIC) and tag == _tag(keys, name, content)


#: Compiled code that, run as a template's module, leaves a file behind: what a tampered
#: entry holding code could do if it were loaded.
PLANTED = "open('PLANTED', 'w').write('run')\n"


def _forged(name: str, entry: bytes, planted: bytes) -> bytes:
    """Replace an entry's content, keeping its first line and its (now wrong) tag."""
    head = entry[: len(MAGIC) + 32]
    if name.startswith("template-"):
        checksum = entry[len(head) : len(head) + 64]  # the SHA-256 of the source, in hex
        return head + checksum + planted
    if name.startswith(("font-", "includes-")):
        return head + b"[]"  # a font with no characters; a template including none
    return head + b"<svg/>"  # a drawing, the house CSS or an empty DOCX that is none


@pytest.mark.parametrize("damage", ["forged", "cut short"])
def test_a_damaged_entry_is_ignored_and_made_again(
    draft: Path, tmp_path_factory: pytest.TempPathFactory, damage: str
) -> None:
    keys = tmp_path_factory.mktemp("keys")
    first = _build(draft, "first", keys)
    entries = _entries(draft)
    assert {name.split("-")[0] for name in entries} == KINDS
    assert all(_holds(keys, name, entry) for name, entry in entries.items())
    code = marshal.dumps(compile(PLANTED, "planted", "exec"))
    for name, entry in entries.items():
        damaged = _forged(name, entry, code) if damage == "forged" else entry[: len(entry) // 2]
        (draft / ".letters-cache" / "made" / name).write_bytes(damaged)

    # the same files, the same warnings: nothing the damaged entries hold was used
    assert _build(draft, "second", keys) == (first[0].replace("first/", "second/"), first[1])
    for name in ("lancashire-2020-peel.docx", "lancashire-2020-peel.pdf"):
        assert (draft / "second" / name).read_bytes() == (draft / "first" / name).read_bytes()
    assert not (draft / "PLANTED").exists()
    # and each entry is made again, whole
    again = _entries(draft)
    assert sorted(again) == sorted(entries)
    assert all(_holds(keys, name, entry) for name, entry in again.items())


def test_an_entry_is_trusted_only_with_this_users_key(
    draft: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    keys = tmp_path_factory.mktemp("keys")
    _build(draft, "first", keys)
    code = marshal.dumps(compile(PLANTED, "planted", "exec"))
    templates = [name for name in _entries(draft) if name.startswith("template-")]
    # a forgery made with the key (which only this user can read) is trusted: it is the key,
    # nothing else, that keeps a planted entry out
    for name in templates:
        path = draft / ".letters-cache" / "made" / name
        checksum = path.read_bytes()[len(MAGIC) + 32 :][:64]
        path.write_bytes(MAGIC + _tag(keys, name, checksum + code) + checksum + code)
    run(
        [sys.executable, "-m", "letters.cli", "check", LETTER],
        cwd=draft,
        capture_output=True,
        env={**os.environ, "XDG_CACHE_HOME": str(keys)},
    )
    assert (draft / "PLANTED").read_text() == "run"
    (draft / "PLANTED").unlink()
    # another user's key (another key file) trusts none of them
    _build(draft, "other", tmp_path_factory.mktemp("other-keys"))
    assert not (draft / "PLANTED").exists()


def test_a_template_edited_after_it_was_kept_is_compiled_again(
    draft: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    keys = tmp_path_factory.mktemp("keys")
    _build(draft, "first", keys)
    kept = _entries(draft)
    template = draft / "templates" / "letters" / "integrated-peel-2018.md.j2"
    text = template.read_text(encoding="utf-8")
    assert text.count("quarterly scrutiny meetings") == 1
    template.write_text(
        text.replace("quarterly scrutiny meetings", "monthly scrutiny panels"), encoding="utf-8"
    )
    _build(draft, "second", keys, "--format", "html")
    page = (draft / "second" / "lancashire-2020-peel.html").read_text(encoding="utf-8")
    assert "monthly scrutiny panels" in page
    assert "quarterly scrutiny meetings" not in page
    # the template's entry now holds the code of its new source, under the same name
    digest = hashlib.sha256(template.read_bytes()).hexdigest().encode()
    changed = {n: e for n, e in _entries(draft).items() if n in kept and e != kept[n]}
    assert [e[len(MAGIC) + 32 :][:64] for e in changed.values()] == [digest]


def test_nothing_is_kept_with_a_key_others_could_read(
    draft: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    keys = tmp_path_factory.mktemp("keys")
    (keys / "letters").mkdir(mode=0o700)
    (keys / "letters" / "kept.key").write_bytes(b"k" * 32)
    (keys / "letters" / "kept.key").chmod(0o644)
    _build(draft, "first", keys)
    assert not (draft / ".letters-cache" / "made").exists()


def test_nothing_is_kept_through_a_link(
    draft: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (draft / ".letters-cache").mkdir()
    (draft / ".letters-cache" / "made").symlink_to(elsewhere, target_is_directory=True)
    _build(draft, "first", tmp_path_factory.mktemp("keys"))
    assert list(elsewhere.iterdir()) == []


def test_the_oldest_entries_go_when_there_are_too_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from letters.source import kept

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "keys"))
    folder = tmp_path / ".letters-cache" / "made"
    folder.mkdir(parents=True)
    for number in range(2000):  # entries some edits ago, the oldest first
        (folder / f"old-{number:04d}").write_bytes(b"")
        os.utime(folder / f"old-{number:04d}", ns=(number * 10**9, number * 10**9))
    kept._secret.cache_clear()  # this process's key: the test's own
    try:
        kept.write(tmp_path, "template-new", b"code")
        assert kept.read(tmp_path, "template-new") == b"code"
    finally:
        kept._secret.cache_clear()
    left = sorted(path.name for path in folder.iterdir())
    # 2,001 entries: the oldest go, leaving three quarters of the most there may be
    assert left == [f"old-{number:04d}" for number in range(501, 2000)] + ["template-new"]
