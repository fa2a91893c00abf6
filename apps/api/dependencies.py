"""Request-scoped dependencies: the container, the tenant addressed, the caller."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from apps.api.auth.routes import authorize_route
from apps.container import Container
from core.audit.context import note_actor
from core.devices.model import DEVICE_CREDENTIAL_PREFIX
from core.devices.registry import authenticate_device
from core.errors import Forbidden, NotFound, Unauthenticated
from core.identity.api_keys import authenticate_api_key
from core.identity.credentials import API_KEY_PREFIX
from core.identity.model import Actor
from core.identity.services import authenticate_operator
from core.tenants.model import Tenant
from ports.operator_keys import OperatorKey


def container_of(request: Request[Any, Any, Any]) -> Container:
    container: Container = request.app.state.container
    return container


def tenant_slug(request: Request[Any, Any, Any]) -> str | None:
    """The tenant a request addresses: ``<slug>.<base domain>``, else the tenant header."""
    settings = container_of(request).settings()
    host = (request.headers.get("host") or "").split(":", 1)[0].lower()
    suffix = "." + settings.api.base_domain.lower()
    if host.endswith(suffix):
        label = host.removesuffix(suffix)
        if label and "." not in label:
            return label
    return request.headers.get(settings.api.tenant_header) or None


async def provide_tenant(request: Request[Any, Any, Any]) -> Tenant:
    slug = tenant_slug(request)
    if slug is None:
        raise NotFound(
            "no tenant named: use <slug>.<base domain> or the tenant header",
            field="tenant",
            code="tenant_required",
        )
    tenant = await container_of(request).catalog().find_by_slug(slug)
    if tenant is None:
        raise NotFound(f"no tenant '{slug}'", field="tenant", code="tenant_not_found")
    tenant.ensure_serving()
    return tenant


async def provide_actor(request: Request[Any, Any, Any], tenant: NamedDependency[Tenant]) -> Actor:
    """The caller, then the policy's verdict on the route's action for that caller."""
    actor = await _authenticate(request, tenant)
    note_actor(actor)
    authorize_route(request, actor)
    return actor


async def _authenticate(request: Request[Any, Any, Any], tenant: Tenant) -> Actor:
    """A device credential, an integration's API key (``pxk_``), or a user's access token."""
    token = _bearer(request)
    if token.startswith(DEVICE_CREDENTIAL_PREFIX):
        deps = container_of(request).device_dependencies()
        return await authenticate_device(tenant.id, token, deps)
    if token.startswith(API_KEY_PREFIX):
        identity = container_of(request).identity_dependencies()
        return await authenticate_api_key(tenant.id, token, identity)
    actor = container_of(request).access_tokens().verify(token)
    if actor.tenant_id != tenant.id:
        raise Forbidden("the token was issued for another tenant", code="tenant_mismatch")
    return actor


async def provide_operator(request: Request[Any, Any, Any]) -> OperatorKey:
    return await authenticate_operator(_bearer(request), keys=container_of(request).operator_keys())


def _bearer(request: Request[Any, Any, Any]) -> str:
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required", code="missing_credentials")
    return token.strip()
