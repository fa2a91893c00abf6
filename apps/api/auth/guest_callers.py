"""The guest a request's bearer guest pass names, for the few routes a guest calls with it
(their session's realtime stream, leaving it)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from apps.api.auth.guest_passes import GUEST_PASS_PREFIX
from apps.api.dependencies import container_of
from core.errors import Forbidden, Unauthenticated
from core.realtime.access import Guest
from core.tenants.model import Tenant


def bearer_guest_pass(request: Request[Any, Any, Any]) -> str | None:
    """The bearer token when it is a guest pass, else None (a user's token, or none)."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token.startswith(GUEST_PASS_PREFIX) else None


def guest_of(request: Request[Any, Any, Any], tenant: Tenant, guest_pass: str) -> Guest:
    """The guest the pass names, in the tenant the request addresses and no other."""
    guest = container_of(request).guest_passes().verify(guest_pass)
    if guest.tenant_id != tenant.id:
        raise Forbidden("the pass was issued for another tenant", code="tenant_mismatch")
    return guest


async def provide_guest(request: Request[Any, Any, Any], tenant: NamedDependency[Tenant]) -> Guest:
    guest_pass = bearer_guest_pass(request)
    if guest_pass is None:
        raise Unauthenticated("send the guest pass of your join answer as the bearer token")
    return guest_of(request, tenant, guest_pass)
