"""A build skips a letter whose outputs are up to date, decided by content, not timestamps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, edit_yaml
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"


def _build(scratch: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, ["build", LETTER, "--format", "html,docx", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_an_unchanged_letter_is_skipped_and_a_changed_one_built(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrote = "wrote build/lancashire-2020-peel.docx\nwrote build/lancashire-2020-peel.html\n"
    assert _build(scratch, monkeypatch) == wrote
    assert _build(scratch, monkeypatch) == f"up to date: {LETTER}\n"
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    os.utime(template, (0, 0))  # a timestamp alone is no change
    assert _build(scratch, monkeypatch) == f"up to date: {LETTER}\n"
    edit_yaml(template, "As you would expect", "As you would surely expect")
    assert _build(scratch, monkeypatch) == wrote
    assert "As you would surely expect" in (
        scratch / "build" / "lancashire-2020-peel.html"
    ).read_text(encoding="utf-8")


def test_a_missing_or_edited_output_other_settings_and_force_build_again(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrote = "wrote build/lancashire-2020-peel.docx\nwrote build/lancashire-2020-peel.html\n"
    _build(scratch, monkeypatch)
    (scratch / "build" / "lancashire-2020-peel.html").write_text("edited by hand")
    assert _build(scratch, monkeypatch) == wrote
    (scratch / "build" / "lancashire-2020-peel.docx").unlink()
    assert _build(scratch, monkeypatch) == wrote
    assert _build(scratch, monkeypatch, "--strict") == wrote  # other settings
    assert _build(scratch, monkeypatch, "--strict", "--force") == wrote
    edit_yaml(scratch / "data" / "offices" / "lancashire-pcc.yaml", "Preston", "Preston City")
    assert _build(scratch, monkeypatch, "--strict") == wrote  # the office's file is an input
