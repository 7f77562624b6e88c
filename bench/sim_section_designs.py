"""Simulation: section designs measured before building them into the bot (the issue *The entry a
maintainer would write, where they would put it*; not part of the bot).

For each real list of ``bench/lists/`` (the list at its cut, ``before.md``; its later version,
``after.md``): the bot's section model (``classifier.sections.fit``) is trained on the entries at the
cut, and each later addition under a heading the list already had is placed; printed: top-1 agreement
with the maintainers' section, the bot's model as it is beside one design:

- ``--design intake``: the section probabilities times (a section's share of the list's most recent
  ``--recent`` entries by arXiv month / its share of all entries) ^ ``--gamma``: a section that has
  received papers lately is likelier (the issue's "recent intake");
- ``--design abstracts``: entries with their abstract where the shared corpus holds the paper (it
  starts in March 2025), in training and in placement.

Run: python bench/sim_section_designs.py --design intake [--recent 0.25] [--gamma 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.lists.awesome import parse  # noqa: E402
from classifier import sections  # noqa: E402
from classifier.features import paper_text  # noqa: E402

PAPERS = ROOT.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz"
LISTS = ROOT / "bench" / "lists"


def month(arxiv_id: str | None) -> int | None:
    found = re.match(r"(\d{2})(\d{2})\.", arxiv_id or "")
    return int(found.group(1)) * 12 + int(found.group(2)) if found else None


def intake_weights(entries: list, classes: list[str], recent: float) -> np.ndarray:
    dated = sorted((month(e.arxiv_id), e.label) for e in entries if e.label and month(e.arxiv_id))
    latest = Counter(label for _, label in dated[-max(1, int(len(dated) * recent)):])
    overall = Counter(label for _, label in dated)
    share = np.array([(latest[c] + 1) / (sum(latest.values()) + len(classes)) for c in classes])
    return share / np.array([(overall[c] + 1) / (len(dated) + len(classes)) for c in classes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--design", choices=["intake", "abstracts"], required=True, help="the design to measure")
    parser.add_argument("--recent", type=float, default=0.25, help="intake: the share of entries that is recent")
    parser.add_argument("--gamma", type=float, default=1.0, help="intake: the weight of the intake")
    args = parser.parse_args()
    abstracts = {}
    if args.design == "abstracts":
        with gzip.open(PAPERS, "rt", encoding="utf-8") as handle:
            abstracts = {p["id"]: p.get("abstract") or "" for p in map(json.loads, handle)}
    sections.uses_abstract = lambda examples: args.design == "abstracts"  # the design decides, not the share
    print(f"| list | sections | additions placed | top-1: the bot | top-1: {args.design} |\n|---|---:|---:|---:|---:|")
    scores = []
    for folder in sorted(p for p in LISTS.iterdir() if (p / "after.md").is_file()):
        before, after = (parse((folder / name).read_text(encoding="utf-8")) for name in ("before.md", "after.md"))
        labels, listed = set(before.labels()), {e.arxiv_id for e in before.entries if e.arxiv_id}
        added = [e for e in after.entries if e.arxiv_id and e.arxiv_id not in listed and e.label in labels and e.title]
        examples = [sections.SectionExample(e.title, abstracts.get(e.arxiv_id, ""), e.label)
                    for e in before.entries if e.label and e.title]
        if not added or len(labels) < 2:
            continue
        plain = sections.fit([sections.SectionExample(x.title, "", x.section) for x in examples], sorted(labels))
        classes = plain.classes_.astype(str)
        base = plain.predict_proba([e.title for e in added])
        if args.design == "intake":
            design = base * intake_weights(before.entries, list(classes), args.recent) ** args.gamma
        else:
            design = sections.fit(examples, sorted(labels)).predict_proba(
                [paper_text(e.title, abstracts.get(e.arxiv_id) or None) for e in added])
        top1 = [float(np.mean([classes[row.argmax()] == e.label for row, e in zip(p, added)])) for p in (base, design)]
        scores.append(top1)
        print(f"| {folder.name} | {len(classes)} | {len(added)} | {top1[0]:.3f} | {top1[1]:.3f} |", flush=True)
    mean = np.mean(scores, axis=0)
    print(f"| **mean of {len(scores)} lists** | | | {mean[0]:.3f} | {mean[1]:.3f} |")


if __name__ == "__main__":
    main()
