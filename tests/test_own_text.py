"""A letter's own paragraphs name facts by placeholders; they never repeat a fact the data holds."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import DEFAULT_LETTER, MONTHS, ROOT, docx_lines, normalise

NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)


def _data(path: Path) -> dict[str, Any]:
    """Read a letter's data file as written, with plain YAML rather than the project's loader."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _day(value: object) -> dt.date:
    """Read a date as YAML gives it: a date, or text in ISO form if quoted."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _dates(value: object) -> set[str]:
    """Write a date the ways a person might type it: '30 March 2020', '30 March', '2020-03-30'."""
    day = _day(value)
    month = MONTHS[day.month - 1]
    return {f"{day.day} {month} {day.year}", f"{day.day} {month}", day.isoformat(), str(day.year)}


def _sums(value: object) -> set[str]:
    """Write a sum the ways a person might type it: '£86m', '£86 million', '£86,000,000', '86m'.

    Millions and billions to one decimal place, as the letters print them; the rest in full.
    """
    amount = Decimal(str(value))
    sums = {f"£{amount:,}"}
    for size, short, long in ((10**9, "bn", " billion"), (10**6, "m", " million")):
        if amount >= size:
            figure = f"{(amount / size).quantize(Decimal('0.1'), ROUND_HALF_UP)}".removesuffix(".0")
            sums |= {f"£{figure}{short}", f"£{figure}{long}"}
            break
    return sums | {written.removeprefix("£") for written in sums}


def _percentages(value: object) -> set[str]:
    """Write a share the ways a person might type it: '28%', '28 per cent', '28'."""
    figure = f"{Decimal(str(value)).normalize():f}"
    return {f"{figure}%", f"{figure} per cent", figure}


def _facts_as_written(path: Path) -> set[str]:
    """Collect every way the letter's facts, as its data file holds them, could be typed."""
    data = _data(path)
    report = data["report"]
    facts = {" ".join(str(grade).split()) for grade in report.get("grades", {}).values()}
    if data.get("target_grade"):
        facts.add(str(data["target_grade"]))
    count = len(report.get("areas_for_improvement", []))
    facts |= {str(count), NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)}
    facts |= _dates(data["letter"]["date"]) | _dates(report["published"])
    period = str(report.get("period", ""))
    facts |= {period, *period.split("/")}
    if data.get("savings"):
        savings = data["savings"]
        years = _day(data["letter"]["date"]).year - int(savings["since"])
        facts |= {str(savings["since"]), str(years)}
        facts |= _sums(savings["amount"]) | _percentages(savings["share_of_budget"])
    return facts


def pasted_facts(path: Path) -> list[str]:
    """List the facts the data holds that its own paragraphs write out instead of naming."""
    paragraphs = _data(path).get("paragraphs", {})
    own = [
        re.sub(r"\{[^{}]*\}", "", text)
        for text in (*paragraphs.get("body", []), *paragraphs.get("planned_activity", []))
    ]
    found = []
    for fact in sorted(_facts_as_written(path) - {""}):
        found += [fact for text in own if _standing_alone(fact).search(text)]
    return found


def _standing_alone(fact: str, flags: re.RegexFlag = re.I) -> re.Pattern[str]:
    """Match a fact as words of its own: '2010' in 'Since 2010,', not in '20101' or '1.2010'.

    In any case by default, since a person may type 'Outstanding' for 'outstanding'.
    """
    return re.compile(rf"(?<![\w.]){re.escape(fact)}(?![\w])", flags)


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "data" / "examples").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_own_text_names_no_fact_the_data_holds(path: Path) -> None:
    assert _data(path)["paragraphs"]["body"], "the letter has paragraphs of its own"
    assert pasted_facts(path) == []


#: Facts of the default letter as the test writes them, each printed so in the letter.
DEFAULT_FACTS = {
    "letter.date": "30 March 2020",
    "report.published": "7 February 2020",
    "savings.since": "2010",
    "savings.years": "10",
    "savings.amount": "£86m",
    "savings.share_of_budget": "28%",
    "report.period": "2018/2019",
    "target_grade": "outstanding",
}


def test_the_facts_are_written_as_the_letter_prints_them(built: dict[str, Path]) -> None:
    """Each form the test looks for is the one the letter prints, so pasting it is caught."""
    text = normalise(" ".join(docx_lines(built["docx"])))
    facts = _facts_as_written(DEFAULT_LETTER)
    for name, fact in DEFAULT_FACTS.items():
        assert fact in facts, (name, fact, sorted(facts))
        assert _standing_alone(fact, re.NOFLAG).search(text), (name, fact)


@pytest.mark.parametrize(
    ("placeholder", "pasted", "fact"),
    [
        ("Since {savings.since},", "Since 2010,", "2010"),
        ("over {savings.amount} of savings", "over £86m of savings", "£86m"),
        ("and {aspiration}.", "and move from a 'good' to 'outstanding'.", "good"),
        ("represents {savings.share_of_budget} of", "represents 28% of", "28%"),
        ("over {savings.amount} of savings", "over £86,000,000 of savings", "£86,000,000"),
        ("Since {savings.since},", "Since 7 February 2020,", "7 February 2020"),
        ("Since {savings.since},", "Since 30 March,", "30 March"),
    ],
)
def test_a_pasted_fact_is_caught(scratch: Path, placeholder: str, pasted: str, fact: str) -> None:
    data = scratch / "data" / "lancashire-2020-peel.yaml"
    text = data.read_text(encoding="utf-8")
    folded = re.sub(r"\s+", r"\\s+", re.escape(placeholder).replace("\\ ", " "))
    new, count = re.subn(folded, pasted, text, count=1)
    assert count == 1
    data.write_text(new, encoding="utf-8")
    assert fact in pasted_facts(data)
