"""What the PDF renderer does once for several PDFs: the files are the same.

An SVG image of shapes (the DRAFT mark, the letterhead) is drawn once; the public copy's PDF
is made from the objects WeasyPrint made for the copy sent, less its attachments.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import DEFAULT_LETTER, run
from letters.build.build import build_letter
from letters.build.output import FORMATS
from letters.build.project import Project
from letters.render import pdf as pdf_renderer
from letters.render.pdf import _svg_of_shapes

#: Run in a fresh interpreter: render two drafts' PDFs (of one office, whose words differ)
#: one after the other; with "plain", WeasyPrint draws every SVG image itself. Print each
#: PDF's digest, and how many SVG images WeasyPrint itself drew for the second.
RENDER_TWO = """
import hashlib, json, sys
from pathlib import Path
import letters.render.pdf as pdf
from letters.build.build import compose
from letters.build.project import Project
from letters.render.internals import SVG

if sys.argv[1] == "plain":
    pdf._draw_svg_images_once = lambda: None
project = Project(Path(sys.argv[2]))
digests, drawn = [], []

def counting(real):
    def draw(*args):
        drawn.append(args)
        return real(*args)
    return draw

for index, name in enumerate(sys.argv[3:]):
    if index == 1 and sys.argv[1] == "plain":
        SVG.draw = counting(SVG.draw)
    elif index == 1:
        kept = SVG.__dict__["draw"]
        kept.draw = counting(kept.draw)
    document = compose(Path(name), project)
    digests.append(hashlib.sha256(pdf.render_pdf(document, project.style).data).hexdigest())
print(json.dumps({"digests": digests, "drawn for the second": len(drawn)}))
"""


def test_a_second_draft_s_mark_and_letterhead_are_written_again_and_its_pdf_is_the_same(
    scratch: Path,
) -> None:
    first = scratch / "data" / DEFAULT_LETTER.name
    second = scratch / "data" / "second.yaml"
    text = first.read_text(encoding="utf-8")
    assert "problem-solving activity." in text
    second.write_text(text.replace("problem-solving activity.", "problem-solving work."))
    found = {}
    for mode in ("plain", "kept"):
        done = run(
            [sys.executable, "-c", RENDER_TWO, mode, str(scratch), str(first), str(second)],
            capture_output=True,
            text=True,
            check=True,
            cwd=scratch,
        )
        found[mode] = json.loads(done.stdout)
    assert found["kept"]["digests"] == found["plain"]["digests"]
    assert found["kept"]["digests"][0] != found["kept"]["digests"][1]
    # WeasyPrint draws the DRAFT mark on each of its three pages and the letterhead itself,
    # or, kept from the first letter, none of them
    assert found["plain"]["drawn for the second"] == 4
    assert found["kept"]["drawn for the second"] == 0


def _data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def test_only_an_svg_image_of_shapes_given_whole_is_kept() -> None:
    start = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    assert _svg_of_shapes(_data_url(f'{start}<g><path d="M0 0L9 9Z"/><rect/></g></svg>'))
    # text would use fonts; an image or a link reaches outside the drawing
    assert not _svg_of_shapes(_data_url(f"{start}<text>DRAFT</text></svg>"))
    assert not _svg_of_shapes(_data_url(f'{start}<image href="x.png"/></svg>'))
    linked = f'{start[:-1]} xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="#a"/>'
    assert not _svg_of_shapes(_data_url(f"{linked}</svg>"))
    assert not _svg_of_shapes(_data_url(f'{start}<path d="M0 0" href="#a"/></svg>'))
    assert not _svg_of_shapes("data:image/svg+xml," + start + "</svg>")
    assert not _svg_of_shapes("file:///templates/logo.svg")


def test_a_public_pdf_made_from_the_sent_one_s_objects_is_the_one_weasyprint_writes(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # drafts (the DRAFT mark), links, tables with header cells, two languages
    letters = [
        scratch / "data" / DEFAULT_LETTER.name,
        scratch / "data" / "examples" / "durham-2023-peel.yaml",
        scratch / "data" / "examples" / "dyfed-powys-2025-peel-bilingual.yaml",
    ]
    project = Project(scratch)
    derived: list[bool] = []
    write = pdf_renderer._Derived.write

    def noted(self: Any, finish: Any) -> bytes | None:
        made = write(self, finish)
        derived.append(made is not None)
        return made

    monkeypatch.setattr(pdf_renderer._Derived, "write", noted)
    for letter in letters:
        build_letter(letter, scratch / "derived", FORMATS, project)
    assert derived == [True, True, True, True]  # the public PDF of each, in each language
    monkeypatch.setattr(pdf_renderer._Deriving, "derived", lambda self, warnings: None)
    for letter in letters:
        build_letter(letter, scratch / "written", FORMATS, project)
    made = {path.name: path.read_bytes() for path in (scratch / "derived").iterdir()}
    assert sorted(name for name in made if name.endswith(".public.pdf")) == [
        "durham-2023-peel.public.pdf",
        "dyfed-powys-2025-peel-bilingual.cy.public.pdf",
        "dyfed-powys-2025-peel-bilingual.en.public.pdf",
        "lancashire-2020-peel.public.pdf",
    ]
    assert made == {path.name: path.read_bytes() for path in (scratch / "written").iterdir()}
