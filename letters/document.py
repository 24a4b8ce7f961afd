"""The document model both renderers read: blocks of text with inline emphasis."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Span:
    """A run of text with its emphasis and, for a link, its address."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 is the subject line, level 2 a section such as the annex."""

    level: int
    content: Inline


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of body text."""

    content: Inline


@dataclass(frozen=True)
class BulletList:
    """A bulleted list; each item is one paragraph."""

    items: tuple[Inline, ...]


@dataclass(frozen=True)
class Address:
    """The recipient's postal address, one line each, placed for a window envelope."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceBlock:
    """'Please ask for', 'Telephone', 'Our Ref', 'Date': labels with their values."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Signature:
    """The closing ('Yours sincerely'), room for a handwritten signature, name and title, then any copy line."""

    closing: str
    lines: tuple[str, ...]
    #: Lines kept with the signature below it, such as 'cc: HM Inspector of Constabulary'.
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of findings: a header row and body rows of cells."""

    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Language:
    """What follows is in this language (a tag such as cy or en-GB), until the next Language."""

    code: str


@dataclass(frozen=True)
class PageBreak:
    """Start what follows on a new page."""


Block = Heading | Paragraph | BulletList | Address | ReferenceBlock | Signature | Table | PageBreak | Language


@dataclass(frozen=True)
class Letterhead:
    """The office wordmark on page 1: an SVG under templates/ and its text alternative."""

    svg: bytes
    png: bytes
    alt: str


@dataclass(frozen=True)
class Document:
    """A whole letter: its metadata, page furniture and blocks in reading order."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str
    date: str
    page_label: str
    letterhead: Letterhead
    footer: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    #: A security marking for the top of every page, such as OFFICIAL; empty for none.
    marking: str = ""
    #: Whether every page carries the DRAFT mark.
    draft: bool = False
    #: Provenance and record-keeping facts for the files' metadata, as (name, value) pairs.
    properties: tuple[tuple[str, str], ...] = ()


def combine(documents: list[Document]) -> Document:
    """One document holding several language versions in turn, each on new pages and marked with its language."""
    if len(documents) == 1:
        return documents[0]
    first = documents[0]
    blocks: list[Block] = []
    for index, document in enumerate(documents):
        blocks.extend(([PageBreak()] if index else []) + [Language(document.language), *document.blocks])
    return replace(first, title=" / ".join(d.title for d in documents), subject=" / ".join(d.subject for d in documents),
                   keywords=tuple(dict.fromkeys(k for d in documents for k in d.keywords)), blocks=tuple(blocks))


def inline_text(content: Inline) -> str:
    """The plain text of inline content."""
    return "".join(span.text for span in content)


def text_lines(document: Document, bullet: str = "") -> list[str]:
    """The document's text as lines in reading order, as a reader would copy it (list items after `bullet`)."""
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, (Heading, Paragraph)):
            lines.append(inline_text(block.content))
        elif isinstance(block, BulletList):
            lines.extend(bullet + inline_text(item) for item in block.items)
        elif isinstance(block, Address):
            lines.extend(block.lines)
        elif isinstance(block, Signature):
            lines.extend((block.closing, *block.lines, *block.after))
        elif isinstance(block, Table):
            lines.extend(inline_text(cell) for row in (block.header, *block.rows) for cell in row if inline_text(cell))
        elif isinstance(block, ReferenceBlock):
            lines.extend(f"{label}: {value}".rstrip() for label, value in block.rows)
    return lines
