"""The bot's change to its branch, as pure functions over texts, on every list format:
it only adds, it takes back only its own copy of a paper a maintainer listed, and it
would not create a merge conflict without saying so."""

from __future__ import annotations

import difflib
from datetime import date
from pathlib import Path

import pytest

from bot.lists.awesome import parse
from bot.propose.proposals import Marker, Proposal
from bot.propose.rolling import Branch, plan, resolve_section, would_conflict

FIXTURES = Path(__file__).parent / "fixtures" / "lists"
LISTS = sorted(p.name for p in FIXTURES.glob("*.md") if p.name != "SOURCES.md")


def proposal(paper_id: str, section: str, day: int = 18) -> Proposal:
    return Proposal(paper_id, f"A Diffusion Model Number {paper_id}", section, 0.9, authors=["Ann Author"],
                    date=date(2025, 9, day))


def live_sections(text: str) -> list[str]:
    return list(dict.fromkeys(e.label for e in parse(text).entries if e.label))


@pytest.mark.parametrize("name", LISTS)
def test_run_adds_then_takes_back_only_its_own_copy(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    first, last = live_sections(text)[0], live_sections(text)[-1]
    added = plan(Branch(text, text), [proposal("2509.11111", first)], limit=25)
    assert added.added == ["2509.11111"] and not added.failed
    matcher = difflib.SequenceMatcher(None, text.splitlines(True), added.text.splitlines(True), autojunk=False)
    assert all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())
    # a maintainer lists the same paper on the base, in another section: the bot removes its copy, byte for byte
    base = plan(Branch(text, text), [proposal("2509.11111", last)], limit=25).text
    state = Branch(base, added.text, Marker([Proposal("2509.11111", "A Diffusion Model", first)]),
                   ["2509.11111"])
    again = plan(state, [], limit=25)
    if first != last:
        assert again.removed == ["2509.11111"] and again.text == text
    else:  # the same entry at the same place on both sides: git merges it as one, nothing to take back
        assert again.removed == [] and again.text == added.text == base
    assert again.rejected == [] and again.newly_rejected == {}


def test_run_limit_counts_what_is_already_proposed():
    text = (FIXTURES / "numbered.md").read_text(encoding="utf-8")
    section = live_sections(text)[0]
    first = plan(Branch(text, text), [proposal("2509.11111", section), proposal("2509.22222", section)], limit=2)
    marker = Marker([Proposal(i, "", section) for i in first.added])
    second = plan(Branch(text, first.text, marker, first.added), [proposal("2509.33333", section, 19)], limit=2)
    assert second.over_limit == 1 and second.text == first.text and {p.id for p in second.proposals} == set(first.added)


def test_run_resolve_section_follows_renames_but_never_guesses_wildly():
    document = parse((FIXTURES / "bullets-authors-date.md").read_text(encoding="utf-8"))
    name = live_sections(document.render())[0]
    assert resolve_section(document, name) == (name, None)
    assert resolve_section(document, name.upper())[0] == name
    assert resolve_section(document, "Quantum Gravity Fundamentals")[0] is None


def test_run_would_conflict_when_both_sides_add_at_the_same_place():
    ancestor = "## S\n\n- a\n- b\n"
    assert would_conflict(ancestor, "## S\n\n- x\n- a\n- b\n", "## S\n\n- y\n- a\n- b\n")
    assert not would_conflict(ancestor, "## S\n\n- x\n- a\n- b\n", "## S\n\n- a\n- b\n- y\n")


def test_rolling_removal_of_an_entry_that_begins_like_the_next_one_is_seen_as_a_removal():
    """The linear check takes the first alignment it finds; an entry that begins with the same lines as
    the next one needs the other alignment (difflib's), not a refusal to publish."""
    from types import SimpleNamespace

    from bot.propose.rolling import only_removed

    before = "<details>\n<summary>P</summary>\n</details>\n<details>\n<summary>Y</summary>\n</details>\n"
    after = "<details>\n<summary>Y</summary>\n</details>\n"
    document = SimpleNamespace(lines=before.splitlines(True))
    assert only_removed(before, after, [SimpleNamespace(start=0, end=3)], document)
    assert not only_removed(before, after + "extra\n", [SimpleNamespace(start=0, end=3)], document)


def test_plan_a_list_without_a_final_newline_takes_a_paper_for_its_last_section(seed_text):
    """A README without a final newline (common on GitHub): a paper placed below its last line gives
    that line its line ending, and neither it nor the rest of the batch is refused (found by a review:
    the whole pull request was refused, run after run)."""
    text = seed_text.rstrip("\n")
    papers = [Proposal("2509.11111", "A Recent Segmentation Paper", "Segmentation", 0.9, authors=["Ann A"],
                       date=date(2025, 9, 18)),
              Proposal("2212.22222", "An Old Paper For Other Applications", "Other Applications", 0.9,
                       authors=["Bob B"], date=date(2022, 12, 1))]
    result = plan(Branch(text, text), papers, 25)
    assert set(result.added) == {"2509.11111", "2212.22222"}
    matcher = difflib.SequenceMatcher(None, (text + "\n").splitlines(True), result.text.splitlines(True), autojunk=False)
    assert all(tag in ("equal", "insert") for tag, *_ in matcher.get_opcodes())  # every line of the list kept


ALL_FIXTURES = LISTS + sorted(f"attack/{p.name}" for p in (FIXTURES / "attack").glob("*.md"))


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_plan_writes_a_new_entry_as_it_would_be_alone_not_like_the_pending_ones(name):
    """A paper added to a pull request that holds the bot's earlier entries is written like the list's
    own entries, as it would be into the list alone: the bot's pending entries are never copied, nor
    read as the order of their section (they had turned a section's order, and a later entry lost its
    authors; and a paper refused on one run was written on the next, after other papers joined)."""
    from test_formats import written

    text = (FIXTURES / name).read_text(encoding="utf-8")
    for section in live_sections(text)[:3]:
        pending = [Proposal(f"2509.1{n}000", f"A Paper About Topic {n}", section, 0.9, authors=["Ann Author"],
                            date=date(2025, 9, 18)) for n in range(3)]
        first = plan(Branch(text, text), pending, limit=25)
        new = Proposal("2509.20000", "A Later Paper", section, 0.9, authors=["Bo Writer"], date=date(2025, 9, 19))
        marker = Marker([p for p in pending if p.id in first.added])
        second = plan(Branch(text, first.text, marker, first.added), [new], limit=25)
        alone = plan(Branch(text, text), [new], limit=25)
        assert second.added == alone.added, section
        assert written(second.text, new.id) == written(alone.text, new.id), section
