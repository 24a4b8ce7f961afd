"""Start a new letter: a commented skeleton of its report kind, or a copy of a previous letter.

Either way the new file fails `letters check` with one message for each blank, until each
is filled in. A copy keeps the old letter's office, recipient, force, paragraphs and
structure, and none of its status, approval, dates, findings, notes or comments.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..build.output import write_new as write_new_file
from ..source.errors import DataError, Location, OptionError, Problem, did_you_mean
from ..source.frameworks import NOT_GRADED, Framework
from ..source.load import load_source
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
    ]
    if grades:
        note = (
            f"  # Grades: {scale}"
            if framework.every_area_graded
            else f"  # Grades: {scale}, or {NOT_GRADED};\n"
            "  # delete each area the report leaves out"
        )
        lines += [note, "  grades:", grades]
    lines += [
        "  # Findings, each with its kind (area for improvement, cause of concern,",
        "  # recommendation, promising practice, innovative practice), the report's number,",
        "  # its text, and the office's response (every recommendation needs one).",
        "  findings: []",
        "",
        "paragraphs:",
        "  body: []                 # the letter's own paragraphs (Markdown)",
        "",
        "status: {state: draft}",
        "",
    ]
    return "\n".join(lines)


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
        raise DataError(
            [Problem(Location(path), "a file of this name exists; choose another name")]
        ) from None
    return path


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

    `office` is the office's file relative to data/. A value that cannot be used raises
    OptionError naming its option; an existing file is never replaced.
    """
    stem = name.removesuffix(".yaml")
    problem = name_problem(stem, "the new letter")
    if problem:
        raise OptionError("NAME", problem)
    path = project.data / f"{stem}.yaml"
    offices = (project.data / "offices").resolve()
    if office and not (project.data / office).resolve().is_relative_to(offices):
        raise OptionError(
            "--office", f"{office!r} is not under data/offices/; give the office's file there"
        )
    if previous is not None:
        tree = _previous_tree(previous, project)
        if office:
            tree["office"] = office
        elif isinstance(tree.get("office"), str):  # the same office file, seen from data/
            where = (previous.parent / tree["office"]).resolve()
            tree["office"] = os.path.relpath(where, path.parent.resolve())
        if kind:
            tree.setdefault("report", {})["kind"] = kind
        write_new(path, from_previous(tree))
        return NewLetter(path, tuple(counted_in(tree)))
    frameworks = project.frameworks
    if kind not in frameworks:
        hint = did_you_mean(kind or "", frameworks)
        raise OptionError("--kind", f"choose one of {', '.join(sorted(frameworks))}{hint}")
    if not office or not (project.data / office).is_file():
        known = ", ".join(
            p.relative_to(project.data).as_posix() for p in sorted(offices.glob("*.yaml"))
        )
        raise OptionError("--office", f"give the office's file under data/: {known}")
    write_new(path, skeleton(kind, frameworks[kind], office))
    return NewLetter(path)


def _previous_tree(previous: Path, project: Project) -> dict[str, Any]:
    """Read a previous letter's data as every input is read: inside the project, bounded."""
    given = load_source(previous, project.root).tree
    if not isinstance(given, dict):
        raise OptionError("--from", f"{previous} is not a letter's data file")
    return dict(given)
