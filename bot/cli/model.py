"""The classifier's commands: `bot train`, `bot evaluate`, `bot classify`.

Registered on the `bot` group of ``bot.cli.main`` (imported there); each parses its
options, calls the library (``bot.jobs.classify``, ``classifier``) and prints.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import click

from bot.base.errors import BotError, InputError
from bot.base.ids import normalize_arxiv_id
from bot.cli.group import Context, cli, parse_day, pass_context, read_list


def _print_lexicon(lexicon, path) -> None:
    from classifier.lexicon import describe

    click.echo(f"learned the topic from the list (no classifier.lexicon in the config): {lexicon.topic}")
    for line in describe(lexicon)[1:]:
        click.echo(line)
    if path:
        click.echo(f"  written to {path} (edit it and name it in classifier.lexicon to use your version)")


def thin_evidence(meta: dict) -> list[str]:
    """One line for each way the training data was thin, and what the model fell back to."""
    found = []
    source = str(meta.get("lexicon", {}).get("source", ""))
    if "thin evidence" in source:
        found.append(source[source.index("thin evidence"):])
    pace_thin = meta.get("metrics", {}).get("pace_thin")
    if pace_thin:
        found.append(f"thin evidence for the budget: {pace_thin}")
    return found


def _print_curve(model) -> None:
    metrics = model.meta["metrics"]
    click.echo(f"operating point: {metrics['operating_rule']}")
    click.echo(f"  papers known by title only: threshold {metrics['threshold_title_only']:.4f} (keeps "
               f"{metrics['target_recall']:g} of the list's entries read by their titles)")
    click.echo("  budget/1000  threshold  proposals/1000  recall: weak positives  list (abstracts)  list (titles)")

    def rate(value):
        return "-" if value is None else f"{value:.3f}"

    for row in model.meta["operating_curve"]:
        mark = "  <- chosen" if row["budget_per_1000"] == metrics["budget_per_1000"] else ""
        click.echo(f"  {row['budget_per_1000']:>11g}  {row['threshold']:9.4f}  {row['proposals_per_1000']:14.1f}  "
                   f"{rate(row['recall_weak_positives']):>22}  {rate(row['recall_list_abstracts']):>16}  "
                   f"{rate(row['recall_list_titles']):>13}{mark}")
    click.echo("  (recalls are cross-validated; list (titles): the list's titles ranked among the background's "
               "titles at that budget; set classifier.proposals_per_1000 to choose a budget)")


def _print_training(result) -> None:
    """Warnings of thin evidence, the new model's metrics and curve, and both models' scores."""
    shown, decision = result.trained, result.decision
    for warning in thin_evidence(shown.meta):
        click.echo(f"warning: {warning}", err=True)
    for key, value in shown.meta["metrics"].items():
        if key in ("operating_rule",):
            continue
        click.echo(f"  {key:<38} {f'{value:.4f}' if isinstance(value, float) else value}")
    _print_curve(shown)
    for name, score in (("saved model", decision.old), ("new model", decision.new)):
        if score is not None:
            click.echo(f"  {name:<24} {score.line()}")


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
    maintainers' accepted and rejected papers count too.  Without
    classifier.lexicon in the config, the topic (method and domain terms and
    their look-alikes) is learned from the list and written beside the model.

    Prints the operating curve: what other budgets of proposals per 1,000
    papers would find.  A saved model is only replaced when the new one is
    not worse on the same evaluation set (list entries and accepted papers
    against rejected papers and the background's weak negatives); both scores
    are printed.

    Example: bot train --list demo/list-README.md --offline
    """
    from bot.base.progress import progress_line
    from bot.jobs.classify import configured_lexicon, gather, lexicon_for, retrain
    from bot.papers.arxiv_api import ArxivAPI
    from bot.papers.store import Store
    from classifier import model as model_io

    config = ctx.config
    configured_lexicon(config)  # a broken lexicon file stops here, before any work
    _, document, source = read_list(ctx, list_path)
    started = time.perf_counter()
    with Store(config.store.path) as store:
        api = None if offline else ArxivAPI.from_config(config)
        data = gather(document, store, api, config.classifier.background)
    if data.fetch_problem:
        click.echo(f"warning: abstracts not fetched ({data.fetch_problem}); training on titles", err=True)
    if not data.entries and not data.accepted:
        raise InputError(f"no list entries in {source} and no accepted papers: nothing to learn from",
                         "check the list with `bot list check`")
    with_abstract = sum(bool(d.abstract) for d in data.entries)
    click.echo(f"training on {len(data.entries)} list entries from {source} ({with_abstract} with abstracts), "
               f"{len(data.background)} background papers, {len(data.accepted)} accepted, "
               f"{len(data.rejected)} rejected")
    with progress_line("training") as progress:
        lexicon, learned = lexicon_for(config, data, progress)
        result = retrain(config, data, force=force, lexicon=lexicon, progress=progress)
    if learned:
        folder = model_io.model_dir(config.classifier.model_path)
        _print_lexicon(lexicon, folder / model_io.LEARNED_LEXICON_FILE if result.saved else None)
    _print_training(result)
    decision = result.decision
    if result.saved is None:
        click.echo(f"kept the saved model {result.model.fingerprint}: the new one is worse on the evaluation set "
                   f"({decision.reason}; use --force to replace it anyway) ({time.perf_counter() - started:.1f}s)")
        return
    click.echo(f"saved model {result.model.fingerprint} to {result.saved} in {time.perf_counter() - started:.1f}s")


@cli.command("evaluate")
@click.option("--split", help="Train on papers listed before this date, test on the rest "
                              "(YYYY-MM-DD; default: the date that leaves the last quarter for testing).")
@click.option("--until", help="Test only on papers listed before this date (YYYY-MM-DD; default: all after --split).")
@click.option("--judgements", type=click.Path(dir_okay=False),
              help="CSV of hand judgements (arxiv_id,judgement = in|out|borderline) of test papers.")
@click.option("--sections", "sections_csv", type=click.Path(dir_okay=False),
              help="CSV of hand-labelled sections (arxiv_id,section) of test papers: top-1 / top-3 agreement "
                   "with them, per section.")
@click.option("--output", type=click.Path(file_okay=False), help="Report folder (default: <output>/evaluation).")
@click.option("--list", "list_path", type=click.Path(dir_okay=False), help="Evaluate with this README's entries.")
@pass_context
def evaluate_command(ctx: Context, split: str | None, until: str | None, judgements: str | None,
                     sections_csv: str | None, output: str | None, list_path: str | None) -> None:
    """Time-split evaluation against the keyword rule: report.md, report.json and PNG plots.

    Trains as `bot train` would (the configured lexicon, or a learned one) on
    the papers listed before --split and classifies the rest.  Also reports
    the section agreement with the list, top-1 and top-3, per section, and
    with --sections the agreement with hand-labelled test papers (read with
    their abstracts, as the bot reads the feed).

    Example: bot evaluate --split 2026-01-01 --judgements bench/judgements.csv --sections bench/sections-judged.csv
    """
    from bot.base.files import writable_folder
    from bot.base.progress import progress_line
    from bot.jobs.classify import labelled, library_errors
    from bot.papers.store import Store
    from bot.propose.likeness import likeness, summary
    from classifier import lexicon as lexicon_io
    from classifier.evaluate import evaluate, markdown, tested, write
    from classifier.train import Doc
    from classifier.operating import OperatingRule

    config = ctx.config
    folder = writable_folder(Path(output) if output else config.output.path / "evaluation",
                             "--output" if output else "output.path", ("report.md", "report.json"))
    document = read_list(ctx, list_path)[1]
    listed = {e.arxiv_id for e in document.entries if e.arxiv_id}
    papers, in_list = [], []
    with Store(config.store.path) as store:
        data = labelled(document, store, None)
        for paper in store.papers():
            papers.append(Doc(paper.id, paper.title, paper.abstract, date=paper.listing_date or ""))
            if paper.id in listed:
                in_list.append(paper)
    dated = sorted(p.date for p in papers if p.date)
    if not dated:
        raise InputError("no stored paper has a listing date", "import listings with `bot fetch --from-file`")
    split = (parse_day(split, "--split") or date.fromisoformat(dated[len(dated) * 3 // 4])).isoformat()
    if until and parse_day(until, "--until").isoformat() <= split:
        raise InputError(f"--until {until} is not after --split {split}", "give a test period: --split, then --until")
    judged, sections = _read_column(judgements, "judgement"), _read_column(sections_csv, "section")
    rule = OperatingRule(config.classifier.target_recall, config.classifier.proposals_per_1000)
    with library_errors(), progress_line("evaluating") as progress:
        lexicon = lexicon_io.load(config.classifier.lexicon) if config.classifier.lexicon else None
        report = evaluate(data.entries + data.accepted, papers, lexicon, split, rule=rule, judgements=judged,
                          until=parse_day(until, "--until").isoformat() if until else None,
                          progress=progress, sections=sections)
    # the entries of the test period: the bot's entry for each paper against the maintainers' own line
    per_section, overall = summary(likeness(document, {p.id: p for p in in_list
                                                       if tested(p.listing_date, split, report.get("until"))}))
    report["entries"] = {"per_section": per_section, "all": overall}
    written = write(report, folder)
    click.echo(markdown(report))
    click.echo("wrote " + ", ".join(str(p) for p in written))


def _read_column(path: str | None, column: str) -> dict[str, str] | None:
    """arXiv id -> ``column`` of a CSV with a header (None: no file given); one line if it cannot be read."""
    import csv

    if not path:
        return None
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return {row["arxiv_id"]: row[column] for row in csv.DictReader(handle)}
    except (OSError, KeyError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}", f"expected a CSV with columns arxiv_id,{column}") from None


def _classify_one(ctx: Context, arxiv_id: str):
    """The paper for an id: from the store if there is one (read-only), else from the API."""
    from bot.papers.store import Store

    paper_id = normalize_arxiv_id(arxiv_id)
    store = Store.existing(ctx.config.store.path)
    if store is not None:
        with store:
            paper = store.get(paper_id)
        if paper is not None:
            return paper
    from bot.papers.arxiv_api import ArxivAPI  # only when the store does not have it: the client is slow to import

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


CLASSIFY_BATCH = 1000  # lines classified together: batch speed, bounded memory


def _classify_stream(model, document, input_path: str, as_json: bool) -> int:
    """Classify a JSON Lines file as it is read, in batches, answering every line in order;
    returns how many lines were bad."""
    from bot.base.files import jsonl_lines
    from bot.jobs.classify import describe, verdicts
    from bot.papers.paper import Paper

    pending: list[tuple[int, object]] = []  # (line, Paper or error text), in file order
    bad = 0

    def flush() -> None:
        papers = [item for _, item in pending if isinstance(item, Paper)]
        found = iter(verdicts(model, papers)) if papers else iter(())
        for number, item in pending:
            if isinstance(item, Paper):
                row = describe(item, next(found), document)
                if as_json:
                    click.echo(json.dumps(row, ensure_ascii=False))
                else:
                    _print_verdict(row)
            else:
                click.echo(json.dumps({"line": number, "error": item}, ensure_ascii=False) if as_json
                           else f"line {number}: error: {item}")
        pending.clear()

    for number, text, problem in jsonl_lines(input_path):
        if problem is None:
            try:
                pending.append((number, Paper.from_json(json.loads(text))))
            except json.JSONDecodeError as exc:
                problem = f"invalid JSON: {exc.msg} (column {exc.colno})"
            except BotError as exc:
                problem = exc.one_line()
        if problem is not None:
            bad += 1
            pending.append((number, problem))
        if len(pending) >= CLASSIFY_BATCH:
            flush()
    flush()
    return bad


@cli.command("classify")
@click.argument("arxiv_id", required=False)
@click.option("--input", "input_path", type=click.Path(dir_okay=False),
              help="Classify every paper of a JSON Lines file, gzipped or not (id, title, abstract, authors, "
                   "categories), streamed; a bad line is answered with an error and the others still come out.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per paper ({\"line\": N, \"error\": ...} for a bad input line).")
@click.option("--list", "list_path", type=click.Path(dir_okay=False),
              help="Render entries against this README instead of the configured list.")
@pass_context
def classify_command(ctx: Context, arxiv_id: str | None, input_path: str | None, as_json: bool,
                     list_path: str | None) -> None:
    """Dry run: what the bot would do with a paper.  Writes nothing anywhere.

    Prints the probability, the verdict, the section with alternatives, the
    words that weighed, the rendered entry and where it would be inserted.

    With --input FILE, every line is answered in order: a line that is not
    UTF-8, not JSON, or has a missing or wrong-typed field gets an error
    (with --json: {"line": N, "error": "..."}) and the other lines are still
    classified.  Exit code 0 if every line was read, 2 if any line was bad.

    Example: bot classify 2308.02959
    """
    from bot.base.ids import is_arxiv_id
    from bot.jobs.classify import describe, load_model, verdicts

    if bool(arxiv_id) == bool(input_path):
        raise InputError("give an arXiv id or --input FILE (one of them)", "e.g. bot classify 2308.02959")
    if arxiv_id and not is_arxiv_id(normalize_arxiv_id(arxiv_id)):
        raise InputError(f"{arxiv_id!r} is not an arXiv id", "e.g. bot classify 2308.02959 or hep-ex/0307015")
    model = load_model(ctx.config)
    document = read_list(ctx, list_path)[1]
    if arxiv_id:
        paper = _classify_one(ctx, arxiv_id)
        row = describe(paper, verdicts(model, [paper])[0], document)
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            _print_verdict(row)
        return
    bad = _classify_stream(model, document, input_path, as_json)
    if bad:
        click.echo(f"{bad} line(s) of {input_path} could not be read (answered with an error)", err=True)
        sys.exit(2)
