"""Grades given by count (report.counts.grades), as a statement that names no areas gives them.

Greater Manchester's PEEL 2023-25 statement says the force was graded good in three areas,
adequate in five and requires improvement in one, without naming the areas.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import cli_fails, edit_yaml, output_texts, position
from letters.build.build import build_letter
from letters.build.project import Project

STATEMENT = Path("data/examples/durham-2023-peel-statement.yaml")
DYFED = Path("data/examples/dyfed-powys-2025-peel-bilingual.yaml")
LANCASHIRE = Path("data/lancashire-2020-peel.yaml")

DURHAM_GRADES = """\
  grades:
    serious and organised crime: outstanding
    preventing crime: good
    recording data about crime: good
    police powers and public treatment: adequate
    investigating crime: adequate
    managing offenders: adequate
    developing a positive workplace: adequate
    leadership and force management: adequate
    responding to the public: requires improvement
    protecting vulnerable people: requires improvement
    providing a service to victims of crime: not graded
"""
DYFED_GRADES = """\
  grades:
    recording data about crime: good
    preventing crime: good
    police powers and public treatment: adequate
    responding to the public: adequate
    investigating crime: requires improvement
    protecting vulnerable people: adequate
    managing offenders: adequate
    developing a positive workplace: good
    leadership and force management: adequate
"""
#: The counts in no order of the scale's: they print best first.
COUNTS = """\
  counts:
    grades:
      requires improvement: 1
      good: 3
      adequate: 5
"""


def _texts(root: Path, data: Path) -> dict[str, str]:
    """Build a letter; read each format's text (the HTML's with no space left by a closing tag)."""
    result = build_letter(data, root / "out", project=Project(root))
    texts = output_texts(list(result.paths))
    return {**texts, "html": texts["html"].replace(" ,", ",").replace(" .", ".")}


def test_a_peel_2023_25_statement_gives_its_grades_by_count(scratch: Path) -> None:
    data = scratch / STATEMENT
    # the areas are not named; the one inspected but not graded still is
    edit_yaml(
        data,
        DURHAM_GRADES,
        "  grades:\n    providing a service to victims of crime: not graded\n" + COUNTS,
    )
    expected = (
        "The inspectors graded Durham Constabulary 'good' in three areas, 'adequate' in five "
        "and 'requires improvement' in one. They also inspected providing a service to victims "
        "of crime, which is not graded."
    )
    for form, text in _texts(scratch, data).items():
        assert expected in text, form
        assert "set out here:" not in text and "include" not in text, form


def test_grades_by_count_with_the_report_s_total_and_in_figures_above_nine(scratch: Path) -> None:
    data = scratch / STATEMENT
    edit_yaml(
        data,
        DURHAM_GRADES,
        "  counts:\n    graded_areas: 23\n    grades: {Good: 12, Outstanding: 1, adequate: 10}\n",
    )
    expected = (
        "The inspectors graded Durham Constabulary 'outstanding' in one area, 'good' in 12 and "
        "'adequate' in 10. "
    )
    for form, text in _texts(scratch, data).items():
        assert expected in text, form
        assert "not graded" not in text, form


def test_a_welsh_letter_gives_its_grades_by_count_in_both_languages(scratch: Path) -> None:
    data = scratch / DYFED
    edit_yaml(data, DYFED_GRADES, COUNTS)
    welsh = (
        "Rhoddodd yr arolygwyr y graddau hyn i Heddlu Dyfed-Powys: da mewn tri maes, digonol "
        "mewn pump ac angen gwella mewn un."
    )
    english = (
        "The inspectors graded Dyfed-Powys Police 'good' in three areas, 'adequate' in five and "
        "'requires improvement' in one."
    )
    for form, text in _texts(scratch, data).items():
        assert welsh in text, form
        assert english in text, form


def _fails(root: Path, monkeypatch: pytest.MonkeyPatch, data: Path) -> str:
    monkeypatch.chdir(root)
    return cli_fails("check", str(data))


def test_grades_by_count_off_the_scale_twice_or_not_counting_is_an_error(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = scratch / STATEMENT
    edit_yaml(
        data,
        DURHAM_GRADES,
        "  counts:\n    grades:\n      good: 3\n      Good: 1\n      goood: 2\n"
        "      not graded: 1\n      adequate: 0\n",
    )
    name = STATEMENT.as_posix()
    # the model's problems and the framework's come together, in the file's order
    assert _fails(scratch, monkeypatch, STATEMENT).splitlines() == [
        f"{name}:{position(data, 'Good: 1')}: report.counts.grades.Good: 'Good' is 'good' again; "
        "count each grade once",
        f"{name}:{position(data, 'goood: 2')}: report.counts.grades.goood: 'goood' is not a grade "
        "of the PEEL 2023-25 framework; expected outstanding, good, adequate, requires "
        "improvement or inadequate (did you mean 'good'?)",
        f"{name}:{position(data, 'not graded: 1')}: report.counts.grades.not graded: 'not "
        "graded' is no grade to count; name an area inspected but not graded in report.grades "
        "as 'not graded'",
        f"{name}:{position(data, '0', after='adequate: ')}: report.counts.grades.adequate: 0 is "
        "out of range; expected a number of at least 1",
    ]


def test_grades_by_area_and_by_count_or_a_total_that_differs_is_an_error(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = scratch / STATEMENT
    edit_yaml(
        data,
        DURHAM_GRADES,
        "  grades:\n    preventing crime: good\n"
        "    providing a service to victims of crime: not graded\n"
        "  counts:\n    graded_areas: 8\n"
        "    grades: {good: 3, adequate: 5, requires improvement: 1}\n",
    )
    name = STATEMENT.as_posix()
    assert _fails(scratch, monkeypatch, STATEMENT).splitlines() == [
        f"{name}:{position(data, '8', after='graded_areas: ')}: report.counts.graded_areas: the "
        "report's graded areas are given as 8, but report.counts.grades counts 9; give the same "
        "number, or leave graded_areas out",
        f"{name}:{position(data, 'grades: {good')}: report.counts.grades: the grades are given "
        "both by area (report.grades names preventing crime) and by count; give them one way: "
        "in report.grades where the letter names each area, else by count here (an area "
        "inspected but not graded may stay in report.grades as 'not graded')",
    ]


def test_grades_by_count_are_only_for_a_template_that_prints_them(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = scratch / LANCASHIRE
    edit_yaml(
        data,
        "  areas_for_improvement:\n",
        "  counts:\n    grades: {good: 3}\n  areas_for_improvement:\n",
    )
    assert _fails(scratch, monkeypatch, LANCASHIRE).splitlines() == [
        f"{LANCASHIRE.as_posix()}:{position(data, 'grades: {good')}: report.counts.grades: the "
        "2018/19 integrated PEEL letter names each grade's areas; give them in report.grades "
        "instead",
    ]
