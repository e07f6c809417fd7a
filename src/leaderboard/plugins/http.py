"""The HTTP client factory behind `ctx.http()` / `ctx.async_http()` (CORE-28).

One `HttpFactory` exists per run. Every client it creates shares one transport chosen by the
runner (network, an injected test transport, or the offline transport), so tests never patch and
`--offline` is enforced in one place. Requests are counted per plugin for the run summary.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

import httpx

from leaderboard import __version__
from leaderboard.errors import OfflineError

USER_AGENT = f"contributor-leaderboard/{__version__}"
OFFLINE_MESSAGE = "network access disabled (--offline)"


class OfflineTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Refuses every request: the transport used with `--offline`."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise OfflineError(OFFLINE_MESSAGE)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise OfflineError(OFFLINE_MESSAGE)


class _Counting(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Forwards to the shared transport and counts; never closes it (the factory owns it)."""

    def __init__(self, factory: HttpFactory, plugin_id: str) -> None:
        self._factory = factory
        self._plugin_id = plugin_id

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._factory.count(self._plugin_id)
        return self._factory.sync_transport.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._factory.count(self._plugin_id)
        transport = self._factory.async_transport
        if transport is None:  # a sync-only injected transport: run it inline
            response = self._factory.sync_transport.handle_request(request)
            content = response.read()
            return httpx.Response(
                response.status_code,
                headers=response.headers,
                content=content,
                request=request,
                extensions=response.extensions,
            )
        return await transport.handle_async_request(request)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


class HttpFactory:
    """Creates httpx clients for plugins; `transport` overrides the network (tests), `offline` wins."""

    def __init__(self, *, transport: Any = None, offline: bool = False) -> None:
        self.offline = offline
        self.requests: Counter[str] = Counter()
        self._count_lock = threading.Lock()  # sync plugins count from worker threads (CORE-25)
        self._owned: list[Any] = []
        if offline:
            shared: Any = OfflineTransport()
            self.sync_transport: httpx.BaseTransport = shared
            self.async_transport: httpx.AsyncBaseTransport | None = shared
        elif transport is not None:
            self.sync_transport = transport
            self.async_transport = transport if hasattr(transport, "handle_async_request") else None
        else:
            self.sync_transport = httpx.HTTPTransport()
            self.async_transport = httpx.AsyncHTTPTransport()
            self._owned = [self.sync_transport, self.async_transport]

    def count(self, plugin_id: str) -> None:
        with self._count_lock:
            self.requests[plugin_id] += 1

    def request_count(self, plugin_id: str) -> int:
        with self._count_lock:
            return self.requests[plugin_id]

    @staticmethod
    def _headers(headers: Mapping[str, str] | None) -> dict[str, str]:
        merged = {"User-Agent": USER_AGENT}
        merged.update(headers or {})
        return merged

    def client(
        self,
        plugin_id: str,
        base_url: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> httpx.Client:
        """A sync client for `plugin_id` (redirects followed, TLS verified, HTTP/1.1)."""
        return httpx.Client(
            base_url=base_url or "",
            headers=self._headers(headers),
            timeout=timeout,
            follow_redirects=True,
            transport=_Counting(self, plugin_id),
        )

    def async_client(
        self,
        plugin_id: str,
        base_url: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> httpx.AsyncClient:
        """An async client for `plugin_id`, sharing the same transport and counters."""
        return httpx.AsyncClient(
            base_url=base_url or "",
            headers=self._headers(headers),
            timeout=timeout,
            follow_redirects=True,
            transport=_Counting(self, plugin_id),
        )

    def close(self) -> None:
        """Close the network transports this factory created (injected ones belong to the caller)."""
        for transport in self._owned:
            if isinstance(transport, httpx.HTTPTransport):
                transport.close()
        self._owned = []
