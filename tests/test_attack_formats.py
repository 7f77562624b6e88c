"""Adversarial review of issue 11's promises against real public paper lists.

Every list under tests/fixtures/lists/attack/ is an excerpt of a real awesome list (SOURCES.md).
Each test states one promise of issue 11 / the README ("How it works -> The list", "Entries written
by example") that the bot does not keep yet on that real shape: what happens, what should happen,
the severity, and the suggested fix are in the docstring.  New entries go through the publishers'
own path, ``bot.propose.rolling.plan(Branch(text, text), proposals, limit=25)``.
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


# --- 1. critical: an insertion must never split an existing entry ----------------------------------------


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
    """What happens: the list model ends an item too early (a continuation line containing '|', an
    indented paragraph after a blank line, nested detail bullets), so a paper that sorts after the
    last entry of the section is inserted between that entry's first line and the rest of it: the
    neighbour's authors/links/keywords now sit under the bot's paper.  `plan` accepts it because
    the change is a pure insertion.
    Should: an entry's continuation lines (any line indented under the list item, also after a
    blank line, and nested sub-items) belong to it; a new entry goes before or after whole items.
    Severity: critical (a damaged README with wrong metadata attributed to a paper; a maintainer
    reviewing the diff sees only added lines and may merge it).
    Fix: in `awesome._read_entries`, continue a list item over lines indented at least to the
    item's content column (including lines containing '|' and nested list items) and over blank
    lines followed by such indented lines; count those in `Entry.end`."""
    text = read(name)
    assert item in text
    after = run(text, proposal(section, title="TextArena", id="2401.99999", date=date(2019, 1, 2)))
    assert item in after, "the bot's entry was inserted inside an existing entry"


# --- 2. high: what cannot be read is reported -------------------------------------------------------------


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
    """What happens: `unparsed` only collects lines after the first entry was found
    (`if found.entries`), so a list whose shape is not recognised at all reports nothing:
    `bot list check` says '0 entries in 0 sections ... lines not understood: 0 ... byte-identical'
    and exits 0 on pliang279/awesome-multimodal-ml (paragraph entries), the long-context list
    (`- Paper: [Title](url)` under dated bullets), the model-editing list (entries as headings) and
    the mobile-LLM list (items continued with `<br>` lines); in the speech list the first two
    papers (`- 🌟 CPC: [Title](url)`) come before the first entry read and are not reported either.
    Should: 'what cannot be read is reported, never altered' - every line carrying a paper link is
    an entry or listed as not understood, and a list with paper links but no entry is an error.
    Severity: high (`bot init`/`bot list check` tell a maintainer all is well while the bot sees
    none of the list: no training data, duplicates by title, no section to insert into).
    Fix: report candidate lines (an arXiv/DOI/paper link, a list item with a link) wherever they
    are, not only after the first entry; make `bot list check` exit non-zero when links exist but
    no entry is read."""
    assert _unaccounted(read(name)) == []


def test_list_check_fails_when_a_list_full_of_papers_reads_as_empty(bot):
    """See the test above: the CLI exits 0 with '0 entries' on a real list of 25+ papers.
    Should: exit 2 with one line naming the cause (no entry shape recognised), or report the lines.
    Severity: high.  Fix: as above."""
    result = bot("list", "check", str(ATTACK / "multimodal-paragraphs.md"))
    document = parse((ATTACK / "multimodal-paragraphs.md").read_text())
    assert result.exit_code == 0 and f"{len(document.entries)} entries" in result.out
    assert document.arxiv_ids() == set(arxiv_ids_in((ATTACK / "multimodal-paragraphs.md").read_text()))  # every paper


# --- 3. high: common real shapes that are not read ------------------------------------------------------


def test_list_check_reads_table_rows_whose_title_cell_starts_with_a_star_badge():
    """What happens: in BradyFU's table (one of the most starred paper lists) 8 of 12 rows are
    `| ![Star](shield) <br> [**Title**](url) <br> | arXiv | 2025-03-17 | ...`; `analyse` gives up
    when the first piece of the title cell is a badge, so those rows are 'not understood' and only
    the 4 badge-less rows are entries.  The newest paper of the section (Sparrow, 2025-03-17) is
    one of them, so a new paper is also inserted below it instead of at the top.
    Should: a badge (or `<br>`) before the linked title is skipped; every row is an entry.
    Severity: high (most of the list unseen; wrong order; examples chosen from a minority).
    Fix: in `inline.analyse`, treat leading badge links and `<br>` like the emphasis/emoji lead."""
    text = read("mllm-table.md")
    document = parse(text)
    titles = [e.title for e in document.entries if e.label == "Multimodal Instruction Tuning"]
    assert len(titles) == 12 and titles[0] == "Sparrow: Data-Efficient Video-LLM with Text-to-Image Augmentation"
    after = run(text, proposal("Multimodal Instruction Tuning"))
    first_row = next(e for e in parse(after).entries if e.label == "Multimodal Instruction Tuning")
    assert first_row.arxiv_id == "2509.01234", "the newest paper must go above the 2025-03-17 row"


def test_list_check_reads_paragraph_entries_without_list_markers():
    """What happens: pliang279/awesome-multimodal-ml (MIT, ~6k stars) writes each paper as a
    paragraph `[Title](url), NeurIPS 2021 [[code]](url)` separated by blank lines; no entry is read.
    Should: a paragraph that starts with a title link (the same analysis as a bullet's body) is an
    entry of its section.  Severity: high (whole list unreadable).
    Fix: in `_read_entries`, try `analyse(tokenize(line))` on a non-list paragraph under a heading
    when it starts with a title-like link, shape 'paragraph', and write new ones the same way."""
    document = parse(read("multimodal-paragraphs.md"))
    entries = [e for e in document.entries if e.label == "Multimodal Representations"]
    assert [e.arxiv_id for e in entries] == ["2107.07502", "2103.03206", None, "2003.07990", "1912.02315"]
    assert entries[0].title == "MultiBench: Multiscale Benchmarks for Multimodal Representation Learning"
    assert entries[0].venue == "NeurIPS 2021"


def test_list_check_reads_labelled_links_nested_under_dated_bullets():
    """What happens: the long-context list groups papers under `- **[2025.02.07]**` bullets with
    nested `    - Paper: [Title](url) ICLR 2025`; `_title_from_text` rejects an item whose first link
    is title-like after a plain word ('prose about a paper'), and the dated parent has no link, so
    the list reads as empty (and, see above, nothing is reported).
    Should: `Paper: [Title](url)` (a short label then a title link) is an entry; its date is the
    parent bullet's.  Severity: high.
    Fix: accept a one- or two-word label ending in ':' before the title link (like the emoji lead);
    give nested items the date of a parent that is only a date."""
    document = parse(read("longcontext-dated-nested.md"))
    week = [e for e in document.entries if e.label == "Week Papers"]
    assert len(week) == 8
    assert week[1].title == "AttentionPredictor: Temporal Pattern Matters for Efficient LLM Inference"
    assert week[1].arxiv_id == "2502.04077"


def test_list_check_reads_items_continued_with_br_lines():
    """What happens: stevelaskaridis/awesome-mobile-llm writes `- Title` then `  <br>*Authors*` and
    `  <br>[![arXiv](badge)](url)`; the item stops at any line starting with '<', so the title line
    has no link and nothing is read (and nothing reported).
    Should: indented `<br>` lines continue the item; the title is the plain text, the arXiv badge
    link gives the id.  Severity: high (whole list unreadable).
    Fix: in `_read_entries`, do not stop a list item at an indented line starting with `<br`."""
    document = parse(read("mobilellm-br-continuation.md"))
    octopus = next((e for e in document.entries if e.arxiv_id == "2404.11459"), None)
    assert octopus is not None and octopus.title.startswith("Octopus v3: Technical Report")
    assert octopus.authors == ["Wei Chen", "Zhiyuan Li"]


def test_list_check_reads_name_prefixed_title_links():
    """What happens: `- 🌟 CPC: [Representation Learning with Contrastive Predictive Coding](url) -
    *A Oord et al*, \\`arXiv 2018\\`` (a method name before the title link, very common in paper
    lists) is rejected as 'prose about a paper'; 4 of 10 papers of the speech list are lost.
    Should: a short name ending in ':' before the title link is the entry's acronym.
    Severity: high.  Fix: as for 'Paper:' labels, accept `Name:` (up to ~4 words) before a title link."""
    document = parse(read("speech-year-headings-ascending.md"))
    ids = {e.arxiv_id: e.title for e in document.entries}
    assert ids.get("1807.03748") == "Representation Learning with Contrastive Predictive Coding"
    assert ids.get("2105.11084") == "Unsupervised Speech Recognition"


def test_list_check_reads_html_headings_as_sections():
    """What happens: qhliu26/awesome-time-series-analysis names its sections with HTML headings
    (`<h3 id="forecasting">☁️ Forecasting</h3>`, `<h4 ...>Related Paper</h4>`); they are not
    headings to the list model, so all 13 papers land in the last Markdown heading, 'Workshops and
    Tutorials', and a forecasting paper can only be proposed there.
    Should: `<h1>`..`<h6>` lines are headings of their level (the section is the heading path).
    Severity: high for such lists (every section wrong).
    Fix: recognise a line that is a single `<hN ...>text</hN>` element as a heading in `_scan`."""
    document = parse(read("timeseries-html-headings.md"))
    chronos = next(e for e in document.entries if e.arxiv_id == "2403.07815")
    timexer = next(e for e in document.entries if e.arxiv_id == "2402.19072")
    assert chronos.label != timexer.label
    assert "Forecasting" in " ".join(timexer.path) and "Workshops and Tutorials" not in timexer.path


# --- 4. high: titles read with the list's markup in them ------------------------------------------------


@pytest.mark.parametrize("name,paper_id,title,venue", [
    ("medmm-venue-prefix-years.md", "2204.07756", "Visual Attention Methods in Deep Learning: An In-Depth Survey",
     "arXiv 2022"),
    ("graphllm-emph-prefix.md", "2305.10037", "Can Language Models Solve Graph Problems in Natural Language?",
     "NeurIPS'23"),
    ("ondevice-escaped-prefix.md", "2409.00088", "On-Device Language Models: A Comprehensive Review", "arXiv'24"),
])
def test_list_check_reads_the_title_after_a_venue_prefix_with_markup_inside(name, paper_id, title, venue):
    """What happens: venue prefixes with emphasis or escapes inside the brackets -
    `[**MICCAI 2022**] Title` (the format richard-peng-xia's README asks contributors for),
    `(*NAACL'21*) Title`, `\\[arXiv'24\\] Title` - do not match `inline.PREFIX` (which only knows
    `**[...]**`), so every title starts with 'arXiv 2022**] ', "NAACL'21*) " or "\\[arXiv'24\\] "
    (38 entries of 3 real lists) and no venue is read.  Titles are the key for duplicates and
    the classifier's training text.
    Should: the prefix is a venue, the title is the text after it.
    Severity: high.  Fix: let PREFIX accept emphasis and backslash escapes inside the brackets
    (`[**X**]`, `(*X*)`, `\\[X\\]`) and classify the core without them."""
    entry = next(e for e in parse(read(name)).entries if e.arxiv_id == paper_id)
    assert entry.title == title
    assert entry.venue == venue


@pytest.mark.parametrize("name,section,pattern", [
    ("medmm-venue-prefix-years.md", "Medical Report Generation", r"^- \[\*\*arXiv 2025\*\*\] \S"),
    ("graphllm-emph-prefix.md", "Prompting", r"^- \(\*arXiv[^*]*\*\) \S"),
])
def test_run_writes_balanced_markup_after_a_venue_prefix_with_emphasis(name, section, pattern):
    """What happens: the misread prefix becomes part of the title template, so the bot writes
    `- [**A \\| B ... \\*\\*x\\*\\*** [[pdf]](...)` (an unclosed '[' and bold) and
    `- (*GraphThought: Prompting \\| graphs [[paper]](...)` (an unclosed '(' and italic that runs to
    the end of the line on GitHub); the venue is lost.
    Should: the new entry starts with the list's prefix filled with the paper's venue
    (`[**arXiv 2025**]`, `(*arXiv 2025.09*)`) and its markup is balanced.
    Severity: high (visibly broken Markdown in the pull request).  Fix: the prefix fix above; and
    check that a rendered entry has balanced brackets and emphasis before proposing it."""
    text = read(name)
    label = next(label for label in parse(text).labels() if label.startswith(section))
    after = run(text, proposal(label, title="GraphThought: Prompting | graphs"))
    line = next(line for line in new_lines(text, after) if "2509.01234" in line)  # (a year heading may come first)
    assert re.match(pattern, line), line


def test_list_check_reads_the_quoted_title_after_a_bold_name():
    """What happens: `* **DNAct**: "Diffusion Guided Multi-Task 3D Policy Learning", *arXiv Mar 2024*.
    [[Paper](url)]` - the bold emphasis needs two words, so for one-word names the title is
    'DNAct**: "Diffusion Guided ... *arXiv Mar' (10 of 12 entries of Awesome-Robotics-3D); for
    two-word names only the name ('3D Diffuser Actor') is read.  The bot then writes
    `* **GraspVLA: a Grasping Foundation Model*. [[Paper](...)]` - an unclosed bold.
    Should: name = acronym, title = the quoted text, venue/date from the italic part; a new entry
    `* **Name**: "Title", *arXiv, Sep 2025*. [[Paper](...)]`.
    Severity: high (titles wrong for the whole list, broken markup written).
    Fix: in `_title_segment`, accept one-word bold names followed by ':' and take a quoted string
    after it as the title."""
    text = read("robotics3d-name-quoted.md")
    dnact = next(e for e in parse(text).entries if e.arxiv_id == "2403.04115")
    assert dnact.title == "Diffusion Guided Multi-Task 3D Policy Learning"
    after = run(text, proposal("Policy Learning", title="GraspVLA: a Grasping Foundation Model"))
    line = new_lines(text, after)[0]
    assert line.count("**") % 2 == 0 and '"GraspVLA: a Grasping Foundation Model"' in line, line


def test_list_check_reads_the_paper_column_not_the_model_name_column():
    """What happens: in `| Model | Paper | Venue | Year | ...` both headers match the 'title' role
    and the first wins, so titles are model names ('EVE', 'Tranception'); the bot writes the full
    title into the Model column too.
    Should: when several columns could be the title, the one whose cells are title-like links is
    the title; a name column is an acronym column (written with `_short_name`).
    Severity: medium-high (wrong titles -> missed duplicates, poor training text).
    Fix: in `tables.header_roles`/`infer_roles`, prefer the column of title-like links and make
    'model/method/name' columns 'acronym'."""
    document = parse(read("protein-table-doi.md"))
    tranception = next(e for e in document.entries if "2205.13760" in "".join(e.links.values()))
    assert tranception.title == \
        "Tranception: protein fitness prediction with autoregressive transformers and inference-time retrieval"


# --- 5. ids: arXiv DOIs are arXiv links ----------------------------------------------------------------


def test_list_check_reads_arxiv_ids_from_arxiv_doi_links():
    """What happens: `https://doi.org/10.48550/arxiv.2205.13760` (the DOI arXiv assigns to every
    paper, used by lists generated from OpenAlex/Crossref) is not an arXiv link to the list model:
    the entry has no id, `arxiv_ids()` lacks it.
    Should: DOI links `10.48550/arXiv.<id>` give the arXiv id like abs/pdf/html links.
    Severity: medium (with the title misread above, the paper is proposed again).
    Fix: add `doi.org/10.48550/arxiv.(id)` (case-insensitive) to `ids.ARXIV_URL`."""
    document = parse(read("protein-table-doi.md"))
    assert {"2205.13760", "2306.06156", "2402.18567"} <= document.arxiv_ids()
    assert arxiv_ids_in("[x](https://doi.org/10.48550/arXiv.2402.18567)") == ["2402.18567"]


def test_run_does_not_propose_a_paper_the_list_links_by_its_arxiv_doi():
    """What happens: the listed Tranception paper (DOI link, name-only title) is proposed again and
    inserted as a second row.  Should: 'never the same paper twice'.  Severity: high for lists
    that link DOIs.  Fix: the DOI id fix above (and the title column fix)."""
    text = read("protein-table-doi.md")
    again = proposal("Alignment-based models", id="2205.13760", date=date(2022, 5, 27),
                     title="Tranception: protein fitness prediction with autoregressive transformers and "
                           "inference-time retrieval")
    result = plan(Branch(text, text), [again], limit=25)
    assert result.added == [] and result.text == text


# --- 6. medium: new entries that do not look like their neighbours -------------------------------------


def test_run_writes_the_code_url_only_into_a_code_link():
    """What happens: a link's role comes from its URL host, so a 'Demo' link to huggingface.co or a
    'Webpage' link to github.com is a 'code' link, and the paper's GitHub URL is written into it:
    BradyFU row `... | [Hugging Face](https://github.com/...) | [Demo](https://github.com/...) |`,
    robotics `[[Webpage](https://github.com/...)]  [[Code](https://github.com/...)]`.
    Should: only a link whose label or column says code receives the code URL; other links the bot
    cannot fill are dropped or left the way the list leaves unknown values ('-').
    Severity: medium-high (wrong information in the list).
    Fix: in `inline.link_role`, let a non-code label (demo, project, webpage, page, hugging face,
    dataset...) win over the URL host; in tables use the column header."""
    text = read("mllm-table.md")
    after = run(text, proposal("Multimodal Instruction Tuning", code_url=CODE))
    row = next(line for line in new_lines(text, after) if "2509.01234" in line)
    cells = [row[a:b].strip() for a, b in split_cells(row)]
    assert CODE not in cells[4], f"the Demo column got the code URL: {cells[4]}"
    robotics = read("robotics3d-name-quoted.md")
    line = new_lines(robotics, run(robotics, proposal("Policy Learning", code_url=CODE)))[0]
    assert f"[[Webpage]({CODE})]" not in line


def test_run_keeps_bold_link_titles_in_tables():
    """What happens: every title in the jailbreak table (and BradyFU's) is `[**Title**](url)`; the
    new row is `[Title](url)` - the emphasis inside the link label is dropped by `_link`.
    Should: the label's markup around the title is kept.  Severity: medium (visible difference,
    the issue names 'bold linked titles').  Fix: in `by_example._link`, keep the emphasis that
    wrapped the example's label (`**`, `__`, `*`) around the new title."""
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
    """What happens: `_cell` pads every cell to the width of the example row's cell, so in tables
    whose rows are not aligned the new row reads `| -                   | 2025-09-18 |` or has ~185
    spaces where the example had a citation badge.
    Should: pad only when the table is aligned (its rows' pipes line up); otherwise one space each
    side, as the neighbours.  Severity: medium (obviously machine-written in the diff).
    Fix: in `by_example._cell`, pad to the column width only when the section's rows share it."""
    text = read(name)
    after = run(text, proposal(section))
    row = next(line for line in new_lines(text, after) if "2509.01234" in line)
    assert not re.search(r" {3,}\|", row), row


def test_run_keeps_separators_around_escaped_bracket_links():
    """What happens: in `- \\[arXiv'24\\] Title - \\[[PDF](url)\\] \\[[Code](url)\\]` the bot writes
    `- A \\| B ... \\*\\*x\\*\\*[PDF](url)[Code](url)`: the ' - ', the escaped brackets and the space
    between links are dropped, the title runs into the link.
    Should: `- \\[arXiv'25\\] Title - \\[[PDF](https://arxiv.org/abs/...)\\] \\[[Code](...)\\]`.
    Severity: medium.  Fix: the prefix fix above; keep literal pieces between kept links."""
    text = read("ondevice-escaped-prefix.md")
    line = new_lines(text, run(text, proposal("Surveys", code_url=CODE)))[0]
    assert " - \\[[PDF](https://arxiv.org/abs/2509.01234)\\]" in line, line


def test_run_keeps_the_dash_before_authors_and_the_space_before_et_al():
    """What happens: MMFL writes `- **Title** — Peng *et al.* (arXiv, 2025)  `; the bot writes
    `- **...** *Ann Authoret al.* (arXiv, 2025)` - the ' — ' is dropped and 'et al.' glued to the
    name (the authors piece is read as 'et al' alone, the name before the emphasis is lost).
    Should: `— Ann Author *et al.* (arXiv, 2025)`.  Severity: medium.
    Fix: read 'Name *et al.*' as one authors field; keep the separator before it."""
    text = read("mmfl-twoline-year-headings.md")
    line = new_lines(text, run(text, proposal("Core MMFL Methods")))[0]
    assert " — Ann Author *et al.* (arXiv, 2025)" in line, line


def test_run_follows_lazy_numbering():
    """What happens: the graph-attack list numbers every item '1.' (Markdown renumbers); the bot's
    item is '2.'.  Should: in a list whose items all carry the same number, use that number.
    Severity: low-medium.  Fix: in `render._number`, return the common number when all are equal."""
    text = read("graphattack-numbered-loose.md")
    line = new_lines(text, run(text, proposal("Defense", title="Robust Graph Learning Under Attack")))[0]
    assert line.startswith("1. "), line


@pytest.mark.parametrize("name,section", [
    ("graphattack-numbered-loose.md", "Attacks"),
    ("mmfl-twoline-year-headings.md", "Core MMFL Methods"),
])
def test_run_a_one_word_bold_title_reads_back_as_its_title(name, section):
    """What happens: a real one-word title (TextArena, 2504.11442) written as `**TextArena**` reads
    back as 'TextArena** arxiv, 2025' / 'TextArena** *Leon Guertleret al.* (arXiv, 2025' because
    `_title_segment` needs two words inside emphasis.  The bot's own entry then has a wrong title
    (and a signature that no longer matches, so it skews the next examples).
    Should: `**Name**` of one name-like word is a title.  Severity: medium.
    Fix: in `_title_segment`, accept one word when `one_word_title` says it is a name."""
    text = read(name)
    after = run(text, real("2504.11442", section))
    assert entry_of(after, "2504.11442").title == "TextArena"


@pytest.mark.parametrize("name,section,expected", [
    ("gaussians-multiline-bullets.md", "Acceleration", ["  Authors: Leon Guertler, ", "  Links: "]),
    ("rlhf-nested-subbullets.md", "Papers", ["  - Leon Guertler, Bobby Cheng, "]),
])
def test_run_a_multiline_entry_keeps_its_detail_lines(name, section, expected):
    """What happens: entries of several lines (`  Authors: ...  ` / `  Links: ...` in the Gaussian
    list, nested `  - authors` bullets in awesome-RLHF) are written as one line
    `- **[Title](url)**` (with a stray `   [Code](url)` line when there is code).
    Should: the new entry has the same detail lines as its neighbours (authors filled, what the
    bot cannot know left out).  Severity: medium.
    Fix: with continuation lines part of the item (finding 1), the template covers them; label
    'Authors:' text pieces as authors."""
    text = read(name)
    lines = added(text, run(text, real("2504.11442", section)))
    for start in expected:
        assert any(line.startswith(start) for line in lines), f"no line {start!r} in {lines}"


def test_run_keeps_a_tight_list_tight():
    """What happens: in the speech list the items of a year are tight (no blank lines); the bot
    inserts its entry plus a blank line, turning the year's list loose (GitHub then renders every
    item as a paragraph).  `_blank_lines` counts the gaps across year sub-headings.
    Should: no blank line between items where the neighbours have none.  Severity: low-medium.
    Fix: in `render._blank_lines`, only count gaps between consecutive entries of the same list
    (no heading between them)."""
    text = read("speech-year-headings-ascending.md")
    after = run(text, proposal("Papers", id="2104.00001", title="TextArena", date=date(2021, 4, 2)))
    assert len(added(text, after)) == 1, added(text, after)


@pytest.mark.parametrize("name,section,paper_date,heading", [
    ("rlhf-nested-subbullets.md", "Papers", date(2024, 2, 8), "### 2024"),
    ("speech-year-headings-ascending.md", "Papers", date(2025, 9, 18), "### 2025"),
])
def test_run_places_a_paper_under_its_year_heading(name, section, paper_date, heading):
    """What happens: year sub-headings are folded into their section (good for the classifier),
    but placement ignores them: a February-2024 paper goes to the end of awesome-RLHF's
    '### 2023' group, a 2025 paper under the speech list's '### 2022'.
    Should: the paper goes under the heading of its year, and a new year heading is added (in the
    list's order) when there is none.  Severity: medium (visibly misfiled).
    Fix: in `render._plan`, when the section has year sub-headings, choose the one of the paper's
    year (create it by example of its siblings when missing)."""
    text = read(name)
    after = run(text, proposal(section, id="2402.05000", title="A Study of Preference Models", date=paper_date))
    lines = after.splitlines()
    index = next(i for i, line in enumerate(lines) if "2402.05000" in line)
    above = next(line for line in reversed(lines[:index]) if line.startswith("#"))
    assert above == heading, f"placed under {above!r}"


def test_run_adds_a_paper_to_an_empty_section_of_a_table_list():
    """What happens: the jailbreak list ends with empty sections ('## Jailbreak of Any-to-Any
    Models'); the bot writes a bare table row there with no header, which is not a table, so the
    paper fails with 'its entry does not read back as exactly one entry'.
    Should: an empty section of a table list gets the list's table header and delimiter (copied
    from the nearest table) and the row.  Severity: medium (a whole section can never grow).
    Fix: in `render.insert_one`, when the example is a table row and the section has no table,
    insert the example's header and delimiter lines first."""
    text = read("jailbreak-table-tight.md")
    after = run(text, proposal("Jailbreak of Any-to-Any Models"))
    assert entry_of(after, "2509.01234").label == "Jailbreak of Any-to-Any Models"


# --- 7. what held: a long real author list and a LaTeX title, in every list that reads -----------------


@pytest.mark.parametrize("name", [n for n in LISTS if n != "modelediting-heading-entries.md"])  # (papers as headings: reported, not read)
def test_run_round_trip_and_insertion_touch_no_other_byte(name):
    """Holds today (a guard for the fixes above): every version of each real list round-trips,
    and adding a real paper with 786 authors and a LaTeX title only adds lines."""
    text = read(name)
    for version in (text, text.replace("\n", "\r\n"), "\ufeff" + text):
        assert parse(version).render() == version
    section = next(e.label for e in parse(text).entries if e.label)
    papers = [real("2506.12103", section), real("2504.09454", section)]
    result = plan(Branch(text, text), papers, limit=25)
    assert not [d for d in difflib.ndiff(text.splitlines(True), result.text.splitlines(True)) if d.startswith("- ")]
    for paper_id in result.added:
        assert "<!--" not in "".join(new_lines(text, result.text)) and entry_of(result.text, paper_id)


# --- 8. found while fixing the above (same real lists) ---------------------------------------------------


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
    """'*arXiv, May 2024*': the year is in the date; the new entry must not read '*arXiv 2025, Sep 2025*'."""
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
