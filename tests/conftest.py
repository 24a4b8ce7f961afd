"""Fixtures: the project, the default letter built once per session, and readers for its outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import docx
import hypothesis
import pypdf
import pytest
import yaml
from click.testing import CliRunner, Result
from docx.text.paragraph import Paragraph

from letters.build.batch import build_many
from letters.build.build import build_letter
from letters.build.project import Project

ROOT = Path(__file__).resolve().parent.parent
#: The accessibility checks (axe-core and the DOM checks), run in Chromium.
A11Y = ROOT / "tests" / "a11y"
DEFAULT_LETTER = ROOT / "data" / "lancashire-2020-peel.yaml"
#: The reference letter (a copy of shared/seeds/000_d979ef4020952df4.txt).
SEED = Path(__file__).resolve().parent / "data" / "seed-lancashire-2020.txt"


def _slowdown() -> float:
    """Read LETTERS_TEST_SLOWDOWN: the factor every time limit in the tests is multiplied by."""
    given = os.environ.get("LETTERS_TEST_SLOWDOWN", "3")
    try:
        factor = float(given)
    except ValueError:
        factor = 0.0
    if not 0 < factor < 1000:
        raise pytest.UsageError(f"LETTERS_TEST_SLOWDOWN={given!r}: give a number above 0, as 3")
    return factor


#: Every time limit in the tests is multiplied by this. A limit is there so that a hung command
#: fails its test rather than the run, not to time the work; a machine whose cores are all busy
#: (CI's two, shared) runs a command several times slower than a quiet one, so the limits as
#: written (for a quiet machine) are stretched by 3 unless LETTERS_TEST_SLOWDOWN says otherwise.
#: The commands the tests start read it from the environment too (tests/a11y/chromium.mjs).
SLOWDOWN = _slowdown()
os.environ["LETTERS_TEST_SLOWDOWN"] = str(SLOWDOWN)

#: The office's archive settings (signing key, head log) are the tests' own: none, unless a
#: test names some; a developer's own settings never sign a test's archive.
os.environ["LETTERS_ARCHIVE_SETTINGS"] = str(Path(os.devnull) / "no-settings.toml")

# Hypothesis fails an example slower than its deadline (200 ms): stretched likewise.
hypothesis.settings.register_profile("letters", deadline=timedelta(milliseconds=200 * SLOWDOWN))
hypothesis.settings.load_profile("letters")


def patience(seconds: float) -> float:
    """Return a time limit written for a quiet machine, stretched by SLOWDOWN."""
    return seconds * SLOWDOWN


def _children() -> dict[int, list[int]]:
    """Map each running process to its children, from /proc (empty where there is none)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (command)"
        except (OSError, IndexError):  # ended meanwhile
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def _kill_all(process: subprocess.Popen[Any]) -> None:
    """Kill a command started by `started`, its process group and everything it started.

    Most children stay in the command's group, but some leave it: puppeteer starts Chromium in
    a session of its own. So while the command is running (and its pid still ours), it and its
    descendants are stopped, parents first, so that none can start or reap another meanwhile,
    then all are killed; then whatever is left in its group.
    """
    if process.poll() is None:
        stopped: list[int] = []
        level = [process.pid]
        while level:
            for pid in level:
                try:
                    os.kill(pid, signal.SIGSTOP)
                    stopped.append(pid)
                except (ProcessLookupError, PermissionError):
                    pass
            children = _children()
            level = [child for pid in level for child in children.get(pid, ())]
            level = [pid for pid in level if pid not in stopped]
        for pid in stopped:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # the group has ended already
        pass


@contextmanager
def started(
    args: Sequence[str | os.PathLike[str]], *, limit: float | None = 300, **options: Any
) -> Iterator[subprocess.Popen[Any]]:
    """Start a command (subprocess.Popen's options as given) in a process group of its own.

    However the block ends (an assertion, a time-out, Ctrl-C), the command and all it started
    (workers, a browser, LibreOffice's own process) are killed, so nothing runs on into the
    next test, and the command is reaped and its pipes closed, so no ResourceWarning reaches the
    next test either. Once `limit` seconds (stretched by SLOWDOWN) have passed they are killed
    meanwhile, so that a test blocked reading from the command goes on, and fails.
    """
    process = subprocess.Popen(args, start_new_session=True, **options)
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        _kill_all(process)

    timer = threading.Timer(patience(limit), expire) if limit is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        yield process
    finally:
        if timer is not None:
            timer.cancel()
            timer.join()
        _kill_all(process)
        with process:  # closes its pipes, then waits for it
            pass
        if expired.is_set():
            pytest.fail(f"{args[0]} ran past {patience(limit or 0):.0f} s and was killed")


def run(
    args: Sequence[str | os.PathLike[str]],
    *,
    timeout: float = 120,
    check: bool = False,
    capture_output: bool = False,
    input: str | bytes | None = None,
    **options: Any,
) -> subprocess.CompletedProcess[Any]:
    """Run a command as subprocess.run does, in a process group of its own, and return.

    `timeout` is stretched by SLOWDOWN. On a time-out, or anything else that ends the test, the
    command and all it started are killed and reaped (subprocess.run kills the command alone,
    leaving a browser or workers running).
    """
    if capture_output:
        options["stdout"] = options["stderr"] = subprocess.PIPE
    if input is not None:
        options["stdin"] = subprocess.PIPE
    with started(args, limit=None, **options) as process:
        try:
            out, err = process.communicate(input, timeout=patience(timeout))
        except subprocess.TimeoutExpired as late:
            said = late.stderr.decode(errors="replace") if isinstance(late.stderr, bytes) else ""
            pytest.fail(
                f"{args[0]} ran past {patience(timeout):.0f} s and was killed;"
                f" the end of what it wrote to stderr: {said[-2000:]!r}"
            )
    done = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    if check:
        done.check_returncode()
    return done


#: How the letters write the counts the tests use: words to nine, figures from 10.
COUNT_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "10",
    11: "11",
    12: "12",
}


def normalise(text: str) -> str:
    """Collapse runs of whitespace, as the comparisons with the seed allow."""
    return " ".join(text.split())


def docx_lines(path: Path, bullet: str = "- ") -> list[str]:
    """Read the DOCX body as a reader sees it: one line per non-empty paragraph.

    Table cells come in order; bullets are written `bullet`.
    """
    document = docx.Document(str(path))
    lines: list[str] = []

    def add(paragraph: Paragraph) -> None:
        text = normalise(paragraph.text)
        if text:
            listed = paragraph.style is not None and paragraph.style.name == "List Bullet"
            lines.append((bullet if listed else "") + text)

    for item in document.iter_inner_content():
        if isinstance(item, docx.table.Table):
            for row in item.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        add(paragraph)
        else:
            add(item)
    return lines


def pdf_pages(path: Path) -> list[str]:
    """Extract each PDF page's text with pypdf."""
    return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]


def seed_lines() -> list[str]:
    """Return the reference letter's non-empty lines, whitespace normalised."""
    return [
        normalise(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, project: Project) -> dict[str, Path]:
    """Build the default letter in every format, once for the whole session."""
    out = tmp_path_factory.mktemp("build")
    result = build_letter(DEFAULT_LETTER, out, project=project)
    assert result.warnings == ()
    return {_format_of(path, DEFAULT_LETTER.stem): path for path in result.paths}


#: The example letters under data/examples.
EXAMPLES = sorted((ROOT / "data" / "examples").glob("*.yaml"))


@pytest.fixture(scope="session")
def examples_built(
    tmp_path_factory: pytest.TempPathFactory, project: Project
) -> dict[str, dict[str, Path]]:
    """Build every example in every format, once for the whole session: name -> format -> file."""
    out = tmp_path_factory.mktemp("examples")
    batch = build_many(EXAMPLES, out, jobs=2, project=project, strict=True)
    failed = [(o.path.name, str(o.error)) for o in batch.outcomes if o.state != "done"]
    assert not failed, failed
    return {
        o.path.stem: {_format_of(p, o.path.stem): p for p in o.result.paths}
        for o in batch.outcomes
        if o.result is not None
    }


def _format_of(path: Path, stem: str) -> str:
    """'docx', 'pdf', 'html' or 'public-pdf' from an output's name."""
    return path.name.removeprefix(stem + ".").replace(".", "-")


def copy_of_project(root: Path, drafts: bool = True) -> Path:
    """Copy the project's data, templates and approvals into `root`, for a test to change.

    With `drafts`, its letters (data/ and data/examples/) are drafts, as letters being
    written are: an approved or sent letter builds from its approval's snapshot, so a
    test's change to a template, or to the letter, would not show in it (or would hold it).
    """
    for folder in ("data", "templates", "approvals"):
        shutil.copytree(ROOT / folder, root / folder)
    if drafts:
        for path in [*(root / "data").glob("*.yaml"), *(root / "data" / "examples").glob("*.yaml")]:
            path.write_text(as_draft(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root


#: A letter's status, in block or flow style, to the end of its mapping.
_STATUS = re.compile(r"^status:(?: \{[^}]*\}\n|\n(?:  .*\n)+)", re.M)


def as_draft(text: str) -> str:
    """Return a letter's data with its status made a draft."""
    changed, count = _STATUS.subn("status:\n  state: draft\n", text)
    assert count == 1, "a letter's status, once"
    return changed


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """Copy the project's data and templates to a folder the test may change freely."""
    copy_of_project(tmp_path)
    return tmp_path


def position(path: Path, text: str, occurrence: int = 1, *, after: str = "") -> str:
    """Return 'line:column' (both 1-based) where `text` begins in the file.

    `text` is looked for as the `occurrence`-th match of `after + text`, so a value can be found
    by its key (`after="date: "`) while the position is the value's, as messages give it.
    """
    content = path.read_text(encoding="utf-8")
    start = -1
    for _ in range(occurrence):
        start = content.find(after + text, start + 1)
        assert start >= 0, f"{after + text!r} occurs fewer than {occurrence} times in {path}"
    start += len(after)
    line = content.count("\n", 0, start) + 1
    column = start - content.rfind("\n", 0, start)
    return f"{line}:{column}"


def edit_yaml(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a data file's text, failing loudly if it is absent."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PAGE_FOOTER = re.compile(
    # the postcode's halves are joined by a no-break space, so the footer never splits it
    "Office of the Police and Crime Commissioner for Lancashire, County Hall, Preston, PR1\u00a00LD"
    r"\s*Page \d+ of \d+"
)


#: Internal facts the draft variant holds, which the public copy must never show.
NOTES = "Check the savings figure with the CFO before sending."
DIRECT_LINE = "01772 000111"


@pytest.fixture(scope="session")
def draft_built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build the default letter once as an OFFICIAL draft with internal notes and a direct line."""
    root = tmp_path_factory.mktemp("draft-project")
    copy_of_project(root)
    data = root / "data" / DEFAULT_LETTER.name
    edit_yaml(
        data,
        "status:\n  state: draft\n",
        f"status:\n  state: draft\nmarking: OFFICIAL\nnotes: {NOTES}\n",
    )
    edit_yaml(
        root / "data" / "offices" / "lancashire-pcc.yaml",
        "  email: commissioner@lancashire-pcc.gov.uk\n",
        f"  email: commissioner@lancashire-pcc.gov.uk\n  direct_line: {DIRECT_LINE}\n",
    )
    result = build_letter(data, root / "build", project=Project(root))
    return {**{_format_of(path, data.stem): path for path in result.paths}, "data": data}


def copy_project(tmp_path: Path, source: Path, change: Any) -> Path:
    """Copy the project; change one letter's data (a function of its tree); return its path."""
    copy_of_project(tmp_path)
    data = tmp_path / source.relative_to(ROOT)
    tree = yaml.load(data.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    change(tree)
    data.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def output_texts(built: list[Path]) -> dict[str, str]:
    """Read back each output's text, whitespace normalised."""
    paths = {path.name.split(".", 1)[1]: path for path in built}
    html = re.sub(r"<[^>]+>", " ", paths["html"].read_text(encoding="utf-8"))
    # a letter in two languages has a PDF for each (cy.pdf, en.pdf): read them in turn
    pdfs = sorted(p for name, p in paths.items() if name.endswith("pdf") and "public" not in name)
    return {
        "docx": normalise(" ".join(docx_lines(paths["docx"]))),
        "pdf": normalise(" ".join(page for pdf in pdfs for page in pdf_pages(pdf))),
        "html": normalise(html.replace("&#x27;", "'")),
    }


#: Python for a fresh interpreter (`python -c`), put before a test's own: from then on, each
#: program it starts (its command's name) is noted in the list `started`.
NOTING_PROGRAMS = """
import subprocess
started = []
real = subprocess.Popen.__init__
def noted(self, args, *rest, **options):
    started.append(args if isinstance(args, str) else str(args[0]))
    real(self, args, *rest, **options)
subprocess.Popen.__init__ = noted
"""


def interruptible() -> None:
    """Let a command started by a test take Ctrl-C, though the tests themselves may not.

    A shell starts a background job (a test run in the background, say) with Ctrl-C ignored,
    and its children inherit that: set before a child runs (Popen's preexec_fn), Ctrl-C stops
    the child as it would from a terminal.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def started_as_in_a_terminal(
    args: Sequence[str | os.PathLike[str]], cwd: Path
) -> AbstractContextManager[subprocess.Popen[str]]:
    """Start a command as a terminal would (`started`), its output read as text.

    It runs in a process group of its own, which a test's Ctrl-C (os.killpg) reaches whole,
    and Ctrl-C stops it as it would there (`interruptible`).
    """
    return started(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )


def cli(*args: str) -> Result:
    """Run letters in this process, as a user would from the working folder."""
    from letters.cli import main

    return CliRunner().invoke(main, list(args))


def cli_fails(*args: str) -> str:
    """Run a command expecting exit 1, no traceback and nothing in out/; return its message."""
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    assert not Path("out").exists()
    return result.stderr.strip()


#: The months as a person writes them: the tests' own, so a month the code misnames fails them.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


#: The default letter's status as the project ships it: sent.
SENT_STATUS = (
    "status:\n  state: sent\n  approved_by: Clive Grunshaw\n  approved_on: 2020-03-30\n"
    "  sent_on: 2020-03-30\n"
)


def run_in(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """Run letters from a folder; return its exit status, standard output and error."""
    monkeypatch.chdir(root)
    result = cli(*args)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def draft(scratch: Path) -> Path:
    """Make the default letter a draft, in a copy of the project."""
    return scratch


def axe_report(html: Path, width: int) -> dict[str, object]:
    """Run axe-core on a page in Chromium at a width; return its JSON report."""
    node = shutil.which("node")
    if (
        node is None
        or not (A11Y / "node_modules" / "axe-core").is_dir()
        or not Path("/usr/bin/chromium").exists()
    ):
        pytest.fail(
            "the accessibility check needs Node.js, Chromium and tests/a11y/node_modules:"
            " run make test"
        )
    result = run(
        [node, str(A11Y / "axe-check.mjs"), str(html), "--width", str(width)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def draw_signature(path: Path) -> bytes:
    """Draw a handwritten-looking line as a PNG at `path`; return its bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    ImageDraw.Draw(image).line(
        [(20, 150), (90, 60), (150, 140), (230, 50), (330, 150), (450, 70), (580, 120)],
        fill=(20, 30, 90, 255),
        width=6,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path.read_bytes()
