"""The publication pages pass axe-core at WCAG 2.1 AA in Chromium and reflow at 320 px (slow).

One site is made for the session in a copy of the project, with one example reopened and
sent again, so that a page with its earlier version, and the earlier version's own page,
are checked too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import axe_report, copy_of_project, run

pytestmark = pytest.mark.slow
LETTERS = Path(sys.executable).with_name("letters")
LANCASHIRE = "data/lancashire-2020-peel.yaml"


def _letters(root: Path, *args: str) -> None:
    done = run([LETTERS, *args], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Make every office's site, the default letter reopened and sent again first."""
    root = copy_of_project(tmp_path_factory.mktemp("project"), drafts=False)
    _letters(root, "reopen", LANCASHIRE, "--why", "The savings figure was corrected")
    data = root / LANCASHIRE
    text = data.read_text(encoding="utf-8")
    data.write_text(text.replace("amount: 86000000", "amount: 87000000", 1), encoding="utf-8")
    _letters(root, "approve", LANCASHIRE, "--by", "Clive Grunshaw", "--on", "2020-04-01")
    _letters(root, "publish", LANCASHIRE, "--on", "2020-04-02")
    _letters(root, "site", "--out", "site")
    return root / "site"


PAGES = [
    "west-mercia-pcc/index.html",
    "dyfed-powys-pcc/index.cy.html",
    "dyfed-powys-pcc/responses/dyfed-powys-2025-peel-bilingual.html",
    "lancashire-pcc/index.html",
    "lancashire-pcc/responses/lancashire-2020-peel.html",
    "lancashire-pcc/responses/lancashire-2020-peel.v1.html",
]


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("page", PAGES)
def test_the_sites_pages_have_no_axe_violations_and_reflow(
    site: Path, page: str, width: int
) -> None:
    report = axe_report(site / page, width)
    assert report["violations"] == [], report["violations"]
    assert report["horizontalScroll"] is False, (report["scrollWidth"], report["clientWidth"])
    assert report["blockedRequests"] == [], "a page asks for nothing outside the site"


def test_the_reopened_letter_shows_its_update_and_its_earlier_version(site: Path) -> None:
    index = (site / "lancashire-pcc" / "index.html").read_text(encoding="utf-8")
    assert "Updated on 2 April 2020. The savings figure was corrected" in index
    assert (
        'href="responses/lancashire-2020-peel.v1.html">Version 1, published 30 March 2020<' in index
    )
    old = (site / "lancashire-pcc/responses/lancashire-2020-peel.v1.html").read_text("utf-8")
    assert "This version was replaced on 2 April 2020." in old
    assert 'href="lancashire-2020-peel.html">Read the current version<' in old
