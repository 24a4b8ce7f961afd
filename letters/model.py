"""The typed letter: what a data file must hold, with no I/O and no wording."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from .frameworks import FRAMEWORKS

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(text: str) -> str:
    """Refuse control characters (pasted from elsewhere): no document format can hold them."""
    found = _CONTROL.search(text)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}, which cannot be printed; delete it")
    return text


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_printable)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_printable)]
Lines = Annotated[list[Text], Field(min_length=1)]


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
    """The letter's own date and reference."""

    date: dt.date
    our_ref: OptionalText = ""


class Force(Strict):
    """The police force inspected and the title of its chief officer."""

    name: Text
    chief_officer: Text


class Report(Strict):
    """The inspection report the letter answers."""

    inspectorate: Text
    title: Text
    kind: Annotated[str, Field(json_schema_extra={"enum": sorted(FRAMEWORKS)})]
    published: dt.date
    period: Text
    grades: dict[str, Text]
    areas_for_improvement: list[Text] = []


class Savings(Strict):
    """Savings the force has made, as figures the letter's text may name."""

    since: int
    amount: Annotated[Decimal, Field(ge=0)]
    share_of_budget: Annotated[Decimal, Field(ge=0, le=100)]


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
    target_grade: Text | None = None
    savings: Savings | None = None
    paragraphs: Paragraphs = Paragraphs()
