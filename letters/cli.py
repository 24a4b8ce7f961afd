"""The `letters` command: parse options, call the library, turn its errors into exit status 1."""

from __future__ import annotations

import contextlib
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click

from . import __version__
from .build import FORMATS, build_letter
from .errors import LettersError
from .project import Project


def _formats(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'} is not a format; choose from {', '.join(FORMATS)} (comma-separated)")
    return chosen


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="letters")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Turn structured facts (YAML under data/) into house-styled letters (DOCX, PDF, HTML)."""
    ctx.obj = {"debug": debug}


@main.command()
@click.argument("data", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("build"),
              show_default=True, help="Folder to write the letters to.")
@click.option("--format", "formats", default=",".join(FORMATS), show_default=True, callback=_formats,
              help="Formats to write, comma-separated: docx, pdf, html.")
@click.pass_context
def build(ctx: click.Context, data: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...]) -> None:
    """Build each DATA file (default: every data/*.yaml) into OUT/<name>.<format>.

    A letter with bad data is reported and nothing is written for it; the
    other letters are still built. Exit status 1 if any letter failed.
    """
    try:
        project = Project.find(data[0].parent, Path.cwd()) if data else Project.find()
        paths = list(data) or project.letters()
    except LettersError as exc:
        _fail(ctx, exc)
    if not paths:
        raise click.UsageError(f"no data files given and none in {project.data}")
    failed = 0
    progress = (click.progressbar(paths, label="Building letters", file=sys.stderr, item_show_func=lambda p: p.name if p else None)
                if len(paths) > 1 and sys.stderr.isatty() else contextlib.nullcontext(paths))
    with progress as bar:
        for path in bar:
            try:
                built = build_letter(path, out_dir, formats, project)
            except LettersError as exc:
                failed += 1
                _report(ctx, exc)
                continue
            for warning in built.warnings:
                click.echo(f"{path}: warning: {warning}", err=True)
            for written in built.paths:
                click.echo(f"wrote {_shown(written)}")
    if failed:
        if len(paths) > 1:
            click.echo(f"{failed} of {len(paths)} letters failed", err=True)
        ctx.exit(1)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _report(ctx: click.Context, exc: LettersError) -> None:
    """Print an error as its message alone (or with its traceback under --debug)."""
    if ctx.obj and ctx.obj.get("debug"):
        traceback.print_exception(exc)
    click.echo(str(exc) if exc.located else f"error: {exc}", err=True)


def _fail(ctx: click.Context, exc: LettersError) -> NoReturn:
    _report(ctx, exc)
    ctx.exit(1)


if __name__ == "__main__":
    main()
