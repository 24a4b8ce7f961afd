"""Every finding prints, with its response, in every kind of report; only true sentences.

Each report kind's example is given findings of every kind, each with text and response
found nowhere else, and built; the DOCX, the PDF and the HTML are read back. A letter says
"no areas for improvement" only where the data says the report made none, and the report's
own totals (report.counts) can be stated when the letter lists only some findings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, ROOT, copy_project, normalise, output_texts
from letters.build.build import build_letter
from letters.build.project import Project
from letters.cli import main

EXAMPLES = ROOT / "data" / "examples"
#: One letter of each report kind.
BY_KIND = {
    "integrated-peel-2018": DEFAULT_LETTER,
    "peel-2021": EXAMPLES / "warwickshire-2022-peel.yaml",
    "peel-2023": EXAMPLES / "durham-2023-peel.yaml",
    "thematic": EXAMPLES / "west-mercia-2023-youth-violence.yaml",
    "spotlight": EXAMPLES / "west-yorkshire-2024-spotlight.yaml",
    "joint": EXAMPLES / "surrey-2021-mental-health-joint.yaml",
}
KINDS = ["cause of concern", "recommendation", "area for improvement", "promising practice",
         "innovative practice"]  # fmt: skip


def _every_kind() -> list[dict[str, str]]:
    """Make two findings of every kind, each with a text and a response no other has."""
    findings = []
    for n, kind in enumerate(KINDS * 2, start=1):
        finding = {"kind": kind, "number": str(n), "text": f"Finding zq{n} says {kind} text.",
                   "response": f"Response zr{n} answers it."}  # fmt: skip
        if kind == "recommendation" and n == 2:
            finding["cause"] = "1"  # under the first cause of concern
        findings.append(finding)
    return findings


@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_every_finding_and_its_response_prints_in_every_format(tmp_path: Path, kind: str) -> None:
    def give_findings(tree: dict[str, Any]) -> None:
        tree["report"]["findings"] = _every_kind()
        tree["report"].pop("areas_for_improvement", None)
        tree.pop("recommendations_by", None)

    data = copy_project(tmp_path, BY_KIND[kind], give_findings)
    built = build_letter(data, tmp_path / "out", ("docx", "pdf", "html"), Project(tmp_path))
    for fmt, text in output_texts(list(built.paths)).items():
        for n in range(1, 2 * len(KINDS) + 1):
            assert f"zq{n}" in text, f"{kind} {fmt}: finding {n} ({KINDS[(n - 1) % 5]})"
            assert f"zr{n}" in text, f"{kind} {fmt}: response {n} ({KINDS[(n - 1) % 5]})"


def test_a_finding_marked_print_false_is_left_out_and_noted(tmp_path: Path) -> None:
    def hide_one(tree: dict[str, Any]) -> None:
        tree["report"]["findings"] = _every_kind()
        tree["report"]["findings"][3]["print"] = "false"

    data = copy_project(tmp_path, BY_KIND["peel-2023"], hide_one)
    built = build_letter(data, tmp_path / "out", ("docx", "html"), Project(tmp_path))
    html = next(p for p in built.paths if p.suffix == ".html").read_text(encoding="utf-8")
    assert "zq4" not in html and "zq9" in html
    result = CliRunner().invoke(main, ["check", str(data)])
    assert "note: report.findings[3]: promising practice 4 will not print (print: false); it is" \
        " still exported and archived" in result.output  # fmt: skip


@pytest.mark.parametrize(
    ("counts", "said"),
    [
        ({}, None),
        ({"areas_for_improvement": "0"}, "The report sets out no areas for improvement."),
        ({"areas_for_improvement": "12"}, "The report sets out 12 areas for improvement."),
    ],
    ids=["none listed", "none made", "twelve made, none listed"],
)
def test_areas_for_improvement_are_said_to_be_none_only_when_the_data_says_so(
    tmp_path: Path, counts: dict[str, str], said: str | None
) -> None:
    def no_afis(tree: dict[str, Any]) -> None:
        tree["report"]["findings"] = [
            f for f in tree["report"].get("findings", []) if f["kind"] != "area for improvement"
        ]
        if counts:
            tree["report"]["counts"] = counts

    data = copy_project(tmp_path, BY_KIND["peel-2021"], no_afis)
    built = build_letter(data, tmp_path / "out", ("html",), Project(tmp_path))
    html = built.paths[0].read_text(encoding="utf-8")
    assert ("<h2>Areas for improvement</h2>" in html) == (said is not None)
    if said:
        assert f"<p>{said}</p>" in html
    assert (said or "") != "" or "no areas for improvement" not in html


def test_a_letter_listing_some_recommendations_states_the_reports_totals(tmp_path: Path) -> None:
    def only_some(tree: dict[str, Any]) -> None:
        tree["report"]["counts"] = {"recommendations": "22", "for_chief_constables": "8"}
        tree["paragraphs"]["body"] = [
            "The report makes 22 recommendations, 8 of them for chief constables."
        ]

    data = copy_project(tmp_path, BY_KIND["thematic"], only_some)
    listed = len(
        [
            f
            for f in yaml.safe_load(data.read_text())["report"]["findings"]
            if f["kind"] == "recommendation"
        ]
    )
    built = build_letter(data, tmp_path / "out", ("html",), Project(tmp_path))
    html = built.paths[0].read_text(encoding="utf-8").replace("&#x27;", "'")
    words = {1: "one", 2: "two", 3: "three", 4: "four"}
    assert (
        "The report makes 22 recommendations, eight of which are for chief constables. Below I set"
        f" out how West Mercia Police is responding to the {words[listed]} I answer here."
    ) in normalise(html)
    assert built.warnings == ()


#: Sentences that promise or state what only listed findings can support.
UNSUPPORTED = (
    "no areas for improvement",
    "no causes of concern",
    "I set out below",
    "Below I set out",
    "on these findings",
    "for this work",
    "The annex lists",
    "as follows:-",
    "Response:",
)
#: What a letter says of the report's own totals when it lists none of its findings.
TOTALS = {
    "integrated-peel-2018": ["Within the report the Force were given 12 areas for improvement."],
    "peel-2021": [
        "The inspectors raised two causes of concern.",
        "The report sets out 12 areas for improvement.",
    ],
    "thematic": [
        "The report makes 22 recommendations, eight of which are for chief constables.",
        "The report also sets out 12 areas for improvement.",
    ],
}
TOTALS["peel-2023"] = TOTALS["peel-2021"]
TOTALS["spotlight"] = TOTALS["joint"] = TOTALS["thematic"]


@pytest.mark.slow
@pytest.mark.parametrize("way", ["no findings", "counts only", "every kind"])
@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_each_kind_says_only_what_its_findings_support(tmp_path: Path, kind: str, way: str) -> None:
    def findings(tree: dict[str, Any]) -> None:
        report = tree["report"]
        report.pop("areas_for_improvement", None)
        report["findings"] = _every_kind() if way == "every kind" else []
        if way == "counts only":
            report["counts"] = {
                "recommendations": "22",
                "for_chief_constables": "8",
                "areas_for_improvement": "12",
                "causes_of_concern": "2",
            }
        tree.pop("recommendations_by", None)

    data = copy_project(tmp_path, BY_KIND[kind], findings)
    built = build_letter(data, tmp_path / "out", ("docx", "pdf", "html"), Project(tmp_path))
    for fmt, text in output_texts(list(built.paths)).items():
        if way == "every kind":
            for n in range(1, 2 * len(KINDS) + 1):
                assert f"Finding zq{n} says" in text and f"Response zr{n}" in text, (fmt, n)
            continue
        said = [sentence for sentence in UNSUPPORTED if sentence in text]
        assert said == [], f"{kind}, {way}, {fmt}"
        for sentence in TOTALS[kind] if way == "counts only" else ():
            assert sentence in text, f"{kind}, {fmt}"
        if way == "no findings":
            assert "12 areas" not in text and "22 recommendations" not in text, fmt


#: What a letter that lists some findings of a total it does not know must never say.
COUNTED = re.compile(
    r"(sets out|makes|were given|raised) (one|two|three|four|five|\d+) "
    r"(areas? for improvement|recommendations?|causes? of concern)"
)


@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_a_total_not_stated_is_never_counted(tmp_path: Path, kind: str) -> None:
    def some(tree: dict[str, Any]) -> None:
        tree["report"]["findings"] = _every_kind()
        tree["report"].pop("areas_for_improvement", None)
        tree["report"]["counts"] = {
            name: "not stated"
            for name in ("recommendations", "areas_for_improvement", "causes_of_concern")
        }
        tree.pop("recommendations_by", None)

    data = copy_project(tmp_path, BY_KIND[kind], some)
    built = build_letter(data, tmp_path / "out", ("docx", "pdf", "html"), Project(tmp_path))
    for fmt, text in output_texts(list(built.paths)).items():
        assert COUNTED.findall(text) == [], (kind, fmt)
        for n in range(1, 2 * len(KINDS) + 1):
            assert f"Finding zq{n} says" in text and f"Response zr{n}" in text, (fmt, n)
