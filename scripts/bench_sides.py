"""What scripts/bench.py runs and how it runs it: a tree's `letters`, in a throwaway project.

A side is one tree's code (this one, or an earlier commit's, unpacked beside it) with its own
throwaway project made from that tree's offices, reference lists and templates, so that
each keeps its own `.letters-cache/`. Both run with this virtual environment's Python and
its `letters` command; PYTHONPATH makes `import letters` (and every worker's) find the
side's tree first, which `Side.resolves` checks before anything is measured.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The default letter, as each tree has it.
LETTER = Path("data") / "lancashire-2020-peel.yaml"
#: The command this virtual environment installs; PYTHONPATH decides whose code it runs.
LETTERS = str(Path(sys.executable).parent / "letters")
CACHE = ".letters-cache"
#: How often each process's peak memory is read, in seconds: what a process grows in its
#: last SAMPLE seconds is missed; more often costs the measured command a share of a core.
SAMPLE = 0.05
#: prctl's option that makes a process adopt its orphaned descendants (linux/prctl.h).
PR_SET_CHILD_SUBREAPER = 36
#: A phrase of the default letter's first area for improvement, made distinct per copy.
PHRASE = "problem-solving activity."


def cores() -> str:
    """Say how many processors this machine has, and how many this process may use."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    total = os.cpu_count() or 1
    return f"{total} cores" + (f" ({usable} usable)" if usable and usable != total else "")


@dataclass
class Ran:
    """One finished run of a command: its wall and CPU time and its processes' peaks."""

    seconds: float
    cpu: float
    #: The largest single process's peak resident memory (MB), the command or a descendant.
    peak_mb: float
    #: The largest peak among the command's descendants (its workers), 0 if none was seen.
    worker_mb: float
    #: The command's own peak.
    own_mb: float
    stdout: str = ""
    stderr: str = ""


def _tree(pid: int) -> list[int]:
    """List a process and its descendants (from /proc: a process may end while read)."""
    found = [pid]
    try:
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return found
    for child in children:
        found += _tree(child)
    return found


def _high_water(pid: int) -> int:
    """Return a process's peak resident memory so far (VmHWM, kB), 0 if it has ended."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _adopt_orphans() -> None:
    """Make this process adopt its descendants whose parent ends (Linux: a subreaper)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _reap_left(seen: set[int], patience: float = 30.0) -> float:
    """Wait for the descendants left running, now this process's children; sum their CPU.

    A process seen that is not a child of this one was reaped by its own parent, whose CPU
    time counts it already.
    """
    cpu = 0.0
    left = set(seen)
    deadline = time.monotonic() + patience
    while left and time.monotonic() < deadline:
        for pid in sorted(left):
            try:
                found, _, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                left.discard(pid)
                continue
            if found:
                cpu += usage.ru_utime + usage.ru_stime
                left.discard(pid)
        if left:
            time.sleep(0.01)
    if left:
        raise SystemExit(f"processes {sorted(left)} the command left did not end")
    return cpu


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> Ran:
    """Run `command` in `cwd` and time it; fail, with what it said, on an exit status not `ok`.

    The wall time ends as the command is reaped. The CPU time is what the kernel counted for
    it and every descendant: those it reaped, and those it left running (a forkserver and
    the workers it started), which this process, a subreaper, adopts and reaps after it.
    Each process's peak (VmHWM, a high-water mark) is read from /proc every SAMPLE seconds
    while it runs: only what it grows in its last SAMPLE is missed. (The kernel's own count,
    ru_maxrss, is no use here: it keeps the size of the process that forked the command,
    this one, from before the command's exec.)
    """
    _adopt_orphans()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        peaks: dict[int, int] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(SAMPLE):
                for pid in _tree(process.pid):
                    peaks[pid] = max(peaks.get(pid, 0), _high_water(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        cpu = usage.ru_utime + usage.ru_stime + _reap_left(set(peaks) - {process.pid})
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if process.returncode not in ok:
        raise SystemExit(
            f"{' '.join(command)} (in {cwd}) ended with status {process.returncode}:\n"
            f"{stderr[-3000:] or stdout[-3000:]}"
        )
    return Ran(
        seconds=seconds,
        cpu=cpu,
        peak_mb=max(peaks.values(), default=0) / 1024,
        worker_mb=max((kb for pid, kb in peaks.items() if pid != process.pid), default=0) / 1024,
        own_mb=peaks.get(process.pid, 0) / 1024,
        stdout=stdout,
        stderr=stderr,
    )


def as_draft(text: str) -> str:
    """Make a letter's data a draft: a sent letter builds only from its approval snapshot."""
    lines = text.splitlines()
    start = lines.index("status:")
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    return "\n".join([*lines[: start + 1], "  state: draft", *lines[end:]]) + "\n"


def make_project(folder: Path, tree: Path = ROOT) -> Path:
    """Make a throwaway project with a tree's offices, reference lists and templates."""
    data = folder / "data"
    shutil.copytree(tree / "data" / "offices", data / "offices")
    shutil.copytree(tree / "data" / "reference", data / "reference")
    shutil.copytree(tree / "templates", folder / "templates")
    return folder


def distinct_letters(project: Path, count: int, tag: str, tree: Path = ROOT) -> list[Path]:
    """Write drafts of the default letter whose text differs: each names its copy."""
    text = (tree / LETTER).read_text(encoding="utf-8")
    if PHRASE not in text:
        raise SystemExit(f"the default letter no longer says {PHRASE!r}: update bench_sides.py")
    folder = project / "data" / tag
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"letter-{tag}-{i:03d}.yaml"
        copy = as_draft(text.replace(PHRASE, PHRASE[:-1] + f" (copy {i + 1})."))
        path.write_text(copy.replace("office: offices/", "office: ../offices/"), encoding="utf-8")
        paths.append(path)
    return paths


@dataclass
class Side:
    """One tree's code run in its own throwaway project."""

    label: str
    tree: Path
    project: Path
    #: The letters of each tag made in the project so far.
    letters: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """Return an environment in which `letters` and its workers import from the tree."""
        return {**os.environ, "PYTHONPATH": str(self.tree)}

    def drafts(self, count: int, tag: str) -> list[Path]:
        """Return `count` distinct draft letters under data/`tag`/, made the first time."""
        if tag not in self.letters:
            self.letters[tag] = distinct_letters(self.project, count, tag, self.tree)
        return self.letters[tag]

    def letters_cmd(self, *args: str | Path) -> list[str]:
        """Return the `letters` command line with these arguments."""
        return [LETTERS, *map(str, args)]

    def run(self, *args: str | Path, ok: tuple[int, ...] = (0,)) -> Ran:
        """Run `letters` with these arguments in the side's project."""
        return run(self.letters_cmd(*args), self.project, self.env, ok)

    def forget_caches(self) -> None:
        """Remove the project's `.letters-cache/`, as in a fresh clone."""
        shutil.rmtree(self.project / CACHE, ignore_errors=True)

    def compiled(self) -> None:
        """Compile the side's modules once, before anything is timed.

        Where PYTHONDONTWRITEBYTECODE is set (as on this build machine), Python would
        otherwise compile again on every run each module changed since the last compileall,
        and every module of a tree unpacked from git: a cost neither side's users pay.
        """
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(self.tree / "letters")],
            check=True,
            capture_output=True,
        )

    def resolves(self) -> Path:
        """Check that `letters`, run as this side runs it, imports the side's own code."""
        probe = "import letters.cli, letters.build.build as b; print(b.__file__)"
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        found = Path(done.stdout.strip()).resolve() if done.returncode == 0 else None
        if found is None or not found.is_relative_to((self.tree / "letters").resolve()):
            raise SystemExit(
                f"{self.label}: `import letters` finds {found or done.stderr.strip()}, "
                f"not {self.tree / 'letters'}"
            )
        return found


def git(*args: str) -> str:
    """Run git in this tree; return what it printed, stripped."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.strip()


def unpack(commit: str, where: Path) -> Path:
    """Unpack a commit's letters/, data/ and templates/ at `where` (git archive, no worktree)."""
    where.mkdir(parents=True)
    archive = where.parent / f"{where.name}.tar"
    git("archive", "--format=tar", "-o", str(archive), commit, "letters", "data", "templates")
    with tarfile.open(archive) as tar:
        tar.extractall(where, filter="data")
    archive.unlink()
    return where


def this_side(work: Path) -> Side:
    """Return this tree's side, in a new project under `work`."""
    head = git("rev-parse", "--short", "HEAD")
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "letters", "templates")
    label = f"now ({head}{', with uncommitted changes' if changed else ''})"
    side = Side(label, ROOT, make_project(work / "project-now", ROOT))
    side.compiled()
    side.resolves()
    return side


def base_side(commit: str, work: Path) -> Side:
    """Return an earlier commit's side: its tree unpacked under `work`, with a new project."""
    tree = unpack(commit, work / "base-tree")
    side = Side(f"BASE ({git('rev-parse', '--short', commit)})", tree, Path())
    side.project = make_project(work / "project-base", tree)
    side.compiled()
    side.resolves()
    return side


def libreoffice(docx: Path, work: Path) -> Callable[[], float] | None:
    """Return a timer of LibreOffice converting every DOCX in `docx` in one call (warmed)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    profile = (work / "libreoffice-profile").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    files = sorted(str(p) for p in docx.glob("*.docx"))
    # the first call makes LibreOffice's profile, which an office's own machine has already
    subprocess.run([*command, "--outdir", str(work / "lo-warm"), files[0]], capture_output=True)

    def convert() -> float:
        start = time.perf_counter()
        subprocess.run(
            [*command, "--outdir", str(work / "lo-pdf"), *files], capture_output=True, check=True
        )
        return time.perf_counter() - start

    return convert
