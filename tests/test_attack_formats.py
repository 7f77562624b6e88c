"""Issue 11's promises against real public paper lists.

Every list under tests/fixtures/lists/attack/ is an excerpt of a real awesome list (SOURCES.md).
Each test protects one promise of issue 11 / the README ("How it works -> The list", "Entries written
by example") on such a real shape, found in an adversarial review; the docstring names the list and
the shape.  New entries go through the publishers' own path,
``bot.propose.rolling.plan(Branch(text, text), proposals, limit=25)``.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import SEED_README

from bot.base.ids import ARXIV_URL, arxiv_ids_in
from bot.lists.awesome import parse
from bot.lists.tables import split_cells
from bot.propose.proposals import Proposal
from bot.propose.rolling import Branch, plan

ATTACK = Path(__file__).parent / "fixtures" / "lists" / "attack"
LISTS = sorted(p.name for p in ATTACK.glob("*.md") if p.name != "SOURCES.md")
PAPERS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "arxiv" / "papers.jsonl.gz"
HOSTILE = "A | B <!-- c --> @user #12 **x**"
CODE = "https://github.com/someone/code"


def read(name: str) -> str:
    return (ATTACK / name).read_text(encoding="utf-8")


def proposal(section: str, **extra) -> Proposal:
    values = dict(id="2509.01234", title=HOSTILE, section=section, authors=["Ann Author", "Bob Writer", "Cy Third"],
                  date=date(2025, 9, 18))
    values.update(extra)
    return Proposal(**values)


@lru_cache(maxsize=1)
def _corpus() -> dict[str, dict]:
    """The few real papers these tests use (one pass over the shared corpus)."""
    wanted = {"2504.11442", "2506.12103", "2504.09454"}  # TextArena; 786 authors; a LaTeX title
    with gzip.open(PAPERS, "rt", encoding="utf-8") as lines:
        records = (json.loads(line) for line in lines if line[8:18] in wanted)
        return {record["id"]: record for record in records}


def real(paper_id: str, section: str, **extra) -> Proposal:
    """A real paper of the shared corpus as a proposal."""
    record = _corpus()[paper_id]
    when = date.fromisoformat((record.get("published") or record["listing_date"])[:10])
    values = dict(id=record["id"], title=record["title"], section=section, authors=record["authors"], date=when)
    values.update(extra)
    return Proposal(**values)


def run(text: str, *papers: Proposal) -> str:
    """The README after the bot adds these papers (the publishers' path); every paper must be added."""
    result = plan(Branch(text, text), list(papers), limit=25)
    assert result.added == [p.id for p in papers], f"not added: {result.failed}"
    return result.text


def added(before: str, after: str) -> list[str]:
    """The lines the insertion added, in order (the bot only ever inserts)."""
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [line[2:] for line in diff if line.startswith("+ ")]


def new_lines(before: str, after: str) -> list[str]:
    return [line for line in added(before, after) if line.strip()]


def entry_of(text: str, paper_id: str):
    found = [e for e in parse(text).entries if e.arxiv_id == paper_id]
    assert len(found) == 1, f"{paper_id} read {len(found)} times"
    return found[0]


# --- insertion between whole entries ---------------------------------------------------------------------


@pytest.mark.parametrize("name,section,item", [
    # the entry's 'Links:' line holds a '|' between two badges, so the item is cut before it
    ("gaussians-multiline-bullets.md", "Acceleration",
     "- **[FHGS: Feature-Homogenized Gaussian Splatting](https://arxiv.org/abs/2505.19154v1)**  \n"
     "  Authors: Q. G. Duan, Benyun Zhao, Mingqiao Han Yijun Huang, Ben M. Chen  \n"
     "  Links: [![PDF](https://img.shields.io/badge/PDF-arXiv-b31b1b.svg)](https://arxiv.org/pdf/2505.19154v1.pdf)"
     " | [![Project](https://img.shields.io/badge/-Project-blue)](https://fhgs.cuastro.org/.)  \n"),
    # a loose numbered item: its authors are an indented paragraph after a blank line
    ("graphattack-numbered-loose.md", "Defense",
     "1. **Graph Adversarial Training: Dynamically Regularizing Based on Graph Structure.**  arXiv, 2019. "
     "[[paper]](https://arxiv.org/pdf/1902.08226.pdf)\n\n   *Fuli Feng, Xiangnan He, Jie Tang, Tat-Seng Chua.*\n"),
    # a bullet with nested detail bullets (authors, keywords, code)
    ("rlhf-nested-subbullets.md", "Papers",
     "- [GPT-4 Technical Report](https://cdn.openai.com/papers/gpt-4.pdf)\n  - OpenAI\n"
     "  - Keyword: A large-scale, multimodal model, Transformerbased model, Fine-tuned used RLHF\n"),
])
def test_run_an_insertion_never_splits_an_existing_entry_from_its_continuation_lines(name, section, item):
    """An entry's continuation lines belong to it, and a new entry goes before or after whole items,
    never between an entry's first line and the rest.  Here the paper sorts after the last entry of
    the section, whose rest is a 'Links:' line holding a '|' between two badges (the Gaussian
    splatting list), an indented authors paragraph after a blank line (the graph-attack list), or
    nested detail bullets (awesome-RLHF).  Once, the item ended too early and the bot's paper cut the
    neighbour off from its authors, links or keywords: a pure insertion, so nothing refused it, and a
    reviewer saw only added lines."""
    text = read(name)
    assert item in text
    after = run(text, proposal(section, title="TextArena", id="2401.99999", date=date(2019, 1, 2)))
    assert item in after, "the bot's entry was inserted inside an existing entry"


# --- what cannot be read is reported ---------------------------------------------------------------------


def _unaccounted(text: str) -> list[int]:
    """1-based lines with an arXiv link that are neither part of an entry (live or commented out)
    nor reported in `unparsed`."""
    document = parse(text)
    covered = {i for e in document.entries + document.commented for i in range(e.start, e.end)}
    reported = {number - 1 for number, _ in document.unparsed}
    return [i + 1 for i, line in enumerate(document.lines)
            if ARXIV_URL.search(line) and i not in covered and i not in reported and not document.in_comment[i]
            and "<!--" not in line]


@pytest.mark.parametrize("name", LISTS)
def test_list_check_every_line_with_an_arxiv_link_is_read_or_reported(name):
    """'What cannot be read is reported, never altered': in every real list, each line carrying an arXiv
    link is part of an entry (live or commented out) or reported as not understood, wherever it
    stands.  This covers shapes that were once not recognised at all -- paragraph entries
    (pliang279/awesome-multimodal-ml), `- Paper: [Title](url)` under dated bullets (the long-context
    list), entries as headings (the model-editing list), items continued with `<br>` lines (the
    mobile-LLM list) -- and papers before the first entry read (the speech list's `- 🌟 CPC:
    [Title](url)`).  Once, only lines after the first entry were reported, and `bot list check` said
    '0 entries ... lines not understood: 0' and exited 0 on such lists."""
    assert _unaccounted(read(name)) == []


def test_list_check_counts_every_paper_of_a_paragraph_list(bot):
    """`bot list check` on pliang279/awesome-multimodal-ml (paragraph entries) exits 0 counting the
    entries the list model reads, and every arXiv id in the file belongs to one of them.  Once, the
    CLI said '0 entries' and exited 0 on this list."""
    result = bot("list", "check", str(ATTACK / "multimodal-paragraphs.md"))
    document = parse((ATTACK / "multimodal-paragraphs.md").read_text())
    assert result.exit_code == 0 and f"{len(document.entries)} entries" in result.out
    assert document.arxiv_ids() == set(arxiv_ids_in((ATTACK / "multimodal-paragraphs.md").read_text()))  # every paper


# --- real shapes of entries ------------------------------------------------------------------------------


def test_list_check_reads_table_rows_whose_title_cell_starts_with_a_star_badge():
    """In BradyFU's table (one of the most starred paper lists) 8 of 12 rows are
    `| ![Star](shield) <br> [**Title**](url) <br> | arXiv | 2025-03-17 | ...`: a badge (or `<br>`)
    before the linked title is skipped, so all 12 rows are entries, the newest (Sparrow, 2025-03-17)
    first, and a new paper goes above it, at the top of the section.  Once, only the 4 badge-less
    rows were read and a new paper went below Sparrow."""
    text = read("mllm-table.md")
    document = parse(text)
    titles = [e.title for e in document.entries if e.label == "Multimodal Instruction Tuning"]
    assert len(titles) == 12 and titles[0] == "Sparrow: Data-Efficient Video-LLM with Text-to-Image Augmentation"
    after = run(text, proposal("Multimodal Instruction Tuning"))
    first_row = next(e for e in parse(after).entries if e.label == "Multimodal Instruction Tuning")
    assert first_row.arxiv_id == "2509.01234", "the newest paper must go above the 2025-03-17 row"


def test_list_check_reads_paragraph_entries_without_list_markers():
    """pliang279/awesome-multimodal-ml (MIT, ~6k stars) writes each paper as a paragraph
    `[Title](url), NeurIPS 2021 [[code]](url)` separated by blank lines: a paragraph that starts with
    a title link is an entry of its section, with its title and venue.  Once, no entry of the list
    was read."""
    document = parse(read("multimodal-paragraphs.md"))
    entries = [e for e in document.entries if e.label == "Multimodal Representations"]
    assert [e.arxiv_id for e in entries] == ["2107.07502", "2103.03206", None, "2003.07990", "1912.02315"]
    assert entries[0].title == "MultiBench: Multiscale Benchmarks for Multimodal Representation Learning"
    assert entries[0].venue == "NeurIPS 2021"


def test_list_check_reads_labelled_links_nested_under_dated_bullets():
    """The long-context list groups papers under `- **[2025.02.07]**` bullets with nested
    `    - Paper: [Title](url) ICLR 2025`: a short label ending in ':' before the title link still
    makes an entry, so every `Paper:` item of the section is read with its title and arXiv id.
    Once, such an item was taken for prose about a paper and the list read as empty."""
    document = parse(read("longcontext-dated-nested.md"))
    week = [e for e in document.entries if e.label == "Week Papers"]
    assert len(week) == 8
    assert week[1].title == "AttentionPredictor: Temporal Pattern Matters for Efficient LLM Inference"
    assert week[1].arxiv_id == "2502.04077"


def test_list_check_reads_items_continued_with_br_lines():
    """stevelaskaridis/awesome-mobile-llm writes `- Title` then `  <br>*Authors*` and
    `  <br>[![arXiv](badge)](url)`: indented `<br>` lines continue the item, so the title is the plain
    text, the authors are read, and the arXiv badge link gives the id.  Once, the item stopped at
    the first line starting with '<' and nothing of the list was read."""
    document = parse(read("mobilellm-br-continuation.md"))
    octopus = next((e for e in document.entries if e.arxiv_id == "2404.11459"), None)
    assert octopus is not None and octopus.title.startswith("Octopus v3: Technical Report")
    assert octopus.authors == ["Wei Chen", "Zhiyuan Li"]


def test_list_check_reads_name_prefixed_title_links():
    """`- 🌟 CPC: [Representation Learning with Contrastive Predictive Coding](url) - *A Oord et al*,
    \\`arXiv 2018\\`` (a method name before the title link, common in paper lists; here the speech
    list): the title is the linked text after the name.  Once, such items were taken for prose
    about a paper, and 4 of the list's 10 papers were lost."""
    document = parse(read("speech-year-headings-ascending.md"))
    ids = {e.arxiv_id: e.title for e in document.entries}
    assert ids.get("1807.03748") == "Representation Learning with Contrastive Predictive Coding"
    assert ids.get("2105.11084") == "Unsupervised Speech Recognition"


def test_list_check_reads_html_headings_as_sections():
    """qhliu26/awesome-time-series-analysis names its sections with HTML headings
    (`<h3 id="forecasting">☁️ Forecasting</h3>`, `<h4 ...>Related Paper</h4>`): a line that is one
    `<h1>`..`<h6>` element is a heading of its level, so papers under different HTML headings are in
    different sections and a forecasting paper's path holds 'Forecasting'.  Once, all 13 papers
    landed in the last Markdown heading, 'Workshops and Tutorials'."""
    document = parse(read("timeseries-html-headings.md"))
    chronos = next(e for e in document.entries if e.arxiv_id == "2403.07815")
    timexer = next(e for e in document.entries if e.arxiv_id == "2402.19072")
    assert chronos.label != timexer.label
    assert "Forecasting" in " ".join(timexer.path) and "Workshops and Tutorials" not in timexer.path


# --- titles and the markup around them -------------------------------------------------------------------


@pytest.mark.parametrize("name,paper_id,title,venue", [
    ("medmm-venue-prefix-years.md", "2204.07756", "Visual Attention Methods in Deep Learning: An In-Depth Survey",
     "arXiv 2022"),
    ("graphllm-emph-prefix.md", "2305.10037", "Can Language Models Solve Graph Problems in Natural Language?",
     "NeurIPS'23"),
    ("ondevice-escaped-prefix.md", "2409.00088", "On-Device Language Models: A Comprehensive Review", "arXiv'24"),
])
def test_list_check_reads_the_title_after_a_venue_prefix_with_markup_inside(name, paper_id, title, venue):
    """Venue prefixes with emphasis or escapes inside the brackets -- `[**MICCAI 2022**] Title` (the
    format richard-peng-xia's README asks contributors for), `(*NAACL'21*) Title`,
    `\\[arXiv'24\\] Title` -- are read as the venue, and the title is the text after them.  Titles are
    the key for duplicates and the classifier's training text; once, 38 entries of these 3 real lists
    had titles starting with 'arXiv 2022**] ', "NAACL'21*) " or "\\[arXiv'24\\] ", and no venue."""
    entry = next(e for e in parse(read(name)).entries if e.arxiv_id == paper_id)
    assert entry.title == title
    assert entry.venue == venue


@pytest.mark.parametrize("name,section,pattern", [
    ("medmm-venue-prefix-years.md", "Medical Report Generation", r"^- \[\*\*arXiv 2025\*\*\] \S"),
    ("graphllm-emph-prefix.md", "Prompting", r"^- \(\*arXiv[^*]*\*\) \S"),
])
def test_run_writes_balanced_markup_after_a_venue_prefix_with_emphasis(name, section, pattern):
    """In lists with such a prefix, a new entry starts with the list's prefix filled with the paper's
    venue (`[**arXiv 2025**]`, `(*arXiv ...*)`), and its markup is balanced.  Once, the misread
    prefix became part of the title template and the bot wrote
    `- [**A \\| B ... \\*\\*x\\*\\*** [[pdf]](...)` (an unclosed '[' and bold) or
    `- (*GraphThought: Prompting \\| graphs [[paper]](...)` (an italic running to the end of the line
    on GitHub)."""
    text = read(name)
    label = next(label for label in parse(text).labels() if label.startswith(section))
    after = run(text, proposal(label, title="GraphThought: Prompting | graphs"))
    line = next(line for line in new_lines(text, after) if "2509.01234" in line)  # (a year heading may come first)
    assert re.match(pattern, line), line


def test_list_check_reads_the_quoted_title_after_a_bold_name():
    """Awesome-Robotics-3D writes `* **DNAct**: "Diffusion Guided Multi-Task 3D Policy Learning",
    *arXiv Mar 2024*. [[Paper](url)]`: the bold part is a name and the quoted text is the title, and
    a new entry is written the same way, `* **Name**: "Title", ...`, with its bold closed.  Once, 10
    of 12 titles read as 'DNAct**: "Diffusion Guided ... *arXiv Mar' and the bot wrote an unclosed
    bold."""
    text = read("robotics3d-name-quoted.md")
    dnact = next(e for e in parse(text).entries if e.arxiv_id == "2403.04115")
    assert dnact.title == "Diffusion Guided Multi-Task 3D Policy Learning"
    after = run(text, proposal("Policy Learning", title="GraspVLA: a Grasping Foundation Model"))
    line = new_lines(text, after)[0]
    assert line.count("**") % 2 == 0 and '"GraspVLA: a Grasping Foundation Model"' in line, line


def test_list_check_reads_the_paper_column_not_the_model_name_column():
    """In the protein list's `| Model | Paper | Venue | Year | ...` table both headers could name the
    title: the column whose cells are title-like links is the title, so Tranception's title is the
    paper's full title.  Once, the first column won and titles were model names ('EVE',
    'Tranception'), which missed duplicates and made poor training text."""
    document = parse(read("protein-table-doi.md"))
    tranception = next(e for e in document.entries if "2205.13760" in "".join(e.links.values()))
    assert tranception.title == \
        "Tranception: protein fitness prediction with autoregressive transformers and inference-time retrieval"


# --- arXiv DOI links -------------------------------------------------------------------------------------


def test_list_check_reads_arxiv_ids_from_arxiv_doi_links():
    """`https://doi.org/10.48550/arxiv.2205.13760` (the DOI arXiv assigns to every paper, used by lists
    generated from OpenAlex/Crossref, like the protein list) gives the arXiv id as abs, pdf and html
    links do, whether it is written `arxiv` or `arXiv`."""
    document = parse(read("protein-table-doi.md"))
    assert {"2205.13760", "2306.06156", "2402.18567"} <= document.arxiv_ids()
    assert arxiv_ids_in("[x](https://doi.org/10.48550/arXiv.2402.18567)") == ["2402.18567"]


def test_run_does_not_propose_a_paper_the_list_links_by_its_arxiv_doi():
    """'Never the same paper twice': the protein list links Tranception by its arXiv DOI (with a
    name-only Model cell), so proposing it again adds nothing and leaves the list unchanged.  Once,
    it was inserted as a second row."""
    text = read("protein-table-doi.md")
    again = proposal("Alignment-based models", id="2205.13760", date=date(2022, 5, 27),
                     title="Tranception: protein fitness prediction with autoregressive transformers and "
                           "inference-time retrieval")
    result = plan(Branch(text, text), [again], limit=25)
    assert result.added == [] and result.text == text


# --- new entries written like their neighbours -----------------------------------------------------------


def test_run_writes_the_code_url_only_into_a_code_link():
    """Only a link whose label or column says code receives the paper's code URL: BradyFU's 'Demo'
    column does not get it, nor Awesome-Robotics-3D's `[[Webpage](...)]` link.  Once, a link's role
    came from its URL host alone, so 'Demo' or 'Webpage' links to github.com or huggingface.co were
    filled with the code URL -- wrong information in the list."""
    text = read("mllm-table.md")
    after = run(text, proposal("Multimodal Instruction Tuning", code_url=CODE))
    row = next(line for line in new_lines(text, after) if "2509.01234" in line)
    cells = [row[a:b].strip() for a, b in split_cells(row)]
    assert CODE not in cells[4], f"the Demo column got the code URL: {cells[4]}"
    robotics = read("robotics3d-name-quoted.md")
    line = new_lines(robotics, run(robotics, proposal("Policy Learning", code_url=CODE)))[0]
    assert f"[[Webpage]({CODE})]" not in line


def test_run_keeps_bold_link_titles_in_tables():
    """Every title in the jailbreak table (and BradyFU's) is `[**Title**](url)`: a new row keeps the
    emphasis inside the link label, `|[**Title**](https://arxiv.org/abs/...)`.  Once, it was dropped."""
    text = read("jailbreak-table-tight.md")
    after = run(text, proposal("Jailbreak of Multimodal LLM-based Models"))
    row = new_lines(text, after)[0]
    assert row.startswith("|[**") and "**](https://arxiv.org/abs/2509.01234)" in row, row


@pytest.mark.parametrize("name,section", [
    ("jailbreak-table-tight.md", "Jailbreak of Multimodal LLM-based Models"),
    ("protein-table-doi.md", "Alignment-based models"),
    ("mllm-table.md", "Multimodal Instruction Tuning"),
])
def test_run_does_not_pad_cells_of_a_table_that_is_not_aligned(name, section):
    """A new row of a table whose rows are not aligned (the jailbreak, protein and BradyFU tables) is
    spaced like its neighbours, not padded to the example row's cell widths: no run of spaces before
    a '|'.  Once, rows read `| -                   | 2025-09-18 |`, or had ~185 spaces where the
    example had a citation badge."""
    text = read(name)
    after = run(text, proposal(section))
    row = next(line for line in new_lines(text, after) if "2509.01234" in line)
    assert not re.search(r" {3,}\|", row), row


def test_run_keeps_separators_around_escaped_bracket_links():
    """The on-device list writes `- \\[arXiv'24\\] Title - \\[[PDF](url)\\] \\[[Code](url)\\]`: a new entry
    keeps the ' - ', the escaped brackets around each link and the space between links.  Once, the
    bot wrote `- A \\| B ... \\*\\*x\\*\\*[PDF](url)[Code](url)`, the title running into the link."""
    text = read("ondevice-escaped-prefix.md")
    line = new_lines(text, run(text, proposal("Surveys", code_url=CODE)))[0]
    assert " - \\[[PDF](https://arxiv.org/abs/2509.01234)\\]" in line, line


def test_run_keeps_the_dash_before_authors_and_the_space_before_et_al():
    """MMFL writes `- **Title** — Peng *et al.* (arXiv, 2025)  `: 'Name *et al.*' is one authors field,
    and a new entry reads `— Ann Author *et al.* (arXiv, 2025)`.  Once, the ' — ' was dropped and
    'et al.' glued to the name (`*Ann Authoret al.*`)."""
    text = read("mmfl-twoline-year-headings.md")
    line = new_lines(text, run(text, proposal("Core MMFL Methods")))[0]
    assert " — Ann Author *et al.* (arXiv, 2025)" in line, line


def test_run_follows_lazy_numbering():
    """The graph-attack list numbers every item '1.' (Markdown renumbers): in a list whose items all
    carry the same number, a new item carries it too.  Once, the bot's item was '2.'."""
    text = read("graphattack-numbered-loose.md")
    line = new_lines(text, run(text, proposal("Defense", title="Robust Graph Learning Under Attack")))[0]
    assert line.startswith("1. "), line


@pytest.mark.parametrize("name,section", [
    ("graphattack-numbered-loose.md", "Attacks"),
    ("mmfl-twoline-year-headings.md", "Core MMFL Methods"),
])
def test_run_a_one_word_bold_title_reads_back_as_its_title(name, section):
    """A real one-word title (TextArena, 2504.11442) written as `**TextArena**` in the graph-attack and
    MMFL lists reads back as 'TextArena', so the bot's own entry keeps its title (and its signature
    for the next examples).  Once, emphasis needed two words inside, and the title read back as
    'TextArena** arxiv, 2025'."""
    text = read(name)
    after = run(text, real("2504.11442", section))
    assert entry_of(after, "2504.11442").title == "TextArena"


@pytest.mark.parametrize("name,section,expected", [
    ("gaussians-multiline-bullets.md", "Acceleration", ["  Authors: Leon Guertler, ", "  Links: "]),
    ("rlhf-nested-subbullets.md", "Papers", ["  - Leon Guertler, Bobby Cheng, "]),
])
def test_run_a_multiline_entry_keeps_its_detail_lines(name, section, expected):
    """An entry of several lines is written with the same detail lines as its neighbours, the authors
    filled in: the Gaussian list's `  Authors: ...  ` / `  Links: ...` lines, awesome-RLHF's nested
    `  - authors` bullet.  Once, it was one line `- **[Title](url)**` (with a stray `   [Code](url)`
    line when there was code)."""
    text = read(name)
    lines = added(text, run(text, real("2504.11442", section)))
    for start in expected:
        assert any(line.startswith(start) for line in lines), f"no line {start!r} in {lines}"


def test_run_keeps_a_tight_list_tight():
    """In the speech list the items of a year are tight (no blank lines): a new item adds its line and
    no blank line, so the year's list stays tight (a loose list renders every item as a paragraph on
    GitHub).  Once, blank lines were counted across year sub-headings and the bot added one."""
    text = read("speech-year-headings-ascending.md")
    after = run(text, proposal("Papers", id="2104.00001", title="TextArena", date=date(2021, 4, 2)))
    assert len(added(text, after)) == 1, added(text, after)


@pytest.mark.parametrize("name,section,paper_date,heading", [
    ("rlhf-nested-subbullets.md", "Papers", date(2024, 2, 8), "### 2024"),
    ("speech-year-headings-ascending.md", "Papers", date(2025, 9, 18), "### 2025"),
])
def test_run_places_a_paper_under_its_year_heading(name, section, paper_date, heading):
    """Year sub-headings are folded into their section (for the classifier), and a paper goes under the
    heading of its year: a February-2024 paper under awesome-RLHF's '### 2024', a 2025 paper under a
    new '### 2025' heading in the speech list, which has none.  Once, placement ignored them (the end
    of '### 2023', under '### 2022')."""
    text = read(name)
    after = run(text, proposal(section, id="2402.05000", title="A Study of Preference Models", date=paper_date))
    lines = after.splitlines()
    index = next(i for i, line in enumerate(lines) if "2402.05000" in line)
    above = next(line for line in reversed(lines[:index]) if line.startswith("#"))
    assert above == heading, f"placed under {above!r}"


def test_run_adds_a_paper_to_an_empty_section_of_a_table_list():
    """The jailbreak list ends with empty sections ('## Jailbreak of Any-to-Any Models'): a paper for
    one gets the list's table header and delimiter and its row, and reads back as an entry of that
    section.  Once, a bare row without a header was written, which is not a table, and the paper
    failed ('its entry does not read back as exactly one entry')."""
    text = read("jailbreak-table-tight.md")
    after = run(text, proposal("Jailbreak of Any-to-Any Models"))
    assert entry_of(after, "2509.01234").label == "Jailbreak of Any-to-Any Models"


# --- round trip, a long real author list and a LaTeX title -----------------------------------------------


@pytest.mark.parametrize("name", [n for n in LISTS if n != "modelediting-heading-entries.md"])  # (papers as headings: reported, not read)
def test_run_round_trip_and_insertion_touch_no_other_byte(name):
    """Every version of each real list that reads (LF, CRLF, with a BOM) round-trips byte for byte, and
    adding a real paper with 786 authors and one with a LaTeX title only adds lines, none of them a
    comment; each paper added reads back as one entry."""
    text = read(name)
    for version in (text, text.replace("\n", "\r\n"), "\ufeff" + text):
        assert parse(version).render() == version
    section = next(e.label for e in parse(text).entries if e.label)
    papers = [real("2506.12103", section), real("2504.09454", section)]
    result = plan(Branch(text, text), papers, limit=25)
    assert not [d for d in difflib.ndiff(text.splitlines(True), result.text.splitlines(True)) if d.startswith("- ")]
    for paper_id in result.added:
        assert "<!--" not in "".join(new_lines(text, result.text)) and entry_of(result.text, paper_id)


# --- more shapes of the same real lists ------------------------------------------------------------------


def test_run_never_writes_the_code_url_into_a_bibtex_link():
    """awesome-NeRF links '[bibtex](https://github.com/.../citations/x.txt)': a code host, not code."""
    text = read("nerf-inline-comments.md")
    line = next(line for line in new_lines(text, run(text, proposal("Survey", code_url=CODE))) if "2509.01234" in line)
    assert f"[bibtex]({CODE})" not in line and f"[github]({CODE})" in line, line


def test_run_a_paragraph_entry_is_a_paragraph_of_its_own():
    """A paragraph entry next to another without a blank line would merge with it on GitHub."""
    text = read("multimodal-paragraphs.md")
    after = run(text, proposal("Recent Content", title="A Study of Social Robots"))
    entry = entry_of(after, "2509.01234")
    lines = after.splitlines()
    assert not lines[entry.start - 1].strip() and not lines[entry.end].strip()


def test_run_a_venue_written_beside_a_date_gets_no_year_of_its_own():
    """'*arXiv, May 2024*': the year is in the date, so a new entry reads '*arXiv, Sep 2025*', never
    '*arXiv 2025, Sep 2025*'."""
    text = read("robotics3d-name-quoted.md")
    line = next(line for line in new_lines(text, run(text, proposal("Pretraining"))) if "2509.01234" in line)
    assert re.search(r"\*arXiv, Sep(?:t|tember)? 2025\*", line), line


def test_run_a_table_with_a_header_and_no_row_gets_the_row_under_its_header():
    text = "# L\n\n## A\n\n| Title | Date |\n|---|---|\n| [A Paper About Things](https://arxiv.org/abs/2401.00001) | " \
           "2024-01-02 |\n\n## B\n\n| Title | Date |\n|---|---|\n\n## C\n"
    after = run(text, proposal("B"))
    assert after.count("| Title | Date |") == 2
    assert entry_of(after, "2509.01234").label == "B"


def test_list_check_a_list_of_papers_written_as_headings_is_an_error_naming_the_lines(bot):
    """Papers written as headings are not read: every one is reported and the list is an error, exit 2."""
    result = bot("list", "check", str(ATTACK / "modelediting-heading-entries.md"))
    assert result.exit_code == 2 and "no entry read" in result.err
    assert "### 1. [Neurosymbolic AI approach" in result.out


@pytest.mark.parametrize("paper_date,parent", [(date(2025, 9, 18), "- **[2025.09.18]**"),
                                               (date(2025, 2, 6), "- **[2025.02.06]**")])
def test_run_a_paper_goes_under_the_dated_bullet_of_its_date(paper_date, parent):
    """The long-context list nests papers under `- **[2025.02.07]**` bullets: a paper of another day
    gets a bullet of its own (in the list's date style and order), one of a listed day goes under it."""
    text = read("longcontext-dated-nested.md")
    after = run(text, proposal("Week Papers", date=paper_date))
    lines = after.splitlines()
    index = next(i for i, line in enumerate(lines) if "2509.01234" in line)
    assert lines[index].startswith("    - Paper: [")
    above = next(line for line in reversed(lines[:index]) if line.startswith("- "))
    assert above == parent and after.count(parent) == 1
    assert entry_of(after, "2509.01234").date_text == paper_date.strftime("%Y.%m.%d")


def test_run_never_copies_a_maintainers_star_onto_its_paper():
    """'🌟 represents important papers' (the speech list): a judgement the bot cannot make."""
    text = read("speech-year-headings-ascending.md")
    starred = re.sub(r"^- (?!🌟)", "- 🌟 ", text, flags=re.MULTILINE)  # every paper starred: the star is still a mark
    line = next(line for line in new_lines(starred, run(starred, proposal("Papers", date=date(2021, 5, 1),
                                                                          id="2105.00001"))) if "2105.00001" in line)
    assert "🌟" not in line and line.startswith("- ")


def test_list_check_a_name_column_holding_the_titles_stays_the_title():
    """The other way round from 'Model | Paper': a 'Method' column of titles and a 'Paper' column of
    '[PDF](url)' links; the titles are read from the column that holds them."""
    text = ("# L\n\n## S\n\n| Method | Paper | Year |\n|---|---|---|\n"
            "| Diffusion Guided Multi-Task 3D Policy Learning | [PDF](https://arxiv.org/abs/2403.04115) | 2024 |\n"
            "| Generative Image Dynamics for Robots | [PDF](https://arxiv.org/abs/2309.07906) | 2023 |\n")
    document = parse(text)
    assert [e.title for e in document.entries] == ["Diffusion Guided Multi-Task 3D Policy Learning",
                                                   "Generative Image Dynamics for Robots"]
    assert [e.arxiv_id for e in document.entries] == ["2403.04115", "2309.07906"]


def test_list_check_of_a_named_file_needs_no_config(bot, tmp_path, monkeypatch):
    """Checking a list before `bot init` (the README's order): no config.yaml anywhere."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    (tmp_path / "README.md").write_bytes(SEED_README.read_bytes())
    result = bot("list", "check", "README.md")
    assert result.exit_code == 0, result.err
    assert "README.md: 176 entries" in result.out and "round-trip: byte-identical" in result.out
    assert not (tmp_path / "config.yaml").exists()
