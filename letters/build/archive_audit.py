"""Verifying an archive for an auditor: hashes, chain, signatures, head, modes and links."""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .archive import LOCK, MANIFEST, head, read_manifest, signed_part, verify
from .archive_keys import (
    PUBLIC_COPY,
    key_id,
    load_settings,
    read_public_key,
    refuse_inside,
    signature_holds,
)


@dataclass(frozen=True)
class Audit:
    """What --verify found: the problems (none: whole), and what it proved."""

    problems: list[str]
    rows: int
    head: str
    #: How the rows stand signed: "signed by key <id>", "unsigned (...)".
    signed: str


def audit(root: Path, public: bytes | None, expect_head: str | None = None) -> Audit:
    """Verify an archive: the hashes and chain, each row's signature against `public`, its head.

    `public` is the office's key (from its settings or --key), never the archive's own copy.
    """
    rows = read_manifest(root)
    problems = verify(root)
    problems += _signatures(rows, public)
    problems += _copy_of_key(root, public)
    problems += _exposed(root, rows)
    last = head(root)
    if expect_head is not None and last != expect_head.strip().lower():
        problems.append(
            f"{MANIFEST}: its last row is {last}, not the head expected ({expect_head}): rows "
            "were removed, added or rewritten since"
        )
    return Audit(problems, len(rows), last, _how_signed(rows, public))


def _label(number: int, row: dict[str, Any]) -> str:
    """Name a row as the problems do."""
    return f"{MANIFEST} row {number} ({row.get('id', '?')} version {row.get('version', '?')})"


def _signatures(rows: list[dict[str, Any]], public: bytes | None) -> list[str]:
    """Check each row's signature; name the first row that fails, and how many follow it."""
    signed_before = False
    for number, row in enumerate(rows, start=1):
        label = _label(number, row)
        if "signature" not in row:
            if signed_before:
                return [f"{label}: unsigned after a signed row: the row was not filed by letters"]
            continue
        signed_before = True
        if public is None:
            return [
                f"{label}: signed, and no public key to check it with: name it in the office's "
                "settings or give --key"
            ]
        if not signature_holds(public, row.get("signature"), signed_part(row)):
            after = len(rows) - number
            more = f" (and the {after} row{'s' if after != 1 else ''} after it)" if after else ""
            return [
                f"{label}: not signed by the office's key {key_id(public)}: the row was "
                f"rewritten, moved or re-signed{more}"
            ]
    return []


def _how_signed(rows: list[dict[str, Any]], public: bytes | None) -> str:
    """Say how the rows stand signed, for the verdict."""
    if not any("signature" in row for row in rows):
        return "unsigned (filed before the archive had a key)"
    first = next(n for n, row in enumerate(rows, start=1) if "signature" in row)
    since = f" from row {first}" if first > 1 else ""
    return f"signed{since} by key {key_id(public) if public else '?'}"


def _copy_of_key(root: Path, public: bytes | None) -> list[str]:
    """Report an archive copy of the public key that is not the office's."""
    path = root / PUBLIC_COPY
    if public is None or not path.is_file() or path.is_symlink():
        return []
    if path.read_bytes().strip() != base64.b64encode(public):
        return [
            f"{PUBLIC_COPY}: not the office's public key {key_id(public)}: the copy in the "
            "archive was replaced (only the settings' key is trusted)"
        ]
    return []


def _exposed(root: Path, rows: list[dict[str, Any]]) -> list[str]:
    """Report files writable by others or hard-linked, and a lock file with content."""
    problems = []
    for relative in [MANIFEST, PUBLIC_COPY, *(str(row.get("file", "")) for row in rows)]:
        path = root / relative
        try:
            info = path.lstat()
        except OSError:
            continue  # missing: reported by verify
        if not stat.S_ISREG(info.st_mode):
            continue
        if info.st_mode & stat.S_IWOTH:
            problems.append(f"{relative}: writable by others (mode {stat.filemode(info.st_mode)})")
        if info.st_nlink > 1:
            problems.append(
                f"{relative}: hard-linked ({info.st_nlink} names): a change through another "
                "name changes it here"
            )
    lock = root / LOCK
    if os.path.lexists(lock) and not lock.is_symlink() and lock.is_file():
        if lock.stat().st_size:
            problems.append(f"{LOCK}: holds content ({lock.stat().st_size} bytes); it is empty")
    return problems


def office_key(root: Path, key_file: Path | None) -> bytes | None:
    """Return the public key to check signatures with: --key's, else the settings'; or None."""
    if key_file is not None:
        refuse_inside(root, key_file, "public key given with --key")
        return read_public_key(key_file)
    return load_settings().public_key
