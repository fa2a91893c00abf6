"""Which channel a notification goes by first, and where it falls back to.

A kind has a chain of channels (configurable per deployment); a message takes the first
channel the recipient can be reached by, and keeps the others, in order, as fallbacks
for when that channel gives up for good.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from core.errors import InvalidInput
from core.notifications.kinds import notification_kind
from core.notifications.model import Channel, Fallback, NotificationStatus, OutboxMessage

DEFAULT_CHAINS: dict[str, tuple[str, ...]] = {
    "session_invitation": (Channel.EMAIL, Channel.SMS),
    "missed_call": (Channel.PUSH, Channel.SMS, Channel.EMAIL),
    "session_summary": (Channel.EMAIL,),
    "password_reset": (Channel.EMAIL,),
    "account_invitation": (Channel.EMAIL,),
}

Chains = Mapping[str, tuple[str, ...]]
"""Kind -> channel names: ``Channel`` members, or channels plugins add."""


@dataclass(frozen=True, slots=True)
class Route:
    channel: str
    recipient: str
    fallbacks: tuple[Fallback, ...]


def validate_chains(chains: Chains, defaults: Chains | None = None) -> dict[str, tuple[str, ...]]:
    """Every kind named must exist and be sendable by every channel of its chain.

    ``defaults`` are the chains of kinds that plugins add, which the deployment's own
    ``chains`` may override like the built-in ones."""
    for kind, chain in {**(defaults or {}), **chains}.items():
        if not chain:
            raise InvalidInput(f"the chain of {kind} is empty", field=kind)
        for channel in chain:
            notification_kind(kind, channel=channel)
    return {**DEFAULT_CHAINS, **(defaults or {}), **chains}


def route(kind: str, recipients: Mapping[str, str], chains: Chains) -> Route:
    chain = chains[kind] if kind in chains else DEFAULT_CHAINS[kind]
    usable = [(channel, recipients[channel]) for channel in chain if recipients.get(channel)]
    if not usable:
        names = ", ".join(chain)
        raise InvalidInput(
            f"{kind} is sent by {names}, and no address was given for any of them",
            field="recipient",
            code="unreachable_recipient",
        )
    (channel, recipient), *rest = usable
    return Route(channel, recipient, tuple(Fallback(c, r) for c, r in rest))


def queued_message(
    kind: str,
    to: Route,
    payload: dict[str, str],
    now: datetime,
    *,
    session_id: UUID | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        id=uuid.uuid4(),
        kind=kind,
        channel=to.channel,
        recipient=to.recipient,
        payload=payload,
        status=NotificationStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
        fallbacks=to.fallbacks,
        session_id=session_id,
    )
