"""What real letters need of the format: each cycle's areas, rules by date, real recipients.

The area names of each cycle, the rules that apply by date, recipients as people write
them, and a grade sentence that reads right for any mix of grades.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import DEFAULT_LETTER, ROOT, copy_project, normalise
from letters.build.build import build_letter
from letters.build.project import Project
from letters.cli import main
from letters.compose.facts import group_grades
from letters.source.frameworks import frameworks_of

EXAMPLES = ROOT / "data" / "examples"
FRAMEWORKS = frameworks_of(ROOT)
GRADED = {kind: f for kind, f in FRAMEWORKS.items() if f.grades}


def _check(tmp_path: Path, source: Path, change: Any, today: str = "2024-01-01") -> str:
    data = copy_project(tmp_path, source, change)
    result = CliRunner().invoke(main, ["check", str(data), "--today", today])
    assert "Traceback" not in result.output
    return result.output


def _html(tmp_path: Path, source: Path, change: Any) -> str:
    data = copy_project(tmp_path, source, change)
    built = build_letter(data, tmp_path / "out", ("html",), Project(tmp_path))
    return normalise(re.sub(r"<[^>]+>", " ", built.paths[0].read_text(encoding="utf-8")))


def test_another_name_of_an_area_is_accepted_and_printed_as_written(tmp_path: Path) -> None:
    def rename(tree: dict[str, Any]) -> None:
        grades = tree["report"]["grades"]
        grades["building, supporting and protecting the workforce"] = grades.pop(
            "developing a positive workplace"
        )
        grades["preventing crime and anti-social behaviour"] = grades.pop("preventing crime")

    text = _html(tmp_path, EXAMPLES / "durham-2023-peel.yaml", rename).replace("&#x27;", "'")
    assert (
        "'good' at recording data about crime, and preventing crime and anti-social behaviour;"
        in text
    )
    assert "building, supporting and protecting the workforce, and leadership" in text


def test_an_area_named_twice_or_misspelt_is_an_error(tmp_path: Path) -> None:
    def twice(tree: dict[str, Any]) -> None:
        tree["report"]["grades"]["building, supporting and protecting the workforce"] = "good"
        tree["report"]["grades"]["managing offendrs and suspects"] = "good"

    output = _check(tmp_path, EXAMPLES / "durham-2023-peel.yaml", twice)
    assert (
        "report.grades.building, supporting and protecting the workforce: 'building, supporting"
        " and protecting the workforce' is 'developing a positive workplace' again, under another"
        " name; grade it once"
    ) in output
    assert "(did you mean 'managing offenders and suspects'?)" in output


def test_a_kind_used_outside_its_years_is_a_warning(tmp_path: Path) -> None:
    def early(tree: dict[str, Any]) -> None:
        tree["report"]["published"] = "2014-03-27"
        tree["letter"]["date"] = "2014-04-30"
        tree["recipient"]["name"] = "Theresa May"

    output = _check(tmp_path, EXAMPLES / "west-mercia-2023-youth-violence.yaml", early)
    assert (
        ": warning: report.kind: a national thematic report (thematic) comes out between 19 July"
        " 2017 and now, and this one was published on 27 March 2014; did you mean"
        " 'hmic-thematic', 'joint' or 'force-inspection'?"
    ) in output


def test_a_peel_2023_25_report_from_july_2025_is_of_the_next_cycle(tmp_path: Path) -> None:
    def late(tree: dict[str, Any]) -> None:
        tree["report"]["published"] = "2025-08-01"
        tree["letter"]["date"] = "2025-09-01"

    output = _check(tmp_path, EXAMPLES / "durham-2023-peel.yaml", late, "2025-09-01")
    assert (
        ": warning: report.kind: a PEEL 2023-25 report (peel-2023) comes out between 1 October"
        " 2023 and 30 June 2025, and this one was published on 1 August 2025; did you mean"
        " 'peel-2025'?\n"
    ) in output


def test_before_2_may_2017_a_recommendation_needs_no_response(tmp_path: Path) -> None:
    def hmic(tree: dict[str, Any]) -> None:
        tree["report"]["kind"] = "hmic-thematic"
        tree["report"]["inspectorate"] = "HMIC"
        tree["report"]["published"] = "2014-03-27"
        tree["letter"]["date"] = "2014-04-30"
        tree["recipient"]["name"] = "Theresa May"
        for finding in tree["report"]["findings"]:
            finding.pop("response", None)
            finding.pop("action", None)

    output = _check(tmp_path, EXAMPLES / "west-mercia-2023-youth-violence.yaml", hmic)
    assert "error" not in output.split(": ok:")[0].replace("0 errors", "")
    assert (
        "has no response; the report came out before section 55(5B) required one (from 2 May"
        " 2017), so it prints without"
    ) in output


def test_recipients_as_people_write_them(tmp_path: Path) -> None:
    def written(tree: dict[str, Any]) -> None:
        tree["recipient"] = {
            "honorific": "Rt Hon",
            "name": "Suella Braverman",
            "post_nominals": "KC MP",
            "title": "Home Secretary",
            "salutation": "Home Secretary",
            "address": ["Home Office", "2 Marsham Street", "London SW1P 4DF"],
        }
        tree["letter"]["date"] = "2023-03-30"
        tree["report"]["published"] = "2023-03-08"
        tree["status"] = {"state": "draft"}

    data = copy_project(tmp_path, EXAMPLES / "west-mercia-2023-youth-violence.yaml", written)
    result = CliRunner().invoke(main, ["check", str(data), "--today", "2023-03-30"])
    assert "warning" not in result.output.replace("0 warnings", "")
    built = build_letter(data, tmp_path / "out", ("html",), Project(tmp_path))
    html = built.paths[0].read_text(encoding="utf-8")
    assert (
        "<p>Rt Hon Suella Braverman KC MP</p><p>Home Secretary</p><p>Home Office</p>"
        "<p>2 Marsham Street</p><p>London SW1P 4DF</p>"
    ) in html
    assert "<p>Dear Home Secretary</p>" in html


def test_a_recipient_written_to_by_email(tmp_path: Path) -> None:
    def mailboxes(tree: dict[str, Any]) -> None:
        tree["recipient"] = {
            "name": "HM Chief Inspector of Constabulary",
            "title": "HMICFRS",
            "email": ["s55@hmicfrs.gov.uk", "public.enquiries@homeoffice.gov.uk"],
        }

    output = _check(tmp_path, DEFAULT_LETTER, mailboxes, "2020-03-30")
    assert "postcode" not in output and "two lines" not in output
    text = _html(tmp_path / "b", DEFAULT_LETTER, mailboxes)
    assert (
        "HM Chief Inspector of Constabulary HMICFRS s55@hmicfrs.gov.uk"
        " public.enquiries@homeoffice.gov.uk"
    ) in text


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_the_grade_sentence_reads_right_for_any_mix_of_grades(data: st.DataObject) -> None:
    from letters.compose.facts import grades_by_area_phrase

    framework = data.draw(st.sampled_from(sorted(GRADED.values(), key=lambda f: f.kind)))
    areas = data.draw(st.lists(st.sampled_from(framework.areas), min_size=1, unique=True))
    grades = {area: data.draw(st.sampled_from(framework.grades)) for area in areas}
    phrase = grades_by_area_phrase(group_grades(grades, framework), 9, framework.preposition)
    sentence = f"The inspectors graded the force {phrase}."
    quoted = re.findall(r"'([a-z ]+)' (?:at|for) ", sentence)
    awarded = sorted(set(grades.values()), key=framework.rank)
    assert quoted == awarded, sentence  # each grade once, best first, quoted
    assert not re.search(r"\b(and|at|for) (and|at|for)\b|;\s*;|,\s*,|\s[,;.]", sentence)
    if len(awarded) > 1:  # the last grade follows 'and'
        assert f"and '{awarded[-1]}' " in sentence
    if len(awarded) > 1 or len(areas) < 3:
        for area in areas:
            assert area in sentence


def test_every_framework_cites_its_sources_and_years() -> None:
    for kind, framework in FRAMEWORKS.items():
        assert framework.sources and all(s.startswith("https://") for s in framework.sources), kind
        assert framework.years.last is None or framework.years.first < framework.years.last
        for name, others in framework.other_names.items():
            assert name in framework.areas, (kind, name)
            assert not set(others) & set(framework.areas), (kind, others)
    pairs = itertools.combinations(sorted(GRADED.values(), key=lambda f: f.years.first), 2)
    for earlier, later in pairs:
        if earlier.template == later.template and earlier.years.last:
            assert earlier.years.last <= later.years.first or earlier.kind == "peel-2014", (
                earlier.kind,
                later.kind,
            )


@pytest.mark.parametrize("kind", sorted(k for k, f in GRADED.items() if f.kind != "peel-2014"))
def test_each_cycle_names_its_own_areas(kind: str) -> None:
    """The areas each cycle's reports print (see frameworks.yaml's sources)."""
    expected = {
        "integrated-peel-2018": ["effectiveness", "efficiency", "legitimacy"],
        "peel-2021": [
            "recording data about crime",
            "providing a service to victims of crime",
            "treatment of the public",
            "preventing crime",
            "responding to the public",
            "investigating crime",
            "protecting vulnerable people",
            "managing offenders",
            "disrupting serious organised crime",
            "developing a positive workplace",
            "good use of resources",
        ],
        "peel-2023": [
            "recording data about crime",
            "police powers and public treatment",
            "preventing crime",
            "responding to the public",
            "investigating crime",
            "protecting vulnerable people",
            "managing offenders",
            "developing a positive workplace",
            "leadership and force management",
            "serious and organised crime",
            "providing a service to victims of crime",
        ],
        # The framework's first core question is leadership and force management; the
        # others keep the 2023-25 names until the cycle's reports show otherwise.
        "peel-2025": [
            "leadership and force management",
            "police powers and public treatment",
            "preventing crime",
            "responding to the public",
            "investigating crime",
            "protecting vulnerable people",
            "managing offenders",
            "serious and organised crime",
            "developing a positive workplace",
            "recording data about crime",
            "providing a service to victims of crime",
        ],
    }
    assert kind in expected, f"write out the areas the {kind} reports print here, from its sources"
    assert list(FRAMEWORKS[kind].areas) == expected[kind]


def test_the_aspiration_names_only_graded_areas(tmp_path: Path) -> None:
    def partly(tree: dict[str, Any]) -> None:
        tree["target_grade"] = "good"
        tree["report"]["grades"] = {
            "preventing crime": "good",
            "investigating crime": "adequate",
            "responding to the public": "requires improvement",
            "providing a service to victims of crime": "not graded",
        }
        tree["paragraphs"]["body"].append("We aim to {aspiration}.")

    text = _html(tmp_path, EXAMPLES / "durham-2023-peel.yaml", partly).replace("&#x27;", "'")
    assert (
        "We aim to move from an 'adequate' to 'good' in the area of investigating crime and from a"
        " 'requires improvement' to 'good' in the area of responding to the public whilst"
        " maintaining the grade in preventing crime."
    ) in text


def test_an_aspiration_with_nothing_graded_says_what_it_needs(tmp_path: Path) -> None:
    def ungraded(tree: dict[str, Any]) -> None:
        tree["target_grade"] = "good"
        tree["report"]["grades"] = {"preventing crime": "not graded"}
        tree["paragraphs"]["body"] = ["We aim to {aspiration}."]

    output = _check(tmp_path, EXAMPLES / "durham-2023-peel.yaml", ungraded)
    assert (
        ": paragraphs.body[0]: {aspiration} is not a fact this letter has: it needs target_grade"
        " and at least one graded area in report.grades (an area 'not graded' has no grade to move"
        " from)\n"
    ) in output
