"""The section model: which of the list's headings a relevant paper goes under.

Runs in training (fit, cross-validated agreement per section), in prediction
(``top3``) and in ``bot evaluate`` (agreement with hand-labelled papers,
``--sections``).  Trained on the list's entries and the papers maintainers
accepted, in the section where they left them; a paper they *moved* to another
section than the bot proposed weighs most, then accepted papers, then entries.
Each heading's own name (a sub-heading's too: "Super Resolution" under "Image
Restoration" is a section of its own) is one more example of it, so the words
of the headings count even for a section with few or no entries.  Texts are
the titles, or title + abstract when most examples have their abstract.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline

from .features import paper_text, section_features

RANDOM_STATE = 0
FOLDS = 5
WEIGHTS = {"list": 1.0, "accepted": 2.0, "moved": 3.0}


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


def uses_abstract(examples: list[SectionExample]) -> bool:
    return sum(bool(e.abstract) for e in examples) > len(examples) / 2


def _texts(examples: list[SectionExample], with_abstract: bool) -> list[str]:
    return [paper_text(e.title, e.abstract if with_abstract else None) for e in examples]


def fit(examples: list[SectionExample], names: list[str] | None = None) -> Pipeline:
    """The section model (words, word pairs and 4-character pieces; balanced classes).  ``names``: every
    section of the list (a heading is known even when no training example is under it)."""
    names = sorted(set(names or ()) | {e.section for e in examples})
    texts = _texts(examples, uses_abstract(examples))
    heading_texts, heading_labels = heading_examples(names)
    weights = [WEIGHTS.get(e.kind, 1.0) for e in examples] + [1.0] * len(names)
    pipeline = Pipeline([("features", section_features()), ("model", _lr())])
    if len(names) == 1:  # a list with one section: every paper goes there (a fitted one-class model)
        features = pipeline.named_steps["features"].fit(texts + heading_texts)
        only = pipeline.named_steps["model"]
        only.classes_ = np.array(names)
        only.coef_ = np.zeros((1, len(features.get_feature_names_out())))
        only.intercept_, only.n_features_in_ = np.zeros(1), only.coef_.shape[1]
        return pipeline
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.fit(texts + heading_texts, [e.section for e in examples] + heading_labels,
                            model__sample_weight=np.array(weights))


def cv_top3(examples: list[SectionExample]) -> list[list[str]]:
    """Out-of-fold top-3 sections of each example (5 folds, fixed seed)."""
    found: list[list[str]] = [[] for _ in examples]
    if len(examples) < FOLDS * 2:
        return found
    with_abstract = uses_abstract(examples)
    names = sorted({e.section for e in examples})
    for train_idx, test_idx in KFold(FOLDS, shuffle=True, random_state=RANDOM_STATE).split(examples):
        model = fit([examples[i] for i in train_idx], names)
        best, _ = top3(model, _texts([examples[i] for i in test_idx], with_abstract))
        for row, sections in zip(test_idx, best):
            found[row] = sections
    return found


def agreement(examples: list[SectionExample], top3: list[list[str]]) -> dict:
    """Top-1 / top-3 agreement overall and per section, from out-of-fold predictions."""
    scored = [(e.section, t) for e, t in zip(examples, top3) if t]
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


def top3(model: Pipeline, texts: Sequence[str]) -> tuple[list[list[str]], np.ndarray]:
    """The three likeliest sections of each text, best first, and their probabilities."""
    classes = model.classes_.astype(str)
    if len(classes) == 1:  # one section: nothing to choose
        return [[classes[0]] for _ in texts], np.ones((len(texts), 1))
    proba = model.predict_proba(list(texts))
    best = np.argsort(-proba, axis=1)[:, :3]
    return [classes[row].tolist() for row in best], np.take_along_axis(proba, best, axis=1)


def judged_agreement(model: Pipeline, papers: Sequence[tuple[str, str, str]], with_abstract: bool) -> dict:
    """Agreement with hand-labelled papers given as (title, abstract, section), read as prediction
    reads them (``with_abstract``: the model's ``section_uses_abstract``); sections the model does not
    know count as misses."""
    examples = [SectionExample(title, abstract, section, "judged") for title, abstract, section in papers]
    if not examples:
        return {}
    found, _ = top3(model, _texts(examples, with_abstract))
    return agreement(examples, found)
