"""The command line: one click group over the library.

Each command parses its options, calls the library and prints.  Typed
:class:`BotError` s become one line on stderr with a hint, and an exit code
(2: bad input or configuration, 1: an outside service failed).
"""

from __future__ import annotations

import json
import os
import sys
import time
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
    """The list's text and where it came from: PATH, or the configured copy."""
    if path is None:
        local = ctx.config.list.local_copy
        if local is None:
            raise InputError("no list given and list.local_copy is not set", "pass PATH")
        path = str(local)
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
    from .store import Store

    config = ctx.config
    with Store(config.store.path) as store:
        if from_file:
            read, new = store.import_jsonl(from_file)
            click.echo(f"imported {read} papers from {from_file}: {new} new, store holds {store.count()}")
            return
        if since:
            start, end = parse_day(since, "--since"), parse_day(until, "--until") or date.today()
            new_ids = catch_up(config, store, ArxivAPI.from_config(config), start, end)
            click.echo(f"caught up {start} .. {end}: {len(new_ids)} new papers, store holds {store.count()}")
            return
        if until:
            raise InputError("--until needs --since", "add --since YYYY-MM-DD")
        report = daily(config, store)
        for line in report.lines():
            click.echo(line, err=line.startswith("problem:"))
        if report.failed:
            sys.exit(1)


@cli.command("train")
@click.option("--list", "list_path", type=click.Path(dir_okay=False),
              help="Train from this README instead of the configured list.")
@click.option("--offline", is_flag=True, help="Do not ask the arXiv API for abstracts of the list's entries.")
@click.option("--force", is_flag=True, help="Replace the saved model even if the new one scores worse.")
@pass_context
def train_command(ctx: Context, list_path: str | None, offline: bool, force: bool) -> None:
    """Train the classifier from the list and the paper store, print metrics, save the model.

    Positives are the list's entries (with their abstracts, fetched once and
    cached in the store), the background is every paper in the store, and the
    maintainers' accepted and rejected papers count too.

    A saved model is only replaced when the new one is not worse on the same
    evaluation set (list entries and accepted papers against rejected papers
    and the background's weak negatives); both scores are printed.

    Example: bot train --list demo/list-README.md --offline
    """
    from classifier import model as model_io

    from .arxiv_api import ArxivAPI
    from .classify import evaluation_score, gather, train_model
    from .store import Store

    config = ctx.config
    text, source = read_list(ctx, list_path)
    document = awesome.parse(text)
    started = time.perf_counter()
    with Store(config.store.path) as store:
        api = None if offline else ArxivAPI.from_config(config)
        data = gather(document, store, api, config.classifier.background)
    if data.fetch_problem:
        click.echo(f"warning: abstracts not fetched ({data.fetch_problem}); training on titles", err=True)
    with_abstract = sum(bool(d.abstract) for d in data.entries)
    click.echo(f"training on {len(data.entries)} list entries from {source} ({with_abstract} with abstracts), "
               f"{len(data.background)} background papers, {len(data.accepted)} accepted, "
               f"{len(data.rejected)} rejected")
    model = train_model(config, data)
    for key, value in model.meta["metrics"].items():
        shown = f"{value:.4f}" if isinstance(value, float) else value
        click.echo(f"  {key:<38} {shown}")
    try:
        old = model_io.load(config.classifier.model_path)
    except BotError as exc:
        old = None
        click.echo(f"no comparable saved model ({exc.one_line()})")
    if old is not None:
        new_score, old_score = evaluation_score(model, data), evaluation_score(old, data)
        for name, score in (("saved model " + old.fingerprint, old_score), ("new model", new_score)):
            click.echo(f"  {name:<24} average precision {score['average_precision']:.4f}, recall "
                       f"{score['recall']:.4f}, rejected papers proposed {score['rejected_proposed']}")
        worse = new_score["average_precision"] < old_score["average_precision"] - 0.005 or \
            new_score["rejected_proposed"] > old_score["rejected_proposed"]
        if worse and not force:
            click.echo(f"kept the saved model: the new one is worse on the evaluation set "
                       f"(use --force to replace it anyway) ({time.perf_counter() - started:.1f}s)")
            return
    folder = model_io.save(model, config.classifier.model_path)
    click.echo(f"saved model {model.fingerprint} to {folder} in {time.perf_counter() - started:.1f}s")


@cli.command("evaluate")
@click.option("--split", help="Train on papers listed before this date, test on the rest "
                              "(YYYY-MM-DD; default: the date that leaves the last quarter for testing).")
@click.option("--until", help="Test only on papers listed before this date (YYYY-MM-DD; default: all after --split).")
@click.option("--judgements", type=click.Path(dir_okay=False),
              help="CSV of hand judgements (arxiv_id,judgement = in|out|borderline) of test papers.")
@click.option("--output", type=click.Path(file_okay=False), help="Report folder (default: <output>/evaluation).")
@click.option("--list", "list_path", type=click.Path(dir_okay=False), help="Evaluate with this README's entries.")
@pass_context
def evaluate_command(ctx: Context, split: str | None, until: str | None, judgements: str | None,
                     output: str | None, list_path: str | None) -> None:
    """Time-split evaluation against the keyword rule: report.md, report.json and PNG plots.

    Example: bot evaluate --split 2026-01-01 --judgements bench/judgements.csv
    """
    import csv

    from classifier.evaluate import Dated, evaluate, markdown, write

    from .classify import gather
    from .store import Store

    config = ctx.config
    document = awesome.parse(read_list(ctx, list_path)[0])
    with Store(config.store.path) as store:
        data = gather(document, store, None)
        papers = [Dated(p.id, p.title, p.abstract, None, p.listing_date or "") for p in store.papers()]
    dated = sorted(p.listing_date for p in papers if p.listing_date)
    if not dated:
        raise InputError("no stored paper has a listing date", "import listings with `bot fetch --from-file`")
    split = (parse_day(split, "--split") or date.fromisoformat(dated[len(dated) * 3 // 4])).isoformat()
    judged = None
    if judgements:
        try:
            with open(judgements, newline="", encoding="utf-8") as handle:
                judged = {row["arxiv_id"]: row["judgement"] for row in csv.DictReader(handle)}
        except (OSError, KeyError) as exc:
            raise InputError(f"cannot read judgements {judgements}: {exc}",
                             "expected a CSV with columns arxiv_id,judgement") from None
    report = evaluate(data.entries, papers, config.classifier.lexicon.model_dump(), split,
                      target_recall=config.classifier.target_recall, judgements=judged,
                      until=parse_day(until, "--until").isoformat() if until else None)
    folder = Path(output) if output else config.output.path / "evaluation"
    written = write(report, folder)
    click.echo(markdown(report))
    click.echo("wrote " + ", ".join(str(p) for p in written))


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


def _classify_one(ctx: Context, arxiv_id: str):
    """The paper for an id: from the store if there is one (read-only), else from the API."""
    from .arxiv_api import ArxivAPI
    from .store import Store

    paper_id = awesome.normalize_arxiv_id(arxiv_id)
    store = Store.existing(ctx.config.store.path)
    if store is not None:
        with store:
            paper = store.get(paper_id)
        if paper is not None:
            return paper
    found = ArxivAPI.from_config(ctx.config).by_ids([paper_id])
    if not found:
        raise InputError(f"arXiv has no paper {arxiv_id!r}", "check the id (e.g. 2308.02959)")
    return found[0]


def _print_verdict(row: dict) -> None:
    verdict = "RELEVANT" if row["relevant"] else "not relevant"
    click.echo(f"{row['id']}  {row['title']}")
    click.echo(f"  verdict:      {verdict} (probability {row['probability']:.3f})")
    alternatives = ", ".join(f"{name} {p:.2f}" for name, p in row["section_probabilities"].items())
    click.echo(f"  section:      {row['section']}  ({alternatives})")
    click.echo(f"  weighed for:  {', '.join(row['explanation'].get('for', [])) or '-'}")
    click.echo(f"  and against:  {', '.join(row['explanation'].get('against', [])) or '-'}")
    if row["in_list"]:
        click.echo("  already in the list: nothing would be proposed")
    click.echo(f"  would go to:  {row['placement']}")
    click.echo("  entry:")
    for line in row["entry"].splitlines():
        click.echo(f"    {line}")


@cli.command("classify")
@click.argument("arxiv_id", required=False)
@click.option("--input", "input_path", type=click.Path(dir_okay=False),
              help="Classify every paper of a JSON Lines file (id, title, abstract, authors, categories).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per paper.")
@click.option("--list", "list_path", type=click.Path(dir_okay=False),
              help="Render entries against this README instead of the configured list.")
@pass_context
def classify_command(ctx: Context, arxiv_id: str | None, input_path: str | None, as_json: bool,
                     list_path: str | None) -> None:
    """Dry run: what the bot would do with a paper.  Writes nothing anywhere.

    Prints the probability, the verdict, the section with alternatives, the
    words that weighed, the rendered entry and where it would be inserted.

    Example: bot classify 2308.02959
    """
    from .classify import describe, load_model, verdicts
    from .paper import Paper

    if bool(arxiv_id) == bool(input_path):
        raise InputError("give an arXiv id or --input FILE (one of them)", "e.g. bot classify 2308.02959")
    model = load_model(ctx.config)
    document = awesome.parse(read_list(ctx, list_path)[0])
    if arxiv_id:
        paper = _classify_one(ctx, arxiv_id)
        row = describe(paper, verdicts(model, [paper])[0], document)
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            _print_verdict(row)
        return
    papers, errors = [], {}
    try:
        handle = open(input_path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {input_path}: {exc.strerror}") from None
    with handle:
        lines = handle.read().splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            papers.append((number, Paper.from_json(json.loads(line))))
        except (json.JSONDecodeError, BotError) as exc:
            message = exc.one_line() if isinstance(exc, BotError) else f"invalid JSON: {exc.msg}"
            errors[number] = {"line": number, "error": message}
    results = dict(zip((n for n, _ in papers), verdicts(model, [p for _, p in papers])))
    by_line = {n: p for n, p in papers}
    for number in sorted(set(by_line) | set(errors)):
        if number in errors:
            row = errors[number]
            click.echo(json.dumps(row) if as_json else f"line {number}: error: {row['error']}")
            continue
        row = describe(by_line[number], results[number], document)
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            _print_verdict(row)
    if errors:
        click.echo(f"{len(errors)} line(s) could not be read", err=True)


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


if __name__ == "__main__":
    main()
