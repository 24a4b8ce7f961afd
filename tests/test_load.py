"""Bad input gets one clear message per problem: file, line, column, field, what was expected, a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, edit_yaml
from letters.errors import DataError
from letters.load import load_source
from letters.validate import load_letter


def _problems(path: Path, root: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_letter(path, root)
    return [str(problem).replace(str(path), "LETTER") for problem in caught.value.problems]


def test_the_default_letter_keeps_text_as_text() -> None:
    letter = load_letter(DEFAULT_LETTER).letter
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
        "LETTER:4:1: recipient: this field is required but missing",
        "LETTER:6:1: recipent: unknown field 'recipent'; expected office, recipient, letter, force, report, target_grade, savings or paragraphs (did you mean 'recipient'?)",
        "LETTER:17:9: letter.date: '2020-02-30' is not a date; expected a real date written YYYY-MM-DD, for example 2020-03-30",
        "LETTER:32:17: report.grades.efficiency: 'outstandin' is not a grade of the 2018/19 integrated PEEL framework; expected outstanding, good, requires improvement or inadequate (did you mean 'outstanding'?)",
        "LETTER:51:10: savings.since: expected a whole number, got 'twenty'",
    ]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    legitimacy: good\n", "    legitimacey: good\n",
     ["LETTER:33:5: report.grades.legitimacey: 'legitimacey' is not a pillar of the 2018/19 integrated PEEL framework; expected effectiveness, efficiency or legitimacy (did you mean 'legitimacy'?)",
      "LETTER:30:3: report.grades: no grade for legitimacy; the 2018/19 integrated PEEL framework grades every pillar"]),
    ("  name: Priti Patel\n", "  name: ''\n", ["LETTER:8:9: recipient.name: must not be empty"]),
    ("  address:\n    - Home Office", "  address: Home Office\n  x:\n    - Home Office",
     ["LETTER:10:12: recipient.address: expected a list, got 'Home Office'", "LETTER:11:3: recipient.x: unknown field 'x'; expected honorific, name, title, address or salutation"]),
    ("  name: Priti Patel\n", "  name: \"Priti\\x01Patel\"\n",
     ["LETTER:8:9: recipient.name: contains the control character U+0001, which cannot be printed; delete it"]),
    ("kind: integrated-peel-2018", "kind: peel-2018", ["LETTER:27:9: report.kind: 'peel-2018' is not a report kind this tool knows; expected integrated-peel-2018 (did you mean 'integrated-peel-2018'?)"]),
    ("office: offices/lancashire-pcc.yaml", "office: ../../etc/passwd", None),
])
def test_each_kind_of_bad_value(scratch: Path, old: str, new: str, expected: list[str] | None) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(data, old, new)
    problems = _problems(data, scratch)
    if expected is None:
        assert problems == [f"LETTER:4:9: office: '../../etc/passwd' lies outside the project folder {scratch}"]
    else:
        assert sorted(problems) == sorted(expected)


def test_problems_in_the_office_file_point_at_the_office_file(scratch: Path) -> None:
    office = scratch / "data" / "offices" / "lancashire-pcc.yaml"
    edit_yaml(office, "  please_ask_for: Clive Grunshaw\n", "  please_ask: Clive Grunshaw\n")
    problems = _problems(scratch / "data" / DEFAULT_LETTER.name, scratch)
    shown = [p.replace(str(office), "OFFICE") for p in problems]
    assert shown == [
        "OFFICE:9:1: office.contact.please_ask_for: this field is required but missing",
        "OFFICE:10:3: office.contact.please_ask: unknown field 'please_ask'; expected please_ask_for, telephone or email (did you mean 'please_ask_for'?)",
    ]


@pytest.mark.parametrize(("content", "expected"), [
    (b"", "LETTER: the file is empty; expected the fields of a letter"),
    (b"- a list\n", "LETTER:1:1: expected a mapping of field names to values at the top of the file"),
    (b"recipient: [\n", "LETTER:2:1: YAML syntax error: expected the node content, but found '<stream end>'"),
    (b"a: 1\nb: 2\na: 3\n", "LETTER:3:1: a: duplicate key 'a' (first given on line 1)"),
    (b"x: !!python/object/apply:os.system [ls]\n", "LETTER:1:4: the tag '!!python/object/apply:os.system' is not allowed; data files hold plain text, lists and mappings"),
    (b"a: &x [1, 2]\nb: *x\n", "LETTER:2:4: anchors and aliases (&name, *name) are not allowed; write the value out"),
    (b"name: Caf\xe9\n", "LETTER: the file is not UTF-8 text (byte 10 cannot be decoded); save it as UTF-8"),
])
def test_unreadable_files(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "letter.yaml"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        load_source(path)
    assert [str(p).replace(str(path), "LETTER") for p in caught.value.problems] == [expected]


def test_an_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as caught:
        load_source(path)
    assert all("anchors and aliases" in str(p) for p in caught.value.problems)


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"a: " + b"x" * 2_000_000 + b"\n")
    with pytest.raises(DataError, match="the file is 2,000,004 bytes; a letter's data is at most 1,000,000"):
        load_source(path)
