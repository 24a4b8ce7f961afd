"""`letters site` attacked as a hostile or careless office member would: each hole found, closed.

Each test runs `letters site` in a copy of the project (data, templates, approvals) and
asserts what the office sees: its files, or one line on standard error and exit status 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import tinycss2

from conftest import copy_of_project, edit_yaml, position, run_in

DURHAM = "data/examples/durham-2023-peel"
DURHAM_RECORD = f"approvals/letters/{DURHAM}/1.json"
STATEMENT_RECORD = "approvals/letters/data/examples/durham-2023-peel-statement/1.json"
#: A letter of the Durham office, sent late, whose every printed value is hostile.
TITLE = '=HYPERLINK("https://evil.example/","Click")'
FORCE = "@SUM(1+1)*cmd|' /C calc'!A0 <b>Durham</b>"
REASON = "+The chief constable's comments came late <script>alert(1)</script>"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Copy the project, its letters as they are (the sent ones sent)."""
    return copy_of_project(tmp_path, drafts=False)


def site(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """Run `letters site` in the project; return its exit status and standard error."""
    status, _, err = run_in(root, monkeypatch, "site", *args)
    assert "Traceback" not in err and "internal error" not in err
    return status, err


def last_line(err: str) -> str:
    """Return the message of a failed run: its last line (the lines before name offices)."""
    return err.strip().splitlines()[-1]


def edit_record(root: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change durham-2023-peel's approval record as someone editing it by hand would."""
    path = root / DURHAM_RECORD
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")


def sent(root: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, on: str) -> None:
    """Write a letter into data/, approve it the day before `on` and publish it on `on`."""
    (root / "data" / f"{name}.yaml").write_text(text, encoding="utf-8")
    day_before = f"{on[:-2]}{int(on[-2:]) - 1:02d}"
    for args in (
        ["approve", f"data/{name}.yaml", "--by", "Joy Allen", "--on", day_before],
        ["publish", f"data/{name}.yaml", "--on", on],
    ):
        status, _, err = run_in(root, monkeypatch, *args)
        assert (status, err) == (0, ""), err


def durham_draft(**change: str) -> str:
    """Return the Durham example letter as a draft in data/, with some text replaced."""
    text = (Path(__file__).parent.parent / f"{DURHAM}.yaml").read_text(encoding="utf-8")
    text = text.replace("office: ../offices/", "office: offices/")
    status = next(line for line in text.splitlines() if line.startswith("status:"))
    text = text.replace(status, "status: {state: draft}")
    for old, new in change.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="session")
def more_sent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Copy the project, send one more letter of the Durham office, and make its site.

    data/hostile.yaml prints formulas and markup in its title, force and delay reason.
    """
    root = copy_of_project(tmp_path_factory.mktemp("more-sent"), drafts=False)
    hostile = durham_draft(
        **{
            'title: "PEEL 2023-25: An inspection of Durham Constabulary"': f"title: '{TITLE}'",
            "name: Durham Constabulary": f"name: {json.dumps(FORCE)}",
            "  date: 2024-01-08": f"  date: 2024-03-08\n  delay_reason: {json.dumps(REASON)}",
        }
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        sent(root, monkeypatch, "hostile", hostile, "2024-03-08")
        status, _, err = run_in(root, monkeypatch, "site", "--office", "durham-pcvc")
    assert status == 0, err
    yield root


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_kept_as_text(more_sent: Path) -> None:
    text = (more_sent / "build/site/durham-pcvc/responses.csv").read_text(encoding="utf-8")
    rows = {row["response_page"]: row for row in csv.DictReader(io.StringIO(text))}
    row = rows["responses/hostile.html"]
    assert row["report"] == "'" + TITLE
    assert row["force"] == "'" + FORCE
    assert row["delay_reason"] == "'" + REASON
    assert row["within_56_days"] == "no"


def test_hostile_values_print_as_text_in_the_index(more_sent: Path) -> None:
    index = (more_sent / "build/site/durham-pcvc/index.html").read_text(encoding="utf-8")
    assert "<script" not in index and "<b>" not in index
    assert (
        '<p class="site-reason">Reason: +The chief constable&#x27;s comments came late '
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    ) in index


def test_two_letters_sent_with_one_file_name_each_get_a_page(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the office starts its own letter from the example data/examples/durham-2023-peel.yaml,
    # keeping its name: the site refused both ("rename one data file before approving it",
    # too late for letters sent). The example was sent first (8 January 2024): it keeps its
    # page's name; the office's own, sent on 10 January, gets the next free one
    copied = durham_draft(**{"  date: 2024-01-08": "  date: 2024-01-10"})
    sent(root, monkeypatch, "durham-2023-peel", copied, "2024-01-10")
    assert site(root, monkeypatch, "--office", "durham-pcvc")[0] == 0
    folder = root / "build/site/durham-pcvc"
    record = json.loads((root / DURHAM_RECORD).read_text(encoding="utf-8"))
    kept = record["outputs"]["sent"]["durham-2023-peel.public.pdf"]
    assert hashlib.sha256((folder / "responses/durham-2023-peel.pdf").read_bytes()).hexdigest() == (
        kept
    )
    own = json.loads(
        (root / "approvals/letters/data/durham-2023-peel/1.json").read_text(encoding="utf-8")
    )["outputs"]["sent"]["durham-2023-peel.public.pdf"]
    copy = (folder / "responses/durham-2023-peel-2.pdf").read_bytes()
    assert hashlib.sha256(copy).hexdigest() == own
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert index.count('href="responses/durham-2023-peel.html"') == 1
    assert index.count('href="responses/durham-2023-peel-2.html"') == 1
    assert (folder / "responses/durham-2023-peel-2.html").is_file()


def test_a_letter_sent_twice_under_two_names_is_no_altered_record(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same words sent the same day under two names: their public pages are the same
    # bytes, which is no sign of a record altered (a sent copy or an input would be)
    for name in ("ours", "ours-again"):
        sent(root, monkeypatch, name, durham_draft(), "2024-01-08")
    pages = [
        json.loads((root / f"approvals/letters/data/{name}/1.json").read_text(encoding="utf-8"))[
            "outputs"
        ]["sent"][f"{name}.html"]
        for name in ("ours", "ours-again")
    ]
    assert pages[0] == pages[1]
    assert site(root, monkeypatch, "--office", "durham-pcvc") == (0, "durham-pcvc ...\n")
    responses = root / "build/site/durham-pcvc/responses"
    assert (responses / "ours.html").is_file() and (responses / "ours-again.html").is_file()


def test_a_house_style_font_name_cannot_write_css_rules_into_site_css(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit_yaml(
        root / "templates/house-style.yaml",
        "  docx: Arial ",
        "  docx: 'Arial\"} body{background:url(https://evil.example/x.png)} x{a:\"' ",
    )
    assert site(root, monkeypatch, "--office", "durham-pcvc")[0] == 0
    css = (root / "build/site/durham-pcvc/site.css").read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    selectors = [tinycss2.serialize(rule.prelude).strip() for rule in rules if rule.prelude]
    assert selectors[0] == "body.site"
    assert "body" not in selectors and "x" not in selectors

    def fetches(tokens: list[Any]) -> bool:
        for token in tokens:
            if token.type == "url" or (token.type == "function" and token.lower_name == "url"):
                return True
            for part in ("prelude", "content", "arguments"):
                inner = getattr(token, part, None)
                if isinstance(inner, list) and fetches(inner):
                    return True
        return False

    assert not fetches(rules)


@pytest.mark.parametrize(
    ("file", "other", "said"),
    [
        (
            "durham-2023-peel.public.pdf",
            "durham-2023-peel.pdf",
            "durham-2023-peel.pdf of " + DURHAM,
        ),
        ("durham-2023-peel.html", "durham-2023-peel.docx", "durham-2023-peel.docx of " + DURHAM),
        (
            "durham-2023-peel.public.pdf",
            "data/examples/durham-2023-peel.yaml",
            f"input data/examples/durham-2023-peel.yaml of {DURHAM}",
        ),
        (
            "durham-2023-peel.public.pdf",
            "statement",
            "durham-2023-peel-statement.pdf of data/examples/durham-2023-peel-statement",
        ),
    ],
)
def test_a_record_naming_another_file_as_the_public_copy_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch, file: str, other: str, said: str
) -> None:
    # the signed copy sent, its DOCX, the letter's data (notes and all), another letter's
    # sent copy: each kept in the store, each digest written in as the public copy's
    theirs = json.loads((root / STATEMENT_RECORD).read_text(encoding="utf-8"))

    def named_public(record: dict[str, Any]) -> None:
        if other == "statement":
            digest = theirs["outputs"]["sent"]["durham-2023-peel-statement.pdf"]
        elif other.startswith("data/"):
            digest = record["inputs"][other]
        else:
            digest = record["outputs"]["sent"][other]
        record["outputs"]["sent"][file] = digest

    edit_record(root, named_public)
    status, err = site(root, monkeypatch, "--office", "durham-pcvc")
    assert status == 1
    assert last_line(err) == (
        f"error: {DURHAM_RECORD}: its {file} as sent is {said}.yaml, not the public copy: the "
        "record was altered. Restore approvals/ from a backup (or git)"
    )
    assert not (root / "build/site/durham-pcvc").exists()


@pytest.mark.parametrize(
    ("file", "content", "said"),
    [
        ("durham-2023-peel.html", b"\xff\xfe not text", "no web page"),
        ("durham-2023-peel.public.pdf", b"name: not a PDF\n", "no PDF"),
    ],
)
def test_a_public_copy_that_is_not_what_its_name_says_is_one_line(
    root: Path, monkeypatch: pytest.MonkeyPatch, file: str, content: bytes, said: str
) -> None:
    digest = hashlib.sha256(content).hexdigest()
    stored = root / "approvals/objects" / digest[:2] / digest[2:]
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(content)
    edit_record(root, lambda record: record["outputs"]["sent"].update({file: digest}))
    status, err = site(root, monkeypatch, "--office", "durham-pcvc")
    assert status == 1
    assert last_line(err) == (
        f"error: {DURHAM_RECORD}: its {file} as sent is {said}: the record was altered. "
        "Restore approvals/ from a backup (or git)"
    )


def test_data_as_sent_that_is_another_letters_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the statement's data, written in as durham-2023-peel's data as sent, would put its title
    # and dates in durham-2023-peel's row, beside durham-2023-peel's PDF
    theirs = json.loads((root / STATEMENT_RECORD).read_text(encoding="utf-8"))
    statement = theirs["inputs"]["data/examples/durham-2023-peel-statement.yaml"]
    edit_record(root, lambda record: record.update(sent_as=statement))
    status, err = site(root, monkeypatch, "--office", "durham-pcvc")
    assert status == 1
    assert last_line(err) == (
        f"error: {DURHAM_RECORD}: its data as sent (sent_as) is not the letter approved "
        "(recipient differs): the record was altered. Restore approvals/ from a backup (or git)"
    )


def test_a_link_inside_the_sites_cache_is_never_written_through(
    root: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert site(root, monkeypatch, "--office", "durham-pcvc")[0] == 0
    outside = tmp_path_factory.mktemp("outside")
    (outside / "kept.txt").write_text("precious", encoding="utf-8")
    offices = root / ".letters-cache/site" / DURHAM / "1/data/offices"
    shutil.rmtree(offices)
    offices.symlink_to(outside, target_is_directory=True)
    status, err = site(root, monkeypatch, "--office", "durham-pcvc")
    assert status == 1
    assert last_line(err) == (
        f"error: {offices}: a link, where letters writes its copies of snapshots; remove "
        ".letters-cache (letters makes it again)"
    )
    assert sorted(p.name for p in outside.iterdir()) == ["kept.txt"]


def test_the_site_copies_no_template_or_font_out_of_the_store(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each version's copy held every template and font (1.8 MB): 200 versions of a letter
    # took 358 MB and 16 s; the pages need the letter's data and its office's file alone
    assert site(root, monkeypatch)[0] == 0
    cache = root / ".letters-cache/site"
    copied = {p.relative_to(cache).parts[-1] for p in cache.rglob("*") if p.is_file()}
    assert "LiberationSans-Regular.ttf" not in copied
    assert "house-style.yaml" not in copied
    assert "durham-pcvc.yaml" in copied


def test_ctrl_c_as_the_new_folder_goes_in_leaves_the_old_one(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert site(root, monkeypatch, "--office", "durham-pcvc")[0] == 0
    folder = root / "build/site/durham-pcvc"
    before = (folder / "SHA256SUMS").read_bytes()
    replace = os.replace

    def interrupted(source: Any, target: Any) -> None:
        if str(source).endswith(".part"):  # the old folder is out of the way, the new not in
            raise KeyboardInterrupt
        replace(source, target)

    monkeypatch.setattr(os, "replace", interrupted)
    edit_yaml(root / "data/offices/durham-pcvc.yaml", "area: ", "site: {title: New}\narea: ")
    status, _, _ = run_in(root, monkeypatch, "site", "--office", "durham-pcvc")
    monkeypatch.setattr(os, "replace", replace)
    assert status == 1
    assert (folder / "SHA256SUMS").read_bytes() == before
    assert sorted(p.name for p in folder.parent.iterdir()) == ["durham-pcvc"]


def test_an_error_in_one_office_leaves_every_office_as_it_was(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert site(root, monkeypatch)[0] == 0
    durham = (root / "build/site/durham-pcvc/index.html").read_bytes()
    edit_yaml(root / "data/offices/durham-pcvc.yaml", "area: ", "site: {title: New}\narea: ")
    yorkshire = root / "data/offices/west-yorkshire-mayor.yaml"
    yorkshire.write_text(
        yorkshire.read_text(encoding="utf-8") + "site:\n  intro: '# Our responses'\n",
        encoding="utf-8",
    )
    at = position(yorkshire, "'# Our")
    status, err = site(root, monkeypatch)
    assert status == 1
    assert last_line(err).startswith(
        f"error: data/offices/west-yorkshire-mayor.yaml:{at}: site.intro: the text holds a heading"
    )
    assert (root / "build/site/durham-pcvc/index.html").read_bytes() == durham


def test_a_welsh_introduction_is_named_at_its_own_line(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = root / "data/offices/dyfed-powys-pcc.yaml"
    office.write_text(
        office.read_text(encoding="utf-8")
        + "site:\n  intro: Our responses.\n  intro_cy: '## Ein hymatebion'\n",
        encoding="utf-8",
    )
    at = position(office, "'## Ein")
    status, err = site(root, monkeypatch, "--office", "dyfed-powys-pcc")
    assert status == 1
    assert last_line(err) == (
        f"error: data/offices/dyfed-powys-pcc.yaml:{at}: site.intro_cy: "
        "the text holds a heading (## ...); the letter's own text has no headings: give a "
        "section its heading with heading:, or write \\# to print #"
    )


def test_a_heading_in_the_words_introduction_is_named_at_its_line(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = root / "templates/site/words.yaml"
    edit_yaml(words, "    His Majesty's Inspectorate", "    # His Majesty's Inspectorate")
    status, err = site(root, monkeypatch, "--office", "durham-pcvc")
    assert status == 1
    assert last_line(err).startswith(
        f"templates/site/words.yaml:{position(words, '>-')}: en.intro: the text holds a heading"
    )


def test_a_site_address_that_is_no_folders_is_refused_at_its_line(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # without its '/', every link of the feed, the CMS fragment and the CSV led one folder up
    # (https://www.example.gov.uk/west-mercia-pcc/responses/...): each one a dead link
    office = root / "data/offices/west-mercia-pcc.yaml"
    edit_yaml(office, "/west-mercia-pcc/hmicfrs/\n", "/west-mercia-pcc/hmicfrs\n")
    status, err = site(root, monkeypatch, "--office", "west-mercia-pcc")
    assert status == 1
    assert last_line(err) == (
        f"data/offices/west-mercia-pcc.yaml:{position(office, 'https://www.example')}: "
        "site.base_url: 'https://www.example.gov.uk/west-mercia-pcc/hmicfrs' is "
        "not the address of the folder the pages are copied to; end it with '/', with no ? or "
        "# (https://www.example.gov.uk/hmicfrs/): without the '/', the pages' links would lead "
        "one folder up"
    )
    assert not (root / "build/site").exists()


def test_the_welsh_feed_is_a_feed_of_its_own_leading_to_the_welsh_index(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = root / "data/offices/dyfed-powys-pcc.yaml"
    office.write_text(
        office.read_text(encoding="utf-8") + "site:\n  base_url: https://example.gov.uk/dp/\n",
        encoding="utf-8",
    )
    assert site(root, monkeypatch, "--office", "dyfed-powys-pcc")[0] == 0
    folder = root / "build/site/dyfed-powys-pcc"
    english = (folder / "feed.atom").read_text(encoding="utf-8")
    welsh = (folder / "feed.cy.atom").read_text(encoding="utf-8")
    assert "  <id>https://example.gov.uk/dp/</id>\n" in english
    assert '<link href="https://example.gov.uk/dp/index.html" rel="alternate"/>' in english
    assert "  <id>https://example.gov.uk/dp/feed.cy.atom</id>\n" in welsh
    assert '<link href="https://example.gov.uk/dp/index.cy.html" rel="alternate"/>' in welsh


def test_run_from_a_folder_of_the_project_the_site_goes_in_the_projects_build(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, err = site(root / "data", monkeypatch, "--office", "durham-pcvc")
    assert (status, err) == (0, "durham-pcvc ...\n")
    assert (root / "build/site/durham-pcvc/index.html").is_file()
    assert not (root / "data/build").exists()
