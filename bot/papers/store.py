"""The local paper store: every paper the bot has seen, and the bot's own state.

Runs in every command that reads or writes papers.  SQLite in WAL mode: a
killed run loses at most its open transaction, two overlapping runs wait for
each other (``busy_timeout``) instead of failing, and readers never block.
It is also the cache of abstracts, so training never asks arXiv twice.

Files other than the database (atomic writes, JSON Lines input) are in ``files``.

Tables: ``papers`` (metadata, when and where first seen), ``state`` (small
key/value facts such as the last successful poll), ``classified`` (a cache of
the verdict of the model that last looked at a paper), ``decisions`` (a cache
of the maintainers' decisions, whose truth lives with the publisher: GitHub).

A file that is not an SQLite database, or a damaged one, raises
:class:`StoreError` (exit 2) naming the file and the fix, whenever the damage
is met: the store is a cache, so moving it away is always safe.  A paper whose
id is not an arXiv id is never stored.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from bot.base.decision import Decision
from bot.base.errors import InputError
from bot.base.ids import is_arxiv_id
from bot.papers.paper import Paper, iter_jsonl
from bot.papers.sqlite import connect

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    abstract TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',
    categories TEXT NOT NULL DEFAULT '[]',
    primary_category TEXT,
    published TEXT,
    updated TEXT,
    listing_date TEXT,
    comment TEXT,
    journal_ref TEXT,
    doi TEXT,
    links TEXT NOT NULL DEFAULT '{}',
    source TEXT,
    first_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS papers_listing ON papers(listing_date);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS classified (
    id TEXT PRIMARY KEY REFERENCES papers(id),
    model TEXT NOT NULL,
    relevant INTEGER NOT NULL,
    probability REAL NOT NULL,
    section TEXT,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS unpublishable (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    section TEXT,
    title TEXT,
    evidence TEXT,
    at TEXT NOT NULL
);
"""
JSON_FIELDS = ("authors", "categories", "links")
COLUMNS = ("id", "title", "abstract", "authors", "categories", "primary_category", "published", "updated",
           "listing_date", "comment", "journal_ref", "doi", "links", "source")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """A SQLite-backed paper store; use as a context manager or call close()."""

    def __init__(self, path: str | Path):
        path = Path(path)
        if path.suffix == "" and not path.is_file():
            path = path / "papers.sqlite"  # a folder was configured
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = connect(path, str(path), timeout=60, isolation_level=None)
        try:
            self.db.execute("PRAGMA busy_timeout=60000")
            self._switch_to_wal()
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except BaseException:
            self.db.close()
            raise

    def _switch_to_wal(self, wait: float = 60.0) -> None:
        """Turn on WAL mode.  Switching the journal mode of a new database while another process
        opens it fails at once with 'database is locked' (SQLite's busy handler does not cover it),
        so two runs starting together retry here instead of failing."""
        deadline = time.monotonic() + wait
        while True:
            try:
                if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @classmethod
    def existing(cls, path: str | Path) -> "Store | None":
        """The store at path opened read-only, or None when there is none (nothing is created)."""
        path = Path(path)
        if path.suffix == "" and not path.is_file():
            path = path / "papers.sqlite"
        if not path.is_file():
            return None
        store = cls.__new__(cls)
        store.path = path
        # with no write-ahead log beside it, no writer is active: read it as an immutable file,
        # so that not even SQLite's shared-memory index is created next to it
        quiet = "&immutable=1" if not path.with_name(path.name + "-wal").exists() else ""
        store.db = connect(path, f"file:{path}?mode=ro{quiet}", uri=True, timeout=60, isolation_level=None)
        store.db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # not a database: say so now
        return store

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it lands, or none (also when the process is killed)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # papers -----------------------------------------------------------------

    def add(self, papers: Iterable[Paper], *, update: bool = True) -> list[str]:
        """Insert papers; return the ids that were new.  Known papers get newer metadata if update."""
        new_ids: list[str] = []
        seen_at = now()
        with self.transaction() as db:
            for paper in papers:
                if not is_arxiv_id(paper.id):  # the last guard: every source checks ids already
                    log.warning("not stored: %r is not an arXiv id (%s)", paper.id, paper.source or "?")
                    continue
                row = paper.to_json()
                values = [json.dumps(row[c], ensure_ascii=False) if c in JSON_FIELDS else row[c] for c in COLUMNS]
                cursor = db.execute(
                    f"INSERT OR IGNORE INTO papers ({', '.join(COLUMNS)}, first_seen) "
                    f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))})", [*values, seen_at])
                if cursor.rowcount:
                    new_ids.append(paper.id)
                elif update:
                    self._refresh(db, paper)
        return new_ids

    @staticmethod
    def _refresh(db: sqlite3.Connection, paper: Paper) -> None:
        """Fill gaps and take a newer version's text; never lose what was known.  A paper known
        only from an imported file becomes a feed paper (a candidate) when a feed announces it."""
        db.execute(
            """UPDATE papers SET
                 title = CASE WHEN ?1 != '' THEN ?1 ELSE title END,
                 abstract = CASE WHEN ?2 != '' THEN ?2 ELSE abstract END,
                 authors = CASE WHEN ?3 != '[]' THEN ?3 ELSE authors END,
                 categories = CASE WHEN length(?4) > length(categories) THEN ?4 ELSE categories END,
                 primary_category = COALESCE(primary_category, ?5),
                 published = COALESCE(published, ?6), updated = COALESCE(?7, updated),
                 comment = COALESCE(?9, comment),
                 journal_ref = COALESCE(?10, journal_ref), doi = COALESCE(?11, doi),
                 source = CASE WHEN source LIKE 'file:%' AND (?13 LIKE 'rss:%' OR ?13 LIKE 'api%')
                               THEN ?13 ELSE source END,
                 listing_date = CASE WHEN source LIKE 'file:%' AND ?13 LIKE 'rss:%' AND ?8 IS NOT NULL
                                     THEN ?8 ELSE COALESCE(listing_date, ?8) END
               WHERE id = ?12""",
            (paper.title, paper.abstract, json.dumps(paper.authors, ensure_ascii=False),
             json.dumps(paper.categories), paper.primary_category, paper.published, paper.updated,
             paper.listing_date, paper.comment, paper.journal_ref, paper.doi, paper.id, paper.source))

    def _paper(self, row: sqlite3.Row | tuple) -> Paper:
        record = dict(zip(COLUMNS, row))
        for name in JSON_FIELDS:
            record[name] = json.loads(record[name])
        return Paper(**record)

    def get(self, paper_id: str) -> Paper | None:
        row = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return self._paper(row) if row else None

    def get_many(self, ids: Iterable[str]) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM papers WHERE id IN "
                                   f"({', '.join('?' * len(chunk))})", chunk)
            found.update((row[0], self._paper(row)) for row in rows)
        return found

    def papers(self, since: str | None = None, until: str | None = None) -> Iterator[Paper]:
        """All papers (optionally those listed on or after ``since`` and on or before ``until``,
        ISO dates), oldest first."""
        query = f"SELECT {', '.join(COLUMNS)} FROM papers"
        where, args = [], []
        if since:
            where.append("listing_date >= ?")
            args.append(since)
        if until:
            where.append("listing_date <= ?")
            args.append(until)
        if where:
            query += " WHERE " + " AND ".join(where)
        for row in self.db.execute(query + " ORDER BY listing_date, id", args):
            yield self._paper(row)

    def latest_before(self, day: str, limit: int) -> list[Paper]:
        """The ``limit`` papers listed most recently before ``day`` (ISO date), oldest first."""
        rows = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM papers WHERE listing_date < ? "
                               "ORDER BY listing_date DESC, id DESC LIMIT ?", (day, int(limit))).fetchall()
        return [self._paper(row) for row in reversed(rows)]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM papers").fetchone()[0]

    def import_jsonl(self, path: str | Path, progress=None) -> tuple[int, int]:
        """Load a JSON Lines file (gzipped or not), streamed, in one transaction; returns (read, new).
        A bad line raises InputError naming file:line, and nothing of the file is imported.
        ``progress(what, done, total)`` hears every 1,000 lines."""
        read = 0

        def counted() -> Iterator[Paper]:
            nonlocal read
            for paper in iter_jsonl(path, progress):
                read += 1
                yield paper

        try:
            new = self.add(counted(), update=False)
        except InputError as exc:
            raise InputError(f"{exc}; nothing was imported", exc.hint) from None
        if progress:
            progress("papers stored", read, read)
        return read, len(new)

    # state ------------------------------------------------------------------

    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO state(key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # classification ---------------------------------------------------------

    def candidates(self, days: int) -> list[Paper]:
        """Papers announced in a feed (or caught up through the API) within ``days`` days of the
        newest announcement in the store: the papers ``bot run`` may propose.  Imported files
        are background, never candidates, until a feed announces one of their papers."""
        day = "COALESCE(listing_date, published, substr(first_seen, 1, 10))"
        feed = "(source LIKE 'rss:%' OR source LIKE 'api%')"
        newest = self.db.execute(f"SELECT max({day}) FROM papers WHERE {feed}").fetchone()[0]
        if newest is None:
            return []
        rows = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM papers WHERE {feed} "
                               f"AND {day} >= date(?, ?) ORDER BY id", (newest[:10], f"-{int(days)} days"))
        return [self._paper(row) for row in rows]

    def cached_verdicts(self, model: str | None, ids: Iterable[str]) -> dict[str, tuple[bool, float, str | None]]:
        """id -> (relevant, probability, section) for the papers this model (None: any model) classified."""
        found: dict[str, tuple[bool, float, str | None]] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows = self.db.execute(f"SELECT id, relevant, probability, section FROM classified WHERE "
                                   f"(model = ? OR ? IS NULL) AND id IN ({', '.join('?' * len(chunk))})",
                                   [model, model, *chunk])
            found.update((r[0], (bool(r[1]), r[2], r[3])) for r in rows)
        return found

    def record_verdicts(self, model: str, verdicts: Iterable[tuple[str, bool, float, str | None]]) -> None:
        stamp = now()
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO classified (id, model, relevant, probability, section, at) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           [(i, model, int(r), p, s, stamp) for i, r, p, s in verdicts])

    def record_unpublishable(self, model: str, reasons: dict[str, str]) -> None:
        """Papers this model chose that could not become entries (reported once, not every run)."""
        stamp = now()
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO unpublishable (id, model, reason, at) VALUES (?, ?, ?, ?)",
                           [(i, model, why, stamp) for i, why in reasons.items()])

    def unpublishable(self, model: str) -> dict[str, str]:
        return dict(self.db.execute("SELECT id, reason FROM unpublishable WHERE model = ?", (model,)))

    # maintainers' decisions ------------------------------------------------------

    def record_decisions(self, decisions: Iterable[Decision]) -> None:
        """Cache maintainers' decisions (their truth lives with the publisher); a later one replaces an earlier."""
        stamp = now()
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO decisions (id, decision, section, title, evidence, at) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           [(d.id, d.kind, d.section, d.title, d.source, stamp) for d in decisions])

    def proposed_sections(self, ids: Iterable[str]) -> dict[str, str]:
        """id -> the section the bot classified the paper into (for papers it classified)."""
        wanted = list(ids)
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.db.execute(f"SELECT id, section FROM classified WHERE id IN ({','.join('?' * len(chunk))})"
                                   " AND section IS NOT NULL", chunk)
            found.update((r[0], r[1]) for r in rows)
        return found

    def decisions(self, kind: str | None = None) -> dict[str, Decision]:
        """id -> the decision, for every paper decided (or only the 'accepted' or 'rejected' ones)."""
        rows = self.db.execute("SELECT id, decision, section, title, evidence FROM decisions"
                               + (" WHERE decision = ?" if kind else ""), (kind,) if kind else ())
        return {r[0]: Decision(r[0], r[1] == "accepted", r[2], r[3], r[4] or "") for r in rows}
