"""Arrange a letter's sections as its data says: kept, left out, replaced, moved or its own.

A report kind's template marks its standard sections (`:::: section opening` ... `::::`);
the letter's `sections:` may leave any out, replace one's wording with its own, give the
whole order, or add its own headed sections before or after a standard one. Blocks a
template writes outside every section go with the section before them. A section moved
before the sign-off does not start a new page: only annexes, after the letter, do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..source.errors import TemplateError, did_you_mean
from .document import Block, Heading, Section, Span
from .markdown import OwnOrigin, Part, own_blocks

#: The section that ends the letter: only after it may a section (an annex) start a new page.
SIGN_OFF = "sign-off"
#: The sections the shipped templates mark: a template may mark others, but a name near one
#: of these is likely a slip ('practise' for 'practice').
KNOWN_SECTIONS = (
    "masthead", "subject", "opening", "grades", "summary", "body", "causes-of-concern",
    "recommendations", "areas-for-improvement", "practice", "planned-activity", "closing",
    "sign-off", "annex", "chief-officer-comments",
)  # fmt: skip
#: How a template marks a standard section: a line `:::: section NAME`.
SECTION_MARK = re.compile(r"^::::\s*section\s+([a-z][a-z0-9-]*)\s*$", re.M)
_INCLUDE = re.compile(r"""\{%-?\s*include\s+["']([^"']+)["']""")


@dataclass(frozen=True)
class OwnSection:
    """A section in the letter's own words: an optional heading and its Markdown text."""

    heading: str
    markdown: str
    #: The key of its text among the letter's own texts ('' for none).
    key: str = ""


@dataclass(frozen=True)
class Placed:
    """An own section and the standard section it goes after or before."""

    section: OwnSection
    after: str = ""
    before: str = ""


@dataclass(frozen=True)
class SectionPlan:
    """What the letter does with its template's sections; empty keeps the template's order."""

    leave_out: tuple[str, ...] = ()
    replace: Mapping[str, OwnSection] = field(default_factory=dict)
    #: The whole order (standard names and own sections), or None for the template's.
    order: tuple[str | OwnSection, ...] | None = None
    add: tuple[Placed, ...] = ()


def standard_sections(
    source: str, read: Callable[[str], str], reading: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Name a template's standard sections in order, reading the templates it includes.

    `reading` holds the includes being read, so a template that includes itself ends.
    """
    names: list[str] = []
    marked = [m.group(1) for m in SECTION_MARK.finditer(source)]
    twice = sorted({name for name in marked if marked.count(name) > 1})
    if twice:
        raise TemplateError(
            f"the section {twice[0]!r} is marked twice in one template; each section is marked once"
        )
    events = sorted(
        [(m.start(), "section", m.group(1)) for m in SECTION_MARK.finditer(source)]
        + [(m.start(), "include", m.group(1)) for m in _INCLUDE.finditer(source)]
    )
    for _, kind, name in events:
        if kind == "section":
            found: tuple[str, ...] = (name,)
        elif name in reading:
            found = ()
        else:
            found = standard_sections(read(name), read, reading | {name})
        names.extend(n for n in found if n not in names)
    return tuple(names)


#: A problem with a plan: where it is under `sections:`, and what is wrong.
PlanProblem = tuple[tuple[str | int, ...], str]


def plan_problems(plan: SectionPlan, names: tuple[str, ...]) -> list[PlanProblem]:
    """List what a plan asks that the template cannot do, each with its place in `sections:`."""
    problems: list[PlanProblem] = []
    known = ", ".join(names)

    def unknown(path: tuple[str | int, ...], name: str) -> None:
        problems.append(
            (
                path,
                f"{name!r} is not a section of this report kind's letter"
                f"{did_you_mean(name, names)}; its sections are {known}",
            )
        )

    for index, name in enumerate(plan.leave_out):
        if name not in names:
            unknown(("leave_out", index), name)
    for name in plan.replace:
        if name not in names:
            unknown(("replace", name), name)
        elif name in plan.leave_out:
            problems.append((("replace", name), f"{name!r} is both left out and replaced"))
    for index, placed in enumerate(plan.add):
        anchor = placed.after or placed.before
        if anchor not in names:
            unknown(("add", index, "after" if placed.after else "before"), anchor)
    if plan.order is not None:
        listed = [item for item in plan.order if isinstance(item, str)]
        for index, item in enumerate(plan.order):
            if isinstance(item, str) and item not in names:
                unknown(("order", index), item)
        for name in dict.fromkeys(listed):
            if listed.count(name) > 1:
                problems.append((("order",), f"{name!r} is listed more than once"))
            if name in plan.leave_out:
                problems.append((("order",), f"{name!r} is both listed and left out"))
        missing = [n for n in names if n not in listed and n not in plan.leave_out]
        if missing:
            problems.append(
                (
                    ("order",),
                    "the order does not say where "
                    + ", ".join(repr(n) for n in missing)
                    + " go; list each standard section, or name it under leave_out",
                )
            )
        if plan.add:
            problems.append((("add",), "with an order, put the letter's own sections in it"))
    return problems


def arrange(
    parts: list[Part], plan: SectionPlan, own_origin: OwnOrigin | None = None
) -> list[Block]:
    """Put the template's sections in the letter's order, with its own sections among them.

    `own_origin` says where each paragraph of the own sections comes from.
    """
    lead: list[Block] = []
    named: dict[str, list[Block]] = {}
    current: list[Block] = lead
    for part in parts:
        if part.section:
            current = named.setdefault(part.section, [])
        current.extend(part.blocks)
    sequence: list[str | OwnSection]
    if plan.order is not None:
        sequence = list(plan.order)
    else:
        sequence = []
        for name in named:
            sequence.extend(p.section for p in plan.add if p.before == name)
            sequence.append(name)
            sequence.extend(p.section for p in plan.add if p.after == name)
    blocks = list(lead)
    # The letter ends where its sign-off is, or would be: after the last section the template
    # puts up to its sign-off. Only sections after that may start a new page (annexes).
    names = list(named)
    letter_part = set(names[: names.index(SIGN_OFF) + 1]) if SIGN_OFF in names else set()
    ends = max(
        (i for i, item in enumerate(sequence) if isinstance(item, str) and item in letter_part),
        default=-1,
    )
    signed = not letter_part
    for index, item in enumerate(sequence):
        if isinstance(item, OwnSection):
            blocks.extend(own_section(item, own_origin=own_origin))
        elif item in plan.replace:
            standard = named.get(item, [])
            # the replaced section keeps its page break (an annex), and its heading's level
            breaks = [
                b for b in standard[:1] if isinstance(b, Section) and (signed or not b.new_page)
            ]
            first = next((b for b in standard if not isinstance(b, Section)), None)
            level = first.level if isinstance(first, Heading) else 2
            blocks.extend([*breaks, *own_section(plan.replace[item], level, own_origin)])
        elif item not in plan.leave_out:
            blocks.extend(
                block
                for block in named.get(item, [])
                if signed or not (isinstance(block, Section) and block.new_page)
            )
        signed = signed or index >= ends
    return blocks


def own_section(
    section: OwnSection, level: int = 2, own_origin: OwnOrigin | None = None
) -> list[Block]:
    """Give an own section's blocks: its heading, if it has one, then its text.

    A section that replaces a standard one takes the level of the heading it replaces (the
    subject line is level 1); any other is a section heading (level 2).
    """
    heading: list[Block] = [Heading(level, (Span(section.heading),))] if section.heading else []
    return heading + own_blocks(section.markdown, section.key, own_origin)
