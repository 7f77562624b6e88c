"""Progress of long steps: a bar with counted steps on a terminal, plain periodic lines elsewhere.

Used by `bot train`, `bot evaluate` and `bot fetch` (``--since``, ``--from-file``).  The
library reports progress through a callback ``(what, done, total)`` (``total`` None when
unknown); this module is the only place that draws it.  On a terminal the line is
redrawn in place (at most 10 times a second); in a CI log (not a terminal) a line is
printed when the step changes, every 10% of a known total, or every 10 seconds.
Written to stderr, so that stdout stays the command's result.  Example::

    with progress_line("training") as progress:
        train(..., progress=progress)
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import TextIO

WIDTH = 24


class Progress:
    def __init__(self, label: str, stream: TextIO | None = None, interval: float | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.1 if self.tty else 10.0)
        self.started = time.monotonic()
        self._last_time = 0.0
        self._last_what: str | None = None
        self._last_tenth = -1
        self._drawn = False

    def __call__(self, what: str, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        tenth = int(10 * done / total) if total else -1
        changed = what != self._last_what or (total is not None and done >= total)
        if not changed and now - self._last_time < self.interval and (self.tty or tenth == self._last_tenth):
            return
        self._last_time, self._last_what, self._last_tenth = now, what, tenth
        elapsed = now - self.started
        if total:
            filled = int(WIDTH * min(done, total) / total)
            count = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}" if self.tty else f"{done}/{total}"
        else:
            count = f"{done}"
        text = f"{self.label}: {count} {what} ({elapsed:.0f}s)"
        if self.tty:
            self.stream.write("\r\033[K" + text)
            self._drawn = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


@contextmanager
def progress_line(label: str, stream: TextIO | None = None):
    """A progress callback for the duration of a block (the line is cleared at the end on a terminal)."""
    progress = Progress(label, stream)
    try:
        yield progress
    finally:
        progress.close()
