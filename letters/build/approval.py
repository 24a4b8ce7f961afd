"""Approval that holds: what a letter was approved as, and whether it is still that letter.

`letters approve` records, beside the letter's data (data/<name>.approval.json), a digest
of every input: the letter's own data (all but its status), its office's file, signature
images, every template, the house style and the fonts, with the version of letters and
the revision. Building an approved or sent letter whose inputs have changed since is
refused, naming what changed; a newer letters alone only warns.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..source.errors import UNPRINTABLE, LettersError
from ..source.inputs import RECORD, read_input
from ..source.provenance import file_digest, file_digests, tool_versions
from ..source.validate import LoadedLetter
from .data_edit import child_mapping, edit_data_file, set_fields

#: The name of a letter's approval record, beside its data file.
SUFFIX = ".approval.json"
#: The longest approver's name: a name, not a paragraph.
MAX_NAME = 100
#: A git commit's full hash (SHA-1 or SHA-256), as an approval records its revision.
COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class Held:
    """Why an approved letter is held: what changed, or nothing (the letter may be built)."""

    changed: tuple[str, ...]
    #: A warning for a change that does not hold the letter (a newer letters).
    warning: str = ""


def record_path(data_path: Path) -> Path:
    """Return where a letter's approval record lies: beside its data file."""
    return data_path.with_name(data_path.stem + SUFFIX)


def read_record(path: Path, root: Path) -> dict[str, Any] | None:
    """Read a letter's approval record, or None where it has none; refuse a malformed one.

    A record may come from a shared folder: it is read through `inputs.read_input`, and
    each field is checked before it is used.
    """
    if not path.exists():
        return None
    try:
        record = json.loads(read_input(path, root, RECORD).decode("utf-8"))
        if not isinstance(record, dict):
            raise ValueError("it holds no JSON object")
        inputs = record.get("inputs", {})
        if not isinstance(inputs, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in inputs.items()
        ):
            raise ValueError("its inputs are not a mapping of file names to digests")
        revision = record.get("revision", "")
        if not isinstance(revision, str) or (revision and not COMMIT.fullmatch(revision)):
            raise ValueError(f"its revision {revision!r} is not a commit's hash")
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        reason = str(exc).splitlines()[0] if str(exc) else "it is not JSON"
        raise LettersError(
            f"{path}: not an approval record ({reason}); delete it and approve the letter "
            "again (letters approve)"
        ) from None
    return record


def input_digests(
    loaded: LoadedLetter, project_root: Path, templates: list[Path]
) -> dict[str, str]:
    """Digest each input by its place in the project; the letter's data less its status."""
    tree = {k: v for k, v in _data_tree(loaded).items() if k != "status"}
    if isinstance(tree.get("letter"), dict):  # when it is published is no part of what it says
        tree["letter"] = {
            k: v for k, v in tree["letter"].items() if k not in ("published", "delay_reason")
        }
    data_path = loaded.source.path.resolve().relative_to(project_root).as_posix()
    digests = file_digests([*loaded.files[1:], *templates], project_root)
    digests[data_path] = file_digest(json.dumps(tree, sort_keys=True).encode("utf-8"))
    return dict(sorted(digests.items()))


def _data_tree(loaded: LoadedLetter) -> dict[str, Any]:
    """Return the letter's own data as read, its office named by file rather than grafted."""
    tree = loaded.source.tree
    assert isinstance(tree, dict)
    office = loaded.letter.office
    return {**tree, "office": office.name} if "office" in tree else dict(tree)


def approve(
    data_path: Path,
    loaded: LoadedLetter,
    project_root: Path,
    templates: list[Path],
    by: str,
    on: dt.date,
    today: dt.date,
) -> Path:
    """Record a letter's approval in its data (status) and its inputs beside it.

    The approver's name goes into the archive's manifest: a control character or a line
    separator in it is refused, as is a day before the report's publication or after today.
    """
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
    _within(on, loaded.letter.report.published, "the report was published", today)
    record = {
        "approved_by": by,
        "approved_on": on.isoformat(),
        "letters": dict(tool_versions()).get("letters", "unknown"),
        "revision": _revision(project_root),
        "inputs": input_digests(loaded, project_root, templates),
    }

    def approved(tree: Any) -> None:
        set_fields(
            child_mapping(tree, "status"),
            {"state": "approved", "approved_by": by, "approved_on": on},
            drop=("sent_on", "copied_on"),
        )

    edit_data_file(
        data_path,
        project_root,
        approved,
        ("status",),
        also={record_path(data_path): (json.dumps(record, indent=2) + "\n").encode("utf-8")},
    )
    return record_path(data_path)


def held(data_path: Path, loaded: LoadedLetter, project_root: Path, templates: list[Path]) -> Held:
    """Say whether an approved or sent letter still has the inputs it was approved with."""
    state = loaded.letter.status.state
    record = None if state == "draft" else read_record(record_path(data_path), project_root)
    if record is None:
        return Held(())
    then: dict[str, str] = record.get("inputs", {})
    now = input_digests(loaded, project_root, templates)
    changed = tuple(
        sorted(
            [name for name in now if then.get(name) != now[name]]
            + [name for name in then if name not in now]
        )
    )
    version = dict(tool_versions()).get("letters", "unknown")
    warning = (
        f"approved with letters {record.get('letters')}, built with {version}; "
        "read the letter again before sending it"
        if not changed and record.get("letters") != version
        else ""
    )
    return Held(changed, warning)


def held_message(data_path: Path, result: Held, state: str) -> str:
    """Say why a letter is held, naming what changed since its approval."""
    shown = ", ".join(result.changed[:6]) + (
        f" and {len(result.changed) - 6} more" if len(result.changed) > 6 else ""
    )
    return (
        f"{data_path}: held: the letter is {state}, but {shown} changed since it was approved; "
        "set status.state to draft for a new version, and approve it again "
        "(letters approve)"
    )


def _within(on: dt.date, earliest: dt.date, what: str, today: dt.date) -> None:
    """Refuse a day before `earliest` (when `what` happened) or after today."""
    if on < earliest:
        raise LettersError(f"--on {on} is before {earliest}, when {what}; give the day it happened")
    if on > today:
        raise LettersError(f"--on {on} is after today ({today}); record it once it has happened")


def _revision(root: Path) -> str:
    """Return the project's revision (its git commit), or '' where it has none."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def publish(data_path: Path, loaded: LoadedLetter, root: Path, on: dt.date, today: dt.date) -> None:
    """Record the day the comments were published and copied (s.55(6)): the letter is sent.

    The copies go to the inspectorate and the Home Secretary. A second publication replaces
    the first's day; a day before the report's publication or the approval, or after today,
    is refused.
    """
    letter = loaded.letter
    status = letter.status
    if status.state == "draft":
        raise LettersError("the letter is a draft; approve it first (letters approve)")
    if status.approved_on is not None and status.approved_on > letter.report.published:
        _within(on, status.approved_on, "the letter was approved", today)
    else:
        _within(on, letter.report.published, "the report was published", today)

    def sent(tree: Any) -> None:
        set_fields(child_mapping(tree, "status"), {"state": "sent", "sent_on": on, "copied_on": on})
        set_fields(child_mapping(tree, "letter"), {"published": on})

    edit_data_file(data_path, root, sent, ("status", "letter.published"))
