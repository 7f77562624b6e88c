"""Proposals: the pull-request description, its machine-readable marker, and feedback.

Pure functions, used by ``publish`` and ``run``.  The description is a jinja2
template (``bot/templates/pull_request.md.j2``, or ``github.pr_template``)
ending in an HTML comment that lists the proposed ids and sections, so the
bot can read its own history back from GitHub.  Feedback compares what a pull
request proposed with what reached the list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import jinja2

from . import __version__
from .awesome import AwesomeList
from .render import markdown_text

MARKER_PREFIX = "<!-- awesome-list-bot "
MARKER = re.compile(r"<!-- awesome-list-bot (\{.*?\}) -->", re.DOTALL)
TEMPLATE = Path(__file__).with_name("templates") / "pull_request.md.j2"


@dataclass
class Proposal:
    """One paper the bot proposes: what its entry shows, the section, and why it was chosen.

    Built from a classified paper (``Proposal.of``) or read back from a pull request's
    marker (then only id, title, section and probability are known)."""

    id: str
    title: str
    section: str
    probability: float = 0.0
    terms: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    date: date = field(default_factory=date.today)
    venue: str | None = None
    code_url: str | None = None

    @classmethod
    def of(cls, paper, verdict) -> "Proposal":
        """The proposal of a classified paper (a ``Paper`` and its ``Verdict``)."""
        return cls(id=paper.id, title=paper.title, section=verdict.section, probability=verdict.probability,
                   terms=[str(t) for t in verdict.explanation.get("for", [])],
                   alternatives=[s for s in verdict.section_probabilities if s != verdict.section][:2],
                   authors=list(paper.authors), date=paper.date or date.today(), venue=paper.venue,
                   code_url=paper.code_url)


def marker(proposals: list[Proposal]) -> str:
    data = {"version": 1, "proposals": [{"id": p.id, "section": p.section, "title": p.title,
                                         "probability": round(p.probability, 4)} for p in proposals]}
    text = json.dumps(data, ensure_ascii=True, sort_keys=True).replace("--", "-\\u002d")
    for char in "<>&@#":  # inert inside the comment: no tags, mentions or issue links even in raw views
        text = text.replace(char, f"\\u{ord(char):04x}")
    return f"{MARKER_PREFIX}{text} -->"


def read_marker(body: str | None) -> list[dict] | None:
    """The proposals recorded in a pull-request body, or None if it is not the bot's."""
    match = MARKER.search(body or "")
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
        return [{"id": str(p["id"]), "section": p.get("section"), "title": str(p.get("title") or p["id"]),
                 "probability": float(p.get("probability") or 0.0)} for p in data.get("proposals", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _cell(text: str) -> str:
    return markdown_text(text)


def _why(terms: list[str]) -> str:
    """The words that weighed most, then the strongest lexicon cue, for a table cell."""
    words = [t.removeprefix("title:") for t in terms if not t.startswith("[")]
    cues = [t.strip("[]") for t in terms if t.startswith("[")]
    return ", ".join(list(dict.fromkeys(words))[:4] + cues[:1])


def pull_request_body(proposals: list[Proposal], model: str, template: Path | None = None) -> str:
    """The description of the bot's pull request: a table, how to give feedback, the marker."""
    source = Path(template) if template else TEMPLATE
    environment = jinja2.Environment(autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    rows = [{
        "id": p.id,
        "title": _cell(p.title),
        "section": _cell(p.section),
        "alternatives": ", ".join(_cell(a) for a in p.alternatives),
        "probability": p.probability,
        "why": _cell(_why(p.terms)) or "-",
    } for p in proposals]
    count = len(proposals)
    intro = (f"This pull request proposes **{count} new paper{'s' if count != 1 else ''}** from arXiv for the list, "
             "already formatted and placed in their sections (newest first).")
    return environment.from_string(source.read_text(encoding="utf-8")).render(
        intro=intro, proposals=rows, marker=marker(proposals), model=model or "-", version=__version__,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


@dataclass
class Feedback:
    accepted: dict[str, str | None]  # id -> section where the maintainers left it
    rejected: dict[str, str | None]  # id -> the section the bot had proposed


def feedback(proposed: list[dict], merged: bool, current_list: AwesomeList) -> Feedback:
    """What the maintainers did with one closed pull request of the bot.

    Merged: entries that are in the list are accepted in their current section,
    the others were deleted (before or after the merge) and are rejected.
    Closed without merging: every entry is rejected."""
    accepted: dict[str, str | None] = {}
    rejected: dict[str, str | None] = {}
    placed = {e.arxiv_id: e.label for e in current_list.entries if e.arxiv_id}
    for item in proposed:
        if merged and item["id"] in placed:
            accepted[item["id"]] = placed[item["id"]]
        else:
            rejected[item["id"]] = item.get("section")
    return Feedback(accepted, rejected)
