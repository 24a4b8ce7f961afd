"""Templates turn into the document model; data always prints exactly as written."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from conftest import DEFAULT_LETTER, edit_yaml, position
from letters.build.build import build_letter, compose, render
from letters.build.project import Project
from letters.cli import main
from letters.compose.document import (
    Address,
    BulletList,
    Heading,
    Masthead,
    Paragraph,
    ReferenceBlock,
    Section,
    Signature,
    Signer,
    Span,
    text_lines,
)
from letters.compose.markdown import escape_markdown, join_mastheads, parse_blocks
from letters.source.errors import TemplateError

TRICKY = (
    "{{ 7*7 }} <b>bold</b> *stars* _underscores_ [link](http://x) `code` &amp; \\\\ # not a heading"
)


def test_markup_in_data_prints_as_written(scratch: Path) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(
        data,
        "    - The constabulary should ensure there is a consistent approach",
        "    - '" + TRICKY.replace("'", "''") + "'\n"
        "    - 1. not a list\n    - The constabulary should ensure there is a consistent approach",
    )
    document = compose(data, Project(scratch))
    lines = text_lines(document)
    assert TRICKY in lines and "1. not a list" in lines
    bullets = next(b for b in document.blocks if isinstance(b, BulletList))
    assert bullets.items[0] == (Span(TRICKY),), "no emphasis, link or code from data"
    files, _ = render(document, Project(scratch), ("html",))
    html = files["html"].decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "{{ 7*7 }}" in html and "<b>" not in html


def test_escape_markdown_leaves_plain_words_alone() -> None:
    assert escape_markdown("Lancashire Constabulary") == "Lancashire Constabulary"
    assert escape_markdown("a\n\n- b") == "a \\- b"


def test_containers_become_letter_furniture() -> None:
    parts = parse_blocks(
        "::: address\nA Person\n1 Street\n:::\n\n"
        "::: reference\nOur Ref: X1\nDate: 1 May 2020\n:::\n\n"
        "# SUBJECT\n\nBody *with* **emphasis**.\n\n"
        "::: signature\nYours faithfully\n\nA Name\nA Title\n:::\n\n"
        "::: annex\n## Annex\n\n- one\n- two\n:::\n"
    )
    blocks = join_mastheads([block for part in parts for block in part.blocks])
    assert blocks == [
        Masthead(
            Address(("A Person", "1 Street")),
            ReferenceBlock((("Our Ref:", "X1"), ("Date:", "1 May 2020"))),
        ),
        Heading(1, (Span("SUBJECT"),)),
        Paragraph(
            (
                Span("Body "),
                Span("with", italic=True),
                Span(" "),
                Span("emphasis", bold=True),
                Span("."),
            )
        ),
        Signature("Yours faithfully", (Signer(("A Name", "A Title")),)),
        Section("annex", new_page=True),
        Heading(2, (Span("Annex"),)),
        BulletList(((Span("one"),), (Span("two"),))),
    ]


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("1. one\n2. two\n", "ordered list is not part of the letter format"),
        (
            "::: reference\nno label here\n:::\n",
            "reference line 'no label here' is not 'Label: value'",
        ),
        (
            "::: signature\nYours sincerely\n:::\n",
            "a signature is a closing ('Yours sincerely'), a blank line, then the name and title",
        ),
    ],
)
def test_what_the_letter_format_cannot_hold_is_an_error(markdown: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_blocks(markdown, "t.md.j2")


def test_templates_cannot_reach_python_internals(scratch: Path) -> None:
    template = scratch / "templates" / "common" / "front.md.j2"
    edit_yaml(
        template, "Dear {{ facts.salutation }}", "Dear {{ facts.__class__.__init__.__globals__ }}"
    )
    with pytest.raises(TemplateError):
        compose(scratch / "data" / DEFAULT_LETTER.name, Project(scratch))


def test_an_unknown_placeholder_in_the_letters_own_text_is_reported_at_its_line(
    scratch: Path,
) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(data, "{savings.since}, the", "{savings.sinse}, the")
    from letters.source.errors import DataError

    with pytest.raises(DataError) as caught:
        compose(data, Project(scratch))
    message = str(caught.value)
    at = position(data, ">-\n      I am pleased")
    assert message.startswith(
        f"{data}:{at}: paragraphs.body[0]: {{savings.sinse}} is not a fact"
        " this letter can name (did you mean {savings.since}?); it can name {afi_count}, "
    )


def test_a_link_in_a_template_is_a_link_in_the_docx_and_the_html(scratch: Path) -> None:
    url = "https://www.lancashire-pcc.gov.uk/scrutiny/?year=2020&kind=peel"
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(
        template,
        "through my quarterly scrutiny meetings.",
        f"through my [quarterly scrutiny meetings]({url}).",
    )
    built = build_letter(
        scratch / "data" / DEFAULT_LETTER.name, scratch / "out", ("docx", "html"), Project(scratch)
    )
    paths = {path.suffix: path for path in built.paths}
    document = docx.Document(str(paths[".docx"]))
    links = document.element.body.findall(".//" + qn("w:hyperlink"))
    assert len(links) == 1
    [link] = links
    assert "".join(t.text for t in link.iter(qn("w:t"))) == "quarterly scrutiny meetings"
    relationship = document.part.rels[link.get(qn("r:id"))]
    assert relationship.is_external and relationship.target_ref == url
    paragraph = next(p for p in document.paragraphs if "quarterly scrutiny meetings" in p.text)
    assert paragraph.text.endswith("through my quarterly scrutiny meetings.")
    html = paths[".html"].read_text(encoding="utf-8")
    assert (
        'through my <a href="https://www.lancashire-pcc.gov.uk/scrutiny/?year=2020&amp;kind=peel">'
        "quarterly scrutiny meetings</a>." in html
    )
    assert html.count("<a href=") == 1


def test_a_misspelt_field_in_a_template_is_named_with_a_hint(scratch: Path) -> None:
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(template, "hold the {{ force.chief_officer }}", "hold the {{ force.cheif_officer }}")
    result = CliRunner().invoke(main, ["check", str(scratch / "data" / DEFAULT_LETTER.name)])
    line = position(template, "{{ force.cheif_officer }}").split(":")[0]
    assert result.exit_code == 1
    assert (
        f"templates/letters/integrated-peel-2018.md.j2:{line}: force has no 'cheif_officer' (did"
        " you mean 'chief_officer'?); it has name and chief_officer"
    ) in result.output


def test_an_unclosed_block_is_named_where_it_opens(scratch: Path) -> None:
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(template, "scrutiny meetings.\n{% endif %}", "scrutiny meetings.\n")
    line = position(template, '{% if layout == "letter" %}\nAs you would').split(":")[0]
    result = CliRunner().invoke(main, ["check", str(scratch / "data" / DEFAULT_LETTER.name)])
    assert result.exit_code == 1
    assert (
        f"templates/letters/integrated-peel-2018.md.j2:{line}: the {{% if %}} opened here is never"
        " closed; close it with {% endif %}"
    ) in result.output
