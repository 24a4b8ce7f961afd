"""Measure how long letters take to build: a cold command, each stage in-process, and a batch.

Run with `make bench` (or .venv/bin/python scripts/bench.py [--runs N] [--batch N]
[--preview]). --preview measures only the live preview: from saving a template to the new
pages in headless Chromium (Node.js and tests/a11y's puppeteer-core needed).
Figures are wall-clock medians on this machine; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from letters.build import FORMATS, build_letter, compose, render  # noqa: E402
from letters.facts import build_facts  # noqa: E402
from letters.project import Project  # noqa: E402
from letters.validate import load_letter  # noqa: E402

LETTER = ROOT / "data" / "lancashire-2020-peel.yaml"


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--runs", type=int, default=5, help="repetitions of each measurement (median reported)"
    )
    parser.add_argument("--batch", type=int, default=20, help="letters in the batch measurement")
    parser.add_argument(
        "--preview", action="store_true", help="measure the live preview in Chromium instead"
    )
    args = parser.parse_args()
    letters_cmd = str(Path(sys.executable).parent / "letters")
    if args.preview:
        preview_bench(letters_cmd, args.runs)
        return

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cold = median_seconds(
            lambda: subprocess.run(
                [letters_cmd, "build", str(LETTER), "--out", str(out)],
                check=True,
                capture_output=True,
                cwd=ROOT,
            ),
            args.runs,
        )
        print(
            f"cold `letters build` of one letter, all four formats: {cold:.2f} s"
            f" (median of {args.runs})"
        )
        check_runs = max(args.runs, 10)
        check = median_seconds(
            lambda: subprocess.run(
                [letters_cmd, "check", str(LETTER)], check=True, capture_output=True, cwd=ROOT
            ),
            check_runs,
        )
        print(f"cold `letters check` of one letter: {check:.2f} s (median of {check_runs})")

        project = Project(ROOT)
        build_letter(LETTER, out, FORMATS, project)  # warm: imports, fonts, style
        document = compose(LETTER, project)
        loaded = load_letter(LETTER, ROOT)
        stages = {
            "load + validate": lambda: load_letter(LETTER, ROOT),
            "facts": lambda: build_facts(loaded.letter, loaded.source.locate, loaded.framework),
            "compose (load..wording, letterhead)": lambda: compose(LETTER, project),
            "render html": lambda: render(document, project, ("html",)),
            "render docx": lambda: render(document, project, ("docx",)),
            "render pdf (includes html)": lambda: render(document, project, ("pdf",)),
            "build_letter, all formats, written": lambda: build_letter(
                LETTER, out, FORMATS, project
            ),
        }
        print(f"\nin-process, warm (median of {args.runs}):")
        for name, action in stages.items():
            print(f"  {name:<38} {median_seconds(action, args.runs) * 1000:8.1f} ms")

        batch = Path(tmp) / "project" / "data"
        shutil.copytree(ROOT / "data" / "offices", batch / "offices")
        shutil.copytree(ROOT / "data" / "reference", batch / "reference")
        shutil.copytree(ROOT / "templates", batch.parent / "templates")
        paths = []
        for i in range(args.batch):
            copy = batch / f"letter-{i:03d}.yaml"
            shutil.copy(LETTER, copy)
            paths.append(copy)
        start = time.perf_counter()
        subprocess.run(
            [letters_cmd, "build", *map(str, paths), "--out", str(out)],
            check=True,
            capture_output=True,
            cwd=batch.parent,
        )
        total = time.perf_counter() - start
        print(
            f"\nbatch: {args.batch} letters in one `letters build`: {total:.2f} s,"
            f" {total / args.batch * 1000:.0f} ms per letter"
        )


def preview_bench(letters_cmd: str, runs: int) -> None:
    """Time a save in a template to the new pages in the open preview, in Chromium."""
    import json
    import re

    results = []
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp)
            for folder in ("data", "templates"):
                shutil.copytree(ROOT / folder, project / folder)
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
