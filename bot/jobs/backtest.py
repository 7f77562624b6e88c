"""`bot backtest`: replay a window of arXiv days through the bot, against what maintainers did.

Runs in `bot backtest` (``bot/cli_backtest.py``) and ``bench/bench_backtest.py``.  Every
announcement day of the window is replayed from the paper store with the bot's own code:
``run.keep_relevant`` and ``run.select`` (the skip rules of `bot run`), ``rolling.plan`` on a
branch that starts as the list of that day (the limit of the pull request, sections, rendering),
and, for training, ``classify.training_docs`` + ``classify.train_and_compare`` (what `bot train`
runs: the same data, the same keep-or-replace rule; nothing is saved).  Each day a simulated
maintainer reviews the day's proposals at once: a paper of the truth is accepted (placed in the
truth's section when the truth has one and the list has that heading, else where the bot put it)
and joins the list, so later days see it as listed; any other proposal is rejected, and the bot
never proposes it again.  Borderline judgements are rejected too, but reported on their own.

No leakage: the model of a day is trained on the list as it was then, the simulated decisions
so far, and a background of papers listed before that day: the ``sample`` most recent ones, from
the store and the configured background files (papers of those files without a listing date are
left out).  Bounded retraining: that background has a fixed size, and the lexicon (configured, or
learned once from the list at the start) is reused by every training.  ``retrain="weekly"``
retrains on the first announcement day of every ISO week after the first and also replays the
``never`` baseline (the first model throughout), which is shared; ``"never"`` replays only that.

Deterministic: papers are read sorted, training has fixed seeds, models are named by the week
they were trained in.  Example::

    result = backtest(config, store, awesome.parse(start_text), truth_from_judgements("bench/judgements-2025.csv"),
                      date(2025, 9, 1), date(2025, 12, 31), retrain="weekly")
    result.modes["weekly"].records[0]   # {'mode': 'weekly', 'day': ..., 'id': ..., 'verdict': ...}
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from bot.base.decision import Decision
from bot.base.errors import InputError, ListFormatError
from bot.base.ids import normalize_arxiv_id
from bot.jobs.classify import background_docs, lexicon_for, train_and_compare, training_docs, verdicts
from bot.jobs.run import RunReport, keep_relevant, select
from bot.lists import awesome
from bot.lists.awesome import AwesomeList
from bot.papers.paper import Paper, read_jsonl
from bot.papers.store import Store
from bot.propose.proposals import Proposal
from bot.propose.rolling import Branch, plan

MODES = {"weekly": ["never", "weekly"], "never": ["never"]}
JUDGEMENTS = ("in", "out", "borderline")
DEFAULT_SAMPLE = 4000  # background papers per training (the most recent before the day)
Progress = Callable[[str, int, int], None]


def iso_week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


# --- the truth -----------------------------------------------------------------------------------

@dataclass
class Truth:
    """What the maintainers did: a later version of the list (``later``: its papers that the list at
    the start lacks were added) or hand judgements (``judgements``: arXiv id -> in/out/borderline)."""

    kind: str  # "later list" or "judgements"
    source: str
    later: AwesomeList | None = None
    judgements: dict[str, str] = field(default_factory=dict)

    def judge(self, paper: Paper) -> tuple[str | None, str | None]:
        """(judgement, section): 'in' (with the later list's section, when it has the entry), 'out',
        'borderline', or None for a paper nobody judged."""
        if self.later is None:
            return self.judgements.get(paper.id), None
        if not self.later.contains(paper.id, paper.title):
            return "out", None
        entry = self.later.find(paper.id, paper.title)
        return "in", entry.label if entry is not None else None

    def size(self, start: AwesomeList) -> int:
        """Papers the truth adds to the list at the start, in or out of the window."""
        if self.later is None:
            return sum(1 for i, j in self.judgements.items() if j == "in" and not start.contains(i, None))
        return sum(1 for e in self.later.entries if not start.contains(e.arxiv_id, e.title))


def truth_from_list(text: str, source: str) -> Truth:
    document = awesome.parse(text)
    if not document.entries:
        raise InputError(f"the truth {source} has no entries the bot can read",
                         f"check it with `bot list check {source}`")
    return Truth("later list", source, later=document)


def truth_from_judgements(path: str | Path) -> Truth:
    """Hand judgements from a CSV with the columns arxiv_id,judgement (in, out or borderline)."""
    found: dict[str, str] = {}
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if not {"arxiv_id", "judgement"} <= set(reader.fieldnames or ()):
                raise InputError(f"judgements {path} lack the columns arxiv_id,judgement "
                                 f"(found: {','.join(reader.fieldnames or []) or 'nothing'})",
                                 "the first line must be: arxiv_id,judgement")
            for number, row in enumerate(reader, 2):
                judgement = (row["judgement"] or "").strip().lower()
                if judgement not in JUDGEMENTS:
                    raise InputError(f"{path}:{number}: judgement {row['judgement']!r} is not in, out or borderline",
                                     "fix or remove that line")
                found[normalize_arxiv_id((row["arxiv_id"] or "").strip())] = judgement
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read judgements {path}: {getattr(exc, 'strerror', None) or exc}",
                         "expected a UTF-8 CSV with columns arxiv_id,judgement") from None
    return Truth("judgements", str(path), judgements=found)


# --- the replay ----------------------------------------------------------------------------------

@dataclass
class Training:
    """One training during a replay (the model it made, and whether the keep-or-replace rule used it)."""

    mode: str
    day: str
    model: str
    used: bool
    reason: str
    entries: int
    accepted: int
    rejected: int
    background: int
    background_until: str  # the newest listing date among the background papers (before ``day``)
    seconds: float
    threshold: float | None = None  # the new model's operating point (probability, papers with an abstract)
    budget_per_1000: float | None = None  # ... as proposals per 1,000 background papers


@dataclass
class Replay:
    mode: str
    records: list[dict]  # one per paper of the window (see ``_record``)
    trainings: list[Training]
    final_text: str  # the list at the end of the window, with every accepted paper


@dataclass
class Backtest:
    since: str
    until: str
    days: list[str]
    papers: int
    list_entries: int
    truth: Truth
    truth_size: int  # papers the truth adds to the list, in the window or not
    sample: int
    lexicon: str  # "configured", "learned once, from the list at the start" or "given" (a start model)
    settings: dict
    modes: dict[str, Replay]
    list_source: str = ""


class _Replay:
    """One mode's world: the list as it is now, the decisions so far, the model in use."""

    def __init__(self, mode: str, start: awesome.AwesomeList, model, model_id: str):
        self.mode, self.text, self.document = mode, start.render(), start  # the list is replaced, never changed
        self.model, self.model_id = model, model_id
        self.decisions: dict[str, Decision] = {}  # the simulated maintainer's, by id
        self.proposed: dict[str, str] = {}  # id -> the section the bot proposed it in
        self.failed: dict[str, set[str]] = {}  # model -> ids that could not become an entry
        self.records: dict[str, dict] = {}
        self.judged: dict[str, object] = {}  # id -> the Verdict of the model in use when it was first a candidate
        self.margins: dict[str, float] = {}  # id -> log-odds above that model's threshold (comparable across models)
        self.relevant_seen: set[str] = set()
        self.listed_at_start: set[str] = set()
        self.over_limit: set[str] = set()
        self.trainings: list[Training] = []


class _Replayer:
    def __init__(self, config, store: Store, start: awesome.AwesomeList, truth: Truth, since: date, until: date,
                 sample: int, progress: Progress | None):
        self.config, self.truth, self.sample, self.progress = config, truth, sample, progress
        self.start = start
        self.since, self.until = since.isoformat(), until.isoformat()
        self.papers = list(store.papers(self.since, self.until))
        if not self.papers:
            raise InputError(f"the paper store has no paper listed from {self.since} to {self.until}",
                             "import them first, e.g. `bot fetch --from-file papers.jsonl.gz`, or pick another window")
        self.by_day: dict[str, list[Paper]] = {}
        for paper in self.papers:
            self.by_day.setdefault(paper.listing_date, []).append(paper)
        self.days = sorted(self.by_day)
        self.index = {**store.get_many([e.arxiv_id for e in self.start.entries if e.arxiv_id]),
                      **{p.id: p for p in self.papers}}
        self.pool = store.latest_before(self.since, sample) + self.papers  # the background to sample from
        self.files = [p for path in config.classifier.background for p in read_jsonl(path)
                      if p.listing_date and p.listing_date <= self.until]
        self.verdicts: dict[str, dict] = {}  # model -> paper id -> Verdict (a cache, as the store's in `bot run`)
        self.lexicon, self.lexicon_kind = None, "given"

    # training ---------------------------------------------------------------------------------
    def background(self, day: str):
        feed = [p for p in self.pool if p.listing_date < day]
        known = {p.id for p in feed}
        files = [p for p in self.files if p.listing_date < day and p.id not in known]
        rows = [(p.listing_date, p.id, True, p) for p in feed] + [(p.listing_date, p.id, False, p) for p in files]
        chosen = sorted(rows, key=lambda row: row[:2])[-self.sample:]
        if not chosen:
            raise InputError(f"no paper listed before {day} to train against",
                             "import papers listed before the window (`bot fetch --from-file`)")
        return background_docs([r[3] for r in chosen if r[2]], [r[3] for r in chosen if not r[2]]), chosen[-1][0]

    def train(self, state: _Replay | None, day: str, model_id: str, mode: str):
        """Train as `bot train` does on what was known before ``day``; the keep-or-replace rule decides
        against the model in use.  Returns (the model to use, its id, the training record)."""
        started = time.perf_counter()
        document = state.document if state else self.start
        data = training_docs(document, self.index, state.decisions if state else {}, state.proposed if state else {})
        data.background, newest = self.background(day)
        if self.lexicon is None:  # once: every training reuses it
            self.lexicon, learned = lexicon_for(self.config, data)
            self.lexicon_kind = "learned once, from the list at the start" if learned else "configured"
        new, decision = train_and_compare(self.config, data, state.model if state else None, self.lexicon)
        used = state is None or decision.replace
        reason = "the first model: the list and the papers before the window" if state is None else decision.reason
        record = Training(mode, day, model_id, used, reason, len(data.entries), len(data.accepted),
                          len(data.rejected), len(data.background), newest, round(time.perf_counter() - started, 1),
                          round(new.threshold, 4), new.meta["metrics"]["budget_per_1000"])
        if used:
            return new, model_id, record
        return state.model, state.model_id, record

    # one day --------------------------------------------------------------------------------------
    def classify(self, state: _Replay, papers: list[Paper]) -> dict:
        """Each paper is judged once, by the model in use the first day it is a candidate (as `bot run`
        does): a later model fills the budget with new papers, it does not re-judge old ones."""
        cache = self.verdicts.setdefault(state.model_id, {})
        todo = [p for p in papers if p.id not in state.judged and p.id not in cache]
        cache.update(zip((p.id for p in todo), verdicts(state.model, todo, explain=False)))
        for paper in papers:
            if paper.id not in state.judged:
                state.judged[paper.id] = cache[paper.id]
                threshold = state.model.threshold if paper.abstract else state.model.threshold_title_only
                state.margins[paper.id] = round(_logit(cache[paper.id].probability) - _logit(threshold), 4)
        return state.judged

    def day(self, state: _Replay, day: str) -> None:
        lookback = timedelta(days=self.config.github.lookback_days)
        first = max(self.since, (date.fromisoformat(day) - lookback).isoformat())
        candidates = [p for d in self.days if first <= d <= day for p in self.by_day[d]]  # as `bot run`'s window
        found = self.classify(state, candidates)
        for paper in self.by_day[day]:
            state.records[paper.id] = _record(state, paper, day, found[paper.id], self.truth)
            if self.start.contains(paper.id, paper.title):
                state.listed_at_start.add(paper.id)
        report = RunReport()
        relevant = {p.id for p in candidates if found[p.id].relevant}
        state.relevant_seen |= relevant
        kept = keep_relevant(candidates, relevant, state.failed.get(state.model_id, set()), report)
        chosen = select(kept, [found[p.id] for p in kept], state.document, set(), {i for i, d in state.decisions.items() if not d.accepted}, report)
        proposals = [Proposal.of(p, v) for p, v in chosen]
        result = plan(Branch(state.text, state.text, base=state.document), proposals, self.config.github.max_entries)
        state.failed.setdefault(state.model_id, set()).update(result.failed)
        state.over_limit |= {p.id for p in proposals} - set(result.added) - set(result.failed)
        placed = {p.id: p for p in result.proposals}
        accepted = []
        for paper_id in result.added:  # the maintainer reviews the day's proposals at once
            paper, proposal = self.index[paper_id], placed[paper_id]
            judgement, section = self.truth.judge(paper)
            record = state.records[paper_id]
            record.update(day=day, week=iso_week(day), probability=found[paper_id].probability, proposed=True,
                          section=proposal.section, model=state.model_id)
            state.proposed[paper_id] = proposal.section
            if judgement == "in":
                target = section if section and _has_heading(state.document, section) else proposal.section
                accepted.append(replace(proposal, section=target))
                state.decisions[paper_id] = Decision(paper_id, True, target, paper.title, "backtest")
                record["verdict"] = "accepted"
            else:
                state.decisions[paper_id] = Decision(paper_id, False, proposal.section, paper.title, "backtest")
                record["verdict"] = "borderline" if judgement == "borderline" else "rejected"
        if accepted:
            self.merge(state, accepted, placed)

    def merge(self, state: _Replay, accepted: list[Proposal], placed: dict[str, Proposal]) -> None:
        """The accepted papers join the list (in the truth's section; where the bot put them if the
        entry cannot go there)."""
        merged = plan(Branch(state.text, state.text, base=state.document), accepted, len(accepted))
        retry = [replace(p, section=placed[p.id].section) for p in accepted if p.id in merged.failed]
        if retry:
            merged = plan(Branch(merged.text, merged.text), retry, len(retry))
        state.text, state.document = merged.text, awesome.parse(merged.text)

    # a whole mode ----------------------------------------------------------------------------------
    def replay(self, mode: str, model, model_id: str, first: Training) -> Replay:
        state = _Replay(mode, self.start, model, model_id)
        state.trainings.append(replace(first, mode=mode))
        week = iso_week(self.days[0])
        for number, day in enumerate(self.days, 1):
            if mode == "weekly" and iso_week(day) != week:
                week = iso_week(day)
                self.tell(f"{mode}: training for {week}", number)
                state.model, state.model_id, record = self.train(state, day, week, mode)
                state.trainings.append(record)
                self.verdicts = {k: v for k, v in self.verdicts.items() if k in ("start", state.model_id)}
            self.tell(f"{mode}: {day}", number)
            self.day(state, day)
        return Replay(mode, _finish(state), state.trainings, state.text)

    def tell(self, what: str, done: int) -> None:
        if self.progress:
            self.progress(what, done, len(self.days))


def _has_heading(document: AwesomeList, name: str) -> bool:
    try:
        document.heading_for(name)
        return True
    except ListFormatError:
        return False


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _record(state: _Replay, paper: Paper, day: str, verdict, truth: Truth) -> dict:
    """A paper as first seen, on its listing day (updated when it is proposed)."""
    judgement, section = truth.judge(paper)
    return {"mode": state.mode, "day": day, "week": iso_week(day), "listed": day, "id": paper.id,
            "probability": verdict.probability, "margin": state.margins[paper.id], "proposed": False, "section": verdict.section or None,
            "truth": judgement, "truth_section": section, "verdict": None, "reason": None, "model": state.model_id}


def _finish(state: _Replay) -> list[dict]:
    """Every record with its verdict: a truth paper never proposed was *missed* (unless the list had it
    at the start: *already listed*), and a paper never proposed says why."""
    for paper_id, record in state.records.items():
        if record["proposed"]:
            continue
        if paper_id in state.listed_at_start:
            record["verdict"], record["reason"] = "already listed", "already in the list"
            continue
        record["verdict"] = "missed" if record["truth"] == "in" else "not proposed"
        if paper_id not in state.relevant_seen:
            record["reason"] = "below the threshold"
        elif any(paper_id in failed for failed in state.failed.values()):
            record["reason"] = "could not become an entry"
        elif paper_id in state.over_limit:
            record["reason"] = "over the limit"
        else:
            record["reason"] = "already in the list"  # an accepted paper with the same title
    return sorted(state.records.values(), key=lambda r: (r["day"], r["id"]))


def backtest(config, store: Store, start: awesome.AwesomeList, truth: Truth, since: date, until: date, *,
             retrain: str = "weekly", sample: int = DEFAULT_SAMPLE, progress: Progress | None = None,
             start_model=None, list_source: str = "") -> Backtest:
    """Replay the window in each mode (``retrain``: 'weekly' replays 'never' too), from ``start`` (the list
    as the window starts, parsed; shared read-only by the modes).  ``start_model``: a
    model to start from instead of training one on the papers before the window (tests)."""
    if retrain not in MODES:
        raise InputError(f"--retrain {retrain!r} is not weekly or never", "use --retrain weekly or --retrain never")
    if since > until:
        raise InputError(f"--since {since} is after --until {until}", "give the first day, then the last")
    if sample < 1:
        raise InputError(f"a background sample of {sample} papers", "give at least 1 (default 4000)")
    replayer = _Replayer(config, store, start, truth, since, until, sample, progress)
    first_day = replayer.days[0]
    if start_model is None:
        replayer.tell("training the first model", 0)
        start_model, _, first = replayer.train(None, first_day, "start", "never")
    else:
        data = training_docs(replayer.start, replayer.index, {}, {})
        data.background, newest = replayer.background(first_day)
        first = Training("never", first_day, "start", True, "given", len(data.entries), 0, 0, len(data.background),
                         newest, 0.0, round(start_model.threshold, 4), start_model.meta["metrics"]["budget_per_1000"])
    modes = {mode: replayer.replay(mode, start_model, "start", first) for mode in MODES[retrain]}
    settings = {"retrain": retrain, "background_sample": sample, "max_entries": config.github.max_entries,
                "lookback_days": config.github.lookback_days, "target_recall": config.classifier.target_recall,
                "proposals_per_1000": config.classifier.proposals_per_1000}
    return Backtest(replayer.since, replayer.until, replayer.days, len(replayer.papers), len(replayer.start.entries),
                    truth, truth.size(replayer.start), sample, replayer.lexicon_kind, settings, modes, list_source)


__all__ = ["Backtest", "Replay", "Training", "Truth", "backtest", "iso_week", "truth_from_judgements",
           "truth_from_list"]
