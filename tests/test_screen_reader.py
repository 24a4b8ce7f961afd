"""What a screen reader meets in every PDF the examples make: the structure tree, read back.

A validator checks what it can; these tests walk each PDF as an assistive technology does:
the structure tree in order, each element's marked content, and the artifacts beside it.
They are written against the PDF itself (pikepdf for the objects and content streams,
pdfplumber for the text of each marked content), not against the code that made it.
"""

from __future__ import annotations

import re
from pathlib import Path

import page as page_validation
import pikepdf
import pytest

from conftest import DEFAULT_LETTER, EXAMPLES, ROOT, docx_lines, normalise
from letters.build.prepare import prepare
from letters.build.project import Project
from screen_reader import Element, Read, read, spoken, walk

PROJECT = Project(ROOT)


def _said(pdf: Read, element: Element) -> str:
    """Say what a screen reader says for one element and all within it."""
    return " ".join(spoken(Read([element], pdf.pages, pdf.text, {}, "", [])))


def _pdfs() -> list[tuple[str, Path, str]]:
    """Name each PDF the default letter and the examples make: (id, letter, format)."""
    cases = []
    for letter in (DEFAULT_LETTER, *EXAMPLES):
        languages = prepare(letter, PROJECT).loaded.letter.languages
        for copy in ("pdf", "public-pdf"):
            for language in languages:
                fmt = copy if len(languages) == 1 else f"{language}-{copy}"
                cases.append((f"{letter.stem}:{fmt}", letter, fmt))
    return cases


CASES = _pdfs()


@pytest.fixture(scope="module")
def every_file(
    built: dict[str, Path], examples_built: dict[str, dict[str, Path]]
) -> dict[str, Path]:
    """Find each PDF."""
    files = {DEFAULT_LETTER.stem: built, **examples_built}
    return {case: files[letter.stem][fmt] for case, letter, fmt in CASES}


@pytest.fixture(scope="module")
def every_pdf(every_file: dict[str, Path]) -> dict[str, Read]:
    """Read each PDF once."""
    return {case: read(path) for case, path in every_file.items()}


@pytest.mark.parametrize("case", [case for case, _, _ in CASES])
def test_an_independent_validator_passes_every_pdf(every_file: dict[str, Path], case: str) -> None:
    for profile in ("3a", "ua1"):
        report = page_validation.validate_pdf(str(every_file[case]), profile=profile)
        assert report.failures == [] and report.is_compliant, (profile, report.to_json())


def test_an_independent_validator_passes_the_draft(draft_built: dict[str, Path]) -> None:
    for copy in ("pdf", "public-pdf"):
        for profile in ("3a", "ua1"):
            report = page_validation.validate_pdf(str(draft_built[copy]), profile=profile)
            assert report.failures == [] and report.is_compliant, (copy, profile)


@pytest.mark.parametrize("case", [case for case, _, _ in CASES])
def test_every_marked_content_is_an_artifact_or_in_the_tree(
    every_pdf: dict[str, Read], case: str
) -> None:
    pdf = every_pdf[case]
    in_tree = {key for element in walk(pdf.tree) for key in element.contents}
    for number, page in enumerate(pdf.pages):
        assert page.text_outside_marks == 0, f"page {number + 1}: text outside marked content"
        for mcid in page.mcids:
            assert (number, mcid) in in_tree, f"page {number + 1}: MCID {mcid} is in no element"
            assert (number, mcid) in pdf.parent_tree, f"page {number + 1}: MCID {mcid} unmapped"
    assert set(pdf.parent_tree) == in_tree, "the parent tree lists exactly what the tree holds"


@pytest.mark.parametrize("case", [case for case, _, _ in CASES])
def test_the_footer_and_page_numbers_are_pagination_artifacts(
    every_pdf: dict[str, Read], case: str
) -> None:
    pdf = every_pdf[case]
    said = " ".join(spoken(pdf))
    pages = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        label = re.search(r"(Page|Tudalen) \d+ (of|o) \d+", pdf.page_text[number - 1])
        assert label, f"page {number} shows its number"
        assert label.group(0) not in said
        footers = [a for a in page.artifacts if a == ("/Pagination", "/Footer")]
        # the address (one piece of text a line) and the page number
        assert len(footers) >= 2, f"page {number}: the footer is not a pagination artifact"
    assert re.search(r"(Page|Tudalen) \d+ (of|o) " + str(pages), said) is None
    # the footer's line: the office's address, then the page number
    line = next(
        line for line in pdf.page_text[0].splitlines() if re.search(r"\d+ (of|o) \d+$", line)
    )
    address = re.sub(r"\s*(Page|Tudalen) \d+ (of|o) \d+$", "", line)
    assert len(address) > 20 and normalise(address) not in said, address


@pytest.mark.parametrize("case", [case for case, _, _ in CASES])
def test_a_screen_reader_begins_with_the_letterhead(every_pdf: dict[str, Read], case: str) -> None:
    pdf = every_pdf[case]
    first = spoken(pdf)[0]
    assert re.fullmatch(r"\[image: .*(Commissioner|Mayor|Comisiynydd).*\]", first), first
    figures = [element for element in walk(pdf.tree) if element.role == "Figure"]
    assert figures and all(figure.alt for figure in figures), "every figure has alt text"
    assert pdf.language in ("en-GB", "cy"), pdf.language


@pytest.mark.parametrize("case", [case for case, _, _ in CASES])
def test_headings_lists_and_tables_have_their_structure(
    every_pdf: dict[str, Read], case: str
) -> None:
    pdf = every_pdf[case]
    elements = walk(pdf.tree)
    levels = [int(e.role[1]) for e in elements if re.fullmatch(r"H[1-6]", e.role)]
    assert levels and levels[0] <= 2, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"a heading skips from H{before} to H{after}"
    for element in elements:
        if element.role == "LI":
            assert element.parent is not None and element.parent.role == "L"
            assert [child.role for child in element.children].count("LBody") == 1
        if element.role == "L":
            assert {child.role for child in element.children} <= {"LI", "L"}
        if element.role in ("TH", "TD"):
            assert element.parent is not None and element.parent.role == "TR"
            assert "/ColSpan" not in element.attributes and "/RowSpan" not in element.attributes


def test_the_address_and_the_reference_block_read_as_blocks(built: dict[str, Path]) -> None:
    pdf = read(built["pdf"])
    elements = walk(pdf.tree)
    address = next(
        e for e in elements if e.role == "Div" and e.children and e.children[0].role == "P"
    )
    lines = [_said(pdf, paragraph) for paragraph in address.children]
    assert lines == [
        "Rt Hon Priti Patel",
        "Home Secretary",
        "Home Office",
        "2 Marsham Street",
        "London",
        "SW1P 4DF",
    ]
    table = next(e for e in elements if e.role == "Table")
    rows = [e for e in walk([table]) if e.role == "TR"]
    said = []
    for row in rows:
        label, value = row.children
        assert (label.role, value.role) == ("TH", "TD")
        # the value names its label as its header: a reader announces them as a pair
        assert label.identifier and label.identifier in value.attributes["/Headers"]
        said.append([_said(pdf, label), _said(pdf, value)])
    assert said[0] == ["Please ask for:", "Clive Grunshaw"]
    assert said[-1] == ["Date:", "30 March 2020"]


def test_the_marking_and_the_draft_mark_are_artifacts(draft_built: dict[str, Path]) -> None:
    pdf = read(draft_built["pdf"])
    said = " ".join(spoken(pdf))
    assert "OFFICIAL" in pdf.page_text[0] and "OFFICIAL" not in said
    for page in pdf.pages:
        assert ("/Pagination", "/Header") in page.artifacts
        assert ("/Pagination", "/Watermark") in page.artifacts


@pytest.mark.parametrize("letter", [DEFAULT_LETTER, *EXAMPLES], ids=lambda path: path.stem)
def test_the_tree_reads_the_words_of_the_docx(
    letter: Path, built: dict[str, Path], examples_built: dict[str, dict[str, Path]]
) -> None:
    files = {DEFAULT_LETTER.stem: built, **examples_built}[letter.stem]
    languages = prepare(letter, PROJECT).loaded.letter.languages
    names = ["pdf"] if len(languages) == 1 else [f"{language}-pdf" for language in languages]
    words = []
    for name in names:
        pdf = read(files[name])
        for element in walk(pdf.tree, leaving_out="Lbl"):  # the DOCX numbers its own lists
            words.append(" ".join(pdf.text.get(key, "") for key in element.contents))
    expected = " ".join(line.removeprefix("- ") for line in docx_lines(files["docx"]))
    assert _joined(" ".join(words)) == _joined(expected)


def _joined(text: str) -> str:
    """Whitespace normalised, words broken at a hyphen across lines joined again.

    The tree's elements are joined with spaces, so a link or bold word is followed by one
    even before a comma; a reader does not voice spaces, so none is kept before punctuation.
    """
    return re.sub(r"\s+([,.;:!?)])", r"\1", re.sub(r"-\s+", "-", normalise(text)))


@pytest.mark.parametrize("case", [case for case, _, _ in CASES])
def test_figures_header_cells_and_links_say_where_and_what_they_are(
    every_file: dict[str, Path], case: str
) -> None:
    with pikepdf.open(every_file[case]) as pdf:
        height = float(pdf.pages[0].MediaBox[3])
        elements = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/S" in o]
        letterhead = next(e for e in elements if e.S == "/Figure")
        x1, y1, x2, y2 = (float(v) for v in letterhead.A.BBox)
        # the wordmark is drawn at the top left of page 1 (20 mm margins, 20 mm high)
        assert 55 < x1 < 60 and y2 > height - 60 and y2 - y1 == pytest.approx(56.7, abs=1)
        for header in (e for e in elements if e.S == "/TH"):
            assert str(header.A.Scope) in ("/Row", "/Column")
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                described = str(annotation.get("/Contents", ""))
                assert described and not described.startswith("http"), described
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        for refs in nums[1::2]:
            if isinstance(refs, pikepdf.Array) and len(refs):
                assert isinstance(refs[len(refs) - 1], pikepdf.Dictionary), "no empty slot last"


def test_a_link_is_described_by_its_words(examples_built: dict[str, dict[str, Path]]) -> None:
    path = examples_built["west-mercia-2024-activism-thematic"]["pdf"]
    with pikepdf.open(path) as pdf:
        described = [str(a.Contents) for page in pdf.pages for a in page.get("/Annots", [])]
    assert described == ["An inspection into activism and impartiality in policing"]


def test_the_letterhead_s_alt_text_says_each_part_once(
    examples_built: dict[str, dict[str, Path]],
) -> None:
    said = spoken(read(examples_built["west-yorkshire-2024-spotlight"]["pdf"]))
    assert said[0] == "[image: Mayor of West Yorkshire, Policing and Crime]"
