"""Reading a README's lines into headings and entries: the scanner behind ``awesome.parse``.

Runs on every parse, once over the live text and once over the text inside
HTML comments.  Each line is a heading (Markdown ``#`` or a single HTML
``<hN>`` element), the start of an entry (a bold-title block, a list item with
its continuation lines, a table, a paragraph that starts with a title link, a
heading that is itself a paper) or something not understood, which is
reported when it carries a paper link.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from bot.base.ids import ARXIV_TEXT, ARXIV_URL, arxiv_ids_in, normalize_arxiv_id
from bot.lists.comments import FENCE
from bot.lists.entry_block import TITLE_LINE, parse_block
from bot.lists.inline import MARKER, Piece, analyse, tokenize
from bot.lists.listfields import date_parts, looks_like_venue, normalize_title, parse_date
from bot.lists.tables import DELIMITER, header_roles, infer_roles, is_row, parse_row

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM_HEADING = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(#{1,6})\s+(.*?)\s*#*\s*$")  # '  - ##### Noise Schedule'
HTML_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1>\s*$", re.IGNORECASE)  # '<h3 id="x">☁️ Forecasting</h3>'
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S")
RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")


@dataclass
class Heading:
    level: int
    text: str
    line: int  # 0-based index into lines
    path: tuple[str, ...] = ()  # the headings above it and itself, without the document's title
    commented: bool = False


@dataclass
class Entry:
    title: str
    authors: list[str]
    date_text: str | None
    venue: str | None
    links: dict[str, str]
    arxiv_id: str | None
    section: str | None
    subsection: str | None
    heading_line: int | None  # the heading the entry sits under
    start: int  # first line (0-based)
    end: int  # one past the last line
    separators: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    shape: str = "block"  # block, bullet, numbered, table
    path: tuple[str, ...] = ()  # heading path, without the document's title
    pieces: list[Piece] = field(default_factory=list, repr=False)  # the raw text cut into fields
    label_text: str | None = None  # the section name the classifier predicts (unique in the list)
    label_line: int | None = None  # the heading that name refers to
    commented: bool = False
    group_line: int | None = None  # the dated bullet ('- **[2025.02.07]**') the entry is nested under

    @property
    def date(self) -> datetime.date | None:
        return parse_date(self.date_text)

    @property
    def label(self) -> str | None:
        """The finest heading the entry sits under: what the classifier predicts."""
        return self.label_text or self.subsection or self.section

    @property
    def title_key(self) -> str:
        return normalize_title(self.title)

    @property
    def sort_key(self) -> tuple[int, int, int] | None:
        """(year, month, day) as far as known, from the date, else the arXiv id (yymm), else the venue year."""
        parts = date_parts(self.date_text)
        if parts:
            return parts[0], parts[1] or 0, parts[2] or 0
        if self.arxiv_id and re.fullmatch(r"\d{4}\.\d{4,5}", self.arxiv_id):
            return 2000 + int(self.arxiv_id[:2]), int(self.arxiv_id[2:4]), 0
        year = re.search(r"(?:19|20)\d{2}", self.venue or "")
        return (int(year.group(0)), 0, 0) if year else None

    def as_json(self) -> dict:
        return {
            "section": self.section,
            "subsection": self.subsection,
            "title": self.title,
            "authors": self.authors,
            "date": self.date.isoformat() if self.date else None,
            "date_text": self.date_text,
            "venue": self.venue,
            "arxiv_id": self.arxiv_id,
            "links": self.links,
            "line": self.start + 1,
            "shape": self.shape,
            "label": self.label,
            "warnings": self.warnings,
        }



def heading_of(line: str) -> tuple[int, str] | None:
    """(level, text) of a heading line: '## Text', '  - ### Text', '<h3 id="x">Text</h3>'; badge
    images and HTML tags are not part of the text."""
    found = HEADING.match(line) or ITEM_HEADING.match(line) or HTML_HEADING.match(line)
    if not found:
        return None
    text = re.sub(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)|!\[[^\]]*\]\([^)]*\)|<[^>]+>", "", found.group(2))
    text = " ".join(text.split()) or " ".join(found.group(2).split())
    return (int(found.group(1)) if found.group(1).isdigit() else len(found.group(1))), text


@dataclass
class _Scan:
    headings: list[Heading] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)
    group: tuple[int, str, int] | None = None  # the dated bullet items are nested under: (indent, date, line)


def _entry(fields: dict, title: str, pieces: list[Piece], context: dict, start: int, end: int, shape: str,
           text: str, warnings=(), separators=()) -> Entry:
    ids = [normalize_arxiv_id(u) for u in fields["links"].values() if ARXIV_URL.search(u)] or arxiv_ids_in(text)
    path = tuple(h.text for _, h in sorted(context.items()))
    section, subsection = (path[-2], path[-1]) if len(path) >= 3 else (path[-1] if path else None, None)
    under = context[max(context)].line if context else None
    return Entry(title=title, authors=fields["authors"], date_text=fields["date_text"], venue=fields["venue"],
                 links=fields["links"], arxiv_id=ids[0] if ids else None, section=section, subsection=subsection,
                 heading_line=under, start=start, end=end, separators=tuple(separators), warnings=list(warnings),
                 shape=shape, path=path, pieces=pieces)


def scan(view: list[str], title_line: int | None) -> _Scan:
    """Headings and entries of one view of the document (live text, or the text inside comments)."""
    found = _Scan()
    context: dict[int, Heading] = {}
    in_code, index, count = False, 0, len(view)
    while index < count:
        line = view[index].rstrip("\r\n")
        if FENCE.match(line):
            in_code = not in_code
            index += 1
            continue
        heading = None if in_code else heading_of(line)
        if heading:
            level, text = heading
            found.group = None
            context = {lvl: h for lvl, h in context.items() if lvl < level}
            path = tuple(h.text for _, h in sorted(context.items())) + ((text,) if index != title_line else ())
            if arxiv_ids_in(line):  # '### 1. [Title](arxiv url)': a paper written as a heading is not read
                found.unparsed.append((index + 1, line))
            item = Heading(level, text, index, path)
            found.headings.append(item)
            if index != title_line:
                context[level] = item
            index += 1
            continue
        if in_code or not line.strip() or RULE.match(line):
            index += 1
            continue
        end = _read_entries(view, index, context, found, title_line)
        if end == index:
            if found.entries or arxiv_ids_in(line):  # before the first entry: lines with a paper link
                found.unparsed.append((index + 1, line))
            end = index + 1
        index = end
    return found


def _read_block(view: list[str], index: int, context: dict, found: _Scan) -> int:
    """An entry written as a block of lines under a bold title; ``index`` when it is not one."""
    line = view[index].rstrip("\r\n")
    label = TITLE_LINE.match(line).group("title").strip()
    if not TITLE_LINE.match(line).group("rest").strip() and index + 1 < len(view) \
            and LIST_ITEM.match(view[index + 1]) and len(label.split()) <= 4 \
            and (looks_like_venue(label) or re.search(r"'\d{2}\b|\b(?:19|20)\d{2}\b", label)):
        return index  # '**Nature Medicine'25**' above a list of entries: a label of the group, not an entry
    end = index + 1
    while end < len(view) and view[end].strip() and not HEADING.match(view[end]) \
            and not RULE.match(view[end]) and not TITLE_LINE.match(view[end]):
        end += 1
    block = view[index:end]
    text = "".join(block)
    if "](" not in text and not ARXIV_TEXT.search(text):
        return index
    fields, warnings, separators, pieces = parse_block(block)
    found.entries.append(_entry(fields, fields["title"], pieces, context, index, end, "block", text,
                                warnings, separators))
    return end


def _read_table(view: list[str], index: int, context: dict, found: _Scan) -> int:
    """The rows of a table whose header is at ``index``; the line after the table."""
    end = index + 2
    while end < len(view) and is_row(view[end].rstrip("\r\n")) and view[end].strip():
        end += 1
    rows = [view[i].rstrip("\r\n") for i in range(index + 2, end)]
    roles = infer_roles(header_roles(view[index].rstrip("\r\n")), rows)
    for number, row in enumerate(rows, start=index + 2):
        parsed = parse_row(row, roles)
        if parsed is None:
            if found.entries or arxiv_ids_in(row):
                found.unparsed.append((number + 1, row))
            continue
        found.entries.append(_entry(parsed.fields, parsed.title, parsed.pieces, context, number, number + 1,
                                    "table", row))
    return end


def _read_item(view: list[str], index: int, marker: re.Match, context: dict, found: _Scan) -> int:
    """A bullet or numbered item (with its continuation lines); a dated bullet groups the items under it."""
    end = _item_end(view, index, marker)
    raw = "".join(view[index:end])
    ending = raw[len(raw.rstrip("\r\n")):]
    body = raw[len(marker.group(0)):len(raw) - len(ending)]
    parsed = analyse(tokenize(body))
    depth = len(marker.group("indent").expandtabs(4))
    if found.group is not None and depth <= found.group[0]:
        found.group = None
    if parsed is None:
        core = re.sub(r"[*_\[\]()`\s]+", " ", body).strip()
        if date_parts(core) and end == index + 1:  # '- **[2025.02.07]**': the date of the items under it
            found.group = (depth, core, index)
        if not arxiv_ids_in(raw):
            return index
        found.unparsed += [(i + 1, view[i].rstrip("\r\n")) for i in range(index, end)
                           if i == index or arxiv_ids_in(view[i])]
        return end
    head = [Piece("lit", marker.group("indent"))]
    if marker.group("number"):
        head += [Piece("number", marker.group("number")),
                 Piece("lit", marker.group("marker")[len(marker.group("number")):] + marker.group("space"))]
    else:
        head.append(Piece("lit", marker.group("marker") + marker.group("space")))
    pieces = [p for p in head if p.text] + parsed.pieces + ([Piece("lit", ending)] if ending else [])
    shape = "numbered" if marker.group("number") else "bullet"
    entry = _entry(parsed.fields, parsed.title, pieces, context, index, end, shape, raw)
    if found.group is not None:  # nested under a dated bullet
        entry.group_line = found.group[2]
        entry.date_text = entry.date_text or found.group[1]
    found.entries.append(entry)
    return end


def _read_entries(view: list[str], index: int, context: dict, found: _Scan, title_line: int | None) -> int:
    """Read the entry (or table of entries) starting at line ``index``; the line after it, or ``index``."""
    line = view[index].rstrip("\r\n")
    has_context = bool(context) or title_line is not None
    if TITLE_LINE.match(line) and has_context:
        return _read_block(view, index, context, found)
    if is_row(line) and index + 1 < len(view) and DELIMITER.match(view[index + 1].rstrip("\r\n")):
        return _read_table(view, index, context, found)
    marker = MARKER.match(line)
    if marker:
        return _read_item(view, index, marker, context, found)
    if has_context and not line.startswith((" ", "\t", "<", "!", "|")) and line.startswith(("[", "*", "_")):
        return _paragraph(view, index, context, found)
    return index


def _depth(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _item_end(view: list[str], index: int, marker: re.Match) -> int:
    """One past the last line of the list item starting at ``index``: its lazy continuation lines,
    the lines indented under it (also after blank lines: a loose item's paragraphs) and its nested
    items that are not entries themselves (an entry's detail bullets)."""
    content, indent = len(marker.group(0).expandtabs(4)), len(marker.group("indent").expandtabs(4))
    last = end = index + 1
    while end < len(view):
        raw = view[end]
        if not raw.strip():
            end += 1
            continue
        depth, after_blank = _depth(raw), end > last
        nested = MARKER.match(raw)
        if nested and depth > indent and (not after_blank or depth >= content):
            body = raw.rstrip("\r\n")[len(nested.group(0)):]
            if analyse(tokenize(body)) is not None:
                break  # a paper of its own, nested under this one
        elif depth >= content:
            pass  # a line (or paragraph) indented under the item
        elif after_blank or nested or HEADING.match(raw) or FENCE.match(raw) or is_row(raw) \
                or raw.lstrip().startswith("<") or (0 < depth < min(content, 2)):
            break
        last = end = end + 1
    return last


def _paragraph(view: list[str], index: int, context: dict, found: _Scan) -> int:
    """A paragraph that starts with a title link, '[Title](url), Venue 2021 [[code]](url)': an entry."""
    end = index + 1
    while end < len(view) and view[end].strip() and not heading_of(view[end].rstrip("\r\n")) \
            and not MARKER.match(view[end]) and not FENCE.match(view[end]) and not is_row(view[end]) \
            and not view[end].lstrip().startswith("<"):
        end += 1
    raw = "".join(view[index:end])
    ending = raw[len(raw.rstrip("\r\n")):]
    parsed = analyse(tokenize(raw[:len(raw) - len(ending)]))
    if parsed is None or not any(p.role == "title" for p in parsed.pieces[:2]):
        return index
    pieces = parsed.pieces + ([Piece("lit", ending)] if ending else [])
    found.entries.append(_entry(parsed.fields, parsed.title, pieces, context, index, end, "paragraph", raw))
    return end
