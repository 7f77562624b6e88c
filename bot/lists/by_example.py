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

from bot.base.ids import ARXIV_URL
from bot.base.text import markdown_text
from bot.lists.awesome import AwesomeList, Entry
from bot.lists.inline import FIELD_LABEL, Piece
from bot.lists.listfields import DateFormat, VenueFormat, split_venue
from bot.lists.tables import split_cells

RECENT = 8
SEPARATOR_ONLY = re.compile(r"^[ \t|,;/·•\-–—]*$")


def signature(entry: Entry) -> tuple:
    """What makes two entries look alike: shape, markup, link labels, date and venue style."""
    out: list = [entry.shape]
    for piece in entry.pieces:
        if piece.kind == "lit":
            out.append(piece.text.count("|") if entry.shape == "table" else " ".join(piece.text.split()))
        elif piece.kind == "link":
            out.append(("link", piece.role, _label_key(piece)))
        elif piece.kind == "date":
            found = DateFormat.of(piece.text)
            out.append(("date", found.signature() if found else "?"))
        elif piece.kind == "venue":
            out.append(("venue", VenueFormat.of(piece.text).sep))
        elif piece.kind != "text":
            out.append(piece.kind)
    return tuple(out)


REPOSITORY_BADGE = "a badge of the repository"


def _label_key(piece: Piece) -> str:
    """A link's label as a format: a title's is its text (not format); a badge's is its picture's alt text,
    or ``REPOSITORY_BADGE`` for a badge linking to a code host (its picture names the repository)."""
    if piece.role == "title":
        return ""
    if piece.role == "badge":
        if CODE_HOST.match(piece.url.strip()):
            return REPOSITORY_BADGE
        return re.sub(r"^!\[([^\]]*)\].*$", r"\1", piece.label, flags=re.DOTALL).lower()
    return piece.label.lower()


def _is_code(field) -> bool:
    return isinstance(field, tuple) and (field[:2] == ("link", "code") or field == ("link", "badge", REPOSITORY_BADGE))


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
    return max(usable, key=lambda e: (votes[signature(e)], _well_formed(e), -usable.index(e)))


def _well_formed(entry: Entry) -> bool:
    return not any(p.kind == "link" and ("](" in p.label or "[" in p.url) for p in entry.pieces)


def with_code(document: AwesomeList, model: Entry, entries: list[Entry]) -> Entry:
    """An entry like ``model`` that also has a code link (to write a paper's code where the list does)."""
    if any(_is_code(x) for x in signature(model)):
        return model

    def fields(entry: Entry) -> list:
        return [x for x in signature(entry) if isinstance(x, tuple) and not _is_code(x)]

    bare = fields(model)
    for entry in entries or document.entries:
        if any(_is_code(x) for x in signature(entry)) and fields(entry) == bare:
            return entry
    return model


def _arxiv_url(example_url: str, paper_id: str) -> str:
    """The arXiv link in the list's own style (abs or pdf, http or https, '.pdf' suffix or not)."""
    match = ARXIV_URL.search(example_url or "")
    if not match:
        return f"https://arxiv.org/abs/{paper_id}"
    prefix = example_url[:match.start()].strip()
    if match.group(0).lower().startswith("doi.org"):  # the DOI arXiv assigns: doi.org/10.48550/arXiv.ID
        return f"{prefix or 'https://'}{example_url[match.start():match.start('id')]}{paper_id}"
    kind = re.match(r"arxiv\.org/(abs|pdf|html)/", match.group(0), re.IGNORECASE).group(1)
    rest = example_url[match.end():].strip()
    suffix = ".pdf" if rest.startswith(".pdf") else ""
    return f"{prefix or 'https://'}arxiv.org/{kind}/{paper_id}{suffix}"


def _authors(example: str, names: list[str]) -> str:
    if not names:
        return ""
    etal = re.search(r"(,?\s*([*_]?)et\.?\s*al\.?\2)\s*$", example)
    if etal:
        shown = len([n for n in re.split(r",|\band\b", example[:etal.start()]) if n.strip()]) or 1
        if len(names) > shown:
            return markdown_text(", ".join(names[:shown])) + etal.group(1)
    if re.search(r",\s*and\s+\S+\s*$", example) and len(names) > 2:
        return markdown_text(", ".join(names[:-1]) + ", and " + names[-1])
    if re.search(r"\sand\s+\S+\s*$", example) and "," not in example.rsplit(" and ", 1)[-1] and len(names) > 1:
        return markdown_text(", ".join(names[:-1]) + " and " + names[-1])
    return markdown_text(", ".join(names))


def unknown_value(document: AwesomeList, column: str | None, cell: int | None) -> str:
    """How the list writes a value it does not know in this column ('-', 'nan', 'N/A', or nothing)."""
    def empties(entries):
        return Counter(p.text for e in entries for p in e.pieces if p.kind == "empty" and p.cell == cell)

    found = empties(document.entries) or Counter(p.text for e in document.entries for p in e.pieces
                                                 if p.kind == "empty")
    return found.most_common(1)[0][0] if found else ("-" if column not in ("code", "other") else "")


def _venue(document: AwesomeList, example_text: str, paper, piece: Piece, piece_line: int | None,
           dated: bool = False) -> str | None:
    name, year = split_venue(paper.venue)
    when = paper.date
    if name is None and dated and VenueFormat.of(example_text).sep is None:
        return markdown_text(document.arxiv_spelling)  # '*arXiv, Mar 2024*': the year is in the date beside it
    if name is None:
        near = [e for e in document.entries if e.label_line == piece_line] or document.entries
        spelled = [e.venue for e in near if e.venue and re.search("arxiv", e.venue, re.I)] or \
            [e.venue for e in document.entries if e.venue and re.search("arxiv", e.venue, re.I)]
        if piece.column is not None and not spelled:
            return None  # this column never names arXiv: a preprint has no venue here
        name = document.arxiv_spelling
        shapes = Counter(VenueFormat.of(v) for v in spelled)
        if shapes:
            return markdown_text(shapes.most_common(1)[0][0].format(name, when))
    elif year and (when is None or when.year != year):
        when = date(year, 1, 1)
    return markdown_text(VenueFormat.of(example_text).format(name, when))


NAMEISH = re.compile(r"^(?:[A-Z0-9][\w-]*[A-Z][\w-]*|[A-Z][a-z]+[A-Z][\w-]*)$")  # DDPM, MedSegDiff, DiT-XL
OPENERS = {"a", "an", "the", "on", "towards", "toward", "when", "how", "what", "why", "is", "are", "do", "does",
           "can", "from", "beyond", "rethinking", "revisiting", "learning", "improving", "unified", "efficient"}


def _short_name(title: str) -> str:
    """What a list calls a paper in a name column: 'DiffuseIR' of 'DiffuseIR: Diffusion Models for ...',
    else the first name-like word (DDPM, MedSegDiff), else the first two words that are not an opener."""
    head = title.split(":", 1)[0].strip()
    if ":" in title and len(head.split()) <= 4:
        return head
    words = [w.strip(",.;()") for w in title.split()]
    named = next((w for w in words if NAMEISH.match(w)), None)
    if named:
        return named
    plain = [w for w in words if w.lower() not in OPENERS]
    return " ".join((plain or words)[:2])


def fill(document: AwesomeList, entry: Entry, paper, newline: str, number: int | None = None) -> str:
    """The example entry's text with the paper's fields in place of its own."""
    has_arxiv = any(p.kind == "link" and p.role in ("title", "arxiv") for p in entry.pieces)
    like = next((p for p in entry.pieces if p.kind == "link" and p.role in ("title", "arxiv", "paper")), Piece("link", ""))
    out: list[tuple[Piece, str | None]] = []  # (template piece, text or None when dropped)
    code_done = False
    for piece in entry.pieces:
        text: str | None = piece.text
        if piece.kind == "lit":
            text = re.sub(r"\r?\n", newline, piece.text)
        elif piece.kind == "title":
            text = markdown_text(paper.title)
        elif piece.kind == "acronym":
            text = re.sub(r"[^\w\s\-.]", "", _short_name(paper.title)).strip() or None
        elif piece.kind == "authors":
            text = _authors(piece.text, list(paper.authors)) or None
        elif piece.kind == "date":
            style = DateFormat.of(piece.text)
            text = style.format(paper.date) if style and paper.date else None
        elif piece.kind == "venue":
            text = _venue(document, piece.text, paper, piece, entry.label_line,
                          any(p.kind == "date" and p.cell == piece.cell for p in entry.pieces))
        elif piece.kind == "number":
            text = str(number) if number is not None else piece.text
        elif piece.kind == "text":
            text = None
        elif piece.kind == "link":
            text = _link(piece, paper, has_arxiv)
            if piece.role in ("title", "arxiv") or (piece.role == "paper" and not has_arxiv):
                has_arxiv, like = True, piece
            code_done = code_done or text is not None and (
                piece.role == "code" or piece.role == "badge" and bool(CODE_HOST.match(piece.url.strip())))
        out.append((piece, text))
    if entry.shape == "table":
        return _table(document, entry, out, paper) + newline
    if paper.code_url and not code_done and has_arxiv:
        end = len(out) - (1 if out and out[-1][0].kind == "lit" and not (out[-1][1] or "").strip() else 0)
        while end > 0 and out[end - 1][0].kind == "lit" and re.fullmatch(r"[ \t]*(\\|<br\s*/?>)?[ \t]*",
                                                                        out[end - 1][1] or ""):
            end -= 1
        out.insert(end, (Piece("code", ""), _code_link(document, like, paper.code_url)))
    return _join(out, newline)


def _link(piece: Piece, paper, has_arxiv: bool) -> str | None:
    url = _arxiv_url(piece.url.strip(), paper.id)
    if piece.role == "title":
        wrap = re.match(r"^(\*\*|__|\*|_|`)?(?:.*\S)(\1)$", piece.label.strip()) if piece.label.strip() else None
        mark = wrap.group(1) or "" if wrap else ""  # '[**Title**](url)': the emphasis around the title stays
        return f"{piece.head}{mark}{markdown_text(paper.title)}{mark}{piece.mid}{url}{piece.tail}"
    if piece.role == "arxiv":
        label = re.sub(r"\d{4}\.\d{4,5}(?:v\d+)?", paper.id, piece.label)
        return f"{piece.head}{label}{piece.mid}{url}{piece.tail}"
    if piece.role == "paper" and not has_arxiv:
        return f"{piece.head}{piece.label}{piece.mid}{url}{piece.tail}"
    if piece.role == "code" and paper.code_url:
        return f"{piece.head}{piece.label}{piece.mid}{paper.code_url}{piece.tail}"
    if piece.role == "badge" and CODE_HOST.match(piece.url.strip()):
        return _code_badge(piece, paper.code_url)
    if piece.role in ("badge", "other") and PAGE_WORDS.search(piece.label) and paper.project_url:
        return f"{piece.head}{piece.label}{piece.mid}{paper.project_url}{piece.tail}"
    return None


CODE_HOST = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co)/")
PAGE_WORDS = re.compile(r"\b(?:website|web\s*page|project(?:\s*page)?|home\s*page|page|site|demo)\b", re.IGNORECASE)
STARS = re.compile(r"(github/stars/)[^?)\s]*?((?:\.svg)?)(?=[?)\s]|$)")
REPO_PARAMETER = re.compile(r"(\brepo=)[\w.-]+/[\w.-]+")


def _code_badge(piece: Piece, code_url: str | None) -> str | None:
    """A badge that links to a repository (a Star badge), rewritten for the paper's repository: the
    image names its owner/name too.  Only for a GitHub repository found in the paper's record."""
    if not code_url or not code_url.startswith("https://github.com/"):
        return None
    repository = code_url.removeprefix("https://github.com/")
    label = STARS.sub(lambda m: f"{m.group(1)}{repository}{m.group(2)}", piece.label)
    label = REPO_PARAMETER.sub(lambda m: f"{m.group(1)}{repository}", label)
    if label == piece.label and "github" in piece.label.lower():  # an image naming another repository
        return None
    return f"{piece.head}{label}{piece.mid}{code_url}{piece.tail}"


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
            line_start = "".join(kept[:-1]).rsplit("\n", 1)[-1].replace("\x00", "").strip() == ""
            if kept and piece.kind != "lit" and SEPARATOR_ONLY.match(kept[-1]) and kept[-1] and not line_start:
                kept.pop()  # (a list marker '- ' before the dropped piece stays)
            kept.append("\x00")
            continue
        kept.append(text)
    joined = re.sub(r"(\*\*|\*|__|_|`)\x00+\1|\\\[\x00+\\\]|\[\x00+\]|\(\x00+\)", "\x00", "".join(kept))
    lines = joined.split(newline)
    cleaned = []
    for number, line in enumerate(lines):
        touched, line, last = "\x00" in line, line.replace("\x00", ""), number == len(lines) - 1
        if not (line.rstrip().endswith("\\") or (not last and re.search(r"\S {2}$", line))):
            line = re.sub(r"[ \t]+$", "", line)  # keep '  ' hard breaks and '\\' line ends
        rest = re.sub(r"<br\s*/?>|\\|\s|[,;:.|]", "", line).lstrip("-*+")
        if touched and not last and (not rest or re.fullmatch(FIELD_LABEL, rest, re.IGNORECASE)):
            continue  # a line whose fields were all dropped (a blank line of the template stays)
        cleaned.append(line)
    return newline.join(cleaned)


def _table(document: AwesomeList, entry: Entry, out: list[tuple[Piece, str | None]], paper) -> str:
    """A table row: each cell padded like the example, unknown cells written as the list writes them."""
    row: list[str] = []
    cell_parts: list[tuple[Piece, str | None]] = []
    aligned = _aligned(document.lines, entry.start)
    for position, (piece, text) in enumerate(out):
        if piece.cell is None:
            row.append(re.sub(r"\r?\n", "", text or ""))
            continue
        cell_parts.append((piece, text))
        following = out[position + 1][0].cell if position + 1 < len(out) else None
        if following != piece.cell:
            row.append(_cell(document, cell_parts, paper, aligned))
            cell_parts = []
    return "".join(row)


def _aligned(lines: list[str], index: int) -> set[int]:
    """The columns of the table around line ``index`` that are aligned: the same width in every row."""
    start = end = index
    while start > 0 and "|" in lines[start - 1]:
        start -= 1
    while end + 1 < len(lines) and "|" in lines[end + 1] and lines[end + 1].strip():
        end += 1
    widths: dict[int, set[int]] = {}
    for line in lines[start:end + 1]:
        for column, (a, b) in enumerate(split_cells(line.rstrip("\r\n"))):
            widths.setdefault(column, set()).add(b - a)
    return {column for column, found in widths.items() if len(found) == 1} if end > start else set()


def _cell(document: AwesomeList, parts: list[tuple[Piece, str | None]], paper, aligned: set[int]) -> str:
    raw = "".join(p.text for p, _ in parts)
    left = raw[:len(raw) - len(raw.lstrip())]
    column, index = parts[0][0].column, parts[0][0].cell
    inner = parts[1:] if parts[0][0].kind == "lit" and not parts[0][0].text.strip() else parts
    inner = inner[:-1] if inner and inner[-1][0].kind == "lit" and not inner[-1][0].text.strip() else inner
    known = [p for p, t in inner if p.kind not in ("lit", "empty", "text") and t is not None]
    content = re.sub(r"^(?:<br\s*/?>\s*)+", "", _join(inner, "\n").strip()) if known else ""  # a dropped badge's <br>
    if column == "code" and paper.code_url and not known:  # the column's way of writing a repository
        like = Counter((p.role, p.head, p.label if p.role == "code" else STARS.sub(r"\1\2", p.label), p.mid, p.tail)
                       for e in document.entries for p in e.pieces if p.cell == index and p.kind == "link"
                       and (p.role == "code" or p.role == "badge" and CODE_HOST.match(p.url.strip())))
        role, head, label, mid, tail = like.most_common(1)[0][0] if like else ("code", "[", "Code", "](", ")")
        badge = _code_badge(Piece("link", "", role, label, "", head, mid, tail), paper.code_url) \
            if role == "badge" else None
        content = badge or f"{head}{label if role == 'code' else 'Code'}{mid}{paper.code_url}{tail}"
    if not content:
        empty = next((p.text for p, _ in inner if p.kind == "empty"), None)
        content = empty if empty is not None else unknown_value(document, column, index)
    if index not in aligned:  # the neighbours are not padded: the example's spacing, at most one space each side
        return f"{left[:1]}{content}{' ' if raw != raw.rstrip() else ''}"
    width = len(raw)
    right_aligned = len(left) > 1 and raw.endswith(" ") and not raw.endswith("  ")
    cell = f"{content} ".rjust(width) if right_aligned else f"{left}{content} " if raw.strip() else f"{left or ' '}{content} "
    return cell.ljust(width)
