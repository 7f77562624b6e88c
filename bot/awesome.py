"""A lossless model of an awesome list README: headings, entries, comments, everything else.

Runs whenever the bot reads the list (``bot list check``, ``bot init``,
training, every run).  The document keeps its lines verbatim; entries are
parsed *views* over line ranges, so ``render()`` is byte-identical to the
input by construction and an insertion touches no byte outside the lines it
adds.  Entries come in several shapes, mixed freely in one file: bold-title
blocks (``entry_block``), bullets and numbered items (``inline``) and table
rows (``tables``).  Lines the parser does not understand are kept and
reported in ``unparsed``.

HTML comments: what is inside ``<!-- ... -->`` is hidden on GitHub, so its
headings and entries are not live.  Commented-out entries are reported in
``commented`` (not in ``entries``) and new entries are never placed inside a
comment.  Their arXiv ids and titles still count as *already in the list*: a
paper a maintainer commented out was seen and set aside, and should not be
proposed again.  An unclosed ``<!--`` hides everything after it; it is
reported in ``warnings``.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from .comments import FENCE, comment_view
from .entry_block import TITLE_LINE, parse_block
from .errors import ListFormatError
from .inline import MARKER, Piece, analyse, tokenize
from .listfields import (ARXIV_TEXT, ARXIV_URL, arxiv_ids_in, date_parts, normalize_arxiv_id,  # noqa: F401
                         normalize_title, parse_date)
from .tables import DELIMITER, header_roles, infer_roles, is_row, parse_row

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM_HEADING = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(#{1,6})\s+(.*?)\s*#*\s*$")  # '  - ##### Noise Schedule'
RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")
YEAR_HEADING = re.compile(r"^\W*(?:19|20)\d{2}\W*$")


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


@dataclass
class AwesomeList:
    lines: list[str]
    headings: list[Heading]  # live headings (outside HTML comments)
    entries: list[Entry]  # live entries
    unparsed: list[tuple[int, str]]
    commented: list[Entry] = field(default_factory=list)  # entries inside HTML comments
    commented_headings: list[Heading] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    in_comment: list[bool] = field(default_factory=list)  # per line: does it start inside a comment?
    labels_by_line: dict[int, str] = field(default_factory=dict)

    def render(self) -> str:
        return "".join(self.lines)

    @property
    def newline(self) -> str:
        endings = Counter(line[len(line.rstrip("\r\n")):] for line in self.lines if line.endswith("\n"))
        return endings.most_common(1)[0][0] if endings else "\n"

    def labels(self) -> list[str]:
        """Section names that hold entries, in document order."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            if entry.label:
                seen.setdefault(entry.label, None)
        return list(seen)

    def shapes(self) -> Counter:
        """How many entries of each shape (block, bullet, numbered, table) the list has."""
        return Counter(entry.shape for entry in self.entries)

    def heading_for(self, name: str) -> Heading:
        """The heading a section name refers to; ListFormatError if the list has none (or only a
        commented-out one)."""
        for heading in self.headings:
            if self.labels_by_line.get(heading.line) == name:
                return heading
        matches = [h for h in self.headings if h.text == name]
        if len(matches) == 1:
            return matches[0]
        if matches:
            options = ", ".join(repr(self.labels_by_line.get(h.line, h.text)) for h in matches)
            raise ListFormatError(f"the list has several headings named '{name}'", f"use one of {options}")
        hidden = next((h for h in self.commented_headings if h.text == name), None)
        if hidden is not None:
            raise ListFormatError(f"section '{name}' (line {hidden.line + 1}) is inside an HTML comment, "
                                  "hidden on GitHub", "uncomment it or choose another section")
        known = ", ".join(self.labels())
        raise ListFormatError(f"the list has no heading named '{name}'", f"known sections: {known}")

    def section_entries(self, name: str) -> list[Entry]:
        """The live entries of a section (through any year sub-headings), in document order."""
        heading = self.heading_for(name)
        return [e for e in self.entries if e.label_line == heading.line]

    def arxiv_ids(self) -> set[str]:
        """Every arXiv id anywhere in the list (links of any form and version, 'arXiv:' mentions),
        commented-out entries included; computed once."""
        if "_ids" not in self.__dict__:
            self._ids = {i for line in self.lines for i in arxiv_ids_in(line)}
        return self._ids

    def title_keys(self) -> set[str]:
        if "_titles" not in self.__dict__:
            self._titles = {entry.title_key for entry in self.entries + self.commented}
        return self._titles

    def contains(self, arxiv_id: str | None, title: str | None) -> bool:
        """Whether the list already has this paper, by arXiv id or by normalised title."""
        if arxiv_id and normalize_arxiv_id(arxiv_id) in self.arxiv_ids():
            return True
        return bool(title) and normalize_title(title) in self.title_keys()

    def find(self, arxiv_id: str | None, title: str | None, others: set[str] = frozenset()) -> Entry | None:
        """The live entry of a paper: by arXiv id, else by its title, exactly or as a maintainer
        may have fixed it (nearly the same words), among entries that are no paper of ``others``
        (ids known to be other papers).  None when there is none, or more than one such title."""
        found = next((e for e in self.entries if arxiv_id and e.arxiv_id == arxiv_id), None)
        if found is not None or not title:
            return found
        key = normalize_title(title)
        strangers = [e for e in self.entries if not (e.arxiv_id and (e.arxiv_id in others or e.arxiv_id == arxiv_id))]
        exact = [e for e in strangers if e.title_key == key]
        close = exact or [e for e in strangers
                          if difflib.SequenceMatcher(None, key, e.title_key[:len(key) + 10]).ratio() >= 0.9]
        return close[0] if len(close) == 1 else None


def _hidden_view(lines: list[str], masked: list[str]) -> list[str]:
    """The text inside comments (markers blanked), live headings kept for context, the rest blank."""
    view = []
    for raw, live in zip(lines, masked):
        ending = raw[len(raw.rstrip("\r\n")):]
        if raw.strip() and not live.strip():
            view.append(raw.replace("<!--", "    ").replace("-->", "   "))
        elif HEADING.match(live.rstrip("\r\n")):
            view.append(live)
        else:
            view.append(ending)
    return view


@dataclass
class _Scan:
    headings: list[Heading] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)


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


def _scan(view: list[str], title_line: int | None) -> _Scan:
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
        heading = None if in_code else (HEADING.match(line) or ITEM_HEADING.match(line))
        if heading:
            level = len(heading.group(1))
            context = {lvl: h for lvl, h in context.items() if lvl < level}
            path = tuple(h.text for _, h in sorted(context.items())) + ((heading.group(2),) if index != title_line else ())
            item = Heading(level, heading.group(2), index, path)
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
            if found.entries:
                found.unparsed.append((index + 1, line))
            end = index + 1
        index = end
    return found


def _read_entries(view: list[str], index: int, context: dict, found: _Scan, title_line: int | None) -> int:
    """Read the entry (or table of entries) starting at line ``index``; the line after it, or ``index``."""
    line = view[index].rstrip("\r\n")
    has_context = bool(context) or title_line is not None
    if TITLE_LINE.match(line) and has_context:
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
    if is_row(line) and index + 1 < len(view) and DELIMITER.match(view[index + 1].rstrip("\r\n")):
        end = index + 2
        while end < len(view) and is_row(view[end].rstrip("\r\n")) and view[end].strip():
            end += 1
        rows = [view[i].rstrip("\r\n") for i in range(index + 2, end)]
        roles = infer_roles(header_roles(line), rows)
        for number, row in enumerate(rows, start=index + 2):
            parsed = parse_row(row, roles)
            if parsed is None:
                if found.entries or arxiv_ids_in(row):
                    found.unparsed.append((number + 1, row))
                continue
            found.entries.append(_entry(parsed.fields, parsed.title, parsed.pieces, context, number, number + 1,
                                        "table", row))
        return end
    marker = MARKER.match(line)
    if marker:
        end = index + 1
        content = len(marker.group(0))
        while end < len(view) and view[end].strip() and not MARKER.match(view[end]) \
                and not HEADING.match(view[end]) and not FENCE.match(view[end]) and not is_row(view[end]) \
                and (len(view[end]) - len(view[end].lstrip()) >= min(content, 2) or not view[end].startswith((" ", "\t"))) \
                and not view[end].lstrip().startswith("<"):
            end += 1
        raw = "".join(view[index:end])
        ending = raw[len(raw.rstrip("\r\n")):]
        body = raw[len(marker.group(0)):len(raw) - len(ending)]
        parsed = analyse(tokenize(body))
        if parsed is None:
            if arxiv_ids_in(raw) and found.entries:
                found.unparsed.append((index + 1, line))
                return end
            return index
        head = [Piece("lit", marker.group("indent"))]
        if marker.group("number"):
            head += [Piece("number", marker.group("number")),
                     Piece("lit", marker.group("marker")[len(marker.group("number")):] + marker.group("space"))]
        else:
            head.append(Piece("lit", marker.group("marker") + marker.group("space")))
        pieces = [p for p in head if p.text] + parsed.pieces + ([Piece("lit", ending)] if ending else [])
        shape = "numbered" if marker.group("number") else "bullet"
        found.entries.append(_entry(parsed.fields, parsed.title, pieces, context, index, end, shape, raw))
        return end
    return index


def _labels(headings: list[Heading]) -> dict[int, str]:
    """A unique name for each heading: its text, or 'Parent / Child' where the text repeats."""
    counts = Counter(h.text for h in headings)
    labels = {}
    for heading in headings:
        name, depth = heading.text, 2
        while counts[name] > 1 and depth <= len(heading.path):
            name = " / ".join(heading.path[-depth:])
            depth += 1
        labels[heading.line] = name
    return labels


def _assign_labels(entries: list[Entry], headings: list[Heading], labels: dict[int, str]) -> None:
    """An entry's label is its finest heading that is not a year ('### 2024' groups a section by year)."""
    by_line = {h.line: h for h in headings}
    for entry in entries:
        if entry.heading_line is None:
            continue
        chosen = by_line.get(entry.heading_line)
        while chosen is not None and YEAR_HEADING.match(chosen.text) and len(chosen.path) > 1:
            parents = [h for h in headings if h.line < chosen.line and h.level < chosen.level]
            chosen = parents[-1] if parents else None
        if chosen is not None:
            entry.label_text, entry.label_line = labels.get(chosen.line, chosen.text), chosen.line


def parse(text: str) -> AwesomeList:
    """Parse a README into headings, entries (live and commented out) and the lines not understood.
    The same text is parsed once (a publish reads the branch, the base and the result several
    times); treat the returned document as read-only."""
    return _parse(text)


@lru_cache(maxsize=16)
def _parse(text: str) -> AwesomeList:
    lines = text.splitlines(keepends=True)
    masked, starts_inside, unclosed = comment_view(lines)
    first = next((i for i, line in enumerate(masked) if HEADING.match(line.rstrip("\r\n"))), None)
    title_line = first if first is not None and HEADING.match(masked[first]).group(1) == "#" else None
    live = _scan(masked, title_line)
    hidden = _scan(_hidden_view(lines, masked), title_line)
    live_lines = {h.line for h in live.headings}
    commented_headings = [h for h in hidden.headings if h.line not in live_lines]
    for heading in commented_headings:
        heading.commented = True
    commented = [e for e in hidden.entries if not masked[e.start].strip()]
    for entry in commented:
        entry.commented = True
    labels = _labels([h for h in live.headings if h.line != title_line])
    if title_line is not None:
        labels[title_line] = live.headings[0].text
    _assign_labels(live.entries, live.headings, labels)
    for entry in live.entries:
        if entry.heading_line is None or entry.heading_line == title_line:
            entry.label_text, entry.label_line = (labels.get(title_line), title_line) if title_line is not None \
                else (None, None)
            if title_line is not None and entry.section is None:
                entry.section = labels[title_line]
    _assign_labels(commented, hidden.headings, _labels(hidden.headings))
    warnings = []
    if unclosed is not None:
        warnings.append(f"line {unclosed + 1}: '<!--' is never closed: GitHub hides everything after it")
    return AwesomeList(lines, live.headings, live.entries, live.unparsed, commented, commented_headings,
                       warnings, starts_inside, labels)


__all__ = ["AwesomeList", "Entry", "Heading", "HEADING", "parse", "parse_date", "normalize_arxiv_id",
           "normalize_title", "comment_view"]
