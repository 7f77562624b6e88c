"""Inserts papers' entries into the list's text, each where its section's order puts it.

Runs after classification, before publishing (the rolling pull request's plan calls
``insert_entries``).  Pure: text in, text out; no byte of the README changes but the new entries'
lines (and the line ending of a last line that had none).  Where an entry goes and how it is
written come from ``render``; here they are applied to the lines in rounds: each paper of a round
placed on one parse of the list, where inserting the papers one at a time would put it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.base.errors import ListFormatError
from bot.lists.awesome import HEADING, YEAR_HEADING, AwesomeList, Entry, parse
from bot.lists.tables import DELIMITER, is_row
from bot.propose.render import Placement, hidden_line, place, rendered, section_order, table_head, turns

if TYPE_CHECKING:
    from bot.propose.proposals import Proposal


@dataclass
class _Batch:
    """The papers being inserted together (with the bot's entries already in the list, its pending
    proposals), and the list before them: each entry copies the list's own entries, read in the order
    its section had (and the list's ways, such as how it writes an empty cell, read from its own
    entries), never the bot's: not the batch's of earlier rounds, not those of earlier runs."""

    ids: frozenset[str]  # the batch's papers and the bot's entries already there
    before: AwesomeList
    orders: dict[str, str | None] = field(default_factory=dict)
    _view: tuple[AwesomeList, AwesomeList] | None = None  # a round's list, and the same without the bot's entries
    _before: AwesomeList | None = None  # the list before the batch, without the bot's entries

    def order(self, section: str) -> str | None:
        if section not in self.orders:
            own = self._before = self._before or self.own(self.before)
            try:
                self.orders[section] = section_order(own, own.section_entries(section))
            except ListFormatError:
                self.orders[section] = None
        return self.orders[section]

    def own(self, document: AwesomeList) -> AwesomeList:
        """``document`` as the list's own entries read it: the lines as they are, without the bot's entries."""
        if self._view is None or self._view[0] is not document:
            entries = [e for e in document.entries if e.arxiv_id not in self.ids]
            self._view = (document, document if len(entries) == len(document.entries) else
                          replace(document, entries=entries))
        return self._view[1]

    def rendered(self, paper: Proposal, document: AwesomeList, plan: Placement | None):
        return rendered(paper, self.own(document), document.newline, plan, self.ids, self.order(paper.section))


def _blank_lines(entries: list[Entry], lines: list[str]) -> int:
    """Blank lines between the section's entries: 1 for blocks and loose lists, 0 for tight ones."""
    gaps = Counter(sum(1 for i in range(a.end, b.start) if not lines[i].strip()) for a, b in zip(entries, entries[1:]))
    return min(1, gaps.most_common(1)[0][0]) if gaps else 0


def _inserted(document: AwesomeList, paper: Proposal, lines: list[str], batch: _Batch) -> list[str]:
    """``lines`` (the document's, or a copy with insertions *below* this paper's place) with the
    paper's entry inserted where ``document`` says it goes."""
    newline = document.newline
    plan = place(document, paper)
    block, model = batch.rendered(paper, document, plan)
    if model is not None and model.shape == "table" and not plan.entries:
        index = plan.index
        if index + 1 < len(document.lines) and is_row(document.lines[index]) and DELIMITER.match(document.lines[index + 1]):
            plan.index = index + 2  # a table with a header and no row yet: the row goes under it
        else:
            block = table_head(document, model, newline) + block  # no table yet: the list's header first
    model_shape = "block" if not plan.entries else (model or plan.entries[0]).shape
    alike = [e for e in plan.entries if (e.shape == "table") == (model_shape == "table")] or plan.entries
    gap = 1 if model_shape in ("block", "paragraph") else _blank_lines(alike, document.lines)  # rows: none
    spacer = [newline] * gap
    index = plan.index
    if plan.new_heading is not None:
        if index > 0 and not lines[index - 1].endswith("\n"):
            lines[index - 1] += newline
        chunk = [plan.new_heading + newline] + ([newline] if plan.spaced else []) + [block]
        apart = [newline] if plan.apart else []
        lines[index:index] = chunk + apart if plan.after is None else apart + chunk
        return lines
    if plan.after is not None:
        if index > 0 and not lines[index - 1].endswith("\n"):
            lines[index - 1] += newline
        lines[index:index] = spacer + [block]
    elif not plan.entries or (gap and index > 0 and HEADING.match(lines[index - 1])):
        heading_above = index > 0 and HEADING.match(lines[index - 1])
        if index > 0 and not lines[index - 1].endswith("\n"):
            lines[index - 1] += newline
        lines[index:index] = ([newline] if heading_above else []) + [block] + \
            ([newline] if index < len(lines) and lines[index].strip() else [])
    else:
        lines[index:index] = [block] + spacer
    return lines


def insert_entries(text: str, papers: list[Proposal], document: AwesomeList | None = None,
                   bots: frozenset[str] = frozenset()) -> str:
    """Insert each paper into its section, in the section's order; no other byte changes.
    ``document``: the text already parsed, when the caller has it; ``bots``: the ids of the bot's
    entries already in it (its pending proposals), which a new entry never copies.

    The papers go in at the places that inserting them one at a time, newest first, would give, but
    the list is parsed once per *round* (see ``_round``), not once per paper: each paper of a round
    is placed on the same parse, and applied from the bottom of the list up, so that the places
    above stay where they were.  Every entry of the batch is written as it would be alone: like the
    list's own entries, in the order its section had, never like the entries of earlier rounds.

    Example: insert_entries(readme, [proposal]) -> the README with one more entry
    """
    ordered = [paper for _, paper in sorted(enumerate(papers), key=lambda item: (-item[1].date.toordinal(),
                                                                                   -item[0]))]
    document = parse(text) if document is None else document
    batch = _Batch(frozenset(paper.id for paper in papers) | bots, document)
    while ordered:
        document = parse(text) if document is None else document
        places, ordered = _round(document, ordered, batch)
        lines = list(document.lines)
        for index in sorted(places, reverse=True):
            for paper in reversed(places[index]):  # the lowest first: each one goes above those below it
                lines = _inserted(document, paper, lines, batch)
        text, document = "".join(lines), None
    return text


def _round(document: AwesomeList, ordered: list[Proposal], batch: _Batch
           ) -> tuple[dict[int, list[Proposal]], list[Proposal]]:
    """The papers one parse can place, by the line they go before (top to bottom), and the papers left
    for the next round.

    The first paper of each section (but a paper whose section has no order of its own follows the
    whole list's, which every paper before it changes: where they could turn it, it is placed only
    first in a round, and while it waits every paper after it waits too); a later one of the same
    section where the place one-by-one insertion gives it is known from this parse: in a section
    written newest first, above the first entry (of the list or placed before it in this round) whose
    date is not newer, the dates of the entries placed read from their text; in a section in no
    order, at the end.  Sections with item numbers, year headings or dated groups to write, no entries
    yet, or entries inside comments wait for the next round, as does a paper that could turn the
    section's order, and one that goes under the same heading as another section's paper, or beside a
    paper of another section when one of the two sections is a year heading ('### 2021' is a section,
    and a year of '## Papers', whose year groups read as one order).  (Parsing once per paper on a 5,000-entry list: 21 s
    for 25 papers in three sections.)
    """
    places: dict[int, list[Proposal]] = {}
    rest: list[Proposal] = []
    started: set[str] = set()  # the sections with a paper placed in this round
    keys: dict[int, tuple | None] = {}
    blocks: dict[int, int] = {}  # by paper: the heading its entry goes under ('### 2021' holds two sections' papers)
    barrier = False  # a paper waits whose section follows the whole list's order: every later one waits too
    for paper in ordered:
        if barrier or any(other.section == paper.section for other in rest):
            rest.append(paper)  # after a paper of its section that waits, it waits too
            barrier = barrier or _order_may_turn(document, paper, len(ordered))
            continue
        try:
            plan = place(document, paper)
        except ListFormatError:
            places.setdefault(len(document.lines), []).append(paper)  # its error is raised when inserted
            started.add(paper.section)
            continue
        if plan.new_heading is not None and places:
            rest.append(paper)  # a heading to write (a year's): sections under one parent share their year headings
            continue
        if _order_may_turn(document, paper, len(ordered)) and (places or rest):
            rest.append(paper)  # the papers before it change the list's order it follows: it goes first
            barrier = True
            continue
        index, at = plan.index, None
        block = blocks[id(paper)] = max((h.line for h in document.headings if h.line < index), default=-1)
        others = [other for other in rest + [p for group in places.values() for p in group]
                  if other.section != paper.section]
        if any(blocks.get(id(other)) == block or YEAR_HEADING.match(other.section) for other in others) \
                or (others and YEAR_HEADING.match(paper.section)):
            rest.append(paper)  # beside another section's paper under one heading, or one section is a year's
            continue
        if paper.section in started:
            at = _among_earlier(document, plan, paper, places, keys)
            if at == WAIT:
                rest.append(paper)
                continue
        group = places.setdefault(index, [])
        group.insert(len(group) if at is None else at, paper)
        keys[id(paper)] = _written_key(document, paper, plan, batch)
        started.add(paper.section)
    return places, rest


WAIT = "wait"  # a paper's place is not known from this round's parse


def _among_earlier(document: AwesomeList, plan: Placement, paper: Proposal, places: dict[int, list[Proposal]],
                   keys: dict[int, tuple | None]) -> int | str | None:
    """Where a later paper of a section with papers placed this round goes among the papers placed at
    its line: None after them, the position of the one it goes above, or ``WAIT``."""
    placed = [(line, other) for line in sorted(places) for other in places[line]  # top to bottom
              if other.section == paper.section and id(other) in keys]
    if not _joins(document, plan, [(line, keys[id(other)]) for line, other in placed]):
        return WAIT
    own = (paper.date.year, paper.date.month, paper.date.day)
    above = next(((line, id(other)) for line, other in placed if line <= plan.index and plan.order == "desc"
                  and keys[id(other)] is not None and keys[id(other)] <= own), None)
    if above is None:
        return None
    if above[0] != plan.index:
        return WAIT  # above a paper placed higher up this round: its line is not known yet
    return next(i for i, p in enumerate(places[plan.index]) if id(p) == above[1])


def _order_may_turn(document: AwesomeList, paper: Proposal, pending: int) -> bool:
    """Whether the paper's section has no order of its own (no two dated entries that differ) and
    follows the whole list's, which the ``pending`` papers could turn (an entry inserted changes the
    list's count of pairs that go up, or down, in time by at most 3)."""
    try:
        entries = document.section_entries(paper.section)
    except ListFormatError:
        return False
    up, down = document.order_evidence
    return turns([e.sort_key for e in entries]) == (0, 0) and abs(down - up) <= 3 * pending


def _written_key(document: AwesomeList, paper: Proposal, plan: Placement, batch: _Batch) -> tuple | None:
    """The date key of the paper's entry as the list will read it (its written date, else its arXiv id)."""
    block, model = batch.rendered(paper, document, plan)
    head = table_head(document, model, document.newline) if model is not None and model.shape == "table" else ""
    entries = parse(f"# List{document.newline}## Section{document.newline}{head}{block}").entries
    return entries[0].sort_key if len(entries) == 1 else None


def _joins(document: AwesomeList, plan: Placement, earlier: list) -> bool:
    """Whether a paper's place is known though the papers of its section placed before it in this
    round (``earlier``: their lines and date keys, top to bottom) are not in the parse yet."""
    if plan.new_heading is not None or not plan.entries or plan.order not in ("desc", "none") \
            or hidden_line(document, plan.index):
        return False
    if any(e.group_line is not None or any(p.kind == "number" for p in e.pieces) for e in plan.entries):
        return False
    events = sorted([(e.start, 1, n, e.sort_key) for n, e in enumerate(plan.entries)]
                    + [(line, 0, n, key) for n, (line, key) in enumerate(earlier)])
    up, down = turns([key for *_, key in events])
    return (plan.order == "desc" and down > up) or (plan.order == "none" and up == down > 0)


__all__ = ["insert_entries"]
