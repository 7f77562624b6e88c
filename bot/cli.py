"""The command line: one click group over the library.

Each command parses its options, calls the library and prints.  Typed
:class:`BotError` s become one line on stderr with a hint, and an exit code
(2: bad input or configuration, 1: an outside service failed).
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from . import awesome
from .config import Config, load_config
from .errors import BotError, InputError

DEFAULT_CONFIG = "config.yaml"


class Context:
    """Lazily loaded configuration shared by the commands."""

    def __init__(self, config_path: str):
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=lambda: os.environ.get("BOT_CONFIG", DEFAULT_CONFIG),
              show_default="config.yaml or $BOT_CONFIG", help="Path of the configuration file.")
@click.version_option(package_name="awesome-list-bot")
@click.pass_context
def cli(ctx: click.Context, config_path: str) -> None:
    """Keep an awesome list of papers current from arXiv.

    Example: bot list check demo/list-README.md
    """
    ctx.obj = Context(config_path)


def read_list(ctx: Context, path: str | None) -> tuple[str, str]:
    """The list's text and where it came from: PATH, the configured local copy, or GitHub."""
    config = ctx.config
    if path is None and config.list.local_copy is None:
        token = os.environ.get(config.github.token_env, "").strip()
        if not token:
            raise InputError("no list given, list.local_copy is not set and there is no GitHub token",
                             f"pass PATH, set list.local_copy, or set ${config.github.token_env}")
        from .publish import GitHubPublisher

        publisher = GitHubPublisher(config, token, pause=config.github.backoff)
        return publisher.base_text(), f"{config.list.repo}@{config.list.branch}:{config.list.path}"
    if path is None:
        path = str(config.list.local_copy)
    try:
        return Path(path).read_text(encoding="utf-8"), path
    except OSError as exc:
        raise InputError(f"cannot read list {path}: {exc.strerror}", "check the path") from None


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
    text, source = read_list(ctx, path)
    document = awesome.parse(text)
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
    text, _ = read_list(ctx, path)
    for entry in awesome.parse(text).entries:
        if as_json:
            row = entry.as_json()
            keys = ("section", "subsection", "title", "authors", "date", "venue", "arxiv_id", "links")
            click.echo(json.dumps({k: row[k] for k in keys}, ensure_ascii=False))
        else:
            click.echo(f"{entry.label:<26} {entry.arxiv_id or '-':<12} {entry.title}")


def parse_day(value: str | None, option: str):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date", "use YYYY-MM-DD") from None


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
    from .arxiv_api import ArxivAPI
    from .ingest import catch_up, daily
    from .progress import progress_line
    from .store import Store

    config = ctx.config
    with Store(config.store.path) as store:
        if from_file:
            with progress_line("importing") as progress:
                read, new = store.import_jsonl(from_file, progress=progress)
            click.echo(f"imported {read} papers from {from_file}: {new} new, store holds {store.count()}")
            return
        if since:
            start, end = parse_day(since, "--since"), parse_day(until, "--until") or date.today()
            with progress_line("catching up") as progress:
                new_ids = catch_up(config, store, ArxivAPI.from_config(config), start, end, progress=progress)
            click.echo(f"caught up {start} .. {end}: {len(new_ids)} new papers, store holds {store.count()}")
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
    from .run import run

    report = run(ctx.config, dry_run=dry_run, publisher=publisher, output=Path(output) if output else None)
    for line in report.lines():
        click.echo(line, err=line.startswith("problem:"))
    if report.failed:
        sys.exit(1)


@cli.command("serve")
@click.option("--max-runs", type=int, help="Stop after this many runs (default: run until SIGINT/SIGTERM).")
@pass_context
def serve_command(ctx: Context, max_runs: int | None) -> None:
    """Run the main job on the schedule of the config (schedule.cron, schedule.timezone).

    A long-running process for self-hosting: never two runs at once, missed
    runs coalesced, each run's summary logged, a failing run does not stop it,
    SIGINT/SIGTERM stop it cleanly after the run in progress.

    Example: bot serve
    """
    import logging

    from .serve import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    sys.exit(serve(ctx.config, max_runs=max_runs))


from . import cli_model  # noqa: E402,F401  (registers train, evaluate and classify)


def main() -> None:
    """Entry point of the `bot` script: turns BotErrors into one-line messages."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BotError as exc:
        click.echo(f"Error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
