"""The publication pages as words: an office's sent responses, each row said in a language.

`letters site` (letters.office.site) finds the versions sent; this module turns each into a
`Row` of words in the index's language, from the letter's data as sent and the words of
templates/site/words.yaml, so the renderer (letters.render.site) decides no wording.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pydantic
from pydantic import Field

from ..source.english import uk_date, uk_month
from ..source.errors import DataError, Problem
from ..source.inputs import Kind
from ..source.languages import BY_CODE
from ..source.load import load_source
from ..source.model import Month, OptionalText, Strict, Text
from ..source.welsh import cy_date, cy_month
from .document import Block
from .markdown import OwnTextError, parse_own

#: The words of the pages, under templates/.
WORDS_FILE = Path("site") / "words.yaml"
WORDS = Kind("the publication pages' words", 100_000, "the words are a YAML file")
#: A {name} a word may hold: letters fills it in.
_FIELD = re.compile(r"\{([a-z_]+)\}")


class Words(Strict):
    """The words of the publication pages in one language."""

    title: Text
    intro: OptionalText = ""
    year: Text
    report: Text
    force: Text
    report_published: Text
    responded: Text
    deadline: Text
    response: Text
    yes: Text
    no: Text
    not_known: Text
    no_deadline: Text
    delay: Text
    page: Text
    page_label: Text
    statement: Text
    statement_label: Text
    pdf: Text
    pdf_in: dict[str, Text]
    pdf_label: Text
    updated: Text
    earlier: Text
    earlier_heading: Text
    superseded: Text
    current: Text
    not_recorded: Text
    none_yet: Text
    feed: Text
    breadcrumb: Text
    other_language: Text
    languages: Text


#: The {names} each word may hold; a word not listed holds none.
FIELDS = {
    "year": {"year"},
    "delay": {"reason"},
    "page_label": {"report"},
    "statement_label": {"report"},
    "pdf": {"size"},
    "pdf_in": {"size"},
    "pdf_label": {"report", "size"},
    "updated": {"day", "reason"},
    "earlier": {"version", "day"},
    "superseded": {"day"},
}


class SiteWords(Strict):
    """The words of the publication pages, by language."""

    en: Words
    cy: Annotated[Words | None, Field(None)] = None


def load_words(templates: Path, root: Path) -> SiteWords:
    """Read templates/site/words.yaml, refusing a {name} a word cannot be given."""
    source = load_source(templates / WORDS_FILE, root, WORDS)
    try:
        words = SiteWords.model_validate(source.tree)
    except pydantic.ValidationError as exc:
        raise DataError(source.problems(exc.errors(include_url=False))) from None
    problems = []
    for code, said in (("en", words.en), ("cy", words.cy)):
        if said is None:
            continue
        try:
            parse_own(said.intro)
        except OwnTextError as exc:
            problems.append(Problem(source.locate((code, "intro")), str(exc), f"{code}.intro"))
        for name, value in said.model_dump().items():
            for key, text in value.items() if isinstance(value, dict) else [("", value)]:
                if not isinstance(text, str):
                    continue
                for used in _FIELD.findall(text):
                    allowed = FIELDS.get(name, set())
                    if used not in allowed:
                        path = (code, name, key) if key else (code, name)
                        given = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none"
                        problems.append(
                            Problem(
                                source.locate(path),
                                f"{{{used}}} is not a value this word is given; it may hold "
                                f"{given}",
                                ".".join(path),
                            )
                        )
    if problems:
        raise DataError(problems)
    return words


def fill(text: str, **values: object) -> str:
    """Put values in a word's {names} (each checked when the words were read)."""
    return _FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


@dataclass(frozen=True)
class Link:
    """A link: where it leads, its words, the language of the words if not the page's."""

    href: str
    text: str
    lang: str = ""
    #: A longer name for screen readers, where the words alone say too little ('PDF, 84 KB').
    label: str = ""
    #: The size of the file it leads to, in bytes (0: a page).
    size: int = 0


@dataclass(frozen=True)
class Row:
    """One report and the response to it, in the index's words."""

    report: Link
    force: str
    force_lang: str
    published: str
    published_iso: str
    responded: str
    responded_iso: str
    #: Whether it was published within the 56 days: yes, no, not known, no deadline.
    deadline: str
    deadline_key: str
    delay_reason: str
    page: Link
    files: tuple[Link, ...]
    #: 'Updated on ...' for a letter reopened and sent again, with its earlier versions.
    updated: str
    updated_iso: str
    reason: str
    earlier: tuple[Link, ...]
    #: The day the response was last published (ISO 8601), for the feed.
    last_published_iso: str
    first_published_iso: str


@dataclass(frozen=True)
class Year:
    """The reports published in one year, newest first."""

    year: int
    heading: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Index:
    """An index page in one language: its title, introduction and years, newest first."""

    language: str
    title: str
    intro: tuple[Block, ...]
    words: Words
    years: tuple[Year, ...]
    #: The index in each other language (hreflang), and the feed of this one.
    alternates: tuple[Link, ...]
    feed: Link
    office: str
    show_deadline: bool
    #: The index page's own name: index.html, index.cy.html.
    home: str = "index.html"


def day_words(day: dt.date | Month | str | None, code: str, words: Words) -> str:
    """Say a day (or month) in a language; an unknown one as 'Not recorded'."""
    if isinstance(day, dt.date):
        return cy_date(day) if code == "cy" else uk_date(day)
    if isinstance(day, Month):
        return cy_month(day.year, day.month) if code == "cy" else uk_month(day.year, day.month)
    return words.not_recorded


def iso(day: dt.date | Month | str | None) -> str:
    """Write a day or month as ISO 8601 ('2024-03-12', '2024-03'); '' if unknown."""
    if isinstance(day, dt.date):
        return day.isoformat()
    if isinstance(day, Month):
        return f"{day.year:04d}-{day.month:02d}"
    return ""


def size_words(size: int) -> str:
    """Say a file's size as GOV.UK pages do: '84 KB', '1.2 MB'."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def language_tag(code: str) -> str:
    """Return a language's tag as pages carry it: 'cy-GB'."""
    return BY_CODE[code].tag
