"""Signatures: an image with alt text in the copies sent, never in the public ones.

Any number of signatories, each with name and title, sign in every format.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import docx
import page
import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import DEFAULT_LETTER, copy_project, draw_signature, output_texts
from letters.build.build import build_letter
from letters.build.project import Project
from letters.cli import main

ALT = "Signature of Clive Grunshaw"


def _signed(tmp_path: Path, change: Any = None) -> Path:
    """Copy the project with a signature for the office's signatory; return the letter."""

    def sign(tree: dict[str, Any]) -> None:
        if change:
            change(tree)

    data = copy_project(tmp_path, DEFAULT_LETTER, sign)
    draw_signature(tmp_path / "data" / "offices" / "signatures" / "clive-grunshaw.png")
    office = tmp_path / "data" / "offices" / "lancashire-pcc.yaml"
    text = office.read_text(encoding="utf-8")
    text = re.sub(
        r"(signatory:\n(?:  .*\n)*?  title: .*\n)",
        r"\1  signature:\n    file: offices/signatures/clive-grunshaw.png\n"
        f"    alt: {ALT}\n",
        text,
        count=1,
    )
    assert "signature:" in text
    office.write_text(text, encoding="utf-8")
    return data


def _pdf_images(path: Path) -> int:
    """Count the raster images a PDF holds (the letterhead is vector), each once."""
    with pikepdf.open(path) as pdf:
        return len({image.objgen for page in pdf.pages for image in page.get_images().values()})


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("signed")
    data = _signed(root)
    built = build_letter(data, root / "out", project=Project(root))
    return {path.name.split(".", 1)[1]: path for path in built.paths}


@pytest.mark.parametrize("profile", ["3a", "ua1"])
def test_an_independent_validator_passes_the_signed_pdf(
    signed: dict[str, Path], profile: str
) -> None:
    report = page.validate_pdf(str(signed["pdf"]), profile=profile)
    assert report.failures == [] and report.is_compliant, report.to_json()


def test_the_signature_is_in_the_docx_with_its_alt_text(signed: dict[str, Path]) -> None:
    document = docx.Document(str(signed["docx"]))
    described = [
        element.get("descr")
        for element in document.element.body.iter()
        if element.tag.endswith("}docPr")
    ]
    assert ALT in described


def test_the_signature_is_in_the_sent_pdf_and_not_in_the_public_copies(
    signed: dict[str, Path],
) -> None:
    assert _pdf_images(signed["pdf"]) == 1
    assert _pdf_images(signed["public.pdf"]) == 0
    html = signed["html"].read_text(encoding="utf-8")
    assert 'class="signed"' not in html and ALT not in html
    assert '<div class="signer to-sign"><p class="signatory">Clive Grunshaw</p>' in html


def test_two_signatories_sign_in_every_format(tmp_path: Path) -> None:
    def two(tree: dict[str, Any]) -> None:
        tree["signatories"] = [
            {"name": "Clive Grunshaw", "title": "Police and Crime Commissioner for Lancashire"},
            {"name": "Andy Rhodes", "title": "Chief Constable of Lancashire Constabulary"},
        ]

    data = copy_project(tmp_path, DEFAULT_LETTER, two)
    built = build_letter(data, tmp_path / "out", ("docx", "pdf", "html"), Project(tmp_path))
    for fmt, text in output_texts(list(built.paths)).items():
        assert (
            "Yours sincerely Clive Grunshaw Police and Crime Commissioner for Lancashire Andy"
            " Rhodes Chief Constable of Lancashire Constabulary"
        ) in text, fmt


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("../../etc/hostname", "'../../etc/hostname' lies outside data/; keep signatures there"),
        ("offices/lancashire-pcc.yaml", "data/offices/lancashire-pcc.yaml is not a PNG image"),
        ("offices/none.png", "no image at data/offices/none.png (give its path under data/)"),
    ],
    ids=["outside", "not a png", "missing"],
)
def test_a_signature_must_be_a_png_under_data(tmp_path: Path, file: str, message: str) -> None:
    data = _signed(tmp_path)
    office = tmp_path / "data" / "offices" / "lancashire-pcc.yaml"
    text = office.read_text(encoding="utf-8")
    office.write_text(text.replace("offices/signatures/clive-grunshaw.png", file))
    result = CliRunner().invoke(main, ["check", str(data)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f": office.signatory.signature.file: {message}" in result.output


@pytest.mark.parametrize(
    ("mode", "size", "message"),
    [
        ("L", (5000, 10), "is 5000 x 10 pixels; a signature image is at most 4000 pixels a side"),
        # WeasyPrint would print it as a black box
        ("I;16", (600, 200), "has 16 bits a channel; save the signature as an 8-bit PNG"),
    ],
    ids=["too large", "16 bits"],
)
def test_a_signature_image_it_cannot_print_well_is_refused(
    tmp_path: Path, mode: str, size: tuple[int, int], message: str
) -> None:
    data = _signed(tmp_path)
    image = tmp_path / "data" / "offices" / "signatures" / "clive-grunshaw.png"
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    image.write_bytes(buffer.getvalue())
    result = CliRunner().invoke(main, ["check", str(data)])
    assert result.exit_code == 1
    assert (
        ": office.signatory.signature.file: data/offices/signatures/clive-grunshaw.png " + message
    ) in result.output


def test_a_screen_reader_hears_the_signature_s_alt_text_in_its_place(
    signed: dict[str, Path],
) -> None:
    from screen_reader import read, spoken

    said = spoken(read(signed["pdf"]))
    closing = said.index("Yours sincerely")
    assert said[closing + 1 : closing + 3] == [f"[image: {ALT}]", "Clive Grunshaw"]
