"""Prediction: relevance, section and the words that weighed, for a batch of papers.

Runs in ``bot classify`` and in every ``bot run`` on the papers not classified
before.  The whole batch goes through one ``transform`` and one
``predict_proba`` (the cost of bare scikit-learn); explanations are read off
the same sparse matrix.  A paper with an abstract is compared with the
model's threshold, one known by its title only with the title-only threshold
(see ``operating.py``).  In a large batch, papers far below the threshold that
applies to them (under ``DETAIL_SHARE`` of it) get no section and no
explanation: they are never proposed.
Example::

    verdicts = classify_texts(model, ["Diffusion models for CT"], [None])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .features import paper_text
from .model import Model
from .sections import top3

TOP_TERMS = 6
DETAIL_SHARE = 0.1  # in a batch, papers below this share of their threshold get no section or explanation
SMALL_BATCH = 50  # ... unless the batch is this small (a dry run of a few papers shows everything)


@dataclass
class Verdict:
    relevant: bool
    probability: float
    section: str
    section_probabilities: dict[str, float]
    explanation: dict[str, list[str]] = field(default_factory=dict)


def explain_rows(model: Model, X, top: int = TOP_TERMS) -> list[dict[str, list[str]]]:
    """For each row: the words that pushed the score up (for) and down (against), then the
    strongest lexicon indicators — words first, since the indicators weigh most but say least."""
    coef = model.estimator.coef_.ravel()
    names, is_cue = model.column_names, model.cue_columns
    X = X.tocsr()
    out = []
    for row in range(X.shape[0]):
        start, end = X.indptr[row], X.indptr[row + 1]
        columns = X.indices[start:end]
        contribution = X.data[start:end] * coef[columns]
        order = np.argsort(contribution)
        cues = is_cue[columns]

        def pick(indices, sign):
            chosen = indices[sign * contribution[indices] > 0]
            picked = np.concatenate([chosen[~cues[chosen]][:top - 2], chosen[cues[chosen]][:2]])
            return names(columns[picked])

        out.append({"for": pick(order[::-1], 1), "against": pick(order, -1)})
    return out


def classify_texts(model: Model, titles: list[str], abstracts: list[str | None],
                   explain: bool = True) -> list[Verdict]:
    """Verdicts for papers given as parallel lists of titles and abstracts."""
    if not titles:
        return []
    texts = [paper_text(t, a) for t, a in zip(titles, abstracts)]
    X = model.features.transform(texts)
    probability = model.calibrated.predict_proba(X)[:, 1]
    thresholds = np.where([bool(a) for a in abstracts], model.threshold, model.threshold_title_only)
    relevant = (probability >= thresholds).tolist()
    rounded = np.round(probability, 4).tolist()
    # sections and explanations only where they can matter: a paper that is never proposed needs
    # neither, and most of a day's feed is far below any threshold
    detail = (np.ones(len(texts), dtype=bool) if len(texts) <= SMALL_BATCH
              else probability >= thresholds * DETAIL_SHARE)
    rows = np.nonzero(detail)[0]
    sections = [{} for _ in texts]
    explanations = [{} for _ in texts]
    if len(rows):
        use_abstract = model.meta.get("metrics", {}).get("section_uses_abstract", False)
        best, best_probability = top3(model.section, [texts[i] if use_abstract else paper_text(titles[i])
                                                      for i in rows])
        best_probability = np.round(best_probability, 4).tolist()
        for k, i in enumerate(rows):
            sections[i] = dict(zip(best[k], best_probability[k]))
        if explain:
            for i, found in zip(rows, explain_rows(model, X[rows])):
                explanations[i] = found
    return [Verdict(relevant=relevant[i], probability=rounded[i],
                    section=next(iter(sections[i]), ""), section_probabilities=sections[i],
                    explanation=explanations[i]) for i in range(len(texts))]
