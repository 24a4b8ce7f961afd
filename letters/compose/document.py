"""The document model every renderer reads: blocks of text with inline emphasis.

The model carries every decision about structure and wording (what is the masthead,
where a section starts and in which language, how a label prints, what the draft
mark says), so that the renderers only lay it out in the house style.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from typing import Literal


@dataclass(frozen=True)
class Span:
    """A run of text with its emphasis and, for a link, its address."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""


Inline = tuple[Span, ...]


#: The namespace of the map of sources a draft's DOCX carries (render.docx_review), which
#: office.review reads back.
REVIEW_MAP = "urn:letters:review:1"


@dataclass(frozen=True)
class Origin:
    """Where some of the letter's text comes from, so that a reviewer's change can go back there.

    `kind` is "data" for a field of the letter's data (`file` and `line` name it, `field` is its
    path, such as report.findings[3].response), "template" for a wording template's text (`file`
    and `line`), or "derived" for text made from facts (`field` names the fact where known).
    """

    kind: Literal["data", "template", "derived"]
    file: str = ""
    line: int = 0
    field: str = ""
    #: Which paragraph of a text of several paragraphs this is (the letter's own text), from 0.
    part: int = 0
    #: The field's path in the data, key by key (list items by number); empty for none.
    path: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Anchor:
    """A paragraph's origin, and where values from the data lie within its text.

    Each value is (start, end, origin): the characters of the paragraph's text it prints.
    """

    origin: Origin
    values: tuple[tuple[int, int, Origin], ...] = ()


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 is the subject line, level 2 a section such as the annex."""

    level: int
    content: Inline
    anchor: Anchor | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of body text."""

    content: Inline
    anchor: Anchor | None = None


@dataclass(frozen=True)
class BulletList:
    """A bulleted or numbered list; each item is one paragraph."""

    items: tuple[Inline, ...]
    numbered: bool = False
    #: The number of a numbered list's first item.
    start: int = 1
    #: Each item's anchor, or none.
    anchors: tuple[Anchor | None, ...] = ()


@dataclass(frozen=True)
class Address:
    """The recipient's postal address, one line each, placed for a window envelope.

    A letter to several recipients lists each one's address in turn: `apart` holds the
    number of each line that starts another recipient's, set apart from the one before.
    """

    lines: tuple[str, ...]
    apart: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReferenceBlock:
    """Labels as they print ('Please ask for:', 'Our Ref:', 'Date:'), with their values."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Masthead:
    """The recipient's address (in the envelope window) beside the reference block, on page 1."""

    address: Address
    reference: ReferenceBlock


@dataclass(frozen=True)
class Signer:
    """One who signs: their name and title, and their signature for the copies that are signed."""

    lines: tuple[str, ...]
    #: A PNG of the handwritten signature, in the room left to sign; empty for none.
    image: bytes = b""
    #: What a screen reader says for the image.
    alt: str = ""


@dataclass(frozen=True)
class Signature:
    """The closing ('Yours sincerely'), then for each signer room to sign, name and title."""

    closing: str
    signers: tuple[Signer, ...]
    #: Lines kept with the signature below it, such as 'cc: HM Inspector of Constabulary'.
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of findings: a header row and body rows of cells."""

    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    #: Each cell's anchor, row by row (the header row first, if there is one), or none.
    anchors: tuple[tuple[Anchor | None, ...], ...] = ()


@dataclass(frozen=True)
class Section:
    """Start a part of the letter: a language version or an annex, on a new page or not.

    `language` is the part's language (a tag such as cy or en-GB), or empty where the
    part is in the document's own language.
    """

    kind: Literal["version", "annex"]
    new_page: bool
    language: str = ""


Block = (
    Heading
    | Paragraph
    | BulletList
    | Address
    | ReferenceBlock
    | Masthead
    | Signature
    | Table
    | Section
)


@dataclass(frozen=True)
class Letterhead:
    """The office wordmark on page 1: its two lines of text and their text alternative."""

    title: str
    subtitle: str
    alt: str


@dataclass(frozen=True)
class Attachment:
    """A file the record PDF carries inside it (PDF/A-3), such as the letter's source data."""

    name: str
    data: bytes
    description: str
    relationship: str = "Source"


@dataclass(frozen=True)
class Document:
    """A whole letter: its metadata, page furniture and blocks in reading order."""

    title: str
    author: str
    subject: str
    keywords: tuple[str, ...]
    language: str
    date: dt.date
    page_label: str
    letterhead: Letterhead
    footer: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    #: A security marking for the top of every page, such as OFFICIAL; empty for none.
    marking: str = ""
    #: The mark across every page of a draft, in the letter's language ('DRAFT'); empty for none.
    draft_label: str = ""
    #: Provenance and record-keeping facts for the files' metadata, as (name, value) pairs.
    properties: tuple[tuple[str, str], ...] = ()
    #: Files the PDF embeds: the record's sources, the sent letter's data; none in public.
    attachments: tuple[Attachment, ...] = ()
    #: What a reviewed copy must match to come back to the letter (its data file, version and
    #: the digest of its inputs), as (name, value) pairs; empty where it is not reviewed (a
    #: letter once approved): then its DOCX carries no bookmarks or map of sources.
    review_key: tuple[tuple[str, str], ...] = ()


def combine(documents: list[Document], *, every_footer: bool = False) -> Document:
    """Hold several language versions in one document, each from a new page in its language.

    The footer is the first version's, or with `every_footer` each version's, in order, the
    part they share (the address) said once: "Swyddfa ... / Office of ..., 8 Example Street".
    """
    if len(documents) == 1:
        return documents[0]
    first = documents[0]
    blocks: list[Block] = []
    for index, document in enumerate(documents):
        blocks.append(Section("version", new_page=bool(index), language=document.language))
        blocks.extend(
            replace(block, language=document.language) if isinstance(block, Section) else block
            for block in document.blocks
        )
    labels = dict.fromkeys(d.draft_label for d in documents if d.draft_label)
    return replace(
        first,
        draft_label=" / ".join(labels),
        title=" / ".join(d.title for d in documents),
        subject=" / ".join(d.subject for d in documents),
        keywords=tuple(dict.fromkeys(k for d in documents for k in d.keywords)),
        blocks=tuple(blocks),
        footer=joined_footer([d.footer for d in documents]) if every_footer else first.footer,
    )


def joined_footer(footers: list[str]) -> str:
    """Join footers that differ in their names but share their end (the address), once.

    "A, 1 Street, Town" and "B, 1 Street, Town" give "A / B, 1 Street, Town"; footers with
    no end in common are joined whole.
    """
    distinct = list(dict.fromkeys(footers))
    if len(distinct) == 1:
        return distinct[0]
    shared = os.path.commonprefix([f[::-1] for f in distinct])[::-1]
    cut = shared.find(", ")
    if cut < 0:
        return " / ".join(distinct)
    tail = shared[cut:]
    return " / ".join(f.removesuffix(tail) for f in distinct) + tail


def inline_text(content: Inline) -> str:
    """Return the plain text of inline content."""
    return "".join(span.text for span in content)


def text_lines(document: Document, bullet: str = "") -> list[str]:
    """List the document's text in reading order, as a reader copies it (items after `bullet`)."""
    return block_lines(document.blocks, bullet)


def block_lines(blocks: tuple[Block, ...], bullet: str = "") -> list[str]:
    """List some blocks' text in reading order (list items after `bullet`)."""
    lines: list[str] = []
    for block in _flat(blocks):
        if isinstance(block, (Heading, Paragraph)):
            lines.append(inline_text(block.content))
        elif isinstance(block, BulletList):
            lines.extend(bullet + inline_text(item) for item in block.items)
        elif isinstance(block, Address):
            lines.extend(block.lines)
        elif isinstance(block, Signature):
            signed = (line for signer in block.signers for line in signer.lines)
            lines.extend((block.closing, *signed, *block.after))
        elif isinstance(block, Table):
            lines.extend(
                inline_text(cell)
                for row in (block.header, *block.rows)
                for cell in row
                if inline_text(cell)
            )
        elif isinstance(block, ReferenceBlock):
            lines.extend(f"{label} {value}".rstrip() for label, value in block.rows)
    return lines


def _flat(blocks: tuple[Block, ...]) -> list[Block]:
    """Open the masthead into its address and reference block, in reading order."""
    flat: list[Block] = []
    for block in blocks:
        flat.extend((block.address, block.reference) if isinstance(block, Masthead) else (block,))
    return flat
