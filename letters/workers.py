"""Worker processes that build or check many letters at once, each keeping its project loaded."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .project import Project

#: The projects this process keeps loaded, by folder: a worker that builds or checks many
#: letters keeps its project's style, fonts and templates from one letter to the next.
_LOADED: dict[Path, Project] = {}


def loaded_project(root: Path) -> Project:
    """Return the project at `root`, loaded the first time this process asks for it."""
    if root not in _LOADED:
        _LOADED[root] = Project(root)
    return _LOADED[root]


def worker_pool(jobs: int, project: Project, preload: str) -> ProcessPoolExecutor:
    """Start `jobs` worker processes that start with `project` loaded.

    A process that has loaded no renderer and started no thread (the `letters` command,
    which renders nothing itself when it has workers) forks them: they start with the
    project and all the command had imported, and import the renderers themselves, after
    the fork. Any other process (a program that has rendered, or runs threads) gets its
    workers from multiprocessing's forkserver, a fresh process that imports the module
    `preload` once: forking a process whose Pango, fontconfig or threads are in use is
    unsafe.
    """
    _LOADED[project.root] = project
    if "weasyprint" not in sys.modules and threading.active_count() == 1:
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload([preload])
    return ProcessPoolExecutor(jobs, mp_context=server)
