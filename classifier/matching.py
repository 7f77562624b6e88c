"""Matching a lexicon in paper texts: the counts behind the indicator features and weak labels.

Runs inside feature extraction (training and prediction).  Each term becomes a
pattern built from its phrase syntax (see ``lexicon.py``); nobody writes or
reads these patterns.  To stay cheap on 20,000 abstracts, a text is first cut
into words and only the terms whose first word occurs in it are searched.

The rules, per term:
- a match inside one of the term's confounders does not count;
- a match right after a ``not_preceded_by`` word or before a ``not_followed_by``
  word does not count;
- a single-word match ("diffusion") does not count for the method when the same
  text names one of the term's confounders containing that word ("diffusion
  MRI"): the bare word is then ambiguous;
- a domain word written in capitals inside a name (HEART, BRAIN-X) does not
  count, unless the term is an acronym;
- domain terms count once per distinct word, method terms and confounders per
  occurrence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from .lexicon import Lexicon, Term, from_dict

SEPARATOR = " \u2016 "  # between title and abstract in a paper's text; never in arXiv text
TOKEN = re.compile(r"\w+")
GAP = r"[\s\-\u2010\u2011]+"  # a space or a hyphen between the words of a phrase
ACRONYM_MIN = 4  # a capitalised word of 4+ letters is a name, not a domain word (HEART, BRAIN)


def split_text(text: str) -> tuple[str, str]:
    title, _, abstract = text.partition(SEPARATOR)
    return title, abstract


def _word(word: str) -> tuple[str, str, bool]:
    """(lowercase pattern, original-case pattern, case-sensitive) of one word of a phrase."""
    wildcard = word.endswith("*")
    core = word[:-1] if wildcard else word
    sensitive = any(ch.isupper() for ch in core[1:])
    tail = r"\w*" if wildcard else ""
    return re.escape(core.lower()) + tail, re.escape(core) + tail, sensitive


def _alternative(phrase: str, suffixes: Sequence[str] = ()) -> tuple[str, str | None]:
    """The patterns of one phrase: for the lowercased text, and for the original text when
    the phrase has an acronym (else None)."""
    words = [w for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    lower, exact = [], []
    for i, word in enumerate(words):
        low, orig, sensitive = _word(word)
        if i == len(words) - 1 and suffixes and not word.endswith("*"):
            ending = "(?:" + "|".join(re.escape(s) for s in sorted(suffixes, key=len, reverse=True)) + ")?"
            low, orig = low + ending, orig + ending
        lower.append(low)
        exact.append(orig if sensitive else f"(?i:{low})")
    sensitive = any(any(ch.isupper() for ch in w.rstrip("*")[1:]) for w in words)
    return GAP.join(lower), (GAP.join(exact) if sensitive else None)


def tokens(lower: str) -> set[str]:
    """The words of a lowercased text, cut at spaces and punctuation (cheaper than a regex)."""
    return set(lower.translate(_PUNCTUATION).split())


_PUNCTUATION = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u2010\u2011\u2012\u2013"
                              "\u2014\u2016\u2018\u2019\u201c\u201d\u2026\u00b7\u2022\u00a0"})


def _first_token(phrase: str) -> tuple[str, bool]:
    """The first word of a phrase as a token of a lowercased text: (token, is a prefix)."""
    first = re.split(r"[\s\-]+", phrase.strip())[0]
    token = (first.rstrip("*").lower().translate(_PUNCTUATION).split() or [""])[0]
    return token, first.endswith("*") and token == first[:-1].lower()


def _neighbours(words: Sequence[str], before: bool) -> str | None:
    """A pattern for 'one of these words right before / right after' a match (original text)."""
    if not words:
        return None
    body = "|".join(exact or f"(?i:{low})" for low, exact in (_alternative(w) for w in words))
    return rf"(?<!\w)(?:{body}){GAP}$" if before else rf"{GAP}(?:{body})(?!\w)"


@dataclass
class _Unit:
    """The phrases of one term (or of its confounders) that start with the same word: one
    pattern with that word as a literal prefix (fast to search), run on the lowercased text,
    and a check of the original case when some phrase has an acronym.  Each is compiled when
    first searched: a text triggers few units, and `bot classify <id>` reads one text."""
    kind: str  # "term" or "confounder"
    term: int
    source: str
    verify_source: str | None

    @cached_property
    def pattern(self) -> re.Pattern:
        return re.compile(self.source)

    @cached_property
    def verify(self) -> re.Pattern | None:
        return None if self.verify_source is None else re.compile(self.verify_source)


def _unit(kind: str, term: int, alternatives: list[tuple[str, str | None]], head: str) -> _Unit:
    rests = sorted({low[len(head):] for low, _ in alternatives}, key=lambda r: (-r.count("[\\s"), -len(r)))
    pattern = head + "(?:" + "|".join(rests) + r")(?!\w)"
    verify = None
    if any(exact for _, exact in alternatives):
        body = "|".join(sorted({exact or f"(?i:{low})" for low, exact in alternatives}, key=len, reverse=True))
        verify = f"(?:{body})(?!\\w)"
    return _Unit(kind, term, pattern, verify)


class Matcher:
    """A compiled lexicon.  ``counts(text)`` is memoised per text."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.terms: list[tuple[str, Term]] = [(role, term) for role, _, term in lexicon.terms()]
        self.units: list[_Unit] = []
        self._exact_triggers: dict[str, set[int]] = {}
        prefixes: dict[str, set[int]] = {}
        self._before: list[str | None] = []  # pattern sources, compiled when first needed (``_neighbour``)
        self._after: list[str | None] = []
        self._compiled: dict[str, re.Pattern] = {}
        for index, (_, term) in enumerate(self.terms):
            for kind, phrases in (("term", [(p, term.suffixes) for p in (term.phrase, *term.variants)]),
                                  ("confounder", [(c, ()) for c in term.confounders])):
                groups: dict[tuple[str, bool], list] = {}
                for phrase, suffixes in phrases:
                    token, prefix = _first_token(phrase)
                    groups.setdefault((token, prefix), []).append((phrase, suffixes))
                for (token, prefix), members in groups.items():
                    alternatives = [_alternative(p, s) for p, s in members]
                    unit = len(self.units)
                    self.units.append(_unit(kind, index, alternatives, re.escape(token)))
                    if prefix:
                        prefixes.setdefault(token, set()).add(unit)
                        continue
                    for phrase, suffixes in members:
                        one_word = len(re.split(r"[\s\-]+", phrase.strip())) == 1
                        for ending in ("", *(suffixes if one_word else ())):
                            self._exact_triggers.setdefault(token + ending.lower(), set()).add(unit)
            self._before.append(_neighbours(term.not_preceded_by, True))
            self._after.append(_neighbours(term.not_followed_by, False))
        self._prefixes = prefixes
        self._prefix_pattern = re.compile("|".join(sorted(map(re.escape, prefixes), key=len, reverse=True))) \
            if prefixes else None
        self._seen: set[str] = set()
        self._hits: set[str] = set()
        self._memo: dict[str, frozenset[int]] = {}
        self._cache: dict[str, tuple[int, ...]] = {}

    def _neighbour(self, source: str | None) -> re.Pattern | None:
        if source is None:
            return None
        if source not in self._compiled:
            self._compiled[source] = re.compile(source)
        return self._compiled[source]

    def _units_of(self, token: str) -> set[int]:
        units: set[int] = set()
        for piece in ((token,) if token.isalnum() else TOKEN.findall(token)):
            units.update(self._exact_triggers.get(piece, ()))
            if self._prefix_pattern is not None and self._prefix_pattern.match(piece):
                for prefix, members in self._prefixes.items():
                    if piece.startswith(prefix):
                        units.update(members)
        return units

    def _triggered(self, lower: str) -> set[int]:
        found_tokens = tokens(lower)
        new = found_tokens - self._seen
        if new:
            for token in new:
                if (units := self._units_of(token)):
                    self._memo[token] = frozenset(units)
                    self._hits.add(token)
            self._seen |= new
        found = found_tokens & self._hits
        return set().union(*(self._memo[t] for t in found)) if found else set()

    def _scan_part(self, text: str) -> tuple[dict[int, list[tuple[int, int, str]]], dict[int, list[tuple[int, int, str]]]]:
        """(term matches, confounder matches) by term index: lists of (start, end, original text)."""
        lower = text.lower()
        if len(lower) != len(text):  # a few characters change length when lowercased: keep positions
            lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        terms: dict[int, list] = {}
        confounders: dict[int, list] = {}
        for unit_index in sorted(self._triggered(lower)):
            unit = self.units[unit_index]
            found = confounders if unit.kind == "confounder" else terms
            for m in unit.pattern.finditer(lower):
                start, end = m.span()
                if start and (lower[start - 1].isalnum() or lower[start - 1] == "_"):
                    continue  # inside a word
                if unit.verify is not None:
                    checked = unit.verify.match(text, start)
                    if checked is None:
                        continue  # an acronym in the wrong case
                    end = checked.end()
                original = text[start:end]
                if unit.verify is None and unit.kind == "term" and self.terms[unit.term][0] == "domain" \
                        and len(original) >= ACRONYM_MIN and original.isupper():
                    continue  # HEART, BRAIN-X: a name written in capitals
                found.setdefault(unit.term, []).append((start, end, original))
        for found in (terms, confounders):
            for index, spans in found.items():
                found[index] = _longest_first(spans)
        for index, spans in list(terms.items()):
            blocked = confounders.get(index, [])
            before, after = self._neighbour(self._before[index]), self._neighbour(self._after[index])
            kept = [(s, e, t) for s, e, t in spans
                    if not any(s < ce and cs < e for cs, ce, _ in blocked)
                    and not (before and before.search(text, max(0, s - 60), s))
                    and not (after and after.match(text, e))]
            if kept:
                terms[index] = kept
            else:
                del terms[index]
        return terms, confounders

    def scan(self, text: str) -> list[dict[str, list[tuple[int, str]]]]:
        """Per part (title, abstract): {'method'|'domain'|'confounder': [(term index, matched text)]},
        with the ambiguity rule applied to single-word method matches."""
        scanned = [self._scan_part(part) for part in split_text(text)]
        ambiguous: dict[int, set[str]] = {}
        for _, confounders in scanned:
            for index, spans in confounders.items():
                ambiguous.setdefault(index, set()).update(
                    w for _, _, t in spans for w in re.split(r"[\s\-]+", t.lower()))
        out = []
        for terms, confounders in scanned:
            part: dict[str, list[tuple[int, str]]] = {"method": [], "domain": [], "confounder": []}
            for index, spans in terms.items():
                role = self.terms[index][0]
                for _, _, found in spans:
                    if role == "method" and found.lower() in ambiguous.get(index, ()):
                        continue
                    part[role].append((index, found))
            part["confounder"] = [(index, t) for index, spans in confounders.items() for _, _, t in spans]
            out.append(part)
        return out

    def counts(self, text: str) -> tuple[int, ...]:
        """(method in title, in abstract, domain in title, in abstract, confounders in title, in abstract)."""
        cached = self._cache.get(text)
        if cached is None:
            parts = self.scan(text)
            cached = tuple(len(p["method"]) for p in parts) + \
                tuple(len({t.lower() for _, t in p["domain"]}) for p in parts) + \
                tuple(len(p["confounder"]) for p in parts)
            if len(self._cache) > 300_000:
                self._cache.clear()
            self._cache[text] = cached
        return cached

    def example_failures(self, role: str, index: int) -> list[str]:
        """What is wrong with the examples of one term: a `matches` example it does not match,
        a `rejects` example it matches (an empty list: all good)."""
        flat = [i for i, (r, _) in enumerate(self.terms) if r == role][index]
        term = self.terms[flat][1]
        problems = []
        for example, wanted in [(e, True) for e in term.matches] + [(e, False) for e in term.rejects]:
            found = any(i == flat for part in self.scan(example) for i, _ in part[role])
            if found != wanted:
                problems.append(f"{role} term {term.phrase!r} {'does not match' if wanted else 'matches'} "
                                f"its example {example!r}")
        return problems


def _longest_first(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping spans, the longest winning at each place."""
    kept: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


@lru_cache(maxsize=8)
def _matcher(key: str) -> Matcher:
    return Matcher(from_dict(json.loads(key)))


def matcher(lexicon: Lexicon | dict) -> Matcher:
    """The compiled matcher of a lexicon (or its dict form), shared by every caller in the process."""
    raw = lexicon.as_dict() if isinstance(lexicon, Lexicon) else lexicon
    return _matcher(json.dumps(raw, sort_keys=True))


def role_counts(texts: Sequence[str], lexicon: Lexicon | dict) -> np.ndarray:
    """Per text: the six counts of ``Matcher.counts`` as a float array of shape (n, 6)."""
    compiled = matcher(lexicon)
    return np.array([compiled.counts(text) for text in texts], dtype=np.float64).reshape(len(texts), 6)
