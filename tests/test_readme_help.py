"""The README's list of commands and `letters --help` name the same commands and options."""

from __future__ import annotations

import re

import click

from conftest import ROOT
from letters.cli import main


def _readme_commands() -> dict[str, set[str]]:
    """Read the README's command-line block: each command and the long options it shows."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The command line\n", 1)[1]
    block = section.split("```", 2)[1]
    commands: dict[str, set[str]] = {}
    for line in block.splitlines():
        found = re.match(r"letters ([a-z]+)\b(.*)", line.split("        ")[0])
        if found:
            command, rest = found.groups()
            commands[command] = set(re.findall(r"--[a-z][a-z-]*", rest))
    return commands


def _help_commands() -> dict[str, set[str]]:
    """Ask click what `letters --help` offers: each command and its long options."""
    assert isinstance(main, click.Group)
    return {
        name: {
            opt
            for param in command.params
            for opt in [*param.opts, *param.secondary_opts]
            if opt.startswith("--") and opt != "--help"
        }
        for name, command in main.commands.items()
    }


def test_the_readme_lists_every_command_and_option_letters_has() -> None:
    assert _readme_commands() == _help_commands()


def test_every_command_says_what_it_does_in_help() -> None:
    assert isinstance(main, click.Group)
    for name, command in main.commands.items():
        assert command.short_help and command.help, name
