"""The archive: record PDFs filed by year with an append-only, hash-chained manifest."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..source import inputs
from ..source.errors import UNPRINTABLE, ArchiveError, InputError, LettersError
from ..source.inputs import read_regular
from ..source.provenance import file_digest
from .archive_keys import PUBLIC_COPY, Signer, log_head
from .output import is_staged, write_all, write_new

MANIFEST = "manifest.jsonl"
#: The lock every filing holds, and the journal of a filing under way.
LOCK, JOURNAL = ".lock", ".filing.json"
GENESIS = "0" * 64


@dataclass(frozen=True)
class Record:
    """What the archive needs to file one letter: its record PDF, sources and particulars."""

    letter_id: str
    pdf: bytes
    sources: dict[str, bytes]
    particulars: dict[str, Any]
    #: The letter's date, which names its year's folder and starts its retention; for a letter
    #: dated by its month, or unknown, the last day it can bear (`Letter.record_day`), so
    #: it is never reviewed early.
    letter_date: dt.date
    retention_years: int


@dataclass(frozen=True)
class Filed:
    """The outcome of filing one letter: where, which version, and whether anything was written."""

    path: Path
    version: int
    written: bool
    #: What was done first to finish or undo an earlier, interrupted filing.
    recovered: tuple[str, ...] = ()
    #: Not written, though the PDF made now differs from the one filed: it was made from the
    #: same inputs, by another version of letters or of its libraries.
    rendered_anew: bool = False
    #: The hash of the manifest's new last row, when a row was written.
    head: str = ""


def _canonical(row: dict[str, Any], leaving_out: tuple[str, ...]) -> bytes:
    """Write a row's canonical JSON, leaving out some of its keys."""
    content = {key: value for key, value in row.items() if key not in leaving_out}
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def row_hash(row: dict[str, Any]) -> str:
    """Hash a manifest row's canonical JSON (SHA-256), leaving out its own hash."""
    return hashlib.sha256(_canonical(row, ("hash",))).hexdigest()


def signed_part(row: dict[str, Any]) -> bytes:
    """Return what a row's signature is over: its canonical JSON, `prev` included.

    The hash is left out (it covers the signature); so is the signature itself.
    """
    return _canonical(row, ("hash", "signature"))


class _TwiceNamed(ValueError):
    """A JSON object names one key twice."""


def _once_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Make a JSON object, refusing a key given twice (json.loads keeps the last silently)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise _TwiceNamed(key)
        seen.add(key)
    return dict(pairs)


def read_manifest(root: Path) -> list[dict[str, Any]]:
    """Read the manifest's rows, in order; an empty list for a new archive."""
    path = root / MANIFEST
    if not os.path.lexists(path):
        return []
    try:  # a regular file, not through a link: a FIFO would hold every command for ever
        text = read_regular(path, inputs.MANIFEST, str(path)).decode("utf-8")
    except InputError as exc:
        raise ArchiveError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ArchiveError(
            f"{path}: not a manifest (byte {exc.start + 1} is not UTF-8 text); restore it from "
            "a backup"
        ) from None
    rows = []
    # Rows end at a newline alone: an older manifest may hold a U+2028 inside a row, which
    # str.splitlines would take for a line's end.
    for number, line in enumerate(text.removesuffix("\n").split("\n") if text else [], start=1):
        try:
            row = json.loads(line, object_pairs_hook=_once_each)
        except RecursionError:
            raise ArchiveError(f"{path}:{number}: not a manifest row (nested too deeply)") from None
        except json.JSONDecodeError as exc:
            raise ArchiveError(f"{path}:{number}: not a manifest row ({exc.msg})") from None
        except _TwiceNamed as exc:
            raise ArchiveError(
                f"{path}:{number}: not a manifest row ({exc.args[0]!r} is given twice: a reader "
                "would see one value and its hash the other); restore it from a backup"
            ) from None
        if not isinstance(row, dict):
            raise ArchiveError(f"{path}:{number}: not a manifest row (expected a JSON object)")
        wrong = _row_problem(row)
        if wrong:
            raise ArchiveError(
                f"{path}:{number}: not a manifest row ({wrong}); restore it from a backup"
            )
        rows.append(row)
    return rows


#: Where a row files its PDF: the year's folder, then a plain name.
_FILED_AS = re.compile(r"\d{4}/[A-Za-z0-9][A-Za-z0-9_-]{0,99}(?:\.[a-z]{2})?(?:\.v\d{1,6})?\.pdf")


def _row_problem(row: dict[str, Any]) -> str:
    """Say what is wrong with the fields filing relies on in a row ('' if nothing)."""
    version = row.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 0 < version < 1_000_000:
        return "its version is not a number from 1"
    if not isinstance(row.get("id"), str) or UNPRINTABLE.search(row["id"]):
        return "its id is not a plain name"
    if not isinstance(row.get("file"), str) or not _FILED_AS.fullmatch(row["file"]):
        return "its file is not <year>/<name>.pdf"
    if not isinstance(row.get("hash"), str) or not re.fullmatch(r"[0-9a-f]{64}", row["hash"]):
        return "its hash is not a SHA-256 digest"
    return ""


def existing(root: Path) -> Path:
    """Return an archive's folder, refusing one that holds no archive (a mistyped --to)."""
    if not any((root / name).exists() for name in (MANIFEST, JOURNAL)):
        raise ArchiveError(f"{root}: no archive here (no {MANIFEST}); check --to")
    return root


def head(root: Path) -> str:
    """Return the hash of the manifest's last row: recorded elsewhere, it shows a removed row."""
    rows = read_manifest(root)
    if not rows:
        return GENESIS
    if not isinstance(rows[-1].get("hash"), str):
        raise ArchiveError(f"{root / MANIFEST}:{len(rows)}: the last row has no hash; run --verify")
    return str(rows[-1]["hash"])


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold the archive's lock: one filing at a time, from reading the manifest to its new row.

    The lock is an flock on archive/.lock, which holds between processes on a local disk (and
    on NFS, where Linux maps it to a POSIX lock); where it cannot be taken, filing stops.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = os.open(root / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise ArchiveError(f"{root}: cannot open the archive's lock: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError as exc:
            raise ArchiveError(
                f"{root}: cannot lock the archive ({exc.strerror}); its folder may be on a share "
                "that does not support locks (see README: archiving); file from a local disk"
            ) from None
        yield
    finally:
        os.close(handle)  # closing releases the lock


def file_letter(
    record: Record,
    root: Path,
    new_version: bool = False,
    now: dt.datetime | None = None,
    signer: Signer | None = None,
    head_log: Path | None = None,
) -> Filed:
    """File a letter's record PDF and append its manifest row; never overwrite anything.

    Filing an unchanged letter again does nothing, even where an upgrade of letters or its
    libraries writes its PDF differently (its inputs' digest is the same); a changed one
    needs `new_version`. With a `signer` each new row is signed; without one, an archive
    whose rows are signed is refused. Each new head is added to `head_log`, if given.
    Filing holds the archive's lock, and writes a journal first, so that a filing that was
    killed part-way is completed or undone by the next.
    """
    with _locked(root):
        _sweep(root)
        recovered = _recover(root)
        rows = read_manifest(root)
        mine = [row for row in rows if row.get("id") == record.letter_id]
        digest = file_digest(record.pdf)
        if mine:
            latest = mine[-1]
            if latest.get("pdf_sha256") == digest:
                return Filed(root / latest["file"], int(latest["version"]), False, recovered)
            if not new_version:
                if latest.get("inputs_sha256") == record.particulars.get("inputs_sha256"):
                    filed = root / latest["file"]
                    return Filed(filed, int(latest["version"]), False, recovered, True)
                raise ArchiveError(
                    f"already archived as {latest['file']} (version "
                    f"{latest['version']}) and the letter has changed since;"
                    " file it as a new version with --new-version, or restore the archived sources"
                )
        if signer is None and any("signature" in row for row in rows):
            raise ArchiveError(
                f"{root}: its rows are signed, and no key to sign with is set up; an unsigned"
                " row would fail --verify (see README: archiving)"
            )
        row = _row(record, mine, rows, digest, now, signer)
        _write_journal(root, row)
        try:
            _file_pdf(root, row["file"], record.pdf)
        except ArchiveError:  # refused, nothing written: no filing to finish or undo
            _clear_journal(root)
            raise
        _append_row(root, rows, row)
        _clear_journal(root)
        if head_log is not None:
            log_head(head_log, root, row["hash"], now)
        return Filed(root / row["file"], row["version"], True, recovered, head=row["hash"])


def _row(
    record: Record,
    mine: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    digest: str,
    now: dt.datetime | None,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """Make the manifest row that files a record as the letter's next version."""
    version = int(mine[-1]["version"]) + 1 if mine else 1
    name = f"{record.letter_id}.pdf" if version == 1 else f"{record.letter_id}.v{version}.pdf"
    row: dict[str, Any] = {
        "id": record.letter_id,
        "version": version,
        "file": f"{record.letter_date.year}/{name}",
        **record.particulars,
        "pdf_sha256": digest,
        "sources_sha256": {name: file_digest(data) for name, data in record.sources.items()},
        "tool_version": __version__,
        "archived_at": (now or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat(),
        "review_by": _years_after(record.letter_date, record.retention_years).isoformat(),
        "prev": rows[-1]["hash"] if rows else GENESIS,
    }
    if signer is not None:
        row["signed_by"] = signer.key_id
        row["signature"] = signer.sign(signed_part(row))
    row["hash"] = row_hash(row)
    return row


def _write_journal(root: Path, row: dict[str, Any]) -> None:
    """Record the row about to be filed, before anything else is written (step 1 of 4)."""
    write_all({root / JOURNAL: json.dumps(row, ensure_ascii=True, sort_keys=True).encode()})


def _file_pdf(root: Path, relative: str, pdf: bytes) -> None:
    """Put the PDF in place, never over another file nor through a link (step 2 of 4)."""
    target = root / relative
    if _outside(root, target):
        raise ArchiveError(
            f"{target} would lie outside the archive (a link?); the archive files only inside"
            f" {root}"
        )
    try:
        write_new(root / relative, pdf)
    except FileExistsError:
        raise ArchiveError(
            f"{root / relative} already exists; the archive never overwrites a file"
        ) from None
    except OSError as exc:  # a full disk, say: the staged copy is gone, nothing was filed
        raise ArchiveError(
            f"cannot file {root / relative}: {exc.strerror or exc}; nothing was filed"
        ) from None


def _append_row(root: Path, rows: list[dict[str, Any]], row: dict[str, Any]) -> None:
    """Write the manifest again with the new row at its end (step 3 of 4)."""
    # ASCII: no character in a row (U+2028, say) can be taken for the end of a line
    lines = [json.dumps(r, ensure_ascii=True, sort_keys=True) for r in [*rows, row]]
    write_all({root / MANIFEST: ("\n".join(lines) + "\n").encode("utf-8")})


def _clear_journal(root: Path) -> None:
    """Remove the journal: the filing is complete (step 4 of 4)."""
    (root / JOURNAL).unlink(missing_ok=True)


def _outside(root: Path, path: Path) -> bool:
    """Say whether a path in the archive is a link or leads outside the archive's folder."""
    return path.is_symlink() or not path.resolve().is_relative_to(root.resolve())


def _sweep(root: Path) -> None:
    """Remove the temporary files a killed filing left; holding the lock, none is in use."""
    for leftover in [*root.rglob(".*.part"), *root.rglob(".*.old")]:
        if is_staged(leftover.name) and not leftover.is_symlink():
            leftover.unlink(missing_ok=True)


def _recover(root: Path) -> tuple[str, ...]:
    """Finish or undo the filing the journal records, holding the lock; say what was done."""
    path = root / JOURNAL
    if not os.path.lexists(path):
        return ()
    try:  # a regular file, not through a link: one leading elsewhere is no journal of ours
        row = json.loads(read_regular(path, inputs.JOURNAL, str(path)))
        relative, digest = str(row["file"]), str(row["pdf_sha256"])
    except (LettersError, ValueError, KeyError, TypeError, RecursionError):
        raise ArchiveError(
            f"{path}: an interrupted filing's journal is unreadable; run --verify"
        ) from None
    rows = read_manifest(root)
    pdf = root / relative
    if not _FILED_AS.fullmatch(relative) or _outside(root, pdf):
        raise ArchiveError(
            f"{path}: the interrupted filing names {relative!r}, outside the archive; "
            "run --verify and remove the journal"
        )
    if any(r.get("hash") == row.get("hash") for r in rows):
        done = f"{relative}: its filing was complete; cleared its journal"
    elif pdf.is_file() and file_digest(pdf.read_bytes()) == digest:
        if row.get("prev") != (rows[-1]["hash"] if rows else GENESIS):
            raise ArchiveError(
                f"{path}: an interrupted filing no longer follows the manifest's last row; run"
                " --verify"
            )
        _append_row(root, rows, row)
        done = f"{relative}: completed a filing that was interrupted before its manifest row"
    elif pdf.exists():
        raise ArchiveError(
            f"{relative}: differs from the filing that was interrupted; run --verify and restore it"
        )
    else:
        done = f"{relative}: rolled back a filing that was interrupted before its PDF was filed"
    _clear_journal(root)
    return (done,)


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
        if _outside(root, path):
            problems.append(f"{relative}: a link: {label} lists a file outside the archive")
        elif not path.is_file():
            problems.append(f"{relative}: missing: listed in {label} but not in the archive")
        elif file_digest(path.read_bytes()) != row.get("pdf_sha256"):
            problems.append(f"{relative}: altered: its SHA-256 differs from {label}")
    if (root / MANIFEST).is_symlink():
        problems.append(f"{MANIFEST}: a link: the manifest must be a file in the archive")
    if (root / JOURNAL).exists():
        problems.append(
            f"{JOURNAL}: a filing was interrupted; file again (or run letters archive) to finish or"
            " undo it"
        )
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if (
            relative in (MANIFEST, LOCK, JOURNAL, PUBLIC_COPY)
            and not path.is_symlink()
            or relative in listed
        ):
            continue
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            problems.append(f"{relative}: not a file: a link or a special file in the archive")
        elif path.is_file():
            problems.append(f"{relative}: unlisted: in the archive but not in {MANIFEST}")
    return problems
