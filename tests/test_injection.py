"""Hostile text in every field of a letter and its office reaches no output as markup (slow).

The classic payloads go into every free-text value of the default letter and its office
file; the HTML page is opened in headless Chromium, and the DOCX, the PDF's metadata and the
embedded data are parsed back: no script runs, no element or attribute appears that the
templates did not write, nothing is fetched, and each payload prints as the text it is.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import docx
import pikepdf
import pytest
import yaml

from conftest import DEFAULT_LETTER, copy_of_project, run
from letters.build.build import build_letter
from letters.build.project import Project

pytestmark = pytest.mark.slow
A11Y = Path(__file__).resolve().parent / "a11y"

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1;alert(1)">',
    "</style><script>window.__pwned=1</script><style>",
    "' onmouseover='window.__pwned=1' x='",
    "[click](javascript:window.__pwned=1) <a href=javascript:alert(1)>a</a>",
    "{{ 7*7 }} {% raw %} *em* **b** `code` ]]> <!-- --> &amp; &#x3c;",
    "<svg onload=alert(1)><iframe src=//example.com></iframe>",
    "@import url(//example.com/x.css); \\3c script\\3e",
]

#: Values that must keep their form (dates, numbers, names from a fixed list, a file's name).
KEEP = {
    "kind", "state", "layout", "languages", "date", "published", "approved_on", "sent_on",
    "since", "amount", "share_of_budget", "budget", "retention_years", "translation_days",
    "office", "target_grade", "recommendations_by", "grades", "number", "cause",
    "salutation", "voice",
    "url", "base_url",  # web addresses, refused unless plain https (test_hostile_site tries them)
}  # fmt: skip


def _plant(tree: Any, payloads: list[str], key: str = "") -> Any:
    """Append a payload to every free-text value of a tree, in turn."""
    if key in KEEP:
        return tree
    if isinstance(tree, dict):
        return {k: _plant(v, payloads, k) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_plant(item, payloads, key) for item in tree]
    if isinstance(tree, str):
        payloads.append(payloads.pop(0))  # the next payload, round and round
        payload = payloads[-1]
        if key in ("body", "planned_activity"):  # the letter's own text names facts in braces
            payload = payload.replace("{", "{{").replace("}", "}}")
            # and is Markdown, whose links other than https: and mailto: are refused (below)
            payload = payload.replace("[click](javascript:window.__pwned=1) ", "")
        return f"{tree} {payload}"
    return tree


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    copy_of_project(root)
    turns = list(PAYLOADS)
    for path in (root / "data" / DEFAULT_LETTER.name, root / "data/offices/lancashire-pcc.yaml"):
        tree = _plant(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader), turns)
        if path.name == DEFAULT_LETTER.name:  # the marking reaches the page's CSS
            tree["marking"] = "OFFICIAL " + PAYLOADS[2]
        path.write_text(yaml.safe_dump(tree, allow_unicode=True), encoding="utf-8")
    built = build_letter(root / "data" / DEFAULT_LETTER.name, root / "out", project=Project(root))
    return {path.name.split(".", 1)[1]: path for path in built.paths}


def test_no_script_runs_and_no_element_appears_in_the_page(hostile: dict[str, Path]) -> None:
    node = shutil.which("node")
    if node is None or not Path("/usr/bin/chromium").exists():
        pytest.fail("the check needs Node.js and Chromium: run make test")
    result = run(
        [node, str(A11Y / "dom-check.mjs"), str(hostile["html"])],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["pwned"] is False and page["dialogs"] == []
    assert page["requests"] == [], "the page fetched nothing"
    # The letter's own text is Markdown, so its *em* and **b** become emphasis; nothing else.
    assert page["tags"] == sorted(
        "body div em footer h1 h2 head header html img li main meta p section strong "
        "style table tbody td th title tr ul".split()
    )
    assert [a for a in page["attributes"] if a.split("[")[1].startswith("on")] == []
    assert page["hrefs"] == [] and page["styles"] == 1
    assert page["srcs"] == ["data:image/svg+xml;base64,PHN2"]


def test_each_payload_prints_as_text_in_the_page(hostile: dict[str, Path]) -> None:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.skip += tag in ("style", "title")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("style", "title")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    reader = Text()
    reader.feed(hostile["html"].read_text(encoding="utf-8"))
    text = " ".join(" ".join(reader.parts).split())
    for payload in PAYLOADS:
        assert " ".join(payload.split()) in text


def test_the_docx_and_the_pdf_metadata_hold_the_payloads_as_text(hostile: dict[str, Path]) -> None:
    document = docx.Document(str(hostile["docx"]))
    text = " ".join(p.text for p in document.paragraphs)
    cells = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for payload in PAYLOADS:
        assert " ".join(payload.split()) in " ".join(f"{text} {cells}".split())
    assert "<script>" in document.core_properties.title + text
    for name in ("pdf", "public.pdf"):
        with pikepdf.open(hostile[name]) as pdf:
            meta = pdf.open_metadata()
            assert "<script>" in meta["dc:title"] or "<script>" in str(meta["dc:description"])
            if name == "pdf":
                data = pdf.Root.AF[0].EF.F.read_bytes().decode("utf-8")
                assert yaml.safe_load(data)["force"]["name"].startswith("Lancashire Constabulary")
