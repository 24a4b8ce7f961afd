"""Fixtures: the project, the default letter built once per session, and readers for its outputs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pypdf
import pytest

from letters.build import build_letter
from letters.project import Project

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LETTER = ROOT / "data" / "lancashire-2020-peel.yaml"
#: The reference letter (a copy of shared/seeds/000_d979ef4020952df4.txt).
SEED = Path(__file__).resolve().parent / "data" / "seed-lancashire-2020.txt"


def normalise(text: str) -> str:
    """Collapse runs of whitespace, as the comparisons with the seed allow."""
    return " ".join(text.split())


def docx_lines(path: Path) -> list[str]:
    """The DOCX body as a reader sees it: one line per non-empty paragraph, table cells in order, bullets as '- '."""
    document = docx.Document(str(path))
    lines: list[str] = []

    def add(paragraph: docx.text.paragraph.Paragraph) -> None:
        text = normalise(paragraph.text)
        if text:
            lines.append(("- " if paragraph.style.name == "List Bullet" else "") + text)

    for item in document.iter_inner_content():
        if isinstance(item, docx.table.Table):
            for row in item.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        add(paragraph)
        else:
            add(item)
    return lines


def pdf_pages(path: Path) -> list[str]:
    """Each PDF page's text, as extracted by pypdf."""
    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]


def seed_lines() -> list[str]:
    """The reference letter's non-empty lines, whitespace normalised."""
    return [normalise(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, project: Project) -> dict[str, Path]:
    """The default letter in every format, built once for the whole session."""
    out = tmp_path_factory.mktemp("build")
    result = build_letter(DEFAULT_LETTER, out, project=project)
    assert result.warnings == ()
    return {_format_of(path, DEFAULT_LETTER.stem): path for path in result.paths}


def _format_of(path: Path, stem: str) -> str:
    """'docx', 'pdf', 'html' or 'public-pdf' from an output's name."""
    return path.name.removeprefix(stem + ".").replace(".", "-")


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the project's data and templates to change freely."""
    for folder in ("data", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def edit_yaml(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a data file's text, failing loudly if it is absent."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PAGE_FOOTER = re.compile(r"Office of the Police and Crime Commissioner for Lancashire, County Hall, Preston, PR1 0LD\s*Page \d+ of \d+")


#: Internal facts the draft variant holds, which the public copy must never show.
NOTES = "Check the savings figure with the CFO before sending."
DIRECT_LINE = "01772 000111"


@pytest.fixture(scope="session")
def draft_built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default letter as an OFFICIAL draft with internal notes and a private direct line, built once."""
    root = tmp_path_factory.mktemp("draft-project")
    for folder in ("data", "templates"):
        shutil.copytree(ROOT / folder, root / folder)
    data = root / "data" / DEFAULT_LETTER.name
    edit_yaml(data, "status:\n  state: sent\n  approved_by: Clive Grunshaw\n  approved_on: 2020-03-30\n  sent_on: 2020-03-30\n",
              f"status:\n  state: draft\nmarking: OFFICIAL\nnotes: {NOTES}\n")
    edit_yaml(root / "data" / "offices" / "lancashire-pcc.yaml", "  email: commissioner@lancashire-pcc.gov.uk\n",
              f"  email: commissioner@lancashire-pcc.gov.uk\n  direct_line: {DIRECT_LINE}\n")
    result = build_letter(data, root / "build", project=Project(root))
    return {**{_format_of(path, data.stem): path for path in result.paths}, "data": data}
