"""The archive: record PDFs filed by year with an append-only, hash-chained manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ArchiveError
from .output import write_all, write_new
from .provenance import file_digest

MANIFEST = "manifest.jsonl"
GENESIS = "0" * 64


@dataclass(frozen=True)
class Record:
    """What the archive needs to file one letter: its record PDF, sources and particulars."""

    letter_id: str
    pdf: bytes
    sources: dict[str, bytes]
    particulars: dict[str, Any]
    letter_date: dt.date
    retention_years: int


@dataclass(frozen=True)
class Filed:
    """The outcome of filing one letter: where, which version, and whether anything was written."""

    path: Path
    version: int
    written: bool


def row_hash(row: dict[str, Any]) -> str:
    """Hash a manifest row's canonical JSON (SHA-256), leaving out its own hash."""
    content = {key: value for key, value in row.items() if key != "hash"}
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )
    ).hexdigest()


def read_manifest(root: Path) -> list[dict[str, Any]]:
    """Read the manifest's rows, in order; an empty list for a new archive."""
    path = root / MANIFEST
    if not path.exists():
        return []
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ArchiveError(f"{path}:{number}: not a manifest row ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ArchiveError(f"{path}:{number}: not a manifest row (expected a JSON object)")
        rows.append(row)
    return rows


def head(root: Path) -> str:
    """Return the hash of the manifest's last row: recorded elsewhere, it shows a removed row."""
    rows = read_manifest(root)
    return str(rows[-1]["hash"]) if rows else GENESIS


def file_letter(
    record: Record, root: Path, new_version: bool = False, now: dt.datetime | None = None
) -> Filed:
    """File a letter's record PDF and append its manifest row; never overwrite anything.

    Filing an unchanged letter again does nothing; a changed one needs `new_version`.
    """
    rows = read_manifest(root)
    mine = [row for row in rows if row.get("id") == record.letter_id]
    digest = file_digest(record.pdf)
    if mine:
        latest = mine[-1]
        if latest.get("pdf_sha256") == digest:
            return Filed(root / latest["file"], int(latest["version"]), written=False)
        if not new_version:
            raise ArchiveError(
                f"{record.letter_id}: already archived as {latest['file']} (version "
                f"{latest['version']}) and the letter has changed since;"
                " file it as a new version with --new-version, or restore the archived sources"
            )
    version = int(mine[-1]["version"]) + 1 if mine else 1
    name = f"{record.letter_id}.pdf" if version == 1 else f"{record.letter_id}.v{version}.pdf"
    relative = f"{record.letter_date.year}/{name}"
    row: dict[str, Any] = {
        "id": record.letter_id,
        "version": version,
        "file": relative,
        **record.particulars,
        "pdf_sha256": digest,
        "sources_sha256": {name: file_digest(data) for name, data in record.sources.items()},
        "tool_version": __version__,
        "archived_at": (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat(),
        "review_by": _years_after(record.letter_date, record.retention_years).isoformat(),
        "prev": rows[-1]["hash"] if rows else GENESIS,
    }
    row["hash"] = row_hash(row)
    try:
        write_new(root / relative, record.pdf)
    except FileExistsError:
        raise ArchiveError(
            f"{root / relative} already exists; the archive never overwrites a file"
        ) from None
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in [*rows, row]]
    write_all({root / MANIFEST: ("\n".join(lines) + "\n").encode("utf-8")})
    return Filed(root / relative, version, written=True)


def _years_after(day: dt.date, years: int) -> dt.date:
    """Return the same day some years later (28 February for a 29th in a year without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def verify(root: Path) -> list[str]:
    """Re-hash every file and the chain; name what is missing, altered, unlisted or edited."""
    problems: list[str] = []
    rows = read_manifest(root)
    listed: set[str] = set()
    previous = GENESIS
    for number, row in enumerate(rows, start=1):
        label = f"{MANIFEST} row {number} ({row.get('id', '?')} version {row.get('version', '?')})"
        if row.get("hash") != row_hash(row):
            problems.append(f"{label}: edited: the row no longer matches its hash")
        if row.get("prev") != previous:
            problems.append(
                f"{label}: re-chained: it does not follow the row before it (a row was removed, "
                "inserted or reordered)"
            )
        previous = str(row.get("hash"))
        relative = str(row.get("file", ""))
        listed.add(relative)
        path = root / relative
        if not path.is_file():
            problems.append(f"{relative}: missing: listed in {label} but not in the archive")
        elif file_digest(path.read_bytes()) != row.get("pdf_sha256"):
            problems.append(f"{relative}: altered: its SHA-256 differs from {label}")
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and relative != MANIFEST
            and relative not in listed
            and not path.name.startswith(".")
        ):
            problems.append(f"{relative}: unlisted: in the archive but not in {MANIFEST}")
    return problems
