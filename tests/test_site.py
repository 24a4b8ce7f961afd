"""`letters site`: each office's publication pages, made from the letters it has sent, as sent.

The sites are built once for the session in a copy of the project: first from the examples as
they ship, then after the copy's own letters are approved and published (one late, one dated
by month, one reopened and sent again, one with notes, review comments and a signature image,
beside a draft and an approved letter never sent), then again after the letters sent and a
template are edited. The tests read the pages back as a user would see them.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pikepdf
import pytest

from conftest import (
    ROOT,
    as_draft,
    copy_of_project,
    draw_signature,
    edit_yaml,
    position,
    run,
    run_in,
)

LETTERS = str(Path(sys.executable).parent / "letters")

#: Every office with a letter sent among the examples (MOPAC's is approved, not sent).
OFFICES = [
    "durham-pcvc",
    "dyfed-powys-pcc",
    "lancashire-pcc",
    "staffordshire-pfcc",
    "surrey-pcc",
    "warwickshire-pcc",
    "west-mercia-pcc",
    "west-yorkshire-mayor",
]
DURHAM_PEEL = "PEEL 2023-25: An inspection of Durham Constabulary"
DURHAM_URL = "https://hmicfrs.justiceinspectorates.gov.uk/peel-reports/durham-2023-25/"
MOPAC_TITLE = "PEEL 2023-25: An inspection of the Metropolitan Police Service"

# The copy's own letters, each a title no example has.
LEAK_TITLE = "An inspection of call handling in Warwickshire Police"
LATE_TITLE = "An inspection of how Durham Constabulary answers emergency calls"
DELAY = "The report reached us during the pre-election period."
MONTH_TITLE = "An inspection of custody in Durham Constabulary"
DRAFT_TITLE = "An inspection of neighbourhood policing in Staffordshire Police"
UNSENT_TITLE = "A joint inspection of youth diversion in Surrey Police"
REOPENED_BECAUSE = "The savings figure was corrected."
# What only the office sees: a note, a reviewer's comment and its reply, a signature.
NOTES = "Check the call-handling figures with the chief executive before sending."
COMMENT = "How many call handlers have been retrained so far?"
REPLY = "Forty-two, according to the force's HR team."
SIGNATURE_ALT = "Signature of Philip Seccombe"
# The office settings the copy gives its Staffordshire office.
STAFFORDSHIRE_TITLE = "Our responses to HMICFRS"
BASE_URL = "https://www.staffordshire-pfcc.example.gov.uk/hmicfrs/"
STAFFORDSHIRE_INTRO = (
    "Section 55 asks us to publish our *comments* on each report. Write to "
    "[our office](mailto:pfcc@example.gov.uk) or read the "
    "[inspectorate's reports](https://hmicfrs.justiceinspectorates.gov.uk/)."
)


# ---------------------------------------------------------------------------------------------
# Reading the pages back


#: Elements with no end tag.
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
#: Elements whose text stands apart from the text beside it.
_BLOCKS = {"p", "li", "td", "th", "tr", "ul", "ol", "div", "section", "nav", "h1", "h2"}


@dataclass
class Element:
    """An element of a page, as a browser's parser would build it (enough for these pages)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """Return the text a reader sees, whitespace folded."""
        return " ".join("".join(self._parts()).split())

    def _parts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag in _BLOCKS:
                yield " " + child.text() + " "
            elif child.tag not in ("style", "script", "title"):
                yield from child._parts()

    def all(self, tag: str) -> list[Element]:
        """Return every element of a tag inside this one, in order."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.all(tag))
        return found

    def one(self, tag: str) -> Element:
        """Return the only element of a tag inside this one."""
        found = self.all(tag)
        assert len(found) == 1, f"{len(found)} <{tag}> elements"
        return found[0]

    def elements(self) -> Iterator[Element]:
        """Yield every element inside this one."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.elements()


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in _VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for at in range(len(self.open) - 1, 0, -1):
            if self.open[at].tag == tag:
                del self.open[at:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse(path: Path) -> Element:
    """Parse a page (or a fragment of one)."""
    builder = _Builder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


def rows(page: Element) -> list[list[str]]:
    """Read each report's row of an index: the text of each cell."""
    return [
        [cell.text() for cell in row.elements() if cell.tag in ("th", "td")]
        for body in page.all("tbody")
        for row in body.all("tr")
    ]


def links(element: Element) -> list[tuple[str, str]]:
    """Read each link in an element: (its address, its words)."""
    return [(a.attrs["href"], a.text()) for a in element.all("a")]


def headings(page: Element, tag: str = "h2") -> list[str]:
    """Read a page's headings of one level, in order."""
    return [h.text() for h in page.all(tag)]


def files_of(folder: Path) -> dict[str, bytes]:
    """Read every file under a folder: its name there (with /) -> its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def records(root: Path) -> Iterator[dict[str, object]]:
    """Read every approval record of a project's letters under data/."""
    for path in sorted((root / "approvals" / "letters" / "data").rglob("*.json")):
        yield json.loads(path.read_text(encoding="utf-8"))


def sent_outputs(record: dict[str, object]) -> dict[str, str]:
    """Return a record's files as sent: name -> SHA-256 ({} if it was not sent)."""
    outputs = record["outputs"]
    assert isinstance(outputs, dict)
    sent = outputs.get("sent", {})
    assert isinstance(sent, dict)
    return sent


def stored(root: Path, digest: str) -> bytes:
    """Read a file from the project's snapshot store."""
    return (root / "approvals" / "objects" / digest[:2] / digest[2:]).read_bytes()


# ---------------------------------------------------------------------------------------------
# The sites, built once


@dataclass(frozen=True)
class Sites:
    """The copy of the project and the sites built in it."""

    root: Path
    #: The examples' sites, as the project ships them, and what the command printed.
    examples: Path
    said: str
    #: Lancashire's, its letter approved again but not yet sent again.
    between: Path
    #: After the copy's own letters were sent.
    after: Path
    #: After the letters sent, an office-only field and a template were edited since.
    again: Path


def _run(root: Path, *args: str) -> str:
    """Run letters in the copy; fail unless it exits 0; return its standard output."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        status, out, err = run_in(root, monkeypatch, *args)
    assert status == 0, f"letters {' '.join(args)}: {out}{err}"
    return out


def _new_letter(root: Path, example: str, name: str, changes: dict[str, str]) -> str:
    """Start a letter in the copy's data/ from an example, changed, as a draft."""
    text = as_draft((ROOT / "data" / "examples" / f"{example}.yaml").read_text(encoding="utf-8"))
    text = text.replace("office: ../offices/", "office: offices/")
    text = re.sub(r"^  url: .*\n", "", text, flags=re.M)  # no page for an invented report
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    (root / "data" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return f"data/{name}.yaml"


def _add_to_office(root: Path, office: str, text: str) -> None:
    path = root / "data" / "offices" / f"{office}.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    root = copy_of_project(tmp_path_factory.mktemp("site-project"), drafts=False)
    said = _run(root, "site", "--out", "site-examples")

    # Warwickshire signs with an image; a letter of its goes out with notes and comments.
    draw_signature(root / "data" / "offices" / "signatures" / "philip-seccombe.png")
    office = root / "data" / "offices" / "warwickshire-pcc.yaml"
    edit_yaml(
        office,
        "  title: Police and Crime Commissioner for Warwickshire\n",
        "  title: Police and Crime Commissioner for Warwickshire\n  signature:\n"
        f"    file: offices/signatures/philip-seccombe.png\n    alt: {SIGNATURE_ALT}\n",
    )
    leak = _new_letter(
        root,
        "warwickshire-2022-peel",
        "warwickshire-2022-call-handling",
        {"PEEL 2021/22: An inspection of Warwickshire Police": LEAK_TITLE},
    )
    with (root / leak).open("a", encoding="utf-8") as data:
        data.write(
            f"notes: {NOTES}\nreview:\n  - by: Rita Reviewer\n    on: '2022-12-01'\n"
            "    about: report.findings[0].response\n    on_text: Call handlers\n"
            f"    text: {COMMENT}\n    replies:\n      - by: Carla Commenter\n"
            f"        on: '2022-12-02'\n        text: {REPLY}\n"
        )
    _run(root, "approve", leak, "--by", "Philip Seccombe", "--on", "2022-12-05")
    _run(root, "publish", leak, "--on", "2022-12-06")

    # Durham: one response late, with its reason; one dated by month only.
    late = _new_letter(
        root,
        "durham-2023-peel",
        "durham-2024-calls",
        {
            DURHAM_PEEL: LATE_TITLE,
            "published: 2023-11-17": "published: 2024-01-10",  # last day 5 March 2024
            "  date: 2024-01-08\n": f"  date: 2024-03-20\n  delay_reason: {DELAY}\n",
        },
    )
    _run(root, "approve", late, "--by", "Joy Allen", "--on", "2024-03-20")
    _run(root, "publish", late, "--on", "2024-03-20")
    month = _new_letter(
        root,
        "durham-2023-peel",
        "durham-2024-custody",
        {
            DURHAM_PEEL: MONTH_TITLE,
            "published: 2023-11-17": "published: 2024-02-01",  # last day 27 March 2024
            "  date: 2024-01-08\n": "  date: 2024-03\n",
        },
    )
    _run(root, "approve", month, "--by", "Joy Allen", "--sent")

    # Lancashire's letter is reopened, corrected, approved and published again.
    lancashire = "data/lancashire-2020-peel.yaml"
    _run(root, "reopen", lancashire, "--why", REOPENED_BECAUSE)
    edit_yaml(root / lancashire, "  amount: 86000000\n", "  amount: 87000000\n")
    _run(root, "approve", lancashire, "--by", "Clive Grunshaw", "--on", "2020-04-20")
    _run(root, "site", "--out", "site-between", "--office", "lancashire-pcc")  # not sent yet
    _run(root, "publish", lancashire, "--on", "2020-04-21")

    # A draft, and a letter approved but not sent, of offices with letters sent.
    _new_letter(
        root,
        "staffordshire-2022-peel",
        "staffordshire-2022-neighbourhoods",
        {"PEEL 2021/22: An inspection of Staffordshire Police": DRAFT_TITLE},
    )
    unsent = _new_letter(
        root,
        "surrey-2021-mental-health-joint",
        "surrey-2021-youth-diversion",
        {
            "A joint thematic inspection of the criminal justice journey for individuals with "
            "mental health needs and disorders": UNSENT_TITLE
        },
    )
    _run(root, "approve", unsent, "--by", "Lisa Townsend", "--on", "2022-01-10")

    # Two offices' own settings for their pages.
    edit_yaml(
        root / "data" / "offices" / "west-mercia-pcc.yaml",
        "\nsite:\n",
        "\nsite:\n  deadline_column: false\n",
    )
    _add_to_office(
        root,
        "staffordshire-pfcc",
        f"site:\n  title: {STAFFORDSHIRE_TITLE}\n  base_url: {BASE_URL}\n"
        f"  intro: >-\n    {STAFFORDSHIRE_INTRO}\n",
    )
    _run(root, "site", "--out", "site-after")

    # Later edits to letters sent (their words, delay reason, status), a note and templates.
    edit_yaml(
        root / leak,
        "Call handlers are being retrained in structured triage",
        "Call handlers have been retrained in structured triage",
    )
    edit_yaml(root / leak, "sent_on: 2022-12-06", "sent_on: 2022-12-07")
    edit_yaml(root / leak, NOTES, "Figures checked.")
    edit_yaml(root / late, DELAY, "The report came out during the election.")
    edit_yaml(root / late, "published: 2024-03-20", "published: 2024-03-01")
    edit_yaml(root / "data" / "examples" / "durham-2023-peel.yaml", DURHAM_PEEL, "PEEL 2023-25")
    edit_yaml(root / lancashire, "  amount: 87000000\n", "  amount: 88000000\n")
    edit_yaml(
        root / "templates" / "letters" / "peel.md.j2",
        "I will continue to hold the",
        "I shall continue to hold the",
    )
    edit_yaml(
        root / "templates" / "letters" / "cy" / "peel.md.j2",
        "Byddaf yn parhau i ddwyn",
        "Byddaf i'n parhau i ddwyn",
    )
    _run(root, "site", "--out", "site-again")
    return Sites(
        root,
        root / "site-examples",
        said,
        root / "site-between",
        root / "site-after",
        root / "site-again",
    )


# ---------------------------------------------------------------------------------------------
# 1. The indexes


def test_a_site_for_each_office_with_a_letter_sent(sites: Sites) -> None:
    assert sorted(p.name for p in sites.examples.iterdir()) == OFFICES
    assert sites.said == (
        "site-examples/durham-pcvc/index.html: 2 responses (2 versions), 10 files\n"
        "site-examples/dyfed-powys-pcc/index.html: 1 response (1 version), 13 files\n"
        "site-examples/lancashire-pcc/index.html: 1 response (1 version), 8 files\n"
        "site-examples/staffordshire-pfcc/index.html: 1 response (1 version), 8 files\n"
        "site-examples/surrey-pcc/index.html: 1 response (1 version), 8 files\n"
        "site-examples/warwickshire-pcc/index.html: 1 response (1 version), 8 files\n"
        "site-examples/west-mercia-pcc/index.html: 2 responses (2 versions), 10 files\n"
        "site-examples/west-yorkshire-mayor/index.html: 1 response (1 version), 8 files\n"
    )
    assert sorted(files_of(sites.examples / "durham-pcvc")) == [
        "SHA256SUMS",
        "feed.atom",
        "index.fragment.html",
        "index.html",
        "responses.csv",
        "responses/durham-2023-peel-statement.html",
        "responses/durham-2023-peel-statement.pdf",
        "responses/durham-2023-peel.html",
        "responses/durham-2023-peel.pdf",
        "site.css",
    ]


def test_durhams_index_lists_its_two_responses(sites: Sites) -> None:
    folder = sites.examples / "durham-pcvc"
    page = parse(folder / "index.html")
    assert page.one("html").attrs["lang"] == "en-GB"
    assert page.one("header").text() == (
        "Office of the Police, Crime and Victims' Commissioner for County Durham and Darlington"
    )
    assert headings(page, "h1") == ["Inspection reports and our responses"]
    assert (
        page.one("main")
        .all("p")[0]
        .text()
        .startswith(
            "His Majesty's Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS) "
            "inspects police forces. Section 55 of the Police Act 1996 requires us to publish"
        )
    )
    assert headings(page) == ["Reports published in 2023"]
    assert [th.text() for th in page.one("thead").all("th")] == [
        "Report",
        "Force",
        "Report published",
        "Response published",
        "Within 56 days",
        "Response",
    ]
    assert rows(page) == [
        [
            DURHAM_PEEL,
            "Durham Constabulary",
            "17 November 2023",
            "8 January 2024",
            "Yes",
            "Read the response PDF, 42 KB",
        ],
        [
            DURHAM_PEEL,
            "Durham Constabulary",
            "17 November 2023",
            "17 November 2023",
            "Yes",
            "Read the statement PDF, 40 KB",
        ],
    ]
    body = page.one("tbody")
    assert links(body) == [
        (DURHAM_URL, DURHAM_PEEL),
        ("responses/durham-2023-peel.html", "Read the response"),
        ("responses/durham-2023-peel.pdf", "PDF, 42 KB"),
        (DURHAM_URL, DURHAM_PEEL),
        ("responses/durham-2023-peel-statement.html", "Read the statement"),
        ("responses/durham-2023-peel-statement.pdf", "PDF, 40 KB"),
    ]
    pdf = body.all("a")[2]
    assert pdf.attrs["type"] == "application/pdf"
    assert pdf.attrs["aria-label"] == f"PDF, 42 KB: the response to {DURHAM_PEEL}"
    # the sizes said are the files' own, to the nearest KB
    assert (
        41.5 * 1024 <= (folder / "responses" / "durham-2023-peel.pdf").stat().st_size < 42.5 * 1024
    )
    statement = folder / "responses" / "durham-2023-peel-statement.pdf"
    assert 39.5 * 1024 <= statement.stat().st_size < 40.5 * 1024
    times = [(t.attrs["datetime"], t.text()) for t in body.all("time")]
    assert times[:2] == [("2023-11-17", "17 November 2023"), ("2024-01-08", "8 January 2024")]


def test_years_of_report_publication_come_newest_first(sites: Sites) -> None:
    page = parse(sites.examples / "west-mercia-pcc" / "index.html")
    assert headings(page) == ["Reports published in 2024", "Reports published in 2023"]
    assert [row[0] for row in rows(page)] == [
        "An inspection into activism and impartiality in policing",
        "An inspection of how well the police tackle serious youth violence",
    ]
    page = parse(sites.after / "durham-pcvc" / "index.html")
    assert headings(page) == ["Reports published in 2024", "Reports published in 2023"]
    assert [row[0] for row in rows(page)] == [MONTH_TITLE, LATE_TITLE, DURHAM_PEEL, DURHAM_PEEL]


def test_a_welsh_office_has_its_pages_in_both_languages(sites: Sites) -> None:
    folder = sites.examples / "dyfed-powys-pcc"
    assert sorted(files_of(folder)) == [
        "SHA256SUMS",
        "feed.atom",
        "feed.cy.atom",
        "index.cy.fragment.html",
        "index.cy.html",
        "index.fragment.html",
        "index.html",
        "responses.csv",
        "responses.cy.csv",
        "responses/dyfed-powys-2025-peel-bilingual.cy.pdf",
        "responses/dyfed-powys-2025-peel-bilingual.en.pdf",
        "responses/dyfed-powys-2025-peel-bilingual.html",
        "site.css",
    ]
    english, welsh = parse(folder / "index.html"), parse(folder / "index.cy.html")
    assert [
        (e.attrs["hreflang"], e.attrs["href"]) for e in english.all("link") if "hreflang" in e.attrs
    ] == [("cy-GB", "index.cy.html")]
    assert [
        (e.attrs["hreflang"], e.attrs["href"]) for e in welsh.all("link") if "hreflang" in e.attrs
    ] == [("en-GB", "index.html")]
    assert welsh.one("html").attrs["lang"] == "cy-GB"
    assert (
        welsh.one("header").text() == "Swyddfa Comisiynydd Heddlu a Throseddu Dyfed-Powys English"
    )
    assert links(welsh.one("header")) == [("index.html", "English")]
    assert links(english.one("header")) == [("index.cy.html", "Cymraeg")]
    assert headings(welsh, "h1") == ["Adroddiadau arolygu a'n hymatebion"]
    assert headings(welsh) == ["Adroddiadau a gyhoeddwyd yn 2025"]
    assert [th.text() for th in welsh.one("thead").all("th")] == [
        "Adroddiad",
        "Heddlu",
        "Cyhoeddi'r adroddiad",
        "Cyhoeddi'r ymateb",
        "O fewn 56 diwrnod",
        "Ymateb",
    ]
    assert rows(welsh) == [
        [
            "PEEL 2023–25: Arolygiad o Heddlu Dyfed-Powys",
            "Heddlu Dyfed-Powys",
            "28 Ionawr 2025",
            "10 Mawrth 2025",
            "Do",
            "Darllen yr ymateb PDF yn Gymraeg, 44 KB PDF yn Saesneg, 43 KB",
        ]
    ]
    assert rows(english) == [
        [
            "PEEL 2023-25: An inspection of Dyfed-Powys Police",
            "Dyfed-Powys Police",
            "28 January 2025",
            "10 March 2025",
            "Yes",
            "Read the response PDF in English, 43 KB PDF in Welsh, 44 KB",  # its own first
        ]
    ]
    assert links(welsh.one("tbody"))[1:] == [
        ("responses/dyfed-powys-2025-peel-bilingual.cy.pdf", "PDF yn Gymraeg, 44 KB"),
        ("responses/dyfed-powys-2025-peel-bilingual.en.pdf", "PDF yn Saesneg, 43 KB"),
    ]
    assert links(parse(folder / "index.cy.fragment.html"))[0] == (
        "responses/dyfed-powys-2025-peel-bilingual.html",
        "Darllen yr ymateb",
    )
    feed = ET.fromstring((folder / "feed.cy.atom").read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "cy-GB"
    assert feed.findtext(f"{atom}title") == "Adroddiadau arolygu a'n hymatebion"
    assert [link.get("href") for link in feed.findall(f"{atom}link")] == ["index.cy.html"]
    assert (
        (folder / "responses.cy.csv")
        .read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith(
            "2025,PEEL 2023–25: Arolygiad o Heddlu Dyfed-Powys,,Heddlu Dyfed-Powys,2025-01-28,"
            "2025-03-10,yes,"
        )
    )


# ---------------------------------------------------------------------------------------------
# 2. A response's page is the page kept when it was sent


_SHEET = b'<link rel="stylesheet" href="../site.css">\n'
_NAV = re.compile(rb'<nav class="site-nav" aria-label="[^"]*">.*?</nav>\n', re.S)


def _kept_pages(root: Path) -> dict[str, bytes]:
    """Map each response page a site should have to the public page kept when it was sent."""
    by_letter: dict[str, list[dict[str, object]]] = {}
    for record in records(root):
        if sent_outputs(record):
            by_letter.setdefault(str(record["letter"]), []).append(record)
    pages = {}
    for letter, versions in by_letter.items():
        stem = Path(letter).stem
        versions.sort(key=lambda r: int(str(r["version"])))
        for record in versions:
            name = f"{stem}.html" if record is versions[-1] else f"{stem}.v{record['version']}.html"
            pages[name] = stored(root, sent_outputs(record)[f"{stem}.html"])
    return pages


@pytest.mark.parametrize("which", ["examples", "after"])
def test_a_response_page_is_the_kept_page_with_a_style_sheet_and_a_breadcrumb(
    sites: Sites, which: str
) -> None:
    site: Path = getattr(sites, which)
    # the examples' site was made from the records the project ships; the later one, from
    # those and the copy's own
    kept = _kept_pages(ROOT if which == "examples" else sites.root)
    found = {path.name: path.read_bytes() for path in site.glob("*/responses/*.html")}
    assert sorted(found) == sorted(kept)
    for name, page in found.items():
        head, sheet_after = page.split(b"</head>\n", 1)
        assert head.endswith(b"</style>\n" + _SHEET), name
        assert sheet_after.startswith(b'<body>\n<nav class="site-nav"'), name
        assert page.count(_SHEET) == 1 and len(_NAV.findall(page)) == 1, name
        assert _NAV.sub(b"", page.replace(_SHEET, b"", 1), count=1) == kept[name], name


def test_a_response_page_leads_back_to_its_index(sites: Sites) -> None:
    page = parse(sites.examples / "durham-pcvc" / "responses" / "durham-2023-peel.html")
    nav = page.all("nav")[0]
    assert nav.attrs == {"class": "site-nav", "aria-label": "Breadcrumb"}
    assert links(nav) == [("../index.html", "Inspection reports and our responses")]
    assert nav.text() == f"Inspection reports and our responses {DURHAM_PEEL}"
    current = nav.one("span")
    assert current.attrs["aria-current"] == "page"
    welsh = parse(
        sites.examples / "dyfed-powys-pcc" / "responses" / "dyfed-powys-2025-peel-bilingual.html"
    )
    # a page in Welsh first leads to the Welsh index, the English one beside it
    nav = welsh.all("nav")[0]
    assert links(nav.one("ol")) == [("../index.cy.html", "Adroddiadau arolygu a'n hymatebion")]
    assert links(nav) == [
        ("../index.cy.html", "Adroddiadau arolygu a'n hymatebion"),
        ("../index.html", "Inspection reports and our responses"),
    ]


# ---------------------------------------------------------------------------------------------
# 3. Every link leads somewhere in the folder; every file is in SHA256SUMS


_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)")


def _addresses(page: Element) -> Iterator[tuple[str, str]]:
    """Yield each address a page gives: (the attribute, the address)."""
    for element in page.elements():
        for name in ("href", "src"):
            if name in element.attrs:
                yield name, element.attrs[name]
        if element.tag == "style":
            for child in element.children:
                for found in _URL.findall(str(child)):
                    yield "url()", found


def _ids(page: Element) -> set[str]:
    return {e.attrs["id"] for e in page.elements() if "id" in e.attrs}


@pytest.mark.parametrize("which", ["examples", "after"])
def test_every_link_leads_to_a_file_of_the_site(sites: Sites, which: str) -> None:
    site: Path = getattr(sites, which)
    for folder in sorted(site.iterdir()):
        files = files_of(folder)
        pages = {name: parse(folder / name) for name in files if name.endswith(".html")}
        reached = {"index.html"}
        for name, page in pages.items():
            text = files[name]
            assert b"<script" not in text.lower(), (folder.name, name)
            assert not re.search(rb"(?<![a-z])file:", text, re.I), (folder.name, name)
            for element in page.elements():
                assert not any(a.lower().startswith("on") for a in element.attrs), name
            for kind, address in _addresses(page):
                where = f"{folder.name}/{name}: {kind} {address}"
                parts = urlsplit(address)
                if parts.scheme == "data":  # the letterhead, within the page itself
                    assert kind == "src" and address.startswith("data:image/svg+xml;base64,")
                    svg = base64.b64decode(address.split(",", 1)[1])
                    assert b"<script" not in svg and b"href" not in svg, where
                    continue
                if parts.scheme in ("https", "mailto"):
                    assert kind == "href", where
                    continue
                assert not parts.scheme and not parts.netloc, where
                assert not address.startswith("/"), where
                target = (
                    (folder / name).parent / unquote(parts.path) if parts.path else folder / name
                )
                target = Path(os.path.normpath(target))
                assert target.is_relative_to(folder) and target.is_file(), where
                if "fragment" not in name:
                    reached.add(target.relative_to(folder).as_posix())
                if parts.fragment:
                    assert parts.fragment in _ids(pages[target.relative_to(folder).as_posix()])
            # aria references too
            for element in page.elements():
                for ref in element.attrs.get("aria-labelledby", "").split():
                    assert ref in _ids(page), (name, ref)
        for url in _URL.findall(files["site.css"].decode("utf-8")):
            assert (folder / url).is_file(), url
        assert b"@import" not in files["site.css"]
        # every page and file is linked from a page of the site (an earlier version's PDF
        # too); the copies for a CMS and SHA256SUMS stand apart
        apart = {"SHA256SUMS", "responses.csv", "responses.cy.csv"}
        apart |= {name for name in files if name.endswith(".fragment.html")}
        assert sorted(set(files) - apart - reached) == [], folder.name


@pytest.mark.parametrize("which", ["examples", "after"])
def test_sha256sums_names_every_file_with_its_digest(sites: Sites, which: str) -> None:
    site: Path = getattr(sites, which)
    for folder in sorted(site.iterdir()):
        files = files_of(folder)
        sums = files.pop("SHA256SUMS").decode("ascii")
        assert sums == "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items()))


# ---------------------------------------------------------------------------------------------
# 4. Nothing but the public copy


def test_nothing_office_only_reaches_the_site(sites: Sites) -> None:
    every = {
        f"{site.name}/{name}": data
        for site in (sites.examples, sites.after, sites.again)
        for name, data in files_of(site).items()
    }
    # the copies sent (DOCX, and the PDF that may be signed), by their digests in the records
    private = {
        digest
        for record in records(sites.root)
        for name, digest in sent_outputs(record).items()
        if name.endswith((".docx", ".pdf")) and not name.endswith(".public.pdf")
    }
    # every version sent (14) has a DOCX and a PDF; Dyfed-Powys's, a PDF in each language
    assert len(private) == 14 * 2 + 1
    assert not {sha256(data) for data in every.values()} & private
    sent_pdf = stored(
        sites.root,
        sent_outputs(_record(sites.root, "warwickshire-2022-call-handling"))[
            "warwickshire-2022-call-handling.pdf"
        ],
    )
    signature = (
        sites.root / "data" / "offices" / "signatures" / "philip-seccombe.png"
    ).read_bytes()
    # the signature is in the copy sent, the notes and comments in the data as sent, and
    # none is anywhere in the site (the signature neither as bytes nor as base64)
    assert _pdf_images(sent_pdf) == 1
    as_sent = stored(
        sites.root, str(_record(sites.root, "warwickshire-2022-call-handling")["sent_as"])
    )
    assert NOTES.encode() in as_sent and COMMENT.encode() in as_sent and REPLY.encode() in as_sent
    pieces = {
        "the signature": signature[8:200],
        "the signature as base64": base64.b64encode(signature)[:200],
        "its alt text": SIGNATURE_ALT.encode(),
        "the notes": NOTES.encode(),
        "a reviewer's comment": COMMENT.encode(),
        "a reply to it": REPLY.encode(),
        "a draft's title": DRAFT_TITLE.encode(),
        "an approved letter's title, not sent": UNSENT_TITLE.encode(),
        "MOPAC's title, approved, not sent": MOPAC_TITLE.encode(),
    }
    for name, data in every.items():
        for what, piece in pieces.items():
            assert piece not in data, f"{what} in {name}"
        if name.endswith(".pdf"):
            assert _pdf_images(data) == 0, name
    assert not any("neighbourhoods" in name or "youth-diversion" in name for name in every)
    assert not any("mopac" in name for name in every)
    # the letter with notes and comments is there: its public copy, as sent
    index = parse(sites.after / "warwickshire-pcc" / "index.html")
    assert [row[0] for row in rows(index)] == [
        LEAK_TITLE,
        "PEEL 2021/22: An inspection of Warwickshire Police",
    ]


def _record(root: Path, stem: str, version: int = 1) -> dict[str, object]:
    for record in records(root):
        if Path(str(record["letter"])).stem == stem and record["version"] == version:
            return record
    raise AssertionError(f"no record of {stem} version {version}")


def _pdf_images(data: bytes) -> int:
    """Count the raster images a PDF holds (the letterhead is vector), each once."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len({image.objgen for page in pdf.pages for image in page.get_images().values()})


# ---------------------------------------------------------------------------------------------
# 5. What was sent stays as sent


def test_edits_after_sending_change_nothing_in_the_site(sites: Sites) -> None:
    after, again = files_of(sites.after), files_of(sites.again)
    assert sorted(after) == sorted(again)
    changed = [name for name in after if after[name] != again[name]]
    assert changed == []
    # the edits were made: the working tree says otherwise now
    late = (sites.root / "data" / "durham-2024-calls.yaml").read_text(encoding="utf-8")
    assert "published: 2024-03-01" in late and DELAY not in late


# ---------------------------------------------------------------------------------------------
# 6. A letter reopened and sent again


def test_a_letter_sent_again_says_when_and_why_and_keeps_the_first(sites: Sites) -> None:
    folder = sites.after / "lancashire-pcc"
    assert sorted(files_of(folder / "responses")) == [
        "lancashire-2020-peel.html",
        "lancashire-2020-peel.pdf",
        "lancashire-2020-peel.v1.html",
        "lancashire-2020-peel.v1.pdf",
    ]
    index = parse(folder / "index.html")
    assert rows(index) == [
        [
            "Integrated PEEL Inspection",
            "Lancashire Constabulary",
            "7 February 2020",
            "30 March 2020 Updated on 21 April 2020. The savings figure was corrected. "
            "Earlier versions: Version 1, published 30 March 2020",
            "Yes",  # the first publication is the one the law asks for
            "Read the response PDF, 39 KB",
        ]
    ]
    assert links(index.one("tbody"))[1:] == [
        ("responses/lancashire-2020-peel.v1.html", "Version 1, published 30 March 2020"),
        ("responses/lancashire-2020-peel.html", "Read the response"),
        ("responses/lancashire-2020-peel.pdf", "PDF, 39 KB"),
    ]
    current = parse(folder / "responses" / "lancashire-2020-peel.html").all("nav")[0]
    assert current.text() == (
        "Inspection reports and our responses Integrated PEEL Inspection "
        "Updated on 21 April 2020. The savings figure was corrected. "
        "Version 1, published 30 March 2020 PDF, 39 KB"
    )
    assert links(current)[1:] == [
        ("lancashire-2020-peel.v1.html", "Version 1, published 30 March 2020"),
        ("lancashire-2020-peel.v1.pdf", "PDF, 39 KB"),
    ]
    first = parse(folder / "responses" / "lancashire-2020-peel.v1.html").all("nav")[0]
    assert first.text() == (
        "Inspection reports and our responses Integrated PEEL Inspection "
        "This version was replaced on 21 April 2020. Read the current version"
    )
    assert links(first)[1:] == [("lancashire-2020-peel.html", "Read the current version")]
    # each version's files are its own, as sent
    v1, v2 = (
        _record(sites.root, "lancashire-2020-peel", 1),
        _record(sites.root, "lancashire-2020-peel", 2),
    )
    assert (
        sha256((folder / "responses" / "lancashire-2020-peel.v1.pdf").read_bytes())
        == (sent_outputs(v1)["lancashire-2020-peel.public.pdf"])
    )
    assert (
        sha256((folder / "responses" / "lancashire-2020-peel.pdf").read_bytes())
        == (sent_outputs(v2)["lancashire-2020-peel.public.pdf"])
    )
    assert v2["supersedes"] == 1 and v2["reason"] == REOPENED_BECAUSE
    # approved again but not yet sent, the site had the version sent alone, as before
    assert files_of(sites.between / "lancashire-pcc") == files_of(sites.examples / "lancashire-pcc")
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((folder / "feed.atom").read_bytes())
    (entry,) = feed.findall(f"{atom}entry")
    assert entry.findtext(f"{atom}published") == "2020-03-30T00:00:00+00:00"
    assert entry.findtext(f"{atom}updated") == "2020-04-21T00:00:00+00:00"
    assert feed.findtext(f"{atom}updated") == "2020-04-21T00:00:00+00:00"
    table = list(csv.DictReader(io.StringIO((folder / "responses.csv").read_text("utf-8"))))
    assert [
        (r["response_published"], r["within_56_days"], r["updated_on"], r["update_reason"])
        for r in table
    ] == [("2020-03-30", "yes", "2020-04-21", "The savings figure was corrected.")]


# ---------------------------------------------------------------------------------------------
# 7. Late, and dated by month


def test_a_late_response_says_no_and_why(sites: Sites) -> None:
    page = parse(sites.after / "durham-pcvc" / "index.html")
    late = rows(page)[1]
    assert late == [
        LATE_TITLE,
        "Durham Constabulary",
        "10 January 2024",
        "20 March 2024",
        f"No Reason: {DELAY}",
        "Read the response PDF, 42 KB",
    ]
    table = list(
        csv.DictReader(
            io.StringIO((sites.after / "durham-pcvc" / "responses.csv").read_text("utf-8"))
        )
    )
    assert [(r["report"], r["within_56_days"], r["delay_reason"]) for r in table][:2] == [
        (MONTH_TITLE, "not_known", ""),
        (LATE_TITLE, "no", DELAY),
    ]


def test_a_letter_dated_by_month_shows_the_month_and_not_known(sites: Sites) -> None:
    page = parse(sites.after / "durham-pcvc" / "index.html")
    assert rows(page)[0] == [
        MONTH_TITLE,
        "Durham Constabulary",
        "1 February 2024",
        "March 2024",  # the 56 days end on 27 March 2024
        "Not known",
        "Read the response PDF, 41 KB",
    ]
    assert [(t.attrs["datetime"], t.text()) for t in page.all("time")][:2] == [
        ("2024-02-01", "1 February 2024"),
        ("2024-03", "March 2024"),
    ]


# ---------------------------------------------------------------------------------------------
# 8. The same inputs, the same bytes


def test_the_same_inputs_make_the_same_bytes_in_any_process(sites: Sites) -> None:
    made = []
    for seed in ("1", "2"):
        out = f"site-seed-{seed}"
        done = run(
            [LETTERS, "site", "--out", out],
            cwd=sites.root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        made.append(files_of(sites.root / out))
    assert made[0] == made[1] == files_of(sites.again)
    # and written over itself: the same again
    _run(sites.root, "site", "--out", "site-seed-1")
    assert files_of(sites.root / "site-seed-1") == made[0]


# ---------------------------------------------------------------------------------------------
# 9. Settings and errors


def test_an_office_may_hide_the_deadline_column(sites: Sites) -> None:
    page = parse(sites.after / "west-mercia-pcc" / "index.html")
    assert [th.text() for th in page.all("thead")[0].all("th")] == [
        "Report",
        "Force",
        "Report published",
        "Response published",
        "Response",
    ]
    assert rows(page)[0] == [
        "An inspection into activism and impartiality in policing",
        "West Mercia Police",
        "10 September 2024",
        "31 October 2024",
        "Read the response PDF, 37 KB",
    ]
    assert "Within 56 days" not in (
        sites.after / "west-mercia-pcc" / "index.fragment.html"
    ).read_text("utf-8")
    shown = parse(sites.examples / "west-mercia-pcc" / "index.html")
    assert "Within 56 days" in [th.text() for th in shown.all("thead")[0].all("th")]


def test_an_offices_own_title_intro_and_address(sites: Sites) -> None:
    folder = sites.after / "staffordshire-pfcc"
    page = parse(folder / "index.html")
    assert headings(page, "h1") == [STAFFORDSHIRE_TITLE]
    intro = page.one("main").all("p")[0]
    assert intro.text() == (
        "Section 55 asks us to publish our comments on each report. Write to our office or "
        "read the inspectorate's reports."
    )
    assert [e.tag for e in intro.elements()] == ["em", "a", "a"]
    assert links(intro) == [
        ("mailto:pfcc@example.gov.uk", "our office"),
        ("https://hmicfrs.justiceinspectorates.gov.uk/", "inspectorate's reports"),
    ]
    # the page itself links within the folder; the copies for a CMS give full addresses
    assert links(page.one("tbody"))[1:] == [
        ("responses/staffordshire-2022-peel.html", "Read the statement"),
        ("responses/staffordshire-2022-peel.pdf", "PDF, 44 KB"),
    ]
    fragment = parse(folder / "index.fragment.html")
    assert links(fragment.one("tbody"))[1:] == [
        (f"{BASE_URL}responses/staffordshire-2022-peel.html", "Read the statement"),
        (f"{BASE_URL}responses/staffordshire-2022-peel.pdf", "PDF, 44 KB"),
    ]
    assert fragment.all("h1") == [] and fragment.all("html") == []
    table = list(csv.DictReader(io.StringIO((folder / "responses.csv").read_text("utf-8"))))
    assert [(r["response_page"], r["response_pdf"], r["pdf_bytes"]) for r in table] == [
        (
            f"{BASE_URL}responses/staffordshire-2022-peel.html",
            f"{BASE_URL}responses/staffordshire-2022-peel.pdf",
            str((folder / "responses" / "staffordshire-2022-peel.pdf").stat().st_size),
        )
    ]
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((folder / "feed.atom").read_bytes())
    assert feed.findtext(f"{atom}id") == BASE_URL
    assert feed.findtext(f"{atom}title") == STAFFORDSHIRE_TITLE
    assert [(link.get("rel"), link.get("href")) for link in feed.findall(f"{atom}link")] == [
        ("alternate", f"{BASE_URL}index.html"),
        ("self", f"{BASE_URL}feed.atom"),
    ]
    assert [e.findtext(f"{atom}id") for e in feed.findall(f"{atom}entry")] == [
        f"{BASE_URL}responses/staffordshire-2022-peel.html"
    ]


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """Copy the shipped as it ships (its letters sent), for a test to break."""
    return copy_of_project(tmp_path, drafts=False)


def _fails(root: Path, *args: str) -> str:
    """Run letters expecting exit 1 and one line on standard error; return that line."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        status, out, err = run_in(root, monkeypatch, *args)
    assert (status, out) == (1, ""), err
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err.rstrip("\n")


@pytest.mark.parametrize("office", ["nowhere", "mopac"])
def test_an_office_with_no_letter_sent_is_refused(shipped: Path, office: str) -> None:
    assert _fails(shipped, "site", "--office", office) == (
        f"error: --office {office!r}: no letter of that office has been sent; offices with "
        "letters sent: durham-pcvc, dyfed-powys-pcc, lancashire-pcc, staffordshire-pfcc, "
        "surrey-pcc, warwickshire-pcc, west-mercia-pcc, west-yorkshire-mayor"
    )
    assert not (shipped / "build").exists()


def test_one_office_alone(shipped: Path) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        status, out, _ = run_in(shipped, monkeypatch, "site", "--office", "surrey-pcc")
    assert (status, out) == (
        0,
        "build/site/surrey-pcc/index.html: 1 response (1 version), 8 files\n",
    )
    assert [p.name for p in (shipped / "build" / "site").iterdir()] == ["surrey-pcc"]


@pytest.mark.parametrize("folder", ["data", "templates", "approvals"])
def test_the_site_is_never_written_among_the_inputs(shipped: Path, folder: str) -> None:
    before = files_of(shipped / folder)
    assert _fails(shipped, "site", "--out", f"{folder}/site") == (
        f"error: {folder}/site lies in the project's {folder}/ folder, which holds the letters' "
        "inputs; write it somewhere else (build/, for example)"
    )
    assert files_of(shipped / folder) == before


def test_a_folder_letters_did_not_write_is_left_alone(shipped: Path) -> None:
    own = shipped / "web" / "west-yorkshire-mayor"
    own.mkdir(parents=True)
    (own / "index.html").write_text("<p>The office's own page</p>\n", encoding="utf-8")
    assert _fails(shipped, "site", "--out", "web") == (
        f"error: {own} exists and is not a folder letters wrote (it has no SHA256SUMS); give "
        "another --out, or move it away"
    )
    # nothing written: no other office's folder either
    assert files_of(shipped / "web") == {
        "west-yorkshire-mayor/index.html": b"<p>The office's own page</p>\n"
    }


@pytest.mark.parametrize("field", ["intro", "intro_cy"])
def test_an_intro_with_a_heading_is_refused_naming_the_office_file(
    shipped: Path, field: str
) -> None:
    office = shipped / "data" / "offices" / "dyfed-powys-pcc.yaml"
    intros = {"intro": "Our words.", "intro_cy": "Ein geiriau."}
    intros[field] = "|-\n    Our words.\n\n    ## Reports"
    _add_to_office(
        shipped, "dyfed-powys-pcc", "site:\n" + "".join(f"  {k}: {v}\n" for k, v in intros.items())
    )
    at = position(office, "|-", after=f"  {field}: ")
    assert _fails(shipped, "site") == (
        f"error: data/offices/dyfed-powys-pcc.yaml:{at}: site.{field}: the text holds a heading "
        "(## ...); the letter's own text has no headings: give a section its heading with "
        "heading:, or write \\# to print #"
    )
    assert not (shipped / "build").exists()


def test_an_offices_site_settings_are_checked_in_plain_words(shipped: Path) -> None:
    office = shipped / "data" / "offices" / "surrey-pcc.yaml"
    _add_to_office(shipped, "surrey-pcc", "site:\n  titel: Our responses\n")
    assert _fails(shipped, "site") == (
        f"data/offices/surrey-pcc.yaml:{position(office, 'titel')}: site.titel: unknown field "
        "'titel'; expected title, title_cy, base_url, intro, intro_cy or deadline_column "
        "(did you mean 'title'?)"
    )
    edit_yaml(office, "  titel: Our responses\n", "  base_url: http://www.surrey-pcc.gov.uk/\n")
    assert _fails(shipped, "site") == (
        f"data/offices/surrey-pcc.yaml:{position(office, 'http:')}: site.base_url: "
        "'http://www.surrey-pcc.gov.uk/' is not a web page's address; give it as it is in the "
        "browser's address bar, starting https://, with no spaces"
    )
    assert not (shipped / "build").exists()
