"""Reads arXiv's daily RSS feeds with feedparser.

Runs at the start of every ``bot run`` / ``bot fetch``.  Understands the
current RSS 2.0 feed of rss.arxiv.org (``arxiv:announce_type``, ``dc:creator``,
``Announce Type: ... Abstract: ...`` descriptions) and the older RDF/RSS 1.0
feed (``Title. (arXiv:ID [cat] UPDATED)``, HTML abstracts).  A feed that fails
is reported by name; the others still run.  An item that cannot be read, or
whose id is not an arXiv id, is skipped and named; the feed's other items are used.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import feedparser

from bot.base.errors import FetchError
from bot.base.ids import is_arxiv_id, normalize_arxiv_id
from bot.papers.http import PoliteSession
from bot.papers.paper import Paper, clean

ANNOUNCE = re.compile(r"Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?", re.IGNORECASE)
DESCRIPTION_ID = re.compile(r"arXiv:(?P<id>\S+?)(?:v\d+)?\s+Announce Type", re.IGNORECASE)
RDF_TITLE = re.compile(r"^(?P<title>.*?)\.?\s*\(arXiv:(?P<id>\S+?)(?:v\d+)?\s*\[(?P<cat>[^\]]+)\]\s*(?P<flag>[A-Z ]*)\)\s*$",
                       re.DOTALL)
TAG = re.compile(r"<[^>]+>")
NEW_TYPES = ("new", "cross")
ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")


@dataclass
class FeedItem:
    paper: Paper
    announce_type: str  # new, cross, replace, replace-cross


@dataclass
class FeedResult:
    category: str
    url: str
    items: list[FeedItem] = field(default_factory=list)
    announced: date | None = None
    error: str | None = None
    skipped: list[str] = field(default_factory=list)  # items left out, and why

    @property
    def ok(self) -> bool:
        return self.error is None


def _text(html_text: str) -> str:
    return clean(html.unescape(TAG.sub(" ", html_text or "")))


def _announced(parsed) -> date | None:
    stamp = parsed.feed.get("published_parsed") or parsed.feed.get("updated_parsed")
    return date(*stamp[:3]) if stamp else None


def _rss20_item(entry, category: str, announced: date | None) -> FeedItem:
    description = entry.get("summary", "")
    kind = (entry.get("arxiv_announce_type") or "").strip().lower()
    match = ANNOUNCE.search(description)
    if not kind and match:
        kind = match.group("type").lower()
    abstract = description[match.end():] if match else description
    guid = entry.get("id") or ""
    id_match = DESCRIPTION_ID.search(description)
    raw_id = guid if "arxiv" in guid.lower() else (id_match.group("id") if id_match else entry.get("link", ""))
    categories = [tag.get("term") for tag in entry.get("tags", []) if tag.get("term")]
    creators = entry.get("author") or ""
    authors = [clean(name) for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", _text(creators)) if clean(name)]
    stamp = entry.get("published_parsed")
    listed = date(*stamp[:3]) if stamp else announced
    paper = Paper(
        id=normalize_arxiv_id(raw_id), title=clean(entry.get("title")), abstract=_text(abstract),
        authors=authors, categories=categories,
        primary_category=category if kind == "new" and category in categories else None,
        listing_date=listed.isoformat() if listed else None,
        journal_ref=entry.get("arxiv_journal_reference"), doi=entry.get("arxiv_doi"),
        links={"abs": entry.get("link", "")}, source=f"rss:{category}",
    )
    return FeedItem(paper, kind or "new")


def _rdf_item(entry, category: str, announced: date | None) -> FeedItem:
    match = RDF_TITLE.match(clean(entry.get("title")))
    if not match:
        raise ValueError(f"item title without '(arXiv:ID [cat])': {entry.get('title', '')[:60]!r}")
    flag = match.group("flag").strip().upper()
    kind = {"UPDATED": "replace", "CROSS LISTED": "cross"}.get(flag, "new")
    if kind == "replace" and match.group("cat") != category:
        kind = "replace-cross"
    authors = [clean(a) for a in _text(entry.get("author", "")).split(",") if clean(a)]
    paper = Paper(
        id=normalize_arxiv_id(match.group("id")), title=clean(match.group("title")),
        abstract=_text(entry.get("summary", "")), authors=authors, categories=[match.group("cat")],
        primary_category=match.group("cat"),
        listing_date=announced.isoformat() if announced else None,
        links={"abs": entry.get("link", "")}, source=f"rss:{category}",
    )
    return FeedItem(paper, kind)


def parse_feed(content: bytes, category: str, url: str = "") -> FeedResult:
    """Parse one feed document (either format) into items; pure."""
    parsed = feedparser.parse(content)
    result = FeedResult(category, url, announced=_announced(parsed))
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if parsed.bozo and not isinstance(parsed.get("bozo_exception"), benign):
        reason = " ".join(str(parsed.get("bozo_exception")).split())[:120]
        result.error = f"malformed feed ({reason}); its items were not used"
        return result
    if not parsed.get("version"):
        result.error = "not an RSS or Atom document"
        return result
    make = _rdf_item if parsed.get("version") in ("rss10", "rss090") else _rss20_item
    for number, entry in enumerate(parsed.entries, 1):
        try:
            item = make(entry, category, result.announced)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            result.skipped.append(f"item {number} skipped: malformed ({' '.join(str(exc).split())[:100]})")
            continue
        if not is_arxiv_id(item.paper.id):
            shown = " ".join(str(entry.get("id") or entry.get("link") or item.paper.id).split())
            result.skipped.append(f"item {number} ({shown[:60]!r}, {item.paper.title[:50]!r}) skipped: "
                                  "its id is not an arXiv id")
            continue
        result.items.append(item)
    return result


def poll(categories: list[str], rss_url: str, session: PoliteSession) -> list[FeedResult]:
    """Fetch and parse each category's feed; a failing feed does not stop the others."""
    results = []
    for category in categories:
        url = rss_url.format(category=category)
        try:
            content = read_local(url) if url.startswith("file:") else session.get(url).content
        except FetchError as exc:
            results.append(FeedResult(category, url, error=exc.one_line()))
            continue
        results.append(parse_feed(content, category, url))
    return results


def read_local(url: str) -> bytes:
    """A recorded feed on disk (``file:`` URLs, for offline runs and the demo)."""
    path = url.removeprefix("file://") if url.startswith("file://") else url.removeprefix("file:")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise FetchError(f"cannot read recorded feed {path}: {exc.strerror}") from None


def merge(results: list[FeedResult]) -> tuple[list[Paper], list[Paper]]:
    """Candidates (new + cross, one per paper, categories merged) and replacements."""
    candidates: dict[str, Paper] = {}
    replaced: dict[str, Paper] = {}
    for result in results:
        for item in result.items:
            paper = item.paper
            target = candidates if item.announce_type in NEW_TYPES else replaced
            known = target.get(paper.id)
            if known is None:
                target[paper.id] = paper
                continue
            known.categories += [c for c in paper.categories if c not in known.categories]
            known.primary_category = known.primary_category or paper.primary_category
    for paper_id in candidates:
        replaced.pop(paper_id, None)
    return list(candidates.values()), list(replaced.values())


def expected_announcement(day: date, holidays: list[date]) -> bool:
    """Whether arXiv announces new papers on this day (Mon-Fri, not a holiday)."""
    return day.weekday() < 5 and day not in holidays


def today_in_new_york(now: datetime | None = None) -> date:
    from zoneinfo import ZoneInfo

    return (now or datetime.now(tz=ZoneInfo("UTC"))).astimezone(ZoneInfo("America/New_York")).date()
