"""Issue 30's figures for this tree and an earlier commit, in turns: `make bench`.

    .venv/bin/python scripts/bench.py --base COMMIT [--runs N] [--rounds N] [--quick]

The earlier commit's letters/, data/ and templates/ are unpacked (git archive) into a
temporary folder; each tree gets its own throwaway project and runs this virtual
environment's `letters` with PYTHONPATH at its own code (checked before anything is
measured). Each figure is measured on both in turns (BASE then now, then now then BASE, ...)
and printed as both sides' median (min to max), the median of the pairs' ratios now/BASE,
and issue 30's target:

- `letters check` of one letter: with .letters-cache/ removed first, then again (warm);
- `letters due` and `letters findings` of one letter;
- one letter cold, DOCX and PDF, `--force`, with .letters-cache/ removed, then at once
  again in the same project (its caches warm); the command's peak memory;
- beside them, the floor of one letter in a fresh process: a Python that imports WeasyPrint
  as letters does and lays out and writes the same letter's PDF, nothing else;
- the live preview: a saved edit to a finding's text until the page is told, read by an
  HTTP client on the preview's event stream (/events), and until it has fetched the new
  page images too; each edit is then checked to show in the letter's HTML;
- unless --quick: 40 distinct letters, `--force`, DOCX and PDF and every format, against
  LibreOffice converting the same 40 DOCX to PDF in one call and against the floor (the
  bare renderers on the same letters, warm, divided by the cores), each ratio taken within
  one round; and the largest worker's peak memory. The batches run with the caches as
  the builds before left them, as an office's do.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench_sides import PHRASE, Ran, Side, base_side, cores, git, libreoffice, run, this_side

#: Batch size (issue 30: 40 letters).
BATCH = 40
#: A report kind's day on which the default letter is not yet overdue (`letters due` exits 1
#: for an overdue letter).
DUE_TODAY = "2020-03-01"
#: How long the preview may take to start, and to show an edit, before the bench gives up.
PREVIEW_PATIENCE = 60.0
#: Quiet after the event that showed an edit, before the next: what the preview still does
#: (the DOCX, the page images) finishes before the next save.
SETTLE = 0.5

LABEL = 46
COLUMN = 22


@dataclass
class Figure:
    """One figure measured on both sides, run by run in the same order on each."""

    label: str
    unit: str
    target: str = ""
    values: dict[str, list[float]] = field(default_factory=dict)
    #: Each run's CPU time (the command and the processes it reaped), where it is a command.
    cpu: dict[str, list[float]] = field(default_factory=dict)

    def add(self, side: Side, value: float, cpu: float | None = None) -> None:
        """Add one run's value for a side (and its CPU time)."""
        self.values.setdefault(side.label, []).append(value)
        if cpu is not None:
            self.cpu.setdefault(side.label, []).append(cpu)

    def timed(self, side: Side, ran: Ran) -> Ran:
        """Add a run's wall and CPU time for a side; return the run."""
        self.add(side, ran.seconds, ran.cpu)
        return ran

    def line(self, sides: list[Side]) -> str:
        """Return the figure's row: each side's median (min to max), their ratio, the target."""
        cells = [self._cell(self.values.get(side.label, [])) for side in sides]
        ratios = [_ratio(figures, sides) for figures in (self.values, self.cpu)]
        return (
            f"{self.label:<{LABEL}}"
            + "".join(f"{cell:>{COLUMN}}" for cell in cells)
            + f"{ratios[0]:>9}{ratios[1]:>6}   {self.target}"
        )

    def _cell(self, values: list[float]) -> str:
        if not values:
            return "-"
        shown = [
            _shown(v, self.unit) for v in (statistics.median(values), min(values), max(values))
        ]
        return f"{shown[0]} ({shown[1]}-{shown[2]})" if len(values) > 1 else shown[0]


def _ratio(figures: dict[str, list[float]], sides: list[Side]) -> str:
    """Return the median of the runs' ratios now/BASE, pair by pair, or nothing."""
    if len(sides) != 2:
        return ""
    pairs = zip(*(figures.get(side.label, []) for side in sides), strict=False)
    ratios = [now / base for base, now in pairs if base]
    return f"{statistics.median(ratios):.2f}" if ratios else ""


def _shown(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f}"
    if unit == "ms":
        return f"{value * 1000:.0f}"
    if unit == "x":
        return f"{value:.2f}"
    return f"{value:.0f}"  # MB


def in_turns(sides: list[Side], runs: int) -> Iterator[Side]:
    """Yield the sides `runs` times in turns, A B, B A, A B, ...: neither always goes first."""
    for i in range(runs):
        yield from (sides if i % 2 == 0 else sides[::-1])


def head(sides: list[Side], what: str) -> None:
    """Print a part's heading and its columns."""
    print(f"\n{what}")
    names = "".join(f"{side.label.split(' (')[0]:>{COLUMN}}" for side in sides)
    print(f"{'figure (unit)':<{LABEL}}{names}{'now/BASE':>9}{'cpu':>6}   issue 30's target")


def show(figures: list[Figure], sides: list[Side]) -> None:
    """Print figures' rows as soon as they are measured."""
    for figure in figures:
        print(figure.line(sides), flush=True)


def one_letter(sides: list[Side], runs: int) -> None:
    """Check, due, findings and one cold letter built twice, on each side in turns."""
    check = Figure("`letters check`, one letter, no cache (s)", "s", "< 0.3 s")
    check_warm = Figure("  the same again, caches warm (s)", "s", "< 0.3 s")
    due = Figure("`letters due`, one letter (s)", "s", "imports only what it needs")
    findings = Figure("`letters findings`, one letter (s)", "s", "imports only what it needs")
    cold = Figure("one letter cold, DOCX and PDF, --force (s)", "s", "< 0.6 s")
    again = Figure("  the same again, caches warm (s)", "s", "< 0.4 s")
    peak = Figure("  its peak memory (MB)", "MB")
    head(sides, f"one letter (median of {runs} runs each, min-max)")

    def letter(side: Side) -> str:
        return str(side.drafts(1, "cold")[0].relative_to(side.project))

    for side in in_turns(sides, runs):
        side.forget_caches()
        check.timed(side, side.run("check", letter(side)))
        check_warm.timed(side, side.run("check", letter(side)))
    for side in in_turns(sides, runs):
        due.timed(side, side.run("due", letter(side), "--today", DUE_TODAY))
    for side in in_turns(sides, runs):
        findings.timed(side, side.run("findings", letter(side)))
    show([check, check_warm, due, findings], sides)
    for side in in_turns(sides, runs):
        build = ["build", letter(side), "--format", "docx,pdf", "--force", "--out", "../out-cold"]
        side.forget_caches()
        peak.add(side, cold.timed(side, side.run(*build)).peak_mb)
        again.timed(side, side.run(*build))
    show([cold, again, peak], sides)
    now = sides[-1]
    floor = [pdf_floor(now, letter(now)) for _ in range(runs)]
    print(
        f"  floor: a fresh Python that imports WeasyPrint (as letters does) and lays out and"
        f" writes this letter's PDF, nothing else: {statistics.median(floor):.2f}"
        f" ({min(floor):.2f}-{max(floor):.2f}) s",
        flush=True,
    )


#: One letter's PDF in a fresh process and nothing else: WeasyPrint imported as letters
#: imports it (its libraries opened by their file names), then the letter's page laid out
#: and written with the house fonts (fontconfig given them alone) and the PDF/A variant.
ONE_PDF = """
import sys
from pathlib import Path
from letters.render.engine import import_weasyprint
weasyprint = import_weasyprint()
from weasyprint.text.fonts import FontConfiguration
html, fonts = (Path(name).read_text(encoding="utf-8") for name in sys.argv[1:3])
base_url, variant = sys.argv[3:5]
config = FontConfiguration()
faces = weasyprint.CSS(string=fonts, base_url=base_url, font_config=config)
weasyprint.HTML(string=html, base_url=base_url).write_pdf(
    stylesheets=[faces], font_config=config, pdf_variant=variant
)
"""


def pdf_floor(side: Side, letter: str) -> float:
    """Time a fresh process that only lays out and writes the letter's PDF (`ONE_PDF`)."""
    sys.path.insert(0, str(side.tree))
    from letters.build.build import compose
    from letters.build.project import Project
    from letters.render.fonts import use_only_house_fonts
    from letters.render.html import render_html
    from letters.render.pdf import PDF_VARIANT, font_face_css

    project = Project(side.project)
    # fontconfig given the house fonts alone, as letters does, for the floor's process only:
    # LibreOffice, started later by this one, must see the fonts it would see anyway
    before = os.environ.get("FONTCONFIG_FILE")
    use_only_house_fonts(project.style)
    house = os.environ.pop("FONTCONFIG_FILE")
    if before is not None:
        os.environ["FONTCONFIG_FILE"] = before
    page, fonts = side.project.parent / "floor-page.html", side.project.parent / "floor-fonts.css"
    page.write_text(render_html(compose(side.project / letter, project), project.style), "utf-8")
    fonts.write_text(font_face_css(project.style), encoding="utf-8")
    base_url = project.style.folder.resolve().as_uri() + "/"
    command = [sys.executable, "-c", ONE_PDF, str(page), str(fonts), base_url, PDF_VARIANT]
    env = {**side.env, "FONTCONFIG_FILE": house}
    return run(command, side.project, env).seconds


class Preview:
    """A side's `letters preview`, started in its project, and a client of its event stream."""

    def __init__(self, side: Side, log: Path):
        self.side = side
        self.letter = side.drafts(1, "preview")[0]
        self.text = self.letter.read_text(encoding="utf-8")
        #: The finding's words the edits change (distinct_letters numbered them).
        self.words = PHRASE[:-1] + " (copy 1)."
        if self.words not in self.text:
            raise SystemExit(f"the preview's letter does not say {self.words!r}")
        self.log = log.open("wb")
        self.server = subprocess.Popen(
            side.letters_cmd("preview", self.letter.relative_to(side.project), "--port", "0"),
            cwd=side.project,
            env=side.env,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.port = self._port()
        #: Each event: when it arrived, the preview's CPU time by then, what it said.
        self.events: queue.Queue[tuple[float, float, dict[str, object]] | None] = queue.Queue()
        self.version = 0
        #: The page images' tokens the page was last told, where the preview gives them.
        self.images: list[object] = []
        self.listener = threading.Thread(target=self._listen, daemon=True)
        self.listener.start()
        self._asked(self._shown(self._next(0)))  # the first build

    def _port(self) -> int:
        """Read the port from the preview's first line ('previewing ... at http://...')."""
        assert self.server.stdout is not None
        readable, _, _ = select.select([self.server.stdout], [], [], PREVIEW_PATIENCE)
        line = self.server.stdout.readline().decode() if readable else ""
        found = line.partition("http://127.0.0.1:")[2].partition("/")[0]
        if not found.isdigit():
            self.close()
            raise SystemExit(f"{self.side.label}: the preview did not say where: {line!r}")
        return int(found)

    def _listen(self) -> None:
        """Read the event stream; put each event, with when it arrived, on the queue."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=None)
        try:
            connection.request("GET", "/events")
            response = connection.getresponse()
            data: list[bytes] = []
            while line := response.readline():
                line = line.rstrip(b"\r\n")
                if line.startswith(b"data:"):
                    data.append(line[5:].removeprefix(b" "))
                elif not line and data:
                    arrived = time.perf_counter()
                    cpu = self.cpu()
                    self.events.put((arrived, cpu, json.loads(b"\n".join(data))))
                    data = []
        except (OSError, http.client.HTTPException, ValueError):
            pass
        finally:
            connection.close()
            self.events.put(None)

    def cpu(self) -> float:
        """Return the preview's CPU time so far: its threads' and its reaped children's."""
        try:
            fields = Path(f"/proc/{self.server.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        # utime, stime, cutime, cstime: the 14th to 17th fields, counting the pid as the first
        return sum(int(n) for n in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def _next(self, after: int, patience: float = PREVIEW_PATIENCE) -> tuple[float, float, dict]:  # type: ignore[type-arg]
        """Wait for the first event of a version after `after`."""
        deadline = time.monotonic() + patience
        while True:
            try:
                event = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise SystemExit(f"{self.side.label}: the preview told nothing new") from None
            if event is None:
                raise SystemExit(f"{self.side.label}: the preview's event stream ended")
            version = event[2].get("version")
            if isinstance(version, int) and version > after:
                self.version = version
                return event

    def _shown(self, event: tuple[float, float, dict]) -> dict:  # type: ignore[type-arg]
        state = event[2]
        if state.get("error"):
            raise SystemExit(f"{self.side.label}: the preview shows a mistake: {state['error']}")
        return state

    def _get(self, path: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise SystemExit(
                    f"{self.side.label}: the preview answered {path} {response.status}"
                )
            return body
        finally:
            connection.close()

    def edit(self, count: int) -> tuple[float, float, float]:
        """Save an edit to a finding's text; return the time until told, and until the images.

        And the preview's CPU time from the save until it told.
        The file is replaced whole, as editors save. The edit is then checked to show in the
        letter's HTML (untimed).
        """
        self._settle()
        words = PHRASE[:-1] + f" (edit {count})."
        new = self.letter.with_suffix(".saving")
        new.write_text(self.text.replace(self.words, words, 1), encoding="utf-8")
        os.replace(new, self.letter)
        saved = time.perf_counter()
        cpu = self.cpu()
        arrived, cpu_then, state = event = self._next(self.version)
        self._shown(event)
        for page in self._asked(state):
            self._get(page)
        fetched = time.perf_counter()
        deadline = time.monotonic() + PREVIEW_PATIENCE
        while words.encode() not in self._get(f"/letter.html?v={self.version}"):
            if time.monotonic() > deadline:
                raise SystemExit(f"{self.side.label}: the preview never showed the edit")
            time.sleep(0.05)
        return arrived - saved, fetched - saved, cpu_then - cpu

    def _asked(self, state: dict) -> list[str]:  # type: ignore[type-arg]
        """List the page images the preview's page asks for, told of this state.

        A page given each image's token asks again only for those whose token changed; one
        given only their number asks for every page again.
        """
        images = state.get("images")
        if isinstance(images, list):
            before, self.images = self.images, images
            return [
                f"/page/{n}.png?v={token}"
                for n, token in enumerate(images, 1)
                if n > len(before) or before[n - 1] != token
            ]
        pages = state.get("pages")
        count = pages if isinstance(pages, int) else 0
        return [f"/page/{n}.png?v={state.get('version')}" for n in range(1, count + 1)]

    def _settle(self) -> None:
        """Wait until the preview has told nothing for SETTLE seconds."""
        while True:
            try:
                event = self.events.get(timeout=SETTLE)
            except queue.Empty:
                return
            if event is None:
                raise SystemExit(f"{self.side.label}: the preview's event stream ended")
            version = event[2].get("version")
            if isinstance(version, int) and version > self.version:
                self.version = version
                self._asked(event[2])  # the page has its images from the event

    def close(self) -> None:
        """Stop the preview."""
        if self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.server.stdout is not None:
            self.server.stdout.close()
        self.log.close()
        if hasattr(self, "listener"):
            self.listener.join(timeout=10)


def preview(sides: list[Side], runs: int, work: Path) -> None:
    """Both sides' previews running, edits saved to each in turns."""
    told = Figure("preview: saved edit -> event on /events (ms)", "ms", "< 0.4 s")
    images = Figure("  -> and the changed page images fetched (ms)", "ms")
    head(sides, f"the live preview (median of {runs} edits each)")
    running: dict[str, Preview] = {}
    try:
        for side in sides:
            running[side.label] = Preview(side, work / f"preview-{len(running)}.log")
        for count, side in enumerate(in_turns(sides, runs)):
            event, fetched, cpu = running[side.label].edit(count)
            told.add(side, event, cpu)
            images.add(side, fetched)
    finally:
        for client in running.values():
            client.close()
    show([told, images], sides)


def batch(sides: list[Side], rounds: int, work: Path) -> None:
    """40 distinct letters on each side, in turns with LibreOffice and the floor, per round."""
    from bench import CORES, floor_timer

    docx_pdf = Figure(f"{BATCH} letters, DOCX and PDF, --force (s)", "s")
    to_office = Figure("  / LibreOffice's time, same round (x)", "x", "<= 0.5")
    to_floor = Figure("  / the floor, same round (x)", "x", "reported")
    every = Figure(f"{BATCH} letters, every format, --force (s)", "s")
    every_office = Figure("  / LibreOffice's time, same round (x)", "x", "<= 0.7")
    every_floor = Figure("  / the floor, same round (x)", "x")
    worker = Figure("  largest worker's peak memory (MB)", "MB", "< 200 MB")
    largest = Figure("  largest process's peak memory (MB)", "MB")
    own = Figure("  the command's own peak memory (MB)", "MB")
    office = Figure(f"LibreOffice: the same {BATCH} DOCX to PDF, one call (s)", "s")
    floor = Figure(f"the floor: bare renderers, warm, / {CORES} cores (s)", "s")
    head(sides, f"{BATCH} distinct letters, {CORES} cores (median of {rounds} rounds, min-max)")
    builds: dict[str, list[str]] = {}
    for side in sides:
        paths = [str(p.relative_to(side.project)) for p in side.drafts(BATCH, f"n{BATCH}")]
        builds[side.label] = ["build", *paths, "--force", "--out", f"../out-{BATCH}"]
        side.run(*builds[side.label], "--format", "docx,pdf")  # warm, and the DOCX to convert
    now = sides[-1]
    out = now.project.parent / f"out-{BATCH}"
    letters = [now.project / p for p in builds[now.label][1 : BATCH + 1]]
    per_letter = floor_timer(letters, out, now.project)
    convert = libreoffice(out, work)
    for turn in range(rounds):
        results: dict[str, tuple[float, float]] = {}
        for side in sides if turn % 2 == 0 else sides[::-1]:
            ran = docx_pdf.timed(side, side.run(*builds[side.label], "--format", "docx,pdf"))
            worker.add(side, ran.worker_mb)
            largest.add(side, ran.peak_mb)
            own.add(side, ran.own_mb)
            all_formats = every.timed(side, side.run(*builds[side.label])).seconds
            results[side.label] = (ran.seconds, all_formats)
        floor_seconds = per_letter() / CORES * BATCH
        office_seconds = convert() if convert else None
        for side in sides:
            both, all_formats = results[side.label]
            floor.add(side, floor_seconds)
            to_floor.add(side, both / floor_seconds)
            every_floor.add(side, all_formats / floor_seconds)
            if office_seconds:
                office.add(side, office_seconds)
                to_office.add(side, both / office_seconds)
                every_office.add(side, all_formats / office_seconds)
    figures = [
        docx_pdf,
        to_office,
        to_floor,
        every,
        every_office,
        every_floor,
        worker,
        own,
        largest,
    ]
    show([*figures, office, floor], sides)
    if convert is None:
        print("LibreOffice is not installed: no comparison with it")


def main(commit: str, runs: int, rounds: int, quick: bool) -> None:
    """Measure issue 30's figures on the commit and on this tree, in turns."""
    start = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"letters now against BASE {git('log', '-1', '--format=%h %s', commit)}")
    print(
        f"machine: {cores()}, Python {sys.version.split()[0]}, load average {load:.2f} at"
        " the start; wall times, both sides in turns; now/BASE is the median of the pairs'"
        " ratios (below 1: now is faster), of the wall times and of the CPU times (the command"
        " and the processes it reaped: steadier on a busy machine)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sides = [base_side(commit, work), this_side(work)]
        for side in sides:
            print(f"{side.label}: letters from {side.resolves().parent.parent}")
            # warm: Python compiles each tree's modules once; the disk cache holds the files
            letter = str(side.drafts(1, "cold")[0].relative_to(side.project))
            side.run("build", letter, "--format", "docx,pdf", "--force", "--out", "../out-cold")
        one_letter(sides, runs)
        preview(sides, runs, work)
        if not quick:
            batch(sides, rounds, work)
    print(f"\n(the benchmark took {time.perf_counter() - start:.0f} s)")
