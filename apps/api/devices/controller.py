"""The tenant's device registry: list, read, rename, revoke; a device reads its own record."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.devices.schemas import DeviceOut, DevicePage, RenameBody
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from core.devices import registry
from core.identity.model import Actor

OwnerParam = Annotated[
    UUID | None,
    QueryParameter(
        description="Only this user's devices (admins; others see their own).", required=False
    ),
]


class DeviceController(Controller):
    path = "/devices"
    tags = ["devices"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @get("/", summary="List devices, oldest first", description="Admins see every device.")
    async def list_devices(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        owner_id: OwnerParam = None,
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> DevicePage:
        deps = container_of(request).device_dependencies()
        page = await registry.list_devices(
            actor, page_request(cursor, limit), deps, owner_id=owner_id
        )
        return DevicePage(
            items=[DeviceOut.of(d) for d in page.items], next_cursor=encode_cursor(page.next)
        )

    @get(
        "/me",
        summary="The calling device's own record",
        description="Takes the device credential (`pxd_...`) as bearer token.",
    )
    async def me(self, request: Request[Any, Any, Any], actor: NamedDependency[Actor]) -> DeviceOut:
        deps = container_of(request).device_dependencies()
        return DeviceOut.of(await registry.own_device(actor, deps))

    @get("/{device_id:uuid}", summary="Get a device")
    async def get_device(
        self,
        request: Request[Any, Any, Any],
        device_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> DeviceOut:
        deps = container_of(request).device_dependencies()
        return DeviceOut.of(await registry.get_device(actor, device_id, deps))

    @patch("/{device_id:uuid}", summary="Rename a device")
    async def rename(
        self,
        request: Request[Any, Any, Any],
        device_id: FromPath[UUID],
        data: JSONBody[RenameBody],
        actor: NamedDependency[Actor],
    ) -> DeviceOut:
        deps = container_of(request).device_dependencies()
        return DeviceOut.of(await registry.rename_device(actor, device_id, data.display_name, deps))

    @post(
        "/{device_id:uuid}/revoke",
        status_code=200,
        summary="Revoke a device",
        description="Its credential stops working at once; pairing it again issues a new one.",
    )
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        device_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> DeviceOut:
        deps = container_of(request).device_dependencies()
        return DeviceOut.of(await registry.revoke_device(actor, device_id, deps))
