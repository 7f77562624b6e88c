"""What GitHub's refusals mean: a refusal (with what the token lacks), a race with someone else
(``Conflict``), a repository rule or setting (no retry), a wait GitHub asks for, a network failure
named without the request.  Used by ``github`` only; never shows the token.

Example: raise refused(exc, "read repository o/l", "o/l")  # "GitHub refused to read ...: HTTP 404 ..."
"""

from __future__ import annotations

import re
import time

from github import GithubException

from bot.base.errors import PublishError


class Refused(PublishError):
    """GitHub said no (a 4xx that is not a rate limit): ``status`` says which."""

    def __init__(self, message: str, hint: str | None = None, status: int = 0):
        super().__init__(message, hint)
        self.status = status


class Conflict(Exception):
    """Someone else (another run, a maintainer) changed the branch or the pull request meanwhile."""


def refused(exc: GithubException, what: str, repo: str) -> Refused:
    """One line for a refusal (a 4xx that is not a rate limit), with what the token may lack."""
    message = (exc.data or {}).get("message", "") if isinstance(exc.data, dict) else str(exc.data or "")
    hints = {401: "the token is missing, expired or wrong",
             403: "the token lacks permission (it needs contents: write and pull_requests: write)",
             404: f"check list.repo and list.branch, and that the token can see {repo}"}
    return Refused(f"GitHub refused to {what}: HTTP {exc.status} {message}".strip(),
                   hints.get(exc.status, "see the GitHub API documentation"), exc.status)


def retry_after(exc: GithubException) -> float | None:
    """Seconds to wait before asking again, when GitHub says so (Retry-After, a spent rate limit)."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    if headers.get("retry-after", "").isdigit():
        return float(headers["retry-after"])
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
        return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
    message = str((exc.data or {}).get("message", "")) if isinstance(exc.data, dict) else ""
    return 60.0 if exc.status == 403 and "rate limit" in message.lower() else None


RULES = re.compile(r"repository rule violations?|protected branch|reference update failed|protected ref|"
                   r"required status checks?|changes must be made through a pull request", re.IGNORECASE)
NOT_PERMITTED = re.compile(r"not permitted to create or approve pull requests", re.IGNORECASE)


def repository_rule(exc: GithubException, what: str) -> Refused | None:
    """A refusal by the repository's settings, not a race: no retry, one line that names the rule and the
    setting to change (a token's permissions would not help)."""
    detail = message_of(exc)
    if isinstance(exc.data, dict):
        detail = " ".join([detail] + [str(e.get("message", e)) if isinstance(e, dict) else str(e)
                                       for e in exc.data.get("errors", []) or []])
    detail = " ".join(detail.split())
    if exc.status in (409, 422) and RULES.search(detail):
        return Refused(f"GitHub refused to {what}: a repository rule or branch protection forbids it "
                       f"(HTTP {exc.status}: {detail[:200]})",
                       "let the bot's branch (github.branch) be written directly: exempt it or the token's "
                       "account in Settings > Rules / Branches, or set github.branch to a branch no rule covers",
                       exc.status)
    if exc.status == 403 and NOT_PERMITTED.search(detail):
        return Refused(f"GitHub refused to {what}: GitHub Actions may not open pull requests in this repository",
                       "Settings > Actions > General > Workflow permissions: tick 'Allow GitHub Actions to create "
                       "and approve pull requests' (a repository setting, not the token's permissions)",
                       exc.status)
    return None


def message_of(exc: GithubException) -> str:
    data = exc.data
    return str(data.get("message", "")) if isinstance(data, dict) else str(data or "")


def network_problem(exc: BaseException) -> str:
    """A short name for a failed connection, never the request (whose headers hold the token)."""
    name = type(exc).__name__
    reason = getattr(exc, "reason", None)
    return f"{name} ({type(reason).__name__})" if reason is not None and not isinstance(reason, str) else name
