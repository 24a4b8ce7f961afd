"""Make an office's file from answers to questions: its name, address, contacts and signatory.

The questions and their checks are here; asking them is the command line's. The file is
written whole once every answer is in, and never over a file that exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import yaml

from ..compose.checks import ends_with_postcode
from ..source.errors import DataError, Location, OptionError, Problem
from ..source.model import Line
from ..source.names import name_problem
from .new import write_new

if TYPE_CHECKING:
    from ..build.project import Project

#: The office file named when a letter's office has none: the project's own office.
MODEL_OFFICE = "lancashire-pcc.yaml"
#: At most as many address lines as the office's file takes.
MOST_LINES = 12
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_TELEPHONE = re.compile(r"\+?[0-9 ().-]+")

Answers = Mapping[str, Any]


def text(value: str) -> str:
    """Check a line of text as the office's file takes it: printable, at most 100 characters."""
    try:
        return str(pydantic.TypeAdapter(Line).validate_python(value))
    except pydantic.ValidationError as exc:
        message = str(exc.errors(include_url=False)[0]["msg"])
        raise ValueError(message.removeprefix("Value error, ")) from None


def email(value: str) -> str:
    """Check an email address: one @, a domain with a dot, no spaces."""
    value = text(value)
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address; write it as name@example.gov.uk")
    return value


def telephone(value: str) -> str:
    """Check a telephone number: digits (10 to 15), spaces, brackets, dots and dashes."""
    value = text(value)
    digits = sum(c.isdigit() for c in value)
    if not _TELEPHONE.fullmatch(value) or not 10 <= digits <= 15:
        raise ValueError(
            f"{value!r} is not a telephone number; write its digits (11 for most UK "
            "numbers), spaced as you like: 01632 960123"
        )
    return value


def address_problem(lines: list[str]) -> str:
    """Say what an office's address lacks to be posted to ('' if nothing)."""
    if len(lines) < 2:
        return "an address needs at least two lines (a street or building, and the postcode)"
    if not any(ends_with_postcode(line) for line in lines):
        return (
            "no line ends with a UK postcode (for example PR1 0LD or Preston PR1 0LD); add the "
            "line with the postcode"
        )
    return ""


@dataclass(frozen=True)
class Question:
    """A detail of the office's file to ask for: where its answer goes, and how it is checked."""

    key: str
    prompt: str
    check: Callable[[str], str] = text
    #: The answer offered, from the answers before it ('' for none).
    default: Callable[[Answers], str] = lambda answers: ""
    #: Asked a line at a time, until an empty line.
    lines: bool = False


def _subtitle(answers: Answers) -> str:
    """Offer the signatory's title without its area: 'Police and Crime Commissioner'."""
    title, area = str(answers["signatory.title"]), str(answers["area"])
    return title.removesuffix(f" for {area}")


QUESTIONS = (
    Question("name", "The office's name (Office of the Police and Crime Commissioner for X)"),
    Question("area", "The area it serves, as its letters name it"),
    Question("address", "Its postal address, a line at a time (an empty line ends it)", lines=True),
    Question("contact.telephone", "Its telephone number", telephone),
    Question("contact.email", "Its email address", email),
    Question("signatory.name", "Who signs its letters: their name"),
    Question("signatory.title", "Their title (Police and Crime Commissioner for X)"),
    Question(
        "contact.please_ask_for", "Whom a reader asks for", default=lambda a: a["signatory.name"]
    ),
    Question("letterhead.title", "The wordmark's first line", default=lambda a: a["area"]),
    Question("letterhead.subtitle", "The wordmark's second line", default=_subtitle),
)


def office_text(answers: Answers) -> str:
    """Write an office's file from the answers to QUESTIONS, as the office files are written."""
    tree: dict[str, Any] = {}
    for question in QUESTIONS:
        *parents, last = question.key.split(".")
        place = tree
        for parent in parents:
            place = place.setdefault(parent, {})
        place[last] = answers[question.key]
    header = (
        "# yaml-language-server: $schema=../office.schema.json\n"
        "# The office's details, which every letter it sends shares (made by `letters new`).\n"
        "# Letters name this file under `office:`.\n"
    )
    return header + yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=88)


def new_office_path(project: Project, office: str) -> Path:
    """Return where a new office file goes, refusing a name `letters new` cannot make or use.

    It goes directly under data/offices/, with a plain name ending .yaml; one that exists is
    never replaced.
    """
    path = project.data / office
    offices = (project.data / "offices").resolve()
    if path.resolve().parent != offices or path.suffix != ".yaml":
        raise OptionError("--office", f"{office!r}: give a file name ending .yaml in data/offices/")
    problem = name_problem(path.stem, "the office's file")
    if problem:
        raise OptionError("--office", problem)
    if path.exists():
        raise DataError(
            [Problem(Location(path), "a file of this name exists; choose another name")]
        )
    return path


def no_office(project: Project, path: Path) -> DataError:
    """Refuse a missing office file where no one can be asked, saying how to make one."""
    offices = project.data / "offices"
    known = sorted(offices.glob("*.yaml"))
    model = (
        offices / MODEL_OFFICE
        if (offices / MODEL_OFFICE).is_file()
        else known[0]
        if known
        else None
    )
    copy = f"copy {model.relative_to(project.root).as_posix()} to it" if model else "write it"
    return DataError(
        [
            Problem(
                Location(path),
                "no such office file; to make it, run the command again at a terminal, without "
                "--no-input, and answer its questions (the office's name, address, telephone, "
                f"email and who signs), or {copy} and change its details",
            )
        ]
    )


def write_office(path: Path, answers: Answers) -> Path:
    """Write the office's file from the answers, whole, and never over a file that exists."""
    return write_new(path, office_text(answers))
