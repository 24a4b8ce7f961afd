"""Where one letter's time goes: scripts/bench.py --profile [--base COMMIT] [--warm].

For one cold letter (a draft, DOCX and PDF, `--force`), `letters check` of it, `letters due`
and `letters findings`, each in a fresh process in a throwaway project whose
.letters-cache/ is removed before each run (unless --warm). The letter is built in one
process (`--jobs 1`): with a core to spare, its PDF would be laid out in a second process
(`build.pdf_beside`), whose stages the profile would not see.

- the wall time (median);
- the stages (bench_stages.py): importing, loading and validating the data, the house style,
  loading and compiling templates, running them, the checks, the fonts, HTML, PDF layout
  and writing, DOCX building and saving, writing the files, and what is left (letters' own
  work, the interpreter's start and exit); each stage's time excludes the others within it;
- the imports by top-level package, from `python -X importtime` (self times summed);
- for `build` and `check`, cProfile's 15 functions of most cumulative time.

With --base, the earlier commit's code is profiled the same way beside this tree's.
"""

from __future__ import annotations

import json
import pstats
import statistics
import sys
import sysconfig
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench_sides import LETTERS, Side, base_side, cores, run, this_side
from bench_stages import IMPORT, STAGES

SCRIPTS = Path(__file__).resolve().parent
STDLIB_FOLDER = Path(sysconfig.get_paths()["stdlib"])
STAGES_SCRIPT = str(SCRIPTS / "bench_stages.py")
#: Rows of the import table: the packages of most time (at least 1 ms), the rest summed.
SHOWN_PACKAGES = 14
STDLIB = "(standard library)"
#: Modules grouped under the package they belong to.
BELONGS = {"_cffi_backend": "cffi", "_yaml": "yaml", "_brotli": "brotli"}
OTHER = "other: letters' own work, the command"
START = "interpreter start and exit"
#: cProfile's lines for the import machinery and the launcher, left out of the summary.
MACHINERY = (
    "<frozen importlib.",
    "bench_stages.py",
    "builtins.exec>",
    "builtins.__import__>",
    "<built-in method _imp.",
    "builtins.__build_class__>",
)
#: A function one of whose callees takes this share of its time only passes it on.
PASSING = 0.97


def import_times(report: str) -> dict[str, tuple[float, int]]:
    """Sum `python -X importtime`'s self times (ms) by top-level package; count the modules.

    The standard library's modules count as one package; a private extension module counts
    with its package where known (`_yaml` with yaml).
    """
    totals: dict[str, tuple[float, int]] = {}
    for line in report.splitlines():
        if not line.startswith("import time:"):
            continue
        own, _, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if not own.isdigit():  # the heading
            continue
        top = name.split(".")[0]
        if top in sys.stdlib_module_names:
            top = STDLIB
        elif top.startswith("__editable__"):
            top = "(editable install's finder)"
        top = BELONGS.get(top, top)
        ms, count = totals.get(top, (0.0, 0))
        totals[top] = (ms + int(own) / 1000, count + 1)
    return totals


@dataclass
class Profiled:
    """One side's figures for one command."""

    walls: list[float]
    stages: dict[str, list[float]]
    calls: dict[str, int]
    imports: dict[str, list[tuple[float, int]]]
    top: list[str]


def _stages_run(side: Side, args: list[str], out: Path) -> tuple[float, dict[str, float], dict]:  # type: ignore[type-arg]
    """Run the command under bench_stages.py; return its wall time, stages and call counts."""
    ran = run([sys.executable, STAGES_SCRIPT, "--stages", str(out), LETTERS, *args], *_where(side))
    timed = json.loads(out.read_text(encoding="utf-8"))
    stages = {name: timed["stages"].get(name, 0.0) for name in [IMPORT, *STAGES]}
    stages[OTHER] = timed["command"] - sum(stages.values())
    stages[START] = ran.seconds - timed["command"]
    return ran.seconds, stages, timed["calls"]


def _where(side: Side) -> tuple[Path, dict[str, str]]:
    return side.project, side.env


def _cprofile(side: Side, args: list[str], out: Path, count: int = 15) -> list[str]:
    """Run the command under cProfile; return its top `count` lines by cumulative time.

    Left out: the import machinery (the imports have their own table) and each function
    that only passes its time on (one callee takes at least PASSING of it: click's layers,
    a lambda around a call), so that each line shows where the time splits.
    """
    run([sys.executable, STAGES_SCRIPT, "--cprofile", str(out), LETTERS, *args], *_where(side))
    stats = pstats.Stats(str(out)).stats  # type: ignore[attr-defined]
    largest_call: dict[tuple[str, int, str], float] = {}
    for function, (*_, callers) in stats.items():
        for caller, (*_, cumulative) in callers.items():
            if caller != function:
                largest_call[caller] = max(largest_call.get(caller, 0.0), cumulative)
    rows = []
    for function, (_, calls, own, cumulative, _) in stats.items():
        name = _function_name(side, *function)
        if function[2] == "<module>" or any(part in name for part in MACHINERY):
            continue
        if largest_call.get(function, 0.0) >= PASSING * cumulative:
            continue
        rows.append((cumulative, own, calls, name))
    rows.sort(reverse=True)
    return [
        f"{cumulative * 1000:8.0f} {own * 1000:7.0f} {calls:7d}  {name}"
        for cumulative, own, calls, name in rows[:count]
    ]


def _function_name(side: Side, file: str, line: int, func: str) -> str:
    """Name a function by its module, the project's own as `letters.x.y:name`."""
    if file == "~":
        return func
    path = Path(file)
    tree = (side.tree / "letters").resolve()
    if path.is_relative_to(tree):
        module = ".".join(("letters", *path.relative_to(tree).with_suffix("").parts))
        return f"{module.removesuffix('.__init__')}:{func} (line {line})"
    for parent in path.parents:
        if parent.name == "site-packages" or parent == STDLIB_FOLDER:
            return f"{path.relative_to(parent)}:{line}({func})"
    return f"{file}:{line}({func})"


def profile(
    side: Side, args: list[str], runs: int, cold: bool, top: bool, work: Path, imports: bool = True
) -> Profiled:
    """Profile one command of one side: stages and wall, imports, and cProfile's summary."""
    result = Profiled([], {}, {}, {}, [])
    for _ in range(runs):
        if cold:
            side.forget_caches()
        wall, stages, result.calls = _stages_run(side, args, work / "stages.json")
        result.walls.append(wall)
        for name, seconds in stages.items():
            result.stages.setdefault(name, []).append(seconds)
    for _ in range(runs if imports else 0):
        if cold:
            side.forget_caches()
        command = [sys.executable, "-X", "importtime", LETTERS, *args]
        ran = run(command, *_where(side))
        for name, figure in import_times(ran.stderr).items():
            result.imports.setdefault(name, []).append(figure)
    if top:
        if cold:
            side.forget_caches()
        result.top = _cprofile(side, args, work / "profile.prof")
    return result


def _median_ms(values: list[float] | None, runs: int) -> float | None:
    """Return the median in ms of a figure missing from some runs (counted as 0), or None."""
    if not values:
        return None
    return statistics.median(values + [0.0] * (runs - len(values))) * 1000


def report(title: str, sides: list[Side], results: list[Profiled], runs: int) -> None:
    """Print one command's profile for every side."""
    width = 12
    heads = "".join(f"{side.label.split(' (')[0]:>{width}}" for side in sides)
    print(f"\n== {title}")
    walls = "".join(f"{statistics.median(r.walls):>{width - 2}.2f} s" for r in results)
    print(f"  {'wall time (median of ' + str(runs) + ')':<52}{walls}")
    print("  where it goes, ms (median; each stage without those within it):")
    print(f"  {'stage (calls, last run)':<52}{heads}")
    for name in [IMPORT, *STAGES, OTHER, START]:
        figures = [_median_ms(r.stages.get(name), runs) for r in results]
        if all(not figure for figure in figures):
            continue
        calls = results[-1].calls.get(name)
        label = f"{name} ({calls})" if calls else name
        print(f"  {label:<52}" + "".join(_ms(figure, width) for figure in figures))
    print("  imports by top-level package, ms (python -X importtime, self times summed, median):")
    print(f"  {'package (modules, last side)':<52}{heads}")
    names = {name for r in results for name in r.imports}
    ranked = sorted(names, key=lambda name: -_imported(results[-1], name, runs))
    shown = [n for n in ranked[:SHOWN_PACKAGES] if max(_imported(r, n, runs) for r in results) >= 1]
    rest = [name for name in ranked if name not in shown]
    for name in shown:
        count = max((c for _, c in results[-1].imports.get(name, [(0, 0)])), default=0)
        figures = [_imported(r, name, runs) for r in results]
        print(f"  {name + f' ({count})':<52}" + "".join(_ms(f, width) for f in figures))
    if rest:
        figures = [sum(_imported(r, name, runs) for name in rest) for r in results]
        label = f"{len(rest)} others"
        print(f"  {label:<52}" + "".join(_ms(f, width) for f in figures))
    figures = [sum(_imported(r, name, runs) for name in ranked) for r in results]
    print(f"  {'all imports':<52}" + "".join(_ms(f, width) for f in figures))
    for side, result in zip(sides, results, strict=True):
        if result.top:
            print(
                f"  cProfile, {side.label}: top 15 by cumulative time, under the profiler"
                " (which slows it), leaving out the imports and functions that only pass"
                " the time on"
            )
            print(f"  {'cum ms':>8} {'own ms':>7} {'calls':>7}  function")
            for line in result.top:
                print(f"  {line}")


def _imported(result: Profiled, name: str, runs: int) -> float:
    """Return a package's median import time (ms) on one side."""
    return _median_ms([ms / 1000 for ms, _ in result.imports.get(name, [])], runs) or 0.0


def _ms(figure: float | None, width: int) -> str:
    return f"{'-':>{width}}" if figure is None else f"{figure:>{width}.0f}"


def main(base: str | None, runs: int, warm: bool) -> None:
    """Profile the four commands on this tree (and on `base`'s, given one)."""
    print(f"machine: {cores()}, Python {sys.version.split()[0]}")
    state = "kept warm" if warm else "removed before each run"
    print(f"every command in a fresh process, in a throwaway project (.letters-cache/ {state})")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sides = [base_side(base, work)] if base else []
        sides.append(this_side(work))
        commands: list[tuple[str, Callable[[Side], list[str]], bool]] = [
            (
                "one letter cold, DOCX and PDF: letters build LETTER --format docx,pdf --force"
                " --jobs 1",
                lambda s: (
                    ["build", _letter(s), "--format", "docx,pdf", "--force", "--jobs", "1"]
                    + ["--out", str(work / f"out-{id(s)}")]
                ),
                True,
            ),
            ("letters check LETTER", lambda s: ["check", _letter(s)], True),
            (
                "letters due LETTER --today 2020-03-01",
                lambda s: ["due", _letter(s), "--today", "2020-03-01"],
                False,
            ),
            ("letters findings LETTER", lambda s: ["findings", _letter(s)], False),
        ]
        for side in sides:  # warm: Python compiles each tree's modules once
            side.run(*commands[0][1](side))
        for title, args, top in commands:
            results = [profile(side, args(side), runs, not warm, top, work) for side in sides]
            report(title, sides, results, runs)


def _letter(side: Side) -> str:
    return str(side.drafts(1, "cold")[0].relative_to(side.project))
