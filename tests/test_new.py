"""`letters new`: a skeleton of a report kind's letter, or a copy of a previous letter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import position
from letters.cli import main

EXAMPLE = "data/examples/durham-2023-peel.yaml"


def _run(scratch: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_skeleton_fails_check_once_for_each_blank(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = _run(
        scratch, monkeypatch, "new", "kent-2025", "--kind", "peel-2023", "--office",
        "offices/durham-pcvc.yaml",
    )  # fmt: skip
    assert status == 0 and out.startswith("wrote data/kent-2025.yaml")
    text = (scratch / "data" / "kent-2025.yaml").read_text(encoding="utf-8")
    blanks = sum(': ""' in line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert '  grades:\n    recording data about crime: ""\n' in text
    status, out, err = _run(scratch, monkeypatch, "check", "data/kent-2025.yaml")
    assert status == 1
    assert out == f"data/kent-2025.yaml: fails: {blanks} errors\n"
    assert len(err.splitlines()) == blanks == 16


def test_a_letter_started_from_another_keeps_its_people_not_its_report(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, _ = _run(scratch, monkeypatch, "new", "durham-2025", "--from", EXAMPLE)
    assert status == 0
    new = yaml.safe_load((scratch / "data" / "durham-2025.yaml").read_text(encoding="utf-8"))
    old = yaml.safe_load((scratch / EXAMPLE).read_text(encoding="utf-8"))
    assert new["office"] == "offices/durham-pcvc.yaml"  # the same file, seen from data/
    assert new["recipient"] == old["recipient"] and new["force"] == old["force"]
    assert new["paragraphs"] == old["paragraphs"]
    assert new["status"] == {"state": "draft"}
    assert new["report"] == {
        "inspectorate": "HMICFRS", "title": "", "kind": "peel-2023", "published": "",
        "findings": [],
    }  # fmt: skip
    assert new["letter"] == {"date": ""}
    assert "notes" not in new and "chief_officer_comments" not in new
    status, out, _ = _run(scratch, monkeypatch, "check", "data/durham-2025.yaml")
    assert status == 1 and out == "data/durham-2025.yaml: fails: 3 errors\n"


def test_new_never_replaces_a_file(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = (scratch / "data" / "lancashire-2020-peel.yaml").read_bytes()
    status, _, err = _run(scratch, monkeypatch, "new", "lancashire-2020-peel", "--from", EXAMPLE)
    assert status == 1
    assert err == (
        "data/lancashire-2020-peel.yaml: a file of this name exists; choose another name\n"
    )
    assert (scratch / "data" / "lancashire-2020-peel.yaml").read_bytes() == before


def test_an_unknown_kind_lists_the_kinds(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    status, _, err = _run(
        scratch, monkeypatch, "new", "x", "--kind", "peel2023", "--office", "offices/x.yaml"
    )
    assert status == 2
    assert (
        "Invalid value for --kind: choose one of annual-assessment, force-inspection,"
        " hmic-thematic, integrated-peel-2018, joint, peel-2014, peel-2021, peel-2023, peel-2025,"
        " spotlight, thematic (did you mean 'peel-2023'?)"
    ) in " ".join(err.split())


PEEL_FINDINGS = """\
  # The report's findings: every one listed here is printed in the letter. For each,
  # copy the sample below, take the '# ' off the start of its lines, fill it in, and
  # delete the [] after `findings:`. Its kind is area for improvement, cause of concern,
  # recommendation, promising practice or innovative practice; a field the report does
  # not give may stay blank.
  findings: []
  # - kind: area for improvement
  #   number: ""              # the report's own number for it, if it numbers them
  #   text: ""                # the finding, in the report's words (never blank)
  #   area: ""                # the area it falls under, as graded above
  #   addressed_to: ""        # a recommendation's: whom the report addresses it to
  #   cause: ""               # a recommendation's: the number of the cause of concern
  #   response: ""            # the office's response (every recommendation needs one)
  #   action: ""              # what is planned, by whom and when
"""


def _uncommented(text: str) -> str:
    """Take the sample finding out of its comments, as the skeleton tells its reader to."""
    text = text.replace("  findings: []\n", "  findings:\n")
    return "\n".join(
        line.replace("  # ", "  ", 1) if line.startswith(("  # - ", "  #   ")) else line
        for line in text.splitlines()
    )


def test_a_skeleton_shows_a_sample_finding_in_comments_and_claims_none(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, _ = _run(
        scratch, monkeypatch, "new", "kent-2025", "--kind", "peel-2023", "--office",
        "offices/durham-pcvc.yaml",
    )  # fmt: skip
    assert status == 0
    path = scratch / "data" / "kent-2025.yaml"
    text = path.read_text(encoding="utf-8")
    assert PEEL_FINDINGS + "\nparagraphs:\n" in text
    assert yaml.safe_load(text)["report"]["findings"] == []
    # Taken out of its comments with its text still blank, the sample is a finding of the
    # model's own fields: one more error, for the text, and none for a field it does not know.
    path.write_text(_uncommented(text), encoding="utf-8")
    status, out, err = _run(scratch, monkeypatch, "check", "data/kent-2025.yaml")
    assert out == "data/kent-2025.yaml: fails: 17 errors\n"
    where = position(path, '""', after="    text: ")
    assert f"data/kent-2025.yaml:{where}: report.findings[0].text: must not be empty\n" in err


def test_a_thematic_skeleton_samples_a_recommendation_under_a_theme(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(
        scratch, monkeypatch, "new", "kent-2025", "--kind", "thematic", "--office",
        "data/offices/durham-pcvc.yaml",
    )  # fmt: skip
    path = scratch / "data" / "kent-2025.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'office: "offices/durham-pcvc.yaml"\n' in text  # given from the project's folder
    assert "  findings: []\n  # - kind: recommendation\n" in text
    assert (
        '  #   theme: ""               # a heading to group it under, if the report has them\n'
        in (text)
    )
    assert "  #   area:" not in text
    path.write_text(_uncommented(text).replace('text: ""', "text: Improve.", 1), encoding="utf-8")
    status, out, _ = _run(scratch, monkeypatch, "check", "data/kent-2025.yaml")
    assert status == 1 and out == "data/kent-2025.yaml: fails: 5 errors\n"


NO_OFFICE = (
    "data/offices/kent-pcc.yaml: no such office file; to make it, run the command again at a "
    "terminal, without --no-input, and answer its questions (the office's name, address, "
    "telephone, email and who signs), or copy data/offices/lancashire-pcc.yaml to it and "
    "change its details\n"
)


def _files(scratch: Path) -> set[str]:
    """Name every file under the project's data/, hidden ones (a write's staged files) too."""
    return {p.relative_to(scratch).as_posix() for p in (scratch / "data").rglob("*")}


@pytest.mark.parametrize("no_input", [False, True])
def test_an_office_with_no_file_is_refused_with_how_to_make_one_where_none_can_answer(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, no_input: bool
) -> None:
    before = _files(scratch)
    if no_input:  # at a terminal, but told to ask nothing
        monkeypatch.setattr("letters.cli._at_terminal", lambda: True)
    status, out, err = _run(
        scratch, monkeypatch, "new", "kent-2025", "--kind", "peel-2023", "--office",
        "offices/kent-pcc.yaml", *(["--no-input"] if no_input else []),
    )  # fmt: skip
    assert (status, out, err) == (1, "", NO_OFFICE)
    assert _files(scratch) == before


#: Answers to the office's questions, each line one answer (the address's lines end at an
#: empty one; an empty answer takes the answer offered).
ANSWERS = [
    "Office of the Police and Crime Commissioner for Kent",
    "Kent",
    "Sutton Road",
    "Maidstone",
    "",  # no postcode yet: asked for another line
    "ME15 9BZ",
    "",
    "01622 67",  # too few digits
    "01622 677055",
    "kent.pcc.example.gov.uk",  # no @
    "contactyourpcc@example.gov.uk",
    "Matthew Scott",
    "Police and Crime Commissioner for Kent",
    "",  # whom to ask for: the signatory, as offered
    "",  # the wordmark: Kent
    "",  # and Police and Crime Commissioner
]


def test_an_office_with_no_file_is_made_from_questions_at_a_terminal(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("letters.cli._at_terminal", lambda: True)
    monkeypatch.chdir(scratch)
    before = _files(scratch)
    result = CliRunner().invoke(
        main,
        ["new", "kent-2025", "--kind", "peel-2023", "--office", "offices/kent-pcc.yaml"],
        input="\n".join(["y", *ANSWERS]) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "data/offices/kent-pcc.yaml does not exist; make it now? [Y/n]: " in result.stdout
    assert (
        "Error: an address needs at least two lines (a street or building, and the postcode)"
        not in result.output
    )
    assert (
        "Error: no line ends with a UK postcode (for example PR1 0LD or Preston PR1 0LD); add "
        "the line with the postcode\n"
    ) in result.output
    assert (
        "Error: '01622 67' is not a telephone number; write its digits (11 for most UK "
        "numbers), spaced as you like: 01632 960123\n"
    ) in result.output
    assert (
        "Error: 'kent.pcc.example.gov.uk' is not an email address; write it as "
        "name@example.gov.uk\n"
    ) in result.output
    assert "Whom a reader asks for [Matthew Scott]: " in result.stdout
    assert result.stdout.endswith(
        "wrote data/kent-2025.yaml; fill in each blank, then: letters check data/kent-2025.yaml\n"
    )
    assert _files(scratch) == before | {"data/offices/kent-pcc.yaml", "data/kent-2025.yaml"}
    office = scratch / "data" / "offices" / "kent-pcc.yaml"
    assert yaml.safe_load(office.read_text(encoding="utf-8")) == {
        "name": "Office of the Police and Crime Commissioner for Kent",
        "area": "Kent",
        "address": ["Sutton Road", "Maidstone", "ME15 9BZ"],
        "contact": {
            "telephone": "01622 677055",
            "email": "contactyourpcc@example.gov.uk",
            "please_ask_for": "Matthew Scott",
        },
        "signatory": {"name": "Matthew Scott", "title": "Police and Crime Commissioner for Kent"},
        "letterhead": {"title": "Kent", "subtitle": "Police and Crime Commissioner"},
    }
    assert office.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../office.schema.json\n"
    )
    assert 'office: "offices/kent-pcc.yaml"\n' in (scratch / "data" / "kent-2025.yaml").read_text(
        encoding="utf-8"
    )
    status, out, err = _run(scratch, monkeypatch, "check", "data/kent-2025.yaml")
    assert out == "data/kent-2025.yaml: fails: 16 errors\n"  # the blanks; the office checks
    assert "offices/kent-pcc.yaml" not in err


def _at_terminal(scratch: Path, monkeypatch: pytest.MonkeyPatch, answers: str, *args: str) -> Any:
    """Run `letters new` as at a terminal, typing `answers` to its questions."""
    monkeypatch.setattr("letters.cli._at_terminal", lambda: True)
    monkeypatch.chdir(scratch)
    return CliRunner().invoke(main, ["new", *args], input=answers)


#: A letter naming an office that has no file yet.
KENT = ("kent-2025", "--kind", "peel-2023", "--office", "offices/kent-pcc.yaml")


@pytest.mark.parametrize("answered", [0, 5, len(ANSWERS) - 1])
def test_questions_left_unanswered_write_nothing(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, answered: int
) -> None:
    before = _files(scratch)
    typed = "".join(f"{answer}\n" for answer in ["y", *ANSWERS[:answered]])
    # the input ends, as Ctrl-D ends it (Ctrl-C is read the same: click's Abort)
    result = _at_terminal(scratch, monkeypatch, typed, *KENT)
    assert result.exit_code == 1 and result.stderr.endswith("Aborted!\n")
    assert _files(scratch) == before  # no office, no letter, nothing staged


def test_declining_to_make_the_office_refuses(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _files(scratch)
    result = _at_terminal(scratch, monkeypatch, "n\n", *KENT)
    assert result.exit_code == 1 and result.stderr == NO_OFFICE
    assert _files(scratch) == before


def test_an_office_file_alone_is_made_and_never_replaced(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _files(scratch)
    typed = "\n".join(ANSWERS) + "\n"
    result = _at_terminal(scratch, monkeypatch, typed, "--office", "data/offices/kent-pcc.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "wrote data/offices/kent-pcc.yaml; a letter names it as office: offices/kent-pcc.yaml\n"
    )
    assert _files(scratch) == before | {"data/offices/kent-pcc.yaml"}
    made = (scratch / "data" / "offices" / "kent-pcc.yaml").read_bytes()
    result = _at_terminal(scratch, monkeypatch, typed, "--office", "offices/kent-pcc.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "data/offices/kent-pcc.yaml: a file of this name exists; choose another name\n"
    )
    assert (scratch / "data" / "offices" / "kent-pcc.yaml").read_bytes() == made
