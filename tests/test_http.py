"""The overall deadline of an HTTP request (bot.papers.http.DeadlineAdapter) against loopback servers that
drip bytes, cut bodies off, or answer normally; and the arXiv session's failures as one FetchError."""

from __future__ import annotations

import time

import pytest
import requests
from arxiv_fixtures import Loopback, Reply
from urllib3.util.retry import Retry

from bot.base.errors import FetchError
from bot.papers.http import DeadlineAdapter, DeadlineExceeded, PoliteSession, mount_deadline

BODY = b"<feed>" + b"x" * 200 + b"</feed>"


@pytest.fixture
def server():
    with Loopback() as loopback:
        yield loopback


def session_with(adapter) -> requests.Session:
    session = requests.Session()
    session.mount("http://", adapter)
    return session


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_deadline_stops_a_server_that_drips_bytes(server, headers_too):
    # one byte every 0.05 s: each read is quick, so a 5 s read timeout never trips; the whole body needs 10 s
    server.routes["/drip"] = Reply(body=BODY, drip=0.05, drip_headers=headers_too)
    session = session_with(DeadlineAdapter(deadline=0.8))
    with pytest.raises(DeadlineExceeded, match="within the deadline of 0.8s") as info:  # of 10 s in all
        session.get(server.url + "/drip", timeout=5)
    assert isinstance(info.value, requests.Timeout)  # callers that handle timeouts handle it too


def test_deadline_leaves_normal_answers_and_connections_alone(server):
    server.routes["/plain"] = Reply(body=BODY)
    server.routes["/chunked"] = Reply(body=BODY, chunked=True)
    server.routes["/slowish"] = Reply(body=BODY, drip=0.001)
    session = session_with(DeadlineAdapter(deadline=0.5))
    for path in ("/plain", "/chunked", "/slowish"):
        assert session.get(server.url + path, timeout=5).content == BODY
    time.sleep(0.6)  # past the deadline of the earlier requests: their watchdogs must not fire later
    assert session.get(server.url + "/plain", timeout=5).content == BODY


def test_deadline_adapter_passes_cut_off_bodies_on_as_requests_errors(server):
    server.routes["/cut"] = Reply(body=BODY, cut=20)
    session = session_with(DeadlineAdapter(deadline=5))
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        session.get(server.url + "/cut", timeout=5)


def test_deadline_mounted_on_an_existing_session_keeps_its_retries(server):
    retry = Retry(total=2, status_forcelist=[503], backoff_factor=0, allowed_methods={"GET"})
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(max_retries=retry, pool_maxsize=3))
    mount_deadline(session, 0.6)
    adapter = session.get_adapter("http://x")
    assert isinstance(adapter, DeadlineAdapter) and adapter.max_retries is retry and adapter._pool_maxsize == 3
    server.routes["/flaky"] = [Reply(503, b"busy"), Reply(body=BODY)]
    assert session.get(server.url + "/flaky", timeout=5).content == BODY and server.counts["/flaky"] == 2
    server.routes["/drip"] = Reply(body=BODY, drip=0.05)
    with pytest.raises(DeadlineExceeded, match="within the deadline of 0.6s"):
        session.get(server.url + "/drip", timeout=5)


@pytest.mark.parametrize("reply,cause", [
    (Reply(body=BODY, cut=20), "body cut off mid-transfer (IncompleteRead(20 bytes read"),
    (Reply(body=BODY, chunked=True, cut=20), "body cut off mid-transfer (IncompleteRead("),
    (Reply(body=BODY, bad_chunk=True), "body cut off mid-transfer (InvalidChunkLength("),
    (Reply(body=BODY, drip=0.05), "no complete response within the deadline of 0.5s"),
], ids=["content-length", "chunked", "bad-chunk-size", "drip"])
def test_polite_session_retries_transport_faults_then_names_them(server, reply, cause):
    server.routes["/feed"] = reply
    session = PoliteSession(timeout=5, retries=1, backoff=0.01, deadline=0.5, name="arXiv RSS")
    with pytest.raises(FetchError) as info:
        session.get(server.url + "/feed")
    assert cause in info.value.one_line() and "after 2 attempts" in info.value.one_line()
    assert server.counts["/feed"] == 2  # retried like a 503
    server.routes["/feed"] = [reply, Reply(body=BODY)]
    server.counts.clear()
    assert session.get(server.url + "/feed").content == BODY  # and a good second answer is used


def test_polite_session_exhausted_adapter_retries_are_a_fetch_error(server):
    server.routes["/busy"] = Reply(503, b"busy")
    session = PoliteSession(timeout=5, retries=0, deadline=5, name="arXiv API")
    session.mount("http://", DeadlineAdapter(5, max_retries=Retry(total=1, status_forcelist=[503], backoff_factor=0)))
    with pytest.raises(FetchError) as info:
        session.get(server.url + "/busy")
    assert "/busy: retries exhausted after 1 attempt (arXiv may be down" in info.value.one_line()
