"""Bullets in the letter's own text print as written, however the YAML scalar is written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"

PLANNED = """\
  planned_activity:
    - >-
      - Review the plan by
      the summer
    - |-
      - Literal one
      - Literal two
    - >-
      - Folded one
      - Folded two
    - Two plain bullets follow
      - Plain one
      - Plain two
    - >
      1. Numbered one
      2. Numbered two

      A paragraph after them,
      folded as YAML folds it.

"""


@pytest.fixture
def items(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Build the default letter with planned activity written four ways; return its bullets."""
    path = scratch / LETTER
    text = path.read_text(encoding="utf-8")
    start = text.index("  planned_activity:\n")
    end = text.index("\n# Where the letter is")
    path.write_text(text[:start] + PLANNED + text[end:], encoding="utf-8")
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, ["build", LETTER, "--format", "html", "--out", "out"])
    assert result.exit_code == 0, result.output
    html = (scratch / "out" / "lancashire-2020-peel.html").read_text(encoding="utf-8")
    tail = html[html.index("Review the plan") - 10 :]
    return re.findall(r"<li>(.*?)</li>|<p>(A paragraph.*?)</p>", tail)


def test_a_folded_scalar_keeps_each_bullet_written(items: list[tuple[str, str]]) -> None:
    assert [item or paragraph for item, paragraph in items] == [
        "Review the plan by the summer",
        "Literal one",
        "Literal two",
        "Folded one",
        "Folded two",
        "Plain one",
        "Plain two",
        "Numbered one",
        "Numbered two",
        "A paragraph after them, folded as YAML folds it.",
    ]
