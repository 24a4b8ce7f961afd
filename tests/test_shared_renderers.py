"""Projects alike share what the renderers make: an approved letter builds in a project of its own.

Each approved or sent letter builds from its snapshot, written out as a project of its own;
in one process (a batch's worker), those whose house style and fonts are the same share the
Word styles, the font configuration and the parsed house CSS, and their files are the same.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import DEFAULT_LETTER, edit_yaml
from letters.build.build import compose
from letters.build.project import Project
from letters.render import docx as docx_renderer
from letters.render import internals
from letters.render import pdf as pdf_renderer
from letters.render.engine import import_weasyprint


def _twins(tmp_path: Path) -> list[Path]:
    """Copy the project twice, as two snapshots of it are written out; return the letters."""
    letters = []
    for name in ("one", "two"):
        root = tmp_path / name
        for folder in ("data", "templates"):
            shutil.copytree(DEFAULT_LETTER.parents[1] / folder, root / folder)
        letters.append(root / "data" / DEFAULT_LETTER.name)
    return letters


def _counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[object]:
    calls: list[object] = []
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_projects_with_the_same_house_style_share_the_word_styles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = _twins(tmp_path)
    made = _counting(monkeypatch, docx_renderer, "_styled_base")
    monkeypatch.setattr(docx_renderer, "_BASES", type(docx_renderer._BASES)())
    files = []
    for letter in (one, two):
        project = Project(letter.parents[1])
        files.append(docx_renderer.render_docx(compose(letter, project), project.style))
    assert len(made) == 1
    assert files[0] == files[1]
    # a house style that says otherwise has Word styles of its own
    edit_yaml(two.parents[1] / "templates" / "house-style.yaml", "size: 11pt", "size: 12pt")
    project = Project(two.parents[1])
    docx_renderer.render_docx(compose(two, project), project.style)
    assert len(made) == 2


def test_projects_with_the_same_fonts_share_their_configuration_and_house_css(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = _twins(tmp_path)
    weasyprint = import_weasyprint()
    first = Project(one.parents[1])
    pdfs = [pdf_renderer.render_pdf(compose(one, first), first.style).data]
    configured = _counting(monkeypatch, internals, "FontConfiguration")
    parsed = _counting(monkeypatch, weasyprint, "CSS")
    second = Project(two.parents[1])
    pdfs.append(pdf_renderer.render_pdf(compose(two, second), second.style).data)
    assert (configured, parsed) == ([], [])
    assert pdfs[0] == pdfs[1]


def test_house_css_naming_a_file_is_parsed_for_each_project() -> None:
    data = 'url("data:image/svg+xml;base64,PHN2Zy8+")'
    assert pdf_renderer._sheet_key(f"@page {{ background: {data} }}", "file:///a/") == (
        f"@page {{ background: {data} }}"
    )
    for css in (
        "p { background: url(mark.png) }",
        'p { background: URL("mark.png") }',
        "p { background: \\75 rl(mark.png) }",
        '@import "more.css";',
        'p { background-image: image-set("mark.png" 1x) }',
        '@font-face { font-family: x; src: url("x.ttf") }',
    ):
        assert pdf_renderer._sheet_key(css, "file:///a/") == ("file:///a/", css), css
