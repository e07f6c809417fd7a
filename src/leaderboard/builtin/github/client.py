"""HTTP to the GitHub REST and GraphQL APIs (ECO-39): token pool, rate limits, retries.

The client knows nothing about activities: it sends one request, rotates and parks tokens on rate
limits, retries transient failures, and hands back parsed JSON or a `GitHubError` whose message is
one line of at most 200 characters naming the request. Tokens travel only in the `Authorization`
header — never in a URL, a log line or an exception — and every wait goes through the injected
`sleep` (the plugin passes `ctx.async_sleep`), so tests never wait in real time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from leaderboard import __version__

TRANSIENT_STATUS = frozenset({408, 500, 502, 503, 504, 520, 522, 524})
MAX_RETRIES = 4
DEFAULT_PARK_SECONDS = 3600.0
RATE_LIMIT_WORDS = ("rate limit", "abuse detection", "secondary rate limit")
HEADERS = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
    "User-Agent": f"contributor-leaderboard/{__version__}",
}


def one_line(text: str, limit: int = 200) -> str:
    """A log-safe description: whitespace collapsed, at most `limit` characters (ECO-39)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class GitHubError(Exception):
    """A request that failed after the retry rules; `status` is None for network/shape errors."""

    def __init__(self, request: str, message: str, status: int | None = None) -> None:
        self.request = request
        self.status = status
        self.detail = message
        super().__init__(one_line(f"{request}: {message}"))


class RateLimitWaitExceeded(GitHubError):
    """Waiting for rate limits would exceed `maxRateLimitWait`."""


class GraphQLError(GitHubError):
    """A GraphQL answer with errors (not rate limits) or without the expected data."""


@dataclass
class _Token:
    value: str
    parked_until: float = 0.0


class TokenPool:
    """Round-robin over tokens in pool order; a rate-limited token is parked until it frees."""

    def __init__(self, tokens: tuple[str, ...] | list[str]) -> None:
        if not tokens:
            raise ValueError("the token pool is empty")
        self._tokens = [_Token(t) for t in tokens]
        self._current = 0

    def __repr__(self) -> str:  # never show token values
        return f"TokenPool({len(self._tokens)} tokens)"

    @property
    def size(self) -> int:
        return len(self._tokens)

    def current(self, now: float) -> int | None:
        """Index of the token to use now, or None when every token is parked."""
        for step in range(len(self._tokens)):
            index = (self._current + step) % len(self._tokens)
            if self._tokens[index].parked_until <= now:
                self._current = index
                return index
        return None

    def value(self, index: int) -> str:
        return self._tokens[index].value

    def park(self, index: int, until: float) -> None:
        """Park token `index` and move on to the next one in pool order."""
        token = self._tokens[index]
        token.parked_until = max(token.parked_until, until)
        if self._current == index:
            self._current = (index + 1) % len(self._tokens)

    def earliest_free(self) -> float:
        return min(t.parked_until for t in self._tokens)

    def unpark_until(self, moment: float) -> None:
        """After sleeping until `moment`, tokens parked until then are free again."""
        for token in self._tokens:
            if token.parked_until <= moment:
                token.parked_until = 0.0


def _rate_limit_until(response: httpx.Response, now: float) -> float:
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        try:
            return now + max(0.0, float(retry_after))
        except ValueError:
            pass
    reset = response.headers.get("x-ratelimit-reset")
    if reset is not None:
        try:
            return float(reset)
        except ValueError:
            pass
    return now + DEFAULT_PARK_SECONDS


def _json_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        return str(body.get("message") or "")
    return ""


def _is_html(response: httpx.Response) -> bool:
    kind = response.headers.get("content-type", "").lower()
    head = response.content[:200].lstrip().lower()
    return "text/html" in kind or head.startswith((b"<!doctype html", b"<html"))


def _graphql_rate_limited(body: Any) -> bool:
    if not isinstance(body, dict):
        return False
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            continue
        if (
            error.get("type") == "RATE_LIMITED"
            or "rate limit" in str(error.get("message", "")).lower()
        ):
            return True
    return False


Sleep = Callable[[float], Awaitable[None]]


class GitHubClient:
    """One per plugin run; shared by every concurrent request so the token pool is shared."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: TokenPool,
        *,
        graphql_url: str,
        sleep: Sleep,
        logger: Any,
        max_rate_limit_wait: float = 3600.0,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.graphql_url = graphql_url
        self.sleep = sleep
        self.logger = logger
        self.max_rate_limit_wait = max_rate_limit_wait
        self.clock = clock
        self.rng = rng or random.Random()
        self.requests = 0

    async def get(self, url: str, params: dict[str, Any] | None = None) -> httpx.Response:
        """A REST GET; non-success statuses other than rate limits/transient come back as-is."""
        return await self._send("GET", url, params=params)

    async def get_json(
        self, url: str, params: dict[str, Any] | None = None
    ) -> tuple[Any, httpx.Response]:
        """A REST GET expecting 2xx JSON; raises `GitHubError` otherwise."""
        response = await self.get(url, params)
        label = describe_request("GET", url, params)
        if response.status_code >= 400:
            message = _json_message(response) or response.reason_phrase
            raise GitHubError(label, f"HTTP {response.status_code} {message}", response.status_code)
        try:
            return response.json(), response
        except ValueError as exc:
            raise GitHubError(
                label, f"response is not JSON ({exc})", response.status_code
            ) from None

    async def graphql(
        self, query: str, variables: dict[str, Any], *, name: str = "query"
    ) -> dict[str, Any]:
        """POST a GraphQL query; returns `data`; raises `GraphQLError` on errors or odd shapes."""
        body = {"query": query, "variables": variables}
        label = describe_request("POST", self.graphql_url, None, variables, name)
        response = await self._send("POST", self.graphql_url, json=body, label=label)
        if response.status_code >= 400:
            message = _json_message(response) or response.reason_phrase
            raise GraphQLError(
                label, f"HTTP {response.status_code} {message}", response.status_code
            )
        try:
            payload = response.json()
        except ValueError as exc:
            raise GraphQLError(
                label, f"response is not JSON ({exc})", response.status_code
            ) from None
        if not isinstance(payload, dict):
            raise GraphQLError(label, "response is not a JSON object")
        errors = payload.get("errors")
        if errors:
            first = errors[0] if isinstance(errors, list) and errors else errors
            kind = first.get("type") if isinstance(first, dict) else None
            text = first.get("message") if isinstance(first, dict) else first
            raise GraphQLError(label, f"GraphQL error {kind or ''} {text}".replace("  ", " "))
        data = payload.get("data")
        if not isinstance(data, dict):
            raise GraphQLError(label, "response has no data")
        return data

    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        label: str | None = None,
    ) -> httpx.Response:
        label = label or describe_request(method, url, params)
        waited = 0.0
        attempt = 0
        while True:
            now = self.clock()
            index = self.tokens.current(now)
            if index is None:
                wake = self.tokens.earliest_free()
                delay = max(0.0, wake - now) + 1.0
                if waited + delay > self.max_rate_limit_wait:
                    raise RateLimitWaitExceeded(
                        label,
                        f"rate limited; waiting {delay:.0f} s more would exceed maxRateLimitWait "
                        f"({self.max_rate_limit_wait:.0f} s)",
                        429,
                    )
                self.logger.warning(
                    f"All {self.tokens.size} GitHub token(s) are rate limited; waiting {delay:.0f} s",
                    {"request": label, "wait_seconds": round(delay)},
                )
                await self.sleep(delay)
                waited += delay
                self.tokens.unpark_until(wake)
                continue
            headers = {**HEADERS, "Authorization": f"Bearer {self.tokens.value(index)}"}
            try:
                self.requests += 1
                response = await self.http.request(
                    method, url, params=params, json=json, headers=headers
                )
            except httpx.TransportError as exc:
                if attempt >= MAX_RETRIES:
                    raise GitHubError(label, f"{type(exc).__name__}: {exc}") from None
                await self._backoff(label, f"{type(exc).__name__}: {exc}", attempt)
                attempt += 1
                continue
            if self._rate_limited(response, method):
                # At least a second: a `Retry-After: 0` answered forever must end in waits that
                # count against maxRateLimitWait, not in a busy loop.
                until = max(_rate_limit_until(response, self.clock()), self.clock() + 1.0)
                self.tokens.park(index, until)
                self.logger.info(
                    f"GitHub rate limit (HTTP {response.status_code}); token #{index + 1} of "
                    f"{self.tokens.size} parked for {max(0.0, until - self.clock()):.0f} s",
                    {"request": label},
                )
                continue
            if response.status_code in TRANSIENT_STATUS or (
                response.status_code == 200 and _is_html(response)
            ):
                if attempt >= MAX_RETRIES:
                    what = "HTML instead of JSON" if response.status_code == 200 else ""
                    raise GitHubError(
                        label,
                        f"HTTP {response.status_code} {what or response.reason_phrase} "
                        f"after {MAX_RETRIES} retries",
                        response.status_code,
                    )
                await self._backoff(label, f"HTTP {response.status_code}", attempt)
                attempt += 1
                continue
            return response

    def _rate_limited(self, response: httpx.Response, method: str) -> bool:
        status = response.status_code
        if status == 429:
            return True
        if status == 403:
            message = _json_message(response).lower()
            return any(word in message for word in RATE_LIMIT_WORDS)
        if status == 200 and method == "POST" and not _is_html(response):
            try:
                return _graphql_rate_limited(response.json())
            except ValueError:
                return False
        return False

    async def _backoff(self, label: str, reason: str, attempt: int) -> None:
        cap = min(1000.0 * 2**attempt, 30000.0)
        delay = self.rng.uniform(cap / 2, cap) / 1000.0
        self.logger.debug(
            one_line(f"Retrying {label} after {reason} in {delay:.2f} s"),
            {"attempt": attempt + 1},
        )
        await self.sleep(delay)


def describe_request(
    method: str,
    url: str,
    params: dict[str, Any] | None = None,
    variables: Any = None,
    name: str = "",
) -> str:
    """`GET /repos/o/r/commits?page=2` or `POST /graphql issues(o/r)`: what a message names."""
    parts = urlsplit(url)
    path = parts.path or "/"
    query = parts.query
    if params:
        query = "&".join(f"{k}={v}" for k, v in params.items())
    text = f"{method} {path}" + (f"?{query}" if query else "")
    if isinstance(variables, dict) and "repo" in variables:
        text += f" {name}({variables.get('owner')}/{variables.get('repo')}"
        if variables.get("cursor"):
            text += f" after {variables['cursor']}"
        text += f", pageSize {variables.get('pageSize')})"
    return text
