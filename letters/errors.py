"""The errors `letters` raises, each printed to the user as one clear message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: path, 1-based line and column (0 when unknown); sorts as a compiler lists them."""

    path: Path
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        text = _display_path(self.path)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


def _display_path(path: Path) -> str:
    """Show a path relative to the working folder when it lies inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, which field, and what."""

    location: Location
    message: str
    field: str = ""

    def __str__(self) -> str:
        prefix = f"{self.location}: "
        if self.field:
            prefix += f"{self.field}: "
        return prefix + self.message


class LettersError(Exception):
    """Base of every error a user should see as a message, not a traceback."""

    #: True when the message already starts with the file (and line) it is about.
    located = False


class DataError(LettersError):
    """Raised by `load` and `facts` when a data file is unreadable or invalid.

    Carries every problem found in the file, not just the first.
    """

    located = True

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateError(LettersError):
    """Raised by `wording` and `style` when a template or the house style is wrong."""

    located = True


class RenderError(LettersError):
    """Raised by the renderers when a document cannot be turned into a file."""


class ProjectError(LettersError):
    """Raised by `project` when the project folders cannot be found."""
