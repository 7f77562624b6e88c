"""Rebuild the offline demo's recorded data from ../shared/data (run from the repo root).

- rss/<category>.xml: the real arXiv listing of 2025-09-18 for cs.CV, eess.IV and cs.LG, written
  in the RSS 2.0 format of rss.arxiv.org (new and cross-listed items; the 2025-09-18 cs.CV item
  also exists as a real capture in ../shared/data/feeds);
- background.jsonl.gz: 7,800 real papers from other days to train the demo's classifier
  against: every weak positive and weak negative of the corpus, and a fixed random sample of
  the hard negatives and negatives (id, title, abstract, categories, listing date only).

Usage: python demo/build_demo.py
"""

import gzip
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from arxiv_fixtures import day_listing, load_papers, rss20  # noqa: E402

from bot.base.config import load_config  # noqa: E402
from classifier import lexicon as lexicon_io  # noqa: E402
from classifier.features import paper_text  # noqa: E402
from classifier.labels import weak_labels  # noqa: E402

DAY = "2025-09-18"
CATEGORIES = ["cs.CV", "eess.IV", "cs.LG"]
SAMPLE = {"positive": None, "weak-negative": None, "hard-negative": 2500, "negative": 4500}


def main() -> None:
    demo = ROOT / "demo"
    (demo / "rss").mkdir(exist_ok=True)
    for category in CATEGORIES:
        (demo / "rss" / f"{category}.xml").write_bytes(rss20(category, DAY, day_listing(DAY, category)))
    lexicons = lexicon_io.load(load_config(ROOT / "config.yaml").classifier.lexicon).as_dict()
    papers = [p for p in load_papers() if p["listing_date"] != DAY]
    labels = weak_labels([paper_text(p["title"], p["abstract"]) for p in papers], lexicons)
    rng = random.Random(0)
    chosen = []
    for label, limit in SAMPLE.items():
        group = [p for p, lab in zip(papers, labels) if lab == label]
        chosen += group if limit is None else rng.sample(group, min(limit, len(group)))
    chosen.sort(key=lambda p: (p["listing_date"], p["id"]))
    keys = ("id", "title", "abstract", "categories", "listing_date")
    with gzip.open(demo.parent / "bot" / "data" / "background.jsonl.gz", "wt", encoding="utf-8", compresslevel=9) as handle:
        for paper in chosen:
            handle.write(json.dumps({k: paper[k] for k in keys}, ensure_ascii=False) + "\n")
    print(f"wrote {len(CATEGORIES)} feeds for {DAY} and {len(chosen)} background papers")


if __name__ == "__main__":
    main()
