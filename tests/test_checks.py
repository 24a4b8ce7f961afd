"""`letters check`: the section 55 deadline, responses, figures, the recipient, postal details."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, ROOT, SENT_STATUS, edit_yaml, position, run
from letters.build.prepare import prepare
from letters.build.project import Project
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"
TODAY = dt.date(2026, 11, 26)


def _findings(root: Path, today: dt.date = TODAY) -> list[str]:
    examined = prepare(root / LETTER, Project(root), today)
    return [str(f).replace(str(root) + "/", "") for f in examined.results]


def _at(root: Path, text: str, occurrence: int = 1, after: str = "") -> str:
    """Return 'LETTER:line:column' of `text` in the letter under `root`."""
    return f"{LETTER}:{position(root / LETTER, text, occurrence, after=after)}"


def test_the_default_letter_meets_the_deadline() -> None:
    assert _findings(ROOT) == [
        f"{_at(ROOT, '2020-03-30', after='date: ')}: note: letter.date: section 55 deadline met:"
        " comments published 30 March 2020 (the letter's date);"
        " the 56 days from the report's publication on 7 February 2020 end on 2 April 2020"
        " (3 days to spare)"
    ]


def _publish(root: Path, day: str, reason: str = "") -> None:
    extra = f"  published: {day}\n" + (f"  delay_reason: {reason}\n" if reason else "")
    edit_yaml(root / LETTER, '  our_ref: ""\n', '  our_ref: ""\n' + extra)


def test_published_on_the_last_day_is_in_time(scratch: Path) -> None:
    _publish(scratch, "2020-04-02")
    assert _findings(scratch) == [
        f"{_at(scratch, '2020-04-02')}: note: letter.published: section 55 deadline met:"
        " comments published 2 April 2020;"
        " the 56 days from the report's publication on 7 February 2020 end on 2 April 2020"
        " (0 days to spare)"
    ]


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (SENT_STATUS, "Record why it was late under letter.delay_reason"),
        ("status:\n  state: draft\n", "Publish it now, and record why under letter.delay_reason"),
    ],
    ids=["sent", "draft"],
)
def test_published_the_day_after_is_late(scratch: Path, status: str, advice: str) -> None:
    # the copy's letter is a draft; the check reads the data alone, so it may say sent
    edit_yaml(scratch / LETTER, "status:\n  state: draft\n", status)
    _publish(scratch, "2020-04-03")
    assert _findings(scratch) == [
        f"{_at(scratch, '2020-04-03')}: warning: letter.published: comments published 3 April"
        " 2020, 1 day after the section 55 deadline;"
        " the 56 days from the report's publication on 7 February 2020 end on 2 April 2020."
        f" {advice}"
    ]


def test_late_with_a_recorded_reason_is_a_note(scratch: Path) -> None:
    _publish(scratch, "2020-04-20", "The office closed for the pandemic lockdown.")
    assert _findings(scratch) == [
        f"{_at(scratch, 'The office closed')}: note: letter.delay_reason:"
        " comments published 20 April 2020, 18 days after the section 55 deadline;"
        " the 56 days from the report's publication on 7 February 2020 end on 2 April 2020."
        " Reason recorded: The office closed for the pandemic lockdown."
    ]


def test_a_letter_dated_before_the_report_is_an_error(scratch: Path) -> None:
    edit_yaml(scratch / LETTER, "date: 2020-03-30", "date: 2020-01-30")
    findings = _findings(scratch)
    assert findings[0].startswith(
        f"{_at(scratch, '2020-01-30')}: error: letter.date: the comments are dated 30 January 2020"
        " (the letter's date), before the report was published on 7 February 2020"
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (
            dt.date(2020, 3, 1),
            "not yet published: 32 days left to publish"
            " (last day 2 April 2020, today 1 March 2020)",
        ),
        (
            dt.date(2020, 4, 1),
            "not yet published: 1 day left to publish (last day 2 April 2020, today 1 April 2020)",
        ),
        (
            dt.date(2020, 4, 2),
            "not yet published: 0 days left to publish (last day 2 April 2020, today 2 April 2020)",
        ),
    ],
)
def test_today_shows_the_days_left(today: dt.date, expected: str) -> None:
    at = _at(ROOT, "2020-03-30", after="date: ")
    assert _findings(ROOT, today)[-1] == f"{at}: note: letter.date: {expected}"


def test_today_never_makes_a_letter_fail() -> None:
    late_today = prepare(DEFAULT_LETTER, Project(ROOT), dt.date(2031, 1, 1))
    assert [f.severity for f in late_today.results] == ["note"]


def _redate(scratch: Path, day: str) -> None:
    """Date the letter `day` (YYYY-MM-DD): the copy's letter is a draft, with no approval yet."""
    edit_yaml(scratch / LETTER, "date: 2020-03-30", f"date: {day}")


def test_a_report_before_the_rule_gets_a_note(scratch: Path) -> None:
    edit_yaml(scratch / LETTER, "published: 2020-02-07", "published: 2017-03-01")
    _redate(scratch, "2017-06-30")
    edit_yaml(scratch / LETTER, "  name: Priti Patel", "  name: Amber Rudd")
    assert _findings(scratch) == [
        f"{_at(scratch, 'integrated-peel-2018')}: warning: report.kind: a 2018/19 integrated PEEL"
        " report (integrated-peel-2018) comes out between 2 May 2019 and 31 March 2020, and this"
        " one was published on 1 March 2017; did you mean 'peel-2014'?",
        f"{_at(scratch, '2017-03-01')}: note: report.published: the report was published on"
        " 1 March 2017, before the 56-day rule of section 55(5A)"
        " came into force on 2 May 2017; no deadline is checked",
    ]


def test_a_recommendation_without_a_response_is_an_error(scratch: Path) -> None:
    edit_yaml(
        scratch / LETTER,
        "  areas_for_improvement:\n",
        "  findings:\n    - kind: recommendation\n      number: '1'\n"
        "      text: The force should do X.\n"
        "    - kind: recommendation\n      number: '2'\n      text: The force should do Y.\n"
        "      response: Done in May 2020.\n  areas_for_improvement:\n",
    )
    assert _findings(scratch)[1:] == [
        f"{_at(scratch, 'kind: recommendation')}: error: report.findings[0]: recommendation 1 has"
        " no response; section 55(5B) requires the action taken or proposed,"
        " or why none will be taken"
    ]


@pytest.mark.parametrize(
    ("budget", "share", "actual"),
    [
        ("307000000", "28", None),
        ("307000000", "30", "28"),
        ("300000000", "28.7", None),
        ("300000000", "28.6", "28.7"),
    ],
)
def test_a_share_of_budget_must_match_its_amounts(
    scratch: Path, budget: str, share: str, actual: str | None
) -> None:
    edit_yaml(
        scratch / LETTER,
        "  share_of_budget: 28\n",
        f"  share_of_budget: {share}\n  budget: {budget}\n",
    )
    errors = [f for f in _findings(scratch) if ": error: " in f]
    if actual is None:
        assert errors == []
    else:
        assert errors == [
            f"{_at(scratch, share, after='share_of_budget: ')}: error: savings.share_of_budget:"
            f" {share}% does not match the amounts: 86000000 of {budget} is {actual}%"
        ]


def test_a_count_the_data_does_not_give_is_a_warning(scratch: Path) -> None:
    edit_yaml(
        scratch / LETTER, "found a few areas where", "found twelve areas for improvement where"
    )
    at = _at(scratch, ">-\n      I am aware")
    assert [f for f in _findings(scratch) if ": warning: " in f] == [
        f"{at}: warning: paragraphs.body[4]: the text says 'twelve areas for improvement', a"
        " number the data does not give: it lists 11 areas for improvement; if the report makes"
        " 12, give it as report.counts.areas_for_improvement and name it {afi_total}"
    ]


def test_a_count_the_report_states_is_placed_whatever_words_surround_it(scratch: Path) -> None:
    edit_yaml(
        scratch / LETTER, "found a few areas where", "found 22 separate recommendations where"
    )
    # the data gives no count of recommendations: none to compare the text's with
    assert [f for f in _findings(scratch) if ": warning: " in f] == []
    edit_yaml(
        scratch / LETTER,
        "  areas_for_improvement:\n",
        "  counts: {recommendations: 22}\n  areas_for_improvement:\n",
    )
    assert [f for f in _findings(scratch) if ": warning: " in f or ": error: " in f] == []


def test_the_wrong_home_secretary_is_a_warning_naming_who_was(scratch: Path) -> None:
    edit_yaml(scratch / LETTER, "  name: Priti Patel", "  name: Sajid Javid")
    assert _findings(scratch)[0] == (
        f"{_at(scratch, 'Sajid Javid')}: warning: recipient.name:"
        " Sajid Javid was not Home Secretary on 30 March 2020; Priti Patel was"
        " (source: https://www.gov.uk/government/ministers/"
        "secretary-of-state-for-the-home-department"
        ' (past holders under "Previous holders of this role"))'
    )


def test_both_holders_count_on_a_handover_day(scratch: Path) -> None:
    _redate(scratch, "2019-07-24")
    edit_yaml(scratch / LETTER, "published: 2020-02-07", "published: 2019-07-01")
    edit_yaml(scratch / LETTER, "  name: Priti Patel", "  name: Sajid Javid")
    assert [f for f in _findings(scratch) if "warning" in f] == []


def test_a_letter_after_the_list_was_checked_asks_for_the_list_to_be_updated(scratch: Path) -> None:
    _redate(scratch, "2027-03-30")
    edit_yaml(scratch / LETTER, "published: 2020-02-07", "published: 2027-03-01")
    warnings = [f for f in _findings(scratch) if ": warning: recipient" in f]
    assert warnings == [
        f"{_at(scratch, 'Priti Patel')}: warning: recipient.name: Priti Patel is not the"
        " Home Secretary on 30 March 2027 in the project's list, last checked on 26 November 2026;"
        " if the office has changed hands,"
        " add the new holder to data/reference/home-secretaries.yaml"
    ]


def test_an_address_without_a_postcode_is_a_warning(scratch: Path) -> None:
    edit_yaml(scratch / LETTER, "    - SW1P 4DF\n", "")
    assert _findings(scratch)[0] == (
        f"{_at(scratch, '- Home Office')}: warning: recipient.address: no line of the address ends"
        " with a UK postcode (for example SW1P 4DF or London SW1P 4DF); a letter needs one to be"
        " posted"
    )


def test_the_postcode_may_share_a_line_and_post_nominals_are_their_own(scratch: Path) -> None:
    edit_yaml(scratch / LETTER, "    - London\n    - SW1P 4DF\n", "    - London SW1P 4DF\n")
    edit_yaml(scratch / LETTER, "  name: Priti Patel\n", "  name: Priti Patel DBE MP\n")
    findings = _findings(scratch)
    assert not [f for f in findings if "postcode" in f]
    assert (
        f"{_at(scratch, 'Priti Patel DBE MP')}: note: recipient.name: the name holds post-nominals;"
        " give them as post_nominals: DBE MP so the name is the person's alone"
    ) in findings
    assert not [f for f in findings if "was not Home Secretary" in f]


def _check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.output


def test_check_command_reports_and_sets_the_exit_status(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    code, output = _check(LETTER, "--today", "2020-03-01")
    assert code == 0
    assert output.splitlines()[-1] == f"{LETTER}: ok: 0 errors, 0 warnings, 2 notes"
    edit_yaml(scratch / LETTER, "  name: Priti Patel", "  name: Sajid Javid")
    assert _check(LETTER)[0] == 0
    code, output = _check(LETTER, "--strict")
    assert code == 1 and output.splitlines()[-1] == f"{LETTER}: fails: 0 errors, 1 warning, 1 note"


def test_check_rejects_a_bad_today() -> None:
    result = CliRunner().invoke(main, ["check", str(DEFAULT_LETTER), "--today", "1/3/2020"])
    assert result.exit_code == 2
    assert "'1/3/2020' is not a date; write it YYYY-MM-DD, for example 2020-03-30" in result.output


def test_a_late_letter_builds_with_a_warning_and_strict_stops_it(scratch: Path) -> None:
    _publish(scratch, "2020-04-03")
    out = scratch / "out"
    result = CliRunner().invoke(
        main, ["build", str(scratch / LETTER), "--out", str(out), "--format", "html"]
    )
    assert result.exit_code == 0
    assert (
        "warning: letter.published: comments published 3 April 2020,"
        " 1 day after the section 55 deadline" in result.stderr
    )
    result = CliRunner().invoke(
        main, ["build", str(scratch / LETTER), "--out", str(scratch / "strict"), "--strict"]
    )
    assert result.exit_code == 1 and not (scratch / "strict").exists()


def test_check_does_not_load_the_renderers() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from letters.cli import main; "
        f"r = CliRunner().invoke(main, ['check', {str(DEFAULT_LETTER)!r}]); "
        "assert r.exit_code == 0, r.output; "
        # The wording (Jinja, Markdown) is rendered to check what prints; no renderer is.
        "print(sorted(m for m in ('weasyprint', 'docx', 'PIL', 'fontTools')"
        " if m in sys.modules))"
    )
    result = run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_checking_many_letters_at_once_says_what_one_at_a_time_says(scratch: Path) -> None:
    (scratch / "data" / "broken.yaml").write_text("office: offices/lancashire-pcc.yaml\n")
    letters = [
        LETTER,
        "data/broken.yaml",
        *sorted(
            str(p.relative_to(scratch)) for p in (scratch / "data" / "examples").glob("*.yaml")
        ),
    ]
    said = {}
    for jobs in ("1", "2"):  # a fresh `letters check`, whose workers are forked from it
        done = run(
            [sys.executable, "-m", "letters.cli", "check", "--jobs", jobs, *letters],
            capture_output=True,
            text=True,
            cwd=scratch,
        )
        said[jobs] = (done.returncode, done.stdout, done.stderr)
    assert said["1"] == said["2"]
    code, out, err = said["2"]
    assert code == 1
    assert err.startswith("data/broken.yaml:1:1: letter: this field is required but missing")
    verdicts = [
        line.split(": ")[0:2]
        for line in out.splitlines()
        if ": ok: " in line or ": fails: " in line
    ]
    assert verdicts == [
        [name, "ok"] if name != "data/broken.yaml" else [name, "fails"] for name in letters
    ]


def test_a_fact_in_braces_in_a_finding_is_a_warning(scratch: Path) -> None:
    edit_yaml(
        scratch / LETTER,
        "  areas_for_improvement:\n",
        "  findings:\n    - kind: area for improvement\n      text: Improve.\n"
        "      response: The {chief_officer} is acting.\n  areas_for_improvement:\n",
    )
    assert (
        f"{_at(scratch, 'The {chief_officer} is acting.')}: warning:"
        " report.findings[0].response: {chief_officer} will print as written, braces and all: a"
        " finding's words are the report's and the office's, never filled in; write the words"
        " themselves"
    ) in _findings(scratch)


def test_a_year_before_a_count_is_no_count(scratch: Path) -> None:
    edit_yaml(
        scratch / LETTER,
        "found a few areas where",
        "found in their 2019 inspection eleven areas for improvement where",
    )
    # eleven is the data's count; the year before it is counted as nothing
    assert [f for f in _findings(scratch) if ": warning: " in f] == []
    edit_yaml(scratch / LETTER, "2019 inspection eleven", "2019 inspection twelve")
    at = _at(scratch, ">-\n      I am aware")
    assert [f for f in _findings(scratch) if ": warning: " in f] == [
        f"{at}: warning: paragraphs.body[4]: the text says 'twelve areas for improvement', a"
        " number the data does not give: it lists 11 areas for improvement; if the report makes"
        " 12, give it as report.counts.areas_for_improvement and name it {afi_total}"
    ]


def test_an_earlier_reports_recommendation_may_be_listed_without_a_response(
    scratch: Path,
) -> None:
    edit_yaml(
        scratch / LETTER,
        "  areas_for_improvement:\n",
        "  findings:\n"
        "    - kind: recommendation\n"
        "      number: '3'\n"
        "      from_report: the 2017 child protection inspection\n"
        "      text: The force should review how it shares information with partners.\n"
        "  areas_for_improvement:\n",
    )
    at = _at(scratch, "kind: recommendation")
    found = _findings(scratch)
    assert not [f for f in found if ": error: " in f]
    assert (
        f"{at}: note: report.findings[0]: recommendation 3 has no response; it is a "
        "recommendation of the 2017 child protection inspection, not of this report, so it "
        "prints as background, without one"
    ) in found
