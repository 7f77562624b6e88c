"""Writing files atomically: the one implementation, used by the model files here and by the bot's
storage (``bot.base.files``), so a reader never sees half a file.  Imports nothing heavy.

Example: atomic_write(Path("model/meta.json"), b"{}")
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it
    (temp file in the same folder, fsync, rename)."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
