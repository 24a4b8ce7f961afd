"""Nothing in the data or the templates reaches the network or files outside templates/."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, edit_yaml
from letters.build.build import build_letter
from letters.build.project import Project
from letters.cli import main
from letters.source.errors import RenderError


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """Listen on 127.0.0.1 over TCP and record every connection it receives."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    received.append(connection.recv(1024))
                except OSError:
                    received.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(2)
    server.close()


def _hostile_data(scratch: Path, port: int) -> None:
    """Put links to the listener and to outside files in the letter's data."""
    url = f"http://127.0.0.1:{port}"
    edit_yaml(
        scratch / "data" / DEFAULT_LETTER.name,
        "  areas_for_improvement:\n",
        "  areas_for_improvement:\n"
        f'    - \'![img]({url}/md.png) <img src="{url}/html.png"> <link rel=stylesheet'
        f' href="{url}/x.css"> [a]({url}/a)\'\n'
        f'    - \'{{{{ "".__class__.__mro__ }}}} <script>fetch("{url}/js")</script> file:///etc/passwd\'\n',
    )


def test_hostile_data_fetches_nothing(scratch: Path, listener: tuple[int, list[bytes]]) -> None:
    port, received = listener
    _hostile_data(scratch, port)
    built = build_letter(
        scratch / "data" / DEFAULT_LETTER.name, scratch / "out", project=Project(scratch)
    )
    assert received == [], "the listener on 127.0.0.1 was contacted"
    assert [w for w in built.warnings if "refused to fetch" in w] == []
    html = (scratch / "out" / "lancashire-2020-peel.html").read_text(encoding="utf-8")
    assert (
        "&lt;script&gt;" in html
        and "<script>" not in html
        and f'<img src="http://127.0.0.1:{port}' not in html
    )


@pytest.mark.parametrize(
    "rule",
    [
        '@import url("{url}/import.css");',
        'body {{ background-image: url("{url}/bg.png"); }}',
        'h1 { background-image: url("file:///etc/hostname"); }',
        'h2 { background-image: url("../data/lancashire-2020-peel.yaml"); }',
    ],
)
def test_a_link_in_the_house_css_stops_the_build_and_fetches_nothing(
    scratch: Path, listener: tuple[int, list[bytes]], rule: str
) -> None:
    port, received = listener
    css = scratch / "templates" / "house-style.css.j2"
    line = rule.replace("{url}", f"http://127.0.0.1:{port}").replace("{{", "{").replace("}}", "}")
    css.write_text(line + "\n" + css.read_text(encoding="utf-8"), encoding="utf-8")
    out = scratch / "out"
    result = CliRunner().invoke(
        main, ["build", str(scratch / "data" / DEFAULT_LETTER.name), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("templates/house-style.css.j2: line ")
    assert "the web page stands alone, so its CSS may name data: URLs only" in result.stderr
    assert not out.exists()
    assert received == []


def test_output_names_cannot_leave_the_output_folder(tmp_path: Path) -> None:
    from letters.build.output import safe_name

    with pytest.raises(RenderError):
        safe_name(tmp_path, "../escape.pdf")
    with pytest.raises(RenderError):
        safe_name(tmp_path, ".hidden.pdf")
    assert safe_name(tmp_path, "letter.pdf") == tmp_path.resolve() / "letter.pdf"


@pytest.mark.parametrize("failing", [1, 2, 3])
@pytest.mark.parametrize("before", ["none", "old"])
def test_a_failed_rename_leaves_every_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int, before: str
) -> None:
    import os

    from letters.build.output import write_all
    from letters.source.errors import RenderError

    names = ("a.docx", "a.pdf", "a.html")
    if before == "old":
        for name in names:
            (tmp_path / name).write_bytes(b"old " + name.encode())
    was = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    calls = {"n": 0}
    real_replace = os.replace

    def failing_replace(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] == failing:
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(RenderError) as caught:
        write_all({tmp_path / name: b"new " + name.encode() for name in names})
    assert str(caught.value).endswith(": No space left on device; nothing was changed")
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == was


def test_an_interrupted_write_is_cleared_by_the_next(tmp_path: Path) -> None:
    from letters.build.output import write_all

    (tmp_path / ".a.pdf.x1y2z3w4.part").write_bytes(b"half")
    (tmp_path / ".a.pdf.123.old").write_bytes(b"old")
    (tmp_path / ".mine.part").write_bytes(b"a file of someone else's")
    write_all({tmp_path / "a.pdf": b"%PDF-1"})
    assert sorted(path.name for path in tmp_path.iterdir()) == [".mine.part", "a.pdf"]
