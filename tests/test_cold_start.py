"""A command imports only what it needs, and one letter is worked on without collecting garbage.

These hold what the benchmark (scripts/bench.py) measures the worth of: they time nothing.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, NOTING_PROGRAMS, cli, run

LETTER = f"data/{DEFAULT_LETTER.name}"

#: Run in a fresh interpreter: a letters command, then the names of every module imported.
IMPORTED = """
import json, sys
from letters.cli import main
try:
    main(sys.argv[1:], prog_name="letters")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""

#: What no command that only reads letters needs: the renderers, the worker processes.
RENDERERS = {"weasyprint", "docx", "fontTools", "pydyf", "letters.render"}
WORKERS = {"multiprocessing", "concurrent.futures.process", "letters.build.workers"}
#: What only wording a letter needs: Jinja, Markdown, the house style, the checks.
WORDING = {"jinja2", "markdown_it", "letters.compose"}


def _imported(root: Path, *args: str) -> set[str]:
    done = run([sys.executable, "-c", IMPORTED, *args], cwd=root, capture_output=True, text=True)
    assert done.stdout, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def _any_of(modules: set[str], names: set[str]) -> list[str]:
    """List the modules that are one of `names`, or inside one."""
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.parametrize(
    ("command", "unneeded"),
    [
        (("due",), RENDERERS | WORKERS | WORDING),
        (("due", LETTER, "--json"), RENDERERS | WORKERS | WORDING),
        (("findings", LETTER), RENDERERS | WORKERS | WORDING),
        (("findings", LETTER, "--json"), RENDERERS | WORKERS | WORDING),
        (("check", LETTER), RENDERERS | WORKERS),
    ],
)
def test_a_command_imports_only_what_it_needs(
    draft: Path, command: tuple[str, ...], unneeded: set[str]
) -> None:
    modules = _imported(draft, *command)
    assert "letters.source.validate" in modules  # it did read the letter
    assert _any_of(modules, unneeded) == []


def test_one_letter_is_checked_without_collecting_garbage(
    draft: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import letters.build.prepare as prepare

    collecting: list[bool] = []
    real = prepare.prepare

    def noted(*args: object, **options: object) -> prepare.Prepared:
        collecting.append(gc.isenabled())
        return real(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(prepare, "prepare", noted)
    monkeypatch.chdir(draft)
    shutil.copy(draft / LETTER, draft / "data" / "second.yaml")
    assert cli("check", LETTER).exit_code == 0
    assert gc.isenabled()  # on again as the command ends
    assert cli("check", LETTER, "data/second.yaml", "--jobs", "1").exit_code == 0
    assert collecting == [False, True, True]
    assert gc.isenabled()


#: Run in a fresh interpreter: a letters command, saying at the very end whether what the
#: process holds was frozen for the collector (the check is registered first, so runs last).
FROZEN_AT_EXIT = """
import atexit, gc, sys
atexit.register(lambda: print("frozen" if gc.get_freeze_count() else "not frozen"))
from letters.cli import main
main(sys.argv[1:], prog_name="letters")
"""


def test_the_process_is_frozen_for_the_collector_as_it_ends(draft: Path) -> None:
    done = run(
        [sys.executable, "-c", FROZEN_AT_EXIT, "findings", LETTER],
        cwd=draft,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "frozen"


#: Run in a fresh interpreter: name the tools' versions, noting every program started.
VERSIONS_PROGRAMS = (
    NOTING_PROGRAMS
    + """
import json
from letters.source.provenance import tool_versions
print(json.dumps([started, [name for name, version in tool_versions() if version != "unknown"]]))
"""
)


def test_naming_the_tools_versions_starts_no_program() -> None:
    # ctypes' library search runs ldconfig (then gcc, ld) for each name; Pango and HarfBuzz
    # are opened by their file names, as WeasyPrint opens them
    done = run([sys.executable, "-c", VERSIONS_PROGRAMS], capture_output=True, text=True)
    assert json.loads(done.stdout) == [[], ["letters", "WeasyPrint", "Pango", "HarfBuzz"]]
