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
    """The path of an output file, refusing any name that would leave the output folder."""
    target = (out_dir / name).resolve()
    if target.parent != out_dir.resolve() or name.startswith("."):
        raise RenderError(f"output name {name!r} would leave the output folder {out_dir}")
    return target


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file or none: all are staged as temporary files before any is renamed."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            staged.append((Path(temp_name), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp_name, 0o644)
        for temp, target in staged:
            os.replace(temp, target)
    finally:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
