"""The bad-input corpus: one case for every kind of mistake, each through `letters build` as a user runs it.

Each case asserts exit status 1, the exact message (file, line, column, field, what was expected,
a hint) and that nothing was written to the output folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"


def replace(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return mutate


#: name -> (how to break the default letter, or the bytes of a new file; the exact message)
CASES: dict[str, tuple[Callable[[str], str] | bytes, str]] = {
    "unknown key": (replace("\nrecipient:", "\nrecipent:"),
                    f"{LETTER}:6:1: recipent: unknown field 'recipent' (did you mean 'recipient'?)"),
    "grade typo": (replace("efficiency: outstanding", "efficiency: outstandin"),
                   f"{LETTER}:32:17: report.grades.efficiency: 'outstandin' is not a grade of the 2018/19 integrated PEEL framework; expected outstanding, good, requires improvement or inadequate (did you mean 'outstanding'?)"),
    "target grade": (replace("target_grade: outstanding", "target_grade: excellent"),
                     f"{LETTER}:48:15: target_grade: 'excellent' is not a grade of the 2018/19 integrated PEEL framework; expected outstanding, good, requires improvement or inadequate"),
    "unknown pillar": (replace("    legitimacy: good\n", "    legitmacy: good\n"),
                       f"{LETTER}:30:3: report.grades: no grade for legitimacy; the 2018/19 integrated PEEL framework grades every pillar\n"
                       f"{LETTER}:33:5: report.grades.legitmacy: 'legitmacy' is not a pillar of the 2018/19 integrated PEEL framework; expected effectiveness, efficiency or legitimacy (did you mean 'legitimacy'?)"),
    "unknown report kind": (replace("kind: integrated-peel-2018", "kind: integrated-peel"),
                            f"{LETTER}:27:9: report.kind: 'integrated-peel' is not a report kind this tool knows; expected integrated-peel-2018, joint, peel-2021, peel-2023, spotlight or thematic (did you mean 'integrated-peel-2018'?)"),
    "date that does not exist": (replace("date: 2020-03-30", "date: 2020-02-30"),
                                 f"{LETTER}:17:9: letter.date: '2020-02-30' is not a date; expected a real date written YYYY-MM-DD, for example 2020-03-30"),
    "date in another form": (replace("published: 2020-02-07", "published: 7 February 2020"),
                             f"{LETTER}:28:14: report.published: '7 February 2020' is not a date; expected a real date written YYYY-MM-DD, for example 2020-03-30"),
    "date written the British way": (replace("published: 2020-02-07", "published: 07/02/2020"),
                                     f"{LETTER}:28:14: report.published: '07/02/2020' is not a date; expected a real date written YYYY-MM-DD, for example 2020-03-30 (did you mean 2020-02-07?)"),
    "text where a list belongs": (replace("  address:\n    - Home Office\n    - 2 Marsham Street\n    - London\n    - SW1P 4DF\n", "  address: Home Office, 2 Marsham Street, London SW1P 4DF\n"),
                                  f"{LETTER}:10:12: recipient.address: expected a list, got 'Home Office, 2 Marsham Street, London SW1P 4DF'"),
    "a list where text belongs": (replace("  title: Home Secretary\n", "  title: [Home Secretary]\n"),
                                  f"{LETTER}:9:10: recipient.title: expected text, got a list"),
    "not a number": (replace("  since: 2010", "  since: twenty ten"),
                     f"{LETTER}:51:10: savings.since: expected a whole number, got 'twenty ten'"),
    "empty required text": (replace("  name: Priti Patel\n", "  name: ''\n"), f"{LETTER}:8:9: recipient.name: must not be empty"),
    "control character": (replace("  name: Priti Patel\n", '  name: "Priti\\x07Patel"\n'),
                          f"{LETTER}:8:9: recipient.name: contains the control character U+0007, which cannot be printed; delete it"),
    "duplicate key": (replace("  title: Home Secretary\n", "  title: Home Secretary\n  title: Secretary of State\n"),
                      f"{LETTER}:10:3: recipient.title: duplicate key 'title' (first given on line 9)"),
    "unknown placeholder": (replace("{savings.since}, the", "{savings.sinse}, the"),
                            f"{LETTER}:62:7: paragraphs.body[0]: {{savings.sinse}} is not a fact this letter can name (did you mean {{savings.since}}?); it can name {{afi_count}}, {{area}}, {{aspiration}}, {{cause_count}}, {{chief_officer}}, {{force}}, {{inspectorate}}, {{recommendation_count}}, {{savings.amount}}, {{savings.share_of_budget}}, {{savings.since}}, {{savings.years}}"),
    "office outside the project": (replace("office: offices/lancashire-pcc.yaml", "office: ../../../etc/passwd"),
                                   f"{LETTER}:4:9: office: '../../../etc/passwd' lies outside the project folder {{root}}"),
    "office file missing": (replace("office: offices/lancashire-pcc.yaml", "office: offices/lancs.yaml"),
                            f"{LETTER}:4:9: office: no office file at 'offices/lancs.yaml' (looked for {{root}}/data/offices/lancs.yaml)"),
    "yaml syntax": (replace("  title: Home Secretary\n", "  title: Home Secretary\n   name: x\n"),
                    f"{LETTER}:10:8: YAML syntax error: mapping values are not allowed here"),
    "unclosed bracket": (b"recipient: [\n", "data/bad.yaml:2:1: YAML syntax error: expected the node content, but found '<stream end>'"),
    "empty file": (b"", "data/bad.yaml: the file is empty; expected the fields of a letter"),
    "only comments": (b"# nothing yet\n", "data/bad.yaml: the file is empty; expected the fields of a letter"),
    "not a mapping": (b"- a list\n", "data/bad.yaml:1:1: expected a mapping of field names to values at the top of the file"),
    "not UTF-8": (b"name: Caf\xe9\n", "data/bad.yaml: the file is not UTF-8 text (byte 10 cannot be decoded); save it as UTF-8"),
    "python tag": (b"x: !!python/object/apply:os.system [ls]\n", "data/bad.yaml:1:4: the tag '!!python/object/apply:os.system' is not allowed; data files hold plain text, lists and mappings"),
    "anchor and alias": (b"a: &x [1, 2]\nb: *x\n", "data/bad.yaml:2:4: anchors and aliases (&name, *name) are not allowed; write the value out"),
    "huge file": (b"a: " + b"x" * 1_500_000 + b"\n", "data/bad.yaml: the file is 1,500,004 bytes; a letter's data is at most 1,000,000"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input(case: str, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mutation, expected = CASES[case]
    if isinstance(mutation, bytes):
        target = scratch / "data" / "bad.yaml"
        target.write_bytes(mutation)
    else:
        target = scratch / LETTER
        target.write_text(mutation(target.read_text(encoding="utf-8")), encoding="utf-8")
    out = scratch / "out"
    out.mkdir()
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, ["build", str(target.relative_to(scratch)), "--out", "out"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected.replace("{root}", str(scratch)) + "\n"
    assert list(out.iterdir()) == [], "nothing written"


def test_a_missing_file(scratch: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(scratch / "data" / "nope.yaml"), "--out", str(scratch / "out")])
    assert result.exit_code == 1
    assert result.stderr == f"{scratch}/data/nope.yaml: cannot read the file: No such file or directory\n"
    assert not (scratch / "out").exists()
