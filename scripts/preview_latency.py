"""Measure how soon a saved edit to a finding shows in `letters preview`, as a browser sees it.

Run as .venv/bin/python scripts/preview_latency.py [--runs N] [--letters PATH] [--source DIR]
(it prints JSON), or call `measure(letters_cmd, source, runs)` from a benchmark, once for
each `letters` to compare (another checkout's, say).

It copies the project's data and templates from `source` into a throwaway folder, makes
the default letter a draft there (an approved letter builds from its snapshot, which an edit
does not change), starts `letters preview --port 0` on it and listens to the page's event
stream (server-sent events, /events) with a plain HTTP client. Each run then rewrites one
area for improvement's text in the letter's data, with words of its own, and times:

- event: from the save (the file written and closed) to the event announcing the new build;
- images: from the save to the page images fetched (/page/N.png), as the page asks for them
  when the event arrives, all at once: those whose token changed (a preview that names no
  tokens: every page);
- build: what the preview says the build took (`seconds`), from noticing the save; the rest
  of `event` is noticing it and telling the page.

After the timing it checks that the build shows the new words (in /letter.html, and in
/letter.pdf's text); a mistake the preview showed meanwhile (it read the file half saved) is
listed in `mistakes_shown`. Between runs it waits for the preview to settle (the DOCX of the
same build fetched, then `settle` seconds), so each run starts from an idle preview. Figures
are medians in milliseconds, with each run's own, and the machine's core count.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LETTER = Path("data/lancashire-2020-peel.yaml")
#: The end of the letter's first area for improvement, which each run rewords.
PHRASE = "problem-solving activity."
#: A letter's status, in block or flow style, to the end of its mapping.
_STATUS = re.compile(r"^status:(?: \{[^}]*\}\n|\n(?:  .*\n)+)", re.M)
#: How long any one step may take before the measurement gives up, in seconds.
PATIENCE = 60.0


def throwaway_project(source: Path, folder: Path) -> Path:
    """Copy `source`'s data and templates into `folder`, the default letter made a draft."""
    for name in ("data", "templates"):
        shutil.copytree(source / name, folder / name)
    letter = folder / LETTER
    text, count = _STATUS.subn("status:\n  state: draft\n", letter.read_text(encoding="utf-8"))
    assert count == 1, "the default letter's status, once"
    letter.write_text(text, encoding="utf-8")
    return letter


class Events:
    """The preview's event stream, read as a browser's EventSource reads it, as it comes.

    A thread reads the stream and notes when each event arrived, so that an event is timed
    by its arrival, and one that came before a save (a build's second event) can be dropped.
    """

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
        self.connection.request("GET", "/events", headers={"Host": f"127.0.0.1:{port}"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.status
        self.came: queue.Queue[tuple[float, dict[str, Any]] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        """Read each event's data (comments, which keep the stream open, skipped) as it comes."""
        data: list[str] = []
        try:
            while line := self.response.readline():
                text = line.decode("utf-8").rstrip("\r\n")
                if text.startswith("data:"):
                    data.append(text[5:].removeprefix(" "))
                elif not text and data:
                    self.came.put((time.perf_counter(), json.loads("\n".join(data))))
                    data = []
        except (OSError, ValueError):  # closed
            pass
        self.came.put(None)

    def next(self) -> tuple[float, dict[str, Any]]:
        """Wait for the next event: when it arrived (`time.perf_counter`), and its state."""
        try:
            event = self.came.get(timeout=PATIENCE)
        except queue.Empty:
            raise SystemExit(f"no event from the preview in {PATIENCE:.0f} s") from None
        if event is None:
            raise SystemExit("the preview closed its event stream")
        return event

    def drop(self) -> None:
        """Drop the events that came so far."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.came.get_nowait()

    def close(self) -> None:
        """Close the stream."""
        self.connection.close()


def get(port: int, path: str) -> bytes:
    """GET a path from the preview, as the page would; fail on any status but 200."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:200]!r}")
        return body
    finally:
        connection.close()


def pdf_text(pdf: bytes) -> str:
    """Read a PDF's text, every page's, with pypdfium2 (as the preview draws its pages)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def measure(
    letters_cmd: str, source: Path = ROOT, runs: int = 7, settle: float = 0.5
) -> dict[str, Any]:
    """Start `letters_cmd preview` on a copy of `source`; time `runs` saved edits to a finding.

    Return the median milliseconds from each save to the event (`event_ms`) and to the
    build's page images fetched (`images_ms`), each run's figures, and the machine's cores.
    """
    events_ms: list[float] = []
    images_ms: list[float] = []
    build_ms: list[float] = []
    pages_fetched: list[int] = []
    mistakes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="preview-latency-") as tmp:
        project = Path(tmp)
        letter = throwaway_project(source, project)
        original = letter.read_text(encoding="utf-8")
        assert original.count(PHRASE) == 1, f"{PHRASE!r} once in {LETTER}"
        server = subprocess.Popen(
            [letters_cmd, "preview", "--port", "0", str(LETTER)],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert server.stdout is not None
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", server.stdout.readline())
            if not found:
                raise SystemExit("the preview did not say where it serves")
            port = int(found.group(1))
            events = Events(port)
            try:
                _, state = events.next()
                if state["error"]:
                    raise SystemExit(f"the preview's first build failed: {state['error']}")
                version = state["version"]
                shown = set(state.get("images") or [])
                for run in range(runs):
                    get(port, "/letter.docx")  # the build before is done, DOCX and all
                    time.sleep(settle)
                    events.drop()  # a build's later events: the work after its page was told
                    words = f"problem-solving activity, as edit {run} of this measurement says."
                    letter.write_text(original.replace(PHRASE, words), encoding="utf-8")
                    written = time.perf_counter()
                    while True:  # a mistake shown meanwhile (a file read half saved) is counted
                        arrived, state = events.next()
                        if state["version"] > version and state["error"]:
                            mistakes.append(state["error"])
                        elif state["version"] > version:
                            break
                    version = state["version"]
                    # as the page does: each page drawn anew (each page, from a preview that
                    # does not say which), all at once
                    tokens = state.get("images") or [None] * state["pages"]
                    wanted = [
                        f"/page/{n}.png?v={token or version}"
                        for n, token in enumerate(tokens, 1)
                        if token is None or token not in shown
                    ]
                    shown = set(tokens)
                    with ThreadPoolExecutor(max(1, len(wanted))) as pool:
                        images = list(pool.map(partial(get, port), wanted))
                    fetched = time.perf_counter()
                    for path, image in zip(wanted, images, strict=True):
                        assert image.startswith(b"\x89PNG\r\n\x1a\n"), f"{path}: not a PNG"
                    build_ms.append(state["seconds"] * 1000)
                    pages_fetched.append(len(wanted))
                    # what the page shows is the edit: its HTML and its PDF say the new words
                    html = get(port, "/letter.html").decode("utf-8")
                    if f"edit {run} of this measurement" not in html:
                        raise SystemExit(f"run {run}: the HTML does not show the edit")
                    text = " ".join(pdf_text(get(port, "/letter.pdf")).split())
                    if f"edit {run} of this measurement" not in text:
                        raise SystemExit(f"run {run}: the PDF does not show the edit")
                    events_ms.append((arrived - written) * 1000)
                    images_ms.append((fetched - written) * 1000)
            finally:
                events.close()
        finally:
            server.terminate()
            server.wait(timeout=PATIENCE)
    return {
        "cores": os.cpu_count(),
        "runs": runs,
        "event_ms": round(statistics.median(events_ms), 1),
        "images_ms": round(statistics.median(images_ms), 1),
        "build_ms": round(statistics.median(build_ms), 1),
        # noticing the save (the watcher's poll) and telling the page: the event less the build
        "noticed_ms": round(
            statistics.median(e - b for e, b in zip(events_ms, build_ms, strict=True)), 1
        ),
        "each_event_ms": [round(ms, 1) for ms in events_ms],
        "each_images_ms": [round(ms, 1) for ms in images_ms],
        "each_build_ms": [round(ms, 1) for ms in build_ms],
        "pages_fetched": pages_fetched,
        "mistakes_shown": mistakes,
    }


def main() -> None:
    """Measure with this checkout's `letters` (or the one given) and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="saved edits timed (median shown)")
    parser.add_argument(
        "--letters",
        default=str(Path(sys.executable).parent / "letters"),
        help="the letters command to measure (default: this environment's)",
    )
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="the project whose data and templates to copy"
    )
    args = parser.parse_args()
    print(json.dumps(measure(args.letters, args.source, args.runs)))


if __name__ == "__main__":
    main()
