"""Counting words of a list against the background: grams of a text, the background's document
sets, and how surely a gram is typical of the list (weighted log-odds with an informative Dirichlet
prior).  The statistics under a learned topic (``topic``, ``domain``).

Example: log_odds_z(40, 100, 50, 10000) > 3 > log_odds_z(2, 100, 50, 10000)
"""

from __future__ import annotations

import math
import re

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

WORD = re.compile(r"[^\W_]+")
STOP = frozenset(ENGLISH_STOP_WORDS) | {"using", "based", "via", "towards", "toward", "new", "novel", "study",
                                        "approach", "method", "methods", "paper", "results", "propose", "proposed"}
PRIOR_DOCS = 100.0  # strength of the informative Dirichlet prior (the gram's pooled rate), in documents


def text_grams(text: str) -> tuple[list[str], set[str]]:
    """(surface words, word and adjacent-word-pair grams without stop words) of a text."""
    words = WORD.findall(text)
    lower = [w.lower() for w in words]
    grams = {w for w in lower if len(w) > 1 and w not in STOP and not w.isdigit()}
    grams.update(f"{a} {b}" for a, b in zip(lower, lower[1:])
                 if a not in STOP and b not in STOP and not a.isdigit() and not b.isdigit())
    return words, grams


class Background:
    """Document sets of the background (title + abstract), computed once per word."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        self.vectorizer = CountVectorizer(token_pattern=r"(?u)\b\w+\b", binary=True, min_df=2, dtype=np.int8)
        self.X = self.vectorizer.fit_transform(texts).tocsc()
        self.vocabulary = self.vectorizer.vocabulary_
        self._cache: dict[str, np.ndarray] = {}

    def docs(self, gram: str) -> np.ndarray:
        """Boolean mask of the background papers that contain the word or word pair."""
        if gram in self._cache:
            return self._cache[gram]
        words = gram.split()
        masks = []
        for word in words:
            column = self.vocabulary.get(word)
            mask = np.zeros(len(self.texts), dtype=bool)
            if column is not None:
                mask[self.X.indices[self.X.indptr[column]:self.X.indptr[column + 1]]] = True
            masks.append(mask)
        found = np.logical_and.reduce(masks)
        if len(words) > 1 and found.any():
            pattern = re.compile(r"(?<!\w)" + r"[\s\-]+".join(map(re.escape, words)) + r"(?!\w)", re.I)
            for index in np.nonzero(found)[0]:
                found[index] = bool(pattern.search(self.texts[index]))
        self._cache[gram] = found
        return found


def log_odds_z(k_list: int, n_list: int, k_back: int, n_back: int, prior: float = PRIOR_DOCS) -> float:
    """How surely a gram is more typical of the list than of the background: the weighted log-odds
    ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), as a z-score, on
    document counts (``k`` of ``n`` documents name the gram).  The prior is the gram's pooled rate
    over ``prior`` documents: a gram of two entries cannot outweigh one of fifty.

    Example: log_odds_z(40, 100, 50, 10000) > 3 > log_odds_z(2, 100, 50, 10000)
    """
    rate = (k_list + k_back) / max(n_list + n_back, 1)
    alpha = prior * rate
    inside = math.log((k_list + alpha) / max(n_list - k_list + prior - alpha, 1e-9))
    outside = math.log((k_back + alpha) / max(n_back - k_back + prior - alpha, 1e-9))
    return (inside - outside) / math.sqrt(1 / (k_list + alpha) + 1 / (k_back + alpha))
