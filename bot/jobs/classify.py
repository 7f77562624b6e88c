"""The classify step: training data from the list and the store, the model, and verdicts on papers.

Runs in ``bot train`` (gathers the data, learns or reads the lexicon, trains,
keeps or replaces the saved model), ``bot run`` (``ensure_model``: the same,
when there is no usable model), ``bot classify``, ``bot evaluate`` and ``bot backtest`` (the same
training functions over simulated decisions, see ``training_docs``).  It connects the list, the
store and the arXiv API to the ``classifier`` package, turns the package's
errors into the bot's one-line errors, and renders each verdict's would-be entry.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.base.decision import Decision
from bot.base.errors import ConfigError, FetchError, InputError, ListFormatError, ModelError
from bot.lists.awesome import AwesomeList
from bot.lists.listfields import normalize_title
from bot.papers.paper import Paper, read_jsonl
from bot.propose.proposals import Proposal
from bot.propose.render import render_entry, where
from classifier import errors as classifier_errors
from classifier import model as model_io
from classifier.predict import Verdict, classify_texts

if TYPE_CHECKING:  # training and the arXiv client are imported where used: `bot classify <id>` starts faster
    from bot.papers.arxiv_api import ArxivAPI
    from bot.papers.store import Store
    from classifier.lexicon import Lexicon
    from classifier.train import Doc, Progress

log = logging.getLogger(__name__)
TOPIC_MIN_FEED = 3000  # feed papers enough to learn a topic from (else the sampled background files help)
MIN_UNSEEN = 200  # feed papers listed after the model in use was trained, enough to measure its rate on


@contextmanager
def library_errors():
    """The classifier package's errors as the bot's: one line, exit code 2."""
    try:
        yield
    except classifier_errors.ModelError as exc:
        raise ModelError(str(exc), exc.hint) from None
    except classifier_errors.LexiconError as exc:
        raise ConfigError(str(exc), exc.hint) from None
    except classifier_errors.ClassifierError as exc:
        raise InputError(str(exc), exc.hint) from None


@dataclass
class TrainingData:
    entries: list[Doc]
    background: list[Doc]
    rejected: list[Doc]
    accepted: list[Doc]
    abstracts_fetched: int = 0
    fetch_problem: str | None = None


def labelled(document: AwesomeList, store: Store, api: ArxivAPI | None) -> TrainingData:
    """List entries (with abstracts from the store, fetched once when an API is given) and the
    maintainers' decisions (an accepted paper knows whether they moved it); no background yet."""
    ids = [e.arxiv_id for e in document.entries if e.arxiv_id]
    cached = store.get_many(ids)
    fetched, problem = 0, None
    missing = [i for i in ids if i not in cached or not cached[i].abstract]
    if api is not None and missing:
        try:
            papers = api.by_ids(missing)
            store.add(papers)
            cached.update((p.id, p) for p in papers)
            fetched = len(papers)
        except FetchError as exc:
            problem = exc.one_line()
            log.warning("abstracts of list entries not fetched: %s", problem)
    decisions = store.decisions()
    decided = store.get_many(list(decisions))
    accepted = [i for i, d in decisions.items() if d.accepted]
    data = training_docs(document, {**decided, **cached}, decisions, store.proposed_sections(accepted))
    data.abstracts_fetched, data.fetch_problem = fetched, problem
    return data


def training_docs(document: AwesomeList, papers: dict[str, Paper], decisions: dict[str, Decision],
                  proposed: dict[str, str]) -> TrainingData:
    """The labelled documents, as a pure function: the list's entries (abstracts from ``papers``) and
    the maintainers' ``decisions`` (by id); an accepted paper that is in the list is an entry, one the
    maintainers placed in another section than the bot proposed (``proposed``: id -> section) is *moved*;
    a rejected paper the maintainers listed later (by id or title) is an entry only, never both.
    Used by ``labelled`` (decisions from the store) and by `bot backtest` (simulated decisions)."""
    from classifier.train import Doc  # training code: imported where it is used (a cold classify needs none)

    entries = []
    for entry in document.entries:
        paper = papers.get(entry.arxiv_id) if entry.arxiv_id else None
        listed = paper.listing_date if paper else None
        day = listed or (entry.date.isoformat() if entry.date else "")
        proposed_by_bot = entry.arxiv_id in decisions and decisions[entry.arxiv_id].accepted  # a merged proposal
        entries.append(Doc(entry.arxiv_id or entry.title_key, entry.title, paper.abstract if paper else "",
                           entry.label, feed=bool(listed) and proposed_by_bot, date=day))
    listed = {e.id for e in entries}

    def doc(decision: Decision) -> Doc:
        paper, section = papers.get(decision.id), decision.section
        moved = bool(section and proposed.get(decision.id) and proposed[decision.id] != section)
        return Doc(decision.id, paper.title if paper else (decision.title or decision.id),
                   paper.abstract if paper else "", section, moved, date=(paper.listing_date or "") if paper else "")

    ordered = [decisions[i] for i in sorted(decisions)]
    chosen = [doc(d) for d in ordered if d.accepted and d.id not in listed]
    live = {e.title_key for e in document.entries}  # the list's entries, not ids in comments or prose
    refused = [doc(d) for d in ordered if not d.accepted and d.id not in listed
               and normalize_title(d.title or "") not in live]  # listed since: an entry only
    return TrainingData(entries, [], refused, chosen)


def gather(document: AwesomeList, store: Store, api: ArxivAPI | None, extra_background: list[Path] = ()) -> TrainingData:
    """Everything training needs: ``labelled`` plus the background (the store and the configured files)."""
    data = labelled(document, store, api)
    background = background_docs(store.papers(), (p for path in extra_background for p in read_jsonl(path)))
    if not background:
        raise InputError("the paper store holds no papers to train against",
                         "run `bot fetch` or `bot fetch --from-file papers.jsonl.gz` first")
    data.background = background
    return data


def background_docs(feed: Iterable[Paper], files: Iterable[Paper]) -> list[Doc]:
    """The background documents: the store's papers (the feed's mix), then papers of the sampled
    background files not among them (their mix is not the feed's: see classifier/operating.py)."""
    from classifier.train import Doc

    background = [Doc(p.id, p.title, p.abstract, date=p.listing_date or "") for p in feed]
    known = {d.id for d in background}
    background += [Doc(p.id, p.title, p.abstract, feed=False) for p in files if p.id not in known]
    return background


def configured_lexicon(config) -> Lexicon | None:
    """The lexicon file the config names (validated), or None when the topic is to be learned."""
    from classifier import lexicon as lexicon_io

    if config.classifier.lexicon is None:
        return None
    with library_errors():
        return lexicon_io.load(config.classifier.lexicon)


def lexicon_for(config, data: TrainingData, progress: Progress | None = None) -> tuple[Lexicon, bool]:
    """(the lexicon, whether it was learned): the configured file, or learned from the list."""
    from classifier.topic import learn

    configured = configured_lexicon(config)
    if configured is not None:
        return configured, False
    feed = [d for d in data.background if d.feed]
    background = feed if len(feed) >= TOPIC_MIN_FEED else data.background  # the feed's mix when there is enough
    with library_errors():
        positives = [(d.title, d.abstract) for d in data.entries + data.accepted]
        return learn(positives, [(d.title, d.abstract) for d in background], progress=progress), True


def train_model(config, data: TrainingData, lexicon: Lexicon | None = None, progress: Progress | None = None,
                budget: tuple[float, str] | None = None):
    """Train with the configured operating rule (the lexicon: given, configured or learned); ``budget``:
    (proposals per 1,000, why) held across retraining (``classifier.compare.held_budget``)."""
    from classifier.operating import OperatingRule
    from classifier.train import train

    if lexicon is None:
        lexicon, _ = lexicon_for(config, data, progress)
    rule = OperatingRule(config.classifier.target_recall, config.classifier.proposals_per_1000)
    if budget is not None and rule.budget_per_1000 is None:
        rule = OperatingRule(rule.target_recall, budget[0], budget[1])
    with library_errors():
        return train(data.entries, data.background, lexicon, rejected=data.rejected, accepted=data.accepted,
                     rule=rule, progress=progress)


@dataclass
class Retrained:
    model: object  # the model in use afterwards (the new one, or the saved one when it was kept)
    trained: object  # the newly trained model (kept or not)
    decision: object  # classifier.compare.Decision
    saved: Path | None  # where the new model was saved (None: kept the old one)


def train_and_compare(config, data: TrainingData, old, lexicon: Lexicon | None = None,
                      progress: Progress | None = None) -> tuple[object, object]:
    """(the newly trained model, the keep-or-replace decision against ``old``, the model in use or None).

    The one retraining rule (``classifier.compare``), for `bot train`, `bot run` and `bot backtest`: the
    new model inherits the budget of ``old`` (moved only by what the least probable of the recent
    decisions say), and replaces ``old`` only if it is not worse on the decisions made since ``old`` was
    trained.  Writes nothing: ``retrain`` saves, `bot backtest` keeps models in memory."""
    from classifier.compare import evaluation_set, held_budget, keep_or_replace, recent
    from classifier.operating import MOVE
    from classifier.train import list_pace_of, recent_feed

    is_recent = recent_feed(data.background)
    feed = [d for d in data.background if d.feed and d.abstract and d.date and is_recent(d)]
    unseen = [d for d in feed if old is not None and d.date[:10] > old.meta.get("feed_until", "9999")]
    feed = unseen if len(unseen) >= MIN_UNSEEN else feed
    now = recent(old, data.entries, data.accepted, data.rejected, feed)
    budget = None
    if old is not None and config.classifier.proposals_per_1000 is None:
        pace = list_pace_of(data.entries + data.accepted, data.background).budget_per_1000
        with library_errors():
            budget = held_budget(old, now, (pace / MOVE, pace * MOVE))
    new = train_model(config, data, lexicon, progress, budget)
    with library_errors():
        positives, negatives = evaluation_set(new.meta["lexicon"], data.entries + data.accepted, data.background,
                                              data.rejected)
        decision = keep_or_replace(new, old, positives, negatives, len(data.rejected), now)
    return new, decision


def retrain(config, data: TrainingData, *, force: bool = False, lexicon: Lexicon | None = None,
            progress: Progress | None = None) -> Retrained:
    """Train, then keep or replace the saved model (``classifier.compare``); ``force`` always replaces."""
    try:
        old = model_io.load(config.classifier.model_path)
    except classifier_errors.ModelError:
        old = None
    new, decision = train_and_compare(config, data, old, lexicon, progress)
    if decision.replace or force or old is None:
        return Retrained(new, new, decision, model_io.save(new, config.classifier.model_path))
    return Retrained(old, new, decision, None)


def ensure_model(config, store: Store, document: AwesomeList, api: ArxivAPI | None = None,
                 progress: Progress | None = None) -> tuple[object, list[str]]:
    """The model for `bot run`, and notes on what was done: the saved one, or, when there is none or
    it cannot be used (another scikit-learn, damaged), one trained through ``retrain`` (the same
    keep-or-replace rule as `bot train`).  Learning from new decisions is `bot train`'s job (the
    retrain workflow runs it when the list changes), so that a cron run stays quick."""
    try:
        return model_io.load(config.classifier.model_path), []
    except classifier_errors.ModelError as exc:
        notes = [f"training a model first ({exc.one_line()})"]
    data = gather(document, store, api, config.classifier.background)
    if data.fetch_problem:
        notes.append(f"trained on titles only: {data.fetch_problem}")
    result = retrain(config, data, progress=progress)
    if result.saved is None:
        notes.append(f"kept the saved model: the retrained one is worse ({result.decision.reason})")
    return result.model, notes


def load_model(config):
    with library_errors():
        return model_io.load(config.classifier.model_path)


def verdicts(model, papers: list[Paper], explain: bool = True) -> list[Verdict]:
    return classify_texts(model, [p.title for p in papers], [p.abstract or None for p in papers], explain=explain)


def describe(paper: Paper, verdict: Verdict, document: AwesomeList) -> dict:
    """The JSON object of one classified paper (the fields scripts rely on, plus placement)."""
    entry = Proposal.of(paper, verdict)
    try:
        placement = where(document, entry)
    except ListFormatError as exc:  # the model knows a section this list has no heading for
        placement = f"nowhere: {exc.one_line()}"
    return {
        "id": paper.id,
        "title": paper.title,
        "relevant": verdict.relevant,
        "probability": verdict.probability,
        "section": verdict.section,
        "section_probabilities": verdict.section_probabilities,
        "explanation": {k: [str(t) for t in v] for k, v in verdict.explanation.items()},
        "entry": render_entry(entry, document),
        "placement": placement,
        "in_list": document.contains(paper.id, paper.title),
    }
