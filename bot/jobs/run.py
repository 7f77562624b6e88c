"""The main job (`bot run`): fetch → store → classify → render → publish, once.

Runs from cron, GitHub Actions or `bot serve`.  Holds a lock so two runs on
one machine never overlap; on GitHub, one rolling pull request and the
conditional writes in ``publish`` keep two machines from proposing twice.
What was proposed and rejected is read from the publisher (GitHub, or the
local folder) on every run: the store only caches papers, verdicts and
decisions, so a run with a fresh store or after a failed run does the same.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.base.errors import BotError, InputError, PublishError
from bot.base.files import read_local_copy, writable_folder
from bot.base.secrets import github_token
from bot.jobs.classify import ensure_model, verdicts
from bot.papers.arxiv_api import ArxivAPI
from bot.papers.ingest import IngestReport, daily
from bot.papers.paper import Paper
from bot.papers.store import Store
from bot.propose.proposals import Feedback, Proposal
from bot.publish.branch import GitHubPublisher
from bot.publish.targets import RECORD, DryRunPublisher, LocalPublisher, Published
from classifier.predict import Verdict

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    ingest: IngestReport | None = None
    classified: int = 0
    candidates: int = 0
    chosen: int = 0  # papers worth proposing this run (published or not)
    proposed: list[Proposal] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    published: Published | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def lines(self) -> list[str]:
        out = list(self.ingest.lines()) if self.ingest else []
        out.append(f"classified: {self.classified} paper(s) not classified before; "
                   f"{self.candidates} relevant paper(s) announced in the last days")
        sections = Counter(p.section for p in self.proposed)
        by_section = ", ".join(f"{name} {n}" for name, n in sections.most_common()) or "none"
        if self.published is None and self.chosen:  # publishing failed: nothing was proposed
            by_section = f"{self.chosen} chosen, not published: see the problem below; the next run tries again"
        out.append(f"proposed: {len(self.proposed)} ({by_section})")
        if self.skipped:
            out.append("skipped: " + ", ".join(f"{n} {why}" for why, n in self.skipped.most_common()))
        if self.published:
            out.append(f"published: {self.published.action} {self.published.where}")
        out += [f"note: {n}" for n in self.notes] + [f"problem: {p}" for p in self.problems]
        return out


@contextmanager
def run_lock(folder: Path, wait: float = 600.0):
    """An exclusive lock file beside the store: a second run waits for the first."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".bot-run.lock", "w") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BotError(f"another bot run holds {folder / '.bot-run.lock'}",
                                   "wait for it to finish") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _model(config, store: Store, document, report: RunReport, api: ArxivAPI | None):
    """The saved model, or one (re)trained by the library's keep-or-replace rule (``ensure_model``)."""
    model, notes = ensure_model(config, store, document, api)
    report.notes += notes
    return model


def make_publisher(config, kind: str, folder: Path | None, dry_run: bool = False, token: str | None = None):
    """The publisher for this run (``kind`` "github" or "local"; ``folder`` the one ``written_folder``
    gives): GitHub, or the local proposal's folder (``output.path``, or ``folder`` when not a dry run);
    a dry run reads from it and writes only its preview, ``folder``, never the local proposal.

    Example: make_publisher(config, "local", Path("out/dry-run"), dry_run=True).preview(proposals, "m")
    """
    if kind == "github":
        source = GitHubPublisher(config, token)
    else:
        source = LocalPublisher(config.output.path if dry_run else folder, read_local_copy(config),
                                config.github.max_entries, config.github.pr_template)
    return DryRunPublisher(source, folder) if dry_run else source


def written_folder(config, kind: str, output: Path | None, dry_run: bool) -> Path | None:
    """The folder a run writes: a dry run's preview (``output``, default ``<output.path>/dry-run``, never
    the local proposal's folder), the local proposal (``output``, default ``output.path``), or None
    (GitHub: nothing written here)."""
    if dry_run:
        preview = Path(output) if output is not None else config.output.path / "dry-run"
        if preview.resolve() == Path(config.output.path).resolve():
            preview = preview / "dry-run"  # the local proposal lives there: a dry run leaves it alone
        return preview
    return (Path(output) if output is not None else config.output.path) if kind == "local" else None


def select(papers: list[Paper], found: list[Verdict], document, open_ids: set[str], rejected: set[str],
           report: RunReport) -> list[tuple[Paper, Verdict]]:
    """The relevant papers worth proposing, most probable first; the others counted by reason.
    Used by `bot run` and, day by day, by `bot backtest`."""
    chosen = []
    for paper, verdict in sorted(zip(papers, found), key=lambda pv: (-pv[1].probability, pv[0].id)):
        why = ("already in the list" if document.contains(paper.id, paper.title) else
               "already proposed" if paper.id in open_ids else
               "rejected before" if paper.id in rejected else None)
        if why:
            report.skipped[why] += 1
        else:
            chosen.append((paper, verdict))
    return chosen


def classify_candidates(config, store: Store, model, report: RunReport) -> list[tuple[Paper, Verdict]]:
    """Classify the candidates no model classified before (with explanations where they can matter).
    Each paper is judged once, by the model in use when it first came: a retrained model fills the
    budget with new papers and does not re-judge the last ``lookback_days`` (the verdicts are kept in
    the store); the relevant papers of earlier runs still waiting are described by the model in use."""
    papers = store.candidates(config.github.lookback_days)
    cached = store.cached_verdicts(None, [p.id for p in papers])
    todo = [p for p in papers if p.id not in cached]
    fresh = dict(zip([p.id for p in todo], verdicts(model, todo)))
    store.record_verdicts(model.fingerprint, [(i, v.relevant, v.probability, v.section) for i, v in fresh.items()])
    report.classified = len(todo)
    relevant = {i for i, v in fresh.items() if v.relevant} | {i for i, (r, _, _) in cached.items() if r}
    candidates = keep_relevant(papers, relevant, set(store.unpublishable(model.fingerprint)), report)
    waiting = [p for p in candidates if p.id not in fresh]
    fresh.update(zip([p.id for p in waiting], verdicts(model, waiting)))
    return [(p, fresh[p.id]) for p in candidates]


def keep_relevant(papers: list[Paper], relevant: set[str], failed_before: set[str], report: RunReport) -> list[Paper]:
    """The relevant papers, less those that could not become an entry for this model before
    (counted in ``report``); used by `bot run` and `bot backtest`."""
    if relevant & failed_before:
        report.skipped["could not become an entry in an earlier run"] += len(relevant & failed_before)
    candidates = [p for p in papers if p.id in relevant - failed_before]
    report.candidates = len(candidates)
    return candidates


def run(config, *, dry_run: bool = False, publisher: str | None = None, output: Path | None = None,
        ingest_options: dict | None = None) -> RunReport:
    """One complete run.  ``dry_run`` writes the would-be README and description to ``output``.
    A failure of GitHub is a ``problem:`` of the report (exit 1), after what did work."""
    report = RunReport()
    token = github_token(config)  # read once; a mis-pasted token stops the run here, before any work
    kind = publisher or ("github" if token else "local")
    if kind == "github" and not token:
        raise InputError(f"no GitHub token in ${config.github.token_env}",
                         "set it, or use --publisher local for an offline run")
    folder = written_folder(config, kind, output, dry_run)
    if folder is not None:  # a folder that cannot take the files stops the run here too
        what = "--output" if output is not None else "output.path"
        writable_folder(folder, what, ("README.md", "pull-request.md", RECORD))
        own = config.list.local_copy
        if own is not None and (Path(folder) / "README.md").resolve() == Path(own).resolve():
            raise InputError(f"{what} {folder} holds the list itself ({own}): the bot would write over it",
                             "give another folder")
    # the local list is read before any work (an unreadable one stops the run, nothing made or fetched);
    # GitHub is read after fetching: a failure of GitHub never keeps the day's papers out of the store
    local = make_publisher(config, kind, folder, dry_run, token) if kind == "local" else None
    options = {"api": ArxivAPI.from_config(config), **(ingest_options or {})}  # one arXiv client a run
    with run_lock(Path(config.store.path).parent), Store(config.store.path) as store:
        report.ingest = daily(config, store, **options)
        report.problems += report.ingest.problems
        try:
            source = local if local is not None else make_publisher(config, kind, folder, dry_run, token)
            propose(config, store, source, report, dry_run, options["api"])
        except PublishError as exc:
            report.problems.append(exc.one_line())
    return report


def propose(config, store: Store, source, report: RunReport, dry_run: bool, api: ArxivAPI | None = None) -> None:
    """Classify the candidates and publish the ones worth proposing; fills ``report``."""
    document = source.base_list()
    decisions = source.feedback()  # the truth lives with the publisher; the store caches it
    store.record_decisions(decisions.decisions.values())
    model = _model(config, store, document, report, api if source.online else None)
    found = classify_candidates(config, store, model, report)
    chosen = select([p for p, _ in found], [v for _, v in found], document, source.open_proposals(),
                    set(decisions.rejected), report)
    report.chosen = len(chosen)
    published = report.published = source.publish([Proposal.of(p, v) for p, v in chosen], model.fingerprint)
    if published.over_limit:
        report.skipped["over the limit of the pull request (next run)"] += published.over_limit
    if published.waiting:
        report.skipped["held back: the pull request conflicts (next run)"] += published.waiting
    report.proposed = [p for p in published.proposals if p.id in set(published.added)]
    report.notes += published.notes
    report.problems += [f"paper {i} skipped: {why}" for i, why in published.failed.items()]
    if published.failed and not dry_run:
        store.record_unpublishable(model.fingerprint, published.failed)
    if published.rejected and not dry_run:
        store.record_decisions(Feedback.rejecting(published.rejected, "deleted from the open pull request")
                               .decisions.values())
