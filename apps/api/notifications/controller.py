"""Read a notification's delivery status."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.notifications.schemas import NotificationOut
from core.identity.model import Actor
from core.notifications.services import get_notification


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
