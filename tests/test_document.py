"""The document model: blocks, their text in reading order, and languages combined."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from letters.compose.document import (
    Address,
    Block,
    BulletList,
    Document,
    Heading,
    Letterhead,
    Masthead,
    Paragraph,
    ReferenceBlock,
    Section,
    Signature,
    Signer,
    Span,
    Table,
    block_lines,
    combine,
    inline_text,
    text_lines,
)

MASTHEAD = Masthead(
    Address(("Chief Constable", "Police HQ", "PR4 5SB")),
    ReferenceBlock((("Please ask for:", "A. Person"), ("Our Ref:", "PEEL/2020"), ("Date:", ""))),
)
SIGNATURE = Signature(
    "Yours sincerely",
    (Signer(("Jane Doe", "HM Inspector")), Signer(("John Roe",), image=b"\x89PNG", alt="signed")),
    after=("cc: Police and Crime Commissioner",),
)


def document(blocks: tuple[Block, ...], **changes: Any) -> Document:
    """Make a document of these blocks, with any field changed."""
    made = Document(
        title="PEEL 2020",
        author="HMICFRS",
        subject="Lancashire",
        keywords=("PEEL", "police"),
        language="en-GB",
        date=dt.date(2020, 9, 22),
        page_label="Page",
        letterhead=Letterhead("HMICFRS", "Inspectorate", "HMICFRS logo"),
        footer="footer",
        blocks=blocks,
    )
    return dataclasses.replace(made, **changes)


def test_inline_text_joins_the_spans_words_without_their_emphasis() -> None:
    content = (Span("Read "), Span("this", bold=True), Span(" at "), Span("x", href="https://x"))
    assert inline_text(content) == "Read this at x"
    assert inline_text(()) == ""


def test_a_span_is_plain_text_unless_it_says_otherwise() -> None:
    assert Span("a") == Span("a", bold=False, italic=False, href="")
    assert BulletList(((Span("a"),),)) == BulletList(((Span("a"),),), numbered=False, start=1)


def test_blocks_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Paragraph((Span("a"),)).content = ()  # type: ignore[misc]


def test_block_lines_reads_every_kind_of_block_in_order() -> None:
    blocks = (
        MASTHEAD,
        Heading(1, (Span("Subject: "), Span("PEEL", bold=True))),
        Paragraph((Span("Dear "), Span("Chief Constable", italic=True), Span(","))),
        BulletList(((Span("one"),), (Span("two"),))),
        Table(
            ((Span("Area"),), (Span("Grade"),)),
            (((Span("Crime"),), (Span("Good"),)), ((Span("Vetting"),), ())),
        ),
        SIGNATURE,
        Section("annex", new_page=True),
        Heading(2, (Span("Annex A"),)),
    )
    assert block_lines(blocks) == [
        "Chief Constable",
        "Police HQ",
        "PR4 5SB",
        "Please ask for: A. Person",
        "Our Ref: PEEL/2020",
        "Date:",
        "Subject: PEEL",
        "Dear Chief Constable,",
        "one",
        "two",
        "Area",
        "Grade",
        "Crime",
        "Good",
        "Vetting",
        "Yours sincerely",
        "Jane Doe",
        "HM Inspector",
        "John Roe",
        "cc: Police and Crime Commissioner",
        "Annex A",
    ]


def test_block_lines_puts_the_bullet_before_each_item_only() -> None:
    blocks = (Paragraph((Span("Before"),)), BulletList(((Span("a"),), (Span("b"),)), numbered=True))
    assert block_lines(blocks, bullet="• ") == ["Before", "• a", "• b"]


def test_a_masthead_reads_as_its_address_then_its_reference_block() -> None:
    apart = (MASTHEAD.address, MASTHEAD.reference)
    assert block_lines((MASTHEAD,)) == block_lines(apart)
    assert block_lines((MASTHEAD,))[:4] == [
        "Chief Constable",
        "Police HQ",
        "PR4 5SB",
        "Please ask for: A. Person",
    ]


def test_text_lines_reads_the_documents_blocks() -> None:
    letter = document((Paragraph((Span("Hello"),)), BulletList(((Span("item"),),))))
    assert text_lines(letter) == ["Hello", "item"]
    assert text_lines(letter, bullet="- ") == ["Hello", "- item"]
    assert text_lines(document(())) == []


def test_combine_of_one_document_is_that_document() -> None:
    letter = document((Paragraph((Span("Hello"),)),))
    assert combine([letter]) is letter


def test_combine_puts_each_language_from_a_new_page_in_its_language() -> None:
    english = document(
        (Paragraph((Span("Hello"),)), Section("annex", new_page=True)),
        draft_label="DRAFT",
        keywords=("PEEL", "police"),
    )
    welsh = document(
        (Paragraph((Span("Helo"),)), Section("annex", new_page=True)),
        title="PEEL 2020 (cy)",
        subject="Swydd Gaerhirfryn",
        language="cy",
        draft_label="DRAFFT",
        keywords=("PEEL", "heddlu"),
    )
    both = combine([english, welsh])
    assert both.blocks == (
        Section("version", new_page=False, language="en-GB"),
        Paragraph((Span("Hello"),)),
        Section("annex", new_page=True, language="en-GB"),
        Section("version", new_page=True, language="cy"),
        Paragraph((Span("Helo"),)),
        Section("annex", new_page=True, language="cy"),
    )
    assert both.title == "PEEL 2020 / PEEL 2020 (cy)"
    assert both.subject == "Lancashire / Swydd Gaerhirfryn"
    assert both.keywords == ("PEEL", "police", "heddlu")
    assert both.draft_label == "DRAFT / DRAFFT"
    assert both.language == "en-GB"
    assert text_lines(both) == ["Hello", "Helo"]


def test_combine_names_a_shared_draft_mark_once_and_no_mark_as_none() -> None:
    one = document((), draft_label="DRAFT")
    assert combine([one, document((), draft_label="DRAFT")]).draft_label == "DRAFT"
    assert combine([one, document(())]).draft_label == "DRAFT"
    assert combine([document(()), document(())]).draft_label == ""
