"""Guests join from their invitation link, without an account, and leave with the pass of
their join answer."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from apps.api.auth.guest_callers import provide_guest
from apps.api.dependencies import container_of, provide_tenant
from apps.api.sessions.call_schemas import GuestJoinBody
from apps.api.sessions.schemas import JoinOut
from core.realtime.access import Guest
from core.sessions import guests
from core.tenants.model import Tenant


class GuestController(Controller):
    path = "/guest"
    tags = ["sessions"]
    dependencies = {"tenant": Provide(provide_tenant)}

    @post(
        "/join",
        status_code=200,
        summary="Join a session as a guest",
        description=(
            "Exchanges the token of an invitation link (single use, expiring, revocable) "
            "for a guest place in its session and everything needed to take part, its "
            "realtime events included (`realtime.guest_pass`)."
        ),
    )
    async def join(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[GuestJoinBody],
        tenant: NamedDependency[Tenant],
    ) -> JoinOut:
        container = container_of(request)
        deps = container.session_dependencies()
        joined = await guests.join_as_guest(tenant.id, data.token, tenant.limits, deps)
        participant = joined.participant
        guest = Guest(tenant.id, participant.session_id, participant.id)
        return JoinOut.of(joined, container.events().name, container.guest_passes().issue(guest))

    @post(
        "/leave",
        status_code=204,
        summary="Leave the session as a guest",
        description=(
            "The guest whose pass (`realtime.guest_pass` of the join answer) is the bearer "
            "token leaves their session: their minutes stop counting and their place is free. "
            "Leaving twice, or after the session ended, is harmless."
        ),
        dependencies={"guest": Provide(provide_guest)},
        security=[{"BearerAuth": []}],
    )
    async def leave(self, request: Request[Any, Any, Any], guest: NamedDependency[Guest]) -> None:
        deps = container_of(request).session_dependencies()
        await guests.leave_as_guest(guest.tenant_id, guest.session_id, guest.participant_id, deps)
