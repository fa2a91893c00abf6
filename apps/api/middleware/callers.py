"""Who is calling, as far as limits and idempotency need to know before any handler runs."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request

from apps.api.dependencies import container_of, tenant_slug
from core.errors import DomainError
from core.tenants.model import Tenant


def credential_hash(request: Request[Any, Any, Any]) -> str | None:
    """A stable, non-reversible name for the caller's credential (token or key), if any."""
    authorization = request.headers.get("authorization")
    if not authorization:
        return None
    return hashlib.sha256(authorization.encode()).hexdigest()[:32]


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The peer address as the ASGI server reports it (run it with ``--proxy-headers``
    behind a trusted load balancer so this is the client's, not the balancer's)."""
    return request.client.host if request.client else "unknown"


def verified_tenant_id(request: Request[Any, Any, Any]) -> str | None:
    """The tenant of a valid access token; None for anything else (operator keys too).

    Unverified names (a tenant header) must not count against a tenant's budget, or
    anyone could exhaust a tenant's limit for it.
    """
    authorization = request.headers.get("authorization") or ""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        actor = container_of(request).access_tokens().verify(token.strip())
    except DomainError:
        return None
    return str(actor.tenant_id)


async def addressed_tenant(request: Request[Any, Any, Any]) -> Tenant | None:
    """The tenant the request names by host or header, if it exists."""
    slug = tenant_slug(request)
    if slug is None:
        return None
    return await container_of(request).catalog().find_by_slug(slug)
