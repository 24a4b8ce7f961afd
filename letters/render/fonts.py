"""The house fonts: the only fonts the PDF may use, and the characters they cannot show."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..document import Document, text_lines
from ..style import HouseStyle
from .wordmark import _font

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont


def house_font_files(style: HouseStyle) -> tuple[Path, ...]:
    """List the house style's font files (under templates/)."""
    files = style.font.files
    return tuple(
        style.file(name) for name in (files.regular, files.bold, files.italic, files.bold_italic)
    )


@lru_cache(maxsize=8)
def fontconfig_file(folders: tuple[Path, ...]) -> Path:
    """Write a fontconfig configuration that knows only these folders' fonts; return its path.

    WeasyPrint would otherwise fall back to whatever fonts the machine has, which the
    inputs' digest does not cover: the same inputs would not give the same bytes everywhere.
    """
    home = Path(tempfile.gettempdir()) / f"letters-fontconfig-{os.getuid()}"
    home.mkdir(mode=0o700, exist_ok=True)
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


def use_only_house_fonts(style: HouseStyle) -> None:
    """Point fontconfig (and so WeasyPrint) at the house fonts alone, before it starts."""
    folders = tuple(sorted({path.parent for path in house_font_files(style)}))
    os.environ["FONTCONFIG_FILE"] = str(fontconfig_file(folders))


def missing_characters(document: Document, style: HouseStyle) -> tuple[str, ...]:
    """Name each character of the letter that no house font has, as 'U+0627 ARABIC LETTER ALEF'."""
    covered = _covered(tuple(_font(path) for path in house_font_files(style)))
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
def _covered(fonts: tuple[TTFont, ...]) -> frozenset[str]:
    """Return the characters that every one of the house fonts can show."""
    maps = [set(font.getBestCmap()) for font in fonts]
    return frozenset(chr(code) for code in set.intersection(*maps))


def _xml(text: str) -> str:
    """Escape text for an XML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
