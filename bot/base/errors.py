"""Typed errors raised by the library; the CLI turns each into one line.

Every error carries a ``hint`` (how to fix it) and an ``exit_code``: 2 for
bad input or configuration, 1 for a failure of an outside service.  Messages
never carry a secret: a token read by ``bot.base.secrets`` is redacted from them.
"""

from bot.base.redact import redact


class BotError(Exception):
    """Base class: a failure the user can understand and act on."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(redact(str(message)))
        self.hint = redact(hint) if hint else hint

    def __str__(self) -> str:
        return redact(super().__str__())

    def one_line(self) -> str:
        text = " ".join(str(self).split())
        return redact(f"{text} ({self.hint})" if self.hint else text)


class ConfigError(BotError):
    """The configuration file is missing, unreadable or invalid."""

    exit_code = 2


class ListFormatError(BotError):
    """The awesome list cannot be used as asked (unknown heading, unreadable file)."""

    exit_code = 2


class InputError(BotError):
    """A file or argument given on the command line is unusable."""

    exit_code = 2


class StoreError(BotError):
    """The paper store is not an SQLite database, is damaged, or cannot be opened."""

    exit_code = 2


class FetchError(BotError):
    """arXiv (RSS or API) failed: HTTP error, timeout, malformed response."""


class ModelError(BotError):
    """The saved classifier is missing, from another library version, or damaged."""

    exit_code = 2


class PublishError(BotError):
    """GitHub refused or failed a request while publishing."""
