"""New grades, target grade or areas for improvement change exactly the derived sentences."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, edit_yaml
from letters.build.build import compose
from letters.build.project import Project
from letters.compose.document import text_lines

ASPIRATION_START = (
    "Looking ahead, I am keen to strengthen Lancashire's position and I share the Chief Constable's"
    " aspiration to build on the achievements of this inspection and "
)


def _lines(root: Path) -> list[str]:
    return text_lines(compose(root / "data" / DEFAULT_LETTER.name, Project(root)))


def _changes(before: list[str], after: list[str]) -> tuple[list[str], list[str]]:
    """Lines removed and lines added between two versions of a letter."""
    removed, added = [], []
    for line in difflib.ndiff(before, after):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.fixture(scope="module")
def original(project: Project) -> list[str]:
    return text_lines(compose(DEFAULT_LETTER, project))


def _set_grades(data: Path, effectiveness: str, efficiency: str, legitimacy: str) -> None:
    edit_yaml(
        data,
        "    effectiveness: good\n    efficiency: outstanding\n    legitimacy: good\n",
        f"    effectiveness: {effectiveness}\n"
        f"    efficiency: {efficiency}\n"
        f"    legitimacy: {legitimacy}\n",
    )


@pytest.mark.parametrize(
    ("grades", "target", "awarded", "aspiration"),
    [
        (
            ("good", "good", "good"),
            "outstanding",
            "'good' in the pillars of effectiveness, efficiency and legitimacy",
            "move from a 'good' to 'outstanding' in the pillars of effectiveness, efficiency and"
            " legitimacy.",
        ),
        (
            ("requires improvement", "good", "inadequate"),
            "good",
            "'good' in the pillar of efficiency, 'requires improvement' in the pillar of"
            " effectiveness and 'inadequate' in the pillar of legitimacy",
            "move from a 'requires improvement' to 'good' in the pillar of effectiveness and from"
            " an 'inadequate' to 'good' in the pillar of legitimacy"
            " whilst maintaining the grade in efficiency.",
        ),
        (
            ("outstanding", "outstanding", "outstanding"),
            "outstanding",
            "'outstanding' in the pillars of effectiveness, efficiency and legitimacy",
            "maintain the grade of 'outstanding' in the pillars of effectiveness, efficiency and"
            " legitimacy.",
        ),
    ],
)
def test_new_grades_change_only_the_grade_sentence_and_the_aspiration(
    scratch: Path,
    original: list[str],
    grades: tuple[str, str, str],
    target: str,
    awarded: str,
    aspiration: str,
) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    _set_grades(data, *grades)
    edit_yaml(data, "target_grade: outstanding", f"target_grade: {target}")
    removed, added = _changes(original, _lines(scratch))
    assert len(removed) == 2
    assert added == [
        ASPIRATION_START + aspiration,
        f"Lancashire Constabulary was awarded {awarded}.",
    ]


def test_a_lower_target_changes_only_the_aspiration(scratch: Path, original: list[str]) -> None:
    edit_yaml(
        scratch / "data" / DEFAULT_LETTER.name, "target_grade: outstanding", "target_grade: good"
    )
    removed, added = _changes(original, _lines(scratch))
    assert [line[:40] for line in removed] == [ASPIRATION_START[:40]]
    assert added == [
        ASPIRATION_START
        + "maintain the grades in the pillars of effectiveness, efficiency and legitimacy."
    ]


def _keep_afis(data: Path, keep: int, counts: str = "") -> None:
    text = data.read_text(encoding="utf-8")
    items = re.findall(r"^    - The (?:constabulary|force) should.*\n", text, re.M)
    assert len(items) == 11
    for item in items[keep:]:
        text = text.replace(item, "", 1)
    if keep == 0:
        text = text.replace("  areas_for_improvement:\n", f"{counts}  areas_for_improvement: []\n")
    data.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("keep", "sentence"),
    [
        (1, "Within the report the Force were given one area for improvement as follows:-"),
        (2, "Within the report the Force were given two areas for improvement as follows:-"),
        (0, "Within the report the Force were given no areas for improvement."),
        (0, ""),
    ],
    ids=["one", "two", "none stated", "none listed"],
)
def test_fewer_areas_for_improvement_change_the_count_and_the_list(
    scratch: Path, original: list[str], keep: int, sentence: str
) -> None:
    # "no areas for improvement" only where the data says so, never because none are listed
    counts = "  counts: {areas_for_improvement: 0}\n" if sentence and keep == 0 else ""
    _keep_afis(scratch / "data" / DEFAULT_LETTER.name, keep, counts)
    removed, added = _changes(original, _lines(scratch))
    assert added == ([sentence] if sentence else [])
    assert (
        removed[0] == "Within the report the Force were given 11 areas for improvement as follows:-"
    )
    assert len(removed) == 1 + 11 - keep
    assert all(line.startswith("The ") and "should" in line for line in removed[1:])


def test_savings_figures_are_written_once_as_data(scratch: Path, original: list[str]) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(
        data,
        "  amount: 86000000\n  share_of_budget: 28\n",
        "  amount: 91250000\n  share_of_budget: 31.5\n",
    )
    removed, added = _changes(original, _lines(scratch))
    assert len(removed) == len(added) == 1
    assert (
        "delivered over £91.3m of savings" in added[0]
        and "represents 31.5% of the total police budget" in added[0]
    )
