"""Import WeasyPrint for the PDF renderer, sparing it work it repeats for every process.

Nothing here changes what WeasyPrint draws or writes: only how fast it starts and finds
its C types.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TextIO

from .internals import has_array_types, new_array_type, parsed_types, replace_parsed_types


def import_weasyprint() -> ModuleType:
    """Import WeasyPrint, opening its system libraries by their file names alone.

    WeasyPrint tries each of its libraries (Pango, HarfBuzz, fontconfig...) under the names
    several platforms give it. For each name the loader cannot open as it stands, cffi asks
    `ctypes.util.find_library`, which on Linux runs ldconfig, then gcc, then ld: two dozen
    searches, a fifth of a second of every start where gcc is installed. Each library's list
    also holds its file name (libpango-1.0.so.0), which the loader opens at once, so these
    searches are left out while WeasyPrint is imported. Where a library can only be found by
    searching, WeasyPrint is imported again as it would be.

    Its C types are then found faster (`_ArrayTypes`).
    """
    if "weasyprint" not in sys.modules:
        _import_unsearched()
    from .internals import ffi

    _derive_array_types(ffi)
    return sys.modules["weasyprint"]


def _import_unsearched() -> None:
    """Import WeasyPrint without library searches, or, failing that, as it would be."""
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = _not_searched
    try:
        with _quiet_in_this_thread():  # WeasyPrint prints advice before it fails
            import weasyprint  # noqa: F401
    except OSError:
        for name in [name for name in sys.modules if name.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
        ctypes.util.find_library = search
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = search


@contextmanager
def _quiet_in_this_thread() -> Iterator[None]:
    """Drop what this thread prints meanwhile; other threads' output still goes out."""
    stream = sys.stdout
    if stream is None:  # no standard output at all: nothing to keep quiet
        yield
        return
    sys.stdout = _Quiet(stream, threading.get_ident())
    try:
        yield
    finally:
        sys.stdout = stream


class _Quiet:
    """Standard output that drops what one thread writes and passes on what others do."""

    def __init__(self, stream: TextIO, thread: int) -> None:
        self.stream = stream
        self.thread = thread

    def write(self, text: str) -> int:
        """Write the text, unless it comes from the quiet thread."""
        return len(text) if threading.get_ident() == self.thread else self.stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _not_searched(name: str) -> None:
    """Stand in for `ctypes.util.find_library` while WeasyPrint opens its libraries."""
    return None


#: A C array type of a fixed length, as WeasyPrint names one: `hb_codepoint_t[68]`.
_ARRAY = re.compile(r"([A-Za-z_][A-Za-z0-9_ ]*)\[([0-9]+)\]")


class _ArrayTypes(dict[str, Any]):
    """cffi's cache of the C types it has parsed, finding an array type without parsing.

    WeasyPrint asks for an array type of each length it subsets a font to
    (`hb_codepoint_t[68]`). cffi parses each new name with pycparser, declaring every type
    it knows first: 3 ms each, and 3 to 20 ms for each of the examples built after the
    default letter in one process. The array type is made here from its item's pointer
    type instead; cffi's backend keeps one type object of each, so it is the very object
    the parse would give.
    """

    def __init__(self, ffi: Any, parsed: dict[str, Any]) -> None:
        super().__init__(parsed)
        self._ffi = ffi

    def __missing__(self, name: str) -> Any:
        match = _ARRAY.fullmatch(name)
        if match is None:
            raise KeyError(name)
        pointer = self._ffi.typeof(f"{match[1].strip()} *")
        found = (new_array_type(self._ffi, pointer, int(match[2])), False)
        self[name] = found
        return found


def _derive_array_types(ffi: Any) -> None:
    """Give WeasyPrint's cffi instance the array-finding cache (cffi 2.1 keeps it in a dict)."""
    parsed = parsed_types(ffi)
    if type(parsed) is dict and has_array_types(ffi):
        replace_parsed_types(ffi, _ArrayTypes(ffi, parsed))
