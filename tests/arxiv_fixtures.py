"""Real-format arXiv documents built from real metadata, and a loopback HTTP server.

The RSS 2.0 writer follows arXiv's RSS specification (../shared/data/feeds),
the RDF writer the pre-2024 feed, the Atom writer the API's response format
(the recorded example in ../shared/data/feeds).  Used by the tests, the
benchmarks and the demo builder.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PAPERS = SHARED / "arxiv" / "papers.jsonl.gz"
_CACHE: dict[str, list[dict]] = {}


def load_papers(limit_days: set[str] | None = None) -> list[dict]:
    """The real papers of ../shared/data/arxiv (cached per process), or those of some listing days."""
    if "all" not in _CACHE:
        with gzip.open(PAPERS, "rt", encoding="utf-8") as handle:
            _CACHE["all"] = [json.loads(line) for line in handle]
        for paper in _CACHE["all"]:
            _CACHE.setdefault(paper["listing_date"], []).append(paper)
    if limit_days is None:
        return list(_CACHE["all"])
    if len(limit_days) == 1:  # one day's listing, as the feeds replay it: from the index, in the same order
        return list(_CACHE.get(next(iter(limit_days)), []))
    return [p for p in _CACHE["all"] if p["listing_date"] in limit_days]


def complete_days(category: str = "cs.CV", coverage: str = "new+cross") -> list[str]:
    import csv

    with open(SHARED / "arxiv" / "days.csv", newline="") as handle:
        return [r["listing_date"] for r in csv.DictReader(handle)
                if r["category"] == category and r["coverage"] == coverage]


def day_listing(day: str, category: str) -> list[tuple[dict, str]]:
    """(paper, announce type) for a replay of the category's feed on a day."""
    return [(p, "new" if p["primary_category"] == category else "cross")
            for p in load_papers({day}) if category in p["categories"]]


def _rfc822(day: str) -> str:
    return format_datetime(datetime.fromisoformat(day + "T00:00:00-04:00"))


def rss20(category: str, day: str | None, items: list[tuple[dict, str]]) -> bytes:
    """An rss.arxiv.org RSS 2.0 feed (the format since January 2024)."""
    out = ['<?xml version=\'1.0\' encoding=\'UTF-8\'?>',
           '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'version="2.0">', "  <channel>",
           f"    <title>{category} updates on arXiv.org</title>",
           f"    <link>http://rss.arxiv.org/rss/{category}</link>",
           f"    <description>{category} updates on the arXiv.org e-print archive.</description>",
           f'    <atom:link href="http://rss.arxiv.org/rss/{category}" rel="self" type="application/rss+xml"/>',
           "    <docs>http://www.rssboard.org/rss-specification</docs>", "    <language>en-us</language>"]
    if day:
        out += [f"    <lastBuildDate>{_rfc822(day)}</lastBuildDate>",
                "    <managingEditor>rss-help@arxiv.org</managingEditor>", f"    <pubDate>{_rfc822(day)}</pubDate>"]
    out += ["    <skipDays>", "      <day>Sunday</day>", "      <day>Saturday</day>", "    </skipDays>"]
    for paper, kind in items:
        pid = paper["id"]
        out += ["    <item>", f"      <title>{escape(paper['title'])}</title>",
                f"      <link>https://arxiv.org/abs/{pid}</link>",
                f"      <description>arXiv:{pid}v1 Announce Type: {kind} \nAbstract: {escape(paper['abstract'])}</description>",
                f'      <guid isPermaLink="false">oai:arXiv.org:{pid}v1</guid>']
        out += [f"      <category>{c}</category>" for c in paper["categories"]]
        out += [f"      <pubDate>{_rfc822(day or paper['listing_date'])}</pubDate>",
                f"      <arxiv:announce_type>{kind}</arxiv:announce_type>",
                "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>",
                f"      <dc:creator>{escape(', '.join(paper['authors']))}</dc:creator>", "    </item>"]
    out += ["  </channel>", "</rss>", ""]
    return "\n".join(out).encode("utf-8")


def atom_feed(category: str, day: str, items: list[tuple[dict, str]]) -> bytes:
    """The Atom flavour of rss.arxiv.org (rss.arxiv.org/atom/<category>), per arXiv's specification."""
    stamp = f"{day}T00:00:00-04:00"
    out = ['<?xml version=\'1.0\' encoding=\'UTF-8\'?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/">',
           "  <id>http://rss.arxiv.org/atom/</id>", f"  <title>{category} updates on arXiv.org</title>",
           f"  <updated>{stamp}</updated>",
           f'  <link href="http://rss.arxiv.org/atom/{category}" rel="self" type="application/atom+xml"/>',
           f"  <subtitle>{category} updates on the arXiv.org e-print archive.</subtitle>"]
    for paper, kind in items:
        pid = paper["id"]
        out += ["  <entry>", f"    <id>oai:arXiv.org:{pid}v1</id>", f"    <title>{escape(paper['title'])}</title>",
                f"    <updated>{stamp}</updated>",
                f'    <link href="https://arxiv.org/abs/{pid}" rel="alternate" type="text/html"/>',
                f"    <summary>arXiv:{pid}v1 Announce Type: {kind} \nAbstract: {escape(paper['abstract'])}</summary>"]
        out += [f'    <category term="{c}"/>' for c in paper["categories"]]
        out += [f"    <published>{stamp}</published>", f"    <arxiv:announce_type>{kind}</arxiv:announce_type>",
                "    <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>",
                f"    <dc:creator>{escape(', '.join(paper['authors']))}</dc:creator>", "  </entry>"]
    out += ["</feed>", ""]
    return "\n".join(out).encode("utf-8")


def rdf(category: str, day: str, items: list[tuple[dict, str]]) -> bytes:
    """The older export.arxiv.org RDF / RSS 1.0 feed."""
    flags = {"new": "", "cross": " CROSS LISTED", "replace": " UPDATED", "replace-cross": " UPDATED"}
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:taxo="http://purl.org/rss/1.0/modules/taxonomy/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:syn="http://purl.org/rss/1.0/modules/syndication/" '
           'xmlns:admin="http://webns.net/mvcb/">',
           '<channel rdf:about="http://arxiv.org/">', f"<title>{category} updates on arXiv.org</title>",
           "<link>http://arxiv.org/</link>", f"<description>{category} updates</description>",
           f"<dc:date>{day}T20:30:00-05:00</dc:date>", "<items>", " <rdf:Seq>"]
    out += [f' <rdf:li rdf:resource="http://arxiv.org/abs/{p["id"]}" />' for p, _ in items]
    out += [" </rdf:Seq>", "</items>", "</channel>"]
    for paper, kind in items:
        pid = paper["id"]
        primary = paper["primary_category"]
        authors = ", ".join(f'<a href="http://arxiv.org/find/cs/1/au:+{escape(a)}/0/1/0/all/0/1">{escape(a)}</a>'
                            for a in paper["authors"])
        out += [f'<item rdf:about="http://arxiv.org/abs/{pid}">',
                f"<title>{escape(paper['title'])}. (arXiv:{pid}v1 [{primary}]{flags[kind]})</title>",
                f"<link>http://arxiv.org/abs/{pid}</link>",
                f"<description>{escape('<p>' + escape(paper['abstract']) + '</p>')}</description>",
                f"<dc:creator>{escape(authors)}</dc:creator>", "</item>"]
    out += ["</rdf:RDF>", ""]
    return "\n".join(out).encode("utf-8")


def atom(papers: list[dict], total: int | None = None, start: int = 0, query: str = "") -> bytes:
    """An arXiv API Atom response page."""
    total = len(papers) if total is None else total
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
           'xmlns:arxiv="http://arxiv.org/schemas/atom">',
           f'  <link href="http://arxiv.org/api/query?{escape(query)}" rel="self" type="application/atom+xml"/>',
           f"  <title>arXiv Query: {escape(query)}</title>", "  <id>http://arxiv.org/api/x</id>",
           "  <updated>2025-09-18T00:00:00-04:00</updated>",
           f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
           f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
           f"  <opensearch:itemsPerPage>{len(papers)}</opensearch:itemsPerPage>"]
    for paper in papers:
        pid = paper["id"]
        stamp = (paper.get("published") or paper.get("listing_date") or "2025-09-18")[:10] + "T12:00:00Z"
        out += ["  <entry>", f"    <id>http://arxiv.org/abs/{pid}v1</id>",
                f"    <updated>{stamp}</updated>", f"    <published>{stamp}</published>",
                f"    <title>{escape(paper['title'])}</title>", f"    <summary>  {escape(paper['abstract'])}\n</summary>"]
        out += [f"    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in paper["authors"]]
        if paper.get("comment"):
            out.append(f"    <arxiv:comment>{escape(paper['comment'])}</arxiv:comment>")
        out += [f'    <link href="http://arxiv.org/abs/{pid}v1" rel="alternate" type="text/html"/>',
                f'    <link title="pdf" href="http://arxiv.org/pdf/{pid}v1" rel="related" type="application/pdf"/>',
                f'    <arxiv:primary_category term="{paper["primary_category"]}" scheme="http://arxiv.org/schemas/atom"/>']
        out += [f'    <category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in paper["categories"]]
        out.append("  </entry>")
    out += ["</feed>", ""]
    return "\n".join(out).encode("utf-8")


@dataclass
class Reply:
    """One answer.  Faults: ``delay`` before answering; ``cut``: close the connection after this many
    body bytes (the full length is announced, or, with ``chunked``, in the middle of a chunk);
    ``chunked``: chunked transfer encoding; ``bad_chunk``: a chunk size that is not hexadecimal;
    ``drip``: seconds between single bytes of the body (``drip_headers``: of the headers too)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/xml; charset=utf-8"
    cut: int | None = None
    chunked: bool = False
    bad_chunk: bool = False
    drip: float = 0.0
    drip_headers: bool = False


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) running ``handler``, as a context manager."""

    def _start_server(self, handler) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Loopback(LoopbackServer):
    """A threaded HTTP server on 127.0.0.1 answering from a route table.

    ``routes[path]`` is a Reply, a list of Replies (served in turn, the last one
    repeating), or a callable(query: dict, request) -> Reply.  Every request is
    logged in ``requests`` as (method, path, query, monotonic time).
    """

    def __init__(self):
        self.routes: dict = {}
        self.requests: list[tuple[str, str, dict, float]] = []
        self.counts: dict[str, int] = defaultdict(int)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                parsed = urlparse(self.path)
                query = parse_qs(parsed.query)
                server.requests.append(("GET", parsed.path, query, time.monotonic()))
                route = server.routes.get(parsed.path)
                index = server.counts[parsed.path]
                server.counts[parsed.path] += 1
                if route is None:
                    reply = Reply(404, b"not found")
                elif isinstance(route, list):
                    reply = route[min(index, len(route) - 1)]
                elif callable(route):
                    reply = route(query, self)
                else:
                    reply = route
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.answer(reply)
                except OSError:  # the client hung up (broken pipe, reset, a TLS socket cut off)
                    pass

            def answer(self, reply: Reply) -> None:
                body = reply.body if reply.cut is None else reply.body[:reply.cut]
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if reply.chunked or reply.bad_chunk:
                    self.send_header("Transfer-Encoding", "chunked")
                    half = max(len(reply.body) // 2, 1)
                    pieces = [reply.body[:half], reply.body[half:]]
                    body = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"
                    if reply.bad_chunk:
                        body = b"zz\r\n" + body
                    if reply.cut is not None:  # stop inside the first chunk
                        body = b"%x\r\n%s" % (len(pieces[0]), pieces[0][:reply.cut])
                else:
                    self.send_header("Content-Length",
                                     str(reply.headers.get("X-Declared-Length", len(reply.body))))
                self.close_connection = True
                if reply.drip and reply.drip_headers:
                    head, self._headers_buffer = b"".join(self._headers_buffer) + b"\r\n", []
                    self.drip(head, reply.drip)
                else:
                    self.end_headers()
                if reply.drip:
                    self.drip(body, reply.drip)
                else:
                    self.wfile.write(body)

            def drip(self, data: bytes, pause: float) -> None:
                for index in range(len(data)):
                    self.wfile.write(data[index:index + 1])
                    self.wfile.flush()
                    time.sleep(pause)

        self._start_server(Handler)


def api_route(papers: list[dict]):
    """A route answering arXiv API queries (id_list, or any query: all papers) with pagination."""
    by_id = {p["id"]: p for p in papers}

    def answer(query: dict, _request) -> Reply:
        start = int(query.get("start", ["0"])[0])
        size = int(query.get("max_results", ["10"])[0])
        ids = [i for i in query.get("id_list", [""])[0].split(",") if i]
        if ids:
            found = [by_id[i.split("v")[0]] for i in ids if i.split("v")[0] in by_id]
        else:
            found = sorted(papers, key=lambda p: (p["listing_date"], p["id"]))
        page = found[start:start + size]
        return Reply(body=atom(page, total=len(found), start=start))

    return answer


def write_config(folder: Path, **overrides) -> Path:
    """A config.yaml for tests, pointing every endpoint and path into ``folder``."""
    import yaml

    base = yaml.safe_load((Path(__file__).resolve().parent.parent / "config.yaml").read_text())
    base["list"]["local_copy"] = str(SHARED / "list" / "README-seed.md")
    base["store"]["path"] = str(folder / "papers.sqlite")
    base["classifier"]["model_path"] = str(folder / "model")
    base["classifier"]["background"] = []  # tests choose their background papers
    base["classifier"]["lexicon"] = str(Path(__file__).resolve().parent.parent / base["classifier"]["lexicon"])
    base["output"] = {"path": str(folder / "out")}
    base["arxiv"].update(request_delay=0, timeout=2, retries=1)
    for dotted, value in overrides.items():
        section, key = dotted.split("__")
        base.setdefault(section, {})[key] = value
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(base))
    return path
