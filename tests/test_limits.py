"""Inputs that used to end in a traceback, values that cannot be true, and the input budget.

Each case is run as a user runs it: a message naming the file (and line), exit status 1,
nothing written; the other letters of a batch are still built.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from conftest import DEFAULT_LETTER, edit_yaml, position

LETTER = f"data/{DEFAULT_LETTER.name}"
DURHAM = "data/examples/durham-2023-peel.yaml"


def _cli(*args: str) -> Result:
    from letters.cli import main

    return CliRunner().invoke(main, list(args))


@pytest.fixture
def project(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(scratch)
    return scratch


def _fails(*args: str) -> str:
    """Build or check, expecting exit 1, no traceback and nothing in out/; return the message."""
    result = _cli(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not Path("out").exists()
    return result.stderr.strip()


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            "published: 2020-02-07",
            "published: 9999-12-31",
            "9999-12-31",
            "report.published: 9999-12-31 is outside the dates a letter can carry (1900 to "
            "2199); check the year",
        ),
        (
            "amount: 86000000",
            "amount: 1e308",
            "1e308",
            "savings.amount: 1e308 is out of range; expected a number less than 1,000,000,000,000",
        ),
        (
            "amount: 86000000",
            "amount: 1e400000",
            "1e400000",
            "savings.amount: 1e400000 is out of range; expected a number less than "
            "1,000,000,000,000",
        ),
        (
            "amount: 86000000",
            "amount: inf",
            "inf",
            "savings.amount: inf is not a number; expected a finite sum",
        ),
        (
            "status:\n",
            f"marking: {'X' * 300}\nstatus:\n",
            "X" * 300,
            "marking: 300 characters; at most 100",
        ),
        (
            "office: offices/lancashire-pcc.yaml",
            'office: "offices/lanc\\0ashire-pcc.yaml"',
            '"offices',
            "office: 'offices/lanc\\x00ashire-pcc.yaml' holds a control character; name the "
            "office's file plainly",
        ),
        (
            "Lancashire Constabulary\n",
            "Lancashire\u202e Constabulary\n",
            "Lancashire\u202e",
            "force.name: contains U+202E, a bidirectional control that reorders the text a "
            "reader sees; delete it (right-to-left text needs none)",
        ),
    ],
    ids=["year 9999", "1e308", "1e400000", "inf", "long marking", "NUL in office", "U+202E"],
)
def test_a_value_out_of_bounds_is_a_message_at_its_line(
    project: Path, old: str, new: str, at: str, message: str
) -> None:
    data = project / LETTER
    edit_yaml(data, old, new)
    assert _fails("build", LETTER, "--out", "out") == f"{LETTER}:{position(data, at)}: {message}"


def test_yaml_nested_ten_thousand_deep_is_a_message(project: Path) -> None:
    Path("data/deep.yaml").write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert _fails("build", "data/deep.yaml", "--out", "out") == (
        "data/deep.yaml: lists and mappings nest more than 20 deep; a letter's data needs far fewer"
    )


def test_a_list_or_a_text_over_the_budget_is_a_message(project: Path) -> None:
    items = "".join(f"  - item {n}\n" for n in range(501))
    Path("data/long.yaml").write_text(f"a:\n{items}b: {'x' * 20_001}\n")
    assert _fails("check", "data/long.yaml").splitlines() == [
        "data/long.yaml:2:3: 501 entries; a list or mapping holds at most 500",
        "data/long.yaml:503:4: 20,001 characters; a value holds at most 20,000",
    ]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_only_a_regular_file_is_read(project: Path, kind: str) -> None:
    path = "data/fifo.yaml" if kind == "fifo" else "/dev/zero"
    if kind == "fifo":
        os.mkfifo(path)
    assert _fails("check", path) == f"{path}: not a regular file; a data file is a YAML file"


def test_an_output_folder_under_a_file_is_a_message(project: Path) -> None:
    Path("afile").write_text("")
    message = _fails("build", LETTER, "--out", "afile/out")
    assert message == (
        f"{LETTER}: error: cannot make the folder {project / 'afile' / 'out'}: Not a directory"
    )


def test_a_letter_before_1980_builds_with_its_true_date(project: Path) -> None:
    data = project / LETTER
    for old, new in [
        ("date: 2020-03-30", "date: 1975-03-30"),
        ("published: 2020-02-07", "published: 1975-02-07"),
        ("approved_on: 2020-03-30", "approved_on: 1975-03-30"),
        ("sent_on: 2020-03-30", "sent_on: 1975-03-30"),
        ("since: 2010", "since: 1965"),
    ]:
        edit_yaml(data, old, new)
    result = _cli("build", LETTER, "--out", "out", "--format", "docx")
    assert result.exit_code == 0, result.output
    path = Path("out") / DEFAULT_LETTER.with_suffix(".docx").name
    assert docx.Document(str(path)).core_properties.created == dt.datetime(
        1975, 3, 30, tzinfo=dt.UTC
    )
    with zipfile.ZipFile(path) as package:
        assert {info.date_time[:3] for info in package.infolist()} == {(1980, 1, 1)}


def test_target_grade_on_a_partly_graded_report_checks_and_builds(project: Path) -> None:
    data = project / DURHAM
    edit_yaml(data, "recording data about crime: good", "recording data about crime: not graded")
    edit_yaml(data, "\nreport:", "\ntarget_grade: outstanding\nreport:")
    assert _cli("check", DURHAM).exit_code == 0
    result = _cli("build", DURHAM, "--out", "out", "--format", "html")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "since: 2010",
            "since: 2030",
            "savings.since",
            "error: savings.since: 2030 is not before the letter's year, 2020, so "
            "{savings.years} would be -10; give the year the savings began",
        ),
        (
            "amount: 86000000",
            "amount: 0.001",
            "savings.amount",
            "error: savings.amount: 0.001 prints as £0.00; give the sum in pounds",
        ),
        (
            "approved_on: 2020-03-30",
            "approved_on: 1999-01-01",
            "status.approved_on",
            "error: status.approved_on: the letter is approved on 1 January 1999, before the "
            "report it answers was published on 7 February 2020",
        ),
        (
            "sent_on: 2020-03-30",
            "sent_on: 2020-03-29",
            "status.sent_on",
            "error: status.sent_on: the letter is sent on 29 March 2020, before it was "
            "approved on 30 March 2020",
        ),
    ],
    ids=["years of cuts not positive", "money rounds to nothing", "approved first", "sent first"],
)
def test_values_that_cannot_be_true_fail_the_check(
    project: Path, old: str, new: str, field: str, message: str
) -> None:
    data = project / LETTER
    edit_yaml(data, old, new)
    result = _cli("check", LETTER)
    assert result.exit_code == 1
    at = position(data, new.split(": ")[1], after=new.split(": ")[0] + ": ")
    assert f"{LETTER}:{at}: {message}" in result.output.splitlines()


def test_approval_after_the_letters_date_is_a_warning(project: Path) -> None:
    data = project / LETTER
    edit_yaml(data, "approved_on: 2020-03-30\n  sent_on: 2020-03-30", "approved_on: 2020-03-31")
    edit_yaml(data, "state: sent", "state: approved")
    result = _cli("check", LETTER)
    assert result.exit_code == 0
    assert (
        f"{LETTER}:{position(data, '2020-03-31')}: warning: status.approved_on: the letter is "
        "approved on 31 March 2020, after the date it bears, 30 March 2020"
    ) in result.output.splitlines()


def test_a_character_no_house_font_has_is_a_warning_and_an_error_when_strict(
    project: Path,
) -> None:
    data = project / LETTER
    edit_yaml(data, "Lancashire Constabulary\n", "Lancashire Constabulary \u0627\u0644\n")
    warned = _cli("build", LETTER, "--out", "out", "--format", "html")
    assert warned.exit_code == 0
    expected = (
        f"{LETTER}: warning: no house font (templates/fonts) has U+0627 ARABIC LETTER ALEF, "
        "U+0644 ARABIC LETTER LAM; the PDF would show a blank box for each: add a font that has "
        "them to the house style, or write the text another way"
    )
    assert expected in warned.stderr.splitlines()
    strict = _cli("build", LETTER, "--out", "out2", "--format", "html", "--strict")
    assert strict.exit_code == 1
    assert not Path("out2").exists()


def test_a_fault_of_letters_itself_is_one_line_and_the_batch_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import letters.build

    real = letters.build.build_letter

    def faulty(path: Path, *args: object, **kwargs: object) -> letters.build.Built:
        if path.name == DEFAULT_LETTER.name:
            raise RuntimeError("boom\nsecond line")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(letters.build, "build_letter", faulty)
    result = _cli("build", LETTER, DURHAM, "--out", "out", "--format", "html")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"internal error while building {LETTER}: RuntimeError: boom second line "
        "(run with --debug for the traceback)",
        "1 of 2 letters failed",
    ]
    assert result.stdout == "wrote out/durham-2023-peel.html\n"


def test_a_link_out_of_templates_is_refused(project: Path) -> None:
    (project / "templates" / "leak.md.j2").symlink_to("/etc/hostname")
    assert _fails("build", LETTER, "--out", "out") == (
        f"{LETTER}: error: templates/leak.md.j2 is a link to /etc/hostname, outside templates/; "
        "copy the file into templates/ instead"
    )


def test_a_template_cannot_include_a_file_through_a_linked_folder(project: Path) -> None:
    (project / "templates" / "etc").symlink_to("/etc")
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(template, '{% include "common/front.md.j2" %}', '{% include "etc/hostname" %}')
    assert _fails("build", LETTER, "--out", "out") == (
        "templates/etc/hostname is a link to a file outside templates/"
    )
