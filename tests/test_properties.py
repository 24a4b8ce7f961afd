"""Any letter the model accepts renders in every format, showing its values alike in each."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
import yaml
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import COUNT_WORDS, DEFAULT_LETTER, MONTHS, PAGE_FOOTER, ROOT, docx_lines, normalise
from letters.build.build import compose, render
from letters.build.project import Project
from letters.compose.markdown import OwnTextError, parse_own
from letters.source.frameworks import frameworks_of

PEEL = frameworks_of(ROOT)["integrated-peel-2018"]
# Printable text of any script, as office staff might paste it; no surrogates or control characters.
#: Bidirectional embeddings, overrides and isolates, which the data refuses.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
text = st.text(
    st.characters(
        exclude_categories=("Cs", "Cc", "Co", "Cn", "Zl", "Zp"), exclude_characters=BIDI_CONTROLS
    ),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())
days = st.dates(dt.date(2017, 5, 2), dt.date(2030, 12, 31))


def _house_font_characters() -> list[str]:
    """List the characters every house font draws that a PDF gives back as they were written.

    Those are letters, digits, punctuation, symbols and spaces that read left to right, stand
    alone (no combining marks), are their own compatibility form (no ligatures) and have capitals
    the fonts draw too (the subject line is in capitals), but the bullet. Other characters are
    not drawn at all, and right-to-left text is drawn in visual order: a PDF's text cannot be
    compared with the DOCX's for those.
    """
    covered: set[int] | None = None
    for path in sorted((ROOT / "templates" / "fonts").glob("*.ttf")):
        with TTFont(path) as font:
            cmap = set(font.getBestCmap())
        covered = cmap if covered is None else covered & cmap
    return [
        char
        for char in map(chr, sorted(covered or ()))
        if (unicodedata.category(char)[0] in "LNPS" or unicodedata.category(char) == "Zs")
        and unicodedata.bidirectional(char) in ("L", "EN", "ES", "ET", "CS", "ON", "WS")
        and unicodedata.normalize("NFKC", char) == char
        # the subject line is in capitals: 'ɥ' becomes 'Ɥ', which the fonts may lack
        and all(ord(upper) in (covered or ()) for upper in char.upper())
        # the PDF's text is read without its list bullets, so a bullet in the data would vanish
        and char != "•"
    ]


house_text = st.text(st.sampled_from(_house_font_characters()), min_size=1, max_size=60).filter(
    lambda s: s.strip()
)


def _own_markdown(text: str) -> bool:
    """Say whether text is Markdown a letter's own text may hold (no heading, image, bad link)."""
    try:
        parse_own(text)
    except OwnTextError:
        return False
    return True


def letters(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, object]]:
    """Draw letters the model accepts, their own words drawn from `text`."""
    own_text = text.filter(lambda s: "{" not in s and "}" not in s).filter(_own_markdown)

    @st.composite
    def draw_letter(draw: st.DrawFn) -> dict[str, object]:
        published = draw(days)
        return {
            "office": "offices/lancashire-pcc.yaml",
            "recipient": {
                "honorific": draw(st.sampled_from(["", "Rt Hon"])),
                "name": draw(text),
                "title": draw(text),
                "address": draw(st.lists(text, min_size=1, max_size=5)),
            },
            "letter": {
                "date": (published + dt.timedelta(days=draw(st.integers(0, 55)))).isoformat(),
                "our_ref": draw(st.sampled_from(["", "PCC/1"])),
            },
            "force": {
                "name": draw(text),
                "chief_officer": draw(st.sampled_from(["Chief Constable", "Commissioner"])),
            },
            "report": {
                "inspectorate": "HMICFRS",
                "title": draw(text),
                "kind": PEEL.kind,
                "published": published.isoformat(),
                "period": draw(st.sampled_from(["2018/2019", "2018/19"])),
                "grades": {area: draw(st.sampled_from(PEEL.grades)) for area in PEEL.areas},
                "areas_for_improvement": draw(st.lists(text, max_size=4)),
            },
            "target_grade": draw(st.sampled_from([*PEEL.grades, None])),
            "paragraphs": {
                "body": draw(st.lists(own_text, max_size=3)),
                "planned_activity": draw(st.lists(own_text, max_size=2)),
            },
        }

    return draw_letter()


def _written(day: str) -> str:
    """Write an ISO date as a person would: '2020-03-30' as '30 March 2020'."""
    parsed = dt.date.fromisoformat(day)
    return f"{parsed.day} {MONTHS[parsed.month - 1]} {parsed.year}"


def _printed(value: str) -> str:
    """Return a value as a reader sees it: in NFC (the data is read so), spaces collapsed."""
    return normalise(unicodedata.normalize("NFC", value))


def _plain(value: str) -> bool:
    """Say whether own text is words and spaces alone, which Markdown leaves as written."""
    return all(char.isalnum() or char == " " for char in value)


def _as_read(part: dict[str, Any]) -> dict[str, Any]:
    """Give a part of the drawn letter as the data model reads it: text values stripped."""
    return {key: value.strip() if isinstance(value, str) else value for key, value in part.items()}


def _expected_lines(letter: dict[str, Any]) -> list[str]:
    """List lines the drawn letter must show, in order, written out from the values drawn.

    The address, the reference block's own rows, the salutation, the subject in capitals, the
    opening, the closing, the annex's heading, the count of areas for improvement and each of
    them as a bullet ('- '); and any of the letter's own paragraphs that Markdown leaves alone.
    """
    recipient, report, force = (_as_read(letter[part]) for part in ("recipient", "report", "force"))
    addressee = f"{recipient['honorific']} {recipient['name']}".strip()
    our_ref = letter["letter"]["our_ref"]
    afis = report["areas_for_improvement"]
    count = (
        [
            f"Within the report the Force were given {COUNT_WORDS[len(afis)]} "
            f"{'area' if len(afis) == 1 else 'areas'} for improvement as follows:-"
        ]
        if afis
        else []
    )
    paragraphs = letter["paragraphs"]
    return [
        _printed(addressee),
        _printed(recipient["title"]),
        *map(_printed, recipient["address"]),
        _printed(f"Our Ref: {our_ref}"),
        f"Date: {_written(letter['letter']['date'])}",
        _printed(f"Dear {recipient['name']}"),
        _printed(f"HMICFRS {report['title']}").upper(),
        _printed(
            f"I write in response to the publication of the HMICFRS {report['title']} report for "
            f"{force['name']} published {_written(report['published'])}, which sets out the "
            f"findings of the inspection of {force['name']}'s effectiveness, efficiency and "
            f"legitimacy {report['period']}."
        ),
        *(_printed(p) for p in paragraphs["body"] if _plain(p)),
        f"As you would expect, I will continue to hold the {force['chief_officer']} to account "
        "through my quarterly scrutiny meetings.",
        _printed(f"Planned activity by {force['name']}"),
        *count,
        *(f"- {_printed(afi)}" for afi in afis),
        *(_printed(p) for p in paragraphs["planned_activity"] if _plain(p)),
    ]


def _in_order(expected: list[str], lines: list[str]) -> list[str]:
    """Return the expected lines missing from `lines`, or out of order there."""
    rest = iter(lines)
    return [line for line in expected if not any(line == seen for seen in rest)]


def _assert_grades_shown(letter: dict[str, Any], text: str) -> None:
    """Check the text names each pillar after its grade: "'good' in the pillars of x and y"."""
    force = _printed(letter["force"]["name"])
    assert f"{force} was awarded '" in text
    for area, grade in letter["report"]["grades"].items():
        pattern = rf"'{re.escape(grade)}' in the pillars? of [a-z, ]*\b{area}\b"
        assert re.search(pattern, text), (area, grade)


class _MainText(HTMLParser):
    """Collect the text of an HTML page's <main>, a space between blocks, as a browser shows it.

    Also collect the text of each list item, and the page's title.
    """

    BLOCKS = {"address", "br", "div", "h1", "h2", "h3", "li", "p", "section", "td", "th", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.parts: list[str] = []
        self.items: list[list[str]] = []
        self.in_item = False
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = self.inside or tag == "main"
        if self.inside and tag in self.BLOCKS:
            self.parts.append(" ")
        if self.inside and tag == "li":
            self.items.append([])
            self.in_item = True
        self.in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.inside = False
        elif self.inside and tag in self.BLOCKS:
            self.parts.append(" ")
        if tag == "li":
            self.in_item = False
        self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if self.inside:
            self.parts.append(data)
            if self.in_item:
                self.items[-1].append(data)


def _html_text(html: bytes) -> tuple[str, list[str], str]:
    """Return the text of the HTML page's body (<main>), of each list item and its title."""
    parser = _MainText()
    parser.feed(html.decode("utf-8"))
    parser.close()
    items = [normalise("".join(item)) for item in parser.items]
    return normalise("".join(parser.parts)), items, normalise("".join(parser.title))


def _pdf_text(pdf: bytes) -> str:
    """Return the text of the PDF's pages without the page footers and list bullets."""
    pages = [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    return normalise(PAGE_FOOTER.sub(" ", " ".join(pages)).replace("•", " "))


def _letters_and_gaps(text: str) -> tuple[str, set[int]]:
    """Split text into its characters other than whitespace and where whitespace came between."""
    kept: list[str] = []
    gaps: set[int] = set()
    for char in text:
        if char.isspace():
            gaps.add(len(kept))
        else:
            kept.append(char)
    return "".join(kept), gaps


def _render_all(root: Path, letter: dict[str, Any]) -> dict[str, bytes]:
    """Write the letter into a project at `root`; return it in every format."""
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "data" / "offices", root / "data" / "offices")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    path = root / "data" / "letter.yaml"
    path.write_text(yaml.safe_dump(letter, allow_unicode=True, sort_keys=False), encoding="utf-8")
    project = Project(root)
    files, _ = render(compose(path, project), project, ("docx", "pdf", "html"))
    assert (
        files["pdf"].startswith(b"%PDF")
        and files["docx"].startswith(b"PK")
        and b"</html>" in files["html"]
    )
    return files


@dataclass(frozen=True)
class _ReadBack:
    """A letter's formats read back, as a reader or a reader's program sees them.

    The PDF, the DOCX's lines and text, the HTML's list items, and each format's title and
    subject (the HTML has no subject).
    """

    pdf: bytes
    lines: list[str]
    text: str
    html_items: list[str]
    titles: dict[str, tuple[str, str]]


def _read_back(tmp_path_factory: pytest.TempPathFactory, letter: dict[str, Any]) -> _ReadBack:
    """Render a letter; check the HTML page reads as the DOCX; return what they read."""
    root = tmp_path_factory.mktemp("project")
    files = _render_all(root, letter)
    lines, docx_text = _docx_text(root, files["docx"])
    html_text, html_items, html_title = _html_text(files["html"])
    assert html_text == docx_text
    properties = docx.Document(io.BytesIO(files["docx"])).core_properties
    metadata = pypdf.PdfReader(io.BytesIO(files["pdf"])).metadata
    assert metadata is not None
    titles = {
        "docx": (properties.title, properties.subject),
        "pdf": (str(metadata.title), str(metadata.subject)),
        "html": (html_title, ""),
    }
    return _ReadBack(
        files["pdf"],
        lines,
        docx_text,
        html_items,
        {fmt: (normalise(title), normalise(subject)) for fmt, (title, subject) in titles.items()},
    )


def _docx_text(root: Path, docx: bytes) -> tuple[list[str], str]:
    """Return the DOCX body's lines and their text joined, without list bullets."""
    path = root / "letter.docx"
    path.write_bytes(docx)
    # the text without bullets read as such, not by a leading '- ', which a value may start with
    return docx_lines(path), normalise(" ".join(docx_lines(path, bullet="")))


def _assert_shows_the_values_drawn(letter: dict[str, Any], read: _ReadBack) -> list[str]:
    """Check the DOCX and the HTML show the values drawn; return the lines expected."""
    expected = _expected_lines(letter)
    assert _in_order(expected, read.lines) == [], read.lines
    afis = [_printed(afi) for afi in letter["report"]["areas_for_improvement"]]
    assert _in_order(afis, read.html_items) == [], read.html_items
    _assert_grades_shown(letter, read.text)
    report, force = _as_read(letter["report"]), _as_read(letter["force"])
    title = _printed(f"Response to the HMICFRS {report['title']} report for {force['name']}")
    subject = _printed(
        "The Police and Crime Commissioner for Lancashire's comments under section 55 of the "
        f"Police Act 1996 on the HMICFRS {report['title']} report for {force['name']}, published "
        f"{_written(report['published'])}"
    )
    assert read.titles == {"docx": (title, subject), "pdf": (title, subject), "html": (title, "")}
    return expected


def _pdf_chars(line: str) -> str:
    """Return a line's characters but whitespace, and but its bullet, as the PDF's text has them."""
    return _letters_and_gaps(line.removeprefix("- "))[0]


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters(text))
def test_any_valid_letter_renders_in_every_format(
    tmp_path_factory: pytest.TempPathFactory, letter: dict[str, Any]
) -> None:
    # A character the house fonts lack leaves the PDF's text unreadable to pypdf and pdfminer
    # (its fonts' encoding is then Custom, not Identity-H): here the PDF is read for its title
    # and subject, and the next test reads its text.
    _assert_shows_the_values_drawn(letter, _read_back(tmp_path_factory, letter))


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters(house_text))
def test_a_letter_in_the_house_fonts_reads_the_same_in_the_pdf(
    tmp_path_factory: pytest.TempPathFactory, letter: dict[str, Any]
) -> None:
    read = _read_back(tmp_path_factory, letter)
    expected = _assert_shows_the_values_drawn(letter, read)
    # The PDF breaks lines inside words where the text allows it (after a hyphen or a slash, or
    # anywhere in a word too long for the line), and its text cannot tell such a break from a
    # space: so the PDF must hold the same characters in the same order, with a space or a line
    # break wherever the letter has a space.
    pdf_chars, pdf_gaps = _letters_and_gaps(_pdf_text(read.pdf))
    docx_chars, docx_gaps = _letters_and_gaps(read.text)
    for line in expected:
        assert _pdf_chars(line) in pdf_chars, line
    assert pdf_chars == docx_chars
    assert docx_gaps <= pdf_gaps, "a space in the letter is missing from the PDF"


def test_a_value_that_starts_like_a_bullet_reads_the_same_everywhere(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The example Hypothesis found: a force named '-' starts a line of the 2018/19 letter."""
    tree = yaml.safe_load(DEFAULT_LETTER.read_text(encoding="utf-8"))
    tree["force"]["name"] = "-"
    read = _read_back(tmp_path_factory, tree)
    # a line of its own, not a bullet ('- - was awarded ...' if it were one)
    assert (
        "- was awarded 'outstanding' in the pillar of efficiency and 'good' in the pillars of "
        "effectiveness and legitimacy."
    ) in read.lines
