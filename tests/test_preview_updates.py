"""`letters preview` after a save: what it builds again, and in which order the page hears it.

The preview keeps its project loaded, tells the page of a build once the PDF and HTML are
made (the DOCX follows), and draws again only the pages that changed. Each test serves a
preview from a copy of the project and listens to its events as the page does.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest

from conftest import DEFAULT_LETTER, copy_of_project, edit_yaml, normalise, patience
from letters.build.build import make_letter
from letters.build.project import Project
from letters.office import preview as preview_module
from letters.office.preview import Preview, serve

#: The default letter's first area for improvement ends so; the tests reword it.
FINDING_END = "problem-solving activity."
#: Words of the default letter's wording template (integrated-peel-2018.md.j2).
TEMPLATE_WORDS = "quarterly scrutiny meetings"


class Events:
    """A preview's event stream, read as the page's EventSource reads it."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=patience(30))
        self.connection.request("GET", "/events", headers={"Host": f"127.0.0.1:{port}"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200

    def next(self) -> dict[str, Any]:
        """Wait for the next event's state (the stream's keep-alive comments skipped)."""
        while True:
            line = self.response.readline()
            assert line, "the event stream ended"
            if line.startswith(b"data: "):
                state: dict[str, Any] = json.loads(line.removeprefix(b"data: "))
                return state

    def after(self, version: int) -> dict[str, Any]:
        """Wait for the state of a build after `version`."""
        while (state := self.next())["version"] <= version:
            pass
        return state


def get(port: int, path: str) -> bytes:
    """GET a path as the page does; fail on any status but 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=patience(30))
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (path, response.status, body[:200])
        return body
    finally:
        connection.close()


def pdf_texts(pdf: bytes) -> list[str]:
    """Read each page's text of a PDF."""
    return [normalise(page.extract_text() or "") for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def docx_text(data: bytes) -> str:
    """Read a DOCX's paragraphs' text."""
    return normalise(" ".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs))


@contextmanager
def serving(root: Path) -> Iterator[tuple[Preview, int]]:
    """Serve a preview of the default letter of the project at `root`, in this process."""
    preview = Preview(root / "data" / DEFAULT_LETTER.name, Project(root))
    ready = threading.Event()
    server = threading.Thread(target=serve, args=(preview, 0, ready), daemon=True)
    server.start()
    assert ready.wait(patience(30))
    try:
        yield preview, preview.port
    finally:
        preview.stop()
        server.join(patience(30))


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    """Copy the project, its letters made drafts; return the default letter's data."""
    copy_of_project(tmp_path)
    return tmp_path / "data" / DEFAULT_LETTER.name


def test_the_page_hears_of_a_saved_edit_before_the_docx_is_made(
    letter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving(letter.parent.parent) as (_, port):
        events = Events(port)
        first = events.next()
        assert first["error"] == "" and first["pages"] == 3
        get(port, "/letter.docx")  # the first build's DOCX is made
        # from now on a DOCX is made only once the test lets it
        import letters.render.docx

        made = letters.render.docx.render_docx
        may_make, making = threading.Event(), threading.Event()

        def held(*args: Any, **kwargs: Any) -> bytes:
            making.set()
            assert may_make.wait(patience(60)), "the DOCX was never let through"
            return made(*args, **kwargs)

        monkeypatch.setattr(letters.render.docx, "render_docx", held)
        try:
            edit_yaml(letter, FINDING_END, "problem-solving activity, reworded here.")
            state = events.after(first["version"])
            assert state["error"] == "" and not may_make.is_set()
            assert "reworded here" in get(port, "/letter.html").decode("utf-8")
            assert any("reworded here" in text for text in pdf_texts(get(port, "/letter.pdf")))
            assert making.wait(patience(30))  # the DOCX is being made: after the page heard
        finally:
            may_make.set()
        assert "reworded here" in docx_text(get(port, "/letter.docx"))


def test_an_edit_to_one_finding_draws_again_only_its_page_and_keeps_the_project(
    letter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[Path] = []

    class Counted(Project):
        def __init__(self, root: Path) -> None:
            loaded.append(root)
            super().__init__(root)

    monkeypatch.setattr(preview_module, "Project", Counted)
    with serving(letter.parent.parent) as (_, port):
        events = Events(port)
        before = events.next()
        texts = pdf_texts(get(port, "/letter.pdf"))
        images = [get(port, f"/page/{n}.png") for n in range(1, before["pages"] + 1)]
        on = [n for n, text in enumerate(texts) if "problem-solving activity." in text]
        assert len(on) == 1 and loaded == [letter.parent.parent]

        edit_yaml(letter, FINDING_END, "problem-solving activity, reworded here.")
        after = events.after(before["version"])
        assert after["error"] == "" and after["pages"] == before["pages"]
        redrawn = [n for n, token in enumerate(after["images"]) if token != before["images"][n]]
        assert redrawn == on
        now = [get(port, f"/page/{n}.png") for n in range(1, after["pages"] + 1)]
        assert [n for n in range(len(now)) if now[n] != images[n]] == on
        assert "reworded here" in pdf_texts(get(port, "/letter.pdf"))[on[0]]
        assert "reworded here" in get(port, "/letter.html").decode("utf-8")

        # a wording template's words: compiled again, the project kept
        template = letter.parent.parent / "templates" / "letters" / "integrated-peel-2018.md.j2"
        edit_yaml(template, TEMPLATE_WORDS, "monthly scrutiny meetings")
        state = events.after(after["version"])
        assert state["error"] == "" and "monthly scrutiny meetings" in normalise(
            " ".join(pdf_texts(get(port, "/letter.pdf")))
        )
        assert loaded == [letter.parent.parent]

        # the house style: the project loaded afresh
        style = letter.parent.parent / "templates" / "house-style.yaml"
        style.write_text(style.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        state = events.after(state["version"])
        assert state["error"] == "" and len(loaded) == 2


def test_a_template_saved_twice_within_one_tick_of_its_clock_shows_the_second_save(
    letter: Path,
) -> None:
    # a file's modification time is coarse: two saves in one tick look alike to Jinja
    template = letter.parent.parent / "templates" / "letters" / "integrated-peel-2018.md.j2"
    with serving(letter.parent.parent) as (_, port):
        events = Events(port)
        first = events.next()
        edit_yaml(template, TEMPLATE_WORDS, "monthly scrutiny meetings")
        ticked = os.stat(template).st_mtime_ns
        state = events.after(first["version"])
        assert "monthly scrutiny meetings" in get(port, "/letter.html").decode("utf-8")
        edit_yaml(template, "monthly scrutiny meetings", "weekly scrutiny meetings held in public")
        os.utime(template, ns=(ticked, ticked))
        state = events.after(state["version"])
        assert state["error"] == ""
        assert "weekly scrutiny meetings held in public" in get(port, "/letter.html").decode()


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        # a character no house font has: the letter's own warning, WeasyPrint's left out
        (DEFAULT_LETTER.name, (FINDING_END, "problem-solving activity \u0627.")),
        # two languages: the page shows the first's PDF; the second's is laid out after
        ("examples/dyfed-powys-2025-peel-bilingual.yaml", None),
    ],
)
def test_the_preview_shows_the_files_and_warnings_a_build_makes(
    tmp_path: Path, name: str, edit: tuple[str, str] | None
) -> None:
    copy_of_project(tmp_path)
    path = tmp_path / "data" / name
    if edit:
        edit_yaml(path, *edit)
    live = Preview(path, Project(tmp_path))
    live.rebuild()
    shown = live.snapshot
    assert shown.error == "" and shown.rendered is not None
    made = make_letter(path, ("docx", "pdf", "html"), Project(tmp_path))
    pdf = made.files.get(("pdf", "")) or made.files[("pdf", made.languages[0])]
    assert shown.rendered.pdf == pdf
    assert shown.rendered.html == made.files[("html", "")]
    assert shown.rendered.docx() == made.files[("docx", "")]
    assert shown.warnings == made.warnings
    assert bool(edit) == any("U+0627 ARABIC LETTER ALEF" in w for w in shown.warnings)


def test_a_file_added_beside_the_inputs_is_seen_at_the_next_look(letter: Path) -> None:
    live = Preview(letter, Project(letter.parent.parent))
    before = live.stamps()
    added = letter.parent.parent / "templates" / "common" / "added.md.j2"
    added.write_text("Added.\n", encoding="utf-8")
    assert added not in before and added in live.stamps()
    added.unlink()
    assert added not in live.stamps()


def test_a_file_read_half_saved_shows_no_mistake_when_the_save_ends_soon_after(
    letter: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an editor saving in place empties the file, then writes it: the watcher may look between
    monkeypatch.setattr(preview_module, "SETTLE", patience(1))
    whole = letter.read_text(encoding="utf-8")
    with serving(letter.parent.parent) as (_, port):
        events = Events(port)
        first = events.next()
        letter.write_text("", encoding="utf-8")
        time.sleep(patience(0.1))  # seen, and read (no letter in it), by now
        letter.write_text(whole.replace(FINDING_END, "problem-solving, saved."), encoding="utf-8")
        state = events.after(first["version"])
        assert state["error"] == "" and "problem-solving, saved." in get(
            port, "/letter.html"
        ).decode("utf-8")
        # a file left empty is a mistake, shown
        letter.write_text("", encoding="utf-8")
        state = events.after(state["version"])
        assert state["error"].endswith("the file is empty; expected the fields of a letter")


def test_an_editors_hidden_file_beside_the_templates_builds_nothing(letter: Path) -> None:
    # vim writes .name.swp beside the file it edits every few seconds: no input of a letter
    live = Preview(letter, Project(letter.parent.parent))
    before = live.stamps()
    swap = letter.parent.parent / "templates" / "letters" / ".integrated-peel-2018.md.j2.swp"
    swap.write_bytes(b"b0VIM 9.0")
    assert live.stamps() == before
