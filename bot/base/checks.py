"""Checks of single values people write in a config or pass to `bot init`: a branch name, a path in a
repository, an http(s) URL, a feed URL's placeholders, a time zone.  Each returns the value or raises ValueError with the reason (the config
reader and `bot init` word the one-line error around it).
"""

from __future__ import annotations

import re
import string

BAD_BRANCH = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|^-")


def branch_name(value: str) -> str:
    """A branch name git accepts (``git check-ref-format --branch``), else ValueError.

    Example: branch_name("bot/new-papers") -> "bot/new-papers"; branch_name("dev 2") raises
    """
    parts = (value or "").split("/")
    if not value or value in ("@", "HEAD") or BAD_BRANCH.search(value) or value.endswith(".") \
            or any(not part or part.startswith(".") or part.endswith(".lock") for part in parts):
        raise ValueError("is not a branch name git accepts (no spaces, control characters, '..', or any of ~^:?*[\\)")
    return value


def repo_path(value: str) -> str:
    """A file's path inside a repository (relative, no '.' or '..' parts, no control character), else ValueError.

    Example: repo_path("docs/README.md") -> "docs/README.md"; repo_path("../x.md") raises
    """
    if not value or value.startswith("/") or "\\" in value or re.search(r"[\x00-\x1f\x7f]", value) \
            or any(part in ("", ".", "..") for part in value.split("/")):
        raise ValueError("is not a path inside the repository (relative, without '.' or '..' parts, e.g. README.md)")
    return value


def http_url(value: str) -> str:
    """An http(s) URL with a host, else ValueError.

    Example: http_url("https://api.github.com") -> "https://api.github.com"; http_url("api.github.com") raises
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        ok = False
    if not ok or re.search(r"[\x00-\x20\x7f]", value):
        raise ValueError("is not an http(s) URL with a host (e.g. https://api.github.com)")
    return value


def placeholders(value: str) -> str:
    """A feed URL with the one placeholder {category}, else ValueError.

    Example: placeholders("https://rss.arxiv.org/rss/{category}") -> the same URL
    """
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValueError(f"malformed placeholder ({exc}); write {{category}}, and {{{{ }}}} for braces") from None
    unknown = sorted({name for name in names if name != "category"})
    if unknown:
        shown = ", ".join("{" + name + "}" for name in unknown)
        raise ValueError(f"unknown placeholder {shown}: only {{category}} is known")
    if "category" not in names:
        raise ValueError("must contain '{category}'")
    return value


def known_zone(value: str) -> str:
    """An IANA time zone name, else ValueError.

    Example: known_zone("Europe/Berlin") -> "Europe/Berlin"
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone (use an IANA name such as UTC or Europe/Berlin)") from None
    return value
