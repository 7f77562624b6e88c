"""Loads and validates ``config.yaml`` at start-up.

Runs once per command, before anything else.  Unknown keys, wrong types and
missing values raise :class:`ConfigError` with one line naming the key; so do
a file that is not UTF-8 or not YAML, an unknown ``{placeholder}`` in
``arxiv.rss_url``, a time zone that does not exist and a crontab line that
does not parse.  A config may start with ``extends: other.yaml`` (chains are
followed, a cycle is an error); relative paths resolve against the folder of
the file that wrote them.
"""

from __future__ import annotations

import string
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.base.errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class ListConfig(_Section):
    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    branch: str = "main"
    path: str = "README.md"
    local_copy: Path | None = None
    sections: list[str] | None = None


class ArxivConfig(_Section):
    categories: list[str] = Field(min_length=1)
    rss_url: str
    api_url: str
    request_delay: float = Field(3.0, ge=0)
    timeout: float = Field(30.0, gt=0)
    deadline: float = Field(120.0, gt=0)
    retries: int = Field(3, ge=0)
    holidays: list[date] = []

    @field_validator("rss_url")
    @classmethod
    def _has_category_placeholder(cls, value: str) -> str:
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


class GithubConfig(_Section):
    api_url: str = "https://api.github.com"
    token_env: str = "GITHUB_TOKEN"
    branch: str = "bot/new-papers"
    labels: list[str] = ["new-papers", "bot"]
    max_entries: int = Field(25, ge=1)
    lookback_days: int = Field(30, ge=1)
    pr_title: str = "New papers from arXiv"
    pr_template: Path | None = None
    retries: int = Field(4, ge=0)
    timeout: float = Field(30.0, gt=0)
    deadline: float = Field(180.0, gt=0)
    backoff: float = Field(2.0, ge=0)


class StoreConfig(_Section):
    path: Path


BUNDLED_BACKGROUND = Path(__file__).parents[1] / "data" / "background.jsonl.gz"  # installed with the package


class ClassifierConfig(_Section):
    model_path: Path
    # The lexicon YAML file (what the list is about, see lexicon.yaml); None: `bot train` learns one.
    lexicon: Path | None = None
    target_recall: float = Field(0.95, gt=0, le=1)
    # Proposals per 1,000 feed papers; None: the smallest budget that reaches target_recall.
    proposals_per_1000: float | None = Field(None, gt=0, le=1000)
    background: list[Path] = Field(default_factory=lambda: [BUNDLED_BACKGROUND])  # [] for none

    @field_validator("lexicon", mode="before")
    @classmethod
    def _lexicon_is_a_file(cls, value):
        if isinstance(value, dict):
            raise ValueError("names a lexicon YAML file (e.g. lexicon.yaml), not inline terms: move the terms "
                             "into their own file (see lexicon.yaml), or remove the key to learn the topic")
        return value


class ScheduleConfig(_Section):
    cron: str = "30 1 * * 2-6"
    timezone: str = "UTC"
    misfire_grace_seconds: int = Field(3600, ge=1)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone (use an IANA name such as UTC or Europe/Berlin)") from None
        return value

    @field_validator("cron")
    @classmethod
    def _cron_parses(cls, value: str) -> str:
        from bot.base.cron import cron_fields  # the same parser `bot serve` uses

        try:
            cron_fields(value)
        except ConfigError as exc:
            raise ValueError(f"{str(exc).removeprefix(f'schedule.cron {value!r}: ')}; use crontab syntax, "
                             "e.g. '30 1 * * 2-6'") from None
        return value


class OutputConfig(_Section):
    path: Path = Path("out")


class Config(_Section):
    list: ListConfig
    arxiv: ArxivConfig
    github: GithubConfig = GithubConfig()
    store: StoreConfig
    classifier: ClassifierConfig
    schedule: ScheduleConfig = ScheduleConfig()
    output: OutputConfig = OutputConfig()
    source: Path | None = Field(None, exclude=True)


PATH_KEYS = [("list", "local_copy"), ("store", "path"), ("classifier", "model_path"), ("classifier", "lexicon"),
             ("github", "pr_template"), ("output", "path")]


def _anchor(raw: dict, folder: Path) -> dict:
    """Make the relative paths of a config mapping absolute against the folder of its file,
    so that a config that ``extends`` another keeps each path relative to where it was written."""
    def absolute(value):
        return str(folder / value) if isinstance(value, str) and not Path(value).is_absolute() else value

    for section, key in PATH_KEYS:
        if isinstance(raw.get(section), dict) and raw[section].get(key) is not None:
            raw[section][key] = absolute(raw[section][key])
    classifier = raw.get("classifier")
    if isinstance(classifier, dict) and isinstance(classifier.get("background"), list):
        classifier["background"] = [absolute(p) for p in classifier["background"]]
    arxiv = raw.get("arxiv")
    if isinstance(arxiv, dict) and str(arxiv.get("rss_url", "")).startswith("file:") \
            and not str(arxiv["rss_url"]).startswith("file:/"):
        arxiv["rss_url"] = "file:" + str(folder / arxiv["rss_url"].removeprefix("file:"))
    return raw


def _merge(base: dict, override: dict) -> dict:
    """Deep-merge two config mappings: override wins, mappings merge key by key."""
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) \
            else value
    return merged


def _resolve(path: Path | None, base: Path) -> Path | None:
    if path is None:
        return None
    path = path.expanduser()
    return (path if path.is_absolute() else (base / path)).resolve()


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{where}'"
    if kind == "missing":
        return f"missing required key '{where}'"
    got = error.get("input")
    shown = repr(got) if not isinstance(got, dict) else "a mapping"
    message = error["msg"].removeprefix("Value error, ")
    return f"'{where}': {message[:1].lower()}{message[1:]} (got {shown[:60]})"


def _read_mapping(path: Path, named_by: Path | None = None) -> dict:
    """One config file as a mapping, with one-line errors naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if named_by is not None:
            raise ConfigError(f"{named_by}: 'extends' names {path}, which is missing") from None
        raise ConfigError(f"config file {path} not found", "pass --config PATH or create config.yaml") from None
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} on line {line})",
                          "save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: bad YAML{where}: {problem}") from None
    if not isinstance(raw, dict):
        if named_by is not None:
            raise ConfigError(f"{named_by}: 'extends' names {path}, which is not a config mapping")
        raise ConfigError(f"{path}: expected a mapping of sections (list, arxiv, store, classifier, ...)")
    return raw


def _read_chain(path: Path, chain: tuple[Path, ...] = ()) -> dict:
    """A config mapping with what it ``extends`` merged in, following chains.  The paths of every
    extended file are made absolute against that file's folder; the paths of ``path`` itself stay
    as written (load_config resolves them against its folder)."""
    raw = _read_mapping(path, chain[-1] if chain else None)
    if "extends" not in raw:
        return raw
    named = raw.pop("extends")
    if not isinstance(named, str) or not named.strip():
        raise ConfigError(f"{path}: 'extends' must name one config file (got {named!r:.40})")
    parent = path.parent / named
    seen = [p.resolve() for p in (*chain, path)]
    if parent.resolve() in seen:
        cycle = " -> ".join(str(p) for p in (*chain, path, parent))
        raise ConfigError(f"{path}: 'extends' makes a cycle ({cycle})", "remove one of the 'extends'")
    base = _read_chain(parent, (*chain, path))
    return _merge(_anchor(base, parent.resolve().parent), raw)


def load_config(path: str | Path) -> Config:
    """Read, validate and resolve the config at ``path``.

    Example: load_config("demo/config.yaml").arxiv.categories
    """
    path = Path(path)
    raw = _read_chain(path)
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{path}: {_describe(first)}{suffix}") from None
    base = path.resolve().parent
    config.source = path.resolve()
    config.list.local_copy = _resolve(config.list.local_copy, base)
    config.store.path = _resolve(config.store.path, base)
    config.classifier.model_path = _resolve(config.classifier.model_path, base)
    config.classifier.lexicon = _resolve(config.classifier.lexicon, base)
    config.classifier.background = [_resolve(p, base) for p in config.classifier.background]
    config.github.pr_template = _resolve(config.github.pr_template, base)
    config.output.path = _resolve(config.output.path, base)
    rss = config.arxiv.rss_url
    if rss.startswith("file:") and not rss.startswith("file:/"):
        config.arxiv.rss_url = f"file:{base / rss.removeprefix('file:')}"
    return config
