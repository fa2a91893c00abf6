"""Session states, the one table of allowed moves, and what the host writes about it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import InvalidInput
from core.sessions.model import (
    TRANSITIONS,
    AssistanceSession,
    InvalidSessionTransition,
    Participant,
    ParticipantRole,
    SessionDetails,
    SessionState,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _session(state: SessionState) -> AssistanceSession:
    return AssistanceSession(
        id=uuid.uuid4(),
        host_id=uuid.uuid4(),
        reference="",
        state=state,
        video_room_id=None,
        created_at=NOW,
        updated_at=NOW,
    )


@pytest.mark.parametrize("start", list(SessionState))
@pytest.mark.parametrize("target", list(SessionState))
def test_only_listed_transitions_are_allowed(start: SessionState, target: SessionState) -> None:
    session = _session(start)
    if target in TRANSITIONS[start]:
        moved = session.moved_to(target, NOW + timedelta(seconds=5))
        assert moved.state is target
        assert (moved.ended_at is not None) is (not target.is_open)
    else:
        with pytest.raises(InvalidSessionTransition):
            session.moved_to(target, NOW)


def test_finished_states_are_final_and_ringing_has_four_ways_out() -> None:
    finished = [s for s in SessionState if not s.is_open]
    assert all(TRANSITIONS[s] == frozenset() for s in finished)
    assert TRANSITIONS[SessionState.RINGING] == {
        SessionState.ACTIVE,
        SessionState.DECLINED,
        SessionState.MISSED,
        SessionState.CANCELLED,
    }


def test_details_are_cleaned_and_tags_deduplicated() -> None:
    details = SessionDetails.validated(
        "  Ticket   7 ", ["Pump", "pump ", "Line 3"], "  notes  ", " fixed   seal "
    )
    assert details == SessionDetails("Ticket 7", ("pump", "line 3"), "notes", "fixed seal")


@pytest.mark.parametrize(
    ("reference", "tags", "notes", "outcome", "field"),
    [
        ("x" * 201, [], "", "", "reference"),
        ("", ["ok", ""], "", "", "tags[1]"),
        ("", ["x" * 41], "", "", "tags[0]"),
        ("", [str(i) for i in range(21)], "", "", "tags"),
        ("", [], "n" * 5001, "", "notes"),
        ("", [], "", "o" * 501, "outcome"),
    ],
)
def test_overlong_details_name_the_field_at_fault(
    reference: str, tags: list[str], notes: str, outcome: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        SessionDetails.validated(reference, tags, notes, outcome)
    assert raised.value.field == field


def test_presence_counts_only_within_the_window_and_until_leaving() -> None:
    participant = Participant(
        id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        user_id=None,
        role=ParticipantRole.GUEST,
        joined_at=NOW - timedelta(minutes=10),
        left_at=NOW + timedelta(minutes=5),
    )
    assert participant.seconds_between(NOW, NOW + timedelta(hours=1)) == 300
    assert participant.left(NOW + timedelta(hours=2)).left_at == participant.left_at
