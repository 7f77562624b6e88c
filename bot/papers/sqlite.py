"""The paper store's SQLite connection: damage met at any point (opening, a query, fetching rows)
becomes one StoreError naming the file and the fix.  Used by ``store`` only.

Example: db = connect(Path("data/papers.sqlite"), "data/papers.sqlite", timeout=60)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.base.errors import StoreError


def store_error(exc: sqlite3.Error, path: Path) -> sqlite3.Error | StoreError:
    """A StoreError for a file that is not a database, damaged or unopenable; other errors as they are."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    fix = f"it is only a cache: move it away, e.g. mv {path} {path}.broken, and the bot starts a new one"
    if name == "SQLITE_NOTADB":
        return StoreError(f"the paper store {path} is not an SQLite database", fix)
    if name.startswith("SQLITE_CORRUPT") or "malformed" in str(exc):
        return StoreError(f"the paper store {path} is damaged ({exc})", fix)
    if name.startswith("SQLITE_CANTOPEN"):
        return StoreError(f"cannot open the paper store {path} ({exc})", "check store.path and its permissions")
    return exc


class _Cursor(sqlite3.Cursor):
    """A cursor whose damage errors (also while rows are fetched) become StoreError."""

    def _guard(self, call, *args):
        try:
            return call(*args)
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, self.connection.store_path) from None

    def execute(self, *args):
        return self._guard(super().execute, *args)

    def executemany(self, *args):
        return self._guard(super().executemany, *args)

    def executescript(self, *args):
        return self._guard(super().executescript, *args)

    def fetchone(self):
        return self._guard(super().fetchone)

    def fetchmany(self, *args):
        return self._guard(super().fetchmany, *args)

    def fetchall(self):
        return self._guard(super().fetchall)

    def __next__(self):
        return self._guard(super().__next__)


class _Connection(sqlite3.Connection):
    """A connection that runs every statement on a :class:`_Cursor`."""

    store_path: Path = Path("?")

    def execute(self, *args):
        return self.cursor(_Cursor).execute(*args)

    def executemany(self, *args):
        return self.cursor(_Cursor).executemany(*args)

    def executescript(self, *args):
        return self.cursor(_Cursor).executescript(*args)


def connect(path: Path, target: str, **options) -> _Connection:
    try:
        db = sqlite3.connect(target, factory=_Connection, **options)
    except sqlite3.Error as exc:
        raise store_error(exc, path) from None
    db.store_path = path
    return db
