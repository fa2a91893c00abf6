"""The call flow: ring someone, who accepts or declines; the caller may cancel; nobody
answering in time makes a missed call, told by e-mail or SMS as the callee prefers.

Realtime events leave after the commit; pushes and missed-call messages leave through
the outbox, in the same transaction as the state change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from uuid import UUID

from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.model import Actor
from core.notifications.model import Channel, OutboxMessage
from core.notifications.routing import Route, queued_message, route
from core.sessions.model import (
    AssistanceSession,
    Callee,
    CalleeKind,
    SessionState,
    validate_reference,
)
from core.sessions.preferences import CallPreference, default_preference
from core.sessions.rules import callee_user
from core.sessions.services import (
    SessionDependencies,
    add_session,
    ensure_manages,
    ensure_within_plan,
    existing_session,
    participant_event,
    participant_of,
    publish,
    record_leave,
    session_event,
)
from core.tenants.model import PlanLimits
from core.usage.meter import settled_minutes
from ports.events import Event, EventType
from ports.session_store import SessionUnitOfWork

INCOMING_CALL_KIND = "incoming_call"
MISSED_CALL_KIND = "missed_call"


@dataclass(frozen=True, slots=True)
class PlaceCall:
    callee_kind: str
    callee_id: UUID
    reference: str = ""


async def place_call(
    actor: Actor, request: PlaceCall, limits: PlanLimits, deps: SessionDependencies
) -> AssistanceSession:
    """Ring a user of the tenant or one of its active devices: a ringing session, a push to
    the callee's phone and a ``session.ringing`` event. The callee has
    ``sessions.ring_timeout`` to answer."""
    if not actor.role.may_host:
        raise Forbidden("only admins and experts may place calls", code="may_not_host")
    if request.callee_kind not in {kind.value for kind in CalleeKind}:
        raise InvalidInput(
            "callee_kind must be user or device", field="callee_kind", code="unsupported_callee"
        )
    reference = validate_reference(request.reference)
    now = deps.clock.now()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        callee = await _callee(uow, CalleeKind(request.callee_kind), request.callee_id)
        if callee.user_id == actor.user_id:
            raise InvalidInput("you cannot call yourself", field="callee_id", code="self_call")
        await ensure_within_plan(uow, limits, deps.clock)
        session = AssistanceSession(
            id=uuid.uuid4(),
            host_id=actor.user_id,
            reference=reference,
            state=SessionState.RINGING,
            video_room_id=None,
            created_at=now,
            updated_at=now,
            callee=callee,
            ring_deadline=now + deps.rules.ring_timeout,
            last_activity_at=now,
        )
        await add_session(uow, session)
        preference = await _preference(uow, callee.user_id, deps)
        if preference.push_token is not None:
            await uow.outbox.add(
                await _incoming_call_push(uow, session, preference.push_token, deps)
            )
        await uow.commit()
    await publish(deps, [session_event(EventType.SESSION_RINGING, actor.tenant_id, session, now)])
    return session


async def _callee(uow: SessionUnitOfWork, kind: CalleeKind, callee_id: UUID) -> Callee:
    """A device call rings the device's owner: they answer, on the glasses or elsewhere."""
    if kind is CalleeKind.DEVICE:
        device = await uow.devices.get(callee_id)
        if device is None or not device.active:
            raise NotFound("no such active device", field="callee_id", code="callee_not_found")
        return Callee(kind, device.id, device.owner_id)
    user = await uow.users.get(callee_id)
    if user is None:
        raise NotFound("no such user", field="callee_id", code="callee_not_found")
    return Callee(kind, user.id, user.id)


async def decline_call(
    actor: Actor, session_id: UUID, deps: SessionDependencies
) -> AssistanceSession:
    """Only the callee declines; the caller hears of it at once."""
    return await _answer(actor, session_id, SessionState.DECLINED, deps)


async def cancel_call(
    actor: Actor, session_id: UUID, deps: SessionDependencies
) -> AssistanceSession:
    """The caller (or an admin) hangs up before anyone answered."""
    return await _close_as_host(actor, session_id, SessionState.CANCELLED, deps)


async def accept_call(
    actor: Actor, session_id: UUID, deps: SessionDependencies
) -> AssistanceSession:
    """The callee picks up: the session becomes active; joining gives the media."""
    return await _answer(actor, session_id, SessionState.ACTIVE, deps)


async def _answer(
    actor: Actor, session_id: UUID, state: SessionState, deps: SessionDependencies
) -> AssistanceSession:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await existing_session(uow, session_id, for_update=True)
        if callee_user(session) != actor.user_id:
            raise Forbidden("only the person called may answer", code="not_the_callee")
        if state is SessionState.ACTIVE:
            session = session.moved_to(state, deps.clock.now())
            await uow.sessions.save(session)
            events = [
                session_event(
                    EventType.SESSION_ACCEPTED, actor.tenant_id, session, session.updated_at
                )
            ]
        else:
            session, events = await _close(uow, actor.tenant_id, session, state, deps)
        await uow.commit()
    await publish(deps, events)
    return session


async def end_session(
    actor: Actor, session_id: UUID, deps: SessionDependencies
) -> AssistanceSession:
    """The host (or an admin) ends the session: everyone still in it leaves now."""
    return await _close_as_host(actor, session_id, SessionState.ENDED, deps)


async def _close_as_host(
    actor: Actor, session_id: UUID, state: SessionState, deps: SessionDependencies
) -> AssistanceSession:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await existing_session(uow, session_id, for_update=True)
        ensure_manages(actor, session)
        session, events = await _close(uow, actor.tenant_id, session, state, deps)
        await uow.commit()
    await publish(deps, events)
    return session


async def leave_session(
    actor: Actor, session_id: UUID, participant_id: UUID, deps: SessionDependencies
) -> None:
    """A participant leaves (their own, or anyone's for the host); the time stops counting."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        session = await existing_session(uow, session_id, for_update=True)
        participant = await participant_of(uow, session_id, participant_id)
        if participant.user_id != actor.user_id:
            ensure_manages(actor, session)
        left = await record_leave(uow, participant, deps.clock.now())
        await uow.commit()
    if left is not None:
        await publish(deps, [participant_event(EventType.PARTICIPANT_LEFT, actor.tenant_id, left)])


@dataclass(frozen=True, slots=True)
class SweepReport:
    missed: int = 0
    ended: int = 0
    cancelled: int = 0


async def sweep_sessions(tenant_id: UUID, deps: SessionDependencies) -> SweepReport:
    """Ringing calls past their deadline become missed (the callee is told); active
    sessions quiet for ``idle_timeout`` end; sessions opened and never joined lapse."""
    now = deps.clock.now()
    counts = {SessionState.MISSED: 0, SessionState.ENDED: 0, SessionState.CANCELLED: 0}
    events: list[Event] = []
    async with deps.tenant_uow(tenant_id) as uow:
        for session in await uow.sessions.due_for_sweep(now, now - deps.rules.idle_timeout):
            if session.ring_expired(now):
                target = SessionState.MISSED
            elif session.state is SessionState.ACTIVE:
                target = SessionState.ENDED
            else:
                target = SessionState.CANCELLED
            _, closing = await _close(uow, tenant_id, session, target, deps)
            events.extend(closing)
            counts[target] += 1
        await uow.commit()
    await publish(deps, events)
    return SweepReport(
        missed=counts[SessionState.MISSED],
        ended=counts[SessionState.ENDED],
        cancelled=counts[SessionState.CANCELLED],
    )


_CLOSING_EVENTS = {
    SessionState.ENDED: EventType.SESSION_ENDED,
    SessionState.MISSED: EventType.SESSION_MISSED,
    SessionState.CANCELLED: EventType.SESSION_CANCELLED,
    SessionState.DECLINED: EventType.SESSION_DECLINED,
}


async def _close(
    uow: SessionUnitOfWork,
    tenant_id: UUID,
    session: AssistanceSession,
    state: SessionState,
    deps: SessionDependencies,
) -> tuple[AssistanceSession, list[Event]]:
    now = deps.clock.now()
    session = session.moved_to(state, now)
    await uow.sessions.save(session)
    events = [session_event(_CLOSING_EVENTS[state], tenant_id, session, now)]
    everyone = []
    for participant in await uow.participants.list_for_session(session.id):
        if participant.present:
            participant = participant.left(now)
            await uow.participants.save(participant)
            events.append(participant_event(EventType.PARTICIPANT_LEFT, tenant_id, participant))
        everyone.append(participant)
    await uow.usage.settle(session.id, settled_minutes(everyone, now))
    if state is SessionState.MISSED:
        message = await _missed_call_message(uow, session, deps)
        if message is not None:
            await uow.outbox.add(message)
    return session, events


async def _preference(
    uow: SessionUnitOfWork, user_id: UUID, deps: SessionDependencies
) -> CallPreference:
    found = await uow.call_preferences.get(user_id)
    return found or default_preference(user_id, deps.clock.now())


async def _incoming_call_push(
    uow: SessionUnitOfWork, session: AssistanceSession, token: str, deps: SessionDependencies
) -> OutboxMessage:
    caller = await uow.users.get(session.host_id)
    payload = {
        "caller_name": caller.display_name if caller else "",
        "session_id": str(session.id),
        "session_reference": session.reference,
    }
    to = Route(Channel.PUSH, token, ())
    return queued_message(INCOMING_CALL_KIND, to, payload, deps.clock.now(), session_id=session.id)


async def _missed_call_message(
    uow: SessionUnitOfWork, session: AssistanceSession, deps: SessionDependencies
) -> OutboxMessage | None:
    """By the callee's chosen channel, with e-mail as the fallback of an SMS."""
    callee_id = callee_user(session)
    callee = await uow.users.get(callee_id) if callee_id else None
    if callee is None:
        return None
    preference = await _preference(uow, callee.id, deps)
    caller = await uow.users.get(session.host_id)
    recipients: dict[str, str] = {Channel.EMAIL: callee.email, Channel.SMS: preference.phone or ""}
    chain = (preference.missed_call_channel, Channel.EMAIL)
    to = route(MISSED_CALL_KIND, recipients, {MISSED_CALL_KIND: tuple(dict.fromkeys(chain))})
    now = deps.clock.now()
    payload = {
        "callee_name": callee.display_name,
        "caller_name": caller.display_name if caller else "",
        "session_reference": session.reference,
        "missed_at": now.strftime("%Y-%m-%d %H:%M UTC"),
        "locale": preference.locale,
    }
    return queued_message(MISSED_CALL_KIND, to, payload, now, session_id=session.id)


async def set_call_preference(
    actor: Actor,
    missed_call_channel: str,
    phone: str | None,
    push_token: str | None,
    locale: str,
    deps: SessionDependencies,
) -> CallPreference:
    preference = CallPreference.validated(
        actor.user_id, missed_call_channel, phone, push_token, locale, deps.clock.now()
    )
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.call_preferences.save(preference)
        await uow.commit()
    return preference


async def get_call_preference(actor: Actor, deps: SessionDependencies) -> CallPreference:
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await _preference(uow, actor.user_id, deps)
