"""Benchmark: a big list.  The bot's change to a 3 MB list of 5,000 entries or more, with 25 proposals.

Anchor (the issue *Promises under a second attack*): a run with 25 proposals on a 3 MB, 5,000-entry
list, the model already trained, in under 10 s and under 400 MB.

The list is built here: the bundled list's entries repeated under numbered copies of its sections,
each copy's arXiv ids and titles made distinct, until it holds ``ENTRIES`` entries and ``SIZE`` bytes.  The
25 proposals are real papers of the shared corpus placed in sections of the list.  Timed in a fresh
process: parsing the list, planning the rolling pull request (`rolling.plan`: the entries rendered and
inserted, the checks that nothing else changed) and the description; peak memory of that process.

Run: python bench/bench_big_list.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "data" / "list" / "README-seed.md"
ENTRIES = 5_000
SIZE = 3_000_000  # bytes: copies are added until the list holds ENTRIES entries and SIZE bytes
TARGET_SECONDS, TARGET_MB = 10.0, 400.0


def build() -> str:
    """A list of about ``ENTRIES`` entries: the seed's sections copied with distinct ids and titles."""
    sys.path.insert(0, str(ROOT))
    from bot.lists.awesome import parse

    text = SEED.read_text(encoding="utf-8")
    head, _, body = text.partition("\n## ")
    body = "## " + body
    per_copy = len(parse(text).entries)
    copies = []
    n = 0
    while n * per_copy < ENTRIES or len((head + "\n".join(copies)).encode()) < SIZE:
        copy = re.sub(r"^(#+ .+)$", lambda m: f"{m.group(1)} {n}" if n else m.group(1), body, flags=re.MULTILINE)
        copy = re.sub(r"(\d{4})\.(\d{4,5})", lambda m: f"{int(m.group(1)) % 100 + 1000 + n:04d}.{m.group(2)}"
                      if n else m.group(0), copy)
        copy = re.sub(r"\*\*(\S[^*\n]{3,}?)\*\*", lambda m: f"**{m.group(1)} (part {n})**" if n else m.group(0), copy)
        copies.append(copy)
        n += 1
    return head + "\n" + "\n".join(copies)


CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from bot.lists.awesome import parse
from bot.propose.proposals import Proposal, pull_request_body
from bot.propose.rolling import Branch, plan
from bot.papers.paper import Paper
text = open(sys.argv[2], encoding="utf-8").read()
papers = [Paper.from_json(json.loads(line)) for line in open(sys.argv[3], encoding="utf-8")]
started = time.perf_counter()
document = parse(text)
labels = document.labels()
if sys.argv[4] == "three":  # the three largest sections: many rounds of insertion
    from collections import Counter
    labels = [name for name, _ in Counter(e.label for e in document.entries).most_common(3)]
proposals = [Proposal(p.id, p.title, labels[i % len(labels)], authors=p.authors, date=p.date, venue=p.venue,
                      code_url=p.code_url, project_url=p.project_url) for i, p in enumerate(papers)]
result = plan(Branch(text, text, head=document, base=document), proposals, 25)  # parsed once, as a run does
body = pull_request_body(result.proposals, result.rejected, "bench")
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "added": len(result.added), "entries": len(document.entries),
                  "bytes": len(text.encode())}))
'''


def main() -> None:
    import gzip
    import tempfile

    text = build()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "list.md").write_text(text, encoding="utf-8")
        chosen = []
        with gzip.open(ROOT.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if "diffusion" in record["title"].lower() and record["listing_date"] >= "2026-06-01":
                    chosen.append(line)
                if len(chosen) == 25:
                    break
        (folder / "papers.jsonl").write_text("".join(chosen), encoding="utf-8")
        rows = []
        for spread in ("spread", "three"):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(folder / "list.md"),
                                  str(folder / "papers.jsonl"), spread], capture_output=True, text=True, check=True)
            rows.append((spread, json.loads(out.stdout), time.perf_counter() - started))
    print("| list | entries | proposals added, into | parse + plan + description | process (with imports) | "
          "peak memory | target (< 10 s, < 400 MB) |")
    print("|---|---:|---|---:|---:|---:|---|")
    for spread, found, wall in rows:
        met = found["seconds"] < TARGET_SECONDS and found["peak_mb"] < TARGET_MB and found["added"] == 25
        into = "as many sections" if spread == "spread" else "the three largest sections"
        print(f"| {found['bytes'] / 1e6:.1f} MB | {found['entries']:,} | {found['added']}, {into} | "
              f"{found['seconds']:.1f} s | {wall:.1f} s | {found['peak_mb']:.0f} MB | {'met' if met else 'MISSED'} |")


if __name__ == "__main__":
    main()
