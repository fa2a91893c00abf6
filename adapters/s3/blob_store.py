"""Tenants' files in S3 or an S3-compatible server (MinIO) through boto3.

boto3 blocks, so every call runs in a worker thread (a boto3 client is thread-safe).
Uploads stream: a file smaller than ``part_bytes`` goes in one PUT, a larger one as a
multipart upload, one part in memory at a time; the declared SHA-256 is checked before
the upload is completed, so a mismatch (or a failing source) aborts it and stores
nothing. A version is the object's ETag, and preconditions are S3's conditional writes
(``If-Match``, ``If-None-Match: *``). Listings do not carry content types or metadata,
so each listed blob is described by a HEAD. Copies are single requests (up to 5 GiB).
Presigned PUT URLs cannot limit the size: whoever confirms an upload checks it.
"""

from __future__ import annotations

import asyncio
import builtins
import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from adapters.buckets.tenant_directories import ROOT, BucketDirectories, prefix_of
from adapters.s3.settings import S3Settings
from ports.blob_store import (
    SHA256_METADATA,
    BlobChanged,
    BlobInfo,
    BlobNotFound,
    BlobPage,
    BlobPageRequest,
    ChecksumMismatch,
    SignedUrl,
    StorageQuotaExceeded,
    StorageUnavailable,
    checked_lifetime,
    checked_prefix,
)
from ports.clock import Clock

T = TypeVar("T")
OCTET_STREAM = "application/octet-stream"
_MISSING = {"NoSuchKey", "404", "NotFound"}
_CHANGED = {"PreconditionFailed", "412", "ConditionalRequestConflict"}
_FULL = {"QuotaExceeded", "XMinioAdminBucketQuotaExceeded", "XMinioStorageFull"}


class S3BlobStore(BucketDirectories):
    def __init__(
        self, settings: S3Settings, clock: Clock, session: boto3.session.Session | None = None
    ) -> None:
        """``session``: a boto3 session to build the client from (building one loads the
        service models, about half a second); by default a new one."""
        if not settings.bucket:
            raise ValueError("s3.bucket: required")
        super().__init__(settings.bucket, settings.dedicated_buckets)
        self._settings = settings
        self._clock = clock
        secret = settings.secret_access_key
        self._client: Any = (session or boto3.session.Session()).client(
            "s3",
            endpoint_url=settings.endpoint_url,
            region_name=settings.region,
            aws_access_key_id=settings.access_key_id,
            aws_secret_access_key=secret.get_secret_value() if secret else None,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if settings.path_style else "auto"},
                connect_timeout=settings.timeout_seconds,
                read_timeout=settings.timeout_seconds,
                retries={"mode": "standard", "max_attempts": 3},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

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
        target = {"Bucket": self.bucket_of(tenant_id), "Key": self.object_name(tenant_id, key)}
        condition = {"IfNoneMatch": "*"} if if_absent else {}
        if if_version is not None:
            condition = {"IfMatch": if_version}
        described = {
            "ContentType": content_type,
            "Metadata": {SHA256_METADATA: sha256.lower()} if sha256 else {},
        }
        parts = _Parts(aiter(chunks), self._settings.part_bytes)
        first = await parts.next()
        if len(first) < self._settings.part_bytes:
            _check(parts.digest, sha256, key)
            await self._call(
                key, self._client.put_object, Body=first, **target, **described, **condition
            )
        else:
            await self._multipart(key, target, described, condition, parts, sha256)
        return replace(await self.stat(tenant_id, key), sha256=parts.digest.hexdigest())

    async def get(self, tenant_id: UUID, key: str) -> AsyncIterator[bytes]:
        answer = await self._call(
            key,
            self._client.get_object,
            Bucket=self.bucket_of(tenant_id),
            Key=self.object_name(tenant_id, key),
        )
        body = answer["Body"]
        try:
            while chunk := await self._call(key, body.read, self._settings.part_bytes):
                yield chunk
        finally:
            await asyncio.to_thread(body.close)

    async def stat(self, tenant_id: UUID, key: str) -> BlobInfo:
        name = self.object_name(tenant_id, key)
        head = await self._call(
            key, self._client.head_object, Bucket=self.bucket_of(tenant_id), Key=name
        )
        return BlobInfo(
            key=name.removeprefix(prefix_of(tenant_id)),
            size=int(head["ContentLength"]),
            content_type=head.get("ContentType") or OCTET_STREAM,
            version=head["ETag"],
            updated=head["LastModified"],
            sha256=head.get("Metadata", {}).get(SHA256_METADATA),
        )

    async def delete(self, tenant_id: UUID, key: str) -> None:
        await self._call(
            key,
            self._client.delete_object,
            Bucket=self.bucket_of(tenant_id),
            Key=self.object_name(tenant_id, key),
        )

    async def list(self, tenant_id: UUID, prefix: str, page: BlobPageRequest) -> BlobPage:
        tenant_prefix = prefix_of(tenant_id)
        answer = await self._call(
            prefix,
            self._client.list_objects_v2,
            Bucket=self.bucket_of(tenant_id),
            Prefix=tenant_prefix + checked_prefix(prefix),
            StartAfter=tenant_prefix + (page.after or ""),
            MaxKeys=page.limit + 1,
        )
        keys = [item["Key"].removeprefix(tenant_prefix) for item in answer.get("Contents", [])]
        items = [await self.stat(tenant_id, key) for key in keys[: page.limit]]
        return BlobPage(items=items, next=items[-1].key if len(keys) > page.limit else None)

    async def copy(self, tenant_id: UUID, source: str, target: str) -> BlobInfo:
        bucket = self.bucket_of(tenant_id)
        await self._call(
            source,
            self._client.copy_object,
            CopySource={"Bucket": bucket, "Key": self.object_name(tenant_id, source)},
            Bucket=bucket,
            Key=self.object_name(tenant_id, target),
            MetadataDirective="COPY",
        )
        return await self.stat(tenant_id, target)

    async def upload_url(
        self,
        tenant_id: UUID,
        key: str,
        *,
        content_type: str,
        expires_in: timedelta,
        max_size: int | None = None,
    ) -> SignedUrl:
        params = {"ContentType": content_type}
        return self._signed(tenant_id, key, "put_object", expires_in, params)

    async def download_url(self, tenant_id: UUID, key: str, *, expires_in: timedelta) -> SignedUrl:
        return self._signed(tenant_id, key, "get_object", expires_in, {})

    def _signed(
        self,
        tenant_id: UUID,
        key: str,
        operation: str,
        expires_in: timedelta,
        params: dict[str, str],
    ) -> SignedUrl:
        lifetime = checked_lifetime(expires_in)
        target = {"Bucket": self.bucket_of(tenant_id), "Key": self.object_name(tenant_id, key)}
        with _translated(key):
            url = self._client.generate_presigned_url(
                operation,
                Params={**target, **params},
                ExpiresIn=int(lifetime.total_seconds()),
            )
        method = "PUT" if operation == "put_object" else "GET"
        headers = {"Content-Type": params["ContentType"]} if "ContentType" in params else {}
        return SignedUrl(method, url, self._clock.now() + lifetime, headers)

    async def _multipart(
        self,
        key: str,
        target: dict[str, str],
        described: dict[str, Any],
        condition: dict[str, str],
        parts: _Parts,
        sha256: str | None,
    ) -> None:
        """The part ``parts`` last gave, then the others, each sent before the next is read."""
        await self._check_condition(key, target, condition)
        started = await self._call(key, self._client.create_multipart_upload, **target, **described)
        upload = {**target, "UploadId": started["UploadId"]}
        try:
            sent: builtins.list[dict[str, Any]] = []
            piece = parts.current
            while piece:
                number = len(sent) + 1
                answer = await self._call(
                    key, self._client.upload_part, Body=piece, PartNumber=number, **upload
                )
                sent.append({"PartNumber": number, "ETag": answer["ETag"]})
                piece = await parts.next()
            _check(parts.digest, sha256, key)
            await self._call(
                key,
                self._client.complete_multipart_upload,
                MultipartUpload={"Parts": sent},
                **upload,
                **condition,
            )
        except BaseException:
            await asyncio.shield(self._abort(upload))
            raise

    async def _check_condition(
        self, key: str, target: dict[str, str], condition: dict[str, str]
    ) -> None:
        """Fail before sending gigabytes: the server checks again when the upload completes."""
        if not condition:
            return
        try:
            head = await self._call(key, self._client.head_object, **target)
        except BlobNotFound:
            head = None
        if "IfNoneMatch" in condition and head is not None:
            raise BlobChanged(f"{key!r} already exists", field="key")
        if "IfMatch" in condition and (head is None or head["ETag"] != condition["IfMatch"]):
            raise BlobChanged(f"{key!r} is not at the version expected", field="key")

    async def _abort(self, upload: dict[str, str]) -> None:
        """Best effort: a bucket lifecycle rule removes uploads this could not abort."""
        try:
            await asyncio.to_thread(self._client.abort_multipart_upload, **upload)
        except (ClientError, BotoCoreError):
            return

    async def _call(self, key: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with _translated(key):
            return await asyncio.to_thread(call, *args, **kwargs)

    async def _names(self, bucket: str, prefix: str) -> AsyncIterator[str]:
        def collect() -> builtins.list[str]:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix
            )
            return [item["Key"] for page in pages for item in page.get("Contents", [])]

        for name in await self._call(prefix, collect):
            yield name

    async def _folders(self, bucket: str, prefix: str) -> builtins.list[str]:
        def collect() -> builtins.list[str]:
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix, Delimiter="/"
            )
            return [item["Prefix"] for page in pages for item in page.get("CommonPrefixes", [])]

        return await self._call(ROOT, collect)

    async def _delete_names(self, bucket: str, names: builtins.list[str]) -> None:
        for start in range(0, len(names), 1000):
            batch = [{"Key": name} for name in names[start : start + 1000]]
            await self._call(
                ROOT,
                self._client.delete_objects,
                Bucket=bucket,
                Delete={"Objects": batch, "Quiet": True},
            )

    async def _create_marker(self, bucket: str, name: str) -> None:
        await self._call(
            name,
            self._client.put_object,
            Bucket=bucket,
            Key=name,
            Body=b"",
            ContentType=OCTET_STREAM,
        )


class _Parts:
    """The stream cut into parts of exactly ``size`` bytes (the last one shorter), hashed
    as they come.

    Every part is filled into one buffer, reused for the next part once the previous one
    is sent: an upload holds one part, not a list of pieces plus their join. The buffer is
    a ``bytearray`` so botocore sends it as it is (it copies a ``bytes`` body into the
    request head before sending).
    """

    def __init__(self, stream: AsyncIterator[bytes], size: int) -> None:
        self.digest = hashlib.sha256()
        self.current = bytearray()
        self._stream = stream
        self._size = size
        self._rest = memoryview(b"")

    async def next(self) -> bytearray:
        """The next part, in the buffer the previous one was in (grown as bytes come, so a
        small file holds no more than its size); empty at the end."""
        buffer, held = self.current, 0
        while held < self._size:
            if not self._rest:
                try:
                    chunk = await anext(self._stream)
                except StopAsyncIteration:
                    break
                self.digest.update(chunk)
                self._rest = memoryview(chunk)
            taken = self._rest[: self._size - held]
            buffer[held : held + len(taken)] = taken
            held += len(taken)
            self._rest = self._rest[len(taken) :]
        if held < self._size:
            del buffer[held:]
        return buffer


def _check(digest: Any, sha256: str | None, key: str) -> None:
    if sha256 is not None and sha256.lower() != digest.hexdigest():
        raise ChecksumMismatch(f"{key!r} has SHA-256 {digest.hexdigest()}", field="sha256")


@contextmanager
def _translated(key: str) -> Iterator[None]:
    """boto3's errors as the port's; the message names the key, never the credentials."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise BlobNotFound(f"no file {key!r}", field="key") from exc
        if code in _CHANGED:
            raise BlobChanged(f"{key!r} is not at the version expected", field="key") from exc
        if code in _FULL:
            raise StorageQuotaExceeded(f"no room to store {key!r} ({code})") from exc
        raise StorageUnavailable(f"S3 refused {key!r} ({code})") from exc
    except BotoCoreError as exc:
        raise StorageUnavailable(f"S3 unreachable: {exc}") from exc
