"""The public HTML page: axe-core finds nothing at WCAG 2.1 AA, and it reflows at 320 px (slow).

axe-core runs in headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import run

pytestmark = pytest.mark.slow
A11Y = Path(__file__).resolve().parent / "a11y"


def _axe(html: Path, width: int) -> dict[str, object]:
    node = shutil.which("node")
    if (
        node is None
        or not (A11Y / "node_modules" / "axe-core").is_dir()
        or not Path("/usr/bin/chromium").exists()
    ):
        pytest.fail(
            "the accessibility check needs Node.js, Chromium and tests/a11y/node_modules:"
            " run make test"
        )
    result = run(
        [node, str(A11Y / "axe-check.mjs"), str(html), "--width", str(width)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("which", ["sent", "draft"])
def test_axe_finds_no_violations_and_nothing_scrolls_sideways(
    built: dict[str, Path], draft_built: dict[str, Path], which: str, width: int
) -> None:
    html = (built if which == "sent" else draft_built)["html"]
    report = _axe(html, width)
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
