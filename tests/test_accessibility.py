"""The public HTML page: axe-core finds nothing at WCAG 2.1 AA, and it reflows at 320 px (slow).

axe-core runs in headless Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import axe_report

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("which", ["sent", "draft"])
def test_axe_finds_no_violations_and_nothing_scrolls_sideways(
    built: dict[str, Path], draft_built: dict[str, Path], which: str, width: int
) -> None:
    html = (built if which == "sent" else draft_built)["html"]
    report = axe_report(html, width)
    assert report["violations"] == [], report["violations"]
    assert report["horizontalScroll"] is False, (report["scrollWidth"], report["clientWidth"])
    assert report["blockedRequests"] == [], "the page asks for nothing outside itself"
    assert int(report["passes"]) >= 10  # type: ignore[call-overload]


def test_the_page_is_semantic(built: dict[str, Path]) -> None:
    html = built["html"].read_text(encoding="utf-8")
    assert re.search(r'<html lang="en-GB">', html) and "<title>Response to the HMICFRS" in html
    for element in (
        "<main>",
        # the recipient's address is a block of lines, not <address> (the author's contact)
        '<div class="recipient"><p>Rt Hon Priti Patel</p><p>Home Secretary</p><p>Home Office</p>',
        "<h1>",
        "<h2>",
        "<ul>",
        '<th scope="row">',
        '<img src="data:image/svg+xml;base64,',
    ):
        assert element in html, element
    assert 'alt="Lancashire Police and Crime Commissioner"' in html
