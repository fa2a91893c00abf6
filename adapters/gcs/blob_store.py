"""Tenants' files in Cloud Storage through the google-cloud-storage SDK.

The SDK blocks (requests), so every call runs in a worker thread. Uploads are resumable
uploads in pieces of ``chunk_bytes`` read from the caller's stream (``ChunkReader``), so
no file is held whole in memory; a version is the object's generation, and preconditions
are Cloud Storage's ``ifGenerationMatch`` (0: only if absent). Uploads are never retried
by the SDK: a stream cannot be replayed. Signed URLs are V4, signed offline with the
service-account key; Google's errors leave as the port's errors.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import requests
from google.api_core import exceptions as google_errors
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError
from google.cloud import storage  # type: ignore[import-untyped]
from google.oauth2 import service_account

from adapters.buckets.tenant_directories import ROOT, BucketDirectories, prefix_of
from adapters.gcs.chunk_reader import ChunkReader
from adapters.gcs.settings import GcsSettings
from ports.blob_store import (
    SHA256_METADATA,
    BlobChanged,
    BlobInfo,
    BlobNotFound,
    BlobPage,
    BlobPageRequest,
    SignedUrl,
    StorageQuotaExceeded,
    StorageUnavailable,
    checked_lifetime,
    checked_prefix,
)
from ports.clock import Clock

T = TypeVar("T")
OCTET_STREAM = "application/octet-stream"


class GcsBlobStore(BucketDirectories):
    def __init__(self, settings: GcsSettings, clock: Clock) -> None:
        if not settings.bucket:
            raise ValueError("gcs.bucket: required")
        super().__init__(settings.bucket, settings.dedicated_buckets)
        self._settings = settings
        self._clock = clock
        key_file = str(settings.credentials_file) if settings.credentials_file else None
        try:
            self._signer = (
                service_account.Credentials.from_service_account_file(key_file)  # type: ignore[no-untyped-call]
                if key_file
                else None
            )
            credentials = (
                AnonymousCredentials()  # type: ignore[no-untyped-call]
                if settings.anonymous
                else service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                    key_file, scopes=["https://www.googleapis.com/auth/devstorage.read_write"]
                )
                if key_file
                else None
            )
            self._client = storage.Client(
                project=settings.project or ("emulator" if settings.anonymous else None),
                credentials=credentials,
                client_options={"api_endpoint": settings.endpoint} if settings.endpoint else None,
            )
        except (OSError, ValueError, GoogleAuthError) as exc:
            raise ValueError(f"gcs.credentials_file: unusable: {exc}") from exc

    async def close(self) -> None:
        await asyncio.to_thread(self._client.close)

    async def put(
        self,
        tenant_id: UUID,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str,
        sha256: str | None = None,
        if_version: str | None = None,
        if_absent: bool = False,
    ) -> BlobInfo:
        blob = self._blob(tenant_id, key, chunk_size=self._settings.chunk_bytes)
        if sha256 is not None:
            blob.metadata = {SHA256_METADATA: sha256.lower()}
        reader = ChunkReader(chunks, asyncio.get_running_loop(), sha256)
        generation = 0 if if_absent else _generation(if_version, key)
        await self._call(
            key,
            blob.upload_from_file,
            reader,
            content_type=content_type,
            if_generation_match=generation,
            timeout=self._settings.timeout_seconds,
            retry=None,
        )
        return replace(_info(blob, prefix_of(tenant_id)), sha256=reader.sha256)

    async def get(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        blob = self._blob(tenant_id, key)
        reader = await self._call(
            key, blob.open, "rb", chunk_size=self._settings.chunk_bytes, raw_download=True
        )
        try:
            while chunk := await self._call(key, reader.read, self._settings.chunk_bytes):
                yield chunk
        finally:
            await asyncio.to_thread(reader.close)

    async def stat(self, tenant_id: UUID, key: str) -> BlobInfo:
        blob = self._blob(tenant_id, key)
        await self._call(key, blob.reload, timeout=self._settings.timeout_seconds)
        return _info(blob, prefix_of(tenant_id))

    async def delete(self, tenant_id: UUID, key: str) -> None:
        blob = self._blob(tenant_id, key)
        try:
            await self._call(key, blob.delete, timeout=self._settings.timeout_seconds)
        except BlobNotFound:
            return

    async def list(self, tenant_id: UUID, prefix: str, page: BlobPageRequest) -> BlobPage:
        tenant_prefix = prefix_of(tenant_id)
        full = tenant_prefix + checked_prefix(prefix)
        after = tenant_prefix + page.after if page.after is not None else None

        def collect() -> builtins.list[Any]:
            found = []
            for blob in self._client.list_blobs(
                self.bucket_of(tenant_id),
                prefix=full,
                start_offset=after,
                page_size=page.limit + 1,
                timeout=self._settings.timeout_seconds,
            ):
                if blob.name == tenant_prefix or (after is not None and blob.name <= after):
                    continue
                found.append(blob)
                if len(found) > page.limit:
                    break
            return found

        found = await self._call(prefix, collect)
        items = [_info(blob, tenant_prefix) for blob in found[: page.limit]]
        return BlobPage(items=items, next=items[-1].key if len(found) > page.limit else None)

    async def copy(self, tenant_id: UUID, source: str, target: str) -> BlobInfo:
        origin, blob = self._blob(tenant_id, source), self._blob(tenant_id, target)

        def rewrite() -> None:
            token, _, _ = blob.rewrite(origin, timeout=self._settings.timeout_seconds)
            while token is not None:
                token, _, _ = blob.rewrite(
                    origin, token=token, timeout=self._settings.timeout_seconds
                )

        await self._call(source, rewrite)
        return _info(blob, prefix_of(tenant_id))

    async def upload_url(
        self,
        tenant_id: UUID,
        key: str,
        *,
        content_type: str,
        expires_in: timedelta,
        max_size: int | None = None,
    ) -> SignedUrl:
        headers = {"Content-Type": content_type}
        if max_size is not None:
            headers["x-goog-content-length-range"] = f"0,{max_size}"
        return self._signed(tenant_id, key, "PUT", expires_in, headers)

    async def download_url(self, tenant_id: UUID, key: str, *, expires_in: timedelta) -> SignedUrl:
        return self._signed(tenant_id, key, "GET", expires_in, {})

    def _signed(
        self, tenant_id: UUID, key: str, method: str, expires_in: timedelta, headers: dict[str, str]
    ) -> SignedUrl:
        lifetime = checked_lifetime(expires_in)
        if self._signer is None:
            raise StorageUnavailable(
                "signed URLs need a service-account key (gcs.credentials_file)"
            )
        blob = self._blob(tenant_id, key)
        extra = {name: value for name, value in headers.items() if name != "Content-Type"}
        url = blob.generate_signed_url(
            version="v4",
            expiration=lifetime,
            method=method,
            content_type=headers.get("Content-Type"),
            headers=extra or None,
            credentials=self._signer,
            api_access_endpoint=self._settings.endpoint or "https://storage.googleapis.com",
        )
        return SignedUrl(method, url, self._clock.now() + lifetime, headers)

    def _blob(self, tenant_id: UUID, key: str, chunk_size: int | None = None) -> Any:
        bucket = self._client.bucket(self.bucket_of(tenant_id))
        return bucket.blob(self.object_name(tenant_id, key), chunk_size=chunk_size)

    async def _call(self, key: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with _translated(key):
            return await asyncio.to_thread(call, *args, **kwargs)

    async def _names(self, bucket: str, prefix: str) -> AsyncIterator[str]:
        def collect() -> builtins.list[str]:
            return [
                blob.name
                for blob in self._client.list_blobs(
                    bucket, prefix=prefix, timeout=self._settings.timeout_seconds
                )
            ]

        for name in await self._call(prefix, collect):
            yield name

    async def _folders(self, bucket: str, prefix: str) -> builtins.list[str]:
        def collect() -> builtins.list[str]:
            listing = self._client.list_blobs(
                bucket, prefix=prefix, delimiter="/", timeout=self._settings.timeout_seconds
            )
            for _ in listing:
                continue
            return sorted(listing.prefixes)

        return await self._call(ROOT, collect)

    async def _delete_names(self, bucket: str, names: builtins.list[str]) -> None:
        def remove() -> None:
            handle = self._client.bucket(bucket)
            for name in names:
                try:
                    handle.blob(name).delete(timeout=self._settings.timeout_seconds)
                except google_errors.NotFound:
                    continue

        await self._call(ROOT, remove)

    async def _create_marker(self, bucket: str, name: str) -> None:
        blob = self._client.bucket(bucket).blob(name)
        await self._call(
            name,
            blob.upload_from_string,
            b"",
            content_type=OCTET_STREAM,
            timeout=self._settings.timeout_seconds,
        )


@contextmanager
def _translated(key: str) -> Iterator[None]:
    """Google's and the transport's errors as the port's; the message names the key."""
    try:
        yield
    except google_errors.NotFound as exc:
        raise BlobNotFound(f"no file {key!r}", field="key") from exc
    except google_errors.PreconditionFailed as exc:
        raise BlobChanged(f"{key!r} is not at the version expected", field="key") from exc
    except google_errors.TooManyRequests as exc:
        raise StorageUnavailable(f"Cloud Storage is throttling requests: {exc.message}") from exc
    except google_errors.GoogleAPICallError as exc:
        if "quota" in str(exc.message).lower():
            raise StorageQuotaExceeded(f"Cloud Storage quota exceeded: {exc.message}") from exc
        raise StorageUnavailable(f"Cloud Storage refused {key!r}: {exc.message}") from exc
    except (requests.RequestException, GoogleAuthError, ConnectionError, TimeoutError) as exc:
        raise StorageUnavailable(f"Cloud Storage unreachable: {exc}") from exc


def _generation(version: str | None, key: str) -> int | None:
    if version is None:
        return None
    try:
        return int(version)
    except ValueError:
        raise BlobChanged(f"{key!r} is not at version {version!r}", field="key") from None


def _info(blob: Any, tenant_prefix: str) -> BlobInfo:
    return BlobInfo(
        key=blob.name.removeprefix(tenant_prefix),
        size=int(blob.size or 0),
        content_type=blob.content_type or OCTET_STREAM,
        version=str(blob.generation),
        updated=blob.updated,
        sha256=(blob.metadata or {}).get(SHA256_METADATA),
    )
