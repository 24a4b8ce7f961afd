"""Grade histories, revisits, amended reports and lifted causes of concern, as a reader sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import cli, cli_fails, edit_yaml, output_texts, position
from letters.build.build import build_letter
from letters.build.project import Project

DURHAM = Path("data/examples/durham-2023-peel.yaml")
DYFED = Path("data/examples/dyfed-powys-2025-peel-bilingual.yaml")

#: An area's grade with its history, in both forms of `previously`.
HISTORY = """\
    investigating crime:
      grade: adequate
      previously: inadequate
    managing offenders:
      grade: adequate
      previously:
        grade: requires improvement
        report: "PEEL 2021/22: An inspection of Durham Constabulary"
        published: 2022-06-10
"""
LIFTED_CAUSES = """\
  findings:
    - kind: cause of concern
      number: "1"
      text: The force does not record crime accurately.
      lifted: 2023-12-01
      response: The force audits its records each month.
    - kind: cause of concern
      number: "2"
      text: The force does not answer calls in time.
"""


def _durham(root: Path, *, revisit: bool = False) -> Path:
    """Give Durham's letter two grade histories and two causes of concern, one lifted."""
    data = root / DURHAM
    edit_yaml(
        data,
        "    investigating crime: adequate\n    managing offenders: adequate\n",
        HISTORY,
    )
    edit_yaml(data, "  findings:\n", LIFTED_CAUSES)
    if revisit:
        edit_yaml(
            data,
            "  published: 2023-11-17\n",
            "  published: 2023-11-17\n  revisit_of:\n"
            '    title: "PEEL 2021/22: An inspection of Durham Constabulary"\n'
            "    published: 2022-06-10\n",
        )
    return data


def _texts(root: Path, data: Path) -> dict[str, str]:
    """Build a letter; read each format's text (the HTML's with no space left by a closing tag)."""
    result = build_letter(data, root / "out", project=Project(root))
    texts = output_texts(list(result.paths))
    return {**texts, "html": texts["html"].replace(" ,", ",").replace(" .", ".")}


def test_a_grade_history_prints_both_grades_in_every_format(scratch: Path) -> None:
    texts = _texts(scratch, _durham(scratch))
    grades = (
        "They also inspected providing a service to victims of crime, which is not graded. "
        "Compared with the inspectorate's previous grades, investigating crime is now "
        "'adequate', previously 'inadequate'. Compared with PEEL 2021/22: An inspection of "
        "Durham Constabulary, published on 10 June 2022, managing offenders is now 'adequate', "
        "previously 'requires improvement'. There is much"
    )
    causes = (
        "Causes of concern The inspectors raised two causes of concern. The inspectorate has "
        "lifted one of the causes of concern set out here. Cause of concern 1 (lifted) The force "
        "does not record crime accurately. The inspectorate lifted this cause of concern on "
        "1 December 2023. Response: The force audits its records each month. Cause of concern 2 "
        "The force does not answer calls in time."
    )
    for form, text in texts.items():
        assert grades in text, form
        assert causes in text, form
        # the grade sentence itself is as it was: each area once, at its grade now
        assert "'adequate' at police powers and public treatment, investigating crime, " in text


def test_a_revisit_says_so_and_compares_with_the_report_revisited(scratch: Path) -> None:
    texts = _texts(scratch, _durham(scratch, revisit=True))
    expected = (
        "The inspectors revisited Durham Constabulary after their report PEEL 2021/22: An "
        "inspection of Durham Constabulary, published on 10 June 2022. The inspectors graded "
        "Durham Constabulary 'outstanding' at serious and organised crime;"
    )
    # the grade named with the report revisited is that report's: one sentence for both
    compared = (
        "which is not graded. Compared with that report, investigating crime is now 'adequate', "
        "previously 'inadequate'; and managing offenders is now 'adequate', previously "
        "'requires improvement'. There is much"
    )
    for form, text in texts.items():
        assert expected in text, form
        assert compared in text, form
        assert "Compared with PEEL 2021/22" not in text


def test_an_amended_report_and_a_grade_on_another_scale(scratch: Path) -> None:
    data = scratch / DURHAM
    edit_yaml(
        data,
        "  published: 2023-11-17\n",
        "  published: 2023-11-17\n  amends:\n"
        '    title: "PEEL 2023-25: An inspection of Durham Constabulary"\n'
        "    published: 2023-10-02\n",
    )
    edit_yaml(
        data,
        "    managing offenders: adequate\n",
        "    managing offenders:\n      grade: adequate\n      previously: {grade: good, "
        "report: Integrated PEEL Inspection, kind: integrated-peel-2018}\n"
        "    preventing crime: {grade: good, previously: good}\n",
    )
    edit_yaml(data, "    preventing crime: good\n", "")
    texts = _texts(scratch, data)
    expected = (
        "The report is an amended version of PEEL 2023-25: An inspection of Durham "
        "Constabulary, published on 2 October 2023, and replaces it. The inspectors graded"
    )
    compared = (
        "Compared with that report, preventing crime is 'good', as before. Compared with "
        "Integrated PEEL Inspection, managing offenders is now 'adequate', previously 'good' on "
        "the 2018/19 integrated PEEL scale."
    )
    for form, text in texts.items():
        assert expected in text, form
        assert compared in text, form


def test_a_welsh_letter_gives_the_history_and_the_lifted_cause_in_welsh(scratch: Path) -> None:
    data = scratch / DYFED
    edit_yaml(
        data,
        "    investigating crime: requires improvement\n",
        "    investigating crime: {grade: requires improvement, previously: inadequate}\n",
    )
    edit_yaml(
        data,
        "  findings:\n",
        "  findings:\n    - kind: cause of concern\n      number: '1'\n"
        "      text: The force does not supervise investigations.\n"
        "      text_cy: Nid yw'r heddlu'n goruchwylio ymchwiliadau.\n"
        "      lifted: PEEL 2023-25 revisit\n"
        "      lifted_cy: ail ymweliad PEEL 2023-25\n",
    )
    texts = _texts(scratch, data)
    welsh = (
        "O'i gymharu â graddau blaenorol yr arolygiaeth: ymchwilio i droseddau: angen gwella "
        "bellach, annigonol o'r blaen."
    )
    welsh_cause = (
        "Achos pryder 1 (wedi'i ddileu) Nid yw'r heddlu'n goruchwylio ymchwiliadau. Dileodd yr "
        "arolygiaeth yr achos pryder hwn yn ail ymweliad PEEL 2023-25."
    )
    english = (
        "Compared with the inspectorate's previous grades, investigating crime is now "
        "'requires improvement', previously 'inadequate'."
    )
    english_cause = (
        "The inspectors raised one cause of concern. The inspectorate has lifted the cause of "
        "concern set out here. Cause of concern 1 (lifted) The force does not supervise "
        "investigations. The inspectorate lifted this cause of concern in PEEL 2023-25 revisit."
    )
    for form, text in texts.items():
        for sentence in (welsh, welsh_cause, english, english_cause):
            assert sentence in text, (form, sentence)


def _fails(root: Path, monkeypatch: pytest.MonkeyPatch, data: Path) -> str:
    monkeypatch.chdir(root)
    return cli_fails("check", str(data))


def test_an_earlier_grade_off_its_scale_or_of_an_unknown_kind_is_an_error(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = scratch / DURHAM
    edit_yaml(
        data,
        "    investigating crime: adequate\n    managing offenders: adequate\n",
        "    investigating crime: {grade: adequate, previously: inadequat}\n"
        "    managing offenders:\n      grade: adequate\n"
        "      previously: {grade: adequate, kind: integrated-peel-2018}\n"
        "    preventing crime: {grade: good, previously: {grade: poor, kind: peel-2022}}\n",
    )
    edit_yaml(data, "    preventing crime: good\n", "")
    message = _fails(scratch, monkeypatch, DURHAM)
    name = DURHAM.as_posix()
    assert message.splitlines() == [
        f"{name}:{position(data, 'inadequat}')}: report.grades.investigating crime.previously: "
        "'inadequat' is not a grade of the PEEL 2023-25 framework; expected outstanding, good, "
        "adequate, requires improvement, inadequate or not graded (did you mean 'inadequate'?)",
        f"{name}:{position(data, 'adequate', 3, after='grade: ')}: report.grades.managing "
        "offenders.previously.grade: 'adequate' is not a grade of the 2018/19 integrated PEEL "
        "framework; expected outstanding, good, requires improvement or inadequate ('adequate' "
        "is a grade of the PEEL 2021/22, PEEL 2023-25 and PEEL 2025-27 frameworks)",
        f"{name}:{position(data, 'peel-2022')}: report.grades.preventing crime.previously.kind: "
        "'peel-2022' is not a graded report kind of data/reference/frameworks.yaml; expected "
        "integrated-peel-2018, peel-2014, peel-2021, peel-2023 or peel-2025 (did you mean "
        "'peel-2025'?)",
    ]


def test_a_history_that_could_not_be_is_an_error(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _durham(scratch)
    edit_yaml(data, "        published: 2022-06-10\n", "        published: 2023-11-17\n")
    edit_yaml(data, "      lifted: 2023-12-01\n", "      lifted: 2024-02-01\n")
    edit_yaml(
        data,
        "  published: 2023-11-17\n",
        "  published: 2023-11-17\n  revisit_of: {title: PEEL 2021/22, published: 2024-01-01}\n",
    )
    edit_yaml(
        data,
        "    - kind: area for improvement\n",
        "    - kind: area for improvement\n      lifted: 2023-12-01\n",
    )
    name = DURHAM.as_posix()
    # what the model refuses comes first
    assert _fails(scratch, monkeypatch, DURHAM).splitlines() == [
        f"{name}:{position(data, 'kind: area for improvement')}: report.findings[2]: lifted is "
        "for a cause of concern the inspectorate has lifted, not for area for improvement "
        "findings; remove it",
    ]
    edit_yaml(data, "      lifted: 2023-12-01\n", "")
    assert _fails(scratch, monkeypatch, DURHAM).splitlines() == [
        f"{name}:{position(data, '2024-01-01')}: report.revisit_of.published: 1 January 2024 is "
        "not before this report's publication (17 November 2023); the report it revisits came "
        "out before it",
        f"{name}:{position(data, '2023-11-17', 2)}: report.grades.managing offenders.previously"
        ".published: 17 November 2023 is not before this report's publication (17 November "
        "2023); an earlier grade comes from an earlier report",
        f"{name}:{position(data, '2024-02-01')}: report.findings[0].lifted: 1 February 2024 is "
        "after the letter's date (8 January 2024); a letter can only say a cause of concern has "
        "been lifted once it has",
    ]


def test_a_welsh_letter_without_the_welsh_name_of_the_report_that_lifted_a_cause_is_warned(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = scratch / DYFED
    edit_yaml(
        data,
        "  findings:\n",
        "  findings:\n    - kind: cause of concern\n      number: '1'\n"
        "      text: The force does not supervise investigations.\n"
        "      text_cy: Nid yw'r heddlu'n goruchwylio ymchwiliadau.\n"
        "      lifted: PEEL 2023-25 revisit\n",
    )
    monkeypatch.chdir(scratch)
    result = cli("check", DYFED.as_posix())
    assert (
        f"{DYFED.as_posix()}:{position(data, 'PEEL 2023-25 revisit')}: warning: "
        "report.findings[0].lifted: the Welsh names the report that lifted it as the English "
        "does; give its Welsh name as lifted_cy"
    ) in result.output
