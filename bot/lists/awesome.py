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

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from bot.base.errors import ListFormatError
from bot.base.ids import arxiv_ids_in, normalize_arxiv_id
from bot.lists.comments import comment_view
from bot.lists.listfields import normalize_title, numbered_apart, parse_date, same_authors, title_closeness
from bot.lists.scan import HEADING, Entry, Heading, heading_of, scan

YEAR_HEADING = re.compile(r"^\W*(?:19|20)\d{2}\W*$")


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

    @cached_property
    def newline(self) -> str:
        """The list's line ending ('\\n' or '\\r\\n'), as most of its lines end."""
        endings = Counter(line[len(line.rstrip("\r\n")):] for line in self.lines if line.endswith("\n"))
        return endings.most_common(1)[0][0] if endings else "\n"

    @cached_property
    def arxiv_spelling(self) -> str:
        """How the list writes arXiv as a venue ('arXiv', 'ArXiv', 'arxiv'), 'arXiv' when it does not."""
        spellings = Counter(m.group(0) for e in self.entries for m in re.finditer(r"arxiv", e.venue or "", re.I))
        return spellings.most_common(1)[0][0] if spellings else "arXiv"

    @cached_property
    def order_evidence(self) -> tuple[int, int]:
        """(up, down): pairs of dated entries next to each other in a section that go up or down in time."""
        groups: dict = {}
        for entry in self.entries:
            if entry.sort_key is not None:
                groups.setdefault(entry.label_line, []).append(entry.sort_key)
        pairs = [(a, b) for keys in groups.values() for a, b in zip(keys, keys[1:])]
        return sum(b > a for a, b in pairs), sum(b < a for a, b in pairs)

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

    def entries_of(self, titles: dict[str, str | None], others: set[str],
                   authors: dict[str, list[str]] | None = None) -> dict[str, Entry]:
        """The entry of each paper (id -> title; its authors where known) by ``find``, one entry for one
        paper: the one it matches best (its id, else the closest title; ties: the first), so that a
        paper deleted from the list never lives on in the entry of a near-same title.
        Example: doc.entries_of({"2509.00001": None}, set())"""
        found = {i: self.find(i, title, others, (authors or {}).get(i, ())) for i, title in titles.items()}

        def closeness(paper_id: str) -> float:
            entry = found[paper_id]
            if entry.arxiv_id == paper_id:
                return 2.0
            return title_closeness(normalize_title(titles[paper_id] or ""), entry.title_key)

        owner: dict[int, str] = {}
        for paper_id in sorted((i for i in found if found[i] is not None), key=closeness, reverse=True):
            owner.setdefault(found[paper_id].start, paper_id)
        return {i: entry for i, entry in found.items() if entry is not None and owner[entry.start] == i}

    def find(self, arxiv_id: str | None, title: str | None, others: set[str] = frozenset(),
             authors: list[str] = ()) -> Entry | None:
        """The live entry of a paper: by arXiv id, else by its title, exactly or as a maintainer
        may have fixed it (nearly the same words), among entries that are no paper of ``others``
        (ids known to be other papers; with ``arxiv_id``: no entry of another arXiv paper), of the same
        ``authors`` where both name them, and not another part of a series.  None when there is none, or
        more than one such title."""
        found = next((e for e in self.entries if arxiv_id and e.arxiv_id == arxiv_id), None)
        if found is not None or not title:
            return found
        key = normalize_title(title)
        strangers = [e for e in self.entries if not (e.arxiv_id and (arxiv_id or e.arxiv_id in others))
                     and same_authors(authors, e.authors) and not numbered_apart(title, e.title)]
        exact = [e for e in strangers if e.title_key == key]
        close = exact or [e for e in strangers if title_closeness(key, e.title_key[:len(key) + 10], 0.9)]
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


def require_entries(document: AwesomeList, source: str) -> None:
    """A list read as no entry at all is an error (the bot would see none of its papers).

    Example: require_entries(parse(readme), "README.md")  # ListFormatError when nothing is read
    """
    if document.entries:
        return
    first = f"; first at line {document.unparsed[0][0]}" if document.unparsed else ""
    raise ListFormatError(f"{source}: no entry read ({len(document.unparsed)} lines with paper links not "
                          f"understood{first})", "write entries as bullets, numbered items, table rows or bold-title "
                          "blocks under '#' headings: see 'How it works' in the README")


def parse(text: str) -> AwesomeList:
    """Parse a README into headings, entries (live and commented out) and the lines not understood.
    Each call parses anew: a run parses each text it reads once and passes the result along.

    Example: parse(Path("README.md").read_text()).entries[0].section  # 'Segmentation'
    """
    lines = text.splitlines(keepends=True)
    masked, starts_inside, unclosed = comment_view(lines)
    first = next((i for i, line in enumerate(masked) if heading_of(line.rstrip("\r\n"))), None)
    title_line = first if first is not None and heading_of(masked[first].rstrip("\r\n"))[0] == 1 else None
    live = scan(masked, title_line)
    hidden = scan(_hidden_view(lines, masked), title_line)
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


__all__ = ["AwesomeList", "Entry", "Heading", "HEADING", "parse", "parse_date",
           "normalize_title", "comment_view"]
