"""A notification's delivery status, manual retry, and previews of what each kind sends."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.notifications.schemas import NotificationOut, PreviewBody, PreviewOut
from core.identity.model import Actor
from core.notifications.customisation import TemplateKey
from core.notifications.customising import wording_of
from core.notifications.preview import preview_notification
from core.notifications.services import get_notification, retry_notification
from core.tenants.model import Tenant


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @get("/{notification_id:uuid}", summary="Get a notification and its delivery status")
    async def get_one(
        self,
        request: Request[Any, Any, Any],
        notification_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> NotificationOut:
        message = await get_notification(actor, notification_id, container_of(request).tenant_uow())
        return NotificationOut.of(message)

    @post(
        "/{notification_id:uuid}/retry",
        status_code=200,
        summary="Retry a dead or failed notification (admins)",
        description="The notification is queued again with a fresh set of attempts.",
    )
    async def retry(
        self,
        request: Request[Any, Any, Any],
        notification_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> NotificationOut:
        container = container_of(request)
        message = await retry_notification(
            actor, notification_id, container.tenant_uow(), container.clock()
        )
        return NotificationOut.of(message)

    @post(
        "/preview",
        status_code=200,
        summary="Preview what a kind of notification says",
        description="Renders the template of a kind, channel and language with example values, "
        "or with the values given; nothing is sent.",
    )
    async def preview(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PreviewBody],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
    ) -> PreviewOut:
        container = container_of(request)
        key = TemplateKey(data.kind, data.channel, data.locale)
        rendered = preview_notification(
            data.kind,
            data.channel,
            data.locale,
            data.values,
            tenant_name=tenant.display_name,
            public_url=container.settings().public_url,
            renderer=container.renderer(),
            wording=await wording_of(actor, key, container.customisation_dependencies()),
        )
        return PreviewOut.of(rendered, data.channel)
