"""Looks papers up in the arXiv API with the ``arxiv`` package.

Used by ``bot classify <id>`` (a paper not in the store), ``bot train``
(abstracts of the list's own entries) and catch-up (``bot fetch --since``,
or a daily run after missed days).  The package's client is pointed at
``arxiv.api_url`` and given a :class:`PoliteSession`: arXiv's 3-second
interval, a timeout on every request, retries with back-off honouring
``Retry-After``, and a check that each body is a complete Atom document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta

import arxiv
import requests

from bot.base.errors import FetchError
from bot.base.ids import is_arxiv_id, normalize_arxiv_id
from bot.papers.http import PoliteSession
from bot.papers.paper import Paper, clean

log = logging.getLogger(__name__)
MAX_PAGE = 2000  # arXiv's limit per call
ID_BATCH = 200  # ids per id_list request (keeps URLs short)


def _complete_atom(response: requests.Response) -> str | None:
    """None for a complete Atom document; a reason to retry otherwise; FetchError for an API error."""
    body = response.content.rstrip()
    if b"/api/errors#" in body:
        summary = re.search(rb"<summary[^>]*>(.*?)</summary>", body, re.DOTALL)
        reason = clean(summary.group(1).decode("utf-8", "replace")) if summary else "unknown error"
        raise FetchError(f"arXiv API error: {reason}", "check the ids or the query")
    if not body.endswith(b"</feed>"):
        return f"truncated response ({len(body)} bytes, no closing </feed>)"
    return None


def _to_paper(result: arxiv.Result, source: str = "api") -> Paper:
    return Paper(
        id=normalize_arxiv_id(result.entry_id),
        title=clean(result.title),
        abstract=clean(result.summary),
        authors=[a.name for a in result.authors],
        categories=list(result.categories),
        primary_category=result.primary_category or None,
        published=result.published.date().isoformat() if result.published else None,
        updated=result.updated.date().isoformat() if result.updated else None,
        comment=result.comment,
        journal_ref=result.journal_ref,
        doi=result.doi,
        links={"abs": result.entry_id, **({"pdf": result.pdf_url} if result.pdf_url else {})},
        source=source,
    )


class ArxivAPI:
    """Batched, paced look-ups by id and by submission date."""

    def __init__(self, api_url: str, *, delay: float = 3.0, timeout: float = 30.0, retries: int = 3,
                 page_size: int = 1000, backoff: float = 2.0, deadline: float = 120.0):
        self.session = PoliteSession(timeout=timeout, retries=retries, delay=delay, backoff=backoff,
                                     deadline=deadline, validate=_complete_atom, name="arXiv API")
        self.skipped: list[str] = []  # results left out because their id is not an arXiv id
        self.client = arxiv.Client(page_size=min(page_size, MAX_PAGE), delay_seconds=0, num_retries=0)
        self.client.query_url_format = api_url.rstrip("?") + "?{}"
        self.client._session = self.session  # the package's session has no timeout or Retry-After

    @classmethod
    def from_config(cls, config) -> "ArxivAPI":
        a = config.arxiv
        return cls(a.api_url, delay=a.request_delay, timeout=a.timeout, retries=a.retries, deadline=a.deadline)

    def _run(self, search: arxiv.Search) -> Iterator[Paper]:
        try:
            for result in self.client.results(search):
                if "/api/errors" in result.entry_id:
                    raise FetchError(f"arXiv API error: {clean(result.summary)}", "check the ids or query")
                paper = _to_paper(result)
                if not is_arxiv_id(paper.id):
                    self.skipped.append(f"result {result.entry_id[:60]!r} skipped: its id is not an arXiv id")
                    log.warning("arXiv API: %s", self.skipped[-1])
                    continue
                yield paper
        except arxiv.HTTPError as exc:
            raise FetchError(f"arXiv API: HTTP {exc.status} for {exc.url}") from None
        except arxiv.UnexpectedEmptyPageError as exc:
            raise FetchError(f"arXiv API: empty page in the middle of results ({exc.url})",
                             "arXiv may be overloaded; try again later") from None

    def by_ids(self, ids: list[str]) -> list[Paper]:
        """Papers for these ids (any version form), in batches; unknown ids are left out."""
        wanted = list(dict.fromkeys(normalize_arxiv_id(i) for i in ids))
        papers: list[Paper] = []
        for start in range(0, len(wanted), ID_BATCH):
            batch = wanted[start:start + ID_BATCH]
            papers.extend(self._run(arxiv.Search(id_list=batch, max_results=len(batch))))
        return papers

    def by_date(self, categories: list[str], since: date, until: date) -> Iterator[Paper]:
        """Every paper in the categories submitted between since and until (inclusive)."""
        if until < since:
            raise FetchError(f"--until {until} is before --since {since}")
        cats = " OR ".join(f"cat:{c}" for c in categories)
        end = until + timedelta(days=1)
        query = f"({cats}) AND submittedDate:[{since:%Y%m%d}0000 TO {end:%Y%m%d}0000]"
        search = arxiv.Search(query=query, max_results=None, sort_by=arxiv.SortCriterion.SubmittedDate,
                              sort_order=arxiv.SortOrder.Ascending)
        for paper in self._run(search):
            paper.source = "api:catch-up"
            yield paper
