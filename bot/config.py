"""Loads and validates ``config.yaml`` at start-up.

Runs once per command, before anything else.  Unknown keys, wrong types and
missing values raise :class:`ConfigError` with one line naming the key.
Relative paths resolve against the folder of the config file.
"""

from __future__ import annotations

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
    pr_title: str = "New papers from arXiv"
    pr_template: Path | None = None
    retries: int = Field(4, ge=0)
    timeout: float = Field(30.0, gt=0)
    backoff: float = Field(2.0, ge=0)


class StoreConfig(_Section):
    path: Path


class ClassifierConfig(_Section):
    model_path: Path
    # The lexicon YAML file (what the list is about, see lexicon.yaml); None: `bot train` learns one.
    lexicon: Path | None = None
    target_recall: float = Field(0.95, gt=0, le=1)
    # Proposals per 1,000 feed papers; None: the smallest budget that reaches target_recall.
    proposals_per_1000: float | None = Field(None, gt=0, le=1000)
    background: list[Path] = []

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
    config.classifier.lexicon = _resolve(config.classifier.lexicon, base)
    config.classifier.background = [_resolve(p, base) for p in config.classifier.background]
    config.github.pr_template = _resolve(config.github.pr_template, base)
    config.output.path = _resolve(config.output.path, base)
    rss = config.arxiv.rss_url
    if rss.startswith("file:") and not rss.startswith("file:/"):
        config.arxiv.rss_url = f"file:{base / rss.removeprefix('file:')}"
    return config
