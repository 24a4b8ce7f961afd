"""The PDF renderer starts without searching for its libraries or parsing its C types again.

These hold what the benchmark (scripts/bench.py) measures the worth of: they time nothing.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from conftest import NOTING_PROGRAMS, ROOT, run

#: Run in a fresh interpreter: import WeasyPrint as the renderer does, noting every program
#: started meanwhile and whether ctypes' library search is itself again afterwards.
IMPORT_PROGRAMS = (
    NOTING_PROGRAMS
    + """
import ctypes.util, json
search = ctypes.util.find_library
from letters.render.engine import import_weasyprint
weasyprint = import_weasyprint()
print(json.dumps([started, ctypes.util.find_library is search, weasyprint.__name__]))
"""
)


def test_importing_the_pdf_renderer_starts_no_program() -> None:
    # cffi looks up each library name it cannot open directly by running ldconfig, gcc, ld
    done = run([sys.executable, "-c", IMPORT_PROGRAMS], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [[], True, "weasyprint"]
    assert done.stderr == ""


#: A stand-in for WeasyPrint on a system whose Pango only a library search finds: the
#: stand-in prints advice and fails unless ctypes can search, as WeasyPrint would.
SEARCH_ONLY = """
import ctypes.util
from . import text
if ctypes.util.find_library("c") is None:
    print("WeasyPrint could not import some external libraries")
    raise OSError("cannot load library 'libpango-1.0-0'")
"""


def test_a_library_found_only_by_searching_is_still_found(tmp_path: Path) -> None:
    package = tmp_path / "weasyprint"
    package.mkdir()
    (package / "__init__.py").write_text(SEARCH_ONLY)
    (package / "text").mkdir()
    (package / "text" / "__init__.py").write_text("LOADED = True\n")
    (package / "text" / "ffi.py").write_text("ffi = object()\n")
    probe = (
        "import sys; from letters.render.engine import import_weasyprint; "
        "module = import_weasyprint(); print(module.text.LOADED, sys.modules['weasyprint.text'])"
    )
    done = run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert done.stdout.startswith("True <module 'weasyprint.text' from ")
    assert "could not import" not in done.stdout
    assert done.stderr == ""


#: A stand-in for WeasyPrint that prints advice as it is imported, once another thread is
#: printing too.
PRINTS = """
import __main__
__main__.importing.set()
__main__.printed.wait(10)
print("WeasyPrint could not import some external libraries")
"""

#: Run in a fresh interpreter: import the stand-in while another thread prints.
WHILE_PRINTING = """
import threading
importing, printed = threading.Event(), threading.Event()
def other():
    importing.wait(10)
    print("printed by another thread", flush=True)
    printed.set()
threading.Thread(target=other).start()
from letters.render.engine import import_weasyprint
import_weasyprint()
"""


def test_only_the_importing_thread_is_quiet(tmp_path: Path) -> None:
    package = tmp_path / "weasyprint"
    (package / "text").mkdir(parents=True)
    (package / "__init__.py").write_text(PRINTS)
    (package / "text" / "__init__.py").write_text("")
    (package / "text" / "ffi.py").write_text("ffi = object()\n")
    done = run(
        [sys.executable, "-c", WHILE_PRINTING],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert done.stdout == "printed by another thread\n"


#: Run in a fresh interpreter: build the default letter's PDF, then other letters (whose
#: fonts are subset to other lengths), printing how many C declarations cffi parsed for them.
PARSES = """
import sys
from pathlib import Path
import cffi.cparser
from letters.build.build import build_letter
from letters.build.project import Project
parsed = []
real = cffi.cparser.Parser._parse
def noted(self, source):
    parsed.append(source)
    return real(self, source)
project = Project(Path(sys.argv[1]))
letters = [project.root / "data" / name for name in sys.argv[3:]]
build_letter(letters[0], Path(sys.argv[2]), ("pdf",), project)
cffi.cparser.Parser._parse = noted
for letter in letters[1:]:
    build_letter(letter, Path(sys.argv[2]), ("pdf",), project)
print(len(parsed))
"""


def test_letters_after_the_first_parse_no_c_type(tmp_path: Path) -> None:
    others = ["examples/durham-2023-peel.yaml", "examples/mopac-2025-peel.yaml"]
    done = run(
        [sys.executable, "-c", PARSES, str(ROOT), str(tmp_path), "lancashire-2020-peel.yaml"]
        + others,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "durham-2023-peel.pdf",
        "lancashire-2020-peel.pdf",
        "mopac-2025-peel.pdf",
    ]
