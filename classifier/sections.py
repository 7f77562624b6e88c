"""The section model: which of the list's headings a relevant paper goes under.

Runs in training (fit, cross-validated agreement per section), in ``bot
evaluate`` (agreement with hand-labelled papers, ``--sections``) and in every
prediction.  Trained on the list's entries and the papers maintainers
accepted, in the section where they left them; a paper they *moved* to another
section than the bot proposed weighs most, then accepted papers, then entries.
Each heading's own name (a sub-heading's too: "Super Resolution" under "Image
Restoration" is a section of its own) is one more example of it, so the words
of the headings count even for a section with few or no entries.

The list's entries are mostly titles, the papers to file come with abstracts:
the model reads the title's words, and where the whole text lies in a *topic
space* learned (unsupervised) from background papers near the list's topic
(``topic_space``), so an abstract informs the choice through the words the
background taught it rather than through words no entry ever had.  Example::

    topics = topic_space(background_texts)
    model = fit(examples, topics=topics)
    top3(model, ["Diffusion models for MRI reconstruction"])
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .features import TOPIC_DIMS, paper_text, section_features

RANDOM_STATE = 0
FOLDS = 5
WEIGHTS = {"list": 1.0, "accepted": 2.0, "moved": 3.0}
TOPIC_PAPERS = 10000  # background papers nearest the list's topic that span the topic space, at most


@dataclass
class SectionExample:
    title: str
    abstract: str
    section: str
    kind: str = "list"  # list, accepted or moved


def _lr() -> LogisticRegression:
    """newton-cg: the same optimum as the default lbfgs (top-1/top-3 identical on the list), 5-10x faster
    here (lbfgs spends its time in scipy's L-BFGS-B on 18 classes x 10k features)."""
    return LogisticRegression(C=20.0, class_weight="balanced", solver="newton-cg", max_iter=3000,
                              random_state=RANDOM_STATE)


def heading_examples(names: list[str]) -> tuple[list[str], list[str]]:
    """One text per heading: its name (a sub-heading's own: adding its parent's name, e.g.
    "Inpainting Image Restoration", lowered top-1 agreement on the bundled list from 0.750 to 0.733)."""
    return list(names), list(names)


def _texts(examples: Sequence[SectionExample]) -> list[str]:
    return [paper_text(e.title, e.abstract) for e in examples]


def topic_space(texts: Sequence[str]) -> Pipeline:
    """The fitted topic part of ``section_features``: TF-IDF + truncated SVD + unit length, learned from
    ``texts`` (title + abstract of background papers near the list's topic; a few thousand are plenty).
    Fewer dimensions when there are few texts or words."""
    texts = list(texts)
    probe = section_features().transformer_list[-1][1].named_steps["tfidf"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            terms = len(probe.fit(texts).vocabulary_)
        except ValueError:  # too few texts for min_df: then the words of any text at all
            probe.set_params(min_df=1, max_df=1.0)
            terms = len(probe.fit(texts).vocabulary_)
    dims = max(1, min(TOPIC_DIMS, len(texts) - 1, terms - 1))
    topics = section_features(dims).transformer_list[-1][1]
    topics.set_params(tfidf=probe)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics.named_steps["svd"].fit(probe.transform(texts))
    return topics


def fit(examples: list[SectionExample], names: list[str] | None = None, topics: Pipeline | None = None) -> Pipeline:
    """The section model (balanced classes).  ``names``: every section of the list (a heading is known
    even when no training example is under it); ``topics``: a fitted ``topic_space`` (default: one
    learned from the examples themselves)."""
    names = sorted(set(names or ()) | {e.section for e in examples})
    heading_texts, heading_labels = heading_examples(names)
    texts = _texts(examples) + heading_texts
    topics = topics if topics is not None else topic_space(texts)
    features = section_features(topics.named_steps["svd"].n_components)
    features.transformer_list[-1] = ("topics", topics)  # fitted on the background, not refitted here
    weights = [WEIGHTS.get(e.kind, 1.0) for e in examples] + [1.0] * len(names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _, part in features.transformer_list[:-1]:
            part.fit(texts)
        model = _lr().fit(features.transform(texts), [e.section for e in examples] + heading_labels,
                          sample_weight=np.array(weights))
    return Pipeline([("features", features), ("model", model)])


def top3(model: Pipeline, texts: Sequence[str]) -> tuple[list[list[str]], np.ndarray]:
    """The three likeliest sections of each text, best first, and their probabilities."""
    proba = model.predict_proba(list(texts))
    best = np.argsort(-proba, axis=1)[:, :3]
    classes = model.classes_.astype(str)
    return [classes[row].tolist() for row in best], np.take_along_axis(proba, best, axis=1)


def cv_top3(examples: list[SectionExample], topics: Pipeline | None = None) -> list[list[str]]:
    """Out-of-fold top-3 sections of each example (5 folds, fixed seed; the topic space is unsupervised
    and shared by the folds)."""
    found: list[list[str]] = [[] for _ in examples]
    if len(examples) < FOLDS * 2:
        return found
    from sklearn.model_selection import KFold  # training only: kept off the prediction path's imports

    names = sorted({e.section for e in examples})
    topics = topics if topics is not None else topic_space(_texts(examples))
    for train_idx, test_idx in KFold(FOLDS, shuffle=True, random_state=RANDOM_STATE).split(examples):
        model = fit([examples[i] for i in train_idx], names, topics)
        best, _ = top3(model, _texts([examples[i] for i in test_idx]))
        for row, sections in zip(test_idx, best):
            found[row] = sections
    return found


def agreement(examples: list[SectionExample], top3_found: list[list[str]]) -> dict:
    """Top-1 / top-3 agreement overall and per section, from predictions made without the example."""
    scored = [(e.section, t) for e, t in zip(examples, top3_found) if t]
    if not scored:
        return {}
    per_section = {}
    for name, count in sorted(Counter(s for s, _ in scored).items()):
        mine = [t for s, t in scored if s == name]
        per_section[name] = {"examples": count, "top1": float(np.mean([t[0] == name for t in mine])),
                             "top3": float(np.mean([name in t for t in mine]))}
    return {"top1": float(np.mean([t[0] == s for s, t in scored])),
            "top3": float(np.mean([s in t for s, t in scored])),
            "per_section": per_section,
            "predicted": [t[0] for _, t in scored], "truth": [s for s, _ in scored]}


def judged_agreement(model: Pipeline, papers: Sequence[tuple[str, str, str]]) -> dict:
    """Agreement with hand-labelled papers given as (title, abstract, section); sections the model
    does not know count as misses."""
    examples = [SectionExample(title, abstract, section, "judged") for title, abstract, section in papers]
    if not examples:
        return {}
    found, _ = top3(model, _texts(examples))
    return agreement(examples, found)
