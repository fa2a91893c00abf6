"""File rules and use cases on fakes: names, types, limits, quota, confirm, reconcile."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from adapters.memory.clock import FixedClock
from core.errors import Forbidden
from core.files import reconcile as reconciling
from core.files import services
from core.files.model import (
    ContentTypeRefused,
    FileRules,
    FileStatus,
    FileTooLarge,
    InvalidContentType,
    StorageQuotaReached,
    UploadExpired,
    clean_name,
    served_type,
)
from core.identity.model import Actor, Role
from core.tenants.model import PlanLimits
from tests.unit.file_support import MOMENT, MemoryBlobs, MemoryFileUnitOfWork

TENANT = uuid.UUID("00000000-0000-4000-8000-0000000000f1")
RULES = FileRules(allowed_types=frozenset({"image/*", "application/pdf"}), max_file_bytes=100)


@pytest.fixture
def world() -> dict[str, Any]:
    uow = MemoryFileUnitOfWork()
    blobs = MemoryBlobs()
    deps = services.FileDependencies(
        tenant_uow=uow, blobs=blobs, clock=FixedClock(MOMENT), rules=RULES
    )
    return {"uow": uow, "blobs": blobs, "deps": deps}


def actor(role: Role = Role.EXPERT) -> Actor:
    return Actor(tenant_id=TENANT, user_id=uuid.uuid4(), role=role)


async def body(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def pdf(size: int | None = None) -> services.NewFile:
    return services.NewFile(name="a.pdf", content_type="application/pdf", size=size)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../x.pdf", "x.pdf"),
        ("C:\\Users\\x.pdf", "x.pdf"),
        ("\u2025/\uff0e\uff0e\uff0fy.pdf", "y.pdf"),
        ("\x00\x1f", "file"),
        ("...hidden", "hidden"),
        ("", "file"),
    ],
)
def test_names_keep_only_a_clean_last_segment(given: str, shown: str) -> None:
    assert clean_name(given) == shown


def test_a_type_family_allows_its_members_only() -> None:
    assert RULES.checked_type("IMAGE/PNG; x=y") == "image/png"
    with pytest.raises(ContentTypeRefused):
        RULES.checked_type("text/html")


@pytest.mark.parametrize(
    "given",
    ["image/*", "*/*", "*/png", "image/*+xml", "image/", "/png", "image", "image/png/x", "a b/c"],
)
def test_a_media_range_or_an_unparsable_type_is_no_files_type(given: str) -> None:
    with pytest.raises(InvalidContentType) as refused:
        RULES.checked_type(given, field="Content-Type")
    assert (refused.value.code, refused.value.field) == ("invalid_content_type", "Content-Type")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("image/svg+xml", "image/svg+xml"),
        ("Image/PNG ; q=1;;", "image/png"),
        ('application/pdf; name="a \\"b\\" ;c"', "application/pdf"),
    ],
)
def test_a_concrete_type_keeps_its_type_and_subtype(given: str, kept: str) -> None:
    assert RULES.checked_type(given) == kept


async def test_no_upload_path_stores_a_media_range(world: dict[str, Any]) -> None:
    new = services.NewFile(name="a.png", content_type="image/*", size=3, content_type_field="file")
    with pytest.raises(InvalidContentType) as refused:
        await services.upload(actor(), new, body(b"png"), PlanLimits(), world["deps"])
    assert refused.value.field == "file"
    with pytest.raises(InvalidContentType):
        await services.start_upload(
            actor(), replace(new, content_type="*/*"), PlanLimits(), world["deps"]
        )
    assert world["blobs"].blobs == {}
    assert world["uow"].committed == {}


def test_a_stored_media_range_is_served_as_octet_stream() -> None:
    assert served_type("image/*") == "application/octet-stream"
    assert served_type("") == "application/octet-stream"
    assert served_type("image/png") == "image/png"


async def test_an_upload_past_the_limit_stores_neither_blob_nor_row(world: dict[str, Any]) -> None:
    with pytest.raises(FileTooLarge):
        await services.upload(
            actor(), pdf(), body(b"x" * 60, b"x" * 60), PlanLimits(), world["deps"]
        )
    assert world["blobs"].blobs == {}
    assert world["uow"].committed == {}


async def test_the_quota_counts_what_is_stored(world: dict[str, Any]) -> None:
    limits = PlanLimits(storage_quota_bytes=100)
    await services.upload(actor(), pdf(), body(b"x" * 70), limits, world["deps"])
    with pytest.raises(StorageQuotaReached):
        await services.upload(actor(), pdf(40), body(b"x" * 40), limits, world["deps"])
    assert len(world["blobs"].blobs) == 1


async def test_a_signed_upload_is_available_only_once_confirmed(world: dict[str, Any]) -> None:
    uploader = actor()
    issued = await services.start_upload(uploader, pdf(5), PlanLimits(), world["deps"])
    assert issued.file.status is FileStatus.PENDING
    await world["blobs"].put(
        TENANT, issued.file.key, body(b"12345"), content_type="application/pdf"
    )
    with pytest.raises(Forbidden):
        await services.confirm_upload(actor(), issued.file.id, PlanLimits(), world["deps"])
    confirmed = await services.confirm_upload(uploader, issued.file.id, PlanLimits(), world["deps"])
    assert (confirmed.status, confirmed.size) == (FileStatus.AVAILABLE, 5)


async def test_a_confirmed_blob_of_a_refused_type_is_deleted_with_its_row(
    world: dict[str, Any],
) -> None:
    uploader = actor()
    issued = await services.start_upload(uploader, pdf(5), PlanLimits(), world["deps"])
    await world["blobs"].put(TENANT, issued.file.key, body(b"<html>"), content_type="text/html")
    with pytest.raises(ContentTypeRefused):
        await services.confirm_upload(uploader, issued.file.id, PlanLimits(), world["deps"])
    assert world["blobs"].blobs == {}
    assert world["uow"].committed == {}


async def test_reconcile_finds_both_kinds_of_orphans_and_expired_uploads(
    world: dict[str, Any],
) -> None:
    kept = await services.upload(actor(), pdf(), body(b"kept"), PlanLimits(), world["deps"])
    lost = await services.upload(actor(), pdf(), body(b"lost"), PlanLimits(), world["deps"])
    await world["blobs"].delete(TENANT, lost.key)
    await world["blobs"].put(TENANT, "files/not-a-file", body(b"?"), content_type="text/plain")
    issued = await services.start_upload(actor(), pdf(1), PlanLimits(), world["deps"])
    later = MOMENT + RULES.upload_url_ttl + timedelta(seconds=1)

    found = await reconciling.reconcile(
        TENANT, world["uow"], world["blobs"], later, repair=True, grace=timedelta(0)
    )

    assert [b.key for b in found.orphan_blobs] == ["files/not-a-file"]
    assert [f.id for f in found.missing_blobs] == [lost.id]
    assert [f.id for f in found.expired_uploads] == [issued.file.id]
    assert found.repaired == 3
    assert list(world["uow"].committed) == [kept.id]
    assert list(world["blobs"].blobs) == [kept.key]


async def test_starting_an_upload_sweeps_the_tenants_expired_ones(world: dict[str, Any]) -> None:
    limits = PlanLimits(storage_quota_bytes=100)
    stale = await services.start_upload(actor(), pdf(80), limits, world["deps"])
    with pytest.raises(StorageQuotaReached):
        await services.start_upload(actor(), pdf(80), limits, world["deps"])
    later = services.FileDependencies(
        tenant_uow=world["uow"],
        blobs=world["blobs"],
        clock=FixedClock(MOMENT + RULES.upload_url_ttl + timedelta(seconds=1)),
        rules=RULES,
    )
    fresh = await services.start_upload(actor(), pdf(80), limits, later)
    assert list(world["uow"].committed) == [fresh.file.id]
    assert stale.file.id not in world["uow"].committed


async def test_the_worker_removes_expired_uploads_and_their_blobs(world: dict[str, Any]) -> None:
    issued = await services.start_upload(actor(), pdf(4), PlanLimits(), world["deps"])
    await world["blobs"].put(TENANT, issued.file.key, body(b"half"), content_type="application/pdf")
    later = MOMENT + RULES.upload_url_ttl + timedelta(seconds=1)
    assert await reconciling.expire_uploads(TENANT, world["uow"], world["blobs"], MOMENT) == 0
    assert await reconciling.expire_uploads(TENANT, world["uow"], world["blobs"], later) == 1
    assert world["uow"].committed == {}
    assert world["blobs"].blobs == {}


async def test_an_upload_in_progress_holds_exactly_what_it_reserved(world: dict[str, Any]) -> None:
    limits = PlanLimits(storage_quota_bytes=100)
    refused: list[int] = []

    async def first_body() -> AsyncIterator[bytes]:
        yield b"x" * 30
        for size in (41, 40):
            try:
                await services.upload(actor(), pdf(size), body(b"y" * size), limits, world["deps"])
            except StorageQuotaReached:
                refused.append(size)
        yield b"x" * 30

    first = replace(pdf(60), most=60)
    await services.upload(actor(), first, first_body(), limits, world["deps"])
    assert refused == [41]
    assert sorted(f.size for f in world["uow"].committed.values()) == [40, 60]


async def test_an_upload_whose_reservation_was_swept_meanwhile_stores_nothing(
    world: dict[str, Any],
) -> None:
    async def slow_body() -> AsyncIterator[bytes]:
        yield b"x" * 10
        later = MOMENT + RULES.body_upload_lease + timedelta(seconds=1)
        assert await reconciling.expire_uploads(TENANT, world["uow"], world["blobs"], later) == 1
        yield b"x" * 10

    with pytest.raises(UploadExpired):
        await services.upload(actor(), pdf(), slow_body(), PlanLimits(), world["deps"])
    assert world["blobs"].blobs == {}
    assert world["uow"].committed == {}
