"""A redline: a letter's words as approved (or at a git revision), and as they are now.

`letters diff DATA` renders the letter from its latest approval's snapshot and from the
files on disk now, and compares the text a reader sees, word by word; no git is needed.
Each change is put down to the file it came from: the snapshot's files are replaced by
today's one at a time (the letter's own first, then the shared templates, house style and
reference lists), and a changed line belongs to the file whose step made it.
`--against N` compares with version N; `--against REV` with a git revision. It writes an
HTML page with insertions and deletions marked, and a DOCX in the house style whose
changes are Word tracked changes (w:ins and w:del), one author per source, with a date
that keeps the file the same each time.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import io
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..build.output import write_all
from ..source.errors import UNPRINTABLE, LettersError
from ..source.inputs import ANY, read_input
from ..source.provenance import file_digest

if TYPE_CHECKING:
    from ..build.project import Project
    from ..build.snapshot import Approval
    from ..compose.style import HouseStyle

#: A git commit's full hash (SHA-1 or SHA-256).
COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
#: The author Word shows for each change.
AUTHOR = "letters"
_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Change:
    """One line of the redline: runs of (kind, text), kind '=', '+' or '-', and its source."""

    runs: tuple[tuple[str, str], ...]
    source: str = ""

    @property
    def changed(self) -> bool:
        """Say whether the line holds any insertion or deletion."""
        return any(kind != "=" for kind, _ in self.runs)


#: The most the data and templates of a revision may hold, unpacked.
MAX_REVISION_BYTES = 200_000_000


def resolve_revision(revision: str, root: Path) -> str:
    """Return the commit a revision names, asking git; refuse what git would take as an option.

    The value comes from the command line or from an approval record someone else may have
    written: it is checked before git sees it, and git is told it is no option.
    """
    if not revision.strip() or revision.startswith("-") or UNPRINTABLE.search(revision):
        raise LettersError(
            f"{revision!r} is not a revision: give a commit, a tag or a branch (HEAD, HEAD~1, "
            "a commit's hash); a revision never starts with '-'"
        )
    done = _git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    commit = done.stdout.decode("ascii", errors="replace").strip()
    if done.returncode != 0 or not COMMIT.fullmatch(commit):
        raise LettersError(
            f"{revision!r} names no commit of the project's git history; see `git log` for "
            "the revisions there are"
        )
    return commit


def lines_at(revision: str, data_path: Path, root: Path) -> list[str]:
    """Render the letter from its data and templates as they were at a git revision."""
    from ..build.build import compose
    from ..build.project import Project
    from ..compose.document import text_lines

    relative = data_path.resolve().relative_to(root)
    commit = resolve_revision(revision, root)
    done = _git(root, "archive", "--format=tar", commit, "--", "data", "templates")
    if done.returncode != 0:
        raise LettersError(
            f"cannot read revision {revision!r} of the project with git: "
            f"{done.stderr.decode(errors='replace').strip()}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        _extract(done.stdout, Path(tmp))
        then = Path(tmp) / relative
        if not then.is_file():
            raise LettersError(f"{relative} is not in revision {revision!r}")
        return text_lines(compose(then, Project(Path(tmp))), bullet="• ")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run git in the project with these arguments; a git that cannot run is a LettersError."""
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise LettersError(
            f"cannot run git to read the project's history ({exc}); install git, or compare by hand"
        ) from None


def _extract(archive: bytes, into: Path) -> None:
    """Unpack git's tar of a revision: its folders and regular files, each checked in place.

    Python 3.11.0 to 3.11.3 have no extraction filters, so every member's path is checked
    here: none may be absolute or climb out of the folder, and links are left out (a
    letter's inputs are regular files).
    """
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:") as tar:
            for member in tar:
                parts = PurePosixPath(member.name).parts
                if not parts or parts[0] == "/" or ".." in parts:
                    raise LettersError(f"git gave a file named {member.name!r}; nothing was read")
                target = into.joinpath(*parts)
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    total += member.size
                    if total > MAX_REVISION_BYTES:
                        raise LettersError(
                            f"the revision's data and templates hold more than "
                            f"{MAX_REVISION_BYTES:,} bytes; nothing was compared"
                        )
                    target.parent.mkdir(parents=True, exist_ok=True)
                    stream = tar.extractfile(member)
                    assert stream is not None  # a regular file has contents
                    target.write_bytes(stream.read())
    except tarfile.TarError as exc:
        raise LettersError(f"git gave an archive that cannot be read ({exc})") from None


@dataclass(frozen=True)
class Stage:
    """The letter's lines once the file `source` (none for the first) is as it is now."""

    source: str
    lines: list[str]


def version_stages(
    data_path: Path, project: Project, version: int | None = None, own: bool = True
) -> tuple[Approval, list[Stage]]:
    """Render the letter as approved, then once more for each of its files that changed since.

    `version` is the approved version to start from (default: the latest). Without `own`,
    the letter's own files (its data, its office's file, signatures) stay as approved: what
    the shared files alone would change.
    """
    from ..build.snapshot import Store, cache_folder, letter_name, materialise
    from ..source.validate import load_letter

    store = Store(project.root)
    letter = letter_name(data_path, project.root)
    approvals = store.approvals(letter)
    chosen = [a for a in approvals if version is None or a.version == version]
    if not chosen:
        known = ", ".join(str(a.version) for a in approvals) or "none"
        raise LettersError(
            f"{data_path}: no approved version{'' if version is None else f' {version}'} to "
            "compare with (versions: "
            f"{known}); give --against a version, or a git revision"
        )
    approval = chosen[-1]
    work = cache_folder(project.root, "diff", letter)
    materialise(approval, store, work)
    for extra in sorted(_files(work) - set(approval.inputs)):  # left by an earlier diff
        (work / extra).unlink()
    stages = [Stage("", _lines(work, letter))]
    loaded = load_letter(data_path, project.root)
    mine = [letter_name(path, project.root) for path in loaded.files]
    now = [
        letter_name(path, project.root)
        for path in (*loaded.files, *project.template_files, *project.reference_files)
    ]
    names = [*mine, *sorted((set(now) | set(approval.inputs)) - set(mine))]
    for name in names:
        if name in mine and not own:
            continue
        present = (project.root / name).is_file() and name in now
        data = read_input(project.root / name, project.root, ANY) if present else None
        if (file_digest(data) if data is not None else None) == approval.inputs.get(name):
            continue
        target = work / name
        if data is None:
            target.unlink(missing_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_all({target: data})
        stages.append(Stage(name, _lines(work, letter)))
    return approval, stages


@dataclass(frozen=True)
class Redline:
    """A letter's changes, what they are measured against, and the letter's date."""

    changes: list[Change]
    against: str
    day: dt.date


def redline(data_path: Path, project: Project, against: str | None = None) -> Redline:
    """Compare a letter now with an approved version (a number; default: the latest) or a revision.

    A letter never approved is compared with the last commit.
    """
    from ..build.build import compose
    from ..build.snapshot import Store, letter_name
    from ..compose.document import text_lines

    document = compose(data_path, project)
    approved = Store(project.root).latest(letter_name(data_path, project.root))
    if against is None and approved is None:
        against = "HEAD"
    if against is None or against.isdigit():
        approval, stages = version_stages(data_path, project, int(against) if against else None)
        return Redline(attributed(stages), f"version {approval.version}", document.date)
    before = lines_at(against, data_path, project.root)
    return Redline(compare(before, text_lines(document, bullet="• ")), against, document.date)


@dataclass(frozen=True)
class Touched:
    """What the shared files, as they are now, would change in an approved letter."""

    letter: Path
    version: int
    changes: int
    sources: tuple[str, ...]
    #: Why the letter could not be made from today's shared files, if it could not.
    error: str = ""


def shared_changes(paths: list[Path], project: Project) -> list[Touched]:
    """Say for each approved letter (or draft of a later version) what today's shared files change.

    The letter's own files stay as approved; a letter never approved has nothing to
    compare with and is left out.
    """
    from ..build.snapshot import Store, letter_name

    store = Store(project.root)
    touched = []
    for path in paths:
        if store.latest(letter_name(path, project.root)) is None:
            continue
        try:
            approval, stages = version_stages(path, project, own=False)
        except LettersError as exc:  # today's shared files cannot make the letter as approved
            latest = store.latest(letter_name(path, project.root))
            assert latest is not None
            touched.append(Touched(path, latest.version, 0, (), str(exc).splitlines()[0]))
            continue
        changes = [change for change in attributed(stages) if change.changed]
        sources = tuple(sorted({change.source for change in changes}))
        touched.append(Touched(path, approval.version, count_changes(changes), sources))
    return touched


def _files(root: Path) -> set[str]:
    """Name every file under a folder, by its place in it."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _lines(root: Path, letter: str) -> list[str]:
    """Render a letter of the project at `root` to the lines a reader sees."""
    from ..build.build import compose
    from ..build.project import Project as Folder
    from ..compose.document import text_lines

    return text_lines(compose(root / letter, Folder(root)), bullet="• ")


def attributed(stages: list[Stage]) -> list[Change]:
    """Compare the first stage with the last, each changed line put down to its source."""
    changes = compare(stages[0].lines, stages[-1].lines)
    seen = [set(stage.lines) for stage in stages]
    placed = []
    for change in changes:
        if not change.changed:
            placed.append(change)
            continue
        new = "".join(text for kind, text in change.runs if kind != "-")
        old = "".join(text for kind, text in change.runs if kind != "+")
        added = any(kind == "+" for kind, _ in change.runs)
        source = next(
            (
                stages[k].source
                for k in range(1, len(stages))
                if (new in seen[k] and new not in seen[k - 1])
                or (not added and old in seen[k - 1] and old not in seen[k])
            ),
            stages[-1].source,
        )
        placed.append(Change(change.runs, source))
    return placed


def compare(before: list[str], after: list[str]) -> list[Change]:
    """Compare two letters' lines: whole lines added or removed, changed lines word by word."""
    changes: list[Change] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(
        None, before, after, autojunk=False
    ).get_opcodes():
        if op == "equal":
            changes.extend(Change((("=", line),)) for line in after[b1:b2])
        elif op == "delete":
            changes.extend(Change((("-", line),)) for line in before[a1:a2])
        elif op == "insert":
            changes.extend(Change((("+", line),)) for line in after[b1:b2])
        else:
            changes.extend(_pair(before[a1:a2], after[b1:b2]))
    return changes


#: How alike two lines must be to be shown as one line changed, not one removed and one added.
ALIKE = 0.5


def _pair(old: list[str], new: list[str]) -> list[Change]:
    """Compare a stretch of changed lines: alike lines word by word, the rest whole."""

    def alike(a: str, b: str) -> bool:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= ALIKE

    changes: list[Change] = []
    i = j = 0
    while i < len(old) and j < len(new):
        if alike(old[i], new[j]):
            changes.append(_words(old[i], new[j]))
            i, j = i + 1, j + 1
        elif any(alike(old[i], later) for later in new[j + 1 :]):
            changes.append(Change((("+", new[j]),)))
            j += 1
        else:
            changes.append(Change((("-", old[i]),)))
            i += 1
    changes.extend(Change((("-", line),)) for line in old[i:])
    changes.extend(Change((("+", line),)) for line in new[j:])
    return changes


def count_changes(changes: list[Change]) -> int:
    """Count the changes a reader sees: a deletion with the insertion that replaces it is one."""
    count = 0
    for change in changes:
        previous = "="
        for kind, _ in change.runs:
            if kind != "=" and not (kind == "+" and previous == "-"):
                count += 1
            previous = kind
    return count


def _words(old: str, new: str) -> Change:
    """Compare two versions of a line word by word: one run for each changed stretch."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    runs: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("=", "".join(b[b1:b2])))
            continue
        if a2 > a1:
            runs.append(("-", "".join(a[a1:a2])))
        if b2 > b1:
            runs.append(("+", "".join(b[b1:b2])))
    return Change(tuple(runs))


def redline_html(changes: list[Change], title: str) -> str:
    """Write the redline as an HTML page: deletions struck through, insertions underlined.

    A changed line names the file its change came from, where that is known.
    """
    tags = {"=": ("", ""), "-": ("<del>", "</del>"), "+": ("<ins>", "</ins>")}
    body = "\n".join(
        "<p>"
        + "".join(tags[kind][0] + html.escape(text) + tags[kind][1] for kind, text in change.runs)
        + (
            f' <small class="from">(from {html.escape(change.source)})</small>'
            if change.changed and change.source
            else ""
        )
        + "</p>"
        for change in changes
    )
    count = count_changes(changes)
    by_source: dict[str, int] = {}
    for change in changes:
        if change.changed and change.source:
            by_source[change.source] = by_source.get(change.source, 0) + count_changes([change])
    sources = "".join(f"<li>{html.escape(name)}: {n}</li>" for name, n in sorted(by_source.items()))
    return (
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Changes: {html.escape(title)}</title><style>"
        "body{font-family:sans-serif;max-width:46em;margin:2em auto;line-height:1.4}"
        "del{color:#d4351c;text-decoration:line-through}"
        "ins{color:#00703c;text-decoration:underline}.from{color:#505a5f}</style></head>\n"
        "<body>\n"
        f"<h1>Changes: {html.escape(title)}</h1>\n<p>{count} change{'' if count == 1 else 's'}"
        ".</p>\n" + (f"<ul>{sources}</ul>\n" if sources else "") + f"{body}\n</body></html>\n"
    )


def redline_docx(
    changes: list[Change], day: dt.date, style: HouseStyle | None = None, title: str = ""
) -> bytes:
    """Write the redline as a DOCX whose changes are Word tracked changes (w:ins, w:del).

    Each change's author is the file it came from (else 'letters'); in the house style
    when one is given.
    """
    import docx

    from ..render.docx import define_styles
    from ..render.docx_furniture import save_dated
    from ..render.internals import OxmlElement, paragraph_xml, qn

    document = docx.Document()
    if style is not None:
        define_styles(document, style, "en-GB")
    document.core_properties.created = dt.datetime(day.year, day.month, day.day)
    document.core_properties.modified = dt.datetime(day.year, day.month, day.day)
    document.core_properties.author = AUTHOR
    document.core_properties.title = f"Changes: {title}" if title else "Changes"
    if title:  # what the reader holds, before the letter's lines
        document.add_heading(f"Changes: {title}", level=1)
    when = f"{day.isoformat()}T00:00:00Z"
    number = 0
    for change in changes:
        paragraph = document.add_paragraph()
        for kind, text in change.runs:
            run = OxmlElement("w:r")
            piece = OxmlElement("w:delText" if kind == "-" else "w:t")
            piece.set(qn("xml:space"), "preserve")
            piece.text = text
            run.append(piece)
            if kind == "=":
                paragraph_xml(paragraph).append(run)
                continue
            number += 1
            mark = OxmlElement("w:del" if kind == "-" else "w:ins")
            mark.set(qn("w:id"), str(number))
            mark.set(qn("w:author"), change.source or AUTHOR)
            mark.set(qn("w:date"), when)
            mark.append(run)
            paragraph_xml(paragraph).append(mark)
    return save_dated(document, day)
