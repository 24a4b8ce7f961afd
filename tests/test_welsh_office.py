"""An office's address and wordmark title in Welsh, in a bilingual letter's Welsh version.

The office file's cy.address and cy.letterhead_title, read back from a bilingual draft's PDFs,
HTML page and DOCX. The Welsh version's footer and wordmark use them; the English version is as
it was; an office file without them gives the Welsh version the English address and title.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from conftest import copy_of_project, edit_yaml, pdf_pages, position, run_in
from letters.build.build import build_letter
from letters.build.project import Project
from screen_reader import read, spoken

BILINGUAL = "dyfed-powys-2025-peel-bilingual"

#: A North Wales office as a new user writes it: the address and title in both languages.
OFFICE = """\
name: Office of the Police and Crime Commissioner for North Wales
area: North Wales
salutation: name
signatory:
  name: Andy Dunbobbin
  title: Police and Crime Commissioner for North Wales
contact:
  please_ask_for: Office of the Police and Crime Commissioner
  telephone: 01632 960100
  email: opcc@example.gov.uk
address: [Police Headquarters, Glan y Don, Colwyn Bay, LL29 8AW]
letterhead:
  title: North Wales
  subtitle: Police and Crime Commissioner
cy:
  name: Swyddfa Comisiynydd Heddlu a Throseddu Gogledd Cymru
  area: Gogledd Cymru
  signatory_title: Comisiynydd Heddlu a Throseddu Gogledd Cymru
  letterhead_subtitle: Comisiynydd Heddlu a Throseddu
  letterhead_title: Gogledd Cymru
  address: [Pencadlys yr Heddlu, Glan y Don, Bae Colwyn, LL29 8AW]
"""
WELSH_ONLY = (
    "  letterhead_title: Gogledd Cymru\n"
    "  address: [Pencadlys yr Heddlu, Glan y Don, Bae Colwyn, LL29 8AW]\n"
)

WELSH_NAME = "Swyddfa Comisiynydd Heddlu a Throseddu Gogledd Cymru"
ENGLISH_NAME = "Office of the Police and Crime Commissioner for North Wales"
WELSH_FOOTER = f"{WELSH_NAME}, Pencadlys yr Heddlu, Glan y Don, Bae Colwyn, LL29\u00a08AW"
ENGLISH_FOOTER = f"{ENGLISH_NAME}, Police Headquarters, Glan y Don, Colwyn Bay, LL29\u00a08AW"
#: The wordmark's subtitle, in both languages, read aloud after its title.
SUBTITLES = "Comisiynydd Heddlu a Throseddu, Police and Crime Commissioner"


def _with_office(root: Path, office: str) -> Path:
    """Point the bilingual example (a draft, Welsh first) at a North Wales office file."""
    (root / "data" / "offices" / "north-wales-pcc.yaml").write_text(office, encoding="utf-8")
    data = root / "data" / "examples" / f"{BILINGUAL}.yaml"
    edit_yaml(
        data, "office: ../offices/dyfed-powys-pcc.yaml", "office: ../offices/north-wales-pcc.yaml"
    )
    return data


def _built(root: Path, office: str) -> Path:
    """Build the bilingual example from a North Wales office file; return the output folder."""
    build_letter(_with_office(root, office), root / "out", project=Project(root))
    return root / "out"


def _pdf_furniture(pdf: Path) -> tuple[str, list[str]]:
    """Return what a screen reader says first (the wordmark) and each page's last words.

    The footer is the last thing on a page: its lines are joined as a reader copies them
    (a no-break space kept), and it ends with the page number.
    """
    pages = pypdf.PdfReader(str(pdf)).pages
    ends = [re.sub(r"[ \n]+", " ", page.extract_text() or "")[-160:] for page in pages]
    return spoken(read(pdf))[0], ends


def _footed(ends: list[str], footer: str, page: str, of: str) -> bool:
    """Say whether every page ends with `footer` and its number: 'Tudalen 1 o 2'."""
    total = len(ends)
    return bool(ends) and all(
        end.endswith(f"{footer} {page} {number} {of} {total}") for number, end in enumerate(ends, 1)
    )


def _docx_furniture(path: Path) -> tuple[str, str]:
    """Return the DOCX's wordmark alt text and its footer's text before the page number."""
    document = docx.Document(str(path))
    doc_pr = document.element.body.find(".//" + qn("wp:docPr"))
    return doc_pr.get("descr"), document.sections[0].footer.paragraphs[0].text.split("\t")[0]


def _html_furniture(path: Path) -> tuple[str, str]:
    """Return the HTML page's wordmark alt text and its footer."""
    html = path.read_text(encoding="utf-8")
    alt = re.search(r'<header class="letterhead">\n<img src="[^"]*" alt="([^"]*)">', html)
    footer = re.search(r"<footer><p>(.*)</p></footer>", html)
    assert alt is not None and footer is not None
    return alt.group(1), footer.group(1)


def test_the_welsh_version_gives_the_office_s_welsh_address_and_title(scratch: Path) -> None:
    out = _built(scratch, OFFICE)
    for copy in ("cy.pdf", "cy.public.pdf"):
        alt, ends = _pdf_furniture(out / f"{BILINGUAL}.{copy}")
        assert alt == f"[image: Gogledd Cymru {SUBTITLES}]"
        assert _footed(ends, WELSH_FOOTER, "Tudalen", "o"), ends
    for copy in ("en.pdf", "en.public.pdf"):
        alt, ends = _pdf_furniture(out / f"{BILINGUAL}.{copy}")
        assert alt == f"[image: North Wales {SUBTITLES}]"
        assert _footed(ends, ENGLISH_FOOTER, "Page", "of"), ends
    # the page and the DOCX hold both: the wordmark is the first language's (Welsh), the
    # footer names the office in each, the postcode they share said once
    both = (
        f"{WELSH_NAME}, Pencadlys yr Heddlu, Glan y Don, Bae Colwyn / {ENGLISH_NAME}, Police"
        " Headquarters, Glan y Don, Colwyn Bay, LL29\u00a08AW"
    )
    assert _html_furniture(out / f"{BILINGUAL}.html") == (f"Gogledd Cymru {SUBTITLES}", both)
    assert _docx_furniture(out / f"{BILINGUAL}.docx") == (f"Gogledd Cymru {SUBTITLES}", both)


def test_english_first_the_page_and_docx_wordmark_is_the_english(scratch: Path) -> None:
    edit_yaml(
        scratch / "data" / "examples" / f"{BILINGUAL}.yaml",
        "languages: [cy, en]",
        "languages: [en, cy]",
    )
    out = _built(scratch, OFFICE)
    subtitles = "Police and Crime Commissioner, Comisiynydd Heddlu a Throseddu"
    both = (
        f"{ENGLISH_NAME}, Police Headquarters, Glan y Don, Colwyn Bay / {WELSH_NAME}, Pencadlys"
        " yr Heddlu, Glan y Don, Bae Colwyn, LL29\u00a08AW"
    )
    assert _html_furniture(out / f"{BILINGUAL}.html") == (f"North Wales {subtitles}", both)
    alt, ends = _pdf_furniture(out / f"{BILINGUAL}.cy.public.pdf")
    assert alt == f"[image: Gogledd Cymru {subtitles}]"
    assert _footed(ends, WELSH_FOOTER, "Tudalen", "o"), ends


def test_without_them_the_welsh_version_gives_the_english_address_and_title(
    scratch: Path,
) -> None:
    out = _built(scratch, OFFICE.replace(WELSH_ONLY, ""))
    english_address = "Police Headquarters, Glan y Don, Colwyn Bay, LL29\u00a08AW"
    alt, ends = _pdf_furniture(out / f"{BILINGUAL}.cy.public.pdf")
    assert alt == f"[image: North Wales {SUBTITLES}]"
    assert _footed(ends, f"{WELSH_NAME}, {english_address}", "Tudalen", "o"), ends
    both = f"{WELSH_NAME} / {ENGLISH_NAME}, {english_address}"
    assert _html_furniture(out / f"{BILINGUAL}.html") == (f"North Wales {SUBTITLES}", both)
    assert _docx_furniture(out / f"{BILINGUAL}.docx") == (f"North Wales {SUBTITLES}", both)


def test_the_english_version_reads_the_same_with_or_without_them(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    texts = []
    for office in (OFFICE, OFFICE.replace(WELSH_ONLY, "")):
        root = copy_of_project(tmp_path_factory.mktemp("project"))
        pdf = _built(root, office) / f"{BILINGUAL}.en.public.pdf"
        texts.append((spoken(read(pdf)), pdf_pages(pdf)))
    assert texts[0] == texts[1]
    assert texts[0][0][0] == f"[image: North Wales {SUBTITLES}]"


def test_a_welsh_address_without_a_postcode_is_warned_of(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = OFFICE.replace(
        "address: [Pencadlys yr Heddlu, Glan y Don, Bae Colwyn, LL29 8AW]",
        "address: [Pencadlys yr Heddlu, Glan y Don, Bae Colwyn]",
    )
    _with_office(scratch, office)
    _, out, err = run_in(scratch, monkeypatch, "check", f"data/examples/{BILINGUAL}.yaml")
    at = position(scratch / "data" / "offices" / "north-wales-pcc.yaml", "[Pencadlys")
    assert (
        f"data/offices/north-wales-pcc.yaml:{at}: warning: office.cy.address: no line of the"
        " address ends with a UK postcode" in out + err
    ), out + err


def test_a_welsh_address_has_the_english_address_s_limits(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = OFFICE.replace(
        "address: [Pencadlys yr Heddlu, Glan y Don, Bae Colwyn, LL29 8AW]", "address: []"
    )
    _with_office(scratch, office)
    status, out, err = run_in(scratch, monkeypatch, "check", f"data/examples/{BILINGUAL}.yaml")
    at = position(scratch / "data" / "offices" / "north-wales-pcc.yaml", "[]", after="  address: ")
    assert status == 1 and "Traceback" not in err
    assert (
        f"data/offices/north-wales-pcc.yaml:{at}: office.cy.address: must list at least one line"
        in out + err
    ), out + err
