"""Validate a letter and run its checks, without rendering anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .checks import Finding, check_letter
from .errors import LettersError
from .facts import LetterFacts, build_facts
from .project import Project
from .validate import LoadedLetter, load_letter


class CheckError(LettersError):
    """Raised by `examine` (for `letters build`) when a letter fails its checks."""

    located = True

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(str(finding) for finding in findings))


@dataclass(frozen=True)
class Examined:
    """A letter that validated, its derived facts, and what its checks found."""

    loaded: LoadedLetter
    #: The derived facts in each of the letter's languages, in the order it is published.
    facts: dict[str, LetterFacts]
    findings: tuple[Finding, ...]

    def failures(self, strict: bool = False) -> list[Finding]:
        """The findings that fail the letter: errors, and warnings too when strict."""
        failing = {"error", "warning"} if strict else {"error"}
        return [finding for finding in self.findings if finding.severity in failing]


def language_facts(loaded: LoadedLetter) -> dict[str, LetterFacts]:
    """The letter's derived facts in each of its languages, in the order it is published."""
    return {language: build_facts(loaded.letter, loaded.source.locate, loaded.framework, language) for language in loaded.letter.languages}


def examine(data_path: Path, project: Project, today: dt.date | None = None) -> Examined:
    """Load and validate a letter, derive its facts, and run every check on it."""
    loaded = load_letter(data_path, project.root)
    facts = language_facts(loaded)
    findings = check_letter(loaded, today or dt.date.today(), project.home_secretaries)
    return Examined(loaded, facts, tuple(findings))
