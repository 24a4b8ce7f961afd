"""The kinds of inspection added from real responses, and each framework's names in Welsh.

A letter of each new kind (an inspection of one force that grades nothing, HM Chief
Inspector's annual assessment, a joint inspection naming its inspectorates, PEEL 2025-27)
builds from a draft in a copy of the project, and what it prints is read back from the DOCX,
the PDFs and the HTML page. Every framework names each of its areas and grades in Welsh, so
a Welsh letter of any cycle builds; a file missing one is refused by name. A letter in two
languages names its office in both in the footer of the files that hold both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
import yaml

from conftest import ROOT, cli, docx_lines, edit_yaml, output_texts, position, run_in
from letters.build.build import build_letter
from letters.build.project import Project

#: The Home Secretary, as every letter below addresses her.
RECIPIENT = """\
recipient:
  honorific: Rt Hon
  name: Yvette Cooper
  title: Home Secretary
  address: [Home Office, 2 Marsham Street, London, SW1P 4DF]
"""

FORCE_INSPECTION = f"""\
office: offices/durham-pcvc.yaml
{RECIPIENT}
letter: {{date: 2025-04-20}}
force: {{name: Durham Constabulary, chief_officer: Chief Constable}}
report:
  inspectorate: HMICFRS
  title: An inspection of custody services in Durham Constabulary
  kind: force-inspection
  published: 2025-03-03
  counts: {{recommendations: 2}}
  findings:
    - kind: recommendation
      number: "1"
      addressed_to: the chief constable
      text: The force should check each detained person's welfare every hour.
      response: The custody system now records each hourly check.
    - kind: area for improvement
      text: The force should record why it uses force in custody.
      response: Every use of force in custody is now recorded.
status: {{state: draft}}
"""

ANNUAL = f"""\
office: offices/durham-pcvc.yaml
{RECIPIENT}
letter: {{date: 2025-07-01}}
force: {{name: Durham Constabulary, chief_officer: Chief Constable}}
report:
  inspectorate: HMICFRS
  title: "State of Policing: The Annual Assessment of Policing in England and Wales 2024"
  kind: annual-assessment
  published: 2025-06-10
  counts: {{recommendations: 5, for_chief_constables: 2}}
  findings:
    - kind: recommendation
      number: "1"
      addressed_to: the Home Office
      text: The Home Office should review how forces are funded.
      response: I support a review and have written to the Policing Minister.
paragraphs:
  body:
    - I have read the assessment with the Chief Constable.
status: {{state: draft}}
"""

JOINT = f"""\
office: offices/durham-pcvc.yaml
{RECIPIENT}
letter: {{date: 2025-05-01}}
force: {{name: Durham Constabulary, chief_officer: Chief Constable}}
report:
  inspectorate: HMICFRS
  inspectorates: [HMICFRS, HM Inspectorate of Probation, the Care Quality Commission, Ofsted]
  title: A joint targeted area inspection of the multi-agency response to children
  kind: joint
  published: 2025-03-20
  findings:
    - kind: recommendation
      number: "1"
      addressed_to: chief constables
      text: Forces should share referrals with children's services the same day.
      response: Referrals now go to children's services within the day.
status: {{state: draft}}
"""

PEEL_2025 = f"""\
office: offices/durham-pcvc.yaml
{RECIPIENT}
letter: {{date: 2025-08-20}}
force: {{name: Durham Constabulary, chief_officer: Chief Constable}}
report:
  inspectorate: HMICFRS
  title: "PEEL 2025-27: An inspection of Durham Constabulary"
  kind: peel-2025
  published: 2025-07-15
  grades:
    leadership and force management: good
    investigating crime: adequate
    tackling serious and organised crime: good
status: {{state: draft}}
"""


def _built(root: Path, name: str, text: str) -> dict[str, str]:
    """Write a letter into the copy of the project, build it, and read back each output."""
    data = root / "data" / f"{name}.yaml"
    data.write_text(text, encoding="utf-8")
    built = build_letter(data, root / "out", project=Project(root))
    assert built.warnings == ()
    texts = output_texts(list(built.paths))
    # the HTML page read without its tags has a space where an <em> closes before a comma
    return {form: re.sub(r" ([,.])", r"\1", text) for form, text in texts.items()}


def _says(texts: dict[str, str], *sentences: str) -> None:
    """Assert the DOCX, the PDF and the HTML page each say every sentence."""
    assert sorted(texts) == ["docx", "html", "pdf"]
    for form, text in texts.items():
        for sentence in sentences:
            assert sentence in text, (form, sentence)


def test_a_force_inspection_is_answered_as_one_force_s_report(scratch: Path) -> None:
    texts = _built(scratch, "durham-2025-custody", FORCE_INSPECTION)
    _says(
        texts,
        "I write in response to the force inspection report An inspection of custody services"
        " in Durham Constabulary, which HMICFRS published on 3 March 2025. These are my"
        " comments under section 55 of the Police Act 1996.",
        "The report makes two recommendations, one of which is for chief constables. Below I"
        " set out how Durham Constabulary is responding to the one I answer here.",
        "The report also sets out one area for improvement; the annex lists it with the"
        " force's response.",
        "Recommendation 1 The force should check each detained person's welfare every hour."
        " (For the chief constable.) Response: The custody system now records each hourly"
        " check.",
        "I will continue to hold the Chief Constable to account for this work.",
    )
    for text in texts.values():
        assert "inspection inspection" not in text


def test_an_annual_assessment_says_nothing_of_the_force_it_did_not_assess(
    scratch: Path,
) -> None:
    texts = _built(scratch, "durham-2025-state-of-policing", ANNUAL)
    _says(
        texts,
        "I write in response to State of Policing: The Annual Assessment of Policing in England"
        " and Wales 2024, HM Chief Inspector of Constabulary's annual assessment of policing in"
        " England and Wales, which HMICFRS published on 10 June 2025. These are my comments"
        " under section 55 of the Police Act 1996.",
        "The assessment makes five recommendations, two of which are for chief constables."
        " Below I set out my response to the one I answer here.",
        "Recommendation 1 The Home Office should review how forces are funded. (For the Home"
        " Office.) Response: I support a review and have written to the Policing Minister.",
        "I will continue to hold the Chief Constable to account for the force's part in the"
        " recommendations for chief constables.",
    )
    for text in texts.values():  # the force neither assessed nor responding to the Home Office
        assert "Durham Constabulary is responding" not in text
        assert "assessment of Durham Constabulary" not in text


def test_an_annual_assessment_with_nothing_for_chief_constables_has_no_closing(
    scratch: Path,
) -> None:
    letter = ANNUAL.replace(", for_chief_constables: 2", "")
    texts = _built(scratch, "durham-2025-state-of-policing", letter)
    _says(texts, "The assessment makes five recommendations. Below I set out my response")
    for text in texts.values():
        assert "to account" not in text


def test_a_joint_inspection_names_each_of_its_inspectorates(scratch: Path) -> None:
    texts = _built(scratch, "durham-2025-jtai", JOINT)
    _says(
        texts,
        "I write in response to the joint report A joint targeted area inspection of the"
        " multi-agency response to children, which HMICFRS published on 20 March 2025, from the"
        " inspection by HMICFRS, HM Inspectorate of Probation, the Care Quality Commission and"
        " Ofsted. These are my comments under section 55 of the Police Act 1996.",
    )
    html = (scratch / "out" / "durham-2025-jtai.html").read_text(encoding="utf-8")
    assert (
        '<meta name="keywords" content="HMICFRS, HM Inspectorate of Probation, the Care Quality'
        ' Commission, Ofsted, joint inspection, Durham Constabulary, section 55">'
    ) in html


def test_a_peel_2025_27_letter_grades_in_the_new_framework_s_order(scratch: Path) -> None:
    texts = _built(scratch, "durham-2025-peel", PEEL_2025)
    _says(
        texts,
        "which sets out the inspectorate's PEEL 2025-27 assessment of Durham Constabulary.",
        # leadership first, as the 2025-27 framework puts it; serious and organised crime
        # under the name the letter gives it
        "The grades the inspectors gave Durham Constabulary include 'good' at leadership and"
        " force management, and tackling serious and organised crime; and 'adequate' at"
        " investigating crime.",
    )


def test_the_new_kinds_check_clean(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in (
        ("a", FORCE_INSPECTION), ("b", ANNUAL), ("c", JOINT), ("d", PEEL_2025),
    ):  # fmt: skip
        (scratch / "data" / f"{name}.yaml").write_text(text, encoding="utf-8")
    status, out, err = run_in(
        scratch, monkeypatch, "check", "data/a.yaml", "data/b.yaml", "data/c.yaml", "data/d.yaml"
    )
    assert (status, err) == (0, "")
    assert [line for line in out.splitlines() if ": ok:" in line] == [
        "data/a.yaml: ok: 0 errors, 0 warnings, 1 note",
        "data/b.yaml: ok: 0 errors, 0 warnings, 1 note",
        "data/c.yaml: ok: 0 errors, 0 warnings, 1 note",
        "data/d.yaml: ok: 0 errors, 0 warnings, 1 note",
    ]


# Welsh names -------------------------------------------------------------------------------

FRAMEWORKS = yaml.safe_load(
    (ROOT / "data" / "reference" / "frameworks.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("kind", sorted(FRAMEWORKS))
def test_every_framework_names_each_area_grade_and_other_name_in_welsh(kind: str) -> None:
    entry = FRAMEWORKS[kind]
    welsh = entry.get("cy")
    assert welsh is not None, f"{kind} has no Welsh names"
    assert welsh["name"].strip()
    assert sorted(welsh["grades"]) == sorted(entry["grades"])
    assert sorted(welsh["areas"]) == sorted(entry["areas"])
    # another name of an area prints as the area's Welsh name: its area must have one
    for area, others in entry.get("other_names", {}).items():
        assert area in welsh["areas"], (area, others)
    for name in [*welsh["grades"].values(), *welsh["areas"].values()]:
        assert name.strip() and name not in entry["areas"] and name not in entry["grades"]


def test_a_welsh_letter_of_peel_2021_22_builds_with_welsh_grades_and_areas(
    scratch: Path,
) -> None:
    """Before, a PEEL 2021/22 letter in Welsh was refused: the framework had no Welsh names."""
    data = scratch / "data" / "examples" / "dyfed-powys-2025-peel-bilingual.yaml"
    text = data.read_text(encoding="utf-8")
    grades = re.search(r"  grades:\n(?:    .*\n)+", text)
    assert grades is not None
    text = text.replace(grades.group(0), (
        "  grades:\n    treatment of the public: good\n    good use of resources: adequate\n"
        "    disrupting serious organised crime: adequate\n"
    ))  # fmt: skip
    for old, new in (
        ("kind: peel-2023", "kind: peel-2021"),
        ("area: investigating crime", "area: treatment of the public"),
        ("published: 2025-01-28", "published: 2022-11-01"),
        ("date: 2025-03-10", "date: 2022-12-01"),
        ("name: Yvette Cooper", "name: Suella Braverman"),
    ):
        assert old in text
        text = text.replace(old, new)
    data.write_text(text, encoding="utf-8")
    built = build_letter(data, scratch / "out", project=Project(scratch))
    welsh = " ".join(p.extract_text() or "" for p in pypdf.PdfReader(
        str(scratch / "out" / "dyfed-powys-2025-peel-bilingual.cy.pdf")).pages)  # fmt: skip
    assert built.warnings == ()
    assert (
        "da o ran trin y cyhoedd; digonol o ran tarfu ar droseddau difrifol a chyfundrefnol a"
        " defnyddio adnoddau'n dda"
    ) in " ".join(welsh.split())


def test_a_welsh_name_left_out_is_refused_by_name(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frameworks = scratch / "data" / "reference" / "frameworks.yaml"
    edit_yaml(frameworks, "      good use of resources: defnyddio adnoddau'n dda\n", "")
    status, out, err = run_in(
        scratch, monkeypatch, "check", "data/examples/dyfed-powys-2025-peel-bilingual.yaml"
    )
    assert (status, out) == (
        1,
        "data/examples/dyfed-powys-2025-peel-bilingual.yaml: fails: 1 error\n",
    )
    assert "Traceback" not in err
    assert (
        "data/reference/frameworks.yaml:" in err
        and "peel-2021.cy.areas: no Welsh name for the area 'good use of resources'; add"
        " `good use of resources: ...` under cy.areas"
        in err
    )


# The footer of a letter in two languages ----------------------------------------------------

BILINGUAL = "dyfed-powys-2025-peel-bilingual"
#: The office's name and address in each language (its office file's cy: gives both).
WELSH = (
    "Swyddfa Comisiynydd Heddlu a Throseddu Dyfed-Powys, Blwch Postio 99, Llangynnwr, Caerfyrddin"
)
ENGLISH = (
    "Office of the Police and Crime Commissioner for Dyfed-Powys, PO Box 99, Llangunnor, Carmarthen"
)
WELSH_FOOTER = f"{WELSH}, SA31\u00a02PF"
ENGLISH_FOOTER = f"{ENGLISH}, SA31\u00a02PF"


@pytest.mark.parametrize("order", ["[cy, en]", "[en, cy]"])
def test_the_public_copy_names_the_office_in_each_language_of_the_letter(
    scratch: Path, order: str
) -> None:
    data = scratch / "data" / "examples" / f"{BILINGUAL}.yaml"
    edit_yaml(data, "languages: [cy, en]", f"languages: {order}")
    build_letter(data, scratch / "out", project=Project(scratch))
    out = scratch / "out"
    # the names and addresses in the letter's order, the postcode they share once
    both = (
        f"{WELSH} / {ENGLISH}" if order == "[cy, en]" else f"{ENGLISH} / {WELSH}"
    ) + ", SA31\u00a02PF"
    # the HTML page (the public copy) holds both languages: its footer names both
    html = (out / f"{BILINGUAL}.html").read_text(encoding="utf-8")
    footer = re.search(r"<footer><p>(.*)</p></footer>", html)
    assert footer is not None and footer.group(1) == both
    # each public PDF is in one language, its footer in that language on every page (its
    # lines joined as a reader copies them: the footer may take two)
    for language, expected, label in (
        ("cy", WELSH_FOOTER, "Tudalen"),
        ("en", ENGLISH_FOOTER, "Page"),
    ):
        pages = pypdf.PdfReader(str(out / f"{BILINGUAL}.{language}.public.pdf")).pages
        for page in pages:
            text = re.sub(r"[ \n]+", " ", page.extract_text() or "")
            assert f"{expected} {label} " in text, text[-200:]
    # the DOCX sent holds both too
    document = __import__("docx").Document(str(out / f"{BILINGUAL}.docx"))
    assert document.sections[0].footer.paragraphs[0].text.split("\t")[0] == both
    assert docx_lines(out / f"{BILINGUAL}.docx")


def test_an_annual_assessment_statement_speaks_of_its_commissioner(scratch: Path) -> None:
    statement = ANNUAL.replace(RECIPIENT, "layout: statement\nvoice: third")
    texts = _built(scratch, "durham-2025-state-of-policing", statement)
    _says(
        texts,
        "Joy Allen, Police, Crime and Victims' Commissioner for County Durham and Darlington,"
        " responds here to State of Policing: The Annual Assessment of Policing in England and"
        " Wales 2024, HM Chief Inspector of Constabulary's annual assessment of policing in"
        " England and Wales, which HMICFRS published on 10 June 2025, with comments under section"
        " 55 of the Police Act 1996.",
        "The assessment makes five recommendations, two of which are for chief constables."
        " Set out below is the response to the one answered here.",
        "Joy Allen will continue to hold the Chief Constable to account for the force's part in"
        " the recommendations for chief constables.",
    )
    for text in texts.values():
        assert "I write" not in text and "I will" not in text and "I set out" not in text


def test_a_post_inspection_review_names_the_report_it_follows_up(scratch: Path) -> None:
    review = FORCE_INSPECTION.replace(
        "  published: 2025-03-03\n",
        "  published: 2025-03-03\n"
        "  revisit_of:\n"
        "    title: An inspection of custody services in Durham\n"
        "    published: 2023-05-02\n",
    )
    texts = _built(scratch, "durham-2025-custody", review)
    _says(
        texts,
        "The report follows up the inspectorate's earlier report An inspection of custody services"
        " in Durham, published on 2 May 2023.",
    )


def test_a_state_of_policing_statement_prints_its_quotes(scratch: Path) -> None:
    statement = ANNUAL.replace(RECIPIENT, "layout: statement\nvoice: third") + (
        "quotes:\n"
        "  - name: Joy Allen\n"
        "    title: Police, Crime and Victims' Commissioner\n"
        "    text: The assessment's call for reform deserves a full answer.\n"
    )
    texts = _built(scratch, "durham-2025-state-of-policing", statement)
    _says(
        texts,
        "Joy Allen, Police, Crime and Victims' Commissioner, said: “The assessment's call for"
        " reform deserves a full answer.”",
    )


def test_a_quote_a_template_cannot_print_is_a_warning(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = scratch / "templates/letters/annual-assessment.md.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace('{% include "common/quotes.md.j2" %}\n', ""),
        encoding="utf-8",
    )
    statement = ANNUAL.replace(RECIPIENT, "layout: statement") + (
        "quotes:\n  - {name: Joy Allen, title: Commissioner, text: A full answer is due.}\n"
    )
    data = scratch / "data" / "durham-2025-state-of-policing.yaml"
    data.write_text(statement, encoding="utf-8")
    monkeypatch.chdir(scratch)
    result = cli("check", "data/durham-2025-state-of-policing.yaml")
    assert (
        f"data/durham-2025-state-of-policing.yaml:{position(data, '{name: Joy')}: warning: "
        "quotes[0]: the quotation from Joy Allen will not print: the template "
        "(annual-assessment) has no place for it"
    ) in result.output


def test_a_report_titled_report_is_not_called_a_report_twice(scratch: Path) -> None:
    titled = FORCE_INSPECTION.replace(
        "title: An inspection of custody services in Durham Constabulary",
        "title: Report on an unannounced inspection visit to police custody suites in Durham",
    )
    texts = _built(scratch, "durham-2025-custody", titled)
    _says(
        texts,
        "I write in response to Report on an unannounced inspection visit to police custody"
        " suites in Durham, which HMICFRS published on 3 March 2025.",
    )
    spotlight = FORCE_INSPECTION.replace(
        "title: An inspection of custody services in Durham Constabulary",
        "title: 'PEEL spotlight report: The Hard Yards'",
    )
    texts = _built(scratch, "durham-2025-custody", spotlight)
    _says(
        texts,
        "I write in response to PEEL spotlight report: The Hard Yards, which HMICFRS published",
    )


def test_areas_for_improvement_alone_are_not_also_set_out(scratch: Path) -> None:
    start = FORCE_INSPECTION.index("    - kind: recommendation")
    end = FORCE_INSPECTION.index("    - kind: area for improvement")
    alone = (FORCE_INSPECTION[:start] + FORCE_INSPECTION[end:]).replace(
        "counts: {recommendations: 2}", "counts: {recommendations: 0}"
    )
    texts = _built(scratch, "durham-2025-custody", alone)
    _says(
        texts,
        "The report sets out one area for improvement; the annex lists it with the force's"
        " response.",
    )


def test_a_review_listing_earlier_recommendations_claims_no_response(scratch: Path) -> None:
    background = FORCE_INSPECTION.replace(
        "counts: {recommendations: 2}", "counts: {recommendations: 0}"
    ).replace(
        "      response: The custody system now records each hourly check.\n",
        "      from_report: the 2022 custody inspection\n",
    )
    texts = _built(scratch, "durham-2025-custody", background)
    for form, text in texts.items():
        assert "responding" not in text, form
        assert "(Made in" not in text, form  # said once, in the list's heading
    # listed in brief, under whose they are: no heading and no "Made in" for each
    for form, text in texts.items():
        listed = text.replace("custody inspection - 1:", "custody inspection 1:")  # DOCX bullet
        assert (
            "Recommendations of the 2022 custody inspection 1: The force should check each"
            " detained person's welfare every hour."
        ) in listed, form


def test_a_review_answering_nothing_promises_no_scrutiny_of_it(scratch: Path) -> None:
    start = FORCE_INSPECTION.index("    - kind: area for improvement")
    end = FORCE_INSPECTION.index("status:")
    background = (
        (FORCE_INSPECTION[:start] + FORCE_INSPECTION[end:])
        .replace("counts: {recommendations: 2}", "counts: {recommendations: 0}")
        .replace(
            "      response: The custody system now records each hourly check.\n",
            "      from_report: the 2022 custody inspection\n",
        )
    )
    texts = _built(scratch, "durham-2025-custody", background)
    for form, text in texts.items():
        assert "to account for this work" not in text, form
