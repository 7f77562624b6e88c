"""Entries written on one line (or one list item): bullets, numbered items, paragraphs, table rows.

Used by the list model while it reads a README.  An entry's raw text is cut
into :class:`Piece` s that cover it exactly (joining their ``text`` gives the
raw bytes back): literal markup, links, and the fields found between them
(title, authors, date, venue, an item number, text not understood).  The same
pieces, taken from a neighbour, are the template ``render`` fills to write a
new entry in that format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.base.ids import ARXIV_URL
from bot.lists.listfields import (
    CODE_HOSTS,
    CODE_WORDS,
    SHORT_LABELS,
    date_parts,
    looks_like_authors,
    looks_like_venue,
    one_word_title,
    short_title,
    title_like,
)

LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\((\s*)([^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(\s*)\)")
MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|(?P<number>\d{1,4})[.)])(?P<space>[ \t]+)(?=\S)")
PREFIX = re.compile(r"^(?P<open>(?:\*\*|__)?\\?[\[(【]\s*(?:\*\*|__|\*|_)?)(?P<core>[^\[\]()【】\n*\\]{1,40}?)"
                    r"(?P<close>(?:\*\*|__|\*|_)?\s*\\?[\])】](?:\*\*|__)?[ \t]*)")  # [CVPR 2025] **[X]** [**X**] (*X*) \[X\]
STRONG = re.compile(r"<br\s*/?>|\s*\|\s*|\s+[-–—]\s+|;\s*|\r?\n[ \t]*|\.?\s+(?=[(*_\[])|(?<=[)*])\s+")
WRAP = " \t*_`\"'“”()[],.:;-–—"
EMPTY = {"", "-", "—", "–", "nan", "n/a", "na", "/", "none", "tbd", "?", "x", "✗", "null", "--", "---", "…"}


@dataclass
class Piece:
    """A run of an entry's raw text.  kind: lit, title, authors, date, venue, link, number, acronym, text."""

    kind: str
    text: str
    role: str | None = None  # links: title, arxiv, paper, code, badge, other
    label: str = ""
    url: str = ""
    head: str = ""  # a link's text is head + label + mid + url + tail
    mid: str = ""
    tail: str = ""
    column: str | None = None  # tables: the role of the cell's column
    cell: int | None = None


@dataclass
class LineEntry:
    pieces: list[Piece]
    title: str
    fields: dict = field(default_factory=dict)


NOT_CODE = re.compile(r"\b(?:demos?|projects?|web ?pages?|web ?sites?|homepages?|pages?|sites?|hugging ?face|hf|datasets?|"
                      r"data|models?|weights|spaces?|blogs?|videos?|slides|posters?|checkpoints?|leaderboards?|bibtex|bib|"
                      r"citations?|cite|talks?|supp|supplementary|notes|reviews?|papers?|pdf)\b",
                      re.IGNORECASE)


def link_role(label: str, url: str) -> str:
    if label.startswith("!["):
        return "arxiv" if ARXIV_URL.search(url) else "badge"
    if ARXIV_URL.search(url):
        return "arxiv"
    if CODE_WORDS.search(label) or (CODE_HOSTS.search(url) and not NOT_CODE.search(label)):
        return "code"  # a 'Demo' or 'Webpage' link on github.com / huggingface.co is not the code
    if re.search(r"paper|pdf|openreview|doi|proceedings|article", label + " " + url, re.IGNORECASE):
        return "paper"
    return "other"


def tokenize(text: str) -> list[Piece]:
    """Split text into literal runs and links ([l](u), [[l](u)], [[l]](u), [![alt](img)](u))."""
    pieces: list[Piece] = []
    pos = 0
    for match in LINK.finditer(text):
        start, end = match.span()
        label, lead, url, trail = match.groups()
        head, mid, tail = "[", "](" + lead, trail + ")"
        if start > pos and text[start - 1] == "[" and text[end:end + 1] == "]" and not label.startswith("["):
            start, end, head, tail = start - 1, end + 1, "[[", tail + "]"
        elif label.startswith("[") and label.endswith("]") and not label.startswith("[["):
            label, head, mid = label[1:-1], "[[", "]" + mid
        image = start > pos and text[start - 1] == "!"
        if image:  # ![alt](img): a picture (a badge), not a link
            start, head = start - 1, "!" + head
        if start > pos:
            pieces.append(Piece("lit", text[pos:start]))
        role = "badge" if image else link_role(label, url)
        pieces.append(Piece("link", text[start:end], role=role, label=label, url=url,
                            head=head, mid=mid, tail=tail))
        pos = end
    if pos < len(text):
        pieces.append(Piece("lit", text[pos:]))
    return pieces


def _strip_wrappers(text: str) -> tuple[str, str, str]:
    core = text.strip(WRAP)
    if not core:
        return text, "", ""
    start = text.index(core)
    end = start + len(core)
    if core.endswith("\\") and end < len(text):  # an escaped character ('\*') belongs to the core
        end += 1
    return text[:start], text[start:end], text[end:]


def _classify(core: str) -> str:
    if date_parts(core):
        return "date"
    if looks_like_authors(core):
        return "authors"
    if looks_like_venue(core):
        return "venue"
    return "text"


ETAL = re.compile(r"(?<![\w*_])[A-Z][\w.'\-\u00C0-\u024F]*(?:,? [A-Z][\w.'\-\u00C0-\u024F]*){0,3} ([*_])et\.? ?al\.?\1")


def classify_lit(text: str) -> list[Piece]:
    """Fields in a literal run: date, venue, authors; unknown words become 'text'."""
    etal = ETAL.search(text)
    if etal:  # 'Peng *et al.*': one authors field
        return [*(classify_lit(text[:etal.start()]) if etal.start() else []), Piece("authors", etal.group(0)),
                *(classify_lit(text[etal.end():]) if etal.end() < len(text) else [])]
    out: list[Piece] = []
    pos = 0
    for match in list(STRONG.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        chunk = text[pos:end]
        if chunk:
            out += _chunk(chunk)
        if match:
            out.append(Piece("lit", match.group(0)))
            pos = match.end()
    return out


FIELD_LABEL = r"authors?|links?|papers?|codes?|pdf|venue|date|published|year"


def _chunk(chunk: str) -> list[Piece]:
    before, core, after = _strip_wrappers(chunk)
    if not core.strip(WRAP + "\\"):  # markup only: '\\] \\[' around links
        return [Piece("lit", chunk)]
    if re.fullmatch(FIELD_LABEL, core, re.IGNORECASE) and after.lstrip().startswith(":"):
        return [Piece("lit", chunk)]  # 'Links: ' before links
    if re.match(r"(?!arxiv)[A-Za-z][\w\-]*(?: [\w\-]+){0,2}\s*:\s", core, re.IGNORECASE) \
            and not re.match(FIELD_LABEL + r"\s*:", core, re.IGNORECASE):
        return [p for p in (Piece("lit", before), Piece("text", core), Piece("lit", after)) if p.text]  # 'Keyword: a, b'
    labelled = re.match(r"(" + FIELD_LABEL + r")(\s*:\s*)(\S.*)$", core, re.IGNORECASE | re.DOTALL)
    if labelled:  # 'Authors: A One, B Two'
        name, colon, rest = labelled.groups()
        kind = "authors" if name.lower().startswith("author") else _classify(rest)
        return [p for p in (Piece("lit", before + name + colon), Piece(kind, rest), Piece("lit", after)) if p.text]
    kind = _classify(core)
    if kind == "text" and "," in core:
        parts = re.split(r"(,\s*)", core)
        inner: list[Piece] = []
        for index, part in enumerate(parts):
            if index % 2:
                inner.append(Piece("lit", part))
            elif part:
                b, c, a = _strip_wrappers(part)
                inner += [p for p in (Piece("lit", b), Piece(_classify(c) if c else "lit", c), Piece("lit", a))
                          if p.text]
        if not any(p.kind == "text" for p in inner) or any(p.kind in ("date", "venue") for p in inner):
            return [p for p in (Piece("lit", before), *inner, Piece("lit", after)) if p.text]
    return [p for p in (Piece("lit", before), Piece(kind, core), Piece("lit", after)) if p.text]


def _split_lit(pieces: list[Piece], index: int, cut: int) -> None:
    """Split the literal piece at ``index`` at character ``cut``."""
    text = pieces[index].text
    pieces[index:index + 1] = [p for p in (Piece("lit", text[:cut]), Piece("lit", text[cut:])) if p.text]


def _title_from_text(pieces: list[Piece]) -> tuple[list[Piece], str] | None:
    """The title as plain text before the first link: 'Title [Paper](u)', '**Title**. [[Code]](u)'."""
    first = next((i for i, p in enumerate(pieces) if p.kind == "link"), None)
    if first is None or pieces[0].kind != "lit":
        return None
    links = [p for p in pieces if p.kind == "link"]
    if links[0].role != "badge" and title_like(links[0].label):
        return None  # 'Our survey: [A Long Title](url)' is prose about a paper, not an entry
    head = "".join(p.text for p in pieces[:first])
    segments = re.split(r"(<br\s*/?>|\r?\n[ \t]*)", head)
    words = [len(_strip_wrappers(s)[1].split()) if not i % 2 else 0 for i, s in enumerate(segments)]
    best = max(range(len(segments)), key=lambda i: words[i])
    core = _strip_wrappers(segments[best])[1]
    if re.fullmatch(r"[\W\d_]+", core) or (words[best] < 2 and not one_word_title(core)):
        return None
    out: list[Piece] = []
    title = ""
    for index, segment in enumerate(segments):
        if index % 2:
            out.append(Piece("lit", segment))
            continue
        before, core, after = _strip_wrappers(segment)
        if index == best:
            out += _title_segment(segment)
            title = next((p.text.strip() for p in out if p.kind == "title"), "")
        elif core and not title:
            out += [p for p in (Piece("lit", before), Piece("acronym", core), Piece("lit", after)) if p.text]
        elif core:
            out += [p for p in (Piece("lit", before), *classify_lit(core), Piece("lit", after)) if p.text]
        elif segment:
            out.append(Piece("lit", segment))
    if not title:
        return None
    return out + pieces[first:], title


NAMED_QUOTE = re.compile(r"^([ \t]*(?:\*\*|__)?)([^*_\"“:]{1,40}?)((?:\*\*|__)?\s*:\s*[\"“])([^\"“”]{3,}?)([\"”].*)$", re.DOTALL)


VENUE_TAIL = re.compile(r"\s*\((?P<bold>\*\*|__)?(?P<core>[^()*_]{2,40}?)(?P=bold)?\)\s*$")  # '(**arXiv'2401**)'
EMPTY_ANCHOR = re.compile(r"\s*<a\s+(?:name|id)=\"[^\"]*\"\s*>\s*</a\s*>\s*", re.IGNORECASE)  # a link target


def _title_segment(segment: str) -> list[Piece]:
    """'**Title** — Authors. ' / 'Title - Authors' / 'Title.': the title and the fields after it."""
    quoted = NAMED_QUOTE.match(segment)
    if quoted:  # '**DNAct**: "Diffusion Guided Multi-Task 3D Policy Learning", *arXiv Mar 2024*. '
        lead, name, colon, title, rest = quoted.groups()
        return [p for p in (Piece("lit", lead), Piece("acronym", name), Piece("lit", colon), Piece("title", title),
                            *classify_lit(rest)) if p.text]
    emphasis = re.match(r"^([ \t]*)(\*\*|__|\*|_|\"|“)(.+?)(?<!\\)(\*\*|__|\*|_|\"|”)(.*)$", segment, re.DOTALL)
    if emphasis and (len(emphasis.group(3).split()) >= 2 or one_word_title(emphasis.group(3))):
        lead, open_, core, close, rest = emphasis.groups()
        return [p for p in (Piece("lit", lead + open_), Piece("title", core), Piece("lit", close),
                            *classify_lit(rest)) if p.text]
    cut = re.search(r"\s+[-–—|]\s+", segment)
    head, rest = (segment[:cut.start()], segment[cut.start():]) if cut else (segment, "")
    venue = VENUE_TAIL.search(head)
    if venue and (venue.group("bold") or re.fullmatch(r"[A-Za-z][\w .&\-]*'?\s?\d{2,4}", venue.group("core"))):
        head, rest = head[:venue.start()], head[venue.start():] + rest  # 'Title (**CVPR'24**) '
    anchor = EMPTY_ANCHOR.match(head)
    lead = [Piece("lit", anchor.group(0))] if anchor else []  # '<a name="todo"></a> Title'
    head = head[anchor.end():] if anchor else head
    before, core, after = _strip_wrappers(head)
    return [p for p in (*lead, Piece("lit", before), Piece("title", core), Piece("lit", after), *classify_lit(rest))
            if p.text]


RATING = re.compile(r"((?:🌟|⭐|🔥|💥|❗|‼️|👍|🏆)+\uFE0F?[ \t]*)")  # a maintainer's mark on a paper: never copied
NAME_LEAD = re.compile(r"^(?P<a>[\s*_]*(?:[^\x00-\u2e7f][\s*_]*)*)(?P<name>[\w][\w.+'’\-]*(?: [\w.+'’\-]+){0,3}?)"
                       r"(?P<b>[*_]*\s*:[*_]*\s*)$")
PROSE = {"our", "my", "we", "this", "see", "check", "new", "out", "here", "read", "also", "the", "a", "an", "in",
         "on", "accepted", "paper", "papers", "survey"}


def _name_lead(text: str) -> list[Piece] | None:
    """'🌟 CPC: ' / 'Paper: ' before a title link: a paper's short name (an acronym) or a label."""
    match = NAME_LEAD.match(text)
    if not match:
        return None
    name = match.group("name")
    words = name.lower().split()
    if name.lower() in SHORT_LABELS or name.lower() in ("title", "paper title"):
        kind = "lit"
    elif len(words) > 3 or any(w in PROSE for w in words):
        return None  # 'Our survey paper on arXiv: [Title](url)' is prose about a paper
    else:
        kind = "acronym"
    return [p for p in (Piece("lit", match.group("a")), Piece(kind, name), Piece("lit", match.group("b"))) if p.text]


def analyse(pieces: list[Piece]) -> LineEntry | None:
    """Find the title and fields of one item's pieces (after its list marker); None if not an entry."""
    pieces = [Piece(p.kind, p.text, p.role, p.label, p.url, p.head, p.mid, p.tail) for p in pieces]
    if not any(p.kind == "link" for p in pieces):
        return None
    prefix: list[Piece] = []
    while pieces and pieces[0].kind == "lit":  # '[CVPR 2025] ', '[**Arxiv**] ', '[2503] [Q-Insight] '
        match = PREFIX.match(pieces[0].text)
        if not match:
            break
        core = match.group("core")
        kind = _classify(core.strip())
        rest = pieces[0].text[match.end():]
        if kind not in ("venue", "date"):
            # a month number or a short name after another prefix, before one more prefix or the title link
            # ('[2503] [Q-Insight] [Q-Insight: Understanding ...](url)'); a bracketed title stays a title
            followed = PREFIX.match(rest) or (not rest.strip() and len(pieces) > 1 and pieces[1].kind == "link"
                                              and title_like(pieces[1].label))
            if not (followed and len(core.split()) <= 3 and (re.fullmatch(r"\d{4}", core.strip()) or prefix)):
                break
            kind = "text" if re.fullmatch(r"\d{4}", core.strip()) else "acronym"
        prefix += [Piece("lit", match.group("open")), Piece(kind, core), Piece("lit", match.group("close"))]
        pieces = ([Piece("lit", rest)] if rest else []) + pieces[1:]
    if not pieces:
        return None
    lead = 0
    while lead < len(pieces) - 1 and (pieces[lead].role == "badge" or pieces[lead].kind == "lit" and not re.sub(
            r"[\s*_]|<br\s*/?>|[^\x00-\u2e7f]", "", pieces[lead].text)):
        lead += 1  # only badges ('![Star](shield) <br>'), emphasis, spaces or emoji before the first link
    if lead == 0 and len(pieces) > 1 and pieces[0].kind == "lit" and pieces[1].kind == "link":
        named = _name_lead(pieces[0].text)
        if named:  # 'CPC: [Title](url)', 'Paper: [Title](url)'
            pieces[0:1] = named
            lead = len(named)
    title = ""
    if lead < len(pieces) and pieces[lead].kind == "link" and pieces[lead].role != "badge" \
            and re.match(r"https?://", pieces[lead].url.strip()) \
            and (title_like(pieces[lead].label) or one_word_title(pieces[lead].label, pieces[lead].url)
                 or short_title(pieces[lead].label, pieces[lead].url)):
        pieces[lead].role, title = "title", " ".join(re.sub(r"[*_`]{2,}", "", pieces[lead].label).split())
        body = pieces
    else:
        found = _title_from_text(pieces)
        if found is None:
            return None
        body, title = found
    out = list(prefix)
    seen_title = False
    for piece in body:
        if piece.kind == "lit" and seen_title:
            out += classify_lit(piece.text)
        elif piece.kind == "lit" and RATING.search(piece.text):  # '🌟 ' marks a paper the maintainer rates
            out += [Piece("text" if RATING.fullmatch(part) else "lit", part)
                    for part in RATING.split(piece.text) if part]
        else:
            out.append(piece)
        seen_title = seen_title or piece.kind == "title" or piece.role == "title"
    return LineEntry(out, title, fields(out))


def fields(pieces: list[Piece]) -> dict:
    """title-independent fields of an entry's pieces: authors, date_text, venue, links."""
    found: dict = {"authors": [], "date_text": None, "venue": None, "links": {}}
    from bot.lists.listfields import split_authors

    for piece in pieces:
        if piece.kind == "authors" and not found["authors"]:
            found["authors"] = split_authors(re.sub(r"[*_]", "", piece.text).strip())
        elif piece.kind == "date" and found["date_text"] is None:
            found["date_text"] = piece.text.strip()
        elif piece.kind == "venue" and found["venue"] is None:
            found["venue"] = piece.text.strip()
        elif piece.kind == "link":
            label = "paper" if piece.role == "title" else re.sub(r"!\[([^\]]*)\].*", r"\1", piece.label).strip()
            found["links"].setdefault(label or piece.role or "link", piece.url.strip())
    return found


def is_empty_value(text: str) -> bool:
    return text.strip().strip("*_`").strip().lower() in EMPTY
