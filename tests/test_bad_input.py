"""The bad-input corpus: one case for every kind of mistake, each run as a user runs it.

Each case goes through `letters build` and asserts exit status 1, the exact message (file, line,
column, field, what was expected, a hint) and that nothing was written to the output folder.
Fields that are each valid but do not fit together go through `letters check`; a broken house
style (templates/house-style.yaml) must be named with its line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, edit_yaml, position
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"


def replace(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return mutate


#: Where a message points in the broken letter: at(text) is the 'line:column' where text begins.
At = Callable[..., str]

#: name -> (how to break the default letter; the exact message, given where things are in it)
CASES: dict[str, tuple[Callable[[str], str], Callable[[At], str]]] = {
    "report address not https": (
        replace("  url: https://hmicfrs", "  url: javascript://hmicfrs"),
        lambda at: (
            f"{LETTER}:{at('javascript:')}: report.url: 'javascript://hmicfrs.justiceinspectorates"
            ".gov.uk/peel-assessments/peel-2018/lancashire/' is not a web page's address; give "
            "it as it is in the browser's address bar, starting https://, with no spaces"
        ),
    ),
    "report address with a quote": (
        replace("peel-2018/lancashire/", 'peel-2018/lancashire/"onmouseover=x'),
        lambda at: (
            f"{LETTER}:{at('https://hmicfrs')}: report.url: 'https://hmicfrs.justiceinspectorates"
            ".gov.uk/peel-assessments/peel-2018/lancashire/\"onmouseover=x' is not a web "
            "page's address; give it as it is in the browser's address bar, starting https://, "
            "with no spaces"
        ),
    ),
    "unknown key": (
        replace("\nrecipient:", "\nrecipent:"),
        lambda at: (
            f"{LETTER}:{at('recipent:')}: recipent: unknown field 'recipent'"
            " (did you mean 'recipient'?)"
        ),
    ),
    "grade typo": (
        replace("efficiency: outstanding", "efficiency: outstandin"),
        lambda at: (
            f"{LETTER}:{at('outstandin', after='efficiency: ')}: report.grades.efficiency:"
            " 'outstandin' is not a grade of the 2018/19 integrated PEEL framework;"
            " expected outstanding, good, requires improvement or inadequate"
            " (did you mean 'outstanding'?)"
        ),
    ),
    "target grade": (
        replace("target_grade: outstanding", "target_grade: excellent"),
        lambda at: (
            f"{LETTER}:{at('excellent')}: target_grade: 'excellent' is not a grade of the"
            " 2018/19 integrated PEEL framework;"
            " expected outstanding, good, requires improvement or inadequate"
        ),
    ),
    "unknown pillar": (
        replace("    legitimacy: good\n", "    legitmacy: good\n"),
        lambda at: (
            f"{LETTER}:{at('grades:')}: report.grades: no grade for legitimacy;"
            " the 2018/19 integrated PEEL framework grades every pillar\n"
            f"{LETTER}:{at('legitmacy:')}: report.grades.legitmacy: 'legitmacy' is not a pillar of"
            " the 2018/19 integrated PEEL framework;"
            " expected effectiveness, efficiency or legitimacy (did you mean 'legitimacy'?)"
        ),
    ),
    "unknown report kind": (
        replace("kind: integrated-peel-2018", "kind: integrated-peel"),
        lambda at: (
            f"{LETTER}:{at('integrated-peel', after='kind: ')}: report.kind:"
            " 'integrated-peel' is not a report kind of data/reference/frameworks.yaml;"
            " expected annual-assessment, force-inspection, hmic-thematic, integrated-peel-2018,"
            " joint, peel-2014, peel-2021, peel-2023, peel-2025, spotlight or thematic"
            " (did you mean 'integrated-peel-2018'?)"
        ),
    ),
    "date that does not exist": (
        replace("date: 2020-03-30", "date: 2020-02-30"),
        lambda at: (
            f"{LETTER}:{at('2020-02-30')}: letter.date: '2020-02-30' is not a date;"
            " expected a real date written YYYY-MM-DD, for example 2020-03-30"
        ),
    ),
    "date in another form": (
        replace("published: 2020-02-07", "published: 7 February 2020"),
        lambda at: (
            f"{LETTER}:{at('7 February 2020')}: report.published: '7 February 2020'"
            " is not a date; expected a real date written YYYY-MM-DD, for example 2020-03-30"
        ),
    ),
    "date written the British way": (
        replace("published: 2020-02-07", "published: 07/02/2020"),
        lambda at: (
            f"{LETTER}:{at('07/02/2020')}: report.published: '07/02/2020' is not a date;"
            " expected a real date written YYYY-MM-DD, for example 2020-03-30"
            " (did you mean 2020-02-07?)"
        ),
    ),
    "text where a list belongs": (
        replace(
            "  address:\n    - Home Office\n    - 2 Marsham Street\n    - London\n    - SW1P 4DF\n",
            "  address: Home Office, 2 Marsham Street, London SW1P 4DF\n",
        ),
        lambda at: (
            f"{LETTER}:{at('Home Office, ')}: recipient.address: expected a list,"
            " got 'Home Office, 2 Marsham Street, London SW1P 4DF'"
        ),
    ),
    "a list where text belongs": (
        replace("  title: Home Secretary\n", "  title: [Home Secretary]\n"),
        lambda at: f"{LETTER}:{at('[Home Secretary]')}: recipient.title: expected text, got a list",
    ),
    "not a number": (
        replace("  since: 2010", "  since: twenty ten"),
        lambda at: (
            f"{LETTER}:{at('twenty ten')}: savings.since: expected a whole number, got 'twenty ten'"
        ),
    ),
    "empty required text": (
        replace("  name: Priti Patel\n", "  name: ''\n"),
        lambda at: LETTER + ":" + at("''", after="name: ") + ": recipient.name: must not be empty",
    ),
    "control character": (
        replace("  name: Priti Patel\n", '  name: "Priti\\x07Patel"\n'),
        lambda at: (
            LETTER + ":" + at('"Priti') + ": recipient.name: contains U+0007, a control character"
            " or noncharacter, which cannot be printed; delete it"
        ),
    ),
    "duplicate key": (
        replace(
            "  title: Home Secretary\n", "  title: Home Secretary\n  title: Secretary of State\n"
        ),
        lambda at: (
            f"{LETTER}:{at('title: Secretary of State')}: recipient.title: duplicate key"
            f" 'title' (first given on line {at('title: Home Secretary').split(':')[0]})"
        ),
    ),
    "unknown placeholder": (
        replace("{savings.since}, the", "{savings.sinse}, the"),
        lambda at: (
            LETTER
            + ":"
            + at(">-\n      I am pleased")
            + ": paragraphs.body[0]: {savings.sinse} is not a fact"
            " this letter can name (did you mean {savings.since}?);"
            " it can name {afi_count}, {afi_total}, {area}, {aspiration}, {cause_count},"
            " {cause_total}, {chief_officer}, {for_chief_constables}, {force}, {inspectorate},"
            " {recommendation_count}, {recommendation_total}, {report.published},"
            " {report.title}, {savings.amount}, {savings.share_of_budget}, {savings.since},"
            " {savings.years}"
        ),
    ),
    "office outside the project": (
        replace("office: offices/lancashire-pcc.yaml", "office: ../../../etc/passwd"),
        lambda at: (
            f"{LETTER}:{at('../../../etc/passwd')}: office: '../../../etc/passwd'"
            " lies outside the project folder {root}"
        ),
    ),
    "office file missing": (
        replace("office: offices/lancashire-pcc.yaml", "office: offices/lancs.yaml"),
        lambda at: (
            f"{LETTER}:{at('offices/lancs.yaml')}: office: no office file at"
            " 'offices/lancs.yaml' (looked for {root}/data/offices/lancs.yaml)"
        ),
    ),
    "yaml syntax": (
        replace("  title: Home Secretary\n", "  title: Home Secretary\n   name: x\n"),
        lambda at: (
            f"{LETTER}:{at(': x', after='   name')}: a colon followed by a space inside a"
            " value: put the value in quotes if it holds ': ' (title: \"Police performance:"
            " Getting a grip\"), or check this line's indent"
        ),
    ),
}

#: The copied letter's status (a draft, as conftest.copy_of_project makes it), which a case
#: below replaces with the status it tests.
DRAFT = "status:\n  state: draft\n"
STATUS = (
    "status:\n"
    "  state: sent\n"
    "  approved_by: Clive Grunshaw\n"
    "  approved_on: 2020-03-30\n"
    "  sent_on: 2020-03-30\n"
)
RECIPIENT = (
    "recipient:\n  honorific: Rt Hon\n  name: Priti Patel\n  title: Home Secretary\n"
    "  address:\n    - Home Office\n    - 2 Marsham Street\n    - London\n    - SW1P 4DF\n\n"
)

#: name -> (how to break the default letter; the exact message `letters check` gives):
#: what each field holds is right, but the fields do not fit together.
CHECK_CASES: dict[str, tuple[Callable[[str], str], Callable[[At], str]]] = {
    "approved without who and when": (
        replace(DRAFT, "status:\n  state: approved\n"),
        lambda at: (
            f"{LETTER}:{at('state: approved')}: status: a letter that is approved needs"
            " approved_by and approved_on"
        ),
    ),
    "sent without who approved it": (
        replace(DRAFT, STATUS.replace("  approved_by: Clive Grunshaw\n", "")),
        lambda at: (
            f"{LETTER}:{at('state: sent')}: status: a letter that is sent needs"
            " approved_by and approved_on"
        ),
    ),
    "sent_on but not sent": (
        replace(DRAFT, STATUS.replace("  state: sent\n", "  state: approved\n")),
        lambda at: (
            f"{LETTER}:{at('state: approved')}: status: sent_on is for a letter whose state is sent"
        ),
    ),
    "a letter without a recipient": (
        replace(RECIPIENT, ""),
        lambda at: (
            f"{LETTER}:{at('office:')}: a letter needs a recipient (or set layout: statement)"
        ),
    ),
    "a language listed twice": (
        replace("\nletter:\n", "\nlanguages: [en, en]\n\nletter:\n"),
        lambda at: f"{LETTER}:{at('office:')}: each language is listed once in languages",
    ),
    "Welsh without its wording": (
        replace("\nletter:\n", "\nlanguages: [cy, en]\n\nletter:\n"),
        lambda at: (
            f"{LETTER}:{at('office:')}: a letter in Welsh needs its Welsh wording under cy:"
            " and its office's under the office file's cy:"
        ),
    ),
}

#: name -> (the bytes of a new file, data/bad.yaml; the exact message)
FILE_CASES: dict[str, tuple[bytes, str]] = {
    "unclosed bracket": (
        b"recipient: [\n",
        "data/bad.yaml:2:1: the file ends in the middle of a value: a bracket or quote before"
        " here is not closed, or a field has nothing after its colon",
    ),
    "unclosed quote": (
        b'report:\n  title: "Police performance: Getting a grip\n  kind: spotlight\n',
        "data/bad.yaml:2:10: a quote opened here is never closed; close it at the end of the value",
    ),
    "unclosed bracket in a line": (
        b"report:\n  grades: [good\n  kind: spotlight\n",
        "data/bad.yaml:2:11: a [ opened here is never closed with ]; or put text holding [ or ] in"
        " quotes",
    ),
    "a tab": (
        b"report:\n\ttitle: x\n",
        "data/bad.yaml:2:1: a tab: YAML indents with spaces only; replace the tab with spaces",
    ),
    "a list item out of line": (
        b"copy_to:\n  - one\n - two\n",
        "data/bad.yaml:3:2: this line is indented differently from the lines around it: a field"
        " lines up with the fields beside it, and a list item ('- ') with the other items of its"
        " list",
    ),
    "empty file": (b"", "data/bad.yaml: the file is empty; expected the fields of a letter"),
    "only comments": (
        b"# nothing yet\n",
        "data/bad.yaml: the file is empty; expected the fields of a letter",
    ),
    "not a mapping": (
        b"- a list\n",
        "data/bad.yaml:1:1: expected a mapping of field names to values at the top of the file",
    ),
    "not UTF-8": (
        b"name: Caf\xe9\n",
        "data/bad.yaml: the file is not UTF-8 text (byte 10 cannot be decoded); save it as UTF-8",
    ),
    "python tag": (
        b"x: !!python/object/apply:os.system [ls]\n",
        "data/bad.yaml:1:4: the tag '!!python/object/apply:os.system' is not allowed;"
        " data files hold plain text, lists and mappings",
    ),
    "anchor and alias": (
        b"a: &x [1, 2]\nb: *x\n",
        "data/bad.yaml:2:4: anchors and aliases (&name, *name) are not allowed;"
        " write the value out",
    ),
    "huge file": (
        b"a: " + b"x" * 1_500_000 + b"\n",
        "data/bad.yaml: the file is 1,500,004 bytes; a letter's data is at most 400,000 (is this"
        " the file you meant?)",
    ),
}


def _build_fails(
    scratch: Path, target: Path, monkeypatch: pytest.MonkeyPatch, expected: str
) -> None:
    """Build `target` as a user would; assert exit 1, exactly `expected` and nothing written."""
    out = scratch / "out"
    out.mkdir()
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, ["build", str(target.relative_to(scratch)), "--out", "out"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == expected.replace("{root}", str(scratch)) + "\n"
    assert list(out.iterdir()) == [], "nothing written"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input(case: str, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mutation, expected = CASES[case]
    target = scratch / LETTER
    target.write_text(mutation(target.read_text(encoding="utf-8")), encoding="utf-8")
    at = partial(position, target)
    _build_fails(scratch, target, monkeypatch, expected(at))


@pytest.mark.parametrize("case", CHECK_CASES, ids=list(CHECK_CASES))
def test_fields_that_do_not_fit_together(
    case: str, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mutation, expected = CHECK_CASES[case]
    target = scratch / LETTER
    target.write_text(mutation(target.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, ["check", LETTER])
    assert result.exit_code == 1
    assert result.stdout == f"{LETTER}: fails: 1 error\n"  # the verdict, as for any letter
    assert result.stderr == expected(partial(position, target)) + "\n"


@pytest.mark.parametrize("case", FILE_CASES, ids=list(FILE_CASES))
def test_bad_file(case: str, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, expected = FILE_CASES[case]
    target = scratch / "data" / "bad.yaml"
    target.write_bytes(content)
    _build_fails(scratch, target, monkeypatch, expected)


def test_a_missing_file(scratch: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", str(scratch / "data" / "nope.yaml"), "--out", str(scratch / "out")]
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"{scratch}/data/nope.yaml: cannot read the file: No such file or directory\n"
    )
    assert not (scratch / "out").exists()


STYLE = "templates/house-style.yaml"


def _build_with_style(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> tuple[Path, str]:
    """Break the house style as given and build the default letter; return the style and stderr."""
    style = scratch / STYLE
    edit_yaml(style, old, new)
    out = scratch / "out"
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, ["build", LETTER, "--out", "out"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert not out.exists() or list(out.iterdir()) == [], "nothing written"
    return style, result.stderr


@pytest.mark.parametrize(
    ("old", "new", "field", "explained"),
    [
        (
            "  margin_top: 18mm\n",
            "  margin_top: 18 cm\n",
            "page.margin_top",
            "expected a length such as 18mm or 11pt, got '18 cm'",
        ),
        (
            '  accent: "#1d3557"',
            '  accent: "navy blue"',
            "colours.accent",
            "expected a colour written #rrggbb, got 'navy blue'",
        ),
    ],
    ids=["length in cm", "colour by name"],
)
def test_a_bad_house_style_value_names_the_file_and_line(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, field: str, explained: str
) -> None:
    style, stderr = _build_with_style(scratch, monkeypatch, old, new)
    value = new.split(": ", 1)[1].strip()
    [message] = stderr.splitlines()
    assert message.startswith(f"{STYLE}:{position(style, value)}: {field}: ")
    assert message.endswith(explained)


def test_an_unknown_house_style_key_names_the_file_and_line(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    style, stderr = _build_with_style(
        scratch, monkeypatch, "  space_after: 8pt\n", "  space_after: 8pt\n  kerning: tight\n"
    )
    line = position(style, "kerning: tight").split(":")[0]
    [message] = stderr.splitlines()
    assert message.startswith(f"{STYLE}:{line}:")
    assert ": text.kerning: " in message
