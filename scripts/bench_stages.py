"""Run `letters` as its console script does, noting where its time goes (bench.py --profile).

    python scripts/bench_stages.py --stages OUT.json LETTERS_SCRIPT ARG ...
    python scripts/bench_stages.py --cprofile OUT.prof LETTERS_SCRIPT ARG ...

--stages times, in this process's main thread, the calls of a few functions of letters and
of its libraries (STAGES): each stage's time excludes the stages called within it, and
importing a module is a stage of its own wherever it happens. What is left is letters' own
work (composing, checking, the command itself). It writes each stage's seconds and calls,
and the whole run's, to OUT.json. --cprofile runs the command under cProfile instead and
writes its statistics to OUT.prof. A function a tree lacks is simply never timed.
"""

import sys
import time

START = time.perf_counter()

import _thread  # noqa: E402 - built in: importing it costs nothing worth timing
import os  # noqa: E402 - imported already as Python starts

#: Each stage, and the functions (module, qualified name) whose calls it counts.
STAGES: dict[str, list[tuple[str, str]]] = {
    "load and validate the data": [
        ("letters.source.validate", "load_letter"),
        ("letters.source.validate", "load_office"),
    ],
    "house style (read, validate)": [("letters.compose.style", "load_style")],
    "templates: load": [("jinja2.environment", "Environment._load_template")],
    "templates: compile": [("jinja2.environment", "Environment.compile")],
    "templates: run (sandboxed child)": [("letters.compose.sandbox", "run_bounded")],
    "checks": [
        ("letters.compose.checks", "check_letter"),
        ("letters.compose.checks", "check_printed"),
    ],
    "fonts: read and check (fontTools)": [
        ("letters.render.fonts", "house_fonts"),
        ("letters.render.fonts", "use_only_house_fonts"),
        ("letters.render.fonts", "missing_characters"),
    ],
    "fonts: load into WeasyPrint": [
        ("weasyprint.text.fonts", "FontConfiguration.__init__"),
        ("weasyprint.text.fonts", "FontConfiguration.add_font_face"),
    ],
    "HTML": [("letters.render.html", "render_html")],
    "PDF: style and lay out (WeasyPrint)": [("weasyprint.document", "Document._render")],
    "PDF: write (WeasyPrint)": [("weasyprint.document", "Document.write_pdf")],
    "DOCX: build (python-docx)": [("letters.render.docx", "render_docx")],
    "DOCX: save (python-docx)": [("docx.document", "Document.save")],
    "write the files": [("letters.build.output", "write_all")],
}
IMPORT = "import modules"

_MAIN = _thread.get_ident()
_PID = os.getpid()
#: The stage running now and when it (re)started, innermost last.
_stack: list[list[object]] = []
_seconds: dict[str, float] = {}
_calls: dict[str, int] = {}


def _enter(stage: str) -> None:
    now = time.perf_counter()
    if _stack:
        outer = _stack[-1]
        _seconds[outer[0]] = _seconds.get(outer[0], 0.0) + now - outer[1]  # type: ignore
    _stack.append([stage, now])
    _calls[stage] = _calls.get(stage, 0) + 1


def _leave() -> None:
    now = time.perf_counter()
    stage, started = _stack.pop()
    _seconds[stage] = _seconds.get(stage, 0.0) + now - started  # type: ignore
    if _stack:
        _stack[-1][1] = now


def _timed(func, stage):  # type: ignore[no-untyped-def]
    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        if _thread.get_ident() != _MAIN:
            return func(*args, **kwargs)
        _enter(stage)
        try:
            return func(*args, **kwargs)
        finally:
            _leave()

    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(timed, name, getattr(func, name, None))
    timed.__wrapped__ = func  # type: ignore[attr-defined]
    return timed


def _patch(module: object, qualname: str, stage: str) -> None:
    *owners, name = qualname.split(".")
    owner = module
    for part in owners:
        owner = getattr(owner, part, None)
    raw = getattr(owner, "__dict__", {}).get(name) if owners else getattr(owner, name, None)
    if isinstance(raw, classmethod | staticmethod):
        setattr(owner, name, type(raw)(_timed(raw.__func__, stage)))  # type: ignore[no-untyped-call]
    elif callable(raw):
        setattr(owner, name, _timed(raw, stage))  # type: ignore[no-untyped-call]


_PENDING: dict[str, list[tuple[str, str]]] = {}
for _stage, _targets in STAGES.items():
    for _module, _qualname in _targets:
        _PENDING.setdefault(_module, []).append((_qualname, _stage))


def _hook_imports() -> None:
    """Time every import, and patch each module of STAGES as it is first imported."""
    bootstrap = sys.modules["_frozen_importlib"]
    find_and_load = bootstrap._find_and_load

    def timed_find_and_load(name, import_):  # type: ignore[no-untyped-def]
        if _thread.get_ident() != _MAIN:
            return find_and_load(name, import_)
        _enter(IMPORT)
        try:
            module = find_and_load(name, import_)
        finally:
            _leave()
        for qualname, stage in _PENDING.pop(name, ()):
            _patch(module, qualname, stage)
        return module

    bootstrap._find_and_load = timed_find_and_load  # type: ignore[attr-defined]
    for name in [n for n in _PENDING if n in sys.modules]:
        for qualname, stage in _PENDING.pop(name):
            _patch(sys.modules[name], qualname, stage)


def main() -> int:
    """Run the console script's function with the arguments given, as the script would."""
    mode, out, script, *args = sys.argv[1:]
    profiler = None
    if mode == "--cprofile":
        import cProfile

        profiler = cProfile.Profile()
    else:
        _hook_imports()
    import importlib
    import re  # the console script imports it too

    text = open(script, encoding="utf-8").read()
    found = re.search(r"^from (\S+) import (\S+)", text, re.M)
    if found is None:
        raise SystemExit(f"{script}: not a console script")
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(script)
    began = time.perf_counter()
    status: object = 0
    try:
        if profiler is not None:
            profiler.enable()
        entry = getattr(importlib.import_module(found.group(1)), found.group(2))
        entry()
    except SystemExit as exc:
        status = exc.code
    finally:
        ended = time.perf_counter()
        if profiler is not None:
            profiler.disable()
        if os.getpid() == _PID:  # not a forked child leaving through here
            if profiler is not None:
                profiler.dump_stats(out)
            else:
                import json

                timed = {
                    "stages": _seconds,
                    "calls": _calls,
                    "command": ended - began,
                    "before": began - START,
                }
                with open(out, "w", encoding="utf-8") as file:
                    json.dump(timed, file)
    sys.stdout.flush()
    return status if isinstance(status, int) else (0 if status is None else 1)


if __name__ == "__main__":
    sys.exit(main())
