"""The commands of the list, the paper store and the main job: `bot list`, `bot fetch`, `bot run`,
`bot serve`, `bot init`; and `main`, the `bot` entry point (which registers every command).

Each command parses its options, calls the library and prints.  Typed
:class:`BotError` s become one line on stderr with a hint, and an exit code
(2: bad input or configuration, 1: an outside service failed).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from bot.base.errors import BotError, InputError
from bot.base.redact import redact
from bot.cli.group import Context, cli, parse_day, pass_context, read_list


@cli.group(name="list")
def list_group() -> None:
    """Inspect the awesome list.

    Example: bot list check README.md
    """


@list_group.command("check")
@click.argument("path", required=False)
@pass_context
def list_check(ctx: Context, path: str | None) -> None:
    """Parse the list, print a summary, exit 0 only if it round-trips byte for byte.

    Example: bot list check demo/list-README.md
    """
    from bot.lists import awesome

    text, document, source = read_list(ctx, path)
    identical = document.render() == text
    click.echo(f"{source}: {len(document.entries)} entries in {len(document.labels())} sections")
    for label in document.labels():
        count = sum(1 for e in document.entries if e.label == label)
        click.echo(f"  {label:<28} {count:>4}")
    without = [e for e in document.entries if not e.arxiv_id]
    click.echo(f"entries without an arXiv id: {len(without)}")
    for entry in without:
        click.echo(f"  line {entry.start + 1}: {entry.title[:70]}")
    warned = [e for e in document.entries if e.warnings]
    click.echo(f"entries with warnings: {len(warned)}")
    for entry in warned:
        click.echo(f"  line {entry.start + 1}: {'; '.join(entry.warnings)}")
    click.echo(f"lines not understood: {len(document.unparsed)}")
    for number, line in document.unparsed:
        click.echo(f"  line {number}: {line[:70]}")
    click.echo(f"round-trip: {'byte-identical' if identical else 'DIFFERENT'}")
    awesome.require_entries(document, source)
    if not identical:
        sys.exit(1)


@list_group.command("entries")
@click.argument("path", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per entry.")
@pass_context
def list_entries(ctx: Context, path: str | None, as_json: bool) -> None:
    """List the entries of the list (section, title, arXiv id).

    Example: bot list entries README.md --json
    """

    for entry in read_list(ctx, path)[1].entries:
        if as_json:
            row = entry.as_json()
            keys = ("section", "subsection", "title", "authors", "date", "venue", "arxiv_id", "links")
            click.echo(json.dumps({k: row[k] for k in keys}, ensure_ascii=False))
        else:
            click.echo(f"{entry.label:<26} {entry.arxiv_id or '-':<12} {entry.title}")


@cli.command("fetch")
@click.option("--since", help="Catch up through the arXiv API from this submission date (YYYY-MM-DD).")
@click.option("--until", help="Last submission date of the catch-up (YYYY-MM-DD; default: today).")
@click.option("--from-file", "from_file", type=click.Path(dir_okay=False),
              help="Import arXiv metadata from JSON Lines (gzipped or not) instead of fetching.")
@pass_context
def fetch_command(ctx: Context, since: str | None, until: str | None, from_file: str | None) -> None:
    """Fill the paper store: poll the RSS feeds, catch up a date range, or import a file.

    Without options, polls every configured feed once (and catches up missed
    days through the API).  Exits 1 if any feed or request failed.

    Example: bot fetch --since 2025-09-15 --until 2025-09-18
    """
    from bot.base.progress import progress_line
    from bot.papers.arxiv_api import ArxivAPI
    from bot.papers.ingest import catch_up, daily
    from bot.papers.store import Store

    config = ctx.config
    with Store(config.store.path) as store:
        if from_file:
            with progress_line("importing") as progress:
                read, new = store.import_jsonl(from_file, progress=progress)
            click.echo(f"imported {read} papers from {from_file}: {new} new, store holds {store.count()}")
            return
        if since:
            start, end = parse_day(since, "--since"), parse_day(until, "--until") or date.today()
            api = ArxivAPI.from_config(config)
            with progress_line("catching up") as progress:
                new_ids = catch_up(config, store, api, start, end, progress=progress)
            click.echo(f"caught up {start} .. {end}: {len(new_ids)} new papers, store holds {store.count()}")
            for why in api.skipped:
                click.echo(f"problem: catch-up: {why}", err=True)
            if api.skipped:
                sys.exit(1)
            return
        if until:
            raise InputError("--until needs --since", "add --since YYYY-MM-DD")
        report = daily(config, store)
        for line in report.lines():
            click.echo(line, err=line.startswith("problem:"))
        if report.failed:
            sys.exit(1)


@cli.command("run")
@click.option("--dry-run", is_flag=True, help="Do everything but publish: write the would-be README and "
                                              "pull-request description to the output folder.")
@click.option("--publisher", type=click.Choice(["github", "local"]),
              help="Where to publish (default: github when the token variable is set, else local).")
@click.option("--output", type=click.Path(file_okay=False), help="Folder for --dry-run and the local publisher.")
@pass_context
def run_command(ctx: Context, dry_run: bool, publisher: str | None, output: str | None) -> None:
    """The main job: poll arXiv, classify new papers, propose them in one pull request.

    Prints a summary (papers seen, new, proposed by section, skipped and why)
    and exits 1 when any step failed.

    Example: bot run --dry-run
    """
    from bot.jobs.run import run

    report = run(ctx.config, dry_run=dry_run, publisher=publisher, output=Path(output) if output else None)
    for line in report.lines():
        click.echo(line, err=line.startswith("problem:"))
    if report.failed:
        sys.exit(1)


@cli.command("serve")
@click.option("--max-runs", type=click.IntRange(min=1),
              help="Stop after this many runs, at least 1 (default: run until SIGINT/SIGTERM).")
@pass_context
def serve_command(ctx: Context, max_runs: int | None) -> None:
    """Run the main job on the schedule of the config (schedule.cron, schedule.timezone).

    A long-running process for self-hosting: never two runs at once, missed
    runs coalesced, each run's summary logged, a failing run does not stop it,
    SIGINT/SIGTERM stop it cleanly after the run in progress.

    Example: bot serve
    """
    import logging

    from bot.base.secrets import github_token
    from bot.jobs.serve import serve

    github_token(ctx.config)  # checked before the first scheduled run, not hours later
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    sys.exit(serve(ctx.config, max_runs=max_runs))


@cli.command("init")
@click.option("--list", "list_path", type=click.Path(dir_okay=False), help="Read the list from this README (offline).")
@click.option("--repo", help="The list's repository on GitHub (owner/name): read the list from there, "
                             "or name it when --list is given.")
@click.option("--path", "list_file", default=None, help="The list's file in the repository (default README.md).")
@click.option("--branch", help="The list's branch (default: the repository's default branch, or main).")
@click.option("--api-url", default="https://api.github.com", show_default=True,
              help="GitHub API base URL (GitHub Enterprise, or a test server).")
@click.option("--output", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write config.yaml and .github/workflows/awesome-list-bot.yml into.")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--offline", is_flag=True, help="Do not ask the arXiv API for the categories of the list's papers.")
@click.option("--action", "action", help="The GitHub Action to use, OWNER/REPO@SHA (default: this checkout's commit).")
def init_command(list_path, repo, list_file, branch, api_url, output, force, offline, action) -> None:
    """Set the bot up for a list: print what it found and write a config and a workflow.

    Prints the list's formats, its sections with entry counts, the entries it
    could not read and the arXiv categories its papers come from (looked up in
    the bundled papers, then, unless --offline, on arXiv), then writes a
    commented config.yaml and .github/workflows/awesome-list-bot.yml into
    --output.  Existing files are kept unless --force.

    Example: bot init --list README.md --repo octocat/awesome-papers --offline
    """
    from bot.base.config import BUNDLED_BACKGROUND
    from bot.jobs.init import (
        ACTION_REPOSITORY,
        PLACEHOLDER_SHA,
        action_ref,
        check_repo,
        check_targets,
        check_values,
        read_from_github,
        read_local,
        render_files,
        survey,
        token,
        write_files,
    )

    if not list_path and not repo:
        raise InputError("give --list README.md or --repo owner/name", "e.g. bot init --list README.md")
    if repo is not None:
        check_repo(repo)
    check_values(branch=branch, path=list_file, api_url=api_url)
    uses = action_ref(action)
    folder = Path(output)
    check_targets(folder, force=force)  # before any reading: the survey takes seconds, and calls GitHub and arXiv
    if list_path:
        text, branch, list_file, local_copy = read_local(Path(list_path), branch, list_file, folder)
        source = list_path
    else:
        text, branch, list_file = read_from_github(repo, list_file, branch, api_url, token())
        source, local_copy = f"{repo}@{branch}:{list_file}", None
    api = None
    if not offline:
        from bot.papers.arxiv_api import ArxivAPI

        api = ArxivAPI(os.environ.get("ARXIV_API_URL", "https://export.arxiv.org/api/query"), retries=1, timeout=20)
    found = survey(text, source, [BUNDLED_BACKGROUND], api)
    for line in found.lines():
        click.echo(line)
    files = render_files(found, repo or "OWNER/LIST", branch, list_file, local_copy, uses)  # checked: reads back
    for path in write_files(folder, files, force):
        click.echo(f"wrote {path}")
    if not action and (uses[0] == ACTION_REPOSITORY or uses[1] == PLACEHOLDER_SHA):
        click.echo(f"note: the workflow uses {uses[0]}@{uses[1][:12]}...; pass --action OWNER/REPO@SHA to name "
                   "the copy of this bot you trust", err=True)
    if not repo:
        click.echo("note: set list.repo in config.yaml (or pass --repo) before publishing", err=True)


from bot.cli import backtest as _backtest  # noqa: E402,F401  (registers backtest)
from bot.cli import model as _model  # noqa: E402,F401  (registers train, evaluate and classify)


MODEL_COMMANDS = {"classify", "run", "train", "evaluate", "backtest", "serve"}  # the commands that load scikit-learn


def _preload(args: list[str]) -> None:
    """Import scikit-learn (with NumPy and SciPy: most of a cold `bot classify`) for a command that
    needs it, with Python's cycle collector paused meanwhile: start-up allocates much and frees
    little, so its passes over the growing heap are wasted (about 0.15 s of 1.7 s; benchmarks.md)."""
    if MODEL_COMMANDS.isdisjoint(args) or "--help" in args or "-h" in args:
        return
    was_on = gc.isenabled()
    gc.disable()
    try:
        import classifier.model  # noqa: F401
    except ImportError:
        pass  # the command imports it again and says what is wrong
    finally:
        if was_on:
            gc.enable()


def main() -> None:
    """Entry point of the `bot` script: turns BotErrors into one-line messages."""
    try:
        _preload(sys.argv[1:])
        cli.main(standalone_mode=False, prog_name="bot")
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.UsageError as exc:  # one line, like every other bad input: the cause and where to look
        command = exc.ctx.command_path if exc.ctx is not None else "bot"
        click.echo(f"Error: {exc.format_message()} (see '{command} --help')", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BotError as exc:
        click.echo(f"Error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception:  # a bug: the traceback is shown, with any token redacted from it
        import traceback

        click.echo(redact(traceback.format_exc()).rstrip("\n"), err=True)
        sys.exit(1)
