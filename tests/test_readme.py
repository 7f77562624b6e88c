"""The README: its commands exist, parse, and each command has tests named after it."""

from __future__ import annotations

import re
import shlex

import click
from conftest import ROOT

from bot.cli.main import cli

README = (ROOT / "README.md").read_text()
TESTS = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))


def readme_commands() -> list[list[str]]:
    blocks = re.findall(r"```bash\n(.*?)```", README, re.DOTALL)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            for part in line.split("&&"):
                words = shlex.split(part.strip())
                if words and words[0].endswith("bot") and words[0] != "awesome-list-bot":
                    commands.append(words[1:])
    return commands


def subcommand(args: list[str]) -> tuple[list[str], click.Command, list[str]]:
    """(command path, the click command, its own arguments) for `bot` arguments."""
    rest, path, command = list(args), [], cli
    while rest and rest[0].startswith("-"):  # the group's own options: --config PATH
        rest = rest[2:] if rest[0] == "--config" else rest[1:]
    while isinstance(command, click.Group) and rest:
        name, rest = rest[0], rest[1:]
        command = command.commands[name]
        path.append(name)
    return path, command, rest


def test_readme_quick_start_has_two_commands_and_the_test_command_matches_ci():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", quick, re.DOTALL)
    assert len(blocks) == 2
    assert blocks[1].strip() in (ROOT / ".ci" / "run").read_text()
    assert "--config demo/config.yaml run" in blocks[0]


def test_readme_commands_parse_and_each_is_tested():
    commands = readme_commands()
    assert len(commands) >= 10
    seen = set()
    for args in commands:
        path, command, rest = subcommand(args)
        assert path, f"no subcommand in: bot {' '.join(args)}"
        command.make_context(" ".join(path), list(rest))  # options and arguments are valid
        name = "_".join(path)
        seen.add(name)
        assert re.search(rf"def test_{name}_\w+", TESTS), f"no test_{name}_* for: bot {' '.join(args)}"
    assert {"run", "classify", "fetch", "train", "evaluate", "serve", "list_check", "list_entries"} <= seen
