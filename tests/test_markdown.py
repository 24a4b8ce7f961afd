"""The letter's Markdown: data values print as written; its own text is a small Markdown."""

from __future__ import annotations

import pytest

from letters.compose.document import BulletList, Paragraph, Span
from letters.compose.markdown import (
    OwnTextError,
    Part,
    escape_markdown,
    own_mark,
    parse_blocks,
    parse_own,
    plain_line,
    plain_text,
)
from letters.source.errors import TemplateError


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("*x*", r"\*x\*"),
        ("_x_", r"\_x\_"),
        ("[a](b)", r"\[a\]\(b\)"),
        ("# h", r"\# h"),
        ("- item", r"\- item"),
        ("1. x", r"1\. x"),
        ("<b>", r"\<b\>"),
        ("a\\b", r"a\\b"),
        ("{{ 7*7 }}", r"\{\{ 7\*7 \}\}"),
        ("`code`", r"\`code\`"),
        ("::: address", r"\:\:\: address"),
        ("plain words", "plain words"),
    ],
)
def test_escape_markdown_escapes_every_mark(value: str, escaped: str) -> None:
    assert escape_markdown(value) == escaped


@pytest.mark.parametrize(
    "value",
    ["*x*", "[a](b)", "# h", "- item", "1. x", "<b>", "a\\b", "{{ 7*7 }}", "**not bold**"],
)
def test_an_escaped_value_prints_as_written_in_a_template(value: str) -> None:
    assert parse_blocks(escape_markdown(value)) == [Part("", [Paragraph((Span(value),))])]
    assert plain_line(escape_markdown(value)) == value


def test_escape_markdown_folds_white_space_to_single_spaces() -> None:
    assert escape_markdown("  a\n\n b\t c  ") == "a b c"
    # a blank line in a value cannot start a new block
    assert parse_blocks(escape_markdown("x\n\n# y")) == [Part("", [Paragraph((Span("x # y"),))])]


def test_escape_markdown_prints_numbers_and_refuses_a_missing_value() -> None:
    assert escape_markdown(2020) == "2020"
    assert escape_markdown(1.5) == r"1\.5"
    with pytest.raises(ValueError) as caught:
        escape_markdown(None)
    assert str(caught.value) == (
        "the template prints a fact this letter does not have (None); "
        "test it with {% if ... %} first"
    )


def test_parse_own_reads_paragraphs_bold_italic_and_links() -> None:
    text = "Hello **bold** and *it*, [site](https://x.org) or [me](mailto:a@b.c).\n\nAgain."
    assert parse_own(text) == [
        Paragraph(
            (
                Span("Hello "),
                Span("bold", bold=True),
                Span(" and "),
                Span("it", italic=True),
                Span(", "),
                Span("site", href="https://x.org"),
                Span(" or "),
                Span("me", href="mailto:a@b.c"),
                Span("."),
            )
        ),
        Paragraph((Span("Again."),)),
    ]


def test_parse_own_reads_bullet_and_numbered_lists() -> None:
    assert parse_own("- one\n- a **two** b\n\n3. three\n4. four") == [
        BulletList(((Span("one"),), (Span("a "), Span("two", bold=True), Span(" b")))),
        BulletList(((Span("three"),), (Span("four"),)), numbered=True, start=3),
    ]


def test_parse_own_drops_empty_items_and_empty_lists() -> None:
    assert parse_own("- a\n-\n- b") == [BulletList(((Span("a"),), (Span("b"),)))]
    assert parse_own("-") == []
    assert parse_own("") == []


def test_parse_own_prints_raw_html_and_lookalike_marks_as_text() -> None:
    assert parse_own("<b>x</b> & `code`") == [Paragraph((Span("<b>x</b> & `code`"),))]
    assert parse_own("> quote") == [Paragraph((Span("> quote"),))]
    assert parse_own(r"\# not a heading") == [Paragraph((Span("# not a heading"),))]
    assert parse_own("a line\nand the next") == [Paragraph((Span("a line and the next"),))]


def test_parse_own_refuses_a_heading() -> None:
    with pytest.raises(OwnTextError) as caught:
        parse_own("Intro\n\n## Findings")
    assert str(caught.value) == (
        "the text holds a heading (## ...); the letter's own text has no headings: give a "
        "section its heading with heading:, or write \\# to print #"
    )
    with pytest.raises(OwnTextError, match=r"^the text holds a heading \(= \.\.\.\)"):
        parse_own("Title\n=====")


def test_parse_own_refuses_an_image() -> None:
    with pytest.raises(OwnTextError) as caught:
        parse_own("See ![logo](https://x.org/logo.png)")
    assert str(caught.value) == (
        "the text holds an image (![...](...)); a letter's own text holds words only, and the "
        "letterhead is the house style's"
    )


@pytest.mark.parametrize(
    "href", ["http://x.org", "report.pdf", "../notes.txt", "tel:+441234", "ftp://x.org"]
)
def test_parse_own_refuses_links_that_are_not_https_or_mailto(href: str) -> None:
    with pytest.raises(OwnTextError) as caught:
        parse_own(f"[here]({href})")
    assert str(caught.value) == (
        f"the link {href!r} is not a web or mail address; the letter's own links start https: "
        "or mailto:"
    )


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"])
def test_parse_own_refuses_a_link_the_reader_will_not_make(href: str) -> None:
    with pytest.raises(OwnTextError) as caught:
        parse_own(f"[x]({href})")
    assert str(caught.value) == (
        f"'[x]({href})' looks like a link but is not one; the letter's own links "
        "are [words](https://...) or [words](mailto:...)"
    )


def test_parse_own_accepts_link_schemes_in_any_case() -> None:
    assert parse_own("[a](HTTPS://x.org)") == [Paragraph((Span("a", href="HTTPS://x.org"),))]


def test_plain_text_gives_one_line_per_paragraph_and_item() -> None:
    text = "Hi **there**, [site](https://x.org)\n\n- a\n-\n- *b*\n\n2. c"
    assert plain_text(text) == "Hi there, site\na\nb\nc"
    assert plain_text("") == ""


def test_plain_text_refuses_what_parse_own_refuses() -> None:
    with pytest.raises(OwnTextError):
        plain_text("# heading")


def test_own_text_goes_where_the_template_marks_it_and_cannot_open_a_container() -> None:
    template = "Before." + own_mark("body") + "After."
    own = {"body": "::: address\nMr X\n:::\n\n- *one*"}
    assert parse_blocks(template, "t.md.j2", own) == [
        Part(
            "",
            [
                Paragraph((Span("Before."),)),
                Paragraph((Span("::: address Mr X :::"),)),
                BulletList(((Span("one", italic=True),),)),
                Paragraph((Span("After."),)),
            ],
        )
    ]


def test_an_own_text_mark_without_its_text_is_refused() -> None:
    with pytest.raises(TemplateError) as caught:
        parse_blocks(own_mark("missing"), "t.md.j2", {})
    assert str(caught.value) == (
        "templates/t.md.j2: the letter's own text 'missing' can print only as a paragraph of "
        "its own"
    )


def test_a_no_break_space_in_a_value_stays_one() -> None:
    """'10 000' and 'PC Smith' written with no-break spaces never break across lines."""
    assert escape_markdown(" 10\u00a0000 PC\u202fSmith\u2007x \n y ") == (
        "10\u00a0000 PC\u202fSmith\u2007x y"
    )
