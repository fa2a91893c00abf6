"""The request behind the code running now, for audit rows written far from the API.

The API binds one ``RequestContext`` per request and fills in the caller once known; a
session lifecycle hook that runs inside that request reads it to name the real actor,
address and request id. Outside a request (the worker) there is none: the system acted.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from dataclasses import dataclass
from uuid import UUID

from core.audit.model import SYSTEM, AuditActor
from core.identity.model import Actor


@dataclass(slots=True)
class RequestContext:
    ip: str | None = None
    request_id: str | None = None
    actor: Actor | None = None

    @property
    def tenant_id(self) -> UUID | None:
        return self.actor.tenant_id if self.actor is not None else None

    def audit_actor(self) -> AuditActor:
        return AuditActor.of(self.actor) if self.actor is not None else SYSTEM


_CURRENT: ContextVar[RequestContext | None] = ContextVar("passerelle_request", default=None)


def current_request() -> RequestContext | None:
    return _CURRENT.get()


def bind_request(context: RequestContext) -> Token[RequestContext | None]:
    return _CURRENT.set(context)


def unbind_request(token: Token[RequestContext | None]) -> None:
    _CURRENT.reset(token)


def note_actor(actor: Actor) -> None:
    """Called once the caller is authenticated, so the request's audit rows name it."""
    context = _CURRENT.get()
    if context is not None:
        context.actor = actor
