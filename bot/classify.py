"""The classify step: training data from the list and the store, and verdicts on papers.

Runs in ``bot train`` (gathers the data, trains, saves), ``bot classify``
(verdicts for one paper or a file) and ``bot run`` (the papers not classified
before).  It connects the list, the store and the arXiv API to the
``classifier`` package, and renders each verdict's would-be list entry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from classifier import model as model_io
from classifier.predict import Verdict, classify_texts
from classifier.train import Doc, train

from .arxiv_api import ArxivAPI
from .awesome import AwesomeList
from .errors import FetchError, InputError, ListFormatError
from .paper import Paper
from .proposals import Proposal
from .render import render_entry, where
from .store import Store, read_jsonl

log = logging.getLogger(__name__)


@dataclass
class TrainingData:
    entries: list[Doc]
    background: list[Doc]
    rejected: list[Doc]
    accepted: list[Doc]
    abstracts_fetched: int = 0
    fetch_problem: str | None = None


def gather(document: AwesomeList, store: Store, api: ArxivAPI | None, extra_background: list[Path] = ()) -> TrainingData:
    """List entries (with abstracts from the store, fetched once when an API is given),
    background papers, and the maintainers' decisions."""
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
    entries = []
    for entry in document.entries:
        paper = cached.get(entry.arxiv_id) if entry.arxiv_id else None
        entries.append(Doc(entry.arxiv_id or entry.title_key, entry.title, paper.abstract if paper else "",
                           entry.label))
    accepted_ids = store.decisions("accepted")
    rejected_ids = store.decisions("rejected")
    decided = store.get_many(list(accepted_ids) + list(rejected_ids))
    listed = {e.id for e in entries}

    def doc(paper_id: str, section: str | None, title: str | None) -> Doc:
        paper = decided.get(paper_id)
        return Doc(paper_id, paper.title if paper else (title or paper_id), paper.abstract if paper else "", section)

    accepted = [doc(i, s, t) for i, (s, t) in sorted(accepted_ids.items()) if i not in listed]
    rejected = [doc(i, s, t) for i, (s, t) in sorted(rejected_ids.items())]
    background = [Doc(p.id, p.title, p.abstract) for p in store.papers()]
    known = {d.id for d in background}
    for path in extra_background:
        background += [Doc(p.id, p.title, p.abstract) for p in read_jsonl(path) if p.id not in known]
    if not background:
        raise InputError("the paper store holds no papers to train against",
                         "run `bot fetch` or `bot fetch --from-file papers.jsonl.gz` first")
    return TrainingData(entries, background, rejected, accepted, fetched, problem)


def train_model(config, data: TrainingData):
    lexicons = config.classifier.lexicon.model_dump()
    return train(data.entries, data.background, lexicons, rejected=data.rejected, accepted=data.accepted,
                 target_recall=config.classifier.target_recall)


def evaluation_score(model, data: TrainingData) -> dict:
    """Average precision and recall of a model on the same evaluation set: the list's entries and
    accepted papers (positive) against rejected papers and the weak negatives of the background."""
    from sklearn.metrics import average_precision_score

    from classifier.features import paper_text
    from classifier.labels import weak_labels

    lexicons = model.meta.get("lexicons") or {}
    negatives = list(data.rejected)
    if lexicons:
        labels = weak_labels([paper_text(d.title, d.abstract) for d in data.background], lexicons)
        negatives += [d for d, label in zip(data.background, labels) if label in ("hard-negative", "weak-negative")]
    positives = data.entries + data.accepted
    docs = positives + negatives
    found = classify_texts(model, [d.title for d in docs], [d.abstract or None for d in docs], explain=False)
    truth = [1] * len(positives) + [0] * len(negatives)
    probability = [v.probability for v in found]
    return {"average_precision": float(average_precision_score(truth, probability)),
            "recall": sum(v.relevant for v in found[:len(positives)]) / max(len(positives), 1),
            "rejected_proposed": sum(v.relevant for v in found[len(positives):len(positives) + len(data.rejected)])}


def load_model(config):
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
