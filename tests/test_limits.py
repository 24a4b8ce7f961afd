"""Inputs that used to end in a traceback, values that cannot be true, and the input budget.

Each case is run as a user runs it: a message naming the file (and line), exit status 1,
nothing written; the other letters of a batch are still built.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import DEFAULT_LETTER, ROOT, SENT_STATUS, cli, cli_fails, edit_yaml, position, started

LETTER = f"data/{DEFAULT_LETTER.name}"
DURHAM = "data/examples/durham-2023-peel.yaml"


@pytest.fixture
def project(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(scratch)
    return scratch


def _sent(project: Path) -> None:
    """Record the copy's default letter, a draft, as sent before letters: its first version.

    Only a letter that is approved or sent is archived, and the copy's letters are drafts.
    """
    shutil.rmtree(project / "approvals" / "letters" / Path(LETTER).with_suffix(""))
    result = cli("approve", LETTER, "--sent", "--by", "Clive Grunshaw", "--on", "2020-03-30")
    assert result.exit_code == 0, result.output


#: The default letter's status as the project ships it, which the copy makes a draft: the
#: checks read the data alone, so a test of them may give it back.
DRAFT = "status:\n  state: draft\n"


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
            f"marking: '{'SECRET' + ' SECRET' * 42}'\nstatus:\n",
            "'SECRET",
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
    assert cli_fails("build", LETTER, "--out", "out") == f"{LETTER}:{position(data, at)}: {message}"


def test_yaml_nested_ten_thousand_deep_is_a_message(project: Path) -> None:
    Path("data/deep.yaml").write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    assert cli_fails("build", "data/deep.yaml", "--out", "out") == (
        "data/deep.yaml: lists and mappings nest more than 20 deep; a letter's data needs far fewer"
    )


def test_a_list_or_a_text_over_the_budget_is_a_message(project: Path) -> None:
    items = "".join(f"  - item {n}\n" for n in range(501))
    Path("data/long.yaml").write_text(f"a:\n{items}b: {'x' * 20_001}\n")
    assert cli_fails("check", "data/long.yaml").splitlines() == [
        "data/long.yaml:2:3: a: 501 entries; a list or mapping holds at most 500",
        "data/long.yaml:503:4: b: 20,001 characters; a value holds at most 20,000",
    ]


def test_only_a_regular_file_is_read(project: Path) -> None:
    path = "data/fifo.yaml"
    os.mkfifo(path)
    assert cli_fails("check", path) == f"{path}: not a regular file; a data file is a YAML file"


def test_a_device_outside_the_project_is_refused_unread(project: Path) -> None:
    assert cli_fails("check", "/dev/zero") == (
        f"/dev/zero: the letter lies outside the project folder {project}; keep it under data/ "
        "(its provenance and the archive name every input by its place in the project)"
    )


def test_an_output_folder_under_a_file_is_a_message(project: Path) -> None:
    Path("afile").write_text("")
    message = cli_fails("build", LETTER, "--out", "afile/out")
    assert message == (
        f"{LETTER}: error: cannot make the folder {project / 'afile' / 'out'}: Not a directory"
    )


@pytest.mark.parametrize(("year", "stamped"), [(1975, (1980, 1, 1)), (2150, (2107, 12, 31))])
def test_a_letter_dated_beyond_what_a_zip_holds_builds_with_its_true_date(
    project: Path, year: int, stamped: tuple[int, int, int]
) -> None:
    data = project / LETTER
    for old, new in [
        ("date: 2020-03-30", f"date: {year}-03-30"),
        ("published: 2020-02-07", f"published: {year}-02-07"),
        ("since: 2010", f"since: {year - 10}"),
    ]:
        edit_yaml(data, old, new)
    result = cli("build", LETTER, "--out", "out", "--format", "docx")
    assert result.exit_code == 0, result.output
    path = Path("out") / DEFAULT_LETTER.with_suffix(".docx").name
    assert docx.Document(str(path)).core_properties.created == dt.datetime(
        year, 3, 30, tzinfo=dt.UTC
    )
    with zipfile.ZipFile(path) as package:
        assert {info.date_time[:3] for info in package.infolist()} == {stamped}


def test_target_grade_on_a_partly_graded_report_checks_and_builds(project: Path) -> None:
    data = project / DURHAM
    edit_yaml(data, "recording data about crime: good", "recording data about crime: not graded")
    edit_yaml(data, "\nreport:", "\ntarget_grade: outstanding\nreport:")
    assert cli("check", DURHAM).exit_code == 0
    result = cli("build", DURHAM, "--out", "out", "--format", "html")
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
    edit_yaml(data, DRAFT, SENT_STATUS)
    edit_yaml(data, old, new)
    result = cli("check", LETTER)
    assert result.exit_code == 1
    at = position(data, new.split(": ")[1], after=new.split(": ")[0] + ": ")
    assert f"{LETTER}:{at}: {message}" in result.output.splitlines()


def test_approval_after_the_letters_date_is_a_warning(project: Path) -> None:
    data = project / LETTER
    shutil.rmtree(project / "approvals" / "letters" / Path(LETTER).with_suffix(""))
    approved = cli("approve", LETTER, "--by", "Clive Grunshaw", "--on", "2020-03-31")
    assert approved.exit_code == 0, approved.output
    result = cli("check", LETTER)
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
    warned = cli("build", LETTER, "--out", "out", "--format", "html")
    assert warned.exit_code == 0
    expected = (
        f"{LETTER}: warning: no house font (templates/fonts) has U+0627 ARABIC LETTER ALEF, "
        "U+0644 ARABIC LETTER LAM; the PDF would show a blank box for each: add a font that has "
        "them to the house style, or write the text another way"
    )
    assert expected in warned.stderr.splitlines()
    # said once: not again by WeasyPrint, character by character
    in_pdf = cli("build", LETTER, "--out", "out3", "--format", "pdf")
    assert [line for line in in_pdf.stderr.splitlines() if "warning" in line] == [expected]
    # nor for the characters the warning counts without naming them
    edit_yaml(data, "\u0627\u0644\n", "\u0627\u0644 \u0628\u062a\u062b\u062c\u062d\u062e\n")
    many = cli("build", LETTER, "--out", "out4", "--format", "pdf")
    assert [line for line in many.stderr.splitlines() if "warning" in line] == [
        f"{LETTER}: warning: no house font (templates/fonts) has U+0627 ARABIC LETTER ALEF, "
        "U+0628 ARABIC LETTER BEH, U+062A ARABIC LETTER TEH, U+062B ARABIC LETTER THEH, "
        "U+062C ARABIC LETTER JEEM and 3 more; the PDF would show a blank box for each: add a "
        "font that has them to the house style, or write the text another way"
    ]
    strict = cli("build", LETTER, "--out", "out2", "--format", "html", "--strict")
    assert strict.exit_code == 1
    assert not Path("out2").exists()


def test_characters_no_font_has_in_either_copy_are_one_warning(project: Path) -> None:
    # the direct line shows in the copy sent only; the body in both copies
    edit_yaml(project / LETTER, "Lancashire Constabulary\n", "Lancashire Constabulary \u0627\n")
    edit_yaml(
        project / "data" / "offices" / "lancashire-pcc.yaml",
        "  email: commissioner@lancashire-pcc.gov.uk\n",
        "  email: commissioner@lancashire-pcc.gov.uk\n  direct_line: 01772 \u0665\u0663\n",
    )
    built = cli("build", LETTER, "--out", "out", "--format", "pdf,public-pdf,html")
    assert built.exit_code == 0
    assert [line for line in built.stderr.splitlines() if "warning" in line] == [
        f"{LETTER}: warning: no house font (templates/fonts) has U+0627 ARABIC LETTER ALEF, "
        "U+0663 ARABIC-INDIC DIGIT THREE, U+0665 ARABIC-INDIC DIGIT FIVE; the PDF would show a "
        "blank box for each: add a font that has them to the house style, or write the text "
        "another way"
    ]


def test_a_fault_of_letters_itself_is_one_line_and_the_batch_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import letters.build.build

    real = letters.build.build.build_letter

    def faulty(path: Path, *args: object, **kwargs: object) -> letters.build.build.Built:
        if path.name == DEFAULT_LETTER.name:
            raise RuntimeError("boom\nsecond line")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(letters.build.build, "build_letter", faulty)
    # in this process (the fault is planted here, not in a worker)
    result = cli("build", LETTER, DURHAM, "--out", "out", "--format", "html", "--jobs", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        f"internal error while building {LETTER}: RuntimeError: boom second line "
        "(run with --debug for the traceback)",
    ]
    assert result.stderr.splitlines()[-1].startswith(
        "built 1, skipped 0 (up to date), held 0, failed 1 of 2 letters in "
    )
    assert result.stdout == "wrote out/durham-2023-peel.html\n"


def test_a_link_out_of_templates_is_refused(project: Path) -> None:
    (project / "templates" / "leak.md.j2").symlink_to("/etc/hostname")
    assert cli_fails("build", LETTER, "--out", "out") == (
        f"{LETTER}: error: templates/leak.md.j2 is a link to /etc/hostname, outside templates/; "
        "copy the file into templates/ instead"
    )


def test_a_template_cannot_include_a_file_through_a_linked_folder(project: Path) -> None:
    (project / "templates" / "etc").symlink_to("/etc")
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(template, '{% include "common/front.md.j2" %}', '{% include "etc/hostname" %}')
    assert cli_fails("build", LETTER, "--out", "out") == (
        "templates/etc/hostname is a link to a file outside templates/"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"Lanc\\uFFFEashire"', "contains U+FFFE, a control character or noncharacter"),
        ('"Lanc\\x9bashire"', "contains U+009B, a control character or noncharacter"),
        (
            "Lanc" + "x" * 300,
            "holds a word of 304 characters with no space; a line holds at most 100",
        ),
    ],
    ids=["noncharacter", "C1 control", "long word"],
)
def test_text_that_no_output_can_lay_out_is_refused(project: Path, text: str, message: str) -> None:
    data = project / LETTER
    edit_yaml(data, "  name: Lancashire Constabulary", f"  name: {text}")
    at = position(data, text)
    assert cli_fails("build", LETTER, "--out", "out") == (
        f"{LETTER}:{at}: force.name: {message}" + _TAIL[message.split(",")[0]]
    )


_TAIL = {
    "contains U+FFFE": ", which cannot be printed; delete it",
    "contains U+009B": ", which cannot be printed; delete it",
    "holds a word of 304 characters with no space; a line holds at most 100": ", so break it up",
}


def test_a_letterhead_taller_than_a_letterhead_is_refused(project: Path) -> None:
    style = project / "templates" / "house-style.yaml"
    edit_yaml(style, "  height: 20mm", "  height: 400mm")
    message = cli_fails("build", LETTER, "--out", "out")
    assert message.startswith(f"templates/house-style.yaml:{position(style, '400mm')}: ")
    assert "400mm is longer than the page; expected at most 297mm" in message
    edit_yaml(style, "  height: 400mm", "  height: 100mm")
    assert "100mm is not a letterhead's height; expected 5mm to 60mm" in cli_fails(
        "build", LETTER, "--out", "out"
    )


@pytest.mark.parametrize("href", ["../../etc/passwd", "ftp://example.com/x", "page.html"])
def test_a_template_link_must_be_a_web_mail_or_telephone_address(project: Path, href: str) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    edit_yaml(
        template,
        "{% for paragraph in facts.body %}",
        f"[y]({href})\n\n{{% for paragraph in facts.body %}}",
    )
    assert cli_fails("build", LETTER, "--out", "out") == (
        f"templates/letters/integrated-peel-2018.md.j2: the link {href!r} is not a web, mail or "
        "telephone address; a letter's links start https:, http:, mailto: or tel:"
    )


def test_two_letters_of_one_name_are_not_written_over_each_other(project: Path) -> None:
    other = project / "data" / "other" / DEFAULT_LETTER.name
    other.parent.mkdir()
    other.write_text(
        (project / LETTER)
        .read_text(encoding="utf-8")
        .replace("office: offices/", "office: ../offices/")
    )
    result = cli(
        "build", LETTER, f"data/other/{DEFAULT_LETTER.name}", "--out", "out", "--format", "html"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [
        f"data/other/{DEFAULT_LETTER.name}: error: {LETTER} has the same name, so both would be "
        "written (and filed) as lancashire-2020-peel; rename one of them",
    ]
    assert result.stderr.splitlines()[-1].startswith(
        "built 1, skipped 0 (up to date), held 0, failed 1 of 2 letters in "
    )


def test_a_data_file_name_with_a_control_character_is_refused(project: Path) -> None:
    odd = project / "data" / "evil\nwrote x.yaml"
    odd.write_text((project / LETTER).read_text(encoding="utf-8"))
    message = cli_fails("build", str(odd.relative_to(project)), "--out", "out")
    assert message == (
        "data/evil\\nwrote x.yaml: the data file 'evil\\nwrote x' is not a plain name: it holds "
        "a control character (U+000A); use only the letters A to Z and a to z, digits, '-' and "
        "'_', starting with a letter or digit; rename the file"
    )


def test_a_data_file_name_beginning_with_a_dot_is_refused_for_what_it_is(project: Path) -> None:
    hidden = project / "data" / ".draft.yaml"
    hidden.write_text((project / LETTER).read_text(encoding="utf-8"))
    assert cli_fails("build", "data/.draft.yaml", "--out", "out", "--format", "html") == (
        "data/.draft.yaml: the data file '.draft' is not a plain name: it holds full stop "
        "(U+002E); use only the letters A to Z and a to z, digits, '-' and '_', starting with a "
        "letter or digit; rename the file"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "share_of_budget: 28",
            "share_of_budget: 0.0000001",
            "error: savings.share_of_budget: 1E-7 prints as 0%; give the share as a percentage",
        ),
        (
            "status:\n",
            "copy_to: [HMICFRS, hmicfrs]\nstatus:\n",
            "warning: copy_to[1]: 'hmicfrs' is listed twice",
        ),
    ],
    ids=["share prints as 0%", "copy listed twice"],
)
def test_more_values_that_cannot_be_meant(project: Path, old: str, new: str, message: str) -> None:
    data = project / LETTER
    edit_yaml(data, old, new)
    assert any(line.endswith(message) for line in cli("check", LETTER).output.splitlines())


def test_findings_csv_and_json_together_is_a_usage_mistake(project: Path) -> None:
    result = cli("findings", LETTER, "--csv", "--json")
    assert result.exit_code == 2
    assert "--csv and --json: choose one" in result.output


def test_findings_to_an_unwritable_place_is_a_message(project: Path) -> None:
    result = cli("findings", LETTER, "--out", "/proc/findings.csv")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot write /proc/")
    assert "internal error" not in result.output


def test_verify_or_head_of_no_archive_is_a_message(project: Path) -> None:
    for option in ("--verify", "--head"):
        result = cli("archive", option, "--to", "nowhere")
        assert result.exit_code == 1
        assert result.stderr == "error: nowhere: no archive here (no manifest.jsonl); check --to\n"
    assert cli("archive", "--verify", "--head").exit_code == 2


def test_the_archive_never_files_through_a_link(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (project / "archive").mkdir()
    (project / "archive" / "2020").symlink_to(outside)
    _sent(project)
    result = cli("archive", LETTER)
    assert result.exit_code == 1
    assert "would lie outside the archive (a link?)" in result.stderr
    assert list(outside.iterdir()) == []


def test_verify_reports_a_filed_pdf_replaced_by_a_link(project: Path, tmp_path: Path) -> None:
    _sent(project)
    assert cli("archive", LETTER).exit_code == 0
    filed = project / "archive" / "2020" / "lancashire-2020-peel.pdf"
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(filed.read_bytes())
    filed.chmod(0o644)
    filed.unlink()
    filed.symlink_to(copy)
    result = cli("archive", "--verify")
    assert result.exit_code == 1
    assert (
        "archive/2020/lancashire-2020-peel.pdf: a link: manifest.jsonl row 1 "
        "(lancashire-2020-peel version 1) lists a file outside the archive"
    ) in result.stderr


def test_a_filter_on_literals_runs_within_the_budget_too(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import letters.compose.sandbox

    monkeypatch.setattr(letters.compose.sandbox, "MEMORY_BYTES", 100 * 2**20)
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    anchor = "{% for paragraph in facts.body %}"
    edit_yaml(template, anchor, "{{ 'ab' | center(400000000) | length }}\n\n" + anchor)
    assert cli_fails("build", LETTER, "--out", "out", "--format", "html") == (
        "templates/letters/integrated-peel-2018.md.j2: used more than 100 MB to render"
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("titel: Response", "the front matter names 'titel' (did you mean 'title'?)"),
        ("page_label: Page {pages.total}", "the page label 'Page {pages.total}' may name"),
    ],
)
def test_a_front_matter_mistake_is_named(project: Path, line: str, message: str) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    key = line.split(":")[0] if not line.startswith("titel") else "title"
    text = template.read_text(encoding="utf-8")
    start = text.index(f"\n{key}:") + 1
    end = text.index("\n", start)
    template.write_text(text[:start] + line + text[end:], encoding="utf-8")
    assert message in cli_fails("build", LETTER, "--out", "out", "--format", "html")


def test_a_wording_template_without_front_matter_is_refused_not_left_untitled(
    project: Path,
) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    text = template.read_text(encoding="utf-8")
    start = text.index("\n---\n") + 1  # after the template's opening comment
    end = text.index("\n---\n", start) + 5
    template.write_text(text[:start] + text[end:], encoding="utf-8")
    assert cli_fails("check", LETTER) == (
        "templates/letters/integrated-peel-2018.md.j2: the template starts with no front matter; "
        "begin it with the lines '---', 'title: ...' and '---' (see templates/README.md)"
    )


def test_a_template_cannot_draw_random_words(project: Path) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    anchor = "{% for paragraph in facts.body %}"
    edit_yaml(template, anchor, "{{ lipsum(1) }}\n\n" + anchor)
    assert "the template names 'lipsum', which is not a fact of the letter" in cli_fails(
        "build", LETTER, "--out", "out", "--format", "html"
    )


def test_a_template_too_long_is_refused(project: Path) -> None:
    (project / "templates" / "common" / "big.md.j2").write_text("word " * 50_000)
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    anchor = "{% for paragraph in facts.body %}"
    edit_yaml(template, anchor, '{% include "common/big.md.j2" %}\n\n' + anchor)
    assert cli_fails("build", LETTER, "--out", "out", "--format", "html").endswith(
        "templates/common/big.md.j2 is 250,000 characters; a template holds at most 200,000"
    )


@pytest.mark.parametrize(
    "written",
    [
        "{{ " + "(" * 400 + "1" + ")" * 400 + " }}",
        "{% if true %}" * 300 + "x" + "{% endif %}" * 300,
    ],
    ids=["brackets", "blocks"],
)
def test_a_template_nested_too_deep_is_named(project: Path, written: str) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    anchor = "{% for paragraph in facts.body %}"
    edit_yaml(template, anchor, written + "\n\n" + anchor)
    assert cli_fails("check", LETTER).splitlines()[0] == (
        "templates/letters/integrated-peel-2018.md.j2: its brackets or blocks lie too deep within "
        "one another (some dozens of levels) to be read; write it more simply"
    )


@pytest.mark.parametrize(
    ("written", "length", "begins"),
    [
        ('{{ "x" * 60000 }}', "60,000", "x" * 24),
        ("{{ office.contact.email }}" * 4, "136", "commissioner@lancashire-"),
    ],
    ids=["a word it writes", "values it joins"],
)
def test_a_template_printing_a_word_no_line_holds_is_refused(
    project: Path, written: str, length: str, begins: str
) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    anchor = "{% for paragraph in facts.body %}"
    edit_yaml(template, anchor, written + "\n\n" + anchor)
    assert cli_fails("build", LETTER, "--out", "out", "--format", "pdf") == (
        f"templates/letters/integrated-peel-2018.md.j2 prints a word of {length} characters "
        f"with no space ({begins}...); a line holds at most 100: put spaces in it, or between "
        "the values it joins"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  height: 20mm",
            "  height: 0mm",
            "0mm is not a letterhead's height; expected 5mm to 60mm",
        ),
        ("  line_height: 1.25", "  line_height: 1000000000", "less than or equal to 3"),
        ("  size: 11pt", "  size: 297mm", "is not a type size for a letter; expected 5pt to 36pt"),
        (
            "    regular: fonts/LiberationSans-Regular.ttf",
            "    regular: fonts/LICENSE-LiberationSans.txt",
            "LICENSE-LiberationSans.txt: not a TrueType or OpenType font",
        ),
        ("  margin_left: 20mm", "  margin_left: 150mm", "the margins leave too little room"),
    ],
    ids=["letterhead 0mm", "line height", "text size", "not a font", "margins"],
)
def test_a_house_style_no_letter_could_use_is_refused(
    project: Path, old: str, new: str, message: str
) -> None:
    edit_yaml(project / "templates" / "house-style.yaml", old, new)
    assert message in cli_fails("build", LETTER, "--out", "out")


def test_findings_never_overwrite_an_input(project: Path) -> None:
    result = cli("findings", LETTER, "--out", LETTER)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {LETTER} lies in the project's data/ folder, which holds the letters' inputs; "
        "write it somewhere else (build/, for example)\n"
    )
    assert (project / LETTER).read_text(encoding="utf-8").startswith("# yaml-language-server")


def test_a_file_name_with_a_newline_is_shown_escaped(project: Path) -> None:
    odd = project / "data" / "new\nline.yaml"
    odd.write_text("a: [\n")
    result = cli("check", str(odd.relative_to(project)))
    assert result.exit_code == 1
    assert result.stderr.startswith("data/new\\nline.yaml:")
    assert len(result.stderr.splitlines()) == 1


def test_parallel_builds_into_one_folder_all_succeed(project: Path) -> None:
    import subprocess
    import sys
    from contextlib import ExitStack

    code = "from letters.cli import main; main()"
    command = [sys.executable, "-c", code, "build", LETTER, DURHAM, "--out", "out"]
    with ExitStack() as stack:  # however it ends, no build is left running
        runs = [
            stack.enter_context(
                started(
                    [*command, "--format", "docx,html"],
                    cwd=project,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    limit=120,
                )
            )
            for _ in range(4)
        ]
        for run in runs:
            _, err = run.communicate()
            assert run.returncode == 0, err
    assert sorted(path.name for path in Path("out").iterdir()) == [
        "durham-2023-peel.docx",
        "durham-2023-peel.html",
        "lancashire-2020-peel.docx",
        "lancashire-2020-peel.html",
    ]


def test_a_journal_naming_a_file_outside_the_archive_is_refused(project: Path) -> None:
    import json

    _sent(project)
    assert cli("archive", LETTER).exit_code == 0
    journal = project / "archive" / ".filing.json"
    journal.write_text(json.dumps({"file": "../outside/victim.pdf", "pdf_sha256": "0" * 64}))
    # Durham as the project ships it, sent, with its record in the copy's approvals/: letters
    # approve takes only a letter directly in data/
    shutil.copyfile(ROOT / DURHAM, project / DURHAM)
    result = cli("archive", DURHAM)
    assert result.exit_code == 1
    assert "names '../outside/victim.pdf', outside the archive" in result.stderr
    assert cli("archive", "--verify").exit_code == 1


@pytest.mark.parametrize("make", ["fifo", "dangling link", "folder link"])
def test_verify_reports_what_is_not_a_file(project: Path, tmp_path: Path, make: str) -> None:
    _sent(project)
    assert cli("archive", LETTER).exit_code == 0
    root = project / "archive"
    if make == "fifo":
        os.mkfifo(root / "2020" / ".f")
    elif make == "dangling link":
        (root / ".z").symlink_to("/nonexistent")
    else:
        (root / "2030").symlink_to(tmp_path)
    result = cli("archive", "--verify")
    assert result.exit_code == 1
    assert "not a file: a link or a special file in the archive" in result.stderr


def test_verify_reports_an_unfinished_first_filing(project: Path) -> None:
    root = project / "archive"
    root.mkdir()
    (root / ".filing.json").write_text("{}")
    result = cli("archive", "--verify")
    assert result.exit_code == 1
    assert ".filing.json: a filing was interrupted" in result.stderr


def test_a_build_never_writes_over_an_archived_record(project: Path) -> None:
    _sent(project)
    assert cli("archive", LETTER).exit_code == 0
    record = project / "archive" / "2020" / "lancashire-2020-peel.pdf"
    before = record.read_bytes()
    result = cli("build", LETTER, "--out", "archive/2020", "--format", "pdf")
    assert result.exit_code == 1
    assert "is read-only (an archived record?); letters never writes over a read-only file" in (
        result.stderr
    )
    assert record.read_bytes() == before
    assert cli("archive", "--verify").exit_code == 0


def test_a_filter_given_the_wrong_kind_of_value_is_a_message_at_its_line(project: Path) -> None:
    template = project / "templates" / "letters" / "integrated-peel-2018.md.j2"
    anchor = "{% for paragraph in facts.body %}"
    edit_yaml(template, anchor, "{{ 'x' | dictsort }}\n\n" + anchor)
    line = template.read_text(encoding="utf-8").splitlines().index("{{ 'x' | dictsort }}") + 1
    message = cli_fails("build", LETTER, "--out", "out", "--format", "html")
    assert message.startswith(f"templates/letters/integrated-peel-2018.md.j2:{line}: ")
    assert "internal error" not in message


def test_a_manifest_row_nested_too_deeply_is_a_message(project: Path) -> None:
    _sent(project)
    assert cli("archive", LETTER).exit_code == 0
    with (project / "archive" / "manifest.jsonl").open("a") as manifest:
        manifest.write("[" * 100_000 + "\n")
    result = cli("archive", "--verify")
    assert result.exit_code == 1
    assert result.stderr.endswith(":2: not a manifest row (nested too deeply)\n")


def test_an_address_line_longer_than_a_window_is_refused(project: Path) -> None:
    data = project / LETTER
    edit_yaml(data, "  - Home Office\n", f"  - {'Home Office ' * 20}\n")
    assert cli_fails("check", LETTER).endswith("recipient.address[0]: 239 characters; at most 100")


def test_house_css_weasyprint_cannot_read_is_named_by_its_rule(project: Path) -> None:
    css = project / "templates" / "house-style.css.j2"
    rule = "@font-face { font-family: X; src: local(), format(); }"
    css.write_text(css.read_text(encoding="utf-8") + f"\n{rule}\n", encoding="utf-8")
    assert cli_fails("build", LETTER, "--out", "out", "--format", "pdf") == (
        f"templates/house-style.css.j2: WeasyPrint cannot read the house CSS: the rule {rule} "
        "(IndexError: tuple index out of range); correct or remove that rule"
    )
