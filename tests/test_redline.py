"""`letters diff`: a redline of a letter's words, as HTML and as Word tracked changes."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, copy_of_project, edit_yaml, run
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"


@pytest.fixture
def changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commit a copy of the project, then change a template and the letter's own words."""
    copy_of_project(tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    run([*git, "init", "-q"], check=True)
    run([*git, "add", "-A"], check=True)
    run([*git, "commit", "-qm", "as approved"], check=True)
    edit_yaml(
        tmp_path / "templates" / "letters" / "integrated-peel-2018.md.j2",
        "through my quarterly scrutiny meetings",
        "through my monthly scrutiny meetings",
    )
    edit_yaml(tmp_path / LETTER, "I am pleased that with over", "I am delighted that with over")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["diff", LETTER])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "2 changes since version 1",
        "wrote build/lancashire-2020-peel.redline.html",
        "wrote build/lancashire-2020-peel.redline.docx",
    ]
    return tmp_path


def test_the_html_marks_each_changed_word(changed: Path) -> None:
    html = (changed / "build" / "lancashire-2020-peel.redline.html").read_text(encoding="utf-8")
    assert "<p>I am <del>pleased </del><ins>delighted </ins>that with over" in html
    assert (
        "through my <del>quarterly </del><ins>monthly </ins>scrutiny meetings. "
        '<small class="from">(from templates/letters/integrated-peel-2018.md.j2)</small></p>'
    ) in html
    assert "of the total police budget, with Lancashire having one of the leanest support " in html
    assert f'<small class="from">(from {LETTER})</small></p>' in html
    assert len(re.findall(r"<(?:ins|del)>", html)) == 4


def test_the_docx_holds_tracked_changes_with_author_and_date(changed: Path) -> None:
    path = changed / "build" / "lancashire-2020-peel.redline.docx"
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    mark = r'w:id="\d+" w:author="([^"]+)" w:date="2020-03-30T00:00:00Z"><w:r>'
    deleted = re.findall(f"<w:del {mark}" + r'<w:delText xml:space="preserve">([^<]*)<', xml)
    inserted = re.findall(f"<w:ins {mark}" + r'<w:t xml:space="preserve">([^<]*)<', xml)
    template = "templates/letters/integrated-peel-2018.md.j2"
    assert deleted == [(LETTER, "pleased "), (template, "quarterly ")]
    assert inserted == [(LETTER, "delighted "), (template, "monthly ")]
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode("utf-8")
    assert 'w:ascii="Arial"' in styles, "the house font, as the letter's"
    first = path.read_bytes()
    CliRunner().invoke(main, ["diff", LETTER])
    assert path.read_bytes() == first, "the same redline gives the same bytes"


@pytest.mark.slow
def test_libreoffice_lists_the_same_changes(changed: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("the check needs LibreOffice: run make test")
    out = changed / "lo"
    run(
        [soffice, "--headless", f"-env:UserInstallation=file://{changed}/lo-profile",
         "--convert-to", "fodt", "--outdir", str(out),
         str(changed / "build" / "lancashire-2020-peel.redline.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    fodt = (out / "lancashire-2020-peel.redline.fodt").read_text(encoding="utf-8")
    regions = re.findall(r"<text:changed-region.*?</text:changed-region>", fodt, re.S)
    assert len(regions) == 4
    assert sum("<text:deletion>" in region for region in regions) == 2
    assert sum("<text:insertion>" in region for region in regions) == 2
