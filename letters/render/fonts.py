"""The house fonts: read and checked once, the only fonts the PDF may use, and what they lack."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import stat
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..compose.document import Document, text_lines
from ..compose.style import HouseStyle
from ..source import kept
from ..source.errors import InputError, RenderError, TemplateError
from ..source.inputs import FONT, read_input
from ..source.provenance import while_unchanged

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont


@dataclass(frozen=True, eq=False)
class HouseFont:
    """A house font file, read and checked: its name under templates/, bytes and tables."""

    name: str
    data: bytes
    tables: TTFont
    #: The characters it has a glyph for (its best cmap's code points).
    characters: frozenset[int]
    #: The SHA-256 of its bytes, in hex.
    digest: str


def house_font_files(style: HouseStyle) -> tuple[Path, ...]:
    """List the house style's font files (under templates/)."""
    return tuple(style.file(name) for name in _font_names(style))


def house_fonts(style: HouseStyle) -> tuple[HouseFont, ...]:
    """Read and check each of the house style's fonts: regular, bold, italic, bold italic."""
    return tuple(house_font(style, name) for name in _font_names(style))


def house_font(style: HouseStyle, name: str) -> HouseFont:
    """Read and check one font the house style names (a path under templates/)."""
    return _checked_font(style.file(name), style.root)


def _font_names(style: HouseStyle) -> tuple[str, ...]:
    """Name the house style's four font files, as it names them (under templates/)."""
    files = style.font.files
    return (files.regular, files.bold, files.italic, files.bold_italic)


#: The tables every house font needs, and what each holds, to say which one is damaged.
_NEEDED = {
    "head": "its header",
    "hhea": "its horizontal header",
    "maxp": "its count of glyphs",
    "hmtx": "the glyphs' widths",
    "cmap": "which glyph shows each character",
}
#: Tables a font may lack, but which are read when it has them.
_IF_ANY = {
    "OS/2": "its metrics",
    "post": "its glyph names",
    "loca": "where each glyph's outline lies",
    "glyf": "the glyphs' outlines",
    "CFF ": "the glyphs' outlines",
    "CFF2": "the glyphs' outlines",
}
#: The widest a glyph's advance can mean to be, in font units: wider, it is a negative
#: number misread, or garbage (fontTools warns of each such glyph).
_WIDEST = 0x7FFF


@while_unchanged(maxsize=8)
def _checked_font(path: Path, root: Path) -> HouseFont:
    """Read a house font through `read_input` and check the tables the letters read.

    A damaged table would otherwise fail half way through a build, or draw the letter
    wrongly after a flood of fontTools' warnings. Kept while the file is unchanged: the live
    preview, which runs on, sees a font replaced under the same name.

    A font found good is noted under `.letters-cache/made/` by its digest, with the
    characters it has (`kept`): reading every table it is checked by is most of the time a
    cold build spends on the fonts, and the same bytes are found good again by the next.
    """
    import fontTools
    from fontTools.ttLib import TTFont

    shown = _shown(path, root)
    try:
        data = read_input(path, root, FONT)
    except InputError as exc:
        raise TemplateError(f"{shown}: {exc.reason}") from None
    digest = hashlib.sha256(data).hexdigest()
    name = kept.entry_name("font", kept.versions(fontTools, sys.modules[__name__]), [digest])
    characters = _kept_characters(kept.read(root, name))
    if characters is not None:
        with _quiet_font_tools():
            font = TTFont(io.BytesIO(data), lazy=True)
        return HouseFont(shown, data, font, characters, digest)
    font, characters = _check_font(data, shown)
    kept.write(root, name, json.dumps(sorted(characters)).encode("ascii"))
    return HouseFont(shown, data, font, characters, digest)


def _kept_characters(content: bytes | None) -> frozenset[int] | None:
    """Read the characters a font found good was noted with (`_checked_font`), if any."""
    if content is None:
        return None
    try:
        codes = json.loads(content)
    except ValueError:
        return None
    if not isinstance(codes, list) or not all(
        type(code) is int and 0 <= code <= sys.maxunicode for code in codes
    ):
        return None
    return frozenset(codes)


def _check_font(data: bytes, shown: str) -> tuple[TTFont, frozenset[int]]:
    """Check a font's tables (`_checked_font`); return it and the code points it has."""
    from fontTools.ttLib import TTFont, TTLibError

    with _quiet_font_tools():
        try:
            font = TTFont(io.BytesIO(data), lazy=True)
        except (TTLibError, OSError, ValueError, LookupError, TypeError) as exc:
            raise TemplateError(
                f"{shown}: not a TrueType or OpenType font the house style can use ({exc}); "
                "name a .ttf or .otf file"
            ) from None
        if "glyf" not in font and "CFF " not in font and "CFF2" not in font:
            raise TemplateError(
                f"{shown}: a damaged font: it has no table of the glyphs' outlines ('glyf' or "
                "'CFF '); replace the file with a good copy of the font"
            )
        for tag, holds in (*_NEEDED.items(), *_IF_ANY.items()):
            if tag not in font and tag in _IF_ANY:
                continue
            try:
                table = font[tag]
            # A damaged table raises what its bytes lead fontTools to: any error means it.
            except Exception:
                raise TemplateError(f"{shown}: {_damaged(holds, tag)}") from None
            if tag == "hmtx" and any(width > _WIDEST for width, _ in table.metrics.values()):
                raise TemplateError(f"{shown}: {_damaged(holds, tag)}")
        try:
            return font, frozenset(font.getBestCmap())
        except Exception:
            raise TemplateError(f"{shown}: {_damaged(_NEEDED['cmap'], 'cmap')}") from None


def _shown(path: Path, root: Path) -> str:
    """Name a font by its place in the project (templates/fonts/...)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _damaged(holds: str, tag: str) -> str:
    """Say that a font's table is damaged, and what to do."""
    return (
        f"a damaged font: its {tag.strip()!r} table ({holds}) is unreadable; "
        "replace the file with a good copy of the font"
    )


@contextmanager
def drawing(font: HouseFont) -> Iterator[None]:
    """Draw with a house font's glyphs, a failure to read one said as the font's fault.

    Its outlines are read as each glyph is first drawn (checking every one would cost each
    process a fifth of a second), so a damaged one is found then.
    """
    try:
        with _quiet_font_tools():
            yield
    except TemplateError:
        raise
    # fontTools and FreeType raise what a damaged outline leads them to (struct's error,
    # an OSError 'invalid outline', IndexError...): any error here means the font's.
    except Exception:
        raise TemplateError(
            f"{font.name}: a damaged font: the outlines of its glyphs cannot be drawn; "
            "replace the file with a good copy of the font"
        ) from None


@contextmanager
def _quiet_font_tools() -> Iterator[None]:
    """Keep fontTools' warnings (one for each damaged glyph) from the terminal meanwhile.

    What they warn of is said once, as the font's fault, by the caller.
    """
    logger = logging.getLogger("fontTools")
    kept = logger.propagate
    quiet = logging.NullHandler()
    logger.addHandler(quiet)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(quiet)
        logger.propagate = kept


@lru_cache(maxsize=8)
def fontconfig_file(folders: tuple[Path, ...]) -> Path:
    """Write a fontconfig configuration that knows only these folders' fonts; return its path.

    WeasyPrint would otherwise fall back to whatever fonts the machine has, which the
    inputs' digest does not cover: the same inputs would not give the same bytes everywhere.
    """
    home = _fontconfig_home()
    dirs = "".join(f"<dir>{_xml(str(folder))}</dir>" for folder in folders)
    config = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig>{dirs}<cachedir>{_xml(str(home / 'cache'))}</cachedir></fontconfig>\n"
    )
    path = home / f"fonts-{hashlib.sha256(dirs.encode()).hexdigest()[:16]}.conf"
    try:
        if path.read_text(encoding="utf-8") == config:
            return path
    except OSError:
        pass
    # written whole, then renamed: build workers starting together read it as they write it,
    # and fontconfig given half a file falls back to the machine's own fonts
    temporary = home / f".{path.name}.{os.getpid()}"
    temporary.write_text(config, encoding="utf-8")
    os.replace(temporary, path)
    return path


def _fontconfig_home() -> Path:
    """Return this user's folder for fontconfig's configurations, caches and font copies."""
    home = Path(tempfile.gettempdir()) / f"letters-fontconfig-{os.getuid()}"
    home.mkdir(mode=0o700, exist_ok=True)
    # The folder's name is known to every user of the machine: one made beforehand by
    # someone else, or open to them, could hand fontconfig their fonts and configuration.
    found = home.lstat()
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise RenderError(
            f"{home} is not a folder of this user's alone (a link, another user's, or open to "
            "others); remove it, and letters makes it again"
        )
    return home


def use_only_house_fonts(style: HouseStyle) -> None:
    """Point fontconfig (and so WeasyPrint) at the house fonts alone, before it starts.

    fontconfig reads every file in a folder it is given, by its path: given templates/fonts/
    it would read a FIFO put there (and wait for ever), a file of any size, or what a link
    leads to. It is given a folder of its own instead, holding the house fonts as read and
    checked here (`house_fonts`).
    """
    folder = _font_copies(house_fonts(style))
    os.environ["FONTCONFIG_FILE"] = str(fontconfig_file((folder,)))


def _font_copies(fonts: tuple[HouseFont, ...]) -> Path:
    """Return a folder holding these fonts' bytes alone, written once for each set of fonts."""
    named = {font.digest[:16] + Path(font.name).suffix: font.data for font in fonts}
    digest = hashlib.sha256("\n".join(sorted(named)).encode("ascii")).hexdigest()[:16]
    home = _fontconfig_home()
    folder = home / f"house-fonts-{digest}"
    if not folder.is_dir():
        # written whole, then renamed: build workers starting together may each write it
        temporary = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=home))
        for name, data in named.items():
            (temporary / name).write_bytes(data)
        try:
            temporary.rename(folder)
        except OSError:  # another process put it there first
            shutil.rmtree(temporary, ignore_errors=True)
    for name, data in named.items():  # a file a cleaner of old temporary files took
        if not (folder / name).is_file():
            temporary_file = folder / f".{name}.{os.getpid()}"
            temporary_file.write_bytes(data)
            os.replace(temporary_file, folder / name)
    return folder


def missing_characters(document: Document, style: HouseStyle) -> tuple[str, ...]:
    """Name each character of the letter that no house font has, as 'U+0627 ARABIC LETTER ALEF'."""
    covered = _covered(house_fonts(style))
    texts = [
        *text_lines(document),
        document.title,
        document.footer,
        document.marking,
        document.draft_label,
        document.letterhead.title,
        document.letterhead.subtitle,
    ]
    missing = sorted({char for text in texts for char in text if not char.isspace()} - covered)
    return tuple(f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}" for char in missing)


@lru_cache(maxsize=8)
def _covered(fonts: tuple[HouseFont, ...]) -> frozenset[str]:
    """Return the characters that every one of the house fonts can show."""
    return frozenset(chr(code) for code in frozenset.intersection(*(f.characters for f in fonts)))


def _xml(text: str) -> str:
    """Escape text for an XML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
