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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, LettersError, display_path
from .inputs import DATA, RECORD, read_input
from .output import write_all
from .provenance import file_digest, file_digests, tool_versions
from .validate import LoadedLetter

#: The name of a letter's approval record, beside its data file.
SUFFIX = ".approval.json"


@dataclass(frozen=True)
class Held:
    """Why an approved letter is held: what changed, or nothing (the letter may be built)."""

    changed: tuple[str, ...]
    #: A warning for a change that does not hold the letter (a newer letters).
    warning: str = ""


def record_path(data_path: Path) -> Path:
    """Return where a letter's approval record lies: beside its data file."""
    return data_path.with_name(data_path.stem + SUFFIX)


def read_record(data_path: Path, root: Path) -> dict[str, Any] | None:
    """Read a letter's approval record, if it has one, through `inputs.read_input`."""
    path = record_path(data_path)
    if not path.exists():
        return None
    try:
        record = json.loads(read_input(path, root, RECORD))
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise InputError(
            display_path(path),
            "not an approval record as letters writes it (JSON); approve the letter again "
            "(letters approve)",
        )
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
) -> Path:
    """Record a letter's approval in its data (status) and its inputs beside it."""
    record = {
        "approved_by": by,
        "approved_on": on.isoformat(),
        "letters": dict(tool_versions()).get("letters", "unknown"),
        "revision": _revision(project_root),
        "inputs": input_digests(loaded, project_root, templates),
    }
    status = f"status:\n  state: approved\n  approved_by: {json.dumps(by)}\n  approved_on: {on}\n"
    text = _with_status(_text(data_path, project_root), status)
    write_all(
        {
            data_path: text.encode("utf-8"),
            record_path(data_path): (json.dumps(record, indent=2) + "\n").encode("utf-8"),
        }
    )
    return record_path(data_path)


def held(data_path: Path, loaded: LoadedLetter, project_root: Path, templates: list[Path]) -> Held:
    """Say whether an approved or sent letter still has the inputs it was approved with."""
    if loaded.letter.status.state == "draft":
        return Held(())
    record = read_record(data_path, project_root)
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


def _text(data_path: Path, root: Path) -> str:
    """Read a letter's data file again, to write its status into it."""
    return read_input(data_path, root, DATA).decode("utf-8")


def _with_status(text: str, status: str) -> str:
    """Put a status block in a data file's text in place of its old one, or at its end."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"status\s*:", line)), None)
    if start is None:
        return text.rstrip("\n") + "\n\n" + status
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        end += 1
    return "".join([*lines[:start], status, *lines[end:]])


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


def publish(data_path: Path, loaded: LoadedLetter, root: Path, on: dt.date) -> None:
    """Record the day the comments were published and copied (s.55(6)): the letter is sent.

    The copies go to the inspectorate and the Home Secretary.
    """
    status = loaded.letter.status
    if status.state == "draft":
        raise LettersError("the letter is a draft; approve it first (letters approve)")
    block = (
        f"status:\n  state: sent\n  approved_by: {json.dumps(status.approved_by)}\n"
        f"  approved_on: {status.approved_on}\n  sent_on: {on}\n  copied_on: {on}\n"
    )
    text = _with_status(_text(data_path, root), block)
    text = _with_field(text, "letter", "published", on.isoformat())
    write_all({data_path: text.encode("utf-8")})


def _with_field(text: str, block: str, key: str, value: str) -> str:
    """Set `key: value` in a top-level block of a data file's text (a block mapping)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(rf"{block}\s*:\s*$", line)), None)
    if start is None:
        return text.rstrip("\n") + f"\n{block}:\n  {key}: {value}\n"
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "\t")) or not lines[end].strip()):
        if re.match(rf"\s+{key}\s*:", lines[end]):
            lines[end] = f"  {key}: {value}\n"
            return "".join(lines)
        end += 1
    lines.insert(start + 1, f"  {key}: {value}\n")
    return "".join(lines)
