"""Write outputs atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import RenderError

#: The formats a letter is written in: the record copy (DOCX, PDF/A with its sources inside)
#: and the public copy for the website (HTML page, PDF), each to <data-file-stem><suffix>.
FORMATS = ("docx", "pdf", "html", "public-pdf")
SUFFIXES = {"docx": ".docx", "pdf": ".pdf", "html": ".html", "public-pdf": ".public.pdf"}


def safe_name(out_dir: Path, name: str) -> Path:
    """Return an output file's path, refusing any name that would leave the output folder."""
    target = (out_dir / name).resolve()
    if target.parent != out_dir.resolve() or name.startswith("."):
        raise RenderError(f"output name {name!r} would leave the output folder {out_dir}")
    return target


def _stage(target: Path, data: bytes, mode: int) -> Path:
    """Write data to a new temporary file beside the target, flushed to disk; return its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
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


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: all are staged as temporary files before any is renamed."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            staged.append((_stage(target, data, 0o644), target))
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)


def write_new(target: Path, data: bytes) -> None:
    """Write a file that must not exist yet, atomically: staged, then linked into place.

    Raise FileExistsError, and write nothing, if the target exists.
    """
    temp = _stage(target, data, 0o444)
    try:
        os.link(temp, target)  # fails if the target exists: never overwrite
    finally:
        temp.unlink(missing_ok=True)
