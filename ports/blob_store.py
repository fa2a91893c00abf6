"""The files of a tenant as blobs: streamed in and out, described, listed, signed for clients.

Every key is relative to the tenant's directory (``tenants/<tenant id>/`` in the shared
bucket, or in the tenant's dedicated bucket) and passes ``checked_file_key`` first, so
no name a client sends can reach another tenant's files. Provider failures leave as the
errors below, never as an SDK's exception.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from core.errors import InvalidInput, NotFound, PreconditionFailed, QuotaExceeded, Unavailable
from ports.tenant_storage import checked_file_key

SHA256_METADATA = "sha256"
"""Name of the custom metadata field holding a blob's declared SHA-256 (hex)."""
MAX_SIGNED_URL_LIFETIME = timedelta(days=7)
"""The longest a signed URL may live: the limit of Cloud Storage and S3 (SigV4) alike."""


def checked_prefix(prefix: str) -> str:
    """A listing prefix: empty, or the start of a safe key (``sessions/4711/``), normalised."""
    if not prefix:
        return ""
    return checked_file_key(prefix + "_")[:-1]


def checked_lifetime(expires_in: timedelta) -> timedelta:
    """A signed URL's lifetime, refused unless between one second and seven days."""
    if not timedelta(seconds=1) <= expires_in <= MAX_SIGNED_URL_LIFETIME:
        raise InvalidInput(
            "a signed URL lives from 1 second to 7 days",
            field="expires_in",
            code="lifetime_out_of_range",
        )
    return expires_in


class BlobNotFound(NotFound):
    code = "blob_not_found"


class BlobChanged(PreconditionFailed):
    """The blob is not at the version the caller named (or exists when it should not)."""

    code = "blob_changed"


class StorageQuotaExceeded(QuotaExceeded):
    code = "storage_quota_exceeded"


class StorageUnavailable(Unavailable):
    code = "storage_unavailable"


class ChecksumMismatch(PreconditionFailed):
    """The bytes received do not have the SHA-256 the caller declared; nothing was stored."""

    code = "checksum_mismatch"


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """What a store knows of one blob.

    ``version`` is the provider's token for this content (Cloud Storage's generation, an
    S3 ETag, a local file's stamp): pass it back as ``if_version`` to change the blob only
    if nobody else did. ``sha256`` is the declared digest kept as metadata, or, right after
    ``put``, the digest of the bytes just stored.
    """

    key: str
    size: int
    content_type: str
    version: str
    updated: datetime
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class BlobPageRequest:
    """Keys are listed in byte order, after ``after`` (the previous page's ``next``)."""

    limit: int
    after: str | None = None


@dataclass(frozen=True, slots=True)
class BlobPage:
    items: list[BlobInfo]
    next: str | None


@dataclass(frozen=True, slots=True)
class SignedUrl:
    """A URL a client may use without credentials until ``expires_at``.

    ``headers`` must be sent with the request exactly as given (the content type an upload
    was signed for, a size range the provider enforces).
    """

    method: str
    url: str
    expires_at: datetime
    headers: Mapping[str, str] = field(default_factory=dict)


class BlobStore(Protocol):
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
        """Store a blob from chunks, replacing any blob of that key; never buffers it whole.

        ``sha256`` (hex) is checked against the bytes and kept as metadata; a mismatch
        raises ChecksumMismatch and stores nothing. ``if_version`` replaces only that
        version, ``if_absent`` only creates: otherwise BlobChanged. The returned info's
        ``sha256`` is the digest of the bytes stored. A reader sees the old blob or the
        new one, never half of one. Raises UnsafeFileKey, StorageQuotaExceeded,
        StorageUnavailable.
        """
        ...

    def get(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        """The blob's content in chunks; raises BlobNotFound before the first chunk."""
        ...

    async def stat(self, tenant_id: UUID, key: str) -> BlobInfo:
        """Raises BlobNotFound."""
        ...

    async def delete(self, tenant_id: UUID, key: str) -> None:
        """Remove the blob; a missing blob is not an error, so a retried delete is harmless."""
        ...

    async def list(self, tenant_id: UUID, prefix: str, page: BlobPageRequest) -> BlobPage:
        """Blobs whose key starts with ``prefix`` (``""`` for all), in key order; an empty
        page for a tenant without a directory (not provisioned yet, or purged)."""
        ...

    async def copy(self, tenant_id: UUID, source: str, target: str) -> BlobInfo:
        """Copy within the tenant's directory, metadata included; raises BlobNotFound."""
        ...

    async def upload_url(
        self,
        tenant_id: UUID,
        key: str,
        *,
        content_type: str,
        expires_in: timedelta,
        max_size: int | None = None,
    ) -> SignedUrl:
        """A PUT URL storing one blob of that content type; raises InvalidInput for a
        lifetime out of checked_lifetime's range.

        ``max_size`` is enforced where the provider can (Cloud Storage, the local store);
        S3 presigned PUTs cannot limit size, so a caller confirming an upload checks it.
        """
        ...

    async def download_url(self, tenant_id: UUID, key: str, *, expires_in: timedelta) -> SignedUrl:
        """A GET URL of the blob; the blob need not exist yet."""
        ...
