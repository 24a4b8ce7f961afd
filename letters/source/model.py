"""The typed letter: what a data file must hold, with no I/O and no wording."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from .copies import BY_AUDIENCE, NOT_PUBLIC_MARK, OFFICE_ONLY_MARK, Audience
from .languages import BY_CODE, LANGUAGES, ORIGINAL, Code, Language

#: Control characters (C0 but tab and line breaks, DEL, C1), Unicode's line and paragraph
#: separators (a reader of JSON Lines or a terminal takes them for line ends) and its
#: noncharacters.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufdd0-\ufdef\ufffe\uffff]")
#: The longest run of characters without a space that a letter can lay out well (a long web
#: address fits); no-break spaces join words, so they do not end one.
LONGEST_WORD = 100
LONG_WORD = re.compile(rf"(?:[^\s]|[\u00a0\u2007\u202f]){{{LONGEST_WORD + 1},}}")
#: Bidirectional embeddings, overrides and isolates: they reorder what a reader sees.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


#: A Markdown link's address, which the letter's own text may hold but never prints.
_LINK_TARGET = re.compile(r"\]\([^()\s]*\)|<(?:https|mailto):[^<>\s]*>")


def _printable_markdown(text: str) -> str:
    """Refuse in the letter's own text what _printable refuses, but for its links' addresses."""
    _printable(_LINK_TARGET.sub("]", text))
    return text


def _printable(text: str) -> str:
    """Refuse control characters (pasted from elsewhere) and bidirectional overrides."""
    found = _CONTROL.search(text)
    if found:
        raise ValueError(
            f"contains U+{ord(found.group()):04X}, a control character or noncharacter, which "
            "cannot be printed; delete it"
        )
    word = LONG_WORD.search(text)
    if word:
        raise ValueError(
            f"holds a word of {len(word.group()):,} characters with no space; a line holds at most "
            f"{LONGEST_WORD}, so break it up"
        )
    bidi = _BIDI.search(text)
    if bidi:
        raise ValueError(
            f"contains U+{ord(bidi.group()):04X}, a bidirectional control that reorders the text "
            "a reader sees; delete it (right-to-left text needs none)"
        )
    return text


#: Every scalar is read as text, so `01772.533587` and `no` stay as written; editors see YAML 1.2
#: types, so the schema lets a text field hold what looks like a number or a boolean.
_TEXT_SCHEMA = {"type": ["string", "number", "boolean"]}
_REQUIRED = StringConstraints(strip_whitespace=True, min_length=1)
_OPTIONAL = StringConstraints(strip_whitespace=True)
_AS_TEXT = WithJsonSchema(_TEXT_SCHEMA)
Text = Annotated[str, _REQUIRED, AfterValidator(_printable), _AS_TEXT]
OptionalText = Annotated[str, _OPTIONAL, AfterValidator(_printable), _AS_TEXT]
#: The letter's own text: Markdown with {named} facts (see letters.compose.markdown).
OwnText = Annotated[str, _REQUIRED, AfterValidator(_printable_markdown), _AS_TEXT]
OptionalOwnText = Annotated[str, _OPTIONAL, AfterValidator(_printable_markdown), _AS_TEXT]
#: A line of an address, at most as long as an envelope's window shows.
Line = Annotated[Text, StringConstraints(max_length=100)]
Lines = Annotated[list[Line], Field(min_length=1, max_length=12)]
#: A web page's address ('' for none): https, a host, no spaces, quotes or angle brackets.
_WEB_ADDRESS = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][^\s<>\"'`\\]*)?")


def _web_address(text: str) -> str:
    """Refuse an address that is not a plain https: page's (no spaces, quotes or controls)."""
    if _CONTROL.search(text) or _BIDI.search(text) or (text and not _WEB_ADDRESS.fullmatch(text)):
        raise ValueError(
            f"{text!r} is not a web page's address; give it as it is in the browser's address "
            "bar, starting https://, with no spaces"
        )
    return text


WebAddress = Annotated[
    str,
    _OPTIONAL,
    StringConstraints(max_length=500),
    AfterValidator(_web_address),
]


def _folder_address(text: str) -> str:
    """Refuse a site's address that is not a folder's: every link is made from it."""
    if text and (not text.endswith("/") or "?" in text or "#" in text):
        raise ValueError(
            f"{text!r} is not the address of the folder the pages are copied to; end it with "
            "'/', with no ? or # (https://www.example.gov.uk/hmicfrs/): without the '/', the "
            "pages' links would lead one folder up"
        )
    return text


#: The address of a folder on the web ('' for none): a web address ending '/'.
FolderAddress = Annotated[WebAddress, AfterValidator(_folder_address)]


#: The days a letter's dates may fall on: anything else is a slip (and breaks date arithmetic).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _plausible(day: dt.date) -> dt.date:
    """Refuse a date no letter could carry."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"{day.isoformat()} is outside the dates a letter can carry "
            f"({FIRST_DAY.year} to {LAST_DAY.year}); check the year"
        )
    return day


Day = Annotated[dt.date, AfterValidator(_plausible)]
_DAY: TypeAdapter[dt.date] = TypeAdapter(Day)


@dataclass(frozen=True, order=True)
class Month:
    """A month a letter sent before letters was used is dated by, its day not known: 2024-03."""

    year: int
    month: int

    @property
    def first(self) -> dt.date:
        """Return the month's first day."""
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        """Return the month's last day."""
        after = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return after - dt.timedelta(days=1)

    def isoformat(self) -> str:
        """Write the month as the data does: 2024-03."""
        return f"{self.year:04d}-{self.month:02d}"


#: A letter's date when neither its day nor its month is known (the web page's dates may be).
UNKNOWN = "unknown"
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _letter_date(value: object) -> dt.date | Month | str:
    """Read a letter's date: a day (YYYY-MM-DD), a month (YYYY-MM) or 'unknown'."""
    if isinstance(value, dt.date | Month):
        return value
    text = str(value).strip()
    if text == UNKNOWN:
        return UNKNOWN
    month = _MONTH.fullmatch(text)
    if month:
        year, number = int(month.group(1)), int(month.group(2))
        if not 1 <= number <= 12:
            raise ValueError(f"{text!r} is not a month; write it YYYY-MM, for example 2024-03")
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise ValueError(
                f"{text} is outside the dates a letter can carry ({FIRST_DAY.year} to "
                f"{LAST_DAY.year}); check the year"
            )
        return Month(year, number)
    try:
        return _DAY.validate_python(value)
    except ValidationError as exc:  # the message a day's field gives, from the same place
        error = exc.errors(include_url=False)[0]
        if error["type"] == "value_error":
            raise ValueError(str(error["ctx"]["error"])) from None
        raise PydanticCustomError(error["type"], error["msg"]) from None


def _letter_date_text(value: dt.date | Month | str) -> str:
    """Write a letter's date as the data does."""
    return value if isinstance(value, str) else value.isoformat()


#: A letter's date: the day it bears; for a letter sent before letters was used, the month
#: (`Month`) or UNKNOWN where that is all that is known.
LetterDate = Annotated[
    dt.date | Month | str,
    PlainValidator(_letter_date),
    PlainSerializer(_letter_date_text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(\d{4}-\d{2}(-\d{2})?|unknown)$",
            "description": "YYYY-MM-DD; for a letter sent before letters was used, YYYY-MM "
            "or unknown",
        }
    ),
]
#: A sum of money: finite, not negative, under a trillion pounds.
Money = Annotated[Decimal, Field(ge=0, lt=Decimal(10) ** 12, allow_inf_nan=False)]


def normalise_grade(value: object) -> object:
    """Read 'Good' or 'Requires  Improvement' as frameworks write them: lower case, one space."""
    return " ".join(value.split()).lower() if isinstance(value, str) else value


Grade = Annotated[Text, BeforeValidator(normalise_grade)]


class Strict(BaseModel):
    """A part of the data: unknown keys are errors, values are read-only."""

    # Validators are made when first used (a letter's holds its parts'), not one for each part
    # as this module is imported, most of them never used by the command: 15 ms of `check`.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


#: Marks a field the letter that is sent may show but the public copy leaves out.
NOT_PUBLIC: JsonDict = {"internal": NOT_PUBLIC_MARK}
#: Marks a field that never leaves the office: only the archive's record holds it.
OFFICE_ONLY: JsonDict = {"internal": OFFICE_ONLY_MARK}


class SignatureImage(Strict):
    """A handwritten signature: a PNG under data/, and the words a screen reader says for it."""

    #: The PNG file, under the project's data/ folder: offices/signatures/clive-grunshaw.png.
    file: Text
    alt: Text


class Signatory(Strict):
    """Who signs: a name, a title, and (for the copies that are sent) a signature image."""

    name: Text
    title: Text
    #: The title in Welsh, for a letter published in Welsh (the office's is its cy: title).
    title_cy: OptionalText = ""
    #: Left out of the public copies: a copied signature invites fraud.
    signature: SignatureImage | None = Field(None, json_schema_extra=NOT_PUBLIC)


class Contact(Strict):
    """The reference block's contact lines."""

    please_ask_for: Text
    telephone: Text
    email: Text
    #: A private direct line: in the letter that is sent, never in the public copy.
    direct_line: OptionalText = Field("", json_schema_extra=NOT_PUBLIC)


class Letterhead(Strict):
    """The office's wordmark: a large title (the area) over a smaller subtitle."""

    title: Text
    subtitle: Text


class WelshOffice(Strict):
    """The office's names in Welsh, for letters published in Welsh."""

    name: Text
    area: Text
    signatory_title: Text
    letterhead_subtitle: Text
    please_ask_for: OptionalText = ""
    #: The wordmark's first line in Welsh ('Gogledd Cymru'); not given: the English title.
    letterhead_title: OptionalText = ""
    #: The postal address in Welsh, one line each ('Pencadlys yr Heddlu', 'Bae Colwyn', ...),
    #: for the Welsh footer; not given: the English address.
    address: Lines | None = None


class SiteSettings(Strict):
    """The office's publication pages (`letters site`): their title, address and introduction."""

    #: The index page's title and heading; not given: the words of templates/site/words.yaml.
    title: OptionalText = ""
    title_cy: OptionalText = ""
    #: Where the site is published, for the feed's links and the CMS copy's ('' for none).
    base_url: FolderAddress = ""
    #: A paragraph or two above the list (the office's own Markdown: links, emphasis, lists).
    intro: OptionalOwnText = ""
    intro_cy: OptionalOwnText = ""
    #: Whether the list says if each response was published within the 56 days.
    deadline_column: bool = True


class Office(Strict):
    """The local policing body that sends the letter; shared by its letters."""

    name: Text
    area: Text
    signatory: Signatory
    contact: Contact
    address: Lines
    letterhead: Letterhead
    #: How long the office keeps its letters before reviewing them (FOIA s.46 code).
    retention_years: Annotated[int, Field(ge=1, le=100)] = 7
    #: Days a bilingual letter needs for translation before the section 55 deadline.
    translation_days: Annotated[int, Field(ge=0, le=55)] = 14
    #: Days before the deadline by which the office asks to have the chief officer's comments.
    comments_days: Annotated[int, Field(ge=0, le=55)] = 21
    #: How the office's letters greet a recipient who has no salutation of their own: 'title'
    #: ('Dear Home Secretary'), 'surname' ('Dear Mr Cleverly': the recipient's courtesy_title and
    #: the last word of their name) or 'name' ('Dear James Cleverly'). Not set: by name, and
    #: `letters check` asks the office to choose.
    salutation: Literal["title", "surname", "name"] | None = None
    cy: WelshOffice | None = None
    #: The publication pages `letters site` writes from the letters sent.
    site: SiteSettings = SiteSettings()


class Recipient(Strict):
    """Who the letter is addressed to: by post, by email, or both."""

    #: Before the name: 'Rt Hon'.
    honorific: OptionalText = ""
    name: Text
    #: After the name, as the recipient writes them: 'KC MP'.
    post_nominals: OptionalText = ""
    title: Text
    #: The postal address, one line each, the postcode on one of them (often the last).
    address: Annotated[list[Line], Field(max_length=12)] = []
    #: Mailboxes the letter goes to, for a recipient written to by email.
    email: Annotated[list[Line], Field(max_length=4)] = []
    #: How the letter greets them: 'Home Secretary' gives 'Dear Home Secretary'. If not given,
    #: the office file's salutation form says (the name if it says none).
    salutation: OptionalText = ""
    #: The courtesy title a greeting by surname uses: 'Mr' gives 'Dear Mr Cleverly'.
    courtesy_title: OptionalText = ""
    #: The title and greeting in Welsh, for one of several recipients of a letter in Welsh (a
    #: single recipient's are the letter's cy: recipient_title and salutation).
    title_cy: OptionalText = ""
    salutation_cy: OptionalText = ""

    @model_validator(mode="after")
    def _reachable(self) -> Recipient:
        if not (self.address or self.email):
            raise ValueError("a recipient needs an address, an email or both")
        return self


class Quote(Strict):
    """Words a statement quotes, with who said them: printed as an attributed quotation."""

    name: Text
    title: Text
    title_cy: OptionalText = ""
    #: What they said, one paragraph, printed exactly as written inside quotation marks.
    text: Text
    text_cy: OptionalText = ""


class LetterInfo(Strict):
    """The letter's own date and reference, and when and why its comments are published."""

    #: The day the letter bears. A letter sent before letters was used may give its month
    #: (2024-03) or `unknown` (with the web page's dates below); see `partial_date`.
    date: LetterDate
    #: The office's reference; left out of the letter when not given, an empty row when ''.
    our_ref: OptionalText | None = None
    #: The day the office publishes its comments (s.55); the letter's date when not given.
    published: Day | None = None
    #: Why the comments are published after the 56 days, if they are.
    delay_reason: OptionalText = ""
    #: The "published on" and "updated on" days the office's web page for the letter shows, for
    #: a letter sent before letters was used whose own date is not known in full.
    published_on: Day | None = None
    updated_on: Day | None = None

    @model_validator(mode="after")
    def _page_dates(self) -> LetterInfo:
        if self.published_on and self.updated_on and self.updated_on < self.published_on:
            raise ValueError(
                f"updated_on ({self.updated_on.isoformat()}) is before published_on "
                f"({self.published_on.isoformat()}); a page is updated after it is published"
            )
        return self

    @property
    def day(self) -> dt.date | None:
        """Return the day the letter bears, or None where only its month or nothing is known."""
        return self.date if isinstance(self.date, dt.date) else None

    @property
    def month(self) -> Month | None:
        """Return the month the letter is dated by when its day is not known."""
        return self.date if isinstance(self.date, Month) else None

    @property
    def date_text(self) -> str:
        """Write the letter's date as the data does: 2020-03-30, 2024-03 or unknown."""
        return _letter_date_text(self.date)

    @property
    def year(self) -> int | None:
        """Return the year of the letter's date, or None where it is not known."""
        return None if isinstance(self.date, str) else self.date.year

    @property
    def latest_day(self) -> dt.date | None:
        """Return the last day the letter can bear: its day, its month's last, or the page's.

        A letter of unknown date was on its web page by the day the page was published (or,
        if that is not given, updated); with no page date, no day is known (None).
        """
        if isinstance(self.date, dt.date):
            return self.date
        if isinstance(self.date, Month):
            return self.date.last
        return self.published_on or self.updated_on


class Force(Strict):
    """The police force inspected and the title of its chief officer."""

    name: Text
    chief_officer: Text


FindingKind = Literal[
    "area for improvement",
    "cause of concern",
    "recommendation",
    "promising practice",
    "innovative practice",
]


class Finding(Strict):
    """A finding of the report, in its own numbering, with the response and planned action."""

    kind: FindingKind
    number: OptionalText = ""
    text: Text
    #: The report's Welsh wording, for a bilingual letter.
    text_cy: OptionalText = ""
    #: The graded area it belongs to, for PEEL reports.
    area: OptionalText = ""
    #: A heading to group it under, for thematic responses grouped by theme.
    theme: OptionalText = ""
    theme_cy: OptionalText = ""
    #: For a recommendation: the number of the cause of concern it answers.
    cause: OptionalText = ""
    #: Who the report addresses it to (chief constables, police and crime commissioners, ...).
    addressed_to: OptionalText = ""
    #: The action taken or proposed, or why none will be taken (s.55(5B) for recommendations).
    response: OptionalText = ""
    response_cy: OptionalText = ""
    #: What is planned, by whom and when.
    action: OptionalText = ""
    action_cy: OptionalText = ""
    #: For a recommendation answered with another: that one's number ('10' for 'Recommendations
    #: 10 and 22'); the two print together with its response and action.
    response_with: OptionalText = ""
    #: False to leave the finding out of the letter (it is still exported and archived).
    print: bool = True
    #: For a recommendation an earlier report made that this letter still answers (a revisit's):
    #: that report, as the letter names it ('PEEL 2018/19'). It prints with the recommendation
    #: and is left out of this report's counts. Empty: this report made it.
    from_report: OptionalText = ""
    #: For a cause of concern the inspectorate has lifted: the day (2023-05-04) or the report
    #: that lifted it, as the letter names it. It prints as lifted, not as an open concern.
    lifted: OptionalText = ""
    #: For a Welsh letter, the report that lifted it as the Welsh names it (a day needs none).
    lifted_cy: OptionalText = ""

    @model_validator(mode="after")
    def _earlier_recommendation(self) -> Finding:
        if self.from_report and self.kind != "recommendation":
            raise ValueError(
                "from_report is for a recommendation an earlier report made; say where other "
                "findings come from in the letter's own text"
            )
        if self.lifted and self.kind != "cause of concern":
            raise ValueError(
                "lifted is for a cause of concern the inspectorate has lifted, not for "
                f"{self.kind} findings; remove it"
            )
        return self


Count = Annotated[int, Field(ge=0, le=10_000)]
#: How many areas were given a grade: a grade given in none is left out.
AreasCounted = Annotated[int, Field(ge=1, le=100)]


#: A total the letter lists some of but does not know (or state): it prints no count.
NOT_STATED = "not stated"
Total = Count | Literal["not stated"] | None


class ReportCounts(Strict):
    """The report's own totals of its findings, as it states them ('not stated': unknown)."""

    recommendations: Total = None
    #: Of the recommendations, how many are for chief constables.
    for_chief_constables: Total = None
    areas_for_improvement: Total = None
    causes_of_concern: Total = None
    #: How many areas the report grades: a letter that gives fewer grades says it lists some.
    graded_areas: Count | None = None
    #: The report's grades by count, where the letter does not name the areas: grade -> how
    #: many areas it was given in ({good: 3, adequate: 5}). Instead of grades in report.grades.
    grades: dict[Grade, AreasCounted] = {}

    @model_validator(mode="after")
    def _consistent(self) -> ReportCounts:
        if (
            isinstance(self.recommendations, int)
            and isinstance(self.for_chief_constables, int)
            and self.for_chief_constables > self.recommendations
        ):
            raise ValueError(
                f"for_chief_constables ({self.for_chief_constables}) is more than the report's "
                f"recommendations ({self.recommendations})"
            )
        return self


#: The tags of the two forms a grade may take; validation takes them out of an error's path.
PLAIN_TAG, HISTORY_TAG = "<grade>", "<grade with history>"


def _form(value: object) -> str:
    """Tell the form a grade is in: a mapping of fields (or their model), or the grade alone."""
    return HISTORY_TAG if isinstance(value, dict | BaseModel) else PLAIN_TAG


class EarlierGrade(Strict):
    """An area's grade in an earlier report, as the inspectorate gave it then."""

    grade: Grade
    #: The earlier report, as the letter names it ('PEEL 2021/22: An inspection of X Police').
    #: Not given: the report this one revisits or amends, or the inspectorate's previous grade.
    report: OptionalText = ""
    #: The day the earlier report was published: before this report's.
    published: Day | None = None
    #: The earlier report's kind (data/reference/frameworks.yaml) when it is not this report's:
    #: its grade is on that framework's scale.
    kind: OptionalText = ""


#: An earlier grade: the grade alone (`previously: inadequate`), or with its report named.
Previously = Annotated[
    Annotated[Grade, Tag(PLAIN_TAG)] | Annotated[EarlierGrade, Tag(HISTORY_TAG)],
    Discriminator(_form),
]


class GradeHistory(Strict):
    """An area's grade with the grade an earlier report gave it."""

    grade: Grade
    previously: Previously


#: An area's grade: the grade alone (`preventing crime: good`), or with its history.
AreaGrade = Annotated[
    Annotated[Grade, Tag(PLAIN_TAG)] | Annotated[GradeHistory, Tag(HISTORY_TAG)],
    Discriminator(_form),
]


class EarlierReport(Strict):
    """An earlier report, as the letter names it, and the day it was published."""

    title: Text
    published: Day


class Report(Strict):
    """The inspection report the letter answers."""

    inspectorate: Text
    #: The inspectorates that carried out a joint inspection, as the report names them
    #: (HMICFRS, HMI Probation, the CQC, Ofsted); the letter names each.
    inspectorates: Annotated[list[Text], Field(max_length=12)] = []
    title: Text
    kind: Text
    published: Day
    #: The report's page on the inspectorate's website, which the publication pages link to.
    url: WebAddress = ""
    period: OptionalText = ""
    #: Area -> grade, on the framework's scale ('not graded' where the framework allows it), or
    #: -> {grade:, previously:} where an earlier report graded the area too.
    grades: dict[str, AreaGrade] = {}
    #: The report the inspectorate revisited, where this report is a revisit.
    revisit_of: EarlierReport | None = None
    #: The report this one amends (replaces), where this is an amended report.
    amends: EarlierReport | None = None
    #: A short way to list areas for improvement: their texts alone.
    areas_for_improvement: list[Text] = []
    findings: list[Finding] = []
    #: The report's own totals, for a letter that lists only some of its findings (or none).
    counts: ReportCounts | None = None

    @model_validator(mode="after")
    def _one_earlier(self) -> Report:
        if self.revisit_of is not None and self.amends is not None:
            raise ValueError(
                "a report is a revisit (revisit_of) or an amended report (amends), not both; "
                "keep the one its title page says"
            )
        return self

    @property
    def current_grades(self) -> dict[str, str]:
        """Each area's grade in this report, without its history."""
        return {
            area: given.grade if isinstance(given, GradeHistory) else given
            for area, given in self.grades.items()
        }

    @property
    def earlier_grades(self) -> dict[str, str | EarlierGrade]:
        """Each area's earlier grade, for the areas whose history is given."""
        return {
            area: given.previously
            for area, given in self.grades.items()
            if isinstance(given, GradeHistory)
        }

    @property
    def earlier(self) -> EarlierReport | None:
        """The report this one revisits or amends, if it does."""
        return self.revisit_of or self.amends


class Savings(Strict):
    """Savings the force has made, as figures the letter's text may name."""

    since: Annotated[int, Field(ge=FIRST_DAY.year, le=LAST_DAY.year)]
    amount: Money
    share_of_budget: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)]
    #: The total the share is of, when the data gives it; `letters check` compares the three.
    budget: Annotated[Money, Field(gt=0)] | None = None


class Paragraphs(Strict):
    """The letter's own paragraphs: Markdown with {named} facts."""

    body: list[OwnText] = []
    planned_activity: list[OwnText] = []
    #: Text under a theme's heading, before its recommendations, by the theme's (English) name.
    themes: dict[Text, OwnText] = {}


#: A standard section's name, as the report kind's template marks it (`causes-of-concern`).
SectionName = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9-]*$", max_length=60)
]


class OwnSection(Strict):
    """A section in the letter's own words: a heading, Markdown with {named} facts, or both."""

    heading: OptionalText = ""
    heading_cy: OptionalText = ""
    text: OptionalOwnText = ""
    text_cy: OptionalOwnText = ""

    @model_validator(mode="after")
    def _something(self) -> OwnSection:
        if not (self.heading or self.text):
            raise ValueError("an own section needs a heading, a text or both")
        return self


class AddedSection(OwnSection):
    """An own section placed after or before a standard section."""

    after: SectionName | None = None
    before: SectionName | None = None

    @model_validator(mode="after")
    def _placed(self) -> AddedSection:
        if (self.after is None) == (self.before is None):
            raise ValueError("an added section goes after: or before: a standard section (one)")
        return self


class Sections(Strict):
    """What the letter does with its report kind's standard sections, by name."""

    #: Standard sections the letter leaves out.
    leave_out: list[SectionName] = []
    #: Standard sections whose wording the letter replaces with its own.
    replace: dict[SectionName, OwnSection] = {}
    #: The whole order: standard sections by name and own sections; the template's if not given.
    order: list[SectionName | OwnSection] | None = None
    #: Own sections, each after or before a standard one (when no order is given).
    add: list[AddedSection] = []


class Status(Strict):
    """Where the letter is in its life: draft, approved (by whom, when) or sent (when)."""

    state: Literal["draft", "approved", "sent"] = "draft"
    approved_by: OptionalText = ""
    approved_on: Day | None = None
    sent_on: Day | None = None
    #: The day copies went to the inspectorate and the Home Secretary (s.55(6)).
    copied_on: Day | None = None
    #: The letter's version, from 1; set by `letters reopen` for the version it starts.
    version: Annotated[int, Field(ge=1, le=999)] | None = None
    #: Why the letter was reopened after it was approved or sent (`letters reopen --why`).
    reopened_because: OptionalText = ""

    @model_validator(mode="after")
    def _approval_recorded(self) -> Status:
        if self.state != "draft" and not (self.approved_by and self.approved_on):
            raise ValueError(f"a letter that is {self.state} needs approved_by and approved_on")
        if self.state != "sent" and self.sent_on is not None:
            raise ValueError("sent_on is for a letter whose state is sent")
        return self


class WelshLetter(Strict):
    """A letter's own wording and names in Welsh (facts and figures are shared with the English)."""

    force: Text
    chief_officer: Text
    report_title: Text
    recipient_title: OptionalText = ""
    salutation: OptionalText = ""
    paragraphs: Paragraphs = Paragraphs()
    copy_to: list[Text] = []


class ChiefOfficerComments(Strict):
    """The chief officer's comments and the office's reply, published with the letter (s.55)."""

    paragraphs: Annotated[list[OwnText], Field(min_length=1)]
    reply: list[OwnText] = []
    #: The same in Welsh, for a letter published in Welsh.
    paragraphs_cy: list[OwnText] = []
    reply_cy: list[OwnText] = []


#: A cause of concern's `lifted` written as a day; any other text names the report that lifted it.
LIFTED_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def lifted_day(lifted: str) -> dt.date | None:
    """Read a `lifted` written as a day (YYYY-MM-DD); None where it names a report, or no day."""
    if LIFTED_DAY.fullmatch(lifted) is None:
        return None
    try:
        return dt.date.fromisoformat(lifted)
    except ValueError:
        return None


def unprintable(text: str) -> str:
    """Take out what a letter's text may not hold: controls, noncharacters, direction marks."""
    return _BIDI.sub("", _CONTROL.sub("", text))


def _plain_note(text: str) -> str:
    """Refuse in a note (never printed, so any length of word) what no text may hold."""
    if unprintable(text) != text:
        found = next(c for c in text if unprintable(c) != c)
        raise ValueError(f"contains U+{ord(found):04X}, which cannot be printed; delete it")
    return text


#: Text that is kept but never printed: a reviewer's comment, who made it and when.
NoteText = Annotated[str, _OPTIONAL, AfterValidator(_plain_note), _AS_TEXT]


class ReviewReply(Strict):
    """A reply to a reviewer's comment: who, when, and what they said."""

    by: NoteText = ""
    on: NoteText = ""
    text: NoteText = ""


class ReviewNote(Strict):
    """A reviewer's comment on the DOCX, kept by `letters review --apply` until it is resolved.

    `about` is the source of the text it is on (a field of the data, a template's line);
    `on_text` that text. Delete the note once the comment is dealt with.
    """

    by: NoteText = ""
    on: NoteText = ""
    about: NoteText = ""
    on_text: NoteText = ""
    text: NoteText = ""
    replies: list[ReviewReply] = []


class Letter(Strict):
    """One letter: everything the wording needs, checked and typed."""

    office: Office
    #: Whom the letter is addressed to; a statement may have no addressee.
    recipient: Recipient | None = None
    #: Several addressees of one letter (the Home Secretary and HM Chief Inspector), in order,
    #: in place of recipient.
    recipients: Annotated[list[Recipient], Field(max_length=4)] = []
    #: How a letter to several recipients greets them, where the office writes it its own way
    #: ('Inspector / Minister'); each one's greeting joined with 'and' if not given.
    salutation: OptionalText = ""
    salutation_cy: OptionalText = ""
    letter: LetterInfo
    force: Force
    report: Report
    target_grade: Grade | None = None
    savings: Savings | None = None
    paragraphs: Paragraphs = Paragraphs()
    status: Status = Status()
    #: 'letter' (with address, reference block and signature) or 'statement' (headed sections only).
    layout: Literal["letter", "statement"] = "letter"
    #: How a statement speaks of its signatory: 'first' (I write ...) or 'third' (Ben Adams,
    #: Commissioner, responds ...). A letter is always in the first person.
    voice: Literal["first", "third"] = "first"
    #: What a statement quotes, each with who said it and their title (at most two speakers).
    quotes: Annotated[list[Quote], Field(max_length=6)] = []
    #: For a thematic response: one section per recommendation, or recommendations grouped by theme.
    recommendations_by: Literal["recommendation", "theme"] = "recommendation"
    #: Who is sent a copy, one line each (for example HM Chief Inspector of Constabulary).
    copy_to: list[Text] = []
    chief_officer_comments: ChiefOfficerComments | None = None
    #: What the chief officer gave to the responses the letter sets out, where its source says
    #: so: 'with the Chief Constable's advice' (comments, agreement). Not given: no such clause.
    chief_officer_gave: Literal["advice", "comments", "agreement"] | None = None
    #: Standard sections left out, replaced or moved, and the letter's own sections.
    sections: Sections | None = None
    #: Who signs this letter, in order, when not the office's signatory alone (a commissioner
    #: and a chief constable signing together, say).
    signatories: Annotated[list[Signatory], Field(max_length=6)] = []

    #: A security marking for the header of every page and the metadata, e.g. OFFICIAL.
    marking: Annotated[OptionalText, Field(max_length=100)] = ""
    #: The office's own notes on the letter: never printed, never in the public copy.
    notes: OptionalText = Field("", json_schema_extra=OFFICE_ONLY)
    #: Reviewers' comments brought back from a reviewed DOCX, until each is resolved (deleted).
    review: list[ReviewNote] = Field([], json_schema_extra=OFFICE_ONLY)
    #: The languages the letter is published in, in order: [en], [cy, en] or [en, cy].
    languages: Annotated[list[Code], Field(min_length=1, max_length=len(LANGUAGES))] = [
        ORIGINAL.code
    ]
    #: The letter's Welsh wording, for a letter published in Welsh.
    cy: WelshLetter | None = None

    @property
    def record_day(self) -> dt.date:
        """Return the one day that stands for the letter's date in records and metadata.

        The last day it can bear (`LetterInfo.latest_day`); for a letter of unknown date whose
        web page gives no date either, the day its report was published, before which it
        cannot have been written.
        """
        return self.letter.latest_day or self.report.published

    @model_validator(mode="after")
    def _complete(self) -> Letter:
        if self.layout == "letter" and self.recipient is None and not self.recipients:
            raise ValueError("a letter needs a recipient (or set layout: statement)")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("each language is listed once in languages")
        for language in (BY_CODE[code] for code in self.languages):
            if language.translated and (
                translation(self, language) is None or office_names(self.office, language) is None
            ):
                name, field = language.name, language.field
                raise ValueError(
                    f"a letter in {name} needs its {name} wording under {field}: and its "
                    f"office's under the office file's {field}:"
                )
        return self

    @property
    def addressed_to(self) -> list[Recipient]:
        """Whom the letter is addressed to, in order: its recipient or its recipients."""
        return [self.recipient] if self.recipient is not None else list(self.recipients)


def copy_for(model: BaseModel, audience: Audience) -> BaseModel:
    """Copy the data for an audience, emptying at any depth each field it may not see.

    The record keeps everything; the sent letter leaves out what is for the office only
    (its notes); the public copy also leaves out what only the recipients may see.
    """
    hidden = BY_AUDIENCE[audience].leaves_out
    changes: dict[str, object] = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get("internal") in hidden:
            changes[name] = field.get_default()
        elif isinstance(value, BaseModel):
            changes[name] = copy_for(value, audience)
    return model.model_copy(update=changes)


def translation(letter: Letter, language: Language) -> WelshLetter | None:
    """Return the letter's own wording in a translated language (under cy:), if it gives it."""
    found = getattr(letter, language.field) if language.translated else None
    return found if isinstance(found, WelshLetter) else None


@dataclass(frozen=True)
class OfficeNames:
    """How an office names itself in one language: in the footer, letterhead and sign-off."""

    name: str
    area: str
    signatory_title: str
    letterhead_subtitle: str
    letterhead_title: str
    #: The postal address, one line each.
    address: tuple[str, ...]


def office_names(office: Office, language: Language) -> OfficeNames | None:
    """Name the office in a language: from its own fields, or from its translation's (cy:).

    The translation's wordmark title and address are the office's own where it gives none.
    None where the office file gives no names in that language.
    """
    if not language.translated:
        return OfficeNames(
            office.name,
            office.area,
            office.signatory.title,
            office.letterhead.subtitle,
            office.letterhead.title,
            tuple(office.address),
        )
    found = getattr(office, language.field)
    if not isinstance(found, WelshOffice):
        return None
    return OfficeNames(
        found.name,
        found.area,
        found.signatory_title,
        found.letterhead_subtitle,
        found.letterhead_title or office.letterhead.title,
        tuple(found.address or office.address),
    )
