"""Tenant admins word their notifications (per kind, channel and language) and name the sender."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, PathParameter

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.notifications.customisation_schemas import (
    SenderBody,
    SenderOut,
    WordingBody,
    WordingOut,
    WordingPage,
)
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from core.errors import NotFound
from core.identity.model import Actor
from core.notifications import customising
from core.notifications.customisation import TemplateKey
from core.notifications.kinds import KINDS, Locale
from core.notifications.model import BUILTIN_CHANNELS, Channel

_KEY = "/{kind:str}/{channel:str}/{locale:str}"
KindPath = Annotated[
    str, PathParameter(description="A notification kind.", schema_extra={"enum": sorted(KINDS)})
]
ChannelPath = Annotated[
    str,
    PathParameter(
        description="The channel; each kind is sent on some of them (else 404).",
        schema_extra={
            "enum": sorted(
                {str(c) for k in KINDS.values() for c in k.channels if c in BUILTIN_CHANNELS}
            )
        },
    ),
]


class CustomisationController(Controller):
    path = "/notifications"
    tags = ["notifications"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @get("/wordings", summary="List the tenant's own wordings (admins)")
    async def list_wordings(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> WordingPage:
        deps = container_of(request).customisation_dependencies()
        page = await customising.list_wordings(actor, page_request(cursor, limit), deps)
        return WordingPage(
            items=[WordingOut.of(o) for o in page.items], next_cursor=encode_cursor(page.next)
        )

    @put(
        "/wordings" + _KEY,
        summary="Set the tenant's wording of a kind, channel and language (admins)",
        description="Replaces the platform's template. Refused (422, with the field) when it "
        "does not compile, uses a value the kind does not carry, or, for SMS, takes more than "
        "3 parts with the kind's example values.",
    )
    async def set_wording(
        self,
        request: Request[Any, Any, Any],
        kind: KindPath,
        channel: ChannelPath,
        locale: FromPath[Locale],
        data: JSONBody[WordingBody],
        actor: NamedDependency[Actor],
    ) -> WordingOut:
        deps = container_of(request).customisation_dependencies()
        key = _key(kind, channel, locale)
        return WordingOut.of(await customising.set_wording(actor, key, data.wording(), deps))

    @delete(
        "/wordings" + _KEY,
        status_code=204,
        summary="Go back to the platform's wording (admins)",
    )
    async def remove_wording(
        self,
        request: Request[Any, Any, Any],
        kind: KindPath,
        channel: ChannelPath,
        locale: FromPath[Locale],
        actor: NamedDependency[Actor],
    ) -> None:
        deps = container_of(request).customisation_dependencies()
        await customising.remove_wording(actor, _key(kind, channel, locale), deps)

    @get("/sender", summary="Who the tenant's notifications come from (admins)")
    async def get_sender(
        self, request: Request[Any, Any, Any], actor: NamedDependency[Actor]
    ) -> SenderOut:
        deps = container_of(request).customisation_dependencies()
        return SenderOut.of(await customising.get_sender(actor, deps))

    @put(
        "/sender",
        summary="Set the sender name, reply-to address and SMS sender id (admins)",
        description="Every field replaces the stored one; leave a field out to use the platform's.",
    )
    async def set_sender(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SenderBody],
        actor: NamedDependency[Actor],
    ) -> SenderOut:
        deps = container_of(request).customisation_dependencies()
        return SenderOut.of(await customising.set_sender(actor, data.sender(), deps))


def _key(kind: str, channel: str, locale: str) -> TemplateKey:
    """A kind not sent on a channel has no wording there: that path names nothing (404)."""
    found = KINDS.get(kind)
    parsed = next((c for c in Channel if c.value == channel), None)
    if found is None or parsed is None or parsed not in found.channels:
        raise NotFound(f"{kind} is not sent by {channel}", code="wording_not_found")
    return TemplateKey(kind, parsed, locale)
