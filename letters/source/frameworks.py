"""The inspection frameworks a letter can answer, read from data/reference/frameworks.yaml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from pathlib import Path

import pydantic

from .errors import DataError, Problem
from .inputs import REFERENCE
from .languages import Language
from .load import load_source
from .names import name_problem
from .provenance import while_unchanged

FRAMEWORKS_FILE = Path("data") / "reference" / "frameworks.yaml"
#: The value that marks an area inspected but not graded.
NOT_GRADED = "not graded"

#: Sections 55(5A) (the 56 days) and 55(5B) (a response to every recommendation) of the Police
#: Act 1996, inserted by s.37 of the Policing and Crime Act 2017, in force from this day.
DEADLINE_IN_FORCE = dt.date(2017, 5, 2)
DEADLINE_DAYS = 56


def last_day(report_published: dt.date) -> dt.date:
    """Return the last day to publish the comments: 56 days beginning with the report's day."""
    return report_published + dt.timedelta(days=DEADLINE_DAYS - 1)


@dataclass(frozen=True)
class WelshNames:
    """A framework's name, grades and areas in Welsh."""

    __pydantic_config__ = pydantic.ConfigDict(extra="forbid")

    name: str
    grades: dict[str, str]
    areas: dict[str, str]


@dataclass(frozen=True)
class Years:
    """The days a framework's reports came out: from the first, to the last (None: still)."""

    __pydantic_config__ = pydantic.ConfigDict(extra="forbid")

    first: dt.date
    last: dt.date | None = None

    def holds(self, day: dt.date) -> bool:
        """Say whether a report of this day can be of the framework."""
        return self.first <= day and (self.last is None or day <= self.last)


@dataclass(frozen=True)
class Framework:
    """An inspection framework: what it grades and on which scale, best grade first."""

    __pydantic_config__ = pydantic.ConfigDict(extra="forbid")

    name: str
    statute: str
    template: str
    area_noun: str
    every_area_graded: bool
    #: The areas graded, as that cycle's reports name them, in the reports' order.
    areas: tuple[str, ...]
    grades: tuple[str, ...]
    #: When the framework's reports came out.
    years: Years
    #: Where its areas, grades and years come from: the inspectorate's pages and reports.
    sources: tuple[str, ...]
    #: Other names an area has had (the framework's questions, press and letters): accepted,
    #: and printed as the letter writes them.
    other_names: dict[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    #: How a grade is joined to its area: "'good' at preventing crime", "'good' for efficiency".
    preposition: str = "at"
    cy: WelshNames | None = None
    #: The report kind: the framework's key in the file.
    kind: str = ""

    def rank(self, grade: str) -> int:
        """Place a grade on the scale: 0 is the best."""
        return self.grades.index(grade)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name an area may be given: the reports' names and the others."""
        return (*self.areas, *(name for names in self.other_names.values() for name in names))

    def canonical(self, area: str) -> str | None:
        """Return the reports' name for an area, given it or another of its names, any case."""
        wanted = " ".join(area.split()).casefold()
        for name in self.areas:
            if wanted in (name.casefold(), *(o.casefold() for o in self.other_names.get(name, ()))):
                return name
        return None

    def in_order(self, areas: Iterable[str]) -> list[str]:
        """Put areas (under any of their names) in the framework's order; unknown ones last."""

        def place(area: str) -> int:
            name = self.canonical(area)
            return self.areas.index(name) if name else len(self.areas)

        return sorted(areas, key=place)

    def names_in(self, language: Language) -> WelshNames | None:
        """Return the framework's names in a translated language (under cy:), if it has them."""
        found = getattr(self, language.field) if language.translated else None
        return found if isinstance(found, WelshNames) else None


@while_unchanged(maxsize=8)
def load_frameworks(path: Path, root: Path) -> dict[str, Framework]:
    """Read the frameworks file: report kind -> framework (kept while the file is unchanged)."""
    source = load_source(path, root, REFERENCE)
    named = [
        Problem(source.key_locations[(kind,)], f"{problem}; rename the report kind")
        for kind in (source.tree if isinstance(source.tree, dict) else {})
        if (problem := name_problem(kind, "the report kind"))
    ]
    if named:
        raise DataError(named)
    try:
        entries = pydantic.TypeAdapter(dict[str, Framework]).validate_python(source.tree)
    except pydantic.ValidationError as exc:
        raise DataError(source.problems(exc.errors(include_url=False))) from None
    untranslated = [
        Problem(
            source.locate((kind, "cy", part)),
            f"no Welsh name for the {noun} {name!r}; add `{name}: ...` under cy.{part}",
            f"{kind}.cy.{part}",
        )
        for kind, framework in entries.items()
        if framework.cy is not None
        for part, noun, names, given in (
            ("areas", framework.area_noun, framework.areas, framework.cy.areas),
            ("grades", "grade", framework.grades, framework.cy.grades),
        )
        for name in names
        if name not in given
    ]
    if untranslated:
        raise DataError(untranslated)
    return {kind: replace(framework, kind=kind) for kind, framework in entries.items()}


def frameworks_of(root: Path) -> dict[str, Framework]:
    """Return the frameworks of the project at `root`."""
    root = root.resolve()
    return load_frameworks(root / FRAMEWORKS_FILE, root)
