"""Plugins' controllers, mounted under ``/api/v1/plugins`` behind the platform's own checks.

Every route there resolves the tenant and authenticates the caller before its handler runs,
then applies the rule the route declared (``plugins.routes.route_rule``); a route without
one is refused. A handler may take ``tenant`` and ``actor`` like the platform's handlers.
"""

from __future__ import annotations

from typing import Any, cast

from litestar import Request, Router
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler

from apps.api.dependencies import provide_actor, provide_tenant

PLUGINS_PATH = "/api/v1/plugins"


async def _checked_caller(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    request = cast("Request[Any, Any, Any]", connection)
    await provide_actor(request, await provide_tenant(request))


def plugin_router(handlers: list[object]) -> Router:
    return Router(
        path=PLUGINS_PATH,
        route_handlers=handlers,  # type: ignore[arg-type]
        guards=[_checked_caller],
        dependencies={"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)},
        security=[{"BearerAuth": []}],
        tags=["plugins"],
    )
