"""Approval that holds: approve, publish, reopen and list a letter's versions.

`letters approve` copies every input of the letter (its data, its office's file, signature
images, every template, the house style, the fonts and the reference lists) into the
project's snapshot store (`snapshot.Store`), builds the letter from that snapshot and keeps
its files there too, and sets the letter's status, all or nothing. From then on the letter
builds from its snapshot (`snapshot.frozen`). `publish` keeps the files as sent; `reopen`
starts the next version as a draft.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..source.errors import UNPRINTABLE, CheckError, HeldError, LettersError
from ..source.inputs import ANY, RECORD, read_input
from ..source.provenance import file_digests, tool_versions
from ..source.validate import load_letter
from .build import letter_inputs, made_here
from .data_edit import child_mapping, edited, set_fields, write_edited
from .output import FORMATS, SUFFIXES, output_name
from .prepare import prepare
from .project import Project
from .snapshot import Approval, How, Store, cache_folder, frozen, letter_name, materialise

#: The name of an approval record of letters before snapshots, beside the letter's data.
LEGACY_SUFFIX = ".approval.json"
#: The longest approver's name: a name, not a paragraph.
MAX_NAME = 100
#: The longest reason for reopening a letter.
MAX_REASON = 500


@dataclass(frozen=True)
class Version:
    """One version of a letter, as `letters history` lists it."""

    version: int
    state: str
    approved_by: str
    approved_on: dt.date | None
    how: str
    reason: str
    supersedes: int


def approve(
    data_path: Path,
    project: Project,
    by: str,
    on: dt.date | None,
    today: dt.date,
    sent: bool = False,
) -> Path:
    """Approve a draft (or, `sent`, record one sent before letters): snapshot it; return the record.

    The letter must pass its checks; recorded as sent, it may be dated by its month or unknown
    (nothing else may), and then no day is recorded as sent_on. Its next version is approved:
    the first, or the one after its latest (a reopened letter's). The approver's name goes
    into records and the archive: a control character or a line separator in it is refused,
    as is a day before the report's publication or after today.
    """
    by = _name(by)
    prepared = prepare(data_path, project, importing=sent)
    if prepared.failures():
        raise CheckError(prepared.failures())
    letter = prepared.loaded.letter
    if not sent and letter.letter.day is None:
        from ..compose.checks import undated

        raise LettersError(f"{data_path}: letter.date: {undated(letter.letter)}")
    if letter.status.state != "draft":
        raise LettersError(
            f"{data_path}: the letter is {letter.status.state} already; reopen it for a new "
            "version first (letters reopen --why ...)"
        )
    # not given: approved today; recorded as sent before letters, on the day the letter bears
    on = on or (letter.record_day if sent else today)
    _within(on, letter.report.published, "the report was published", today)
    store = Store(project.root)
    name = letter_name(data_path, project.root)
    latest = store.latest(name)
    version = letter.status.version or (latest.version + 1 if latest else 1)
    if latest and version <= latest.version:
        raise LettersError(
            f"{data_path}: status.version is {version}, but version {latest.version} is "
            "approved already; remove status.version, or give the next number"
        )
    state = "sent" if sent else "approved"
    fields: dict[str, object] = {"state": state, "approved_by": by, "approved_on": on}
    # A letter dated by its month, or unknown, was sent on a day not known: none is recorded.
    dated = letter.letter.day is not None
    fields |= {"version": version} | ({"sent_on": on, "copied_on": on} if sent and dated else {})

    def approved(tree: Any) -> None:
        set_fields(child_mapping(tree, "status"), fields, drop=("sent_on", "copied_on"))

    before, after = edited(data_path, project.root, approved, ("status",))
    inputs = {
        path: (after if path == data_path.resolve() else read_input(path, project.root, ANY))
        for path in (p.resolve() for p in letter_inputs(prepared.loaded, project))
    }
    approval = Approval(
        letter=name,
        version=version,
        approved_by=by,
        approved_on=on,
        how="sent before letters" if sent else "approved",
        letters=dict(tool_versions()).get("letters", "unknown"),
        inputs={letter_name(path, project.root): store.put(data) for path, data in inputs.items()},
        supersedes=latest.version if latest else 0,
        reason=letter.status.reopened_because,
    )
    approval = _with_outputs(approval, store, project, state, after)
    record = store.record_folder(name) / f"{version}.json"
    try:
        write_edited(data_path, project.root, before, after, {record: approval.to_json()})
    except LettersError as exc:  # say that the letter is still a draft, its folder shown short
        said = str(exc).replace(f"{project.root}/", "").removesuffix("; nothing was changed")
        raise LettersError(
            f"{data_path}: not approved: {said}; nothing was changed: the letter is still a draft"
        ) from None
    return record


def publish(data_path: Path, project: Project, on: dt.date, today: dt.date) -> None:
    """Record the day the comments were published and copied (s.55(6)): the letter is sent.

    The copies go to the inspectorate and the Home Secretary. The files as sent are kept
    with the snapshot. A second publication replaces the first's day; a day before the
    report's publication or the approval, or after today, is refused.
    """
    letter = load_letter(data_path, project.root).letter
    status = letter.status
    if status.state == "draft":
        raise LettersError("the letter is a draft; approve it first (letters approve)")
    if status.approved_on is not None and status.approved_on > letter.report.published:
        _within(on, status.approved_on, "the letter was approved", today)
    else:
        _within(on, letter.report.published, "the report was published", today)
    approved = frozen(data_path, project.root)
    assert approved is not None  # approved or sent, with its snapshot (or refused)

    def sent(tree: Any) -> None:
        set_fields(child_mapping(tree, "status"), {"state": "sent", "sent_on": on, "copied_on": on})
        set_fields(child_mapping(tree, "letter"), {"published": on})

    before, after = edited(data_path, project.root, sent, ("status", "letter.published"))
    # the data as sent is kept too: its day of publication and any delay's reason are the
    # record's, and the publication pages' (`letters site`), whatever the file says later
    kept = replace(approved.approval, sent_as=approved.store.put(after))
    approval = _with_outputs(kept, approved.store, project, "sent", after)
    write_edited(data_path, project.root, before, after, {approved.record: approval.to_json()})


def reopen(data_path: Path, project: Project, why: str) -> int:
    """Start the next version of an approved or sent letter as a draft; return its number.

    The reason is kept in its status (`reopened_because`) and, once it is approved, in its
    record, which names the version it supersedes.
    """
    why = " ".join(why.split())
    if not why or UNPRINTABLE.search(why) or len(why) > MAX_REASON:
        raise LettersError(
            f"--why: say in one line (at most {MAX_REASON} characters) why the letter is reopened"
        )
    try:
        approved = frozen(data_path, project.root)
        latest = approved.approval if approved else None
    except HeldError:  # edited since its approval: what reopening is for, as the hold says
        latest = Store(project.root).latest(letter_name(data_path, project.root))
    if latest is None:
        raise LettersError(f"{data_path}: the letter is a draft already; edit it, then approve it")
    version = latest.version + 1

    def reopened(tree: Any) -> None:
        set_fields(
            child_mapping(tree, "status"),
            {"state": "draft", "version": version, "reopened_because": why},
            drop=("approved_by", "approved_on", "sent_on", "copied_on"),
        )

    before, after = edited(data_path, project.root, reopened, ("status",))
    write_edited(data_path, project.root, before, after)
    return version


def history(data_path: Path, project: Project) -> list[Version]:
    """List a letter's versions, oldest first: each approved one, then a draft being made."""
    store = Store(project.root)
    rows = [
        Version(
            a.version,
            "sent" if a.sent else "approved",
            a.approved_by,
            a.approved_on,
            a.how,
            a.reason,
            a.supersedes,
        )
        for a in store.approvals(letter_name(data_path, project.root))
    ]
    status = load_letter(data_path, project.root).letter.status
    if status.state == "draft":
        number = status.version or (rows[-1].version + 1 if rows else 1)
        previous = rows[-1].version if rows else 0
        rows.append(Version(number, "draft", "", None, "", status.reopened_because, previous))
    return rows


def reconstruct(data_path: Path, project: Project) -> Path | None:
    """Make the record of a letter approved or sent before snapshots were kept; None if it has one.

    Its inputs are taken as they are now. Where the letter's old record (data/<name>.approval
    .json) still matches them, the record says it was approved with letters; otherwise it
    is marked reconstructed, and the old record is left beside it.
    """
    loaded = load_letter(data_path, project.root)
    status = loaded.letter.status
    store = Store(project.root)
    name = letter_name(data_path, project.root)
    if status.state == "draft" or store.latest(name) is not None:
        return None
    files = [p.resolve() for p in letter_inputs(loaded, project)]
    how: How = "approved" if _legacy_matches(data_path, files, project) else "reconstructed"
    approval = Approval(
        letter=name,
        version=status.version or 1,
        approved_by=status.approved_by,
        approved_on=status.approved_on or loaded.letter.record_day,
        how=how,
        letters=dict(tool_versions()).get("letters", "unknown"),
        inputs={
            letter_name(path, project.root): store.put(read_input(path, project.root, ANY))
            for path in files
        },
    )
    data = read_input(data_path, project.root, ANY)
    approval = _with_outputs(approval, store, project, status.state, data)
    return store.save(approval)


def _with_outputs(
    approval: Approval, store: Store, project: Project, state: str, data: bytes
) -> Approval:
    """Build every file of a version from its snapshot, keep them, and record them for `state`."""
    from .workers import loaded_project

    stem = Path(approval.letter).stem
    into = cache_folder(project.root, "snapshots", approval.letter)
    root = materialise(approval, store, into / str(approval.version), {approval.letter: data})
    made = made_here(root / approval.letter, FORMATS, loaded_project(root))
    kept = {
        output_name(stem, SUFFIXES[fmt], language): store.put(bytes_)
        for (fmt, language), bytes_ in made.files.items()
    }
    return replace(approval, outputs={**approval.outputs, state: kept})


def _legacy_matches(data_path: Path, files: list[Path], project: Project) -> bool:
    """Say whether a letter's old approval record holds the digests of its inputs now."""
    old = data_path.with_name(data_path.stem + LEGACY_SUFFIX)
    if not old.is_file():
        return False
    try:
        record = json.loads(read_input(old, project.root, RECORD))
        recorded = record["inputs"]
    except (ValueError, KeyError, TypeError, LettersError):
        return False
    now = file_digests([f for f in files if f != data_path.resolve()], project.root)
    return isinstance(recorded, dict) and all(recorded.get(k) == v for k, v in now.items())


def _name(by: str) -> str:
    """Return an approver's name as it is written, refusing one that is not a name."""
    by = unicodedata.normalize("NFC", by.strip())
    unprintable = UNPRINTABLE.search(by) or re.search(
        r"[\ud800-\udfff\u061c\u200b-\u200f\ufeff]", by
    )
    if not by or unprintable:
        found = f"holds U+{ord(unprintable.group()):04X}" if unprintable else "is empty"
        raise LettersError(
            f"--by {by!r} {found}; give the approver's name as it is written, on one line"
        )
    if len(by) > MAX_NAME:
        raise LettersError(f"--by is {len(by):,} characters long; a name is at most {MAX_NAME}")
    return by


def _within(on: dt.date, earliest: dt.date, what: str, today: dt.date) -> None:
    """Refuse a day before `earliest` (when `what` happened) or after today."""
    if on < earliest:
        raise LettersError(f"--on {on} is before {earliest}, when {what}; give the day it happened")
    if on > today:
        raise LettersError(f"--on {on} is after today ({today}); record it once it has happened")
