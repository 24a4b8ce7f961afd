"""`letters findings`: each finding's number, kind, text, response and action, as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from conftest import DEFAULT_LETTER, ROOT, edit_yaml
from letters.cli import main

STAFFORDSHIRE = ROOT / "data" / "examples" / "staffordshire-2022-peel.yaml"


def test_csv_lists_every_finding_in_the_reports_order() -> None:
    result = CliRunner().invoke(main, ["findings", str(STAFFORDSHIRE), "--csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["kind"], row["number"]) for row in rows] == [
        ("cause of concern", "1"),
        ("recommendation", "1"),
        ("recommendation", "2"),
        ("recommendation", "3"),
        ("cause of concern", "2"),
        ("recommendation", "4"),
        ("recommendation", "5"),
        ("recommendation", "6"),
        ("recommendation", "7"),
    ]
    assert rows[1]["cause"] == "1" and rows[1]["addressed_to"] == "Staffordshire Police"
    assert rows[1]["response"].startswith(
        "All call handlers have completed refreshed triage training"
    )
    assert list(rows[0]) == [
        "number",
        "kind",
        "area",
        "theme",
        "cause",
        "addressed_to",
        "text",
        "response",
        "action",
        "response_with",
        "print",
        "text_cy",
        "response_cy",
    ]


def test_json_and_the_shorthand_list_of_afis() -> None:
    result = CliRunner().invoke(main, ["findings", str(DEFAULT_LETTER), "--json"])
    rows = json.loads(result.stdout)
    assert len(rows) == 11 and {row["kind"] for row in rows} == {"area for improvement"}


def test_a_formula_in_the_data_stays_text_in_the_csv(scratch: Path) -> None:
    data = scratch / "data" / DEFAULT_LETTER.name
    edit_yaml(
        data,
        "    - The constabulary should ensure there is a consistent",
        "    - '=HYPERLINK(\"http://x\")'\n"
        "    - The constabulary should ensure there is a consistent",
    )
    rows = list(
        csv.DictReader(io.StringIO(CliRunner().invoke(main, ["findings", str(data)]).stdout))
    )
    assert rows[0]["text"] == '\'=HYPERLINK("http://x")'


def test_out_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    result = CliRunner().invoke(main, ["findings", str(STAFFORDSHIRE), "--out", str(out)])
    assert result.exit_code == 0 and "(9 findings)" in result.stderr
    assert out.read_text(encoding="utf-8").startswith("number,kind,area")
