"""The Slack Web API client (ECO-52): requests, cursors, rate limits, retries and errors.

Only HTTP lives here; what the messages mean is `queue.py` / `ingest.py`. The client is built on
`ctx.async_http`, so the run's transport (network, test transport or `--offline`) applies, and
it sleeps through `ctx.async_sleep`, so tests never wait. The token travels only in the
`Authorization` header: never in a URL, a form body, a log line or an error message.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

RATE_LIMIT_RETRIES = 5
DEFAULT_RETRY_AFTER = 30.0
TRANSIENT_RETRIES = 4
TRANSIENT_STATUS = frozenset({408, 500, 502, 503, 504, 520, 522, 524})
PAGE_LIMIT = 100
# Errors after which the next request would fail the same way (the token is bad, Slack keeps
# limiting, or Slack cannot be reached): stop at once instead of trying each channel.
FATAL_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "ratelimited",
        "request_failed",
    }
)

Sleep = Callable[[float], Awaitable[None]]
Log = Callable[[str, dict[str, Any] | None], None]


class SlackApiError(Exception):
    """`ok: false` (or a request that could not be completed): `Slack API error: <error>`."""

    def __init__(self, error: str, method: str, *, detail: str = "", channel: str | None = None):
        self.error = error
        self.method = method
        self.channel = channel
        where = method + (f", channel {channel}" if channel else "")
        text = f"Slack API error: {error} ({where}{'; ' + detail if detail else ''})"
        super().__init__(_one_line(text))

    @property
    def fatal(self) -> bool:
        return self.error in FATAL_ERRORS


def _one_line(text: str, limit: int = 200) -> str:
    collapsed = re.sub(r"\s+", " ", text).strip()
    return collapsed if len(collapsed) <= limit else collapsed[: limit - 1] + "…"


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return DEFAULT_RETRY_AFTER
    return seconds if seconds >= 0 else DEFAULT_RETRY_AFTER


def transient_delay(attempt: int, rng: random.Random) -> float:
    """ECO-39 back-off in seconds: uniform in [c/2, c], c = min(1 s × 2^attempt, 30 s)."""
    ceiling = min(1.0 * 2**attempt, 30.0)
    return rng.uniform(ceiling / 2, ceiling)


class SlackClient:
    """`call(method, form)` with retries; `history(...)` pages; `user_info(...)`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        sleep: Sleep,
        warn: Log,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.sleep = sleep
        self.warn = warn
        self.rng = rng or random.Random()

    async def call(
        self, method: str, form: dict[str, str], *, channel: str | None = None
    ) -> dict[str, Any]:
        """POST `<apiUrl>/<method>`; the parsed body when `ok` is true, else SlackApiError."""
        limited = 0
        transient = 0
        while True:
            problem: str
            try:
                response = await self.http.post(method, data=form)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                body = _json(response)
                rate_limited = response.status_code == 429 or (
                    isinstance(body, dict) and body.get("error") == "ratelimited"
                )
                if rate_limited:
                    if limited >= RATE_LIMIT_RETRIES:
                        raise SlackApiError(
                            "ratelimited",
                            method,
                            detail=f"still rate limited after {RATE_LIMIT_RETRIES} retries",
                            channel=channel,
                        )
                    limited += 1
                    wait = _retry_after(response)
                    self.warn(
                        f"Slack rate limit on {method}; waiting {wait:g} s "
                        f"(retry {limited} of {RATE_LIMIT_RETRIES})",
                        {"channel": channel} if channel else None,
                    )
                    await self.sleep(wait)
                    continue
                if response.status_code in TRANSIENT_STATUS or (
                    response.status_code == 200 and body is None
                ):
                    problem = (
                        f"HTTP {response.status_code}"
                        if response.status_code != 200
                        else "HTTP 200 with a body that is not JSON"
                    )
                elif body is None or not isinstance(body, dict):
                    raise SlackApiError(
                        f"HTTP {response.status_code}",
                        method,
                        detail="unexpected response",
                        channel=channel,
                    )
                elif body.get("ok") is True:
                    return body
                else:
                    raise SlackApiError(
                        str(body.get("error") or f"HTTP {response.status_code}"),
                        method,
                        detail=_scope_detail(body),
                        channel=channel,
                    )
            if transient >= TRANSIENT_RETRIES:
                raise SlackApiError(
                    "request_failed",
                    method,
                    detail=f"{problem}; gave up after {TRANSIENT_RETRIES} retries",
                    channel=channel,
                )
            delay = transient_delay(transient, self.rng)
            transient += 1
            self.warn(
                f"Slack {method} failed ({_one_line(problem, 120)}); retrying in {delay:.1f} s "
                f"(retry {transient} of {TRANSIENT_RETRIES})",
                {"channel": channel} if channel else None,
            )
            await self.sleep(delay)

    async def history(
        self, channel: str, oldest: str, latest: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of `conversations.history`, following `response_metadata.next_cursor`."""
        cursor = ""
        while True:
            form = {
                "channel": channel,
                "oldest": oldest,
                "latest": latest,
                "limit": str(PAGE_LIMIT),
            }
            if cursor:
                form["cursor"] = cursor
            body = await self.call("conversations.history", form, channel=channel)
            messages = body.get("messages")
            yield [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []
            meta = body.get("response_metadata")
            cursor = str(meta.get("next_cursor") or "") if isinstance(meta, dict) else ""
            if not cursor:
                return

    async def user_info(self, user_id: str) -> dict[str, Any]:
        """`users.info` for one user id: the `user` object."""
        body = await self.call("users.info", {"user": user_id})
        user = body.get("user")
        return user if isinstance(user, dict) else {}


def _json(response: httpx.Response) -> Any:
    """The JSON body, or None when it is not JSON (an HTML error page from a proxy)."""
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _scope_detail(body: dict[str, Any]) -> str:
    """`missing_scope` answers name the scope the app lacks; say which one."""
    needed = body.get("needed")
    if isinstance(needed, str) and needed:
        provided = body.get("provided")
        extra = f"; the token has: {provided}" if isinstance(provided, str) and provided else ""
        return f"the Slack app needs the {needed} scope{extra}"
    return ""
