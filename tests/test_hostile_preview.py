"""`letters preview` against hostile requests: other sites, idle connections, odd paths.

Only the user's browser on this machine may read the letter; a bad request gets an HTTP
error, never a traceback; the preview stays responsive.
"""

from __future__ import annotations

import http.client
import json
import re
import resource
import select
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, copy_of_project, interruptible

LETTERS = str(Path(sys.executable).parent / "letters")
#: Long enough for anything on a busy machine; the tests wait this long only when they fail.
PATIENCE = 60
#: What a request beyond those the preview answers at once is told.
BUSY = b"busy: too many requests at once; try again\n"


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

    def stopped(self) -> str:
        """Stop the preview as Ctrl-C does; return what it printed on stdout after starting."""
        self.process.send_signal(signal.SIGINT)
        out, _ = self.process.communicate(timeout=PATIENCE)
        return out


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


@pytest.mark.slow  # waits for the 15 s keep-alive
def test_the_events_stream_outlives_the_idle_timeout(served: Served) -> None:
    # the page's events are one long response: a keep-alive comment comes every 15 s
    with socket.create_connection(("127.0.0.1", served.port), timeout=PATIENCE) as events:
        events.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % served.port)
        with events.makefile("rb") as stream:
            started = time.monotonic()
            assert stream.readline() == b"HTTP/1.0 200 OK\r\n"
            while stream.readline() != b"\r\n":  # the headers
                pass
            assert stream.readline().startswith(b"data: {") and stream.readline() == b"\n"
            assert stream.readline() == b": still here\n"
            assert time.monotonic() - started > 10  # longer than a silent connection is kept


@contextmanager
def open_files(wanted: int) -> Iterator[None]:
    """Let this process (and the preview it starts) open `wanted` files, as far as allowed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def closed_by_server(connections: list[socket.socket], within: float) -> list[socket.socket]:
    """Wait until the server has closed each connection; return those it left open."""
    selector = selectors.DefaultSelector()
    for connection in connections:
        selector.register(connection, selectors.EVENT_READ, connection)
    deadline = time.monotonic() + within
    try:
        while selector.get_map() and time.monotonic() < deadline:
            for key, _ in selector.select(1):
                selector.unregister(key.fileobj)
                assert key.data.recv(1) == b""
        return [key.data for key in selector.get_map().values()]
    finally:
        selector.close()


def reset(connection: socket.socket) -> None:
    """Close a connection abruptly (a TCP reset), as a crashed or hostile client does."""
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


@pytest.mark.slow  # 1,000 connections, held until the preview's idle timeout closes them
def test_a_thousand_idle_connections_neither_keep_the_page_waiting_nor_stay_open(
    tmp_path: Path,
) -> None:
    clients: list[socket.socket] = []
    with open_files(4096), previewing(tmp_path) as served:
        try:
            address = ("127.0.0.1", served.port)
            for _ in range(1000):
                idle = socket.socket()
                clients.append(idle)
                idle.setblocking(False)
                idle.connect_ex(address)
            with selectors.DefaultSelector() as selector:
                for idle in clients:
                    selector.register(idle, selectors.EVENT_WRITE)
                deadline = time.monotonic() + PATIENCE
                while selector.get_map() and time.monotonic() < deadline:
                    for key, _ in selector.select(1):
                        selector.unregister(key.fileobj)
                assert not selector.get_map(), "the idle connections were not all made"
            # a request line begun and never finished; one reset halfway
            slow = socket.create_connection(address, timeout=PATIENCE)
            clients.append(slow)
            slow.sendall(b"GET /letter.pd")
            halfway = socket.create_connection(address, timeout=PATIENCE)
            halfway.sendall(b"GET /letter.pdf HTTP/1.1\r\n")
            time.sleep(0.5)  # let the preview start reading it
            reset(halfway)

            started = time.monotonic()
            status, page = ask(served.port, "/")
            took = time.monotonic() - started
            assert status == 200
            assert f"<title>Preview: {DEFAULT_LETTER.name}</title>".encode() in page
            assert took < 2, f"the page took {took:.1f} s behind 1,000 idle connections"

            left_open = closed_by_server(clients, within=PATIENCE)
            assert not left_open, f"{len(left_open)} silent connections left open"
            for client in clients:
                reset(client)
            assert "preview stopped" in served.stopped()
            assert "Traceback" not in served.said()
        finally:
            for client in clients:
                client.close()


@pytest.mark.slow  # sends a byte a second until the preview cuts it off
def test_a_request_sent_a_byte_at_a_time_is_cut_off(served: Served) -> None:
    # each byte comes well within a read's timeout; the whole request never does
    served.said()
    request = b"GET /letter.pdf HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % served.port
    request += b"X-Slow: " + b"a" * 1000
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", served.port), timeout=PATIENCE) as slow:
        for byte in request:
            slow.sendall(bytes([byte]))
            if select.select([slow], [], [], 1)[0]:
                break
            took = time.monotonic() - started
            assert took < PATIENCE / 2, f"the request was still being read after {took:.0f} s"
        assert slow.recv(65536) == b""
    assert "Traceback" not in served.said()


@pytest.mark.slow  # 1,000 open event streams, then waits for their 15 s keep-alive
def test_a_request_beyond_those_answered_at_once_is_told_so_at_once(tmp_path: Path) -> None:
    streams: list[socket.socket] = []
    with open_files(4096), previewing(tmp_path) as served:
        try:
            # each open page's events hold a place while the page is open
            for _ in range(1000):
                stream = socket.create_connection(("127.0.0.1", served.port), timeout=PATIENCE)
                streams.append(stream)
                stream.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % served.port)
                if stream.recv(17) != b"HTTP/1.0 200 OK\r\n":
                    break
            assert len(streams) < 1000, "no request was refused"
            started = time.monotonic()
            assert ask(served.port, "/") == (503, BUSY)
            assert time.monotonic() - started < PATIENCE / 2
        finally:
            for stream in streams:
                stream.close()
        # a closed page's events end at their next keep-alive, 15 s on
        deadline = time.monotonic() + 15 + PATIENCE
        while (status := ask(served.port, "/")[0]) == 503 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert status == 200
        assert "Traceback" not in served.said()
