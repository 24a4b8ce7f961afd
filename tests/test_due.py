"""`letters due`: every letter's section 55 dates, as a table, JSON and a calendar."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import DEFAULT_LETTER, SENT_STATUS, edit_yaml
from letters.cli import main


def _due(scratch: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["due", str(scratch / "data" / DEFAULT_LETTER.name), *args])
    return result.exit_code, result.stdout, result.stderr


def _draft(scratch: Path) -> None:
    """Check the default letter is an unpublished draft (as copied): its report is open."""
    text = (scratch / "data" / DEFAULT_LETTER.name).read_text(encoding="utf-8")
    assert "status:\n  state: draft\n" in text


def test_an_open_letter_shows_its_days_left(scratch: Path) -> None:
    _draft(scratch)
    status, out, _ = _due(scratch, "--today", "2020-03-20")
    assert status == 0
    header, row = out.splitlines()
    assert (
        header.split()
        == (
            "letter report published last day days left state comments by translation by published"
        ).split()
    )
    assert row.split() == (
        [str(scratch / "data" / DEFAULT_LETTER.name)]
        + "7 February 2020 2 April 2020 13 draft 12 March 2020 - -".split()
    )


def test_an_overdue_letter_without_a_reason_fails(scratch: Path) -> None:
    _draft(scratch)
    status, _, err = _due(scratch, "--today", "2020-04-03")
    assert status == 1
    assert err.endswith(
        ": overdue: the last day was 2 April 2020; publish the comments, and record why they are"
        " late under letter.delay_reason\n"
    )
    edit_yaml(
        scratch / "data" / DEFAULT_LETTER.name,
        '  our_ref: ""\n',
        '  our_ref: ""\n  delay_reason: Flood.\n',
    )
    status, _, err = _due(scratch, "--today", "2020-04-03")
    assert status == 0 and err == ""


def test_json_and_a_calendar_that_is_the_same_each_time(scratch: Path) -> None:
    # the letter as shipped, sent on 30 March 2020 (the copy's is a draft): due reads the data
    edit_yaml(scratch / "data" / DEFAULT_LETTER.name, "status:\n  state: draft\n", SENT_STATUS)
    ics = scratch / "due.ics"
    status, out, _ = _due(scratch, "--today", "2020-03-20", "--json", "--ics", str(ics))
    assert status == 0
    [row] = json.loads(out)
    assert row["last_day"] == "2020-04-02" and row["published"] == "2020-03-30"
    assert row["comments_by"] == "2020-03-12" and row["overdue"] is False
    first = ics.read_bytes()
    _due(scratch, "--today", "2021-01-01", "--ics", str(ics))
    assert ics.read_bytes() == first, "the calendar depends on the data, not the day"
    text = first.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART;VALUE=DATE:20200402\r\nSUMMARY:Section 55 last day: Integrated PEEL" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
