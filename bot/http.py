"""A polite HTTP session for arXiv: a timeout on every request, a minimum
interval between requests, retries with back-off that honour ``Retry-After``,
and a check that the body is complete.

Used by ``feeds`` (RSS) and ``arxiv_api`` (the API's client gets this session).
Raises :class:`FetchError` after the last retry, naming the URL and the cause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests

from .errors import FetchError

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "awesome-list-bot/0.1 (+https://github.com/; polite arXiv poller)"


class PoliteSession(requests.Session):
    """requests.Session with timeout, pacing, retries and body validation."""

    _lock = threading.Lock()
    _last_request: dict[str, float] = {}

    def __init__(self, *, timeout: float = 30.0, retries: int = 3, delay: float = 0.0,
                 backoff: float = 2.0, max_wait: float = 120.0,
                 validate: Callable[[requests.Response], str | None] | None = None, name: str = "HTTP"):
        super().__init__()
        self.timeout, self.retries, self.delay = timeout, retries, delay
        self.backoff, self.max_wait, self.validate, self.name = backoff, max_wait, validate, name
        self.headers["User-Agent"] = USER_AGENT

    def _pace(self) -> None:
        """Wait so that requests of this kind are at least ``delay`` seconds apart."""
        if self.delay <= 0:
            return
        with self._lock:
            last = self._last_request.get(self.name, 0.0)
            wait = last + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._last_request[self.name] = time.monotonic()

    def _wait_before_retry(self, attempt: int, response: requests.Response | None) -> float:
        retry_after = response.headers.get("Retry-After") if response is not None else None
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_wait)
        return min(self.backoff * (2 ** attempt), self.max_wait)

    def request(self, method, url, *args, **kwargs):  # noqa: D401 - requests' signature
        kwargs.setdefault("timeout", self.timeout)
        problem = "no attempt made"
        for attempt in range(self.retries + 1):
            self._pace()
            response = None
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.Timeout:
                problem = f"timed out after {self.timeout:g}s"
            except requests.ConnectionError as exc:
                problem = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code in RETRY_STATUSES:
                    problem = f"HTTP {response.status_code}"
                elif response.status_code >= 400:
                    raise FetchError(f"{self.name} {url}: HTTP {response.status_code}",
                                     "check the URL in config.yaml")
                else:
                    problem = self.validate(response) if self.validate else None
                    if problem is None:
                        return response
            if attempt < self.retries:
                wait = self._wait_before_retry(attempt, response)
                log.warning("%s %s: %s; retry %d/%d in %.1fs", self.name, url, problem, attempt + 1,
                            self.retries, wait)
                time.sleep(wait)
        raise FetchError(f"{self.name} {url}: {problem} after {self.retries + 1} attempts",
                         "arXiv may be down; the next run catches up")
