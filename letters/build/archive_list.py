"""Finding what was sent: the archive's rows, chosen by force, year, kind and state."""

from __future__ import annotations

from typing import Any

#: The table's columns: heading, the row's field, width (all of them fit 100 columns).
COLUMNS = (
    ("#", "", 3),
    ("file", "file", 34),
    ("kind", "kind", 20),
    ("state", "status", 8),
    ("letter", "letter_date", 10),
    ("sent", "sent_on", 10),
    ("ver", "letter_version", 3),
    ("sup", "supersedes", 3),
)
WIDTH = 100


def chosen(
    rows: list[dict[str, Any]],
    force: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    state: str | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """Return the rows (numbered from 1, in filing order) that match every filter given.

    The force matches any part of its name, regardless of case; rows filed before rows named
    their force are matched on their report's description.
    """
    found = []
    for number, row in enumerate(rows, start=1):
        named = str(row.get("force") or row.get("report") or "").casefold()
        if force is not None and force.casefold() not in named:
            continue
        # a letter of unknown date is filed under its web page's year, and found by it
        dated = str(row.get("letter_date", ""))
        filed = str(row.get("file", "")) if dated == "unknown" else dated.replace("-", "/", 1)
        if year is not None and not filed.startswith(f"{year:04d}/"):
            continue
        if kind is not None and str(row.get("kind", "")).casefold() != kind.casefold():
            continue
        if state is not None and row.get("status") != state:
            continue
        found.append((number, row))
    return found


def table(found: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """Lay rows out as a table no wider than 100 columns; a long value is cut in its middle."""
    lines = [_line([heading for heading, _, _ in COLUMNS])]
    for number, row in found:
        values = [str(number)]
        for _, field, _ in COLUMNS[1:]:
            value = row.get(field)
            values.append(
                "" if value is None or value == 0 and field == "supersedes" else str(value)
            )
        lines.append(_line(values))
    return lines


def _line(values: list[str]) -> str:
    """Write one line of the table."""
    cells = []
    for value, (_, _, width) in zip(values, COLUMNS, strict=True):
        # cut from the middle: a file's end (.cy.pdf, .v2.pdf) tells two rows apart
        half = (width - 1) // 2
        shown = value if len(value) <= width else value[:half] + "…" + value[-(width - 1 - half) :]
        cells.append(shown.ljust(width))
    return " ".join(cells).rstrip()
