"""The record PDF is PDF/A-3a and PDF/UA-1 with its sources inside; the public copy holds nothing internal."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import page
import pdfplumber
import pikepdf
import pytest
from pdfplumber.structure import PDFStructElement, PDFStructTree

from conftest import DEFAULT_LETTER, DIRECT_LINE, NOTES, ROOT, docx_lines, normalise
from letters.project import Project
from letters.provenance import inputs_digest, tool_versions
from letters.validate import load_letter


@pytest.fixture(scope="module")
def record(built: dict[str, Path]) -> pikepdf.Pdf:
    return pikepdf.open(built["pdf"])


def test_xmp_declares_pdfa_3a_and_pdfua_1_uncompressed(record: pikepdf.Pdf) -> None:
    meta = record.open_metadata()
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == ("3", "A", "1")
    assert meta["dc:title"] == "Response to the HMICFRS Integrated PEEL Inspection report for Lancashire Constabulary"
    assert meta["dc:creator"] == ["Clive Grunshaw"] and meta["dc:language"] == {"en-GB"}
    assert "/Filter" not in record.Root.Metadata, "XMP left uncompressed"
    xmp = record.Root.Metadata.read_bytes().decode("utf-8")
    assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp and "<pdfaSchema:prefix>letters</pdfaSchema:prefix>" in xmp


def test_xmp_records_the_provenance(record: pikepdf.Pdf, project: Project) -> None:
    xmp = record.Root.Metadata.read_bytes().decode("utf-8")
    recorded = dict(re.findall(r"<letters:(\w+)>([^<]*)</letters:\1>", xmp))
    sources = load_letter(DEFAULT_LETTER, ROOT).source.files
    assert recorded == {
        **dict(tool_versions()),
        "inputsSha256": inputs_digest([*sources, *project.template_files], ROOT),
        "copy": "record", "status": "sent", "approvedBy": "Clive Grunshaw", "approvedOn": "2020-03-30",
    }
    assert set(recorded) >= {"letters", "WeasyPrint", "Pango", "HarfBuzz"}


def test_document_catalog_for_accessibility_and_archiving(record: pikepdf.Pdf) -> None:
    root = record.Root
    assert str(root.Lang) == "en-GB"
    assert bool(root.ViewerPreferences.DisplayDocTitle)
    assert bool(root.MarkInfo.Marked) and "/StructTreeRoot" in root
    intent = root.OutputIntents[0]
    assert (str(intent.S), str(intent.OutputConditionIdentifier)) == ("/GTS_PDFA1", "IEC 61966-2-1 Default RGB Colour Space - sRGB")
    assert "/DestOutputProfile" in intent


def test_the_sources_are_embedded_byte_for_byte(record: pikepdf.Pdf) -> None:
    files = load_letter(DEFAULT_LETTER, ROOT).source.files
    assert [str(spec.F) for spec in record.Root.AF] == [path.name for path in files]
    for spec, path in zip(record.Root.AF, files, strict=True):
        assert str(spec.AFRelationship) == "/Source"
        stream = spec.EF.F
        assert stream.read_bytes() == path.read_bytes()
        assert str(stream.Subtype) == "/application/yaml"
        assert str(stream.Params.CreationDate) == str(stream.Params.ModDate) == "D:20200330000000Z"


def _tagged_text(path: Path) -> tuple[str, list[PDFStructElement]]:
    """The text of the structure tree in its reading order, and its figures."""
    with pdfplumber.open(path) as pdf:
        chars = {}
        for number, pdf_page in enumerate(pdf.pages, start=1):
            for char in pdf_page.chars:
                chars.setdefault((number, char.get("mcid")), []).append(char["text"])
        pieces: list[str] = []
        figures: list[PDFStructElement] = []

        def walk(element: PDFStructElement) -> None:
            if element.type == "Figure":
                figures.append(element)
            for mcid in element.mcids or []:
                pieces.append("".join(chars.get((element.page_number, mcid), [])))
            for child in element.children:
                walk(child)

        for element in PDFStructTree(pdf):
            walk(element)
    return normalise(" ".join(pieces).replace("•", "")), figures


def test_tagged_reading_order_gives_the_docx_text(built: dict[str, Path]) -> None:
    text, figures = _tagged_text(built["pdf"])
    assert text == normalise(" ".join(line.removeprefix("- ") for line in docx_lines(built["docx"])))
    assert [figure.alt_text for figure in figures] == ["Lancashire Police and Crime Commissioner"]


def test_page_furniture_is_not_in_the_structure(built: dict[str, Path]) -> None:
    text, _ = _tagged_text(built["pdf"])
    assert "Page 1 of 3" not in text and "County Hall" not in text


@pytest.mark.parametrize("fmt", ["pdf", "public-pdf"])
@pytest.mark.parametrize("profile", ["3a", "ua1"])
def test_an_independent_validator_passes_it(built: dict[str, Path], fmt: str, profile: str) -> None:
    report = page.validate_pdf(str(built[fmt]), profile=profile)
    assert report.failures == [] and report.is_compliant, report.to_json()
    assert report.rules.failed == 0 and report.rules.passed == report.rules.total > 100


def test_the_public_copy_embeds_nothing(built: dict[str, Path]) -> None:
    public = pikepdf.open(built["public-pdf"])
    assert "/AF" not in public.Root and "/Names" not in public.Root and len(public.attachments) == 0
    assert "<letters:copy>public</letters:copy>" in public.Root.Metadata.read_bytes().decode()


def test_internal_fields_stay_out_of_the_public_copy(draft_built: dict[str, Path]) -> None:
    record_docx = " ".join(docx_lines(draft_built["docx"]))
    record_pdf = pdfplumber.open(draft_built["pdf"]).pages[0].extract_text()
    assert f"Direct line: {DIRECT_LINE}" in record_docx and DIRECT_LINE in record_pdf
    public_pdf = " ".join(p.extract_text() for p in pdfplumber.open(draft_built["public-pdf"]).pages)
    html = draft_built["html"].read_text(encoding="utf-8")
    for public in (public_pdf, html):
        assert DIRECT_LINE not in public and "Direct line" not in public
    for any_copy in (record_docx, record_pdf, public_pdf, html, draft_built["docx"].read_bytes().decode("latin-1")):
        assert NOTES not in any_copy, "notes are never printed"


def _reddish_pixels(path: Path) -> list[int]:
    """Count, page by page, the pixels of the faint red DRAFT mark."""
    import pypdfium2

    counts = []
    for pdf_page in pypdfium2.PdfDocument(str(path)):
        data = pdf_page.render(scale=0.6).to_pil().convert("RGB").tobytes()
        counts.append(sum(1 for r, g, b in zip(data[0::3], data[1::3], data[2::3], strict=True) if r > 235 and r - g > 12 and abs(g - b) < 8))
    return counts


def test_a_draft_is_marked_on_every_page_and_a_sent_letter_is_not(built: dict[str, Path], draft_built: dict[str, Path]) -> None:
    assert all(count > 2000 for count in _reddish_pixels(draft_built["pdf"]))
    assert all(count > 2000 for count in _reddish_pixels(draft_built["public-pdf"]))
    assert _reddish_pixels(built["pdf"]) == [0, 0, 0]
    with zipfile.ZipFile(draft_built["docx"]) as package:
        header = next(package.read(n) for n in package.namelist() if n.startswith("word/header"))
    assert b'string="DRAFT"' in header


def test_a_marking_heads_every_page_and_the_metadata(draft_built: dict[str, Path]) -> None:
    import docx

    with pdfplumber.open(draft_built["pdf"]) as pdf:
        assert all((p.extract_text() or "").startswith("OFFICIAL") for p in pdf.pages)
    assert "<letters:marking>OFFICIAL</letters:marking>" in pikepdf.open(draft_built["pdf"]).Root.Metadata.read_bytes().decode()
    document = docx.Document(str(draft_built["docx"]))
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL"
    assert document.core_properties.category == "OFFICIAL" and document.core_properties.content_status == "draft"


def test_docx_core_properties_record_the_provenance(built: dict[str, Path], project: Project) -> None:
    import docx

    props = docx.Document(str(built["docx"])).core_properties
    versions = dict(tool_versions())
    assert props.version == versions["letters"]
    assert props.content_status == "sent (approved by Clive Grunshaw on 2020-03-30)"
    sources = load_letter(DEFAULT_LETTER, ROOT).source.files
    assert props.identifier == "sha256:" + inputs_digest([*sources, *project.template_files], ROOT)
    assert f"WeasyPrint {versions['WeasyPrint']}; Pango {versions['Pango']}; HarfBuzz {versions['HarfBuzz']}" in props.comments
    assert props.created == props.modified == dt.datetime(2020, 3, 30, tzinfo=dt.UTC)
    with zipfile.ZipFile(io.BytesIO(built["docx"].read_bytes())) as package:
        assert {info.date_time for info in package.infolist()} == {(2020, 3, 30, 0, 0, 0)}
