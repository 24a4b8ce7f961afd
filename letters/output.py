"""Write outputs all or nothing: staged beside their targets, renamed in, restored on failure.

Several renames can never be one atomic step, so a failure part-way puts back every file
as it was; after a kill, the next write of the same files clears the leftovers.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .errors import UNPRINTABLE, RenderError

#: The formats a letter is written in: the letter to send (DOCX, PDF/A with its data as sent)
#: and the public copy for the website (HTML page, PDF), each to <data-file-stem><suffix>.
FORMATS = ("docx", "pdf", "html", "public-pdf")
SUFFIXES = {"docx": ".docx", "pdf": ".pdf", "html": ".html", "public-pdf": ".public.pdf"}


#: The languages a letter can be in, each PDF of a letter in two of them named after one.
LANGUAGES = ("en", "cy")


def output_names(stem: str) -> set[str]:
    """Name every file a letter of this file name could write, in whatever languages."""
    pdfs = (SUFFIXES["pdf"], SUFFIXES["public-pdf"])
    return {stem + suffix for suffix in SUFFIXES.values()} | {
        f"{stem}.{language}{suffix}" for language in LANGUAGES for suffix in pdfs
    }


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


def write_new(target: Path, data: bytes) -> None:
    """Write a file that must not exist yet, atomically: staged, then linked into place.

    Raise FileExistsError, and write nothing, if the target exists.
    """
    temp = _stage(target, data, 0o444)
    try:
        os.link(temp, target)  # fails if the target exists: never overwrite
    finally:
        temp.unlink(missing_ok=True)
