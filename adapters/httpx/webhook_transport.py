"""POSTing webhook deliveries to the address the SSRF guard vetted, never another.

Resolving the host again at connect time could give another answer (DNS rebinding), so
the connection goes to the vetted IP while the Host header and the TLS server name (SNI,
certificate check) stay the URL's host. httpcore (httpx's engine) takes a network
backend, which is where the address is pinned. No redirect is followed (httpcore never
follows one), nothing is retried here (the outbox retries), every phase has a short
timeout, and no more than an excerpt of the answer is read.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from urllib.parse import urlsplit

import httpcore

from ports.webhooks import WebhookRequest, WebhookResponse, WebhookUnreachable

EXCERPT_BYTES = 1024
_FAILURES = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    ssl.SSLError,
    OSError,
)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects every TCP connection to one address, whatever host it was asked for."""

    def __init__(self, address: str) -> None:
        self._address = address
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_tcp(
            self._address,
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedWebhookTransport:
    def __init__(self, timeout_seconds: float = 10.0, ssl_context: ssl.SSLContext | None = None):
        self._timeout = timeout_seconds
        self._ssl_context = ssl_context or ssl.create_default_context()

    async def post(self, request: WebhookRequest) -> WebhookResponse:
        timeouts = dict.fromkeys(("connect", "read", "write", "pool"), self._timeout)
        headers: list[tuple[bytes | str, bytes | str]] = [
            *request.headers.items(),
            ("host", urlsplit(request.url).netloc),
            ("content-length", str(len(request.body))),
        ]
        try:
            async with (
                httpcore.AsyncConnectionPool(
                    ssl_context=self._ssl_context,
                    network_backend=_PinnedBackend(request.address),
                    max_connections=1,
                ) as pool,
                pool.stream(
                    "POST",
                    request.url,
                    headers=headers,
                    content=request.body,
                    extensions={"timeout": timeouts},
                ) as response,
            ):
                excerpt = await _excerpt(response)
        except _FAILURES as exc:
            raise WebhookUnreachable(f"no answer from the endpoint: {exc!r}") from exc
        return WebhookResponse(status_code=response.status, excerpt=excerpt)


async def _excerpt(response: httpcore.Response) -> str:
    """The start of the answer; the rest is left unread (the connection is dropped)."""
    kept = b""
    async for chunk in response.aiter_stream():
        kept += chunk
        if len(kept) >= EXCERPT_BYTES:
            break
    return kept[:EXCERPT_BYTES].decode("utf-8", errors="replace")
