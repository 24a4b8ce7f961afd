"""The house style is declared once and both renderers honour it; composing imports no renderer."""

from __future__ import annotations

import base64
import re
import shutil
import sys
from pathlib import Path

import docx
import pdfplumber
import pytest
import yaml
from docx.oxml.ns import qn
from docx.shared import Mm

from conftest import ROOT, copy_of_project, edit_yaml, run
from letters.build.build import build_letter, compose
from letters.build.project import Project
from letters.source.errors import TemplateError

EXAMPLES = ROOT / "data" / "examples"
WITH_TABLE = EXAMPLES / "warwickshire-2022-peel.yaml"  # more than three areas for improvement
BILINGUAL = EXAMPLES / "dyfed-powys-2025-peel-bilingual.yaml"


@pytest.fixture(scope="module")
def table_letter(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("table")
    built = build_letter(WITH_TABLE, out, ("docx", "html"), Project(ROOT))
    return {path.suffix.lstrip("."): path for path in built.paths}


def _findings_table(path: Path) -> docx.table.Table:
    tables = [t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == "No."]
    assert len(tables) == 1
    return tables[0]


def test_the_docx_findings_table_is_ruled_in_the_house_colour_and_width(
    table_letter: dict[str, Path],
) -> None:
    table = _findings_table(table_letter["docx"])
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    sides = {child.tag.split("}")[1]: child for child in borders}
    assert sorted(sides) == ["bottom", "insideH", "insideV", "left", "right", "top"]
    for border in sides.values():
        assert border.get(qn("w:color")) == "B1B4B6"  # table.rule
        assert border.get(qn("w:sz")) == "6"  # 0.75 pt, in eighths of a point
    assert table.style is None or table.style.name != "Table Grid"


def test_the_docx_findings_table_has_a_narrow_number_column_as_the_pdf_does(
    table_letter: dict[str, Path],
) -> None:
    table = _findings_table(table_letter["docx"])
    first, second, third = (column.width for column in table.columns)
    assert abs(first - Mm(12)) < Mm(0.1)  # table.first_column
    assert abs(second - third) < Mm(0.1)
    assert abs(first + second + third - Mm(170)) < Mm(0.2)  # A4 less 20 mm margins
    css = table_letter["html"].read_text(encoding="utf-8")
    assert (
        "table.findings th:first-child, table.findings td:first-child { width: 34.0157pt; }" in css
    )
    assert "table-layout: fixed" in css


def test_the_docx_cells_are_padded_as_the_pdf_cells(table_letter: dict[str, Path]) -> None:
    table = _findings_table(table_letter["docx"])
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    assert margins is not None
    widths = {child.tag.split("}")[1]: child.get(qn("w:w")) for child in margins}
    assert widths == {"top": "60", "bottom": "60", "left": "80", "right": "80"}  # 3pt, 4pt
    css = table_letter["html"].read_text(encoding="utf-8")
    assert "padding: 3pt 4pt;" in css


def test_the_marking_and_the_draft_mark_follow_the_house_style(
    draft_built: dict[str, Path],
) -> None:
    document = docx.Document(str(draft_built["docx"]))
    marking = document.styles["Marking"]
    assert str(marking.font.color.rgb) == "0B0C0C"
    assert marking.font.name == "Arial"
    header = document.sections[0].header._element.xml
    shape = re.search(r"<v:shape [^>]*>.*?</v:shape>", header, re.S)
    assert shape is not None
    assert 'fillcolor="#b10e1e"' in shape.group(0)
    assert '<v:fill opacity="0.13"/>' in shape.group(0)
    assert 'string="DRAFT"' in shape.group(0)
    assert "rotation:305.3" in shape.group(0)  # along the A4 page's diagonal, as in the PDF
    css = draft_built["html"].read_text(encoding="utf-8")
    watermark = re.search(r'url\("data:image/svg\+xml;base64,([^"]+)"\)', css)
    assert watermark is not None
    assert b'fill="#b10e1e" fill-opacity="0.13"' in base64.b64decode(watermark.group(1))


def test_a_draft_in_welsh_and_english_is_marked_in_both_languages(tmp_path: Path) -> None:
    copy_of_project(tmp_path)
    data = tmp_path / "data" / "examples" / BILINGUAL.name
    assert "status:\n  state: draft\n" in data.read_text(encoding="utf-8")  # as copied
    built = build_letter(data, tmp_path / "out", ("docx", "html"), Project(tmp_path))
    paths = {path.suffix: path for path in built.paths}
    assert '<p class="draft">DRAFFT / DRAFT</p>' in paths[".html"].read_text(encoding="utf-8")
    header = docx.Document(str(paths[".docx"])).sections[0].header._element.xml
    assert 'string="DRAFFT / DRAFT"' in header


def test_a_house_font_whose_table_states_no_capital_height_draws_the_letterhead(
    tmp_path: Path,
) -> None:
    # OS/2 tables before version 2 (DejaVu's, for one) have no sCapHeight
    from fontTools.ttLib import TTFont

    copy_of_project(tmp_path)
    for path in (tmp_path / "templates" / "fonts").glob("*.ttf"):
        font = TTFont(path)
        table = font["OS/2"]
        table.version = 1
        for field in ("sxHeight", "sCapHeight", "usDefaultChar", "usBreakChar", "usMaxContext"):
            delattr(table, field)
        font.save(path)
    data = tmp_path / "data" / "examples" / BILINGUAL.name
    # a draft (as copied): the DRAFT mark is sized by the capitals too
    assert "status:\n  state: draft\n" in data.read_text(encoding="utf-8")
    built = build_letter(data, tmp_path / "out", ("docx", "html"), Project(tmp_path))
    html = next(path for path in built.paths if path.suffix == ".html")
    assert '<header class="letterhead">\n<img src="data:image/svg+xml;base64,' in html.read_text(
        encoding="utf-8"
    )


def test_a_template_printing_a_fact_its_language_lacks_names_its_line(scratch: Path) -> None:
    template = scratch / "templates" / "letters" / "cy" / "peel.md.j2"
    text = template.read_text(encoding="utf-8")
    anchor = "{% for paragraph in facts.body %}"
    assert anchor in text
    template.write_text(
        text.replace(anchor, "{{ facts.aspiration }}\n\n" + anchor, 1), encoding="utf-8"
    )
    line = template.read_text(encoding="utf-8").splitlines().index("{{ facts.aspiration }}") + 1
    with pytest.raises(TemplateError) as caught:
        compose(scratch / "data" / "examples" / BILINGUAL.name, Project(scratch))
    assert str(caught.value) == (
        f"{template}:{line}: the template prints a fact this letter does not "
        "have (None); test it with {% if ... %} first"
    )


def _imported(code: str) -> list[str]:
    """Run Python code in a new process; list the heavy renderer modules it imported."""
    probe = (
        f"{code}\nimport sys\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'weasyprint', 'pydyf', 'docx'}))"
    )
    result = run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return list(eval(result.stdout.strip().splitlines()[-1]))


def test_composing_a_letter_imports_no_renderer() -> None:
    code = (
        "from pathlib import Path\nfrom letters.build.build import compose\n"
        "from letters.build.project import Project\n"
        "compose(Path('data/lancashire-2020-peel.yaml'), Project(Path('.')))"
    )
    assert _imported(code) == []


def test_a_docx_only_build_never_imports_weasyprint(tmp_path: Path) -> None:
    code = (
        "from pathlib import Path\nfrom letters.build.build import build_letter\n"
        f"build_letter(Path('data/lancashire-2020-peel.yaml'), Path({str(tmp_path)!r}), ('docx',))"
    )
    assert _imported(code) == ["docx"]


def test_an_unquoted_colour_is_explained(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    style = tmp_path / "templates" / "house-style.yaml"
    edit_yaml(style, '  accent: "#1d3557"', "  accent: #1d3557")
    from letters.compose.style import load_style

    with pytest.raises(TemplateError) as caught:
        load_style(style, tmp_path)
    assert str(caught.value).endswith(
        "colours.accent: is empty. In YAML a # starts a comment, so an unquoted colour such as"
        ' #8b1e3f is read as nothing: write it in quotes, "#8b1e3f"'
    )


def test_every_letter_reports_what_weasyprint_said_of_the_house_css(scratch: Path) -> None:
    css = scratch / "templates" / "house-style.css.j2"
    css.write_text(css.read_text(encoding="utf-8") + "\np.signatory { colour: red; }\n")
    letter = scratch / "data" / "lancashire-2020-peel.yaml"
    copy = letter.with_name("lancashire-copy.yaml")
    shutil.copy(letter, copy)
    project = Project(scratch)  # one process, one style: the CSS is parsed once for both
    said = [
        [
            w
            for w in build_letter(path, scratch / "out", ("pdf",), project).warnings
            if "colour" in w
        ]
        for path in (letter, copy)
    ]
    for path, warnings in zip((letter, copy), said, strict=True):
        assert len(warnings) == 1
        assert re.fullmatch(
            re.escape(f"{path}: warning: Ignored `colour: red` at ")
            + r"\d+:15, unknown property\.",
            warnings[0],
        )


def _twelve_point_style() -> dict[str, dict[str, str]]:
    """Read the 12 pt settings the README offers, from its YAML block."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Accessible letters") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "the README shows the 12 pt settings"
    values: dict[str, dict[str, str]] = yaml.safe_load(block.group(1))
    assert values["text"] == {"size": "12pt"}
    return values


@pytest.fixture(scope="module")
def twelve_point(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the default letter and every example in the README's 12 pt house style."""
    root = tmp_path_factory.mktemp("twelve-point")
    copy_of_project(root)
    path = root / "templates" / "house-style.yaml"
    style = yaml.safe_load(path.read_text(encoding="utf-8"))
    for part, values in _twelve_point_style().items():
        style[part].update(values)
    path.write_text(yaml.safe_dump(style, sort_keys=False), encoding="utf-8")
    project = Project(root)
    for letter in (
        root / "data" / "lancashire-2020-peel.yaml",
        *(root / "data" / "examples").glob("*.yaml"),
    ):
        build_letter(letter, root / "build", ("pdf",), project)
    return root / "build"


def test_the_default_letter_lays_out_well_in_12_point(twelve_point: Path) -> None:
    with pdfplumber.open(twelve_point / "lancashire-2020-peel.pdf") as pdf:
        assert len(pdf.pages) == 3
        first = pdf.pages[0]
        words = first.extract_words(keep_blank_chars=False, extra_attrs=["size"])
        body = next(w for w in words if w["text"] == "write")
        assert round(body["size"], 1) == 12.0
        mm = 72 / 25.4
        for line in ("Rt", "SW1P"):  # the address's first and last lines, in the DL window
            word = next(w for w in words if w["text"] == line)
            assert 45 * mm <= word["top"] and word["bottom"] <= 90 * mm, (line, word["top"] / mm)
        for label, value in (("ask", "Clive"), ("Email:", "commissioner@lancashire-pcc.gov.uk")):
            left = next(w for w in words if w["text"] == label)
            right = next(w for w in words if w["text"] == value)
            assert abs(left["top"] - right["top"]) < 1 and right["x0"] > left["x1"], (label, value)
        pages = [page.extract_text() for page in pdf.pages]
    closing = next(i for i, text in enumerate(pages) if "Yours sincerely" in text)
    assert "quarterly scrutiny meetings." in pages[closing], "the signature keeps its paragraph"


def test_every_example_lays_out_in_12_point(twelve_point: Path) -> None:
    for pdf_path in sorted(twelve_point.glob("*.pdf")):
        with pdfplumber.open(pdf_path) as pdf:
            assert 1 <= len(pdf.pages) <= 3, pdf_path.name
