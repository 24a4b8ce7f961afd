"""The README's workflow, from draft to a reproduced record, run command for command."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, edit_yaml, run_in

LETTER = "data/lancashire-2020-peel.yaml"
TEMPLATE = "templates/letters/integrated-peel-2018.md.j2"
RECORD = "approvals/letters/data/lancashire-2020-peel/1.json"


def _workflow() -> list[str]:
    """Read the workflow's lines from the README, between its markers."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- workflow -->\n```\n(.*?)```\n<!-- /workflow -->", readme, re.S)
    assert found, "the README's workflow block"
    return found.group(1).splitlines()


@pytest.mark.slow
def test_the_readme_workflow_runs_as_written(draft: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = draft  # the default letter as a draft never approved
    shutil.rmtree(root / "approvals")
    assert not (root / ".git").exists()
    said: dict[str, str] = {}
    for line in _workflow():
        if line == "# comms staff improve a template for the next letter":
            edit_yaml(
                root / TEMPLATE,
                "through my quarterly scrutiny meetings",
                "through my monthly scrutiny meetings",
            )
            continue
        if line == "# the office corrects the letter's data":
            edit_yaml(root / LETTER, "  amount: 86000000", "  amount: 87000000")
            continue
        args = shlex.split(line)
        assert args[0] == "letters", line
        status, out, err = run_in(root, monkeypatch, *args[1:])
        assert status == 0, (line, out, err)
        said[line] = out
        if line == f"letters build {LETTER}" and any(s.startswith("letters approve") for s in said):
            # built after the template change: the files as approved, byte for byte
            record = json.loads((root / RECORD).read_text(encoding="utf-8"))
            for name, digest in record["outputs"]["approved"].items():
                written = hashlib.sha256((root / "build" / name).read_bytes()).hexdigest()
                assert written == digest, name
    assert said["letters diff --all"] == (
        f"{LETTER} (version 1): 1 change if reopened, from {TEMPLATE}\n"
    )
    assert said[f'letters reopen {LETTER} --why "The savings figure was corrected"'] == (
        f"reopened {LETTER} as version 2, a draft\n"
    )
    assert said[f"letters diff {LETTER} --against 1"].startswith("2 changes since version 1\n")
    history = said[f"letters history {LETTER}"].splitlines()
    assert history[0].startswith("version 1: approved by Clive Grunshaw on ")
    assert history[1].startswith("version 2: sent by Clive Grunshaw on ")
    assert history[1].endswith("; reopened from version 1: The savings figure was corrected")
    assert said[f"letters archive {LETTER}"] == (
        "filed archive/2020/lancashire-2020-peel.pdf (version 1)\n"
    )
    assert said["letters archive --reproduce archive/2020/lancashire-2020-peel.pdf"].startswith(
        "reproduced archive/2020/lancashire-2020-peel.pdf: byte-identical"
    )
