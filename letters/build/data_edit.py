"""The one writer of a user's data files: change named values, keep everything else as written.

`approve` and `publish` (and any later command that records something in a letter's data)
edit it through `edit_data_file`. It reads the file with ruamel.yaml's round-trip loader,
which keeps comments, key order, quoting, flow style (`status: {…}`) and indentation; the
caller changes only the values it must; the file is read again just before it is replaced,
and the edit is refused if it changed in between; the new text is written atomically.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..source.errors import LettersError
from ..source.inputs import DATA, read_input
from .output import write_all


def edit_data_file(
    path: Path,
    root: Path,
    edit: Callable[[Any], None],
    touched: tuple[str, ...],
    also: dict[Path, bytes] | None = None,
) -> None:
    """Apply `edit` to a data file's top-level mapping and write the file back.

    `edit` receives the round-trip mapping (a ruamel.yaml CommentedMap) and changes it in
    place; `touched` names the fields it may change ('status', 'letter.published', or
    'report.findings.3.response' for a list item's). Nothing else in the file changes:
    comments, order, quotes and layout stay, and the edit is
    refused if any other value would read back differently. Files in `also` (an approval
    record) are written with it, all or nothing.
    """
    before, after = edited(path, root, edit, touched)
    write_edited(path, root, before, after, also)


def edited(
    path: Path, root: Path, edit: Callable[[Any], None], touched: tuple[str, ...]
) -> tuple[bytes, bytes]:
    """Return a data file's bytes now and with `edit` applied (see `edit_data_file`)."""
    before = read_input(path, root, DATA)
    after = _edited(path, before, edit)
    if _values(after, path, touched) != _values(before, path, touched):
        raise LettersError(
            f"{path}: cannot be edited without changing values other than "
            f"{', '.join(touched)}; set them by hand, then run letters check"
        )
    return before, after


def write_edited(
    path: Path, root: Path, before: bytes, after: bytes, also: dict[Path, bytes] | None = None
) -> None:
    """Write an edited data file (and `also`) unless it was saved meanwhile."""
    if read_input(path, root, DATA) != before:
        raise LettersError(
            f"{path}: changed while letters was editing it (saved in an editor?); nothing was "
            "written: run the command again"
        )
    write_all({path: after, **(also or {})})


def _edited(path: Path, before: bytes, edit: Callable[[Any], None]) -> bytes:
    """Return a data file's bytes with `edit` applied through ruamel.yaml's round trip."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.util import load_yaml_guess_indent

    bom = before.startswith(codecs.BOM_UTF8)
    try:
        text = before.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LettersError(f"{path}: cannot be edited: it is not UTF-8 ({exc.reason})") from None
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    try:
        _, sequence_indent, sequence_offset = load_yaml_guess_indent(text)
    except Exception:  # a guess: a file it cannot read (a %YAML directive) takes the defaults
        sequence_indent, sequence_offset = None, None
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # one value set in two places (sent_on, copied_on) is written twice: the loader
    # refuses aliases
    yaml.representer.ignore_aliases = lambda _data: True
    yaml.width = len(text) + 1  # never fold a long line the user wrote on one line
    yaml.indent(
        mapping=_mapping_indent(text),
        sequence=sequence_indent or 4,
        offset=2 if sequence_offset is None else sequence_offset,
    )
    body = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    yaml.explicit_start = bool(body) and (body[0].startswith("---") or body[0].startswith("%"))
    yaml.explicit_end = bool(body) and body[-1].rstrip() == "..."
    try:
        tree = yaml.load(text)
    except YAMLError as exc:
        raise LettersError(
            f"{path}: cannot be edited: it is not readable YAML ({_first_line(exc)}); "
            "run letters check on it"
        ) from None
    if not hasattr(tree, "insert"):  # a CommentedMap: anything else is no letter's data
        raise LettersError(f"{path}: cannot be edited: it does not hold a mapping of fields")
    edit(tree)
    written = io.StringIO()
    yaml.dump(tree, written)
    out = written.getvalue()
    if crlf:
        out = out.replace("\n", "\r\n")
    return (codecs.BOM_UTF8 if bom else b"") + out.encode("utf-8")


def _values(raw: bytes, path: Path, touched: tuple[str, ...]) -> object:
    """Read a data file's values as plain text, leaving out the `touched` fields."""
    import yaml

    try:
        tree = yaml.load(raw.decode("utf-8-sig"), Loader=yaml.BaseLoader)
    except yaml.YAMLError as exc:
        raise LettersError(
            f"{path}: cannot be edited: the edit would not read back ({_first_line(exc)})"
        ) from None
    for dotted in touched:
        *parents, last = dotted.split(".")
        node = tree
        for part in parents:
            node = _child(node, part)
        if isinstance(node, dict):
            node.pop(last, None)
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = None  # a list item keeps its place, so the others keep theirs
    return tree


def _child(node: object, part: str) -> object:
    """Step into a mapping by key, or into a list by a number ('findings.3.response')."""
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def set_fields(mapping: Any, values: dict[str, object], drop: tuple[str, ...] = ()) -> None:
    """Set keys of a round-trip mapping in place (new keys go last) and remove `drop`."""
    for key in drop:
        if key in mapping:
            del mapping[key]
    for key, value in values.items():
        if key in mapping or not mapping:
            mapping[key] = value
            continue
        # a new key goes last, before the blank lines or comment that end the mapping,
        # which ruamel.yaml keeps with the last key's value
        last = list(mapping)[-1]
        mapping[key] = value
        _move_trailing_lines(mapping, last, key)


def _move_trailing_lines(mapping: Any, last: str, key: str) -> None:
    """Move what follows the value of `last` (blank lines, comments) to follow `key`'s.

    A comment on `last`'s own line stays there.
    """
    from ruamel.yaml.tokens import CommentToken

    slots = mapping.ca.items.get(last)
    token = slots[2] if slots and len(slots) > 2 else None
    if not isinstance(token, CommentToken):
        return
    own_line, newline, rest = token.value.partition("\n")
    if not own_line.lstrip().startswith("#"):  # no comment on the line: all of it follows
        own_line, newline, rest = "", "", token.value
    if not rest:
        return
    if own_line:  # the value's line ends with its comment; the new key's line with none
        token.value, rest = own_line + newline, newline + rest
    else:
        slots[2] = None
    mapping.ca.items[key] = [None, None, CommentToken(rest, token.start_mark, None), None]


def child_mapping(tree: Any, key: str) -> Any:
    """Return the mapping under a top-level key, made (at the end) if the file has none."""
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(tree.get(key), dict):
        tree[key] = CommentedMap()
    return tree[key]


def _mapping_indent(text: str) -> int:
    """Return how far the file indents a mapping under a key (ruamel.yaml guesses lists only)."""
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    for line, after in zip(lines, lines[1:], strict=False):
        if line.rstrip().endswith(":") and not after.lstrip().startswith("- "):
            step = (len(after) - len(after.lstrip())) - (len(line) - len(line.lstrip()))
            if step > 0:
                return step
    return 2


def _first_line(exc: BaseException) -> str:
    """Return the first line of an exception's message."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
