"""The DOCX, laid out by LibreOffice, falls on the same pages as the PDF (slow)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import normalise, pdf_pages, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def docx_as_pdf(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice is needed for the layout test: run scripts/system-deps.sh test")
    out = tmp_path_factory.mktemp("libreoffice")
    profile = tmp_path_factory.mktemp("lo-profile")
    run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(built["docx"]),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return out / (built["docx"].stem + ".pdf")


def test_same_number_of_pages(built: dict[str, Path], docx_as_pdf: Path) -> None:
    assert len(pdf_pages(docx_as_pdf)) == len(pdf_pages(built["pdf"])) == 3


def test_each_page_starts_and_ends_with_the_same_text(
    built: dict[str, Path], docx_as_pdf: Path
) -> None:
    for ours, theirs in zip(pdf_pages(built["pdf"]), pdf_pages(docx_as_pdf), strict=True):
        ours_words, theirs_words = (
            normalise(ours).replace("•", "").split(),
            normalise(theirs).replace("•", "").split(),
        )
        assert ours_words[:6] == theirs_words[:6]
        assert ours_words[-4:] == theirs_words[-4:], "same footer with the same page number"


def test_page_numbers_are_live_fields(docx_as_pdf: Path) -> None:
    pages = pdf_pages(docx_as_pdf)
    for number, page in enumerate(pages, start=1):
        assert normalise(page).endswith(f"Page {number} of {len(pages)}")
