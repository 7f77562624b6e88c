"""The rolling pull request as pure functions over texts: what the bot adds on top of its branch.

Used by every publisher (GitHub, local folder, dry run) on each publish.  The
rule: the branch as maintainers left it is the truth.  The bot's change is a
patch applied to the head of the branch as it is: insert new entries, and take
back its own copy of a paper that a maintainer listed too (on the base, or by
hand on the branch), found against the version where the branch and the base
last met.  Nothing else is touched: ``plan`` checks that the new text is the
head minus those copies plus insertions, and that every added id appears once.

A paper the bot proposed that is gone from the branch was *rejected* only if a
person removed it (``human_removed``, worked out by the publisher from the
branch's history); otherwise (a stale marker, a run that stopped half-way) it
is simply no longer proposed, and nothing is recorded against it.

Also here: whether merging would conflict (``would_conflict``), the merge the
bot may make itself when the only conflicts are its own entries beside new
ones of the base (``resolve_merge``), and the format of the bot's commit
messages, whose ``Proposed-papers:`` trailer says which papers it added.

Example::

    plan(Branch(base_text, head_text), [proposal], limit=25).text
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace

import merge3

from bot.base.errors import ListFormatError, PublishError
from bot.base.ids import is_arxiv_id
from bot.lists.awesome import AwesomeList, Entry, parse
from bot.propose.insert import insert_entries
from bot.propose.proposals import Marker, Proposal
from bot.propose.render import where

MAX_TITLE = 500  # characters; real arXiv titles stay far below
MAX_AUTHORS_TEXT = 20_000


@dataclass
class Branch:
    """What was read of the proposal at one moment."""

    base_text: str  # the list on the base branch now
    head_text: str  # the list on the bot's branch now
    marker: Marker = field(default_factory=Marker)  # the open pull request's marker
    bot_added: list[str] = field(default_factory=list)  # ids the bot's own commits on the branch added
    human_removed: set[str] = field(default_factory=set)  # ids whose lines a commit by someone else removed
    ancestor_text: str | None = None  # the list where the branch and the base last met (default: the base)
    bot_copies: dict[str, str] = field(default_factory=dict)  # id -> the entry as the bot wrote it
    edited: dict[str, str] = field(default_factory=dict)  # id -> the title of the entry a person rewrote it into
    head: AwesomeList | None = None  # head_text parsed: by the reader that has it, else here (read-only)
    base: AwesomeList | None = None  # base_text parsed, the same way

    def __post_init__(self):
        same = self.base_text == self.head_text  # then one parse serves both
        if self.head is None:
            self.head = self.base if same and self.base is not None else parse(self.head_text)
        if self.base is None:
            self.base = self.head if same else parse(self.base_text)


@dataclass
class Plan:
    text: str  # the README to commit (the head itself when nothing changes)
    proposals: list[Proposal]  # the pull request's proposals after this change
    rejected: list[Proposal]  # every paper deleted from this pull request by maintainers
    added: list[str] = field(default_factory=list)
    newly_rejected: dict[str, str | None] = field(default_factory=dict)  # found deleted since the last run
    removed: list[str] = field(default_factory=list)  # the bot's copies taken back: a maintainer listed them
    failed: dict[str, str] = field(default_factory=dict)  # papers that could not be added: id -> why
    notes: list[str] = field(default_factory=list)
    over_limit: int = 0


def _norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def resolve_section(document: AwesomeList, name: str, alternatives: list[str] = ()) -> tuple[str | None, str | None]:
    """The heading a proposal goes under: its own; else, when the list renamed it, the heading with
    the same words (in another case or punctuation) or a close name sharing a word with it
    ('Reconstruction' -> 'Image Reconstruction'); else the model's runner-up section that the list
    has.  Never a guess from spelling alone ('Reconstruction' is not 'Registration').
    Returns (heading, note) or (None, reason)."""
    headings = [h.text for h in document.headings if h.level >= 2]
    if name in headings:
        return name, None
    normal = {_norm(h): h for h in reversed(document.labels())}  # renamed sections hold entries
    if _norm(name) in normal:
        return normal[_norm(name)], None
    words = {w[:5] for w in _norm(name).split() if len(w) >= 4}
    close = [c for c in difflib.get_close_matches(_norm(name), list(normal), n=3, cutoff=0.6)
             if words & {w[:5] for w in c.split() if len(w) >= 4}]
    if close:
        return normal[close[0]], f"section '{name}' is not in the list; placed under '{normal[close[0]]}', the closest heading"
    for other in alternatives:
        if other in headings or _norm(other) in normal:
            found = other if other in headings else normal[_norm(other)]
            return found, f"section '{name}' is not in the list; placed under '{found}', the model's next choice"
    return None, f"the list has no section '{name}' (nor one like it)"


def check_proposal(proposal: Proposal) -> str | None:
    """Why a proposal cannot become an entry, or None."""
    if not is_arxiv_id(proposal.id):
        return f"'{proposal.id[:40]}' is not an arXiv id"
    if not re.search(r"\w", proposal.title):
        return "a title without a letter or digit"
    if len(proposal.title) > MAX_TITLE:
        return f"a title of {len(proposal.title)} characters (over {MAX_TITLE})"
    if len(", ".join(proposal.authors)) > MAX_AUTHORS_TEXT:
        return "an author list too long to render"
    return None


def _within(short: list[str], long: list[str]) -> list[int] | None:
    """The indices of ``long`` that hold ``short``'s lines in order, when ``short`` is ``long`` with
    lines removed (else None).  Linear: a list of thousands of identical blank lines would make
    difflib quadratic, and these are the common cases (lines only added, or only removed)."""
    found, at = [], 0
    for line in short:
        while at < len(long) and long[at] != line:
            at += 1
        if at == len(long):
            return None
        found.append(at)
        at += 1
    return found


def branch_only(base: AwesomeList, head: AwesomeList) -> set[int]:
    """Indices (into head.lines) of the lines the head has that the base has not (pass the
    version where the branch and the base last met, and these are the lines the branch added)."""
    kept = _within(base.lines, head.lines)
    if kept is not None:
        return set(range(len(head.lines))) - set(kept)
    matcher = difflib.SequenceMatcher(None, base.lines, head.lines, autojunk=False)
    shared = set()
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            shared.update(range(j1, j2))
    return set(range(len(head.lines))) - shared


def remove_entries(document: AwesomeList, entries: list[Entry], added: set[int]) -> str:
    """The text without these entries, each with the blank line that was added with it, if any
    (``added``: indices of the lines the branch added; a blank line that was there before stays)."""
    lines = list(document.lines)
    for entry in sorted(entries, key=lambda e: -e.start):
        start, end = entry.start, entry.end
        if end < len(lines) and not lines[end].strip() and end in added:
            end += 1
        elif start > 0 and not lines[start - 1].strip() and start - 1 in added:
            start -= 1
        del lines[start:end]
    return "".join(lines)


def only_added(before: str, after: str) -> bool:
    """Whether ``after`` is ``before`` plus inserted lines (and the line ending of a last line that had
    none: an entry inserted below it needs one)."""
    lines, inserted = before.splitlines(True), after.splitlines(True)
    ends = [""] + (["\n", "\r\n"] if lines and not lines[-1].endswith(("\n", "\r")) else [])
    return any(_within(lines[:-1] + [lines[-1] + end] if end else lines, inserted) is not None for end in ends)


def only_removed(before: str, after: str, entries: list[Entry], document: AwesomeList) -> bool:
    """Whether ``after`` is ``before`` without the lines of these entries (and blank lines)."""
    lines = before.splitlines(True)
    kept = _within(after.splitlines(True), lines)
    if kept is None:
        return False
    allowed = "".join("".join(document.lines[e.start:e.end]) for e in entries)
    gone, block, previous = [], [], -1
    for index in sorted(set(range(len(lines))) - set(kept)):
        if block and index != previous + 1:
            gone.append("".join(block))
            block = []
        block.append(lines[index])
        previous = index
    gone += ["".join(block)] if block else []
    if all(not text.strip() or text.strip() in allowed for text in gone):
        return True
    # the first alignment found is not the only one (an entry that begins like the next one): ask difflib
    matcher = difflib.SequenceMatcher(None, lines, after.splitlines(True), autojunk=False)
    gone = ["".join(lines[i1:i2]) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"]
    return all(tag in ("equal", "delete") for tag, *_ in matcher.get_opcodes()) and \
        all(not text.strip() or text.strip() in allowed for text in gone)


def would_conflict(ancestor: str, base: str, head: str) -> bool:
    """Whether merging ``head`` and ``base`` (last common version ``ancestor``) would conflict, or
    come so close (changes on both sides with no unchanged line between) that git may refuse."""
    regions = list(merge3.Merge3(ancestor.splitlines(True), base.splitlines(True),
                                 head.splitlines(True)).merge_regions())
    kinds = [r[0] for r in regions if r[0] != "unchanged" or r[2] > r[1]]
    return "conflict" in kinds or any({a, b} == {"a", "b"} for a, b in zip(kinds, kinds[1:]))


def resolve_merge(ancestor: str, base: str, head: AwesomeList, bot_ids: set[str]) -> str | None:
    """The base merged into the head (parsed), where the only conflicts are both sides adding lines at
    the same place and the head's lines there are the bot's own entries (a maintainer added a paper by
    hand at the top of a section the bot had added to): both kept, the base's first.  None when a
    conflict involves anything else (people resolve it then).

    Example: resolve_merge(ancestor_text, base_text, parse(head_text), {"2509.01234"})
    """
    lines = {"z": ancestor.splitlines(True), "a": base.splitlines(True), "b": head.lines}
    bots = {i for e in head.entries if e.arxiv_id in bot_ids for i in range(e.start, e.end)}
    out: list[str] = []
    for region in merge3.Merge3(lines["z"], lines["a"], lines["b"]).merge_regions():
        kind = region[0]
        if kind == "unchanged":
            out += lines["z"][region[1]:region[2]]
        elif kind in ("a", "same"):
            out += lines["a"][region[1]:region[2]]
        elif kind == "b":
            out += lines["b"][region[1]:region[2]]
        else:
            _, z1, z2, a1, a2, b1, b2 = region
            if z2 > z1 or any(i not in bots and lines["b"][i].strip() for i in range(b1, b2)):
                return None
            out += lines["a"][a1:a2] + lines["b"][b1:b2]
    merged = "".join(out)
    return merged if parse(merged).render() == merged else None


def _what_stays(branch: Branch, head: AwesomeList, base: AwesomeList, previous: dict, rejected: dict,
                result: Plan) -> tuple[dict[str, Entry], list[Entry], set[int] | None]:
    """(the bot's papers that stay on the branch, by id; its own copies of papers a maintainer listed
    too, to take back; the lines the branch added, when they had to be computed).  Papers a person
    removed become rejected (in ``rejected`` and ``result.newly_rejected``)."""
    copies = Counter(e.arxiv_id for e in head.entries if e.arxiv_id)
    duplicates: list[Entry] = []
    kept: dict[str, Entry] = {}
    ours: set[int] | None = None  # the lines the branch added since it met the base (computed when needed)
    known = set(branch.bot_added) | set(previous) | set(rejected)

    titles = {i: branch.edited.get(i) or (previous[i].title if i in previous else None)
              for i in dict.fromkeys(list(branch.bot_added) + list(previous))}
    owned = head.entries_of(titles, known | base.arxiv_ids(), {i: p.authors for i, p in previous.items()})
    for paper_id, title in titles.items():
        entry = owned.get(paper_id)
        if base.contains(paper_id, title) or copies[paper_id] > 1:  # a maintainer listed it too
            if ours is None:
                ancestor = branch.ancestor_text
                ours = branch_only(parse(ancestor) if ancestor and ancestor != branch.base_text else base, head)
            taken = _copies_to_take_back(head, paper_id, ours, branch.bot_copies.get(paper_id), base.contains(paper_id, title))
            duplicates += taken
            result.removed += [paper_id] if taken else []
            if not base.contains(paper_id, title) and copies[paper_id] > len(taken):
                kept[paper_id] = next(e for e in head.entries if e.arxiv_id == paper_id and e not in taken)
        elif entry is not None:
            kept[paper_id] = entry
        elif paper_id in rejected:
            continue
        elif paper_id in branch.human_removed:
            section = previous[paper_id].section if paper_id in previous else None
            rejected[paper_id] = Proposal(paper_id, title or "", section)
            result.newly_rejected[paper_id] = section
        else:
            result.notes.append(f"{paper_id} is no longer on the branch (not removed by a person): not rejected")
    return kept, duplicates, ours


def deleted(branch: Branch) -> dict[str, str | None]:
    """The papers a person removed from the branch since the marker was written: id -> the section
    the bot had proposed (what ``plan`` would find, without planning a change).

    Example: deleted(Branch(base_text, head_text, marker, human_removed={"2509.01234"}))
    """
    result = Plan(branch.head_text, [], [])
    _what_stays(branch, branch.head, branch.base, *_marked(branch), result)
    return result.newly_rejected


def _marked(branch: Branch) -> tuple[dict[str, Proposal], dict[str, Proposal]]:
    """The marker's proposals and rejections, by id."""
    return {p.id: p for p in branch.marker.proposals}, {r.id: r for r in branch.marker.rejected}


def _kept_proposals(branch: Branch, kept: dict[str, Entry], previous: dict, new: list[Proposal]) -> list[Proposal]:
    """The papers that stay, as proposals: this run's details when it proposed them again, else the
    marker's; their section is where the entry stands now (a maintainer may have moved it)."""
    fresh_details = {p.id: p for p in new}
    out = []
    for paper_id, entry in kept.items():
        known, old = fresh_details.get(paper_id), previous.get(paper_id)
        edited = paper_id in branch.edited  # rewritten by a person: the marker knows it by its title now
        if known is not None:
            out.append(replace(known, section=entry.label, title=entry.title if edited else known.title))
        else:
            title = entry.title if edited or old is None or not old.title else old.title
            out.append(Proposal(paper_id, title, entry.label or "", old.probability if old else 0.0,
                                authors=old.authors if old else []))
    return out


def _choose(new: list[Proposal], room: int, skip: set[str], document: AwesomeList, base: AwesomeList,
            result: Plan) -> list[Proposal]:
    """The new proposals that fit: not on the branch or the base already, not decided, within ``room``,
    with a section the list has and a place it can be written; the others counted or noted in ``result``."""
    chosen: list[Proposal] = []
    for proposal in new:
        if proposal.id in skip or document.contains(proposal.id, proposal.title) \
                or base.contains(proposal.id, proposal.title) or any(p.id == proposal.id for p in chosen):
            continue
        if len(chosen) >= room:
            result.over_limit += 1
            continue
        problem = check_proposal(proposal)
        section, note = (None, None) if problem else resolve_section(document, proposal.section, proposal.alternatives)
        if section is None:
            result.failed[proposal.id] = problem or note
            continue
        placed = replace(proposal, section=section)
        try:
            where(document, placed)
        except ListFormatError as exc:
            result.failed[proposal.id] = exc.one_line()
            continue
        if note:
            result.notes.append(f"paper {proposal.id}: {note}")
        chosen.append(placed)
    return chosen


def plan(branch: Branch, new: list[Proposal], limit: int) -> Plan:
    """The bot's change to the branch: keep what is there, take back its own copies of papers a
    maintainer listed too, add the new proposals that fit (within ``limit`` in the pull request).

    Example: plan(Branch(text, text), proposals, limit=25).text  # the list with the new entries
    """
    head, base = branch.head, branch.base
    previous, rejected = _marked(branch)
    result = Plan(branch.head_text, [], [])
    kept, duplicates, ours = _what_stays(branch, head, base, previous, rejected, result)
    text = remove_entries(head, duplicates, ours or set()) if duplicates else branch.head_text
    document = parse(text) if duplicates else head
    result.proposals += _kept_proposals(branch, kept, previous, new)
    chosen = _choose(new, max(0, limit - len(kept)), set(kept) | set(rejected), document, base, result)
    final = _insert(document, chosen, result, frozenset(kept))
    if not only_added(text, final) or not only_removed(branch.head_text, text, duplicates, head):
        raise PublishError("refusing to publish: the change would alter lines of the list it did not add",
                           "this is a bug; the branch was left as it was")
    result.text = final
    result.proposals += chosen
    result.added = [p.id for p in chosen]
    result.rejected = list(rejected.values())
    return result


def _copies_to_take_back(head: AwesomeList, paper_id: str, ours: set[int], written: str | None, listed: bool) -> list[Entry]:
    """The bot's own copies of a paper that a maintainer listed too: on the base (``listed``: every
    copy the branch added), or by hand on the branch (the one the bot wrote: all but one copy)."""
    entries = [e for e in head.entries if e.arxiv_id == paper_id]
    added = [e for e in entries if ours.intersection(range(e.start, e.end))]
    if listed:
        return added
    exact = [e for e in entries if written is not None and "".join(head.lines[e.start:e.end]) == written]
    return (exact or added[:1])[:len(entries) - 1]


def _insert(document: AwesomeList, chosen: list[Proposal], result: Plan, bots: frozenset[str]) -> str:
    """Insert the chosen entries (written like the list's own, not like ``bots``, the bot's entries
    kept on the branch); a paper whose entry would not parse back exactly once is left out."""
    text = document.render()
    if not chosen:
        return text
    before = Counter(e.arxiv_id for e in document.entries)
    updated = insert_entries(text, chosen, document, bots)
    if _each_once(updated, chosen, before):
        return updated
    good: list[Proposal] = []
    for proposal in chosen:  # find the culprit: insert one at a time
        attempt = insert_entries(text, good + [proposal], document, bots)
        if _each_once(attempt, good + [proposal], before):
            good.append(proposal)
        else:
            result.failed[proposal.id] = "its entry does not read back as exactly one entry"
    chosen[:] = good
    return insert_entries(text, good, document, bots) if good else text


def _each_once(text: str, chosen: list[Proposal], before: Counter) -> bool:
    document = parse(text)
    if document.render() != text:
        return False
    counts = Counter(e.arxiv_id for e in document.entries)
    return all(counts[p.id] == 1 for p in chosen) and all(counts[i] == n for i, n in before.items())
