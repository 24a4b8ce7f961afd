"""A draft's DOCX reviewed in LibreOffice comes back through `letters review` (slow).

An example letter is built as a draft in a copy of the project; LibreOffice (through
scripts/review_in_libreoffice.py) makes tracked changes to three findings' responses (in the
annex table) and to one sentence of the template, and adds two comments, one with a reply.
`letters review` must name each change's source, found here by searching the files for the
text, never by line numbers written down; `--apply` must write the responses alone to the
data and keep the comments under review:, leaving the template's change to be made by hand;
and the letter built again must read as the reviewed copy with its changes accepted, all but
the template's.

LibreOffice runs once for the module: every test works on a copy of the project it reviewed.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from conftest import ROOT, cli, copy_of_project, docx_lines, edit_yaml, normalise, run

pytestmark = pytest.mark.slow

EXAMPLE = "warwickshire-2022-peel.yaml"
DATA = f"data/{EXAMPLE}"
TEMPLATE = "templates/letters/peel.md.j2"
DOCX = f"build/{Path(EXAMPLE).stem}.docx"
SCRIPT = ROOT / "scripts" / "review_in_libreoffice.py"
SYSTEM_PYTHON = Path("/usr/bin/python3")
#: LibreOffice's Python bridge (python3-uno), for the system's Python alone.
UNO = Path("/usr/lib/python3/dist-packages/uno.py")

REVIEWER = "Jane Reviewer"
#: The template's change is made under a name of its own, so that the text the letter should
#: have once built again (every change accepted but this one) can be read from the XML by it.
TEMPLATE_REVIEWER = "Alex Editor"
CHECKER = "Sam Checker"


@dataclass(frozen=True)
class ResponseEdit:
    """A tracked change to one finding's response, as the script makes it and review lists it."""

    finding: int
    what: str  # as `letters review` calls it: replace or insert
    old: str
    new: str
    #: The edit as scripts/review_in_libreoffice.py takes it.
    edit: dict[str, str]


RESPONSES = (
    ResponseEdit(
        0,
        "replace",
        "with audits each month",
        "with audits every fortnight",
        {"replace": "with audits each month", "with": "with audits every fortnight"},
    ),
    ResponseEdit(
        2,
        "replace",
        "a required step",
        "a mandatory step",
        {"replace": "a required step", "with": "a mandatory step"},
    ),
    ResponseEdit(
        4,
        "insert",
        "",
        " for 2023",
        {"insert_after": "shape the people plan", "text": " for 2023"},
    ),
)
#: The template's sentence, as the letter prints it and as the reviewer changes it.
SENTENCE_OLD = "I will continue to hold"
SENTENCE_NEW = "I shall continue to hold"

#: A comment on a paragraph of the letter's own paragraphs (a folded scalar in the data).
BODY_ANCHOR = "investigations that bring more offenders to justice"
BODY_COMMENT = "Can we give a figure here?"
#: A comment on a finding's response, and its reply.
RESPONSE_ANCHOR = "Extra staff have joined"
RESPONSE_COMMENT = "How many staff?"
REPLY = "Twelve, per the force."
COMMENTED_FINDING = 3

EDITS: dict[str, Any] = {
    "author": REVIEWER,
    "date": "2024-01-02T09:00:00Z",
    "edits": [
        *(response.edit for response in RESPONSES),
        {"replace": SENTENCE_OLD, "with": SENTENCE_NEW, "author": TEMPLATE_REVIEWER},
        {"comment_on": BODY_ANCHOR, "text": BODY_COMMENT},
        {
            "comment_on": RESPONSE_ANCHOR,
            "author": CHECKER,
            "text": RESPONSE_COMMENT,
            "reply": {"author": REVIEWER, "text": REPLY},
        },
    ],
}


@dataclass(frozen=True)
class Reviewed:
    """The project the letter was built in, its data as built, and the reviewed DOCX."""

    root: Path
    original: str
    docx: Path


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    """Build the example as a draft in a copy of the project and review it in LibreOffice."""
    if not (SYSTEM_PYTHON.exists() and UNO.exists() and shutil.which("soffice")):
        pytest.fail("the review needs LibreOffice and python3-uno: run scripts/system-deps.sh test")
    root = copy_of_project(tmp_path_factory.mktemp("reviewed-project"))
    data = root / DATA
    shutil.copy(root / "data" / "examples" / EXAMPLE, data)
    # an example's office lies one folder up from it; a letter in data/ has it beside it
    edit_yaml(data, "office: ../offices/", "office: offices/")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(root)
        built = cli("build", DATA, "--format", "docx", "--out", "build")
    assert built.exit_code == 0, built.output
    work = tmp_path_factory.mktemp("libreoffice")
    edits = work / "edits.json"
    edits.write_text(json.dumps(EDITS, indent=1), encoding="utf-8")
    target = work / "reviewed.docx"
    done = run(
        [SYSTEM_PYTHON, SCRIPT, root / DOCX, edits, target],
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    assert target.exists()
    return Reviewed(root, data.read_text(encoding="utf-8"), target)


@pytest.fixture
def letter(reviewed: Reviewed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Copy the reviewed project for one test, and work in it; return the letter's data."""
    for folder in ("data", "templates", "approvals"):
        shutil.copytree(reviewed.root / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    return tmp_path / DATA


@dataclass(frozen=True)
class Applied:
    """A copy of the project with the review applied, and what `letters review --apply` said."""

    root: Path
    data: Path
    exit_code: int
    output: str


@pytest.fixture
def applied(letter: Path, reviewed: Reviewed) -> Applied:
    result = cli("review", "--apply", DATA, str(reviewed.docx))
    return Applied(letter.parent.parent, letter, result.exit_code, result.output)


# Where things are, found by searching the files for their text.


def line_of(path: Path, text: str) -> int:
    """Return the 1-based line of the one line of a file that holds `text`."""
    return line_in(path.read_text("utf-8"), text, str(path))


def line_in(content: str, text: str, name: str = "the text") -> int:
    """Return the 1-based line of the one line of `content` that holds `text`."""
    lines = [n for n, line in enumerate(content.splitlines(), 1) if text in line]
    assert len(lines) == 1, f"{text!r} is on lines {lines} of {name}, not on one line"
    return lines[0]


def item_line(path: Path, field: str, index: int) -> int:
    """Return the line where a list's item begins (its `- `): the item is found by its words."""
    text = yaml.safe_load(path.read_text("utf-8"))["paragraphs"][field][index]
    lines = path.read_text("utf-8").splitlines()
    at = line_of(path, " ".join(text.split()[:5])) - 1  # the folded text's first line
    while not lines[at].lstrip().startswith("- "):
        at -= 1
    return at + 1


def findings(text: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = yaml.safe_load(text)["report"]["findings"]
    return found


def response_source(root: Path, finding: int) -> str:
    """Where `letters review` should say a finding's response comes from."""
    data = root / DATA
    response = findings(data.read_text("utf-8"))[finding]["response"]
    return f"{DATA}:{line_of(data, 'response: ' + response)} report.findings[{finding}].response"


def expected_items(root: Path) -> list[tuple[str, str, str, str, str]]:
    """List what the review holds, in the letter's order: what, source, old, new, by."""
    template = f"{TEMPLATE}:{line_of(root / TEMPLATE, SENTENCE_OLD)}"
    body = f"{DATA}:{item_line(root / DATA, 'body', 1)} paragraphs.body[1]"
    commented = response_source(root, COMMENTED_FINDING)
    return [
        ("replace", template, SENTENCE_OLD, SENTENCE_NEW, TEMPLATE_REVIEWER),
        *((r.what, response_source(root, r.finding), r.old, r.new, REVIEWER) for r in RESPONSES),
        ("comment", body, BODY_ANCHOR, BODY_COMMENT, REVIEWER),
        ("comment", commented, RESPONSE_ANCHOR, RESPONSE_COMMENT, CHECKER),
        # LibreOffice 7.4 cannot link a reply to its comment: it is a comment on the same text
        ("comment", commented, RESPONSE_ANCHOR, REPLY, REVIEWER),
    ]


# The listing, read back.

_HEAD = re.compile(r"^ *\d+\. (?P<what>[\w ]+?): (?P<source>.+?)(?:  \((?P<by>[^)]*)\))?$")


def listed(output: str) -> list[dict[str, str]]:
    """Read the listing's numbered blocks: what, source, by, was/now or on/says, and its end."""
    blocks = output.strip().split("\n\n")
    items = []
    for block in blocks[1:]:
        head, *rest = block.splitlines()
        matched = _HEAD.match(head)
        assert matched, head
        item = {key: value or "" for key, value in matched.groupdict().items()}
        for line in rest:
            label, _, said = line.strip().partition(" ")
            item[label.rstrip(":")] = said.strip()
        items.append(item)
    return items


def test_the_listing_names_each_changes_source(letter: Path, reviewed: Reviewed) -> None:
    result = cli("review", DATA, str(reviewed.docx))
    assert result.exit_code == 1, result.output  # the template's change is not applied
    assert "Traceback" not in result.output
    assert result.stdout.startswith(f"{DATA}: 4 changes, 3 comments")
    items = listed(result.stdout)
    root = letter.parent.parent
    assert [(i["what"], i["source"]) for i in items] == [
        (what, source) for what, source, *_ in expected_items(root)
    ]
    for item, (what, _, old, new, by) in zip(items, expected_items(root), strict=True):
        assert item["by"].startswith(by + ", 20"), item
        if what == "comment":
            assert (item["on"], item["says"]) == (old, new)
            assert item["->"] == "kept in the data under review: with --apply"
        else:
            assert (item["was"], item["now"]) == (old or "(nothing)", new.strip())
    template, *responses = items[:4]
    assert template["->"].startswith("by hand: the words are the template's")
    assert all(item["->"] == "goes to the data with --apply" for item in responses)


def test_the_listing_as_json_has_the_items(letter: Path, reviewed: Reviewed) -> None:
    result = cli("review", "--json", DATA, str(reviewed.docx))
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert found["letter"]["letter"] == DATA
    assert found["letter"]["state"] == "draft"
    items = found["items"]
    assert [
        (i["what"], i["source"], i.get("old", ""), i["new"], i["by"]) for i in items
    ] == expected_items(letter.parent.parent)
    assert [i["action"] for i in items] == ["by hand", *["apply"] * 3, *["note"] * 3]
    # comments carry the date given; tracked changes LibreOffice's clock (faketime's, if any)
    assert [i["on"] for i in items if i["what"] == "comment"] == [EDITS["date"]] * 3
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", i["on"]) for i in items)


def test_apply_writes_the_responses_and_keeps_the_comments(
    applied: Applied, reviewed: Reviewed
) -> None:
    assert applied.exit_code == 1, applied.output  # the template's change is left by hand
    assert "Traceback" not in applied.output
    template, *rest = [item["->"] for item in listed(applied.output)]
    assert template.startswith("by hand: the words are the template's")
    assert rest == [*["applied to the data"] * 3, *["kept in the data under review:"] * 3]

    before = reviewed.original.splitlines(keepends=True)
    after = applied.data.read_text("utf-8").splitlines(keepends=True)
    old_responses = findings(reviewed.original)
    new_responses = findings(applied.data.read_text("utf-8"))
    for response in RESPONSES:
        was = old_responses[response.finding]["response"]
        now = new_responses[response.finding]["response"]
        assert now == (
            was.replace(response.old, response.new)
            if response.old
            else was.replace(
                response.edit["insert_after"], response.edit["insert_after"] + response.new
            )
        )
    changed = [
        (tag, i1, i2, j1, j2)
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            None, before, after, autojunk=False
        ).get_opcodes()
        if tag != "equal"
    ]
    # only the three responses' lines are changed, each in place ...
    response_lines = sorted(
        line_in(reviewed.original, "response: " + old_responses[r.finding]["response"])
        for r in RESPONSES
    )
    assert [(tag, i1 + 1, i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in changed[:3]] == [
        ("replace", line, 1, 1) for line in response_lines
    ], changed
    for (_, i1, _, j1, _), response in zip(changed[:3], RESPONSES, strict=True):
        assert after[j1] == before[i1].replace(
            old_responses[response.finding]["response"],
            new_responses[response.finding]["response"],
        )
    # ... and the comments are added at the end, under review:
    assert len(changed) == 4, changed
    tag, i1, i2, j1, j2 = changed[3]
    assert (tag, i1, i2) == ("insert", len(before), len(before)), "added at the end"
    added = "".join(after[j1:j2])
    assert added.startswith("review:\n")
    kept = yaml.safe_load(added)["review"]
    assert [(note["by"], note["on_text"], note["text"]) for note in kept] == [
        (REVIEWER, BODY_ANCHOR, BODY_COMMENT),
        (CHECKER, RESPONSE_ANCHOR, RESPONSE_COMMENT),
        (REVIEWER, RESPONSE_ANCHOR, REPLY),
    ]
    # the data's own comments are all kept, as they were
    comments = [line for line in before if line.lstrip().startswith("#")]
    assert comments, "the example has comments to keep"
    assert [line for line in after if line.lstrip().startswith("#")] == comments
    assert (applied.root / TEMPLATE).read_bytes() == (ROOT / TEMPLATE).read_bytes()


def test_check_shows_the_comments_as_warnings(applied: Applied) -> None:
    assert applied.exit_code == 1, applied.output
    result = cli("check", DATA)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if ": warning: review[" in line]
    assert len(warnings) == 3, result.output
    for warning, (by, text) in zip(
        warnings,
        [(REVIEWER, BODY_COMMENT), (CHECKER, RESPONSE_COMMENT), (REVIEWER, REPLY)],
        strict=True,
    ):
        assert warning.startswith(f"{DATA}:")
        assert f"review comment from {by} " in warning
        assert f'"{text}"' in warning


def test_built_again_the_letter_reads_as_reviewed_but_for_the_template(
    applied: Applied, reviewed: Reviewed
) -> None:
    assert applied.exit_code == 1, applied.output
    result = cli("build", DATA, "--format", "docx", "--out", "again")
    assert result.exit_code == 0, result.output
    again = docx_lines(applied.root / "again" / Path(DOCX).name, bullet="")
    expected = accepted_lines(reviewed.docx, rejecting=TEMPLATE_REVIEWER)
    assert again == expected
    # the reviewed copy's other changes are there; the template's is not
    assert any(SENTENCE_OLD in line for line in again)
    assert not any(SENTENCE_NEW in line for line in again)
    assert accepted_lines(reviewed.docx) != expected, "the reviewed copy has the template's change"
    for response in RESPONSES:
        assert any(response.new.strip() in line for line in again), response


# The reviewed DOCX's text, read from its XML here rather than by the project's reader.

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT = {f"{{{W}}}t", f"{{{W}}}delText", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}cr"}
_CHANGES = {f"{{{W}}}ins", f"{{{W}}}del", f"{{{W}}}moveTo", f"{{{W}}}moveFrom"}


def accepted_lines(path: Path, rejecting: str = "") -> list[str]:
    """Read a reviewed DOCX's body with its tracked changes accepted, but for one author's.

    One line per non-empty paragraph, in order, table cells included, whitespace normalised
    (as `docx_lines` reads a DOCX): text inserted is kept and text deleted left out, except
    that the changes by `rejecting` are rejected (its insertions left out, deletions kept).
    """
    with zipfile.ZipFile(path) as docx:
        root = etree.fromstring(docx.read("word/document.xml"))
    body = root.find(f"{{{W}}}body")
    assert body is not None
    lines = []
    for paragraph in body.iter(f"{{{W}}}p"):
        text = "".join(_accepted(paragraph, rejecting))
        if normalise(text):
            lines.append(normalise(text))
    return lines


def _accepted(paragraph: etree._Element, rejecting: str) -> Iterator[str]:
    """Give the pieces of one paragraph's text, its changes accepted but for `rejecting`'s."""
    for element in paragraph.iter(*_TEXT):
        change, owner = None, None
        for ancestor in element.iterancestors():
            if ancestor.tag == f"{{{W}}}p":
                owner = ancestor
                break
            if change is None and ancestor.tag in _CHANGES:
                change = ancestor
        if owner is not paragraph:  # in a paragraph within this one (a text box): its own
            continue
        deleted = change is not None and change.tag in (f"{{{W}}}del", f"{{{W}}}moveFrom")
        inserted = change is not None and not deleted
        rejected = change is not None and change.get(f"{{{W}}}author") == rejecting
        if (deleted and not rejected) or (inserted and rejected):
            continue
        tag = etree.QName(element).localname
        if tag == "delText" and not deleted:
            continue
        yield {"tab": "\t", "br": "\n", "cr": "\n"}.get(tag, element.text or "")
