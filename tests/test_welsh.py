"""Welsh: its own helpers and templates; bilingual letters, checked for parity.

A bilingual letter is one DOCX and one HTML page, with a PDF per language.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, docx_lines, edit_yaml
from letters.build.build import build_letter
from letters.build.prepare import prepare
from letters.build.project import Project
from letters.source.welsh import aspirate, cy_count, cy_date, cy_join, nasal, soft, yn

BILINGUAL = ROOT / "data" / "examples" / "dyfed-powys-2025-peel-bilingual.yaml"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2020, 3, 30), "30 Mawrth 2020"),
        (dt.date(2020, 2, 7), "7 Chwefror 2020"),
        (dt.date(2025, 9, 1), "1 Medi 2025"),
    ],
)
def test_cy_date(day: dt.date, expected: str) -> None:
    assert cy_date(day) == expected


@pytest.mark.parametrize(
    ("word", "soft_form", "nasal_form", "aspirate_form"),
    [
        ("Caerdydd", "Gaerdydd", "Nghaerdydd", "Chaerdydd"),
        ("Powys", "Bowys", "Mhowys", "Phowys"),
        ("tref", "dref", "nhref", "thref"),
        ("Bangor", "Fangor", "Mangor", "Bangor"),
        ("Dinbych", "Ddinbych", "Ninbych", "Dinbych"),
        ("gwaith", "waith", "ngwaith", "gwaith"),
        ("Llanelli", "Lanelli", "Llanelli", "Llanelli"),
        ("rhaglen", "raglen", "rhaglen", "rhaglen"),
        ("Abertawe", "Abertawe", "Abertawe", "Abertawe"),
        ("chwaer", "chwaer", "chwaer", "chwaer"),
    ],
)
def test_mutations(word: str, soft_form: str, nasal_form: str, aspirate_form: str) -> None:
    assert (soft(word), nasal(word), aspirate(word)) == (soft_form, nasal_form, aspirate_form)


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Caerdydd", "yng Nghaerdydd"),
        ("Powys", "ym Mhowys"),
        ("Bangor", "ym Mangor"),
        ("Abertawe", "yn Abertawe"),
        ("Llanelli", "yn Llanelli"),
        ("Tywyn", "yn Nhywyn"),
    ],
)
def test_yn_before_a_place(place: str, expected: str) -> None:
    assert yn(place) == expected


@pytest.mark.parametrize(
    ("count", "noun", "feminine", "expected"),
    [
        (1, "argymhelliad", False, "un argymhelliad"),
        (2, "maes i'w wella", False, "dau faes i'w wella"),
        (3, "argymhelliad", False, "tri argymhelliad"),
        (3, "cam", False, "tri cham"),
        (2, "pryder", True, "dwy bryder"),
        (6, "cam", False, "chwe cham"),
        (12, "argymhelliad", False, "12 argymhelliad"),
        (1, "gwers", True, "un wers"),
    ],
)
def test_numerals_keep_the_noun_singular_and_mutate_it(
    count: int, noun: str, feminine: bool, expected: str
) -> None:
    assert cy_count(count, noun, feminine) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["da"], "da"),
        (["atal troseddu", "ymateb i'r cyhoedd"], "atal troseddu ac ymateb i'r cyhoedd"),
        (["da", "cyfrifoldeb"], "da a chyfrifoldeb"),
        (["a", "b", "pwerau"], "a, b a phwerau"),
    ],
)
def test_cy_join(items: list[str], expected: str) -> None:
    assert cy_join(items) == expected


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("bilingual")
    built = build_letter(BILINGUAL, out, project=Project(ROOT))
    return {path.name.removeprefix(BILINGUAL.stem + "."): path for path in built.paths}


def test_one_docx_and_html_and_a_pdf_per_language(bilingual: dict[str, Path]) -> None:
    assert sorted(bilingual) == [
        "cy.pdf",
        "cy.public.pdf",
        "docx",
        "en.pdf",
        "en.public.pdf",
        "html",
    ]
    for name, language in (("cy.pdf", "cy"), ("en.pdf", "en-GB")):
        with pikepdf.open(bilingual[name]) as pdf:
            assert str(pdf.Root.Lang) == language, name


def test_welsh_comes_first_and_each_version_is_complete(bilingual: dict[str, Path]) -> None:
    lines = docx_lines(bilingual["docx"])
    assert (
        lines.index("Annwyl Yvette Cooper")
        < lines.index("Yn gywir")
        < lines.index("Dear Yvette Cooper")
        < lines.index("Yours sincerely")
    )
    assert "Dyddiad: 10 Mawrth 2025" in lines and "Date: 10 March 2025" in lines
    assert "Mae'r adroddiad yn nodi dau faes i'w wella:" in lines
    welsh = " ".join(lines[: lines.index("Dear Yvette Cooper")])
    assert (
        # Nine of the framework's areas are given, and no count of the report's: "among them".
        "Ymhlith y graddau a roddodd yr arolygwyr i Heddlu Dyfed-Powys mae'r rhain: da o ran"
        " cofnodi data am"
        " droseddau, atal troseddu a datblygu"
        " gweithle cadarnhaol; digonol o ran"
    ) in welsh


def test_each_part_is_marked_with_its_language(bilingual: dict[str, Path]) -> None:
    html = bilingual["html"].read_text(encoding="utf-8")
    assert html.index('<section class="version" lang="cy">') < html.index(
        '<section class="version" lang="en-GB">'
    )
    with zipfile.ZipFile(bilingual["docx"]) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    welsh, english = xml.split(">Home Secretary<")
    assert (
        'w:val="cy-GB"' in welsh
        and 'w:val="en-GB"' not in welsh.split("Annwyl")[1].split("<w:pageBreakBefore/>")[0]
    )
    assert 'w:val="en-GB"' in english and 'w:val="cy-GB"' not in english


def _problems(root: Path) -> list[str]:
    return [
        f"{f.severity}: {f.field}: {f.message}"
        for f in prepare(root / "data" / "examples" / BILINGUAL.name, Project(root)).results
        if f.severity != "note"
    ]


def test_parity_is_checked(scratch: Path) -> None:
    data = scratch / "data" / "examples" / BILINGUAL.name
    assert _problems(scratch) == []
    edit_yaml(
        data, "      staff across {area}, and I accept", "      staff across {force}, and I accept"
    )
    edit_yaml(
        data,
        "      response_cy: Mae dioddefwyr yn cael diweddariad o leiaf bob 28 diwrnod.\n",
        "      response_cy: Mae dioddefwyr yn cael diweddariad o leiaf bob 30 diwrnod.\n",
    )
    edit_yaml(
        data,
        "      text_cy: Dylai'r heddlu sicrhau bod ymchwiliadau'n cael eu goruchwylio'n dda.\n",
        "",
    )
    assert _problems(scratch) == [
        "error: report.findings[0]: area for improvement has no Welsh text (text_cy); a bilingual"
        " letter carries every finding in both languages",
        "error: cy.paragraphs.body[0]: the Welsh names {area} but the English {force}",
    ]


def test_a_missing_welsh_paragraph_is_an_error(scratch: Path) -> None:
    data = scratch / "data" / "examples" / BILINGUAL.name
    edit_yaml(
        data,
        "  paragraphs:\n    body:\n      - >-\n        Rwy'n croesawu",
        "  paragraphs:\n    planned_activity:\n      - >-\n        Rwy'n croesawu",
    )
    problems = _problems(scratch)
    assert (
        "error: cy.paragraphs.body: the Welsh has 0 paragraphs and the English 1 paragraph; each"
        " paragraph needs both languages" in problems
    )


def test_a_thematic_response_can_be_bilingual(scratch: Path) -> None:
    import yaml

    from letters.build.build import compose
    from letters.compose.document import text_lines

    path = scratch / "data" / "examples" / "west-mercia-2023-youth-violence.yaml"
    letter = yaml.safe_load(path.read_text(encoding="utf-8"))
    letter["office"] = "../offices/dyfed-powys-pcc.yaml"
    letter["languages"] = ["en", "cy"]
    letter["copy_to"] = []
    for finding in letter["report"]["findings"]:
        finding["text_cy"] = f"Testun Cymraeg argymhelliad {finding['number']}."
        finding["response_cy"] = f"Ymateb Cymraeg {finding['number']}."
        if "action" in finding:
            finding["action_cy"] = "Camau Cymraeg."
    letter["cy"] = {
        "force": "Heddlu Gorllewin Mersia",
        "chief_officer": "Prif Gwnstabl",
        "report_title": "Arolygiad o drais difrifol ymhlith pobl ifanc",
        "recipient_title": "Ysgrifennydd Cartref",
        "paragraphs": {
            "body": [
                "Er nad oedd yr heddlu'n un o'r rhai yr ymwelwyd â hwy, mae'r canfyddiadau'n"
                " berthnasol i {area}, ac rwyf wedi gofyn i'r {chief_officer} am ymateb."
            ]
        },
    }
    path.write_text(
        yaml.safe_dump(
            letter, allow_unicode=True, sort_keys=False, default_flow_style=False
        ).replace("status:", "\nstatus:"),
        encoding="utf-8",
    )
    examined = prepare(path, Project(scratch))
    assert [f for f in examined.results if f.severity != "note"] == []
    lines = text_lines(compose(path, Project(scratch)))
    english_end = lines.index("Yours sincerely")
    assert lines.index("Yn gywir") > english_end, "English first, as the data sets"
    assert (
        "Mae'r adroddiad yn gwneud pedwar argymhelliad, ac mae dau ohonynt ar gyfer prif"
        " gwnstabliaid. Isod rwy'n nodi sut mae Heddlu Gorllewin Mersia yn ymateb." in lines
    )
    assert [line for line in lines if line.startswith("Ymateb:")] == [
        f"Ymateb: Ymateb Cymraeg {n}." for n in range(1, 5)
    ]
