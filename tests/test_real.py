"""Real published responses, written in the data format, built and read back.

Each letter under tests/real/ holds a real response's facts (its header names the source
and says what was inferred); its `.expect.yaml` says what the real letter shows: its
headings in order, sentences it holds word for word, and the warnings it earns. Each is
built once per session; its DOCX, PDF and HTML are read for those headings, every finding
with its response, and the sentences. The findings are read from the data file with plain
YAML, as written, not through the code under test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT, normalise, output_texts
from letters.build.batch import build_many
from letters.build.prepare import prepare
from letters.build.project import Project
from letters.compose.document import Heading, inline_text

REAL = ROOT / "tests" / "real"
LETTERS = sorted(path for path in REAL.glob("*.yaml") if not path.name.endswith(".expect.yaml"))
#: The kinds the corpus must hold at least one of (issue 11).
KINDS = {
    "integrated-peel-2018",
    "peel-2021",
    "peel-2023",
    "thematic",
    "spotlight",
    "joint",
    "peel-2014",
    "force-inspection",
    "annual-assessment",
}


def _expected(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.with_suffix(".expect.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _data(path: Path) -> dict[str, Any]:
    """Read a letter's data file as written, with plain YAML rather than the project's loader."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


#: A finding's wording and the office's answer to it, in English and in Welsh.
WORDING = ("text", "response", "action", "text_cy", "response_cy", "action_cy")


def _findings(path: Path) -> list[dict[str, Any]]:
    """List the report's findings as the data file writes them.

    The texts under `areas_for_improvement`, then each entry under `findings` with its own
    fields (`print: false` leaves it out of the letter).
    """
    report = _data(path)["report"]
    shorthand = [{"text": text} for text in report.get("areas_for_improvement", [])]
    findings: list[dict[str, Any]] = [*shorthand, *report.get("findings", [])]
    for finding in findings:
        assert isinstance(finding.get("print", True), bool), finding
    return findings


@pytest.fixture(scope="session")
def real_built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Build every real letter once: its outputs' text, by letter."""
    out = tmp_path_factory.mktemp("real")
    batch = build_many(LETTERS, out, jobs=2, project=Project(ROOT))
    failed = [(o.path.name, str(o.error)) for o in batch.outcomes if o.state != "done"]
    assert not failed, failed
    return {o.path.stem: output_texts(list(o.result.paths)) for o in batch.outcomes if o.result}


def test_the_corpus_covers_every_kind_of_response() -> None:
    assert len(LETTERS) >= 10
    kinds = {yaml.safe_load(p.read_text(encoding="utf-8"))["report"]["kind"] for p in LETTERS}
    assert KINDS <= kinds, f"missing {sorted(KINDS - kinds)}"
    bodies = " ".join(_expected(path)["body"] for path in LETTERS)
    assert re.search(r"Police, Fire and Crime Commissioner|Mayor|MOPAC", bodies)
    welsh = [p for p in LETTERS if "cy" in yaml.safe_load(p.read_text()).get("languages", [])]
    assert welsh, "a Welsh office's letter, in Welsh and English"


def test_the_corpus_holds_statements_partial_dates_and_grade_histories() -> None:
    letters = [_data(path) for path in LETTERS]
    third = [d for d in letters if d.get("voice") == "third" and d.get("layout") == "statement"]
    assert third, "a statement in the third person"
    assert any(d.get("quotes") for d in third), "a statement that quotes someone"
    dates = [str(d["letter"]["date"]) for d in letters]
    assert any(re.fullmatch(r"\d{4}-\d{2}", date) for date in dates), "a letter dated by month"
    assert "unknown" in dates, "a letter of unknown date, dated by its web page"
    assert any(d["report"].get("inspectorates") for d in letters), "a joint inspection's"

    def has_history(report: dict[str, Any]) -> bool:
        grades = report.get("grades", {}).values()
        return bool(
            report.get("revisit_of")
            or report.get("amends")
            or any(isinstance(grade, dict) and "previously" in grade for grade in grades)
            or any(finding.get("lifted") for finding in report.get("findings", []))
        )

    assert any(has_history(d["report"]) for d in letters), "a regrade, revisit or lifted concern"


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_a_real_letter_earns_the_warnings_it_should(path: Path) -> None:
    prepared = prepare(path, Project(ROOT))
    failing = [str(r) for r in prepared.results if r.severity in ("error", "warning")]
    expected = _expected(path)["warnings"]
    for words in expected:
        assert any(words in result for result in failing), (words, failing)
    assert len(failing) == len(expected), failing


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_a_real_letter_shows_its_headings_findings_and_facts(
    path: Path, real_built: dict[str, dict[str, str]]
) -> None:
    expected = _expected(path)
    findings = _findings(path)
    for fmt, text in real_built[path.stem].items():
        places = [text.find(normalise(heading)) for heading in expected["headings"]]
        assert -1 not in places, (fmt, dict(zip(expected["headings"], places, strict=True)))
        assert places == sorted(places), (fmt, "headings out of order")
        for sentence in expected["sentences"]:
            assert normalise(sentence) in text, (fmt, sentence)
        for finding in findings:
            for field in WORDING:
                wording = normalise(finding.get(field, ""))
                if wording and finding.get("print", True):
                    assert wording in text, (fmt, field, wording)
                elif wording:
                    assert wording not in text, (fmt, "printed though print: false", wording)


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_findings_come_from_report_fields_not_own_text(path: Path) -> None:
    paragraphs = _data(path).get("paragraphs", {})
    own = " ".join(
        [
            *paragraphs.get("body", []),
            *paragraphs.get("planned_activity", []),
            *paragraphs.get("themes", {}).values(),
        ]
    ).casefold()
    for finding in _findings(path):
        assert finding["text"].casefold() not in own, finding["text"]


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_the_headings_are_the_documents_own(path: Path) -> None:
    """Each expected heading is a heading in the document, not words in a paragraph."""
    from letters.build.build import compose

    document = compose(path, Project(ROOT))
    headings = [inline_text(b.content) for b in document.blocks if isinstance(b, Heading)]
    for heading in _expected(path)["headings"]:
        assert heading in headings, (heading, headings)
