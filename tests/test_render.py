"""Rendering entries in the list's format and inserting them without touching other bytes."""

import difflib
from datetime import date

import pytest

from bot.base.errors import ListFormatError
from bot.lists.awesome import parse
from bot.propose.insert import insert_entries
from bot.propose.proposals import Proposal
from bot.propose.render import date_style, markdown_text, render_entry

HOSTILE = "**[click](javascript:alert(1))** @octocat fixes #1 <img src=x onerror=alert(1)>"


def paper(section="Segmentation", when=date(2023, 8, 10), title="A New Diffusion Segmenter", pid="2308.09999"):
    return Proposal(id=pid, title=title, authors=["Ann Author", "Bob Writer"], date=when, section=section)


def added_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    return [d[2:] for d in diff if d.startswith("+ ")], [d[2:] for d in diff if d.startswith("- ")]


def test_insert_lands_first_in_section_and_only_adds_lines(seed_text):
    after = insert_entries(seed_text, [paper()])
    added, removed = added_lines(seed_text, after)
    assert removed == []
    assert added[0] == "**A New Diffusion Segmenter** \\\n"
    assert added[2] == "[10th Aug., 2023] [arXiv, 2023] \\\n"
    assert added[3] == "[[Paper](https://arxiv.org/abs/2308.09999)]\n"
    segmentation = [e for e in parse(after).entries if e.section == "Segmentation"]
    assert segmentation[0].title == "A New Diffusion Segmenter"
    assert segmentation[1].title.startswith("DermoSegDiff")
    assert parse(after).render() == after


def test_insert_keeps_date_order_inside_section(seed_text):
    after = insert_entries(seed_text, [paper(when=date(2023, 3, 12), pid="2303.99999")])
    titles = [e.title for e in parse(after).entries if e.section == "Segmentation"]
    position = titles.index("A New Diffusion Segmenter")
    assert titles[position - 1].startswith("Stochastic Segmentation")  # 15th Mar.
    assert titles[position + 1].startswith("Importance of Aligning")  # 10th Mar.


def test_insert_into_subsection_and_oldest_position(seed_text):
    after = insert_entries(seed_text, [paper(section="Inpainting", when=date(2020, 1, 1))])
    entries = [e for e in parse(after).entries if e.subsection == "Inpainting"]
    assert [e.title for e in entries][-1] == "A New Diffusion Segmenter"
    assert added_lines(seed_text, after)[1] == []


def test_insert_uses_section_separators(seed_text):
    after = insert_entries(seed_text, [paper(section="Anomaly Detection")])
    added, _ = added_lines(seed_text, after)
    assert added[2].endswith("[arXiv, 2023]<br>\n")  # the Anomaly Detection section's own style


def test_insert_several_papers_same_section_newest_first(seed_text):
    papers = [paper(when=date(2023, 8, 9), pid="1", title="Older"), paper(when=date(2023, 8, 20), pid="2", title="Newer")]
    titles = [e.title for e in parse(insert_entries(seed_text, papers)).entries if e.section == "Segmentation"]
    assert titles[:3] == ["Newer", "Older", titles[2]] and titles[2].startswith("DermoSegDiff")


def test_insert_into_empty_section():
    text = "# L\n\n## Papers\n\n### A\n\n**Old** \\\n*X* \\\n[1st Jan., 2020] [arXiv, 2020] \\\n[[Paper](https://arxiv.org/abs/2001.00001)]\n\n---\n\n### B\n\n---\n"
    after = insert_entries(text, [paper(section="B")])
    document = parse(after)
    assert [e.section for e in document.entries] == ["A", "B"]
    assert after.endswith("### B\n\n**A New Diffusion Segmenter** \\\n*Ann Author, Bob Writer* \\\n"
                          "[10th Aug., 2023] [arXiv, 2023] \\\n[[Paper](https://arxiv.org/abs/2308.09999)]\n\n---\n")


def test_insert_unknown_section_is_a_clear_error(seed_text):
    with pytest.raises(ListFormatError, match="no heading named 'Cooking'"):
        insert_entries(seed_text, [paper(section="Cooking")])


def test_date_style_follows_majority(seed_text):
    style = date_style(parse(seed_text))
    assert style.format(date(2024, 9, 1)) == "1st Sep., 2024"
    assert style.format(date(2024, 5, 22)) == "22nd May, 2024"
    assert style.format(date(2024, 6, 13)) == "13th Jun., 2024"


def test_render_hostile_title_is_inert(seed_text):
    entry = render_entry(paper(title=HOSTILE), parse(seed_text))
    title_line = entry.splitlines()[0]
    assert title_line.startswith("**\\*\\*\\[click\\]\\(javascript&#8203;:alert\\(1\\)\\)\\*\\*")
    assert "<img" not in entry and "&lt;img" in entry
    assert "@&#8203;octocat" in entry and "\\#&#8203;1" in entry
    # the escaped title parses back as exactly one entry with one bold title
    document = parse("## S\n\n" + entry)
    assert len(document.entries) == 1 and document.entries[0].warnings == []


@pytest.mark.parametrize("raw,forbidden", [
    ("Title\nwith newline", "\n"), ("hide <!-- the rest", "<!--"), ("`code` and _under_", "`code`"),
    ("a [link](http://x.y)", "](http"), ("a | pipe", " | "), ("bidi \u202e trick", "\u202e"),
])
def test_markdown_text_neutralises(raw, forbidden):
    assert forbidden not in markdown_text(raw)


@pytest.mark.parametrize("comment,venue", [
    ("Accepted at MICCAI 2025", "MICCAI, 2025"),
    ("Accepted to the MICCAI 2025 Workshop on Deep Generative Models", "MICCAI Workshop, 2025"),
    ("Published in IEEE Transactions on Medical Imaging", "IEEE TMI, 2025"),
    ("12 pages, 5 figures", None), ("Submitted to MICCAI 2026", None), (None, None),
])
def test_render_venue_from_arxiv_comment(comment, venue):
    from bot.papers.paper import Paper

    paper = Paper(id="2509.00001", title="T", comment=comment, listing_date="2025-09-18")
    assert paper.venue == venue


def test_render_entry_with_venue_and_code_link(seed_text):
    entry = Proposal(id="2509.00001", title="T", authors=["A"], date=date(2025, 9, 18), section="Segmentation",
                     venue="MICCAI, 2025", code_url="https://github.com/someone/code")
    rendered = render_entry(entry, parse(seed_text))
    assert "[18th Sep., 2025] [MICCAI, 2025] \\" in rendered
    assert rendered.endswith("[[Paper](https://arxiv.org/abs/2509.00001)] [[Github](https://github.com/someone/code)]\n")


# --- how alike the bot's entries are to the maintainers' own (bot evaluate) -------------------------


def record(pid: str, title: str, comment: str | None = None, abstract: str = "We propose a method."):
    from bot.papers.paper import Paper

    return Paper(pid, title, abstract, authors=["Ann Author", "Bob Writer"], comment=comment,
                 published="2025-09-10T00:00:00Z")


LIKENESS_LIST = """# Papers

## Segmentation

- [Diffusion Models for Older Segmentation Tasks](https://arxiv.org/abs/2401.00001), Ann Author, Bob Writer, 2024
- [Another Older Paper on Medical Images](https://arxiv.org/abs/2401.00002), Ann Author, Bob Writer, 2024

## Survey

1. **A Survey of Diffusion Models in Medical Imaging** &mdash; [paper](https://arxiv.org/abs/2509.00009) &mdash; *Ann Author and Bob Writer*
"""


def test_evaluate_likeness_writes_each_entry_into_the_list_without_the_entries_compared():
    """The Survey section holds only the compared entry: written into the list without it, the bot has the
    other section's format to copy (a low ratio), never the entry's own (which would be a perfect copy)."""
    from bot.propose.likeness import likeness, summary

    papers = {"2509.00009": record("2509.00009", "A Survey of Diffusion Models in Medical Imaging"),
              "2401.00002": record("2401.00002", "Another Older Paper on Medical Images")}
    rows = {row.id: row for row in likeness(parse(LIKENESS_LIST), papers)}
    assert set(rows) == {"2509.00009", "2401.00002"}
    assert rows["2509.00009"].ratio < 0.8 < rows["2401.00002"].ratio
    per_section, overall = summary(list(rows.values()))
    assert per_section["Survey"]["entries"] == 1 and overall["entries"] == 2 and overall["invented_links"] == 0


def test_evaluate_likeness_reads_crlf_lists_and_arxiv_dois_like_the_bot_writes_them():
    from bot.propose.likeness import invented_links, likeness

    blocks = ("# P\n\n## A\n\n**Diffusion Models for Older Segmentation Tasks** \\\n*Ann Author, Bob Writer* \\\n"
              "[[Paper](https://arxiv.org/abs/2401.00001)]\n\n**A Newer Paper on Medical Images** \\\n"
              "*Ann Author, Bob Writer* \\\n[[Paper](https://arxiv.org/abs/2509.00009)]\n")
    papers = {"2509.00009": record("2509.00009", "A Newer Paper on Medical Images")}
    lf, crlf = likeness(parse(blocks), papers), likeness(parse(blocks.replace("\n", "\r\n")), papers)
    assert lf[0].ratio > 0.9 and crlf[0].ratio == lf[0].ratio  # a block entry's lines end as the list's do
    dois = ("# P\n\n## A\n\n- [Diffusion Models for Older Segmentation Tasks](https://doi.org/10.48550/arXiv.2401.00001), "
            "Ann Author, Bob Writer, 2024\n- [A Newer Paper on Medical Images](https://doi.org/10.48550/arXiv.2509.00009), "
            "Ann Author, Bob Writer, 2025\n")
    found = likeness(parse(dois), papers)
    assert "doi.org/10.48550" in render_entry(Proposal.for_paper(papers["2509.00009"], "A"), parse(dois))
    assert found and found[0].invented == ()  # the arXiv DOI is the paper's own link
    assert invented_links("[Code](https://github.com/a/b) [P](https://arxiv.org/pdf/2509.00009)",
                          record("2509.00009", "New")) == ["https://github.com/a/b"]
    assert invented_links("[Code](https://github.com/a/b)",
                          record("2509.00009", "New", abstract="Code: https://github.com/a/b")) == []
    badge = "[![Stars](https://badgen.net/github/stars/a/c)](https://github.com/a/c)"  # an image inside a link
    assert invented_links(badge, record("2509.00009", "New")) == ["https://github.com/a/c",
                                                                  "https://badgen.net/github/stars/a/c"]
