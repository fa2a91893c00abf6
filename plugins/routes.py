"""How a plugin's API route says who may call it: an action of the platform's policy, or roles.

Every route a plugin adds (``register_api_controllers``) sits under ``/api/v1/plugins`` and
is refused (403 ``route_without_rule``) unless it declares its rule, so a plugin cannot add
an unguarded endpoint by forgetting one::

    from plugins.routes import route_rule

    @get("/report", **route_rule(roles=[Role.ADMIN]))
    async def report(actor: NamedDependency[Actor]) -> dict[str, str]: ...

    @get("/sessions-seen", **route_rule(action=Action.SESSIONS_LIST))

With ``action``, the platform's rule for that action applies as on its own routes (roles,
capabilities, API-key scope, devices). With ``roles``, the caller must be a user (or a
device acting for one) with one of them; API keys are refused, since no scope names the
route. The handler may take ``actor`` and ``tenant`` (``NamedDependency[...]``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.errors import Forbidden
from core.identity.model import Actor, PrincipalKind, Role
from core.identity.permissions import Action, authorize

ROUTE_RULE = "passerelle_route_rule"
"""The key of a route handler's ``opt`` that holds its ``RouteRule``."""


@dataclass(frozen=True, slots=True)
class RouteRule:
    action: Action | None = None
    roles: frozenset[Role] = frozenset()

    def check(self, actor: Actor) -> None:
        """Raise Forbidden, with a stable code, unless ``actor`` may call the route."""
        if self.action is not None:
            authorize(actor, self.action)
            return
        if actor.kind is PrincipalKind.API_KEY:
            raise Forbidden("this route is for users, not API keys", code="scope_missing")
        if actor.role not in self.roles:
            allowed = ", ".join(sorted(role.value for role in self.roles))
            raise Forbidden(f"this route is for {allowed}", code="role_not_allowed")


def route_rule(*, action: Action | None = None, roles: Iterable[Role] = ()) -> dict[str, Any]:
    """Route keyword arguments that declare the rule: exactly one of ``action`` or ``roles``."""
    chosen = frozenset(roles)
    if (action is None) == (not chosen):
        raise ValueError("a plugin route names either an action or the roles allowed")
    return {"opt": {ROUTE_RULE: RouteRule(action, chosen)}}
