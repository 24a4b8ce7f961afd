"""The versions of letters as sent: read from the snapshot store, each file checked.

Each version's record in approvals/ names its data as sent (`sent_as`, or the snapshot's own
data) and the public files kept when it was published (the HTML page and the public PDF).
Each is read by its digest and refused if the record was altered: a public file that any
record names as a copy sent, a DOCX or an input; a public PDF that is no PDF; data as sent
that is not the letter approved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..build.output import named_language, output_name, write_all
from ..build.project import Project
from ..build.snapshot import (
    STORE,
    Approval,
    SnapshotError,
    Store,
    cache_folder,
    changed_fields,
    frozen_part,
    materialise,
)
from ..source.copies import BY_AUDIENCE
from ..source.load import load_source
from ..source.model import Letter, Month
from ..source.validate import LoadedLetter, load_letter
from .due import due_of


@dataclass(frozen=True)
class SentVersion:
    """One version of a letter as it was sent: its record, its data, its public files."""

    name: str
    approval: Approval
    loaded: LoadedLetter
    #: The office file the letter names, by its place in the project.
    office: str
    #: The public copy's files as kept when it was sent: file name -> bytes.
    files: dict[str, bytes]
    #: The day its comments were published (a month, or None if not recorded).
    published: dt.date | Month | None

    @property
    def letter(self) -> Letter:
        """Return the letter's data as sent."""
        return self.loaded.letter

    @property
    def day(self) -> dt.date:
        """Return one day for ordering and the feed: its publication's, else its record day."""
        return self.published if isinstance(self.published, dt.date) else self.letter.record_day


def sent_letters(project: Project) -> dict[str, list[SentVersion]]:
    """Find every letter under data/ with a version sent, and its sent versions, oldest first."""
    store = Store(project.root)
    folder = project.root / STORE / "letters"
    names = sorted(
        {
            path.parent.relative_to(folder).as_posix() + ".yaml"
            for path in (folder / "data").rglob("*.json")
            if path.is_file()
        }
        if (folder / "data").is_dir()
        else set()
    )
    records = {name: store.approvals(name) for name in names}
    roles = _roles(records)
    found: dict[str, list[SentVersion]] = {}
    for name, approvals in records.items():
        versions = [_as_sent(a, store, project, roles) for a in approvals if a.sent]
        if versions:
            found[name] = versions
    return found


#: What a file kept in the store is to the records, where it is no public copy's file:
#: (letter, its file's name or 'input NAME').
Roles = dict[str, set[tuple[str, str]]]
#: The ends of the public copy's files' names (the page, the PDFs), as outputs name them.
_PUBLIC_SUFFIXES = tuple(fmt.suffix for fmt in BY_AUDIENCE["public"].formats)


def _roles(records: dict[str, list[Approval]]) -> Roles:
    """Say, for each digest the records name that is not a public file, what it is.

    Two letters may have the same public files (one copied to another name and sent too),
    but no public file is ever a copy sent (signed), a DOCX, or an input such as the data.
    """
    roles: Roles = defaultdict(set)
    for name, approvals in records.items():
        for approval in approvals:
            for given, digest in approval.inputs.items():
                roles[digest].add((name, f"input {given}"))
            if approval.sent_as:
                roles[approval.sent_as].add((name, "its data as sent"))
            for files in approval.outputs.values():
                for file, digest in files.items():
                    if not file.endswith(_PUBLIC_SUFFIXES):
                        roles[digest].add((name, file))
    return roles


def _as_sent(approval: Approval, store: Store, project: Project, roles: Roles) -> SentVersion:
    """Read one sent version from the store: its data as sent, checked, and its public files."""
    name = approval.letter
    shown = f"{name} version {approval.version}"
    record = f"{STORE}/letters/{name.removesuffix('.yaml')}/{approval.version}.json"
    data = store.get(approval.data_as_sent, f"{name} as sent (version {approval.version})")
    folder = cache_folder(project.root, "site", name)
    into = folder / str(approval.version)
    root = materialise(approval, store, into, {name: data}, under="data/")
    if approval.data_as_sent != approval.inputs.get(name, approval.data_as_sent):
        _same_letter(approval, store, folder, root / name, record)
    loaded = load_letter(root / name, root)
    letter = loaded.letter
    office = loaded.source.files[1].resolve().relative_to(root.resolve()).as_posix()
    kept = approval.outputs.get("sent", {})
    stem = Path(name).stem
    files = {}
    for fmt in BY_AUDIENCE["public"].formats:
        codes = letter.languages if fmt.per_language else [""]
        for code in codes:
            file = output_name(stem, fmt.suffix, named_language(code, letter.languages))
            if file not in kept:
                raise SnapshotError(
                    f"{shown}: its record keeps no {file} as sent; publish it again "
                    "(letters publish) to keep its files"
                )
            other = sorted(roles.get(kept[file], set()))
            if other:
                letter_of, what = other[0]
                raise SnapshotError(
                    f"{record}: its {file} as sent is {what} of {letter_of}, not the public "
                    "copy: the record was altered. Restore approvals/ from a backup (or git)"
                )
            files[file] = _public(store.get(kept[file], f"{file} of {shown} as sent"), file, record)
    due = due_of(name, loaded)
    published = due.published if isinstance(due.published, dt.date | Month) else None
    if letter.status.state != "sent":  # published before records kept the data as sent
        published = None
    return SentVersion(name, approval, loaded, office, files, published)


def _same_letter(approval: Approval, store: Store, folder: Path, sent: Path, record: str) -> None:
    """Refuse data as sent that is not the letter approved (its status and publication aside)."""
    approved = folder / f"{approval.version}.approved.yaml"
    data = store.get(approval.inputs[approval.letter], f"{approval.letter} as approved")
    if not approved.is_file() or approved.is_symlink() or approved.read_bytes() != data:
        write_all({approved: data})
    changed = changed_fields(
        frozen_part(load_source(approved, folder).tree), frozen_part(load_source(sent, folder).tree)
    )
    if changed:
        raise SnapshotError(
            f"{record}: its data as sent (sent_as) is not the letter approved ({changed[0]} "
            "differs): the record was altered. Restore approvals/ from a backup (or git)"
        )


def _public(data: bytes, file: str, record: str) -> bytes:
    """Refuse a kept public file that is not what its name says (a PDF, a UTF-8 page)."""
    if file.endswith(".pdf") and not data.startswith(b"%PDF-"):
        raise SnapshotError(
            f"{record}: its {file} as sent is no PDF: the record was altered. Restore "
            "approvals/ from a backup (or git)"
        )
    if file.endswith(".html"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise SnapshotError(
                f"{record}: its {file} as sent is no web page: the record was altered. Restore "
                "approvals/ from a backup (or git)"
            ) from None
    return data
