"""Features: the texts the models read and the lexicon indicators they add.

Runs inside training and prediction.  A paper becomes a text (title, then the
abstract when there is one) and a few indicators from the lexicon (see
``matching.py``): *method* terms (what the list is about, e.g. diffusion
models), *domain* terms (where, e.g. medical imaging) and the *confounders* of
the terms (look-alikes, e.g. diffusion MRI).  Everything here is a pure
function of its input, so the stock scikit-learn ``Pipeline`` s that use it can
be rebuilt from plain arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from .matching import SEPARATOR, role_counts, split_text

__all__ = ["SEPARATOR", "paper_text", "split_text", "role_counts", "indicator_features",
           "relevance_features", "section_features", "feature_names", "ColumnNames", "INDICATOR_NAMES"]


def paper_text(title: str, abstract: str | None = None) -> str:
    """The text a model reads: the title, then the abstract when known."""
    title = " ".join((title or "").split())
    abstract = " ".join((abstract or "").split())
    return f"{title}{SEPARATOR}{abstract}" if abstract else title


def indicator_features(texts: Sequence[str], lexicon: dict) -> sparse.csr_matrix:
    """Indicators: each role in title / anywhere, and method-and-domain together."""
    c = role_counts(texts, lexicon)
    method_t, method_a, domain_t, domain_a, conf_t, conf_a = (c[:, i] for i in range(6))
    method, domain, conf = method_t + method_a, domain_t + domain_a, conf_t + conf_a
    columns = [
        method_t > 0, method > 0, np.log1p(method),
        domain_t > 0, domain > 0, np.log1p(domain),
        conf > 0, (conf > 0) & (method == 0), (conf > 0) & (conf >= method),
        (method > 0) & (domain > 0), (method_t > 0) & (domain_t > 0),
        (method_t > 0) & (domain > 1), (domain_t > 0) & (method > 1),
        (method > 0) & (domain == 0),
    ]
    return sparse.csr_matrix(np.column_stack(columns).astype(np.float64))


INDICATOR_NAMES = [
    "[method in title]", "[method mentioned]", "[method mentions]",
    "[domain in title]", "[domain mentioned]", "[domain mentions]",
    "[confounder]", "[confounder without method]", "[confounder as often as method]",
    "[method and domain]", "[method and domain in title]",
    "[method in title, domain in text]", "[domain in title, method in text]",
    "[method without domain]",
]


def title_only(texts: Sequence[str]) -> list[str]:
    return [split_text(t)[0] for t in texts]


def relevance_features(lexicon: dict, indicators: bool = True) -> FeatureUnion:
    """Words of the whole text, words and word pairs of the title, and the lexicon indicators.

    Without the indicators a linear model cannot express "method AND domain" (average
    precision drops from 0.94 to 0.71 on the same folds), so they stay on by default."""
    parts = [
        ("text", TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True, dtype=np.float32)),
        ("title", Pipeline([
            ("pick", FunctionTransformer(title_only)),
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, dtype=np.float32)),
        ])),
    ]
    if indicators:
        parts.append(("indicators", FunctionTransformer(indicator_features, kw_args={"lexicon": lexicon})))
    return FeatureUnion(parts)


def section_features() -> FeatureUnion:
    """Words, word pairs and 4-character pieces ('segm', 'reso'): section cues live in a few words.
    (3-5 characters score the same on the list but cost 2.4x more at prediction time.)"""
    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode")),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True,
                                  strip_accents="unicode")),
    ])


def feature_names(union: FeatureUnion) -> list[str]:
    """Readable names for every column of a fitted feature union."""
    names: list[str] = []
    for name, transformer in union.transformer_list:
        if name == "indicators":
            names += INDICATOR_NAMES
        elif name == "title":
            names += [f"title:{n}" for n in transformer.named_steps["tfidf"].get_feature_names_out()]
        else:
            names += list(transformer.get_feature_names_out())
    return names


class ColumnNames:
    """Names of chosen columns of a fitted relevance feature union, without listing all of them
    (a single classification explains a dozen columns of ~10^5: naming them all costs more than
    the classification).  ``ColumnNames(union)([0, 5])`` -> the same names ``feature_names`` gives."""

    def __init__(self, union: FeatureUnion):
        self.blocks: list[tuple[int, str, dict | None]] = []  # (first column, prefix, vocabulary)
        start = 0
        for name, transformer in union.transformer_list:
            if name == "indicators":
                self.blocks.append((start, "", None))
                start += len(INDICATOR_NAMES)
                continue
            vectorizer = transformer.named_steps["tfidf"] if isinstance(transformer, Pipeline) else transformer
            self.blocks.append((start, "title:" if name == "title" else "", vectorizer.vocabulary_))
            start += len(vectorizer.vocabulary_)
        self.width = start
        self._words: dict[int, np.ndarray] = {}

    def cues(self) -> np.ndarray:
        """True for the columns that are lexicon indicators rather than words."""
        found = np.zeros(self.width, dtype=bool)
        for start, _, vocabulary in self.blocks:
            if vocabulary is None:
                found[start:start + len(INDICATOR_NAMES)] = True
        return found

    def _block_words(self, block: int) -> np.ndarray:
        if block not in self._words:
            vocabulary = self.blocks[block][2]
            words = np.empty(len(vocabulary), dtype=object)
            words[np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))] = list(vocabulary)
            self._words[block] = words
        return self._words[block]

    def __call__(self, columns) -> list[str]:
        starts = [start for start, _, _ in self.blocks]
        names = []
        for column in np.asarray(columns, dtype=np.int64).tolist():
            block = int(np.searchsorted(starts, column, side="right")) - 1
            start, prefix, vocabulary = self.blocks[block]
            local = column - start
            names.append(INDICATOR_NAMES[local] if vocabulary is None else prefix + self._block_words(block)[local])
        return names
