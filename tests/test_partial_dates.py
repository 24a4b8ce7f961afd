"""A letter sent before letters was used may be dated by its month, or unknown: what each does.

Drafts and letters approved now need their day; an imported sent letter prints what is known
(never a day it does not have), and the checks confirm only what its date establishes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import docx
import pypdf
import pytest

from conftest import (
    DEFAULT_LETTER,
    docx_lines,
    edit_yaml,
    normalise,
    pdf_pages,
    position,
    run_in,
)

LETTER = f"data/{DEFAULT_LETTER.name}"
#: Two examples, moved up into data/ (where approve works) by `_moved`.
STATEMENT = "data/staffordshire-2022-peel.yaml"
WELSH = "data/dyfed-powys-2025-peel-bilingual.yaml"

#: What the masthead's date was as the project ships the default letter, and as a month.
DAY = "  date: 2020-03-30\n"


def _dated(root: Path, letter: str, day: str, date: str, *more: str) -> Path:
    """Give a letter of the copy another date (and any other lines under letter:)."""
    path = root / letter
    if not path.exists():  # an example: up into data/, its office file named from there
        example = root / "data" / "examples" / path.name
        text = example.read_text(encoding="utf-8").replace(
            "office: ../offices/", "office: offices/"
        )
        path.write_text(text, encoding="utf-8")
    edit_yaml(path, day, f"  date: {date}\n" + "".join(f"  {line}\n" for line in more))
    if date == "unknown" and path.name == DEFAULT_LETTER.name:
        # a letter of unknown date has no year to count the savings' years to: written out
        edit_yaml(path, "over {savings.years} years", "over ten years")
    return path


def _imported(root: Path, monkeypatch: pytest.MonkeyPatch, letter: str, on: str) -> None:
    """Record a draft of the copy as sent before letters was used, and build it."""
    status, _, err = run_in(
        root, monkeypatch, "approve", letter, "--by", "A Commissioner", "--on", on, "--sent"
    )
    assert (status, err) == (0, ""), err
    status, _, err = run_in(root, monkeypatch, "build", letter)
    assert status == 0, err


def _check(root: Path, monkeypatch: pytest.MonkeyPatch, letter: str) -> tuple[int, str]:
    """Check a letter; return the exit status and what it printed."""
    status, out, err = run_in(root, monkeypatch, "check", letter, "--today", "2025-01-01")
    return status, out + err


# Which letters may have a partial date ----------------------------------------------------


def test_a_draft_dated_by_its_month_is_warned_and_cannot_be_approved_as_written_now(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an old letter being typed in checks, builds and previews; it is approved only as sent
    data = _dated(scratch, LETTER, DAY, "2020-03")
    status, said = _check(scratch, monkeypatch, LETTER)
    assert status == 0
    assert (
        f"{LETTER}:{position(data, '2020-03', after='date: ')}: warning: letter.date: the letter "
        "is dated March 2020 (2020-03), with no day; a letter written now (one approved with "
        "letters approve) bears the day it is dated: give letter.date as YYYY-MM-DD. Only a "
        "letter sent before letters was used may be dated by its month or unknown: record it as "
        "sent with letters approve --sent"
    ) in said
    status, _, err = run_in(scratch, monkeypatch, "build", LETTER)
    assert status == 0, err
    assert "Date: March 2020" in " ".join(
        docx_lines(scratch / "build" / "lancashire-2020-peel.docx")
    )
    status, _, err = run_in(
        scratch, monkeypatch, "approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-04-01"
    )
    assert status == 1
    assert err.strip() == (
        f"error: {LETTER}: letter.date: the letter is dated March 2020 (2020-03), with no day; a "
        "letter written now (one approved with letters approve) bears the day it is dated: give "
        "letter.date as YYYY-MM-DD. Only a letter sent before letters was used may be dated by "
        "its month or unknown: record it as sent with letters approve --sent"
    )
    assert "state: draft" in data.read_text(encoding="utf-8")


def test_approving_a_letter_of_unknown_date_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dated(scratch, LETTER, DAY, "unknown", "published_on: 2020-04-01")
    status, _, err = run_in(
        scratch, monkeypatch, "approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-04-01"
    )
    assert status == 1
    assert "letter.date: the letter is dated unknown, with no day; a letter written now" in err
    assert "state: draft" in (scratch / LETTER).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2020-13", "'2020-13' is not a month; write it YYYY-MM, for example 2024-03"),
        (
            "1850-03",
            "1850-03 is outside the dates a letter can carry (1900 to 2199); check the year",
        ),
        (
            "2020-02-30",
            "'2020-02-30' is not a date; expected a real date written YYYY-MM-DD, for example "
            "2020-03-30",
        ),
    ],
)
def test_a_date_that_is_neither_day_month_nor_unknown_is_refused(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, date: str, expected: str
) -> None:
    data = _dated(scratch, LETTER, DAY, date)
    status, said = _check(scratch, monkeypatch, LETTER)
    assert status == 1
    assert f"{LETTER}:{position(data, date, after='date: ')}: letter.date: {expected}" in said


# What prints ----------------------------------------------------------------------------


def test_an_imported_letter_dated_by_its_month_prints_the_month_alone(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dated(scratch, LETTER, DAY, "2020-03")
    _imported(scratch, monkeypatch, LETTER, "2020-04-01")
    text = (scratch / LETTER).read_text(encoding="utf-8")
    assert "state: sent" in text
    assert "sent_on" not in text and "copied_on" not in text  # the day it was sent: not known
    build = scratch / "build"
    lines = docx_lines(build / "lancashire-2020-peel.docx")
    assert lines[9:12] == ["Our Ref:", "Date: March 2020", "Dear Priti Patel"]
    page = pdf_pages(build / "lancashire-2020-peel.pdf")[0]
    assert "Date: March 2020" in page.splitlines()
    html = (build / "lancashire-2020-peel.html").read_text(encoding="utf-8")
    assert re.search(r"<th[^>]*>Date:</th>\s*<td[^>]*>March 2020</td>", html), html[:4000]
    everything = " ".join([*lines, page, html])
    assert "30 March 2020" not in everything and "1 March 2020" not in everything
    # the metadata's day: the last the letter can bear, the same each build
    assert docx.Document(str(build / "lancashire-2020-peel.docx")).core_properties.created == (
        dt.datetime(2020, 3, 31, tzinfo=dt.UTC)
    )
    info = pypdf.PdfReader(str(build / "lancashire-2020-peel.pdf")).metadata
    assert info is not None and str(info["/CreationDate"]).startswith("D:20200331")
    assert '<meta name="dcterms.created" content="2020-03-31">' in html


def test_a_statement_of_unknown_date_says_the_day_its_web_page_was_published(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dated(
        scratch,
        STATEMENT,
        "  date: 2022-09-22\n",
        "unknown",
        "published_on: 2022-09-23",
        "updated_on: 2023-01-05",
    )
    _imported(scratch, monkeypatch, STATEMENT, "2022-09-23")
    build = scratch / "build"
    lines = docx_lines(build / "staffordshire-2022-peel.docx")
    signed = lines.index(
        "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime"
    )
    assert lines[signed + 1] == "Published on the office's website on 23 September 2022."
    pdf = normalise(" ".join(pdf_pages(build / "staffordshire-2022-peel.pdf")))
    assert (
        "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime Published "
        "on the office's website on 23 September 2022."
    ) in pdf
    html = (build / "staffordshire-2022-peel.html").read_text(encoding="utf-8")
    assert "<p>Published on the office&#x27;s website on 23 September 2022.</p>" in html
    assert "5 January 2023" not in pdf  # the page's update is not the statement's date


def test_a_statement_dated_by_its_month_ends_with_the_month(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dated(scratch, STATEMENT, "  date: 2022-09-22\n", "2022-09", "published_on: 2022-09-23")
    _imported(scratch, monkeypatch, STATEMENT, "2022-09-23")
    lines = docx_lines(scratch / "build" / "staffordshire-2022-peel.docx")
    assert (
        "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime, September 2022"
    ) in lines
    assert not any("website" in line for line in lines)


def test_a_welsh_letter_dated_by_its_month_names_the_welsh_month(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dated(scratch, WELSH, "  date: 2025-03-10\n", "2025-03")
    _imported(scratch, monkeypatch, WELSH, "2025-03-10")
    build = scratch / "build"
    welsh = pdf_pages(build / "dyfed-powys-2025-peel-bilingual.cy.pdf")[0].splitlines()
    english = pdf_pages(build / "dyfed-powys-2025-peel-bilingual.en.pdf")[0].splitlines()
    assert "Dyddiad: Mawrth 2025" in welsh
    assert "Date: March 2025" in english


def test_a_letter_of_unknown_date_has_no_date_row(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dated(scratch, LETTER, DAY, "unknown", "published_on: 2020-04-01")
    _imported(scratch, monkeypatch, LETTER, "2020-04-01")
    lines = docx_lines(scratch / "build" / "lancashire-2020-peel.docx")
    assert lines[8:11] == [
        "Email: commissioner@lancashire-pcc.gov.uk",
        "Our Ref:",
        "Dear Priti Patel",
    ]
    page = pdf_pages(scratch / "build" / "lancashire-2020-peel.pdf")[0]
    assert "Date" not in page
    assert not any("website" in line or "1 April 2020" in line for line in lines)


# What the checks say -----------------------------------------------------------------------

#: The default letter's report was published on 7 February 2020: its last day is 2 April.
RULE = "the 56 days from the report's publication on 7 February 2020 end on 2 April 2020"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (
            "2020-03",
            "note: letter.date: section 55 deadline met: comments dated March 2020 (the letter's "
            f"date, no day), every day of which is within the 56 days; {RULE}",
        ),
        (
            "2020-04",
            "note: letter.date: section 55 deadline not confirmed: comments dated April 2020 (the "
            f"letter's date, no day); {RULE}, within that month; record the day the comments were "
            "published under letter.published (or give the letter's full date) to confirm it",
        ),
        (
            "2020-05",
            "warning: letter.date: comments dated May 2020 (the letter's date, no day), at least "
            f"29 days after the section 55 deadline; {RULE}. Record why it was late under "
            "letter.delay_reason",
        ),
        (
            "2020-01",
            "error: letter.date: the letter is dated January 2020, before the report was "
            "published on 7 February 2020",
        ),
        (  # the month the report came out in: only its days from the report's count
            "2020-02",
            "note: letter.date: section 55 deadline met: comments dated February 2020 (the "
            "letter's date, no day), every day of which from the report's publication on 7 "
            f"February 2020 is within the 56 days; {RULE}",
        ),
    ],
)
def test_a_month_confirms_the_deadline_only_when_every_day_of_it_does(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, date: str, expected: str
) -> None:
    data = _dated(scratch, LETTER, DAY, date)
    edit_yaml(
        data, "  state: draft\n", "  state: sent\n  approved_by: C\n  approved_on: 2020-06-01\n"
    )
    # checked as its data says (no snapshot needed to read what the check says of it)
    from letters.build.prepare import prepare
    from letters.build.project import Project

    results = prepare(data, Project(scratch), dt.date(2025, 1, 1)).results
    said = [f"{r.severity}: {r.field}: {r.message}" for r in results]
    assert expected in said
    assert not any("deadline met" in line for line in said if line != expected)


def test_an_unknown_date_never_confirms_the_deadline(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _dated(
        scratch, LETTER, DAY, "unknown", "published_on: 2020-03-31", "updated_on: 2021-06-01"
    )
    _imported(scratch, monkeypatch, LETTER, "2020-03-31")
    status, said = _check(scratch, monkeypatch, LETTER)
    assert status == 0
    assert (
        f"{LETTER}:{position(data, 'unknown', after='date: ')}: note: letter.date: section 55 "
        "deadline not confirmed: the letter's date is unknown, and its web page's dates (page "
        "published on 31 March 2020 and updated on 1 June 2021) do not say when the comments "
        f"were first published; {RULE}; record the day the comments were published under "
        "letter.published (or give the letter's full date) to confirm it"
    ) in said
    assert "deadline met" not in said


def test_a_month_is_checked_against_every_home_secretary_in_office_during_it(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Priti Patel became Home Secretary on 24 July 2019: in office during July 2019, not June
    data = _dated(scratch, LETTER, DAY, "2019-07")
    _, said = _check(scratch, monkeypatch, LETTER)
    assert "Home Secretary" not in said
    edit_yaml(data, "date: 2019-07", "date: 2019-06")
    _, said = _check(scratch, monkeypatch, LETTER)
    assert (
        "recipient.name: Priti Patel was not Home Secretary in June 2019; Sajid Javid was" in said
    )


# What is due, and the archive ----------------------------------------------------------------


def test_due_shows_a_partial_date_and_does_not_call_it_on_time_or_late(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = "  state: sent\n  approved_by: C\n  approved_on: 2020-06-01\n"
    data = _dated(scratch, LETTER, DAY, "2020-04")
    edit_yaml(data, "  state: draft\n", sent)
    status, out, err = run_in(scratch, monkeypatch, "due", LETTER, "--today", "2025-01-01")
    assert (status, err) == (0, "")
    assert out.splitlines()[1].split()[-6:] == ["2020", "-", "April", "2020", "(not", "confirmed)"]
    status, out, _ = run_in(scratch, monkeypatch, "due", LETTER, "--today", "2025-01-01", "--json")
    [row] = json.loads(out)
    assert (row["published"], row["overdue"]) == ("2020-04", None)
    edit_yaml(data, "date: 2020-04", "date: 2020-05")
    status, out, err = run_in(scratch, monkeypatch, "due", LETTER, "--today", "2025-01-01")
    assert status == 1 and "May 2020 (late)" in out
    assert "overdue: the last day was 2 April 2020" in err
    edit_yaml(data, "date: 2020-05", "date: unknown\n  updated_on: 2020-03-01")
    status, out, _ = run_in(scratch, monkeypatch, "due", LETTER, "--today", "2025-01-01")
    assert status == 0 and out.splitlines()[1].endswith("  unknown (not confirmed)")


def test_a_letter_of_unknown_date_is_filed_under_its_web_page_year(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dated(scratch, LETTER, DAY, "unknown", "published_on: 2021-01-04")
    _imported(scratch, monkeypatch, LETTER, "2020-04-01")
    status, out, err = run_in(scratch, monkeypatch, "archive", LETTER)
    assert status == 0, err
    assert out.startswith("filed archive/2021/lancashire-2020-peel.pdf")
    manifest = (scratch / "archive" / "manifest.jsonl").read_text(encoding="utf-8")
    [row] = [json.loads(line) for line in manifest.splitlines()]
    assert (row["letter_date"], row["review_by"]) == ("unknown", "2028-01-04")
    status, out, _ = run_in(scratch, monkeypatch, "archive", "--list", "--year", "2021", "--json")
    assert [r["letter_date"] for r in json.loads(out)] == ["unknown"]


def test_a_letter_whose_page_gives_no_date_either_is_dated_unknown(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _dated(scratch, LETTER, DAY, "unknown")
    _imported(scratch, monkeypatch, LETTER, "2020-03-31")
    status, said = _check(scratch, monkeypatch, LETTER)
    assert status == 0
    assert (
        f"{LETTER}:{position(data, 'unknown', after='date: ')}: note: letter.date: section 55 "
        f"deadline not confirmed: the letter's date is unknown, as are its web page's; {RULE}; "
        "record the day the comments were published under letter.published (or give the "
        "letter's full date) to confirm it"
    ) in said
    lines = docx_lines(scratch / "build" / "lancashire-2020-peel.docx")
    assert not any(line.startswith("Date:") for line in lines)


@pytest.mark.parametrize(
    ("date", "recorded"), [("2020-03-30", "2020-03-30"), ("2020-03", "2020-03-31")]
)
def test_a_letter_recorded_as_sent_is_approved_on_the_day_it_bears_unless_told(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, date: str, recorded: str
) -> None:
    data = _dated(scratch, LETTER, DAY, date)
    status, _, err = run_in(scratch, monkeypatch, "approve", LETTER, "--by", "C G", "--sent")
    assert (status, err) == (0, "")
    assert f"approved_on: {recorded}" in data.read_text(encoding="utf-8")
    _, said = _check(scratch, monkeypatch, LETTER)
    assert "after the date it bears" not in said
