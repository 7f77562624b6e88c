"""HTTP for arXiv: an overall deadline on every request, pacing, retries, body checks.

Two pieces, used by ``feeds`` (RSS) and ``arxiv_api`` (the API's client gets
the session):

- :class:`DeadlineAdapter` — a ``requests`` transport adapter that bounds the
  *whole* exchange (connect, send, headers, reading the entire body) by a
  deadline in seconds.  A per-read timeout alone does not: a server that
  drips one byte every few seconds never trips it.  At the deadline a
  watchdog shuts the connection's socket down, which wakes a read blocked in
  any phase, and the request fails with :class:`DeadlineExceeded` (a
  ``requests.Timeout``).  It is reusable on any ``requests`` session::

      session.mount("https://", DeadlineAdapter(deadline=120, max_retries=retry))
      # or, keeping each mounted adapter's retries and pool sizes:
      mount_deadline(session, 120)

- :class:`PoliteSession` — the session arXiv gets: a per-read timeout, the
  deadline above, a minimum interval between requests, retries with back-off
  that honour ``Retry-After``, and a check that the body is complete.  Every
  transport failure (timeout, deadline, a body cut off mid-transfer, a refused
  connection) is retried like a 503; after the last retry it is one
  :class:`FetchError` naming the URL and the cause, never a traceback.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from collections.abc import Callable

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from bot.base.errors import FetchError

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "awesome-list-bot/0.1 (+https://github.com/; polite arXiv poller)"


# --- the overall deadline -------------------------------------------------------------------

class DeadlineExceeded(requests.exceptions.Timeout):
    """No complete response (headers and whole body) within the adapter's deadline."""


class _Guard:
    """The deadline of one request: the connection it uses, and a watchdog that cuts it off."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.end = time.monotonic() + deadline
        self.expired = False
        self.connection: HTTPConnection | None = None
        self.sock: socket.socket | None = None  # kept: http.client drops conn.sock while the body is read
        self._timer = threading.Timer(deadline, self.expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self.end - time.monotonic(), 0.001)

    def expire(self) -> None:
        """Shut the socket down: a read blocked on it returns at once (also inside TLS)."""
        self.expired = True
        sock = self.sock
        if sock is not None and getattr(self.connection, "_deadline_guard", None) is self:
            try:
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


_current = threading.local()  # the guard of the request this thread is sending


class _GuardedConnection:
    """Mixin for urllib3 connections: the request being sent claims the connection it runs on."""

    def _claim(self) -> "_Guard | None":
        guard = getattr(_current, "guard", None)
        self._deadline_guard = guard
        if guard is not None:
            guard.connection, guard.sock = self, self.sock
            if guard.expired:
                raise TimeoutError(f"deadline of {guard.deadline:g}s passed")
        return guard

    def connect(self) -> None:
        guard = self._claim()
        super().connect()
        if guard is not None:
            guard.sock = self.sock

    def request(self, *args, **kwargs):
        self._claim()
        return super().request(*args, **kwargs)


class _HTTPConnection(_GuardedConnection, HTTPConnection):
    pass


class _HTTPSConnection(_GuardedConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


def _clip(timeout, remaining: float):
    """The per-read timeout, never longer than what is left of the deadline."""
    if timeout is None:
        return (remaining, remaining)
    if isinstance(timeout, (int, float)):
        return min(timeout, remaining)
    if isinstance(timeout, tuple) and len(timeout) == 2:
        return tuple(remaining if part is None else min(part, remaining) for part in timeout)
    return timeout  # a urllib3 Timeout object: the watchdog still bounds the request


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that gives every request an overall deadline (seconds).

    The deadline covers connecting, sending, the response headers and reading
    the whole body (for ``stream=False``, the default, the body is read inside
    the adapter); with ``max_retries``, it covers all the adapter's attempts.
    When it passes, the socket is shut down and :class:`DeadlineExceeded` is
    raised, whatever the phase.  For ``stream=True`` the socket is still cut at
    the deadline, so a late read fails instead of hanging.  Other keyword
    arguments go to ``HTTPAdapter`` (``max_retries``, ``pool_maxsize``, ...).

    Example: session.mount("https://", DeadlineAdapter(deadline=60, max_retries=3))
    """

    def __init__(self, deadline: float, **kwargs):
        if deadline <= 0:
            raise ValueError("deadline must be positive")
        self.deadline = float(deadline)
        super().__init__(**kwargs)

    __attrs__ = HTTPAdapter.__attrs__ + ["deadline"]  # kept when pickled

    @staticmethod
    def _guarded(manager):
        manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self._guarded(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        known = proxy in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not known and hasattr(manager, "pool_classes_by_scheme") and not proxy.lower().startswith("socks"):
            self._guarded(manager)
        return manager

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        guard = _Guard(self.deadline)
        previous = getattr(_current, "guard", None)
        _current.guard = guard
        try:
            response = super().send(request, stream=stream, timeout=_clip(timeout, guard.remaining()),
                                    verify=verify, cert=cert, proxies=proxies)
            if not stream:
                response.content  # read the whole body while the watchdog is armed
        except Exception as exc:
            if guard.expired:
                raise self._exceeded(request) from exc
            raise
        finally:
            _current.guard = previous
            if not stream:
                guard.cancel()
        if guard.expired:  # a body without a length ends "cleanly" when its socket is cut
            response.close()
            raise self._exceeded(request)
        return response

    def _exceeded(self, request) -> DeadlineExceeded:
        return DeadlineExceeded(f"no complete response from {request.url} within the deadline of "
                                f"{self.deadline:g}s", request=request)


def mount_deadline(session: requests.Session, deadline: float) -> requests.Session:
    """Replace every adapter mounted on ``session`` by a :class:`DeadlineAdapter` with the same
    retries and pool sizes, so that its requests get an overall deadline; returns the session.

    Example: mount_deadline(requests.Session(), 60).get("https://export.arxiv.org/api/query")
    """
    for prefix, adapter in list(session.adapters.items()):
        if isinstance(adapter, DeadlineAdapter):
            adapter.deadline = float(deadline)
            continue
        options = {}
        if isinstance(adapter, HTTPAdapter):
            options = dict(max_retries=adapter.max_retries, pool_connections=adapter._pool_connections,
                           pool_maxsize=adapter._pool_maxsize, pool_block=adapter._pool_block)
        session.mount(prefix, DeadlineAdapter(deadline, **options))
    return session


# --- the polite session for arXiv -----------------------------------------------------------

NOT_RETRYABLE = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                 requests.exceptions.InvalidSchema, requests.exceptions.InvalidHeader)


def _cause(exc: BaseException) -> str:
    """The innermost cause of a wrapped transport error, short: 'IncompleteRead(10 bytes read, ...)'."""
    seen = exc
    for _ in range(5):
        if isinstance(seen, http.client.IncompleteRead):
            break
        inner = next((a for a in seen.args if isinstance(a, BaseException)), None) or getattr(seen, "reason", None)
        if not isinstance(inner, BaseException):
            break
        seen = inner
    name, text = type(seen).__name__, " ".join(str(seen).split())
    if text.startswith(name):
        return text[:100]
    return f"{name}: {text[:80]}" if text else name


def transport_problem(exc: BaseException, timeout: float, deadline: float) -> str:
    """What a failed request attempt amounts to, in a few words (for logs and FetchError)."""
    if isinstance(exc, DeadlineExceeded):
        return f"no complete response within the deadline of {deadline:g}s"
    if isinstance(exc, requests.Timeout):
        return f"timed out after {timeout:g}s"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError,
                        urllib3.exceptions.ProtocolError, urllib3.exceptions.DecodeError,
                        http.client.IncompleteRead)):
        return f"body cut off mid-transfer ({_cause(exc)})"
    if isinstance(exc, requests.exceptions.RetryError):
        return "retries exhausted"
    if isinstance(exc, requests.ConnectionError):
        return f"connection failed ({type(exc).__name__})"
    return f"request failed ({_cause(exc)})"


class PoliteSession(requests.Session):
    """requests.Session with timeout, overall deadline, pacing, retries and body validation."""

    _lock = threading.Lock()
    _last_request: dict[str, float] = {}

    def __init__(self, *, timeout: float = 30.0, retries: int = 3, delay: float = 0.0,
                 backoff: float = 2.0, max_wait: float = 120.0, deadline: float = 120.0,
                 validate: Callable[[requests.Response], str | None] | None = None, name: str = "HTTP"):
        super().__init__()
        self.timeout, self.retries, self.delay, self.deadline = timeout, retries, delay, deadline
        self.backoff, self.max_wait, self.validate, self.name = backoff, max_wait, validate, name
        self.headers["User-Agent"] = USER_AGENT
        for prefix in ("https://", "http://"):
            self.mount(prefix, DeadlineAdapter(deadline))

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
            except NOT_RETRYABLE as exc:
                raise FetchError(f"{self.name} {url}: invalid request ({type(exc).__name__})",
                                 "check the URL in config.yaml") from None
            except (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException,
                    OSError) as exc:
                problem = transport_problem(exc, self.timeout, self.deadline)
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
        attempts = self.retries + 1
        raise FetchError(f"{self.name} {url}: {problem} after {attempts} attempt{'s' if attempts > 1 else ''}",
                         "arXiv may be down; the next run catches up")
