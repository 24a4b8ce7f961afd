"""Start a new letter: a commented skeleton of its report kind, or a copy of a previous letter.

Either way the new file fails `letters check` with one message for each blank, until each
is filled in. A copy keeps the old letter's office, recipient, force, paragraphs and
structure, and none of its status, approval, dates, findings, notes or comments.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import yaml

from ..build.output import write_new as write_new_file
from ..source.errors import (
    DataError,
    LettersError,
    Location,
    OptionError,
    Problem,
    did_you_mean,
)
from ..source.frameworks import NOT_GRADED, Framework
from ..source.load import load_source
from ..source.model import FindingKind
from ..source.names import name_problem

if TYPE_CHECKING:
    from ..build.project import Project

#: What a letter copied from another never keeps: they belong to the old report and letter.
_NOT_KEPT = (
    "status",
    "notes",
    "chief_officer_comments",
    "chief_officer_gave",
    "target_grade",
    "savings",
)
_REPORT_KEPT = ("inspectorate",)


def skeleton(kind: str, framework: Framework, office: str) -> str:
    """Write a commented skeleton for a report kind: every field to fill in, blank."""
    grades = "\n".join(f'    {area}: ""' for area in framework.areas) if framework.grades else ""
    scale = ", ".join(framework.grades)
    lines = [
        "# yaml-language-server: $schema=letter.schema.json",
        f'# A new {framework.name} letter. Fill in every "" below: `letters check` names',
        "# each blank left. See README.md, 'Writing a new letter'.",
        f"office: {json.dumps(office, ensure_ascii=False)}",  # quoted: it may hold a colon
        "",
        "recipient:",
        "  honorific: Rt Hon",
        '  name: ""                 # the Home Secretary on the letter\'s date',
        "  post_nominals: MP",
        "  title: Home Secretary",
        "  address: [Home Office, 2 Marsham Street, London, SW1P 4DF]",
        "",
        "letter:",
        '  date: ""                 # YYYY-MM-DD',
        "",
        "force:",
        '  name: ""',
        "  chief_officer: Chief Constable",
        "",
        "report:",
        "  inspectorate: HMICFRS",
        '  title: ""                # as the letter names the report',
        f"  kind: {json.dumps(kind, ensure_ascii=False)}",
        '  published: ""            # YYYY-MM-DD: the 56 days begin on this day',
        "  # url: https://...       # its page on the inspectorate's website (letters site)",
    ]
    if grades:
        note = (
            f"  # Grades: {scale}"
            if framework.every_area_graded
            else f"  # Grades: {scale}, or {NOT_GRADED};\n"
            "  # delete each area the report leaves out"
        )
        lines += [note, "  grades:", grades]
    lines += [*_findings(framework), ""]
    lines += [
        "paragraphs:",
        "  body: []                 # the letter's own paragraphs (Markdown)",
        "",
        "status: {state: draft}",
        "",
    ]
    return "\n".join(lines)


def _findings(framework: Framework) -> list[str]:
    """Write the skeleton's findings: none, and a sample finding in comments to copy for each.

    The sample is commented out so the letter claims no finding it does not have; it names
    the fields of letters.source.model.Finding that the kind of report uses.
    """
    graded = bool(framework.areas)
    kind = "area for improvement" if graded else "recommendation"
    noun = framework.area_noun
    where = (
        f'  #   area: ""                # the {noun} it falls under, as graded above'
        if graded
        else '  #   theme: ""               # a heading to group it under, if the report has them'
    )
    kinds = get_args(FindingKind)
    about = (
        "The report's findings: every one listed here is printed in the letter. For each, copy "
        "the sample below, take the '# ' off the start of its lines, fill it in, and delete the "
        f"[] after `findings:`. Its kind is {', '.join(kinds[:-1])} or {kinds[-1]}; a field "
        "the report does not give may stay blank."
    )
    return [
        *textwrap.wrap(about, width=88, initial_indent="  # ", subsequent_indent="  # "),
        "  findings: []",
        f"  # - kind: {kind}",
        '  #   number: ""              # the report\'s own number for it, if it numbers them',
        '  #   text: ""                # the finding, in the report\'s words (never blank)',
        where,
        '  #   addressed_to: ""        # a recommendation\'s: whom the report addresses it to',
        '  #   cause: ""               # a recommendation\'s: the number of the cause of concern',
        '  #   response: ""            # the office\'s response (every recommendation needs one)',
        '  #   action: ""              # what is planned, by whom and when',
    ]


def from_previous(tree: dict[str, Any]) -> str:
    """Copy a previous letter's data, leaving out what belonged to its report and its sending."""
    kept = {key: value for key, value in tree.items() if key not in _NOT_KEPT}
    given = tree.get("report")
    report: dict[str, Any] = given if isinstance(given, dict) else {}
    kept["report"] = {
        **{key: report[key] for key in _REPORT_KEPT if key in report},
        "title": "",
        "kind": report.get("kind", ""),
        "published": "",
        "findings": [],
    }
    dated = tree.get("letter")
    letter: dict[str, Any] = dated if isinstance(dated, dict) else {}
    kept["letter"] = {"date": "", **({"our_ref": ""} if "our_ref" in letter else {})}
    kept["status"] = {"state": "draft"}
    header = (
        "# yaml-language-server: $schema=letter.schema.json\n"
        "# Started from a previous letter: its office, recipient, force, paragraphs and\n"
        '# structure are kept; fill in every "" (letters check names each blank).\n'
    )
    return header + yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=88)


#: The facts an own text may name that count the letter's findings.
_COUNTS = re.compile(r"(?<!\{)\{\s*(afi_count|recommendation_count|cause_count)\s*\}")


def counted_in(tree: dict[str, Any]) -> list[str]:
    """Name the kept paragraphs that count findings: '{afi_count} in paragraphs.body[1]'.

    The copy starts with no findings, so such a paragraph would count none until they are in.
    """
    given = tree.get("paragraphs")
    paragraphs: dict[str, Any] = given if isinstance(given, dict) else {}
    found = []
    for key in ("body", "planned_activity"):
        texts = paragraphs.get(key)
        for index, text in enumerate(texts if isinstance(texts, list) else []):
            names = _COUNTS.findall(text) if isinstance(text, str) else []
            if names:
                named = ", ".join("{" + name + "}" for name in dict.fromkeys(names))
                found.append(f"paragraphs.{key}[{index}] names {named}")
    return found


def write_new(path: Path, text: str) -> Path:
    """Write a new letter's file, refusing to replace one that exists."""
    try:  # linked into place: another `new` of the same name at the same time fails here
        write_new_file(path, text.encode("utf-8"), mode=0o644)
    except FileExistsError:
        raise DataError([Problem(Location(path), _EXISTS)]) from None
    return path


_EXISTS = "a file of this name exists; choose another name"


class NoOffice(LettersError):
    """The office's file a new letter names does not exist yet (see letters.office.new_office)."""

    def __init__(self, office: str):
        self.office = office
        super().__init__(f"{office}: no such office file")


def office_name(project: Project, office: str) -> str:
    """Read --office relative to data/ (offices/x.yaml) or to the project (data/offices/x.yaml)."""
    offices = (project.data / "offices").resolve()
    if (project.data / office).resolve().is_relative_to(offices):
        return office
    given = (project.root / office).resolve()
    if given.is_relative_to(offices):
        return given.relative_to(project.data.resolve()).as_posix()
    return office


@dataclass(frozen=True)
class NewLetter:
    """A letter started: its file, and the kept paragraphs that count findings not yet in."""

    path: Path
    counted: tuple[str, ...] = ()


def start_letter(
    project: Project,
    name: str,
    kind: str | None = None,
    office: str | None = None,
    previous: Path | None = None,
) -> NewLetter:
    """Write data/NAME.yaml: a skeleton of the report kind's letter, or a copy of `previous`.

    `office` is the office's file relative to data/ (or to the project: data/offices/x.yaml).
    A value that cannot be used raises OptionError naming its option, and an office's file
    that does not exist NoOffice, once every other value is known good; an existing file is
    never replaced.
    """
    stem = name.removesuffix(".yaml")
    problem = name_problem(stem, "the new letter")
    if problem:
        raise OptionError("NAME", problem)
    path = project.data / f"{stem}.yaml"
    if path.exists():  # before any question is asked about its office
        raise DataError([Problem(Location(path), _EXISTS)])
    offices = (project.data / "offices").resolve()
    office = office and office_name(project, office)
    if office and not (project.data / office).resolve().is_relative_to(offices):
        raise OptionError(
            "--office", f"{office!r} is not under data/offices/; give the office's file there"
        )
    frameworks = project.frameworks
    tree = _previous_tree(previous, project) if previous is not None else None
    if tree is None and kind not in frameworks:
        hint = did_you_mean(kind or "", frameworks)
        raise OptionError("--kind", f"choose one of {', '.join(sorted(frameworks))}{hint}")
    if tree is None and not office:
        known = ", ".join(
            p.relative_to(project.data).as_posix() for p in sorted(offices.glob("*.yaml"))
        )
        raise OptionError("--office", f"give the office's file under data/: {known}")
    if office and not (project.data / office).exists():  # asked last: it may be made now
        raise NoOffice(office)
    if tree is None:
        write_new(path, skeleton(str(kind), frameworks[str(kind)], str(office)))
        return NewLetter(path)
    if office:
        tree["office"] = office
    elif previous is not None and isinstance(tree.get("office"), str):  # seen from data/
        where = (previous.parent / tree["office"]).resolve()
        tree["office"] = os.path.relpath(where, path.parent.resolve())
    if kind:
        tree.setdefault("report", {})["kind"] = kind
    write_new(path, from_previous(tree))
    return NewLetter(path, tuple(counted_in(tree)))


def _previous_tree(previous: Path, project: Project) -> dict[str, Any]:
    """Read a previous letter's data as every input is read: inside the project, bounded."""
    given = load_source(previous, project.root).tree
    if not isinstance(given, dict):
        raise OptionError("--from", f"{previous} is not a letter's data file")
    return dict(given)
