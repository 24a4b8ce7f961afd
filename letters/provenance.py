"""Provenance: which tools, at which versions, made a letter from which inputs."""

from __future__ import annotations

import ctypes.util
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from . import __version__


def inputs_digest(files: Iterable[Path], root: Path) -> str:
    """A SHA-256 over every input's path (relative to the project) and content, in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted({file.resolve() for file in files}):
        stat = path.stat()
        digest.update(path.relative_to(root.resolve()).as_posix().encode("utf-8") + b"\0")
        digest.update(_file_sha256(path, stat.st_mtime_ns, stat.st_size).encode("ascii") + b"\n")
    return digest.hexdigest()


@lru_cache(maxsize=1024)
def _file_sha256(path: Path, _mtime_ns: int, _size: int) -> str:
    """A file's SHA-256, read once per process while the file is unchanged (the fonts are large)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def tool_versions() -> tuple[tuple[str, str], ...]:
    """The versions of letters, WeasyPrint, Pango and HarfBuzz that render the letters."""
    import weasyprint
    from weasyprint.text.ffi import pango

    number = pango.pango_version()
    versions = [("letters", __version__), ("WeasyPrint", weasyprint.__version__),
                ("Pango", f"{number // 10000}.{number // 100 % 100}.{number % 100}"),
                ("HarfBuzz", _harfbuzz_version())]
    return tuple(versions)


def _harfbuzz_version() -> str:
    """HarfBuzz's own version string, from the library WeasyPrint loads."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("const char *hb_version_string(void);")
    for name in ("harfbuzz", "harfbuzz-0.0"):
        found = ctypes.util.find_library(name)
        if found:
            return ffi.string(ffi.dlopen(found).hb_version_string()).decode("ascii")  # type: ignore[no-any-return]
    return "unknown"
