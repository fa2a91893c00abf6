"""Use cases on files: upload (streamed or by signed URL + confirm), list, read, download,
attach to a session, delete.

Rules: a file is stored under a key derived from its id; its content type must be one
concrete media type (never a range such as ``image/*``) on the allowlist (UnsupportedType,
415); its size must fit the file limit and the tenant's storage quota (TooLarge, 413),
checked on the size a client declares before any byte is stored and again on the bytes
really received; any failure, a client gone mid-upload included, leaves neither a blob
nor a row.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, field
from uuid import UUID

from core.errors import Forbidden, InvalidInput, NotFound
from core.files.model import (
    FileKind,
    FileNotFound,
    FileNotReady,
    FileRules,
    FileStatus,
    StoredFile,
    UploadExpired,
    UploadMissing,
    clean_name,
)
from core.identity.model import Actor, Role
from core.tenants.model import PlanLimits
from ports.blob_store import BlobNotFound, BlobStore, ChecksumMismatch, SignedUrl
from ports.byte_streams import rechunked
from ports.clock import Clock
from ports.events import Audience, Event, EventPublisher, EventsUnavailable, EventType
from ports.file_store import FileUnitOfWork, FileUnitOfWorkFactory
from ports.pagination import Page, PageRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FileDependencies:
    tenant_uow: FileUnitOfWorkFactory
    blobs: BlobStore
    clock: Clock
    rules: FileRules = field(default_factory=FileRules)
    events: EventPublisher | None = None


@dataclass(frozen=True, slots=True)
class NewFile:
    """What a client says of a file before sending it; ``size`` (the exact size, or a
    lower bound checked before any byte is read) and ``sha256`` optional."""

    name: str
    content_type: str
    kind: FileKind = FileKind.DOCUMENT
    session_id: UUID | None = None
    size: int | None = None
    sha256: str | None = None
    most: int | None = None
    """The most bytes the file can hold (a form's whole Content-Length), when known: what
    a body upload reserves of the quota, rather than all that is left."""
    content_type_field: str = "content_type"
    """The input ``content_type`` came from (a header, a form part), named in refusals."""


@dataclass(frozen=True, slots=True)
class IssuedUpload:
    file: StoredFile
    upload: SignedUrl


async def upload(
    actor: Actor,
    new: NewFile,
    chunks: AsyncIterable[bytes],
    limits: PlanLimits,
    deps: FileDependencies,
) -> StoredFile:
    """Stream ``chunks`` to the store and record the file, or store nothing at all.

    The bytes the upload may hold are reserved first (a pending row, under the tenant's
    quota lock), so two uploads racing for the last bytes of a quota cannot both pass;
    the row becomes the file once the blob is stored, and goes on any failure.
    """
    content_type, sha256 = _checked(new, deps.rules)
    reserved, used = await _reserve(actor, new, content_type, limits, deps)
    try:
        info = await deps.blobs.put(
            actor.tenant_id,
            reserved.key,
            rechunked(_limited(chunks, reserved.size, deps.rules, limits, used)),
            content_type=content_type,
            sha256=sha256,
            if_absent=True,
        )
        async with deps.tenant_uow(actor.tenant_id) as uow:
            await uow.files.lock_quota()
            if await uow.files.get(reserved.id) is None:
                raise UploadExpired("the upload outlasted its reservation; send it again")
            used = await uow.files.total_size() - reserved.size
            deps.rules.check_size(info.size, limits, used)
            stored = reserved.confirmed(info.size, info.sha256, deps.clock.now())
            await uow.files.save(stored)
            await uow.commit()
    except BaseException:
        await asyncio.shield(_unreserve(deps, actor.tenant_id, reserved))
        raise
    if stored.session_id is not None:
        await _publish_shared(deps, actor, stored)
    return stored


async def _reserve(
    actor: Actor, new: NewFile, content_type: str, limits: PlanLimits, deps: FileDependencies
) -> tuple[StoredFile, int]:
    """A pending row holding the most bytes this upload may store (its declared bound
    ``most``, else all the file limit or the quota leaves), and the bytes used before it."""
    now = deps.clock.now()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.files.lock_quota()
        await _ensure_session(uow, new.session_id)
        used = await uow.files.total_size()
        if new.size is not None:
            deps.rules.check_size(new.size, limits, used)
        limit = deps.rules.size_limit(limits, used)
        reserved = StoredFile(
            id=uuid.uuid4(),
            name=clean_name(new.name),
            kind=new.kind,
            content_type=content_type,
            size=limit if new.most is None else min(limit, new.most),
            status=FileStatus.PENDING,
            uploader_id=actor.user_id,
            created_at=now,
            updated_at=now,
            session_id=new.session_id,
            expires_at=now + deps.rules.body_upload_lease,
        )
        await uow.files.add(reserved)
        await uow.commit()
    return reserved, used


async def _unreserve(deps: FileDependencies, tenant_id: UUID, reserved: StoredFile) -> None:
    """Best effort: a row left behind expires and is swept, a blob is found by reconcile."""
    try:
        async with deps.tenant_uow(tenant_id) as uow:
            await uow.files.delete(reserved.id)
            await uow.commit()
    except Exception:
        log.exception("reservation %s of tenant %s not released", reserved.id, tenant_id)
    await _discard(deps.blobs, tenant_id, reserved.key)


async def start_upload(
    actor: Actor, new: NewFile, limits: PlanLimits, deps: FileDependencies
) -> IssuedUpload:
    """A pending file and a signed URL to PUT its bytes to; confirm_upload makes it a file.

    Uploads of the tenant whose URL expired unconfirmed are deleted on the way, so they
    stop counting against the quota; `passerelle files reconcile --repair` sweeps the rest.
    """
    content_type, _ = _checked(new, deps.rules)
    now = deps.clock.now()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.files.lock_quota()
        await _ensure_session(uow, new.session_id)
        expired = await uow.files.expired_pending(now)
        for stale in expired:
            await uow.files.delete(stale.id)
        used = await uow.files.total_size()
        deps.rules.check_size(new.size or 0, limits, used)
        pending = StoredFile(
            id=uuid.uuid4(),
            name=clean_name(new.name),
            kind=new.kind,
            content_type=content_type,
            size=new.size or 0,
            status=FileStatus.PENDING,
            uploader_id=actor.user_id,
            created_at=now,
            updated_at=now,
            sha256=new.sha256,
            session_id=new.session_id,
            expires_at=now + deps.rules.upload_url_ttl,
        )
        signed = await deps.blobs.upload_url(
            actor.tenant_id,
            pending.key,
            content_type=content_type,
            expires_in=deps.rules.upload_url_ttl,
            max_size=deps.rules.size_limit(limits, used),
        )
        await uow.files.add(pending)
        await uow.commit()
    for stale in expired:
        await _discard(deps.blobs, actor.tenant_id, stale.key)
    return IssuedUpload(pending, signed)


async def confirm_upload(
    actor: Actor, file_id: UUID, limits: PlanLimits, deps: FileDependencies
) -> StoredFile:
    """Check the blob that arrived (size, quota, type, checksum) and make the file available;
    a blob that breaks a rule is deleted with its row. Confirming twice is harmless."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        pending = await _existing(uow, file_id, ready=False)
        ensure_may_manage(actor, pending)
        if pending.available:
            return pending
        try:
            info = await deps.blobs.stat(actor.tenant_id, pending.key)
        except BlobNotFound as exc:
            raise UploadMissing("nothing was uploaded to the signed URL yet") from exc
        try:
            await uow.files.lock_quota()
            used = await uow.files.total_size() - pending.size
            deps.rules.check_size(info.size, limits, used)
            deps.rules.checked_type(info.content_type)
            digest = info.sha256 or await _digest(deps.blobs, actor.tenant_id, pending.key)
            if pending.sha256 and pending.sha256 != digest:
                raise ChecksumMismatch(
                    "the uploaded bytes do not have the declared SHA-256", field="sha256"
                )
        except Exception:
            await uow.files.delete(pending.id)
            await uow.commit()
            await _discard(deps.blobs, actor.tenant_id, pending.key)
            raise
        confirmed = pending.confirmed(info.size, digest, deps.clock.now())
        await uow.files.save(confirmed)
        await uow.commit()
    if confirmed.session_id is not None:
        await _publish_shared(deps, actor, confirmed)
    return confirmed


async def list_files(
    actor: Actor,
    page: PageRequest,
    deps: FileDependencies,
    *,
    session_id: UUID | None = None,
    kind: FileKind | None = None,
) -> Page[StoredFile]:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.files.list(page, session_id=session_id, kind=kind)


async def get_file(actor: Actor, file_id: UUID, deps: FileDependencies) -> StoredFile:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await _existing(uow, file_id, ready=False)


async def download_url(actor: Actor, file_id: UUID, deps: FileDependencies) -> SignedUrl:
    stored = await _available(actor, file_id, deps)
    return await deps.blobs.download_url(
        actor.tenant_id, stored.key, expires_in=deps.rules.download_url_ttl
    )


async def download(
    actor: Actor, file_id: UUID, deps: FileDependencies
) -> tuple[StoredFile, AsyncIterator[bytes]]:
    stored = await _available(actor, file_id, deps)
    return stored, deps.blobs.get(actor.tenant_id, stored.key)


async def attach(
    actor: Actor, file_id: UUID, session_id: UUID | None, deps: FileDependencies
) -> StoredFile:
    """Attach the file to a session (None detaches it); the session hears of it."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        stored = await _existing(uow, file_id, ready=False)
        ensure_may_manage(actor, stored)
        await _ensure_session(uow, session_id)
        changed = stored.attached(session_id, deps.clock.now())
        await uow.files.save(changed)
        await uow.commit()
    if changed.session_id is not None and changed.available:
        await _publish_shared(deps, actor, changed)
    return changed


async def delete_file(actor: Actor, file_id: UUID, deps: FileDependencies) -> None:
    """The row goes first: a blob left by a failed delete is found by reconciliation."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        stored = await _existing(uow, file_id, ready=False)
        ensure_may_manage(actor, stored)
        await uow.files.delete(file_id)
        await uow.commit()
    await _discard(deps.blobs, actor.tenant_id, stored.key)


def ensure_may_manage(actor: Actor, stored: StoredFile) -> None:
    if actor.role is not Role.ADMIN and stored.uploader_id != actor.user_id:
        raise Forbidden("only the uploader or an admin may do this", code="not_file_owner")


def _checked(new: NewFile, rules: FileRules) -> tuple[str, str | None]:
    content_type = rules.checked_type(new.content_type, new.content_type_field)
    sha256 = new.sha256.lower() if new.sha256 else None
    if sha256 is not None and (len(sha256) != 64 or not _is_hex(sha256)):
        raise InvalidInput("sha256 must be 64 hex digits", field="sha256", code="invalid_sha256")
    if new.size is not None and new.size < 0:
        raise InvalidInput("size cannot be negative", field="size", code="invalid_size")
    return content_type, sha256


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


async def _limited(
    chunks: AsyncIterable[bytes], limit: int, rules: FileRules, plan: PlanLimits, used: int
) -> AsyncIterator[bytes]:
    """Pass chunks on while counting; past ``limit``, stop the upload with the rule broken."""
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limit:
            rules.check_size(received, plan, used)
        yield chunk


async def _digest(blobs: BlobStore, tenant_id: UUID, key: str) -> str:
    hasher = hashlib.sha256()
    async for chunk in blobs.get(tenant_id, key):
        hasher.update(chunk)
    return hasher.hexdigest()


async def _discard(blobs: BlobStore, tenant_id: UUID, key: str) -> None:
    """Best effort, shielded from the cancellation of a client gone mid-upload."""
    try:
        await asyncio.shield(blobs.delete(tenant_id, key))
    except Exception:
        log.exception("blob %s of tenant %s not deleted; reconciliation will", key, tenant_id)


async def _ensure_session(uow: FileUnitOfWork, session_id: UUID | None) -> None:
    if session_id is not None and await uow.sessions.get(session_id) is None:
        raise NotFound("no such session", field="session_id", code="session_not_found")


async def _existing(uow: FileUnitOfWork, file_id: UUID, *, ready: bool) -> StoredFile:
    stored = await uow.files.get(file_id)
    if stored is None:
        raise FileNotFound("no such file", field="file_id")
    if ready and not stored.available:
        raise FileNotReady("the file's upload is not confirmed yet", field="file_id")
    return stored


async def _available(actor: Actor, file_id: UUID, deps: FileDependencies) -> StoredFile:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await _existing(uow, file_id, ready=True)


async def _publish_shared(deps: FileDependencies, actor: Actor, stored: StoredFile) -> None:
    """After the commit: a realtime outage loses the live notice, never the file."""
    if deps.events is None or stored.session_id is None:
        return
    event = Event(
        EventType.FILE_SHARED,
        actor.tenant_id,
        stored.updated_at,
        Audience(session_id=stored.session_id),
        {
            "session_id": str(stored.session_id),
            "file_id": str(stored.id),
            "name": stored.name,
            "kind": stored.kind.value,
            "content_type": stored.content_type,
            "size": stored.size,
            "uploader_id": str(stored.uploader_id) if stored.uploader_id else None,
        },
    )
    try:
        await deps.events.publish([event])
    except EventsUnavailable:
        log.warning("realtime event file.shared not published for file %s", stored.id)
