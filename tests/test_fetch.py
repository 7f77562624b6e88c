"""Ingestion against loopback servers: real feedparser and arxiv client code, real arXiv metadata."""

from __future__ import annotations

from datetime import date

import pytest
from arxiv_fixtures import Loopback, Reply, api_route, atom, atom_feed, day_listing, rdf, rss20, write_config
from conftest import FEEDS

from bot.base.config import load_config
from bot.base.errors import FetchError
from bot.papers.arxiv_api import ArxivAPI
from bot.papers.feeds import parse_feed
from bot.papers.ingest import daily, missed_days
from bot.papers.store import Store

DAY = "2025-09-18"  # a complete cs.CV new+cross day; its first item is the real captured RSS item


class Clock:
    """The arXiv client's clock (``bot.papers.http.time``, the stdlib module as that module sees it) made
    still: ``sleep`` records the wait and moves the clock on instead of sleeping, so waits are asserted
    exactly, without timing the test."""

    def __init__(self, monkeypatch):
        from bot.papers import http

        self.now, self.waits = 1000.0, []
        monkeypatch.setattr(http, "time", self)

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture(scope="module")
def listing():
    return day_listing(DAY, "cs.CV")


@pytest.fixture
def server():
    with Loopback() as loopback:
        yield loopback


def make_config(tmp_path, server, categories=("cs.CV", "eess.IV")):
    path = write_config(tmp_path, arxiv__rss_url=server.url + "/rss/{category}",
                        arxiv__api_url=server.url + "/api/query", arxiv__categories=list(categories))
    config = load_config(path)
    config.arxiv.retries = 1
    return config


def fast_api(server, **kwargs) -> ArxivAPI:
    options = dict(delay=0, timeout=1.0, retries=2, backoff=0.01)
    options.update(kwargs)
    return ArxivAPI(server.url + "/api/query", **options)


def test_fetch_rss20_real_day_parses_every_item(listing):
    result = parse_feed(rss20("cs.CV", DAY, listing), "cs.CV")
    assert result.ok and result.announced == date(2025, 9, 18)
    assert len(result.items) == len(listing) > 50
    for item, (paper, kind) in zip(result.items, listing):
        assert item.paper.id == paper["id"] and item.announce_type == kind
        assert item.paper.title == paper["title"] and item.paper.abstract == paper["abstract"]
        assert item.paper.authors == paper["authors"] and item.paper.categories == paper["categories"]
        assert item.paper.listing_date == DAY


def test_fetch_real_captured_item_matches_corpus(listing):
    head = (FEEDS / "rss-cs.CV-2025-09-18-head-fragment.txt").read_text()
    header, real_item = head.split("    <item>", 1)
    first = next(p for p, _ in listing if p["id"] == "2509.13338")
    built = rss20("cs.CV", DAY, [(first, "new")]).decode()
    built_item = built.split("    <item>", 1)[1].split("  </channel>")[0]
    # our writer reproduces the real item's layout up to where the capture was cut
    cut = real_item.index("evid...")
    assert built_item[:cut] == real_item[:cut]
    result = parse_feed((header + "    <item>" + built_item + "  </channel>\n</rss>\n").encode(), "cs.CV")
    assert result.ok and result.announced == date(2025, 9, 18)
    assert result.items[0].paper.abstract == first["abstract"]


def test_fetch_atom_flavour_parses_like_rss(listing):
    items = listing[:30] + [(listing[30][0], "replace-cross")]
    result = parse_feed(atom_feed("cs.CV", DAY, items), "cs.CV")
    assert result.ok and result.announced == date(2025, 9, 18) and len(result.items) == 31
    for item, (paper, kind) in zip(result.items, items):
        assert (item.paper.id, item.announce_type, item.paper.title) == (paper["id"], kind, paper["title"])
        assert item.paper.abstract == paper["abstract"] and item.paper.authors == paper["authors"]
        assert item.paper.categories == paper["categories"]


def test_fetch_rdf_format_parses_titles_types_and_html(listing):
    items = listing[:20] + [(listing[20][0], "replace")]
    result = parse_feed(rdf("cs.CV", DAY, items), "cs.CV")
    assert result.ok and len(result.items) == 21
    for item, (paper, kind) in zip(result.items, items):
        assert item.paper.id == paper["id"] and item.announce_type == kind
        assert item.paper.title == paper["title"].rstrip(".")
        assert item.paper.abstract == paper["abstract"] and item.paper.authors == paper["authors"]


def test_fetch_four_announce_types_and_replacements(tmp_path, server, listing):
    (a, _), (b, _), (c, _), (d, _) = listing[:4]
    config = make_config(tmp_path, server, ["cs.CV"])
    with Store(config.store.path) as store:
        store.add([__import__("bot.papers.paper", fromlist=["Paper"]).Paper.from_json(c)])
        c2 = dict(c, title="A Newer Title for C")
        server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", DAY, [(a, "new"), (b, "cross"), (c2, "replace"),
                                                                      (d, "replace-cross")]))
        report = daily(config, store, today=date(2025, 9, 18))
        assert sorted(report.new_ids) == sorted([a["id"], b["id"]])
        assert store.get(c["id"]).title == "A Newer Title for C"  # known paper refreshed
        assert store.get(d["id"]) is None  # an old paper's replacement is not a new paper
        assert not report.failed


def test_fetch_cross_listed_paper_is_one_paper(tmp_path, server, listing):
    cross = [p for p, kind in listing if "eess.IV" in p["categories"]][:5]
    server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", DAY, listing[:30]))
    server.routes["/rss/eess.IV"] = Reply(body=rss20("eess.IV", DAY, [(p, "new") for p in cross]))
    config = make_config(tmp_path, server)
    with Store(config.store.path) as store:
        report = daily(config, store, today=date(2025, 9, 18))
        ids = {p["id"] for p, _ in listing[:30]} | {p["id"] for p in cross}
        assert sorted(report.new_ids) == sorted(ids) and store.count() == len(ids)


def test_fetch_failing_feed_beside_healthy_ones(tmp_path, server, listing, bot):
    server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", DAY, listing))
    server.routes["/rss/eess.IV"] = Reply(500, b"oops", {"Retry-After": "0"})
    path = write_config(tmp_path, arxiv__rss_url=server.url + "/rss/{category}",
                        arxiv__categories=["cs.CV", "eess.IV"])
    result = bot("--config", path, "fetch")
    assert result.exit_code == 1
    assert "problem: feed eess.IV failed" in result.err and "HTTP 500" in result.err
    assert f"new to the store: {len(listing)}" in result.out


def test_fetch_malformed_feed_is_reported_by_name(tmp_path, server, listing):
    server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", DAY, listing[:3])[:-300])
    server.routes["/rss/eess.IV"] = Reply(body=rss20("eess.IV", DAY, listing[3:5]))
    config = make_config(tmp_path, server)
    with Store(config.store.path) as store:
        report = daily(config, store, today=date(2025, 9, 18))
    assert any(p.startswith("feed cs.CV failed: malformed feed") for p in report.problems)
    assert len(report.new_ids) == 2


def test_fetch_empty_feed_on_weekend_is_normal_but_silent_weekday_fails(tmp_path, server):
    server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", None, []))
    config = make_config(tmp_path, server, ["cs.CV"])
    with Store(config.store.path) as store:
        assert not daily(config, store, today=date(2025, 9, 20)).failed  # Saturday
        weekday = daily(config, store, today=date(2025, 9, 22))
        assert weekday.failed and "no new papers in any feed on 2025-09-22" in weekday.problems[0]
        config.arxiv.holidays = [date(2025, 9, 22)]
        assert not daily(config, store, today=date(2025, 9, 22)).failed


def test_fetch_same_batch_again_adds_nothing(tmp_path, server, listing):
    server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", DAY, listing))
    config = make_config(tmp_path, server, ["cs.CV"])
    with Store(config.store.path) as store:
        first = daily(config, store, today=date(2025, 9, 18))
        again = daily(config, store, today=date(2025, 9, 18))
    assert len(first.new_ids) == len(listing) and again.new_ids == []
    assert not again.failed and "again" in again.notes[0]


def test_fetch_missed_days_trigger_catch_up(tmp_path, server, listing):
    earlier = day_listing("2025-09-16", "cs.CV")[:40] + day_listing("2025-09-17", "cs.CV")[:40]
    server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", DAY, listing[:10]))
    server.routes["/api/query"] = api_route([p for p, _ in earlier])
    config = make_config(tmp_path, server, ["cs.CV"])
    with Store(config.store.path) as store:
        store.set_state("last_poll_day", "2025-09-15")
        report = daily(config, store, today=date(2025, 9, 18), api=fast_api(server, page_size=25))
        assert report.caught_up == 80 and len(report.new_ids) == 90
        assert store.get_state("last_poll_day") == DAY
    query = server.requests[-1][2]["search_query"][0]
    assert "cat:cs.CV" in query and "submittedDate:[202509140000 TO 202509190000]" in query
    assert missed_days(date(2025, 9, 12), date(2025, 9, 18), []) == [date(2025, 9, 15), date(2025, 9, 16),
                                                                      date(2025, 9, 17)]


def test_fetch_since_until_cli_catches_up_with_pagination(tmp_path, server, bot):
    papers = [p for p, _ in day_listing("2025-09-16", "cs.CV")]
    server.routes["/api/query"] = api_route(papers)
    path = write_config(tmp_path, arxiv__api_url=server.url + "/api/query")
    result = bot("--config", path, "fetch", "--since", "2025-09-15", "--until", "2025-09-16")
    assert result.exit_code == 0, result.err
    assert f"{len(papers)} new papers" in result.out
    with Store(tmp_path / "papers.sqlite") as store:
        stored = store.get(papers[0]["id"])
        assert stored.abstract == papers[0]["abstract"] and stored.primary_category == papers[0]["primary_category"]


def test_api_by_ids_batches_and_pages(server):
    papers = [p for day in ("2025-09-16", "2025-09-17", DAY) for p, _ in day_listing(day, "cs.CV")][:450]
    server.routes["/api/query"] = api_route(papers)
    found = fast_api(server, page_size=100).by_ids([p["id"] + "v2" for p in papers])
    assert [p.id for p in found] == [p["id"] for p in papers]
    id_requests = [q for _, _, q, _ in server.requests]
    assert len(id_requests) == 3 + 2  # three id batches of <= 200; the first two need a second page


def test_api_empty_result(server):
    server.routes["/api/query"] = Reply(body=atom([]))
    assert fast_api(server).by_ids(["2509.99999"]) == []


def test_api_retries_503_and_honours_retry_after(server, monkeypatch):
    paper = day_listing(DAY, "cs.CV")[0][0]
    server.routes["/api/query"] = [Reply(503, b"busy", {"Retry-After": "1"}), Reply(body=atom([paper]))]
    clock = Clock(monkeypatch)
    found = fast_api(server).by_ids([paper["id"]])
    assert [p.id for p in found] == [paper["id"]]
    assert 1.0 in clock.waits and server.counts["/api/query"] == 2  # waited as the server asked


def test_api_gives_up_with_clear_error(server):
    server.routes["/api/query"] = Reply(503, b"busy")
    with pytest.raises(FetchError, match="HTTP 503 after 3 attempts"):
        fast_api(server).by_ids(["2509.13338"])


def test_api_timeout_is_enforced(server):
    server.routes["/api/query"] = Reply(body=atom([]), delay=1.5)
    with pytest.raises(FetchError, match="timed out after 0.3s"):  # before the answer came, 1.5 s later
        fast_api(server, timeout=0.3, retries=1).by_ids(["2509.13338"])


def test_api_truncated_body_is_retried_then_reported(server):
    paper = day_listing(DAY, "cs.CV")[0][0]
    whole = atom([paper])
    server.routes["/api/query"] = [Reply(body=whole[: len(whole) // 2]), Reply(body=whole)]
    assert [p.id for p in fast_api(server).by_ids([paper["id"]])] == [paper["id"]]
    server.routes["/api/query"] = Reply(body=whole[: len(whole) // 2])
    server.counts.clear()
    with pytest.raises(FetchError, match="truncated response"):
        fast_api(server).by_ids([paper["id"]])


def test_api_error_document_becomes_fetch_error(server):
    server.routes["/api/query"] = Reply(body=(FEEDS / "arxiv-api-atom-error-example.xml").read_bytes())
    with pytest.raises(FetchError, match="incorrect id format for 1234.12345"):
        fast_api(server).by_ids(["1234.12345"])


def test_api_real_recorded_response_parses(server):
    server.routes["/api/query"] = Reply(body=(FEEDS / "arxiv-api-atom-response-example.xml").read_bytes())
    paper = fast_api(server).by_ids(["hep-ex/0307015"])[0]
    assert paper.id == "hep-ex/0307015" and paper.primary_category == "hep-ex"
    assert paper.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    assert paper.published == "2003-07-07" and paper.abstract.startswith("Multi-electron production is studied")


def test_api_requests_are_paced(server, monkeypatch):
    server.routes["/api/query"] = Reply(body=atom([]))
    clock = Clock(monkeypatch)
    api = fast_api(server, delay=0.4)
    api.by_ids(["2509.00001"])
    api.by_ids(["2509.00002"])
    assert clock.waits == [0.4] and server.counts["/api/query"] == 2  # the second waited its turn


def test_fetch_feed_cut_off_mid_body_is_named_and_other_feeds_still_run(tmp_path, server, listing, bot):
    whole = rss20("cs.CV", DAY, listing)
    server.routes["/rss/cs.CV"] = Reply(body=whole, chunked=True, cut=len(whole) // 3)
    server.routes["/rss/eess.IV"] = Reply(body=rss20("eess.IV", DAY, listing[:5]))
    server.routes["/rss/cs.LG"] = Reply(body=whole, cut=len(whole) // 2)  # Content-Length says more
    path = write_config(tmp_path, arxiv__rss_url=server.url + "/rss/{category}",
                        arxiv__categories=["cs.CV", "eess.IV", "cs.LG"])
    result = bot("--config", path, "fetch")
    assert result.exit_code == 1 and "Traceback" not in result.err
    problems = [line for line in result.err.splitlines() if line.startswith("problem:")]
    assert len(problems) == 2, result.err
    assert problems[0].startswith("problem: feed cs.CV failed: arXiv RSS http") and "body cut off" in problems[0]
    assert problems[1].startswith("problem: feed cs.LG failed:") and "IncompleteRead" in problems[1]
    assert server.counts["/rss/cs.CV"] == 2 and server.counts["/rss/cs.LG"] == 2  # retried first
    assert "new to the store: 5" in result.out
    with Store(tmp_path / "papers.sqlite") as store:
        assert store.count() == 5


def test_fetch_feed_that_drips_bytes_is_stopped_by_the_deadline(tmp_path, server, listing, bot):
    server.routes["/rss/cs.CV"] = Reply(body=rss20("cs.CV", DAY, listing[:3]), drip=0.02)  # > 100 s in all
    server.routes["/rss/eess.IV"] = Reply(body=rss20("eess.IV", DAY, listing[3:5]))
    path = write_config(tmp_path, arxiv__rss_url=server.url + "/rss/{category}",
                        arxiv__categories=["cs.CV", "eess.IV"], arxiv__deadline=0.6, arxiv__timeout=5)
    result = bot("--config", path, "fetch")  # > 100 s without the deadline
    assert result.exit_code == 1
    assert "problem: feed cs.CV failed: arXiv RSS" in result.err and "deadline of 0.6s" in result.err
    assert "new to the store: 2" in result.out


def test_fetch_item_with_non_arxiv_id_is_skipped_and_the_others_kept(tmp_path, server, listing, bot):
    items = listing[:6]
    odd = [(dict(items[1][0], id="not-an-id"), "new"), (dict(items[3][0], id="2509.123"), "new")]
    feed = rss20("cs.CV", DAY, [items[0], odd[0], items[2], odd[1], items[4], items[5]])
    server.routes["/rss/cs.CV"] = Reply(body=feed)
    path = write_config(tmp_path, arxiv__rss_url=server.url + "/rss/{category}", arxiv__categories=["cs.CV"])
    result = bot("--config", path, "fetch")
    assert result.exit_code == 1
    problems = [line for line in result.err.splitlines() if line.startswith("problem:")]
    assert len(problems) == 2
    assert problems[0].startswith("problem: feed cs.CV: item 2 (") and "not-an-id" in problems[0]
    assert "skipped: its id is not an arXiv id" in problems[0]
    assert problems[1].startswith("problem: feed cs.CV: item 4 (") and "2509.123" in problems[1]
    assert "(ok, 2 item(s) skipped)" in result.out and "new to the store: 4" in result.out
    with Store(tmp_path / "papers.sqlite") as store:
        stored = {p.id for p in store.papers()}
        assert stored == {items[i][0]["id"] for i in (0, 2, 4, 5)}
        assert store.get_state("last_poll_day") == DAY  # the day was polled: no needless catch-up next time


def test_fetch_malformed_rdf_item_is_skipped_and_the_others_kept(listing):
    document = rdf("cs.CV", DAY, listing[:4]).replace(b" (arXiv:" + listing[1][0]["id"].encode(), b" (no id", 1)
    result = parse_feed(document, "cs.CV")
    assert result.ok and [i.paper.id for i in result.items] == [listing[i][0]["id"] for i in (0, 2, 3)]
    assert result.skipped and result.skipped[0].startswith("item 2 skipped: malformed")


def test_api_result_with_non_arxiv_id_never_reaches_the_caller(server):
    papers = [p for p, _ in day_listing(DAY, "cs.CV")[:3]]
    server.routes["/api/query"] = Reply(body=atom([papers[0], dict(papers[1], id="weird/id"), papers[2]]))
    api = fast_api(server)
    assert [p.id for p in api.by_ids([p["id"] for p in papers])] == [papers[0]["id"], papers[2]["id"]]
    assert len(api.skipped) == 1 and "weird/id" in api.skipped[0]


def test_api_body_cut_off_is_retried_then_a_fetch_error(server):
    paper = day_listing(DAY, "cs.CV")[0][0]
    whole = atom([paper])
    server.routes["/api/query"] = [Reply(body=whole, cut=100), Reply(body=whole)]
    assert [p.id for p in fast_api(server).by_ids([paper["id"]])] == [paper["id"]]
    server.routes["/api/query"] = Reply(body=whole, chunked=True, cut=100)
    server.counts.clear()
    with pytest.raises(FetchError, match=r"body cut off mid-transfer .* after 3 attempts"):
        fast_api(server).by_ids([paper["id"]])
    assert server.counts["/api/query"] == 3
