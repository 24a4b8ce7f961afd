"""The PDF: A4 pages, the house font embedded, the letter's metadata, tagged, no outside fetches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

from conftest import DEFAULT_LETTER
from letters.build.build import compose
from letters.build.project import Project
from letters.render.pdf import make_url_fetcher, render_pdf
from letters.source.errors import TemplateError


@pytest.fixture(scope="module")
def pdf(built: dict[str, Path]) -> Iterator[pikepdf.Pdf]:
    with pikepdf.open(built["pdf"]) as opened:
        yield opened


def test_pages_are_a4(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        width, height = float(page.mediabox[2]), float(page.mediabox[3])
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_only_the_shipped_liberation_sans_is_embedded(pdf: pikepdf.Pdf) -> None:
    fonts = set()
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descriptor = (
                font.DescendantFonts[0].FontDescriptor
                if "/DescendantFonts" in font
                else font.FontDescriptor
            )
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, "every font embedded"
            fonts.add(str(font.BaseFont).split("+", 1)[-1])
    assert fonts == {"Liberation-Sans", "Liberation-Sans-Bold"}


def test_metadata_comes_from_the_letter(pdf: pikepdf.Pdf) -> None:
    info = pdf.docinfo
    assert (
        str(info.Title)
        == "Response to the HMICFRS Integrated PEEL Inspection report for Lancashire Constabulary"
    )
    assert str(info.Author) == "Clive Grunshaw"
    assert str(info.Keywords) == "HMICFRS, PEEL, Lancashire Constabulary, section 55"
    assert str(info.CreationDate).startswith("D:20200330")
    assert str(pdf.Root.Lang) == "en-GB"


def test_pdf_is_tagged(pdf: pikepdf.Pdf) -> None:
    assert "/StructTreeRoot" in pdf.Root
    assert bool(pdf.Root.MarkInfo.Marked)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.css",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        "ftp://example.com/x",
    ],
)
def test_the_fetcher_refuses_the_network_and_outside_files(project, url: str) -> None:  # type: ignore[no-untyped-def]
    fetcher = make_url_fetcher(project.templates)
    with pytest.raises(ValueError, match="refused to fetch"):
        fetcher.fetch(url)


def test_the_fetcher_refuses_an_escape_from_templates(project) -> None:  # type: ignore[no-untyped-def]
    fetcher = make_url_fetcher(project.templates)
    escape = (project.templates / ".." / "pyproject.toml").as_uri()
    with pytest.raises(ValueError, match="refused to fetch"):
        fetcher.fetch(escape)
    inside = fetcher.fetch((project.templates / "house-style.yaml").as_uri())
    assert inside.read().startswith(b"# The house style")


@pytest.mark.parametrize(
    ("rule", "asked"),
    [
        ('html { background: url("file:///etc/hostname"); }', "url(file:///etc/hostname)"),
        ("body { background: url(http://127.0.0.1:9/x.png); }", "url(http://127.0.0.1:9/x.png)"),
        ("@import 'https://example.com/x.css';", "@import"),
        ("p { background: u\\72l(http://example.com/x.png) }", "url(http://example.com/x.png)"),
        (
            "p { background: image-set('http://example.com/x.png' 1x) }",
            "url(http://example.com/x.png)",
        ),
        ("@media print { p { background: url(//example.com/y) } }", "url(//example.com/y)"),
    ],
)
def test_a_url_in_the_house_style_is_refused_by_name(scratch: Path, rule: str, asked: str) -> None:
    css = scratch / "templates" / "house-style.css.j2"
    css.write_text(css.read_text(encoding="utf-8") + rule + "\n", encoding="utf-8")
    project = Project(scratch)
    document = compose(scratch / "data" / DEFAULT_LETTER.name, project)
    with pytest.raises(TemplateError) as caught:
        render_pdf(document, project.style)
    message = str(caught.value)
    assert message.startswith("templates/house-style.css.j2: line ")
    assert message.endswith(
        f" of the CSS asks for {asked!r}; the web page stands alone, so its CSS may name data: "
        "URLs only (a visitor's browser would fetch anything else)"
    )
