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

import logging
import os
import re
import threading
import traceback

MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def github_token(config) -> str | None:
    """The token in the variable named by ``config.github.token_env``, stripped at its ends;
    None when the variable is unset or blank.  ConfigError (exit 2) if it holds whitespace,
    control or non-ASCII characters inside; the message names the variable, not the token.

    Example: token = github_token(load_config("config.yaml"))  # then Auth.Token(token)
    """
    return token_from(config.github.token_env)


def token_from(name: str) -> str | None:
    """The token in the environment variable ``name``, checked as ``github_token`` does."""
    from .errors import ConfigError

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


def protect(secret: str) -> None:
    """Redact ``secret`` from log records and BotError messages from now on (with its escaped
    form and its longer pieces, as a traceback or a repr would show a token with a line break)."""
    if not secret:
        return
    forms = {secret, secret.encode("unicode_escape").decode("ascii"), repr(secret)[1:-1]}
    forms |= {piece for piece in re.split(r"[\s\x00-\x1f\x7f]+", secret) if len(piece) >= 8}
    with _lock:
        _secrets.update(form for form in forms if len(form) >= 4)
    _install_log_redaction()


def redact(text: str) -> str:
    """``text`` with every protected secret replaced by ***."""
    if not _secrets or not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: leave it to logging's own error handling
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def _install_log_redaction() -> None:
    """Redact every log record when it is made (whatever logger and handler it goes to)."""
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _secrets:
                _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
