"""The paper record shared by every step: what arXiv tells us about one paper.

Pure data.  Built from an RSS item (``feeds``), an API result
(``arxiv_api``), a JSON Lines record (``papers.jsonl`` format) or a store row.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from .awesome import normalize_arxiv_id
from .errors import InputError


VENUES = ["MICCAI", "CVPR", "ICCV", "ECCV", "NeurIPS", "ICLR", "ICML", "MIDL", "ISBI", "IPMI", "WACV", "AAAI",
          "BMVC", "IEEE TMI", "IEEE Transactions on Medical Imaging", "Medical Image Analysis", "MedIA"]
VENUE_NAMES = {"IEEE Transactions on Medical Imaging": "IEEE TMI", "Medical Image Analysis": "MedIA Journal",
               "MedIA": "MedIA Journal"}


def clean(text: str | None) -> str:
    """Collapse arXiv's hard line-wrapping into single spaces."""
    return " ".join((text or "").split())


@dataclass
class Paper:
    id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str | None = None
    published: str | None = None  # ISO date of v1 submission, when known
    updated: str | None = None
    listing_date: str | None = None  # ISO date of the arXiv announcement, when known
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # rss:<category>, api, file:<name>

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def date(self) -> date | None:
        """The paper's date for the list: v1 submission, else announcement."""
        for value in (self.published, self.listing_date, self.updated):
            if value:
                try:
                    return date.fromisoformat(value[:10])
                except ValueError:
                    continue
        return None

    @property
    def code_url(self) -> str | None:
        """A GitHub repository named in the abstract or comment, if any."""
        text = f"{self.comment or ''} {self.abstract}"
        match = re.search(r"https?://github\.com/[\w.-]+/[\w.-]+", text)
        return match.group(0).rstrip(".") if match else None

    @property
    def venue(self) -> str | None:
        """'MICCAI, 2025' or 'MICCAI Workshop, 2025' when the comment says where it was accepted."""
        comment = self.comment or ""
        if not re.search(r"\b(accepted|to appear|appear(s|ed)? in|published|camera[- ]ready|presented)\b",
                         comment, re.IGNORECASE):
            return None
        for name in VENUES:
            if re.search(rf"\b{re.escape(name)}\b", comment):
                year = re.search(r"\b(20\d\d)\b", comment)
                when = year.group(1) if year else (str(self.date.year) if self.date else "")
                workshop = " Workshop" if re.search(r"\bworkshop\b", comment, re.IGNORECASE) else ""
                return f"{VENUE_NAMES.get(name, name)}{workshop}, {when}".rstrip(", ")
        return None

    @classmethod
    def from_json(cls, record: dict[str, Any], source: str | None = None) -> "Paper":
        """A paper from a JSON Lines record (the format of papers.jsonl.gz)."""
        if not isinstance(record, dict):
            raise InputError("expected a JSON object")
        missing = [key for key in ("id", "title") if not record.get(key)]
        if missing:
            raise InputError(f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        authors = record.get("authors") or []
        if isinstance(authors, str):
            authors = [a.strip() for a in authors.split(",") if a.strip()]
        categories = record.get("categories") or []
        if isinstance(categories, str):
            categories = categories.split()
        published = record.get("published")
        if isinstance(published, (date, datetime)):
            published = published.isoformat()
        return cls(
            id=normalize_arxiv_id(str(record["id"])),
            title=clean(record["title"]),
            abstract=clean(record.get("abstract") or record.get("summary")),
            authors=[clean(a) for a in authors],
            categories=list(categories),
            primary_category=record.get("primary_category") or (categories[0] if categories else None),
            published=published,
            updated=record.get("updated"),
            listing_date=record.get("listing_date"),
            comment=record.get("comment"),
            journal_ref=record.get("journal_ref"),
            doi=record.get("doi"),
            links=record.get("links") or {},
            source=source or record.get("source"),
        )
