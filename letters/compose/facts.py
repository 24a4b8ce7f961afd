"""Derive a letter's facts once: grade groups, counts, aspiration, dates, money and filled text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..source import welsh
from ..source.english import (
    WORDS_UP_TO,
    count_words,
    indefinite_article,
    join_names,
    join_words,
    money,
    number_word,
    percent,
    plural,
    uk_date,
    uk_month,
)
from ..source.errors import DataError, Location, Problem, did_you_mean
from ..source.findings import Findings, collect_findings
from ..source.frameworks import NOT_GRADED, Framework
from ..source.languages import BY_CODE, ORIGINAL, Language
from ..source.load import FieldPath, dotted
from ..source.model import (
    NOT_STATED,
    UNKNOWN,
    Letter,
    OwnSection,
    Recipient,
    Report,
    office_names,
    translation,
)
from .history import (
    EarlierGrades,
    EarlierReport,
    HistoryWords,
    earlier_report,
    english_change,
    english_grade,
    english_same,
    grade_history,
    join_changes,
    lifted_days,
    welsh_change,
    welsh_grade,
    welsh_same,
    welsh_scale,
)
from .markdown import OwnText, OwnTextError, escape_markdown, parse_own
from .sections import OwnSection as OwnPart
from .sections import Placed, SectionPlan

Locate = Callable[[FieldPath], Location]
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
#: A PEEL cycle as a report's title names it: 'PEEL 2023–2025', 'PEEL 2021/22', 'PEEL 2023-25'.
_CYCLE = re.compile(r"\bPEEL\s+\d{4}(?:\s*[/–-]\s*\d{2}(?:\d{2})?)?")
#: The {named} fact of each of the report's totals.
_PLACEHOLDER_OF_TOTAL = {
    "areas_for_improvement": "afi_total",
    "recommendations": "recommendation_total",
    "for_chief_constables": "for_chief_constables",
    "causes_of_concern": "cause_total",
}
#: What a fact some letters lack needs, to say so when a letter names it.
_NEEDS = {
    **{
        fact: f"report.counts.{name} is 'not stated'"
        for name, fact in _PLACEHOLDER_OF_TOTAL.items()
    },
    "aspiration": "it needs target_grade and at least one graded area in report.grades (an "
    "area 'not graded' has no grade to move from)",
    "savings.since": "it needs savings:",
    "savings.years": "it needs savings:",
    "savings.amount": "it needs savings:",
    "savings.share_of_budget": "it needs savings:",
}
#: A report's areas for improvement are listed in the letter up to this many, beyond it in an annex.
AFIS_LISTED_UP_TO = 3


@dataclass(frozen=True)
class GradeGroup:
    """Areas that were given the same grade, in the framework's order."""

    grade: str
    areas: tuple[str, ...]


@dataclass(frozen=True)
class Totals:
    """The report's totals of each kind of finding, and whether each is known or only listed."""

    areas_for_improvement: int
    recommendations: int
    for_chief_constables: int
    causes_of_concern: int
    #: True only where the data says the report made none (report.counts ... : 0).
    no_areas_for_improvement: bool
    #: The names of the totals the data states rather than lists.
    stated: tuple[str, ...]
    #: How many of each the letter lists, by the same names.
    listed: dict[str, int]
    #: The names of the totals the letter lists some of but does not know ('not stated'):
    #: their numbers above are only what is listed, and the wording gives no count.
    unstated: tuple[str, ...] = ()
    #: How many recommendations the letter lists that an earlier report made (from_report):
    #: they are answered here but counted in none of this report's totals.
    earlier: int = 0


def report_totals(report: Report, findings: Findings) -> Totals:
    """Take each total from report.counts where it is given, else from the listed findings.

    A recommendation an earlier report made (from_report) is none of this report's.
    """
    own = [r for r in findings.recommendations if not r.from_report]
    listed = {
        "areas_for_improvement": len(findings.afis),
        "recommendations": len(own),
        "for_chief_constables": len(
            [r for r in findings.for_chief_constables if not r.from_report]
        ),
        "causes_of_concern": len(findings.causes),
    }
    counts = (
        report.counts.model_dump(exclude_none=True, exclude={"graded_areas", "grades"})
        if report.counts
        else {}
    )
    unstated = tuple(sorted(name for name, value in counts.items() if value == NOT_STATED))
    given = {name: value for name, value in counts.items() if name not in unstated}
    values = {name: given.get(name, count) for name, count in listed.items()}
    return Totals(
        **values,
        no_areas_for_improvement=given.get("areas_for_improvement") == 0 and not findings.afis,
        stated=tuple(sorted(given)),
        listed=listed,
        unstated=unstated,
        earlier=len(findings.recommendations) - len(own),
    )


@dataclass(frozen=True)
class LetterFacts:
    """Everything the wording needs that is derived rather than given.

    A fact a language's wording cannot give is None (the Welsh facts have no
    `grades_awarded` or `aspiration`): a template that prints it fails, naming its line.
    """

    framework: Framework
    #: The cycle's name as the report's title writes it ('PEEL 2023–2025'), else the framework's.
    cycle: str
    areas_inspected: str
    grade_groups: tuple[GradeGroup, ...]
    grades_awarded: str | None
    grades_by_area: str
    #: The report's grades by count, best first, where the data gives them so
    #: (report.counts.grades): "'good' in three areas, 'adequate' in five"; else empty.
    grades_by_count: str
    #: Whether the grades given are all the report gives: every area of the framework is in
    #: the data, or as many are graded as report.counts.graded_areas says. If not, the wording
    #: says it lists some.
    grades_complete: bool
    #: The report's number of graded areas, where report.counts.graded_areas states it.
    graded_total: int | None
    #: How many graded areas the data gives.
    graded_count: int
    ungraded_areas: tuple[str, ...]
    #: The report this one revisits or amends, if it does.
    earlier_report: EarlierReport | None
    #: The areas whose earlier grades the data gives, a sentence for each earlier report.
    grade_history: tuple[EarlierGrades, ...]
    findings: Findings
    afi_count: int
    #: Whether the areas for improvement are too many to list in the letter and go to an annex.
    afis_in_annex: bool
    afi_summary: str
    recommendation_count: int
    #: How many of those the letter answers (a response, its own or another's): an earlier
    #: report's listed as background have none.
    answered_count: int
    recommendation_summary: str
    cause_count: int
    cause_summary: str
    #: How many of the causes of concern listed the inspectorate has lifted.
    lifted_count: int
    #: Each cause's `lifted` that is a day, written as the language writes dates; a `lifted`
    #: not here names the report that lifted the cause.
    lifted_on: dict[str, str]
    #: The report's own totals: its counts where the data gives them, else what is listed.
    totals: Totals
    aspiration: str | None
    #: The letter's date as far as it is known: '30 March 2020', 'March 2024', or '' (unknown).
    letter_date: str
    #: The day the office's web page for the letter says it was published, for a letter whose
    #: date is unknown ('' otherwise, or where the page's publication day is not given).
    page_published: str
    report_published: str
    #: The first (or only) recipient's name as addressed: 'Rt Hon Priti Patel MP'.
    addressee: str
    #: How the letter greets its recipient, or its recipients joined ('Home Secretary and
    #: HM Chief Inspector of Constabulary'): what follows 'Dear'.
    salutation: str
    #: The letter's own text, Markdown with its facts filled in: print each with {{ }}.
    body: tuple[OwnText, ...]
    planned_activity: tuple[OwnText, ...]
    #: Text under a theme's heading, by the theme's name.
    themes: dict[str, OwnText]
    #: The chief officer's comments and the office's reply, in this language.
    chief_officer_comments: ChiefOfficerText | None
    #: What the letter does with its template's standard sections.
    sections: SectionPlan
    #: Every own text above by its key, for the wording stage.
    own_texts: dict[str, str]
    #: The field of the data each own text comes from, by its key.
    own_fields: dict[str, FieldPath]
    #: What each {named} fact fills in in the letter's own text, as Markdown.
    placeholders: dict[str, str]
    #: Who signs, in order: the letter's signatories, or the office's signatory.
    signatories: tuple[Signing, ...]
    #: Each addressee in order, as the address block prints them (none for a statement).
    recipients: tuple[Addressing, ...] = ()
    #: What a statement quotes, in this language, in order.
    quotes: tuple[Quoted, ...] = ()


@dataclass(frozen=True)
class Signing:
    """One who signs the letter, as it prints: name and title in the letter's language."""

    name: str
    title: str


@dataclass(frozen=True)
class Addressing:
    """One addressee as the address block prints them, in the letter's language."""

    #: Honorific, name and post-nominals: 'Rt Hon James Cleverly MP'.
    addressee: str
    title: str
    address: tuple[str, ...]
    email: tuple[str, ...]
    #: What follows 'Dear' for this recipient alone.
    salutation: str


@dataclass(frozen=True)
class Quoted:
    """Words a statement quotes, in the letter's language, with the speaker's name and title."""

    name: str
    title: str
    text: str


@dataclass(frozen=True)
class ChiefOfficerText:
    """The chief officer's comments and the office's reply (s.55), as the letter prints them."""

    paragraphs: tuple[OwnText, ...]
    reply: tuple[OwnText, ...]


class _OwnWriter:
    """Fill in the letter's own texts, check their Markdown and key each by its place."""

    def __init__(self, values: Mapping[str, str], locate: Locate):
        self.values = {name: escape_markdown(value) for name, value in values.items()}
        self.names = values
        self.locate = locate
        self.problems: list[Problem] = []
        self.texts: dict[str, str] = {}
        self.fields: dict[str, FieldPath] = {}

    def text(self, text: str, path: FieldPath) -> OwnText | None:
        """Fill in one text, or note its problem and return None."""
        try:
            filled = fill(text, self.values)
            parse_own(filled)
        except KeyError as exc:
            name = exc.args[0]
            hint = did_you_mean(name, self.names, braces=True)
            names = ", ".join(sorted("{" + key + "}" for key in self.names))
            message = f"{{{name}}} is not a fact this letter can name{hint}; it can name {names}"
            if name in _NEEDS:
                message = f"{{{name}}} is not a fact this letter has: {_NEEDS[name]}"
            if name == "savings.years" and "savings.since" in self.names:
                message = (
                    "{savings.years} is not a fact this letter has: it counts the years from "
                    "savings.since to the letter's year, and a letter dated unknown has no year; "
                    "write the number of years"
                )
            self.problems.append(Problem(self.locate(path), message, dotted(path)))
            return None
        except OwnTextError as exc:
            self.problems.append(Problem(self.locate(path), str(exc), dotted(path)))
            return None
        key = f"t{len(self.texts)}"
        self.texts[key] = filled
        self.fields[key] = path
        return OwnText(filled, key)

    def all(self, texts: Sequence[str], path: FieldPath) -> tuple[OwnText, ...]:
        """Fill in a list of texts."""
        filled = (self.text(text, (*path, index)) for index, text in enumerate(texts))
        return tuple(text for text in filled if text is not None)

    def section(self, section: OwnSection, path: FieldPath, language: Language) -> OwnPart:
        """Fill in an own section in the letter's language."""
        suffix = language.suffix
        heading, text = getattr(section, "heading" + suffix), getattr(section, "text" + suffix)
        at = (*path, "text" + suffix)
        if language.translated and (
            bool(heading) != bool(section.heading) or bool(text) != bool(section.text)
        ):
            name = language.name
            message = (
                f"a letter in {name} needs this section in {name} too: heading{suffix} for its "
                f"heading, text{suffix} for its text"
            )
            self.problems.append(Problem(self.locate(path), message, dotted(path)))
        filled = self.text(text, at) if text else None
        return OwnPart(heading, str(filled or ""), filled.key if filled else "")

    def plan(self, letter: Letter, language: Language) -> SectionPlan:
        """Read the letter's sections: into what the wording stage arranges."""
        given = letter.sections
        if given is None:
            return SectionPlan()
        at = ("sections",)
        order = None
        if given.order is not None:
            order = tuple(
                item if isinstance(item, str) else self.section(item, (*at, "order", i), language)
                for i, item in enumerate(given.order)
            )
        return SectionPlan(
            leave_out=tuple(given.leave_out),
            replace={
                name: self.section(part, (*at, "replace", name), language)
                for name, part in given.replace.items()
            },
            order=order,
            add=tuple(
                Placed(
                    self.section(part, (*at, "add", i), language),
                    after=part.after or "",
                    before=part.before or "",
                )
                for i, part in enumerate(given.add)
            ),
        )


@dataclass(frozen=True)
class _Wording:
    """How one language writes the derived facts: lists, dates, counts and area names."""

    join: Callable[[Sequence[str]], str]
    date: Callable[[dt.date], str]
    #: A month and its year: 'March 2024'.
    month: Callable[[int, int], str]
    #: Count a noun given in the singular and the plural: the three nouns counted below.
    count: Callable[[int, str, str], str]
    nouns: tuple[tuple[str, str], tuple[str, str], tuple[str, str]]
    area: Callable[[str], str]


_ENGLISH_NOUNS = (
    ("area for improvement", "areas for improvement"),
    ("recommendation", "recommendations"),
    ("cause of concern", "causes of concern"),
)
_WELSH_NOUNS = (("maes i'w wella", ""), ("argymhelliad", ""), ("achos pryder", ""))


@dataclass(frozen=True)
class _Basis:
    """What the facts in every language are derived from: the findings, totals and grades."""

    findings: Findings
    totals: Totals
    #: Each graded area's grade, in the framework's order.
    grades: dict[str, str]
    groups: tuple[GradeGroup, ...]
    #: How many areas were given each grade, best first, where the data counts them instead.
    counted: tuple[tuple[str, int], ...]
    #: Whether the grades given are all the report gives (LetterFacts.grades_complete).
    complete: bool
    words_up_to: int


@dataclass(frozen=True)
class _Worded:
    """The facts a language words its own way, and how it words the rest."""

    words: _Wording
    #: The {named} facts the letter's own text in this language may name.
    values: dict[str, str]
    grades_by_area: str
    grades_by_count: str
    grades_awarded: str | None
    aspiration: str | None
    #: How the language words a grade history.
    history: HistoryWords


def _english(
    letter: Letter, locate: Locate, framework: Framework, basis: _Basis, language: Language
) -> _Worded:
    """Say how the English facts are worded."""
    words_up_to, groups = basis.words_up_to, basis.groups
    words = _Wording(
        join_words,
        uk_date,
        uk_month,
        lambda count, one, many: count_words(count, one, many, words_up_to),
        _ENGLISH_NOUNS,
        lambda area: area,
    )
    aspiration = (
        aspiration_phrase(basis.grades, letter.target_grade, framework)
        if letter.target_grade and basis.grades
        else None
    )
    values = placeholder_values(letter, basis.findings, basis.totals, aspiration, words_up_to)
    return _Worded(
        words,
        values,
        grades_by_area_phrase(groups, words_up_to, framework.preposition, basis.complete),
        grades_by_count_phrase(basis.counted, framework.area_noun, words_up_to),
        grades_phrase(groups, framework),
        aspiration,
        HistoryWords(
            uk_date,
            lambda area: area,
            english_grade,
            english_change,
            english_same,
            lambda scale: scale.name,
            join_changes,
        ),
    )


def build_facts(
    letter: Letter,
    locate: Locate,
    framework: Framework,
    language: str = ORIGINAL.code,
    words_up_to: int = WORDS_UP_TO,
    scales: Mapping[str, Framework] | None = None,
) -> LetterFacts:
    """Derive a valid letter's facts and fill in its own paragraphs, in one of its languages.

    Counts are written in words up to `words_up_to` and in figures above (the house style's).
    `scales` are the frameworks, by report kind, of earlier grades given on another's scale.
    """
    published_in = BY_CODE[language]
    current = letter.report.current_grades
    graded = {area: grade for area, grade in current.items() if grade != NOT_GRADED}
    grades = {area: graded[area] for area in framework.in_order(graded)}
    groups = group_grades(grades, framework)
    findings = collect_findings(letter.report)
    totals = report_totals(letter.report, findings)
    graded_total = letter.report.counts.graded_areas if letter.report.counts else None
    named = {framework.canonical(area) for area in current}
    complete = (
        len(grades) == graded_total
        if graded_total is not None
        else all(area in named for area in framework.areas)
    )
    counts = (len(findings.afis), len(findings.recommendations), len(findings.causes))
    by_count = letter.report.counts.grades if letter.report.counts else {}
    counted = tuple((grade, by_count[grade]) for grade in framework.grades if grade in by_count)
    basis = _Basis(findings, totals, grades, groups, counted, complete, words_up_to)
    worded = DERIVED_WORDING[language](letter, locate, framework, basis, published_in)
    words, aspiration = worded.words, worded.aspiration
    translated = translation(letter, published_in)  # the letter's own words in a translation
    own, at = (
        (translated.paragraphs, (published_in.field,)) if translated else (letter.paragraphs, ())
    )
    addressing = _addressing(letter, published_in, words.join)
    writer = _OwnWriter(worded.values, locate)
    body = writer.all(own.body, (*at, "paragraphs", "body"))
    planned = writer.all(own.planned_activity, (*at, "paragraphs", "planned_activity"))
    themes = {}
    for name, text in own.themes.items():
        filled = writer.text(text, (*at, "paragraphs", "themes", name))
        if filled is not None:
            themes[name] = filled
    comments = None
    if letter.chief_officer_comments is not None:
        given, path = letter.chief_officer_comments, ("chief_officer_comments",)
        suffix = published_in.suffix
        comments = ChiefOfficerText(
            writer.all(getattr(given, "paragraphs" + suffix), (*path, "paragraphs" + suffix)),
            writer.all(getattr(given, "reply" + suffix), (*path, "reply" + suffix)),
        )
    plan = writer.plan(letter, published_in)
    if writer.problems:
        raise DataError(writer.problems)
    inspected = framework.in_order(current)
    ungraded = [area for area in inspected if current[area] == NOT_GRADED]
    (afi, afis), (rec, recs), (cause, causes) = words.nouns
    cycle = _CYCLE.search(letter.report.title)
    return LetterFacts(
        framework=framework,
        cycle=cycle.group(0) if cycle and framework.kind.startswith("peel") else framework.name,
        areas_inspected=words.join([words.area(a) for a in inspected or framework.areas]),
        grade_groups=groups,
        grades_awarded=worded.grades_awarded,
        grades_by_area=worded.grades_by_area,
        grades_by_count=worded.grades_by_count,
        grades_complete=complete,
        graded_total=graded_total,
        graded_count=len(grades),
        ungraded_areas=tuple(words.area(a) for a in ungraded),
        earlier_report=earlier_report(letter.report, words.date),
        grade_history=grade_history(letter.report, framework, scales or {}, worded.history),
        findings=findings,
        afi_count=counts[0],
        afis_in_annex=counts[0] > AFIS_LISTED_UP_TO,
        afi_summary=words.count(counts[0], afi, afis),
        recommendation_count=counts[1],
        answered_count=len([r for r in findings.recommendations if r.response or r.response_with]),
        recommendation_summary=words.count(counts[1], rec, recs),
        cause_count=counts[2],
        cause_summary=words.count(counts[2], cause, causes),
        lifted_count=len([c for c in findings.causes if c.finding.lifted]),
        lifted_on=lifted_days(letter.report, words.date),
        totals=totals,
        aspiration=aspiration,
        letter_date=_letter_date(letter, words),
        page_published=words.date(letter.letter.published_on)
        if letter.letter.date == UNKNOWN and letter.letter.published_on
        else "",
        report_published=words.date(letter.report.published),
        addressee=addressing[0].addressee if addressing else "",
        salutation=(
            getattr(letter, "salutation" + published_in.suffix)
            or words.join([a.salutation for a in addressing])
        )
        if addressing
        else "",
        body=body,
        planned_activity=planned,
        themes=themes,
        chief_officer_comments=comments,
        sections=plan,
        own_texts=writer.texts,
        own_fields=writer.fields,
        placeholders=writer.values,
        signatories=_signing(letter, published_in),
        recipients=addressing,
        quotes=tuple(
            Quoted(
                q.name,
                getattr(q, "title" + published_in.suffix) or q.title,
                getattr(q, "text" + published_in.suffix) or q.text,
            )
            for q in letter.quotes
        ),
    )


def _addressing(
    letter: Letter, language: Language, join: Callable[[Sequence[str]], str]
) -> tuple[Addressing, ...]:
    """Say how each recipient is addressed and greeted, in the letter's language.

    A recipient's own salutation wins (for a single recipient of a translated letter, the
    translation's); else the office file's form: by title, by courtesy title and surname, or
    by name (the default).
    """
    translated = translation(letter, language)
    single = letter.recipient is not None
    found = []
    for r in letter.addressed_to:
        title = r.title
        own = r.salutation
        if language.translated:
            title = (
                (translated.recipient_title if translated and single else "")
                or getattr(r, "title" + language.suffix)
                or r.title
            )
            # a translated letter greets with its own salutation, or by the office's form
            own = (translated.salutation if translated and single else "") or getattr(
                r, "salutation" + language.suffix
            )
        found.append(
            Addressing(
                " ".join(filter(None, (r.honorific, r.name, r.post_nominals))),
                title,
                tuple(r.address),
                tuple(r.email),
                own or _greeting(r, title, letter.office.salutation),
            )
        )
    return tuple(found)


def _greeting(recipient: Recipient, title: str, form: str | None) -> str:
    """Greet a recipient by the office's form: their title, courtesy title and surname, or name."""
    if form == "title":
        return title
    if form == "surname" and recipient.courtesy_title:
        return f"{recipient.courtesy_title} {recipient.name.split()[-1]}"
    return recipient.name


def _signing(letter: Letter, language: Language) -> tuple[Signing, ...]:
    """Name who signs, with their titles in the letter's language."""
    office = letter.office
    if not letter.signatories:
        names = office_names(office, language)
        title = (names.signatory_title if names else "") or office.signatory.title
        return (Signing(office.signatory.name, title),)
    return tuple(
        Signing(s.name, getattr(s, "title" + language.suffix) or s.title)
        for s in letter.signatories
    )


def _welsh(
    letter: Letter, locate: Locate, framework: Framework, basis: _Basis, language: Language
) -> _Worded:
    """Say how the Welsh facts are worded, from the letter's cy: and the framework's Welsh names.

    There is no aspiration in Welsh, nor a phrase of the grades awarded.
    """
    given = translation(letter, language)
    names = framework.names_in(language)
    office = office_names(letter.office, language)
    if given is None or office is None or names is None:
        name, field = language.name, language.field
        message = (
            f"a letter in {name} needs {name} names for the {framework.name} framework in "
            f"data/reference/frameworks.yaml, and its own {name} wording under {field}:"
        )
        raise DataError([Problem(locate(("languages",)), message, "languages")])
    values = {
        **placeholder_values(letter, basis.findings, basis.totals, None, basis.words_up_to),
        "area": office.area,
        "force": given.force,
        "chief_officer": given.chief_officer,
    }
    words = _Wording(
        welsh.cy_join,
        welsh.cy_date,
        welsh.cy_month,
        lambda count, noun, _plural: welsh.cy_count(count, noun),
        _WELSH_NOUNS,
        lambda area: names.areas.get(framework.canonical(area) or area, area),
    )
    grades_by_area = "; ".join(
        f"{names.grades.get(group.grade, group.grade)} o ran "
        + words.join([words.area(area) for area in group.areas])
        for group in basis.groups
    )
    history = HistoryWords(
        welsh.cy_date,
        words.area,
        welsh_grade,
        welsh_change,
        welsh_same,
        welsh_scale,
        lambda changes: "; ".join(changes),
    )
    # 'da mewn tri maes, digonol mewn pump ac angen gwella mewn un'
    grades_by_count = welsh.cy_join(
        [
            f"{names.grades.get(grade, grade)} mewn "
            + (welsh.cy_count(count, "maes") if index == 0 else welsh.cy_number(count))
            for index, (grade, count) in enumerate(basis.counted)
        ]
    )
    return _Worded(words, values, grades_by_area, grades_by_count, None, None, history)


#: How each language words the derived facts, by its code (letters.source.languages).
DERIVED_WORDING: dict[str, Callable[[Letter, Locate, Framework, _Basis, Language], _Worded]] = {
    "en": _english,
    "cy": _welsh,
}


def group_grades(grades: Mapping[str, str], framework: Framework) -> tuple[GradeGroup, ...]:
    """Group areas by grade, best grade first, areas in the framework's order."""
    return tuple(
        GradeGroup(
            grade, tuple(area for area in framework.in_order(grades) if grades[area] == grade)
        )
        for grade in framework.grades
        if grade in grades.values()
    )


def areas_phrase(areas: tuple[str, ...], framework: Framework) -> str:
    """Name areas with their noun: 'the pillar of efficiency', 'the pillars of a and b'."""
    return f"the {plural(len(areas), framework.area_noun)} of {join_words(areas)}"


def grades_phrase(groups: tuple[GradeGroup, ...], framework: Framework) -> str:
    """Say what was awarded: "'outstanding' in the pillar of efficiency and 'good' in ..."."""
    return join_words(
        [f"'{group.grade}' in {areas_phrase(group.areas, framework)}" for group in groups]
    )


def grades_by_area_phrase(
    groups: tuple[GradeGroup, ...],
    words_up_to: int = WORDS_UP_TO,
    preposition: str = "at",
    complete: bool = True,
) -> str:
    """Say each grade with its areas, best first, to follow 'The inspectors graded the force'.

    "'good' at preventing crime and 'adequate' at investigating crime"; where a grade has
    several areas, or a name has an 'and' of its own, semicolons part the grades: "'good'
    at preventing crime and managing offenders; and 'adequate' at ...". One grade for
    every graded area reads "'good' at each of the five areas graded", where those are all
    the report graded (`complete`).
    """
    if complete and len(groups) == 1 and len(groups[0].areas) > 2:
        count = number_word(len(groups[0].areas), words_up_to)
        return f"'{groups[0].grade}' {preposition} each of the {count} areas graded"
    parts = [f"'{group.grade}' {preposition} {join_names(group.areas)}" for group in groups]
    if len(parts) < 2:
        return "".join(parts)
    complex_ = any(len(g.areas) > 1 or any(" and " in a for a in g.areas) for g in groups)
    if len(parts) == 2 and not complex_:
        return f"{parts[0]} and {parts[1]}"
    gap = "; " if complex_ else ", "
    return gap.join(parts[:-1]) + f"{gap}and {parts[-1]}"


def grades_by_count_phrase(
    counted: Sequence[tuple[str, int]], noun: str = "area", words_up_to: int = WORDS_UP_TO
) -> str:
    """Say how many areas were given each grade, best first, after 'The inspectors graded X'.

    "'good' in three areas, 'adequate' in five and 'requires improvement' in one": the first
    count names its noun; the others are understood. Empty where none are counted.
    """
    return join_words(
        [
            f"'{grade}' in "
            + (
                count_words(count, noun, "", words_up_to)
                if index == 0
                else number_word(count, words_up_to)
            )
            for index, (grade, count) in enumerate(counted)
        ]
    )


def aspiration_phrase(grades: Mapping[str, str], target: str, framework: Framework) -> str:
    """Say where the force aims to go: "move from a 'good' to 'outstanding' in ... whilst ...".

    Only the graded areas are named: an area inspected but not graded has no grade to move.
    """
    best = framework.rank(target)
    below = group_grades({a: g for a, g in grades.items() if framework.rank(g) > best}, framework)
    graded = framework.in_order(grades)
    kept = tuple(area for area in graded if framework.rank(grades[area]) <= best)
    moves = [
        f"from {indefinite_article(group.grade)} '{group.grade}' to '{target}' in "
        f"{areas_phrase(group.areas, framework)}"
        for group in below
    ]
    if not moves:
        kept_grades = {grades[area] for area in kept}
        if len(kept_grades) == 1:
            return f"maintain the grade of '{kept_grades.pop()}' in {areas_phrase(kept, framework)}"
        return f"maintain the grades in {areas_phrase(kept, framework)}"
    phrase = "move " + join_words(moves)
    if kept:
        phrase += f" whilst maintaining the {plural(len(kept), 'grade')} in {join_words(kept)}"
    return phrase


def placeholder_values(
    letter: Letter,
    findings: Findings,
    totals: Totals,
    aspiration: str | None,
    words_up_to: int = WORDS_UP_TO,
) -> dict[str, str]:
    """Name the facts a letter's own text may refer to as {name}.

    The counts are of what the letter lists; the totals are the report's own (report.counts).
    Counts are written as the house style writes numbers (words up to `words_up_to`).
    """

    def count(value: int) -> str:
        return number_word(value, words_up_to)

    values = {
        "area": letter.office.area,
        "force": letter.force.name,
        "chief_officer": letter.force.chief_officer,
        "inspectorate": letter.report.inspectorate,
        "report.title": letter.report.title,
        "report.published": uk_date(letter.report.published),
        "afi_count": count(len(findings.afis)),
        "recommendation_count": count(len(findings.recommendations)),
        "cause_count": count(len(findings.causes)),
        "afi_total": count(totals.areas_for_improvement),
        "recommendation_total": count(totals.recommendations),
        "for_chief_constables": count(totals.for_chief_constables),
        "cause_total": count(totals.causes_of_concern),
    }
    for name in totals.unstated:  # a total the letter does not know cannot be named
        values.pop(_PLACEHOLDER_OF_TOTAL[name], None)
    if aspiration is not None:
        values["aspiration"] = aspiration
    if letter.savings is not None:
        savings = letter.savings
        values.update(
            {
                "savings.since": str(savings.since),
                **(
                    {"savings.years": str(letter.letter.year - savings.since)}
                    if letter.letter.year is not None
                    else {}  # an unknown date's year is unknown: {savings.years} cannot be named
                ),
                "savings.amount": money(savings.amount),
                "savings.share_of_budget": percent(savings.share_of_budget),
            }
        )
    return values


def _letter_date(letter: Letter, words: _Wording) -> str:
    """Write the letter's date as far as it is known, inventing nothing: a day, a month or ''."""
    info = letter.letter
    if info.day is not None:
        return words.date(info.day)
    if info.month is not None:
        return words.month(info.month.year, info.month.month)
    return ""


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {name} with its value and {{ or }} with a brace; raise KeyError for unknown names."""

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1).strip()
        if name not in values:
            raise KeyError(name)
        return values[name]

    return _PLACEHOLDER.sub(substitute, text)
