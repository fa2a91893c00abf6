"""Tenant admins' webhook endpoints: configure, rotate the secret, test, read deliveries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.middleware.routes import idempotent
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from apps.api.webhook_endpoints.schemas import (
    CreateEndpointBody,
    DeliveryOut,
    DeliveryPage,
    EndpointOut,
    EndpointPage,
    EndpointWithSecretOut,
    UpdateEndpointBody,
)
from core.identity.model import Actor
from core.webhooks import services
from core.webhooks.services import EndpointChanges


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


class WebhookEndpointController(Controller):
    path = "/webhook-endpoints"
    tags = ["webhooks"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/",
        **idempotent(),
        summary="Create a webhook endpoint (admins)",
        description="The answer carries the signing secret (`whsec_...`) this once. A URL "
        "that is not https, or whose host resolves to a private, loopback, link-local or "
        "reserved address, is refused with 422 naming `url`.",
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CreateEndpointBody],
        actor: NamedDependency[Actor],
    ) -> EndpointWithSecretOut:
        wanted = EndpointChanges(data.url, data.description, tuple(data.event_types), data.enabled)
        deps = container_of(request).webhook_dependencies()
        return EndpointWithSecretOut.of(await services.create_endpoint(actor, wanted, deps))

    @get("/", summary="List webhook endpoints (never their secrets), oldest first")
    async def list_endpoints(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> EndpointPage:
        deps = container_of(request).webhook_dependencies()
        page = await services.list_endpoints(actor, page_request(cursor, limit), deps)
        return EndpointPage(
            items=[EndpointOut.of(e) for e in page.items], next_cursor=encode_cursor(page.next)
        )

    @get("/{endpoint_id:uuid}", summary="Get a webhook endpoint")
    async def get_endpoint(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> EndpointOut:
        deps = container_of(request).webhook_dependencies()
        return EndpointOut.of(await services.get_endpoint(actor, endpoint_id, deps))

    @patch(
        "/{endpoint_id:uuid}",
        summary="Change a webhook endpoint",
        description="Fields left out keep their value; a new URL passes the same checks.",
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: FromPath[UUID],
        data: JSONBody[UpdateEndpointBody],
        actor: NamedDependency[Actor],
    ) -> EndpointOut:
        changes = EndpointChanges(
            data.url, data.description, _tuple(data.event_types), data.enabled
        )
        deps = container_of(request).webhook_dependencies()
        return EndpointOut.of(await services.update_endpoint(actor, endpoint_id, changes, deps))

    @delete(
        "/{endpoint_id:uuid}",
        summary="Delete a webhook endpoint",
        description="Deliveries still queued for it are dropped (marked dead).",
    )
    async def delete_endpoint(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> None:
        deps = container_of(request).webhook_dependencies()
        await services.delete_endpoint(actor, endpoint_id, deps)

    @post(
        "/{endpoint_id:uuid}/rotate-secret",
        status_code=200,
        summary="Replace the endpoint's signing secret",
        description="The new secret is shown this once and signs every delivery from now "
        "on, retries of earlier events included.",
    )
    async def rotate_secret(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> EndpointWithSecretOut:
        deps = container_of(request).webhook_dependencies()
        return EndpointWithSecretOut.of(await services.rotate_secret(actor, endpoint_id, deps))

    @post(
        "/{endpoint_id:uuid}/test",
        status_code=202,
        summary="Send a webhook.test event to the endpoint",
        description="Queued like any event; its outcome shows in the delivery log. A "
        "disabled endpoint answers 409 (`webhook_endpoint_disabled`).",
    )
    async def send_test(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> DeliveryOut:
        deps = container_of(request).webhook_dependencies()
        return DeliveryOut.of(await services.send_test(actor, endpoint_id, deps))

    @get("/{endpoint_id:uuid}/deliveries", summary="The endpoint's delivery log, oldest first")
    async def deliveries(
        self,
        request: Request[Any, Any, Any],
        endpoint_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> DeliveryPage:
        deps = container_of(request).webhook_dependencies()
        page = await services.list_deliveries(actor, endpoint_id, page_request(cursor, limit), deps)
        return DeliveryPage(
            items=[DeliveryOut.of(d) for d in page.items], next_cursor=encode_cursor(page.next)
        )
