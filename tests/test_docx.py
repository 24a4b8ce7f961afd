"""The DOCX: A4, named styles staff can keep editing with, live page numbers, the letter's data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from letters.build.project import Project


@pytest.fixture(scope="module")
def document(built: dict[str, Path]) -> docx.document.Document:
    return docx.Document(str(built["docx"]))


def _style(paragraph: Paragraph) -> str:
    """Return the name of a paragraph's style (every paragraph letters writes has one)."""
    assert paragraph.style is not None
    return str(paragraph.style.name)


def test_page_is_a4_with_the_house_margins(document: docx.document.Document) -> None:
    section = document.sections[0]
    width, height = section.page_width, section.page_height
    left, right, top = section.left_margin, section.right_margin, section.top_margin
    assert width is not None and height is not None
    assert left is not None and right is not None and top is not None
    assert (round(width.mm), round(height.mm)) == (210, 297)
    assert round(left.mm) == round(right.mm) == 20
    assert abs(top - Mm(18)) < Mm(0.1)


def test_text_uses_named_styles(document: docx.document.Document) -> None:
    used = {_style(p) for p in document.paragraphs if p.text.strip()}
    for table in document.tables:
        used |= {_style(p) for cell in table._cells for p in cell.paragraphs if p.text.strip()}
    assert used == {
        "Normal",
        "Heading 1",
        "Heading 2",
        "List Bullet",
        "Address",
        "Reference Block",
        "Closing",
        "Signatory",
    }
    assert not any(run.font.name or run.font.size for p in document.paragraphs for run in p.runs), (
        "no direct formatting"
    )


def test_styles_name_arial_in_the_house_sizes(document: docx.document.Document) -> None:
    normal = document.styles["Normal"]
    assert normal.font.name == "Arial" and normal.font.size.pt == 11
    fonts = normal.element.rPr.rFonts
    assert fonts.get(qn("w:asciiTheme")) is None, "theme fonts would override Arial"
    assert document.styles["Heading 1"].font.name == "Arial"
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:val")) == "en-GB"


def test_annex_starts_on_a_new_page(document: docx.document.Document) -> None:
    heading = next(p for p in document.paragraphs if _style(p) == "Heading 2")
    assert heading.text == "Planned activity by Lancashire Constabulary"
    assert heading.paragraph_format.page_break_before is True


def test_footer_has_the_office_address_and_page_fields(document: docx.document.Document) -> None:
    footer = document.sections[0].footer.paragraphs[0]
    xml = footer._p.xml
    assert footer.text.startswith(
        "Office of the Police and Crime Commissioner for Lancashire,"
        " County Hall, Preston, PR1\u00a00LD\tPage "
    )
    assert " PAGE " in xml and " NUMPAGES " in xml
    assert footer.style.name == "Footer"


def test_letterhead_picture_has_alt_text(document: docx.document.Document) -> None:
    doc_pr = document.element.body.find(".//" + qn("wp:docPr"))
    assert doc_pr.get("descr") == "Lancashire Police and Crime Commissioner"
    assert len(document.inline_shapes) == 1
    assert abs(document.inline_shapes[0].height.mm - 20) < 0.1


def test_core_properties_come_from_the_letter(document: docx.document.Document) -> None:
    props = document.core_properties
    assert (
        props.title
        == "Response to the HMICFRS Integrated PEEL Inspection report for Lancashire Constabulary"
    )
    assert props.author == "Clive Grunshaw"
    assert props.language == "en-GB"
    assert props.created == props.modified == dt.datetime(2020, 3, 30, tzinfo=dt.UTC)


def test_zip_entries_carry_the_letters_date_not_the_clock(built: dict[str, Path]) -> None:
    import zipfile

    with zipfile.ZipFile(built["docx"]) as package:
        assert {info.date_time for info in package.infolist()} == {(2020, 3, 30, 0, 0, 0)}
        assert package.namelist()[0] == "[Content_Types].xml"


def test_building_again_gives_the_same_bytes(
    built: dict[str, Path], tmp_path: Path, project: Project
) -> None:
    import sys

    from conftest import DEFAULT_LETTER, ROOT, run

    run(
        [sys.executable, "-m", "letters.cli", "build", str(DEFAULT_LETTER), "--out", str(tmp_path)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    for fmt, first in built.items():
        assert (tmp_path / first.name).read_bytes() == first.read_bytes(), fmt
