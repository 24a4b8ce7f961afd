"""Provenance: which tools, at which versions, made a letter from which inputs."""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from .. import __version__
from .inputs import ANY, read_input

T = TypeVar("T")


#: A function reading a file (the first path) of the project at a root (the second).
Reader = Callable[[Path, Path], T]


def while_unchanged(maxsize: int) -> Callable[[Reader[T]], Reader[T]]:
    """Keep what a function reads from a file of a project while the file is unchanged.

    The file's identity, size and modification time decide, so a process that runs on (the
    live preview) reads a file again once it is saved, or once a link is pointed elsewhere.
    A file that cannot be looked at is read anyway, uncached, for the function to say what
    is wrong.
    """

    def keeping(read: Reader[T]) -> Reader[T]:
        @lru_cache(maxsize=maxsize)
        def kept(path: Path, root: Path, _identity: tuple[int, ...]) -> T:
            return read(path, root)

        @functools.wraps(read)
        def reading(path: Path, root: Path) -> T:
            try:
                stat = path.stat()
            except (OSError, ValueError):
                return read(path, root)
            identity = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size)
            return kept(path, root, identity)

        return reading

    return keeping


def inputs_digest(files: Iterable[Path], root: Path) -> str:
    """Hash (SHA-256) every input's path, relative to the project, and content, in a fixed order."""
    digest = hashlib.sha256()
    root = root.resolve()
    for path in sorted({file.resolve() for file in files}):
        digest.update(_relative(path, root).encode("utf-8") + b"\0")
        digest.update(_file_sha256(path, root).encode("ascii") + b"\n")
    return digest.hexdigest()


def file_digests(files: Iterable[Path], root: Path) -> dict[str, str]:
    """Hash each file: its path relative to the project -> the SHA-256 of its content.

    Raise InputError for a file that cannot be read, or may not be (`inputs.read_input`).
    """
    digests = {}
    root = root.resolve()
    for path in (file.resolve() for file in files):
        digests[_relative(path, root)] = _file_sha256(path, root)
    return dict(sorted(digests.items()))


def _relative(path: Path, root: Path) -> str:
    """Name an input by its place in the project (one outside it is refused unread)."""
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    read_input(path, root, ANY)  # refused, in the words every refused input has
    return path.as_posix()  # a place `inputs.OUTSIDE_THE_PROJECT` names: by its whole path


@while_unchanged(maxsize=1024)
def _file_sha256(path: Path, root: Path) -> str:
    """Hash an input (SHA-256), once per process while it is unchanged (the fonts are large)."""
    return hashlib.sha256(read_input(path, root, ANY)).hexdigest()


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
        ("Pango", _library_version("pango-1.0", "pango-1.0-0", ask="pango_version_string")),
        ("HarfBuzz", _library_version("harfbuzz", "harfbuzz-0.0", ask="hb_version_string")),
    )


def _package_version(name: str) -> str:
    """Return an installed package's version, or 'unknown'."""
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _library_version(*names: str, ask: str) -> str:
    """Ask a system library for its version string, or say 'unknown' if it is not there.

    The library is opened by its file name on Linux (libpango-1.0.so.0, as WeasyPrint opens
    it) before it is searched for: `ctypes.util.find_library` runs ldconfig for each name.
    """
    import ctypes
    import ctypes.util

    searched = (ctypes.util.find_library(name) for name in names)  # each only if need be
    for file in itertools.chain([f"lib{names[0]}.so.0"], searched):
        if not file:
            continue
        try:
            version = getattr(ctypes.CDLL(file), ask)
        except (OSError, AttributeError):
            continue
        version.restype = ctypes.c_char_p
        return bytes(version()).decode("ascii")
    return "unknown"
