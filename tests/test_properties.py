"""Any letter the model accepts renders in every format, with the same text in each."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
import yaml
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DEFAULT_LETTER, PAGE_FOOTER, ROOT, docx_lines, normalise
from letters.build.build import compose, render
from letters.build.project import Project
from letters.compose.document import text_lines
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


class _MainText(HTMLParser):
    """Collect the text of an HTML page's <main>, a space between blocks, as a browser shows it."""

    BLOCKS = {"address", "br", "div", "h1", "h2", "h3", "li", "p", "section", "td", "th", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.inside = self.inside or tag == "main"
        if self.inside and tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.inside = False
        elif self.inside and tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.parts.append(data)


def _html_text(html: bytes) -> str:
    """Return the text of the HTML page's body (<main>), whitespace normalised."""
    parser = _MainText()
    parser.feed(html.decode("utf-8"))
    parser.close()
    return normalise("".join(parser.parts))


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


def _render_all(root: Path, letter: dict[str, object]) -> tuple[list[str], dict[str, bytes]]:
    """Write the letter into a project at `root`; return its document's lines and every format."""
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "data" / "offices", root / "data" / "offices")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    path = root / "data" / "letter.yaml"
    path.write_text(yaml.safe_dump(letter, allow_unicode=True, sort_keys=False), encoding="utf-8")
    project = Project(root)
    document = compose(path, project)
    files, _ = render(document, project, ("docx", "pdf", "html"))
    assert (
        files["pdf"].startswith(b"%PDF")
        and files["docx"].startswith(b"PK")
        and b"</html>" in files["html"]
    )
    lines = [normalise(line) for line in text_lines(document, bullet="- ") if normalise(line)]
    return lines, files


def _read_back(
    tmp_path_factory: pytest.TempPathFactory, letter: dict[str, object]
) -> tuple[dict[str, bytes], list[str], str]:
    """Render a letter; check the DOCX and HTML read as the document; return the files and text."""
    root = tmp_path_factory.mktemp("project")
    expected, files = _render_all(root, letter)
    lines, docx_text = _docx_text(root, files["docx"])
    assert lines == expected
    assert _html_text(files["html"]) == docx_text
    return files, lines, docx_text


def _docx_text(root: Path, docx: bytes) -> tuple[list[str], str]:
    """Return the DOCX body's lines and their text joined, without list bullets."""
    path = root / "letter.docx"
    path.write_bytes(docx)
    # the text without bullets read as such, not by a leading '- ', which a value may start with
    return docx_lines(path), normalise(" ".join(docx_lines(path, bullet="")))


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters(text))
def test_any_valid_letter_renders_in_every_format(
    tmp_path_factory: pytest.TempPathFactory, letter: dict[str, object]
) -> None:
    files, lines, docx_text = _read_back(tmp_path_factory, letter)
    for afi in letter["report"]["areas_for_improvement"]:  # type: ignore[index]
        assert f"- {normalise(afi)}" in lines


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters(house_text))
def test_a_letter_in_the_house_fonts_reads_the_same_in_the_pdf(
    tmp_path_factory: pytest.TempPathFactory, letter: dict[str, object]
) -> None:
    files, lines, docx_text = _read_back(tmp_path_factory, letter)
    # The PDF breaks lines inside words where the text allows it (after a hyphen or a slash, or
    # anywhere in a word too long for the line), and its text cannot tell such a break from a
    # space: so the PDF must hold the same characters in the same order, with a space or a line
    # break wherever the letter has a space.
    pdf_chars, pdf_gaps = _letters_and_gaps(_pdf_text(files["pdf"]))
    docx_chars, docx_gaps = _letters_and_gaps(docx_text)
    assert pdf_chars == docx_chars
    assert docx_gaps <= pdf_gaps, "a space in the letter is missing from the PDF"


def test_a_value_that_starts_like_a_bullet_reads_the_same_everywhere(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The example Hypothesis found: a force named '-' starts a line of the 2018/19 letter."""
    tree = yaml.safe_load(DEFAULT_LETTER.read_text(encoding="utf-8"))
    tree["force"]["name"] = "-"
    files, lines, docx_text = _read_back(tmp_path_factory, tree)
    assert "- was awarded 'outstanding' in the pillar of efficiency" in docx_text
