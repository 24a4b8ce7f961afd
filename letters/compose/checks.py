"""Check a valid letter: the s.55 deadline, responses, figures, recipient and postal details."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from ..source.english import (
    NUMBER_WORDS,
    count_noun,
    join_words,
    money,
    percent,
    read_count,
    uk_date,
    uk_month,
)
from ..source.errors import CheckResult, DataError, Severity, did_you_mean
from ..source.frameworks import DEADLINE_IN_FORCE, Framework, last_day
from ..source.inputs import REFERENCE
from ..source.languages import BY_CODE, LANGUAGES, ORIGINAL, Language
from ..source.load import FieldPath, dotted, load_source
from ..source.model import (
    LetterInfo,
    Paragraphs,
    Recipient,
    WelshLetter,
    lifted_day,
    translation,
)
from ..source.validate import LoadedLetter
from .document import Block, Table, block_lines, inline_text
from .facts import LetterFacts
from .markdown import plain_text
from .sections import plan_problems

#: A UK postcode at the end of an address line ('SW1P 4DF', 'London SW1P 4DF').
_POSTCODE = re.compile(r"(?:^|[\s,])(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$")


def ends_with_postcode(line: str) -> bool:
    """Say whether an address line ends with a UK postcode, in any case: 'Preston PR1 0LD'."""
    return _POSTCODE.search(line.strip().upper()) is not None


#: Letters after a name that are not part of it: honours, degrees, Parliament, the Bar.
_POST_NOMINAL = re.compile(
    r"\s+(?:KC|QC|MP|MS|MSP|MLA|OBE|MBE|CBE|KBE|DBE|PC|KPM|QPM|JP|DL|FRSA|PhD|MA|BA|LLB)\.?$"
)
#: A count of findings in the letter's own text: a number, up to three words, the kind.
_COUNT = re.compile(
    r"\b(\d+|no|" + "|".join(NUMBER_WORDS) + r")\s+((?:[\w-]+\s+){0,3}?)"
    r"(areas? for improvement|recommendations?|causes? of concern)\b",
    re.I,
)
#: A year, which a count's words may follow ('its 2022 inspection made eight recommendations').
_YEAR = re.compile(r"(?:19|20)\d\d")


def counted(text: str) -> Iterator[re.Match[str]]:
    """Find each count of findings a text gives, a year before one taken for no count."""
    at = 0
    while (match := _COUNT.search(text, at)) is not None:
        if _YEAR.fullmatch(match.group(1)):
            at = match.start(2)  # look again from the words after the year
            continue
        yield match
        at = match.end()


_COUNTED = {
    "area for improvement": "areas_for_improvement",
    "areas for improvement": "areas_for_improvement",
    "recommendation": "recommendations",
    "recommendations": "recommendations",
    "cause of concern": "causes_of_concern",
    "causes of concern": "causes_of_concern",
}


#: Own text that would say a count of none: 'each of the zero areas for improvement', 'all
#: none', '0 recommendations' (a {count} filled in for a letter that lists none).
_NONE_COUNTED = re.compile(
    r"\b(?:(?:each|all|both|every one|any) of (?:the |its |their )?(?:zero|0|no)\b"
    r"|all none\b"
    r"|(?:zero|0)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:areas? for improvement|recommendations?|causes? of concern|findings?))",
    re.I,
)

_PLACEHOLDER_NAMES = re.compile(r"(?<!\{)\{([^{}]+)\}(?!\})")


def _braced(names: list[str]) -> str:
    """List placeholder names in braces for a message."""
    return ", ".join("{" + name + "}" for name in names) or "no facts"


_PLACEHOLDER_FOR = {
    "areas_for_improvement": "afi_total",
    "recommendations": "recommendation_total",
    "causes_of_concern": "cause_total",
}


class Holder(BaseModel):
    """Someone who held an office, from one day to another (to: absent while in office)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")


class Holders(BaseModel):
    """A dated list of who held an office, with its public source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    checked: dt.date
    holders: list[Holder]

    def on(self, day: dt.date) -> list[str]:
        """Who held the office on a day (two names on a handover day)."""
        return self.during(day, day)

    def during(self, first: dt.date, last: dt.date) -> list[str]:
        """Who held the office on any day from `first` to `last`."""
        return [
            h.name for h in self.holders if h.start <= last and (h.end is None or first <= h.end)
        ]


def load_holders(path: Path, root: Path) -> Holders:
    """Read the list of Home Secretaries shipped under data/reference/ of the project at `root`."""
    source = load_source(path, root, REFERENCE)
    try:
        return Holders.model_validate(source.tree)
    except pydantic.ValidationError as exc:
        raise DataError(source.problems(exc.errors(include_url=False))) from None


def check_letter(
    loaded: LoadedLetter,
    facts: LetterFacts,
    today: dt.date,
    home_secretaries: Holders | None,
    sections: tuple[str, ...] = (),
    frameworks: Mapping[str, Framework] | None = None,
    importing: bool = False,
) -> list[CheckResult]:
    """Run every check on a valid letter and its (English) facts; report in the file's order.

    `sections` names the standard sections of the letter's template, for its `sections:`.
    `importing`: the letter is being recorded as sent before letters was used (`letters
    approve --sent`), so its draft may be dated by its month, or unknown.
    """
    checker = _Checker(loaded, facts)
    checker.kind_years(frameworks or {})
    checker.sections(sections)
    checker.joint()
    checker.braces()
    checker.dated(importing)
    checker.deadline(today)
    checker.recipient(home_secretaries)
    checker.salutation()
    checker.postal()
    checker.responses()
    checker.figures()
    checker.none_counted()
    checker.plausible()
    checker.bilingual()
    checker.review_notes()
    return sorted(checker.results, key=lambda result: result.location)


def undated(info: LetterInfo) -> str:
    """Say why a letter dated by its month, or unknown, cannot be approved as written now."""
    shown = (
        f"dated {uk_month(info.month.year, info.month.month)} ({info.month.isoformat()})"
        if info.month
        else "dated unknown"
    )
    return (
        f"the letter is {shown}, with no day; a letter written now (one approved with letters "
        "approve) bears the day it is dated: give letter.date as YYYY-MM-DD. Only a letter "
        "sent before letters was used may be dated by its month or unknown: record it as sent "
        "with letters approve --sent"
    )


class _Checker:
    """The checks of one letter, each adding its results."""

    def __init__(self, loaded: LoadedLetter, facts: LetterFacts):
        self.letter = loaded.letter
        self.source = loaded.source
        self.framework = loaded.framework
        self.facts = facts
        self.results: list[CheckResult] = []

    def review_notes(self) -> None:
        """Show each reviewer's comment still kept in the data, until it is resolved."""
        for index, note in enumerate(self.letter.review):
            by = f" from {note.by}" if note.by else ""
            on = f" on {note.on[:10]}" if note.on else ""
            about = f" about {note.about}" if note.about else ""
            replies = "".join(f', reply from {r.by or "someone"}: "{r.text}"' for r in note.replies)
            self.add(
                "warning",
                ("review", index),
                f'review comment{by}{on}{about}: "{note.text}"{replies}; delete this note '
                "once the comment is dealt with",
            )

    def add(self, severity: Severity, path: FieldPath, message: str) -> None:
        """Record a result about the field at `path`."""
        self.results.append(CheckResult(severity, self.source.locate(path), dotted(path), message))

    def deadline(self, today: dt.date) -> None:
        """Check s.55(5A): comments published within 56 days beginning with the report's day."""
        report, info = self.letter.report, self.letter.letter
        framework = self.framework
        if framework.statute != "Police Act 1996":
            self.add(
                "note",
                ("report", "kind"),
                f"a {framework.name} inspection falls under the {framework.statute}, not section "
                "55 of the Police Act 1996; no 56-day deadline is checked",
            )
            return
        if report.published < DEADLINE_IN_FORCE:
            self.add(
                "note",
                ("report", "published"),
                f"the report was published on {uk_date(report.published)}, before the 56-day rule "
                f"of section 55(5A) came into force on {uk_date(DEADLINE_IN_FORCE)}; no deadline "
                "is checked",
            )
            return
        deadline = last_day(report.published)
        rule = (
            f"the 56 days from the report's publication on {uk_date(report.published)} end on "
            f"{uk_date(deadline)}"
        )
        if info.published is None and info.day is None:
            self._partial_deadline(deadline, rule)
            return
        published = info.published or info.day
        assert published is not None
        path: FieldPath = ("letter", "published") if info.published else ("letter", "date")
        which = "" if info.published else " (the letter's date)"
        late = (published - deadline).days
        if published < report.published:
            self.add(
                "error",
                path,
                f"the comments are dated {uk_date(published)}{which}, before the report was "
                f"published on {uk_date(report.published)}",
            )
        elif published <= deadline:
            spare = (deadline - published).days
            self.add(
                "note",
                path,
                f"section 55 deadline met: comments published {uk_date(published)}{which}; {rule} "
                f"({count_noun(spare, 'day')} to spare)",
            )
        elif info.delay_reason:
            self.add(
                "note",
                ("letter", "delay_reason"),
                f"comments published {uk_date(published)}, {count_noun(late, 'day')} after the "
                f"section 55 deadline; {rule}. Reason recorded: {info.delay_reason}",
            )
        else:
            # A warning, not an error: a late letter must still be published, and soon.
            self.add(
                "warning",
                path,
                f"comments published {uk_date(published)}{which}, {count_noun(late, 'day')} after "
                f"the section 55 deadline; {rule}. "
                + (
                    "Record why it was late under letter.delay_reason"
                    if self.letter.status.state == "sent"
                    else "Publish it now, and record why under letter.delay_reason"
                ),
            )
        if info.published is None and today <= deadline:
            left = (deadline - today).days
            self.add(
                "note",
                ("letter", "date"),
                f"not yet published: {count_noun(left, 'day')} left to publish (last day "
                f"{uk_date(deadline)}, today {uk_date(today)})",
            )
            translation_by = deadline - dt.timedelta(days=self.letter.office.translation_days)
            if len(self.letter.languages) > 1:
                when = (
                    f"{count_noun((translation_by - today).days, 'day')} left"
                    if today <= translation_by
                    else "the time the office allows is already past"
                )
                self.add(
                    "note",
                    ("languages",),
                    "a bilingual letter needs "
                    f"{count_noun(self.letter.office.translation_days, 'day')} for translation: "
                    f"send the text for translation by {uk_date(translation_by)} ({when})",
                )

    def _partial_deadline(self, deadline: dt.date, rule: str) -> None:
        """Check the 56 days for a letter dated by its month, or unknown: confirm only what holds.

        A month confirms the deadline only when every day of it is within the 56 days, and
        shows the letter late only when every day is after them; the web page's dates show
        neither (the comments may have been published before the page, or elsewhere).
        """
        info, report = self.letter.letter, self.letter.report
        confirm = (
            "record the day the comments were published under letter.published (or give the "
            "letter's full date) to confirm it"
        )
        month = info.month
        if month is None:
            page = [
                f"{what} on {uk_date(day)}"
                for what, day in (("published", info.published_on), ("updated", info.updated_on))
                if day is not None
            ]
            said = (
                f", and its web page's dates (page {' and '.join(page)}) do not say when the "
                "comments were first published"
                if page
                else ", as are its web page's"
            )
            self.add(
                "note",
                ("letter", "date"),
                f"section 55 deadline not confirmed: the letter's date is unknown{said}; {rule}; "
                f"{confirm}",
            )
            return
        dated = f"comments dated {uk_month(month.year, month.month)} (the letter's date, no day)"
        if month.last < report.published:
            self.add(
                "error",
                ("letter", "date"),
                f"the letter is dated {uk_month(month.year, month.month)}, before the report was "
                f"published on {uk_date(report.published)}",
            )
        elif month.last <= deadline:
            # a month that begins before the report: its days from the report's are the ones
            every = (
                f"every day of which from the report's publication on {uk_date(report.published)}"
                if month.first < report.published
                else "every day of which"
            )
            self.add(
                "note",
                ("letter", "date"),
                f"section 55 deadline met: {dated}, {every} is within the 56 days; {rule}",
            )
        elif month.first <= deadline:
            self.add(
                "note",
                ("letter", "date"),
                f"section 55 deadline not confirmed: {dated}; {rule}, within that month; {confirm}",
            )
        elif info.delay_reason:
            self.add(
                "note",
                ("letter", "delay_reason"),
                f"{dated}, after the section 55 deadline; {rule}. Reason recorded: "
                f"{info.delay_reason}",
            )
        else:
            late = (month.first - deadline).days
            self.add(
                "warning",
                ("letter", "date"),
                f"{dated}, at least {count_noun(late, 'day')} after the section 55 deadline; "
                f"{rule}. Record why it was late under letter.delay_reason",
            )

    def dated(self, importing: bool) -> None:
        """Say a partial date is for a letter sent before letters: a letter written now has a day.

        A draft may be dated so while an old letter is typed in (it checks, builds and
        previews, with this warning); approving it refuses it unless it is recorded as sent.
        """
        info, state = self.letter.letter, self.letter.status.state
        if info.day is not None or state == "sent" or (importing and state == "draft"):
            return
        self.add("warning" if state == "draft" else "error", ("letter", "date"), undated(info))

    def recipient(self, holders: Holders | None) -> None:
        """Warn when a Home Secretary named was not in office on the letter's date.

        For a letter dated by its month, anyone in office during the month will do; a letter
        of unknown date is not checked (its web page's dates are not its own).
        """
        for at, recipient in self._recipients():
            self._home_secretary(holders, at, recipient)

    def _recipients(self) -> list[tuple[FieldPath, Recipient]]:
        """List the letter's recipients, each with its field: recipient, or recipients[i]."""
        if self.letter.recipient is not None:
            return [(("recipient",), self.letter.recipient)]
        return [(("recipients", i), r) for i, r in enumerate(self.letter.recipients)]

    def _home_secretary(self, holders: Holders | None, at: FieldPath, recipient: Recipient) -> None:
        """Warn when this recipient, titled Home Secretary, was not in office on the day."""
        info = self.letter.letter
        if (
            holders is None
            or recipient.title.strip().lower() != "home secretary"
            or (info.day is None and info.month is None)
        ):
            return
        if info.month is not None:
            first, last = info.month.first, info.month.last
            when = f"in {uk_month(info.month.year, info.month.month)}"
        else:
            assert info.day is not None
            first = last = info.day
            when = f"on {uk_date(info.day)}"
        in_office = holders.during(first, last)
        name = recipient.name
        while _POST_NOMINAL.search(name):
            name = _POST_NOMINAL.sub("", name)
        if name != recipient.name and name in in_office:
            letters = recipient.name[len(name) :].strip()
            self.add(
                "note",
                (*at, "name"),
                f"the name holds post-nominals; give them as post_nominals: {letters} so the "
                "name is the person's alone",
            )
            return
        if recipient.name in in_office:
            return
        if first > holders.checked:
            self.add(
                "warning",
                (*at, "name"),
                f"{recipient.name} is not the Home Secretary {when} in the project's "
                f"list, last checked on {uk_date(holders.checked)}; if the office has changed "
                "hands, add the new holder to data/reference/home-secretaries.yaml",
            )
        elif in_office:
            self.add(
                "warning",
                (*at, "name"),
                f"{recipient.name} was not Home Secretary {when}; "
                f"{' and '.join(in_office)} was (source: {holders.source})",
            )

    def salutation(self) -> None:
        """Ask a draft whose office chose no greeting to choose one before it greets by full name.

        Offices greet by title ('Dear Home Secretary') or by surname ('Dear Mr Cleverly') as
        their house style; by first name and surname only where the office says so.
        """
        office = self.letter.office
        if self.letter.status.state != "draft" or office.salutation is not None:
            return
        for at, recipient in self._recipients():
            if recipient.salutation or len(recipient.name.split()) < 2:
                continue
            self.add(
                "warning",
                (*at, "name"),
                f"the letter greets 'Dear {recipient.name}' by first name and surname; set the "
                f"office file's salutation: title ('Dear {recipient.title}'), surname (with the "
                "recipient's courtesy_title: 'Dear Mr ...') or name (to keep this), or give the "
                "recipient a salutation",
            )

    def postal(self) -> None:
        """Check that the recipient's and the office's addresses have a few lines and a postcode.

        The office's address in Welsh (cy.address) too, where it gives one.
        """
        office = self.letter.office
        addresses: list[tuple[FieldPath, list[str]]] = [(("office", "address"), office.address)]
        if office.cy is not None and office.cy.address:
            addresses.append((("office", "cy", "address"), office.cy.address))
        addresses[:0] = [((*at, "address"), r.address) for at, r in self._recipients() if r.address]
        for path, lines in addresses:
            if len(lines) < 2:
                self.add(
                    "warning",
                    path,
                    "an address needs at least two lines (a street or building, and the postcode) "
                    "to be posted",
                )
            if not any(ends_with_postcode(line) for line in lines):
                self.add(
                    "warning",
                    path,
                    "no line of the address ends with a UK postcode (for example SW1P 4DF or "
                    "London SW1P 4DF); a letter needs one to be posted",
                )

    def responses(self) -> None:
        """Section 55(5B): every recommendation needs the action taken or proposed, or why none.

        A recommendation answered with another (response_with) has that one's response. The
        duty began on 2 May 2017: for a report published before, a missing response is a note.
        """
        findings = self.letter.report.findings
        in_force = self.letter.report.published >= DEADLINE_IN_FORCE
        answered = {f.number for f in findings if f.kind == "recommendation" and f.response}
        for index, finding in enumerate(self.letter.report.findings):
            if finding.response_with in answered:
                continue
            if finding.kind == "recommendation" and not finding.response:
                name = (
                    f"recommendation {finding.number}"
                    if finding.number
                    else f"the recommendation {finding.text[:40]!r}"
                )
                if finding.from_report:
                    self.add(
                        "note",
                        ("report", "findings", index),
                        f"{name} has no response; it is a recommendation of {finding.from_report}"
                        ", not of this report, so it prints as background, without one",
                    )
                elif in_force:
                    self.add(
                        "error",
                        ("report", "findings", index),
                        f"{name} has no response; section 55(5B) requires the action taken or "
                        "proposed, or why none will be taken",
                    )
                else:
                    self.add(
                        "note",
                        ("report", "findings", index),
                        f"{name} has no response; the report came out before section 55(5B) "
                        f"required one (from {uk_date(DEADLINE_IN_FORCE)}), so it prints without",
                    )

    def kind_years(self, frameworks: Mapping[str, Framework]) -> None:
        """Warn when the report came out outside its kind's years; name a kind that fits."""
        framework, published = self.framework, self.letter.report.published
        if framework.years.holds(published):
            return
        last = uk_date(framework.years.last) if framework.years.last else "now"
        fits = [
            kind
            for kind, other in frameworks.items()
            if bool(other.grades) == bool(framework.grades)
            and other.years.holds(published)
            and kind != framework.kind
        ]
        hint = f"; did you mean {join_words([repr(k) for k in fits], 'or')}?" if fits else ""
        self.add(
            "warning",
            ("report", "kind"),
            f"a {framework.name} report ({framework.kind}) comes out between "
            f"{uk_date(framework.years.first)} and {last}, and this one was published on "
            f"{uk_date(published)}{hint}",
        )

    def sections(self, names: tuple[str, ...]) -> None:
        """Check that `sections:` names only the template's sections, each in one place."""
        if self.letter.sections is None:
            return
        if not names:
            template = f"templates/letters/{self.framework.template}.md.j2"
            message = f"{template} marks no sections (:::: section NAME) to leave out or move"
            self.add("error", ("sections",), message)
        for path, message in plan_problems(self.facts.sections, names) if names else ():
            self.add("error", ("sections", *path), message)

    def braces(self) -> None:
        """Warn of a fact named in braces in a finding: report fields print as written."""
        for index, finding in enumerate(self.letter.report.findings):
            for part in ("text", "response", "action"):
                named = _PLACEHOLDER_NAMES.findall(getattr(finding, part))
                if named:
                    self.add(
                        "warning",
                        ("report", "findings", index, part),
                        f"{_braced(named)} will print as written, braces and all: a finding's "
                        "words are the report's and the office's, never filled in; write the "
                        "words themselves",
                    )

    def joint(self) -> None:
        """Check that each response_with names a recommendation with its own response."""
        findings = self.letter.report.findings
        leads = {f.number: f for f in findings if f.kind == "recommendation" and f.number}
        for index, finding in enumerate(findings):
            lead = leads.get(finding.response_with)
            problem = ""
            if not finding.response_with:
                continue
            if finding.kind != "recommendation":
                problem = "only a recommendation can be answered with another"
            elif lead is None or lead is finding:
                numbers = ", ".join(n for n in leads if leads[n] is not finding) or "none"
                problem = (
                    f"response_with names recommendation {finding.response_with!r}, which the "
                    f"data does not list (its numbered recommendations: {numbers})"
                )
            elif lead.response_with:
                problem = (
                    f"recommendation {lead.number} is itself answered with "
                    f"{lead.response_with}; name {lead.response_with} here instead"
                )
            elif finding.response or finding.action:
                problem = (
                    f"this recommendation is answered with {lead.number}, so its response and "
                    f"action are {lead.number}'s; leave them out here"
                )
            if problem:
                self.add("error", ("report", "findings", index, "response_with"), problem)
        themes = {f.theme for f in findings if f.kind == "recommendation" and f.theme}
        for language in LANGUAGES:
            paragraphs = self.paragraphs_in(language)
            for name in paragraphs.themes if paragraphs else {}:
                if name not in themes:
                    at = (language.field,) if language.translated else ()
                    self.add(
                        "error",
                        (*at, "paragraphs", "themes", name),
                        f"{name!r} is not the theme of any recommendation"
                        f"{did_you_mean(name, sorted(themes))}; the themes are "
                        + (", ".join(sorted(themes)) or "none"),
                    )

    def paragraphs_in(self, language: Language) -> Paragraphs | None:
        """Return the letter's paragraphs in a language, if it has any in it."""
        if not language.translated:
            return self.letter.paragraphs
        given = translation(self.letter, language)
        return given.paragraphs if given else None

    def bilingual(self) -> None:
        """Check that a bilingual letter has the same paragraphs, facts and findings in each."""
        for language in (BY_CODE[code] for code in self.letter.languages):
            given = translation(self.letter, language)
            if given is not None:
                self.translated(language, given)

    def translated(self, language: Language, given: WelshLetter) -> None:
        """Check that a translation has the original's paragraphs, facts and findings."""
        letter, field, suffix = self.letter, language.field, language.suffix
        name_in, original = language.name, ORIGINAL.name  # 'Welsh', 'English'
        for name in ("body", "planned_activity"):
            originals, translations = (
                getattr(letter.paragraphs, name),
                getattr(given.paragraphs, name),
            )
            if len(originals) != len(translations):
                self.add(
                    "error",
                    (field, "paragraphs", name),
                    f"the {name_in} has {count_noun(len(translations), 'paragraph')} and the "
                    f"{original} {count_noun(len(originals), 'paragraph')}; each paragraph needs "
                    "both languages",
                )
            for index, (text, translated) in enumerate(zip(originals, translations, strict=False)):
                names = (
                    sorted(set(_PLACEHOLDER_NAMES.findall(text))),
                    sorted(set(_PLACEHOLDER_NAMES.findall(translated))),
                )
                if names[0] != names[1]:
                    self.add(
                        "error",
                        (field, "paragraphs", name, index),
                        f"the {name_in} names {_braced(names[1])} but the {original} "
                        f"{_braced(names[0])}",
                    )
                figures = (
                    re.findall(r"\d+(?:[.,]\d+)*", text),
                    re.findall(r"\d+(?:[.,]\d+)*", translated),
                )
                if sorted(figures[0]) != sorted(figures[1]):
                    self.add(
                        "warning",
                        (field, "paragraphs", name, index),
                        f"the figures differ: {', '.join(figures[1]) or 'none'} in {name_in}, "
                        f"{', '.join(figures[0]) or 'none'} in {original}",
                    )
        original_themes, themes = sorted(letter.paragraphs.themes), sorted(given.paragraphs.themes)
        if original_themes != themes:
            self.add(
                "error",
                (field, "paragraphs", "themes"),
                f"the {name_in} gives text under the themes {', '.join(themes) or 'none'} and "
                f"the {original} under {', '.join(original_themes) or 'none'}; each needs both",
            )
        for index, finding in enumerate(letter.report.findings):
            if finding.lifted and lifted_day(finding.lifted) is None and not finding.lifted_cy:
                self.add(
                    "warning",
                    ("report", "findings", index, "lifted"),
                    f"the {name_in} names the report that lifted it as the {original} does; give "
                    f"its {name_in} name as lifted{suffix}",
                )
            for part in ("text", "response", "action"):
                if getattr(finding, part) and not getattr(finding, part + suffix):
                    label = f"{finding.kind} {finding.number}".strip()
                    self.add(
                        "error",
                        ("report", "findings", index),
                        f"{label} has no {name_in} {part} ({part}{suffix}); a bilingual letter "
                        "carries every finding in both languages",
                    )
        if letter.report.areas_for_improvement:
            self.add(
                "error",
                ("report", "areas_for_improvement"),
                "a bilingual letter lists its areas for improvement under findings, each with "
                f"text{suffix}",
            )
        comments = letter.chief_officer_comments
        if comments and (
            len(getattr(comments, "paragraphs" + suffix)) != len(comments.paragraphs)
            or len(getattr(comments, "reply" + suffix)) != len(comments.reply)
        ):
            self.add(
                "error",
                ("chief_officer_comments",),
                "the chief officer's comments and the reply need the same paragraphs in "
                f"{name_in} (paragraphs{suffix}, reply{suffix})",
            )
        if len(given.copy_to) != len(letter.copy_to):
            self.add("error", (field, "copy_to"), f"copy_to needs the same recipients in {name_in}")

    def plausible(self) -> None:
        """Check values that validate but cannot be true: years, sums and approval dates."""
        letter, savings, status = self.letter, self.letter.savings, self.letter.status
        year = letter.letter.year
        if savings is not None:
            years = 0 if year is None else year - savings.since
            if year is not None and years <= 0:
                self.add(
                    "error",
                    ("savings", "since"),
                    f"{savings.since} is not before the letter's year, {year}, "
                    f"so {{savings.years}} would be {years}; give the year the savings began",
                )
            if savings.share_of_budget > 0 and percent(savings.share_of_budget) == "0%":
                self.add(
                    "error",
                    ("savings", "share_of_budget"),
                    f"{savings.share_of_budget} prints as 0%; give the share as a percentage",
                )
            if money(savings.amount) in ("£0", "£0.00"):
                self.add(
                    "error",
                    ("savings", "amount"),
                    f"{savings.amount} prints as {money(savings.amount)}; give the sum in pounds",
                )
        seen: set[str] = set()
        for index, line in enumerate(letter.copy_to):
            if line.casefold() in seen:
                self.add("warning", ("copy_to", index), f"{line!r} is listed twice")
            seen.add(line.casefold())
        approved = status.approved_on
        if approved is not None and approved < letter.report.published:
            self.add(
                "error",
                ("status", "approved_on"),
                f"the letter is approved on {uk_date(approved)}, before the report it answers "
                f"was published on {uk_date(letter.report.published)}",
            )
        if approved is not None and status.sent_on is not None and status.sent_on < approved:
            self.add(
                "error",
                ("status", "sent_on"),
                f"the letter is sent on {uk_date(status.sent_on)}, before it was approved on "
                f"{uk_date(approved)}",
            )
        elif approved is not None and letter.letter.day and approved > letter.letter.day:
            # only a full date: a letter dated by its month, or unknown, was sent before letters
            # was used, and its approved_on is the day it was recorded
            self.add(
                "warning",
                ("status", "approved_on"),
                f"the letter is approved on {uk_date(approved)}, after the date it bears, "
                f"{uk_date(letter.letter.day)}",
            )

    def figures(self) -> None:
        """Check that a share matches its amounts and that counts in the text match the findings."""
        savings = self.letter.savings
        if savings is not None and savings.budget is not None:
            actual = savings.amount / savings.budget * 100
            stated = savings.share_of_budget
            places = max(0, -stated.as_tuple().exponent)  # type: ignore[operator]
            if abs(actual - stated) > Decimal("0.5") * Decimal(10) ** -places:
                self.add(
                    "error",
                    ("savings", "share_of_budget"),
                    f"{percent(stated)} does not match the amounts: {savings.amount} of "
                    f"{savings.budget} is {percent(actual)}",
                )
        findings, totals = self.facts.findings, self.facts.totals
        listed = totals.listed
        graded = self.facts.graded_total
        if graded is not None and graded < self.facts.graded_count:
            self.add(
                "error",
                ("report", "counts", "graded_areas"),
                f"the report's graded areas are given as {graded}, but the letter grades "
                f"{self.facts.graded_count}",
            )
        for name in totals.stated:
            if getattr(totals, name) < listed[name]:
                self.add(
                    "error",
                    ("report", "counts", name),
                    f"the report's {name.replace('_', ' ')} are given as "
                    f"{getattr(totals, name)}, but the letter lists {listed[name]}",
                )
        known = {
            "areas_for_improvement": {len(findings.afis), totals.areas_for_improvement},
            "recommendations": {
                len(findings.recommendations),
                totals.recommendations,
                totals.for_chief_constables,
                len(findings.for_chief_constables),
            },
            "causes_of_concern": {len(findings.causes), totals.causes_of_concern},
        }
        # a count the data gives: stated by the report, or of findings the letter lists
        given = {
            field: bool(listed[field])
            or field in totals.stated
            or (field == "recommendations" and "for_chief_constables" in totals.stated)
            for field in known
        }
        by_count: list[tuple[str, int, str]] = []  # where the text counts recommendations
        for name, texts in (
            ("body", self.facts.body),
            ("planned_activity", self.facts.planned_activity),
        ):
            for index, text in enumerate(texts):
                plain = plain_text(text)
                for match in counted(plain):
                    count = read_count(match.group(1))
                    field = _COUNTED[match.group(3).lower()]
                    if field == "recommendations" and count and _answers(plain, match):
                        by_count.append((name, index, " ".join(match.group(0).split())))
                    if count in known[field] or not given[field]:
                        continue
                    said = " ".join(match.group(0).split())
                    kind = field.replace("_", " ")
                    self.add(
                        "warning",
                        ("paragraphs", name, index),
                        f"the text says {said!r}, a number the data does not give: it lists "
                        f"{_counted(known[field])} {kind}; if the report makes {count}, give it "
                        f"as report.counts.{field} and name it {{{_PLACEHOLDER_FOR[field]}}}",
                    )
        if by_count:
            self.answered_by_count(*by_count[0])

    def none_counted(self) -> None:
        """Warn where the letter's own text would say a count of none ('each of the zero ...').

        A {count} copied from another letter (letters new --from) fills in as 'zero' when this
        letter lists none of those findings; no letter says so.
        """
        facts = self.facts
        texts: list[tuple[FieldPath, str]] = [
            *((("paragraphs", "body", i), str(t)) for i, t in enumerate(facts.body)),
            *(
                (("paragraphs", "planned_activity", i), str(t))
                for i, t in enumerate(facts.planned_activity)
            ),
            *((("paragraphs", "themes", name), str(t)) for name, t in facts.themes.items()),
        ]
        for name, part in facts.sections.replace.items():
            texts.append((("sections", "replace", name, "text"), part.markdown))
        for index, placed in enumerate(facts.sections.add):
            texts.append((("sections", "add", index, "text"), placed.section.markdown))
        comments = facts.chief_officer_comments
        if comments is not None:
            texts += [
                (("chief_officer_comments", "paragraphs", i), str(t))
                for i, t in enumerate(comments.paragraphs)
            ]
            texts += [
                (("chief_officer_comments", "reply", i), str(t))
                for i, t in enumerate(comments.reply)
            ]
        for path, text in texts:
            found = _NONE_COUNTED.search(" ".join(plain_text(text).split()))
            if found:
                self.add(
                    "warning",
                    path,
                    f"the text would say {found.group(0)!r}: a count of none; the letter lists "
                    "none of them, so say what the report does set out, or leave the sentence out",
                )

    def answered_by_count(self, name: str, index: int, said: str) -> None:
        """Warn where the text answers recommendations by a count, not each one (s.55(5B)).

        The report's stated total (for chief constables, where given: those are the
        force's) is more than the recommendations the letter lists with a response.
        """
        report, totals = self.letter.report, self.facts.totals
        if report.published < DEADLINE_IN_FORCE:
            return
        field = (
            "for_chief_constables" if "for_chief_constables" in totals.stated else "recommendations"
        )
        if field not in totals.stated:
            return
        total = getattr(totals, field)
        listed = [f for f in report.findings if f.kind == "recommendation" and not f.from_report]
        if total <= len(listed):
            return
        numbers = {f.number for f in listed}
        if all(number.isdigit() for number in numbers):
            missing = [str(n) for n in range(1, total + 1) if str(n) not in numbers]
            which = (
                f"recommendations {join_words(missing)} are"
                if len(missing) > 1
                else (f"recommendation {missing[0]} is")
            )
        else:
            which = f"{total - len(listed)} of its {total} recommendations are"
        self.add(
            "warning",
            ("paragraphs", name, index),
            f"the text answers recommendations by a count ({said!r}), but the report makes "
            f"{total} and {which} not listed with a response; section 55(5B) needs the action "
            "taken or proposed for each: list them under report.findings, each with its response",
        )


#: Words that answer recommendations ('we have accepted all eight'), not only count them.
_ANSWERING = re.compile(
    r"\b(?:accept|agree|implement|adopt|address|respond|act(?:ed|ing)? on|tak(?:e|en|ing) "
    r"forward|complet)\w*",
    re.I,
)


def _answers(text: str, match: re.Match[str]) -> bool:
    """Say whether the sentence holding a count of recommendations answers them."""
    start = max(text.rfind(end, 0, match.start()) for end in ".!?") + 1
    stops = [i for i in (text.find(end, match.end()) for end in ".!?") if i >= 0]
    return bool(_ANSWERING.search(text[start : min(stops, default=len(text))]))


def _counted(counts: set[int]) -> str:
    """Write the counts a check knows: '8', '8 or 22'."""
    return " or ".join(str(count) for count in sorted(counts))


def check_printed(
    loaded: LoadedLetter,
    facts: LetterFacts,
    blocks: tuple[Block, ...],
    language: str = ORIGINAL.code,
) -> list[CheckResult]:
    """Read the rendered wording for each finding and its response: say what will not print.

    `facts` are the facts the wording was rendered with (their findings, in the report's order).

    A finding left out (print: false, or its section left out or replaced by name) is a
    note; one the template has no place for is a warning, as is a response it drops and a
    finding in a table of responses whose response cell is empty.
    """
    letter, locate = loaded.letter, loaded.source.locate
    printed = " ".join(" ".join(block_lines(blocks)).split())
    # The rows of a table of findings whose last column (the response) is empty.
    unanswered = " ".join(
        " ".join(inline_text(cell) for cell in row)
        for block in blocks
        if isinstance(block, Table) and len(block.header) > 1
        for row in block.rows
        if not inline_text(row[-1]).strip()
    )
    unanswered = " ".join(unanswered.split())
    suffix = BY_CODE[language].suffix
    plan = letter.sections
    left = [*plan.leave_out, *plan.replace] if plan else []
    results: list[CheckResult] = []
    shorthand = len(letter.report.areas_for_improvement)
    every = facts.findings.all
    for index, finding in enumerate(every):
        path: FieldPath = (
            ("report", "areas_for_improvement", index)
            if index < shorthand
            else ("report", "findings", index - shorthand)
        )
        label = f"{finding.kind} {finding.number}".strip()
        text = " ".join((getattr(finding, "text" + suffix) or finding.text).split())
        response = " ".join(getattr(finding, "response" + suffix).split())

        found: tuple[Severity, str] | None = None
        if not finding.print:
            found = (
                "note",
                f"{label} will not print (print: false); it is still exported and archived",
            )
        elif text not in printed and left:
            found = (
                "note",
                f"{label} will not print: the letter leaves out or replaces the sections "
                f"{', '.join(left)}; it is still exported and archived",
            )
        elif text not in printed:
            found = (
                "warning",
                f"{label} does not print: the template templates/letters/"
                f"{loaded.framework.template}.md.j2 has no place for it",
            )
        elif response and response not in printed:
            found = ("warning", f"the response to {label} does not print")
        elif text in unanswered:
            found = ("warning", f"{label} prints with its response column empty; give a response")
        if found:
            results.append(CheckResult(found[0], locate(path), dotted(path), found[1]))
    for index, quote in enumerate(facts.quotes):
        if " ".join(quote.text.split()) in printed:
            continue
        path = ("quotes", index)
        where: tuple[Severity, str] = (
            ("note", "its section (body) is left out or replaced")
            if "body" in left
            else ("warning", f"the template ({facts.framework.template}) has no place for it")
        )
        message = f"the quotation from {quote.name} will not print: {where[1]}"
        results.append(CheckResult(where[0], locate(path), dotted(path), message))
    return results
