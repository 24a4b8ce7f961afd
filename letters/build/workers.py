"""Worker processes that build or check many letters at once, each keeping its project loaded."""

from __future__ import annotations

import gc
import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path

from .project import Project

#: The projects this process keeps loaded, by folder: a worker that builds or checks many
#: letters keeps its project's style, fonts and templates from one letter to the next.
_LOADED: dict[Path, Project] = {}
#: Whether this process has left what it holds out of full garbage collections (`settle`).
_SETTLED = False
#: Whether it has done so only for the workers it is about to fork (`worker_pool`).
_FROZEN = False


def loaded_project(root: Path) -> Project:
    """Return the project at `root`, loaded the first time this process asks for it."""
    if root not in _LOADED:
        _LOADED[root] = Project(root)
    return _LOADED[root]


def settle() -> None:
    """Leave all this process holds now out of its garbage collector's full collections.

    Called once a process that builds or checks many letters has done its first: it then
    holds, for every letter after, the renderers, fonts, house style and templates. A full
    collection walks every object (70 ms each, twice in 20 letters); frozen, they are left
    out. What the first letter left in reference cycles is frozen too, once, and is small.
    """
    global _SETTLED
    if not _SETTLED:
        _SETTLED = True
        gc.freeze()


def worker_pool(
    jobs: int, project: Project, preload: str, warm: Callable[[], object] | None = None
) -> ProcessPoolExecutor:
    """Start `jobs` worker processes that start with `project` loaded.

    A process that has laid out no page and started no thread (the `letters` command, which
    renders nothing itself when it has workers) forks them: they start with the project and
    all the command had imported, and with what `warm` made first (it may import the
    renderers and make what every letter needs, short of laying out a page: see
    `batch.build_many`). Any other process (a program that has rendered, or runs threads)
    gets its workers from multiprocessing's forkserver, a fresh process that imports the
    module `preload` once: forking a process whose Pango, fontconfig or threads are in use
    is unsafe.
    """
    _LOADED[project.root] = project
    context: BaseContext
    if can_fork():
        if warm is not None:
            warm()
        # what the workers start with is left out of their full garbage collections, which
        # would otherwise walk it, copying each page it touches (`settle` does the rest);
        # this process takes it back once they are started (`started`)
        global _FROZEN
        _FROZEN = True
        gc.freeze()
        context = multiprocessing.get_context("fork")
    else:
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload([preload])
        context = server
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_leave_stopping_to_the_caller)


def started() -> None:
    """Say that the workers `worker_pool` gave are started (a first task is submitted).

    A process that forked them left what it held out of its garbage collections for them:
    it collects it again.
    """
    global _FROZEN
    if _FROZEN:
        _FROZEN = False
        gc.unfreeze()


def can_fork() -> bool:
    """Say whether this process may fork one that renders: it laid out no page, runs no thread.

    A page laid out means a font configuration made, fontconfig and Pango's font map started
    (`render.pdf`); importing WeasyPrint (as `warm` may) starts neither.
    """
    pdf = sys.modules.get("letters.render.pdf")
    return not (pdf is not None and pdf.laid_out()) and threading.active_count() == 1


def _leave_stopping_to_the_caller() -> None:
    """Let Ctrl-C and SIGTERM stop the process that started the workers, not the workers.

    A terminal's Ctrl-C reaches every process of its group: a worker stopped by it while it
    held the pool's queue would leave the others waiting on it for ever. The caller, stopped,
    lets each worker finish the letter it is on, cancels the rest and ends them.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
