"""The inspection frameworks a letter can answer, read from data/reference/frameworks.yaml."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pydantic

from .errors import DataError
from .load import load_source

FRAMEWORKS_FILE = Path("data") / "reference" / "frameworks.yaml"
#: The value that marks an area inspected but not graded.
NOT_GRADED = "not graded"


@dataclass(frozen=True)
class WelshNames:
    """A framework's name, grades and areas in Welsh."""

    __pydantic_config__ = pydantic.ConfigDict(extra="forbid")

    name: str
    grades: dict[str, str]
    areas: dict[str, str]


@dataclass(frozen=True)
class Framework:
    """An inspection framework: what it grades and on which scale, best grade first."""

    __pydantic_config__ = pydantic.ConfigDict(extra="forbid")

    name: str
    statute: str
    template: str
    area_noun: str
    every_area_graded: bool
    areas: tuple[str, ...]
    grades: tuple[str, ...]
    cy: WelshNames | None = None
    #: The report kind: the framework's key in the file.
    kind: str = ""

    def rank(self, grade: str) -> int:
        """Place a grade on the scale: 0 is the best."""
        return self.grades.index(grade)


@lru_cache(maxsize=8)
def load_frameworks(path: Path) -> dict[str, Framework]:
    """Read the frameworks file: report kind -> framework."""
    source = load_source(path)
    try:
        entries = pydantic.TypeAdapter(dict[str, Framework]).validate_python(source.tree)
    except pydantic.ValidationError as exc:
        raise DataError(source.problems(exc.errors(include_url=False))) from None
    return {kind: replace(framework, kind=kind) for kind, framework in entries.items()}


def frameworks_of(root: Path) -> dict[str, Framework]:
    """Return the frameworks of the project at `root`."""
    return load_frameworks((root / FRAMEWORKS_FILE).resolve())
