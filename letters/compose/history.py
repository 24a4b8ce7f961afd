"""Word a report's grade histories, its earlier report and its lifted causes of concern."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..source.frameworks import NOT_GRADED, Framework
from ..source.model import EarlierGrade, Report, lifted_day


@dataclass(frozen=True)
class EarlierReport:
    """The report this one revisits or amends, as the letter names it."""

    #: True for a revisit (report.revisit_of), False for an amended report (report.amends).
    revisit: bool
    title: str
    published: str


@dataclass(frozen=True)
class EarlierGrades:
    """The areas one earlier report graded, with their grades then and now: one sentence."""

    #: The earlier report as the data names it, and the day it was published (either may be "").
    report: str
    published: str
    #: True where the earlier report is the one this report revisits or amends, named already.
    revisited: bool
    #: Each area's grade now and then: "investigating crime is now 'adequate', previously ...".
    changes: str


@dataclass(frozen=True)
class HistoryWords:
    """How one language words a grade history."""

    date: Callable[[dt.date], str]
    #: An area's name in the language.
    area: Callable[[str], str]
    #: A grade of a framework in the language, quoted as the letters quote grades.
    grade: Callable[[str, Framework], str]
    #: (area, grade now, grade then, the earlier scale's name or "") -> one change.
    change: Callable[[str, str, str, str], str]
    #: (area, grade) -> an area graded as before.
    same: Callable[[str, str], str]
    #: The framework's name in the language.
    scale: Callable[[Framework], str]
    join: Callable[[Sequence[str]], str]


def earlier_report(report: Report, date: Callable[[dt.date], str]) -> EarlierReport | None:
    """Name the report this one revisits or amends, if it does."""
    earlier = report.earlier
    if earlier is None:
        return None
    return EarlierReport(report.revisit_of is not None, earlier.title, date(earlier.published))


def grade_history(
    report: Report,
    framework: Framework,
    scales: Mapping[str, Framework],
    words: HistoryWords,
) -> tuple[EarlierGrades, ...]:
    """Compare each area's grade with its earlier grade, a sentence for each earlier report.

    The areas come in the framework's order; the earlier reports in the order of their first
    area. An area whose earlier grade is on another framework's scale names that scale.
    """
    history = report.earlier_grades
    now = report.current_grades
    groups: dict[tuple[str, dt.date | None], list[str]] = {}
    for area in framework.in_order(history):
        previously = history[area]
        earlier = previously if isinstance(previously, EarlierGrade) else None
        then = earlier.grade if earlier else str(previously)
        scale = scales.get(earlier.kind, framework) if earlier and earlier.kind else framework
        key = (earlier.report, earlier.published) if earlier else ("", None)
        if (
            report.earlier is not None
            and key[0] == report.earlier.title
            and key[1]
            in (
                None,
                report.earlier.published,
            )
        ):
            key = ("", None)  # the report revisited or amended, named already
        name, grade = words.area(area), words.grade(now[area], framework)
        if scale is framework and then == now[area]:
            said = words.same(name, grade)
        else:
            named = words.scale(scale) if scale is not framework else ""
            said = words.change(name, grade, words.grade(then, scale), named)
        groups.setdefault(key, []).append(said)
    revisited = report.earlier is not None
    return tuple(
        EarlierGrades(
            title,
            words.date(published) if published else "",
            revisited and not title and published is None,
            words.join(changes),
        )
        for (title, published), changes in groups.items()
    )


def english_grade(grade: str, framework: Framework) -> str:
    """Quote a grade as the English letters do: 'good'; not graded as it is."""
    return grade if grade == NOT_GRADED else f"'{grade}'"


def english_change(area: str, now: str, then: str, scale: str) -> str:
    """Say an area's grade now and then: "investigating crime is now 'adequate', previously ..."."""
    on = f" on the {scale} scale" if scale else ""
    return f"{area} is now {now}, previously {then}{on}"


def english_same(area: str, grade: str) -> str:
    """Say an area kept its grade: "managing offenders is 'good', as before"."""
    return f"{area} is {grade}, as before"


def join_changes(changes: Sequence[str]) -> str:
    """Join changes, which hold commas of their own, with semicolons: 'a; b; and c'."""
    if len(changes) < 2:
        return "".join(changes)
    return "; ".join(changes[:-1]) + f"; and {changes[-1]}"


def lifted_days(report: Report, date: Callable[[dt.date], str]) -> dict[str, str]:
    """Write each cause of concern's `lifted` that is a day as the language writes dates.

    A `lifted` that is not a day names the report that lifted the cause.
    """
    days = {}
    for finding in report.findings:
        day = lifted_day(finding.lifted)
        if day is not None:
            days[finding.lifted] = date(day)
    return days


def welsh_grade(grade: str, framework: Framework) -> str:
    """Name a grade in Welsh, as the Welsh letters do: the framework's Welsh name, else as given.

    A translator should review this wording.
    """
    names = framework.cy
    if grade == NOT_GRADED:
        return "heb radd"
    return names.grades.get(grade, grade) if names else grade


def welsh_change(area: str, now: str, then: str, scale: str) -> str:
    """Say an area's grade now and then, in Welsh: "ymchwilio i droseddau: digonol bellach, ..."."""
    on = f" ar raddfa {scale}" if scale else ""
    return f"{area}: {now} bellach, {then} o'r blaen{on}"


def welsh_same(area: str, grade: str) -> str:
    """Say an area kept its grade, in Welsh: "rheoli troseddwyr: da, fel o'r blaen"."""
    return f"{area}: {grade}, fel o'r blaen"


def welsh_scale(framework: Framework) -> str:
    """Name a framework in Welsh, else as it is named in English."""
    return framework.cy.name if framework.cy else framework.name
