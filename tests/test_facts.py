"""The English the letters derive from data: lists, plurals, dates, money, grades, aspirations."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import COUNT_WORDS, ROOT
from letters.compose.facts import aspiration_phrase, fill, grades_phrase, group_grades
from letters.source.english import (
    count_noun,
    indefinite_article,
    join_words,
    money,
    number_word,
    percent,
    uk_date,
)
from letters.source.frameworks import frameworks_of

PEEL = frameworks_of(ROOT)["integrated-peel-2018"]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["efficiency"], "efficiency"),
        (["effectiveness", "legitimacy"], "effectiveness and legitimacy"),
        (["effectiveness", "efficiency", "legitimacy"], "effectiveness, efficiency and legitimacy"),
    ],
)
def test_join_words(items: list[str], expected: str) -> None:
    assert join_words(items) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 areas for improvement"),
        (1, "1 area for improvement"),
        (2, "2 areas for improvement"),
        (11, "11 areas for improvement"),
    ],
)
def test_count_noun(count: int, expected: str) -> None:
    assert count_noun(count, "area for improvement", "areas for improvement") == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2020, 3, 30), "30 March 2020"),
        (dt.date(2020, 2, 7), "7 February 2020"),
        (dt.date(2024, 12, 1), "1 December 2024"),
        (dt.date(2021, 1, 31), "31 January 2021"),
    ],
)
def test_uk_date(day: dt.date, expected: str) -> None:
    assert uk_date(day) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (86_000_000, "£86m"),
        (86_500_000, "£86.5m"),
        (1_230_000_000, "£1.2bn"),
        (450_000, "£450,000"),
        (Decimal("12.5"), "£12.50"),
        (0, "£0"),
        (999_999, "£999,999"),
        (1_000_000, "£1m"),
    ],
)
def test_money(amount: int | Decimal, expected: str) -> None:
    assert money(amount) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(28, "28%"), (Decimal("12.5"), "12.5%"), (Decimal("7.0"), "7%")]
)
def test_percent(value: int | Decimal, expected: str) -> None:
    assert percent(value) == expected


@pytest.mark.parametrize(
    ("phrase", "article"),
    [
        ("'good'", "a"),
        ("'outstanding'", "an"),
        ("'inadequate'", "an"),
        ("'requires improvement'", "a"),
    ],
)
def test_indefinite_article(phrase: str, article: str) -> None:
    assert indefinite_article(phrase) == article


def _grades(effectiveness: str, efficiency: str, legitimacy: str) -> dict[str, str]:
    return {"effectiveness": effectiveness, "efficiency": efficiency, "legitimacy": legitimacy}


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        (
            _grades("good", "outstanding", "good"),
            "'outstanding' in the pillar of efficiency and 'good' in the pillars of effectiveness"
            " and legitimacy",
        ),
        (
            _grades("good", "good", "good"),
            "'good' in the pillars of effectiveness, efficiency and legitimacy",
        ),
        (
            _grades("requires improvement", "good", "inadequate"),
            "'good' in the pillar of efficiency, 'requires improvement' in the pillar of"
            " effectiveness and 'inadequate' in the pillar of legitimacy",
        ),
        (
            _grades("requires improvement", "requires improvement", "good"),
            "'good' in the pillar of legitimacy and 'requires improvement' in the pillars of"
            " effectiveness and efficiency",
        ),
    ],
)
def test_grades_phrase(grades: dict[str, str], expected: str) -> None:
    assert grades_phrase(group_grades(grades, PEEL), PEEL) == expected


@pytest.mark.parametrize(
    ("grades", "target", "expected"),
    [
        (
            _grades("good", "outstanding", "good"),
            "outstanding",
            "move from a 'good' to 'outstanding' in the pillars of effectiveness and legitimacy"
            " whilst maintaining the grade in efficiency",
        ),
        (
            _grades("good", "good", "good"),
            "outstanding",
            "move from a 'good' to 'outstanding' in the pillars of effectiveness, efficiency and"
            " legitimacy",
        ),
        (
            _grades("inadequate", "good", "good"),
            "good",
            "move from an 'inadequate' to 'good' in the pillar of effectiveness whilst maintaining"
            " the grades in efficiency and legitimacy",
        ),
        (
            _grades("requires improvement", "good", "inadequate"),
            "outstanding",
            "move from a 'good' to 'outstanding' in the pillar of efficiency, from a 'requires"
            " improvement' to 'outstanding' in the pillar of effectiveness"
            " and from an 'inadequate' to 'outstanding' in the pillar of legitimacy",
        ),
        (
            _grades("outstanding", "outstanding", "outstanding"),
            "outstanding",
            "maintain the grade of 'outstanding' in the pillars of effectiveness, efficiency and"
            " legitimacy",
        ),
        (
            _grades("outstanding", "good", "good"),
            "good",
            "maintain the grades in the pillars of effectiveness, efficiency and legitimacy",
        ),
    ],
)
def test_aspiration_phrase(grades: dict[str, str], target: str, expected: str) -> None:
    assert aspiration_phrase(grades, target, PEEL) == expected


#: Each set of the 2018 framework's pillars, in its order, as the letters join them.
PILLARS_JOINED = {
    ("effectiveness",): "effectiveness",
    ("efficiency",): "efficiency",
    ("legitimacy",): "legitimacy",
    ("effectiveness", "efficiency"): "effectiveness and efficiency",
    ("effectiveness", "legitimacy"): "effectiveness and legitimacy",
    ("efficiency", "legitimacy"): "efficiency and legitimacy",
    ("effectiveness", "efficiency", "legitimacy"): "effectiveness, efficiency and legitimacy",
}

grade_sets = st.fixed_dictionaries({area: st.sampled_from(PEEL.grades) for area in PEEL.areas})


@given(grade_sets)
def test_grades_phrase_names_each_pillar_once_with_its_grade(grades: dict[str, str]) -> None:
    phrase = grades_phrase(group_grades(grades, PEEL), PEEL)
    for area in PEEL.areas:
        assert len(re.findall(rf"\b{area}\b", phrase)) == 1
    awarded = sorted(set(grades.values()), key=PEEL.rank)
    assert phrase.count("' in the ") == len(awarded)
    for grade in awarded:
        areas = [a for a in PEEL.areas if grades[a] == grade]
        noun = "pillar" if len(areas) == 1 else "pillars"
        assert f"'{grade}' in the {noun} of {PILLARS_JOINED[tuple(areas)]}" in phrase
    positions = [phrase.index(f"'{grade}' in") for grade in awarded]
    assert positions == sorted(positions), "best grade first"
    assert "  " not in phrase and not phrase.endswith(" ")


@given(grade_sets, st.sampled_from(PEEL.grades))
def test_aspiration_moves_each_pillar_below_target_and_keeps_the_rest(
    grades: dict[str, str], target: str
) -> None:
    phrase = aspiration_phrase(grades, target, PEEL)
    below = [a for a in PEEL.areas if PEEL.rank(grades[a]) > PEEL.rank(target)]
    kept = [a for a in PEEL.areas if a not in below]
    for area in PEEL.areas:
        assert len(re.findall(rf"\b{area}\b", phrase)) == 1
    assert phrase.startswith("move from") == bool(below)
    assert ("whilst maintaining" in phrase) == bool(below and kept)
    if below and kept:
        moving, keeping = phrase.split(" whilst maintaining ")
        assert all(a in moving for a in below) and all(a in keeping for a in kept)
        assert keeping.startswith("the grade in" if len(kept) == 1 else "the grades in")
    assert f"to '{target}'" in phrase or not below
    assert " a 'outstanding'" not in phrase and " a 'inadequate'" not in phrase


def test_fill_replaces_named_facts_and_keeps_doubled_braces() -> None:
    assert (
        fill("Since {savings.since}, {{literally}} £", {"savings.since": "2010"})
        == "Since 2010, {literally} £"
    )


def test_fill_refuses_an_unknown_name() -> None:
    with pytest.raises(KeyError):
        fill("{nope}", {})


PEEL_2023 = frameworks_of(ROOT)["peel-2023"]


@pytest.mark.parametrize(
    ("grades", "expected"),
    [
        (
            {
                "preventing crime": "good",
                "investigating crime": "adequate",
                "responding to the public": "requires improvement",
            },
            "'good' at preventing crime, 'adequate' at investigating crime, and 'requires"
            " improvement' at responding to the public",
        ),
        (
            {"preventing crime": "good", "police powers and public treatment": "good"},
            "'good' at police powers and public treatment, and preventing crime",
        ),
        (
            {"preventing crime": "good", "managing offenders": "adequate"},
            "'good' at preventing crime and 'adequate' at managing offenders",
        ),
        (
            {
                "preventing crime": "good",
                "investigating crime": "good",
                "managing offenders": "adequate",
            },
            "'good' at preventing crime and investigating crime; and 'adequate' at managing"
            " offenders",
        ),
        (
            {area: "adequate" for area in PEEL_2023.areas[:5]},
            "'adequate' at each of the five areas graded",
        ),
        ({area: "good" for area in PEEL_2023.areas}, "'good' at each of the 11 areas graded"),
        ({"managing offenders": "inadequate"}, "'inadequate' at managing offenders"),
    ],
)
def test_grades_by_area(grades: dict[str, str], expected: str) -> None:
    from letters.compose.facts import grades_by_area_phrase

    assert grades_by_area_phrase(group_grades(grades, PEEL_2023)) == expected


@given(
    st.dictionaries(st.sampled_from(PEEL_2023.areas), st.sampled_from(PEEL_2023.grades), min_size=1)
)
def test_grades_by_area_names_each_graded_area_once_best_grade_first(
    grades: dict[str, str],
) -> None:
    from letters.compose.facts import grades_by_area_phrase

    phrase = grades_by_area_phrase(group_grades(grades, PEEL_2023))
    awarded = sorted(set(grades.values()), key=PEEL_2023.rank)
    if len(awarded) == 1 and len(grades) > 2:
        assert phrase == f"'{awarded[0]}' at each of the {COUNT_WORDS[len(grades)]} areas graded"
        return
    # each grade once, in quotes, best first; each ends a clause of its own
    assert re.findall(r"'([a-z ]+)' at ", phrase) == awarded
    assert not phrase.startswith("and ") and " and and " not in phrase
    for area in grades:
        assert phrase.count(area) == 1 or any(area in other and area != other for other in grades)
    for area in PEEL_2023.areas:
        if area not in grades:
            assert area not in phrase or any(area in other for other in grades)


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "zero"), (1, "one"), (9, "nine"), (10, "10"), (1234, "1,234")]
)
def test_number_word(count: int, expected: str) -> None:
    assert number_word(count) == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a"], "a"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b and c"),
        (
            ["preventing crime", "police powers and public treatment"],
            "preventing crime, and police powers and public treatment",
        ),
    ],
)
def test_join_names(names: list[str], expected: str) -> None:
    from letters.source.english import join_names

    assert join_names(names) == expected
