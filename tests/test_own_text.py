"""A letter's own paragraphs name facts by placeholders; they never repeat a fact the data holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from letters.source.english import money, percent, uk_date
from letters.source.validate import load_letter

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


def _facts_as_written(path: Path, root: Path) -> set[str]:
    """Collect every way the letter's facts could be written into its text."""
    letter = load_letter(path, root).letter
    report = letter.report
    facts = set(report.grades.values())
    if letter.target_grade:
        facts.add(letter.target_grade)
    count = len(report.areas_for_improvement)
    facts |= {str(count), NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)}
    for day in (letter.letter.date, report.published):
        facts |= {
            uk_date(day),
            day.isoformat(),
            str(day.year),
            f"{day.day} {uk_date(day).split()[1]}",
        }
    facts |= {report.period, *report.period.split("/")}
    if letter.savings:
        savings = letter.savings
        facts |= {
            str(savings.since),
            money(savings.amount),
            money(savings.amount).lstrip("£"),
            percent(savings.share_of_budget),
            percent(savings.share_of_budget).rstrip("%"),
            str(letter.letter.date.year - savings.since),
        }
    return facts


def pasted_facts(path: Path, root: Path = ROOT) -> list[str]:
    """List the facts the data holds that its own paragraphs write out instead of naming."""
    letter = load_letter(path, root).letter
    own = [
        re.sub(r"\{[^{}]*\}", "", text)
        for text in (*letter.paragraphs.body, *letter.paragraphs.planned_activity)
    ]
    found = []
    for fact in sorted(_facts_as_written(path, root) - {""}):
        pattern = re.compile(rf"(?<![\w.]){re.escape(fact)}(?![\w])", re.I)
        found += [fact for text in own if pattern.search(text)]
    return found


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "data" / "examples").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_own_text_names_no_fact_the_data_holds(path: Path) -> None:
    assert load_letter(path, ROOT).letter.paragraphs.body, "the letter has paragraphs of its own"
    assert pasted_facts(path) == []


@pytest.mark.parametrize(
    ("placeholder", "pasted", "fact"),
    [
        ("Since {savings.since},", "Since 2010,", "2010"),
        ("over {savings.amount} of savings", "over £86m of savings", "£86m"),
        ("and {aspiration}.", "and move from a 'good' to 'outstanding'.", "good"),
    ],
)
def test_a_pasted_fact_is_caught(scratch: Path, placeholder: str, pasted: str, fact: str) -> None:
    data = scratch / "data" / "lancashire-2020-peel.yaml"
    text = data.read_text(encoding="utf-8")
    folded = re.sub(r"\s+", r"\\s+", re.escape(placeholder).replace("\\ ", " "))
    new, count = re.subn(folded, pasted, text, count=1)
    assert count == 1
    data.write_text(new, encoding="utf-8")
    assert fact in pasted_facts(data, scratch)
