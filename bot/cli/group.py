"""The click group every command hangs on, and what the commands share: the lazily loaded
configuration, reading the list (a path, the local copy, or GitHub), dates given as options.

Example: from bot.cli.group import cli, pass_context  # then @cli.command("name") @pass_context
"""

from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING

import click

from bot.base.errors import InputError

if TYPE_CHECKING:  # the configuration is read (and its validator imported) by the commands that use it
    from bot.base.config import Config

DEFAULT_CONFIG = "config.yaml"


class Context:
    """Lazily loaded configuration shared by the commands."""

    def __init__(self, config_path: str):
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            from bot.base.config import load_config

            self._config = load_config(self.config_path)
        return self._config


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=lambda: os.environ.get("BOT_CONFIG", DEFAULT_CONFIG),
              show_default="config.yaml or $BOT_CONFIG", help="Path of the configuration file.")
@click.version_option(package_name="awesome-list-bot")
@click.pass_context
def cli(ctx: click.Context, config_path: str) -> None:
    """Keep an awesome list of papers current from arXiv.

    Example: bot list check demo/list-README.md
    """
    ctx.obj = Context(config_path)


def read_list(ctx: Context, path: str | None):
    """(the list's text, the list parsed, where it came from): PATH (no config needed), the configured
    local copy, or GitHub (read and parsed once, by the publisher)."""
    from bot.base.files import read_list_text, read_local_copy
    from bot.lists.awesome import parse

    if path is not None:
        text = read_list_text(path)
        return text, parse(text), path
    config = ctx.config
    if config.list.local_copy is None:
        from bot.base.secrets import github_token

        token = github_token(config)
        if not token:
            raise InputError("no list given, list.local_copy is not set and there is no GitHub token",
                             f"pass PATH, set list.local_copy, or set ${config.github.token_env}")
        from bot.publish.branch import GitHubPublisher

        publisher = GitHubPublisher(config, token)
        return publisher.base_text(), publisher.base_list(), f"{config.list.repo}@{config.list.branch}:{config.list.path}"
    text = read_local_copy(config)
    return text, parse(text), str(config.list.local_copy)


def parse_day(value: str | None, option: str):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date", "use YYYY-MM-DD") from None
