"""Every common list format: lossless parsing, ids, and new entries that look like their neighbours.

The fixture lists (tests/fixtures/lists/, sources in SOURCES.md) are each read as
written, with CRLF line endings, and with a byte-order mark.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import ROOT

from bot.base.errors import ListFormatError
from bot.base.ids import ARXIV_URL, arxiv_ids_in, normalize_arxiv_id
from bot.lists.awesome import parse
from bot.lists.by_example import signature
from bot.propose.insert import insert_entries
from bot.propose.proposals import Proposal
from bot.propose.render import render_entry

FIXTURES = Path(__file__).parent / "fixtures" / "lists"
LISTS = sorted(p.name for p in FIXTURES.glob("*.md") if p.name != "SOURCES.md")
SHAPES = {"bullets-lowlevel.md": "bullet", "bullets-prefix-nested.md": "bullet", "table-unlearning.md": "table",
          "table-cache.md": "table", "bullets-authors-date.md": "bullet", "numbered.md": "numbered",
          "mixed-comments.md": "block"}


def versions(name: str) -> dict[str, str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    plain = text.lstrip("\ufeff")
    return {"as written": text, "crlf": plain.replace("\n", "\r\n"), "bom": "\ufeff" + plain,
            "bom+crlf": "\ufeff" + plain.replace("\n", "\r\n"), "no final newline": plain.rstrip("\n")}


def proposal(section: str, **extra) -> Proposal:
    values = dict(id="2509.01234", title="A Diffusion Model | for Tables <!-- and **Comments**", section=section,
                  authors=["Ann Author", "Bob Writer", "Cy Third"], date=date(2025, 9, 18))
    values.update(extra)
    return Proposal(**values)


def test_fixture_sources_are_noted():
    sources = (FIXTURES / "SOURCES.md").read_text()
    for name in LISTS:
        assert f"`{name}`" in sources, f"{name} has no source note"


@pytest.mark.parametrize("name", LISTS)
def test_formats_round_trip_byte_identical_in_every_version(name):
    for kind, text in versions(name).items():
        document = parse(text)
        assert document.render() == text, f"{name} ({kind}) does not round-trip"
        assert document.entries, f"{name} ({kind}): no entries read"


@pytest.mark.parametrize("name", LISTS)
def test_formats_read_the_expected_shape_and_same_entries_in_every_version(name):
    reference = [(e.title, e.arxiv_id, e.label, e.start) for e in parse(versions(name)["as written"]).entries]
    assert SHAPES[name] in parse(versions(name)["as written"]).shapes()
    for kind, text in versions(name).items():
        assert [(e.title, e.arxiv_id, e.label, e.start) for e in parse(text).entries] == reference, kind


@pytest.mark.parametrize("name", LISTS)
def test_formats_ids_agree_with_the_links(name):
    document = parse(versions(name)["as written"])
    for entry in document.entries:
        text = "".join(document.lines[entry.start:entry.end])
        linked = [normalize_arxiv_id(m.group(0)) for m in ARXIV_URL.finditer(text)]
        mentioned = arxiv_ids_in(text)
        assert entry.arxiv_id == (linked[0] if linked else mentioned[0] if mentioned else None), entry.title
        assert entry.title and entry.title in re.sub(r"\s+", " ", text.replace("\\", ""))
        if entry.arxiv_id:
            assert entry.arxiv_id in document.arxiv_ids()


def test_formats_fields_of_each_shape():
    lowlevel = parse(versions("bullets-lowlevel.md")["as written"]).entries[0]
    assert (lowlevel.title, lowlevel.authors, lowlevel.venue) == \
        ("DiffIR: Efficient Diffusion Model for Image Restoration", ["Bin Xia et al"], "ICCV 2023")
    nested = parse(versions("bullets-prefix-nested.md")["as written"])
    assert nested.entries[2].venue == "Arxiv 2024.07" and nested.entries[2].label == "Noise Schedule"
    assert nested.entries[0].title == "Denoising Diffusion Implicit Models" and nested.entries[0].arxiv_id is None
    dated = parse(versions("bullets-authors-date.md")["as written"]).entries
    assert dated[0].authors == ["Marvin Seyfarth", "Salman Ul Hassan Dar", "Isabelle Ayx"]
    assert (dated[0].date_text, dated[0].venue) == ("Mar., 2025", "arXiv 2025")
    assert (dated[3].venue, dated[3].date_text) == ("ICCV'25", "2025.03.25")
    assert dated[5].arxiv_id == "2111.08005"  # an /html/ link with a version
    cache = parse(versions("table-cache.md")["as written"]).entries
    assert cache[0].title.startswith("Accelerating Text-to-Image Editing") and cache[0].date_text == "2023.05"
    assert cache[3].venue is None  # 'nan' is the list's unknown value
    numbered = parse(versions("numbered.md")["as written"]).entries
    assert numbered[0].authors == ["Abderrachid Hamrani", "Anuradha Godavarty"]
    assert numbered[3].arxiv_id == "2405.01234"  # from 'arXiv:2405.01234' text


def test_formats_prose_and_contents_links_are_not_entries():
    document = parse(versions("bullets-authors-date.md")["as written"])
    assert all(not e.title.startswith(("Synthesis", "Reconstruction")) for e in document.entries)
    assert "2211.07804" in document.arxiv_ids()  # the arXiv: mention in prose still counts as listed
    assert any("arXiv:2211.07804" in line for _, line in document.unparsed)


def _cases():
    for name in LISTS:
        for label in parse(versions(name)["as written"]).labels():
            yield name, label


@pytest.mark.parametrize("name,section", list(_cases()))
def test_insert_into_each_format_parses_back_in_its_section_and_looks_like_its_neighbours(name, section):
    for kind in ("as written", "crlf"):
        text = versions(name)[kind]
        document = parse(text)
        new = proposal(section, code_url="https://github.com/someone/code")
        after = insert_entries(text, [new])
        removed = [d for d in difflib.ndiff(text.splitlines(True), after.splitlines(True)) if d.startswith("- ")]
        assert removed == [], f"{kind}: insertion changed existing lines"
        parsed = parse(after)
        assert parsed.render() == after
        found = [e for e in parsed.entries if e.arxiv_id == "2509.01234"]
        assert len(found) == 1 and found[0].label == section
        assert found[0].title == "A Diffusion Model \\| for Tables &lt;\\!-- and \\*\\*Comments\\*\\*"
        assert found[0].links.get("code", found[0].links.get("Code", found[0].links.get("GitHub"))) == \
            "https://github.com/someone/code"
        neighbours = [e for e in document.entries if e.label == section]
        assert signature(found[0])[0] in {signature(e)[0] for e in neighbours}
        assert fields_of(found[0]) in [fields_of(e) for e in neighbours], \
            f"{section}: the new entry does not look like its neighbours"
        newline = "\r\n" if kind == "crlf" else "\n"
        added = "".join(parsed.lines[found[0].start:found[0].end])
        assert added.endswith(newline) and ("\r\n" not in added if newline == "\n" else "\n" not in
                                            added.replace("\r\n", ""))


def fields_of(entry) -> list:
    """The format signature without code links and pictures (a paper's code link is added where the
    section's entries have none)."""
    return [("link", "arxiv", x[2]) if isinstance(x, tuple) and x[:2] == ("link", "paper") else x
            for x in signature(entry) if not (isinstance(x, tuple) and x[:2] in (("link", "code"), ("link", "badge")))
            and not isinstance(x, (str, int))]


def test_insert_table_row_keeps_columns_and_escapes_pipes():
    text = versions("table-unlearning.md")["as written"]
    after = insert_entries(text, [proposal("Concept Restoration")])
    row = next(line for line in after.splitlines() if "2509.01234" in line)
    header = next(line for line in text.splitlines() if "Type" in line)
    from bot.lists.tables import split_cells

    assert len(split_cells(row)) == len(split_cells(header)) == 5
    assert "\\|" in row and "<!--" not in row and "&lt;\\!--" in row
    venue = split_cells(row)[2]
    assert row[venue[0]:venue[1]].strip() == "arXiv"  # a preprint, as the list writes it


def test_insert_table_numbers_and_unknown_values_follow_the_list():
    text = versions("table-cache.md")["as written"]
    row = next(line for line in insert_entries(text, [proposal("Papers Table")]).splitlines() if "2509.01234" in line)
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[0] == "30" and cells[1] == "2025.09" and cells[2] == "nan" and cells[-1] == "nan"
    widths = [len(c) for c in text.splitlines()[10].split("|")]
    assert [len(c) for c in row.split("|")][:4] == widths[:4]  # padded to the same column widths


@pytest.mark.parametrize("name", LISTS + sorted(f"attack/{p.name}" for p in (FIXTURES / "attack").glob("*.md")
                                                if p.name != "SOURCES.md"))
def test_render_entry_previews_exactly_what_insertion_writes(name):
    """`bot classify` shows render_entry: it must be the entry a run inserts (its number, its year's group)."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    document = parse(text)
    for section in document.labels():
        if not document.section_entries(section):
            continue
        paper = proposal(section, title="A Preview Check of the Rendered Entry")
        try:
            inserted = insert_entries(text, [paper])
        except ListFormatError:
            continue
        preview = render_entry(paper, document)
        assert preview.strip("\n") in inserted, f"{name} / {section}: {preview!r}"


def test_insert_follows_the_section_order():
    text = versions("table-cache.md")["as written"]  # oldest first: a new paper goes at the end
    document = parse(insert_entries(text, [proposal("Papers Table")]))
    assert document.entries[-1].arxiv_id == "2509.01234"
    older = parse(insert_entries(text, [proposal("Papers Table", date=date(2024, 5, 2))]))
    ids = [e.arxiv_id for e in older.entries]
    assert ids.index("2509.01234") == ids.index("2404.02747") + 2  # after both April 2024 rows
    newest_first = versions("bullets-authors-date.md")["as written"]
    assert parse(insert_entries(newest_first, [proposal("Synthesis")])).entries[0].arxiv_id == "2509.01234"


def test_render_entry_copies_date_and_venue_style():
    document = parse(versions("bullets-authors-date.md")["as written"])
    entry = render_entry(proposal("Reconstruction", venue="MICCAI, 2025"), document)
    assert entry.startswith("+ (MICCAI'25) A Diffusion Model") and entry.rstrip().endswith("(2025.09.18)")
    entry = render_entry(proposal("Synthesis"), document)
    assert "*arXiv 2025* (Sep., 2025)" in entry and "stars" not in entry


def test_comments_hide_entries_and_sections():
    document = parse(versions("mixed-comments.md")["as written"])
    assert [e.title for e in document.commented] == ["An Old Paper We Removed", "Retired Paper Title Goes Here",
                                                     "Draft Paper Nobody Should See"]
    assert "Retired" not in document.labels() and "Draft Paper Nobody Should See" not in \
        [e.title for e in document.entries]
    assert any("never closed" in w for w in document.warnings)
    # commented-out papers count as already listed: a maintainer set them aside
    assert document.contains("2001.01234", None) and document.contains(None, "Retired paper title goes here")


def test_insert_never_lands_inside_a_comment():
    text = versions("mixed-comments.md")["as written"]
    with pytest.raises(ListFormatError, match=r"section 'Retired' \(line \d+\) is inside an HTML comment"):
        insert_entries(text, [proposal("Retired")])
    after = insert_entries(text, [proposal("Unclosed")])  # the section's last live line is before the '<!--'
    document = parse(after)
    assert [e.label for e in document.entries if e.arxiv_id == "2509.01234"] == ["Unclosed"]
    blocks = parse(insert_entries(text, [proposal("Blocks", date=date(2021, 6, 1))]))
    assert [e.label for e in blocks.entries if e.arxiv_id == "2509.01234"] == ["Blocks"]


def test_insert_fails_clearly_when_the_only_place_is_inside_a_comment():
    text = "# L\n\n## Live\n\n- [An Entry Title Here](https://arxiv.org/abs/2501.00001), A B et al., arXiv 2025\n\n" \
           "## Hidden <!-- everything after this heading is a draft\n\n- [Draft Entry Title](https://arxiv.org/abs/2501.00002)\n"
    document = parse(text)
    assert "Hidden" in [h.text for h in document.headings]
    with pytest.raises(ListFormatError, match=r"section 'Hidden' \(line 7\) has no place outside an HTML comment"):
        insert_entries(text, [proposal("Hidden")])
    assert parse(insert_entries(text, [proposal("Live")])).entries[0].arxiv_id == "2509.01234"


def test_labels_are_unique_for_repeated_and_year_headings():
    text = ("# L\n\n## Vision\n\n### 2025\n\n- [A Vision Paper Title](https://arxiv.org/abs/2501.00001)\n\n"
            "### 2024\n\n- [An Older Vision Paper](https://arxiv.org/abs/2401.00001)\n\n"
            "## Language\n\n### Papers\n\n- [A Language Paper Title](https://arxiv.org/abs/2502.00001)\n\n"
            "## Speech\n\n### Papers\n\n- [A Speech Paper Title](https://arxiv.org/abs/2503.00001)\n")
    document = parse(text)
    assert document.labels() == ["Vision", "Language / Papers", "Speech / Papers"]
    after = parse(insert_entries(text, [proposal("Speech / Papers")]))
    assert [e.label for e in after.entries if e.arxiv_id == "2509.01234"] == ["Speech / Papers"]
    vision = parse(insert_entries(text, [proposal("Vision", date=date(2024, 6, 1))]))
    ids = [e.arxiv_id for e in vision.entries]
    assert ids.index("2509.01234") == ids.index("2401.00001") - 1  # inside the 2024 group, newest first


REAL_LIST_SHAPES = """# Papers

## Reports

**Nature Medicine'25**
- A generalist medical language model for disease diagnosis assistance [[paper](https://arxiv.org/abs/2503.00001)]
- Chest X-ray report generation with grounded findings (**arXiv'2401**) [[paper](https://arxiv.org/pdf/2401.00002)][[code](https://github.com/a/b)]

## Detection

- <a name="todo"></a > LoRA Subtraction for Drift-Resistant Space in Continual Learning (**CVPR2025**)  [[paper](https://arxiv.org/pdf/2503.00003)]
  - [**Arxiv**] Orthogonal Subspace Decomposition for Image Detection [[Paper](https://arxiv.org/pdf/2411.15633)]
* [2503] [Q-Insight] [Q-Insight: Understanding Image Quality via Visual Reinforcement Learning](https://arxiv.org/abs/2503.22679) (PKU) [Code](https://github.com/x/q)
"""


def test_formats_real_list_prefixes_venue_tails_and_group_labels_leave_clean_titles():
    """Shapes met on real lists: a bold venue line above its entries is a label, not an entry; a
    '(**Venue'YY**)' after a title, '[2503] [Name]' and '[**Arxiv**]' before it, and an empty anchor
    are not part of the title; the text still round-trips byte for byte."""
    document = parse(REAL_LIST_SHAPES)
    assert document.render() == REAL_LIST_SHAPES
    titles = {e.arxiv_id: e.title for e in document.entries}
    assert titles == {
        "2503.00001": "A generalist medical language model for disease diagnosis assistance",
        "2401.00002": "Chest X-ray report generation with grounded findings",
        "2503.00003": "LoRA Subtraction for Drift-Resistant Space in Continual Learning",
        "2411.15633": "Orthogonal Subspace Decomposition for Image Detection",
        "2503.22679": "Q-Insight: Understanding Image Quality via Visual Reinforcement Learning",
    }
    assert {e.label for e in document.entries if e.arxiv_id.startswith(("2503.00001", "2401"))} == {"Reports"}
    arxiv = next(e for e in document.entries if e.arxiv_id == "2411.15633")
    assert arxiv.venue == "Arxiv"


def test_formats_bold_titles_and_bracketed_titles_stay_entries():
    """What the real-list shapes must not swallow: a bold title with its fields in bullets below, a
    bracketed title after a venue or a year, a title link after a short name."""
    text = ("# L\n\n## S\n\n**Segment Anything in Medical Images With Prompts**\n- Authors: Jun Ma, Bo Wang\n"
            "- [[paper]](https://arxiv.org/abs/2401.00201) [[code]](https://github.com/a/b)\n\n"
            "- [CVPR 2024] [Segment Anything Everywhere With Prompts] [paper](https://arxiv.org/abs/2401.00112)\n"
            "- [2024] [Segment Anything] [paper](https://arxiv.org/abs/2401.00113)\n")
    document = parse(text)
    assert document.render() == text
    assert {e.arxiv_id: e.title for e in document.entries} == {
        "2401.00201": "Segment Anything in Medical Images With Prompts",
        "2401.00112": "Segment Anything Everywhere With Prompts",
        "2401.00113": "Segment Anything"}


BATCH_CASES = ["bullets-authors-date.md", "table-unlearning.md", "attack/gaussians-multiline-bullets.md",
                  "attack/speech-year-headings-ascending.md", "attack/mmfl-twoline-year-headings.md",
                  "attack/graphattack-numbered-loose.md", "attack/longcontext-dated-nested.md", "bullets-prefix-nested.md",
                  "attack/robotics3d-name-quoted.md", "attack/ondevice-escaped-prefix.md", "the bundled list"]


def one_at_a_time(text: str, papers: list[Proposal]) -> str:
    """The reference a batch is held to: each paper inserted alone, newest first, into the list as
    the papers before it left it (the list parsed again after every paper)."""
    for _, paper in sorted(enumerate(papers), key=lambda item: (-item[1].date.toordinal(), -item[0])):
        text = insert_entries(text, [paper])
    return text


def placed(text: str) -> list[tuple]:
    return [(e.label, e.arxiv_id) for e in parse(text).entries]


@pytest.mark.parametrize("name", BATCH_CASES)
def test_insert_entries_batch_lands_where_one_paper_at_a_time_would(name, seed_text):
    """A batch is placed in rounds, one parse each, not one parse per paper: the papers (a day's
    batch in one section, older ones, a second section) land in the order of one at a time."""
    text = seed_text if name == "the bundled list" else (FIXTURES / name).read_text(encoding="utf-8")
    labels = [label for label, _ in Counter(e.label for e in parse(text).entries).most_common(2)]
    papers = [proposal(labels[0], id=f"2509.{10000 + n}", title=f"A Paper Number {n}", date=when)
              for n, when in enumerate([date(2025, 9, 1)] * 4 + [date(2024, 5, 2), date(2021, 1, 3)])]
    papers += [proposal(labels[-1], id=f"2509.{20000 + n}", title=f"Another Paper {n}", date=date(2025, 9, 1))
               for n in range(3)]
    batch = insert_entries(text, papers)
    assert placed(batch) == placed(one_at_a_time(text, papers))
    assert {e.arxiv_id for e in parse(batch).entries} >= {p.id for p in papers}


def _bullet(title: str, arxiv_id: str) -> str:
    return (f"- **[{title}](https://arxiv.org/abs/{arxiv_id}v1)**  \n  Authors: Some One, Other Two  \n"
            f"  Links: [![PDF](https://img.shields.io/badge/PDF-arXiv-b31b1b.svg)](https://arxiv.org/pdf/{arxiv_id}v1.pdf)  \n"
            f"  Keywords: gaussian splatting, {title.lower()}  \n")


ODD_BATCHES = {
    # a paper whose arXiv id (its date as the list reads it) is a month older than its announcement
    "id-older-than-date": ("# List\n\n## Papers\n\n" + "".join(
        _bullet(f"Gaussian Splatting for Scene {c}", i) for c, i in zip(
            "ABCDEF", ["2509.00010", "2509.00005", "2508.00020", "2508.00010", "2507.00001", "2506.00001"]))
        + "\n## Other\n", [("2508.99999", "Papers", date(2025, 9, 1)), ("2508.99998", "Papers", date(2025, 8, 31))]),
    # three papers of one day turn a newest-first section's order to none: the next goes at the end
    "equal-dates-turn-the-order": ("# L\n\n## S\n\n" + "".join(
        f"- [Paper About Scenes {i}](https://arxiv.org/abs/{i})\n" for i in ["2507.00001", "2501.00001", "2503.00001",
                                                                           "2410.00001"]),
        [("2508.00001", "S", date(2025, 10, 1)), ("2509.00001", "S", date(2025, 10, 1)),
         ("2510.00001", "S", date(2025, 10, 1)), ("2509.00009", "S", date(2025, 9, 30))]),
    # a one-entry section follows the whole list's order, which the paper before it changes
    "section-follows-the-list": ((FIXTURES / "attack" / "ondevice-escaped-prefix.md").read_text(encoding="utf-8"),
                                 [("2509.00001", "Models / Architectures Design", date(2025, 9, 2)),
                                  ("2404.00002", "Systems", date(2024, 4, 1))]),
    # '### 2021' is a section of its own and the year heading of '## Papers' (a real list): one paper of each
    "a-year-heading-is-also-a-section": (
        (ROOT / "bench" / "lists" / "radiology-report-generation" / "after.md").read_text(encoding="utf-8"),
        [("2504.88593", "2021", date(2026, 8, 17)), ("2509.20905", "Papers", date(2021, 2, 15))]),
    # '### 2023' is a section and a year of '## Papers': the newer paper turns the order the other follows
    "a-year-section-turns-its-parents-order": ((FIXTURES / "attack" / "rlhf-nested-subbullets.md").read_text(encoding="utf-8"),
                                               [("2512.49332", "2023", date(2025, 12, 15)),
                                                ("2401.95681", "Papers", date(2024, 1, 15))]),
}


def written(text: str, paper_id: str) -> list[str]:
    """The lines of the paper's entries in ``text``, item numbers left out (they count the entries above;
    a numbered table's in its first cell)."""
    document = parse(text)
    return [re.sub(r"^(\s*\|?\s*)\d+", r"\1#", "".join(document.lines[e.start:e.end]))
            for e in document.entries if e.arxiv_id == paper_id]


@pytest.mark.parametrize("name", BATCH_CASES + ["attack/protein-table-doi.md", "table-cache.md"] + sorted(ODD_BATCHES))
def test_insert_entries_batch_writes_each_entry_as_it_would_be_alone(name, seed_text):
    """Each entry of a batch copies the list's own entries, as that paper inserted alone would: not
    an entry the bot wrote for the same batch in an earlier round, nor in the order those entries
    gave its section (a fuzz found a section whose order they turned: another entry was copied),
    nor the way they wrote an unknown cell ('-' where the list leaves it empty)."""
    if name in ODD_BATCHES:
        text, batch = ODD_BATCHES[name]
        papers = [proposal(section, id=arxiv_id, title=f"A Paper Numbered {arxiv_id}", date=when)
                  for arxiv_id, section, when in batch]
    else:
        text = seed_text if name == "the bundled list" else (FIXTURES / name).read_text(encoding="utf-8")
        labels = [label for label, _ in Counter(e.label for e in parse(text).entries).most_common(2)]
        papers = [proposal(labels[n % len(labels)], id=f"2509.{10000 + n}", title=f"A Paper Number {n}", date=when)
                  for n, when in enumerate([date(2025, 9, 1)] * 5 + [date(2024, 5, 2), date(2021, 1, 3)])]
    together = insert_entries(text, papers)
    for paper in papers:
        assert written(together, paper.id) == written(insert_entries(text, [paper]), paper.id), paper.id


@pytest.mark.parametrize("case", sorted(ODD_BATCHES))
def test_insert_entries_odd_batches_land_where_one_paper_at_a_time_would(case):
    """Found by reviews and a fuzz: a paper went inside another entry (its place moved by an insertion
    above it), a paper of a section without an order of its own went elsewhere, and two sections'
    papers under one heading crossed."""
    text, batch = ODD_BATCHES[case]
    papers = [proposal(section, id=arxiv_id, title=f"A Paper Numbered {arxiv_id}", date=when)
              for arxiv_id, section, when in batch]
    batched = insert_entries(text, papers)
    assert placed(batched) == placed(one_at_a_time(text, papers))
    assert all(line in batched.splitlines() for line in text.splitlines())  # no line of the list lost or split


@pytest.mark.parametrize("spacing", ["tight", "loose"])
def test_insert_entries_section_of_bullets_and_a_table_gets_a_row_among_rows(spacing):
    """A section with bullets above a table (a list's 'Other resources'): a new paper placed between
    two rows is written as a row, so the table stays one table (found by a review; a bullet went there)."""
    rows = "".join(f"|{year}|`arXiv`|[Paper of {year}](https://arxiv.org/pdf/{id_})|---|---|\n"
                   for year, id_ in [(2025, "2506.05327"), (2024, "2406.00001"), (2023, "2306.00002")])
    bullets = ("\n" if spacing == "loose" else "").join(
        f"* Survey for {topic}: [Paper List](https://arxiv.org/abs/240{n}.0000{n})\n"
        for n, topic in enumerate(["SLAM", "VO", "VIO", "NeRF", "LiDAR"], start=1))  # loose: a blank line between
    text = ("# L\n\n## Other Resources\n" + bullets + "\n"
            "| Year | Venue | Paper Title | Repository | Note |\n|:----:|:-----:| ----------- |:----------:|:----:|\n"
            + rows + "\n## Next\n")
    after = insert_entries(text, [proposal("Other Resources", id="2409.12345", title="A Row Paper",
                                           date=date(2024, 9, 1))])
    document = parse(after)
    new = next(e for e in document.entries if e.arxiv_id == "2409.12345")
    assert new.shape == "table" and [e.shape for e in document.entries].count("table") == 4
    assert document.render() == after and all(line in after.splitlines() for line in text.splitlines())


def test_insert_entries_writes_a_year_heading_once_for_a_parent_and_its_child():
    """The list's title section and its child section share the year headings: two papers of a year
    that has none get one heading between them, in a batch as one at a time (found by a review)."""
    text = ("# Awesome Scenes\n\n- [A Survey of Scene Generation](https://arxiv.org/abs/2401.00009)\n\n## Papers\n\n"
            "### 2025\n\n- [Paper About Scenes A](https://arxiv.org/abs/2503.00001)\n\n### 2024\n\n"
            "- [Paper About Scenes B](https://arxiv.org/abs/2404.00001)\n\n## Tools\n\n- [A tool](https://github.com/a/b)\n")
    papers = [proposal("Papers", id="2309.00001", title="New Paper One", date=date(2023, 9, 1)),
              proposal("Awesome Scenes", id="2309.00002", title="New Paper Two", date=date(2023, 9, 1))]
    batch, alone = insert_entries(text, papers), one_at_a_time(text, papers)
    assert batch.count("### 2023") == alone.count("### 2023") == 1
    assert placed(batch) == placed(alone)
