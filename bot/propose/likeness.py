"""How alike the bot's entries are to the maintainers' own, per section.

Runs in ``bot evaluate`` (and ``bench/bench_entries.py`` counts invented links the same way).  For
each entry of the list whose paper is given (``bot evaluate``: the papers of its test period): these
entries are taken out of the list, the bot writes each paper's entry into what is left, in the
entry's own section (placement is measured apart), and the two texts are compared (``difflib``
ratio, 1.0 = the same text).  A link of the bot's entry (a badge's image too) that is neither the
arXiv link nor in the paper's record (abstract, comment) is an invented link: there must be none.
Pure: texts and records in, figures out.  Example::

    rows = likeness(parse(readme_text), {p.id: p for p in store_papers})
    per_section, overall = summary(rows); per_section["Segmentation"]["median"]  # 0.93
"""

from __future__ import annotations

import difflib
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

from bot.base.ids import ARXIV_URL
from bot.lists.awesome import AwesomeList, parse
from bot.lists.inline import LINK
from bot.propose.proposals import Proposal
from bot.propose.render import render_entry


@dataclass(frozen=True)
class Likeness:
    """One list entry against the entry the bot writes for the same paper."""

    id: str
    section: str
    ratio: float  # difflib ratio of the two texts
    invented: tuple[str, ...]  # link targets of the bot's entry that the paper's record does not hold


def invented_links(line: str, paper) -> list[str]:
    """Link targets of an entry that are neither links to the paper on arXiv (its page, its PDF, its arXiv
    DOI) nor in the paper's record.

    Example: invented_links("[Code](https://github.com/a/b)", paper_without_that_url) == ["https://github.com/a/b"]
    """
    record = f"{paper.abstract or ''} {paper.comment or ''}"
    return [t for t in _targets(line) if t and not ARXIV_URL.search(t) and "img.shields.io" not in t
            and t not in record]


def _targets(text: str) -> Iterator[str]:
    """Every link target of a Markdown text as the list reader reads links, with the images inside a
    link's label (a badge: ``[![Stars](image)](repository)``)."""
    for found in LINK.finditer(text):
        yield found.group(3)
        yield from _targets(found.group(1))


def likeness(document: AwesomeList, papers: dict) -> list[Likeness]:
    """Each entry under a heading whose paper ``papers`` holds (id -> ``Paper``), in list order.  The bot
    writes them into the list without all of them (as it stood before they were added: one entry's own
    format must not teach the bot how to write it), each in its own section."""
    compared = [e for e in document.entries if e.arxiv_id in papers and e.label]
    if not compared:
        return []
    skip = set()
    for entry in compared:
        skip.update(range(entry.start, entry.end))
    lines = document.lines
    without = parse("".join(line for index, line in enumerate(lines) if index not in skip))
    rows = []
    for entry in compared:
        paper = papers[entry.arxiv_id]
        theirs = "".join(lines[entry.start:entry.end]).strip()
        ours = render_entry(Proposal.for_paper(paper, entry.label), without, without.newline).strip()
        rows.append(Likeness(paper.id, entry.label, difflib.SequenceMatcher(None, ours, theirs).ratio(),
                             tuple(invented_links(ours, paper))))
    return rows


def summary(rows: list[Likeness]) -> tuple[dict[str, dict], dict | None]:
    """(per section in list order, all entries together): entries compared, median ratio, invented links."""
    def figures(found: list[Likeness]) -> dict:
        return {"entries": len(found), "median": round(statistics.median(r.ratio for r in found), 4),
                "invented_links": sum(len(r.invented) for r in found)}

    groups: dict[str, list[Likeness]] = {}
    for row in rows:
        groups.setdefault(row.section, []).append(row)
    return {name: figures(found) for name, found in groups.items()}, (figures(rows) if rows else None)
