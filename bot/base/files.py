"""Files on disk besides the paper store: atomic writes, and JSON Lines input streamed.

Used by the local publisher and `bot init` (atomic writes), and by the paper files
(``bot.papers.paper.read_jsonl``) and `bot classify --input` (JSON Lines).  A write is atomic: a
reader sees the old content or the new, never half of it.  JSON Lines files
(gzipped or not) are streamed line by line; a bad line is named by file:line.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from bot.base.errors import InputError
from classifier.files import atomic_write  # noqa: F401  (the one implementation; bot code imports it from here)


def read_list_text(path: str | Path, what: str = "list", fix: str = "check the path (a UTF-8 Markdown file)") -> str:
    """A list's README read from disk as written (CRLF stays CRLF), or a one-line error naming
    ``what`` was read and the cause (exit 2).

    Example: read_list_text("README.md") -> "# Awesome ...\\n"
    """
    try:
        return Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {path}: {getattr(exc, 'strerror', None) or exc}", fix) from None


def read_local_copy(config) -> str:
    """The configured local copy of the list (``list.local_copy``), or a one-line error (exit 2):
    unset, or unreadable.

    Example: read_local_copy(load_config("config.yaml")) -> "# Awesome ...\\n"
    """
    if config.list.local_copy is None:
        raise InputError("list.local_copy is not set in the config", "set it to the list's README path")
    return read_list_text(config.list.local_copy, "list.local_copy",
                          "check list.local_copy in the config (a UTF-8 Markdown file)")


def writable_folder(folder: str | Path, what: str = "--output", files: tuple[str, ...] = ()) -> Path:
    """Before any work: ``folder`` can take files (a folder, or one that can be made in a folder this
    process may write, whose ``files`` are not folders and are not under a file: a name may hold
    subfolders, '.github/workflows/x.yml'), else a one-line error (exit 2) naming ``what`` (the
    option or config key that gave it).

    Example: writable_folder("out/evaluation", "--output", ("report.md",))
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{what} {folder} is a file, not a folder", f"give a folder as {what}")
    parent = folder
    while not parent.exists():
        if parent.is_symlink():  # a link to nothing: no folder can be made there
            raise InputError(f"{what} {folder}: {parent} is a link to nothing ({os.readlink(parent)})",
                             f"give a folder as {what}")
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"{what} {folder} is inside {parent}, which is a file", f"give a folder as {what}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write into {parent} ({what} {folder}): permission denied",
                         "give a folder you can write")
    for name in files:
        target = folder / name
        inside = [p for p in reversed(target.parents) if folder in p.parents]  # between the folder and the file
        blocked = next((p for p in inside if p.is_symlink() and not p.exists() or p.exists() and not p.is_dir()), None)
        if blocked is not None:
            kind = f"a link to nothing ({os.readlink(blocked)})" if not blocked.exists() else "a file, not a folder"
            raise InputError(f"cannot write {target}: {blocked} is {kind}", f"remove it, or give another {what}")
        if target.is_dir():
            raise InputError(f"cannot write {target}: it is a folder", f"remove it, or give another {what}")
    return folder


def jsonl_lines(path: str | Path, progress=None) -> Iterator[tuple[int, str | None, str | None]]:
    """Stream a JSON Lines file (gzipped if it ends in .gz): (line number, text, None), or
    (line number, None, why) for a line that is not UTF-8.  Blank lines are left out; a file that
    cannot be read (or a damaged gzip stream) raises InputError naming it.  ``progress(what, done,
    total)`` hears every 1,000 lines."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    number = 0
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if progress and number % 1000 == 0:
                    progress("lines read", number, None)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    yield number, None, f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
                    continue
                if text.strip():
                    yield number, text, None
    except (OSError, EOFError, zlib.error) as exc:
        where = f" after line {number}" if number else ""
        raise InputError(f"cannot read {path}{where}: {getattr(exc, 'strerror', None) or exc}",
                         "check the file (a gzip file may be truncated)") from None
