"""Redaction: a secret once protected is replaced by *** in every log record and every error message.

Imports nothing of the bot (the errors module uses it), so every layer can redact.

Example: protect(token); redact(f"failed with {token}") == "failed with ***"
"""

from __future__ import annotations

import logging
import re
import threading
import traceback

MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


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
