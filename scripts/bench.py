"""Measure how long letters take to build, against the renderers' own floor and LibreOffice.

    make bench         issue 30's figures here and at the commit before that work, in turns
                       (scripts/bench.py --base COMMIT [--runs N] [--rounds N] [--quick]:
                       bench_against.py); make bench-quick leaves out the 40-letter batches
    scripts/bench.py --profile [--base COMMIT] [--warm]
                       where one cold letter's time goes, and check's, due's and findings':
                       stages, imports by package, cProfile (bench_profile.py)
    scripts/bench.py [--runs N] [--sizes 1,10,40] [--findings 10,100,500]
                       the details below, on this tree only
    scripts/bench.py --preview
                       the live preview in Chromium

Without --base or --profile it prints, on this machine's cores:

- one letter cold: the command's wall time and what it spends it on (the stages of
  --profile), `letters check` of one letter and of the largest batch, `letters --help`;
- for N distinct letters (drafts copied from the default letter whose text differs, built
  with --force, so nothing is rendered once and copied): wall time, time per letter and the
  peak memory of the largest process, for DOCX and PDF and for every default format; then
  the no-op rebuild of the same letters;
- references in the same run, in turns with the batch: the floor (the same letters' PDF
  HTML laid out by bare WeasyPrint with the same PDF/A options, plus their DOCX loaded and
  saved by bare python-docx, in one warm process, divided by the cores), the same bare
  renderers run in as many processes as cores at once (which this machine does not make
  cores times faster), warm and then counting each process's start (importing them and
  laying out a first letter, which any program starting workers pays), and LibreOffice
  headless converting the same DOCX files to PDF in one call;
- letters of 10, 100 and 500 findings, to show the cost per finding.

--preview measures only the live preview: from saving a template to the new pages in
headless Chromium (Node.js and tests/a11y's puppeteer-core needed). Figures are wall-clock;
compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import bench_sides
from bench_sides import ROOT, as_draft, distinct_letters, make_project

LETTER = ROOT / "data" / "lancashire-2020-peel.yaml"
CORES = os.cpu_count() or 1


def measured(command: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Run `command` in `cwd`; return its wall time (s) and its largest process's peak (MB)."""
    ran = bench_sides.run(command, cwd)
    return ran.seconds, ran.peak_mb


def best(command: Sequence[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Return the best wall time of `runs` runs of `command`, and the highest peak."""
    results = [measured(command, cwd) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results)


def findings_letter(project: Path, count: int) -> Path:
    """Write the default letter, a draft, with `count` areas for improvement, each its own."""
    lines = as_draft(LETTER.read_text(encoding="utf-8")).splitlines()
    start = lines.index("  areas_for_improvement:")
    end = start + 1
    while lines[end].startswith("    - "):
        end += 1
    areas = [
        f"    - The constabulary should review how it records finding {i + 1} of {count},"
        " and report on its progress to the commissioner's scrutiny board."
        for i in range(count)
    ]
    path = project / "data" / f"findings-{count}.yaml"
    path.write_text("\n".join(lines[: start + 1] + areas + lines[end:]) + "\n", encoding="utf-8")
    return path


def floor_timer(
    paths: list[Path], docx_dir: Path, project_root: Path, warming: list[float] | None = None
) -> Callable[[], float]:
    """Time the renderers alone, per letter: bare WeasyPrint and bare python-docx, warm.

    WeasyPrint lays out the exact HTML the PDF renderer would give it, with the same fonts
    and PDF/A variant; python-docx loads each letter's built DOCX and saves it again. The
    time the first (warming) layout took is added to `warming`.
    """
    sys.path.insert(0, str(ROOT))
    import docx
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from letters.build.build import compose
    from letters.build.project import Project
    from letters.render.html import render_html
    from letters.render.pdf import PDF_VARIANT, font_face_css, make_url_fetcher

    project = Project(project_root)
    style = project.style
    pages = [render_html(compose(path, project), style) for path in paths]
    fetcher = make_url_fetcher(style.folder)
    base_url = style.folder.resolve().as_uri() + "/"
    docx_files = [(docx_dir / (path.stem + ".docx")).read_bytes() for path in paths]

    def lay_out(html: str) -> None:
        config = FontConfiguration()
        fonts = weasyprint.CSS(
            string=font_face_css(style), base_url=base_url, url_fetcher=fetcher, font_config=config
        )
        weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=[fonts], font_config=config, pdf_variant=PDF_VARIANT
        )

    def save(data: bytes) -> None:
        docx.Document(io.BytesIO(data)).save(io.BytesIO())

    start = time.perf_counter()
    lay_out(pages[0])  # warm: fonts, caches
    save(docx_files[0])
    if warming is not None:
        warming.append(time.perf_counter() - start)

    def per_letter() -> float:
        start = time.perf_counter()
        for html, data in zip(pages, docx_files, strict=True):
            lay_out(html)
            save(data)
        return (time.perf_counter() - start) / len(paths)

    return per_letter


#: The floor in one of several processes at once: import the renderers and lay out a first
#: letter, say how long that took, wait for the word, then lay out and save its share of
#: the letters (the caller times them all together).
FLOOR_SHARE = """
import sys, time
start = time.perf_counter()
import docx, weasyprint
imported = time.perf_counter() - start
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import bench
paths = [Path(p) for p in sys.argv[4:]]
warming = []
per_letter = bench.floor_timer(paths, Path(sys.argv[2]), Path(sys.argv[3]), warming)
print(imported + warming[0], flush=True)
sys.stdin.readline()
per_letter()
"""


def parallel_floor(paths: list[Path], docx_dir: Path, project_root: Path) -> tuple[float, float]:
    """Time the floor's renderers run in as many processes as cores at once, per letter.

    Each process lays out and saves its share of the letters, their start held until all
    are warm: this is what bare WeasyPrint and python-docx reach on all the cores together.
    Return that, and the same counting each process's start (importing the renderers and
    laying out a first letter), which any program that starts its workers pays.
    """
    shares = [paths[i::CORES] for i in range(CORES)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", FLOOR_SHARE, str(ROOT / "scripts"), str(docx_dir)]
            + [str(project_root), *map(str, share)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for share in shares
        if share
    ]
    starts = []
    for process in processes:
        assert process.stdout is not None
        starts.append(float(process.stdout.readline()))
    start = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.close()
    for process in processes:
        process.wait()
    together = time.perf_counter() - start
    return together / len(paths), (max(starts) + together) / len(paths)


def libreoffice_seconds(docx_dir: Path, out: Path) -> float | None:
    """LibreOffice headless converting every DOCX in `docx_dir` to PDF in one call."""
    convert = bench_sides.libreoffice(docx_dir, out)
    return convert() if convert else None


def main() -> None:
    """Parse the options and print every measurement."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--runs", type=int, help="repetitions (best or median shown; 3, with --base 7)"
    )
    parser.add_argument("--sizes", default="1,10,40", help="batch sizes, comma-separated")
    parser.add_argument("--findings", default="10,100,500", help="findings per letter")
    parser.add_argument(
        "--preview", action="store_true", help="measure the live preview in Chromium instead"
    )
    parser.add_argument(
        "--base",
        metavar="COMMIT",
        help="measure issue 30's figures on COMMIT's code and on this tree's, in turns",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="with --base: rounds of the 40-letter batches"
    )
    parser.add_argument("--quick", action="store_true", help="with --base: no 40-letter batches")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print where one cold letter's time goes (with --base: on both trees)",
    )
    parser.add_argument(
        "--warm", action="store_true", help="with --profile: keep .letters-cache/ between runs"
    )
    args = parser.parse_args()
    if args.profile:
        import bench_profile

        bench_profile.main(args.base, args.runs or 3, args.warm)
        return
    if args.base:
        import bench_against

        bench_against.main(args.base, args.runs or 7, args.rounds, args.quick)
        return
    args.runs = args.runs or 3
    letters_cmd = str(Path(sys.executable).parent / "letters")
    if args.preview:
        preview_bench(letters_cmd, args.runs)
        return
    sizes = [int(n) for n in args.sizes.split(",")]
    print(f"machine: {CORES} cores, Python {sys.version.split()[0]}; best of {args.runs} runs")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = make_project(work / "project")
        cold_letter(letters_cmd, project, work, args.runs)
        batches(letters_cmd, project, work, sizes, args.runs)
        findings(letters_cmd, project, work, [int(n) for n in args.findings.split(",")])


def cold_letter(letters_cmd: str, project: Path, work: Path, runs: int) -> None:
    """One letter from a cold start: the command, its stages, `check` and `--help`."""
    (path,) = distinct_letters(project, 1, "cold")
    out = work / "cold"
    force = ["--force", "--jobs", "1", "--out", str(out)]
    for label, formats in (("docx,pdf", "docx,pdf"), ("every format", "docx,pdf,html,public-pdf")):
        seconds, peak = best(
            [letters_cmd, "build", str(path), "--format", formats, *force], project, runs
        )
        print(f"one letter cold, `letters build` ({label}): {seconds:.2f} s, peak {peak:.0f} MB")
    from bench_profile import OTHER, START, profile
    from bench_sides import Side
    from bench_stages import IMPORT, STAGES

    side = Side("now", ROOT, project)
    build = ["build", str(path), "--format", "docx,pdf,html,public-pdf", *force]
    stages = profile(side, build, runs, cold=True, top=False, work=work, imports=False).stages
    print("  where one cold letter's time goes (every format, median; scripts/bench.py --profile):")
    for name in [IMPORT, *STAGES, OTHER, START]:
        if any(stages[name]):
            print(f"    {name:<52} {statistics.median(stages[name]) * 1000:7.0f} ms")
    seconds, _ = best([letters_cmd, "check", str(path)], project, max(runs, 5))
    print(f"`letters check` of one letter: {seconds:.2f} s")
    seconds, _ = best([letters_cmd, "--help"], project, max(runs, 5))
    print(f"`letters --help`: {seconds:.2f} s")


def batches(letters_cmd: str, project: Path, work: Path, sizes: list[int], runs: int) -> None:
    """N distinct letters built at once, against the floor and LibreOffice."""
    print(f"\nbatches of distinct letters, --force, --jobs {CORES} ({CORES} cores):")
    for count in sizes:
        paths = distinct_letters(project, count, f"n{count}")
        out = work / f"out-{count}"
        names = [str(p) for p in paths]
        build = [letters_cmd, "build", *names, "--force", "--out", str(out)]
        if count != max(sizes):
            docx_pdf, peak = best([*build, "--format", "docx,pdf"], project, runs)
            every, every_peak = best(build, project, runs)
            _batch_line(count, docx_pdf, peak, every, every_peak)
            continue
        # The largest batch and its references, measured in turns, best of each: this
        # machine's speed drifts, and a ratio of figures taken minutes apart would show it.
        subprocess.run(
            [*build, "--format", "docx,pdf"], cwd=project, check=True, capture_output=True
        )
        floor_run = floor_timer(paths, out, project)
        results: dict[str, list[tuple[float, float]]] = {}
        for _ in range(runs):
            results.setdefault("docx,pdf", []).append(
                measured([*build, "--format", "docx,pdf"], project)
            )
            results.setdefault("every", []).append(measured(build, project))
            results.setdefault("floor", []).append((floor_run() / CORES, 0.0))
            together, cold = parallel_floor(paths, out, project)
            results.setdefault("parallel floor", []).append((together, 0.0))
            results.setdefault("cold parallel floor", []).append((cold, 0.0))
            office = libreoffice_seconds(out, work / "libreoffice")
            if office is not None:
                results.setdefault("office", []).append((office, 0.0))
        low = {key: min(r[0] for r in values) for key, values in results.items()}
        peaks = {key: max(r[1] for r in values) for key, values in results.items()}
        docx_pdf, every, floor = low["docx,pdf"], low["every"], low["floor"]
        _batch_line(count, docx_pdf, peaks["docx,pdf"], every, peaks["every"])
        noop, _ = best([letters_cmd, "build", *names, "--out", str(out)], project, runs)
        print(f"  N={count:>3}: rebuild with nothing changed: {noop:.2f} s")
        check, _ = best([letters_cmd, "check", *names], project, runs)
        print(f"  N={count:>3}: `letters check` of every letter: {check:.2f} s")
        print(
            f"  floor (bare WeasyPrint + bare python-docx, warm, ÷ {CORES} cores):"
            f" {floor * 1000:.0f} ms per letter; docx,pdf is {docx_pdf / count / floor:.2f}x"
            f" the floor ({CORES} cores)"
        )
        together, cold = low["parallel floor"], low["cold parallel floor"]
        print(
            f"  the floor's renderers in {CORES} processes at once: {together * 1000:.0f} ms per"
            f" letter ({together / floor:.2f}x the floor); docx,pdf is"
            f" {docx_pdf / count / together:.2f}x that"
        )
        print(
            f"  the same, each process starting cold (importing the renderers, laying out a"
            f" first letter): {cold * 1000:.0f} ms per letter ({cold / floor:.2f}x the floor);"
            f" docx,pdf is {docx_pdf / count / cold:.2f}x that"
        )
        if "office" not in low:
            print("  LibreOffice: not installed, no comparison")
            continue
        office = low["office"]
        print(
            f"  LibreOffice headless, the same {count} DOCX to PDF in one call: {office:.2f} s;"
            f" ratio docx,pdf {docx_pdf / office:.2f}, every format {every / office:.2f}"
            f" ({CORES} cores; LibreOffice uses one)"
        )


def _batch_line(count: int, docx_pdf: float, peak: float, every: float, every_peak: float) -> None:
    """Print one batch's times, per letter and peak memory."""
    print(
        f"  N={count:>3}: docx,pdf {docx_pdf:6.2f} s ({docx_pdf / count * 1000:4.0f} ms per"
        f" letter, peak {peak:.0f} MB); every format {every:6.2f} s"
        f" ({every / count * 1000:4.0f} ms per letter, peak {every_peak:.0f} MB)"
    )


def findings(letters_cmd: str, project: Path, work: Path, counts: list[int]) -> None:
    """One letter of 10, 100, 500 findings: the cost per finding."""
    print("\none letter by its number of findings (docx,pdf, --jobs 1, cold command):")
    previous = None
    for count in counts:
        path = findings_letter(project, count)
        out = work / "findings"
        command = [letters_cmd, "build", str(path), "--format", "docx,pdf", "--force"]
        seconds, peak = best([*command, "--out", str(out)], project, 1)
        bare = floor_timer([path], out, project)()
        step = ""
        if previous is not None:
            added = (seconds - previous[1]) / (count - previous[0])
            bare_added = (bare - previous[2]) / (count - previous[0])
            step = (
                f"; {added * 1000:.1f} ms per added finding (bare renderers"
                f" {bare_added * 1000:.1f} ms)"
            )
        print(
            f"  {count:>4} findings: {seconds:6.2f} s, peak {peak:.0f} MB; bare WeasyPrint +"
            f" python-docx, warm: {bare:.2f} s{step}"
        )
        previous = (count, seconds, bare)


def preview_bench(letters_cmd: str, runs: int) -> None:
    """Time a save in a template to the new pages in the open preview, in Chromium."""
    results = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            for folder in ("data", "templates"):
                shutil.copytree(ROOT / folder, project / folder)
            # a draft: a sent letter builds only from its approval snapshot
            letter = project / "data" / LETTER.name
            letter.write_text(as_draft(letter.read_text(encoding="utf-8")), encoding="utf-8")
            server = subprocess.Popen(
                [letters_cmd, "preview", "--port", "0", str(LETTER.relative_to(ROOT))],
                cwd=project,
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                assert server.stdout is not None
                url = re.search(r"http://127\.0\.0\.1:\d+/", server.stdout.readline())
                assert url, "the preview did not say where it serves"
                done = subprocess.run(
                    [
                        "node",
                        str(ROOT / "tests" / "a11y" / "preview-check.mjs"),
                        url.group(0),
                        str(project / "templates" / "letters" / "integrated-peel-2018.md.j2"),
                        "quarterly scrutiny meetings",
                        f"scrutiny meetings, run {run}",
                        str(project / "data" / LETTER.name),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode:
                    raise SystemExit(f"the preview check failed: {done.stderr.strip()}")
                results.append(json.loads(done.stdout))
            finally:
                server.terminate()
                server.wait(timeout=10)
    for key, label in (
        ("template_ms", "template saved -> new words and new page images in the page"),
        ("error_ms", "YAML broken -> the mistake shown in the page"),
        ("recovered_ms", "YAML mended -> the letter shown again"),
    ):
        value = statistics.median(result[key] for result in results)
        print(f"preview, {label}: {value:.0f} ms (median of {runs})")


if __name__ == "__main__":
    main()
