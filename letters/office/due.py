"""What is due when: each letter's section 55 deadline and the dates that lead to it.

For an office with several inspections open: the statutory last day, the days left, when
the chief officer's comments and the Welsh translation are wanted, and whether the
comments are published. As a table, JSON, or an iCalendar file for the office's diary.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from pathlib import Path

from ..source.english import uk_date, uk_month
from ..source.frameworks import DEADLINE_IN_FORCE, last_day
from ..source.languages import BY_CODE
from ..source.model import Month
from ..source.validate import LoadedLetter


@dataclass(frozen=True)
class Due:
    """One letter's dates: what the law requires and what the office wants before."""

    letter: str
    report: str
    report_published: dt.date
    #: None for a report from before the 56-day rule.
    last_day: dt.date | None
    state: str
    #: The day the office wants the chief officer's comments by.
    comments_by: dt.date | None
    #: The day the Welsh text goes for translation, for a letter published in Welsh.
    translation_by: dt.date | None
    #: The day the comments were (or are to be) published, once the letter is sent; for a
    #: letter sent before letters was used, perhaps its month (`Month`) or 'unknown' alone.
    published: dt.date | Month | str | None
    delay_reason: str

    def days_left(self, today: dt.date) -> int | None:
        """Count the days from today to the last day (negative once it has passed)."""
        return None if self.last_day is None else (self.last_day - today).days

    def overdue(self, today: dt.date) -> bool | None:
        """Say whether the letter is, or was published, after its last day; None if not known.

        A letter published in a month is late only if the whole month is after the last day,
        and on time only if the whole month is on or before it; of unknown date, not known.
        """
        if self.last_day is None:
            return False
        if isinstance(self.published, str):
            return None
        return published_late(self.published or today, self.last_day)

    def unexplained(self, today: dt.date) -> str:
        """Say that the letter is overdue with no reason recorded, or '' if it is not."""
        if not self.overdue(today) or self.delay_reason or self.last_day is None:
            return ""
        return (
            f"{self.letter}: overdue: the last day was {uk_date(self.last_day)}; publish the "
            "comments, and record why they are late under letter.delay_reason"
        )


def published_late(published: dt.date | Month, last_day: dt.date) -> bool | None:
    """Say whether comments published on a day (or in a month) came after the last day.

    A month is late only if the whole of it is after the last day, and on time only if the
    whole of it is on or before it; otherwise None: not known.
    """
    if isinstance(published, Month):
        if published.first > last_day:
            return True
        return False if published.last <= last_day else None
    return published > last_day


def due_of(name: str, loaded: LoadedLetter) -> Due:
    """Work out one letter's dates from its data."""
    letter = loaded.letter
    report = letter.report
    deadline = last_day(report.published) if report.published >= DEADLINE_IN_FORCE else None
    office = letter.office
    sent = letter.status.state == "sent"
    published = letter.letter.published or (
        letter.status.sent_on or letter.letter.date if sent else None
    )

    translated = any(BY_CODE[code].translated for code in letter.languages)

    def before(days: int) -> dt.date | None:
        return deadline - dt.timedelta(days=days) if deadline else None

    return Due(
        letter=name,
        report=report.title,
        report_published=report.published,
        last_day=deadline,
        state=letter.status.state,
        comments_by=before(office.comments_days),
        translation_by=before(office.translation_days) if translated else None,
        published=published,
        delay_reason=letter.letter.delay_reason,
    )


def due_table(rows: list[Due], today: dt.date) -> str:
    """Lay the rows out as a table for the terminal, soonest last day first."""
    header = ("letter", "report published", "last day", "days left", "state", "comments by",
              "translation by", "published")  # fmt: skip

    def day(value: dt.date | Month | str | None) -> str:
        if isinstance(value, Month):
            return uk_month(value.year, value.month)
        if isinstance(value, str):
            return value
        return uk_date(value) if value else "-"

    def published(row: Due) -> str:
        late = row.overdue(today)
        if not row.published:
            return "-"
        return day(row.published) + (
            " (late)" if late else " (not confirmed)" if late is None else ""
        )

    lines = [header]
    for row in sorted(rows, key=lambda r: (r.last_day or dt.date.max, r.letter)):
        left = row.days_left(today)
        lines.append(
            (
                row.letter,
                day(row.report_published),
                day(row.last_day),
                "-" if left is None or row.published else str(left),
                row.state,
                day(row.comments_by),
                day(row.translation_by),
                published(row),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def due_json(rows: list[Due], today: dt.date) -> str:
    """Write the rows as JSON, dates as YYYY-MM-DD, with days left and whether overdue."""
    listed = []
    for row in rows:
        item = {
            key: value.isoformat() if isinstance(value, dt.date | Month) else value
            for key, value in ((f.name, getattr(row, f.name)) for f in fields(row))
        }
        item["days_left"] = row.days_left(today)
        item["overdue"] = row.overdue(today)
        listed.append(item)
    return json.dumps(listed, indent=2, ensure_ascii=False) + "\n"


def due_ics(rows: list[Due]) -> str:
    """Write an iCalendar file: an all-day event for each letter's last day and the days before.

    The file depends only on the data (no clock), so it is the same each time it is made.
    """
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//letters//section 55 deadlines//EN"]
    for row in rows:
        events = [
            ("deadline", row.last_day, f"Section 55 last day: {row.report}"),
            ("comments", row.comments_by, f"Chief officer's comments wanted: {row.report}"),
            ("translation", row.translation_by, f"Send for Welsh translation: {row.report}"),
        ]
        for kind, day, summary in events:
            if day is None:
                continue
            lines += [
                "BEGIN:VEVENT",
                f"UID:{_ics_text(Path(row.letter).stem)}-{kind}@letters",
                f"DTSTAMP:{row.report_published:%Y%m%d}T000000Z",
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"SUMMARY:{_ics_text(summary)}",
                f"DESCRIPTION:{_ics_text(row.letter)}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _ics_text(text: str) -> str:
    """Escape text for an iCalendar value (RFC 5545): backslash, comma, semicolon, new line."""
    for char in ("\\", ",", ";"):
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def _fold(line: str) -> str:
    """Fold a line longer than 75 octets, as RFC 5545 asks, at character boundaries."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " "
        current += char
    return "\r\n".join([*out, current])
