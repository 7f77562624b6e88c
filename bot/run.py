"""The main job (`bot run`): fetch → store → classify → render → publish, once.

Runs from cron, GitHub Actions or `bot serve`.  Holds a lock so two runs on
one machine never overlap; on GitHub, one rolling pull request and the
optimistic checks in ``publish`` keep two machines from proposing twice.
Verdicts are recorded only after publishing succeeded, so a failed run is
simply repeated by the next one.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import awesome
from .arxiv_api import ArxivAPI
from .classify import ensure_model, new_entry, verdicts
from .errors import BotError
from .ingest import IngestReport, daily
from .proposals import Proposal
from .publish import GitHubPublisher, LocalPublisher, Published
from .store import Store

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    ingest: IngestReport | None = None
    classified: int = 0
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
        out.append(f"classified: {self.classified} paper(s) not classified before")
        sections = Counter(p.section for p in self.proposed)
        by_section = ", ".join(f"{name} {n}" for name, n in sections.most_common()) or "none"
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


def _model(config, store: Store, document, report: RunReport, online: bool):
    """The saved model, or one (re)trained by the library's keep-or-replace rule (``ensure_model``)."""
    model, notes = ensure_model(config, store, document, ArxivAPI.from_config(config) if online else None)
    report.notes += notes
    return model


def make_publisher(config, kind: str | None, output: Path):
    token = os.environ.get(config.github.token_env, "").strip()
    kind = kind or ("github" if token else "local")
    if kind == "github":
        if not token:
            raise BotError(f"no GitHub token in ${config.github.token_env}",
                           "set it, or use --publisher local for an offline run")
        return GitHubPublisher(config, token, pause=config.github.backoff)
    if config.list.local_copy is None:
        raise BotError("the local publisher needs list.local_copy in the config", "set it to a README path")
    try:
        text = Path(config.list.local_copy).read_text(encoding="utf-8")
    except OSError as exc:
        raise BotError(f"cannot read list.local_copy {config.list.local_copy}: {exc.strerror}") from None
    return LocalPublisher(output, text, config.github.max_entries)


def run(config, *, dry_run: bool = False, publisher: str | None = None, output: Path | None = None,
        ingest_options: dict | None = None) -> RunReport:
    """One complete run.  ``dry_run`` writes the would-be README and description to ``output``."""
    report = RunReport()
    output = Path(output or config.output.path)
    with run_lock(Path(config.store.path).parent), Store(config.store.path) as store:
        report.ingest = daily(config, store, **(ingest_options or {}))
        report.problems += report.ingest.problems
        source = make_publisher(config, publisher, output)
        list_text = source.base_text()
        document = awesome.parse(list_text)
        if isinstance(source, GitHubPublisher):
            accepted, rejected = source.closed_feedback(document)
            store.record_decisions([(i, "accepted", s, None, "merged pull request") for i, s in accepted.items()] +
                                   [(i, "rejected", s, None, "closed pull request") for i, s in rejected.items()])
        model = _model(config, store, document, report, online=isinstance(source, GitHubPublisher))
        papers = store.unclassified_from_feeds()
        found = verdicts(model, papers)
        report.classified = len(papers)
        open_ids = source.open_proposals()
        rejected_ids = set(store.decisions("rejected"))
        chosen, settled = [], []
        for paper, verdict in sorted(zip(papers, found), key=lambda pv: -pv[1].probability):
            why = ("not relevant" if not verdict.relevant else
                   "already in the list" if document.contains(paper.id, paper.title) else
                   "already proposed" if paper.id in open_ids else
                   "rejected before" if paper.id in rejected_ids else None)
            if why:
                report.skipped[why] += 1
                settled.append((paper, verdict))
            else:
                chosen.append((paper, verdict))
        if len(chosen) > config.github.max_entries:
            report.skipped["over the limit of the pull request (next run)"] += len(chosen) - config.github.max_entries
            chosen = chosen[:config.github.max_entries]
        entries = [new_entry(p, v.section) for p, v in chosen]
        proposals = [Proposal(p.id, p.title, v.section, v.probability, list(v.explanation.get("for", [])),
                              [s for s in v.section_probabilities if s != v.section][:2]) for p, v in chosen]
        if dry_run:
            source = LocalPublisher(output, list_text, config.github.max_entries)
        report.published = source.publish(entries, proposals, model.fingerprint, config.github.pr_template)
        report.proposed = [p for p in report.published.proposals if p.id in set(report.published.added)]
        if dry_run:
            report.notes.append(f"dry run: wrote {output / 'README.md'} and {output / 'pull-request.md'}")
            return report
        store.record_decisions([(i, "rejected", s, None, "deleted from the open pull request")
                                for i, s in report.published.rejected.items()])
        done = settled + [(p, v) for p, v in chosen if p.id in set(report.published.added) | open_ids]
        store.record_verdicts(model.fingerprint, [(p.id, v.relevant, v.probability, v.section) for p, v in done])
    return report
