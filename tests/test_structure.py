"""The letter's structure is its data: its sections, its own Markdown, joint answers, themes.

Sections are left out, replaced, moved or the letter's own; one answer serves several
recommendations; text goes under a theme; the house style says how counts are written. Each
test changes one example's data, builds it and reads back what a reader would see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import ROOT, copy_project, edit_yaml, normalise, output_texts, pdf_pages
from letters.build.build import build_letter
from letters.build.project import Project
from letters.cli import main

EXAMPLES = ROOT / "data" / "examples"
PEEL = EXAMPLES / "durham-2023-peel.yaml"
SPOTLIGHT = EXAMPLES / "west-yorkshire-2024-spotlight.yaml"
PEEL_SECTIONS = (
    "masthead, subject, opening, grades, body, causes-of-concern, recommendations, "
    "areas-for-improvement, practice, planned-activity, closing, sign-off, annex, "
    "chief-officer-comments"
)


def _html(tmp_path: Path, source: Path, change: Any) -> str:
    """Build a changed example's HTML; return its text with the tags it holds."""
    data = copy_project(tmp_path, source, change)
    built = build_letter(data, tmp_path / "out", ("html",), Project(tmp_path))
    return built.paths[0].read_text(encoding="utf-8").replace("&#x27;", "'")


def _check(tmp_path: Path, source: Path, change: Any) -> tuple[int, str]:
    """Run `letters check` on a changed example; return its exit status and output."""
    data = copy_project(tmp_path, source, change)
    result = CliRunner().invoke(main, ["check", str(data), "--today", "2023-11-20"])
    return result.exit_code, result.output


def test_a_section_left_out_by_name_does_not_print(tmp_path: Path) -> None:
    def leave_out(tree: dict[str, Any]) -> None:
        tree["sections"] = {"leave_out": ["grades", "closing"]}

    html = _html(tmp_path, PEEL, leave_out)
    assert "The inspectors graded" not in html and "I will continue to hold" not in html
    assert "<h2>Areas for improvement</h2>" in html and "There is much in this report" in html


def test_a_replaced_section_prints_the_letters_own_markdown(tmp_path: Path) -> None:
    def replace(tree: dict[str, Any]) -> None:
        tree["sections"] = {
            "replace": {
                "opening": {
                    "text": "I **welcome** the [report](https://www.example.org/peel) on "
                    "{force}.\n\nIt found:\n\n1. *good* work\n2. more to do\n\n- and a list"
                },
                "subject": {"heading": "PEEL 2023-25: Durham Constabulary"},
            }
        }

    html = _html(tmp_path, PEEL, replace)
    assert "I write in response to" not in html and "INSPECTION OF" not in html
    assert "<h1>PEEL 2023-25: Durham Constabulary</h1>" in html
    assert (
        '<p>I <strong>welcome</strong> the <a href="https://www.example.org/peel">report</a> on '
        "Durham Constabulary.</p>\n<p>It found:</p>\n<ol><li><em>good</em> work</li>"
        "<li>more to do</li></ol>\n<ul><li>and a list</li></ul>"
    ) in html


def test_own_sections_go_after_the_closing_and_comments_can_come_first(tmp_path: Path) -> None:
    def arrange(tree: dict[str, Any]) -> None:
        tree["chief_officer_comments"] = {"paragraphs": ["The force accepts every finding."]}
        tree["sections"] = {
            "order": [
                "masthead",
                "subject",
                "chief-officer-comments",
                "opening",
                "grades",
                "body",
                "areas-for-improvement",
                "practice",
                "closing",
                {"heading": "Scrutiny", "text": "The panel will see the plan in March."},
                "sign-off",
            ],
            "leave_out": [
                "causes-of-concern",
                "recommendations",
                "planned-activity",
                "annex",
            ],
        }

    data = copy_project(tmp_path, PEEL, arrange)
    built = build_letter(data, tmp_path / "out", ("docx", "pdf", "html"), Project(tmp_path))
    for fmt, text in output_texts(list(built.paths)).items():
        order = [
            "Comments of the Chief Constable of Durham Constabulary",
            "The force accepts every finding.",
            "I write in response to",
            "I will continue to hold the Chief Constable to account",
            "Scrutiny",
            "The panel will see the plan in March.",
            "Yours sincerely",
        ]
        places = [text.find(words) for words in order]
        assert -1 not in places and places == sorted(places), fmt
    pdf = next(path for path in built.paths if path.suffix == ".pdf")
    first = normalise(pdf_pages(pdf)[0])
    assert "The force accepts every finding." in first, "comments moved before the sign-off"


def test_an_unknown_section_is_an_error_that_names_the_sections(tmp_path: Path) -> None:
    status, output = _check(
        tmp_path, PEEL, lambda tree: tree.update(sections={"leave_out": ["grade"]})
    )
    assert status == 1
    assert (
        ": error: sections.leave_out[0]: 'grade' is not a section of this report kind's letter "
        f"(did you mean 'grades'?); its sections are {PEEL_SECTIONS}\n"
    ) in output


def test_an_order_must_place_every_standard_section(tmp_path: Path) -> None:
    status, output = _check(
        tmp_path, PEEL, lambda tree: tree.update(sections={"order": ["masthead", "opening"]})
    )
    assert status == 1
    assert (
        ": error: sections.order: the order does not say where 'subject', 'grades', 'body', "
        "'causes-of-concern', 'recommendations', 'areas-for-improvement', 'practice', "
        "'planned-activity', 'closing', 'sign-off', 'annex', 'chief-officer-comments' go; list "
        "each standard section, or name it under leave_out\n"
    ) in output


def test_findings_in_a_section_left_out_are_noted(tmp_path: Path) -> None:
    status, output = _check(
        tmp_path,
        PEEL,
        lambda tree: tree.update(sections={"leave_out": ["areas-for-improvement"]}),
    )
    assert status == 0
    assert (
        ": note: report.findings[0]: area for improvement will not print: the letter leaves out "
        "or replaces the sections areas-for-improvement; it is still exported and archived\n"
    ) in output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "See [this](javascript:alert(1)).",
            "'See [this](javascript:alert(1)).' looks like a link but is not one; the letter's "
            "own links are [words](https://...) or [words](mailto:...)",
        ),
        (
            "See [this](http://example.org).",
            "the link 'http://example.org' is not a web or mail address; the letter's own links "
            "start https: or mailto:",
        ),
        (
            "## A heading",
            "the text holds a heading (## ...); the letter's own text has no headings: give a "
            "section its heading with heading:, or write \\# to print #",
        ),
        (
            "![logo](https://example.org/x.png)",
            "the text holds an image (![...](...)); a letter's own text holds words only, and "
            "the letterhead is the house style's",
        ),
    ],
    ids=["script link", "http link", "heading", "image"],
)
def test_own_text_is_refused_where_it_is_more_than_words_and_safe_links(
    tmp_path: Path, text: str, message: str
) -> None:
    def write(tree: dict[str, Any]) -> None:
        tree["paragraphs"]["body"] = [text]

    status, output = _check(tmp_path, PEEL, write)
    assert status == 1
    assert f": paragraphs.body[0]: {message}\n" in output


def test_raw_html_in_own_text_prints_as_text(tmp_path: Path) -> None:
    def write(tree: dict[str, Any]) -> None:
        tree["paragraphs"]["body"] = ["A <b>tag</b> and <script>x()</script> stay words."]

    html = _html(tmp_path, PEEL, write)
    assert (
        "<p>A &lt;b&gt;tag&lt;/b&gt; and &lt;script&gt;x()&lt;/script&gt; stay words.</p>" in html
    )


def _joint(tree: dict[str, Any]) -> None:
    """Answer recommendations 10 and 22 of a thematic report together, under a theme."""
    tree["recommendations_by"] = "theme"
    tree["report"]["counts"] = {"recommendations": "22", "for_chief_constables": "8"}
    tree["report"]["findings"] = [
        {
            "kind": "recommendation",
            "number": "10",
            "theme": "A diverse workforce",
            "addressed_to": "chief constables",
            "text": "Chief constables should review the uniform policy.",
            "response": "The force's lead is reviewing it and will report in the spring.",
        },
        {
            "kind": "recommendation",
            "number": "22",
            "theme": "A diverse workforce",
            "addressed_to": "chief constables",
            "response_with": "10",
            "text": "Chief constables should publish their approach to visible symbols.",
        },
    ]
    tree["paragraphs"]["themes"] = {"A diverse workforce": "The force's plan has *three* parts."}


def test_one_answer_to_two_recommendations_prints_once_under_its_theme(tmp_path: Path) -> None:
    data = copy_project(tmp_path, SPOTLIGHT, _joint)
    built = build_letter(data, tmp_path / "out", ("docx", "pdf", "html"), Project(tmp_path))
    for fmt, text in output_texts(list(built.paths)).items():
        assert (
            "A diverse workforce The force's plan has three parts. Recommendations 10 and 22: "
            "10: Chief constables should review the uniform policy. (For chief constables.) "
            "22: Chief constables should publish their approach to visible symbols. (For chief "
            "constables.) Response: The force's lead is reviewing it and will report in the "
            "spring."
        ) in text.replace("• ", "").replace("- ", ""), fmt
        assert text.count("Response:") == 1, fmt
        assert (
            "The report makes 22 recommendations, eight of which are for chief constables. Below "
            "I set out how West Yorkshire Police is responding to the two I answer here"
        ) in text, fmt
    assert built.warnings == ()


def test_a_joint_answer_must_name_a_recommendation_the_data_lists(tmp_path: Path) -> None:
    def wrong(tree: dict[str, Any]) -> None:
        _joint(tree)
        tree["report"]["findings"][1]["response_with"] = "11"

    status, output = _check(tmp_path, SPOTLIGHT, wrong)
    assert status == 1
    assert (
        ": error: report.findings[1].response_with: response_with names recommendation '11', "
        "which the data does not list (its numbered recommendations: 10)\n"
    ) in output
    assert "recommendation 22 has no response" in output


def test_text_under_a_theme_must_name_a_theme(tmp_path: Path) -> None:
    def wrong(tree: dict[str, Any]) -> None:
        _joint(tree)
        tree["paragraphs"]["themes"] = {"A diverse work force": "Text."}

    status, output = _check(tmp_path, SPOTLIGHT, wrong)
    assert status == 1
    assert (
        ": error: paragraphs.themes.A diverse work force: 'A diverse work force' is not the "
        "theme of any recommendation (did you mean 'A diverse workforce'?); the themes are "
        "A diverse workforce\n"
    ) in output


def test_the_house_style_says_how_counts_are_written(tmp_path: Path) -> None:
    def three_afis(tree: dict[str, Any]) -> None:
        tree["report"]["areas_for_improvement"] = tree["report"]["areas_for_improvement"][:3]
        tree["paragraphs"]["body"].append("The inspectors made {afi_count} findings.")

    default = _html(tmp_path / "words", ROOT / "data" / "lancashire-2020-peel.yaml", three_afis)
    assert "Within the report the Force were given three areas for improvement" in default
    assert "The inspectors made three findings." in default
    figures = tmp_path / "figures"
    copy_project(figures, ROOT / "data" / "lancashire-2020-peel.yaml", three_afis)
    edit_yaml(figures / "templates" / "house-style.yaml", "words_up_to: 9", "words_up_to: 0")
    built = build_letter(
        figures / "data" / "lancashire-2020-peel.yaml",
        figures / "out",
        ("html",),
        Project(figures),
    )
    html = built.paths[0].read_text(encoding="utf-8")
    assert "Within the report the Force were given 3 areas for improvement" in html
    assert "The inspectors made 3 findings." in html


BILINGUAL = EXAMPLES / "dyfed-powys-2025-peel-bilingual.yaml"


def test_an_own_section_prints_in_each_language_of_a_bilingual_letter(tmp_path: Path) -> None:
    def add(tree: dict[str, Any]) -> None:
        tree["sections"] = {
            "add": [
                {
                    "after": "closing",
                    "heading": "Scrutiny",
                    "heading_cy": "Craffu",
                    "text": "The panel sees the **plan** in March.",
                    "text_cy": "Bydd y panel yn gweld y **cynllun** ym mis Mawrth.",
                }
            ]
        }

    html = _html(tmp_path, BILINGUAL, add)
    assert "<h2>Craffu</h2>\n<p>Bydd y panel yn gweld y <strong>cynllun</strong> ym mis" in html
    assert "<h2>Scrutiny</h2>\n<p>The panel sees the <strong>plan</strong> in March.</p>" in html


def test_an_own_section_without_its_welsh_is_an_error(tmp_path: Path) -> None:
    def add(tree: dict[str, Any]) -> None:
        tree["sections"] = {"add": [{"before": "sign-off", "text": "English only."}]}

    status, output = _check(tmp_path, BILINGUAL, add)
    assert status == 1
    assert (
        ": sections.add[0]: a letter in Welsh needs this section in Welsh too: heading_cy for "
        "its heading, text_cy for its text\n"
    ) in output


def test_a_template_that_includes_itself_is_named_at_its_line(tmp_path: Path) -> None:
    data = copy_project(tmp_path, PEEL, lambda tree: None)
    template = tmp_path / "templates" / "common" / "sign-off.md.j2"
    template.write_text('{% include "common/sign-off.md.j2" %}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(data)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "templates/common/sign-off.md.j2:1: calls itself too deeply" in result.output


def test_a_section_marked_twice_or_misspelt_in_a_template_is_named(tmp_path: Path) -> None:
    data = copy_project(tmp_path, PEEL, lambda tree: None)
    template = tmp_path / "templates" / "letters" / "peel.md.j2"
    edit_yaml(template, ":::: section practice\n", ":::: section practise\n")
    result = CliRunner().invoke(main, ["check", str(data)])
    assert (
        "templates/letters/peel.md.j2: warning: the template marks a section 'practise' (did you"
        " mean 'practice'?); letters name it so"
    ) in result.output
    edit_yaml(template, ":::: section practise\n", ":::: section closing\n")
    result = CliRunner().invoke(main, ["check", str(data)])
    assert result.exit_code == 1
    assert (
        "templates/letters/peel.md.j2: the section 'closing' is marked twice in one template;"
        " each section is marked once"
    ) in result.output
