"""The GitHub token: read once, checked at start-up, and kept out of every output.

Runs at the start of the commands that talk to GitHub (``bot run``, ``bot
serve``, and the commands that read the list from GitHub).  The token comes
from the environment variable named by ``github.token_env``; whitespace at its
ends is dropped (a trailing newline is common), anything else odd inside it (a
line break, a tab, a NUL, a non-ASCII character: a mis-pasted secret) stops
the bot with one line naming the variable, never the token.  A token that was
read is redacted from every log record and every :class:`BotError` message,
so it appears in no output even when something else goes wrong.
"""

from __future__ import annotations

import os

from bot.base.errors import ConfigError
from bot.base.redact import protect


def github_token(config) -> str | None:
    """The token in the variable named by ``config.github.token_env``, stripped at its ends;
    None when the variable is unset or blank.  ConfigError (exit 2) if it holds whitespace,
    control or non-ASCII characters inside; the message names the variable, not the token.

    Example: token = github_token(load_config("config.yaml"))  # then Auth.Token(token)
    """
    return token_from(config.github.token_env)


def token_from(name: str) -> str | None:
    """The token in the environment variable ``name``, checked as ``github_token`` does."""
    token = os.environ.get(name, "").strip()
    if not token:
        return None
    protect(token)  # before anything can print it
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        problem = "whitespace or a control character (a line break, a tab, a NUL, ...) inside it"
    elif not token.isascii():
        problem = "a non-ASCII character inside it"
    else:
        return token
    raise ConfigError(f"the token in ${name} has {problem}: it is not usable",
                      f"a mis-pasted secret? set ${name} to the token alone, on one line")
