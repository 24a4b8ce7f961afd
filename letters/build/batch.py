"""Work on many letters: build or check each, by worker processes, reporting each in order.

`build_many` is the one way to build a batch (the CLI's `build`, the tests); `check_many`
checks one; `for_each` does any other work on each letter. Each letter's outcome is passed
to `each` as soon as it is known, in the order the letters were given, and a letter that
fails is reported and the others go on: nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from ..source.errors import CheckResult, HeldError, LettersError, display_path
from .output import FORMATS, PDF_FORMATS, output_names, refuse_as_target
from .project import Project

if TYPE_CHECKING:  # worker processes are started (`workers`) only for several letters
    from concurrent.futures import Future, ProcessPoolExecutor

    from .build import Built
    from .incremental import BuildRecord

T = TypeVar("T")
#: How many of a batch's letters are tried, before its workers are forked, for the first
#: that checks and is a draft, to render but for laying out its PDFs (`build.warm_letter`).
_WARMING_TRIES = 3
#: What became of a letter: its work done, skipped as up to date, held (approved, then
#: changed) or failed (its error, or its checks').
State = Literal["done", "up to date", "held", "failed"]


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What became of one letter: its state, what its work returned, the error that stopped it."""

    path: Path
    state: State
    result: T | None = None
    error: Exception | None = None


@dataclass(frozen=True)
class Batch:
    """What a build of many letters did to each, how long it took, and what it could not keep."""

    outcomes: tuple[Outcome[Built], ...]
    seconds: float
    #: Why the build record (which lets the next build skip unchanged letters) is not kept.
    unrecorded: str = ""

    def count(self, state: State) -> int:
        """Count the letters that came to `state`."""
        return sum(outcome.state == state for outcome in self.outcomes)

    def summary(self) -> str:
        """Say in one line what happened to every letter, and how long it took."""
        held = self.count("held")
        return (
            f"built {self.count('done')}, skipped {self.count('up to date')} (up to date), held "
            f"{held}, failed {self.count('failed')} of {len(self.outcomes)} letters in "
            f"{self.seconds:.1f} s" + (" (held: approved, then changed)" if held else "")
        )


def for_each(
    paths: Iterable[Path],
    work: Callable[[Path], Outcome[T]],
    each: Callable[[Outcome[T]], None] | None = None,
    clashes: Mapping[Path, str] | None = None,
) -> list[Outcome[T]]:
    """Do `work` on each letter in turn; a letter whose work raised fails, and the rest go on.

    A letter in `clashes` (`name_clashes`: for work that writes files named after the letter)
    fails with its reason, undone. Ctrl-C (KeyboardInterrupt) stops it all.
    """
    clashes = clashes or {}
    outcomes = []
    for path in paths:
        try:
            if path in clashes:
                raise LettersError(clashes[path])
            outcome = work(path)
        except Exception as exc:  # the letter's own fault, the machine's, or letters'
            outcome = Outcome(path, "failed", error=exc)
        outcomes.append(outcome)
        if each is not None:
            each(outcome)
    return outcomes


def name_clashes(paths: list[Path]) -> dict[Path, str]:
    """Say why each letter that would write a file an earlier one writes is refused."""
    names: dict[str, Path] = {}
    files: dict[str, Path] = {}  # each file a letter before could write, and that letter
    clashes: dict[Path, str] = {}
    for path in paths:
        first = names.setdefault(path.stem, path)
        mine = output_names(path.stem)
        shared = sorted(name for name in mine if name in files)
        if first != path:
            clashes[path] = (
                f"{display_path(first)} has the same name, so both would be written (and filed) "
                f"as {path.stem}; rename one of them"
            )
        elif shared:
            clashes[path] = (
                f"{display_path(files[shared[0]])} could write {shared[0]} too (a letter in two "
                "languages names its PDFs .en.pdf and .cy.pdf); rename one of them"
            )
        else:
            files.update(dict.fromkeys(mine, path))
    return clashes


def build_many(
    paths: Iterable[Path],
    out: Path,
    formats: tuple[str, ...] = FORMATS,
    jobs: int = 1,
    *,
    project: Project | None = None,
    strict: bool = False,
    force: bool = False,
    each: Callable[[Outcome[Built]], None] | None = None,
) -> Batch:
    """Check, then build each letter into `out`, `jobs` at a time (the files are the same).

    A letter whose inputs, settings and outputs are as the last build left them is skipped
    (unless `force`). An approved letter changed since is held; when it is the only letter,
    that fails it. A letter that fails leaves nothing written for it; the others are built.
    Raises LettersError only when `out` may not be written to (it would replace an input).
    """
    from ..source.provenance import tool_versions
    from .incremental import BuildRecord
    from .pdf_beside import beside

    paths = list(paths)
    started = time.perf_counter()
    if not paths:
        return Batch((), 0.0)
    project = project or Project.find(paths[0].parent, Path.cwd())
    refuse_as_target(out, project.root)
    settings = {"formats": list(formats), "strict": strict, "tools": dict(tool_versions())}
    records: BuildRecord | None
    try:
        records = BuildRecord(out, project.root, project.template_files)
        current = set() if force else {p for p in paths if records.up_to_date(p, settings)}
    except LettersError:  # the project's own fault (a template outside it): each build says so
        records, current = None, set()
    clashes = name_clashes(paths)
    todo = [path for path in paths if path not in current and path not in clashes]
    recorded: set[Path] = set()

    def here(path: Path) -> Built:
        from .build import build_letter
        from .workers import settle

        built = build_letter(path, out, formats, project, strict=strict)
        settle()
        return built

    def build(path: Path, built: Callable[[], Built]) -> Outcome[Built]:
        if path in current:
            return Outcome(path, "up to date")
        try:
            done = built()
        except HeldError as exc:
            if len(paths) == 1:
                raise
            return Outcome(path, "held", error=exc)
        if records is not None:
            records.record(path, settings, list(done.inputs), done.paths)
        recorded.add(path)
        return Outcome(path, "done", done)

    def warm() -> None:
        """Make what each worker's first letter would make first, before they are forked."""
        from .build import warm_letter

        for path in todo[:_WARMING_TRIES]:
            try:
                if warm_letter(path, project, formats):
                    return
            except Exception:  # the letter's fault or letters': its own build says which
                continue

    workers: _Workers[Built] = _Workers(jobs, todo, project, "letters.build.preload", warm)
    # one letter to build, and a core to spare: its PDFs are laid out beside the rest of it
    alone = len(todo) == 1 and jobs > 1 and any(f in formats for f in PDF_FORMATS)
    with workers, beside(alone):
        from .build import build_in_worker  # the renderers' code: once the PDFs' process is off

        pending = workers.submit(build_in_worker, out, formats, project.root, strict)
        try:
            outcomes = for_each(paths, lambda p: build(p, workers.result(p, here)), each, clashes)
        finally:  # what was built is recorded, even when the build was stopped
            workers.close()
            unrecorded = _keep(records, pending, recorded, settings)
    return Batch(tuple(outcomes), time.perf_counter() - started, unrecorded)


def check_many(
    paths: Iterable[Path],
    project: Project,
    today: dt.date | None = None,
    jobs: int = 1,
    *,
    strict: bool = False,
    each: Callable[[Outcome[tuple[CheckResult, ...]]], None] | None = None,
) -> list[Outcome[tuple[CheckResult, ...]]]:
    """Validate and check each letter as it builds, `jobs` at a time, rendering nothing.

    An approved or sent letter is checked from its approval's snapshot (`check_as_built`).

    A letter is done, or failed when its checks found an error (or, when `strict`, a
    warning): its results are its outcome's either way. A letter that does not validate
    fails with its error.
    """
    from .prepare import check_as_built, check_in_worker, failures

    paths = list(paths)

    def here(path: Path) -> tuple[CheckResult, ...]:
        return check_as_built(path, project, today)

    def check(path: Path, results: tuple[CheckResult, ...]) -> Outcome[tuple[CheckResult, ...]]:
        return Outcome(path, "failed" if failures(results, strict) else "done", results)

    workers: _Workers[tuple[CheckResult, ...]] = _Workers(
        jobs, paths, project, "letters.build.prepare"
    )
    with workers:
        workers.submit(check_in_worker, project.root, today)
        return for_each(paths, lambda p: check(p, workers.result(p, here)()), each)


class _Workers(Generic[T]):
    """Worker processes that work on letters ahead, taken in the order the letters are given.

    No processes are started for one letter, or for `jobs` of 1: the work is done here.
    """

    def __init__(
        self,
        jobs: int,
        todo: list[Path],
        project: Project,
        preload: str,
        warm: Callable[[], object] | None = None,
    ):
        self.todo, self.project, self.preload, self.warm = todo, project, preload, warm
        self.jobs = min(jobs, len(todo))
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict[Path, Future[T]] = {}

    def __enter__(self) -> _Workers[T]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def submit(self, work: Callable[..., T], *args: object) -> dict[Path, Future[T]]:
        """Start `work(path, *args)` on every letter to do, if there are workers for it."""
        if self.jobs > 1:
            from .workers import started, worker_pool

            self.pool = worker_pool(self.jobs, self.project, self.preload, self.warm)
            try:
                self.pending = {path: self.pool.submit(work, path, *args) for path in self.todo}
            finally:
                started()
        return self.pending

    def result(self, path: Path, here: Callable[[Path], T]) -> Callable[[], T]:
        """Return how to get a letter's result: from its worker, or by doing the work here."""
        future = self.pending.get(path)
        return future.result if future is not None else lambda: here(path)

    def close(self) -> None:
        """Cancel what has not started; the letters under way are finished first (Ctrl-C)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _keep(
    records: BuildRecord | None,
    pending: dict[Path, Future[Built]],
    recorded: set[Path],
    settings: dict[str, object],
) -> str:
    """Record what the workers built that was not yet recorded, and save; say why not, if not."""
    if records is None:
        return ""
    for path, future in pending.items():
        if path in recorded or not future.done() or future.cancelled():
            continue
        if future.exception() is None:
            finished = future.result()
            records.record(path, settings, list(finished.inputs), finished.paths)
    try:
        records.save()
    except LettersError as exc:  # the letters are written; only the record is not
        return f"the build record is not kept: {exc}"
    return ""
