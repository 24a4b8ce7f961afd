"""An earlier commit's tree, checked out beside this one, whose code Python imports alone.

Shared by scripts/before_and_after.py and scripts/compare_outputs.py.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Python code that leaves out the editable install's finder, which would otherwise supply a
#: module the earlier tree lacks from this one; PYTHONPATH (`only_from`) then decides.
LEAVE_OUT_EDITABLE = (
    "import sys; "
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
)


@contextmanager
def checked_out(commit: str, where: Path) -> Iterator[Path]:
    """Check the commit out at `where` as a detached git worktree; remove it afterwards."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(where), commit],
        check=True,
        timeout=120,
    )
    try:
        yield where
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
            check=False,
            timeout=120,
        )


def only_from(tree: Path) -> dict[str, str]:
    """Return an environment in which Python (and the commands it starts) imports from `tree`."""
    return {**os.environ, "PYTHONPATH": str(tree)}
