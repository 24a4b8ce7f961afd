"""The typed letter: what a data file must hold, with no I/O and no wording."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(text: str) -> str:
    """Refuse control characters (pasted from elsewhere): no document format can hold them."""
    found = _CONTROL.search(text)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}, which cannot be printed; delete it")
    return text


#: Every scalar is read as text, so `01772.533587` and `no` stay as written; editors see YAML 1.2
#: types, so the schema lets a text field hold what looks like a number or a boolean.
_TEXT_SCHEMA = {"type": ["string", "number", "boolean"]}
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable), WithJsonSchema(_TEXT_SCHEMA)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_printable), WithJsonSchema(_TEXT_SCHEMA)]
Lines = Annotated[list[Text], Field(min_length=1)]


def normalise_grade(value: object) -> object:
    """Read 'Good' or 'Requires  Improvement' as the framework writes them: lower case, single spaces."""
    return " ".join(value.split()).lower() if isinstance(value, str) else value


Grade = Annotated[Text, BeforeValidator(normalise_grade)]


class Strict(BaseModel):
    """A part of the data: unknown keys are errors, values are read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Signatory(Strict):
    """Who signs the office's letters."""

    name: Text
    title: Text


class Contact(Strict):
    """The reference block's contact lines."""

    please_ask_for: Text
    telephone: Text
    email: Text


class Letterhead(Strict):
    """The office's wordmark: a large title (the area) over a smaller subtitle."""

    title: Text
    subtitle: Text


class Office(Strict):
    """The local policing body that sends the letter; shared by its letters."""

    name: Text
    area: Text
    signatory: Signatory
    contact: Contact
    address: Lines
    letterhead: Letterhead


class Recipient(Strict):
    """Who the letter is addressed to."""

    honorific: OptionalText = ""
    name: Text
    title: Text
    address: Lines
    salutation: OptionalText = ""


class LetterInfo(Strict):
    """The letter's own date and reference, and when and why its comments are published."""

    date: dt.date
    our_ref: OptionalText = ""
    #: The day the office publishes its comments (s.55); the letter's date when not given.
    published: dt.date | None = None
    #: Why the comments are published after the 56 days, if they are.
    delay_reason: OptionalText = ""


class Force(Strict):
    """The police force inspected and the title of its chief officer."""

    name: Text
    chief_officer: Text


class Recommendation(Strict):
    """A recommendation of the report, with the office's response (s.55(5B))."""

    number: Text
    text: Text
    addressed_to: OptionalText = ""
    #: The action taken or proposed, or why none will be taken.
    response: OptionalText = ""


class Report(Strict):
    """The inspection report the letter answers."""

    inspectorate: Text
    title: Text
    kind: Text
    published: dt.date
    period: Text
    grades: dict[str, Grade]
    areas_for_improvement: list[Text] = []
    recommendations: list[Recommendation] = []


class Savings(Strict):
    """Savings the force has made, as figures the letter's text may name."""

    since: int
    amount: Annotated[Decimal, Field(ge=0)]
    share_of_budget: Annotated[Decimal, Field(ge=0, le=100)]
    #: The total the share is of, when the data gives it; `letters check` compares the three.
    budget: Annotated[Decimal, Field(gt=0)] | None = None


class Paragraphs(Strict):
    """The letter's own paragraphs: plain text with {named} facts."""

    body: list[Text] = []
    planned_activity: list[Text] = []


class Letter(Strict):
    """One letter: everything the wording needs, checked and typed."""

    office: Office
    recipient: Recipient
    letter: LetterInfo
    force: Force
    report: Report
    target_grade: Grade | None = None
    savings: Savings | None = None
    paragraphs: Paragraphs = Paragraphs()
