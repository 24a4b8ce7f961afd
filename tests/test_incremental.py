"""A build skips a letter whose outputs are up to date, decided by content, not timestamps."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DEFAULT_LETTER, edit_yaml, patience, run, started_as_in_a_terminal
from letters.cli import main

LETTER = f"data/{DEFAULT_LETTER.name}"


def _build(scratch: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(scratch)
    result = CliRunner().invoke(main, ["build", LETTER, "--format", "html,docx", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_hidden_file_under_templates_is_no_input(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(scratch, monkeypatch)
    (scratch / "templates" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (scratch / "templates" / "letters" / ".peel.md.j2.swp").write_bytes(b"b0VIM 9.0")
    assert _build(scratch, monkeypatch) == f"up to date: {LETTER}\n"
    # nor can a template include one
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    template.write_text(
        template.read_text(encoding="utf-8") + '{% include "letters/.peel.md.j2.swp" %}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["build", LETTER, "--format", "html"])
    assert result.exit_code == 1
    assert result.stderr == (
        "templates/letters/.peel.md.j2.swp: a hidden file (its name starts with a dot) is no "
        "template; name it without the dot\n"
    )


def test_an_unchanged_letter_is_skipped_and_a_changed_one_built(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrote = "wrote build/lancashire-2020-peel.docx\nwrote build/lancashire-2020-peel.html\n"
    assert _build(scratch, monkeypatch) == wrote
    assert _build(scratch, monkeypatch) == f"up to date: {LETTER}\n"
    template = scratch / "templates" / "letters" / "integrated-peel-2018.md.j2"
    os.utime(template, (0, 0))  # a timestamp alone is no change
    assert _build(scratch, monkeypatch) == f"up to date: {LETTER}\n"
    edit_yaml(template, "As you would expect", "As you would surely expect")
    assert _build(scratch, monkeypatch) == wrote
    assert "As you would surely expect" in (
        scratch / "build" / "lancashire-2020-peel.html"
    ).read_text(encoding="utf-8")


def test_a_missing_or_edited_output_other_settings_and_force_build_again(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrote = "wrote build/lancashire-2020-peel.docx\nwrote build/lancashire-2020-peel.html\n"
    _build(scratch, monkeypatch)
    (scratch / "build" / "lancashire-2020-peel.html").write_text("edited by hand")
    assert _build(scratch, monkeypatch) == wrote
    (scratch / "build" / "lancashire-2020-peel.docx").unlink()
    assert _build(scratch, monkeypatch) == wrote
    assert _build(scratch, monkeypatch, "--strict") == wrote  # other settings
    assert _build(scratch, monkeypatch, "--strict", "--force") == wrote
    edit_yaml(scratch / "data" / "offices" / "lancashire-pcc.yaml", "Preston", "Preston City")
    assert _build(scratch, monkeypatch, "--strict") == wrote  # the office's file is an input
    for reference in ("frameworks.yaml", "home-secretaries.yaml"):  # so are the lists
        listed = scratch / "data" / "reference" / reference
        listed.write_text(listed.read_text(encoding="utf-8") + "\n# checked\n", encoding="utf-8")
        assert _build(scratch, monkeypatch, "--strict") == wrote


def test_a_build_with_a_failed_letter_still_records_the_letters_it_built(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    (scratch / "data" / "broken.yaml").write_text("office: offices/lancashire-pcc.yaml\n")
    command = ["build", "data/broken.yaml", LETTER, "--format", "html", "--jobs", "1"]
    assert CliRunner().invoke(main, command).exit_code == 1
    again = CliRunner().invoke(main, command)
    assert again.exit_code == 1
    assert again.stdout == f"up to date: {LETTER}\n"


@pytest.mark.slow
def test_workers_write_the_same_bytes_and_report_a_failure_in_order(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    letters = [LETTER, "data/examples/durham-2023-peel.yaml", "data/examples/mopac-2025-peel.yaml"]
    outputs = {}
    for jobs in ("1", "2"):
        result = CliRunner().invoke(
            main, ["build", *letters, "--out", f"out{jobs}", "--jobs", jobs, "--force"]
        )
        assert result.exit_code == 0, result.output
        outputs[jobs] = {p.name: p.read_bytes() for p in (scratch / f"out{jobs}").iterdir()}
    assert outputs["1"] == outputs["2"] and len(outputs["1"]) == 12
    (scratch / "data" / "broken.yaml").write_text("office: offices/lancashire-pcc.yaml\n")
    result = CliRunner().invoke(
        main, ["build", "data/broken.yaml", *letters, "--out", "out3", "--jobs", "2"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("data/broken.yaml:1:1: letter: this field is required")
    assert "built 3, skipped 0 (up to date), held 0, failed 1 of 4 letters in " in result.stderr


#: Run in a fresh interpreter: what the forkserver imports before it forks the build workers,
#: then (to show the probe sees it) the same process rendering a PDF twice, the second time
#: reading the fontconfig cache the first may have had to write.
FORKSERVER_STATE = """
import json, sys
from pathlib import Path

def state():
    maps = Path("/proc/self/maps").read_text().splitlines()
    threads = Path("/proc/self/status").read_text().split("Threads:")[1].split()[0]
    return {"threads": int(threads), "fontconfig caches": sum(".cache-" in m for m in maps)}

import letters.build.preload
before = state()
from letters.build.build import build_letter
from letters.build.project import Project
for _ in range(2):
    build_letter(Path(sys.argv[1]), Path(sys.argv[2]), ("pdf",), Project(Path(sys.argv[3])))
print(json.dumps([before, state()]))
"""


def test_the_process_that_forks_the_workers_has_no_thread_and_has_not_started_fontconfig(
    scratch: Path,
) -> None:
    done = run(
        [
            sys.executable,
            "-c",
            FORKSERVER_STATE,
            str(scratch / LETTER),
            str(scratch / "out"),
            str(scratch),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=scratch,
    )
    before, after = json.loads(done.stdout)
    assert before == {"threads": 1, "fontconfig caches": 0}
    assert after["fontconfig caches"] >= 1


#: Run in a fresh interpreter, as the `letters` command runs a batch: two workers it forks
#: itself, each noting what it holds as it starts its first letter; then the command's state.
WARM_WORKERS = """
import json, os, sys
from pathlib import Path
import letters.build.build as build
from letters.build.batch import build_many
from letters.build.project import Project

class NotMade(Exception):
    pass

def made(style, key):
    def refuse():
        raise NotMade
    try:
        style.made_once(key, refuse)  # what is not made yet stays not made
    except NotMade:
        return False
    return True

def held(root):
    from letters.build.workers import loaded_project
    project = loaded_project(root)
    types = {}
    if "weasyprint" in sys.modules:
        from letters.render.internals import ffi, parsed_types
        types = parsed_types(ffi)
    compiled = project.environment.cache.keys() if "environment" in vars(project) else []
    pdf = sys.modules.get("letters.render.pdf")
    return {
        "WeasyPrint imported": "weasyprint" in sys.modules,
        "C types parsed": "PangoRectangle *" in types,
        "house CSS parsed": bool(pdf and getattr(pdf, "_PARSED", None)),
        "wording compiled": any(name.endswith(".md.j2") for _, name in compiled),
        "Word styles made": made(project.style, ("docx", "en-GB")),
    }

real = build.build_in_worker
def noting(data_path, out, formats, root, strict):
    note = Path(out) / f"started-{os.getpid()}.json"
    if not note.exists():
        note.write_text(json.dumps(held(root)))
    return real(data_path, out, formats, root, strict)
build.build_in_worker = noting

root = Path(sys.argv[1])
out = root / "out"
out.mkdir()
batch = build_many([root / p for p in sys.argv[2:]], out, ("docx", "pdf"), 2, project=Project(root))
assert [o.state for o in batch.outcomes] == ["done"] * len(sys.argv[2:]), batch.outcomes
maps = Path("/proc/self/maps").read_text().splitlines()
threads = Path("/proc/self/status").read_text().split("Threads:")[1].split()[0]
print(json.dumps({
    "workers": [json.loads(p.read_text()) for p in sorted(out.glob("started-*.json"))],
    "command": {"threads": int(threads), "fontconfig caches": sum(".cache-" in m for m in maps)},
}))
"""


def test_a_command_s_workers_start_their_first_letter_with_what_every_letter_needs_made(
    scratch: Path,
) -> None:
    letters = [LETTER, "data/examples/durham-2023-peel.yaml", "data/examples/mopac-2025-peel.yaml"]
    done = run(
        [sys.executable, "-c", WARM_WORKERS, str(scratch), *letters],
        capture_output=True,
        text=True,
        check=True,
        cwd=scratch,
    )
    found = json.loads(done.stdout)
    ready = {
        "WeasyPrint imported": True,
        "C types parsed": True,
        "house CSS parsed": True,
        "wording compiled": True,
        "Word styles made": True,
    }
    assert found["workers"] == [ready, ready]
    # what the command made before forking them started no thread, and no fontconfig
    assert found["command"] == {"threads": 1, "fontconfig caches": 0}


def test_a_command_s_own_workers_write_the_same_bytes_and_leave_no_font_folder_behind(
    scratch: Path,
) -> None:
    temporary = scratch / "tmp"
    temporary.mkdir()
    letters = [LETTER, "data/examples/durham-2023-peel.yaml", "data/examples/mopac-2025-peel.yaml"]
    written = []
    for jobs in ("2", "1"):  # workers forked by the command itself, then the command alone
        run(
            [sys.executable, "-m", "letters.cli", "build", "--format", "pdf", "--force"]
            + ["--jobs", jobs, *letters],
            cwd=scratch,
            env={**os.environ, "TMPDIR": str(temporary)},
            check=True,
            capture_output=True,
        )
        written.append({p.name: p.read_bytes() for p in (scratch / "build").glob("*.pdf")})
        assert sorted(p.name for p in temporary.iterdir() if p.name.startswith("weasyprint")) == []
    assert len(written[0]) == 3 and written[0] == written[1]


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_stopped_batch_ends_soon_leaves_whole_files_and_keeps_what_it_built(
    scratch: Path, stop: signal.Signals
) -> None:
    letters = sorted(str(p.relative_to(scratch)) for p in (scratch / "data").rglob("*.yaml"))
    letters = [name for name in letters if "/offices/" not in name and "/reference/" not in name]
    command = [sys.executable, "-m", "letters.cli", "build", "--format", "docx,pdf", "--jobs", "2"]
    with started_as_in_a_terminal([*command, *letters], scratch) as build:
        out = scratch / "build"
        while build.poll() is None and len(list(out.glob("*.pdf"))) < 2:
            time.sleep(0.05)
        assert build.poll() is None, "the batch ended before it could be stopped"
        if stop == signal.SIGINT:
            os.killpg(build.pid, stop)
        else:  # as `timeout` or a service manager sends it: to the command alone
            build.send_signal(stop)
        _, err = build.communicate(timeout=patience(30))  # never waiting for ever on a worker
    assert build.returncode == 1
    assert err.splitlines()[-1] == "Aborted!" and "Traceback" not in err
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    built = sorted(p.stem for p in out.glob("*.docx"))
    in_pdf = {p.stem.removesuffix(".en").removesuffix(".cy") for p in out.glob("*.pdf")}
    assert sorted(in_pdf) == built  # each letter whole or absent
    again = run([*command, *letters], cwd=scratch, capture_output=True, text=True)
    assert again.returncode == 0
    assert again.stdout.count("up to date: ") >= len(built) - 2  # at most those under way


def test_two_builds_into_one_folder_keep_each_other_s_record(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from letters.build.incremental import BuildRecord
    from letters.build.project import Project

    monkeypatch.chdir(scratch)
    project = Project(scratch)
    durham = "data/examples/durham-2023-peel.yaml"
    settings = {"formats": ["html"], "strict": False, "tools": {}}
    first, second = (BuildRecord(Path("build"), scratch, project.template_files) for _ in "12")
    for record, letter in ((first, LETTER), (second, durham)):  # both read it before either saves
        output = Path("build") / (Path(letter).stem + ".html")
        output.parent.mkdir(exist_ok=True)
        output.write_text(letter, encoding="utf-8")
        record.record(Path(letter), settings, [Path(letter)], (output,))
    first.save()
    second.save()
    entries = json.loads(second.path.read_text(encoding="utf-8"))
    assert sorted(entries) == [durham, LETTER]
