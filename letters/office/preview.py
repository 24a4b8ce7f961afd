"""A live preview of one letter: its PDF pages as WeasyPrint lays them out, and its HTML.

`letters preview DATA` serves on 127.0.0.1 a page showing the letter's PDF pages as images
(a browser does not draw WeasyPrint's page margins, footers or breaks), the HTML version
beside them, and links to the current PDF and DOCX. It watches the letter's data, its
office's file, the templates, the house style and the fonts; on a save it rebuilds, and
the open page updates itself (server-sent events). A mistake shows in the page with its
file and line, and the preview recovers on the next good save.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import selectors
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

from ..build.project import Project
from ..source.errors import LettersError

#: How often the watcher looks at the inputs' modification times, in seconds.
POLL = 0.1
#: The resolution of the page images, in dots per inch.
DPI = 110
#: How long, in seconds, a connection may keep the server waiting: for its whole request once
#: connected, and for each write after. A browser asks at once; a connection this slow is
#: abandoned or hostile, and is closed.
IDLE = 5.0
#: How many requests are answered at once; each open page holds one for its events. A request
#: beyond is answered 503 at once, never queued.
BUSY = 64
#: How many connections may wait, silent, for their request at once; beyond, the oldest is
#: closed, so silent connections cannot use up the file descriptors.
WAITING = 512
#: What a request beyond BUSY is told.
BUSY_BODY = b"busy: too many requests at once; try again\n"


@dataclass
class Snapshot:
    """The letter as last built: its page images and files, or the mistake that stopped it."""

    version: int = 0
    pages: list[bytes] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    error: str = ""
    #: What the checks and the renderer warned of, as `letters build` says it.
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0


class Preview:
    """Build a letter on every change to its inputs and hold the latest result."""

    def __init__(self, data_path: Path, project: Project):
        self.data_path = data_path
        self.project = project
        self.snapshot = Snapshot()
        self.changed = threading.Condition()
        self._stamps: dict[Path, int] = {}
        self._stop = threading.Event()
        #: The port the server listens on, once it does.
        self.port = 0

    def inputs(self) -> list[Path]:
        """List the files a rebuild depends on: the data, offices, signatures, templates."""
        folders = [self.project.templates]
        files = [self.data_path, *self.project.data.glob("offices/*.yaml")]
        files += [p for folder in folders for p in folder.rglob("*") if p.is_file()]
        files += list((self.project.data / "reference").glob("*.yaml"))
        files += list(self.project.data.rglob("*.png"))  # signatures lie under data/
        return files

    def stamps(self) -> dict[Path, int]:
        """Read each input's modification time (and size), to see a save."""
        seen = {}
        for path in self.inputs():
            try:
                stat = path.stat()
            except OSError:
                continue
            seen[path] = stat.st_mtime_ns ^ stat.st_size
        return seen

    def rebuild(self) -> None:
        """Build the letter (PDF, HTML, DOCX) and its page images; keep a mistake instead."""
        started = time.perf_counter()
        snapshot = Snapshot(version=self.snapshot.version + 1)
        try:
            # A fresh project each time: the house style and the frameworks are read anew.
            project = Project(self.project.root)
            files, snapshot.warnings = _build(self.data_path, project)
            snapshot.files = files
            snapshot.pages = _page_images(files["pdf"])
        except LettersError as exc:
            snapshot.error = str(exc)
        except Exception as exc:  # a fault of letters itself: show it, keep watching
            snapshot.error = f"internal error: {type(exc).__name__}: {exc}"
        snapshot.seconds = time.perf_counter() - started
        with self.changed:
            self.snapshot = snapshot
            self.changed.notify_all()

    def watch(self) -> None:
        """Rebuild whenever an input changes, until stopped."""
        self._stamps = self.stamps()
        self.rebuild()
        while not self._stop.wait(POLL):
            now = self.stamps()
            if now != self._stamps:
                self._stamps = now
                self.rebuild()

    def stop(self) -> None:
        """Stop watching, and wake every page waiting for a change."""
        self._stop.set()
        with self.changed:
            self.changed.notify_all()


def _build(data_path: Path, project: Project) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """Check and render one letter in memory, as `letters build` would; say what it warned.

    The DOCX and PDF to send, and the public HTML page; a letter in two languages shows its
    first language's PDF.
    """
    from ..build.build import make_letter

    made = make_letter(data_path, ("docx", "pdf", "html"), project)
    pdf = made.files.get(("pdf", "")) or made.files[("pdf", made.languages[0])]
    built = {"docx": made.files[("docx", "")], "html": made.files[("html", "")], "pdf": pdf}
    return built, made.warnings


def _page_images(pdf: bytes) -> list[bytes]:
    """Draw each PDF page as a PNG, as a printer would see it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for page in document:
            bitmap = page.render(scale=DPI / 72)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, "PNG")
            images.append(buffer.getvalue())
        return images
    finally:
        document.close()


PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Preview: {name}</title>
<style>
body {{ margin: 0; font-family: sans-serif; background: #e8e8e8; color: #0b0c0c; }}
header {{ padding: 8px 16px; background: #1d3557; color: #fff; display: flex; gap: 16px; }}
header a {{ color: #fff; }}
main {{ display: flex; gap: 16px; padding: 16px; align-items: flex-start; }}
#pages img {{ display: block; width: 560px; margin: 0 0 16px; box-shadow: 0 1px 4px #0006; }}
#html {{ flex: 1; height: calc(100vh - 80px); border: 0; background: #fff; }}
#error {{ white-space: pre-wrap; background: #fff4f4; border: 2px solid #d4351c; padding: 12px;
         margin: 16px; font-family: monospace; }}
#error:empty {{ display: none; }}
#warnings {{ white-space: pre-wrap; background: #fff7e0; border: 2px solid #b58105;
            padding: 12px; margin: 16px; font-family: monospace; }}
#warnings:empty {{ display: none; }}
</style></head>
<body>
<header><strong>{name}</strong><span id="state"></span>
<a href="/letter.pdf">PDF</a><a href="/letter.docx">DOCX</a><a href="/letter.html">HTML</a></header>
<div id="error" role="alert"></div>
<div id="warnings" role="status"></div>
<main><div id="pages"></div><iframe id="html" title="The letter's HTML page"></iframe></main>
<script>
function show(state) {{
  document.getElementById("error").textContent = state.error;
  document.getElementById("warnings").textContent = state.warnings.join("\\n");
  const warned = state.warnings.length;
  document.getElementById("state").textContent = state.error
    ? "not built: fix the mistake and save"
    : "built in " + state.seconds.toFixed(2) + " s (version " + state.version + ")"
      + (warned ? ", " + warned + (warned === 1 ? " warning" : " warnings") : "");
  if (state.error) return;
  const pages = document.getElementById("pages");
  pages.replaceChildren();
  for (let n = 1; n <= state.pages; n++) {{
    const img = new Image();
    img.src = "/page/" + n + ".png?v=" + state.version;
    img.alt = "Page " + n + " of the PDF";
    pages.append(img);
  }}
  document.getElementById("html").src = "/letter.html?v=" + state.version;
}}
const events = new EventSource("/events");
events.onmessage = (event) => show(JSON.parse(event.data));
</script>
</body></html>
"""


class _Server(ThreadingHTTPServer):
    """Serve on 127.0.0.1, giving a connection a thread only once its request arrives.

    With a thread for each open connection, idle connections held threads without end and the
    browser's request waited behind them; here a silent connection costs only its socket, for
    IDLE seconds at most, and at most BUSY requests are answered at once. A request must arrive
    whole within IDLE seconds of connecting, however slowly it trickles in.
    """

    daemon_threads = True
    #: Stopping does not wait for a thread: each ends within IDLE seconds, or with the process.
    block_on_close = False
    #: A burst of connections waits in the kernel's queue (which the kernel may cap lower)
    #: rather than be dropped: with the default, 5, a browser's connection could wait minutes
    #: behind idle ones for its turn.
    request_queue_size = 4096

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        stop: threading.Event,
    ) -> None:
        super().__init__(address, handler)
        self._stop = stop
        self._busy = threading.BoundedSemaphore(BUSY)
        #: Each connection being answered whose request has not all arrived: its deadline.
        self._unheard: dict[socket.socket, float] = {}
        self._unheard_lock = threading.Lock()

    def heard(self, connection: socket.socket) -> None:
        """Lift a connection's deadline: its request has arrived whole (or it is done)."""
        with self._unheard_lock:
            self._unheard.pop(connection, None)

    def serve_forever(self, poll_interval: float = 0.2) -> None:
        """Accept connections, answer each once its request arrives, close the silent ones."""
        # Each silent connection's address and deadline, the oldest first.
        waiting: dict[socket.socket, tuple[Any, float]] = {}
        selector = selectors.DefaultSelector()
        selector.register(self.socket, selectors.EVENT_READ)

        def close_oldest() -> None:
            oldest = next(iter(waiting))
            del waiting[oldest]
            selector.unregister(oldest)
            self.shutdown_request(oldest)

        try:
            while not self._stop.is_set():
                for key, _ in selector.select(poll_interval):
                    if key.fileobj is not self.socket:  # a request has begun (or it closed)
                        connection = cast(socket.socket, key.fileobj)
                        selector.unregister(connection)
                        self._answer(connection, *waiting.pop(connection))
                        continue
                    if len(waiting) >= WAITING:
                        close_oldest()
                    try:
                        connection, address = self.socket.accept()
                    except OSError:  # out of file descriptors, or the client left already
                        if waiting:
                            close_oldest()
                        else:
                            self._stop.wait(0.05)  # rather than spin until one is free
                        continue
                    waiting[connection] = (address, time.monotonic() + IDLE)
                    selector.register(connection, selectors.EVENT_READ)
                now = time.monotonic()
                while waiting and waiting[next(iter(waiting))][1] <= now:
                    close_oldest()
                with self._unheard_lock:
                    late = [each for each, deadline in self._unheard.items() if deadline <= now]
                    for connection in late:
                        del self._unheard[connection]
                for connection in late:
                    # A request sent a byte at a time outlasts any one read's timeout: end the
                    # read, and the thread answering it.
                    with contextlib.suppress(OSError):
                        connection.shutdown(socket.SHUT_RDWR)
        finally:
            while waiting:
                close_oldest()
            selector.close()

    def _answer(self, connection: socket.socket, address: Any, deadline: float) -> None:
        """Answer a request in a thread of its own, or say at once that all are busy."""
        if not self._busy.acquire(blocking=False):
            connection.setblocking(False)  # a client that does not read cannot hold us here
            with contextlib.suppress(OSError):
                connection.recv(65536)  # what is left unread on closing would reset the answer
            with contextlib.suppress(OSError):
                connection.send(
                    b"HTTP/1.0 503 Service Unavailable\r\n"
                    b"Content-Type: text/plain; charset=utf-8\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                    % (len(BUSY_BODY), BUSY_BODY)
                )
            self.shutdown_request(connection)
            return
        with self._unheard_lock:
            self._unheard[connection] = deadline
        try:
            self.process_request(connection, address)
        except Exception:  # no thread to be had
            self.heard(connection)
            self._busy.release()
            self.handle_error(connection, address)
            self.shutdown_request(connection)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Answer one connection, then free its place for the next."""
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.heard(request)  # before closing: the socket is not to be shut down after
            self._busy.release()
            self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing of a client that left, stalled or reset; report a fault of letters."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def serve(preview: Preview, port: int, ready: threading.Event | None = None) -> None:
    """Serve the preview on 127.0.0.1 until interrupted (Ctrl-C) or stopped (`Preview.stop`)."""
    server = _Server(("127.0.0.1", port), _handler(preview), preview._stop)
    preview.port = int(server.server_address[1])
    watcher = threading.Thread(target=preview.watch, daemon=True)
    watcher.start()
    if ready is not None:
        ready.set()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        preview.stop()
        server.server_close()


def _state(snapshot: Snapshot) -> str:
    """Describe a snapshot for the page: its version, its pages, its mistake, its warnings."""
    return json.dumps(
        {
            "version": snapshot.version,
            "pages": len(snapshot.pages),
            "error": snapshot.error,
            "warnings": list(snapshot.warnings),
            "seconds": snapshot.seconds,
        }
    )


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    """Make the request handler that answers for this preview."""

    class Handler(BaseHTTPRequestHandler):
        """Answer the page, its events, the page images and the letter's files."""

        #: A read or write that waits longer fails: a request or a reader this slow is not a
        #: browser's. The events stream waits for a change, not on its socket, so lives on.
        timeout = IDLE

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Keep the terminal quiet: the page shows what happens."""

        def parse_request(self) -> bool:
            """Read the request's headers; once read, the request has no deadline."""
            read = super().parse_request()
            cast(_Server, self.server).heard(self.connection)
            return read

        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            """Answer one request from this machine's browser; refuse any other."""
            if not self._ours():
                refusal = f"forbidden: this preview answers only http://127.0.0.1:{preview.port}/\n"
                self._send(refusal.encode(), "text/plain; charset=utf-8", HTTPStatus.FORBIDDEN)
                return
            path = self.path.partition("?")[0]
            page = re.fullmatch(r"/page/([0-9]{1,4})\.png", path)
            snapshot = preview.snapshot
            if path == "/":
                name = html.escape(preview.data_path.name)
                self._send(PAGE.format(name=name).encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/events":
                self._events()
            elif page:
                index = int(page.group(1)) - 1
                if 0 <= index < len(snapshot.pages):
                    self._send(snapshot.pages[index], "image/png")
                else:
                    self.send_error(HTTPStatus.NOT_FOUND)
            elif path in ("/letter.pdf", "/letter.docx", "/letter.html"):
                kind = path.rsplit(".", 1)[1]
                types = {
                    "pdf": "application/pdf",
                    "html": "text/html; charset=utf-8",
                    "docx": "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document",
                }
                if kind in snapshot.files:
                    self._send(snapshot.files[kind], types[kind])
                else:
                    self.send_error(HTTPStatus.NOT_FOUND, "the letter is not built")
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _ours(self) -> bool:
            """Tell whether the request names this server and comes from no other site's page.

            A page on another site can give its own name our address (DNS rebinding): its
            requests then name its host, not ours. A page on another site that asks us directly
            says its origin.
            """
            hosts = [f"127.0.0.1:{preview.port}", f"localhost:{preview.port}"]
            host = self.headers.get_all("Host", [])
            origin = self.headers.get_all("Origin", [])
            if len(host) != 1 or host[0] not in hosts or len(origin) > 1:
                return False
            return not origin or origin[0] in [f"http://{name}" for name in hosts]

        def _send(self, body: bytes, kind: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            """Stream the state now and after each rebuild, as server-sent events."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while not preview._stop.is_set():
                    with preview.changed:
                        if preview.snapshot.version in (seen, 0):  # 0: the first build runs
                            preview.changed.wait(timeout=15)
                        snapshot = preview.snapshot
                    if snapshot.version == 0:
                        continue
                    if snapshot.version != seen:
                        seen = snapshot.version
                        self.wfile.write(f"data: {_state(snapshot)}\n\n".encode())
                    else:
                        self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler
