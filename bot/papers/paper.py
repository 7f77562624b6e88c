"""The paper record shared by every step: what arXiv tells us about one paper.

Pure data.  Built from an RSS item (``feeds``), an API result
(``arxiv_api``), a JSON Lines record (``papers.jsonl`` format) or a store row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.base.errors import InputError
from bot.base.files import jsonl_lines
from bot.base.ids import is_arxiv_id, normalize_arxiv_id
from bot.papers import links

VENUES = ["MICCAI", "CVPR", "ICCV", "ECCV", "NeurIPS", "ICLR", "ICML", "MIDL", "ISBI", "IPMI", "WACV", "AAAI",
          "BMVC", "IEEE TMI", "IEEE Transactions on Medical Imaging", "Medical Image Analysis", "MedIA"]

TEXT_FIELDS = ("primary_category", "updated", "listing_date", "comment", "journal_ref", "doi", "source")


def clean(text: str | None) -> str:
    """Collapse arXiv's hard line-wrapping into single spaces."""
    return " ".join((text or "").split())


def _shown(value: object) -> str:
    return type(value).__name__ if isinstance(value, (dict, list)) else repr(value)[:40]


def _text_or_none(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"field '{key}' must be a string, not {_shown(value)}")
    return value


def _strings(record: dict[str, Any], key: str, separator: str | None) -> list[str]:
    """A list of strings; a single string is split (authors on commas, categories on spaces)."""
    value = record.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(separator) if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InputError(f"field '{key}' must be a list of strings, not {_shown(value)}")
    return value


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
        """The code repository named in the comment or abstract (``links.code_url``), if any."""
        return links.code_url(self.abstract, self.comment)

    @property
    def project_url(self) -> str | None:
        """The project page named in the comment or abstract (``links.project_url``), if any."""
        return links.project_url(self.abstract, self.comment)

    @property
    def venue(self) -> str | None:
        """'MICCAI, 2025' or 'MICCAI Workshop, 2025' when the comment says where it was accepted
        (``links.venue_of``; a known venue without a year takes the paper's year)."""
        comment = self.comment or ""
        found = links.venue_of(comment)
        if found:
            return found
        if not re.search(r"\b(accepted|to appear|appear(s|ed)? in|published|camera[- ]ready|presented)\b",
                         comment, re.IGNORECASE):
            return None
        for name in VENUES:
            if re.search(rf"\b{re.escape(name)}\b", comment):
                year = re.search(r"\b(20\d\d)\b", comment)
                when = year.group(1) if year else (str(self.date.year) if self.date else "")
                workshop = " Workshop" if re.search(r"\bworkshop\b", comment, re.IGNORECASE) else ""
                return f"{links.VENUE_NAMES.get(name, name)}{workshop}, {when}".rstrip(", ")
        return None

    @classmethod
    def from_json(cls, record: dict[str, Any], source: str | None = None) -> "Paper":
        """A paper from a JSON Lines record (the format of papers.jsonl.gz).

        Checks what it takes: ``id`` (an arXiv id, any version form) and ``title`` are required
        strings, ``authors`` and ``categories`` lists of strings (or one string), the other fields
        strings or null; anything else raises :class:`InputError` naming the field.

        Example: Paper.from_json({"id": "2308.02959", "title": "DermoSegDiff", "authors": ["A. B."]})
        """
        if not isinstance(record, dict):
            raise InputError(f"expected a JSON object, not {_shown(record)}")
        missing = [key for key in ("id", "title") if not record.get(key)]
        if missing:
            raise InputError(f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        for key in ("id", "title"):
            _text_or_none(record, key)
        paper_id = normalize_arxiv_id(record["id"])
        if not is_arxiv_id(paper_id):
            raise InputError(f"field 'id': {record['id'][:40]!r} is not an arXiv id (e.g. 2401.01234)")
        abstract = _text_or_none(record, "abstract") or _text_or_none(record, "summary")
        authors = _strings(record, "authors", ",")
        categories = _strings(record, "categories", None)
        published = record.get("published")
        if isinstance(published, (date, datetime)):
            published = published.isoformat()
        elif published is not None and not isinstance(published, str):
            raise InputError(f"field 'published' must be a date string, not {_shown(published)}")
        texts = {key: _text_or_none(record, key) for key in TEXT_FIELDS}
        links = record.get("links") or {}
        if not isinstance(links, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in links.items()):
            raise InputError(f"field 'links' must map names to URL strings, not {_shown(links)}")
        return cls(
            id=paper_id,
            title=clean(record["title"]),
            abstract=clean(abstract),
            authors=[clean(a) for a in authors],
            categories=list(categories),
            primary_category=texts["primary_category"] or (categories[0] if categories else None),
            published=published,
            updated=texts["updated"],
            listing_date=texts["listing_date"],
            comment=texts["comment"],
            journal_ref=texts["journal_ref"],
            doi=texts["doi"],
            links=links,
            source=source or texts["source"],
        )


def iter_jsonl(path: str | Path, progress=None) -> Iterator[Paper]:
    """Papers from a JSON Lines file, streamed; the first bad line raises InputError naming
    file:line and the field (invalid JSON, not UTF-8, a missing or wrong-typed field)."""
    path = Path(path)
    for number, text, problem in jsonl_lines(path, progress):
        try:
            if problem:
                raise InputError(problem)
            yield Paper.from_json(json.loads(text), source=f"file:{path.name}")
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON ({exc.msg})", "fix or remove that line") from None
        except InputError as exc:
            raise InputError(f"{path}:{number}: {exc}", "fix or remove that line") from None


def read_jsonl(path: str | Path, progress=None) -> list[Paper]:
    """Papers from a JSON Lines file (gzipped or not); a bad line raises InputError naming it."""
    return list(iter_jsonl(path, progress))
