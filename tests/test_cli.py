"""The `letters` command: exit codes, exact messages, help everywhere, nothing left on failure."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from conftest import DEFAULT_LETTER, edit_yaml
from letters.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _commands(group: click.Group) -> list[click.Command]:
    return [group, *group.commands.values()]


def test_every_command_and_option_has_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name, command in main.commands.items():
        assert command.help, name
        assert name in result.output
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"
        assert runner.invoke(main, [name, "--help"]).exit_code == 0


def test_build_writes_every_format(runner: CliRunner, scratch: Path) -> None:
    out = scratch / "out"
    result = runner.invoke(
        main, ["build", str(scratch / "data" / DEFAULT_LETTER.name), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "lancashire-2020-peel.docx",
        "lancashire-2020-peel.html",
        "lancashire-2020-peel.pdf",
        "lancashire-2020-peel.public.pdf",
    ]
    assert result.stdout.count("wrote ") == 4


def test_build_only_the_formats_asked_for(runner: CliRunner, scratch: Path) -> None:
    out = scratch / "out"
    result = runner.invoke(
        main,
        [
            "build",
            str(scratch / "data" / DEFAULT_LETTER.name),
            "--out",
            str(out),
            "--format",
            "html,docx",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".html"]


def test_an_unknown_format_is_a_usage_error(runner: CliRunner, scratch: Path) -> None:
    result = runner.invoke(
        main, ["build", str(scratch / "data" / DEFAULT_LETTER.name), "--format", "pdf,odt"]
    )
    assert result.exit_code == 2
    assert (
        "odt is not a format; choose from docx, pdf, html, public-pdf (comma-separated)"
        in result.stderr
    )


def test_one_bad_letter_does_not_stop_the_others(runner: CliRunner, scratch: Path) -> None:
    good = scratch / "data" / DEFAULT_LETTER.name
    bad = scratch / "data" / "broken.yaml"
    bad.write_text("office: offices/lancashire-pcc.yaml\n", encoding="utf-8")
    out = scratch / "out"
    result = runner.invoke(
        main, ["build", str(bad), str(good), "--out", str(out), "--format", "html"]
    )
    assert result.exit_code == 1
    assert "broken.yaml:1:1: letter: this field is required but missing" in result.stderr
    assert "built 1, skipped 0 (up to date), held 0, failed 1 of 2 letters in " in result.stderr
    assert [p.name for p in out.iterdir()] == ["lancashire-2020-peel.html"]


def test_a_folder_stands_for_the_letters_directly_inside_it(
    runner: CliRunner, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    nested = scratch / "data" / "examples" / "older"
    nested.mkdir()
    (nested / "not-this-one.yaml").write_text("office: nowhere\n", encoding="utf-8")
    result = runner.invoke(main, ["build", "data/examples", "--out", "out", "--format", "html"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (scratch / "data" / "examples").glob("*.yaml"))
    assert len(names) == 10
    assert sorted(p.name for p in (scratch / "out").iterdir()) == [
        name.replace(".yaml", ".html") for name in names
    ]
    assert "built 10, skipped 0 (up to date), held 0, failed 0 of 10 letters in " in result.stderr
    result = runner.invoke(main, ["check", "data/examples", f"data/{DEFAULT_LETTER.name}"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok: ") == 11
    result = runner.invoke(main, ["due", "data/examples/older"])
    assert result.exit_code == 1
    assert "data/examples/older/not-this-one.yaml" in result.stderr
    (nested / "not-this-one.yaml").unlink()
    result = runner.invoke(main, ["check", "data/examples/older"])
    assert result.exit_code == 2
    assert "Error: no data files (*.yaml) in the folder data/examples/older" in result.stderr


def test_a_letter_that_would_write_another_s_file_is_refused_and_one_named_twice_built_once(
    runner: CliRunner, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    examples = scratch / "data" / "examples"
    (examples / "zz.yaml").write_bytes(
        (examples / "dyfed-powys-2025-peel-bilingual.yaml").read_bytes()
    )
    (examples / "zz.en.yaml").write_bytes((examples / "durham-2023-peel.yaml").read_bytes())
    letters = ["data/examples/zz.yaml", "data/examples/zz.en.yaml", "./data/examples/zz.yaml"]
    result = runner.invoke(main, ["build", *letters, "--out", "out", "--format", "html,pdf"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "data/examples/zz.en.yaml: error: data/examples/zz.yaml could write zz.en.pdf too (a "
        "letter in two languages names its PDFs .en.pdf and .cy.pdf); rename one of them"
    )
    assert "built 1, skipped 0 (up to date), held 0, failed 1 of 2 letters in " in result.stderr
    assert sorted(p.name for p in (scratch / "out").iterdir()) == [
        "zz.cy.pdf",
        "zz.en.pdf",
        "zz.html",
    ]
    assert result.stdout.count("wrote out/zz.html") == 1


def test_a_template_error_names_the_template_and_line(runner: CliRunner, scratch: Path) -> None:
    template = scratch / "templates" / "common" / "front.md.j2"
    edit_yaml(template, "Dear {{ facts.salutation }}", "Dear {{ facts.salutaton }}")
    result = runner.invoke(
        main, ["build", str(scratch / "data" / DEFAULT_LETTER.name), "--out", str(scratch / "out")]
    )
    assert result.exit_code == 1
    line = template.read_text(encoding="utf-8").splitlines().index("Dear {{ facts.salutaton }}") + 1
    assert result.stderr.endswith(
        f"common/front.md.j2:{line}: facts has no 'salutaton' (did you mean 'salutation'?)\n"
    )
    assert not (scratch / "out").exists()


def test_in_a_batch_a_fault_in_a_shared_template_names_each_letter_it_stopped(
    runner: CliRunner, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scratch)
    template = scratch / "templates" / "common" / "front.md.j2"
    edit_yaml(template, "Dear {{ facts.salutation }}", "Dear {{ facts.salutaton }}")
    line = template.read_text(encoding="utf-8").splitlines().index("Dear {{ facts.salutaton }}") + 1
    letters = [f"data/{DEFAULT_LETTER.name}", "data/examples/durham-2023-peel.yaml"]
    result = runner.invoke(main, ["build", *letters, "--out", "out", "--format", "html"])
    assert result.exit_code == 1
    fault = (
        f"templates/common/front.md.j2:{line}: facts has no 'salutaton' (did you mean "
        "'salutation'?)"
    )
    unmade = "not built: the fault above is in a file it is made from"
    assert result.stderr.splitlines()[:4] == [
        fault,
        f"{letters[0]}: {unmade}",
        fault,
        f"{letters[1]}: {unmade}",
    ]


def _build_default(runner: CliRunner, scratch: Path, monkeypatch: pytest.MonkeyPatch) -> Result:
    """Build the scratch project's default letter from inside the project, as a user would."""
    monkeypatch.chdir(scratch)
    return runner.invoke(main, ["build", f"data/{DEFAULT_LETTER.name}", "--out", "out"])


def test_an_unclosed_block_in_a_template_names_the_template(
    runner: CliRunner, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "templates/letters/integrated-peel-2018.md.j2"
    source = (scratch / name).read_text(encoding="utf-8")
    # the {% if %} around the closing sentence, which holds no other block
    opened = source.index('{% if layout == "letter" %}\nAs you would expect')
    line = source[:opened].count("\n") + 1
    closed = source.index("{% endif %}\n", opened)
    (scratch / name).write_text(source[:closed] + source[closed + len("{% endif %}\n") :])
    result = _build_default(runner, scratch, monkeypatch)
    assert result.exit_code == 1
    [message] = result.stderr.splitlines()
    assert message == (
        f"{name}:{line}: the {{% if %}} opened here is never closed; close it with {{% endif %}}"
    )
    assert not (scratch / "out").exists()


def test_a_missing_template_is_named(
    runner: CliRunner, scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (scratch / "templates" / "common" / "front.md.j2").unlink()
    result = _build_default(runner, scratch, monkeypatch)
    assert result.exit_code == 1
    assert result.stderr == "templates/common/front.md.j2: no such template\n"
    assert not (scratch / "out").exists()


def test_a_missing_file_is_one_line_and_debug_adds_the_traceback(
    runner: CliRunner, scratch: Path
) -> None:
    missing = scratch / "data" / "nope.yaml"
    plain = runner.invoke(main, ["build", str(missing)])
    assert plain.exit_code == 1
    assert plain.stderr == f"{missing}: cannot read the file: No such file or directory\n"
    debug = runner.invoke(main, ["--debug", "build", str(missing)])
    assert debug.exit_code == 1
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert debug.stderr.endswith(plain.stderr)
