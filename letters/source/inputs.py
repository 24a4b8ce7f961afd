"""Read every input of a letter through one door: inside the project, a regular file, bounded."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, display_path

#: Where an input may lie outside the project folder: nowhere. Every input (data, offices,
#: reference lists, templates, the house style, fonts, signatures) lies in the project. The
#: output folder given with --out, and settings a command is pointed at explicitly, are not
#: inputs and are not read through here.
OUTSIDE_THE_PROJECT: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Kind:
    """A kind of input: what a message calls it, the most bytes it may hold, what it should be."""

    name: str
    limit: int
    is_a: str


#: The most bytes each kind of input may hold, each far above what a real one needs (the
#: largest letter's data is 7 KB, the largest template 10 KB, a house font 0.4 MB), so that
#: a file linked in by mistake, or to exhaust memory, is refused before a byte is read.
DATA_BYTES = 400_000
REFERENCE_BYTES = 400_000
STYLE_BYTES = 400_000
#: Four bytes for each of the 200,000 characters a template holds (`wording.MAX_TEMPLATE`).
TEMPLATE_BYTES = 800_000
#: A font covering many scripts (Noto Sans CJK) runs to 20 MB.
FONT_BYTES = 20_000_000
SIGNATURE_BYTES = 1_000_000
#: An approval record: a digest of each input.
RECORD_BYTES = 400_000
#: The archive's manifest: one row of about 2 KB for each letter filed, for decades.
MANIFEST_BYTES = 200_000_000

DATA = Kind("a letter's data", DATA_BYTES, "a data file is a YAML file")
REFERENCE = Kind("a reference list", REFERENCE_BYTES, "a reference list is a YAML file")
HOUSE_STYLE = Kind("the house style", STYLE_BYTES, "the house style is a YAML file")
TEMPLATE = Kind("a template", TEMPLATE_BYTES, "a template is a text file")
FONT = Kind("a house font", FONT_BYTES, "a house font is a TrueType or OpenType file")
SIGNATURE = Kind("a signature image", SIGNATURE_BYTES, "a signature is a PNG image")
RECORD = Kind("an approval record", RECORD_BYTES, "an approval record is a JSON file")
#: Files letters keeps itself, read back through `read_regular`.
MANIFEST = Kind("an archive's manifest", MANIFEST_BYTES, "a manifest is a JSON Lines file")
JOURNAL = Kind("an archive's journal", RECORD_BYTES, "a journal is a JSON file")
BUILD_RECORD = Kind("a build record", RECORD_BYTES, "a build record is a JSON file")
#: Any input, read whole to be digested or embedded: as large as the largest kind.
ANY = Kind(
    "an input",
    max(DATA_BYTES, REFERENCE_BYTES, STYLE_BYTES, TEMPLATE_BYTES, FONT_BYTES, SIGNATURE_BYTES),
    "an input is a file",
)


def read_input(path: Path, root: Path, kind: Kind) -> bytes:
    """Read an input of the project at `root`, refusing it unread if it should not be read.

    Refused before a byte is read: a file whose real place (its links followed) lies outside
    the project, anything but a regular file (a folder, a FIFO, a device), and a file larger
    than its kind's limit. At most the limit and one byte more are read: the file may grow
    meanwhile. The message names the file as it was given, never what it holds.
    """
    shown = display_path(path, follow_links=False)
    try:
        real = path.resolve()
    except RuntimeError:  # Python 3.11's word for a loop of links
        raise InputError(
            shown, "a link that leads round in a loop; link to the file itself"
        ) from None
    except (OSError, ValueError) as exc:  # a name with a NUL in it, or too long
        raise InputError(shown, f"cannot read the file: {_why(exc)}") from None
    if not _may_lie_at(real, root):
        raise InputError(shown, _outside(path, real, root, kind))
    return read_regular(real, kind, shown, one_name=True)


def read_regular(real: Path, kind: Kind, shown: str, one_name: bool = False) -> bytes:
    """Read a regular file (no FIFO, device or folder; no link as its last part), bounded.

    For files letters keeps itself (the archive's manifest and journal, the build record)
    as for inputs. With `one_name`, a file with a second name (a hard link, which can make
    a file from outside the project look as if it were in it) is refused too.
    """
    try:
        real = real.parent.resolve() / real.name  # its folder's links followed; its own not
        before = os.lstat(real)
        if not stat.S_ISREG(before.st_mode):
            # a FIFO would block its reader, a device never end: neither is opened
            raise InputError(shown, f"not a regular file; {kind.is_a}")
        if one_name and before.st_nlink > 1:
            raise InputError(
                shown,
                "the file has a second name (a hard link), so it may be a file from outside "
                "the project; copy it in instead",
            )
        if before.st_size > kind.limit:
            raise InputError(shown, _too_big(before.st_size, kind))
        # Not blocking, and not through a link put in its place since it was resolved:
        # what is opened is checked to be the file that was looked at.
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
        with os.fdopen(os.open(real, flags), "rb") as stream:
            opened = os.fstat(stream.fileno())
            if not (
                _same_file(before, opened)
                and stat.S_ISREG(opened.st_mode)
                and _opened_at(stream.fileno(), real)
            ):
                raise InputError(shown, "the file changed as it was opened; try again")
            if opened.st_size > kind.limit:
                raise InputError(shown, _too_big(opened.st_size, kind))
            data = stream.read(kind.limit + 1)
    except OSError as exc:
        raise InputError(shown, f"cannot read the file: {_why(exc)}") from None
    if len(data) > kind.limit:
        raise InputError(
            shown,
            f"the file grew past {kind.limit:,} bytes as it was read, the most for "
            f"{kind.name}; check that it is the file meant",
        )
    return data


def _may_lie_at(real: Path, root: Path) -> bool:
    """Say whether an input's real place is inside the project (or a place named above)."""
    return any(real.is_relative_to(place.resolve()) for place in (root, *OUTSIDE_THE_PROJECT))


def _outside(path: Path, real: Path, root: Path, kind: Kind) -> str:
    """Say that an input lies outside the project: itself, or through a link."""
    if Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root)):
        return (
            f"leads through a link to {display_path(real)}, outside the project; {kind.name} "
            "is read only from inside the project: copy the file in rather than linking to it"
        )
    return (
        f"lies outside the project folder {root.resolve()}; {kind.name} is read only from "
        "inside the project: copy the file into it"
    )


def _too_big(size: int, kind: Kind) -> str:
    """Say that a file is larger than its kind may be."""
    return (
        f"the file is {size:,} bytes; {kind.name} is at most {kind.limit:,} (is this the file "
        "you meant?)"
    )


def _opened_at(descriptor: int, real: Path) -> bool:
    """Say whether an open file is the one at `real`, where the system can tell (Linux).

    A folder on the way swapped for a link after `real` was resolved would lead elsewhere.
    """
    try:
        return Path(os.readlink(f"/proc/self/fd/{descriptor}")) == real
    except OSError:  # no /proc: the file's identity, checked by the caller, has to do
        return True


def _same_file(one: os.stat_result, other: os.stat_result) -> bool:
    """Say whether two looks at a file saw the same file."""
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _why(exc: OSError | ValueError) -> str:
    """Say why a file cannot be read, without the path the error may repeat."""
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
