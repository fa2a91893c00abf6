"""A third-party plugin as an entry point would name it: a module with hook implementations.

Besides an adapter it adds API routes: one for admins, one under a policy action, and one
that forgets to declare a rule (which the platform must refuse to serve).
"""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency

from adapters.memory.mail_sender import RecordingMailSender
from core.identity.model import Actor, Role
from core.identity.permissions import Action
from core.tenants.model import Tenant
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterRegistry
from plugins.routes import route_rule


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add("mail", "recorder", lambda _c: RecordingMailSender(), description="records mail")


@get("/sample/report", **route_rule(roles=[Role.ADMIN]))
async def admin_report(actor: NamedDependency[Actor]) -> dict[str, str]:
    return {"for": str(actor.user_id)}


@get("/sample/sessions", **route_rule(action=Action.SESSIONS_LIST))
async def sessions_seen(tenant: NamedDependency[Tenant]) -> dict[str, str]:
    return {"tenant": tenant.slug}


@get("/sample/forgotten")
async def forgotten_rule() -> dict[str, str]:
    return {"served": "yes"}


@hookimpl
def register_api_controllers() -> list[object]:
    return [admin_report, sessions_seen, forgotten_rule]
