"""The project as a wheel, installed with its pinned dependencies alone, builds the letter.

What the editable install of the tests cannot show: that the wheel holds every module, that
pyproject.toml declares every package the code imports (and that requirements.lock's pins
satisfy its bounds), and that the installed `letters` command runs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_LETTER, ROOT, copy_of_project, run

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    """Give the environment without anything pointing Python at the project's own tree."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
    }


def test_the_wheel_installs_and_builds_the_default_letter(tmp_path: Path) -> None:
    # Built from a copy of the sources, so that setuptools writes nothing into the project
    # (its build/ folder is where the letters go).
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "letters", source / "letters", ignore=shutil.ignore_patterns("__pycache__")
    )
    wheels, env = tmp_path / "wheels", _env()
    pip = ["-m", "pip", "--disable-pip-version-check", "-q"]
    built = run(
        [sys.executable, *pip, "wheel", "--no-deps", "-w", wheels, source],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("letters-*.whl")

    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", venv], capture_output=True, text=True, env=env)
    assert made.returncode == 0, made.stderr
    python, letters = venv / "bin" / "python", venv / "bin" / "letters"
    installed = run(
        [python, *pip, "install", "-c", ROOT / "requirements.lock", wheel],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    checked = run([python, *pip, "check"], capture_output=True, text=True, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    project = copy_of_project(tmp_path / "project")
    where = run(
        [python, "-c", "import letters; print(letters.__file__)"],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    version = run([letters, "--version"], capture_output=True, text=True, cwd=project, env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("letters, version "), version.stdout

    letter = Path("data") / DEFAULT_LETTER.name
    out = project / "out"
    built_letter = run(
        [letters, "build", letter, "--out", out],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=project,
        env=env,
    )
    assert built_letter.returncode == 0, built_letter.stdout + built_letter.stderr
    for suffix in (".pdf", ".docx", ".html"):
        made_file = out / f"{DEFAULT_LETTER.stem}{suffix}"
        assert made_file.is_file() and made_file.stat().st_size > 0, made_file
