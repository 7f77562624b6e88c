"""Files people and the bot write: atomic writes (the one implementation, used by the model files
here and by the bot's storage, ``bot.base.files``, so a reader never sees half a file), and where a
YAML file people edit (the config, a lexicon) holds a date that is no day, and reading such a file.
Imports nothing heavy.

Example: atomic_write(Path("model/meta.json"), b"{}")
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date
from pathlib import Path

# what YAML reads as a date or a timestamp (2025-02-30, 2025-02-30T10:00:00Z), unquoted
YAML_DATE = re.compile(r"(?:^|[\[{,]|:\s|-\s)\s*(\d{4})-(\d{1,2})-(\d{1,2})(?=\s*$|\s*[,\]}]|[Tt ]\d)")
QUOTED_OR_COMMENT = re.compile(r"""'[^']*'|"(?:[^"\\]|\\.)*"|(?:^|\s)#.*""")  # YAML reads no date there


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


def load_yaml(text: str):
    """``yaml.safe_load`` through libyaml when PyYAML has it (ten times faster); a text libyaml
    refuses is read again by the pure-Python parser, whose error (line, column and wording) is
    the one reported, so that messages do not depend on how PyYAML was built.  libyaml is the more
    lenient of the two (a tab as a separator, ``method:\t[...]``, is read, where the pure parser
    refuses it): a file either reads, it never reads differently.

    Example: load_yaml("method: [diffusion]") == {"method": ["diffusion"]}
    """
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)  # a safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def no_day(text: str) -> str:
    """Where a YAML text holds an unquoted date that is no day, which YAML cannot read (it stops with a
    ValueError, without a line): ' at line 3: 2025-02-30 is no date', or '' when there is none.

    Example: no_day("holidays: [2025-02-30]") == " at line 1: 2025-02-30 is no date"
    """
    for number, line in enumerate(text.splitlines(), 1):
        for found in YAML_DATE.finditer(QUOTED_OR_COMMENT.sub(" ", line)):
            try:
                date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                return f" at line {number}: {found[1]}-{found[2]}-{found[3]} is no date"
    return ""
