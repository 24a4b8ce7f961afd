"""An archived record made again from the files it embeds alone: checked, rendered, compared.

A record PDF embeds every input of its letter (`record_inputs`). Each is checked against
the record's list and written into an empty temporary folder as a project, and the letter
is rendered from there, with no access to the project it came from: the record again, to
be compared byte for byte, or the public copy (HTML page and public PDF).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..source.errors import ArchiveError, LettersError, ProjectError, RenderError, display_path
from ..source.inputs import Kind, read_regular
from .build import made_here, remade_record
from .output import RECORD_NAMES, SUFFIXES, named_language, output_name, refuse_as_target, write_all
from .project import Project
from .record_inputs import Embedded, read_embedded

T = TypeVar("T")

#: A record PDF, read whole: its fonts make it about 1 MB; one of 300 MB is no record.
RECORD_PDF = Kind("a record PDF", 300_000_000, "a record is a PDF file")
#: The versions a PDF's XMP records: <letters:WeasyPrint>70.0</letters:WeasyPrint>.
_VERSION = re.compile(rb"<letters:(letters|WeasyPrint|Pango|HarfBuzz)>([^<]{1,100})</letters:\1>")
#: The formats of the public copy, as `letters build --format` names them.
PUBLIC = ("html", "public-pdf")


@dataclass(frozen=True)
class Reproduced:
    """A record rendered again from its embedded files, and whether the bytes are the same."""

    record: Path
    identical: bool
    #: How many inputs it was made from.
    inputs: int
    #: Where the PDF made again was written, if asked.
    written: Path | None
    #: Each tool whose version differs between the record and this machine.
    versions: tuple[str, ...]

    @property
    def verdict(self) -> str:
        """Say in one line whether the record was reproduced byte for byte, and if not, why."""
        shown = display_path(self.record)
        if self.identical:
            return f"reproduced {shown}: byte-identical (from its {self.inputs} embedded inputs)"
        why = (
            f"; it was made with {', '.join(self.versions)}"
            if self.versions
            else "; the same versions of letters, WeasyPrint, Pango and HarfBuzz made both"
        )
        return (
            f"{shown}: differs: rendered again from its {self.inputs} embedded inputs, the PDF "
            f"is not byte-identical to the record{why}"
        )


@dataclass(frozen=True)
class PublicCopy:
    """The public copy made from a record: the files written, and the letter's warnings."""

    paths: tuple[Path, ...]
    warnings: tuple[str, ...]


def reproduce(record: Path, out_dir: Path | None = None) -> Reproduced:
    """Render a record PDF again from its embedded files alone; compare the bytes.

    With `out_dir`, the PDF made again is written there under the record's name, to be
    compared with a PDF tool; never over the record itself, nor into a project's inputs or
    an archive.
    """
    pdf = _read(record)
    target = _targets(out_dir, [record.name], record)[0] if out_dir is not None else None
    with _unpacked(pdf, record) as (embedded, root):
        data_path = root / embedded.letter
        made = _rendered(
            record, root, lambda: remade_record(data_path, Project(root), embedded.language)
        )
    if made is None:
        raise ArchiveError(
            f"{display_path(record)}: its list of inputs names the language "
            f"{embedded.language!r}, which the letter does not have; it cannot be reproduced"
        )
    if target is not None:
        write_all({target: made.pdf})
    versions = _versions(pdf, made.pdf)
    return Reproduced(record, made.pdf == pdf, len(embedded.files), target, versions)


def public_copy(record: Path, out_dir: Path) -> PublicCopy:
    """Make the public copy of an archived letter from its record's embedded files alone.

    The HTML page and the public PDF (one per language), named as `letters build` names
    them, written into `out_dir` all or nothing; never over the record, nor into a
    project's inputs or an archive.
    """
    pdf = _read(record)
    _targets(out_dir, [], record)  # refused before the work, not after
    with _unpacked(pdf, record) as (embedded, root):
        data_path = root / embedded.letter
        made = _rendered(record, root, lambda: made_here(data_path, PUBLIC, Project(root)))
    files = {
        output_name(data_path.stem, SUFFIXES[fmt], named_language(language, made.languages)): data
        for (fmt, language), data in made.files.items()
    }
    targets = dict(zip(_targets(out_dir, list(files), record), files.values(), strict=True))
    write_all(targets)
    warnings = tuple(_relocated(warning, root, record) for warning in made.warnings)
    return PublicCopy(tuple(targets), warnings)


def _read(record: Path) -> bytes:
    """Read a record PDF: a regular file, bounded."""
    return read_regular(Path(os.path.abspath(record)), RECORD_PDF, display_path(record))


@contextmanager
def _unpacked(pdf: bytes, record: Path) -> Iterator[tuple[Embedded, Path]]:
    """Check a record's embedded inputs and write them into an empty temporary project."""
    shown = display_path(record)
    embedded = read_embedded(pdf, shown)
    with tempfile.TemporaryDirectory(prefix="letters-record-") as folder:
        root = Path(folder).resolve()
        for name, data in embedded.files.items():
            path = root / name  # a plain path inside data/ or templates/ (read_embedded)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("xb") as file:
                    file.write(data)
            except OSError as exc:  # a file and a folder of one name, or two names alike
                raise ArchiveError(
                    f"{shown}: {name}: cannot be written out with the record's other inputs "
                    f"({exc.strerror}); it cannot be reproduced"
                ) from None
        yield embedded, root


def _rendered(record: Path, root: Path, make: Callable[[], T]) -> T:
    """Render from an unpacked record; an error names the record and the file inside it."""
    try:
        return make()
    except LettersError as exc:
        raise ArchiveError(
            f"{display_path(record)}: cannot be rendered again from its embedded inputs: "
            + _relocated(str(exc), root, record, inside=False)
        ) from None


def _relocated(message: str, root: Path, record: Path, inside: bool = True) -> str:
    """Name a file of the unpacked record by its path in the record, not the temporary one."""
    shown = display_path(record) + ": " if inside else ""
    return message.replace(display_path(root) + os.sep, shown).replace(str(root) + os.sep, shown)


def _targets(out_dir: Path, names: list[str], record: Path) -> list[Path]:
    """Return where each file goes in `out_dir`, refusing a place that would replace an input.

    Not under a project's data/, templates/ or approvals/, not in an archive (a folder with
    a manifest, or one below it), and never over the record itself.
    """
    try:
        root = Project.find(out_dir).root
    except ProjectError:  # no project around it: only the record is an input
        root = Path(os.path.abspath(out_dir))
    folder = refuse_as_target(out_dir, root)
    for above in (folder, *folder.parents):
        if (above / RECORD_NAMES[0]).is_file():
            raise RenderError(
                f"{out_dir} lies in an archive ({display_path(above)} holds "
                f"{RECORD_NAMES[0]}); write it somewhere else (build/, for example)"
            )
    targets = [folder / name for name in names]
    for target in targets:
        if target.exists() and os.path.samefile(target, record):
            raise RenderError(
                f"{display_path(target)} is the record itself; write it somewhere else"
            )
    return targets


def _versions(then: bytes, now: bytes) -> tuple[str, ...]:
    """Name each tool whose version the record's XMP gives differently from the PDF made now."""
    made = dict(_VERSION.findall(now))
    return tuple(
        f"{tool.decode()} {version.decode(errors='replace')} (here {made[tool].decode()})"
        for tool, version in _VERSION.findall(then)
        if tool in made and made[tool] != version
    )
