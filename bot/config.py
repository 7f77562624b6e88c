"""Loads and validates ``config.yaml`` at start-up.

Runs once per command, before anything else.  Unknown keys, wrong types and
missing values raise :class:`ConfigError` with one line naming the key.
Relative paths resolve against the folder of the config file.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError


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
    retries: int = Field(3, ge=0)
    holidays: list[date] = []

    @field_validator("rss_url")
    @classmethod
    def _has_category_placeholder(cls, value: str) -> str:
        if "{category}" not in value:
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
    backoff: float = Field(2.0, ge=0)


class StoreConfig(_Section):
    path: Path


class LexiconConfig(_Section):
    method: list[str] = Field(min_length=1)
    domain: list[str] = []
    confounder: list[str] = []

    @field_validator("method", "domain", "confounder")
    @classmethod
    def _compiles(cls, terms: list[str]) -> list[str]:
        for term in terms:
            try:
                re.compile(term)
            except re.error as exc:
                raise ValueError(f"bad regular expression {term[:40]!r}: {exc}") from None
            plain = re.sub(r"\\.", "", term)
            if "(?-i:" not in term and plain != plain.lower():
                raise ValueError(f"term {term[:40]!r} has capitals: terms match lowercased text "
                                 "(wrap case-sensitive parts in (?-i:...))")
        return terms


BUNDLED_BACKGROUND = Path(__file__).with_name("data") / "background.jsonl.gz"  # installed with the package


class ClassifierConfig(_Section):
    model_path: Path
    target_recall: float = Field(0.95, gt=0, le=1)
    background: list[Path] = Field(default_factory=lambda: [BUNDLED_BACKGROUND])  # [] for none
    lexicon: LexiconConfig


class ScheduleConfig(_Section):
    cron: str = "30 1 * * 2-6"
    timezone: str = "UTC"
    misfire_grace_seconds: int = Field(3600, ge=1)


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


PATH_KEYS = [("list", "local_copy"), ("store", "path"), ("classifier", "model_path"), ("github", "pr_template"),
             ("output", "path")]


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


def load_config(path: str | Path) -> Config:
    """Read, validate and resolve the config at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found", "pass --config PATH or create config.yaml") from None
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
        raise ConfigError(f"{path}: expected a mapping of sections (list, arxiv, store, classifier, ...)")
    if "extends" in raw:  # start from another config file (its relative paths stay relative to it)
        parent = path.parent / str(raw.pop("extends"))
        if parent.resolve() == path.resolve():
            raise ConfigError(f"{path}: 'extends' names the file itself")
        base_raw = yaml.safe_load(parent.read_text(encoding="utf-8")) if parent.is_file() else None
        if not isinstance(base_raw, dict):
            raise ConfigError(f"{path}: 'extends' names {parent}, which is missing or not a config mapping")
        base_raw.pop("extends", None)
        raw = _merge(_anchor(base_raw, parent.resolve().parent), raw)
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
    config.classifier.background = [_resolve(p, base) for p in config.classifier.background]
    config.github.pr_template = _resolve(config.github.pr_template, base)
    config.output.path = _resolve(config.output.path, base)
    rss = config.arxiv.rss_url
    if rss.startswith("file:") and not rss.startswith("file:/"):
        config.arxiv.rss_url = f"file:{base / rss.removeprefix('file:')}"
    return config
