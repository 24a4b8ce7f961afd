"""The errors `letters` raises and the located messages they carry, each shown as one clear line."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: path, line and column (1-based; 0 when unknown)."""

    path: Path
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        text = display_path(self.path)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


_ACTED_ON = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    """Write a matched character escaped, as Python writes it in a string (ESC as x1b)."""
    return match.group().encode("unicode_escape").decode("ascii")


def printable(text: str) -> str:
    """Escape what a terminal would act on in a message (its line breaks and tabs stay).

    A message may quote a name from a file someone else wrote (an approval record, the
    archive's manifest): an escape sequence in it must not reach the terminal.
    """
    return _ACTED_ON.sub(_escaped, text)


def json_printable(text: str) -> str:
    """Escape, in JSON text, what a terminal would act on, as JSON escapes it (backslash u).

    json.dumps leaves C1 controls, line separators and direction marks as they are.
    """
    return _ACTED_ON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def display_path(path: Path, *, follow_links: bool = True) -> str:
    """Show a path relative to the working folder when it lies inside it, controls escaped.

    A file name may hold a newline or a terminal's escape sequence: each is written escaped.
    Without `follow_links`, a link is named where it lies, not where it leads.
    """
    where = path.resolve() if follow_links else Path(os.path.abspath(path))
    try:
        shown = str(where.relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(path)
    return UNPRINTABLE.sub(_escaped, shown)


#: Characters a terminal would act on or hide: controls, line and paragraph separators and
#: bidirectional overrides.
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


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


Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class CheckResult:
    """One result of a letter's checks: how serious, where, about which field, and what."""

    severity: Severity
    location: Location
    field: str
    message: str

    def __str__(self) -> str:
        field = f"{self.field}: " if self.field else ""
        return f"{self.location}: {self.severity}: {field}{self.message}"


def did_you_mean(word: str, choices: Iterable[str], braces: bool = False) -> str:
    """Suggest the nearest valid choice for a message: " (did you mean 'outstanding'?)"."""
    options = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(word.lower(), list(options), n=1, cutoff=0.6)
    if not close:
        return ""
    match = options[close[0]]
    return f" (did you mean {{{match}}}?)" if braces else f" (did you mean {match!r}?)"


class LettersError(Exception):
    """Base of every error a user should see as a message, not a traceback."""

    #: True when the message already starts with the file (and line) it is about.
    located = False


class OptionError(LettersError):
    """Raised for a value given on the command line (or to a library call) that cannot be used.

    `option` names it as the command line does ('--kind', 'NAME'), for the message.
    """

    def __init__(self, option: str, message: str):
        self.option = option
        super().__init__(message)

    def __reduce__(self) -> tuple[type[OptionError], tuple[str, str]]:
        """Travel between processes with its option and message."""
        return (type(self), (self.option, str(self)))


class DataError(LettersError):
    """Raised by `load` and `facts` when a data file is unreadable or invalid.

    Carries every problem found in the file, not just the first.
    """

    located = True

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self) -> tuple[type[DataError], tuple[list[Problem]]]:
        """Travel between processes (a build worker's) with its problems, not its message."""
        return (type(self), (self.problems,))


class InputError(LettersError):
    """Raised by `inputs` for a file refused before a byte of it is read, or unreadable.

    One outside the project, one that is not a regular file, or one larger than its kind
    may be. The message names the file and why, never what it holds.
    """

    located = True

    def __init__(self, shown: str, reason: str):
        self.shown, self.reason = shown, reason
        super().__init__(f"{shown}: {reason}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:
        """Travel between processes (a build worker's) with its name and reason."""
        return (type(self), (self.shown, self.reason))


class TemplateError(LettersError):
    """Raised by `wording` and `style` when a template or the house style is wrong."""

    located = True


class RenderError(LettersError):
    """Raised by the renderers when a document cannot be turned into a file."""


class ProjectError(LettersError):
    """Raised by `project` when the project folders cannot be found."""


class CheckError(LettersError):
    """Raised by `build` when a letter fails its checks (errors, or warnings under --strict)."""

    located = True

    def __init__(self, results: Sequence[CheckResult]):
        self.results = tuple(results)
        super().__init__("\n".join(str(result) for result in results))

    def __reduce__(self) -> tuple[type[CheckError], tuple[tuple[CheckResult, ...]]]:
        """Travel between processes (a build worker's) with its results, not its message."""
        return (type(self), (self.results,))


class ArchiveError(LettersError):
    """Raised by `archive` when a letter cannot be filed.

    A draft, a changed letter without --new-version, a file that already exists, or an
    unreadable manifest.
    """


class HeldError(LettersError):
    """An approved or sent letter whose inputs changed since it was approved."""


def relocated(exc: LettersError, before: Path, after: Path) -> LettersError:
    """Return an error as if about the file `after`, where it was about `before` (a copy)."""

    def moved(location: Location) -> Location:
        return replace(location, path=after) if location.path == before else location

    if isinstance(exc, DataError):
        return DataError([replace(p, location=moved(p.location)) for p in exc.problems])
    if isinstance(exc, CheckError):
        return CheckError([replace(r, location=moved(r.location)) for r in exc.results])
    message = str(exc).replace(display_path(before), display_path(after))
    message = message.replace(str(before), str(after))
    if isinstance(exc, (OptionError, InputError)):  # made of parts: a plain error says it
        plain = LettersError(message)
        plain.located = exc.located
        return plain
    again = type(exc)(message)
    again.located = exc.located
    return again
