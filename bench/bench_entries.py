"""Benchmark: is the entry the bot writes the one the maintainers wrote?  Entry similarity on real lists.

Anchor (the issue *The entry a maintainer would write*): the median similarity (difflib ratio)
of the bot's entry to the maintainers' own line for the same paper >= 0.85 on every list, badges
included; zero invented links (every link target of a bot entry is the arXiv link or appears in the
paper's arXiv record; a badge image is built from such a link).

For each list of bench/lists/ (see SOURCES.md): the papers its maintainers added after the cut date
that are in the shared corpus (../shared/data/arxiv/papers.jsonl.gz, with their abstracts and
comments), each written by `render_entry` into the list as it stood at the cut, in the section the
maintainers chose (placement is measured by bench_lists.py; this measures the writing), and compared
with the maintainers' entry text.  Two columns: entries from the title, authors and date only
(``bare``), and with what the record says (code repository, project page, venue: bot/links.py).

Run: python bench/bench_entries.py   (about a minute)
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.lists.awesome import parse  # noqa: E402
from bot.papers.paper import Paper  # noqa: E402
from bot.propose.likeness import invented_links  # noqa: E402
from bot.propose.proposals import Proposal  # noqa: E402
from bot.propose.render import render_entry  # noqa: E402

PAPERS = ROOT.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz"
LISTS = ROOT / "bench" / "lists"
TARGET = 0.85


def main() -> None:
    papers = {}
    with gzip.open(PAPERS, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            papers[record["id"]] = record
    print("| list | papers | median similarity, bare | median similarity, with the record's fields | "
          "entries with a code link / badge (maintainers', bot's) | invented links | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for spec in json.loads((LISTS / "lists.json").read_text()):
        folder = LISTS / spec["slug"]
        before = parse((folder / "before.md").read_text(encoding="utf-8"))
        after_text = (folder / "after.md").read_text(encoding="utf-8")
        after = parse(after_text)
        if not before.entries:
            print(f"| {spec['slug']} | - | - | - | - | - | not read |")
            continue
        listed = {e.arxiv_id for e in before.entries if e.arxiv_id}
        labels = set(before.labels())
        lines = after_text.splitlines()
        bare, full, wrong, code_theirs, code_ours = [], [], 0, 0, 0
        for entry in after.entries:
            record = papers.get(entry.arxiv_id or "")
            if not record or entry.arxiv_id in listed or entry.label not in labels:
                continue
            if not spec["cut_date"] < record["listing_date"] <= spec["end_date"]:
                continue
            paper = Paper.from_json(record)
            theirs = "\n".join(lines[entry.start:entry.end]).strip()
            proposal = Proposal.for_paper(paper, entry.label)
            plain = Proposal(paper.id, paper.title, entry.label, authors=paper.authors, date=proposal.date)
            ours = render_entry(proposal, before).strip()
            bare.append(difflib.SequenceMatcher(None, render_entry(plain, before).strip(), theirs).ratio())
            full.append(difflib.SequenceMatcher(None, ours, theirs).ratio())
            wrong += len(invented_links(ours, paper))
            code_theirs += bool(re.search(r"github\.com|gitlab\.com|huggingface\.co", theirs))
            code_ours += bool(re.search(r"github\.com|gitlab\.com|huggingface\.co", ours))
        if not full:
            print(f"| {spec['slug']} | 0 | - | - | - | - | no papers |")
            continue
        median = statistics.median(full)
        met = median >= TARGET and wrong == 0
        print(f"| {spec['slug']} | {len(full)} | {statistics.median(bare):.3f} | {median:.3f} | "
              f"{code_theirs} / {code_ours} | {wrong} | {'met' if met else 'MISSED'} |", flush=True)


if __name__ == "__main__":
    main()
