"""Hostile and careless commands, one after another: each is a message, and nothing changes.

Every command below is refused with exit status 1 or 2 and no traceback; afterwards every
file of the project (its data, templates and git history) and of a decoy folder beside it
is as it was, byte for byte, and nothing exists that was not there before, outside the
chosen output folder (build/).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"
OFFICE = "offices/lancashire-pcc.yaml"


def _tree(*folders: Path, leave_out: Path | None = None) -> dict[str, str]:
    """Hash every file (and the target of every link) under the folders."""
    seen = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if leave_out is not None and path.is_relative_to(leave_out):
                continue
            if path.is_symlink():
                seen[str(path)] = "link to " + os.readlink(path)
            elif path.is_file():
                seen[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                seen[str(path)] = "folder"
    return seen


def _commands(project: Path, decoy: Path) -> list[list[str]]:
    """List the hostile commands, each as the arguments given to letters."""
    new = ["--kind", "peel-2023", "--office", OFFICE]
    return [
        ["diff", LETTER, f"--against=--output={decoy / 'kept.txt'}"],
        ["diff", LETTER, f"--against=--remote=file://{decoy}"],
        ["diff", LETTER, "--against=--list"],
        ["diff", LETTER, "--against", "HEAD", "--out", "data"],
        ["due", "--ics", LETTER],
        ["due", "--ics", str(decoy / "kept.txt")],
        ["due", "--ics", "data/reference/frameworks.yaml"],
        ["findings", LETTER, "--out", "templates/house-style.yaml"],
        ["findings", LETTER, "--out", f"data/{OFFICE}"],
        ["findings", LETTER, "--json", "--out", "archive/manifest.jsonl"],
        ["findings", LETTER, "--out", "data/lancashire-2020-peel.approval.json"],
        ["findings", LETTER, "--out", "build/link.csv"],
        ["new", "../escaped", *new],
        ["new", str(decoy / "absolute"), *new],
        ["new", "two\nlines", *new],
        ["new", ".", *new],
        ["new", "lancashire-2020-peel", *new],
        ["new", "next", "--kind", "peel-2023", "--office", "../../etc/passwd"],
        ["new", "next", "--from", str(decoy / "kept.txt")],
        ["approve", "data/*.yaml", "--by", "Someone"],
        ["approve", LETTER, "--by", "A\u2028B"],
        ["approve", LETTER, "--by", "  "],
        ["approve", LETTER, "--by", "Someone", "--on", "2099-01-01"],
        ["approve", str(decoy / "letter.yaml"), "--by", "Someone"],
        ["approve", "data/offices/lancashire-pcc.yaml", "--by", "Someone"],
        ["publish", LETTER, "--on", "1999-01-01"],
        ["publish", LETTER, "--on", "2099-01-01"],
        ["publish", "data/l\u0430ncashire.yaml"],
        ["build", LETTER, "--out", "data"],
        ["build", LETTER, "--out", "templates/fonts"],
        ["build", LETTER, "--out", ".git"],
        ["archive", LETTER, "--to", "data/reference"],
        ["check", "data/l\u0430ncashire.yaml"],
    ]


def _prepare(project: Path, decoy: Path) -> None:
    """Lay the traps: a git history, an archive, a look-alike letter, a link out."""
    git = ["git", "-C", str(project), "-c", "user.email=t@example.org", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True, timeout=60)
    subprocess.run([*git, "add", "-A"], check=True, timeout=60)
    subprocess.run([*git, "commit", "-qm", "start"], check=True, timeout=60)
    decoy.mkdir()
    (decoy / "kept.txt").write_text("the decoy's own file\n", encoding="utf-8")
    (decoy / "letter.yaml").write_bytes((project / LETTER).read_bytes())
    (project / "data" / "*.yaml").write_bytes((project / LETTER).read_bytes())
    (project / "data" / "l\u0430ncashire.yaml").write_bytes((project / LETTER).read_bytes())
    (project / "archive").mkdir()
    (project / "archive" / "manifest.jsonl").write_text("", encoding="utf-8")
    (project / "build").mkdir()
    (project / "build" / "link.csv").symlink_to(decoy / "kept.txt")


def test_hostile_commands_are_messages_and_change_nothing(
    scratch: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path_factory.mktemp("elsewhere") / "decoy"
    _prepare(scratch, decoy)
    monkeypatch.chdir(scratch)
    before = _tree(scratch, decoy.parent, leave_out=scratch / "build")
    for args in _commands(scratch, decoy):
        result = CliRunner().invoke(main, args)
        shown = " ".join(args)
        assert result.exit_code in (1, 2), f"{shown}: exit {result.exit_code}\n{result.output}"
        assert "Traceback" not in result.output and "internal error" not in result.output, shown
        assert result.stderr.strip(), f"{shown}: refused without a word"
    # What letters keeps to start faster (.letters-cache/made/, entries named by the digest
    # of what they are made from and each checked before use) is made by the work a command
    # did before it refused: the letter's words now, which `diff` composes first.
    made = scratch / ".letters-cache" / "made"
    after = _tree(scratch, decoy.parent, leave_out=scratch / "build")
    kept = {str(made.parent), str(made)} | {p for p in after if Path(p).is_relative_to(made)}
    assert {path: digest for path, digest in after.items() if path not in kept} == before
    assert (decoy / "kept.txt").read_text(encoding="utf-8") == "the decoy's own file\n"
