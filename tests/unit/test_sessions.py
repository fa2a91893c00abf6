"""Session rules: who hosts, joining the video room, inviting guests through the outbox."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from adapters.photon.rooms import PhotonRooms
from core.errors import Forbidden, InvalidInput, NotFound, Unavailable
from core.identity.model import Actor, Role, User
from core.notifications.model import NotificationStatus
from core.recordings.model import RecordingMode
from core.sessions.guests import InviteGuest, invite_guest
from core.sessions.model import ParticipantRole, SessionClosed, SessionState
from core.sessions.services import (
    SessionDependencies,
    create_session,
    get_session,
    join_session,
)
from core.tenants.model import PlanLimits
from ports.multiplayer import RoomAddress
from ports.video import ArchiveMode, VideoRole, VideoUnavailable

TENANT = uuid.UUID("00000000-0000-4000-8000-00000000000a")
LIMITS = PlanLimits()


def _user(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, role: Role) -> Actor:
    user = User(
        id=uuid.uuid4(),
        email=f"{uuid.uuid4().hex[:6]}@acme.example",
        display_name=f"{role.value} person",
        role=role,
        password_hash="x",
        created_at=clock.now(),
    )
    uow.data(TENANT).users[user.id] = user
    return Actor(tenant_id=TENANT, user_id=user.id, role=role)


@pytest.fixture
def expert(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> Actor:
    return _user(uow, clock, Role.EXPERT)


async def test_expert_creates_a_session_they_host(
    expert: Actor, session_deps: SessionDependencies
) -> None:
    session = await create_session(expert, "  Ticket   42 ", LIMITS, session_deps)
    assert session.host_id == expert.user_id
    assert session.state is SessionState.CREATED
    assert session.reference == "Ticket 42"
    assert (await get_session(expert, session.id, session_deps)).id == session.id


async def test_field_engineers_and_observers_may_not_host(
    uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock, session_deps: SessionDependencies
) -> None:
    for role in (Role.FIELD_ENGINEER, Role.OBSERVER):
        with pytest.raises(Forbidden):
            await create_session(_user(uow, clock, role), "", LIMITS, session_deps)
    assert uow.data(TENANT).sessions == {}


async def test_overlong_reference_is_refused_on_its_field(
    expert: Actor, session_deps: SessionDependencies
) -> None:
    with pytest.raises(InvalidInput) as raised:
        await create_session(expert, "x" * 201, LIMITS, session_deps)
    assert raised.value.field == "reference"


async def test_first_join_creates_the_room_and_grants_a_verifiable_moderator_token(
    expert: Actor,
    session_deps: SessionDependencies,
    video: DevelopmentVideoProvider,
    uow: MemoryTenantUnitOfWorkFactory,
) -> None:
    session = await create_session(expert, "", LIMITS, session_deps)
    first = await join_session(expert, session.id, LIMITS, session_deps)
    second = await join_session(expert, session.id, LIMITS, session_deps)

    assert first.video.room_id == second.video.room_id
    claims = video.verify(first.video.token)
    assert claims is not None
    assert claims["participant"] == str(first.participant.id)
    assert claims["role"] == VideoRole.MODERATOR.value
    stored = uow.data(TENANT).sessions[session.id]
    assert stored.state is SessionState.ACTIVE
    assert stored.video_room_id == first.video.room_id
    assert len(uow.data(TENANT).participants) == 2


async def test_a_tenant_recording_always_gets_rooms_the_provider_records_by_itself(
    expert: Actor,
    session_deps: SessionDependencies,
    video: DevelopmentVideoProvider,
    uow: MemoryTenantUnitOfWorkFactory,
) -> None:
    before = await create_session(expert, "", LIMITS, session_deps)
    manual = await join_session(expert, before.id, LIMITS, session_deps)
    uow.data(TENANT).recording_mode = RecordingMode.ALWAYS
    after = await create_session(expert, "", LIMITS, session_deps)
    always = await join_session(expert, after.id, LIMITS, session_deps)

    assert video.archive_mode(manual.video.room_id) is ArchiveMode.MANUAL
    assert video.archive_mode(always.video.room_id) is ArchiveMode.ALWAYS


async def test_expired_or_tampered_video_tokens_do_not_verify(
    expert: Actor,
    session_deps: SessionDependencies,
    video: DevelopmentVideoProvider,
    clock: FixedClock,
) -> None:
    session = await create_session(expert, "", LIMITS, session_deps)
    grant = (await join_session(expert, session.id, LIMITS, session_deps)).video
    assert video.verify(grant.token[:-2] + "AA") is None
    clock.advance(timedelta(hours=3))
    assert video.verify(grant.token) is None


class BrokenVideo(DevelopmentVideoProvider):
    """A provider whose rooms cannot be created: the outage a join must survive."""

    async def create_room(
        self,
        session_id: UUID,
        *,
        archive_mode: ArchiveMode = ArchiveMode.MANUAL,
        archive_name: str | None = None,
    ) -> str:
        raise VideoUnavailable("connection refused")


async def test_video_outage_answers_unavailable_and_writes_nothing(
    expert: Actor,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    session_deps: SessionDependencies,
) -> None:
    session = await create_session(expert, "", LIMITS, session_deps)
    broken = SessionDependencies(
        tenant_uow=uow, video=BrokenVideo(b"unit-test-secret", clock), clock=clock
    )

    with pytest.raises(Unavailable):
        await join_session(expert, session.id, LIMITS, broken)

    assert uow.data(TENANT).participants == {}
    assert uow.data(TENANT).sessions[session.id].state is SessionState.CREATED


async def test_others_join_as_observers_or_field_engineers_with_matching_video_roles(
    expert: Actor,
    uow: MemoryTenantUnitOfWorkFactory,
    clock: FixedClock,
    session_deps: SessionDependencies,
    video: DevelopmentVideoProvider,
) -> None:
    session = await create_session(expert, "", LIMITS, session_deps)
    expected = {
        Role.EXPERT: (ParticipantRole.OBSERVER, VideoRole.SUBSCRIBER),
        Role.ADMIN: (ParticipantRole.OBSERVER, VideoRole.SUBSCRIBER),
        Role.OBSERVER: (ParticipantRole.OBSERVER, VideoRole.SUBSCRIBER),
        Role.FIELD_ENGINEER: (ParticipantRole.FIELD_ENGINEER, VideoRole.PUBLISHER),
    }
    for role, (participant_role, video_role) in expected.items():
        joined = await join_session(_user(uow, clock, role), session.id, LIMITS, session_deps)
        assert joined.participant.role is participant_role
        claims = video.verify(joined.video.token)
        assert claims is not None
        assert claims["role"] == video_role.value


async def test_unknown_session_is_not_found(
    expert: Actor, session_deps: SessionDependencies
) -> None:
    with pytest.raises(NotFound) as raised:
        await join_session(expert, uuid.uuid4(), LIMITS, session_deps)
    assert raised.value.code == "session_not_found"


async def test_invitation_and_its_email_are_committed_together(
    expert: Actor, session_deps: SessionDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    session = await create_session(expert, "Pump P-12", LIMITS, session_deps)
    issued = await invite_guest(
        expert,
        InviteGuest(
            session_id=session.id, email="Gus@Supplier.example", display_name="Gus", locale="nl"
        ),
        session_deps,
    )
    invitation, message = issued.invitation, issued.message

    data = uow.data(TENANT)
    assert data.invitations[invitation.id].notification_id == message.id
    assert data.outbox[message.id].status is NotificationStatus.QUEUED
    assert message.recipient == "gus@supplier.example"
    assert message.payload["session_reference"] == "Pump P-12"
    assert message.payload["locale"] == "nl"


@pytest.mark.parametrize(
    ("email", "locale", "field"),
    [("not-an-email", "en", "email"), ("gus@supplier.example", "de", "locale")],
)
async def test_bad_invitation_writes_neither_invitation_nor_mail(
    expert: Actor,
    session_deps: SessionDependencies,
    uow: MemoryTenantUnitOfWorkFactory,
    email: str,
    locale: str,
    field: str,
) -> None:
    session = await create_session(expert, "", LIMITS, session_deps)
    with pytest.raises(InvalidInput) as raised:
        await invite_guest(
            expert,
            InviteGuest(session.id, display_name="Gus", email=email, locale=locale),
            session_deps,
        )
    assert raised.value.field == field
    assert uow.data(TENANT).invitations == {}
    assert uow.data(TENANT).outbox == {}


async def test_ended_sessions_take_no_more_guests(
    expert: Actor, session_deps: SessionDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    session = await create_session(expert, "", LIMITS, session_deps)
    uow.data(TENANT).sessions[session.id] = replace(session, state=SessionState.ENDED)
    with pytest.raises(SessionClosed):
        await invite_guest(expert, InviteGuest(session.id, "G", email="g@x.example"), session_deps)


async def test_the_join_answer_carries_the_sessions_shared_room_with_a_ticket_for_the_participant(
    expert: Actor, session_deps: SessionDependencies, clock: FixedClock
) -> None:
    rooms = PhotonRooms(
        name="photon",
        app_id="app-1",
        region="eu",
        secret=b"room-secret-of-at-least-32-bytes!",
        clock=clock,
    )
    deps = replace(session_deps, multiplayer=rooms)
    session = await create_session(expert, "", LIMITS, deps)
    joined = await join_session(expert, session.id, LIMITS, deps)

    room = joined.multiplayer
    assert room is not None
    assert (room.app_id, room.region) == ("app-1", "eu")
    assert rooms.room_address(room.room_name) == RoomAddress(TENANT, session.id)
    ticket = rooms.verify_ticket(room.ticket)
    assert ticket.participant_id == joined.participant.id
