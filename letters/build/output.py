"""Write outputs all or nothing: staged beside their targets, renamed in, restored on failure.

Several renames can never be one atomic step, so a failure part-way puts back every file
as it was; after a kill, the next write of the same files clears the leftovers.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..source import copies
from ..source.errors import UNPRINTABLE, RenderError
from ..source.languages import LANGUAGES

#: The formats a letter is written in, by the names `--format` takes: the letter to send (DOCX,
#: PDF/A with its data as sent) and the public copy for the website (HTML page, PDF).
FORMATS = tuple(fmt.name for fmt in copies.FORMATS)
#: What ends each format's file name (see `output_name`).
SUFFIXES = {fmt.name: fmt.suffix for fmt in copies.FORMATS}
#: The formats that are PDFs, laid out by WeasyPrint.
PDF_FORMATS = frozenset(fmt.name for fmt in copies.FORMATS if fmt.renderer == "pdf")


def output_name(stem: str, suffix: str, language: str = "") -> str:
    """Name a letter's file: <stem>[.<language>]<suffix>, from its data file's stem.

    `language` is the code of the one language the file holds, where the letter has others
    (`named_language`); a file holding every language, or the only one, names none. With no
    suffix, this is the name the archive files a record under.
    """
    return stem + (f".{language}" if language else "") + suffix


def named_language(language: str, languages: Sequence[str]) -> str:
    """Say which language the name of a file holding one names: its own if there are others."""
    return language if len(languages) > 1 else ""


def output_names(stem: str) -> set[str]:
    """Name every file a letter of this file name could write, in whatever languages."""
    return {output_name(stem, fmt.suffix) for fmt in copies.FORMATS} | {
        output_name(stem, fmt.suffix, language.code)
        for language in LANGUAGES
        for fmt in copies.FORMATS
        if fmt.per_language
    }


#: The folders under a project that hold what letters reads, never what it writes.
INPUT_FOLDERS = ("data", "templates", "approvals", ".git")
#: The files of an archive (its manifest, lock and journal) and of an approval: no output's.
RECORD_NAMES = ("manifest.jsonl", ".lock", ".filing.json")
RECORD_SUFFIX = ".approval.json"


def refuse_as_target(
    target: Path, root: Path, suffixes: tuple[str, ...] = (), archive: bool = False
) -> Path:
    """Return where an output may be written, refusing a place that would replace an input.

    `target` is a file (with one of `suffixes`, if given) or, without suffixes, a folder.
    No output goes under the project's data/, templates/ or .git/, into an archive (a
    folder holding a manifest) unless it is the `archive` being filed, over an approval
    record, or through a link.
    """
    shown = str(target)
    if target.is_symlink():
        raise RenderError(f"{shown} is a link; give the file or folder itself")
    where = target.resolve()
    if _within(Path(os.path.abspath(target)), root.absolute()) and not _within(
        where, root.resolve()
    ):  # build/ (or a folder above the target) a link to a folder elsewhere
        raise RenderError(
            f"{shown} lies in the project, but a link on the way leads outside it (to {where}); "
            "write to a folder of the project's own, or name the outside folder itself"
        )
    for name in INPUT_FOLDERS:
        if where.is_relative_to((root / name).resolve()):
            raise RenderError(
                f"{shown} lies in the project's {name}/ folder, which holds the letters' "
                "inputs; write it somewhere else (build/, for example)"
            )
    folder = where.parent if suffixes else where
    if where.name in RECORD_NAMES or where.name.endswith(RECORD_SUFFIX):
        raise RenderError(f"{shown} is a record of letters'; write it somewhere else")
    if (folder / RECORD_NAMES[0]).exists() and not archive:
        raise RenderError(
            f"{shown} lies in an archive (its folder holds {RECORD_NAMES[0]}); write it "
            "somewhere else"
        )
    if suffixes and where.suffix.lower() not in suffixes:
        raise RenderError(f"{shown}: give a file name ending {' or '.join(suffixes)}")
    return where


def _within(path: Path, folder: Path) -> bool:
    """Say whether a path lies in a folder, by their names alone."""
    return path == folder or path.is_relative_to(folder)


def remove_outputs(out_dir: Path, stem: str) -> list[Path]:
    """Remove the files a letter of this file name wrote to a folder; return those removed.

    The names are made, never matched: a file name with `*` or `[` in it is no pattern. A
    folder that is, or lies through, a link is left alone.
    """
    if out_dir.resolve() != Path(os.path.abspath(out_dir)):
        return []
    removed = []
    for name in sorted(output_names(stem)):
        path = out_dir / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed.append(path)
    return removed


def safe_name(out_dir: Path, name: str) -> Path:
    """Return an output file's path, refusing any name that would leave the output folder."""
    if UNPRINTABLE.search(name):
        raise RenderError(
            f"the output name {name!r} holds a control or bidirectional character; rename the "
            "data file"
        )
    if name.startswith("."):  # hidden, and the mark of the files a write stages
        raise RenderError(
            f"the output name {name!r} begins with a dot, so it would be a hidden file; rename "
            "the data file"
        )
    target = (out_dir / name).resolve()
    if target.parent != out_dir.resolve():
        raise RenderError(f"output name {name!r} would leave the output folder {out_dir}")
    return target


def _stage(target: Path, data: bytes, mode: int) -> Path:
    """Write data to a new temporary file beside the target, flushed to disk; return its path."""
    _mkdir(target.parent)
    handle, temp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return Path(temp_name)


def _mkdir(folder: Path) -> None:
    """Make the output folder, saying plainly why not if it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot make the folder {folder}: {exc.strerror}") from None


@contextmanager
def _folder_locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on a folder's writes: an flock on the folder itself."""
    _mkdir(folder)
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise RenderError(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


#: The end of a name a write stages (mkstemp's eight characters) or keeps (the process id).
_STAGED = r"\.(?:[a-z0-9_]{8}\.part|\d+\.old)"


def is_staged(name: str, target: str = "") -> bool:
    """Say whether a file name is one a write staged or kept (for `target`, if given)."""
    stem = re.escape(target) if target else ".+"
    return re.fullmatch(rf"\.{stem}{_STAGED}", name) is not None


def _leftovers(target: Path) -> list[Path]:
    """List what an interrupted write of `target` left beside it (staged or kept copies)."""
    if not target.parent.is_dir():
        return []
    return [path for path in target.parent.iterdir() if is_staged(path.name, target.name)]


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: on any failure each target is left as it was before.

    All are staged as temporary files first; each existing target is kept under a second
    name (a hard link) until every rename has succeeded, and put back if one fails. Writes
    into one folder hold its lock, so what an interrupted write of the same files left can be
    cleared safely (and nothing else is touched).
    """
    folders = sorted({target.parent for target in files})
    with ExitStack() as stack:
        for folder in folders:
            stack.enter_context(_folder_locked(folder))
        for target in files:
            for leftover in _leftovers(target):
                leftover.unlink(missing_ok=True)
        _replace_all(files)


def _replace_all(files: dict[Path, bytes]) -> None:
    """Stage, keep and rename the files in, putting every target back if a step fails."""
    staged: list[tuple[Path, Path]] = []
    kept: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for target, data in files.items():
            staged.append((_stage(target, data, 0o644), target))
        for _, target in staged:
            if target.exists() and not target.stat().st_mode & 0o222:
                raise RenderError(
                    f"{target} is read-only (an archived record?); letters never writes over a "
                    "read-only file: write somewhere else"
                )
            if target.exists():
                old = target.with_name(f".{target.name}.{os.getpid()}.old")
                os.link(target, old)
                kept[target] = old
        for temp, target in staged:
            os.replace(temp, target)
            done.append(target)
    except OSError as exc:
        for target in done:
            if target in kept:
                os.replace(kept.pop(target), target)
            else:
                target.unlink(missing_ok=True)
        name = exc.filename or next(iter(files), "")
        raise RenderError(
            f"cannot write {name}: {exc.strerror or exc}; nothing was changed"
        ) from None
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        for old in kept.values():
            old.unlink(missing_ok=True)


def write_new(target: Path, data: bytes, mode: int = 0o444) -> None:
    """Write a file that must not exist yet, atomically: staged, then linked into place.

    Raise FileExistsError, and write nothing, if the target exists (a dangling link too).
    Read-only by default: what is filed is never changed.
    """
    temp = _stage(target, data, mode)
    try:
        os.link(temp, target)  # fails if the target exists: never overwrite
    finally:
        temp.unlink(missing_ok=True)


def check_replaceable(target: Path, marker: str) -> None:
    """Refuse a folder `replace_folder` may not replace: a link, or one it did not make."""
    if target.is_symlink() or (target.exists() and not (target / marker).is_file()):
        raise RenderError(
            f"{target} exists and is not a folder letters wrote (it has no {marker}); give "
            "another --out, or move it away"
        )


def replace_folder(target: Path, files: dict[str, bytes], marker: str) -> None:
    """Write a whole folder of files (relative names -> bytes) in place of `target`, at once.

    The folder is made beside the target and renamed into place; a target there already
    must be a folder made so (it holds `marker`), never a link or someone's own folder.
    """
    check_replaceable(target, marker)
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    try:
        for name, data in sorted(files.items()):
            path = staged / name
            if not path.resolve().is_relative_to(staged.resolve()):
                raise RenderError(f"{name}: a file of the folder must lie inside it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(staged, 0o755)
        if target.exists():
            os.replace(target, old)
        os.replace(staged, target)
    except BaseException as exc:  # Ctrl-C between the two renames too: the old folder back
        if old.exists() and not target.exists():
            os.replace(old, target)
        if not isinstance(exc, OSError):
            raise
        raise RenderError(
            f"cannot write {target}: {exc.strerror or exc}; nothing was changed"
        ) from None
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
