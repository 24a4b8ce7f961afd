"""The `letters` command: parse options, call the library, turn its errors into exit status 1."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .. import __version__
from ..build.output import FORMATS
from ..source.errors import ArchiveError, DataError, LettersError, display_path, printable

if TYPE_CHECKING:  # the project (and pydantic, through it) loads when a command needs it
    from ..build.project import Project


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


def _stopped(_signum: int, _frame: object) -> None:
    """Stop on SIGTERM as on Ctrl-C: letters under way are finished or dropped, never cut."""
    raise KeyboardInterrupt


@main.command(short_help="Check, then build letters into DOCX, PDF and HTML.")
@data_argument
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="Folder to write the letters to.",
)
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
    from ..build.incremental import BuildRecord
    from ..source.errors import HeldError
    from ..source.provenance import tool_versions

    project, paths = _letters(ctx, data)
    _writable(ctx, out_dir, project)
    held: list[Path] = []
    skipped: list[Path] = []
    recorded: set[Path] = set()
    settings = {"formats": list(formats), "strict": strict, "tools": dict(tool_versions())}
    current: set[Path] = set()
    try:
        records = BuildRecord(out_dir, project.root, project.template_files)
        if not force:
            current = {path for path in paths if records.up_to_date(path, settings)}
    except LettersError:  # the project's own fault (a template outside it): each build says so
        records = None
    # The letters to build, in order (the workers take them in the order they are reported
    # in), leaving out those refused below for writing what another one writes.
    clashes = _name_clashes(paths)
    todo = [path for path in paths if path not in current and path not in clashes]
    pool = None
    pending = {}
    if jobs > 1 and len(todo) > 1:
        from ..build.build import build_in_worker
        from ..build.workers import worker_pool

        pool = worker_pool(min(jobs, len(todo)), project, "letters.build.preload")
        pending = {
            path: pool.submit(build_in_worker, path, out_dir, formats, project.root, strict)
            for path in todo
        }

    def build_one(path: Path) -> bool:
        if path in current:
            click.echo(f"up to date: {_shown(path)}")
            skipped.append(path)
            return True
        try:
            if path in pending:
                built = pending[path].result()
            else:
                from ..build.build import build_letter
                from ..build.workers import settle

                built = build_letter(path, out_dir, formats, project, strict=strict)
                settle()
        except HeldError as exc:
            if len(paths) == 1:
                raise
            click.echo(printable(str(exc)), err=True)
            held.append(path)
            return True
        for warning in built.warnings:
            click.echo(warning, err=True)
        for written in built.paths:
            click.echo(f"wrote {_shown(written)}")
        if records is not None:
            records.record(path, settings, list(built.inputs), built.paths)
        recorded.add(path)
        return True

    started = time.perf_counter()
    try:
        failed = _each_letter(
            ctx,
            paths,
            "Building letters",
            build_one,
            finish=False,
            # in a batch, which letter a fault in a shared file stopped
            unmade="not built: the fault above is in a file it is made from"
            if len(paths) > 1
            else "",
        )
    finally:
        if pool is not None:  # stopped (Ctrl-C): the letters under way are finished first
            pool.shutdown(cancel_futures=True)
        if records is not None:  # what was built, even when the build was stopped
            for path, future in pending.items():
                if path in recorded or not future.done() or future.cancelled():
                    continue
                if future.exception() is None:
                    finished = future.result()
                    records.record(path, settings, list(finished.inputs), finished.paths)
            try:
                records.save()
            except LettersError as exc:  # the letters are written; only the record is not
                click.echo(f"warning: the build record is not kept: {exc}", err=True)
    if len(paths) > 1:  # one line at the end: what happened to every letter, and how long
        built = len(paths) - failed - len(held) - len(skipped)
        click.echo(
            f"built {built}, skipped {len(skipped)} (up to date), held {len(held)}, failed "
            f"{failed} of {len(paths)} letters in "
            f"{time.perf_counter() - started:.1f} s"
            + (" (held: approved, then changed)" if held else ""),
            err=True,
        )
    if failed:
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
    from ..build.prepare import check_in_worker, failures, prepare

    project, paths = _letters(ctx, data)
    pool = None
    pending = {}
    if jobs > 1 and len(paths) > 1:  # each file once: _letters saw to that
        from ..build.workers import worker_pool

        pool = worker_pool(min(jobs, len(paths)), project, "letters.build.prepare")
        pending = {path: pool.submit(check_in_worker, path, project.root, today) for path in paths}

    def check_one(path: Path) -> bool:
        try:
            if path in pending:
                results = pending[path].result()
            else:
                results = prepare(path, project, today).results
        except LettersError as exc:  # invalid data or wording: its problems, then the verdict
            _report(ctx, exc, path)
            errors = len(exc.problems) if isinstance(exc, DataError) else 1
            click.echo(f"{_shown(path)}: fails: {_count(errors, 'error')}")
            return False
        for result in results:
            click.echo(printable(str(result)))
        severities = ("error", "warning", "note")
        counts = {severity: sum(r.severity == severity for r in results) for severity in severities}
        verdict = "fails" if failures(results, strict) else "ok"
        click.echo(
            f"{_shown(path)}: {verdict}: "
            + ", ".join(_count(n, severity) for severity, n in counts.items())
        )
        return not failures(results, strict)

    try:
        _each_letter(ctx, paths, "", check_one, writes=False)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


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
@strict_option
@click.pass_context
def archive(
    ctx: click.Context,
    data: tuple[Path, ...],
    root: Path,
    new_version: bool,
    verify: bool,
    show_head: bool,
    strict: bool,
) -> None:
    """File each approved or sent letter's record PDF as TO/<year>/<letter>.pdf.

    DATA defaults to every data/*.yaml; a DATA folder stands for the *.yaml files inside it.

    The manifest lists each filed PDF with its particulars, the SHA-256 of the PDF and of its
    sources, and the hash of the row before it. Nothing is ever overwritten: an unchanged
    letter is not filed twice, a changed one only with --new-version. Drafts are refused.
    """
    from ..build import archive as archiving

    if (verify or show_head) and data:
        raise click.UsageError("--verify and --head take no DATA files")
    if verify and show_head:
        raise click.UsageError("--verify and --head: choose one (--verify prints the head too)")
    try:
        known = (archiving.MANIFEST, archiving.JOURNAL)
        if (verify or show_head) and not any((root / name).exists() for name in known):
            raise ArchiveError(f"{root}: no archive here (no {archiving.MANIFEST}); check --to")
        if show_head:
            click.echo(archiving.head(root))
            return
        if verify:
            problems = archiving.verify(root)
            for problem in problems:
                click.echo(printable(f"{root}/{problem}"), err=True)
            rows = archiving.read_manifest(root)
            if problems:
                click.echo(
                    f"{root}: {len(problems)} problem{'s' if len(problems) != 1 else ''} found",
                    err=True,
                )
                ctx.exit(1)
            click.echo(
                f"{root}: verified {len(rows)} filed letter{'s' if len(rows) != 1 else ''}; chain "
                f"head {archiving.head(root)}"
            )
            return
    except LettersError as exc:
        _fail(ctx, exc)
    from ..build.build import archive_records

    project, paths = _letters(ctx, data)
    _writable(ctx, root, project, archive=True)

    def archive_one(path: Path) -> bool:
        for record in archive_records(path, project, strict):
            filed = archiving.file_letter(record, root, new_version)
            for done in filed.recovered:
                click.echo(f"recovered {done}", err=True)
            shown = _shown(filed.path)
            if filed.written:
                click.echo(f"filed {shown} (version {filed.version})")
            elif filed.rendered_anew:
                click.echo(
                    f"unchanged: {shown} is already archived from the same sources (this version "
                    "of letters writes their PDF differently; the archived one stands)"
                )
            else:
                click.echo(f"unchanged: {shown} is already archived")
        return True

    _each_letter(ctx, paths, "Archiving letters", archive_one)


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
@click.argument("name")
@click.option(
    "--kind",
    metavar="KIND",
    help="The report kind (data/reference/frameworks.yaml), such as peel-2023 or thematic.",
)
@click.option(
    "--office",
    metavar="FILE",
    help="The office's file, relative to data/: offices/lancashire-pcc.yaml.",
)
@click.option(
    "--from",
    "previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Start from this previous letter (its office, recipient, force and paragraphs).",
)
@click.pass_context
def new(
    ctx: click.Context, name: str, kind: str | None, office: str | None, previous: Path | None
) -> None:
    """Write data/NAME.yaml: a skeleton of the report kind's letter, or a copy of a previous one.

    The skeleton lists the framework's areas, grade scale and kinds of finding; a copy keeps
    the previous letter's office, recipient, force, paragraphs and sections, and none of its
    status, approval, dates, findings, notes or chief officer's comments. Either fails
    `letters check` with a message for each blank until it is filled in. An existing file is
    never replaced.
    """
    from ..office.new import counted_in, from_previous, skeleton, write_new
    from ..source.errors import did_you_mean
    from ..source.load import load_source
    from ..source.names import name_problem

    try:
        project = _find_project()
    except LettersError as exc:
        _fail(ctx, exc)
    stem = name.removesuffix(".yaml")
    problem = name_problem(stem, "the new letter")
    if problem:
        raise click.BadParameter(problem, param_hint="NAME")
    path = project.data / f"{stem}.yaml"
    if office and not (project.data / office).resolve().is_relative_to(
        (project.data / "offices").resolve()
    ):
        raise click.BadParameter(
            f"{office!r} is not under data/offices/; give the office's file there",
            param_hint="--office",
        )
    if previous is not None:
        try:  # read as every input is: inside the project, bounded
            given = load_source(previous, project.root).tree
        except LettersError as exc:
            _fail(ctx, exc)
        if not isinstance(given, dict):
            raise click.BadParameter(f"{previous} is not a letter's data file", param_hint="--from")
        tree: dict[str, Any] = dict(given)
        if office:
            tree["office"] = office
        elif isinstance(tree.get("office"), str):  # the same office file, seen from data/
            where = (previous.parent / tree["office"]).resolve()
            tree["office"] = os.path.relpath(where, path.parent.resolve())
        if kind:
            tree.setdefault("report", {})["kind"] = kind
        text = from_previous(tree)
        counted = counted_in(tree)
    else:
        counted = []
        frameworks = project.frameworks
        if kind not in frameworks:
            choices = ", ".join(sorted(frameworks))
            hint = did_you_mean(kind or "", frameworks)
            raise click.BadParameter(f"choose one of {choices}{hint}", param_hint="--kind")
        if not office or not (project.data / office).is_file():
            offices = ", ".join(
                p.relative_to(project.data).as_posix()
                for p in sorted((project.data / "offices").glob("*.yaml"))
            )
            raise click.BadParameter(
                f"give the office's file under data/: {offices}", param_hint="--office"
            )
        text = skeleton(kind, frameworks[kind], office)
    try:
        write_new(path, text)
    except LettersError as exc:
        _fail(ctx, exc)
    click.echo(f"wrote {_shown(path)}; fill in each blank, then: letters check {_shown(path)}")
    for where in counted:
        click.echo(
            f"note: {where}: it counts this letter's findings, which are not in yet; "
            "`letters check` warns if it would count none",
            err=True,
        )


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


@main.command(short_help="Show what changed in a letter's words since a revision.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--against",
    "revision",
    metavar="REV",
    help="The git revision to compare with; default: the approval's, else the last commit.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="Folder to write the redline to.",
)
@click.pass_context
def diff(ctx: click.Context, data: Path, revision: str | None, out_dir: Path) -> None:
    """Write a redline of DATA: its words at a revision against its words now.

    <name>.redline.html marks insertions and deletions word by word; <name>.redline.docx
    holds them as Word tracked changes to accept or reject. The letter is rendered from the
    data and templates of each version, so a template's change shows as the words it
    changes.
    """
    from ..build.build import compose
    from ..build.output import write_all
    from ..compose.document import text_lines
    from ..office.redline import (
        compare,
        count_changes,
        lines_at,
        redline_docx,
        redline_html,
        revision_of,
    )

    project = _office_letter(ctx, data)
    _writable(ctx, out_dir, project)
    try:
        against = revision or revision_of(data, project.root)
        before = lines_at(against, data, project.root)
        document = compose(data, project)
        changes = compare(before, text_lines(document, bullet="• "))
        html_path = out_dir / f"{data.stem}.redline.html"
        docx_path = out_dir / f"{data.stem}.redline.docx"
        write_all(
            {
                html_path: redline_html(changes, f"{data.stem}, {against} to now").encode(),
                docx_path: redline_docx(changes, document.date),
            }
        )
    except LettersError as exc:
        _report(ctx, exc, data)
        ctx.exit(1)
    count = count_changes(changes)
    click.echo(f"{count} {'change' if count == 1 else 'changes'} since {against}")
    click.echo(f"wrote {_shown(html_path)}")
    click.echo(f"wrote {_shown(docx_path)}")


@main.command(short_help="Approve a letter: record who, when, and its inputs.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--by", "by", required=True, help="Who approves it (the signatory, usually).")
@on_option
@click.pass_context
def approve(ctx: click.Context, data: Path, by: str, on: dt.date | None) -> None:
    """Approve DATA: set its status and record a digest of every input beside it.

    The record (data/<name>.approval.json) holds each input's digest (the letter's data but
    its status, its office's file, signatures, templates, house style and fonts), the
    version of letters and the revision. Building the letter after any of them changes is
    refused, naming what changed. Any build outputs of the draft are removed from build/.
    """
    from ..build.approval import approve as record_approval
    from ..build.output import remove_outputs
    from ..build.prepare import prepare

    project = _office_letter(ctx, data)
    try:
        prepared = prepare(data, project)
        failures = prepared.failures()
        if failures:
            for result in failures:
                click.echo(printable(str(result)), err=True)
            raise click.ClickException("a letter with errors cannot be approved")
        today = dt.date.today()
        record = record_approval(
            data, prepared.loaded, project.root, project.template_files, by, on or today, today
        )
    except LettersError as exc:
        _fail(ctx, exc)
    for stale in remove_outputs(project.root / "build", data.stem):
        click.echo(f"removed the draft {_shown(stale)}")
    click.echo(f"approved {_shown(data)}; its inputs are recorded in {_shown(record)}")


@main.command(short_help="Record that a letter's comments are published and copied.")
@click.argument("data", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@on_option
@click.pass_context
def publish(ctx: click.Context, data: Path, on: dt.date | None) -> None:
    """Record the day DATA's comments were published and copied (s.55(6)).

    The copies go to the inspectorate and the Home Secretary; the day meets the deadline if
    it is no later than the last day. The letter must be approved first.
    """
    from ..build.approval import publish as record_publication
    from ..source.validate import load_letter

    project = _office_letter(ctx, data)
    try:
        today = dt.date.today()
        loaded = load_letter(data, project.root)
        record_publication(data, loaded, project.root, on or today, today)
    except LettersError as exc:
        _report(ctx, exc, data)
        ctx.exit(1)
    click.echo(f"published {_shown(data)}: state sent, copies recorded")


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
    from ..office.due import Due, due_ics, due_json, due_of, due_table
    from ..source.english import uk_date
    from ..source.validate import load_letter

    project, paths = _letters(ctx, data)
    if ics_file is not None:
        ics_file = _writable(ctx, ics_file, project, (".ics",))
    day = today or dt.date.today()
    rows: list[Due] = []

    def read_one(path: Path) -> bool:
        rows.append(due_of(_shown(path), load_letter(path, project.root)))
        return True

    failed = _each_letter(ctx, paths, "", read_one, writes=False, finish=False)
    click.echo(due_json(rows, day) if as_json else due_table(rows, day))
    if ics_file is not None and failed:
        click.echo(
            f"{_shown(ics_file)}: not written: a calendar missing a letter would replace a "
            "whole one; mend the letter above and run again",
            err=True,
        )
    elif ics_file is not None:
        from ..build.output import write_all

        try:
            write_all({ics_file: due_ics(rows).encode("utf-8")})
        except LettersError as exc:
            _fail(ctx, exc)
    late = [row for row in rows if row.overdue(day) and not row.delay_reason]
    for row in late:
        assert row.last_day is not None  # only a letter with a last day is overdue
        click.echo(
            f"{row.letter}: overdue: the last day was {uk_date(row.last_day)}; publish the "
            "comments, and record why they are late under letter.delay_reason",
            err=True,
        )
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


def _each_letter(
    ctx: click.Context,
    paths: list[Path],
    label: str,
    work: Callable[[Path], bool],
    writes: bool = True,
    finish: bool = True,
    unmade: str = "",
) -> int:
    """Do some work on each letter, reporting each one's error and going on; exit 1 if any failed.

    `work` returns False for a letter that failed without raising (one that fails its checks).
    A progress bar shows on a terminal when `label` names the work. Work that `writes` files
    named after the letter refuses a second letter of the same name. With `finish` false the
    caller goes on (and decides the exit status); the number that failed is returned. A fault
    in another file (a template, an office's) is followed by the letter's name and `unmade`.
    """
    failed = 0
    clashes = _name_clashes(paths) if writes else {}
    for path in _progress(paths, label) if label else paths:
        if path in clashes:
            failed += 1
            click.echo(f"{_shown(path)}: error: {clashes[path]}", err=True)
            continue
        try:
            failed += not work(path)
        except LettersError as exc:
            failed += 1
            _report(ctx, exc, path)
            if unmade and exc.located and not str(exc).startswith((f"{path}:", f"{_shown(path)}:")):
                # the fault is in a file the letter is made from: say which letter it stopped
                click.echo(f"{_shown(path)}: {unmade}", err=True)
        except OSError as exc:  # the machine's answer about a file: the letter's fault
            failed += 1
            _report(ctx, _machine_said(exc), path)
        except Exception as exc:  # a fault of letters itself: say so, and go on to the next
            failed += 1
            _internal(ctx, exc, f" while building {_shown(path)}")
    if finish:
        _finish(ctx, failed, len(paths))
    return failed


def _name_clashes(paths: list[Path]) -> dict[Path, str]:
    """Say why each letter that would write a file an earlier one writes is refused."""
    from ..build.output import output_names

    names: dict[str, Path] = {}
    files: dict[str, Path] = {}  # each file a letter before could write, and that letter
    clashes: dict[Path, str] = {}
    for path in paths:
        first = names.setdefault(path.stem, path)
        mine = output_names(path.stem)
        shared = sorted(name for name in mine if name in files)
        if first != path:
            clashes[path] = (
                f"{_shown(first)} has the same name, so both would be written (and filed) as "
                f"{path.stem}; rename one of them"
            )
        elif shared:
            clashes[path] = (
                f"{_shown(files[shared[0]])} could write {shared[0]} too (a letter in two "
                "languages names its PDFs .en.pdf and .cy.pdf); rename one of them"
            )
        else:
            files.update(dict.fromkeys(mine, path))
    return clashes


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


def _count(n: int, severity: str) -> str:
    """Write a count of results: '1 error', '2 notes'."""
    return f"{n} {severity}{'' if n == 1 else 's'}"


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


def _progress(paths: list[Path], label: str) -> Iterable[Path]:
    """Show a progress bar for batches on a terminal; stay quiet otherwise."""
    if len(paths) > 1 and sys.stderr.isatty():
        with click.progressbar(
            paths, label=label, file=sys.stderr, item_show_func=lambda p: p.name if p else None
        ) as bar:
            yield from bar
    else:
        yield from paths


def _finish(ctx: click.Context, failed: int, total: int) -> None:
    """Say how many letters failed, if any did, and exit with status 1."""
    if failed:
        if total > 1:
            click.echo(f"{failed} of {total} letters failed", err=True)
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
