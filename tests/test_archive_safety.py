"""The archive under concurrency and crashes: no row is lost, an interrupted filing is finished."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import patience, started
from letters.build import archive
from letters.build.archive import MANIFEST, Record, file_letter, read_manifest, verify
from letters.source.errors import ArchiveError
from letters.source.provenance import file_digest

ROUNDS = 20
WORKERS = 4
EACH = 2  # letters each worker files per round
_DATED = (dt.date(2020, 3, 30), 7)


def _record(name: str) -> Record:
    """Make a record to file: a small stand-in PDF (the archive stores bytes as given)."""
    pdf = b"%PDF-1.7 stand-in for " + name.encode()
    particulars = {"title": name, "status": "sent"}
    return Record(name, pdf, {f"{name}.yaml": b"data"}, particulars, dt.date(2020, 3, 30), 7)


def _file_rounds(
    root: str, worker: int, barrier: multiprocessing.synchronize.Barrier, wait: float
) -> None:
    """File this worker's letters into each round's archive, all workers starting together."""
    for round_ in range(ROUNDS):
        barrier.wait(timeout=wait)
        for index in range(EACH):
            file_letter(_record(f"w{worker}-l{index}"), Path(root) / f"round-{round_}")


def test_processes_filing_at_once_lose_no_row(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    workers = [
        context.Process(target=_file_rounds, args=(str(tmp_path), n, barrier, patience(60)))
        for n in range(WORKERS)
    ]
    begun = []
    try:
        for worker in workers:
            worker.start()
            begun.append(worker)
        deadline = time.monotonic() + patience(120)
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
            assert worker.exitcode == 0
    finally:  # however it ends, no worker is left running or unreaped
        for worker in begun:
            worker.kill()
            worker.join()
            worker.close()
    for round_ in range(ROUNDS):
        root = tmp_path / f"round-{round_}"
        rows = read_manifest(root)
        assert len(rows) == WORKERS * EACH, f"round {round_}: {len(rows)} rows"
        assert verify(root) == []


def _steps(root: Path, record: Record, last: int) -> None:
    """Do the first `last` steps of filing a record, then stop as a killed process would."""
    with archive._locked(root):
        rows = read_manifest(root)
        row = archive._row(record, [], rows, file_digest(record.pdf), None)
        steps: list[Callable[[], None]] = [
            lambda: archive._write_journal(root, row),
            lambda: archive._file_pdf(root, row["file"], record.pdf),
            lambda: archive._append_row(root, rows, row),
        ]
        for step in steps[:last]:
            step()


@pytest.mark.parametrize(
    ("last", "problem", "recovered", "written"),
    [
        (1, "a filing was interrupted", "rolled back a filing that was interrupted before", True),
        (2, "2020/b.pdf: unlisted", "completed a filing that was interrupted before its", False),
        (3, "a filing was interrupted", "its filing was complete; cleared its journal", False),
    ],
)
def test_a_filing_killed_after_each_step_is_finished_by_the_next(
    tmp_path: Path, last: int, problem: str, recovered: str, written: bool
) -> None:
    root = tmp_path / "archive"
    file_letter(_record("a"), root)
    _steps(root, _record("b"), last)
    assert any(problem in found for found in verify(root))
    filed = file_letter(_record("b"), root)
    assert len(filed.recovered) == 1 and recovered in filed.recovered[0]
    assert filed.written is written
    assert [row["id"] for row in read_manifest(root)] == ["a", "b"]
    assert verify(root) == []


_KILLED = """
import datetime as dt, sys
from pathlib import Path
from letters.build.archive import Record, file_letter
root = Path(sys.argv[1])
for n in range(200):
    name = f"k{n}"
    pdf = b"%PDF-1.7 stand-in for " + name.encode()
    file_letter(Record(name, pdf, {}, {"title": name}, dt.date(2020, 3, 30), 7), root)
    print(n, flush=True)
"""


@pytest.mark.parametrize(
    ("filed", "delay"), [(0, 0.0), (3, 0.001), (10, 0.002), (25, 0.0), (60, 0.003)]
)
def test_a_process_killed_while_filing_leaves_nothing_that_cannot_be_finished(
    tmp_path: Path, filed: int, delay: float
) -> None:
    root = tmp_path / "archive"
    with started([sys.executable, "-c", _KILLED, str(root)], stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        for _ in range(filed + 1):  # wait until it has filed some, then kill it mid-filing
            process.stdout.readline()
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
    for n in range(200):  # file them all again: each is filed once, whatever the kill left
        name = f"k{n}"
        pdf = b"%PDF-1.7 stand-in for " + name.encode()
        file_letter(Record(name, pdf, {}, {"title": name}, dt.date(2020, 3, 30), 7), root)
    assert [row["id"] for row in read_manifest(root)] == [f"k{n}" for n in range(200)]
    assert verify(root) == []


def test_verify_sees_hidden_files(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    file_letter(_record("a"), root)
    (root / "2020" / ".hidden.pdf").write_bytes(b"%PDF")
    assert verify(root) == [f"2020/.hidden.pdf: unlisted: in the archive but not in {MANIFEST}"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda m: m.write_bytes(b"\xff\xfe\n"), "not a manifest (byte 1 is not UTF-8 text)"),
        (lambda m: m.mkdir(), "not a regular file; a manifest is a JSON Lines file"),
        (lambda m: os.mkfifo(m), "not a regular file; a manifest is a JSON Lines file"),
        (lambda m: m.symlink_to("/etc/hostname"), "not a regular file; a manifest is a JSON"),
    ],
)
def test_a_broken_manifest_is_a_message(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "archive"
    root.mkdir()
    make(root / MANIFEST)
    with pytest.raises(ArchiveError, match=message.replace("(", r"\(").replace(")", r"\)")):
        file_letter(_record("a"), root)


def test_head_of_a_row_without_a_hash_is_a_message(tmp_path: Path) -> None:
    from letters.cli import main

    root = tmp_path / "archive"
    root.mkdir()
    (root / MANIFEST).write_text('{"id": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["archive", "--head", "--to", str(root)])
    assert result.exit_code == 1
    assert result.output == (
        f"error: {root / MANIFEST}:1: not a manifest row (its version is not a number from 1); "
        "restore it from a backup\n"
    )


def test_a_refused_filing_leaves_the_archive_as_it_was(tmp_path: Path) -> None:
    file_letter(_record("a"), tmp_path)
    changed = Record("a", b"%PDF-1.7 changed", {"a.yaml": b"data"}, {"title": "a"}, *_DATED)
    (tmp_path / "2020" / "a.v2.pdf").write_bytes(b"a stray file in the way")
    with pytest.raises(ArchiveError, match=r"a\.v2\.pdf already exists; the archive never"):
        file_letter(changed, tmp_path, new_version=True)
    assert not (tmp_path / archive.JOURNAL).exists()
    # the next filing, of another letter, goes ahead as if nothing had been tried
    assert file_letter(_record("b"), tmp_path).written
    assert [row["id"] for row in read_manifest(tmp_path)] == ["a", "b"]
