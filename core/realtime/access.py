"""Which event channels a signed-in user, or a guest, may follow.

Channels are named as ``ports.events`` names them (``tenants/<t>/users/<u>``,
``tenants/<t>/sessions/<s>``, ``tenants/<t>/everyone``). A user follows their own user
channel, their tenant's ``everyone`` channel, and the channel of a session they take part
in (host, callee, participant) or, as an admin, of any session of their tenant. Anything
else is refused before a subscription exists: another tenant's channels (403), another
user's (403), a session they have no part in (403) or that does not exist (404).

A guest has no account: the pass of their join answer names one participant of one
session, and follows that session's channel only, while they are in it, and nothing from
before they joined (``GuestStream``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from core.errors import Forbidden, InvalidInput
from core.identity.model import Actor
from core.sessions.rules import callee_user, is_host_or_admin
from core.sessions.services import SessionDependencies, existing_session
from ports.events import EventType, session_channel, tenant_channel, user_channel

MAX_CHANNELS = 20


@dataclass(frozen=True, slots=True)
class Guest:
    """A guest following their session with the pass their join answer carried."""

    tenant_id: UUID
    session_id: UUID
    participant_id: UUID


_CLOSING = frozenset(
    {EventType.SESSION_ENDED, EventType.SESSION_CANCELLED, EventType.SESSION_MISSED}
    | {EventType.SESSION_DECLINED}
)


@dataclass(frozen=True, slots=True)
class GuestStream:
    """What a guest's open stream carries: their session's channel, from their join to
    their leaving it.

    A guest was not in the session before they joined, so what was shared or said there
    earlier is not theirs to read: a resumed stream replays kept history from the first
    event at or after their join (their own ``participant.joined`` included), whether it
    resumes from an older event id or from one no longer kept (``shows``; the stream
    applies it in ``apps.api.realtime.stream._carried``).
    """

    guest: Guest
    joined_at: datetime

    @property
    def channels(self) -> list[str]:
        return [session_channel(self.guest.tenant_id, self.guest.session_id)]

    def shows(self, payload: Mapping[str, object]) -> bool:
        """Whether the event occurred at or after the guest's join. An event whose time
        cannot be read (missing, malformed, without a zone) is not shown."""
        occurred_at = payload.get("occurred_at")
        if not isinstance(occurred_at, str):
            return False
        try:
            moment = datetime.fromisoformat(occurred_at)
        except ValueError:
            return False
        return moment.tzinfo is not None and moment >= self.joined_at

    def ends_with(self, payload: Mapping[str, object]) -> bool:
        """The last event the stream carries: the session closing, or the guest leaving it
        (removed by the host included). The pass only opens a stream while the guest is in
        the session; this keeps an open one from outliving that."""
        kind, data = payload.get("type"), payload.get("data")
        if kind in _CLOSING:
            return True
        return (
            kind == EventType.PARTICIPANT_LEFT
            and isinstance(data, Mapping)
            and data.get("participant_id") == str(self.guest.participant_id)
        )


async def guest_stream(
    guest: Guest, channels: Sequence[str], deps: SessionDependencies
) -> GuestStream:
    """The guest's stream: their session's channel, the only one they may name, while they
    are in it, from the moment they joined (their participant's ``joined_at``, the moment
    their ``participant.joined`` event carries)."""
    own = session_channel(guest.tenant_id, guest.session_id)
    if any(channel != own for channel in channels):
        raise Forbidden("a guest follows only their session's channel", code="channel_forbidden")
    async with deps.tenant_uow(guest.tenant_id) as uow:
        await existing_session(uow, guest.session_id)
        participant = await uow.participants.get(guest.participant_id)
    if participant is None or participant.session_id != guest.session_id:
        raise Forbidden("you take no part in that session", code="channel_forbidden")
    if participant.left_at is not None:
        raise Forbidden("you have left that session", code="channel_forbidden")
    return GuestStream(guest, participant.joined_at)


def own_channels(actor: Actor) -> list[str]:
    """What a client follows when it names nothing: its user and its tenant's everyone."""
    return [user_channel(actor.tenant_id, actor.user_id), tenant_channel(actor.tenant_id)]


async def followable(actor: Actor, channels: Sequence[str], deps: SessionDependencies) -> list[str]:
    """``channels`` without duplicates, each checked; raises on the first refused."""
    if not channels:
        return own_channels(actor)
    if len(channels) > MAX_CHANNELS:
        raise InvalidInput(
            f"at most {MAX_CHANNELS} channels per subscription", field="channels", code="too_many"
        )
    allowed: list[str] = []
    for channel in dict.fromkeys(channels):
        session_id = _session_of(actor, channel)
        if session_id is not None:
            await _ensure_takes_part(actor, session_id, deps)
        allowed.append(channel)
    return allowed


def _session_of(actor: Actor, channel: str) -> UUID | None:
    """The session a channel names, or None for the actor's own channels; refuses others."""
    parts = channel.split("/")
    if len(parts) not in (3, 4) or parts[0] != "tenants":
        raise InvalidInput(
            f"'{channel[:100]}' is not a channel", field="channels", code="invalid_channel"
        )
    tenant_id = _uuid(parts[1], channel)
    if tenant_id != actor.tenant_id:
        raise Forbidden("that channel belongs to another tenant", code="channel_forbidden")
    if channel == tenant_channel(actor.tenant_id):
        return None
    if len(parts) == 4 and parts[2] == "users":
        if channel != user_channel(actor.tenant_id, actor.user_id):
            raise Forbidden("a user follows only their own user channel", code="channel_forbidden")
        return None
    if len(parts) == 4 and parts[2] == "sessions":
        session_id = _uuid(parts[3], channel)
        if channel == session_channel(actor.tenant_id, session_id):
            return session_id
    raise InvalidInput(
        f"'{channel[:100]}' is not a channel", field="channels", code="invalid_channel"
    )


def _uuid(text: str, channel: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise _not_a_channel(channel) from None


def _not_a_channel(channel: str) -> InvalidInput:
    return InvalidInput(
        f"'{channel[:100]}' is not a channel", field="channels", code="invalid_channel"
    )


async def _ensure_takes_part(actor: Actor, session_id: UUID, deps: SessionDependencies) -> None:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await existing_session(uow, session_id)
        if is_host_or_admin(actor, session) or callee_user(session) == actor.user_id:
            return
        participants = await uow.participants.list_for_session(session_id)
    if not any(participant.user_id == actor.user_id for participant in participants):
        raise Forbidden("you take no part in that session", code="channel_forbidden")
