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
class Answer:
    """One response to one recommendation, or to several ('Recommendations 10 and 22').

    The response and action are those of the recommendation the others name in
    `response_with`.
    """

    numbers: tuple[str, ...]
    findings: tuple[Finding, ...]
    response: str
    response_cy: str
    action: str
    action_cy: str


@dataclass(frozen=True)
class CauseOfConcern:
    """A cause of concern and the recommendations the report makes under it."""

    finding: Finding
    recommendations: tuple[Finding, ...]
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Theme:
    """Recommendations a thematic response answers under one heading."""

    name: str
    findings: tuple[Finding, ...]
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Findings:
    """A report's findings, each in the report's own order and numbering."""

    all: tuple[Finding, ...]
    afis: tuple[Finding, ...]
    causes: tuple[CauseOfConcern, ...]
    recommendations: tuple[Finding, ...]
    loose_recommendations: tuple[Finding, ...]
    #: Each printed recommendation's answer, those answered together as one.
    answers: tuple[Answer, ...]
    #: The answers to recommendations under no cause of concern.
    loose_answers: tuple[Answer, ...]
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
        CauseOfConcern(c, tuple(r for r in recommendations if c.number and r.cause == c.number), ())
        for c in concerns
    )
    answers = _answers(recommendations, [f for f in every if f.kind == RECOMMENDATION])

    def answering(group: tuple[Finding, ...]) -> tuple[Answer, ...]:
        """List the answers whose first recommendation is in a group, in order."""
        return tuple(a for a in answers if any(a.findings[0] is r for r in group))

    causes = tuple(
        CauseOfConcern(c.finding, c.recommendations, answering(c.recommendations)) for c in causes
    )
    loose = tuple(r for r in recommendations if r.cause not in numbers)
    # Recommendations under a cause of concern print with it, so themes hold the others.
    theme_names = list(dict.fromkeys(r.theme or "Other recommendations" for r in loose))
    themes = []
    for name in theme_names:
        members = tuple(r for r in loose if (r.theme or "Other recommendations") == name)
        themes.append(Theme(name, members, answering(members)))
    practice = tuple(f for f in printed if f.kind in PRACTICE)
    for_chiefs = tuple(r for r in recommendations if "chief" in r.addressed_to.lower())
    return Findings(
        all=every,
        afis=of_kind[AFI],
        causes=causes,
        recommendations=recommendations,
        loose_recommendations=loose,
        answers=answers,
        loose_answers=answering(loose),
        themes=tuple(themes),
        practice=practice,
        for_chief_constables=for_chiefs,
    )


def _answers(printed: tuple[Finding, ...], every: list[Finding]) -> tuple[Answer, ...]:
    """Group the printed recommendations into answers: one each, or several answered as one."""
    numbered = {r.number: r for r in every if r.number}
    groups: dict[int, list[Finding]] = {}
    leads: dict[int, Finding] = {}
    for r in printed:
        lead = numbered.get(r.response_with, r) if r.response_with else r
        groups.setdefault(id(lead), []).append(r)
        leads[id(lead)] = lead
    return tuple(
        Answer(
            numbers=tuple(r.number for r in members if r.number),
            findings=tuple(members),
            response=leads[key].response,
            response_cy=leads[key].response_cy,
            action=leads[key].action,
            action_cy=leads[key].action_cy,
        )
        for key, members in groups.items()
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
    "response_with",
    "print",
    "text_cy",
    "response_cy",
)


def finding_rows(findings: Findings) -> list[dict[str, str]]:
    """Make one row per finding, in the report's order, for tracking and the monitoring portal."""
    return [
        {
            column: ("yes" if finding.print else "no")
            if column == "print"
            else str(getattr(finding, column))
            for column in COLUMNS
        }
        for finding in findings.all
    ]


def findings_json(rows: list[dict[str, str]]) -> str:
    """Write finding rows as a JSON list."""
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


#: A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def findings_csv(rows: list[dict[str, str]]) -> str:
    """Write finding rows as CSV, each cell that looks like a formula made text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "'" + v if v.startswith(FORMULA_STARTS) else v for k, v in row.items()})
    return buffer.getvalue()
