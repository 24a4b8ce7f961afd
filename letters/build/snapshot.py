"""Approval snapshots: every input of an approved letter, kept by its content, one per version.

    approvals/objects/<2 hex>/<62 hex>       each file once, named by its SHA-256, read-only
    approvals/letters/<data path>/<N>.json    the record of version N of a letter

A record lists each input (`path -> sha256`: the letter's data, its office's file,
signature images, every template, the house style, the fonts and the reference lists),
who approved it and when, how the record came to be, the version of letters, and the
outputs each state of the letter was built as. Nothing here needs git; a file shared by
many letters is stored once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_args

from ..source.errors import HeldError, LettersError, relocated
from ..source.inputs import ANY, DATA, RECORD, read_input, read_regular
from ..source.load import load_source
from ..source.names import hidden
from ..source.provenance import file_digest, file_digests
from .incremental import CACHE
from .output import write_all, write_new

if TYPE_CHECKING:
    from .project import Project

T = TypeVar("T")

#: The folder of the snapshots, under the project.
STORE = "approvals"
#: How a record came to be: approved with letters, made for a letter approved before
#: records were kept (its inputs as they were when it was made), or a letter sent before
#: letters (`approve --sent`).
How = Literal["approved", "reconstructed", "sent before letters"]
_DIGEST = re.compile(r"[0-9a-f]{64}")
#: A version's record's name: 1 to 999, written as a number is, with no leading zero.
_VERSION_NAME = re.compile(r"[1-9][0-9]{0,2}")
#: An input's name: a path inside the project as a record writes it, each part plain.
_INPUT_NAME = re.compile(r"[^/\x00-\x1f\\]+(?:/[^/\x00-\x1f\\]+)+")
#: The folders of the project no input lies in: what letters keeps itself.
_NOT_INPUTS = {STORE, CACHE, ".git"}
#: The fields of a letter's data that change after approval without changing its words.
UNFROZEN = (("status",), ("letter", "published"), ("letter", "delay_reason"))


class SnapshotError(LettersError):
    """Raised for a snapshot that is missing, malformed, or whose files do not match."""


@dataclass(frozen=True)
class Approval:
    """One approved version of a letter: its inputs by digest, who approved it, and when."""

    letter: str
    version: int
    approved_by: str
    approved_on: dt.date
    how: How
    letters: str
    inputs: dict[str, str]
    #: The outputs built from it, by the letter's state then: state -> file name -> digest.
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    #: The version this one replaces (0: none), and why it was reopened.
    supersedes: int = 0
    reason: str = ""
    #: The SHA-256 of the letter's data as sent (its status and day of publication), kept by
    #: `letters publish`; '' where the inputs' data is as sent, or the version is not sent.
    sent_as: str = ""

    @property
    def sent(self) -> bool:
        """Say whether this version was sent: published with letters, or recorded as sent."""
        return "sent" in self.outputs or self.how == "sent before letters"

    @property
    def data_as_sent(self) -> str:
        """Return the SHA-256 of the letter's data as sent (or as approved, if never published)."""
        return self.sent_as or self.inputs[self.letter]

    def to_json(self) -> bytes:
        """Write the record as JSON, its keys in a fixed order."""
        tree = {**asdict(self), "approved_on": self.approved_on.isoformat()}
        return (json.dumps(tree, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class Store:
    """The content-addressed files of a project's snapshots."""

    def __init__(self, root: Path):
        self.root = root
        self.folder = root / STORE

    def object_path(self, digest: str) -> Path:
        """Return where the file of a digest is kept."""
        return self.folder / "objects" / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        """Keep a file's content (once, read-only); return its SHA-256."""
        digest = file_digest(data)
        path = self.object_path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                write_new(path, data, mode=0o444)
            except FileExistsError:  # another approval stored it meanwhile
                pass
        return digest

    def get(self, digest: str, named: str) -> bytes:
        """Return a kept file's content, refusing one missing or not matching its digest."""
        path = self.object_path(digest)
        if not _DIGEST.fullmatch(digest):
            raise SnapshotError(f"{named}: {digest!r} is not a SHA-256 digest")
        try:
            data = read_regular(path, ANY, str(path))
        except LettersError:  # its reason may name where a link leads: not shown
            found = (
                "not a plain file of the snapshot store (a link?)"
                if os.path.lexists(path)
                else "missing from the snapshot store"
            )
            raise SnapshotError(
                f"{self._shown(path)}: {found}; it holds {named} as approved. Restore approvals/"
                " from a backup (or git)"
            ) from None
        if file_digest(data) != digest:
            raise SnapshotError(
                f"{self._shown(path)}: altered: it no longer matches its SHA-256, so {named} "
                "is not as approved. Restore approvals/ from a backup (or git)"
            )
        return data

    def _shown(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def record_folder(self, letter: str) -> Path:
        """Return the folder of a letter's records (its data path, less .yaml)."""
        return self.folder / "letters" / letter.removesuffix(".yaml")

    def approvals(self, letter: str) -> list[Approval]:
        """List a letter's approved versions, oldest first."""
        folder = self.record_folder(letter)
        if not folder.is_dir():
            return []
        found = []
        for path in folder.glob("*.json"):
            if not _VERSION_NAME.fullmatch(path.stem):
                raise SnapshotError(
                    f"{self._shown(path)}: not a version's record (records are named 1.json, "
                    "2.json, ...); move it out of approvals/"
                )
            found.append(self._read(path, letter))
        return sorted(found, key=lambda approval: approval.version)

    def latest(self, letter: str) -> Approval | None:
        """Return a letter's latest approved version, or None."""
        approvals = self.approvals(letter)
        return approvals[-1] if approvals else None

    def save(self, approval: Approval, also: dict[Path, bytes] | None = None) -> Path:
        """Write a version's record (and `also`, all or nothing); return the record's path."""
        path = self.record_folder(approval.letter) / f"{approval.version}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_all({path: approval.to_json(), **(also or {})})
        return path

    def _read(self, path: Path, letter: str) -> Approval:
        """Read one record, checking every field before it is used."""
        shown = self._shown(path)
        try:
            tree = json.loads(read_input(path, self.root, RECORD).decode("utf-8"))
            return _approval(tree, letter, int(path.stem))
        except (ValueError, TypeError, KeyError, RecursionError, OverflowError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SnapshotError(
                f"{shown}: not an approval record ({reason}); restore approvals/ from a backup"
            ) from None


def _approval(tree: Any, letter: str, version: int) -> Approval:
    """Build a record from its JSON, refusing any field of the wrong shape."""
    if not isinstance(tree, dict):
        raise ValueError("it holds no JSON object")
    inputs, outputs = tree["inputs"], tree.get("outputs", {})
    if tree["letter"] != letter or tree["version"] != version:
        raise ValueError(f"it names {tree['letter']} version {tree['version']}")
    if not isinstance(inputs, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and _DIGEST.fullmatch(v)
        for k, v in inputs.items()
    ):
        raise ValueError("its inputs are not a mapping of file names to SHA-256 digests")
    if not isinstance(outputs, dict) or not all(
        isinstance(files, dict) and all(_DIGEST.fullmatch(str(v)) for v in files.values())
        for files in outputs.values()
    ):
        raise ValueError("its outputs are not mappings of file names to SHA-256 digests")
    if tree["how"] not in get_args(How):
        raise ValueError(f"'how' is {tree['how']!r}")
    for name in inputs:
        parts = name.split("/")
        if (
            not _INPUT_NAME.fullmatch(name)
            or {".", ".."} & set(parts)
            or parts[0] in _NOT_INPUTS
            or len(name) > 1000
        ):
            raise ValueError(f"the input {name!r} is no plain path of a file in the project")
    sent_as = tree.get("sent_as", "")
    if sent_as and not (isinstance(sent_as, str) and _DIGEST.fullmatch(sent_as)):
        raise ValueError(f"its sent_as {sent_as!r} is not a SHA-256 digest")
    for key in ("version", "supersedes"):
        number = tree.get(key, 0)
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 999:
            raise ValueError(f"its {key} {number!r} is not a version number")
    return Approval(
        letter=letter,
        version=version,
        approved_by=str(tree["approved_by"]),
        approved_on=dt.date.fromisoformat(tree["approved_on"]),
        how=tree["how"],
        letters=str(tree["letters"]),
        inputs=dict(inputs),
        outputs={str(state): dict(files) for state, files in outputs.items()},
        supersedes=int(tree.get("supersedes", 0)),
        reason=str(tree.get("reason", "")),
        sent_as=str(sent_as),
    )


def frozen_part(tree: Any) -> Any:
    """Return a letter's data less what changes after approval (status, publication)."""
    if not isinstance(tree, dict):
        return tree
    kept = {key: value for key, value in tree.items() if (key,) not in UNFROZEN}
    letter = kept.get("letter")
    if isinstance(letter, dict):
        kept["letter"] = {k: v for k, v in letter.items() if ("letter", k) not in UNFROZEN}
    return kept


def materialise(
    approval: Approval,
    store: Store,
    into: Path,
    instead: dict[str, bytes] | None = None,
    under: str = "",
) -> Path:
    """Write every input of a version into the folder `into`, as a project; return it.

    `instead` gives some files other content (the letter's data as it is now, its status
    and publication changed since). A file already there with the right content is kept;
    one altered, or a link, is written again; every kept file is checked in the store.
    With `under` ('data/'), only the inputs whose names start so are written and checked.
    A folder inside `into` that is a link is refused: nothing is written through it. A file
    of no input (left by another version in the folder) is removed: every file under
    templates/ is an input of the letters built there.
    """
    instead = instead or {}
    _refuse_links(into)
    inputs = {name: digest for name, digest in approval.inputs.items() if name.startswith(under)}
    wanted = {**inputs, **{name: file_digest(data) for name, data in instead.items()}}
    files = {}
    for name, digest in wanted.items():
        path = into / name
        _refuse_links_inside(into, path.parent)
        if not os.path.islink(path) and path.is_file() and file_digest(path.read_bytes()) == digest:
            continue
        named = f"{name} of {approval.letter} version {approval.version}"
        files[path] = instead[name] if name in instead else store.get(digest, named)
    for name, digest in inputs.items():  # each kept file is in the store, unaltered
        if name not in instead:
            store.get(digest, f"{name} of {approval.letter} version {approval.version}")
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    if files:
        write_all(files)
    for path in sorted(into.rglob("*")):  # a file of another version would be an input too
        name = path.relative_to(into).as_posix()
        if path.is_file() and name not in wanted and not hidden(Path(name)):
            path.unlink()
    return into


@dataclass(frozen=True)
class Frozen:
    """An approved letter as it builds: from its snapshot, with its data's status as now."""

    approval: Approval
    #: The letter's state now: approved or sent.
    state: str
    #: The snapshot written out as a project, and the letter's data file in it.
    root: Path
    data_path: Path
    #: The record of the version, and the store its files are kept in.
    record: Path
    store: Store

    def run(self, work: Callable[[Path, Project], T], letter: Path) -> T:
        """Do `work` on the snapshot's copy of the letter, in its project; errors name `letter`.

        The snapshot's project stays loaded in this process, for the next letter of the same
        version. An error about the copy is told as one about the letter's own file.
        """
        from .workers import loaded_project

        try:
            return work(self.data_path, loaded_project(self.root))
        except LettersError as exc:
            raise relocated(exc, self.data_path, letter) from None


def letter_name(data_path: Path, root: Path) -> str:
    """Name a letter by its data file's place in the project: data/x.yaml."""
    return data_path.resolve().relative_to(root.resolve()).as_posix()


def cache_folder(root: Path, use: str, letter: str) -> Path:
    """Return where letters writes a letter's snapshots out for `use` ('snapshots', 'diff')."""
    return root / CACHE / use / letter.removesuffix(".yaml")


def frozen(data_path: Path, root: Path) -> Frozen | None:
    """Return how an approved or sent letter builds: from its latest snapshot; None for a draft.

    Refused: a letter approved or sent with no snapshot, a snapshot whose files are missing
    or altered, and (held) a letter whose data says anything other than it was approved
    saying (its status and publication aside). The snapshot is written out under the cache.
    """
    if not data_path.resolve().is_relative_to(root.resolve()):
        return None  # no letter of the project: loading it says so, in its own words
    source = load_source(data_path, root)
    status = source.tree.get("status") if isinstance(source.tree, dict) else None
    state = status.get("state") if isinstance(status, dict) else None
    if state not in ("approved", "sent"):
        return None
    letter = letter_name(data_path, root)
    store = Store(root)
    approval = store.latest(letter)
    if approval is None:
        raise SnapshotError(
            f"{data_path}: the letter is {state}, but nothing records its approval (no "
            f"{STORE}/letters/{letter.removesuffix('.yaml')}/); approve it (letters approve; "
            "--sent for one sent before letters), or set status.state to draft"
        )
    if letter not in approval.inputs:
        raise SnapshotError(f"{data_path}: its snapshot (version {approval.version}) lacks it")
    now = read_input(data_path, root, DATA)
    folder = cache_folder(root, "snapshots", letter)
    approved_data = folder / f"{approval.version}.approved.yaml"
    _refuse_links(folder)
    approved_data.parent.mkdir(parents=True, exist_ok=True)
    named = f"{letter} of version {approval.version}"
    approved_bytes = store.get(approval.inputs[letter], named)
    if not approved_data.is_file() or approved_data.read_bytes() != approved_bytes:
        write_all({approved_data: approved_bytes})
    then = load_source(approved_data, folder).tree
    changed = changed_fields(frozen_part(then), frozen_part(source.tree))
    if changed:
        shown = ", ".join(changed[:6]) + (
            f" and {len(changed) - 6} more" if len(changed) > 6 else ""
        )
        raise HeldError(
            f"{data_path}: held: the letter is {state}, but its data changed since version "
            f"{approval.version} was approved ({shown}); undo the change, or reopen the letter "
            "for a new version (letters reopen --why ...)"
        )
    for field_name, then_value in (
        ("approved_by", approval.approved_by),
        ("approved_on", approval.approved_on.isoformat()),
    ):
        said = str(status.get(field_name, "")) if isinstance(status, dict) else ""
        if said != then_value:
            raise HeldError(
                f"{data_path}: held: status.{field_name} says {said!r}, but version "
                f"{approval.version} was approved with {then_value!r}; set it back"
            )
    into = materialise(approval, store, folder / str(approval.version), {letter: now})
    record = store.record_folder(letter) / f"{approval.version}.json"
    return Frozen(approval, str(state), into, into / letter, record, store)


def _refuse_links(folder: Path) -> None:
    """Refuse a cache folder reached through a link: what is written there stays in the project."""
    parts = folder.parts
    if CACHE not in parts:
        return
    start = parts.index(CACHE)
    for end in range(start + 1, len(parts) + 1):
        step = Path(*parts[:end])
        if step.is_symlink():
            raise SnapshotError(
                f"{step}: a link, where letters writes its copies of snapshots; remove "
                ".letters-cache (letters makes it again)"
            )


def _refuse_links_inside(into: Path, folder: Path) -> None:
    """Refuse a folder between `into` and `folder` that is a link: a write there leaves `into`."""
    step = into
    for part in folder.relative_to(into).parts:
        step = step / part
        if step.is_symlink():
            raise SnapshotError(
                f"{step}: a link, where letters writes its copies of snapshots; remove "
                ".letters-cache (letters makes it again)"
            )


def changed_fields(then: Any, now: Any, at: str = "") -> list[str]:
    """Name the fields whose values differ between two data trees: 'report.findings[2]'."""
    if isinstance(then, dict) and isinstance(now, dict):
        found = []
        for key in [*then, *(k for k in now if k not in then)]:
            where = f"{at}.{key}" if at else str(key)
            if key not in then or key not in now:
                found.append(where)
            else:
                found += changed_fields(then[key], now[key], where)
        return found
    if isinstance(then, list) and isinstance(now, list) and len(then) == len(now):
        return [
            place
            for index, (a, b) in enumerate(zip(then, now, strict=True))
            for place in changed_fields(a, b, f"{at}[{index}]")
        ]
    return [] if then == now else [at or "the whole file"]


def shared_since(approval: Approval, root: Path, shared: list[Path]) -> list[str]:
    """Name the shared files (templates, house style, reference lists) changed since approval.

    `shared` lists the project's shared files now; a template the snapshot holds and the
    project no longer does counts as changed.
    """
    now = file_digests(shared, root)
    then = {n: d for n, d in approval.inputs.items() if n in now or n.startswith("templates/")}
    return sorted(name for name in {*now, *then} if now.get(name) != then.get(name))
