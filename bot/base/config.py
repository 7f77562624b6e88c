"""Loads and validates ``config.yaml`` at start-up.

Runs once per command, before anything else.  Unknown keys, wrong types and
missing values raise :class:`ConfigError` with one line naming the key; so do
a file that is not UTF-8 or not YAML, an unknown ``{placeholder}`` in
``arxiv.rss_url``, a time zone that does not exist and a crontab line that
does not parse.  A config may start with ``extends: other.yaml`` (chains are
followed, a cycle is an error); relative paths resolve against the folder of
the file that wrote them.

The sections are dataclasses, read by a quick reader that vouches only for values of
exactly the declared type within their limits.  Anything else (a missing or unknown key,
a number written as a string, a value out of range, a failed check) is left to pydantic,
imported only then, over models built from the same declarations: it words every error
and makes the lenient conversions; a good config never pays for importing it.
"""

from __future__ import annotations

import math
import re
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.base.checks import branch_name, http_url, known_zone, placeholders, repo_path
from bot.base.errors import ConfigError
from classifier.files import load_yaml, no_day


def _key(default: Any = MISSING, factory: Any = MISSING, *, check=None, before=None, **limits):
    """A key with its default (none: required), pydantic's limits (ge, gt, le, min_length,
    pattern) and checks of its value: ``before`` sees it as written, ``check`` once typed."""
    return field(default=default, default_factory=factory, metadata=dict(check=check, before=before, limits=limits))


def _lexicon_is_a_file(value):
    if isinstance(value, dict):
        raise ValueError("names a lexicon YAML file (e.g. lexicon.yaml), not inline terms: move the terms "
                         "into their own file (see lexicon.yaml), or remove the key to learn the topic")
    return value


DEFAULT_CRON = "30 1 * * 2-6"  # 01:30 UTC, Tuesday to Saturday: after arXiv's announcements (Mon-Fri)


def _cron_parses(value: str) -> str:
    if value == DEFAULT_CRON:  # known to parse: the commands but `bot serve` need not import APScheduler
        return value
    from bot.base.cron import cron_fields  # the same parser `bot serve` uses

    try:
        cron_fields(value)
    except ConfigError as exc:
        raise ValueError(f"{str(exc).removeprefix(f'schedule.cron {value!r}: ')}; use crontab syntax, "
                         "e.g. '30 1 * * 2-6'") from None
    return value


@dataclass(kw_only=True)
class ListConfig:
    repo: str = _key(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    branch: str = _key("main", check=branch_name)
    path: str = _key("README.md", check=repo_path)
    local_copy: Path | None = None
    sections: list[str] | None = None


@dataclass(kw_only=True)
class ArxivConfig:
    categories: list[str] = _key(min_length=1)
    rss_url: str = _key(check=placeholders)
    api_url: str = _key(check=http_url)
    request_delay: float = _key(3.0, ge=0)
    timeout: float = _key(30.0, gt=0)
    deadline: float = _key(120.0, gt=0)
    retries: int = _key(3, ge=0)
    holidays: list[date] = _key(factory=list)


@dataclass(kw_only=True)
class GithubConfig:
    api_url: str = _key("https://api.github.com", check=http_url)
    token_env: str = "GITHUB_TOKEN"
    branch: str = _key("bot/new-papers", check=branch_name)
    labels: list[str] = _key(factory=lambda: ["new-papers", "bot"])
    max_entries: int = _key(25, ge=1)
    lookback_days: int = _key(30, ge=1)
    pr_title: str = "New papers from arXiv"
    pr_template: Path | None = None
    retries: int = _key(4, ge=0)
    timeout: float = _key(30.0, gt=0)
    deadline: float = _key(180.0, gt=0)
    backoff: float = _key(2.0, ge=0)


@dataclass(kw_only=True)
class StoreConfig:
    path: Path


BUNDLED_BACKGROUND = Path(__file__).parents[1] / "data" / "background.jsonl.gz"  # installed with the package


@dataclass(kw_only=True)
class ClassifierConfig:
    model_path: Path
    # The lexicon YAML file (what the list is about, see lexicon.yaml); None: `bot train` learns one.
    lexicon: Path | None = _key(None, before=_lexicon_is_a_file)
    target_recall: float = _key(0.95, gt=0, le=1)
    # Proposals per 1,000 feed papers; None: the smallest budget that reaches target_recall.
    proposals_per_1000: float | None = _key(None, gt=0, le=1000)
    background: list[Path] = _key(factory=lambda: [BUNDLED_BACKGROUND])  # [] for none


@dataclass(kw_only=True)
class ScheduleConfig:
    cron: str = _key(DEFAULT_CRON, check=_cron_parses)
    timezone: str = _key("UTC", check=known_zone)
    misfire_grace_seconds: int = _key(3600, ge=1)


@dataclass(kw_only=True)
class OutputConfig:
    path: Path = Path("out")


@dataclass(kw_only=True)
class Config:
    list: ListConfig
    arxiv: ArxivConfig
    github: GithubConfig = _key(factory=GithubConfig)
    store: StoreConfig
    classifier: ClassifierConfig
    schedule: ScheduleConfig = _key(factory=ScheduleConfig)
    output: OutputConfig = _key(factory=OutputConfig)
    source: Path | None = None


SECTIONS = {cls.__name__: cls for cls in (ListConfig, ArxivConfig, GithubConfig, StoreConfig, ClassifierConfig,
                                          ScheduleConfig, OutputConfig, Config)}


class _Unsure(Exception):
    """A value the quick reader does not vouch for: pydantic decides, and words the error."""


def _typed(kind: str, value):
    """``value`` as a key of type ``kind`` (its annotation) holds it, for exactly the types YAML
    gives a well-written file (no conversions that pydantic makes leniently); else _Unsure."""
    if kind.endswith(" | None"):
        return None if value is None else _typed(kind.removesuffix(" | None"), value)
    if kind.startswith("list[") and type(value) is list:
        return [_typed(kind[5:-1], item) for item in value]
    if type(value) is str and kind in ("str", "Path"):
        return value if kind == "str" else Path(value)
    if type(value) is int and kind in ("int", "float") and abs(value) < 2 ** 53:
        return value if kind == "int" else float(value)
    if (type(value) is float and kind == "float" and math.isfinite(value)) or (type(value) is date and kind == "date"):
        return value
    if type(value) is dict and kind in SECTIONS:
        return _quick(SECTIONS[kind], value)
    raise _Unsure


def _within(value, limits: dict) -> bool:
    checks = {"ge": lambda b: value >= b, "gt": lambda b: value > b, "le": lambda b: value <= b,
              "min_length": lambda b: len(value) >= b, "pattern": lambda b: "\n" not in value and re.search(b, value)}
    return all(checks[name](bound) for name, bound in limits.items())


def _quick(cls, raw: dict):
    """The section ``cls`` of a mapping whose every key is known and every value plainly right."""
    known = {spec.name: spec for spec in fields(cls)}
    if any(key not in known for key in raw):
        raise _Unsure
    values = {}
    for name, spec in known.items():
        if name not in raw:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise _Unsure
            continue
        meta = spec.metadata
        try:
            value = meta["before"](raw[name]) if meta.get("before") else raw[name]
            value = _typed(spec.type, value)
            if value is not None and not _within(value, meta.get("limits", {})):
                raise _Unsure
            values[name] = meta["check"](value) if meta.get("check") else value
        except ValueError:
            raise _Unsure from None
    return cls(**values)


@cache
def _model(cls):
    """The pydantic model of a section (extra keys forbidden, lenient types), from its dataclass."""
    from typing import get_type_hints

    from pydantic import ConfigDict, Field, create_model, field_validator

    hints, definitions, validators = get_type_hints(cls), {}, {}
    for spec in fields(cls):  # defaults are not validated: a section's default stays its dataclass
        kind, meta = _model(SECTIONS[spec.type]) if spec.type in SECTIONS else hints[spec.name], spec.metadata
        default = ({"default": spec.default} if spec.default is not MISSING else
                   {"default_factory": spec.default_factory} if spec.default_factory is not MISSING else {})
        definitions[spec.name] = (kind, Field(**default, **meta.get("limits", {})))
        for mode, check in (("before", meta.get("before")), ("after", meta.get("check"))):
            if check:
                validators[f"_{mode}_{spec.name}"] = field_validator(spec.name, mode=mode)(_of_value(check))
    return create_model(cls.__name__, __config__=ConfigDict(extra="forbid", strict=False),
                        __validators__=validators, **definitions)


def _of_value(check):  # (cls, value): pydantic reads a third parameter as its ValidationInfo
    return lambda cls, value: check(value)


def _section_of(cls, model):
    """The dataclass of a section from pydantic's model of it."""
    return cls(**{spec.name: _section_of(SECTIONS[spec.type], getattr(model, spec.name))
                  if spec.type in SECTIONS else getattr(model, spec.name) for spec in fields(cls)})


def _validated(raw: dict, path: Path) -> Config:
    """The config of a mapping: read quickly when it is plainly right, else by pydantic."""
    try:
        return _quick(Config, raw)
    except _Unsure:
        pass
    from pydantic import ValidationError

    try:
        return _section_of(Config, _model(Config).model_validate(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ConfigError(f"{path}: {_describe(first)}{suffix}") from None


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
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: bad YAML{where}: {problem}") from None
    except ValueError:  # a date that is no day: YAML names neither the line nor the value
        raise ConfigError(f"{path}: bad YAML{no_day(text) or ': a value YAML cannot read'}",
                          'write a real date, or quote the value ("2025-02-30")') from None
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
    config = _validated(_read_chain(path), path)
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
