"""Every PDF is PDF/A-3a and PDF/UA-1, and no internal field leaves the office.

The archive's record embeds its sources, the letter that is sent its data as sent, and the
public copy nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import page
import pdfplumber
import pikepdf
import pytest
from pdfplumber.structure import PDFStructElement, PDFStructTree

import letters
from conftest import DEFAULT_LETTER, DIRECT_LINE, NOTES, ROOT, docx_lines, normalise

#: The default letter's sources, in the order they are embedded: its data, then its office file.
SOURCES = [DEFAULT_LETTER, ROOT / "data" / "offices" / "lancashire-pcc.yaml"]


def _library_version(name: str, function: str) -> str:
    """Ask a system library for its version string."""
    found = ctypes.util.find_library(name)
    assert found, f"{name} is not installed"
    call = getattr(ctypes.CDLL(found), function)
    call.restype = ctypes.c_char_p
    return bytes(call()).decode("ascii")


def _versions() -> dict[str, str]:
    """Find the versions of letters, WeasyPrint, Pango and HarfBuzz on this machine."""
    import weasyprint

    return {
        "letters": letters.__version__,
        "WeasyPrint": weasyprint.__version__,
        "Pango": _library_version("pango-1.0", "pango_version_string"),
        "HarfBuzz": _library_version("harfbuzz", "hb_version_string"),
    }


REFERENCE_LISTS = ("frameworks.yaml", "home-secretaries.yaml")
#: The default letter was sent: it builds from its approval's snapshot, the files as they were
#: when it was approved, not from templates/ as comms staff have changed them since.
APPROVAL = ROOT / "approvals" / "letters" / "data" / "lancashire-2020-peel" / "1.json"


def _approved_inputs() -> dict[str, bytes]:
    """Read the default letter's inputs as approved, by path, from the snapshot store."""
    listed = json.loads(APPROVAL.read_text(encoding="utf-8"))["inputs"]
    inputs = {}
    for name, sha in listed.items():
        content = (ROOT / "approvals" / "objects" / sha[:2] / sha[2:]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha, name
        inputs[name] = content
    return inputs


def _inputs_sha256() -> str:
    """Hash the default letter's inputs: its sources, templates/ and the reference lists.

    The reference lists are the report kinds and the Home Secretaries. Each input adds its
    path in the project, a NUL, its own SHA-256 in hex and a newline, in path order. Its
    sources are the working tree's (a change to them would hold the letter); the templates
    and lists are the snapshot's.
    """
    inputs = _approved_inputs()
    sources = [path.relative_to(ROOT).as_posix() for path in SOURCES]
    assert all(inputs[name] == (ROOT / name).read_bytes() for name in sources)
    assert {name for name in inputs if name not in sources} == {
        *(name for name in inputs if name.startswith("templates/")),
        *(f"data/reference/{name}" for name in REFERENCE_LISTS),
    }
    digest = hashlib.sha256()
    for name in sorted(inputs):
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(inputs[name]).hexdigest().encode("ascii") + b"\n")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def record() -> Iterator[pikepdf.Pdf]:
    """Open the archive's record of the default letter, as `letters archive` would file it."""
    from letters.build.build import archive_records
    from letters.build.project import Project

    (filed,) = archive_records(DEFAULT_LETTER, Project(ROOT))
    with pikepdf.open(io.BytesIO(filed.pdf)) as pdf:
        yield pdf


@pytest.fixture(scope="module")
def sent(built: dict[str, Path]) -> Iterator[pikepdf.Pdf]:
    """Open the letter that is sent: build/<name>.pdf."""
    with pikepdf.open(built["pdf"]) as pdf:
        yield pdf


def test_xmp_declares_pdfa_3a_and_pdfua_1_uncompressed(record: pikepdf.Pdf) -> None:
    meta = record.open_metadata()
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == (
        "3",
        "A",
        "1",
    )
    assert (
        meta["dc:title"]
        == "Response to the HMICFRS Integrated PEEL Inspection report for Lancashire Constabulary"
    )
    assert meta["dc:creator"] == ["Clive Grunshaw"] and meta["dc:language"] == {"en-GB"}
    assert "/Filter" not in record.Root.Metadata, "XMP left uncompressed"
    xmp = record.Root.Metadata.read_bytes().decode("utf-8")
    assert (
        "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
        and "<pdfaSchema:prefix>letters</pdfaSchema:prefix>" in xmp
    )


def test_xmp_records_the_provenance(record: pikepdf.Pdf) -> None:
    xmp = record.Root.Metadata.read_bytes().decode("utf-8")
    recorded = dict(re.findall(r"<letters:(\w+)>([^<]*)</letters:\1>", xmp))
    assert recorded == {
        **_versions(),
        "inputsSha256": _inputs_sha256(),
        "copy": "record",
        "status": "sent",
        "approvedBy": "Clive Grunshaw",
        "approvedOn": "2020-03-30",
    }
    assert set(recorded) >= {"letters", "WeasyPrint", "Pango", "HarfBuzz"}


def test_document_catalog_for_accessibility_and_archiving(record: pikepdf.Pdf) -> None:
    root = record.Root
    assert str(root.Lang) == "en-GB"
    assert bool(root.ViewerPreferences.DisplayDocTitle)
    assert bool(root.MarkInfo.Marked) and "/StructTreeRoot" in root
    intent = root.OutputIntents[0]
    assert (str(intent.S), str(intent.OutputConditionIdentifier)) == (
        "/GTS_PDFA1",
        "IEC 61966-2-1 Default RGB Colour Space - sRGB",
    )
    assert "/DestOutputProfile" in intent


def test_every_input_is_embedded_byte_for_byte_by_its_path(record: pikepdf.Pdf) -> None:
    names = [str(spec.F) for spec in record.Root.AF]
    inputs = [name for name in names if name != "letters-record.json"]
    assert names == sorted(names) and len(inputs) == len(names) - 1
    assert [name for name in inputs if not name.startswith("templates/")] == [
        "data/lancashire-2020-peel.yaml",
        "data/offices/lancashire-pcc.yaml",
        "data/reference/frameworks.yaml",
        "data/reference/home-secretaries.yaml",
    ]
    approved = _approved_inputs()  # the templates as the letter was approved with them
    templates = sorted(name for name in approved if name.startswith("templates/"))
    assert "templates/house-style.yaml" in templates
    assert [name for name in inputs if name.startswith("templates/")] == templates
    media = {".yaml": "/application/yaml", ".j2": "/text/plain", ".ttf": "/font/ttf"}
    for spec in record.Root.AF:
        name = str(spec.F)
        stream = spec.EF.F
        assert str(spec.UF) == name
        assert str(stream.Params.CreationDate) == str(stream.Params.ModDate) == "D:20200330000000Z"
        if name == "letters-record.json":
            assert str(spec.AFRelationship) == "/Supplement"
            assert str(stream.Subtype) == "/application/json"
            continue
        assert str(spec.AFRelationship) == "/Source"
        assert stream.read_bytes() == approved[name], name
        suffix = Path(name).suffix
        assert str(stream.Subtype) == media.get(suffix, str(stream.Subtype)), name


def test_the_record_lists_each_input_and_its_sha256(record: pikepdf.Pdf) -> None:
    (spec,) = [spec for spec in record.Root.AF if str(spec.F) == "letters-record.json"]
    listed = json.loads(spec.EF.F.read_bytes())
    assert listed["letter"] == "data/lancashire-2020-peel.yaml" and listed["language"] == "en"
    embedded = {str(s.F): s.EF.F.read_bytes() for s in record.Root.AF}
    del embedded["letters-record.json"]
    assert listed["inputs"] == {
        name: hashlib.sha256(data).hexdigest() for name, data in sorted(embedded.items())
    }


def _tagged_text(path: Path) -> tuple[str, list[PDFStructElement]]:
    """Return the text of the structure tree in its reading order, and its figures."""
    with pdfplumber.open(path) as pdf:
        chars: dict[tuple[int | None, object], list[str]] = {}
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
    assert text == normalise(
        " ".join(line.removeprefix("- ") for line in docx_lines(built["docx"]))
    )
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


def test_the_sent_letter_embeds_its_data_without_notes_or_comments(
    sent: pikepdf.Pdf, draft_built: dict[str, Path]
) -> None:
    assert [str(spec.F) for spec in sent.Root.AF] == ["lancashire-2020-peel.yaml"]
    spec = sent.Root.AF[0]
    assert str(spec.AFRelationship) == "/Data"
    data = spec.EF.F.read_bytes().decode("utf-8")
    assert "\nrecipient:\n  honorific: Rt Hon\n  name: Priti Patel\n" in data
    assert "please_ask_for: Clive Grunshaw" in data
    assert "#" not in data, "no YAML comment of the sources is carried"
    assert "<letters:copy>sent</letters:copy>" in sent.Root.Metadata.read_bytes().decode()
    with pikepdf.open(draft_built["pdf"]) as draft:
        embedded = draft.Root.AF[0].EF.F.read_bytes().decode("utf-8")
    assert NOTES not in embedded and "notes:" not in embedded
    assert f"direct_line: {DIRECT_LINE}" in embedded, "the recipients may see the direct line"


@pytest.mark.parametrize("profile", ["3a", "ua1"])
def test_an_independent_validator_passes_the_archives_record(
    record: pikepdf.Pdf, tmp_path: Path, profile: str
) -> None:
    path = tmp_path / "record.pdf"
    record.save(path, static_id=True, deterministic_id=False)
    report = page.validate_pdf(str(path), profile=profile)
    assert report.failures == [] and report.is_compliant, report.to_json()


def test_the_public_copy_embeds_nothing(built: dict[str, Path]) -> None:
    with pikepdf.open(built["public-pdf"]) as public:
        assert "/AF" not in public.Root and "/Names" not in public.Root
        assert len(public.attachments) == 0
        assert "<letters:copy>public</letters:copy>" in public.Root.Metadata.read_bytes().decode()


def test_internal_fields_stay_out_of_the_public_copy(draft_built: dict[str, Path]) -> None:
    record_docx = " ".join(docx_lines(draft_built["docx"]))
    with pdfplumber.open(draft_built["pdf"]) as pdf:
        record_pdf = pdf.pages[0].extract_text()
    assert f"Direct line: {DIRECT_LINE}" in record_docx and DIRECT_LINE in record_pdf
    with pdfplumber.open(draft_built["public-pdf"]) as pdf:
        public_pdf = " ".join(p.extract_text() for p in pdf.pages)
    html = draft_built["html"].read_text(encoding="utf-8")
    for public in (public_pdf, html):
        assert DIRECT_LINE not in public and "Direct line" not in public
    for any_copy in (
        record_docx,
        record_pdf,
        public_pdf,
        html,
        draft_built["docx"].read_bytes().decode("latin-1"),
    ):
        assert NOTES not in any_copy, "notes are never printed"


def _reddish_pixels(path: Path) -> list[int]:
    """Count, page by page, the pixels of the faint red DRAFT mark."""
    import pypdfium2

    counts = []
    document = pypdfium2.PdfDocument(str(path))
    try:
        for pdf_page in document:
            data = pdf_page.render(scale=0.6).to_pil().convert("RGB").tobytes()
            counts.append(
                sum(
                    1
                    for r, g, b in zip(data[0::3], data[1::3], data[2::3], strict=True)
                    if r > 235 and r - g > 12 and abs(g - b) < 8
                )
            )
    finally:
        document.close()
    return counts


def test_a_draft_is_marked_on_every_page_and_a_sent_letter_is_not(
    built: dict[str, Path], draft_built: dict[str, Path]
) -> None:
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
    with pikepdf.open(draft_built["pdf"]) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode()
    assert "<letters:marking>OFFICIAL</letters:marking>" in xmp
    document = docx.Document(str(draft_built["docx"]))
    assert document.sections[0].header.paragraphs[0].text == "OFFICIAL"
    assert (
        document.core_properties.category == "OFFICIAL"
        and document.core_properties.content_status == "draft"
    )


def test_docx_core_properties_record_the_provenance(built: dict[str, Path]) -> None:
    import docx

    props = docx.Document(str(built["docx"])).core_properties
    versions = _versions()
    assert props.version == versions["letters"]
    assert props.content_status == "sent (approved by Clive Grunshaw on 2020-03-30)"
    assert props.identifier == "sha256:" + _inputs_sha256()
    assert (
        f"WeasyPrint {versions['WeasyPrint']}; Pango {versions['Pango']}; HarfBuzz"
        f" {versions['HarfBuzz']}" in props.comments
    )
    assert props.created == props.modified == dt.datetime(2020, 3, 30, tzinfo=dt.UTC)
    with zipfile.ZipFile(io.BytesIO(built["docx"].read_bytes())) as package:
        assert {info.date_time for info in package.infolist()} == {(2020, 3, 30, 0, 0, 0)}
