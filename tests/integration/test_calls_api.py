"""The call flow through the HTTP API: ring, accept, decline, cancel, time out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.event_publisher import InProcessEventPublisher
from core.identity.model import Role
from core.sessions.sweeps import sweep_every_tenant
from tests.integration.conftest import Api
from tests.integration.session_kit import signed_in
from tests.integration.test_device_pairing import (
    clock,  # noqa: F401 - fixture, found by name
    pair_device,
)


@pytest.fixture
async def people(
    api: Api,
    clock: FixedClock,  # noqa: F811
    events: InProcessEventPublisher,
) -> dict[str, Any]:
    await api.create_tenant("acme")
    expert, _ = await signed_in(api, "acme", Role.EXPERT, "Ada Expert")
    field, field_id = await signed_in(api, "acme", Role.FIELD_ENGINEER, "Fred Field")
    return {"expert": expert, "field": field, "field_id": field_id}


async def _call(api: Api, people: dict[str, Any], reference: str = "Pump P-12") -> dict[str, Any]:
    response = await api.client.post(
        "/api/v1/calls",
        json={"callee_id": people["field_id"], "reference": reference},
        headers=people["expert"],
    )
    assert response.status_code == 201, response.text
    called: dict[str, Any] = response.json()
    return called


async def _notifications(api: Api, session_id: str, headers: dict[str, str]) -> list[Any]:
    listed = await api.client.get(f"/api/v1/sessions/{session_id}/notifications", headers=headers)
    assert listed.status_code == 200, listed.text
    items: list[Any] = listed.json()["items"]
    return items


async def test_a_call_rings_pushes_and_is_accepted_then_joined_with_everything_needed(
    api: Api, people: dict[str, Any], events: InProcessEventPublisher
) -> None:
    preference = await api.client.put(
        "/api/v1/call-preferences",
        json={"missed_call_channel": "email", "push_token": "fcm-token-fred", "locale": "nl"},
        headers=people["field"],
    )
    assert preference.status_code == 200, preference.text
    assert preference.json()["push_registered"] is True

    session = await _call(api, people)
    assert session["state"] == "ringing"
    assert session["callee_id"] == people["field_id"]
    [push] = await _notifications(api, session["id"], people["expert"])
    assert (push["kind"], push["channel"]) == ("incoming_call", "push")
    assert events.published[-1].type.value == "session.ringing"

    accepted = await api.client.post(
        f"/api/v1/sessions/{session['id']}/accept", headers=people["field"]
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "active"

    joined = await api.client.post(
        f"/api/v1/sessions/{session['id']}/join", headers=people["field"]
    )
    assert joined.status_code == 200, joined.text
    answer = joined.json()
    assert answer["role"] == "field_engineer"
    assert answer["video"]["token"]
    assert answer["realtime"]["channels"][-1].endswith(f"/sessions/{session['id']}")
    assert answer["multiplayer"]["room_name"]
    assert answer["multiplayer"]["ticket"]


async def test_the_callee_declines_and_the_call_cannot_be_accepted_after(
    api: Api, people: dict[str, Any]
) -> None:
    session = await _call(api, people)
    url = f"/api/v1/sessions/{session['id']}"
    by_caller = await api.client.post(f"{url}/decline", headers=people["expert"])
    assert by_caller.status_code == 403
    assert by_caller.json()["code"] == "not_the_callee"
    declined = await api.client.post(f"{url}/decline", headers=people["field"])
    assert declined.json()["state"] == "declined"
    late = await api.client.post(f"{url}/accept", headers=people["field"])
    assert late.status_code == 409
    assert late.json()["code"] == "invalid_session_transition"


async def test_the_caller_cancels_a_ringing_call(api: Api, people: dict[str, Any]) -> None:
    session = await _call(api, people)
    cancelled = await api.client.post(
        f"/api/v1/sessions/{session['id']}/cancel", headers=people["expert"]
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"


async def test_an_unanswered_call_is_missed_and_told_by_sms_as_the_callee_prefers(
    api: Api,
    people: dict[str, Any],
    clock: FixedClock,  # noqa: F811
) -> None:
    await api.client.put(
        "/api/v1/call-preferences",
        json={"missed_call_channel": "sms", "phone": "+32 470 12 34 56"},
        headers=people["field"],
    )
    session = await _call(api, people, "Line 3")
    deps = api.container.session_dependencies()

    clock.advance(timedelta(seconds=44))
    early = await sweep_every_tenant(api.container.catalog(), deps)
    clock.advance(timedelta(seconds=1))
    late = await sweep_every_tenant(api.container.catalog(), deps)

    assert (early.missed, late.missed) == (0, 1)
    got = await api.client.get(f"/api/v1/sessions/{session['id']}", headers=people["expert"])
    assert got.json()["state"] == "missed"
    [missed] = await _notifications(api, session["id"], people["expert"])
    assert (missed["kind"], missed["channel"]) == ("missed_call", "sms")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"callee_id": "not-a-uuid"}, 422, "callee_id"),
        ({"callee_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11"}, 404, "callee_id"),
        (
            {"callee_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11", "callee_kind": "fax"},
            422,
            "callee_kind",
        ),
        ({"callee_id": "6f1c7a7e-2f4e-4c43-9d56-1b0f0e7a9c11", "reference": "x" * 201}, 422, None),
    ],
)
async def test_bad_calls_are_refused_with_the_field_at_fault(
    api: Api, people: dict[str, Any], body: dict[str, Any], status: int, field: str | None
) -> None:
    response = await api.client.post("/api/v1/calls", json=body, headers=people["expert"])
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if field is not None:
        assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"missed_call_channel": "pigeon"}, "missed_call_channel", 422),
        ({"missed_call_channel": "sms"}, "phone", 422),
        ({"missed_call_channel": "email", "locale": "de"}, "locale", 422),
    ],
)
async def test_bad_call_preferences_are_refused_with_their_field(
    api: Api, people: dict[str, Any], body: dict[str, Any], field: str, status: int
) -> None:
    response = await api.client.put("/api/v1/call-preferences", json=body, headers=people["field"])
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field


async def test_calling_paired_glasses_rings_their_owner(
    api: Api, people: dict[str, Any], events: InProcessEventPublisher
) -> None:
    glasses = await pair_device(api, "acme", people["field"])
    response = await api.client.post(
        "/api/v1/calls",
        json={"callee_kind": "device", "callee_id": glasses["device_id"]},
        headers=people["expert"],
    )
    assert response.status_code == 201, response.text
    assert (response.json()["callee_kind"], response.json()["callee_id"]) == (
        "device",
        glasses["device_id"],
    )
    ringing = events.published[-1]
    assert ringing.data["callee_id"] == glasses["device_id"]
    accepted = await api.client.post(
        f"/api/v1/sessions/{response.json()['id']}/accept", headers=people["field"]
    )
    assert accepted.status_code == 200, accepted.text
