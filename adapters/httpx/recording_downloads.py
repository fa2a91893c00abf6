"""Fetching a finished recording from the URL the video provider's callback gave, streamed.

The URL is short-lived and signed by the provider (OpenTok keeps archives in its storage
for a while); no credentials of ours travel with the request. Every failure, including a
connection cut midway, becomes DownloadFailed, so the copy is retried as a whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from ports.recordings import DownloadFailed

CHUNK_BYTES = 1024 * 1024


class HttpxRecordingDownloads:
    def __init__(self, timeout_seconds: float = 30.0) -> None:
        self._timeout = httpx.Timeout(timeout_seconds)

    async def fetch(self, url: str) -> AsyncIterator[bytes]:
        if not url.startswith(("https://", "http://")):
            raise DownloadFailed("a recording is fetched over HTTP(S) only")
        try:
            async with (
                httpx.AsyncClient(timeout=self._timeout, follow_redirects=True) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code != 200:
                    raise DownloadFailed(
                        f"the recording's URL answered HTTP {response.status_code}"
                    )
                async for chunk in response.aiter_bytes(CHUNK_BYTES):
                    yield chunk
        except httpx.HTTPError as exc:
            raise DownloadFailed(f"the recording could not be fetched: {exc!r}") from exc
