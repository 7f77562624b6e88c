"""Lexicons: what a list is about, as readable data (a YAML file), one record per term.

Read by ``bot train`` (the file the config names, or the one it learned, see
``topic.py``) and stored in the model's metadata.  A lexicon has two roles of
terms: *method* (what every listed paper uses, e.g. diffusion models) and
*domain* (where, e.g. medical imaging).  Each term is a mapping:

    - phrase: diffusion               # the words as papers write them
      variants: [diffusion model]     # other phrases that count as this term (tried first)
      suffixes: [s]                   # endings the last word may take ("diffusion models")
      not_preceded_by: [thermal]      # words that may not stand right before it
      not_followed_by: [time, rate]   # words that may not follow it
      confounders: [diffusion MRI, reaction-diffusion, DWI]   # look-alikes, written once:
                                      # the term never matches inside one, and each one found
                                      # counts for the confounder feature
      matches: [latent diffusion models]    # examples the term must match ...
      rejects: [diffusion MRI of the brain] # ... and must not (checked by the tests)

Phrase syntax, the same everywhere (phrases, variants, confounders, the word
lists): a space also matches a hyphen ("score based" = "score-based"); a word
ending in ``*`` matches any ending ("radiolog*": radiology, radiologist); a
word with a capital after its first letter (an acronym: ``MRI``, ``fMRI``,
``DiT``, ``H&E``) is matched case-sensitively, every other word ignores case.
No regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from .errors import LexiconError
from .files import load_yaml, no_day

ROLES = ("method", "domain")
LISTS = ("variants", "suffixes", "not_preceded_by", "not_followed_by", "confounders", "matches", "rejects")
PHRASE = re.compile(r"^[\w&'.+/]+\*?(?:[\s-]+[\w&'.+/]+\*?)*$")


@dataclass(frozen=True)
class Term:
    phrase: str
    variants: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    not_preceded_by: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()
    confounders: tuple[str, ...] = ()
    matches: tuple[str, ...] = ()
    rejects: tuple[str, ...] = ()
    why: str = ""  # for learned terms: the evidence (shown to maintainers, not used)

    def as_dict(self) -> dict:
        """The YAML mapping of the term: only the keys that are set, in a fixed order."""
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in asdict(self).items() if value}


@dataclass(frozen=True)
class Lexicon:
    method: tuple[Term, ...]
    domain: tuple[Term, ...] = ()
    topic: str = ""
    source: str = ""  # "hand-written" or how it was learned

    def as_dict(self) -> dict:
        out: dict = {}
        if self.topic:
            out["topic"] = self.topic
        if self.source:
            out["source"] = self.source
        for role in ROLES:
            out[role] = [term.as_dict() for term in getattr(self, role)]
        return out

    def terms(self):
        """(role, index, term) for every term."""
        for role in ROLES:
            for index, term in enumerate(getattr(self, role)):
                yield role, index, term

    def confounders(self) -> list[str]:
        return [c for _, _, term in self.terms() for c in term.confounders]


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise LexiconError(f"{where}: expected a list of phrases")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _check_phrase(text: str, where: str) -> None:
    if not PHRASE.match(text):
        raise LexiconError(f"{where}: {text!r} is not a phrase (words, spaces or hyphens; '*' only at a word's end; "
                           "no regular expressions)")


def _term(raw, where: str) -> Term:
    if isinstance(raw, str):
        raw = {"phrase": raw}
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: expected a mapping with at least 'phrase'")
    known = {f.name for f in fields(Term)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise LexiconError(f"{where}: unknown key '{unknown[0]}'", f"known keys: {', '.join(sorted(known))}")
    phrase = raw.get("phrase")
    if not isinstance(phrase, str) or not phrase.strip():
        raise LexiconError(f"{where}.phrase: missing or empty")
    values = {key: _strings(raw.get(key), f"{where}.{key}") for key in LISTS}
    _check_phrase(phrase.strip(), f"{where}.phrase")
    for key in ("variants", "not_preceded_by", "not_followed_by", "confounders"):
        for index, text in enumerate(values[key]):
            _check_phrase(text, f"{where}.{key}[{index}]")
    for index, suffix in enumerate(values["suffixes"]):
        if not re.fullmatch(r"\w+", suffix):
            raise LexiconError(f"{where}.suffixes[{index}]: {suffix!r} is not a word ending (e.g. s, es)")
    why = raw.get("why") or ""
    return Term(phrase=phrase.strip(), why=str(why), **values)


def from_dict(raw, where: str = "lexicon") -> Lexicon:
    """A validated lexicon from its YAML mapping; errors name the file, the role and the term."""
    if not isinstance(raw, dict):
        raise LexiconError(f"{where}: expected a mapping with 'method' (and 'domain') terms")
    unknown = sorted(set(raw) - {"topic", "source", *ROLES})
    if unknown:
        raise LexiconError(f"{where}: unknown key '{unknown[0]}'", "a lexicon has topic, source, method, domain")
    roles = {}
    for role in ROLES:
        items = raw.get(role) or []
        if not isinstance(items, list):
            raise LexiconError(f"{where}: '{role}' must be a list of terms")
        roles[role] = tuple(_term(item, f"{where}: {role}[{index}]") for index, item in enumerate(items))
    if not roles["method"]:
        raise LexiconError(f"{where}: no 'method' terms", "list at least one phrase that marks the list's papers")
    return Lexicon(roles["method"], roles["domain"], str(raw.get("topic") or ""), str(raw.get("source") or ""))


def load(path: str | Path) -> Lexicon:
    """Read and validate a lexicon YAML file."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"lexicon file {path} not found",
                           "fix classifier.lexicon in the config, or remove it to learn the topic") from None
    except OSError as exc:
        raise LexiconError(f"cannot read lexicon file {path}: {exc.strerror}") from None
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise LexiconError(f"{path}: bad YAML{at}: {getattr(exc, 'problem', None) or 'invalid YAML'}") from None
    except ValueError:  # a date that is no day: YAML names neither the line nor the value
        raise LexiconError(f"{path}: bad YAML{no_day(text) or ': a value YAML cannot read'}",
                           'quote the value ("2025-13-01")') from None
    return from_dict(raw, str(path))


HEADER = """\
# {title}
# {source}
# Edit it freely and name it in the config (classifier.lexicon) to use your version; the format is
# described in classifier/lexicon.py.  A space in a phrase also matches a hyphen, "word*" matches any
# ending, a word with a capital after its first letter (MRI, DiT) is matched case-sensitively.
#   method: what every listed paper uses; domain: where it is used; confounders: look-alikes.
"""


def dump(lexicon: Lexicon) -> str:
    """The lexicon as YAML text with a short header (lists of words on one line each)."""
    import yaml

    body = yaml.safe_dump(lexicon.as_dict(), sort_keys=False, allow_unicode=True, width=110,
                          default_flow_style=None)
    title = f"Lexicon: {lexicon.topic}" if lexicon.topic else "Lexicon"
    return HEADER.format(title=title, source=lexicon.source or "hand-written") + body


def describe(lexicon: Lexicon, most: int = 15) -> list[str]:
    """Lines that show a lexicon to a person: its topic, method terms with look-alikes, domain terms.

    Example: print("\\n".join(describe(load("lexicon.yaml"))))
    """
    out = [f"topic: {lexicon.topic or '-'} ({lexicon.source or 'hand-written'})"]
    for term in lexicon.method:
        extra = f"; variants: {', '.join(term.variants)}" if term.variants else ""
        out.append(f"  method      {term.phrase}{extra}")
        if term.confounders:
            out.append(f"  look-alikes {', '.join(term.confounders)}")
    domain = [t.phrase for t in lexicon.domain]
    more = f" and {len(domain) - most} more" if len(domain) > most else ""
    out.append(f"  domain      {', '.join(domain[:most]) or '-'}{more}")
    return out
