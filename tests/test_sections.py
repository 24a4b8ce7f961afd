"""A letter's sections: kept, left out, replaced, moved or its own, as its `sections:` says."""

from __future__ import annotations

import pytest

from letters.compose.document import Block, BulletList, Heading, Paragraph, Section, inline_text
from letters.compose.markdown import Part, parse_blocks
from letters.compose.sections import (
    OwnSection,
    Placed,
    SectionPlan,
    arrange,
    own_section,
    plan_problems,
    standard_sections,
)
from letters.source.errors import TemplateError

TEMPLATE = """Lead.

:::: section opening
Dear Chief Constable,
::::

Between.

:::: section body
## Findings

The force is good.
::::

:::: section sign-off
Yours sincerely.
::::

:::: section annex
::: annex
:::
## Annex A

The data.
::::
"""
NAMES = ("opening", "body", "sign-off", "annex")
COMMENTS = OwnSection("Our comments", "We *agree*.\n\n- one\n- two")


def parts() -> list[Part]:
    """Read the template into its parts."""
    return parse_blocks(TEMPLATE, "letter.md.j2")


def shown(blocks: list[Block]) -> list[str]:
    """Show blocks as lines: headings with their level, page breaks, list items after '- '."""
    lines = []
    for block in blocks:
        if isinstance(block, Heading):
            lines.append("#" * block.level + " " + inline_text(block.content))
        elif isinstance(block, Paragraph):
            lines.append(inline_text(block.content))
        elif isinstance(block, BulletList):
            lines.extend("- " + inline_text(item) for item in block.items)
        elif isinstance(block, Section):
            lines.append(f"[{block.kind}{', new page' if block.new_page else ''}]")
    return lines


def test_the_template_is_read_into_parts_by_section() -> None:
    assert [(part.section, shown(part.blocks)) for part in parts()] == [
        ("", ["Lead."]),
        ("opening", ["Dear Chief Constable,"]),
        ("", ["Between."]),
        ("body", ["## Findings", "The force is good."]),
        ("sign-off", ["Yours sincerely."]),
        ("annex", ["[annex, new page]", "## Annex A", "The data."]),
    ]


def test_an_empty_plan_keeps_the_templates_order() -> None:
    assert shown(arrange(parts(), SectionPlan())) == [
        "Lead.",
        "Dear Chief Constable,",
        "Between.",
        "## Findings",
        "The force is good.",
        "Yours sincerely.",
        "[annex, new page]",
        "## Annex A",
        "The data.",
    ]


def test_a_section_left_out_goes_with_the_blocks_after_it() -> None:
    # 'Between.' is outside every section, so it goes with the section before it
    assert shown(arrange(parts(), SectionPlan(leave_out=("opening", "annex")))) == [
        "Lead.",
        "## Findings",
        "The force is good.",
        "Yours sincerely.",
    ]


def test_a_replaced_section_takes_its_headings_level_and_the_letters_words() -> None:
    plan = SectionPlan(replace={"body": OwnSection("Our view", "It is **good**.")})
    assert shown(arrange(parts(), plan)) == [
        "Lead.",
        "Dear Chief Constable,",
        "Between.",
        "## Our view",
        "It is good.",
        "Yours sincerely.",
        "[annex, new page]",
        "## Annex A",
        "The data.",
    ]


def test_a_replaced_annex_keeps_its_new_page_and_may_have_no_heading() -> None:
    plan = SectionPlan(replace={"annex": OwnSection("", "Other data.")})
    assert shown(arrange(parts(), plan))[-3:] == [
        "Yours sincerely.",
        "[annex, new page]",
        "Other data.",
    ]


def test_own_sections_go_before_or_after_a_standard_one() -> None:
    plan = SectionPlan(
        add=(
            Placed(COMMENTS, after="sign-off"),
            Placed(OwnSection("", "First words."), before="opening"),
        )
    )
    assert shown(arrange(parts(), plan)) == [
        "Lead.",
        "First words.",
        "Dear Chief Constable,",
        "Between.",
        "## Findings",
        "The force is good.",
        "Yours sincerely.",
        "## Our comments",
        "We agree.",
        "- one",
        "- two",
        "[annex, new page]",
        "## Annex A",
        "The data.",
    ]


def test_a_section_moved_before_the_sign_off_starts_no_new_page() -> None:
    plan = SectionPlan(order=("annex", "opening", COMMENTS, "body", "sign-off"))
    assert shown(arrange(parts(), plan)) == [
        "Lead.",
        "## Annex A",
        "The data.",
        "Dear Chief Constable,",
        "Between.",
        "## Our comments",
        "We agree.",
        "- one",
        "- two",
        "## Findings",
        "The force is good.",
        "Yours sincerely.",
    ]


def test_an_order_may_leave_a_section_out() -> None:
    plan = SectionPlan(leave_out=("body",), order=("opening", "sign-off", "annex"))
    assert plan_problems(plan, NAMES) == []
    assert shown(arrange(parts(), plan)) == [
        "Lead.",
        "Dear Chief Constable,",
        "Between.",
        "Yours sincerely.",
        "[annex, new page]",
        "## Annex A",
        "The data.",
    ]


def test_own_section_headings_are_level_two_unless_replacing_the_subject() -> None:
    assert shown(own_section(COMMENTS)) == ["## Our comments", "We agree.", "- one", "- two"]
    assert shown(own_section(OwnSection("Subject", "Words."), level=1)) == ["# Subject", "Words."]
    assert shown(own_section(OwnSection("", ""))) == []


def test_a_plan_the_template_can_follow_has_no_problems() -> None:
    plan = SectionPlan(
        leave_out=("annex",),
        replace={"body": COMMENTS},
        add=(Placed(COMMENTS, before="sign-off"),),
    )
    assert plan_problems(plan, NAMES) == []


def test_an_unknown_name_is_refused_with_its_place_and_the_nearest_name() -> None:
    plan = SectionPlan(
        leave_out=("opening", "bodi"),
        replace={"anex": COMMENTS},
        add=(Placed(COMMENTS, after="sign off"), Placed(COMMENTS, before="preface")),
    )
    known = "its sections are opening, body, sign-off, annex"
    assert plan_problems(plan, NAMES) == [
        (
            ("leave_out", 1),
            f"'bodi' is not a section of this report kind's letter (did you mean 'body'?); {known}",
        ),
        (
            ("replace", "anex"),
            "'anex' is not a section of this report kind's letter (did you mean 'annex'?); "
            + known,
        ),
        (
            ("add", 0, "after"),
            "'sign off' is not a section of this report kind's letter (did you mean 'sign-off'?); "
            + known,
        ),
        (
            ("add", 1, "before"),
            f"'preface' is not a section of this report kind's letter; {known}",
        ),
    ]


def test_a_section_both_left_out_and_replaced_is_refused() -> None:
    plan = SectionPlan(leave_out=("body",), replace={"body": COMMENTS})
    assert plan_problems(plan, NAMES) == [
        (("replace", "body"), "'body' is both left out and replaced")
    ]


def test_an_order_must_place_each_section_once_and_hold_the_own_sections() -> None:
    plan = SectionPlan(
        leave_out=("annex",),
        order=("opening", "opening", "annex", "closing"),
        add=(Placed(COMMENTS, after="opening"),),
    )
    assert plan_problems(plan, NAMES) == [
        (
            ("order", 3),
            "'closing' is not a section of this report kind's letter; its sections are opening, "
            "body, sign-off, annex",
        ),
        (("order",), "'opening' is listed more than once"),
        (("order",), "'annex' is both listed and left out"),
        (
            ("order",),
            "the order does not say where 'body', 'sign-off' go; list each standard section, or "
            "name it under leave_out",
        ),
        (("add",), "with an order, put the letter's own sections in it"),
    ]


def test_standard_sections_are_named_in_order_through_includes() -> None:
    templates = {
        "head.md.j2": ":::: section masthead\n::::\n:::: section subject\n::::\n",
        "tail.md.j2": ':::: section sign-off\n::::\n{% include "tail.md.j2" %}\n',
    }
    source = (
        '{% include "head.md.j2" %}\n:::: section opening\n::::\n'
        "{%- include 'tail.md.j2' %}\n:::: section annex\n::::\n"
    )
    assert standard_sections(source, templates.__getitem__) == (
        "masthead",
        "subject",
        "opening",
        "sign-off",
        "annex",
    )


def test_a_section_marked_twice_is_refused() -> None:
    source = ":::: section body\n::::\n:::: section body\n::::\n"
    with pytest.raises(TemplateError) as caught:
        standard_sections(source, lambda name: "")
    assert str(caught.value) == (
        "the section 'body' is marked twice in one template; each section is marked once"
    )


def test_a_section_inside_another_is_refused_at_its_line() -> None:
    source = ":::: section body\nText.\n\n:::: section inner\n::::\n::::\n"
    with pytest.raises(TemplateError) as caught:
        parse_blocks(source, "letter.md.j2")
    assert str(caught.value) == (
        "templates/letter.md.j2: line 4: a section is ':::: section NAME' on its own, never "
        "inside another"
    )
