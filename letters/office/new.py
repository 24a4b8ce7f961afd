"""Start a new letter: a commented skeleton of its report kind, or a copy of a previous letter.

Either way the new file fails `letters check` with one message for each blank, until each
is filled in. A copy keeps the old letter's office, recipient, force, paragraphs and
structure, and none of its status, approval, dates, findings, notes or comments.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from ..build.output import write_new as write_new_file
from ..source.errors import DataError, Location, Problem
from ..source.frameworks import NOT_GRADED, Framework

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
