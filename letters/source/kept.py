"""What a cold run can skip, kept on disk under the project's `.letters-cache/made/`.

A command that starts cold compiles the wording templates, checks the house fonts and
draws the wordmark before it lays out a page. Each of these depends only on some bytes (a
template's source, a font file) and on the code that makes it, so what it made is kept
here, and the next run reads it back instead.

An entry is named by the SHA-256 of its kind and of what it was made from (a font's
digest, the house style's values), together with the versions of Python, letters and the
libraries that make it, and the digest of the source of the letters modules that make it
(`versions`): made by other code, it is not the entry looked up. An entry kept under a
name whose inputs may change (a template's, by its name and file) holds the digest of
what it was made from, and its reader compares it with the input now: an entry made
before an edit is never used after it.

Every entry is checked before its bytes are used: it carries an HMAC-SHA256 tag over its
name and content, made with a key of this user's alone, outside the project
(`$XDG_CACHE_HOME/letters/kept.key`, readable by no one else). An entry tampered with
(anyone who can write the project, even office staff who may not run code, cannot make a
tag without the key), truncated, or made by another user is ignored and made again;
compiled code (marshal) is loaded only from an entry whose tag holds. A cache that cannot
be read or written is no cache: nothing here is ever an error.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from .. import __version__

#: The project's folder of what letters keeps between runs (build records, snapshots, this).
CACHE = ".letters-cache"
#: The folder under it of what a cold run can skip.
MADE = "made"
#: What an entry starts with: this format's name and version.
MAGIC = b"letters-kept 1\n"
#: The most entries kept. Each template has its own for each copy of it (an approved
#: letter's snapshot holds one: the default project's letters make some 350 entries, 5 MB);
#: beyond that number they are old ones (`_prune`).
MOST_ENTRIES = 2000
#: The most bytes an entry may hold (a compiled template is some tens of KB; a wordmark PNG
#: some hundreds): a larger file is no entry of ours.
MOST_BYTES = 20_000_000
_TAG = 32
_KEY_BYTES = 32

T = TypeVar("T")


def folder(root: Path) -> Path:
    """Return where the project at `root` keeps what a cold run can skip.

    A project written out under the cache (an approved letter's snapshot, in
    `.letters-cache/snapshots/`) keeps its entries in the cache it lies in.
    """
    parts = root.resolve().parts
    if CACHE in parts:
        return Path(*parts[: parts.index(CACHE) + 1]) / MADE
    return root.resolve() / CACHE / MADE


def versions(*modules: ModuleType) -> bytes | None:
    """Say what makes an entry: Python, letters, and each module's version or its code.

    A library module gives its `__version__` (or `version`); a letters module its source's
    digest, so a change to the code that makes an entry changes the entry's name even where
    the version number is the same. None (nothing is kept) if a letters module's source
    cannot be read.
    """
    said = [sys.version, sys.implementation.cache_tag or "", __version__]
    for module in modules:
        if module.__name__.partition(".")[0] == "letters":
            code = _code_of(module.__file__)
            if code is None:
                return None
            said.append(f"{module.__name__} {code}")
        else:
            number = getattr(module, "__version__", None) or getattr(module, "version", None)
            said.append(f"{module.__name__} {number}")
    return "\n".join(said).encode("utf-8")


@cache
def _code_of(file: str | None) -> str | None:
    """Return the SHA-256 of a letters module's source file, or None if it cannot be read."""
    try:
        return hashlib.sha256(Path(str(file)).read_bytes()).hexdigest()
    except OSError:
        return None


def entry_name(kind: str, made_by: bytes | None, key: Iterable[bytes | str]) -> str | None:
    """Name an entry: a digest of its kind, what makes it (`versions`) and its key.

    None (nothing is kept) if what makes it cannot be said.
    """
    if made_by is None:
        return None
    digest = hashlib.sha256()
    for part in (kind, made_by, *key):
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return f"{kind}-{digest.hexdigest()}"


def read(root: Path, name: str | None) -> bytes | None:
    """Return the content of an entry if it is there and its tag holds; None otherwise."""
    secret = _secret()
    if name is None or secret is None:
        return None
    path = folder(root) / name
    try:
        if _linked(path.parent):
            return None
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MOST_BYTES:
            return None
        with os.fdopen(handle, "rb", closefd=False) as file:
            data = file.read(MOST_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(handle)
    head = len(MAGIC) + _TAG
    if len(data) < head or not data.startswith(MAGIC):
        return None
    tag, content = data[len(MAGIC) : head], data[head:]
    if not hmac.compare_digest(tag, _tag(secret, name, content)):
        return None
    return content


def write(root: Path, name: str | None, content: bytes) -> None:
    """Keep an entry, written whole and renamed in; do nothing if it cannot be written."""
    secret = _secret()
    if name is None or secret is None or len(content) + 100 > MOST_BYTES:
        return
    place = folder(root)
    temporary = place / f".{name}.{os.getpid()}"
    try:
        place.mkdir(parents=True, exist_ok=True)
        if _linked(place):
            return
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(MAGIC + _tag(secret, name, content) + content)
        os.replace(temporary, place / name)
        _prune(place)
    except OSError:
        try:
            temporary.unlink()
        except OSError:
            pass


def _prune(place: Path) -> None:
    """Remove the entries written longest ago, when there are more than MOST_ENTRIES.

    An edit to a template or the house style makes new entries and leaves the old ones
    unread (the live preview makes one at each save); one removed while still wanted is
    made again.
    """
    with os.scandir(place) as found:
        entries = [entry for entry in found if not entry.name.startswith(".")]
    if len(entries) <= MOST_ENTRIES:
        return
    entries.sort(key=lambda entry: entry.stat(follow_symlinks=False).st_mtime_ns)
    for entry in entries[: len(entries) - MOST_ENTRIES * 3 // 4]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _tag(secret: bytes, name: str, content: bytes) -> bytes:
    """Tag an entry's name and content with this user's key."""
    return hmac.new(secret, name.encode("utf-8") + b"\0" + content, hashlib.sha256).digest()


def _linked(place: Path) -> bool:
    """Say whether the folder, or one above it up to the cache, is a link (or not a folder).

    What is kept stays in the project: nothing is written, or read, through a link.
    """
    parts = place.parts
    if CACHE not in parts:
        return True
    start = parts.index(CACHE)
    for end in range(start + 1, len(parts) + 1):
        if not stat.S_ISDIR(Path(*parts[:end]).lstat().st_mode):
            return True
    return False


def key_file() -> Path:
    """Return the file of this user's key: `$XDG_CACHE_HOME/letters/kept.key`."""
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "letters" / "kept.key"


@cache
def _secret() -> bytes | None:
    """Return this user's key for the tags, made the first time; None if it cannot be had.

    The key is refused (and nothing kept) if its file or folder is a link, another user's,
    or open to others: a key someone else could read would let them make entries.
    """
    try:
        path = key_file()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(path.parent, stat.S_ISDIR):
            return None
        if not path.exists():
            _make_key(path)
        if not _private(path, stat.S_ISREG):
            return None
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(handle, "rb") as file:
            key = file.read(_KEY_BYTES + 1)
    except (OSError, RuntimeError):  # no home, a read-only one, a loop of links
        return None
    return key if len(key) == _KEY_BYTES else None


def _make_key(path: Path) -> None:
    """Write a new key, whole, where there is none: processes starting together make one."""
    temporary = path.parent / f".{path.name}.{os.getpid()}"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(secrets.token_bytes(_KEY_BYTES))
        try:
            os.link(temporary, path)  # never replaces a key another process made first
        except FileExistsError:
            pass
    finally:
        temporary.unlink()


def _private(path: Path, kind: Callable[[int], bool]) -> bool:
    """Say whether a file or folder is this user's own, of its kind, and closed to others."""
    found = path.lstat()
    return kind(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077


def kept_or_made(
    root: Path,
    name: str | None,
    make: Callable[[], T],
    dump: Callable[[T], bytes],
    load: Callable[[bytes], T],
) -> T:
    """Return what an entry keeps (`load` read back from its bytes), or `make` it and keep it.

    An entry whose tag holds but whose content `load` cannot read (it raises ValueError) is
    made again, and replaced.
    """
    content = read(root, name)
    if content is not None:
        try:
            return load(content)
        except ValueError:
            pass
    made = make()
    write(root, name, dump(made))
    return made
