"""Plain names: what a letter's, an office's or a report kind's name may be made of.

A name becomes a file name, an archive's row and an output's name; two names that look the
same must be the same name. So names are plain Latin letters, digits, '-' and '_': a
Cyrillic 'а' or an 'é' written two ways (NFC, NFD) cannot make a second letter that looks
like the first. People's names are text, not names: they keep their accents.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import TemplateError

#: The longest name: far beyond any office's, and well within any file system's limit.
LONGEST = 100
PLAIN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{LONGEST - 1}}}")


def name_problem(name: str, what: str) -> str:
    """Say what is wrong with a name ('' if nothing): `what` names it, e.g. "the data file"."""
    if PLAIN.fullmatch(name):
        return ""
    if not name:
        return f"{what} has no name"
    if len(name) > LONGEST:
        return f"{what}'s name is {len(name)} characters long; keep it to {LONGEST}"
    if name[0] in "-_":
        return f"{what} '{name}' starts with '{name[0]}'; start it with a letter or digit"
    odd = next(
        (c for i, c in enumerate(name) if not (c.isascii() and (c.isalnum() or (i and c in "-_")))),
        name[0],
    )
    shown = unicodedata.name(odd, "a control character").lower()
    escaped = name.encode("unicode_escape").decode("ascii")
    return (
        f"{what} '{escaped}' is not a plain name: it "
        f"holds {shown} (U+{ord(odd):04X}); use only the letters A to Z and a to z, digits, "
        "'-' and '_', starting with a letter or digit"
    )


def data_file_problem(path: Path, data: Path) -> str:
    """Say why a path is no letter an office command may change ('' if it is one).

    It must be an existing file whose name is a plain name ending .yaml, directly in the
    project's data folder: never a pattern, a folder, nor a file elsewhere.
    """
    if path.suffix != ".yaml":
        return f"{path} is not a letter's data file: give data/<name>.yaml"
    if path.is_symlink():
        return f"{path} is a link; give the letter's own file, which is the one changed"
    if not path.is_file():
        return f"{path}: no such letter; give an existing data/<name>.yaml"
    if path.resolve().parent != data.resolve():
        return (
            f"{path} is not in the project's data folder ({data}); this command works only on "
            "the letters there"
        )
    return name_problem(path.stem, "the data file")


def hidden(relative: Path | str) -> bool:
    """Say whether a path under templates/ is hidden: a part of it starts with a dot."""
    return any(part.startswith(".") for part in Path(relative).parts if part not in (".", ".."))


def refuse_hidden(relative: str, what: str) -> None:
    """Refuse a hidden file under templates/ (`hidden`) as `what`: no letter is made from it."""
    if hidden(relative):
        raise TemplateError(
            f"templates/{relative}: a hidden file (its name starts with a dot) is no {what}; "
            "name it without the dot"
        )
