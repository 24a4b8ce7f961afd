"""Bring a reviewed DOCX back: list its changes and comments by source, and apply what can be.

A draft's DOCX carries a map of its sources (`render.docx_review`): for each paragraph, a
hidden bookmark, the data field or template line it comes from, its text as written, and
where each data value lies in it. A reviewer's tracked changes are read (`review_read`),
each paragraph is found again (by its bookmark, or else by its text as written), and each
change is placed: in a data value, in the letter's own text, in a template's wording, or in
text derived from facts. Changes to the data are applied through the one writer of data
files (`build.data_edit`), each checked by printing the new value as the letter would; the
rest are listed with what to edit. Comments are kept in the data under `review:`.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ..build.project import Project
from ..compose.document import REVIEW_MAP, Origin
from ..compose.facts import fill
from ..compose.markdown import fold_whitespace, plain_text
from ..compose.origins import project_path
from ..source.errors import LettersError
from ..source.load import FieldPath, dotted
from ..source.model import LONG_WORD, unprintable
from .review_read import Comment, ReadParagraph, as_written, joined_by_marks, read_reviewed

#: The bookmark of a paragraph (not of a value within it).
_PARAGRAPH_MARK = re.compile(r"_Ltr\d+")


@dataclass(frozen=True)
class Unit:
    """A paragraph of the letter as the DOCX was made: its bookmark, source, text and values."""

    name: str
    origin: Origin
    text: str
    values: tuple[tuple[int, int, Origin], ...] = ()

    @property
    def own_text(self) -> bool:
        """Whether it is a paragraph of the letter's own text (Markdown in one data field)."""
        return self.origin.kind == "data" and not self.values


@dataclass(frozen=True)
class Edit:
    """One change to a paragraph's text as written: replace [start, end) with `new`."""

    start: int
    end: int
    new: str
    old: str
    kind: str
    author: str
    date: str


@dataclass
class Item:
    """One change or comment, as `letters review` lists it."""

    what: str
    source: str
    old: str
    new: str
    by: str = ""
    on: str = ""
    place: str = ""
    #: 'apply' (to the data), 'by hand' (a template or derived text: edit it yourself),
    #: 'note' (a comment, kept under review:) or 'not placed' (with why).
    action: str = ""
    why: str = ""
    replies: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Give the item as plain data, for --json."""
        found = {name: value for name, value in vars(self).items() if value or name == "new"}
        return found


@dataclass
class FieldChange:
    """Edits to one data field's printed text, and the text they give."""

    path: FieldPath
    own_text: bool
    #: Its printed text as the DOCX was made (an own text's paragraphs joined by new lines).
    before: str
    #: The edits made to it where it prints, by the place: a value printed in three
    #: paragraphs may be changed in each.
    places: dict[tuple[int, int], list[Edit]] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)

    def edit(self, place: tuple[int, int], edit: Edit) -> None:
        """Note an edit made to the field where it prints at `place`."""
        self.places.setdefault(place, []).append(edit)

    @property
    def afters(self) -> set[str]:
        """The printed texts the field's places were changed to: one, unless they disagree."""
        found = set()
        for edits in self.places.values():
            text = self.before
            for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
                text = text[: edit.start] + edit.new + text[edit.end :]
            found.add(text)
        return found


@dataclass
class Review:
    """What a reviewed DOCX holds for a letter: its key, listed items and changes to fields."""

    key: dict[str, str]
    items: list[Item]
    fields: dict[FieldPath, FieldChange]


def review(data_path: Path, reviewed_path: Path, project: Project, force: bool = False) -> Review:
    """Read a reviewed DOCX of a letter and place each of its changes and comments.

    Where each paragraph comes from is taken from the letter as it is now, never from the
    reviewed file, which comes from outside: the file's map gives its key (the letter, its
    version, its inputs' digest) and, where it matches the letter exactly, lets the file's
    bookmarks name its paragraphs; else paragraphs are found by their text as written.
    """
    from ..build.build import compose

    reviewed = read_reviewed(reviewed_path)
    document = compose(data_path, project)
    current = dict(document.review_key)
    name = project_path(data_path, project.root)
    now = _units_now(document)
    key: dict[str, str] = {}
    bookmarks = False
    if reviewed.review_map is None:
        if not force:
            raise LettersError(
                f"{reviewed_path}: carries no map of where its text comes from, so it was not "
                "made by letters as a draft (or was saved without it); give --force to place "
                "its changes by their text alone"
            )
    else:
        key, mapped = read_map(reviewed.review_map, reviewed_path)
        _refuse_other(key, current, name, reviewed_path, force)
        bookmarks = mapped == now
        if not bookmarks and not force:
            raise LettersError(
                f"{reviewed_path}: its map of sources does not match the letter it names, "
                f"{name}, though its digest does: the file was altered after it was made"
            )
    placer = _Placer(now, _template_lines(project), _writable(now, name), bookmarks)
    for component in _components(reviewed.paragraphs):
        placer.component([reviewed.paragraphs[n] for n in component], component)
    for comment in reviewed.comments:
        placer.comment(comment)
    return Review(key, placer.items, placer.fields)


def _writable(now: list[Unit], letter: str) -> Callable[[Origin, bool], str]:
    """Say why a field may not take a change ('' where it may).

    The map of sources comes with the reviewed file, from outside: a change is written only
    to a field of the letter's own data file that the letter, as it is now, prints (a value,
    or its own text), never to one the map merely names.
    """
    printed = {(u.origin.path, True) for u in now if u.own_text}
    printed |= {(origin.path, False) for u in now for _, _, origin in u.values}

    def why_not(origin: Origin, own_text: bool) -> str:
        if origin.file != letter:
            return f"it is in {origin.file}, not in the letter's data: edit it there"
        if (origin.path, own_text) not in printed:
            return (
                f"the reviewed copy says it comes from {dotted(origin.path) or 'nowhere'}, "
                "which this letter does not print"
            )
        return ""

    return why_not


def _template_lines(project: Project) -> Callable[[str, int], str]:
    """Read a template's line through the project's loader ('' where there is none)."""
    from ..compose.wording import template_source

    def line(file: str, number: int) -> str:
        try:
            lines = template_source(project.environment, file.removeprefix("templates/"))
        except LettersError:
            return ""
        found = lines.splitlines()
        return found[number - 1] if 0 < number <= len(found) else ""

    return line


#: A template's tags and comments: what prints a value, and what prints nothing itself.
_TAG = re.compile(r"(\{\{-?.*?-?\}\}|\{%-?.*?-?%\}|\{#.*?#\})")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(r"\*\*|(?<![\w\\])[*_]|[*_](?!\w)")


def printed_by(line: str, text: str, start: int, end: int) -> str | None:
    """Name the value a template line prints where text[start:end] is, if the line says so.

    The line's words must match the paragraph; each {{ }} matches what it printed. The name
    is the expression's first name ('facts.report_published'), without its filters.
    """
    pattern, names = "", []
    for piece in _TAG.split(line.lstrip("-+# ")):
        if piece.startswith("{{"):
            names.append(piece.strip("{}-+ ").split("|")[0].split(" if ")[0].strip())
            pattern += f"(?P<v{len(names) - 1}>.+?)"
        elif piece.startswith(("{%", "{#")):
            pattern += "(?:.*?)"
        else:
            pattern += re.escape(_ESCAPE.sub(r"\1", _EMPHASIS.sub("", piece)))
    try:
        found = re.fullmatch(pattern, text, re.S)
    except re.error:
        return None
    if not found:
        return None
    for index, name in enumerate(names):
        span = found.span(f"v{index}")
        if span[0] <= start and end <= span[1] and span != (-1, -1):
            return name
    return None


def _refuse_other(
    key: dict[str, str], current: dict[str, str], name: str, reviewed: Path, force: bool
) -> None:
    """Refuse a reviewed DOCX of another letter, or of other inputs, unless forced."""
    made = key.get("letter", "?")
    version = f" version {key['version']}" if key.get("version") else ""
    digest = key.get("inputsSha256", "")
    said = f"{made}{version} (inputs {digest[:12]}…)"
    if force:
        return
    if made != name:
        raise LettersError(
            f"{reviewed}: was made from {said}, not {name}; review it against {made}, or give "
            "--force"
        )
    if not current:
        raise LettersError(
            f"{name}: is not a draft, so a reviewed copy cannot come back to it; reopen it "
            "first (letters reopen --why ...)"
        )
    if digest != current.get("inputsSha256"):
        raise LettersError(
            f"{reviewed}: was made from {said}; the letter's data or templates changed since "
            f"(inputs now {current.get('inputsSha256', '')[:12]}…). Give --force to place "
            "the changes whose text is still as it was"
        )


def read_map(element: etree._Element, path: Path) -> tuple[dict[str, str], list[Unit]]:
    """Read the review map a draft's DOCX carries: its key and its units in order."""
    key = {name: str(value) for name, value in element.attrib.items()}
    units = []
    try:
        for unit in element.iterfind(f"{{{REVIEW_MAP}}}unit"):
            text = unit.findtext(f"{{{REVIEW_MAP}}}text") or ""
            values = tuple(
                (int(value.get("start", 0)), int(value.get("end", 0)), _origin(value))
                for value in unit.iterfind(f"{{{REVIEW_MAP}}}value")
            )
            units.append(Unit(unit.get("name", ""), _origin(unit), text, values))
    except (ValueError, TypeError, RecursionError) as exc:
        raise LettersError(
            f"{path}: carries a map of sources that cannot be read ({type(exc).__name__}); "
            "build the letter again and have it reviewed in that copy"
        ) from None
    return key, units


def _origin(element: etree._Element) -> Origin:
    """Read a source from a map element's attributes."""
    kind = element.get("kind", "derived")
    path = element.get("path")
    return Origin(
        "data" if kind == "data" else "template" if kind == "template" else "derived",
        element.get("file", ""),
        int(element.get("line", 0) or 0),
        element.get("field", ""),
        int(element.get("part", 0) or 0),
        _path(path) if path else (),
    )


def _path(text: str) -> FieldPath:
    """Read a field's path from the map: a JSON list of keys and numbers, or refuse it."""
    found = json.loads(text)
    if not isinstance(found, list) or not all(
        isinstance(part, str | int) and not isinstance(part, bool) for part in found
    ):
        raise ValueError("a path is a list of keys and numbers")
    return tuple(found)


def _units_now(document: Any) -> list[Unit]:
    """List the letter's anchored paragraphs as it is now, in the DOCX's order."""
    from ..compose.document import BulletList, Heading, Paragraph, Table, inline_text

    units: list[Unit] = []

    def add(anchor: Any, content: Any) -> None:
        if anchor is not None:
            name = f"_Ltr{len(units) + 1}"
            units.append(Unit(name, anchor.origin, inline_text(content), anchor.values))

    for block in document.blocks:
        if isinstance(block, Heading | Paragraph):
            add(block.anchor, block.content)
        elif isinstance(block, BulletList):
            for item, anchor in zip(block.items, block.anchors, strict=False):
                add(anchor, item)
        elif isinstance(block, Table):
            rows = (block.header, *block.rows) if block.header else block.rows
            for row, anchors in zip(rows, block.anchors, strict=False):
                for cell, anchor in zip(row, anchors, strict=False):
                    add(anchor, cell)
    return units


def _components(paragraphs: list[ReadParagraph]) -> list[list[int]]:
    """Group paragraphs joined by a changed paragraph mark: each group is placed as one."""
    return joined_by_marks(paragraphs, lambda paragraph: paragraph.mark != "same")


def where(origin: Origin) -> str:
    """Say where some text comes from, as the listing prints it."""
    if origin.kind == "data":
        return f"{origin.file}:{origin.line} {origin.field}".strip()
    if origin.kind == "template":
        return f"{origin.file}:{origin.line}"
    return f"derived from {origin.field}" if origin.field else "derived from the letter's facts"


class _Placer:
    """Find each reviewed paragraph's unit and place its changes."""

    def __init__(
        self,
        units: list[Unit],
        template_line: Callable[[str, int], str],
        why_not: Callable[[Origin, bool], str],
        bookmarks: bool,
    ):
        self.units = units
        #: Whether the reviewed file's bookmarks may name its paragraphs (its map is the letter's).
        self.bookmarks = bookmarks
        #: Why a field may not take a change, or ''.
        self.why_not = why_not
        #: A template's line, by the template's path in the project and the line's number.
        self.template_line = template_line
        self.by_name = {unit.name: index for index, unit in enumerate(units)}
        self.items: list[Item] = []
        self.fields: dict[FieldPath, FieldChange] = {}
        #: The unit each reviewed paragraph was found to be, by its number.
        self.found: dict[int, int] = {}
        self.next = 0

    def component(self, paragraphs: list[ReadParagraph], numbers: list[int]) -> None:
        """Place the changes of paragraphs joined by changed marks."""
        old_groups = as_written(paragraphs, accepted=False)
        olds = ["".join(paragraphs[n].old for n in group) for group in old_groups]
        units = self._find(paragraphs, olds)
        for group, unit in zip(old_groups, units, strict=True):
            if unit is not None:
                for n in group:
                    self.found[numbers[n]] = unit
        edits = list(_edits(paragraphs))
        for note in (note for p in paragraphs for note in p.formatting):
            source = where(self.units[units[0]].origin) if units[0] is not None else "not found"
            self.items.append(
                Item("formatting", source, note.text, note.text, note.author, note.date,
                     paragraphs[0].place, "by hand", f"a change of {note.of} formatting only; "
                     "the house style sets the letter's formatting")
            )  # fmt: skip
        if not edits:
            return
        if any(unit is None for unit in units):
            for edit in edits:
                self._not_placed(edit, paragraphs[0].place, "its paragraph is not in the letter")
            return
        found = [self.units[index] for index in units if index is not None]
        if len(found) > 1:
            own = {unit.origin.path for unit in found}
            if len(own) == 1 and all(unit.own_text for unit in found):
                offset_units = found
            else:
                for edit in edits:
                    self._not_placed(
                        edit, paragraphs[0].place, "it joins paragraphs from different sources"
                    )
                return
        else:
            offset_units = found
        self._place(offset_units, edits, paragraphs[0].place)

    def _find(self, paragraphs: list[ReadParagraph], olds: list[str]) -> list[int | None]:
        """Find the units these paragraphs were: by bookmark, else by their text as written."""
        names = [
            name
            for p in paragraphs
            for name in p.bookmarks
            if self.bookmarks and _PARAGRAPH_MARK.fullmatch(name)
        ]
        marked = [self.by_name[name] for name in names if name in self.by_name]
        if len(marked) == len(olds) and all(
            self.units[index].text == old for index, old in zip(marked, olds, strict=True)
        ):
            self.next = marked[-1] + 1
            return list(marked)
        result: list[int | None] = []
        for old in olds:
            index = next(
                (i for i in range(self.next, len(self.units)) if self.units[i].text == old), None
            )
            if index is None and not old.strip():
                result.append(None)
                continue
            if index is not None:
                self.next = index + 1
            result.append(index)
        return result

    def _place(self, units: list[Unit], edits: list[Edit], place: str) -> None:
        """Place edits to the text of one unit (or of several parts of one own text)."""
        unit = units[0]
        if unit.own_text:
            self._own_text(units, edits, place)
            return
        for edit in edits:
            inside = [
                (start, end, origin)
                for start, end, origin in unit.values
                if start <= edit.start and edit.end <= end
            ]
            touching = [
                origin
                for start, end, origin in unit.values
                if edit.start < end and start < edit.end
            ]
            refused = self.why_not(inside[0][2], False) if inside else ""
            if refused:
                self._not_placed(edit, place, refused, where(inside[0][2]))
            elif inside:
                start, end, origin = inside[0]
                change = self._field(origin, unit.text[start:end], own_text=False)
                moved = Edit(edit.start - start, edit.end - start, edit.new, edit.old,
                             edit.kind, edit.author, edit.date)  # fmt: skip
                change.edit((self.units.index(unit), start), moved)
                self._applies(change, self._item(edit, where(origin), place, "apply"))
            elif touching:
                self._not_placed(
                    edit,
                    place,
                    f"it runs from {where(touching[0])} into the template's words "
                    f"({where(unit.origin)}); make it as two changes",
                    where(unit.origin),
                )
            else:
                self._by_hand(edit, unit, place)

    def _own_text(self, units: list[Unit], edits: list[Edit], place: str) -> None:
        """Place edits to paragraphs of the letter's own text, in the field's joined text."""
        origin = units[0].origin
        refused = self.why_not(origin, True)
        if refused:
            for edit in edits:
                self._not_placed(edit, place, refused, where(origin))
            return
        parts = sorted(
            (u for u in self.units if u.own_text and u.origin.path == origin.path),
            key=lambda u: u.origin.part,
        )
        before = "\n".join(u.text for u in parts)
        offset = sum(len(u.text) + 1 for u in parts if u.origin.part < origin.part)
        change = self._field(origin, before, own_text=True)
        for edit in edits:
            change.edit(
                (-1, 0),
                Edit(edit.start + offset, edit.end + offset, edit.new, edit.old, edit.kind,
                     edit.author, edit.date),
            )  # fmt: skip
            self._applies(change, self._item(edit, where(origin), place, "apply"))

    def _applies(self, change: FieldChange, item: Item) -> None:
        """List an item that applies to a field's change."""
        change.items.append(item)
        self.items.append(item)

    def _field(self, origin: Origin, before: str, own_text: bool) -> FieldChange:
        path = origin.path
        if path not in self.fields:
            self.fields[path] = FieldChange(path, own_text, before)
        return self.fields[path]

    def _item(self, edit: Edit, source: str, place: str, action: str, why: str = "") -> Item:
        return Item(edit.kind, source, edit.old, edit.new, edit.author, edit.date, place, action,
                    why)  # fmt: skip

    def _by_hand(self, edit: Edit, unit: Unit, place: str) -> None:
        """List a change to a template's words or to derived text: the office makes it."""
        source = where(unit.origin)
        origin = unit.origin
        fact = None
        if origin.kind == "template":
            line = self.template_line(origin.file, origin.line)
            fact = printed_by(line, unit.text, edit.start, edit.end) if line else None
        if fact:
            source = f"derived from {fact}"
            why = (
                f"{fact} is made from the letter's facts by {origin.file} at line {origin.line}: "
                "change the facts in the data, or the template"
            )
        elif origin.kind == "template":
            why = f"the words are the template's: edit {origin.file} at line {origin.line}"
        else:
            why = "the text is made from the letter's facts: change the facts, or the template"
        self.items.append(self._item(edit, source, place, "by hand", why))

    def _not_placed(self, edit: Edit, place: str, why: str, source: str = "not found") -> None:
        self.items.append(self._item(edit, source, place, "not placed", why))

    def comment(self, comment: Comment) -> None:
        """List a comment on the text it is on; it is kept in the data under review:."""
        unit = self.found.get(comment.paragraph)
        if unit is None and comment.paragraph >= 0:
            unit = self._unit_before(comment.paragraph)
        source = where(self.units[unit].origin) if unit is not None else "not found"
        replies = [{"by": r.author, "on": r.date, "text": r.text} for r in comment.replies]
        self.items.append(
            Item("comment", source, comment.anchored, comment.text, comment.author,
                 comment.date, "", "note", "", replies)
        )  # fmt: skip

    def _unit_before(self, paragraph: int) -> int | None:
        earlier = [unit for number, unit in self.found.items() if number <= paragraph]
        return max(earlier) if earlier else None


def _edits(paragraphs: Sequence[ReadParagraph]) -> Iterator[Edit]:
    """List the changes to paragraphs' text as written, at their offsets in it.

    A deleted piece next to an inserted one (either order) is one replacement. A paragraph
    mark inserted is a new line inserted; one deleted, a new line deleted.
    """
    pending: list[Edit] = []
    at = 0

    def flush() -> Iterator[Edit]:
        if not pending:
            return
        start = pending[0].start
        end = max(e.end for e in pending)
        new = "".join(e.new for e in pending)
        old = "".join(e.old for e in pending)
        kinds = {e.kind for e in pending}
        kind = "replace" if old and new else ("insert" if new else "delete")
        if kinds <= {"move-from", "move-to"}:
            kind = "move"
        first = pending[0]
        pending.clear()
        yield Edit(start, end, new, old, kind, first.author, first.date)

    for number, paragraph in enumerate(paragraphs):
        for piece in paragraph.pieces:
            if piece.kind == "same":
                yield from flush()
                at += len(piece.text)
            elif piece.old:
                pending.append(
                    Edit(at, at + len(piece.text), "", piece.text, piece.kind, piece.author,
                         piece.date)
                )  # fmt: skip
                at += len(piece.text)
            else:
                pending.append(Edit(at, at, piece.text, "", piece.kind, piece.author, piece.date))
        if number < len(paragraphs) - 1:
            if paragraph.mark in ("insert", "move-to"):
                pending.append(
                    Edit(at, at, "\n", "", "insert", paragraph.mark_author, paragraph.mark_date)
                )
            elif paragraph.mark in ("delete", "move-from"):
                pending.append(
                    Edit(at, at + 1, "", "\n", "delete", paragraph.mark_author,
                         paragraph.mark_date)
                )  # fmt: skip
                at += 1
            else:
                yield from flush()
                at += 1
    yield from flush()


#: What the letter's own text (Markdown) would read as markup, escaped when a reviewer types it.
_MARKDOWN_SIGNS = re.compile(r"([\\`*_\[\]<>])")


def _as_markdown(text: str) -> str:
    """Write text a reviewer typed as the letter's own text.

    Markup is escaped and braces doubled, so it prints as typed; a new line starts a paragraph.
    """
    escaped = _MARKDOWN_SIGNS.sub(r"\\\1", text).replace("{", "{{").replace("}", "}}")
    return escaped.replace("\n", "\n\n")


def _printed_own(raw: str, placeholders: dict[str, str]) -> str | None:
    """Print the letter's own text, paragraphs on lines; None if it cannot print."""
    try:
        return plain_text(fill(raw, placeholders))
    except (KeyError, ValueError):
        return None


def rewrite(raw: str, before: str, after: str, own_text: bool) -> str | None:
    """Make the edits that turn `before` into `after` (printed texts) to `raw`, the source.

    The printed text is aligned with the source; each changed stretch of it is found there and
    replaced. None where a change falls where the printed text is not the source's (a
    placeholder's value, say).
    """
    blocks = [
        block
        for block in difflib.SequenceMatcher(
            None, before, raw, autojunk=False
        ).get_matching_blocks()
        if block.size
    ]

    def at(index: int, starting: bool) -> int | None:
        inside = [
            b.b + index - b.a
            for b in blocks
            if (b.a <= index < b.a + b.size if starting else b.a < index <= b.a + b.size)
        ]
        edges = [b.b + index - b.a for b in blocks if b.a <= index <= b.a + b.size]
        found = inside or edges
        if found:
            return found[0]
        return 0 if index == 0 and not before else None

    changes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    result = raw
    for tag, i1, i2, j1, j2 in reversed(changes):
        if tag == "equal":
            continue
        start = at(i1, starting=i1 != i2)
        end = start if i1 == i2 else at(i2, starting=False)
        if start is None or end is None or end < start:
            return None
        new = after[j1:j2]
        result = result[:start] + (_as_markdown(new) if own_text else new) + result[end:]
    return result


def apply(found: Review, data_path: Path, project: Project) -> list[Item]:
    """Write the review's changes to the letter's data and keep its comments under review:.

    Only a draft is changed. Each field's new value is checked by printing it as the letter
    would; one that does not print as reviewed is left as it is and its items say so.
    Returns every item, with what became of it.
    """
    from ..build.data_edit import edited, write_edited
    from ..build.prepare import language_facts
    from ..source.inputs import DATA_BYTES
    from ..source.validate import load_letter

    loaded = load_letter(data_path, project.root)
    if loaded.letter.status.state != "draft":
        raise LettersError(
            f"{data_path}: is {loaded.letter.status.state}; a reviewed copy is applied to a "
            "draft only: reopen it first (letters reopen --why ...)"
        )
    facts = list(language_facts(loaded, project).values())
    name = project_path(data_path, project.root)
    written: list[FieldPath] = []

    def edit(tree: Any) -> None:
        for path, change in found.fields.items():
            why = _write_field(tree, path, change, facts, name)
            if why:
                for item in change.items:
                    item.action, item.why = "not placed", why
            else:
                written.append(path)
        notes = [item for item in found.items if item.action == "note"]
        if notes:
            _keep_comments(tree, notes)

    touched = tuple(".".join(str(p) for p in path) for path in found.fields) + ("review",)
    before, after = edited(data_path, project.root, edit, touched)
    if len(after) > DATA_BYTES:
        raise LettersError(
            f"{data_path}: the review would make it {len(after):,} bytes, more than a letter's "
            f"data may be ({DATA_BYTES:,}); nothing was written"
        )
    write_edited(data_path, project.root, before, after)
    return found.items


def _write_field(
    tree: Any, path: FieldPath, change: FieldChange, facts: list[Any], name: str
) -> str:
    """Write one field's new value in the round-trip tree; say why not, if it cannot be."""
    node, key = _parent(tree, path)
    if node is None or not isinstance(node[key], str):
        return f"{dotted(path)} is not a text in {name} now"
    raw = str(node[key])
    if change.own_text:
        placeholders = next((f.placeholders for f in facts if path in f.own_fields.values()), None)
        if placeholders is None:
            return f"{dotted(path)} is not the letter's own text now"

        def printed(text: str) -> str | None:
            return _printed_own(text, placeholders)
    else:

        def printed(text: str) -> str | None:
            return fold_whitespace(text)  # a data value, as a template prints it

    afters = change.afters
    if len(afters) > 1:
        return (
            f"{dotted(path)} prints in {len(change.places)} places and was changed differently "
            "in them; make them agree"
        )
    [after] = afters
    if unprintable(after) != after:
        return "the new text holds characters a letter cannot print; type it again"
    long_word = LONG_WORD.search(after)
    if long_word and not LONG_WORD.search(change.before):
        return f"the new text holds a word of {len(long_word.group())} characters; break it up"
    if printed(raw) != change.before:
        return f"{dotted(path)} has changed since the reviewed copy was made"
    new = rewrite(raw, change.before, after, change.own_text)
    if new is None or printed(new) != after:
        return (
            f"the change cannot be written in {dotted(path)} so that it prints as reviewed "
            "(it touches a {named} fact, or markup); make it by hand"
        )
    node[key] = _same_style(node[key], new)
    return ""


def _same_style(old: str, new: str) -> str:
    """Give a new value the old one's YAML style: its quotes, or its block and line breaks.

    A folded block (>) is written with its lines broken where they were, wherever the text
    there is unchanged, so a changed word changes its own line and no other.
    """
    if type(old) is str:
        return new
    made = type(old)(new)
    folds = getattr(old, "fold_pos", None)
    if folds:
        blocks = difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks()
        kept = []
        for fold in folds:
            for block in blocks:
                if block.a <= fold < block.a + block.size:
                    moved = block.b + fold - block.a
                    if new[moved] == " ":
                        kept.append(moved)
                    break
        made.fold_pos = kept  # type: ignore[attr-defined]
    return made


def _parent(tree: Any, path: FieldPath) -> tuple[Any, str | int]:
    """Find the mapping or list holding a field, and its key there; (None, '') if there is none."""
    node = tree
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None, ""
    last = path[-1] if path else ""
    try:
        node[last]
    except (KeyError, IndexError, TypeError):
        return None, ""
    return node, last


def _keep_comments(tree: Any, notes: list[Item]) -> None:
    """Add each comment to the data's review: list, to be seen in check until resolved."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from ..build.data_edit import set_fields

    kept = tree.get("review")
    if not isinstance(kept, list):
        kept = CommentedSeq()
        set_fields(tree, {"review": kept})
    kept_already = {
        (str(n.get("by", "")), str(n.get("on", "")), str(n.get("text", "")))
        for n in kept
        if isinstance(n, dict)
    }
    for item in notes:
        if (unprintable(item.by), unprintable(item.on), unprintable(item.new)) in kept_already:
            continue  # brought back before, from this reviewed copy
        note = CommentedMap()
        for key, value in (
            ("by", item.by),
            ("on", item.on),
            ("about", item.source),
            ("on_text", item.old),
            ("text", item.new),
        ):
            note[key] = unprintable(value)
        if item.replies:
            note["replies"] = [
                CommentedMap((key, unprintable(value)) for key, value in reply.items())
                for reply in item.replies
            ]
        kept.append(note)


#: What becomes of an item, as the listing says it.
_ACTIONS = {
    "apply": "goes to the data with --apply",
    "applied": "applied to the data",
    "by hand": "by hand",
    "note": "kept in the data under review:",
    "noted": "kept in the data under review: with --apply",
    "not placed": "not placed",
}


def listing(found: Review, applied: bool) -> str:
    """Write the review's items as a readable list, one block each, numbered."""
    key = found.key
    made = key.get("letter", "an unknown letter")
    digest = key.get("inputsSha256", "")
    changes = [item for item in found.items if item.what != "comment"]
    comments = len(found.items) - len(changes)
    lines = [
        f"{made}: {len(changes)} {'change' if len(changes) == 1 else 'changes'}, {comments} "
        f"{'comment' if comments == 1 else 'comments'}"
        + (f" (reviewed copy of inputs {digest[:12]}…)" if digest else "")
    ]
    for number, item in enumerate(found.items, 1):
        by = ", ".join(filter(None, (item.by, item.on[:10])))
        lines.append("")
        lines.append(f"{number:>2}. {item.what}: {item.source}" + (f"  ({by})" if by else ""))
        if item.place and item.place != "body":
            lines.append(f"    in {item.place}")
        if item.what == "comment":
            lines.append(f"    on:   {item.old}")
            lines.append(f"    says: {item.new}")
            for reply in item.replies:
                lines.append(f"    reply from {reply['by'] or 'someone'}: {reply['text']}")
        else:
            lines.append(f"    was:  {item.old}" if item.old else "    was:  (nothing)")
            lines.append(f"    now:  {item.new}" if item.new else "    now:  (deleted)")
        action = item.action
        if action == "apply" and applied:
            action = "applied"
        if action == "note" and not applied:
            action = "noted"
        said = _ACTIONS.get(action, action)
        lines.append(f"    -> {said}" + (f": {item.why}" if item.why else ""))
    return "\n".join(lines)


def unplaced(found: Review) -> list[Item]:
    """List the changes not applied to the data: for the office to make by hand, or not found."""
    return [
        item
        for item in found.items
        if item.action in ("by hand", "not placed") and item.what not in ("formatting", "comment")
    ]
