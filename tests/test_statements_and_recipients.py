"""Statements in the third person with quotations, several signatories and several recipients.

Issue 28: most offices publish a statement that names and quotes the Commissioner; some
letters go to two people at once; offices greet by title or by surname as their house style.
Each test builds a changed copy of an example and reads the lines back from the DOCX, the
PDF and the HTML page.
"""

from __future__ import annotations

import html
from pathlib import Path

import docx
import pytest

from conftest import docx_lines, edit_yaml, output_texts, position, run_in
from letters.build.build import build_letter
from letters.build.project import Project

STAFFORDSHIRE = "data/examples/staffordshire-2022-peel.yaml"
WARWICKSHIRE = "data/examples/warwickshire-2022-peel.yaml"
WEST_MERCIA = "data/examples/west-mercia-2023-youth-violence.yaml"
DYFED_POWYS = "data/examples/dyfed-powys-2025-peel-bilingual.yaml"

TWO_SIGNING_AND_QUOTED = """\
layout: statement
voice: third
signatories:
  - name: Ben Adams
    title: Staffordshire Commissioner for Police, Fire & Rescue and Crime
  - name: Jane Deputy
    title: Deputy Commissioner
quotes:
  - name: Ben Adams
    title: Staffordshire Commissioner
    text: This report is a disappointment, and the force knows it must improve.
  - name: Jane Deputy
    title: Deputy Commissioner
    text: We will check every month that the plan is working.
"""


def _office_greets(root: Path, form: str) -> None:
    """Set the Warwickshire office's salutation form ('' for none)."""
    edit_yaml(root / "data/offices/warwickshire-pcc.yaml", "salutation: name\n", form)


def _build(root: Path, data: Path) -> tuple[list[str], dict[str, str]]:
    """Build a letter in every format; return its DOCX lines and each output's text."""
    result = build_letter(data, root / "build", project=Project(root))
    docx = next(p for p in result.paths if p.suffix == ".docx")
    return docx_lines(docx), output_texts(list(result.paths))


def _in_every_output(texts: dict[str, str], line: str) -> None:
    for name, text in texts.items():
        if name == "html":  # tags around italics leave a space before the comma after them
            text, line = html.unescape(text).replace(" ,", ","), line.replace(" ,", ",")
        assert line in text, f"{name} lacks {line!r}"


def test_a_statement_in_the_third_person_names_and_quotes_its_commissioners(
    scratch: Path,
) -> None:
    data = scratch / STAFFORDSHIRE
    edit_yaml(data, "layout: statement\n", TWO_SIGNING_AND_QUOTED)
    lines, texts = _build(scratch, data)
    expected = [
        "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime, responds here"
        " to the HMICFRS report PEEL 2021/22: An inspection of Staffordshire Police, published on"
        " 22 September 2022, which sets out the inspectorate's PEEL 2021/22 assessment of"
        " Staffordshire Police, with comments under section 55 of the Police Act 1996.",
        "Ben Adams, Staffordshire Commissioner, said: “This report is a disappointment, and the"
        " force knows it must improve.”",
        "Jane Deputy, Deputy Commissioner, said: “We will check every month that the plan is"
        " working.”",
        "The inspectors raised two causes of concern. The response to each of their"
        " recommendations is set out below.",
        "Ben Adams will continue to hold the Chief Constable to account for the force's progress"
        " on these findings.",
    ]
    for line in expected:
        assert line in lines
        _in_every_output(texts, line)
    assert not any(line.startswith("I write") or line.startswith("I will") for line in lines)
    # the byline: each signatory a line of their own, then the date
    end = lines.index("Comments of the Chief Constable of Staffordshire Police")
    assert lines[end - 3 : end] == [
        "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime",
        "Jane Deputy, Deputy Commissioner",
        "22 September 2022",
    ]
    _in_every_output(
        texts,
        "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime Jane Deputy,"
        " Deputy Commissioner 22 September 2022",
    )


def test_a_statement_with_one_signatory_keeps_its_byline(scratch: Path) -> None:
    lines, _ = _build(scratch, scratch / STAFFORDSHIRE)
    end = lines.index("Comments of the Chief Constable of Staffordshire Police")
    assert lines[end - 1] == (
        "Ben Adams, Staffordshire Commissioner for Police, Fire & Rescue and Crime,"
        " 22 September 2022"
    )
    assert (
        "I will continue to hold the Chief Constable to account for the force's progress on"
        " these findings."
    ) in lines


def test_a_thematic_statement_in_the_third_person(scratch: Path) -> None:
    data = scratch / WEST_MERCIA
    text = data.read_text(encoding="utf-8")
    start, end = text.index("\nrecipient:\n"), text.index("\nletter:\n")
    data.write_text(text[:start] + "\nlayout: statement\nvoice: third\n" + text[end:])
    lines, texts = _build(scratch, data)
    for line in (
        "John Campion, Police and Crime Commissioner for West Mercia, responds here to the"
        " national thematic report An inspection of how well the police tackle serious youth"
        " violence, which HMICFRS published on 8 March 2023, with comments under section 55 of the"
        " Police Act 1996.",
        "John Campion will continue to hold the Chief Constable to account for this work.",
    ):
        assert line in lines
        _in_every_output(texts, line)
    summary = next(line for line in lines if line.startswith("The report makes"))
    assert summary.endswith("Set out below is how West Mercia Police is responding.")


def test_a_welsh_statement_in_the_third_person(scratch: Path) -> None:
    data = scratch / DYFED_POWYS
    text = data.read_text(encoding="utf-8")
    start, end = text.index("\nrecipient:\n"), text.index("\nletter:\n")
    data.write_text(text[:start] + "\nlayout: statement\nvoice: third\n" + text[end:])
    lines, _ = _build(scratch, data)
    opening = next(line for line in lines if line.startswith("Mae Dafydd Llywelyn"))
    assert opening.startswith(
        "Mae Dafydd Llywelyn, Comisiynydd Heddlu a Throseddu Dyfed-Powys, yn ymateb yma i"
        " adroddiad HMICFRS"
    )
    assert opening.endswith("Dyma sylwadau Dafydd Llywelyn o dan adran 55 o Ddeddf yr Heddlu 1996.")
    assert any(line.startswith("Bydd Dafydd Llywelyn yn parhau i ddwyn y") for line in lines)
    assert not any(line.startswith(("Ysgrifennaf", "Byddaf")) for line in lines)


TWO_RECIPIENTS = """\
recipients:
  - honorific: Rt Hon
    name: Suella Braverman
    post_nominals: KC MP
    title: Home Secretary
    email: [public.enquiries@homeoffice.gov.uk]
  - name: Andy Cooke
    post_nominals: QPM DL
    title: HM Chief Inspector of Constabulary
    email: [hmcic@example.gov.uk]
"""
ONE_RECIPIENT = """\
recipient:
  honorific: Rt Hon
  name: Suella Braverman
  title: Home Secretary
  address: [Home Office, 2 Marsham Street, London, SW1P 4DF]
"""


def test_a_letter_to_two_recipients_lists_both_and_greets_both(scratch: Path) -> None:
    _office_greets(scratch, "salutation: title\n")
    data = scratch / WARWICKSHIRE
    edit_yaml(data, ONE_RECIPIENT, TWO_RECIPIENTS)
    lines, texts = _build(scratch, data)
    assert lines[:6] == [
        "Rt Hon Suella Braverman KC MP",
        "Home Secretary",
        "public.enquiries@homeoffice.gov.uk",
        "Andy Cooke QPM DL",
        "HM Chief Inspector of Constabulary",
        "hmcic@example.gov.uk",
    ]
    assert "Dear Home Secretary and HM Chief Inspector of Constabulary" in lines
    _in_every_output(texts, "Dear Home Secretary and HM Chief Inspector of Constabulary")
    _in_every_output(
        texts,
        "Rt Hon Suella Braverman KC MP Home Secretary public.enquiries@homeoffice.gov.uk"
        " Andy Cooke QPM DL HM Chief Inspector of Constabulary hmcic@example.gov.uk",
    )


@pytest.mark.parametrize(
    ("office_form", "recipient_adds", "greeting"),
    [
        ("", "", "Dear Suella Braverman"),
        ("salutation: name\n", "", "Dear Suella Braverman"),
        ("salutation: title\n", "", "Dear Home Secretary"),
        ("salutation: surname\n", "  courtesy_title: Mrs\n", "Dear Mrs Braverman"),
        ("salutation: title\n", "  salutation: Suella,\n", "Dear Suella,"),
    ],
    ids=["no form", "by name", "by title", "by surname", "own wins"],
)
def test_the_office_sets_how_its_letters_greet(
    scratch: Path, office_form: str, recipient_adds: str, greeting: str
) -> None:
    _office_greets(scratch, office_form)
    data = scratch / WARWICKSHIRE
    edit_yaml(data, "  title: Home Secretary\n", "  title: Home Secretary\n" + recipient_adds)
    lines, texts = _build(scratch, data)
    assert [line for line in lines if line.startswith("Dear ")] == [greeting]
    _in_every_output(texts, greeting)


def test_a_draft_that_would_greet_by_full_name_is_warned(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = scratch / WARWICKSHIRE
    _office_greets(scratch, "")
    status, out, err = run_in(scratch, monkeypatch, "check", WARWICKSHIRE)
    at = position(data, "Suella Braverman", after="name: ")
    assert (
        f"{WARWICKSHIRE}:{at}: warning: recipient.name: the letter greets 'Dear Suella"
        " Braverman' by first name and surname; set the office file's salutation: title ('Dear"
        " Home Secretary'), surname (with the recipient's courtesy_title: 'Dear Mr ...') or name"
        " (to keep this), or give the recipient a salutation"
    ) in out + err
    # an office that says it greets by name is not asked again
    edit_yaml(
        scratch / "data/offices/warwickshire-pcc.yaml", "signatory:", "salutation: name\nsignatory:"
    )
    status, out, err = run_in(scratch, monkeypatch, "check", WARWICKSHIRE)
    assert "first name and surname" not in out + err
    assert status == 0


@pytest.mark.parametrize(
    ("path", "old", "new", "find", "after", "message"),
    [
        (
            WARWICKSHIRE,
            "\nletter:\n",
            "\nvoice: third\n\nletter:\n",
            "third",
            "voice: ",
            "voice: voice: third is for a statement (set layout: statement); a letter is signed"
            " in the first person",
        ),
        (
            WARWICKSHIRE,
            "\nletter:\n",
            "\nquotes:\n  - {name: A B, title: C, text: D}\n\nletter:\n",
            "- {name",
            "",
            "quotes: quotes are printed in a statement (set layout: statement); a letter speaks"
            " in its signatory's own words",
        ),
        (
            WARWICKSHIRE,
            ONE_RECIPIENT,
            ONE_RECIPIENT + TWO_RECIPIENTS,
            "- honorific",
            "",
            "recipients: give recipient: (one) or recipients: (several), not both",
        ),
        (
            WARWICKSHIRE,
            ONE_RECIPIENT,
            "recipients:\n  - {name: Suella Braverman, title: Home Secretary, email: [a@b.uk]}\n",
            "- {name",
            "",
            "recipients: recipients: lists several; write a single one under recipient:",
        ),
        (
            STAFFORDSHIRE,
            "layout: statement\n",
            "layout: statement\nquotes:\n  - {name: A One, title: T, text: X}\n"
            "  - {name: B Two, title: T, text: X}\n  - {name: C Three, title: T, text: X}\n",
            "C Three",
            "",
            "quotes[2].name: a statement quotes at most two speakers; this is a third, C Three",
        ),
    ],
    ids=["third person letter", "quotes in a letter", "both", "one listed", "three speakers"],
)
def test_what_the_form_does_not_allow_is_an_error_at_its_line(
    scratch: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    old: str,
    new: str,
    find: str,
    after: str,
    message: str,
) -> None:
    data = scratch / path
    edit_yaml(data, old, new)
    status, out, err = run_in(scratch, monkeypatch, "check", path)
    assert status == 1
    assert f"{path}:{position(data, find, after=after)}: {message}" in err


def test_greeting_by_surname_needs_a_courtesy_title(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _office_greets(scratch, "salutation: surname\n")
    data = scratch / WARWICKSHIRE
    status, out, err = run_in(scratch, monkeypatch, "check", WARWICKSHIRE)
    assert status == 1
    assert (
        f"{WARWICKSHIRE}:{position(data, 'honorific')}: recipient: the office file greets by"
        " surname (salutation: surname): give Suella Braverman's courtesy_title (Mr, Mrs, Ms,"
        " Dr) or a salutation"
    ) in err


def test_each_recipients_address_is_set_apart_and_the_office_may_greet_them_its_way(
    scratch: Path,
) -> None:
    _office_greets(scratch, "salutation: title\n")
    data = scratch / WARWICKSHIRE
    greeting = "salutation: Home Secretary / Chief Inspector\n"
    edit_yaml(data, ONE_RECIPIENT, TWO_RECIPIENTS + greeting)
    lines, texts = _build(scratch, data)
    assert "Dear Home Secretary / Chief Inspector" in lines
    _in_every_output(texts, "Dear Home Secretary / Chief Inspector")
    page = (scratch / "build" / "warwickshire-2022-peel.html").read_text(encoding="utf-8")
    # the second address starts a paragraph's space below the first, in the page and in Word
    assert "<p>hmcic@example.gov.uk</p>" in page
    assert '<p class="apart">Andy Cooke QPM DL</p>' in page
    assert ".recipient p.apart { margin-top: " in page
    document = docx.Document(str(scratch / "build" / "warwickshire-2022-peel.docx"))
    address = document.tables[0].rows[0].cells[0].paragraphs
    spaced = [p.text for p in address if p.paragraph_format.space_before]
    assert spaced == ["Andy Cooke QPM DL"]


def test_a_greeting_for_several_on_a_letter_to_one_is_an_error(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = scratch / WARWICKSHIRE
    edit_yaml(data, ONE_RECIPIENT, ONE_RECIPIENT + "salutation: Inspector / Minister\n")
    status, _, err = run_in(scratch, monkeypatch, "check", WARWICKSHIRE)
    assert status == 1
    assert (
        f"{WARWICKSHIRE}:{position(data, 'Inspector / Minister')}: salutation: salutation: here "
        "greets several recipients together; a single one's goes under recipient: (salutation:)"
    ) in err


def test_a_statements_closing_date_never_breaks_across_lines(scratch: Path) -> None:
    data = scratch / WEST_MERCIA
    text = data.read_text(encoding="utf-8")
    start, end = text.index("\nrecipient:\n"), text.index("\nletter:\n")
    data.write_text(text[:start] + "\nlayout: statement\n" + text[end:], encoding="utf-8")
    build_letter(data, scratch / "build", project=Project(scratch))
    page = (scratch / "build" / "west-mercia-2023-youth-violence.html").read_text("utf-8")
    # the day, month and year joined by no-break spaces, however narrow the line
    assert "West Mercia, 26\u00a0April\u00a02023</p>" in page
