"""Every example letter under data/examples builds in every format and passes its checks.

Each says what it is modelled on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, docx_lines, normalise, pdf_pages
from letters.build.build import compose
from letters.build.prepare import prepare
from letters.build.project import Project
from letters.build.snapshot import frozen
from letters.compose.document import text_lines


def test_there_is_an_example_of_each_kind() -> None:
    kinds = set()
    layouts = set()
    for path in EXAMPLES:
        letter = prepare(path, Project(ROOT)).loaded.letter
        kinds.add(letter.report.kind)
        layouts.add(letter.layout)
    assert {"peel-2021", "peel-2023", "thematic", "spotlight", "joint"} <= kinds
    assert layouts == {"letter", "statement"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_passes_its_checks(path: Path) -> None:
    examined = prepare(path, Project(ROOT))
    assert [f for f in examined.results if f.severity != "note"] == []
    assert any("section 55 deadline met" in f.message for f in examined.results)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_says_what_it_is_modelled_on(path: Path) -> None:
    header = " ".join(
        line.lstrip("# ")
        for line in path.read_text(encoding="utf-8").splitlines()[:12]
        if line.startswith("#")
    )
    assert re.search(r"Modelled on .*https://", header) or "invented for this example" in header
    assert "invented" in header, "say which facts are invented"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_reads_the_same_in_docx_and_pdf(
    path: Path, examples_built: dict[str, dict[str, Path]]
) -> None:
    files = examples_built[path.stem]
    languages = prepare(path, Project(ROOT)).loaded.letter.languages
    pdfs = ["pdf"] if len(languages) == 1 else [f"{language}-pdf" for language in languages]
    assert set(files) == {
        "docx",
        "html",
        *pdfs,
        *(name.replace("pdf", "public-pdf") for name in pdfs),
    }
    # an approved or sent example builds from its snapshot: read what that makes
    approved = frozen(path, ROOT)
    document = (
        compose(approved.data_path, Project(approved.root))
        if approved
        else compose(path, Project(ROOT))
    )
    expected = [normalise(line) for line in text_lines(document, bullet="- ") if normalise(line)]
    assert docx_lines(files["docx"]) == expected
    pdf_text = _joined(" ".join(page for name in pdfs for page in pdf_pages(files[name])))
    position = 0
    for line in (_joined(line.removeprefix("- ")) for line in expected):
        found = pdf_text.find(line, position)
        assert found >= 0, f"not in order in the PDF: {line!r}"
        position = found + len(line)


def _joined(text: str) -> str:
    """Whitespace normalised, with words broken at a hyphen across lines joined again."""
    return re.sub(r"-\s+", "-", normalise(text))


def test_a_thematic_response_answers_each_recommendation_in_its_own_paragraph(
    examples_built: dict[str, dict[str, Path]],
) -> None:
    lines = docx_lines(examples_built["west-mercia-2023-youth-violence"]["docx"])
    responses = [line for line in lines if line.startswith("Response:")]
    assert len(responses) == 4
    assert (
        "The report makes four recommendations, two of which are for chief constables."
        in " ".join(lines)
    )


def test_causes_of_concern_come_with_their_recommendations(
    examples_built: dict[str, dict[str, Path]],
) -> None:
    lines = docx_lines(examples_built["staffordshire-2022-peel"]["docx"])
    assert lines.index("Cause of concern 1") < lines.index(
        next(
            line for line in lines if line.startswith("Recommendation 1 (to Staffordshire Police):")
        )
    )
    assert lines.index("Cause of concern 2") < lines.index(
        next(line for line in lines if line.startswith("Recommendation 4 "))
    )
    assert (
        "The inspectors raised two causes of concern. I set out below the response to each of their"
        " recommendations." in lines
    )
    assert "Comments of the Chief Constable of Staffordshire Police" in lines
    assert not any(line.startswith("Dear ") or line == "Yours sincerely" for line in lines), (
        "a statement has no letter furniture"
    )


def test_the_grade_sentence_leaves_out_ungraded_areas(
    examples_built: dict[str, dict[str, Path]],
) -> None:
    text = " ".join(docx_lines(examples_built["durham-2023-peel"]["docx"]))
    assert (
        "The inspectors graded Durham Constabulary 'outstanding' at serious and organised"
        " crime; 'good' at recording data about crime and preventing crime;"
        " 'adequate' at police powers and public treatment, investigating crime, managing"
        " offenders, developing a positive workplace, and leadership and force management;"
        " and 'requires improvement' at responding to the public and protecting vulnerable"
        " people."
        " They also inspected providing a service to victims of crime, which is not graded."
    ) in text
