"""Read a reviewed DOCX: its paragraphs as they were and as they are, its changes and comments.

Word and LibreOffice record a reviewer's tracked changes in the document's XML: `w:ins` and
`w:del` around runs, `w:moveFrom` and `w:moveTo` for moved text, `w:rPrChange` and
`w:pPrChange` for formatting, and an inserted or deleted paragraph mark in a paragraph's
`w:pPr/w:rPr`. Comments are in word/comments.xml, their ranges in the text; Word links a
reply to its comment in word/commentsExtended.xml. python-docx reads none of this, so it is
read here from the XML, with a parser that fetches nothing and expands no entities.

Each paragraph is read into pieces of text, each as it was (old), as it is (new) or both,
with who changed it and when. The text of a paragraph with every change rejected is what was
written; with every change accepted, what the reviewer wants.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lxml import etree

from ..compose.document import REVIEW_MAP
from ..source.errors import LettersError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
#: The most any part of a reviewed file may hold once unpacked: far above any letter's (a
#: long letter's document.xml is some hundreds of kilobytes).
MOST_UNPACKED = 8 * 1024 * 1024
#: The most paragraphs and comments a reviewed letter may hold, and the longest comment.
MOST_PARAGRAPHS = 20_000
MOST_COMMENTS = 1_000
LONGEST_COMMENT = 5_000
#: Bookmarks Word and LibreOffice make for themselves.
_OWN_BOOKMARKS = ("_GoBack",)

Kind = Literal["same", "insert", "delete", "move-from", "move-to"]


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Piece:
    """Some text of a paragraph: unchanged, or changed by someone at a time."""

    text: str
    kind: Kind = "same"
    author: str = ""
    date: str = ""

    @property
    def old(self) -> bool:
        """Whether the text was there before the review."""
        return self.kind in ("same", "delete", "move-from")

    @property
    def new(self) -> bool:
        """Whether the text is there once every change is accepted."""
        return self.kind in ("same", "insert", "move-to")


@dataclass(frozen=True)
class Formatting:
    """A change of formatting only (bold, a style): noted, never applied."""

    text: str
    author: str
    date: str
    #: What kind of formatting: of the text's characters, or of the paragraph.
    of: Literal["text", "paragraph"]


@dataclass
class ReadParagraph:
    """One paragraph of the reviewed document."""

    pieces: list[Piece] = field(default_factory=list)
    #: Bookmarks that start in it, by name.
    bookmarks: list[str] = field(default_factory=list)
    #: Its paragraph mark: kept, inserted (a paragraph split or added) or deleted (joined).
    mark: Kind = "same"
    mark_author: str = ""
    mark_date: str = ""
    formatting: list[Formatting] = field(default_factory=list)
    #: Where it is: 'body', or 'a table: row 2, column 3'.
    place: str = "body"

    @property
    def old(self) -> str:
        """Its text with every change rejected."""
        return "".join(piece.text for piece in self.pieces if piece.old)

    @property
    def new(self) -> str:
        """Its text with every change accepted."""
        return "".join(piece.text for piece in self.pieces if piece.new)


@dataclass
class Comment:
    """A reviewer's comment: who, when, what, the text it is on, and its replies."""

    id: str
    author: str
    date: str
    text: str
    #: The text the comment is on, as it reads with every change accepted.
    anchored: str = ""
    #: The paragraph (by its number) where its range starts, or -1 where it has none.
    paragraph: int = -1
    replies: list[Comment] = field(default_factory=list)
    #: Word's id for the comment's last paragraph, which a reply names.
    para_id: str = ""
    parent: str = ""


@dataclass
class Reviewed:
    """A reviewed document: its paragraphs, its comments (replies under them), its review map."""

    paragraphs: list[ReadParagraph]
    comments: list[Comment]
    #: The review map `letters` wrote (render.docx_review), or None if the file has none.
    review_map: etree._Element | None


def read_reviewed(path: Path) -> Reviewed:
    """Read a reviewed DOCX; raise LettersError, naming the file, if it cannot be read."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = _parts(package, path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LettersError(f"{path}: cannot be read as a DOCX ({exc})") from None
    if "word/document.xml" not in parts:
        raise LettersError(f"{path}: is not a Word document (it has no word/document.xml)")
    document = _xml(parts["word/document.xml"], path)
    paragraphs = sum(1 for _ in document.iter(_w("p")))
    if paragraphs > MOST_PARAGRAPHS:
        raise LettersError(
            f"{path}: holds {paragraphs:,} paragraphs; a letter has far fewer (at most "
            f"{MOST_PARAGRAPHS:,} are read)"
        )
    reader = _Reader()
    body = document.find(_w("body"))
    if body is not None:
        reader.block(body, "body")
    comments = _comments(parts, path, reader)
    review_map = None
    for name, data in sorted(parts.items()):
        if name.startswith("customXml/item") and REVIEW_MAP.encode() in data:
            found = _xml(data, path)
            if found.tag == f"{{{REVIEW_MAP}}}letter":
                review_map = found
    return Reviewed(reader.paragraphs, comments, review_map)


def _parts(package: zipfile.ZipFile, path: Path) -> dict[str, bytes]:
    """Read the parts this reader needs, refusing any that unpacks too large."""
    wanted = ("word/document.xml", "word/comments.xml", "word/commentsExtended.xml")
    parts = {}
    for info in package.infolist():
        if info.filename in wanted or info.filename.startswith("customXml/item"):
            if info.file_size > MOST_UNPACKED:
                raise LettersError(
                    f"{path}: {info.filename} unpacks to {info.file_size:,} bytes; a letter's "
                    f"is far smaller (at most {MOST_UNPACKED:,} is read)"
                )
            with package.open(info) as member:
                data = member.read(MOST_UNPACKED + 1)
            if len(data) > MOST_UNPACKED:
                raise LettersError(f"{path}: {info.filename} unpacks too large to read")
            parts[info.filename] = data
    return parts


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, load_dtd=False
)


def _xml(data: bytes, path: Path) -> etree._Element:
    """Parse a part's XML, fetching nothing and expanding no entity."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise LettersError(f"{path}: holds XML that cannot be read ({exc})") from None


#: The change an element records for what is inside it.
_CHANGES: dict[str, Kind] = {
    _w("ins"): "insert",
    _w("del"): "delete",
    _w("moveFrom"): "move-from",
    _w("moveTo"): "move-to",
}
#: Elements whose content is the document's text, read through.
_THROUGH = {
    _w(n)
    for n in ("hyperlink", "smartTag", "customXml", "sdt", "sdtContent", "fldSimple", "dir", "bdo")
}
_TEXT = {_w("t"): None, _w("delText"): None, _w("instrText"): "", _w("delInstrText"): ""}
_CHARACTERS = {
    _w("tab"): "\t",
    _w("br"): "\n",
    _w("cr"): "\n",
    _w("noBreakHyphen"): "\u2011",
    _w("softHyphen"): "",
}


class _Reader:
    """Walk the document's body in reading order, collecting paragraphs and comment ranges."""

    def __init__(self) -> None:
        self.paragraphs: list[ReadParagraph] = []
        #: Each comment's range: the paragraph and new-text offset where it starts and ends.
        self.starts: dict[str, tuple[int, int]] = {}
        self.ends: dict[str, tuple[int, int]] = {}

    def block(self, container: etree._Element, place: str) -> None:
        """Read paragraphs and tables in a body or a table cell."""
        for child in container:
            if child.tag == _w("p"):
                self.paragraph(child, place)
            elif child.tag == _w("tbl"):
                self.table(child)
            elif child.tag in _THROUGH or child.tag in _CHANGES:
                self.block(child, place)

    def table(self, table: etree._Element) -> None:
        """Read a table's cells, row by row."""
        for row_number, row in enumerate(table.iter(_w("tr")), 1):
            for cell_number, cell in enumerate(row.iterfind(_w("tc")), 1):
                self.block(cell, f"a table: row {row_number}, column {cell_number}")

    def paragraph(self, element: etree._Element, place: str) -> None:
        """Read one paragraph: its pieces, bookmarks, mark and formatting changes."""
        paragraph = ReadParagraph(place=place)
        self.paragraphs.append(paragraph)
        properties = element.find(_w("pPr"))
        if properties is not None:
            mark = properties.find(_w("rPr"))
            for tag, kind in _CHANGES.items():
                change = mark.find(tag) if mark is not None else None
                if change is not None:
                    paragraph.mark = kind
                    paragraph.mark_author = change.get(_w("author"), "")
                    paragraph.mark_date = change.get(_w("date"), "")
            changed = properties.find(_w("pPrChange"))
            if changed is not None:
                paragraph.formatting.append(
                    Formatting(
                        "", changed.get(_w("author"), ""), changed.get(_w("date"), ""), "paragraph"
                    )
                )
        self.inline(element, paragraph, ())
        formatting = paragraph.formatting
        for index, note in enumerate(formatting):
            if note.of == "paragraph":
                formatting[index] = Formatting(paragraph.new, note.author, note.date, "paragraph")

    def inline(
        self,
        element: etree._Element,
        paragraph: ReadParagraph,
        changes: tuple[tuple[Kind, str, str], ...],
    ) -> None:
        """Read a paragraph's content, inside the changes that enclose it."""
        for child in element:
            tag = child.tag
            if tag == _w("r"):
                self.run(child, paragraph, changes)
            elif tag in _CHANGES:
                change = (_CHANGES[tag], child.get(_w("author"), ""), child.get(_w("date"), ""))
                self.inline(child, paragraph, (*changes, change))
            elif tag in _THROUGH:
                self.inline(child, paragraph, changes)
            elif tag == _w("bookmarkStart"):
                name = child.get(_w("name"), "")
                if name and name not in _OWN_BOOKMARKS:
                    paragraph.bookmarks.append(name)
            elif tag == _w("commentRangeStart"):
                self.starts.setdefault(child.get(_w("id"), ""), self._here(paragraph))
            elif tag == _w("commentRangeEnd"):
                self.ends[child.get(_w("id"), "")] = self._here(paragraph)

    def _here(self, paragraph: ReadParagraph) -> tuple[int, int]:
        return len(self.paragraphs) - 1, len(paragraph.new)

    def run(
        self,
        run: etree._Element,
        paragraph: ReadParagraph,
        changes: tuple[tuple[Kind, str, str], ...],
    ) -> None:
        """Read a run's text, as a piece of the kind its enclosing changes make it."""
        text = []
        for child in run:
            if child.tag in _TEXT:
                text.append((child.text or "") if _TEXT[child.tag] is None else "")
            elif child.tag in _CHARACTERS:
                text.append(_CHARACTERS[child.tag])
            elif child.tag == _w("sym"):
                text.append(_symbol(child.get(_w("char"), "")))
            elif child.tag == _w("rPr"):
                changed = child.find(_w("rPrChange"))
                if changed is not None:
                    paragraph.formatting.append(
                        Formatting(
                            "".join(t.text or "" for t in run.iter(_w("t"), _w("delText"))),
                            changed.get(_w("author"), ""),
                            changed.get(_w("date"), ""),
                            "text",
                        )
                    )
        joined = "".join(text)
        if not joined:
            return
        kinds = [kind for kind, _, _ in changes]
        old = not any(kind in ("insert", "move-to") for kind in kinds)
        new = not any(kind in ("delete", "move-from") for kind in kinds)
        if old and new:
            piece = Piece(joined)
        elif old or new:
            # the innermost change says who made it, and whether it moved
            kind, author, date = changes[-1]
            if not old:
                kind = "move-to" if "move-to" in kinds else "insert"
            else:
                kind = "move-from" if "move-from" in kinds else "delete"
            piece = Piece(joined, kind, author, date)
        else:
            return  # inserted, then deleted: never there before, and not there now
        pieces = paragraph.pieces
        if pieces and (pieces[-1].kind, pieces[-1].author, pieces[-1].date) == (
            piece.kind,
            piece.author,
            piece.date,
        ):
            pieces[-1] = Piece(pieces[-1].text + piece.text, piece.kind, piece.author, piece.date)
        else:
            pieces.append(piece)


def _symbol(code: str) -> str:
    """Return the character a w:sym names (a symbol font's private-use code)."""
    try:
        return chr(int(code, 16))
    except ValueError:
        return ""


def _comments(parts: dict[str, bytes], path: Path, reader: _Reader) -> list[Comment]:
    """Read the comments, with the text each is on; put each reply under its comment."""
    if "word/comments.xml" not in parts:
        return []
    found = []
    elements = _xml(parts["word/comments.xml"], path).findall(_w("comment"))
    if len(elements) > MOST_COMMENTS:
        raise LettersError(
            f"{path}: holds {len(elements):,} comments; a review of a letter has far fewer (at "
            f"most {MOST_COMMENTS:,} are read)"
        )
    for element in elements:
        paragraphs = element.findall(f".//{_w('p')}")
        text = "\n".join("".join(t.text or "" for t in p.iter(_w("t"))) for p in paragraphs).strip()
        if len(text) > LONGEST_COMMENT:
            raise LettersError(
                f"{path}: holds a comment of {len(text):,} characters by "
                f"{element.get(_w('author'), 'someone')}; a comment is at most "
                f"{LONGEST_COMMENT:,}: shorten it, or send the text apart"
            )
        para_id = paragraphs[-1].get(f"{{{W14}}}paraId", "") if paragraphs else ""
        comment = Comment(
            element.get(_w("id"), ""),
            element.get(_w("author"), ""),
            element.get(_w("date"), ""),
            text,
            para_id=para_id,
        )
        start, end = reader.starts.get(comment.id), reader.ends.get(comment.id)
        if start is not None:
            comment.paragraph = start[0]
            comment.anchored = _between(reader.paragraphs, start, end or start)
        found.append(comment)
    parents = {}
    if "word/commentsExtended.xml" in parts:
        for entry in _xml(parts["word/commentsExtended.xml"], path).iter(f"{{{W15}}}commentEx"):
            parent = entry.get(f"{{{W15}}}paraIdParent")
            if parent:
                parents[entry.get(f"{{{W15}}}paraId", "")] = parent
    by_para = {comment.para_id: comment for comment in found if comment.para_id}
    top = []
    for comment in found:
        parent = by_para.get(parents.get(comment.para_id, ""))
        if parent is not None and parent is not comment:
            comment.parent = parent.id
            parent.replies.append(comment)
        else:
            top.append(comment)
    return top


def _between(paragraphs: list[ReadParagraph], start: tuple[int, int], end: tuple[int, int]) -> str:
    """Return the accepted text from one place to another (paragraph, offset)."""
    if start[0] == end[0]:
        return paragraphs[start[0]].new[start[1] : end[1]]
    texts = [paragraphs[start[0]].new[start[1] :]]
    texts += [p.new for p in paragraphs[start[0] + 1 : end[0]]]
    texts.append(paragraphs[end[0]].new[: end[1]])
    return "\n".join(texts)


def as_written(paragraphs: list[ReadParagraph], accepted: bool) -> list[list[int]]:
    """Group paragraphs as they were written (`accepted` False) or as they are once accepted.

    A paragraph whose mark was inserted was one with the next before the review; one whose
    mark was deleted is one with the next after it. Each group lists paragraphs by number.
    """
    joins = ("delete", "move-from") if accepted else ("insert", "move-to")
    return joined_by_marks(paragraphs, lambda paragraph: paragraph.mark in joins)


def joined_by_marks(
    paragraphs: list[ReadParagraph], joins: Callable[[ReadParagraph], bool]
) -> list[list[int]]:
    """Group paragraphs, each joined to the next where `joins` says so of its mark."""
    groups: list[list[int]] = []
    joined = False
    for number, paragraph in enumerate(paragraphs):
        if joined:
            groups[-1].append(number)
        else:
            groups.append([number])
        joined = joins(paragraph)
    return groups


def texts(paragraphs: list[ReadParagraph], accepted: bool) -> list[str]:
    """List the document's paragraphs' texts with every change rejected, or accepted."""
    return [
        "".join(paragraphs[n].new if accepted else paragraphs[n].old for n in group)
        for group in as_written(paragraphs, accepted)
    ]
