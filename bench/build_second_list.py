"""Build bench/list-rs-vlm.md: a second list, for another topic, from real papers of the shared corpus.

Topic: vision-language models for remote sensing.  In scope: a paper whose main contribution builds,
adapts, evaluates or provides data for a model that joins language with overhead imagery (satellite,
aerial or UAV imagery, SAR, multi- or hyperspectral): multimodal LLMs, CLIP-style image-text models,
captioning, visual question answering, image-text retrieval, visual grounding and referring
segmentation, language-guided analysis.  Out of scope: vision-only remote sensing (even foundation
models), vision-language models on other images, language models without imagery (geospatial text),
and UAV navigation or control (robotics, not image analysis).

The entries are the ids below (papers listed from March to August 2025), picked by reading their titles
and abstracts with those criteria; the sections are mine.  The bot's benchmark trains on this list with
no lexicon (the topic is learned) and is scored on the papers listed from September 2025 (see
bench/judgements-rs-vlm.csv).  Run from the repository root: python bench/build_second_list.py
"""

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from arxiv_fixtures import load_papers  # noqa: E402

from bot.propose.render import DateStyle, markdown_text  # noqa: E402

SECTIONS = {
    "Multimodal LLMs": ["2503.12490", "2503.23330", "2504.09644", "2504.10727", "2504.12795", "2505.07984",
                        "2505.12099", "2505.21375", "2505.23010", "2506.01667", "2506.17944", "2506.21863",
                        "2507.05731", "2507.05887", "2507.20776", "2507.21745", "2507.22346", "2508.05202"],
    "Captioning and VQA": ["2503.23453", "2504.09528", "2505.15401", "2506.09429", "2507.12845"],
    "Image-Text Retrieval and CLIP": ["2503.15969", "2503.19311", "2504.05644", "2504.16433", "2505.11121",
                                      "2505.16756", "2505.24340", "2508.11919"],
    "Visual Grounding and Referring Segmentation": ["2503.23083", "2503.23456", "2503.24219", "2505.00738",
                                                    "2506.18946", "2507.06231", "2507.20920", "2508.01331"],
    "Datasets and Benchmarks": ["2503.23771", "2504.03254", "2504.07836", "2505.12217", "2505.21089",
                                "2506.03583", "2507.16716", "2507.18743", "2508.07918"],
    "Surveys": ["2505.14361"],
}


def main() -> None:
    papers = {p["id"]: p for p in load_papers()}
    lines = ["# Vision-Language Models for Remote Sensing", "",
             "A benchmark list built from the shared arXiv corpus (see bench/build_second_list.py).", "",
             "## Contents", ""]
    lines += [f"- [{name}](#{name.lower().replace(' ', '-')})" for name in SECTIONS] + [""]
    for name, ids in SECTIONS.items():
        lines += [f"## {name}", ""]
        for pid in sorted(ids, key=lambda i: papers[i]["listing_date"], reverse=True):
            p = papers[pid]
            day = date.fromisoformat(p["listing_date"])
            authors = ", ".join(p["authors"][:8]) + (", et al." if len(p["authors"]) > 8 else "")
            lines += [f"**{markdown_text(p['title'])}** \\", f"*{markdown_text(authors)}* \\",
                      f"[{DateStyle().format(day)}] [arXiv, {day.year}] \\", f"[[Paper](https://arxiv.org/abs/{pid})]", ""]
    (ROOT / "bench" / "list-rs-vlm.md").write_text("\n".join(lines))
    print(f"wrote {sum(len(v) for v in SECTIONS.values())} entries in {len(SECTIONS)} sections")


if __name__ == "__main__":
    main()
