"""The GitHub token: checked at start-up in one line that never shows it, and redacted everywhere."""

from __future__ import annotations

import io
import logging

import pytest
from arxiv_fixtures import write_config

from bot.base.config import load_config
from bot.base.errors import BotError, ConfigError, PublishError
from bot.base.redact import redact
from bot.base.secrets import github_token

SECRET = "ghp_R3alLooking70kenValue0123456789abcd"
MISPASTED = {
    "newline": SECRET[:20] + "\n" + SECRET[20:],
    "carriage-return": SECRET[:12] + "\r\n" + SECRET[12:],
    "tab": SECRET + "\t" + "more",
    "escape": SECRET[:30] + "\x1b" + SECRET[30:],  # (a NUL cannot be in an environment variable)
    "inner-space": SECRET[:25] + " " + SECRET[25:],
    "zero-width-space": SECRET[:10] + "\u200b" + SECRET[10:],
    "non-ascii": SECRET[:10] + "é" + SECRET[10:],
}


def pieces(token: str) -> list[str]:
    """The token and every run of 8 characters of it: none may appear in any output."""
    return [token] + [token[i:i + 8] for i in range(0, len(token) - 7)]


def leaked(token: str, *outputs: str) -> list[str]:
    return [p for p in pieces(token) if any(p in out for out in outputs) and p.strip() == p and p.isprintable()]


@pytest.mark.parametrize("name", list(MISPASTED))
def test_run_refuses_a_mispasted_token_in_one_line_without_showing_it(bot, tmp_path, monkeypatch, name):
    token = MISPASTED[name]
    monkeypatch.setenv("BOT_TEST_TOKEN", token)
    path = write_config(tmp_path, github__token_env="BOT_TEST_TOKEN")
    result = bot("--config", path, "run")
    assert result.exit_code == 2
    assert result.err.count("\n") == 1 and result.err.startswith("Error: the token in $BOT_TEST_TOKEN has ")
    assert not leaked(token, result.out, result.err)
    assert not (tmp_path / "papers.sqlite").exists()  # stopped before any work


@pytest.mark.parametrize("command", [("serve", "--max-runs", "1"), ("list", "check")])
def test_serve_and_list_check_refuse_a_mispasted_token_before_starting(bot, tmp_path, monkeypatch, command):
    token = MISPASTED["newline"]
    monkeypatch.setenv("BOT_TEST_TOKEN", token)
    path = write_config(tmp_path, github__token_env="BOT_TEST_TOKEN", list__local_copy=None)
    result = bot("--config", path, *command)
    assert result.exit_code == 2 and result.err.count("\n") == 1 and "$BOT_TEST_TOKEN" in result.err
    assert not leaked(token, result.out, result.err)


def test_github_token_strips_only_the_ends(tmp_path, monkeypatch):
    config = load_config(write_config(tmp_path, github__token_env="BOT_TEST_TOKEN"))
    monkeypatch.setenv("BOT_TEST_TOKEN", f"  {SECRET}\r\n")
    assert github_token(config) == SECRET
    for blank in ("", "  \n"):
        monkeypatch.setenv("BOT_TEST_TOKEN", blank)
        assert github_token(config) is None
    monkeypatch.delenv("BOT_TEST_TOKEN")
    assert github_token(config) is None
    monkeypatch.setenv("BOT_TEST_TOKEN", MISPASTED["newline"])
    with pytest.raises(ConfigError) as info:
        github_token(config)
    assert info.value.exit_code == 2 and not leaked(MISPASTED["newline"], str(info.value), info.value.one_line())


def test_token_never_appears_in_logs_or_error_messages(tmp_path, monkeypatch):
    token = "ghp_" + "Zq9" * 12
    monkeypatch.setenv("BOT_TEST_TOKEN", token)
    assert github_token(load_config(write_config(tmp_path, github__token_env="BOT_TEST_TOKEN"))) == token
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger = logging.getLogger("bot.test_secrets")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.warning("sending Authorization: token %s", token)
        logger.info(f"header {token!r}")
        try:
            raise ValueError(f"Invalid header value b'token {token}'")
        except ValueError:
            logger.exception("request crashed")
    finally:
        logger.removeHandler(handler)
    logged = stream.getvalue()
    assert "sending Authorization: token ***" in logged and "Invalid header value" in logged
    assert not leaked(token, logged)
    error = PublishError(f"GitHub refused token {token}", f"the token {token} lacks a permission")
    assert not leaked(token, str(error), error.one_line()) and "***" in error.one_line()
    assert redact(f"x{token}y") == "x***y"
    assert isinstance(error, BotError)
