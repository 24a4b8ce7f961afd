"""`letters check` warns of what is wrong, and only of that: counts, cycles and s.55(5B)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, ROOT, copy_project
from letters.cli import main

STAFFORDSHIRE = ROOT / "data" / "examples" / "staffordshire-2022-peel.yaml"
ACCEPTED = "The force has accepted all eight recommendations, and work is under way."


def _check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path, change: Callable[[Any], None]
) -> tuple[int, list[str]]:
    """Check a changed copy of a letter; return its exit status and its result lines."""
    data = copy_project(tmp_path, source, change)
    monkeypatch.chdir(tmp_path)
    relative = str(data.relative_to(tmp_path))
    result = CliRunner().invoke(main, ["check", relative, "--today", "2023-04-20"])
    return result.exit_code, result.output.splitlines()


def test_a_peel_2021_report_of_april_2023_is_in_its_cycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last PEEL 2021/22 reports (Sussex, Hampshire, Gwent) came out on 13 April 2023."""

    def late(tree: Any) -> None:
        tree["report"]["published"] = tree["letter"]["date"] = "2023-04-13"
        tree["status"] = {"state": "draft"}

    status, lines = _check(tmp_path, monkeypatch, STAFFORDSHIRE, late)
    assert status == 0
    assert lines[-1] == (
        "data/examples/staffordshire-2022-peel.yaml: ok: 0 errors, 0 warnings, 2 notes"
    )


def test_a_count_in_the_text_is_not_warned_of_where_the_data_gives_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def counted(tree: Any) -> None:
        tree["paragraphs"]["body"].append(ACCEPTED)

    status, lines = _check(tmp_path, monkeypatch, DEFAULT_LETTER, counted)
    assert status == 0
    assert not [line for line in lines if "warning" in line and "recommendation" in line]


def test_recommendations_answered_only_by_a_count_are_warned_of_by_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body: list[str] = []

    def counted(tree: Any) -> None:
        body.extend(tree["paragraphs"]["body"])
        tree["paragraphs"]["body"].append(ACCEPTED)
        tree["report"]["counts"] = {"recommendations": "8"}
        tree["report"]["findings"] = [
            {
                "kind": "recommendation",
                "number": "3",
                "text": "Train the staff.",
                "response": "Done.",
            }
        ]

    status, lines = _check(tmp_path, monkeypatch, DEFAULT_LETTER, counted)
    assert status == 0
    warnings = [line.split(": ", 2)[2] for line in lines if ": warning: " in line]
    assert warnings == [
        f"paragraphs.body[{len(body)}]: the text answers recommendations by a count ('eight "
        "recommendations'), but the report makes 8 and recommendations 1, 2, 4, 5, 6, 7 and 8 "
        "are not listed with a response; section 55(5B) needs the action taken or proposed for "
        "each: list them under report.findings, each with its response"
    ]
