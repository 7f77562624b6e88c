"""The `bot backtest` command: replay a window of arXiv days and report what the bot would have done.

Registered on the `bot` group of ``bot.cli.main`` (imported there).  Reads the list and the truth
(files, or a repository's history on GitHub), opens the paper store read-only, calls
``bot.jobs.backtest`` and writes the report with ``bot.jobs.report``.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock
from pathlib import Path

import click

from bot.base.errors import InputError
from bot.base.files import read_list_text
from bot.cli.group import Context, cli, parse_day, pass_context, read_list


def _from_github(config, repo_name: str, since, until) -> tuple[str, str, str, str]:
    """(the list before --since, where from, the list at the end of --until, where from)."""
    from bot.base.secrets import github_token
    from bot.publish.github import GitHubRepo

    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo_name):
        raise InputError(f"--repo {repo_name!r} is not owner/name", "e.g. --repo octocat/awesome-papers")
    repo = GitHubRepo.from_config(config, github_token(config), repo_name)
    branch, path = config.list.branch, config.list.path
    found = []
    for day, what in ((since, "--since"), (until + timedelta(days=1), "--until")):
        moment = datetime.combine(day, clock(), tzinfo=timezone.utc)
        version = repo.file_as_of(branch, path, moment)
        if version is None:
            raise InputError(f"{repo_name} has no commit of {path} on {branch} before {moment:%Y-%m-%d %H:%M} UTC "
                             f"({what})", "pick a later --since, or check list.branch and list.path in the config")
        text, commit = version
        stamp = f", {commit.date:%Y-%m-%d}" if commit.date else ""
        found += [text, f"{repo_name}@{commit.sha[:12]}:{path} ({branch}{stamp})"]
    return found[0], found[1], found[2], found[3]


def _list_and_truth(ctx: Context, list_path: str | None, truth_path: str | None, judgements: str | None,
                    repo_name: str | None, start, end):
    """(the list as the window starts, parsed; where it came from; the truth): from GitHub with --repo,
    else from files (--list or the configured list; --truth or --judgements)."""
    from bot.jobs.backtest import truth_from_judgements, truth_from_list
    from bot.lists.awesome import parse

    truth = truth_from_judgements(judgements) if judgements else None
    if repo_name:
        start_text, list_source, later_text, later_source = _from_github(ctx.config, repo_name, start, end)
        return parse(start_text), list_source, truth or truth_from_list(later_text, later_source)
    _, start_list, list_source = read_list(ctx, list_path)
    if truth_path:
        truth = truth_from_list(read_list_text(truth_path, "the truth",
                                               "give a later version of the list (a UTF-8 Markdown file)"), truth_path)
    return start_list, list_source, truth


@cli.command("backtest")
@click.option("--since", required=True, help="First announcement day to replay (YYYY-MM-DD).")
@click.option("--until", required=True, help="Last announcement day to replay, included (YYYY-MM-DD).")
@click.option("--list", "list_path", type=click.Path(dir_okay=False),
              help="The list at the start (default: the configured list).")
@click.option("--truth", "truth_path", type=click.Path(dir_okay=False),
              help="A later version of the list: its papers that the list at the start lacks are what the "
                   "maintainers added (and where).")
@click.option("--judgements", type=click.Path(dir_okay=False),
              help="Hand judgements instead: a CSV with columns arxiv_id,judgement (in, out or borderline); "
                   "proposals nobody judged count as out of scope.")
@click.option("--repo", "repo_name", help="Read the list as it was before --since and at the end of --until from "
                                          "this GitHub repository's history (owner/name; list.branch and list.path "
                                          "of the config); the later one is the truth unless --judgements is given.")
@click.option("--retrain", type=click.Choice(["weekly", "never"]), default="weekly", show_default=True,
              help="Retrain every week from the simulated decisions (also replays 'never' for comparison), or "
                   "keep the first model.")
@click.option("--background-sample", "sample", type=int, default=4000, show_default=True,
              help="Background papers per training: those listed most recently before the training day.")
@click.option("--output", type=click.Path(file_okay=False), help="Report folder (default: <output>/backtest).")
@pass_context
def backtest_command(ctx: Context, since: str, until: str, list_path: str | None, truth_path: str | None,
                     judgements: str | None, repo_name: str | None, retrain: str, sample: int,
                     output: str | None) -> None:
    """Replay a window of arXiv days through the bot and compare with what maintainers did.

    Every announcement day from --since to --until is replayed from the paper
    store (fill it with `bot fetch --since` or `bot fetch --from-file`) as
    `bot run` would do it: the same selection, skip rules, limit and
    rendering.  A simulated maintainer reviews each day's proposals at once:
    papers of the truth are accepted and join the list, the others are
    rejected.  The model is trained on the list and the papers listed before
    the window; with --retrain weekly it learns from the simulated decisions
    every week (through the training of `bot train`), and the report shows
    the figures without retraining beside it.

    Writes report.md, report.json, decisions.jsonl (one record per paper and
    mode, from which every figure can be recomputed), the list at the end of
    each mode and two plots.  Nothing else is written: the store is read only.

    Example: bot backtest --since 2025-09-01 --until 2025-12-31 --judgements bench/judgements-2025.csv
    """
    from bot.base.progress import progress_line
    from bot.jobs.backtest import backtest
    from bot.jobs.report import check_folder, summary, write
    from bot.lists.awesome import require_entries
    from bot.papers.store import Store

    config = ctx.config
    start, end = parse_day(since, "--since"), parse_day(until, "--until")
    if start > end:
        raise InputError(f"--since {start} is after --until {end}", "give the first day, then the last")
    if repo_name and (list_path or truth_path):
        raise InputError("--repo reads the list and the truth from GitHub: leave out --list and --truth",
                         "or drop --repo to use files")
    if not repo_name and bool(truth_path) == bool(judgements):
        raise InputError("give the truth: --truth LATER_README or --judgements CSV (one of them)",
                         "e.g. --judgements bench/judgements-2025.csv")
    start_list, list_source, truth = _list_and_truth(ctx, list_path, truth_path, judgements, repo_name, start, end)
    require_entries(start_list, list_source)  # before the replay: a list read as nothing trains on nothing
    folder = Path(output) if output else config.output.path / "backtest"
    check_folder(folder, ["never", "weekly"] if retrain == "weekly" else ["never"])  # before the replay
    store = Store.existing(config.store.path)
    if store is None:
        raise InputError(f"there is no paper store at {config.store.path}",
                         "fill it first: `bot fetch --from-file papers.jsonl.gz` or `bot fetch --since DATE`")
    started = time.perf_counter()
    with store, progress_line("backtest") as progress:
        result = backtest(config, store, start_list, truth, start, end, retrain=retrain, sample=sample,
                          progress=progress, list_source=list_source)
    data, written = write(result, folder, time.perf_counter() - started)
    click.echo(f"backtest {result.since} .. {result.until}: {len(result.days)} days, {result.papers} papers; "
               f"truth: {truth.kind} {truth.source} ({data['truth']['in_window']} papers in the window)")
    for line in summary(data):
        click.echo(line)
    click.echo(f"wrote {', '.join(str(p) for p in written)} in {time.perf_counter() - started:.0f}s")
