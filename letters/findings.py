"""Gather a report's findings the way responses present them, and export them.

Areas for improvement, causes of concern with their recommendations, recommendations by
theme, and practice worth sharing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Final

from .model import Finding, Report

AFI: Final = "area for improvement"
CONCERN: Final = "cause of concern"
RECOMMENDATION: Final = "recommendation"
PRACTICE = ("promising practice", "innovative practice")


@dataclass(frozen=True)
class CauseOfConcern:
    """A cause of concern and the recommendations the report makes under it."""

    finding: Finding
    recommendations: tuple[Finding, ...]


@dataclass(frozen=True)
class Theme:
    """Recommendations a thematic response answers under one heading."""

    name: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Findings:
    """A report's findings, each in the report's own order and numbering."""

    all: tuple[Finding, ...]
    afis: tuple[Finding, ...]
    causes: tuple[CauseOfConcern, ...]
    recommendations: tuple[Finding, ...]
    loose_recommendations: tuple[Finding, ...]
    themes: tuple[Theme, ...]
    practice: tuple[Finding, ...]
    #: The recommendations for chief constables (or for this force's chief officer).
    for_chief_constables: tuple[Finding, ...]


def collect_findings(report: Report) -> Findings:
    """Sort a report's findings by kind, keeping the report's order within each.

    `all` holds every finding; the rest hold only those the letter prints (print: true).
    """
    shorthand = tuple(Finding(kind=AFI, text=text) for text in report.areas_for_improvement)
    every = shorthand + tuple(report.findings)
    printed = tuple(f for f in every if f.print)
    of_kind = {
        kind: tuple(f for f in printed if f.kind == kind) for kind in (AFI, CONCERN, RECOMMENDATION)
    }
    recommendations = of_kind[RECOMMENDATION]
    concerns = of_kind[CONCERN]
    numbers = {c.number for c in concerns if c.number}
    causes = tuple(
        CauseOfConcern(c, tuple(r for r in recommendations if c.number and r.cause == c.number))
        for c in concerns
    )
    loose = tuple(r for r in recommendations if r.cause not in numbers)
    theme_names = list(dict.fromkeys(r.theme or "Other recommendations" for r in recommendations))
    themes = tuple(
        Theme(
            name, tuple(r for r in recommendations if (r.theme or "Other recommendations") == name)
        )
        for name in theme_names
    )
    practice = tuple(f for f in printed if f.kind in PRACTICE)
    for_chiefs = tuple(r for r in recommendations if "chief" in r.addressed_to.lower())
    return Findings(
        every, of_kind[AFI], causes, recommendations, loose, themes, practice, for_chiefs
    )


#: The columns of `letters findings --csv`, in order.
COLUMNS = (
    "number",
    "kind",
    "area",
    "theme",
    "cause",
    "addressed_to",
    "text",
    "response",
    "action",
    "text_cy",
    "response_cy",
)


def finding_rows(findings: Findings) -> list[dict[str, str]]:
    """Make one row per finding, in the report's order, for tracking and the monitoring portal."""
    return [
        {column: str(getattr(finding, column)) for column in COLUMNS} for finding in findings.all
    ]


def findings_json(rows: list[dict[str, str]]) -> str:
    """Write finding rows as a JSON list."""
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


#: A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def findings_csv(rows: list[dict[str, str]]) -> str:
    """Write finding rows as CSV, each cell that looks like a formula made text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: "'" + v if v.startswith(_FORMULA_STARTS) else v for k, v in row.items()}
        )
    return buffer.getvalue()
