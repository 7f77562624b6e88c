"""Renders papers as list entries in the list's own format, and inserts them.

Runs after classification, before publishing.  Everything here is pure:
text in, text out.  Untrusted text from arXiv passes through
:func:`markdown_text` before it reaches Markdown, so a title can neither break
the list's formatting, ping a user, link an issue nor hide the README.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from typing import TYPE_CHECKING

from .awesome import HEADING, AwesomeList, Entry, parse, parse_date

if TYPE_CHECKING:
    from .proposals import Proposal

MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_FULL = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
DEFAULT_SEPARATORS = (" \\", " \\", " \\")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ZWSP = "&#8203;"


def markdown_text(text: str) -> str:
    """Make untrusted text inert inside Markdown and HTML, on one line.

    Markdown and HTML punctuation is backslash-escaped, ``&`` becomes ``&amp;``,
    ``@user`` and ``#123`` get a zero-width space so GitHub neither pings nor
    links, and URLs lose their autolink.  The text still reads the same.
    """
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"@(?=[A-Za-z0-9_-])", "@" + ZWSP, text)
    text = re.sub(r"\\#(?=[0-9A-Za-z])", "\\#" + ZWSP, text)
    text = re.sub(r"(?i)\b(https?|ftp|javascript|data|vbscript):", lambda m: m.group(1) + ZWSP + ":", text)
    text = re.sub(r"(?i)\bwww\.", "www" + ZWSP + ".", text)
    return text


def ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


@dataclass(frozen=True)
class DateStyle:
    """How the list writes dates: '3rd Aug., 2023' (abbr + dot) is the default."""

    full_months: bool = False
    dot: bool = True

    def format(self, value: date) -> str:
        if self.full_months:
            month = MONTH_FULL[value.month - 1]
        else:
            month = MONTH_ABBR[value.month - 1]
            if self.dot and month != "May":
                month += "."
        return f"{ordinal(value.day)} {month}, {value.year}"


def date_style(document: AwesomeList) -> DateStyle:
    """The majority date style of the list (months whose full name is short are ignored)."""
    votes: Counter = Counter()
    for entry in document.entries:
        match = re.match(r"^\s*\d+\s*\w*\s+([A-Za-z]+)(\.?)", entry.date_text or "")
        if not match or match.group(1).lower() in ("may", "june", "july"):
            continue
        word = match.group(1)
        votes[DateStyle(full_months=len(word) > 4, dot=bool(match.group(2)))] += 1
    return votes.most_common(1)[0][0] if votes else DateStyle()


def _separators(document: AwesomeList, section: str | None) -> tuple[str, ...]:
    """The line separators the section's entries use (the list's majority elsewhere)."""
    def majority(entries: list[Entry]) -> tuple[str, ...] | None:
        found = Counter(e.separators for e in entries if len(e.separators) == 3 and all(e.separators))
        return found.most_common(1)[0][0] if found else None

    in_section = [e for e in document.entries if e.label == section]
    return majority(in_section) or majority(document.entries) or DEFAULT_SEPARATORS


def render_entry(paper: Proposal, document: AwesomeList, newline: str = "\n") -> str:
    """One entry, four lines, in the list's format for the paper's section."""
    style = date_style(document)
    seps = [s.strip() if s.strip() == "<br>" else " \\" for s in _separators(document, paper.section)]
    title = markdown_text(paper.title)
    authors = markdown_text(", ".join(paper.authors))
    venue = markdown_text(paper.venue or f"arXiv, {paper.date.year}")
    links = f"[[Paper](https://arxiv.org/abs/{paper.id})]"
    if paper.code_url:
        links += f" [[Github]({paper.code_url})]"
    lines = [
        f"**{title}**{seps[0]}",
        f"*{authors}*{seps[1]}",
        f"[{style.format(paper.date)}] [{venue}]{seps[2]}",
        links,
    ]
    return newline.join(lines) + newline


def _insertion_line(document: AwesomeList, paper: Proposal) -> tuple[int, bool]:
    """Where the entry goes: (line index, whether it goes *after* the last entry)."""
    heading = document.heading_for(paper.section)
    in_section = [e for e in document.entries if e.heading_line == heading.line]
    for entry in in_section:
        when = entry.date
        if when is not None and when <= paper.date:
            return entry.start, False
    if in_section:
        return in_section[-1].end, True
    index = heading.line + 1
    while index < len(document.lines) and not document.lines[index].strip():
        index += 1
    return index, False


def insert_entries(text: str, papers: list[Proposal]) -> str:
    """Insert each paper into its section, newest first; no other byte changes."""
    document = parse(text)
    newline = document.newline
    lines = list(document.lines)
    planned = []
    for order, paper in enumerate(papers):
        index, after = _insertion_line(document, paper)
        planned.append((index, after, order, paper))
    # bottom-up so earlier indices stay valid; same spot: newest first, input order kept
    planned.sort(key=lambda item: (item[0], -item[3].date.toordinal(), item[2]), reverse=True)
    for index, after, _, paper in planned:
        block = render_entry(paper, document, newline)
        if after:
            if index > 0 and not lines[index - 1].endswith("\n"):
                lines[index - 1] += newline
            lines[index:index] = [newline, block]
        elif index > 0 and HEADING.match(lines[index - 1]):
            lines[index:index] = [newline, block, newline]
        else:
            lines[index:index] = [block, newline]
    return "".join(lines)


def where(document: AwesomeList, paper: Proposal) -> str:
    """A human description of where the entry would be inserted."""
    index, after = _insertion_line(document, paper)
    heading = document.heading_for(paper.section)
    neighbours = [e for e in document.entries if e.heading_line == heading.line]
    if not neighbours:
        return f"section '{paper.section}' (line {heading.line + 1}), as its first entry"
    if after:
        return f"section '{paper.section}', at the end, after line {index} ('{neighbours[-1].title[:50]}')"
    below = next(e for e in neighbours if e.start == index)
    return f"section '{paper.section}', line {index + 1}, above '{below.title[:60]}'"


__all__ = ["insert_entries", "markdown_text", "render_entry", "where", "parse_date"]
