"""Provenance: which tools, at which versions, made a letter from which inputs."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import importlib.metadata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from . import __version__

T = TypeVar("T")


def while_unchanged(maxsize: int) -> Callable[[Callable[[Path], T]], Callable[[Path], T]]:
    """Keep what a function reads from a file while the file is unchanged.

    The file's size and modification time decide, so a process that runs on (the live
    preview) reads a file again once it is saved. A file that cannot be looked at is read
    anyway, uncached, for the function to say what is wrong.
    """

    def keeping(read: Callable[[Path], T]) -> Callable[[Path], T]:
        @lru_cache(maxsize=maxsize)
        def kept(path: Path, _modified: int, _size: int) -> T:
            return read(path)

        @functools.wraps(read)
        def reading(path: Path) -> T:
            try:
                stat = path.stat()
            except OSError:
                return read(path)
            return kept(path, stat.st_mtime_ns, stat.st_size)

        return reading

    return keeping


def inputs_digest(files: Iterable[Path], root: Path) -> str:
    """Hash (SHA-256) every input's path, relative to the project, and content, in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted({file.resolve() for file in files}):
        digest.update(path.relative_to(root.resolve()).as_posix().encode("utf-8") + b"\0")
        digest.update(_file_sha256(path).encode("ascii") + b"\n")
    return digest.hexdigest()


def file_digests(files: Iterable[Path], root: Path) -> dict[str, str]:
    """Hash each file: its path relative to the project -> the SHA-256 of its content.

    Raise OSError for a file that cannot be read.
    """
    digests = {}
    root = root.resolve()
    for path in (file.resolve() for file in files):
        digests[path.relative_to(root).as_posix()] = _file_sha256(path)
    return dict(sorted(digests.items()))


@while_unchanged(maxsize=1024)
def _file_sha256(path: Path) -> str:
    """Hash a file (SHA-256), once per process while it is unchanged (the fonts are large)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_digest(data: bytes) -> str:
    """Return the SHA-256 of some bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def tool_versions() -> tuple[tuple[str, str], ...]:
    """Name the versions of letters, WeasyPrint, Pango and HarfBuzz that render the letters.

    Read from the installed packages' metadata and the system libraries themselves, so
    that composing a letter never imports a renderer.
    """
    return (
        ("letters", __version__),
        ("WeasyPrint", _package_version("weasyprint")),
        ("Pango", _library_version(("pango-1.0", "pango-1.0-0"), "pango_version_string")),
        ("HarfBuzz", _library_version(("harfbuzz", "harfbuzz-0.0"), "hb_version_string")),
    )


def _package_version(name: str) -> str:
    """Return an installed package's version, or 'unknown'."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _library_version(names: tuple[str, ...], function: str) -> str:
    """Ask a system library for its version string, or say 'unknown' if it is not there."""
    for name in names:
        found = ctypes.util.find_library(name)
        if not found:
            continue
        try:
            version = getattr(ctypes.CDLL(found), function)
        except (OSError, AttributeError):
            continue
        version.restype = ctypes.c_char_p
        return bytes(version()).decode("ascii")
    return "unknown"
