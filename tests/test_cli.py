"""The command line: documented commands, `list check` and `list entries`."""

import json

import click
import pytest
from conftest import ROOT, SEED_README

from bot.cli.main import cli


def walk(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from walk(command, prefix + (name,))


def test_every_command_is_documented_with_example_and_option_help():
    for path, command in walk(cli):
        assert command.help and "Example:" in command.help, f"bot {' '.join(path)} lacks an Example"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"bot {' '.join(path)} {param.opts} lacks help="


def test_help_runs_for_every_command(bot):
    assert bot("--help").exit_code == 0
    for path, _ in walk(cli):
        result = bot(*path, "--help")
        assert result.exit_code == 0 and "Example:" in result.out


def test_list_check_seed_is_byte_identical(bot):
    result = bot("--config", ROOT / "config.yaml", "list", "check", SEED_README)
    assert result.exit_code == 0
    assert "176 entries in 18 sections" in result.out
    assert "entries without an arXiv id: 6" in result.out
    assert "round-trip: byte-identical" in result.out


def test_list_check_reports_lines_not_understood(bot, tmp_path):
    path = tmp_path / "README.md"
    path.write_text("## S\n\n**T** \\\n*A* \\\n[1st May, 2023] [arXiv, 2023] \\\n[[Paper](https://arxiv.org/abs/2305.00001)]\n\nstray text\n")
    result = bot("--config", ROOT / "config.yaml", "list", "check", path)
    assert result.exit_code == 0 and "line 8: stray text" in result.out


def test_list_check_a_list_read_as_no_entry_is_a_one_line_error(bot, tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# L\n\n## S\n\nWe like [this paper](https://arxiv.org/abs/2305.00001) a lot.\n")
    result = bot("--config", ROOT / "config.yaml", "list", "check", path)
    assert result.exit_code == 2 and "line 5: We like" in result.out
    assert result.err.startswith("Error:") and "no entry read" in result.err and len(result.err.strip().splitlines()) <= 2


def test_list_check_missing_file_is_one_line_error(bot, tmp_path):
    result = bot("--config", ROOT / "config.yaml", "list", "check", tmp_path / "nope.md")
    assert result.exit_code == 2 and result.err.startswith("Error: cannot read list")


def test_list_entries_json_fields(bot):
    result = bot("--config", ROOT / "config.yaml", "list", "entries", SEED_README, "--json")
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert len(rows) == 176
    assert set(rows[0]) == {"section", "subsection", "title", "authors", "date", "venue", "arxiv_id", "links"}
    dermo = next(r for r in rows if r["arxiv_id"] == "2308.02959")
    assert dermo["section"] == "Segmentation" and dermo["date"] == "2023-08-05"
    assert any(r["subsection"] == "Super Resolution" and r["section"] == "Image Restoration" for r in rows)


def test_main_preload_leaves_the_cycle_collector_on():
    """The cold start pauses Python's cycle collector while scikit-learn is imported; a long
    `bot serve` or `bot backtest` must not run without it."""
    import gc

    from bot.cli.main import _preload

    for args in (["--config", "c.yaml", "serve"], ["classify", "2509.00001"], ["--help"], []):
        _preload(args)
        assert gc.isenabled()


@pytest.mark.parametrize("args, message", [
    (["init", "--bogus"], "No such option '--bogus'. (see 'bot init --help')"),
    (["nosuchcommand"], "No such command 'nosuchcommand'. (see 'bot --help')"),
    (["init", "--list", "."], "Invalid value for '--list'"),
])
def test_cli_usage_errors_are_one_line_exit_2(bot, args, message):
    result = bot(*args)
    assert result.exit_code == 2 and result.err.startswith("Error: ") and message in result.err
    assert len(result.err.strip().splitlines()) == 1
