"""`letters preview` against hostile requests: other sites, odd paths.

Only the user's browser on this machine may read the letter; a bad request gets an HTTP
error, never a traceback; the preview stays responsive.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, copy_of_project, interruptible

LETTERS = str(Path(sys.executable).parent / "letters")
#: Long enough for anything on a busy machine; the tests wait this long only when they fail.
PATIENCE = 60


@dataclass
class Served:
    """A running `letters preview`, and what it has printed on stderr."""

    port: int
    process: subprocess.Popen[str]
    stderr: Path
    read: int = 0

    def said(self) -> str:
        """Return what the preview printed on stderr since last asked."""
        text = self.stderr.read_text(encoding="utf-8")
        said, self.read = text[self.read :], len(text)
        return said


@contextmanager
def previewing(root: Path) -> Iterator[Served]:
    """Serve a preview of the default letter from a copy of the project, built once."""
    copy_of_project(root)
    stderr = root / "stderr.txt"
    with stderr.open("w", encoding="utf-8") as err:
        process = subprocess.Popen(
            [LETTERS, "preview", "--port", "0", f"data/{DEFAULT_LETTER.name}"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            preexec_fn=interruptible,
        )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.match(r"previewing \S+ at http://127\.0\.0\.1:(\d+)/ ", line)
        assert found, line + stderr.read_text(encoding="utf-8")
        served = Served(int(found.group(1)), process, stderr)
        status, body = ask(served.port, "/events")
        assert status == 200 and json.loads(body.removeprefix(b"data: "))["pages"] == 3
        yield served
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=PATIENCE)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Serve one preview for the tests that send it single requests."""
    with previewing(tmp_path_factory.mktemp("hostile")) as served:
        yield served


def ask(port: int, path: str, headers: list[tuple[str, str]] | None = None) -> tuple[int, bytes]:
    """GET a path as a browser would, naming 127.0.0.1:port unless told the headers.

    Return the status and the body: the whole body, or of an endless event stream its first line.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in [("Host", f"127.0.0.1:{port}")] if headers is None else headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        if response.getheader("Content-Type") == "text/event-stream":
            return response.status, response.readline().rstrip(b"\n")
        return response.status, response.read()
    finally:
        connection.close()


def raw(port: int, request: bytes) -> bytes:
    """Send a request as bytes; return the whole answer, as the server closes after one."""
    with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def refusal(port: int) -> bytes:
    """Return the body of the preview's refusal of another site."""
    return f"forbidden: this preview answers only http://127.0.0.1:{port}/\n".encode()


#: Requests a page on another site can make (its Host after DNS rebinding, its Origin when it
#: asks 127.0.0.1 directly), or that no browser makes: "{port}" is the preview's port.
REFUSED = [
    ("/", [("Host", "attacker.example:{port}")]),
    ("/letter.html", [("Host", "attacker.example:{port}")]),
    ("/letter.pdf", [("Host", "attacker.example")]),
    ("/events", [("Host", "127.0.0.1.attacker.example:{port}")]),
    ("/page/1.png", [("Host", "127.0.0.1")]),
    ("/", [("Host", "localhost:1{port}")]),
    ("/", []),
    ("/", [("Host", "127.0.0.1:{port}"), ("Host", "attacker.example:{port}")]),
    ("/letter.docx", [("Host", "127.0.0.1:{port}"), ("Origin", "http://attacker.example")]),
    ("/events", [("Host", "localhost:{port}"), ("Origin", "null")]),
    ("/", [("Host", "127.0.0.1:{port}"), ("Origin", "https://127.0.0.1:{port}")]),
    ("/", [("Host", "127.0.0.1:{port}"), ("Origin", "http://127.0.0.1:{port}.attacker.example")]),
]


@pytest.mark.parametrize(("path", "headers"), REFUSED)
def test_a_request_naming_another_host_or_from_another_origin_is_refused(
    served: Served, path: str, headers: list[tuple[str, str]]
) -> None:
    status, body = ask(served.port, path, [(n, v.format(port=served.port)) for n, v in headers])
    assert (status, body) == (403, refusal(served.port))


@pytest.mark.parametrize(
    "headers",
    [
        [("Host", "127.0.0.1:{port}")],
        [("Host", "localhost:{port}")],
        [("Host", "127.0.0.1:{port}"), ("Origin", "http://127.0.0.1:{port}")],
        [("Host", "localhost:{port}"), ("Origin", "http://localhost:{port}")],
    ],
)
def test_the_browser_on_this_machine_is_answered(
    served: Served, headers: list[tuple[str, str]]
) -> None:
    headers = [(n, v.format(port=served.port)) for n, v in headers]
    status, body = ask(served.port, "/letter.html", headers)
    assert status == 200 and body.startswith(b"<!DOCTYPE html>")
    status, body = ask(served.port, "/page/3.png", headers)
    assert status == 200 and body.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize(
    "path",
    [
        b"/page/\xb2.png",  # '²' in the request line's Latin-1: str.isdigit says yes
        b"/page/\xb9.png",
        b"/page/%C2%B2.png",
        b"/page/" + b"9" * 5000 + b".png",  # more digits than int() reads
        b"//[/page/1.png",  # urlparse raises on '//[' (http.server makes it '/[' first)
        b"/page/0.png",
        b"/page/4.png",
        b"/page/-1.png",
        b"/page/1.png.png",
        b"/page/.png",
    ],
)
def test_a_page_that_is_not_there_is_not_found_without_a_traceback(
    served: Served, path: bytes
) -> None:
    served.said()
    answer = raw(
        served.port, b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (path, served.port)
    )
    assert answer.startswith(b"HTTP/1.0 404 Not Found\r\n"), answer[:200]
    assert "Traceback" not in served.said()
