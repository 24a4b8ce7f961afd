"""The `letters` command: parse options, call the library, turn its errors into exit status 1."""

from __future__ import annotations

import atexit
import datetime as dt
import errno
import functools
import gc
import json
import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, get_args

import click

from .. import __version__
from ..build.output import FORMATS
from ..source.errors import (
    ArchiveError,
    CheckResult,
    DataError,
    LettersError,
    OptionError,
    Severity,
    display_path,
    json_printable,
    printable,
)

if TYPE_CHECKING:  # the project (and pydantic, through it) loads when a command needs it
    from ..build.batch import Outcome
    from ..build.build import Built
    from ..build.project import Project
    from ..office.new import NewLetter

T = TypeVar("T")
#: The severities of the checks' results, as `check` counts them.
SEVERITIES: tuple[Severity, ...] = get_args(Severity)


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    """Read --format: formats named once each, comma-separated."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'nothing'} is not a format; choose from {', '.join(FORMATS)} "
            "(comma-separated)"
        )
    return chosen


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """Read --today as a date written YYYY-MM-DD."""
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # 3.11 also reads 20200330, 2020-W14
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; write it YYYY-MM-DD, for example 2020-03-30"
        ) from None


data_argument = click.argument("data", nargs=-1, type=click.Path(path_type=Path))
strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings (and WeasyPrint's) as errors."
)


def jobs_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Offer --jobs: how many letters are worked on at once, by worker processes."""
    return click.option(
        "--jobs",
        type=click.IntRange(1, 64),
        default=os.cpu_count() or 1,
        show_default="the number of cores",
        help=what,
    )


def out_folder_option(what: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Offer --out: the folder outputs are written to, build/ by default."""
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("build"),
        show_default=True,
        help=what,
    )


today_option = click.option(
    "--today",
    callback=_day,
    metavar="YYYY-MM-DD",
    help="The day to count the days left to the section 55 deadline from; default: today.",
)
on_option = click.option(
    "--on",
    "on",
    callback=_day,
    metavar="YYYY-MM-DD",
    help="The day; default: today.",
)


class _Letters(click.Group):
    """The command group: any fault a command did not report becomes one line and exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command, turning an unexpected exception into an internal error message."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except OSError as exc:  # the machine's answer (a name too long, no permission)
            _report(ctx, _machine_said(exc))
            ctx.exit(1)
        except Exception as exc:
            _internal(ctx, exc)
            ctx.exit(1)


@click.group(cls=_Letters, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="letters")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn structured facts (YAML under data/) into house-styled letters (DOCX, PDF, HTML)."""
    ctx.obj = {"debug": debug}
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stopped)
    _end_quickly()


@functools.cache
def _end_quickly() -> None:
    """Let the process end without its collector walking everything it holds one last time.

    As Python ends, it collects garbage over every object the process made (the libraries,
    the renderers: the better part of a second's work), then frees them. Frozen last of all
    (`gc.freeze`, once the exit handlers have run), they are freed without being walked:
    after a command on one letter, that walk was a sixth of its time.
    """
    atexit.register(gc.freeze)


def _stopped(_signum: int, _frame: object) -> None:
    """Stop on SIGTERM as on Ctrl-C: letters under way are finished or dropped, never cut."""
    raise KeyboardInterrupt


@main.command(short_help="Check, then build letters into DOCX, PDF and HTML.")
@data_argument
@out_folder_option("Folder to write the letters to.")
@click.option(
    "--format",
    "formats",
    metavar="[" + "|".join(FORMATS) + "],...",
    default=",".join(FORMATS),
    show_default=True,
    callback=_formats,
    help="Formats to write, comma-separated: docx and pdf (the letter to send; the PDF holds its "
    "data as sent), html and public-pdf (the public copy for the website).",
)
@click.option(
    "--force", is_flag=True, help="Build every letter, even one whose outputs are up to date."
)
@jobs_option("Letters built at once, each worker keeping the renderer loaded.")
@strict_option
@click.pass_context
def build(
    ctx: click.Context,
    data: tuple[Path, ...],
    out_dir: Path,
    formats: tuple[str, ...],
    force: bool,
    jobs: int,
    strict: bool,
) -> None:
    """Check, then build each DATA file (default: every data/*.yaml) into OUT/.

    A DATA folder stands for the *.yaml files directly inside it.

    Each letter is written as <name>.docx, .pdf, .html and .public.pdf.

    A letter that fails validation or its checks is reported and nothing is
    written for it; the other letters are still built. Exit status 1 if any
    letter failed. An approved or sent letter whose inputs changed since its
    approval is held: refused when it is the only letter, skipped (and named)
    in a build of several. A letter whose inputs, settings and outputs are as
    the last build left them is skipped (decided by content, not timestamps);
    --force builds it anyway. Several letters are built by --jobs worker
    processes at once; the files are the same whatever --jobs is.
    """
    from ..build.batch import build_many

    project, paths = _letters(ctx, data)
    _uncollected(ctx, paths)
    # in a batch, which letter a fault in a shared file stopped
    unmade = "not built: the fault above is in a file it is made from" if len(paths) > 1 else ""

    def told(outcome: Outcome[Built]) -> None:
        if outcome.state == "up to date":
            click.echo(f"up to date: {_shown(outcome.path)}")
        elif outcome.state == "held":
            click.echo(printable(str(outcome.error)), err=True)
        elif outcome.result is not None:
            for warning in (*outcome.result.warnings, *outcome.result.notes):
                click.echo(warning, err=True)
            for written in outcome.result.paths:
                click.echo(f"wrote {_shown(written)}")
        _said_failed(ctx, outcome, unmade)

    try:
        with _progress(paths, "Building letters", told) as each:
            batch = build_many(
                paths,
                out_dir,
                formats,
                jobs,
                project=project,
                strict=strict,
                force=force,
                each=each,
            )
    except LettersError as exc:  # OUT would replace an input
        _fail(ctx, exc)
    if batch.unrecorded:
        click.echo(f"warning: {batch.unrecorded}", err=True)
    if len(paths) > 1:  # one line at the end: what happened to every letter, and how long
        click.echo(batch.summary(), err=True)
    if batch.count("failed"):
        ctx.exit(1)


@main.command(short_help="Check letters without building them.")
@data_argument
@today_option
@jobs_option("Letters checked at once, by worker processes.")
@strict_option
@click.pass_context
def check(
    ctx: click.Context, data: tuple[Path, ...], today: dt.date | None, jobs: int, strict: bool
) -> None:
    """Validate each DATA file (default: every data/*.yaml) and run its checks, rendering nothing.

    A DATA folder stands for the *.yaml files directly inside it.

    Checks: the section 55 deadline (56 days from the report's publication),
    a response to every recommendation, figures that agree, the Home Secretary
    in office on the letter's date, and addresses complete enough to post.
    Exit status 1 if any letter has an error (or, with --strict, a warning).
    """
    from ..build.batch import check_many
    from ..build.prepare import failures

    project, paths = _letters(ctx, data)
    _uncollected(ctx, paths)

    def told(outcome: Outcome[tuple[CheckResult, ...]]) -> None:
        if outcome.error is not None:  # invalid data or wording: its problems, then the verdict
            _said_failed(ctx, outcome)
            errors = len(outcome.error.problems) if isinstance(outcome.error, DataError) else 1
            click.echo(f"{_shown(outcome.path)}: fails: {_count(errors, 'error')}")
            return
        results = outcome.result or ()
        for result in results:
            click.echo(printable(str(result)))
        counts = {kind: sum(r.severity == kind for r in results) for kind in SEVERITIES}
        click.echo(
            f"{_shown(outcome.path)}: {'fails' if failures(results, strict) else 'ok'}: "
            + ", ".join(_count(n, severity) for severity, n in counts.items())
        )

    outcomes = check_many(paths, project, today, jobs, strict=strict, each=told)
    _finish(ctx, outcomes)


@main.command(short_help="File approved letters in the archive, or verify it.")
@data_argument
@click.option(
    "--to",
    "root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("archive"),
    show_default=True,
    help="The archive folder: <year>/<letter>.pdf files and manifest.jsonl.",
)
@click.option(
    "--new-version",
    is_flag=True,
    help="File a letter that changed since it was archived as its next version.",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Re-hash every archived file and the manifest's chain instead of filing.",
)
@click.option(
    "--head",
    "show_head",
    is_flag=True,
    help="Print the hash of the manifest's last row (record it elsewhere).",
)
@click.option(
    "--expect-head",
    metavar="HASH",
    help="With --verify: fail unless the manifest's last row is this one (as logged).",
)
@click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --verify: check signatures against this public key, not the settings' one.",
)
@click.option(
    "--init-key",
    is_flag=True,
    help="Make the office's signing key pair, kept outside the archive (see README).",
)
@click.option("--list", "listing", is_flag=True, help="List the filed letters, in filing order.")
@click.option("--force", "force_name", metavar="F", help="With --list: forces named like F.")
@click.option("--year", type=int, metavar="Y", help="With --list: letters dated in year Y.")
@click.option("--kind", metavar="K", help="With --list: letters answering reports of kind K.")
@click.option(
    "--state", type=click.Choice(["approved", "sent"]), help="With --list: letters in state S."
)
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON, not a table.")
@click.option(
    "--reproduce",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Render an archived record PDF again from the files it embeds; compare the bytes.",
)
@click.option(
    "--public",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Make an archived letter's public copy (HTML, PDF) from its record PDF alone.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="With --public, where to write (default build/); with --reproduce, where to write "
    "the PDF made again.",
)
@strict_option
@click.pass_context
def archive(
    ctx: click.Context,
    /,
    data: tuple[Path, ...],
    root: Path,
    new_version: bool,
    verify: bool,
    show_head: bool,
    expect_head: str | None,
    key_file: Path | None,
    init_key: bool,
    listing: bool,
    reproduce: Path | None,
    public: Path | None,
    out_dir: Path | None,
    strict: bool,
    **chosen: Any,
) -> None:
    """File each approved or sent letter's record PDF as TO/<year>/<letter>.pdf.

    DATA defaults to every data/*.yaml; a DATA folder stands for the *.yaml files inside it.

    The manifest lists each filed PDF with its particulars, the SHA-256 of the PDF and of its
    inputs, and the hash of the row before it. Nothing is ever overwritten: an unchanged
    letter is not filed twice, a changed one only with --new-version. Drafts are refused.
    Each record embeds every file it was made from: --reproduce renders it again from them
    alone and says whether the bytes are the same; --public makes its public copy.
    With a key (--init-key), each row is signed and --verify checks the signatures.
    """
    action = _archive_action(
        data, new_version, verify, show_head, reproduce, public, out_dir, init_key, listing
    )
    if (expect_head or key_file) and action != "--verify":
        raise click.UsageError("--expect-head and --key go with --verify")
    if any(chosen.values()) and action != "--list":
        raise click.UsageError("--force, --year, --kind, --state and --json go with --list")
    if action == "--verify":
        _verify_archive(ctx, root, key_file, expect_head)
    elif action == "--head":
        _look_at_archive(ctx, root, verify)
    elif action == "--init-key":
        _init_key(ctx, root)
    elif action == "--list":
        _list_archive(ctx, root, chosen)
    elif action:
        _from_record(ctx, reproduce, public, out_dir)
    else:
        _file_letters(ctx, data, root, new_version, strict)


def _file_letters(
    ctx: click.Context, data: tuple[Path, ...], root: Path, new_version: bool, strict: bool
) -> None:
    """File each letter's record PDF in the archive at `root`; say what was done to each."""
    from ..build import archive as archiving
    from ..build.archive_keys import for_filing
    from ..build.batch import Outcome, for_each, name_clashes
    from ..build.build import archive_records

    project, paths = _letters(ctx, data)
    _writable(ctx, root, project, archive=True)
    try:
        signer, head_log = for_filing(root)
    except LettersError as exc:
        _fail(ctx, exc)

    def archive_one(path: Path) -> Outcome[None]:
        for record in archive_records(path, project, strict):
            filed = archiving.file_letter(record, root, new_version, None, signer, head_log)
            for done in filed.recovered:
                click.echo(f"recovered {done}", err=True)
            shown = _shown(filed.path)
            if filed.written:
                click.echo(f"filed {shown} (version {filed.version})")
                click.echo(f"archive head {filed.head}", err=True)
            elif filed.rendered_anew:
                click.echo(
                    f"unchanged: {shown} is already archived from the same sources (this version "
                    "of letters writes their PDF differently; the archived one stands)"
                )
            else:
                click.echo(f"unchanged: {shown} is already archived")
        return Outcome(path, "done")

    with _progress(paths, "Archiving letters", lambda outcome: _said_failed(ctx, outcome)) as each:
        outcomes = for_each(paths, archive_one, each, name_clashes(paths))
    _finish(ctx, outcomes)


@main.command(short_help="Export a report's findings as CSV or JSON.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV (the default): one row per finding.")
@click.option("--json", "as_json", is_flag=True, help="Write JSON: a list of findings.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of standard output.",
)
@click.pass_context
def findings(
    ctx: click.Context, data: Path, as_csv: bool, as_json: bool, out_file: Path | None
) -> None:
    """Export the findings of DATA's report: number, kind, text, response and planned action.

    For the office's own tracking and the inspectorate's monitoring portal. The
    columns are number, kind, area, theme, cause, addressed_to, text, response,
    action, text_cy and response_cy.
    """
    from ..build.output import refuse_as_target, write_all
    from ..source.findings import collect_findings, finding_rows, findings_csv, findings_json
    from ..source.validate import load_letter

    if as_csv and as_json:
        raise click.UsageError("--csv and --json: choose one")
    try:
        project = _find_project(data.parent, Path.cwd())
        rows = finding_rows(collect_findings(load_letter(data, project.root).letter.report))
        text = findings_json(rows) if as_json else findings_csv(rows)
        if out_file is not None:
            target = refuse_as_target(out_file, project.root, (".json",) if as_json else (".csv",))
            write_all({target: text.encode("utf-8")})
    except LettersError as exc:
        _fail(ctx, exc)
    if out_file is None:
        click.echo(text, nl=False)
    else:
        click.echo(
            f"wrote {_shown(out_file)} "
            + (
                f"({len(rows)} finding{'s' if len(rows) != 1 else ''})" if rows else "(no findings)"
            ),
            err=True,
        )


@main.command(short_help="Start a new letter from its report kind or a previous letter.")
@click.argument("name", required=False)
@click.option(
    "--kind",
    metavar="KIND",
    help="The report kind (data/reference/frameworks.yaml), such as peel-2023 or thematic.",
)
@click.option(
    "--office",
    metavar="FILE",
    help="The office's file, relative to data/: offices/lancashire-pcc.yaml. Made from "
    "questions if it does not exist (at a terminal).",
)
@click.option(
    "--from",
    "previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Start from this previous letter (its office, recipient, force and paragraphs).",
)
@click.option(
    "--no-input", is_flag=True, help="Ask nothing: refuse an office's file that does not exist."
)
@click.pass_context
def new(
    ctx: click.Context,
    name: str | None,
    kind: str | None,
    office: str | None,
    previous: Path | None,
    no_input: bool,
) -> None:
    """Write data/NAME.yaml: a skeleton of the report kind's letter, or a copy of a previous one.

    The skeleton lists the framework's areas, grade scale and kinds of finding, with a sample
    finding in comments; a copy keeps the previous letter's office, recipient, force,
    paragraphs and sections, and none of its status, approval, dates, findings, notes or chief
    officer's comments. Either fails `letters check` with a message for each blank until it
    is filled in. An office's file that does not exist is made first from questions, at a
    terminal; with no NAME, `letters new --office FILE` makes the office's file alone. An
    existing file is never replaced.
    """
    if name is None and (kind or previous or not office):
        raise click.UsageError("give NAME, or --office FILE alone to make an office's file")
    try:
        started = _start(name, kind, office, previous, asking=not no_input and _at_terminal())
    except OptionError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.option) from None
    except LettersError as exc:
        _fail(ctx, exc)
    if started is None:
        return
    shown = _shown(started.path)
    click.echo(f"wrote {shown}; fill in each blank, then: letters check {shown}")
    for where in started.counted:
        click.echo(
            f"note: {where}: it counts this letter's findings, which are not in yet; "
            "`letters check` warns if it would count none",
            err=True,
        )


def _start(
    name: str | None, kind: str | None, office: str | None, previous: Path | None, asking: bool
) -> NewLetter | None:
    """Start the letter, making its office's file first if it has none; or make that alone."""
    from ..office.new import NoOffice, start_letter

    project = _find_project()
    if name is None:
        made = _make_office(project, str(office), asking, offered=False)
        named = made.relative_to(project.data).as_posix()
        click.echo(f"wrote {_shown(made)}; a letter names it as office: {named}")
        return None
    try:
        return start_letter(project, name, kind, office, previous)
    except NoOffice as missing:
        _make_office(project, missing.office, asking, offered=True)
        return start_letter(project, name, kind, office, previous)


def _at_terminal() -> bool:
    """Say whether someone is at a terminal to answer questions."""
    return sys.stdin.isatty()


def _make_office(project: Project, office: str, asking: bool, offered: bool) -> Path:
    """Make an office's file from answers to its questions, or refuse if none can be asked.

    `offered`: ask first whether to make it (a letter named it). Nothing is written until
    every answer is in: Ctrl-C or the end of input leaves no file.
    """
    from ..office.new import office_name
    from ..office.new_office import QUESTIONS, new_office_path, no_office, write_office

    path = new_office_path(project, office_name(project, office))
    if not asking or (
        offered and not click.confirm(f"{_shown(path)} does not exist; make it now?", default=True)
    ):
        raise no_office(project, path)
    click.echo(f"The details for {_shown(path)}; each letter from the office shares them.")
    answers: dict[str, Any] = {}
    for question in QUESTIONS:
        answers[question.key] = (
            _ask_lines(question.prompt, question.check)
            if question.lines
            else click.prompt(
                question.prompt,
                default=question.default(answers) or None,
                value_proc=_checked(question.check),
            )
        )
    return write_office(path, answers)


def _checked(check: Callable[[str], str]) -> Callable[[str], str]:
    """Turn a check's ValueError into the error click.prompt shows before asking again."""

    def proc(value: str) -> str:
        try:
            return check(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return proc


def _ask_lines(prompt: str, check: Callable[[str], str]) -> list[str]:
    """Ask for an address a line at a time until an empty line, and again until it will do."""
    from ..office.new_office import MOST_LINES, address_problem

    click.echo(prompt)
    lines: list[str] = []
    while True:
        line = click.prompt(
            f"  line {len(lines) + 1}",
            default="",
            show_default=False,
            value_proc=_checked(lambda value: check(value) if value.strip() else ""),
        )
        lines += [line] if line else []
        if line and len(lines) < MOST_LINES:
            continue
        problem = address_problem(lines)
        if not problem:
            return lines
        if len(lines) == MOST_LINES:
            problem, lines = f"{problem}; type the address again", []
        click.echo(f"Error: {problem}", err=True)


@main.command(short_help="Preview a letter in the browser as you edit it.")
@click.argument(
    "data", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=False
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8055,
    show_default=True,
    help="The port on 127.0.0.1 to serve on (0: any free port).",
)
@click.pass_context
def preview(ctx: click.Context, data: Path | None, port: int) -> None:
    """Serve a live preview of DATA (default: the first data/*.yaml) on 127.0.0.1.

    The page shows the PDF's pages as they will print, the HTML page beside them and links
    to the PDF and DOCX. Saving the data, the office's file, a template or the house style
    rebuilds the letter and the open page updates itself; a mistake shows in the page with
    its file and line until the next good save. Only this computer can reach it. Ctrl-C
    stops it.
    """
    from ..office.preview import Preview, serve

    project, paths = _letters(ctx, (data,) if data else ())
    live = Preview(paths[0], project)
    ready = threading.Event()

    def announce() -> None:
        ready.wait()
        click.echo(
            f"previewing {_shown(paths[0])} at http://127.0.0.1:{live.port}/ (Ctrl-C to stop)"
        )

    threading.Thread(target=announce, daemon=True).start()
    try:
        serve(live, port, ready)
    except KeyboardInterrupt:
        click.echo("preview stopped")
    except OSError as exc:
        raise click.ClickException(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None


@main.command(short_help="Show what changed in a letter's words since it was approved.")
@click.argument(
    "data", type=click.Path(path_type=Path, dir_okay=False, exists=True), required=False
)
@click.option(
    "--against",
    metavar="N|REV",
    help="An approved version's number, or a git revision; default: the latest approved "
    "version, else the last commit.",
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="List what the shared files now would change in every approved letter, instead.",
)
@out_folder_option("Folder to write the redline to.")
@click.pass_context
def diff(
    ctx: click.Context, data: Path | None, against: str | None, every: bool, out_dir: Path
) -> None:
    """Write a redline of DATA: its words as approved against its words now.

    <name>.redline.html marks insertions and deletions word by word, each changed line
    naming the file it came from (the letter's data, or a template, the house style or a
    reference list); <name>.redline.docx holds them as Word tracked changes, one author per
    file, to accept or reject. No git is needed, except to compare with a git revision.
    """
    if every:
        _diff_all(ctx, data)
        return
    if data is None:
        raise click.UsageError("give the letter's DATA file, or --all")
    from ..office.redline import count_changes, redline, redline_docx, redline_html

    project = _office_letter(ctx, data)
    _writable(ctx, out_dir, project)
    html_path = out_dir / f"{data.stem}.redline.html"
    docx_path = out_dir / f"{data.stem}.redline.docx"
    try:
        made = redline(data, project, against)
        title = f"{data.stem}, {made.against} to now"
        docx = redline_docx(made.changes, made.day, project.style, title)
        _write(ctx, {html_path: redline_html(made.changes, title).encode(), docx_path: docx})
    except LettersError as exc:
        _report(ctx, exc, data)
        ctx.exit(1)
    count = count_changes(made.changes)
    click.echo(f"{count} {'change' if count == 1 else 'changes'} since {made.against}")
    click.echo(f"wrote {_shown(html_path)}")
    click.echo(f"wrote {_shown(docx_path)}")


def _diff_all(ctx: click.Context, data: Path | None) -> None:
    """Print, for every approved letter, what the shared files now would change in it."""
    from ..office.redline import shared_changes

    if data is not None:
        raise click.UsageError("--all takes no DATA file")
    project, paths = _letters(ctx, ())
    try:
        touched = shared_changes(paths, project)
    except LettersError as exc:
        _fail(ctx, exc)
    for row in touched:
        said = (
            f"would not build if reopened: {row.error}"
            if row.error
            else f"{_count(row.changes, 'change')} if reopened, from {', '.join(row.sources)}"
            if row.changes
            else "unchanged by the shared files"
        )
        click.echo(f"{_shown(row.letter)} (version {row.version}): {said}")


@main.command(short_help="Approve a letter: freeze its inputs in a snapshot.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--by", "by", required=True, help="Who approves it (the signatory, usually).")
@click.option(
    "--on",
    "on",
    callback=_day,
    metavar="YYYY-MM-DD",
    help="The day; default: today (with --sent, the day the letter bears).",
)
@click.option(
    "--sent", is_flag=True, help="Record a letter sent before letters was used: approved and sent."
)
@click.pass_context
def approve(ctx: click.Context, data: Path, by: str, on: dt.date | None, sent: bool) -> None:
    """Approve DATA: copy every input into the snapshot store and set its status.

    Every file the letter is made from (its data, its office's file, signatures, templates,
    house style, fonts and reference lists) is kept in approvals/ by its SHA-256, with the
    files built from them; from then on the letter builds from that snapshot, so a later
    change to a template changes drafts only. A change to the letter's own data holds it
    until it is reopened (letters reopen). Any build outputs of the draft are removed from
    build/. No git is needed.
    """
    from ..build.approval import approve as record_approval
    from ..build.output import remove_outputs

    project = _office_letter(ctx, data)
    today = dt.date.today()
    try:
        record = record_approval(data, project, by, on, today, sent=sent)
    except LettersError as exc:
        _fail(ctx, exc)
    for stale in remove_outputs(project.root / "build", data.stem):
        click.echo(f"removed the draft {_shown(stale)}")
    state = "recorded as sent" if sent else "approved"
    click.echo(f"{state} {_shown(data)}; its snapshot is recorded in {_shown(record)}")


@main.command(short_help="Record that a letter's comments are published and copied.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@on_option
@click.pass_context
def publish(ctx: click.Context, data: Path, on: dt.date | None) -> None:
    """Record the day DATA's comments were published and copied (s.55(6)).

    The copies go to the inspectorate and the Home Secretary; the day meets the deadline if
    it is no later than the last day. The letter must be approved first; its files as sent
    are kept with its snapshot.
    """
    from ..build.approval import publish as record_publication

    project = _office_letter(ctx, data)
    try:
        today = dt.date.today()
        record_publication(data, project, on or today, today)
    except LettersError as exc:
        _report(ctx, exc, data)
        ctx.exit(1)
    click.echo(f"published {_shown(data)}: state sent, copies recorded")


@main.command(short_help="Start a new version of an approved or sent letter.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--why", required=True, help="Why it is reopened: kept with the new version.")
@click.pass_context
def reopen(ctx: click.Context, data: Path, why: str) -> None:
    """Make DATA a draft again, as its next version, to correct it and approve it again.

    The version sent stays in the snapshot store; the new one names it as the version it
    supersedes, with the reason, once approved.
    """
    from ..build.approval import reopen as start_version

    project = _office_letter(ctx, data)
    try:
        version = start_version(data, project, why)
    except LettersError as exc:
        _fail(ctx, exc)
    click.echo(f"reopened {_shown(data)} as version {version}, a draft")


@main.command(short_help="List a letter's versions: who approved each, when, and why reopened.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_context
def history(ctx: click.Context, data: Path) -> None:
    """List DATA's versions, oldest first, from its snapshots and its status."""
    from ..build.approval import history as versions

    project = _office_letter(ctx, data)
    try:
        rows = versions(data, project)
    except LettersError as exc:
        _fail(ctx, exc)
    for row in rows:
        when = f" by {row.approved_by} on {row.approved_on}" if row.approved_on else ""
        how = f" ({row.how})" if row.how not in ("approved", "") else ""
        said = f"; reopened from version {row.supersedes}: {row.reason}" if row.reason else ""
        click.echo(printable(f"version {row.version}: {row.state}{when}{how}{said}"))


@main.command(short_help="List a reviewed DOCX's changes and comments by source; --apply them.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("reviewed", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--apply", "apply_", is_flag=True, help="Write changes to the data; keep comments.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option("--force", is_flag=True, help="Take a copy of another letter or of older inputs.")
@click.pass_context
def review(
    ctx: click.Context, data: Path, reviewed: Path, apply_: bool, as_json: bool, force: bool
) -> None:
    """List each tracked change and comment in REVIEWED (a DOCX of DATA) with its source.

    With --apply, changes to the letter's own data are written to DATA (a draft), and each
    comment is kept under its review: until resolved. Changes to a template's words or to
    text derived from facts are listed for the office to make. Exit status 1 if any change
    was not applied.
    """
    from ..office.review import apply, listing, unplaced
    from ..office.review import review as read_review

    project = _office_letter(ctx, data)
    try:
        found = read_review(data, reviewed, project, force=force)
        if apply_:
            apply(found, data, project)
    except LettersError as exc:
        _fail(ctx, exc)
    if as_json:
        items = [item.as_dict() for item in found.items]
        listed = json.dumps({"letter": found.key, "items": items}, indent=2, ensure_ascii=False)
        click.echo(json_printable(listed))
    else:
        click.echo(printable(listing(found, applied=apply_)))
    if unplaced(found):
        ctx.exit(1)


@main.command(short_help="Write the office's publication pages from the letters it has sent.")
@click.option("--office", metavar="NAME", help="Only this office (its file's name, less .yaml).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write each office's site into, one folder each.  [default: the "
    "project's build/site]",
)
@click.pass_context
def site(ctx: click.Context, office: str | None, out_dir: Path | None) -> None:
    """Write each office's pages of HMICFRS reports and its responses, from the letters sent.

    Each version is taken as it was sent, from its record under approvals/: its public page
    and PDF, never a draft, an approved letter not yet sent, or the sent copy. Per office:
    index.html (and index.cy.html for a Welsh office), a page per response, feed.atom,
    site.css, index.fragment.html and responses.csv for a CMS, and SHA256SUMS.
    """
    from ..office.site import SITE_FOLDER, make_sites

    try:
        project = _find_project(Path.cwd())
    except LettersError as exc:
        _fail(ctx, exc)
    out = _writable(ctx, out_dir or project.root / SITE_FOLDER, project)
    try:
        made = make_sites(project, out, office, lambda name: click.echo(f"{name} ...", err=True))
    except LettersError as exc:
        _fail(ctx, exc)
    for one in made:
        click.echo(
            f"{_shown(one.folder / 'index.html')}: {_count(one.responses, 'response')}"
            f" ({_count(one.versions, 'version')}), {_count(one.files, 'file')}"
        )
    if not made:
        click.echo("no letter has been sent yet: nothing to publish")


@main.command(short_help="Make snapshots for letters approved or sent before they were kept.")
@data_argument
@click.pass_context
def migrate(ctx: click.Context, data: tuple[Path, ...]) -> None:
    """Record a snapshot for each approved or sent DATA file (default: data/*.yaml) lacking one.

    Its inputs are taken as they are now; the record says 'reconstructed' unless the
    letter's old approval record (data/<name>.approval.json) matches them. Nothing is
    deleted. Drafts and letters with a snapshot are left alone.
    """
    from ..build.approval import reconstruct
    from ..build.batch import Outcome, for_each

    project, paths = _letters(ctx, data)

    def one(path: Path) -> Outcome[None]:
        record = reconstruct(path, project)
        if record is not None:
            click.echo(f"recorded {_shown(record)}")
        return Outcome(path, "done")

    outcomes = for_each(paths, one, lambda outcome: _said_failed(ctx, outcome))
    _finish(ctx, outcomes)


@main.command(short_help="List what is due when: every letter's deadline and dates.")
@data_argument
@today_option
@click.option("--json", "as_json", is_flag=True, help="Write JSON instead of a table.")
@click.option(
    "--ics",
    "ics_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the deadlines to this iCalendar file, for the office's calendar.",
)
@click.pass_context
def due(
    ctx: click.Context,
    data: tuple[Path, ...],
    today: dt.date | None,
    as_json: bool,
    ics_file: Path | None,
) -> None:
    """List each DATA file's (default: every data/*.yaml) section 55 dates.

    A DATA folder stands for the *.yaml files directly inside it.

    The report's publication, the statutory last day and the days left, the letter's state,
    when the chief officer's comments and the Welsh translation are wanted, and when the
    comments were published. Exit status 1 if a letter is overdue with no reason recorded
    (letter.delay_reason), or cannot be read.
    """
    from ..build.batch import Outcome, for_each
    from ..office.due import Due, due_ics, due_json, due_of, due_table
    from ..source.validate import load_letter

    project, paths = _letters(ctx, data)
    if ics_file is not None:
        ics_file = _writable(ctx, ics_file, project, (".ics",))
    day = today or dt.date.today()
    rows: list[Due] = []

    def read_one(path: Path) -> Outcome[None]:
        rows.append(due_of(_shown(path), load_letter(path, project.root)))
        return Outcome(path, "done")

    outcomes = for_each(paths, read_one, lambda outcome: _said_failed(ctx, outcome))
    failed = _failed(outcomes)
    click.echo(due_json(rows, day) if as_json else due_table(rows, day))
    if ics_file is not None and failed:
        click.echo(
            f"{_shown(ics_file)}: not written: a calendar missing a letter would replace a "
            "whole one; mend the letter above and run again",
            err=True,
        )
    elif ics_file is not None:
        _write(ctx, {ics_file: due_ics(rows).encode("utf-8")})
    late = [said for row in rows if (said := row.unexplained(day))]
    for said in late:
        click.echo(said, err=True)
    if late or failed:
        ctx.exit(1)


@main.command(short_help="Print the JSON Schema editors use to check data files.")
@click.option(
    "--office", is_flag=True, help="Print the schema of an office file instead of a letter's."
)
@click.pass_context
def schema(ctx: click.Context, office: bool) -> None:
    """Print the JSON Schema of a letter's data file (editors use it to complete and check fields).

    The repository ships it as data/letter.schema.json (and data/office.schema.json);
    each data file names it in its first line for the YAML language server.
    """
    from ..source.schema import json_schema

    try:
        frameworks = _find_project().frameworks
    except LettersError as exc:
        _fail(ctx, exc)
    click.echo(
        json.dumps(
            json_schema("office" if office else "letter", frameworks), indent=2, ensure_ascii=False
        )
    )


def _write(ctx: click.Context, files: dict[Path, bytes]) -> None:
    """Write files all or nothing; exit 1 saying why if they cannot be."""
    from ..build.output import write_all

    try:
        write_all(files)
    except LettersError as exc:
        _fail(ctx, exc)


def _archive_action(
    data: tuple[Path, ...],
    new_version: bool,
    verify: bool,
    show_head: bool,
    reproduce: Path | None,
    public: Path | None,
    out_dir: Path | None,
    init_key: bool = False,
    listing: bool = False,
) -> str:
    """Name the option saying what `letters archive` is to do instead of filing ('' to file).

    Raise a usage error for options that do not go together.
    """
    asked = [
        name
        for name, given in (
            ("--verify", verify),
            ("--head", show_head),
            ("--reproduce", reproduce),
            ("--public", public),
            ("--init-key", init_key),
            ("--list", listing),
        )
        if given
    ]
    looks = asked[:1] in (["--verify"], ["--head"])
    if asked and data:
        said = "--verify and --head take" if looks else f"{asked[0]} takes"
        raise click.UsageError(f"{said} no DATA files")
    if len(asked) > 1:
        also = " (--verify prints the head too)" if asked == ["--verify", "--head"] else ""
        raise click.UsageError(f"{' and '.join(asked)}: choose one{also}")
    if asked and new_version:
        raise click.UsageError(f"{asked[0]} files nothing: --new-version does not go with it")
    if out_dir is not None and asked not in (["--reproduce"], ["--public"]):
        raise click.UsageError("--out goes with --reproduce or --public")
    return asked[0] if asked else ""


def _from_record(
    ctx: click.Context, reproduce: Path | None, public: Path | None, out_dir: Path | None
) -> None:
    """Reproduce a record PDF, or make its public copy; say what was done; exit 1 if it failed."""
    from ..build import reproduce as remaking

    try:
        if reproduce is not None:
            done = remaking.reproduce(reproduce, out_dir)
            if done.written is not None:
                click.echo(f"wrote {_shown(done.written)}")
            if not done.identical:
                _fail(ctx, ArchiveError(done.verdict))
            click.echo(done.verdict)
        elif public is not None:
            made = remaking.public_copy(public, out_dir or Path("build"))
            for warning in made.warnings:
                click.echo(printable(warning), err=True)
            for path in made.paths:
                click.echo(f"wrote {_shown(path)}")
    except LettersError as exc:
        _fail(ctx, exc)


def _look_at_archive(ctx: click.Context, root: Path, verify: bool) -> None:
    """Print an archive's head, or verify it: each problem, then the verdict; exit 1 if any."""
    from ..build import archive as archiving

    try:
        if not verify:
            click.echo(archiving.head(archiving.existing(root)))
            return
        problems = archiving.verify(archiving.existing(root))
        for problem in problems:
            click.echo(printable(f"{root}/{problem}"), err=True)
        if problems:
            click.echo(f"{root}: {_count(len(problems), 'problem')} found", err=True)
            ctx.exit(1)
        rows = archiving.read_manifest(root)
        click.echo(
            f"{root}: verified {_count(len(rows), 'filed letter')}; chain head "
            f"{archiving.head(root)}"
        )
    except LettersError as exc:
        _fail(ctx, exc)


def _verify_archive(
    ctx: click.Context, root: Path, key_file: Path | None, expect_head: str | None
) -> None:
    """Verify an archive, signatures too: each problem, then the verdict; exit 1 if any."""
    from ..build import archive as archiving
    from ..build.archive_audit import audit, office_key

    try:
        found = audit(archiving.existing(root), office_key(root, key_file), expect_head)
    except LettersError as exc:
        _fail(ctx, exc)
    for problem in found.problems:
        click.echo(printable(f"{root}/{problem}"), err=True)
    if found.problems:
        click.echo(f"{root}: {_count(len(found.problems), 'problem')} found", err=True)
        ctx.exit(1)
    click.echo(
        f"{root}: verified {_count(found.rows, 'filed letter')}; chain head {found.head}; "
        f"{found.signed}"
    )


def _init_key(ctx: click.Context, root: Path) -> None:
    """Make the office's key pair; say where each part went."""
    from ..build.archive_keys import PUBLIC_COPY, init_key

    try:
        settings, made = init_key(root)
    except LettersError as exc:
        _fail(ctx, exc)
    click.echo(f"made key {made}")
    click.echo(f"private key: {settings.private_key} (back it up; keep it from the archive)")
    click.echo(f"public key and head log named in {settings.path}")
    click.echo(f"a copy of the public key, for reference only: {root / PUBLIC_COPY}")


def _list_archive(ctx: click.Context, root: Path, chosen: dict[str, Any]) -> None:
    """Print the archive's rows that match, as a table or as JSON."""
    from ..build import archive as archiving
    from ..build.archive_list import chosen as matching
    from ..build.archive_list import table

    try:
        rows = archiving.read_manifest(archiving.existing(root))
    except LettersError as exc:
        _fail(ctx, exc)
    found = matching(rows, chosen["force_name"], chosen["year"], chosen["kind"], chosen["state"])
    if chosen["as_json"]:
        click.echo(json.dumps([{"row": n, **row} for n, row in found], indent=2))
        return
    for line in table(found):
        click.echo(printable(line))


def _said_failed(ctx: click.Context, outcome: Outcome[Any], unmade: str = "") -> None:
    """Report why a letter failed, if it failed with an error, and let the next one go on.

    A fault in another file (a template, an office's) is followed by the letter's name and
    `unmade`, when given.
    """
    path, exc = outcome.path, outcome.error
    if outcome.state != "failed" or exc is None:
        return
    if isinstance(exc, LettersError):
        _report(ctx, exc, path)
        if unmade and exc.located and not str(exc).startswith((f"{path}:", f"{_shown(path)}:")):
            # the fault is in a file the letter is made from: say which letter it stopped
            click.echo(f"{_shown(path)}: {unmade}", err=True)
    elif isinstance(exc, OSError):  # the machine's answer about a file: the letter's fault
        _report(ctx, _machine_said(exc), path)
    else:  # a fault of letters itself: say so, and go on to the next
        _internal(ctx, exc, f" while building {_shown(path)}")


def _writable(
    ctx: click.Context,
    target: Path,
    project: Project,
    suffixes: tuple[str, ...] = (),
    archive: bool = False,
) -> Path:
    """Return where an output may go, or exit 1 saying why not (it would replace an input)."""
    from ..build.output import refuse_as_target

    try:
        return refuse_as_target(target, project.root, suffixes, archive)
    except LettersError as exc:
        _fail(ctx, exc)


def _office_letter(ctx: click.Context, data: Path) -> Project:
    """Find the project of a letter an office command changes; exit 1 if it is none of its."""
    from ..source.names import data_file_problem

    try:
        project = _find_project(data.parent, Path.cwd())
    except LettersError as exc:
        _fail(ctx, exc)
    problem = data_file_problem(data, project.data)
    if problem:
        _fail(ctx, LettersError(problem))
    return project


def _count(n: int, what: str) -> str:
    """Write a count of results: '1 error', '2 notes'."""
    return f"{n} {what}{'' if n == 1 else 's'}"


def _find_project(*starts: Path) -> Project:
    """Find the project; importing it loads pydantic, so only a command that needs it does."""
    from ..build.project import Project

    return Project.find(*starts)


def _letters(ctx: click.Context, data: tuple[Path, ...]) -> tuple[Project, list[Path]]:
    """Find the project and the data files to work on: those given, or every data/*.yaml.

    A folder stands for the *.yaml files directly inside it, in order of name.
    """
    paths: list[Path] = []
    for item in data:
        if not item.is_dir():
            paths.append(item)
            continue
        found = sorted(item.glob("*.yaml"))
        if not found:
            raise click.UsageError(f"no data files (*.yaml) in the folder {item}")
        paths.extend(found)
    try:
        project = _find_project(paths[0].parent, Path.cwd()) if paths else _find_project()
    except LettersError as exc:
        _fail(ctx, exc)
    once: dict[Path, Path] = {}  # each file once, however named (data/x.yaml, ./data/x.yaml)
    for path in paths:
        once.setdefault(path.resolve(), path)
    paths = list(once.values())
    paths = paths or project.letters()
    if not paths:
        raise click.UsageError(f"no data files given and none in {project.data}")
    return project, paths


def _uncollected(ctx: click.Context, paths: list[Path]) -> None:
    """Let a command on one letter run to its end without collecting garbage.

    One letter is checked or built in this process, which then ends, and nearly all it
    makes lives until then: the libraries, the project, the renderers. Python's collector
    walks them again and again as they are made (280 times in one cold build, a tenth of
    its time) to free a few MB (5 for a letter of 500 findings). Several letters are
    collected as usual: the workers forked from this process inherit the setting. The
    collector is back on as the command ends (a program that runs commands runs on).
    """
    if len(paths) == 1 and gc.isenabled():
        gc.disable()
        ctx.call_on_close(gc.enable)


@contextmanager
def _progress(
    paths: list[Path], label: str, told: Callable[[Outcome[T]], None]
) -> Iterator[Callable[[Outcome[T]], None]]:
    """Report each letter's outcome with `told`, with a progress bar for a batch on a terminal."""
    if len(paths) < 2 or not sys.stderr.isatty():
        yield told
        return
    with click.progressbar(
        length=len(paths), label=label, file=sys.stderr, item_show_func=lambda p: p
    ) as bar:

        def each(outcome: Outcome[T]) -> None:
            told(outcome)
            bar.update(1, outcome.path.name)

        yield each


def _failed(outcomes: list[Outcome[Any]]) -> int:
    """Count the letters that failed."""
    return sum(outcome.state == "failed" for outcome in outcomes)


def _finish(ctx: click.Context, outcomes: list[Outcome[Any]]) -> None:
    """Say how many letters failed, if any did, and exit with status 1."""
    failed = _failed(outcomes)
    if failed:
        if len(outcomes) > 1:
            click.echo(f"{failed} of {len(outcomes)} letters failed", err=True)
        ctx.exit(1)


def _shown(path: Path) -> str:
    """Show a path as messages do: relative to the working folder, controls escaped."""
    return display_path(path)


def _report(ctx: click.Context, exc: LettersError, path: Path | None = None) -> None:
    """Print an error as its message alone (or with its traceback under --debug).

    A message about one letter that does not name a file yet is put after the letter's.
    """
    if ctx.obj and ctx.obj.get("debug"):
        traceback.print_exception(exc)
    message = printable(str(exc))
    if exc.located:
        click.echo(message, err=True)
    elif path is None:
        click.echo(f"error: {message}", err=True)
    else:
        shown = _shown(path)
        for prefix in (f"{path}: ", f"{shown}: "):
            message = message.removeprefix(prefix)
        click.echo(f"{shown}: error: {message}", err=True)


def _machine_said(exc: OSError) -> LettersError:
    """Word what the operating system refused (a name too long, no permission) as an error."""
    name = exc.filename if isinstance(exc.filename, str) else ""
    shown = _shown(Path(name)) if name and "\0" not in name else repr(name)
    what = exc.strerror or type(exc).__name__
    return LettersError(
        f"{shown}: {what}" + ("; shorten the name" if exc.errno == errno.ENAMETOOLONG else "")
        if name
        else f"the system refused: {what}"
    )


def _internal(ctx: click.Context, exc: Exception, where: str = "") -> None:
    """Report a fault of letters itself in one line (or with its traceback under --debug)."""
    if ctx.obj and ctx.obj.get("debug"):
        traceback.print_exception(exc)
    message = printable(" ".join(str(exc).split())[:300])
    click.echo(
        f"internal error{where}: {type(exc).__name__}: {message} "
        "(run with --debug for the traceback)",
        err=True,
    )


def _fail(ctx: click.Context, exc: LettersError) -> NoReturn:
    """Report an error and exit with status 1."""
    _report(ctx, exc)
    ctx.exit(1)


if __name__ == "__main__":
    main()
