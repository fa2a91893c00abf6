"""API keys of a tenant's integrations: created by admins, shown once, revocable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.middleware.routes import idempotent
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from apps.api.users.schemas import ApiKeyOut, ApiKeyPage, CreateApiKeyBody, CreatedApiKeyOut
from core.identity import api_keys
from core.identity.model import Actor


class ApiKeyController(Controller):
    path = "/api-keys"
    tags = ["api keys"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/",
        **idempotent(),
        summary="Create an API key",
        description="The answer carries the key's secret (`pxk_...`) this once, never again.",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CreateApiKeyBody],
        actor: NamedDependency[Actor],
    ) -> CreatedApiKeyOut:
        deps = container_of(request).identity_dependencies()
        wanted = api_keys.NewApiKey(
            name=data.name,
            scopes=frozenset(data.scopes),
            expires_in=timedelta(days=data.expires_in_days) if data.expires_in_days else None,
        )
        created = await api_keys.create_api_key(actor, wanted, deps)
        return CreatedApiKeyOut(key=ApiKeyOut.of(created.key), secret=created.plaintext)

    @get("/", summary="List API keys (never their secrets), oldest first")
    async def list_keys(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> ApiKeyPage:
        deps = container_of(request).identity_dependencies()
        page = await api_keys.list_api_keys(actor, page_request(cursor, limit), deps)
        return ApiKeyPage(
            items=[ApiKeyOut.of(k) for k in page.items], next_cursor=encode_cursor(page.next)
        )

    @post("/{key_id:uuid}/revoke", status_code=200, summary="Revoke an API key at once")
    async def revoke(
        self, request: Request[Any, Any, Any], key_id: FromPath[UUID], actor: NamedDependency[Actor]
    ) -> ApiKeyOut:
        deps = container_of(request).identity_dependencies()
        return ApiKeyOut.of(await api_keys.revoke_api_key(actor, key_id, deps))
