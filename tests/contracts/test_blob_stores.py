"""The blob-store contract: Cloud Storage, S3 and the local store behave alike.

Cloud Storage runs against gcp-storage-emulator, S3 against moto's server, the local store
on a temporary folder, all on 127.0.0.1. Signed URLs are fetched over plain HTTP; the
local store's links are served by the API, so here they are opened by a small ASGI app
that routes them to the real controller (see test_blob_links for expiry and tampering).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.localfs.blob_store import LocalBlobStore
from adapters.localfs.signed_links import SignedLinks
from adapters.system.clock import SystemClock
from plugins.manager import build_plugins
from plugins.registry import AdapterContext, AdapterSettingsError
from plugins.testing.blobs import PIECE, BlobStoreContract, Harness, chunks, new_tenant
from tests.support.gcs_server import DEDICATED_BUCKET, GcsPeer
from tests.support.s3_server import S3Peer

LINK_SECRET = b"k" * 32


@dataclass
class Subject(Harness):
    kind: str = ""


@pytest.fixture(params=["local", "gcs", "s3"])
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Subject]:
    kind = request.param
    if kind == "local":
        links = SignedLinks(LINK_SECRET, "http://blobs.test/api/v1/blobs", SystemClock())
        store: Any = LocalBlobStore(tmp_path / "files", links)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=_links_app(store)))
        yield Subject(store, http, kind)
        await http.aclose()
        return
    if kind == "gcs":
        peer: GcsPeer = request.getfixturevalue("gcs_server")
        store = peer.store(chunk_bytes=256 * 1024)
    else:
        s3: S3Peer = request.getfixturevalue("s3_server")
        store = s3.store(part_bytes=PIECE)
    async with httpx.AsyncClient() as http:
        yield Subject(store, http, kind)
    await store.close()


def _links_app(store: LocalBlobStore) -> Any:
    """The API's link controller on a bare app, its container reduced to the store."""
    from litestar import Litestar

    from apps.api.blobs.controller import BlobLinkController
    from apps.api.errors import EXCEPTION_HANDLERS

    class Catalog:
        async def get(self, tenant_id: uuid.UUID) -> Any:
            return _ActiveTenant()

    class Container:
        def storage(self) -> LocalBlobStore:
            return store

        def catalog(self) -> Catalog:
            return Catalog()

    app = Litestar(
        route_handlers=[BlobLinkController],
        exception_handlers=EXCEPTION_HANDLERS,
        path="/api/v1",
    )
    app.state.container = Container()
    return app


class _ActiveTenant:
    def ensure_serving(self) -> None:
        return None


class TestEveryBlobStore(BlobStoreContract):
    """The kit's contract (plugins.testing.blobs), against each built-in store."""


@pytest.mark.parametrize("kind", ["gcs", "s3"])
async def test_a_dedicated_bucket_holds_its_tenants_files(
    kind: str, request: pytest.FixtureRequest
) -> None:
    tenant = uuid.uuid4()
    peer: Any = request.getfixturevalue(f"{kind}_server")
    store: Any = peer.store(dedicated_buckets={tenant: DEDICATED_BUCKET})
    await store.ensure(tenant)
    await store.put(tenant, "own.txt", chunks(b"mine"), content_type="text/plain")

    assert f"tenants/{tenant}/own.txt" in peer.object_names(DEDICATED_BUCKET)
    assert not any(str(tenant) in name for name in peer.object_names())
    assert tenant in await store.tenant_ids()
    await store.close()


@pytest.mark.parametrize("kind", ["gcs", "s3"])
async def test_the_registry_builds_each_storage_backend_from_its_settings_block(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    peer: Any = request.getfixturevalue(f"{kind}_server")
    registry = build_plugins().adapters()
    context = AdapterContext(blocks={kind: peer.settings()}, clock=SystemClock(), data_dir=tmp_path)

    store: Any = registry.get("storage", kind).factory(context)
    tenant = await new_tenant(store)
    await store.put(tenant, "a.txt", chunks(b"x"), content_type="text/plain")

    assert [key async for key in store.keys(tenant)] == ["a.txt"]
    await store.close()
    with pytest.raises(AdapterSettingsError, match=rf"{kind}\.bucket"):
        registry.get("storage", kind).factory(
            AdapterContext(blocks={}, clock=SystemClock(), data_dir=tmp_path)
        )
