"""Use cases on assistance sessions: create, read, describe, join, invite a guest."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from core.errors import Forbidden, NotFound, Unavailable
from core.identity.model import Actor
from core.notifications.model import OutboxMessage
from core.notifications.routing import DEFAULT_CHAINS, Chains
from core.recordings.model import RecordingMode, archive_name
from core.sessions.model import (
    AssistanceSession,
    Participant,
    ParticipantRole,
    SessionDetails,
    SessionState,
    validate_reference,
)
from core.sessions.rules import (
    VIDEO_ROLES,
    SessionRules,
    ensure_may_open_another,
    ensure_room_for_one_more,
    is_host_or_admin,
    participant_role,
)
from core.tenants.model import PlanLimits
from core.usage.meter import SessionMeter
from core.usage.model import ensure_minutes_left
from ports.clock import Clock
from ports.events import (
    Audience,
    Event,
    EventPublisher,
    EventsUnavailable,
    EventType,
    EventValue,
    session_channel,
    user_channel,
)
from ports.multiplayer import MultiplayerJoin, MultiplayerRooms, RoomAddress
from ports.pagination import Page, PageRequest
from ports.session_store import JoinSnapshot, SessionUnitOfWork, SessionUnitOfWorkFactory
from ports.video import ArchiveMode, VideoGrant, VideoProvider, VideoUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SessionDependencies:
    tenant_uow: SessionUnitOfWorkFactory
    video: VideoProvider
    clock: Clock
    channel_chains: Chains = field(default_factory=lambda: dict(DEFAULT_CHAINS))
    events: EventPublisher | None = None
    rules: SessionRules = field(default_factory=SessionRules)
    public_url: str = ""
    multiplayer: MultiplayerRooms | None = None


@dataclass(frozen=True, slots=True)
class JoinResult:
    """Everything a client needs to take part: its participant, video, event channels."""

    participant: Participant
    video: VideoGrant
    channels: tuple[str, ...] = ()
    multiplayer: MultiplayerJoin | None = None


async def create_session(
    actor: Actor, reference: str, limits: PlanLimits, deps: SessionDependencies
) -> AssistanceSession:
    """Open a session hosted by the caller. Only admins and experts may host, within the
    plan's concurrent sessions and monthly minutes."""
    if not actor.role.may_host:
        raise Forbidden("only admins and experts may host sessions", code="may_not_host")
    now = deps.clock.now()
    session = AssistanceSession(
        id=uuid.uuid4(),
        host_id=actor.user_id,
        reference=validate_reference(reference),
        state=SessionState.CREATED,
        video_room_id=None,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await ensure_within_plan(uow, limits, deps.clock)
        await add_session(uow, session)
        await uow.commit()
    await publish(deps, [session_event(EventType.SESSION_CREATED, actor.tenant_id, session, now)])
    return session


async def add_session(uow: SessionUnitOfWork, session: AssistanceSession) -> None:
    """A new session with its meter (nobody present), which lives until the session ends."""
    await uow.sessions.add(session)
    await uow.usage.add_meter(SessionMeter.new(session.id, session.created_at))


async def ensure_within_plan(uow: SessionUnitOfWork, limits: PlanLimits, clock: Clock) -> None:
    """A new session needs a free concurrent slot and minutes left this month."""
    ensure_may_open_another(await uow.sessions.count_open(), limits.max_concurrent_sessions)
    await ensure_minutes_remain(uow, limits, clock)


async def ensure_minutes_remain(uow: SessionUnitOfWork, limits: PlanLimits, clock: Clock) -> None:
    """From the running totals (``core.usage.meter``), not a recount of the month."""
    used = await uow.usage.minutes_so_far(clock.now())
    ensure_minutes_left(used, limits.monthly_session_minutes)


@dataclass(frozen=True, slots=True)
class DetailChanges:
    """What the host changes; None keeps the current value."""

    reference: str | None = None
    tags: list[str] | None = None
    notes: str | None = None
    outcome: str | None = None


async def describe_session(
    actor: Actor, session_id: UUID, changes: DetailChanges, deps: SessionDependencies
) -> AssistanceSession:
    """The host (or an admin) keeps the reference, tags, notes and outcome up to date,
    during the session and after it ended."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await existing_session(uow, session_id, for_update=True)
        ensure_manages(actor, session)
        details = SessionDetails.validated(
            session.reference if changes.reference is None else changes.reference,
            session.tags if changes.tags is None else changes.tags,
            session.notes if changes.notes is None else changes.notes,
            session.outcome if changes.outcome is None else changes.outcome,
        )
        session = session.described(details, deps.clock.now())
        await uow.sessions.save(session)
        await uow.commit()
    return session


async def get_session(
    actor: Actor, session_id: UUID, deps: SessionDependencies
) -> AssistanceSession:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await existing_session(uow, session_id)


async def list_participants(
    actor: Actor, session_id: UUID, deps: SessionDependencies
) -> list[Participant]:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await existing_session(uow, session_id)
        return await uow.participants.list_for_session(session_id)


async def list_sessions(
    actor: Actor, page: PageRequest, deps: SessionDependencies
) -> Page[AssistanceSession]:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.sessions.list(page)


async def join_session(
    actor: Actor, session_id: UUID, limits: PlanLimits, deps: SessionDependencies
) -> JoinResult:
    """Let a user of the tenant into the session, in the role ``participant_role`` gives.

    Rules: the session must be open; a ringing call is taken only by its callee (which
    accepts it) or its host; the session must have room for one more and the tenant
    minutes left; a provider outage answers ``Unavailable`` and writes nothing.
    """
    async with deps.tenant_uow(actor.tenant_id) as uow:
        now = deps.clock.now()
        snapshot = await read_for_join(uow, session_id, now)
        role = participant_role(actor, snapshot.session)
        newcomer = Newcomer(actor.tenant_id, actor.user_id, role)
        result, events = await admit(uow, snapshot, newcomer, limits, deps, now)
        await uow.commit()
    await publish(deps, events)
    return result


@dataclass(frozen=True, slots=True)
class Newcomer:
    """Someone about to join: a user of the tenant, or a guest holding an invitation."""

    tenant_id: UUID
    user_id: UUID | None
    role: ParticipantRole
    display_name: str = ""
    invitation_id: UUID | None = None


async def read_for_join(uow: SessionUnitOfWork, session_id: UUID, now: datetime) -> JoinSnapshot:
    """The open session, locked, with what ``admit`` checks: one read, a join's first."""
    snapshot = await uow.admissions.read_for_join(session_id, now)
    if snapshot is None:
        raise NotFound("no such session", field="session_id", code="session_not_found")
    snapshot.session.ensure_open()
    return snapshot


async def admit(
    uow: SessionUnitOfWork,
    snapshot: JoinSnapshot,
    newcomer: Newcomer,
    limits: PlanLimits,
    deps: SessionDependencies,
    now: datetime,
) -> tuple[JoinResult, list[Event]]:
    """The join itself, shared by users and guests; the caller commits, then publishes.

    The video room is created at the first join, so sessions nobody joins cost nothing
    at the provider.
    """
    session = snapshot.session
    meter = snapshot.meter or SessionMeter.new(session.id, now)
    ensure_room_for_one_more(meter.present, deps.rules)
    ensure_minutes_left(snapshot.used_minutes, limits.monthly_session_minutes)
    if session.video_room_id is None:
        mode = await uow.recordings.mode()
        room_id = await _create_room(deps.video, newcomer.tenant_id, session.id, mode)
        session = session.with_video_room(room_id, mode, now)
    participant = Participant(
        id=uuid.uuid4(),
        session_id=session.id,
        user_id=newcomer.user_id,
        role=newcomer.role,
        joined_at=now,
        invitation_id=newcomer.invitation_id,
        display_name=newcomer.display_name,
    )
    grant = deps.video.grant(
        session.video_room_id or "",
        participant.id,
        VIDEO_ROLES[newcomer.role],
        deps.rules.join_token_ttl,
    )
    events = []
    if session.state is SessionState.RINGING:
        events.append(session_event(EventType.SESSION_ACCEPTED, newcomer.tenant_id, session, now))
    was_created = session.state is SessionState.CREATED
    session = session.started(now)
    if was_created:
        events.append(session_event(EventType.SESSION_STARTED, newcomer.tenant_id, session, now))
    await uow.admissions.record(session, participant, meter.joined(now))
    events.append(participant_event(EventType.PARTICIPANT_JOINED, newcomer.tenant_id, participant))
    channels = [session_channel(newcomer.tenant_id, session.id)]
    if newcomer.user_id is not None:
        channels.insert(0, user_channel(newcomer.tenant_id, newcomer.user_id))
    room = None
    if deps.multiplayer is not None:
        address = RoomAddress(newcomer.tenant_id, session.id)
        room = deps.multiplayer.join_info(address, participant.id, deps.rules.room_ticket_ttl)
    result = JoinResult(participant, grant, tuple(channels), room)
    return result, events


async def participant_of(
    uow: SessionUnitOfWork, session_id: UUID, participant_id: UUID
) -> Participant:
    """The session's participant; another session's is as unknown as none."""
    participant = await uow.participants.get(participant_id)
    if participant is None or participant.session_id != session_id:
        raise NotFound("no such participant", field="participant_id", code="participant_not_found")
    return participant


async def record_leave(
    uow: SessionUnitOfWork, participant: Participant, now: datetime
) -> Participant | None:
    """The participant's leave, in the caller's unit of work: their time and the session's
    meter stop counting. None when they had left already (leaving twice is harmless)."""
    if not participant.present:
        return None
    participant = participant.left(now)
    await uow.participants.save(participant)
    meter = await uow.usage.meter(participant.session_id)
    if meter is not None:
        await uow.usage.save_meter(meter.left(now))
    return participant


def session_event(
    kind: EventType, tenant_id: UUID, session: AssistanceSession, now: datetime
) -> Event:
    """A change of a session's state, for its host, its callee and everyone in it."""
    users = {session.host_id}
    if session.callee is not None:
        users.add(session.callee.user_id)
    data: dict[str, EventValue] = {
        "session_id": str(session.id),
        "state": session.state.value,
        "reference": session.reference,
        "host_id": str(session.host_id),
    }
    if session.callee is not None:
        data["callee_kind"] = session.callee.kind.value
        data["callee_id"] = str(session.callee.id)
    return Event(kind, tenant_id, now, Audience(frozenset(users), session.id), data)


def participant_event(kind: EventType, tenant_id: UUID, participant: Participant) -> Event:
    moment = participant.left_at or participant.joined_at
    data: dict[str, EventValue] = {
        "session_id": str(participant.session_id),
        "participant_id": str(participant.id),
        "user_id": str(participant.user_id) if participant.user_id else None,
        "role": participant.role.value,
        "display_name": participant.display_name,
    }
    return Event(kind, tenant_id, moment, Audience(session_id=participant.session_id), data)


async def publish(deps: SessionDependencies, events: list[Event]) -> None:
    """After the commit: a realtime outage loses live updates, never the committed change."""
    if deps.events is None or not events:
        return
    try:
        await deps.events.publish(events)
    except EventsUnavailable:
        log.warning("realtime events not published: %s", ", ".join(e.type for e in events))


async def list_session_notifications(
    actor: Actor, session_id: UUID, page: PageRequest, deps: SessionDependencies
) -> Page[OutboxMessage]:
    """Every message sent about a session (invitations, their fallbacks), with its status."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await existing_session(uow, session_id)
        return await uow.outbox.list_for_session(session_id, page)


async def existing_session(
    uow: SessionUnitOfWork, session_id: UUID, *, for_update: bool = False
) -> AssistanceSession:
    session = await uow.sessions.get(session_id, for_update=for_update)
    if session is None:
        raise NotFound("no such session", field="session_id", code="session_not_found")
    return session


def ensure_manages(actor: Actor, session: AssistanceSession) -> None:
    if not is_host_or_admin(actor, session):
        raise Forbidden("only the host or an admin may do this", code="not_session_host")


async def _create_room(
    video: VideoProvider, tenant_id: UUID, session_id: UUID, mode: RecordingMode
) -> str:
    """A tenant recording every session gets a room the provider records by itself, its
    archives named so that their callbacks find the tenant and the session."""
    try:
        if mode is RecordingMode.ALWAYS:
            return await video.create_room(
                session_id,
                archive_mode=ArchiveMode.ALWAYS,
                archive_name=archive_name(tenant_id, session_id),
            )
        return await video.create_room(session_id)
    except VideoUnavailable as exc:
        raise Unavailable(f"video provider '{video.name}' is unavailable: {exc}") from exc
