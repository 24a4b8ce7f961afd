"""The rules of Word's accessibility checker, checked by reading each DOCX's XML.

Word's checker (Review > Check Accessibility) reports, as errors: an object without alt
text, a table with no header row that is not a plain layout table (Table Normal), and
a document without a title; as warnings: merged or split cells, headings out of order, and
text in a language other than the one the styles declare. The same rules are read here
from the parts of every DOCX the default letter and the examples make.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from conftest import DEFAULT_LETTER, EXAMPLES

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
DC = "{http://purl.org/dc/elements/1.1/}"
LETTERS = [DEFAULT_LETTER, *EXAMPLES]


@pytest.fixture(params=LETTERS, ids=lambda path: path.stem)
def package(
    request: pytest.FixtureRequest,
    built: dict[str, Path],
    examples_built: dict[str, dict[str, Path]],
) -> Iterator[zipfile.ZipFile]:
    """Open the DOCX of the default letter and of each example in turn."""
    files = {DEFAULT_LETTER.stem: built, **examples_built}[request.param.stem]
    with zipfile.ZipFile(files["docx"]) as opened:
        yield opened


def _xml(package: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(package.read(name))


def test_the_document_has_a_title_and_one_language_everywhere(package: zipfile.ZipFile) -> None:
    core = _xml(package, "docProps/core.xml")
    title = core.findtext(f"{DC}title") or ""
    language = core.findtext(f"{DC}language") or ""
    assert title.startswith(("Response to the ", "Ymateb i ")) and len(title) > 40, title
    word = {"en-GB": "en-GB", "cy": "cy-GB"}[language]
    for name in package.namelist():
        if name.endswith(".xml"):
            assert b"en-US" not in package.read(name), f"{name} still says en-US"
    defaults = _xml(package, "word/styles.xml").find(f"{W}docDefaults//{W}lang")
    assert defaults is not None and defaults.get(f"{W}val") == word
    normal = _xml(package, "word/styles.xml").find(f"{W}style[@{W}styleId='Normal']//{W}lang")
    assert normal is not None and normal.get(f"{W}val") == word
    theme = _xml(package, "word/settings.xml").find(f"{W}themeFontLang")
    assert theme is not None and theme.get(f"{W}val") == word


def test_every_image_has_alt_text(package: zipfile.ZipFile) -> None:
    document = _xml(package, "word/document.xml")
    pictures = document.findall(f".//{WP}docPr")
    assert pictures, "the letterhead at least"
    for picture in pictures:
        alt = picture.get("descr") or ""
        assert alt.strip() and not re.search(r"\.(png|svg|jpe?g)$", alt), picture.attrib


def test_tables_have_a_header_row_or_are_layout_tables_and_no_cell_is_merged(
    package: zipfile.ZipFile,
) -> None:
    document = _xml(package, "word/document.xml")
    styles = _xml(package, "word/styles.xml")
    default_table = styles.find(f"{W}style[@{W}type='table'][@{W}default='1']")
    name = default_table.find(f"{W}name") if default_table is not None else None
    assert name is not None and name.get(f"{W}val") == "Normal Table"
    for table in document.iter(f"{W}tbl"):
        rows = table.findall(f"{W}tr")
        style = table.find(f"{W}tblPr/{W}tblStyle")
        repeats = [row.find(f"{W}trPr/{W}tblHeader") is not None for row in rows]
        if any(repeats):  # a table of findings: its first row, and only it, is the header
            assert repeats == [True] + [False] * (len(rows) - 1)
        else:  # the masthead: a layout table, which Word's checker passes in Table Normal
            assert style is None and len(rows) == 1
        for merged in ("gridSpan", "vMerge", "hMerge"):
            assert table.find(f".//{W}{merged}") is None, f"a merged cell ({merged})"


def test_headings_use_heading_styles_in_order(package: zipfile.ZipFile) -> None:
    document = _xml(package, "word/document.xml")
    levels = [
        int(style.get(f"{W}val")[-1])
        for style in document.iter(f"{W}pStyle")
        if re.fullmatch(r"Heading[1-9]", style.get(f"{W}val") or "")
    ]
    assert levels and levels[0] <= 2
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"Heading {before} then Heading {after}"


def test_a_findings_table_repeats_its_header_row(
    examples_built: dict[str, dict[str, Path]],
) -> None:
    with zipfile.ZipFile(examples_built["warwickshire-2022-peel"]["docx"]) as package:
        document = _xml(package, "word/document.xml")
    headers = [
        "".join(row.itertext())
        for row in document.iter(f"{W}tr")
        if row.find(f"{W}trPr/{W}tblHeader") is not None
    ]
    assert headers == ["No.FindingResponse and planned action"]


def test_the_draft_mark_in_word_says_what_it_is(draft_built: dict[str, Path]) -> None:
    with zipfile.ZipFile(draft_built["docx"]) as package:
        headers = [
            name for name in package.namelist() if re.fullmatch(r"word/header\d+\.xml", name)
        ]
        shapes = [
            shape
            for name in headers
            for shape in _xml(package, name).iter("{urn:schemas-microsoft-com:vml}shape")
        ]
    assert [shape.get("alt") for shape in shapes] == ["DRAFT"]
