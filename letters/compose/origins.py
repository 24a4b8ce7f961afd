"""Where the letter's text comes from: each paragraph's origin, and each data value's place in it.

A reviewer's change in Word must find its way back to the data field or template line it
belongs to. The wording stage knows which printed values are the data's own strings: they
reach the template as `Sourced` strings, and the template's `{{ }}` prints each between
markers (Unicode noncharacters, which the data may not hold). Once the Markdown is read into
blocks the markers are taken out again, and each paragraph gets an `Anchor`: its origin (a
data field for the letter's own text, else the template line it most likely came from) and
where each value lies in its text. Nothing else changes: the words, their emphasis and their
order are those of the same letter rendered without markers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pydantic

from ..source.errors import Location
from ..source.load import FieldPath, dotted
from .document import (
    Address,
    Anchor,
    Block,
    BulletList,
    Heading,
    Inline,
    Masthead,
    Origin,
    Paragraph,
    ReferenceBlock,
    Signature,
    Span,
    Table,
)

#: A value's start, its number's digits and its end: noncharacters, which a letter's data may
#: not hold (`source.model` refuses them) and a template may not either (`refuse_marks`).
OPEN, CLOSE = "\ufdd0", "\ufdd1"
_DIGITS = [chr(code) for code in range(0xFDD2, 0xFDF0)]
_WIDTH = 3
#: The most values one letter marks: past it, values print unmarked (and unanchored).
MOST_MARKED = len(_DIGITS) ** _WIDTH
_MARK = re.compile(f"{OPEN}[{_DIGITS[0]}-{_DIGITS[-1]}]{{{_WIDTH}}}|{CLOSE}")
_ANY_MARK = re.compile(f"[{OPEN}-{_DIGITS[-1]}]")
#: The shortest data value worth tracing (one character is too often shared to tell apart).
SHORTEST_TRACED = 2


class Sourced(str):
    """A string from the letter's data, with the number of its place in `DataOrigins`."""

    _origin: int

    def __new__(cls, text: str, origin: int) -> Sourced:
        """Hold the text and its number."""
        made = super().__new__(cls, text)
        made._origin = origin
        return made


def marked(value: Sourced, printed: str) -> str:
    """Put markers around a data value as it prints, naming its place."""
    number, digits = value._origin, []
    for _ in range(_WIDTH):
        number, digit = divmod(number, len(_DIGITS))
        digits.append(_DIGITS[digit])
    return OPEN + "".join(reversed(digits)) + printed + CLOSE


def _number(mark: str) -> int:
    number = 0
    for digit in mark[1:]:
        number = number * len(_DIGITS) + (ord(digit) - ord(_DIGITS[0]))
    return number


def unmarked(text: str) -> str:
    """Take every marker out of a text."""
    return _MARK.sub("", text) if OPEN in text or CLOSE in text else text


def has_marks(text: str) -> bool:
    """Say whether a text holds any character the markers are made of."""
    return bool(_ANY_MARK.search(text))


@dataclass
class DataOrigins:
    """The data's strings by their words, and the places of those a template printed.

    A string is found by its words, where no other field holds the same words: those in two
    fields are two places, and which one a value printed came from cannot be told. Not by
    identity: pydantic caches equal strings across validations, so whether two fields share
    one object depends on what the process validated before, and the same letter would be
    anchored differently in a build worker than alone.
    """

    locate: Callable[[FieldPath], Location]
    root: Path
    by_text: dict[str, FieldPath | None]
    printed: list[FieldPath]

    @classmethod
    def of(
        cls,
        models: Sequence[pydantic.BaseModel],
        locate: Callable[[FieldPath], Location],
        root: Path,
    ) -> DataOrigins:
        """Find every string of some models (a letter and its copies), by their fields' paths."""
        by_text: dict[str, FieldPath | None] = {}
        for model in models:
            for path, text in _strings(model, ()):
                if by_text.setdefault(text, path) != path:
                    by_text[text] = None  # two fields say the same: it cannot be told whose
        return cls(locate, root, by_text, [])

    def sourced(self, value: str) -> str:
        """Return a data string as a `Sourced` one, numbered; any other string as it is."""
        path = self.by_text.get(value)
        if path is None or len(value) < SHORTEST_TRACED or len(self.printed) >= MOST_MARKED:
            return value
        self.printed.append(path)
        return Sourced(value, len(self.printed) - 1)

    def origin(self, number: int) -> Origin:
        """Say where the value numbered `number` is: its file, line and field."""
        path = self.printed[number]
        return self.field_origin(path)

    def field_origin(self, path: FieldPath, part: int = 0) -> Origin:
        """Say where a field of the data is."""
        where = self.locate(path)
        file = project_path(where.path, self.root)
        return Origin("data", file, where.line, dotted(path), part, tuple(path))


def project_path(path: Path, root: Path) -> str:
    """Name a file by its path in the project, as the office writes it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _strings(value: object, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Walk a model's fields, yielding each string with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, pydantic.BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))


def anchored(
    blocks: Sequence[Block], origins: DataOrigins | None, lines: TemplateLines
) -> list[Block]:
    """Take the markers out of blocks, anchoring each paragraph to where its text comes from.

    A paragraph that already has an anchor (the letter's own text) keeps it.
    """
    return [_anchored_block(block, origins, lines) for block in blocks]


def _anchored_block(block: Block, origins: DataOrigins | None, lines: TemplateLines) -> Block:
    if isinstance(block, Heading | Paragraph):
        content, anchor = _anchor(block.content, origins, lines)
        return replace(block, content=content, anchor=block.anchor or anchor)
    if isinstance(block, BulletList):
        pairs = [_anchor(item, origins, lines) for item in block.items]
        anchors = block.anchors or tuple(anchor for _, anchor in pairs)
        return replace(block, items=tuple(item for item, _ in pairs), anchors=anchors)
    if isinstance(block, Table):
        rows = [
            [_anchor(cell, origins, lines) for cell in row]
            for row in ((block.header, *block.rows) if block.header else block.rows)
        ]
        cells = [tuple(content for content, _ in row) for row in rows]
        header, body = (cells[0], cells[1:]) if block.header else ((), cells)
        return replace(
            block,
            header=header,
            rows=tuple(body),
            anchors=tuple(tuple(anchor for _, anchor in row) for row in rows),
        )
    if isinstance(block, Address):
        return replace(block, lines=tuple(unmarked(line) for line in block.lines))
    if isinstance(block, ReferenceBlock):
        return ReferenceBlock(tuple((unmarked(a), unmarked(b)) for a, b in block.rows))
    if isinstance(block, Masthead):
        address = _anchored_block(block.address, origins, lines)
        reference = _anchored_block(block.reference, origins, lines)
        assert isinstance(address, Address) and isinstance(reference, ReferenceBlock)
        return Masthead(address, reference)
    if isinstance(block, Signature):
        return Signature(
            unmarked(block.closing),
            tuple(
                replace(s, lines=tuple(unmarked(line) for line in s.lines)) for s in block.signers
            ),
            tuple(unmarked(line) for line in block.after),
        )
    return block


def _anchor(
    content: Inline, origins: DataOrigins | None, lines: TemplateLines
) -> tuple[Inline, Anchor | None]:
    """Take the markers out of inline content; say where its values lie and where it is from."""
    spans: list[Span] = []
    values: list[tuple[int, int, Origin]] = []
    opened: list[tuple[int, int]] = []  # (number, start) of each value still open
    at = 0
    for span in content:
        pieces: list[str] = []
        last = 0
        for found in _MARK.finditer(span.text):
            piece = span.text[last : found.start()]
            pieces.append(piece)
            at += len(piece)
            last = found.end()
            if found.group() == CLOSE:
                if opened:
                    number, start = opened.pop()
                    if origins is not None and not opened and number < len(origins.printed):
                        values.append((start, at, origins.origin(number)))
            else:
                opened.append((_number(found.group()), at))
        rest = span.text[last:]
        pieces.append(rest)
        at += len(rest)
        spans.append(replace(span, text="".join(pieces), href=unmarked(span.href)))
    text = "".join(span.text for span in spans)
    if not text.strip():
        return tuple(spans), None
    return tuple(spans), Anchor(_paragraph_origin(text, values, lines), tuple(values))


def _paragraph_origin(
    text: str, values: list[tuple[int, int, Origin]], lines: TemplateLines
) -> Origin:
    """Say where a paragraph comes from: one data value filling it, or a template's line."""
    if len(values) == 1 and values[0][:2] == (0, len(text)):
        return values[0][2]
    rest = text
    for start, end, _ in sorted(values, reverse=True):
        rest = rest[:start] + "\n" + rest[end:]
    return lines.find(rest)


#: What a template line holds that is not its words: Jinja's tags and comments, and Markdown.
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_MARKUP = re.compile(
    r"\\(?=[!-/:-@\[-`{-~])|\*\*|[*_]|^\s*(?:[-+]\s|#+\s|\|)|\|\s*$|\]\([^)]*\)|\["
)
_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_FRONT = re.compile(r"\A\s*---\n.*?\n---\n", re.S)


def _blank(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


#: The shortest run of a template's own words that names its line.
_SHORTEST_WORDS = 4


@dataclass(frozen=True)
class TemplateLines:
    """The words of each line of the templates a letter is rendered from, to find a paragraph's."""

    lines: tuple[tuple[str, int, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, sources: Mapping[str, str]) -> TemplateLines:
        """Read each template's lines (by its name under templates/) into runs of its own words."""
        return cls(tuple(line for name, source in sources.items() for line in _words(name, source)))

    def find(self, text: str) -> Origin:
        """Find the template line whose words cover most of a paragraph's text.

        Text with no line's words in it (all of it values, or made by a filter) is derived.
        """
        best, covered = None, 0
        for name, number, runs in self.lines:
            found = sum(len(run) for run in runs if run in text)
            if found > covered:
                best, covered = (name, number), found
        if best is None:
            return Origin("derived")
        return Origin("template", f"templates/{best[0]}", best[1])


@functools.lru_cache(maxsize=64)
def _words(name: str, source: str) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """List a template's lines that hold words of its own, with those words in runs."""
    found = []
    # comments and the front matter hold no words of the letter: blanked, lines kept
    source = _COMMENT.sub(_blank, source)
    source = _FRONT.sub(_blank, source)
    for number, line in enumerate(source.splitlines(), 1):
        if line.lstrip().startswith(":::"):
            continue
        runs = tuple(
            run.strip()
            for piece in _JINJA.split(line)
            for run in _MARKUP.sub("", piece).split("\n")
            if len(run.strip()) >= _SHORTEST_WORDS
        )
        if runs:
            found.append((name, number, runs))
    return tuple(found)
