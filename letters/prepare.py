"""Prepare a letter for rendering: validate it, derive its facts and run its checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .checks import check_letter
from .errors import CheckResult
from .facts import LetterFacts, build_facts
from .project import Project
from .validate import LoadedLetter, load_letter


@dataclass(frozen=True)
class Prepared:
    """A letter that validated, its derived facts, and what its checks found."""

    loaded: LoadedLetter
    #: The derived facts in each of the letter's languages, in the order it is published.
    facts: dict[str, LetterFacts]
    results: tuple[CheckResult, ...]

    def failures(self, strict: bool = False) -> list[CheckResult]:
        """List the results that fail the letter: errors, and warnings too when strict."""
        failing = {"error", "warning"} if strict else {"error"}
        return [result for result in self.results if result.severity in failing]


def language_facts(loaded: LoadedLetter) -> dict[str, LetterFacts]:
    """Derive the letter's facts in each of its languages, in the order it is published."""
    letter, locate = loaded.letter, loaded.source.locate
    return {
        language: build_facts(letter, locate, loaded.framework, language)
        for language in letter.languages
    }


def prepare(data_path: Path, project: Project, today: dt.date | None = None) -> Prepared:
    """Load and validate a letter, derive its facts, and run every check on it."""
    loaded = load_letter(data_path, project.root)
    facts = language_facts(loaded)
    english = facts.get("en") or build_facts(loaded.letter, loaded.source.locate, loaded.framework)
    results = check_letter(loaded, english, today or dt.date.today(), project.home_secretaries)
    return Prepared(loaded, facts, tuple(results))
