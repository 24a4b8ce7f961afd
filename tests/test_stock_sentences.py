"""Each stock sentence prints only where its facts are in the data (docs/real-letters.md).

Every variant is built once (PDF only) and read back with pypdf; each stock sentence has a
case where its facts are there and one where one is missing. Expected sentences are
written out, not derived with the code under test.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, copy_of_project, normalise, pdf_pages
from letters.build.build import build_letter, compose
from letters.build.prepare import prepare
from letters.build.project import Project
from letters.cli import main
from letters.compose.document import text_lines

ACTIVISM = "data/examples/west-mercia-2024-activism-thematic.yaml"
YOUTH = "data/examples/west-mercia-2023-youth-violence.yaml"
DURHAM = "data/examples/durham-2023-peel.yaml"
LANCASHIRE = "data/lancashire-2020-peel.yaml"
EARLIER = "the 2019 report Both sides of the coin"


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(tree: dict[str, Any]) -> None:
        tree[key] = value

    return change


def _earlier(numbers: tuple[str, ...]) -> Callable[[dict[str, Any]], None]:
    """Mark recommendations as an earlier report's."""

    def change(tree: dict[str, Any]) -> None:
        for finding in tree["report"]["findings"]:
            if finding["number"] in numbers:
                finding["from_report"] = EARLIER

    return change


def _ungrade(counted: int | None) -> Callable[[dict[str, Any]], None]:
    """Leave out one graded area; state how many the report grades, or not."""

    def change(tree: dict[str, Any]) -> None:
        del tree["report"]["grades"]["serious and organised crime"]
        if counted is not None:
            tree["report"]["counts"] = {"graded_areas": counted}

    return change


def _keep(tree: dict[str, Any]) -> None:
    """Build the letter as it is."""


VARIANTS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "advice": (ACTIVISM, _set("chief_officer_gave", "advice")),
    "no-advice": (ACTIVISM, _keep),
    "comments": (YOUTH, _set("chief_officer_gave", "comments")),
    "all-this-report": (YOUTH, _keep),
    "one-earlier": (YOUTH, _earlier(("4",))),
    "all-earlier": (YOUTH, _earlier(("1", "2", "3", "4"))),
    "every-grade": (DURHAM, _keep),
    "some-grades": (DURHAM, _ungrade(None)),
    "some-grades-counted": (DURHAM, _ungrade(10)),
    "some-grades-all-counted": (DURHAM, _ungrade(9)),
}


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    """Build a variant's PDF the first time a test asks for it: its text."""
    root = copy_of_project(tmp_path_factory.mktemp("stock"))
    project = Project(root)
    texts: dict[str, str] = {}

    def text(name: str) -> str:
        if name not in texts:
            source, change = VARIANTS[name]
            # the copy's letter, a draft: a sent one would need an approval of its own
            tree = yaml.safe_load((root / source).read_text(encoding="utf-8"))
            change(tree)
            data = (root / source).with_name(f"{name}.yaml")
            data.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "utf-8")
            built = build_letter(data, root / "out", ("pdf",), project)
            texts[name] = normalise(" ".join(pdf_pages(built.paths[0])))
        return texts[name]

    return text


PRESENT = [
    # 1: the chief officer's part, only where the data records it
    (
        "advice",
        "The report makes 22 recommendations, eight of which are for chief constables. Below I"
        " set out how West Mercia Police is responding to the two I answer here, with the Chief"
        " Constable's advice.",
    ),
    (
        "comments",
        "Below I set out how West Mercia Police is responding, with the Chief Constable's"
        " comments.",
    ),
    (
        "no-advice",
        "Below I set out how West Mercia Police is responding to the two I answer here.",
    ),
    # 2: counts of this report's own recommendations
    (
        "all-this-report",
        "The report makes four recommendations, two of which are for chief constables. Below I"
        " set out how West Mercia Police is responding.",
    ),
    (
        "one-earlier",
        "The report makes three recommendations, two of which are for chief constables. Below"
        " I set out how West Mercia Police is responding to the recommendations I answer here.",
    ),
    ("one-earlier", f"(Made in {EARLIER}.)"),
    (
        "all-earlier",
        "Below I set out how West Mercia Police is responding to the recommendations I answer"
        " here.",
    ),
    # 3: a list of grades reads as complete only when it is
    (
        "every-grade",
        "The inspectors graded Durham Constabulary 'outstanding' at serious and organised crime;"
        " 'good' at recording data about crime",
    ),
    (
        "some-grades",
        "The grades the inspectors gave Durham Constabulary include 'good' at recording data"
        " about crime and preventing crime;",
    ),
    (
        "some-grades-counted",
        "The inspectors graded Durham Constabulary in 10 areas, of which I set out nine here:"
        " 'good' at recording data about crime and preventing crime;",
    ),
    (
        "some-grades-all-counted",
        "The inspectors graded Durham Constabulary 'good' at recording data about crime and"
        " preventing crime;",
    ),
]

ABSENT = [
    ("no-advice", "advice"),
    ("all-this-report", "Chief Constable's"),
    ("one-earlier", "four recommendations"),
    ("all-this-report", "Made in"),
    ("all-earlier", "The report makes"),
    ("some-grades", "The inspectors graded Durham"),
    ("some-grades-counted", "The grades the inspectors gave"),
    ("every-grade", "include"),
]


@pytest.mark.parametrize(("variant", "sentence"), PRESENT)
def test_a_stock_sentence_prints_where_its_facts_are(
    pdf_text: Callable[[str], str], variant: str, sentence: str
) -> None:
    assert sentence in pdf_text(variant)


@pytest.mark.parametrize(("variant", "words"), ABSENT)
def test_a_stock_sentence_says_less_where_a_fact_is_missing(
    pdf_text: Callable[[str], str], variant: str, words: str
) -> None:
    assert words not in pdf_text(variant)


def test_a_graded_areas_count_below_the_grades_given_is_an_error(tmp_path: Path) -> None:
    copy_of_project(tmp_path)
    data = tmp_path / DURHAM
    tree = yaml.safe_load(data.read_text(encoding="utf-8"))
    tree["report"]["counts"] = {"graded_areas": 3}
    data.write_text(yaml.safe_dump(tree, sort_keys=False), encoding="utf-8")
    errors = [str(r) for r in prepare(data, Project(tmp_path)).results if r.severity == "error"]
    assert len(errors) == 1
    assert errors[0].endswith(
        "report.counts.graded_areas: the report's graded areas are given as 3, but the letter"
        " grades 10"
    )


# 4: no sentence counts none
COUNTING = "The force answers each of the {afi_count} areas for improvement."


def _with_counting_paragraph(root: Path, afis: bool) -> Path:
    data = root / LANCASHIRE
    tree = yaml.safe_load(data.read_text(encoding="utf-8"))
    tree["paragraphs"]["body"].append(COUNTING)
    if not afis:
        tree["report"]["areas_for_improvement"] = []
    data.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), "utf-8")
    return data


@pytest.mark.parametrize("afis", [True, False], ids=["some", "none"])
def test_check_warns_where_own_text_would_count_none(tmp_path: Path, afis: bool) -> None:
    copy_of_project(tmp_path)
    data = _with_counting_paragraph(tmp_path, afis)
    results = prepare(data, Project(tmp_path), dt.date(2020, 3, 1)).results
    warnings = [str(r) for r in results if r.severity == "warning"]
    if afis:
        assert warnings == []
        return
    assert len(warnings) == 1
    assert "paragraphs.body[6]: the text would say 'each of the zero'" in warnings[0]


def test_new_from_names_paragraphs_that_count_and_says_no_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_of_project(tmp_path)
    _with_counting_paragraph(tmp_path, afis=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "lancashire-2021", "--from", LANCASHIRE])
    assert result.exit_code == 0, result.output
    assert "note: paragraphs.body[6] names {afi_count}" in result.stderr
    assert "zero" not in result.output + result.stderr
    export = CliRunner().invoke(main, ["findings", "data/lancashire-2021.yaml"])
    assert "zero" not in export.output + export.stderr and " 0 " not in export.stderr


# The walker: every example and real letter holds only what the table allows for its data.
LETTERS = sorted(
    [
        *(ROOT / "data" / "examples").glob("*.yaml"),
        ROOT / LANCASHIRE,
        *(p for p in (ROOT / "tests" / "real").glob("*.yaml") if ".expect" not in p.name),
    ]
)
FRAMEWORKS = yaml.safe_load((ROOT / "data/reference/frameworks.yaml").read_text("utf-8"))
WORDS = "zero one two three four five six seven eight nine".split()
NONE_COUNTED = re.compile(
    r"\b(?:each|all|both) of the (?:zero|0|no)\b|\ball none\b"
    r"|\b(?:zero|0) (?:areas? for improvement|recommendations?|causes? of concern)",
    re.I,
)


def _count(value: str) -> int:
    return int(value) if value.isdigit() else WORDS.index(value)


@pytest.mark.parametrize("path", LETTERS, ids=lambda p: p.stem)
def test_every_letter_says_only_what_its_data_establishes(path: Path) -> None:
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    report = tree["report"]
    text = " ".join(text_lines(compose(path, Project(ROOT))))
    counts = report.get("counts") or {}
    # the chief officer's part
    gave = tree.get("chief_officer_gave")
    said = re.findall(r"with the [\w ]+?'s (advice|comments|agreement)\.", text)
    assert said == ([gave] if gave and said else []), said
    # the total of recommendations
    for stated in re.findall(r"The report makes (\w+) recommendations?", text):
        own = [
            f
            for f in report.get("findings", [])
            if f["kind"] == "recommendation" and not f.get("from_report")
        ]
        total = counts.get("recommendations")
        assert _count(stated) == (total if isinstance(total, int) else len(own))
    # no count of none
    assert not NONE_COUNTED.search(text), NONE_COUNTED.search(text)
    # a grade list read as complete only where it is
    grades = report.get("grades") or {}
    graded = [area for area, grade in grades.items() if grade != "not graded"]
    complete = (
        counts.get("graded_areas") == len(graded)
        if "graded_areas" in counts
        else len(grades) == len(FRAMEWORKS[report["kind"]]["areas"])
    )
    force = tree["force"]["name"]
    reads_whole = f"The inspectors graded {force} '" in text or f"{force} was awarded '" in text
    if graded and "grades" not in ((tree.get("sections") or {}).get("leave_out") or []):
        partial = f"The grades the inspectors gave {force} include" in text or (
            f"The inspectors graded {force} in " in text
        )
        assert reads_whole == complete and partial == (not complete), (complete, reads_whole)
