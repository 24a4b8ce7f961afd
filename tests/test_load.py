"""Loading: text stays text, every problem is found in one run, alias bombs fail fast.

The corpus of bad input is test_bad_input.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, ROOT, edit_yaml, position
from letters.source.errors import DataError
from letters.source.load import load_source
from letters.source.validate import load_letter


def _problems(path: Path, root: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_letter(path, root)
    return [str(problem).replace(str(path), "LETTER") for problem in caught.value.problems]


def test_grades_are_read_whatever_their_case(scratch: Path) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(data, "legitimacy: good", "legitimacy: Good")
    edit_yaml(data, "target_grade: outstanding", "target_grade: 'Outstanding '")
    letter = load_letter(data, scratch).letter
    assert letter.report.grades["legitimacy"] == "good" and letter.target_grade == "outstanding"


def test_the_default_letter_keeps_text_as_text() -> None:
    letter = load_letter(DEFAULT_LETTER, ROOT).letter
    assert letter.office.contact.telephone == "01772.533587"
    assert letter.letter.our_ref == ""
    assert letter.report.period == "2018/2019"


def test_every_problem_in_the_file_is_reported_at_its_line(scratch: Path) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(data, "\nrecipient:", "\nrecipent:")
    edit_yaml(data, "date: 2020-03-30", "date: 2020-02-30")
    edit_yaml(data, "efficiency: outstanding", "efficiency: outstandin")
    edit_yaml(data, "  since: 2010", "  since: twenty")
    assert _problems(data, scratch) == [
        f"LETTER:{position(data, 'recipent:')}: recipent: unknown field 'recipent'"
        " (did you mean 'recipient'?)",
        f"LETTER:{position(data, '2020-02-30')}: letter.date: '2020-02-30' is not a date;"
        " expected a real date written YYYY-MM-DD, for example 2020-03-30",
        f"LETTER:{position(data, 'outstandin', after='efficiency: ')}: report.grades.efficiency:"
        " 'outstandin' is not a grade of the 2018/19 integrated PEEL framework;"
        " expected outstanding, good, requires improvement or inadequate"
        " (did you mean 'outstanding'?)",
        f"LETTER:{position(data, 'twenty')}: savings.since: expected a whole number, got 'twenty'",
    ]


def test_problems_in_the_office_file_point_at_the_office_file(scratch: Path) -> None:
    office = scratch / "data" / "offices" / "lancashire-pcc.yaml"
    edit_yaml(office, "  please_ask_for: Clive Grunshaw\n", "  please_ask: Clive Grunshaw\n")
    problems = _problems(scratch / "data" / DEFAULT_LETTER.name, scratch)
    shown = [p.replace(str(office), "OFFICE") for p in problems]
    assert shown == [
        f"OFFICE:{position(office, 'contact:')}: office.contact.please_ask_for:"
        " this field is required but missing",
        f"OFFICE:{position(office, 'please_ask:')}: office.contact.please_ask:"
        " unknown field 'please_ask'; expected please_ask_for, telephone, email or direct_line"
        " (did you mean 'please_ask_for'?)",
    ]


def test_an_alias_bomb_fails_fast_and_small(tmp_path: Path) -> None:
    import time
    import tracemalloc

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(DataError) as caught:
        load_source(path, tmp_path)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [str(p).replace(str(path), "BOMB") for p in caught.value.problems] == [
        "BOMB:2:10: anchors and aliases (&name, *name) are not allowed; write the value out"
    ]
    assert elapsed < 1 and peak < 5_000_000, (elapsed, peak)
