"""The default letter reproduces the Lancashire seed letter word for word in the DOCX and PDF."""

from __future__ import annotations

from pathlib import Path

from conftest import PAGE_FOOTER, docx_lines, normalise, pdf_pages, seed_lines


def test_docx_text_is_the_seed_line_for_line(built: dict[str, Path]) -> None:
    assert docx_lines(built["docx"]) == seed_lines()


def test_every_seed_line_appears_in_order_in_the_pdf(built: dict[str, Path]) -> None:
    text = normalise(" ".join(pdf_pages(built["pdf"])))
    position = 0
    for line in seed_lines():
        wanted = line.removeprefix("- ")
        found = text.find(wanted, position)
        assert found >= 0, f"not found in order in the PDF: {wanted!r}"
        position = found + len(wanted)


def test_pdf_body_text_equals_docx_body_text(built: dict[str, Path]) -> None:
    pdf_text = normalise(PAGE_FOOTER.sub(" ", " ".join(pdf_pages(built["pdf"]))))
    docx_text = normalise(" ".join(line.removeprefix("- ") for line in docx_lines(built["docx"])))
    pdf_text = normalise(pdf_text.replace("•", ""))  # list markers are drawn after the page text
    assert pdf_text == docx_text


def test_pdf_has_the_letter_on_two_pages_and_the_annex_on_the_third(built: dict[str, Path]) -> None:
    pages = pdf_pages(built["pdf"])
    assert len(pages) == 3
    assert pages[0].startswith("Rt Hon Priti Patel")
    assert "Yours sincerely" in pages[1]
    assert normalise(pages[2]).startswith("Planned activity by Lancashire Constabulary")
    for number, page in enumerate(pages, start=1):
        assert normalise(page).endswith(f"Page {number} of 3")


def test_html_holds_the_same_text(built: dict[str, Path]) -> None:
    import re
    from html import unescape

    html = built["html"].read_text(encoding="utf-8")
    main = html[html.index("<main>") : html.index("</main>")]
    text = normalise(unescape(re.sub(r"<[^>]+>", " ", main)))
    docx_text = normalise(" ".join(line.removeprefix("- ") for line in docx_lines(built["docx"])))
    assert text.replace(" :", ":") == docx_text
