"""Renders papers as list entries in the list's own format, and inserts them.

Runs after classification, before publishing.  Everything here is pure:
text in, text out.  A new entry copies the format of the recent entries of
its section (``by_example``): blocks, bullets, numbered items or table rows,
with their markup, link labels, date and venue style.  It goes where the
section's order puts it (newest first, oldest first, or at the end when the
section has no order; under the heading of its year when the section is grouped
by year), never inside an HTML comment, and no other byte of the README changes.  Untrusted text from arXiv passes through
:func:`markdown_text` before it reaches Markdown, so a title can neither break
the list's formatting (nor a table row), ping a user, link an issue nor hide
the README.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.base.errors import ListFormatError
from bot.base.text import markdown_text
from bot.lists.awesome import (
    YEAR_HEADING,
    AwesomeList,
    Entry,
    parse_date,
)
from bot.lists.by_example import example, fill, recent, with_code
from bot.lists.listfields import (
    DATE_ANY,
    MONTH_ABBR,
    MONTH_FULL,
    DateFormat,
    date_parts,
    ordinal,
)

if TYPE_CHECKING:
    from bot.propose.proposals import Proposal


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
    """The majority ordinal date style of the list (months whose full name is short are ignored)."""
    votes: Counter = Counter()
    for entry in document.entries:
        match = re.match(r"^\s*\d+\s*\w*\s+([A-Za-z]+)(\.?)", entry.date_text or "")
        if not match or match.group(1).lower() in ("may", "june", "july"):
            continue
        word = match.group(1)
        votes[DateStyle(full_months=len(word) > 4, dot=bool(match.group(2)))] += 1
    return votes.most_common(1)[0][0] if votes else DateStyle()


def _default_block(paper: Proposal, document: AwesomeList, newline: str) -> str:
    """The bundled list's four-line block, for a list with no entry to copy."""
    venue = markdown_text(paper.venue or f"arXiv, {paper.date.year}")
    links = f"[[Paper](https://arxiv.org/abs/{paper.id})]"
    if paper.code_url:
        links += f" [[Code]({paper.code_url})]"
    lines = [f"**{markdown_text(paper.title)}** \\", f"*{markdown_text(', '.join(paper.authors))}* \\",
             f"[{date_style(document).format(paper.date)}] [{venue}] \\", links]
    return newline.join(lines) + newline


def section_order(document: AwesomeList, entries: list[Entry]) -> str:
    """'desc' (newest first), 'asc' (oldest first) or 'none', from the dates (or arXiv ids) of the
    section's entries; a section too small to tell follows the whole list."""
    up, down = turns([e.sort_key for e in entries])
    if up == down == 0:
        up, down = document.order_evidence
    if up == down:
        return "none" if up else "desc"  # no evidence: newest first, as the bot has always written
    return "desc" if down > up else "asc"


def turns(keys: list) -> tuple[int, int]:
    """(up, down): neighbouring date keys (None skipped) that go up, and down, in time."""
    known = [key for key in keys if key is not None]
    return sum(b > a for a, b in zip(known, known[1:])), sum(b < a for a, b in zip(known, known[1:]))


def _number(entries: list[Entry], before: Entry | None) -> int | None:
    """The item number of a new numbered entry or table row (None when the section has none)."""
    def value(entry: Entry) -> int | None:
        found = next((p.text for p in entry.pieces if p.kind == "number"), None)
        return int(found) if found else None

    numbers = [value(e) for e in entries]
    if not numbers or any(n is None for n in numbers):
        return None
    if len(numbers) > 1 and len(set(numbers)) == 1:
        return numbers[0]  # '1.' on every item: Markdown numbers them, the list does not
    descending = len(numbers) > 1 and numbers[0] > numbers[-1]
    if before is not None:
        return value(before) + (1 if descending else 0)
    return max(1, numbers[-1] + (-1 if descending else 1))


@dataclass
class Placement:
    index: int  # the line the new text goes before
    after: Entry | None  # the entry it follows (None: before ``before`` or first in the section)
    before: Entry | None
    entries: list[Entry]
    order: str
    new_heading: str | None = None  # a year heading to write first ('### 2025'), when the year has none
    spaced: bool = False  # a blank line after that heading
    apart: bool = True  # a blank line between that heading's group and its neighbours


def place(document: AwesomeList, paper: Proposal) -> Placement:
    """Where the entry goes in its section, by the section's order (under the heading of its year when
    the section is grouped by year); never inside an HTML comment."""
    heading = document.heading_for(paper.section)
    entries = [e for e in document.entries if e.label_line == heading.line]
    order = section_order(document, entries)
    key = (paper.date.year, paper.date.month, paper.date.day)
    pool, anchor, years = entries, heading, _year_headings(document, heading)
    if years:
        anchor = next((h for h in years if _year(h.text) == paper.date.year), None)
        if anchor is None:
            return _new_year(document, years, entries, order, paper)
        pool = [e for e in entries if e.heading_line == anchor.line]
    if pool and all(e.group_line is not None for e in pool):
        return _dated_group(document, pool, entries, order, paper)
    before = None
    if order == "desc":
        before = next((e for e in pool if e.sort_key is not None and e.sort_key <= key), None)
    elif order == "asc":
        before = next((e for e in pool if e.sort_key is not None and e.sort_key > key), None)
    if before is not None:
        plan = Placement(before.start, None, before, entries, order)
    elif pool:
        plan = Placement(pool[-1].end, pool[-1], None, entries, order)
    else:
        index = anchor.line + 1
        while index < len(document.lines) and not document.lines[index].strip():
            index += 1
        plan = Placement(index, None, None, entries, order)
    if hidden_line(document, plan.index):
        plan = _outside_comment(document, heading, plan)
    return plan


def _year(text: str) -> int | None:
    found = re.search(r"(?:19|20)\d{2}", text)
    return int(found.group(0)) if found and YEAR_HEADING.match(text) else None


def _year_headings(document: AwesomeList, heading) -> list:
    """The year sub-headings ('### 2024') that group a section's entries, in document order."""
    end = next((h.line for h in document.headings if h.line > heading.line and h.level <= heading.level),
               len(document.lines))
    return [h for h in document.headings if heading.line < h.line < end and _year(h.text) is not None]


def _new_year(document: AwesomeList, years: list, entries: list[Entry], order: str, paper: Proposal) -> Placement:
    """A section grouped by year has no heading for the paper's year: a new one, like its siblings, in
    the order of the years."""
    year = paper.date.year
    ascending = _year(years[0].text) < _year(years[-1].text) if len(years) > 1 else order == "asc"
    later = next((h for h in years if (_year(h.text) > year) == ascending), None)
    sibling = years[0]
    raw = document.lines[sibling.line].rstrip("\r\n")
    text = raw.replace(str(_year(sibling.text)), str(year), 1)
    gaps = [h.line + 1 < len(document.lines) and not document.lines[h.line + 1].strip() for h in years]
    spaced = sum(gaps) * 2 > len(gaps)  # a blank line after the heading, as most of its siblings
    if later is not None:
        return Placement(later.line, None, None, entries, order, text, spaced)
    group = [e for e in entries if e.heading_line == years[-1].line]
    if group:
        return Placement(group[-1].end, group[-1], None, entries, order, text, spaced)
    following = next((h.line for h in document.headings if h.line > years[-1].line), len(document.lines))
    return Placement(following, None, None, entries, order, text, spaced)


def _dated_group(document: AwesomeList, pool: list[Entry], entries: list[Entry], order: str, paper: Proposal) -> Placement:
    """Entries nested under dated bullets ('- **[2025.02.07]**'): under the bullet of the paper's date, or
    under a new one like its siblings, in the order of the dates."""
    groups: dict[int, list[Entry]] = {}
    for entry in pool:
        groups.setdefault(entry.group_line, []).append(entry)
    dated = []
    for line, children in groups.items():
        found = DATE_ANY.search(document.lines[line])
        parts = date_parts(found.group(0)) if found else None
        if parts:
            dated.append(((parts[0], parts[1] or 0, parts[2] or 0), line, found.group(0), children))
    key = (paper.date.year, paper.date.month, paper.date.day)
    same = next((g for g in dated if g[0] == key), None)
    if same is not None:
        children = same[3]
        if order == "asc":
            return Placement(children[-1].end, children[-1], None, entries, order)
        return Placement(children[0].start, None, children[0], entries, order)
    ascending = dated[0][0] < dated[-1][0] if len(dated) > 1 else order == "asc"
    _, line, text, _ = dated[0]
    style = DateFormat.of(text)
    raw = document.lines[line].rstrip("\r\n")
    bullet = raw.replace(text, style.format(paper.date) if style else text, 1)
    apart = sum(1 for g in dated[1:] if g[1] > 0 and not document.lines[g[1] - 1].strip()) * 2 > len(dated) - 1
    later = next((g for g in dated if (g[0] > key) == ascending), None)
    if later is not None:
        return Placement(later[1], None, None, entries, order, bullet, False, apart)
    last = dated[-1][3][-1]
    return Placement(last.end, last, None, entries, order, bullet, False, apart)


def hidden_line(document: AwesomeList, index: int) -> bool:
    if index < len(document.in_comment):
        return document.in_comment[index]
    return any("never closed" in w for w in document.warnings)


def _outside_comment(document: AwesomeList, heading, plan: Placement) -> Placement:
    """The nearest place in the section that is not inside an HTML comment, or a ListFormatError."""
    end = next((h.line for h in document.headings if h.line > heading.line and h.level <= heading.level),
               len(document.lines))
    places = [i for i in range(heading.line + 1, end + 1) if not hidden_line(document, i)]
    if not places:
        raise ListFormatError(f"section '{document.labels_by_line.get(heading.line, heading.text)}' "
                              f"(line {heading.line + 1}) has no place outside an HTML comment for a new entry",
                              "close the '<!--' comment or uncomment the section")
    index = min(places, key=lambda i: abs(i - plan.index))
    return Placement(index, None, None, plan.entries, plan.order)


def render_entry(paper: Proposal, document: AwesomeList, newline: str = "\n") -> str:
    """The paper's entry in the format of the recent entries of its section (one line, or a block).

    Example: render_entry(proposal, parse(readme)) -> "- [Title](https://arxiv.org/abs/2509.00001), ...\\n"
    """
    try:
        plan = place(document, paper)  # as insertion places it (its item number, its year's group)
    except ListFormatError:
        plan = None
    return rendered(paper, document, newline, plan)[0]


def rendered(paper: Proposal, document: AwesomeList, newline: str, plan: Placement | None,
             batch: frozenset[str] = frozenset(), order: str | None = None) -> tuple[str, Entry | None]:
    """The paper's entry, and the list's entry it copies: never one of the ``batch`` (the ids being
    inserted with it), read in the section's ``order`` before the batch (default: as it is now)."""
    try:
        entries = plan.entries if plan else document.section_entries(paper.section)
        order = order or (plan.order if plan else section_order(document, entries))
    except ListFormatError:
        entries, order = [], "desc"
    neighbour = (plan.before or plan.after) if plan else None
    own = [e for e in entries if e.arxiv_id not in batch]
    alike = [e for e in own if neighbour is None or (e.shape == "table") == (neighbour.shape == "table")]
    model = example(document, alike or own, order)  # a section of bullets and a table: a row among rows
    if model is not None and paper.code_url:
        model = with_code(document, model, recent(alike or own, order))
    if model is None:
        return _default_block(paper, document, newline), None
    number = _number(entries, plan.before) if plan and entries else None
    return fill(document, model, paper, newline, number), model


def table_head(document: AwesomeList, row: Entry, newline: str) -> str:
    """The header and delimiter lines of the table a row belongs to (for a section with no table yet)."""
    top = row.start
    while top > 0 and "|" in document.lines[top - 1] and document.lines[top - 1].strip():
        top -= 1
    return "".join(re.sub(r"\r?\n$", "", line) + newline for line in document.lines[top:top + 2])


def where(document: AwesomeList, paper: Proposal) -> str:
    """A human description of where the entry would be inserted."""
    plan = place(document, paper)
    heading = document.heading_for(paper.section)
    if not plan.entries:
        return f"section '{paper.section}' (line {heading.line + 1}), as its first entry"
    if plan.after is not None:
        return f"section '{paper.section}', at the end, after line {plan.index} ('{plan.after.title[:50]}')"
    if plan.before is None:
        return f"section '{paper.section}', line {plan.index + 1}"
    return f"section '{paper.section}', line {plan.index + 1}, above '{plan.before.title[:60]}'"


__all__ = ["Placement", "markdown_text", "parse_date", "place", "render_entry", "rendered", "section_order", "where"]
