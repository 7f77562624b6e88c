"""Every fixture list, set up as a new maintainer would: `bot init`, `bot train`, `bot classify --input`.

For each list (the format fixtures in tests/fixtures/lists, the second list in
bench/, the bundled list) this runs, in a fresh folder and with no lexicon
written by hand:

    bot init --list LIST --offline --output DIR
    bot train --offline
    bot classify --input PAPERS --json

on one month of the shared corpus that the bundled background does not hold,
and prints the topic `bot init` learned and the ten papers ranked highest
(probability, proposed or not, section), so a reader can judge whether the
proposals make sense for the list's topic.

Example: python bench/fixture_lists.py --month 2026-06 --top 10
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz"
BACKGROUND = ROOT / "bot" / "data" / "background.jsonl.gz"
LISTS = sorted(p for p in (ROOT / "tests" / "fixtures" / "lists").glob("*.md") if p.name != "SOURCES.md") + [
    ROOT / "bench" / "list-rs-vlm.md", ROOT.parent / "shared" / "data" / "list" / "README-seed.md"]


def month_of_papers(month: str, out: Path) -> int:
    """Write the corpus papers listed in ``month`` (YYYY-MM) that the bundled background lacks; their count."""
    with gzip.open(BACKGROUND, "rt", encoding="utf-8") as handle:
        known = {json.loads(line)["id"] for line in handle}
    count = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle, out.open("w", encoding="utf-8") as sink:
        for line in handle:
            paper = json.loads(line)
            if paper.get("listing_date", "").startswith(month) and paper["id"] not in known:
                sink.write(line)
                count += 1
    return count


def bot(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    run = subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"bot {' '.join(args)} failed in {cwd}: {run.stderr.strip()[-400:]}")
    return run


def one_list(path: Path, papers: Path, top: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        started = time.perf_counter()
        init = bot("init", "--list", str(path), "--offline", "--output", str(work), cwd=work)
        topic = next((line for line in init.stdout.splitlines() if line.startswith("topic:")), "topic: -")
        summary = init.stdout.splitlines()[0]
        bot("train", "--offline", cwd=work)
        rows = [json.loads(line) for line in bot("classify", "--input", str(papers), "--json", cwd=work).stdout.splitlines()]
        rows = [r for r in rows if "error" not in r and not r.get("in_list")]
        rows.sort(key=lambda r: -r["probability"])
        proposed = sum(r["relevant"] for r in rows)
        print(f"\n### {path.relative_to(ROOT.parent)}\n{summary}\n{topic}")
        print(f"proposed {proposed} of {len(rows)} papers ({1000 * proposed / max(len(rows), 1):.1f} per 1,000), "
              f"{time.perf_counter() - started:.0f} s for init + train + classify\n")
        print("| p | proposed | section | title |\n|---|---|---|---|")
        for r in rows[:top]:
            print(f"| {r['probability']:.3f} | {'yes' if r['relevant'] else 'no'} | {r['section']} | "
                  f"{r['title'][:90]} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-06", help="the month of the corpus to classify (YYYY-MM)")
    parser.add_argument("--top", type=int, default=10, help="how many of the highest-ranked papers to show")
    parser.add_argument("lists", nargs="*", type=Path, help="lists to try (default: every fixture list)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        papers = Path(folder) / "papers.jsonl"
        count = month_of_papers(args.month, papers)
        print(f"{count} papers of {args.month} from the shared corpus (none of them in the bundled background)")
        for path in [p.resolve() for p in args.lists] or LISTS:
            one_list(path, papers, args.top)


if __name__ == "__main__":
    main()
