"""`letters review`: a reviewed DOCX's tracked changes and comments come back to their sources.

The reviewed files here are the project's own draft DOCX with Word's review markup written in
by hand: w:ins and w:del (as Word and LibreOffice write them), moves with their range marks,
inserted paragraph marks, formatting changes, comments with a reply linked as Word links it
(commentsExtended.xml), changes in a table's cell, a paragraph retyped, a lost bookmark.
What LibreOffice writes itself is tried in test_review_libreoffice.py. Expected sources are
found in the files (the line of a value in the YAML, of a sentence in the template).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree

from conftest import cli, copy_of_project
from conftest import run as run_command

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
DEFAULT = "data/lancashire-2020-peel.yaml"
TABLED = "data/warwickshire.yaml"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Make a draft project with two letters built: the default, and one with a findings table."""
    root = copy_of_project(tmp_path_factory.mktemp("review"))
    example = (root / "data/examples/warwickshire-2022-peel.yaml").read_text(encoding="utf-8")
    (root / TABLED).write_text(example.replace("../offices/", "offices/"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        for data in (DEFAULT, TABLED):
            result = cli("build", data, "--out", "out", "--format", "docx")
            assert result.exit_code == 0, result.output
        yield root


@pytest.fixture
def here(office: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Work in the office's project; its letters' data is put back as it was after each test."""
    monkeypatch.chdir(office)
    kept = {path: path.read_bytes() for path in (office / "data").glob("*.yaml")}
    yield office
    for path, data in kept.items():
        path.write_bytes(data)


def reviewed(
    made: Path,
    out: Path,
    edit: Callable[[etree._Element], None],
    comments: list[etree._Element] | None = None,
    extended: list[tuple[str, str]] | None = None,
) -> Path:
    """Write a copy of a DOCX with its document.xml edited, and comments added if given.

    `extended` links replies as Word does: (reply's paraId, parent's paraId).
    """
    with zipfile.ZipFile(made) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    edit(root)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if comments:
        holder = etree.Element(w("comments"), nsmap={"w": W, "w14": W14})
        holder.extend(comments)
        parts["word/comments.xml"] = etree.tostring(holder, xml_declaration=True, encoding="UTF-8")
        links = etree.Element(f"{{{W15}}}commentsEx", nsmap={"w15": W15})
        for child, parent in extended or []:
            entry = etree.SubElement(links, f"{{{W15}}}commentEx")
            entry.set(f"{{{W15}}}paraId", child)
            entry.set(f"{{{W15}}}paraIdParent", parent)
        parts["word/commentsExtended.xml"] = etree.tostring(links, xml_declaration=True)
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return out


def _run(text: str, deleted: bool = False) -> etree._Element:
    run = etree.Element(w("r"))
    t = etree.SubElement(run, w("delText" if deleted else "t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _change(kind: str, runs: list[etree._Element], author: str = "Rita Reviewer") -> etree._Element:
    change = etree.Element(w(kind))
    change.set(w("id"), str(abs(hash((kind, author, len(runs)))) % 10_000))
    change.set(w("author"), author)
    change.set(w("date"), "2024-01-02T09:00:00Z")
    change.extend(runs)
    return change


def _split_at(root: etree._Element, text: str) -> tuple[etree._Element, etree._Element]:
    """Split the run holding `text` so that `text` is a run of its own; return it and its w:t."""
    for t in root.iter(w("t")):
        if t.text and text in t.text:
            run = t.getparent()
            before, after = t.text.split(text, 1)
            parent = run.getparent()
            index = parent.index(run)
            parent.remove(run)
            pieces = [p for p in (before, text, after)]
            made = []
            for piece in pieces:
                copy = etree.fromstring(etree.tostring(run))
                copy.find(w("t")).text = piece
                copy.find(w("t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                made.append(copy)
            for offset, copy in enumerate(made):
                parent.insert(index + offset, copy)
            for copy in (made[0], made[2]):
                if not copy.find(w("t")).text:
                    parent.remove(copy)
            return made[1], made[1].find(w("t"))
    raise AssertionError(f"{text!r} is not in the document")


def replace_tracked(
    old: str, new: str, author: str = "Rita Reviewer"
) -> Callable[[etree._Element], None]:
    """Make an edit: `old` deleted, then `new` inserted, tracked, as Word writes them."""

    def edit(root: etree._Element) -> None:
        run, t = _split_at(root, old)
        parent = run.getparent()
        index = parent.index(run)
        parent.remove(run)
        parent.insert(index, _change("del", [_run(old, deleted=True)], author))
        if new:
            parent.insert(index + 1, _change("ins", [_run(new)], author))

    return edit


def insert_tracked(after: str, new: str) -> Callable[[etree._Element], None]:
    """Make an edit: `new` inserted, tracked, right after the text `after`."""

    def edit(root: etree._Element) -> None:
        run, _ = _split_at(root, after)
        parent = run.getparent()
        parent.insert(parent.index(run) + 1, _change("ins", [_run(new)]))

    return edit


def commented(
    on: str, author: str, text: str
) -> tuple[Callable[[etree._Element], None], etree._Element]:
    """Make an edit putting a comment's range around `on`, and the comment, as Word writes them."""

    def ranged(root: etree._Element) -> None:
        run, _ = _split_at(root, on)
        parent = run.getparent()
        parent.insert(parent.index(run), etree.Element(w("commentRangeStart"), {w("id"): "0"}))
        parent.insert(parent.index(run) + 1, etree.Element(w("commentRangeEnd"), {w("id"): "0"}))

    note = etree.Element(w("comment"), {w("id"): "0", w("author"): author})
    etree.SubElement(note, w("p")).append(_run(text))
    return ranged, note


def revised_body(here: Path) -> Path:
    """Review the default letter: its own text's fourth word made REVISED, tracked."""
    word = first_body_paragraph(here).split()[3]
    made = here / "out/lancashire-2020-peel.docx"
    return reviewed(made, here / "r.docx", replace_tracked(f" {word} ", " REVISED "))


def both(*edits: Callable[[etree._Element], None]) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        for one in edits:
            one(root)

    return edit


def line_of(path: Path, text: str) -> int:
    """Find the line of a file on which `text` is: found, never written out.

    A YAML block scalar's value starts on the line of its indicator ('- >-'), as messages say.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        if text in line:
            before = lines[number - 2].rstrip() if number > 1 else ""
            return number - 1 if before.endswith((">", ">-", "|", "|-")) else number
    raise AssertionError(f"{text!r} is not in {path}")


def paragraph_text(paragraph: etree._Element) -> str:
    return "".join(t.text or "" for t in paragraph.iter(w("t")))


def review(*args: str) -> tuple[int, str, str]:
    result = cli("review", *args)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr.strip()


def first_body_paragraph(root: Path) -> str:
    """Find the first words of the default letter's own text, as the data gives them."""
    text = (root / DEFAULT).read_text(encoding="utf-8")
    found = re.search(r"body:\n\s+- (?:>-?\n\s+)?(.+)", text)
    assert found
    words = found.group(1).split()
    return " ".join(words[: next(i for i, word in enumerate(words) if "{" in word)])


def test_an_unreviewed_copy_has_nothing_to_bring_back(here: Path) -> None:
    status, out, err = review(DEFAULT, "out/lancashire-2020-peel.docx")
    assert (status, err) == (0, "")
    assert out.startswith(
        "data/lancashire-2020-peel.yaml: 0 changes, 0 comments (reviewed copy of inputs "
    )
    assert len(out.strip().splitlines()) == 1


def test_the_bookmarks_are_hidden_and_name_every_paragraph_of_the_letter(here: Path) -> None:
    with zipfile.ZipFile(here / "out/lancashire-2020-peel.docx") as package:
        document = etree.fromstring(package.read("word/document.xml"))
        maps = [
            etree.fromstring(package.read(name))
            for name in package.namelist()
            if re.fullmatch(r"customXml/item\d+\.xml", name)
        ]
        maps = [found for found in maps if found.tag == "{urn:letters:review:1}letter"]
    names = [b.get(w("name")) for b in document.iter(w("bookmarkStart"))]
    assert names and all(name.startswith("_") for name in names)  # Word hides these
    assert len(maps) == 1
    review_map = maps[0]
    assert review_map.get("letter") == DEFAULT
    assert review_map.get("state") == "draft"
    units = {u.get("name"): u.findtext("{urn:letters:review:1}text") for u in review_map}
    # each paragraph bookmark is around exactly the text the map gives for it
    for start in document.iter(w("bookmarkStart")):
        name = start.get(w("name"))
        if "v" in name:
            continue
        paragraph = start.getparent()
        text = "".join(t.text or "" for t in paragraph.iter(w("t")))
        assert text == units[name], name
    body = first_body_paragraph(here)
    unit = next(
        u
        for u in review_map
        if (u.findtext("{urn:letters:review:1}text") or "").startswith(body[:40])
    )
    assert unit.get("kind") == "data"
    assert unit.get("field") == "paragraphs.body[0]"
    assert int(unit.get("line")) == line_of(here / DEFAULT, body[:40])


def test_a_change_in_the_letters_own_text_is_listed_at_its_field_and_applied(here: Path) -> None:
    body = first_body_paragraph(here)
    word = body.split()[3]
    out = revised_body(here)
    status, listed, _ = review(DEFAULT, str(out))
    line = line_of(here / DEFAULT, body[:40])
    assert status == 0
    assert f"replace: data/lancashire-2020-peel.yaml:{line} paragraphs.body[0]" in listed
    assert "-> goes to the data with --apply" in listed
    before = (here / DEFAULT).read_text(encoding="utf-8")
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 0, listed
    after = (here / DEFAULT).read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 2, changed
    assert f" {word} " in changed[0] and " REVISED " in changed[1]


def test_a_changed_finding_in_a_list_item_goes_to_its_own_field(here: Path) -> None:
    text = (here / DEFAULT).read_text(encoding="utf-8")
    afi = re.search(r"areas_for_improvement:\n(?:\s+#.*\n)*\s+- (.+)", text)
    assert afi
    first = afi.group(1).strip()
    out = reviewed(
        here / "out/lancashire-2020-peel.docx",
        here / "r.docx",
        insert_tracked(first[:30], " (URGENT)"),
    )
    _, listed, _ = review(DEFAULT, str(out))
    line = line_of(here / DEFAULT, first)
    assert (
        f"insert: data/lancashire-2020-peel.yaml:{line} report.areas_for_improvement[0]" in listed
    )
    review(DEFAULT, str(out), "--apply")
    assert first[:30] + " (URGENT)" + first[30:] in (here / DEFAULT).read_text(encoding="utf-8")


def test_changes_in_a_tables_cells_are_placed_by_row(here: Path) -> None:
    data = here / TABLED
    responses = re.findall(r"^\s+response: (.+)", data.read_text(encoding="utf-8"), re.M)
    out = reviewed(
        here / "out/warwickshire.docx",
        here / "r.docx",
        both(
            replace_tracked(responses[0].split()[-1], "fortnightly."),
            insert_tracked(" ".join(responses[2].split()[:3]), " (new)"),
        ),
    )
    status, listed, _ = review(TABLED, str(out))
    assert status == 0
    for index in (0, 2):
        line = line_of(data, responses[index])
        assert f"data/warwickshire.yaml:{line} report.findings[{index}].response" in listed
    assert "in a table: row 2, column 3" in listed
    assert "report.findings[1].response" not in listed


def test_a_template_sentence_is_listed_for_the_office_and_never_applied(here: Path) -> None:
    template = here / "templates/letters/integrated-peel-2018.md.j2"
    sentence = "As you would expect, I will continue to hold"
    out = reviewed(
        here / "out/lancashire-2020-peel.docx",
        here / "r.docx",
        replace_tracked("I will continue to hold", "I shall continue to hold"),
    )
    before = (here / DEFAULT).read_bytes()
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 1
    line = line_of(template, sentence)
    assert f"replace: templates/letters/integrated-peel-2018.md.j2:{line}" in listed
    assert (
        "-> by hand: the words are the template's: edit "
        f"templates/letters/integrated-peel-2018.md.j2 at line {line}" in listed
    )
    assert (here / DEFAULT).read_bytes() == before


def test_a_change_from_a_value_into_the_templates_words_is_never_guessed(here: Path) -> None:
    # 'Dear Priti Patel': the salutation's word and the recipient's name, in one change

    def greet(root: etree._Element) -> None:
        paragraph = next(p for p in root.iter(w("p")) if paragraph_text(p) == "Dear Priti Patel")
        replace_tracked("Dear ", "Hello Ms ")(paragraph)
        replace_tracked("Priti", "")(paragraph)

    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", greet)
    before = (here / DEFAULT).read_bytes()
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 1
    assert "-> not placed: it runs from data/lancashire-2020-peel.yaml" in listed
    assert "recipient.name into the template's words" in listed
    assert (here / DEFAULT).read_bytes() == before


def test_a_retyped_paragraph_replaces_its_field(here: Path) -> None:
    body = first_body_paragraph(here)
    with zipfile.ZipFile(here / "out/lancashire-2020-peel.docx") as package:
        document = etree.fromstring(package.read("word/document.xml"))
    paragraph = next(
        p
        for p in document.iter(w("p"))
        if "".join(t.text or "" for t in p.iter(w("t"))).startswith(body[:40])
    )
    whole = "".join(t.text or "" for t in paragraph.iter(w("t")))

    def retype(root: etree._Element) -> None:
        target = next(
            p for p in root.iter(w("p")) if "".join(t.text or "" for t in p.iter(w("t"))) == whole
        )
        for run in target.findall(w("r")):
            target.remove(run)
        target.append(_change("del", [_run(whole, deleted=True)]))
        target.append(_change("ins", [_run("A shorter paragraph, typed afresh.")]))

    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", retype)
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 0, listed
    assert "A shorter paragraph, typed afresh." in (here / DEFAULT).read_text(encoding="utf-8")
    assert body[:40] not in (here / DEFAULT).read_text(encoding="utf-8")


def test_a_move_within_a_paragraph_is_listed_from_and_to_and_applied(here: Path) -> None:
    body = first_body_paragraph(here)
    words = body.split()
    moved = " ".join(words[1:3]) + " "

    def move(root: etree._Element) -> None:
        run, _ = _split_at(root, moved)
        parent = run.getparent()
        index = parent.index(run)
        parent.remove(run)
        start = etree.Element(w("moveFromRangeStart"), {w("id"): "901", w("name"): "move1"})
        parent.insert(index, start)
        parent.insert(index + 1, _change("moveFrom", [_run(moved)]))  # Mac Word keeps w:t here
        parent.insert(index + 2, etree.Element(w("moveFromRangeEnd"), {w("id"): "901"}))
        end = [t for t in parent.iter(w("t"))][-1].getparent()
        parent.insert(parent.index(end) + 1, _change("moveTo", [_run(" " + moved.strip())]))

    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", move)
    _, listed, _ = review(DEFAULT, str(out))
    assert listed.count("move: data/lancashire-2020-peel.yaml") == 2, listed
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 0, listed
    text = " ".join((here / DEFAULT).read_text(encoding="utf-8").split())
    assert "I that with over" in text  # 'am pleased ' left the start
    assert "in the country. am pleased" in text  # and came to the end


def test_comments_and_their_replies_are_kept_under_review_until_resolved(here: Path) -> None:
    body = first_body_paragraph(here)
    on = " ".join(body.split()[:4])

    def ranged(root: etree._Element) -> None:
        run, _ = _split_at(root, on)
        parent = run.getparent()
        index = parent.index(run)
        for offset, tag in ((0, "commentRangeStart"),):
            for cid in ("0", "1"):
                parent.insert(index + offset, etree.Element(w(tag), {w("id"): cid}))
        after = parent.index(run) + 1
        for cid in ("1", "0"):
            parent.insert(after, etree.Element(w("commentRangeEnd"), {w("id"): cid}))

    def comment(cid: str, author: str, text: str, para: str) -> etree._Element:
        element = etree.Element(
            w("comment"), {w("id"): cid, w("author"): author, w("date"): "2024-01-03T10:00:00Z"}
        )
        paragraph = etree.SubElement(element, w("p"), {f"{{{W14}}}paraId": para})
        paragraph.append(_run(text))
        return element

    out = reviewed(
        here / "out/lancashire-2020-peel.docx",
        here / "r.docx",
        ranged,
        [
            comment("0", "Carla Commenter", "Is this too strong?", "1A2B3C4D"),
            comment("1", "Dan Drafter", "I think it is fine.", "5E6F7A8B"),
        ],
        extended=[("5E6F7A8B", "1A2B3C4D")],
    )
    line = line_of(here / DEFAULT, body[:40])
    status, listed, _ = review(DEFAULT, str(out))
    assert status == 0
    assert (
        f"comment: data/lancashire-2020-peel.yaml:{line} paragraphs.body[0]  "
        "(Carla Commenter, 2024-01-03)" in listed
    )
    assert f"on:   {on}" in listed
    assert "reply from Dan Drafter: I think it is fine." in listed
    assert listed.count("comment: ") == 1  # the reply is under its comment, not beside it
    review(DEFAULT, str(out), "--apply")
    checked = cli("check", DEFAULT)
    assert (
        "review comment from Carla Commenter on 2024-01-03 about "
        f"data/lancashire-2020-peel.yaml:{line} "
        f'paragraphs.body[0]: "Is this too strong?", reply from Dan Drafter: "I think it is fine."'
    ) in checked.output


def test_a_lost_bookmark_is_found_again_by_its_text(here: Path) -> None:
    body = first_body_paragraph(here)
    word = body.split()[3]

    def lose_bookmarks(root: etree._Element) -> None:
        for tag in ("bookmarkStart", "bookmarkEnd"):
            for mark in list(root.iter(w(tag))):
                mark.getparent().remove(mark)
        replace_tracked(f" {word} ", " REVISED ")(root)

    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", lose_bookmarks)
    _, listed, _ = review(DEFAULT, str(out))
    assert "replace: data/lancashire-2020-peel.yaml:" in listed
    assert "paragraphs.body[0]" in listed


def test_a_formatting_change_is_noted_not_applied(here: Path) -> None:

    def bold(root: etree._Element) -> None:
        run, _ = _split_at(root, "pleased")
        properties = run.find(w("rPr"))
        if properties is None:
            properties = etree.SubElement(run, w("rPr"))
            run.insert(0, properties)
        etree.SubElement(properties, w("b"))
        change = etree.SubElement(
            properties,
            w("rPrChange"),
            {w("id"): "5", w("author"): "Rita Reviewer", w("date"): "2024-01-02T09:00:00Z"},
        )
        etree.SubElement(change, w("rPr"))

    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", bold)
    status, listed, _ = review(DEFAULT, str(out))
    assert status == 0
    assert "formatting: data/lancashire-2020-peel.yaml" in listed
    assert "a change of text formatting only" in listed


def test_a_reviewed_copy_of_another_letter_is_refused(here: Path) -> None:
    status, _, err = review(TABLED, "out/lancashire-2020-peel.docx")
    assert status == 1
    assert err.startswith(
        "error: out/lancashire-2020-peel.docx: was made from data/lancashire-2020-peel.yaml "
        "(inputs "
    )
    assert err.endswith(
        "not data/warwickshire.yaml; review it against data/lancashire-2020-peel.yaml, or "
        "give --force"
    )


def test_a_reviewed_copy_of_older_inputs_is_refused_unless_forced(here: Path) -> None:
    data = here / DEFAULT
    data.write_text(
        data.read_text(encoding="utf-8") + "\n# a comment changes the inputs\n", encoding="utf-8"
    )
    status, _, err = review(DEFAULT, "out/lancashire-2020-peel.docx")
    assert status == 1
    assert "the letter's data or templates changed since" in err
    assert "Give --force" in err
    status, out, _ = review(DEFAULT, "out/lancashire-2020-peel.docx", "--force")
    assert status == 0 and "0 changes" in out


def test_only_a_draft_takes_a_review(here: Path) -> None:
    body = first_body_paragraph(here)
    out = reviewed(
        here / "out/lancashire-2020-peel.docx",
        here / "r.docx",
        replace_tracked(body.split()[3], "X"),
    )
    data = here / DEFAULT
    data.write_text(
        data.read_text(encoding="utf-8").replace(
            "status:\n  state: draft\n",
            "status:\n  state: approved\n  approved_by: A Person\n  approved_on: 2020-03-30\n",
        ),
        encoding="utf-8",
    )
    status, _, err = review(DEFAULT, str(out), "--apply", "--force")
    assert status == 1
    assert (
        err
        == "error: data/lancashire-2020-peel.yaml: is approved; a reviewed copy is applied to a "
        "draft only: reopen it first (letters reopen --why ...)"
    )


def test_a_file_without_a_map_needs_force(here: Path, tmp_path: Path) -> None:
    import docx

    plain = tmp_path / "plain.docx"
    document = docx.Document()
    document.add_paragraph("Some words from elsewhere.")
    document.save(str(plain))
    status, _, err = review(DEFAULT, str(plain))
    assert status == 1
    assert "carries no map of where its text comes from" in err
    status, out, _ = review(DEFAULT, str(plain), "--force")
    assert status == 0 and "0 changes" in out


@pytest.mark.parametrize(
    "content, said",
    [
        (b"not a zip at all", "cannot be read as a DOCX"),
        (None, "is not a Word document (it has no word/document.xml)"),
    ],
)
def test_a_file_that_is_no_docx_is_refused_plainly(
    here: Path, tmp_path: Path, content: bytes | None, said: str
) -> None:
    bad = tmp_path / "bad.docx"
    if content is None:
        with zipfile.ZipFile(bad, "w") as package:
            package.writestr("hello.txt", "hello")
    else:
        bad.write_bytes(content)
    status, _, err = review(DEFAULT, str(bad))
    assert status == 1
    assert said in err


def test_entities_in_a_reviewed_file_are_not_expanded(here: Path, tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY f SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="'
        + W.encode()
        + b'"><w:body><w:p><w:r><w:t>&b;&f;</w:t></w:r></w:p></w:body></w:document>'
    )
    bad = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bad, "w") as package:
        package.writestr("word/document.xml", bomb)
    status, out, err = review(DEFAULT, str(bad), "--force", "--json")
    assert "root:" not in out + err
    assert "aaaaaaaaaa" not in out + err


def test_the_list_is_json_on_asking(here: Path) -> None:
    body = first_body_paragraph(here)
    word = body.split()[3]
    out = revised_body(here)
    status, listed, _ = review(DEFAULT, str(out), "--json")
    found = json.loads(listed)
    assert found["letter"]["letter"] == DEFAULT
    [item] = found["items"]
    assert item["what"] == "replace"
    assert item["old"] == f" {word} " and item["new"] == " REVISED "
    assert item["source"].endswith("paragraphs.body[0]")
    assert item["action"] == "apply"
    assert item["by"] == "Rita Reviewer"


def test_after_applying_the_built_docx_reads_as_the_review_accepted(here: Path) -> None:
    body = first_body_paragraph(here)
    text = (here / DEFAULT).read_text(encoding="utf-8")
    first = re.search(r"areas_for_improvement:\n(?:\s+#.*\n)*\s+- (.+)", text)
    assert first
    out = reviewed(
        here / "out/lancashire-2020-peel.docx",
        here / "r.docx",
        both(
            replace_tracked(f" {body.split()[3]} ", " REVISED "),
            insert_tracked(first.group(1).strip()[:30], " (URGENT)"),
        ),
    )
    with zipfile.ZipFile(out) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 0, listed
    shutil.rmtree(here / "out2", ignore_errors=True)
    assert cli("build", DEFAULT, "--out", "out2", "--format", "docx").exit_code == 0
    with zipfile.ZipFile(here / "out2/lancashire-2020-peel.docx") as package:
        rebuilt = etree.fromstring(package.read("word/document.xml"))
    # the reviewed file's text with every change accepted, read from its XML here
    assert accepted_text(rebuilt) == accepted_text(root)
    assert any(" REVISED " in line for line in accepted_text(rebuilt))


def accepted_text(root: etree._Element) -> list[str]:
    """List each non-empty paragraph's text, tables' too, with every change accepted."""
    texts = (
        "".join(
            t.text or ""
            for t in p.iter(w("t"))
            if not any(a.tag == w("del") for a in t.iterancestors())
        )
        for p in root.iter(w("p"))
    )
    return [text for text in texts if text]


def test_a_change_to_a_derived_date_names_the_fact_it_is_made_from(here: Path) -> None:
    template = here / "templates/letters/integrated-peel-2018.md.j2"
    out = reviewed(
        here / "out/lancashire-2020-peel.docx",
        here / "r.docx",
        replace_tracked("7 February 2020", "8 February 2020"),
    )
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 1
    line = line_of(template, "I write in response to the publication of")
    assert "replace: derived from facts.report_published" in listed
    assert (
        "-> by hand: facts.report_published is made from the letter's facts by "
        f"templates/letters/integrated-peel-2018.md.j2 at line {line}: change the facts in the "
        "data, or the template"
    ) in listed


def test_a_map_that_lies_cannot_steer_a_change_into_the_letters_status(here: Path) -> None:
    # a paragraph whose map says it prints status.state: the file comes from outside
    def lie(root: etree._Element) -> None:
        body = root.find(w("body"))
        assert body is not None
        paragraph = etree.SubElement(body, w("p"))
        paragraph.append(etree.Element(w("bookmarkStart"), {w("id"): "990", w("name"): "_Ltr990"}))
        paragraph.append(_change("del", [_run("draft", deleted=True)]))
        paragraph.append(_change("ins", [_run("sent")]))
        paragraph.append(etree.Element(w("bookmarkEnd"), {w("id"): "990"}))

    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", lie)
    with zipfile.ZipFile(out) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    [name] = [n for n in parts if b"urn:letters:review:1" in parts[n] and "itemProps" not in n]
    review_map = etree.fromstring(parts[name])
    unit = etree.SubElement(review_map, "{urn:letters:review:1}unit", name="_Ltr990")
    unit.set("kind", "data")
    unit.set("file", DEFAULT)
    unit.set("field", "status.state")
    unit.set("path", '["status", "state"]')
    etree.SubElement(unit, "{urn:letters:review:1}text").text = "draft"
    parts[name] = etree.tostring(review_map)
    with zipfile.ZipFile(out, "w") as package:
        for part, data in parts.items():
            package.writestr(part, data)
    before = (here / DEFAULT).read_bytes()
    status, _, err = review(DEFAULT, str(out), "--apply")
    assert status == 1
    assert err == (
        f"error: {out}: its map of sources does not match the letter it names, {DEFAULT}, "
        "though its digest does: the file was altered after it was made"
    )
    # forced, the sources are the letter's own: a paragraph it does not have is placed nowhere
    status, listed, _ = review(DEFAULT, str(out), "--apply", "--force")
    assert status == 1
    assert "-> not placed: its paragraph is not in the letter" in listed
    assert (here / DEFAULT).read_bytes() == before


def test_changes_brought_back_show_in_diff_like_any_other(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    example = (scratch / "data/examples/warwickshire-2022-peel.yaml").read_text(encoding="utf-8")
    (scratch / TABLED).write_text(example.replace("../offices/", "offices/"), encoding="utf-8")
    assert cli("approve", TABLED, "--by", "Philip Seccombe").exit_code == 0
    assert cli("reopen", TABLED, "--why", "The chief executive's review").exit_code == 0
    assert cli("build", TABLED, "--out", "out", "--format", "docx").exit_code == 0
    response = re.findall(r"^\s+response: (.+)", (scratch / TABLED).read_text("utf-8"), re.M)[0]
    last = response.split()[-1]
    out = reviewed(
        scratch / "out/warwickshire.docx", scratch / "r.docx", replace_tracked(last, "often.")
    )
    status, listed, _ = review(TABLED, str(out), "--apply")
    assert status == 0, listed
    result = cli("diff", TABLED, "--out", "out")
    assert result.exit_code == 0, result.output
    assert "1 change since version 1" in result.output
    page = (scratch / "out/warwickshire.redline.html").read_text(encoding="utf-8")
    assert re.search(rf"<del[^>]*>[^<]*{re.escape(last)}", page)
    assert re.search(r"<ins[^>]*>[^<]*often\.", page)


def test_a_value_changed_differently_where_it_prints_twice_is_not_guessed(here: Path) -> None:
    data = here / DEFAULT
    force = re.search(r"^force:\n  name: (.+)$", data.read_text(encoding="utf-8"), re.M)
    assert force
    name = force.group(1).strip()

    def twice(root: etree._Element) -> None:
        runs = [t for t in root.iter(w("t")) if t.text == name]
        assert len(runs) >= 2
        for t, new in zip(runs[:2], ("Lancashire Police", "Lancs Police"), strict=True):
            run = t.getparent()
            parent = run.getparent()
            index = parent.index(run)
            parent.remove(run)
            parent.insert(index, _change("del", [_run(name, deleted=True)]))
            parent.insert(index + 1, _change("ins", [_run(new)]))

    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", twice)
    before = data.read_bytes()
    status, listed, _ = review(DEFAULT, str(out), "--apply")
    assert status == 1
    assert "force.name prints in 2 places and was changed differently in them" in listed
    assert data.read_bytes() == before


def test_comments_brought_back_twice_are_kept_once(here: Path) -> None:
    body = first_body_paragraph(here)

    ranged, note = commented(body, "Carla Commenter", "Shorter, please.")
    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", ranged, [note])
    review(DEFAULT, str(out), "--apply")
    review(DEFAULT, str(out), "--apply", "--force")
    assert (here / DEFAULT).read_text(encoding="utf-8").count("Shorter, please.") == 1


def test_a_review_too_large_for_a_letter_is_refused_before_anything_is_read(
    here: Path, tmp_path: Path
) -> None:
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as package:
        body = b"<w:p/>" * 20_001
        package.writestr(
            "word/document.xml",
            b'<w:document xmlns:w="'
            + W.encode()
            + b'"><w:body>'
            + body
            + b"</w:body></w:document>",
        )
    status, _, err = review(DEFAULT, str(many), "--force")
    assert status == 1
    assert err == (
        f"error: {many}: holds 20,001 paragraphs; a letter has far fewer (at most 20,000 are read)"
    )


def test_the_json_list_escapes_what_a_terminal_acts_on(here: Path) -> None:
    body = first_body_paragraph(here)

    ranged, note = commented(body, "Eve\u009b2J", "right\u202eto left")
    out = reviewed(here / "out/lancashire-2020-peel.docx", here / "r.docx", ranged, [note])
    status, listed, _ = review(DEFAULT, str(out), "--json")
    assert status == 0
    assert "\u009b" not in listed and "\u202e" not in listed
    [item] = json.loads(listed)["items"]
    assert (item["by"], item["new"]) == ("Eve\u009b2J", "right\u202eto left")


def test_a_drafts_docx_is_the_same_whatever_the_process_hashes_with(office: Path) -> None:
    # the map of sources is the same bytes in every process: a build worker's, or alone
    made = []
    for seed in ("1", "2"):
        out = office / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = run_command(
            [sys.executable, "-m", "letters.cli", "build", TABLED, "--out", str(out),
             "--format", "docx", "--force"],
            cwd=office, env=env, capture_output=True,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        made.append((out / "warwickshire.docx").read_bytes())
    assert made[0] == made[1]
