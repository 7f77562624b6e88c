"""Writing a new entry by example: the format of a section's recent entries, filled with a paper.

Used by ``render``.  The example is the entry whose *format signature* (its
shape, markup, link labels, date and venue style) is the most common among
the recent entries of the section; its pieces (see ``inline``) are the
template.  Fields the bot knows are replaced (title, authors, date, venue, the
arXiv link, the code link), what it cannot know (a project page, a star
rating, an institution column) is dropped or written the way the list writes
unknown values.  Untrusted text goes through ``markdown_text``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from .awesome import AwesomeList, Entry
from .inline import Piece, is_empty_value
from .listfields import ARXIV_URL, DateFormat, VenueFormat, split_venue
from .text import markdown_text

RECENT = 8
SEPARATOR_ONLY = re.compile(r"^[ \t|,;/·•\-–—]*$")


def signature(entry: Entry) -> tuple:
    """What makes two entries look alike: shape, markup, link labels, date and venue style."""
    out: list = [entry.shape]
    for piece in entry.pieces:
        if piece.kind == "lit":
            out.append(piece.text.count("|") if entry.shape == "table" else " ".join(piece.text.split()))
        elif piece.kind == "link":
            out.append(("link", piece.role, "" if piece.role == "title" else piece.label.lower()))
        elif piece.kind == "date":
            found = DateFormat.of(piece.text)
            out.append(("date", found.signature() if found else "?"))
        elif piece.kind == "venue":
            out.append(("venue", VenueFormat.of(piece.text).sep))
        elif piece.kind != "text":
            out.append(piece.kind)
    return tuple(out)


def recent(entries: list[Entry], order: str) -> list[Entry]:
    """The section's most recent entries, most recent first."""
    return list(reversed(entries))[:RECENT] if order == "asc" else entries[:RECENT]


def example(document: AwesomeList, entries: list[Entry], order: str) -> Entry | None:
    """The entry whose format a new entry copies: the majority signature among the recent ones."""
    pool = recent(entries, order) or document.entries[:RECENT * 4]
    usable = [e for e in pool if e.pieces and any(p.kind == "title" or p.role == "title" for p in e.pieces)]
    if not usable:
        return None
    votes = Counter(signature(e) for e in usable)
    best = max(votes.values())
    return next(e for e in usable if votes[signature(e)] == best)


def _arxiv_url(example_url: str, paper_id: str) -> str:
    """The arXiv link in the list's own style (abs or pdf, http or https, '.pdf' suffix or not)."""
    match = ARXIV_URL.search(example_url or "")
    if not match:
        return f"https://arxiv.org/abs/{paper_id}"
    prefix = example_url[:match.start()].strip()
    kind = re.match(r"arxiv\.org/(abs|pdf|html)/", match.group(0), re.IGNORECASE).group(1)
    rest = example_url[match.end():].strip()
    suffix = ".pdf" if rest.startswith(".pdf") else ""
    return f"{prefix or 'https://'}arxiv.org/{kind}/{paper_id}{suffix}"


def _authors(example: str, names: list[str]) -> str:
    if not names:
        return ""
    etal = re.search(r"(,?\s*et\.?\s*al\.?)\s*$", example)
    if etal:
        shown = len([n for n in re.split(r",|\band\b", example[:etal.start()]) if n.strip()]) or 1
        if len(names) > shown:
            return markdown_text(", ".join(names[:shown])) + etal.group(1)
    if re.search(r",\s*and\s+\S+\s*$", example) and len(names) > 2:
        return markdown_text(", ".join(names[:-1]) + ", and " + names[-1])
    if re.search(r"\sand\s+\S+\s*$", example) and "," not in example.rsplit(" and ", 1)[-1] and len(names) > 1:
        return markdown_text(", ".join(names[:-1]) + " and " + names[-1])
    return markdown_text(", ".join(names))


def arxiv_spelling(document: AwesomeList) -> str:
    spellings = Counter(m.group(0) for e in document.entries for m in re.finditer(r"arxiv", e.venue or "", re.I))
    return spellings.most_common(1)[0][0] if spellings else "arXiv"


def unknown_value(document: AwesomeList, column: str | None, cell: int | None) -> str:
    """How the list writes a value it does not know in this column ('-', 'nan', 'N/A', or nothing)."""
    def empties(entries):
        return Counter(p.text for e in entries for p in e.pieces if p.kind == "empty" and p.cell == cell)

    found = empties(document.entries) or Counter(p.text for e in document.entries for p in e.pieces
                                                 if p.kind == "empty")
    return found.most_common(1)[0][0] if found else ("-" if column not in ("code", "other") else "")


def _venue(document: AwesomeList, example_text: str, paper, piece: Piece) -> str | None:
    name, year = split_venue(paper.venue)
    when = paper.date
    if name is None:
        spelled = [e.venue for e in document.entries if e.venue and re.search("arxiv", e.venue, re.I)]
        if piece.column is not None and not spelled:
            return None  # this column never names arXiv: a preprint has no venue here
        name = arxiv_spelling(document)
    elif year and (when is None or when.year != year):
        when = date(year, 1, 1)
    return markdown_text(VenueFormat.of(example_text).format(name, when))


def _short_name(title: str) -> str:
    head = title.split(":", 1)[0].strip()
    return head if ":" in title and len(head.split()) <= 4 else " ".join(title.split()[:1])


def fill(document: AwesomeList, entry: Entry, paper, newline: str, number: int | None = None) -> str:
    """The example entry's text with the paper's fields in place of its own."""
    has_arxiv = any(p.kind == "link" and p.role in ("title", "arxiv") for p in entry.pieces)
    out: list[tuple[Piece, str | None]] = []  # (template piece, text or None when dropped)
    code_done = False
    for piece in entry.pieces:
        text: str | None = piece.text
        if piece.kind == "lit":
            text = re.sub(r"\r?\n", newline, piece.text)
        elif piece.kind == "title":
            text = markdown_text(paper.title)
        elif piece.kind == "acronym":
            text = markdown_text(_short_name(paper.title))
        elif piece.kind == "authors":
            text = _authors(piece.text, list(paper.authors)) or None
        elif piece.kind == "date":
            style = DateFormat.of(piece.text)
            text = style.format(paper.date) if style and paper.date else None
        elif piece.kind == "venue":
            text = _venue(document, piece.text, paper, piece)
        elif piece.kind == "number":
            text = str(number) if number is not None else piece.text
        elif piece.kind == "text":
            text = None
        elif piece.kind == "link":
            text = _link(piece, paper, has_arxiv)
            if piece.role in ("title", "arxiv") or (piece.role == "paper" and not has_arxiv):
                has_arxiv = True
                if paper.code_url and not code_done and not any(p.role == "code" for p in entry.pieces):
                    out.append((piece, text))
                    text = _code_link(document, piece, paper.code_url)
            code_done = code_done or (piece.role == "code" and text is not None)
        out.append((piece, text))
    if entry.shape == "table":
        return _table(document, entry, out) + newline
    return _join(out, newline)


def _link(piece: Piece, paper, has_arxiv: bool) -> str | None:
    url = _arxiv_url(piece.url.strip(), paper.id)
    if piece.role == "title":
        return f"{piece.head}{markdown_text(paper.title)}{piece.mid}{url}{piece.tail}"
    if piece.role == "arxiv":
        label = re.sub(r"\d{4}\.\d{4,5}(?:v\d+)?", paper.id, piece.label)
        return f"{piece.head}{label}{piece.mid}{url}{piece.tail}"
    if piece.role == "paper" and not has_arxiv:
        return f"{piece.head}{piece.label}{piece.mid}{url}{piece.tail}"
    if piece.role == "code" and paper.code_url:
        return f"{piece.head}{piece.label}{piece.mid}{paper.code_url}{piece.tail}"
    return None


def _code_link(document: AwesomeList, like: Piece, url: str) -> str:
    labels = Counter(p.label for e in document.entries for p in e.pieces if p.kind == "link" and p.role == "code"
                     and not p.label.startswith("!["))
    label = labels.most_common(1)[0][0] if labels else "Code"
    head, mid, tail = (like.head, like.mid, like.tail) if like.role != "title" else ("[", "](", ")")
    return " " + f"{head}{label}{mid}{url}{tail}"


def _join(out: list[tuple[Piece, str | None]], newline: str) -> str:
    """Concatenate, dropping the separator before each dropped piece and lines left empty."""
    kept: list[str] = []
    for piece, text in out:
        if text is None:
            if kept and piece.kind != "lit" and SEPARATOR_ONLY.match(kept[-1]) and kept[-1]:
                kept.pop()
            kept.append("\x00")
            continue
        kept.append(text)
    joined = re.sub(r"(\*\*|\*|__|_|`)\x00+\1", "", "".join(kept)).replace("\x00", "")
    lines = joined.split(newline)
    cleaned = [re.sub(r"[ \t]+$", "", line) if not line.rstrip().endswith("\\") else line for line in lines]
    cleaned = [line for line in cleaned[:-1] if re.sub(r"<br\s*/?>|\\|\s", "", line)] + cleaned[-1:]
    return newline.join(cleaned)


def _table(document: AwesomeList, entry: Entry, out: list[tuple[Piece, str | None]]) -> str:
    """A table row: each cell padded like the example, unknown cells written as the list writes them."""
    cells: dict[int, list[tuple[Piece, str | None]]] = {}
    order: list = []
    for piece, text in out:
        if piece.cell is None:
            order.append(text or "")
            continue
        if piece.cell not in cells:
            cells[piece.cell] = []
            order.append(piece.cell)
        cells[piece.cell].append((piece, text))
    row = []
    for item in order:
        if not isinstance(item, int):
            row.append(re.sub(r"\r?\n", "", item))
            continue
        parts = cells[item]
        raw = "".join(p.text for p, _ in parts)
        left = raw[:len(raw) - len(raw.lstrip())]
        content = _join([(p, t) for p, t in parts if p.kind != "lit" or p.text.strip()], "\n").strip()
        known = [p for p, t in parts if p.kind not in ("lit", "empty") and t is not None and p.kind != "text"]
        if not known and not any(p.kind == "empty" for p, _ in parts) and raw.strip():
            content = unknown_value(document, parts[0][0].column, item)
        elif not known and any(p.kind == "empty" for p, _ in parts):
            content = next(p.text for p, _ in parts if p.kind == "empty")
        elif not content or is_empty_value(content) and not known:
            content = unknown_value(document, parts[0][0].column, item)
        width = len(raw)
        right_aligned = len(left) > 1 and raw.endswith(" ") and not raw.endswith("  ")
        cell = f"{left}{content} " if not right_aligned else f"{content} ".rjust(width) if content else raw
        row.append(cell.ljust(width) if len(cell) < width else cell if raw.strip() or content else raw)
    return "".join(row)
