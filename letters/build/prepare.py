"""Prepare a letter for rendering: validate it, derive its facts and run its checks.

The checks include one on the letter's wording itself: it is rendered (no PDF or DOCX,
only the Document's text) to show which findings and responses print.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..compose.checks import check_letter, check_printed
from ..compose.facts import LetterFacts, build_facts
from ..source.errors import (
    CheckResult,
    HeldError,
    Location,
    TemplateError,
)
from ..source.languages import BY_CODE, ORIGINAL
from ..source.model import Letter
from ..source.validate import LoadedLetter, load_letter
from .project import Project

if TYPE_CHECKING:
    from ..compose.wording import Wording


@dataclass
class Wordings:
    """A letter's wording, rendered once for each copy of its data that prints differently.

    The checks render the whole letter; the copy sent leaves out only the office's notes,
    so a letter without notes prints the same words and its build renders them once.
    """

    seen: list[tuple[str, LetterFacts, Letter, Wording]] = field(default_factory=list)

    def render(
        self,
        letter: Letter,
        facts: LetterFacts,
        project: Project,
        template: str,
        loaded: LoadedLetter,
    ) -> Wording:
        """Render the wording for this copy of the letter, or return it if already rendered.

        `loaded` is the letter as read, whose facts these are: where its text comes from.
        """
        for seen_template, seen_facts, seen_letter, wording in self.seen:
            if seen_template == template and seen_facts is facts and seen_letter == letter:
                return wording
        wording = letter_wording(letter, facts, project, template, loaded)
        self.seen.append((template, facts, letter, wording))
        return wording


@dataclass(frozen=True)
class Prepared:
    """A letter that validated, its derived facts, and what its checks found."""

    loaded: LoadedLetter
    #: The derived facts in each of the letter's languages, in the order it is published.
    facts: dict[str, LetterFacts]
    results: tuple[CheckResult, ...]
    #: The wording the checks rendered, which the build reuses where it prints the same.
    wordings: Wordings = field(default_factory=Wordings, compare=False)

    def failures(self, strict: bool = False) -> list[CheckResult]:
        """List the results that fail the letter: errors, and warnings too when strict."""
        return failures(self.results, strict)


def failures(results: Sequence[CheckResult], strict: bool = False) -> list[CheckResult]:
    """List the results that fail a letter: errors, and warnings too when strict."""
    failing = {"error", "warning"} if strict else {"error"}
    return [result for result in results if result.severity in failing]


def check_in_worker(
    data_path: Path, root: Path, today: dt.date | None = None
) -> tuple[CheckResult, ...]:
    """Check one letter in a worker process; return what its checks found."""
    from .workers import loaded_project, settle

    try:
        return check_as_built(data_path, loaded_project(root), today)
    finally:
        settle()


def check_as_built(
    data_path: Path, project: Project, today: dt.date | None = None
) -> tuple[CheckResult, ...]:
    """Check a letter as a build makes it: a draft from the project, an approved one as approved.

    An approved or sent letter is checked with the templates and lists it was approved
    with, so a change to a shared file does not fail it; one whose own data changed since
    is held (HeldError), as its build is.
    """
    from .snapshot import frozen

    try:
        approved = frozen(data_path, project.root)
    except HeldError as exc:  # what is wrong with the change too, not only that it was made
        said = str(exc).removeprefix(f"{data_path}: ")
        held = CheckResult("error", Location(data_path), "", said)
        return tuple(sorted((held, *prepare(data_path, project, today).results), key=_place))
    if approved is None:
        return prepare(data_path, project, today).results
    inside = approved.data_path
    results = approved.run(lambda path, there: prepare(path, there, today).results, data_path)
    return tuple(
        replace(r, location=replace(r.location, path=data_path)) if r.location.path == inside else r
        for r in results
    )


def _place(result: CheckResult) -> Location:
    """Order results as the checks do: by where they are."""
    return result.location


def language_facts(loaded: LoadedLetter, project: Project) -> dict[str, LetterFacts]:
    """Derive the letter's facts in each of its languages, in the order it is published."""
    letter, locate = loaded.letter, loaded.source.locate
    words_up_to = project.style.numbers.words_up_to
    return {
        language: build_facts(
            letter, locate, loaded.framework, language, words_up_to, loaded.scales
        )
        for language in letter.languages
    }


def template_name(loaded: LoadedLetter, language: str) -> str:
    """Name the wording template of a letter's report kind in a language."""
    return f"{BY_CODE[language].templates}/{loaded.framework.template}.md.j2"


def template_sections(project: Project, name: str) -> tuple[str, ...]:
    """Name the standard sections a wording template marks, in its order."""
    from ..compose.sections import standard_sections
    from ..compose.wording import template_source

    env = project.environment
    try:
        return standard_sections(
            template_source(env, name), lambda other: template_source(env, other)
        )
    except TemplateError as exc:
        message = str(exc)  # a missing include names its own file; a twice-marked one does not
        raise TemplateError(
            message if message.startswith("templates/") else f"templates/{name}: {message}"
        ) from None


def _section_slips(names: tuple[str, ...], project: Project, template: str) -> list[CheckResult]:
    """Warn of a section name near a known one but not it: a slip in a template's mark."""
    from ..compose.sections import KNOWN_SECTIONS
    from ..source.errors import did_you_mean

    slips = []
    for name in names:
        hint = "" if name in KNOWN_SECTIONS else did_you_mean(name, KNOWN_SECTIONS)
        if hint:
            where = Location(Path("templates") / template)
            message = f"the template marks a section {name!r}{hint}; letters name it so"
            slips.append(CheckResult("warning", where, "", message))
    return slips


def letter_wording(
    letter: Letter, facts: LetterFacts, project: Project, template: str, loaded: LoadedLetter
) -> Wording:
    """Render a letter's wording template with its facts, own texts and sections.

    Each paragraph is anchored to where its text comes from: `letter` is a copy of the
    letter `loaded` read (whose strings the facts hold), and both are traced.
    """
    from ..compose.origins import DataOrigins
    from ..compose.wording import Origins, render_wording

    data = DataOrigins.of([loaded.letter, letter], loaded.source.locate, project.root)
    context = {
        **{name: getattr(letter, name) for name in type(letter).model_fields},
        "facts": facts,
    }
    return render_wording(
        project.environment,
        template,
        context,
        own=facts.own_texts,
        plan=facts.sections,
        origins=Origins(data, facts.own_fields),
    )


def prepare(
    data_path: Path, project: Project, today: dt.date | None = None, importing: bool = False
) -> Prepared:
    """Load and validate a letter, derive its facts, and run every check on it.

    When nothing else fails, the wording is rendered to check what prints. `importing`: the
    letter is being recorded as sent before letters was used (a partial date is allowed).
    """
    loaded = load_letter(data_path, project.root)
    facts = language_facts(loaded, project)
    original = facts.get(ORIGINAL.code) or build_facts(
        loaded.letter,
        loaded.source.locate,
        loaded.framework,
        words_up_to=project.style.numbers.words_up_to,
        scales=loaded.scales,
    )
    language = next(iter(facts))
    sections = template_sections(project, template_name(loaded, language))
    slips = _section_slips(sections, project, template_name(loaded, language))
    results = check_letter(
        loaded,
        original,
        today or dt.date.today(),
        project.home_secretaries,
        sections,
        project.frameworks,
        importing,
    )
    results = [*results, *slips]
    wordings = Wordings()
    if not any(result.severity == "error" for result in results):
        wording = wordings.render(
            loaded.letter, facts[language], project, template_name(loaded, language), loaded
        )
        results = sorted(
            [*results, *check_printed(loaded, facts[language], wording.blocks, language)],
            key=_place,
        )
    return Prepared(loaded, facts, tuple(results), wordings)
