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
import hashlib
import html
import io
import json
import os
import re
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..build.project import Project
from ..source.errors import LettersError
from ..source.names import hidden

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..compose.document import Document

#: How often the watcher looks at the inputs' modification times, in seconds: a save is seen
#: 12 ms after it on average. A look stats the inputs and their folders (some 50 files), so
#: it costs a fraction of a millisecond; the folders are listed again only when one changed.
POLL = 0.025
#: How often the folders are listed again all the same, in seconds: a folder's modification
#: time is coarse (a few milliseconds), so two changes within one tick could look like one.
RELIST = 2.0
#: The resolution of the page images, in dots per inch.
DPI = 110
#: How long, in seconds, a build that failed waits for another save before showing its
#: mistake: a file saved in place is empty for a moment, and a busy machine can make that
#: moment last.
SETTLE = 0.05
#: How long after a build, in seconds, with no save meanwhile, the letter's other PDFs are
#: laid out to hear their warnings (a save while one is laid out waits for it).
QUIET = 1.0
#: How hard a page image is compressed (zlib's 1 to 9): on this machine's own loopback, a
#: larger file costs nothing, and level 1 takes half the time of the default.
PNG_LEVEL = 1
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
#: The formats the preview shows: the DOCX and PDF sent, and the public HTML page.
SHOWN = ("docx", "pdf", "html")


class Rendered:
    """One build's files and page images, the slower ones made when first asked for.

    The PDF and the HTML page are made before the page hears of the build; each page image
    is drawn then too (to tell which pages changed), but compressed as a PNG only when the
    page asks for it or the preview is idle, and only if no earlier build drew the same page;
    the DOCX is made after, on demand or when idle.
    """

    def __init__(
        self,
        pdf: bytes,
        html: bytes,
        drawn: list[tuple[str, Image | None]],
        pngs: dict[str, bytes],
        docx: bytes | Callable[[], bytes],
    ) -> None:
        self.pdf = pdf
        self.html = html
        #: Each page's token: a digest of its drawing, the same for a page drawn the same.
        self.images = tuple(token for token, _ in drawn)
        #: Each page image made, by token (those an earlier build made of the same drawing).
        self._pngs = pngs
        #: Each page's drawing not yet compressed, by its index.
        self._drawn = {index: image for index, (_, image) in enumerate(drawn) if image}
        self._page_locks = [threading.Lock() for _ in drawn]
        self._docx = docx if isinstance(docx, bytes) else None
        self._make_docx = None if isinstance(docx, bytes) else docx
        self._docx_lock = threading.Lock()

    def page(self, index: int) -> bytes:
        """Return a page's PNG, compressing its drawing the first time it is asked for."""
        token = self.images[index]
        found = self._pngs.get(token)
        if found is not None:
            return found
        with self._page_locks[index]:
            found = self._pngs.get(token)
            if found is None:  # a page drawn anew keeps its drawing until its PNG is made
                buffer = io.BytesIO()
                self._drawn[index].save(buffer, "PNG", compress_level=PNG_LEVEL)
                found = self._pngs[token] = buffer.getvalue()
            self._drawn.pop(index, None)  # a page drawn like another has its PNG now too
        return found

    def pngs(self) -> dict[str, bytes]:
        """Return the page images made so far, by token."""
        return dict(list(self._pngs.items()))

    def docx(self) -> bytes:
        """Return the DOCX, making it the first time (a LettersError if it cannot be made)."""
        with self._docx_lock:
            if self._docx is None:
                assert self._make_docx is not None
                self._docx = self._make_docx()
                self._make_docx = None
            return self._docx

    @property
    def docx_made(self) -> bool:
        """Say whether the DOCX is made already."""
        return self._docx is not None


@dataclass
class Snapshot:
    """The letter as last built: its files and page images, or the mistake that stopped it."""

    version: int = 0
    rendered: Rendered | None = None
    error: str = ""
    #: What the checks and the renderer warned of, as `letters build` says it.
    warnings: tuple[str, ...] = ()
    #: From noticing the change to the page being told, in seconds.
    seconds: float = 0.0
    #: The version whose build this shows (an earlier one's, when only its warnings are new).
    built: int = 0

    @property
    def pages(self) -> int:
        """Count the PDF's pages (none when the letter did not build)."""
        return len(self.rendered.images) if self.rendered else 0


#: One piece of a build's work left for after the page is told (the DOCX, a page image).
Step = Callable[[], object]


@dataclass
class _Warm:
    """The project kept loaded between builds, while the files it holds are unchanged."""

    project: Project
    #: The templates the house style's CSS template uses: a change to one reloads the style.
    styled: frozenset[str] = frozenset()


class Preview:
    """Build a letter on every change to its inputs and hold the latest result.

    The project (its house style, fonts and compiled templates) is kept loaded between builds
    while only letters' data or wording templates change; the page is told of a build once
    its PDF and HTML are made, and the rest (the DOCX, the PNGs) follows.
    """

    def __init__(self, data_path: Path, project: Project):
        self.data_path = data_path
        self.project = project
        self.snapshot = Snapshot()
        self.changed = threading.Condition()
        self._stamps: dict[Path, int] = {}
        self._stop = threading.Event()
        #: The port the server listens on, once it does.
        self.port = 0
        self._warm: _Warm | None = None
        #: The last build's work still to do, in order, done while no change is waiting: each
        #: piece with the time (`time.monotonic`) it waits for.
        self._pending: list[tuple[float, Step]] = []
        #: The inputs as last listed, the folders they were found in (and their stamps), and
        #: when they were listed.
        self._listed: list[Path] = []
        self._folders: dict[Path, int] = {}
        self._listed_at = -RELIST

    def inputs(self) -> list[Path]:
        """List the files a rebuild depends on: the data, offices, signatures, templates.

        A hidden file under templates/ (an editor's swap file) is no input of a letter.
        """
        templates = self.project.templates
        files = [self.data_path, *self.project.data.glob("offices/*.yaml")]
        files += [
            path
            for path in templates.rglob("*")
            if not hidden(path.relative_to(templates)) and path.is_file()
        ]
        files += list((self.project.data / "reference").glob("*.yaml"))
        files += list(self.project.data.rglob("*.png"))  # signatures lie under data/
        return files

    def _folder_stamps(self, folders: list[Path]) -> dict[Path, int]:
        """Read each folder's modification time: a file added, removed or renamed in it."""
        seen = {}
        for folder in folders:
            with contextlib.suppress(OSError):
                seen[folder] = os.stat(folder).st_mtime_ns
        return seen

    def stamps(self) -> dict[Path, int]:
        """Read each input's modification time (and size), to see a save.

        The inputs are listed again when a folder holding them changed, and every RELIST
        seconds all the same; otherwise only the listed files are looked at.
        """
        now = time.monotonic()
        if now - self._listed_at >= RELIST or self._folder_stamps(list(self._folders)) != (
            self._folders
        ):
            # the letter's own file is listed by name: it is seen however it is saved
            roots = [self.project.templates, self.project.data]
            folders = [Path(top) for root in roots for top, _, _ in os.walk(root)]
            self._folders = self._folder_stamps(folders)  # before listing: a later change shows
            self._listed = list(dict.fromkeys(self.inputs()))
            self._listed_at = now
        seen = {}
        for path in self._listed:
            try:
                stat = os.stat(path)
            except OSError:
                continue
            seen[path] = stat.st_mtime_ns ^ stat.st_size
        return seen

    def rebuild(self) -> None:
        """Build the letter afresh (PDF, HTML, DOCX, page images); keep a mistake instead.

        The project is loaded anew, as when the preview starts; the build is whole when this
        returns.
        """
        self._update(None)
        self.finish()

    def finish(self) -> None:
        """Do all the work the last build left (the DOCX, the page images), without waiting."""
        while self._pending:
            self._step()

    def watch(self) -> None:
        """Rebuild whenever an input changes, until stopped.

        Between looks, the last build's remaining work is done, a piece at a time; a change
        seen meanwhile is built at once, and what is left of the work is made only if asked.
        """
        self._stamps = self.stamps()
        self._update(None)
        while not self._stop.is_set():
            now = self.stamps()
            if now != self._stamps:
                before, self._stamps = self._stamps, now
                self._update(_changes(before, now), settle=True)
            elif self._pending and self._pending[0][0] <= time.monotonic():
                self._step()
            else:
                self._stop.wait(POLL)

    def stop(self) -> None:
        """Stop watching, and wake every page waiting for a change."""
        self._stop.set()
        with self.changed:
            self.changed.notify_all()

    def _publish(self, snapshot: Snapshot) -> None:
        """Make a snapshot the one shown, and tell every page."""
        with self.changed:
            self.snapshot = snapshot
            self.changed.notify_all()

    def _failed(self, exc: Exception) -> str:
        """Word a build's failure for the page."""
        if isinstance(exc, LettersError):
            return str(exc)
        return f"internal error: {type(exc).__name__}: {exc}"  # a fault of letters: show it

    def _update(self, changed: Changes | None, settle: bool = False) -> None:
        """Build the letter after a change (None: load the project afresh).

        The page is told as soon as the PDF and HTML are made; the rest is left pending. With
        `settle`, a mistake is shown only if the inputs are still as they were read SETTLE
        seconds later: an editor saving in place empties the file before writing it.
        """
        started = time.perf_counter()
        self._pending = []  # the last build's: a page asking for them still gets them made
        version = self.snapshot.version + 1
        try:
            project = self._project(changed)
            snapshot, steps, later = self._make(project, version)
        except Exception as exc:
            if settle and self._saved_again():
                return  # the next look builds what was saved
            snapshot, steps, later = Snapshot(version=version, error=self._failed(exc)), [], []
        snapshot.seconds = time.perf_counter() - started
        self._publish(snapshot)
        quiet = time.monotonic() + QUIET
        self._pending = [(0.0, step) for step in steps] + [(quiet, step) for step in later]

    def _saved_again(self) -> bool:
        """Say whether an input changes again within SETTLE seconds of the last look."""
        deadline = time.monotonic() + SETTLE
        while self.stamps() == self._stamps:
            if time.monotonic() >= deadline or self._stop.wait(SETTLE / 10):
                return False
        return True

    def _step(self) -> None:
        """Do the next piece of the last build's remaining work; show what stops it."""
        _, step = self._pending.pop(0)
        try:
            step()
        except Exception as exc:
            self._pending = []
            current = self.snapshot
            self._publish(
                Snapshot(
                    version=current.version + 1,
                    error=self._failed(exc),
                    seconds=current.seconds,
                )
            )

    def _project(self, changed: Changes | None) -> Project:
        """Return the project to build with: the one kept loaded, or a fresh one.

        The loaded one is kept while the change is only to letters' data (not the reference
        lists) or to the text of wording templates that the house style does not use; a
        changed template is compiled again. Anything else loads the project afresh.
        """
        warm = self._warm
        if changed is not None and warm is not None:
            names = _wording_changed(changed, warm.project.root)
            if names is not None and not names & warm.styled:
                if names:
                    _forget_templates(warm.project, names)
                return warm.project
        self._warm = None
        project = Project(self.project.root)
        warm = _Warm(project)
        from ..compose.style import CSS_TEMPLATE
        from ..compose.wording import templates_used

        try:
            warm.styled = frozenset(templates_used(project.environment, CSS_TEMPLATE))
        except Exception:
            return project  # the build says what is wrong; the next change loads afresh
        self._warm = warm
        return project

    def _make(self, project: Project, version: int) -> tuple[Snapshot, list[Step], list[Step]]:
        """Build the letter: the snapshot to show now, and the work left for after.

        The work left is in two lists: what to do at once, and what to do once no save has
        come for QUIET seconds.
        """
        from ..build.snapshot import frozen

        previous = self.snapshot.rendered
        if frozen(self.data_path, project.root) is not None:
            # an approved letter, made as `letters build` makes it, from its snapshot
            files, warnings = _build(self.data_path, project)
            rendered = _rendered(files["pdf"], files["html"], files["docx"], previous)
            snapshot = Snapshot(version, rendered, warnings=warnings, built=version)
            return snapshot, _image_steps(rendered), []
        return _drafted(self.data_path, project, version, previous, self._rewarned)

    def _rewarned(self, warnings: tuple[str, ...]) -> None:
        """Show the build shown with these warnings: all of them, once all are heard."""
        current = self.snapshot
        self._publish(
            Snapshot(
                current.version + 1,
                current.rendered,
                warnings=warnings,
                seconds=current.seconds,
                built=current.built,
            )
        )


@dataclass(frozen=True)
class Changes:
    """What changed among the inputs since the last look."""

    #: Each file saved (or otherwise changed) in place.
    edited: frozenset[Path]
    #: Each file that appeared or went (a save by renaming a new file over the old is an edit).
    listed: frozenset[Path]


def _changes(before: dict[Path, int], now: dict[Path, int]) -> Changes:
    """Tell the files edited from those that appeared or went, between two looks."""
    edited = {path for path in before.keys() & now.keys() if before[path] != now[path]}
    return Changes(frozenset(edited), frozenset(before.keys() ^ now.keys()))


def _wording_changed(changed: Changes, root: Path) -> set[str] | None:
    """Name the wording templates a change edited; None if it touched any other shared file.

    Letters' data (under data/, but not the reference lists) is read by each build; a wording
    template edited in place is compiled again. A template added or removed, the house style,
    its fonts or its CSS template, or a reference list changes what the project holds.
    """
    names: set[str] = set()
    templates = root / "templates"
    reference = root / "data" / "reference"
    for path in changed.edited | changed.listed:
        if path.is_relative_to(reference):
            return None
        if not path.is_relative_to(templates):
            continue
        if path in changed.listed or not path.name.endswith(".md.j2"):
            return None
        names.add(path.relative_to(templates).as_posix())
    return names


def _forget_templates(project: Project, names: set[str]) -> None:
    """Drop these templates from the project's compiled ones, to be compiled again when used.

    Jinja compiles a template again when its file's modification time changed; two saves
    within one tick of that clock would look like one, so what was saved is forgotten here.
    """
    cache = project.environment.cache
    if cache is None:
        return
    for key in list(cache.keys()):
        if isinstance(key, tuple) and len(key) == 2 and key[1] in names:
            with contextlib.suppress(KeyError):
                del cache[key]


def _drafted(
    data_path: Path,
    project: Project,
    version: int,
    previous: Rendered | None,
    rewarned: Callable[[tuple[str, ...]], None],
) -> tuple[Snapshot, list[Step], list[Step]]:
    """Build a draft as `letters build` would, the first PDF and the HTML page first.

    The snapshot to show holds the PDF sent in the letter's first language and the public
    HTML page, each as `letters build` makes it, and the warnings known so far: the checks',
    each character no house font has, and what laying out that PDF warned of. Left for after,
    in order: the page images, the DOCX, and (once no save has come for a while) the PDFs of
    the letter's other languages, laid out only to hear what they warn of, as `letters build`
    reports it: a warning only they give is shown then (`rewarned`).
    """
    from ..build.build import (
        _code_point,
        _said,
        _unprintable,
        compose_letter,
        letter_warnings,
        render,
    )
    from ..build.prepare import prepare
    from ..compose.document import combine
    from ..render.fonts import missing_characters
    from ..render.pdf import render_pdfs
    from ..source.errors import CheckError

    prepared = prepare(data_path, project)
    failures = prepared.failures()
    if failures:
        raise CheckError(failures)
    loaded = prepared.loaded
    languages = loaded.letter.languages
    style = project.style
    copies: dict[str, dict[str, Document]] = {
        copy: {
            language: compose_letter(
                loaded,
                prepared.facts[language],
                project,
                copy=copy,
                language=language,
                wordings=prepared.wordings,
            )
            for language in languages
        }
        for copy in ("sent", "public")
    }
    missing: set[str] = set()
    for versions in copies.values():
        for document in versions.values():
            missing.update(missing_characters(document, style))
    said = _unprintable(tuple(sorted(missing, key=_code_point)))
    named = {character.split()[0] for character in missing}
    every = style.footer.every_language

    def heard(warnings: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
        """Add what a PDF warned of, as `render_letter` does: each once, none said already."""
        return warnings + tuple(w for w in more if w not in warnings and not _said(w, named))

    first = render_pdfs([copies["sent"][languages[0]]], style)[0]
    said = heard(said, first.warnings)
    whole = combine(list(copies["public"].values()), every_footer=every)
    page = render(whole, project, ("html",))[0]["html"]
    sent = combine(list(copies["sent"].values()), every_footer=every)

    def docx() -> bytes:
        return render(sent, project, ("docx",))[0]["docx"]

    rendered = _rendered(first.data, page, docx, previous)
    warnings = letter_warnings(data_path, prepared, said)
    snapshot = Snapshot(version, rendered, warnings=warnings, built=version)
    # the other languages' PDFs, in the order `render_letter` lays them out
    others = [copies["sent"][language] for language in languages[1:]]
    heard_so_far = [said]

    def lay_out(document: Document) -> None:
        heard_so_far[0] = heard(heard_so_far[0], render_pdfs([document], style)[0].warnings)

    def tell() -> None:
        final = letter_warnings(data_path, prepared, heard_so_far[0])
        if final != warnings:
            rewarned(final)

    later: list[Step] = [partial(lay_out, document) for document in others]
    # the pages drawn anew first: the open page asks for them as soon as it is told
    return snapshot, [*_image_steps(rendered), rendered.docx], [*later, tell] if later else []


def _image_steps(rendered: Rendered) -> list[Step]:
    """List the work of compressing each page image not made yet."""
    return [partial(rendered.page, index) for index in range(len(rendered.images))]


def _build(data_path: Path, project: Project) -> tuple[dict[str, bytes], tuple[str, ...]]:
    """Check and render one letter in memory, as `letters build` would; say what it warned.

    The DOCX and PDF to send, and the public HTML page; a letter in two languages shows its
    first language's PDF.
    """
    from ..build.build import make_letter

    made = make_letter(data_path, SHOWN, project)
    pdf = made.files.get(("pdf", "")) or made.files[("pdf", made.languages[0])]
    built = {"docx": made.files[("docx", "")], "html": made.files[("html", "")], "pdf": pdf}
    return built, made.warnings


def _rendered(
    pdf: bytes, page: bytes, docx: bytes | Callable[[], bytes], previous: Rendered | None
) -> Rendered:
    """Hold a build's files, its pages drawn; a page the last build drew alike keeps its PNG."""
    known = previous.pngs() if previous else {}
    drawn = _draw(pdf, set(known))
    tokens = {token for token, _ in drawn}
    kept = {token: png for token, png in known.items() if token in tokens}
    return Rendered(pdf, page, drawn, kept, docx)


def _draw(pdf: bytes, known: set[str]) -> list[tuple[str, Image | None]]:
    """Draw each PDF page as a printer would see it: its token, and its drawing if new.

    A page drawn exactly as one whose PNG is `known` is not kept: that PNG is reused.
    """
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        drawn: list[tuple[str, Image | None]] = []
        for page in document:
            bitmap = page.render(scale=DPI / 72)
            digest = hashlib.blake2b(digest_size=12)
            digest.update(f"{bitmap.width}x{bitmap.height} {bitmap.mode}\n".encode())
            if bitmap.stride == bitmap.width * bitmap.n_channels:
                digest.update(bitmap.buffer)
            else:  # rows padded: only what is drawn counts
                digest.update(bitmap.to_pil().tobytes())
            token = digest.hexdigest()
            drawn.append((token, None if token in known else bitmap.to_pil().copy()))
            bitmap.close()
            page.close()
        return drawn
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
  // a page drawn as before keeps its image; only a page drawn anew is asked for again
  const pages = document.getElementById("pages");
  while (pages.children.length > state.images.length) pages.lastElementChild.remove();
  state.images.forEach((token, index) => {{
    let img = pages.children[index];
    if (!img) {{
      img = new Image();
      img.alt = "Page " + (index + 1) + " of the PDF";
      pages.append(img);
    }}
    const src = "/page/" + (index + 1) + ".png?v=" + token;
    if (img.getAttribute("src") !== src) img.src = src;
  }});
  const frame = document.getElementById("html");
  const page = "/letter.html?v=" + state.built;
  if (frame.getAttribute("src") !== page) frame.src = page;
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
    """Describe a snapshot for the page: its version, its pages, its mistake, its warnings.

    Each page is named by a token that changes only when the page is drawn differently.
    """
    return json.dumps(
        {
            "version": snapshot.version,
            "built": snapshot.built,
            "pages": snapshot.pages,
            "images": list(snapshot.rendered.images) if snapshot.rendered else [],
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
            rendered = preview.snapshot.rendered
            if path == "/":
                name = html.escape(preview.data_path.name)
                self._send(PAGE.format(name=name).encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/events":
                self._events()
            elif page:
                index = int(page.group(1)) - 1
                if rendered and 0 <= index < len(rendered.images):
                    self._send(rendered.page(index), "image/png")
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
                try:
                    files = {"pdf": rendered.pdf, "html": rendered.html} if rendered else {}
                    if kind == "docx" and rendered:
                        files["docx"] = rendered.docx()  # made now, if not made yet
                except Exception:  # the watcher shows the mistake in the page
                    files = {}
                if kind in files:
                    self._send(files[kind], types[kind])
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
