"""Proposals: the proposed-paper record, the pull-request description and its marker, feedback.

Pure functions, used by ``rolling``, ``publish`` and ``run``.  The description
is a jinja2 template (``bot/templates/pull_request.md.j2``, or
``github.pr_template``) ending in an HTML comment, the *marker*, that records
the papers the pull request proposes (with the section each is in now) and
the papers maintainers deleted from it.  The marker is the bot's memory: a
runner with an empty store reads every decision back from GitHub.

Example::

    body = pull_request_body([Proposal("2509.13576", "A title", "Reconstruction")], [], "model-1")
    read_marker(body).proposals[0].id   # "2509.13576"
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from bot import __version__
from bot.base.decision import Decision
from bot.base.text import markdown_text
from bot.lists.awesome import AwesomeList

MARKER_PREFIX = "<!-- awesome-list-bot "
START = "<!-- awesome-list-bot:start -->"  # the bot's part of the description runs from here to the marker
SIGNED = "<sub>Opened by awesome-list-bot "  # the line above the marker (pull_request.md.j2)
MARKER = re.compile(r"<!-- awesome-list-bot (\{.*?\}) -->", re.DOTALL)
TEMPLATE = Path(__file__).parents[1] / "templates" / "pull_request.md.j2"
MAX_BODY = 60_000  # GitHub refuses descriptions over 65,536 characters
TITLE_CELL = 300  # characters of a title shown in the table
MARKER_PACK = 8_000  # characters of marker JSON above which it is stored compressed
TITLE_MARK = 200  # characters of a title kept in the marker (to recognise an entry whose link changed)
MARK_AUTHORS = 3  # ... and its first authors (to tell it from another paper of a near title)


@dataclass
class Proposal:
    """One paper the bot proposes: what its entry shows, the section, and why it was chosen.

    Built from a classified paper (``Proposal.of``) or read back from a pull request's
    marker (then only id, title, section and probability are known; a paper maintainers
    deleted is recorded there the same way, with the section the bot had proposed)."""

    id: str
    title: str
    section: str | None
    probability: float = 0.0
    terms: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    date: date = field(default_factory=date.today)
    venue: str | None = None
    code_url: str | None = None
    project_url: str | None = None

    @classmethod
    def of(cls, paper, verdict) -> "Proposal":
        """The proposal of a classified paper (a ``Paper`` and its ``Verdict``)."""
        return cls.for_paper(paper, verdict.section, probability=verdict.probability,
                             terms=[str(t) for t in verdict.explanation.get("for", [])],
                             alternatives=[s for s in verdict.section_probabilities if s != verdict.section][:2])

    @classmethod
    def for_paper(cls, paper, section: str | None, **why) -> "Proposal":
        """A paper's proposal in ``section``, with every field of its record (``why``: probability, terms,
        alternatives).  Example: Proposal.for_paper(paper, "Segmentation").code_url"""
        return cls(id=paper.id, title=paper.title, section=section, authors=list(paper.authors),
                   date=paper.date or date.today(), venue=paper.venue, code_url=paper.code_url,
                   project_url=paper.project_url, **why)


def with_maintainers_text(old: str | None, new: str) -> str:
    """The new description ``new`` (the bot's part: ``START`` .. marker) with what people wrote around
    the bot's part of ``old`` kept, and a note they wrote right under its table: a note above or below
    the table survives every run.  An old
    description without ``START`` (an older bot's) is the bot's up to its marker.  One without a marker
    (a person removed it): the bot's part runs from ``START`` to its signature line (``SIGNED``), when
    both are still there; else the old description is kept whole, above the bot's new part."""
    old = old or ""
    found = MARKER.search(old)
    if found is not None:
        start, end = old.rfind(START, 0, found.start()), found.end()
        before = old[:start] if start >= 0 else ""
    else:
        start, signed = old.rfind(START), old.rfind(SIGNED)
        if not 0 <= start < signed:
            return f"{old.rstrip()}\n\n{new}" if old.strip() else new
        end = old.find("\n", signed) + 1 or len(old)
        before = old[:start]
    after, note = old[end:], _note_under_table(old[start:end])
    at = new.rfind(f"\n{FEEDBACK}")
    if note and at >= 0:
        new = f"{new[:at + 1]}{note}\n\n{new[at + 1:]}"
    return f"{before}{new.rstrip()}{after}" if after.strip() else f"{before}{new}"


FEEDBACK = "<details><summary>How to give feedback</summary>"  # the line under the bot's table (pull_request.md.j2)
TABLE_HEAD = "| # | paper |"
EMPTY = "_No proposals are left in this pull request._"


def _note_under_table(part: str) -> str:
    """What a person wrote between the bot's table (its rows from its header on) and its feedback
    section, as written (blank lines around it left out; the bot's line for an empty table is not a
    note).  A template without these lines keeps no note there."""
    lines = part.splitlines(True)
    head = next((i for i, line in enumerate(lines) if line.startswith(TABLE_HEAD)), None)
    feedback = max((i for i, line in enumerate(lines) if line.startswith(FEEDBACK)), default=None)
    if head is None or feedback is None or feedback < head:
        return ""
    end = head
    while end < feedback and lines[end].startswith("|"):
        end += 1
    gap = [line for line in lines[end:feedback] if line.rstrip("\r\n") != EMPTY]
    return "".join(gap).strip("\r\n")


@dataclass
class Marker:
    """What a pull request's description records, parsed in one place (``read_marker``): the papers
    proposed (id, section, title, probability) and the papers maintainers deleted from it (id, section)."""

    proposals: list[Proposal] = field(default_factory=list)
    rejected: list[Proposal] = field(default_factory=list)
    labelled: bool = False  # the bot labelled the pull request (once: a label people remove stays removed)

    def ids(self) -> set[str]:
        return {p.id for p in self.proposals}

    def rejected_ids(self) -> set[str]:
        return {r.id for r in self.rejected}


def marker(proposals: list[Proposal], rejected: list[Proposal] = (), labelled: bool = False) -> str:
    data = {"version": 2, "labelled": labelled,
            "proposals": [{"id": p.id, "section": p.section, "title": p.title[:TITLE_MARK],
                           "probability": round(p.probability, 3)}
                          | ({"authors": [a[:40] for a in p.authors[:MARK_AUTHORS]]} if p.authors else {})
                          for p in proposals],
            "rejected": [{"id": r.id, "section": r.section} for r in rejected]}
    text = json.dumps(data, ensure_ascii=True, sort_keys=True)
    if len(text) > MARKER_PACK:  # a long-lived pull request with many rejections: pack it
        packed = base64.b64encode(zlib.compress(text.encode("ascii"), 9)).decode("ascii")
        text = json.dumps({"version": 2, "packed": packed})
    text = text.replace("--", "-\\u002d")
    for char in "<>&@#":  # inert inside the comment: no tags, mentions or issue links even in raw views
        text = text.replace(char, f"\\u{ord(char):04x}")
    return f"{MARKER_PREFIX}{text} -->"


def read_marker(body: str | None) -> Marker | None:
    """The marker of a pull-request body, or None if the body carries none (or a broken one)."""
    match = MARKER.search(body or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
        if "packed" in data:
            data = json.loads(zlib.decompress(base64.b64decode(data["packed"], validate=True)))
        proposals = [Proposal(str(p["id"]), str(p.get("title") or p["id"]), p.get("section"),
                              float(p.get("probability") or 0.0), authors=[str(a) for a in p.get("authors") or []])
                     for p in data.get("proposals", [])]
        rejected = [Proposal(str(r["id"]), str(r.get("title") or ""), r.get("section"))
                    for r in data.get("rejected", [])]
        return Marker(proposals, rejected, bool(data.get("labelled")))
    except (ValueError, KeyError, TypeError, AttributeError, zlib.error):
        return None


def _why(terms: list[str]) -> str:
    """The words that weighed most, then the strongest lexicon cue, for a table cell."""
    words = [t.removeprefix("title:") for t in terms if not t.startswith("[")]
    cues = [t.strip("[]") for t in terms if t.startswith("[")]
    return ", ".join(list(dict.fromkeys(words))[:4] + cues[:1])


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def pull_request_body(proposals: list[Proposal], rejected: list[Proposal], model: str,
                      template: Path | None = None, labelled: bool = False) -> str:
    """The description of the bot's pull request: a table, how to give feedback, the marker.
    Always under GitHub's size limit: long tables lose their 'why' column, then rows (the marker,
    about 120 characters a proposal and 50 a rejection, is always kept whole)."""
    import jinja2  # only where a description is rendered: `bot classify` never does

    source = Path(template) if template else TEMPLATE
    environment = jinja2.Environment(autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    page = environment.from_string(source.read_text(encoding="utf-8"))
    count = len(proposals)
    intro = (f"This pull request proposes **{count} new paper{'s' if count != 1 else ''}** from arXiv for the list, "
             "already formatted and placed in their sections (newest first).")
    if rejected:
        intro += f" {len(rejected)} paper{'s' if len(rejected) != 1 else ''} deleted by maintainers will not be proposed again."
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    shown, why = len(proposals), True
    while True:
        rows = [{"id": p.id, "title": markdown_text(_short(p.title, TITLE_CELL)), "section": markdown_text(p.section),
                 "alternatives": ", ".join(markdown_text(a) for a in p.alternatives),
                 "probability": p.probability, "why": (markdown_text(_why(p.terms)) or "-") if why else "-"}
                for p in proposals[:shown]]
        body = page.render(intro=intro, proposals=rows, hidden=len(proposals) - shown, marker=marker(proposals, rejected, labelled),
                           model=model or "-", version=__version__, generated=stamp)
        if len(body) <= MAX_BODY or shown == 0:
            return f"{START}\n{body}"
        if why:
            why = False
        else:
            shown = max(0, shown - max(1, shown // 4))


@dataclass
class Feedback:
    """The decisions read from a publisher, one per paper (a later one replaces an earlier one)."""

    decisions: dict[str, Decision] = field(default_factory=dict)

    @classmethod
    def rejecting(cls, sections: dict[str, str | None], source: str) -> "Feedback":
        """Papers deleted: id -> the section the bot had proposed."""
        return cls({i: Decision(i, False, section, source=source) for i, section in sections.items()})

    @property
    def accepted(self) -> dict[str, str | None]:
        """id -> the section maintainers left it in."""
        return {i: d.section for i, d in self.decisions.items() if d.accepted}

    @property
    def rejected(self) -> dict[str, str | None]:
        """id -> the section the bot had proposed."""
        return {i: d.section for i, d in self.decisions.items() if not d.accepted}

    def add(self, other: "Feedback") -> None:
        """Later decisions win over earlier ones."""
        self.decisions.update(other.decisions)


def feedback(found: Marker, merged: bool, current_list: AwesomeList) -> Feedback:
    """What the maintainers did with one closed pull request of the bot.

    Merged: proposals that are in the list now are accepted in their current section,
    the others were deleted (before or after the merge) and are rejected.  Closed
    without merging: every proposal is rejected.  Papers deleted while the pull
    request was open (the marker's ``rejected``) stay rejected either way."""
    source = "merged pull request" if merged else "closed pull request"
    rejected = {r.id: Decision(r.id, False, r.section, r.title or None, source) for r in found.rejected}
    accepted: dict[str, Decision] = {}
    others = found.ids() | found.rejected_ids()
    for item in found.proposals:
        entry = current_list.find(item.id, item.title, others, item.authors) if merged else None
        if entry is not None:  # in the list, maybe with its title fixed or its link changed
            accepted[item.id] = Decision(item.id, True, entry.label or item.section, item.title, source)
        elif merged and current_list.contains(item.id, item.title):
            accepted[item.id] = Decision(item.id, True, item.section, item.title, source)
        else:
            rejected[item.id] = Decision(item.id, False, item.section, item.title, source)
    return Feedback({**{i: d for i, d in rejected.items() if i not in accepted}, **accepted})
