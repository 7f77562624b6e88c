"""The small pieces every list format is made of: arXiv ids, dates, venues, links, titles.

Used by the list model (``awesome`` and the entry shapes) to read fields out of
Markdown, and by ``render`` to write them back *in the same style*: a
:class:`DateFormat` or :class:`VenueFormat` is learned from one example
(``"2025.03.04"``, ``"Mar., 2025"``, ``"[arXiv, 2025]"``, ``"ICCV'25"``) and
formats any other value the same way.  Pure functions, no I/O.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

from classifier.titles import title_key as normalize_title  # noqa: F401  (one key, shared with the classifier)

MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_FULL = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
DATE_TEXT = re.compile(r"^\s*(\d{1,2})\s*(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?\s*,?\s*(\d{4})\s*$")
MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
# dates as lists write them: 2025.03.04, 2025-03, 2025/3, Mar., 2025, March 2025, 4 Mar 2025, 3rd Aug., 2023
DATE_ANY = re.compile(
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:" + MONTH_WORD + r")\.?,?\s*'?\d{2,4}"
    r"|(?:19|20)\d{2}[.\-/](?:0?[1-9]|1[0-2])(?:[.\-/](?:0?[1-9]|[12]\d|3[01]))?(?!\d)",
    re.IGNORECASE,
)
SHORT_LABELS = {
    "paper", "papers", "code", "codes", "pdf", "arxiv", "project", "projects", "github", "gitlab", "website",
    "web", "page", "homepage", "demo", "video", "videos", "slides", "dataset", "data", "blog", "poster",
    "openreview", "supp", "supplementary", "bibtex", "bib", "model", "models", "weights", "huggingface", "hf",
    "colab", "official", "unofficial", "pytorch", "tensorflow", "jax", "talk", "citation", "link", "url",
    "doi", "html", "abs", "abstract", "repo", "repository", "site", "youtube", "zhihu", "checkpoint",
    "leaderboard", "benchmark", "notes", "review", "springer", "ieee", "acm", "ieeexplore", "sciencedirect",
    "nature", "medium", "twitter", "x", "hugging", "space", "spaces", "diffusers", "replicate", "download",
}
CODE_HOSTS = re.compile(r"github\.com|gitlab\.com|huggingface\.co|bitbucket\.org|gitee\.com|codeberg\.org",
                        re.IGNORECASE)
CODE_WORDS = re.compile(r"\b(?:code|github|gitlab|pytorch|tensorflow|jax|implementation|repo|star)", re.IGNORECASE)
VENUE = re.compile(
    r"^(?P<name>(?:[A-Za-z][\w&+\-]*\.?)(?:[ \-][A-Za-z&][\w&+\-]*\.?){0,5}?)"
    r"(?P<sep>,\s*|\s+|\s*'|\s*’)(?P<year>(?:19|20)\d{2}(?:[.\-/]\d{1,2})?|\d{2})$"
)
ARXIV_NAME = re.compile(r"^arxiv$", re.IGNORECASE)


def parse_date(text: str | None) -> date | None:
    """A full date as lists write it: '3rd Aug, 2023', '21st Jun., 2023', '2025.03.04', '2025-03-04';
    None when unreadable or when the day is not given."""
    parts = date_parts(text)
    if parts is None or parts[2] is None:
        return None
    try:
        return date(*parts)
    except ValueError:
        return None


def date_parts(text: str | None) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) with what the text gives: '2025.03' → (2025, 3, None); None if not a date."""
    if not text:
        return None
    text = text.strip().strip("()[]").strip()
    match = DATE_TEXT.match(text)
    if match:
        month = MONTHS.get(match.group(2).lower())
        return (int(match.group(3)), month, int(match.group(1))) if month else None
    match = re.fullmatch(r"((?:19|20)\d{2})[.\-/](\d{1,2})(?:[.\-/](\d{1,2}))?", text)
    if match and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2)), int(match.group(3)) if match.group(3) else None
    match = re.fullmatch(r"(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([A-Za-z]+)\.?,?\s*(\d{4})", text)
    if match and match.group(2).lower() in MONTHS:
        return int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)) if match.group(1) else None
    match = re.fullmatch(r"(19|20)\d{2}", text)
    return (int(text), None, None) if match else None


def ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


@dataclass(frozen=True)
class DateFormat:
    """How one list writes a date, learned from an example (:meth:`of`) and applied to any date."""

    tokens: tuple[tuple[str, str], ...]  # (kind, text): kind in year4 year2 month monthname day ordinal lit

    @classmethod
    def of(cls, example: str) -> "DateFormat | None":
        if date_parts(example) is None:
            return None
        tokens = []
        for match in re.finditer(r"(\d+)(st|nd|rd|th)?|([A-Za-z]+)|([^\dA-Za-z]+)", example):
            number, suffix, word, other = match.groups()
            if other is not None:
                tokens.append(("lit", other))
            elif word is not None:
                tokens.append(("monthname", word) if word.lower() in MONTHS else ("lit", word))
            elif suffix:
                tokens.append(("ordinal", number))
            elif len(number) == 4:
                tokens.append(("year4", number))
            else:
                tokens.append(("num", number))
        numbers = [i for i, (kind, _) in enumerate(tokens) if kind == "num"]
        has_month_name = any(kind == "monthname" for kind, _ in tokens)
        for position, index in enumerate(numbers):  # after a 4-digit year: month then day; else day
            kind = "day" if has_month_name or position == 1 else "month"
            if not any(k == "year4" for k, _ in tokens[:index]):
                kind = "day" if has_month_name else kind
            tokens[index] = (kind, tokens[index][1])
        return cls(tuple(tokens))

    def format(self, value: date) -> str:
        out = []
        for kind, text in self.tokens:
            if kind == "year4":
                out.append(str(value.year))
            elif kind == "month":
                out.append(f"{value.month:0{len(text)}d}")
            elif kind == "day":
                out.append(f"{value.day:0{len(text)}d}")
            elif kind == "ordinal":
                out.append(ordinal(value.day))
            elif kind == "monthname":
                full = len(text) > 3 and text.lower() not in ("sept",)
                name = MONTH_FULL[value.month - 1] if full else MONTH_ABBR[value.month - 1]
                out.append(name.upper() if text.isupper() and len(text) > 1 else name)
            elif kind == "lit" and text.startswith(".") and out and out[-1] in ("May", "June", "July"):
                out.append(text[1:])  # 'May' is never abbreviated: no 'May.'
            else:
                out.append(text)
        return "".join(out)

    def signature(self) -> str:
        return "".join(kind if kind != "lit" else text for kind, text in self.tokens)


@dataclass(frozen=True)
class VenueFormat:
    """How one list writes a venue: 'arXiv 2025', 'arXiv, 2025', 'ICCV'25', 'Arxiv 2024.07', 'arXiv'."""

    sep: str | None  # between name and year; None: no year
    year: str  # the example's year text: its shape is copied (2025 / 25 / 2025.03)

    @classmethod
    def of(cls, example: str) -> "VenueFormat":
        match = VENUE.match(example.strip())
        if not match:
            return cls(None, "")
        return cls(match.group("sep"), match.group("year"))

    def format(self, name: str, when: date | None) -> str:
        if self.sep is None or when is None:
            return name
        if re.fullmatch(r"\d{2}", self.year):
            year = f"{when.year % 100:02d}"
        elif re.fullmatch(r"\d{4}[.\-/]\d{1,2}", self.year):
            year = f"{when.year}{self.year[4]}{when.month:0{len(self.year) - 5}d}"
        else:
            year = str(when.year)
        return f"{name}{self.sep}{year}"


def split_venue(venue: str | None) -> tuple[str | None, int | None]:
    """'MICCAI, 2025' → ('MICCAI', 2025); 'TMI' → ('TMI', None)."""
    if not venue:
        return None, None
    match = VENUE.match(venue.strip())
    if match and len(match.group("year")) >= 4:
        return match.group("name").strip(), int(match.group("year")[:4])
    return venue.strip(), None


def looks_like_venue(text: str) -> bool:
    """'ICCV 2023', 'arXiv, 2025', 'NeurIPS Workshop 2022', 'TPAMI', 'Arxiv 2024.07', "ICCV'25"."""
    text = text.strip()
    if VENUE.match(text):
        name = VENUE.match(text).group("name")
        return bool(re.search(r"[A-Z]{2}|arxiv|journal|conf|trans|proc|workshop|letters", name, re.IGNORECASE))
    return bool(re.fullmatch(r"(?:(?i:arxiv)|[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?:[ \-][A-Z][\w\-]*){0,3})", text)) \
        and len(text) <= 30 and not looks_like_authors(text)


def looks_like_authors(text: str) -> bool:
    """'Bin Xia et al.', 'A One, B Two', 'Zhu, Yun and Liu, Yinxiao'."""
    text = text.strip().strip("*_").strip()
    if any(ch.isdigit() for ch in text):
        return False
    if re.search(r"\bet\.?\s*al\b", text):
        return True
    names = [n.strip() for n in re.split(r",|\band\b|&", text) if n.strip()]
    if len(names) < 2 or any(ch.isdigit() for ch in text):
        return False
    return all(re.fullmatch(r"[A-Z\u00C0-\u024F][\w.'\-\u00C0-\u024F]*(?:\s+[\w.'\-\u00C0-\u024F]+){0,4}", n)
               for n in names)


def split_authors(text: str) -> list[str]:
    names = re.split(r",\s*(?:and\s+)?|\s+and\s+", text)
    return [n.strip() for n in names if n.strip() and n.strip() != "and"]


# A one-word title is a name: 'TextArena', 'MotionSwap', 'Shap-MeD', 'DiT-3D' (real arXiv titles);
# a plain word ('Implementations', 'Code', 'GitHub' as a link to code) is not.
ONE_WORD_TITLE = re.compile(r"[A-Z0-9][\w-]*[A-Z][\w-]*|[A-Z][a-z]+[A-Z][\w-]*|[A-Za-z]+-?\d+[\w-]*")
PAPER_URL = re.compile(r"https?://(?:www\.)?(?:arxiv\.org|doi\.org|openreview\.net)/", re.IGNORECASE)


def one_word_title(text: str, url: str | None = None) -> bool:
    """A single name-like word that is a paper's title: as plain text, or as the label of a link
    to the paper itself (arXiv, DOI, OpenReview) when ``url`` is given."""
    plain = re.sub(r"[*_`]", "", text).strip()
    if not ONE_WORD_TITLE.fullmatch(plain) or re.sub(r"[^\w]", "", plain.lower()) in SHORT_LABELS:
        return False
    return url is None or PAPER_URL.match(url.strip()) is not None


def title_like(label: str) -> bool:
    """A link label that is a paper's title rather than 'Paper', 'Code', '[CVPR 2025]'."""
    plain = re.sub(r"[*_`]", "", label).strip()
    words = plain.split()
    if not words or plain.startswith("!["):
        return False
    first = re.sub(r"[^\w]", "", words[0].lower())
    if len(words) <= 2 and (first in SHORT_LABELS or looks_like_venue(plain) or date_parts(plain)):
        return False
    return len(words) >= 3 or (len(words) == 2 and len(plain) >= 12) or ":" in plain


def short_title(label: str, url: str) -> bool:
    """A short label of a link to the paper itself that is its title ('DINT Transformer'), not a
    venue ('CVPR 2025'), a date or a label ('Paper PDF')."""
    plain = re.sub(r"[*_`]", "", label).strip()
    words = plain.split()
    return (PAPER_URL.match(url.strip()) is not None and len(words) == 2 and len(plain) >= 10
            and not VENUE.match(plain) and not date_parts(plain)
            and not any(re.sub(r"[^\w]", "", w.lower()) in SHORT_LABELS for w in words))


ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"}
NUMBER = re.compile(r"v?\d+[a-z]*")  # 2, 1000, 2d, 3d, v2: what tells parts, versions and dimensions apart


def _author_words(names) -> set[str]:
    return {w for name in names for w in normalize_title(name).split() if len(w) > 1 and w not in ("et", "al", "and")}


def has_authors(names) -> bool:
    """Whether an author list names anyone ('et al.' alone names no one).

    Example: has_authors(["Haodong Li"]) and not has_authors(["et al."])
    """
    return bool(_author_words(names))


def title_closeness(a: str, b: str, floor: float = 0.0) -> float:
    """How alike two title keys are (difflib's ratio, 0 to 1); 0 when under ``floor``, found by the
    cheap upper bounds first (a long list has thousands of titles to compare with).

    Example: title_closeness("diffusion models for ct", "diffusion model for ct") > 0.9
    """
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if floor and (matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor):
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= floor else 0.0


def same_authors(a, b) -> bool:
    """Whether two author lists (as written in a list or on arXiv: 'Haodong Li', 'H. Li', 'Li et al.')
    share half the names of the shorter one; True when either is empty (nothing to tell them apart).

    Example: same_authors(["Haodong Li", "Shuo Han"], ["H. Li", "S. Han"]) and not same_authors(["Zoe Other"], ["Li"])
    """
    ours, theirs = _author_words(a), _author_words(b)
    return not ours or not theirs or 2 * len(ours & theirs) >= min(len(ours), len(theirs))


def numbered_apart(a: str, b: str) -> bool:
    """Whether one title's number is another's in the other title: another part, edition or version
    of a series.  A number added ('(MICCAI 2025)') is a fixed title, not another paper.

    Example: numbered_apart("CT: Part I", "CT: Part 2") and not numbered_apart("CT: Part I", "CT (MICCAI 2025): Part 1")
    """
    ours, theirs = (_numbers(t) for t in (a, b))
    return bool(ours - theirs) and bool(theirs - ours)


def _numbers(title: str) -> set[str]:
    """The numbers of a title as words ('Part I' and 'Part 1' alike; '1,000' is 1000; '3D', 'v2')."""
    words = normalize_title(re.sub(r"(?<=\d),(?=\d{3}\b)", "", title)).split()
    return {ROMAN.get(w, w) for w in words if w in ROMAN or NUMBER.fullmatch(w)}
