"""Guest links and usage through the HTTP API: single use, expiry, revocation, QR code;
minutes per month and the plan's limits."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
import zxingcpp

from adapters.memory.clock import FixedClock
from core.identity.model import Role
from tests.integration.conftest import Api
from tests.integration.session_kit import signed_in
from tests.integration.test_device_pairing import (
    _grey_png,
    clock,  # noqa: F401 - fixture, found by name
)

TENANT = {"X-Passerelle-Tenant": "acme"}


@pytest.fixture
async def admin(api: Api, clock: FixedClock) -> dict[str, str]:  # noqa: F811
    await api.create_tenant("acme")
    return await api.login("acme")


async def _invite(api: Api, admin: dict[str, str], **body: Any) -> tuple[str, dict[str, Any]]:
    session_id = await api.create_session(admin, "Pump P-12")
    response = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"display_name": "Gus Guest", **body},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    invited: dict[str, Any] = response.json()
    return session_id, invited


def _token(invited: dict[str, Any]) -> str:
    return str(invited["link"]).rsplit("#", 1)[1]


async def _guest_join(api: Api, token: str) -> Any:
    return await api.client.post("/api/v1/guest/join", json={"token": token}, headers=TENANT)


async def test_a_guest_joins_once_from_the_link_without_an_account(
    api: Api, admin: dict[str, str]
) -> None:
    session_id, invited = await _invite(api, admin, email="gus@supplier.example", locale="fr")

    joined = await _guest_join(api, _token(invited))
    assert joined.status_code == 200, joined.text
    assert joined.json()["role"] == "guest"
    assert joined.json()["session_id"] == session_id
    assert joined.json()["realtime"]["channels"] == [
        channel for channel in joined.json()["realtime"]["channels"] if "/sessions/" in channel
    ]
    again = await _guest_join(api, _token(invited))
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_unusable"
    assert again.json()["errors"][0]["field"] == "token"
    listed = await api.client.get(f"/api/v1/sessions/{session_id}/invitations", headers=admin)
    assert listed.json()["items"][0]["used_at"] is not None


async def test_the_qr_code_encodes_the_link(api: Api, admin: dict[str, str]) -> None:
    _, invited = await _invite(api, admin, phone="+32470123456")
    png = base64.b64decode(invited["qr_code"].removeprefix("data:image/png;base64,"))
    width, height, pixels = _grey_png(png)
    image = zxingcpp.ImageView(pixels, width, height, zxingcpp.ImageFormat.Lum)
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [invited["link"]]


async def test_a_link_expires(
    api: Api,
    admin: dict[str, str],
    clock: FixedClock,  # noqa: F811
) -> None:
    _, invited = await _invite(api, admin, email="gus@supplier.example")
    clock.advance(timedelta(hours=24))
    expired = await _guest_join(api, _token(invited))
    assert expired.status_code == 409
    assert "expired" in expired.json()["detail"]


async def test_a_revoked_link_no_longer_opens_the_session(api: Api, admin: dict[str, str]) -> None:
    session_id, invited = await _invite(api, admin, email="gus@supplier.example")
    revoked = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations/{invited['id']}/revoke", headers=admin
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    refused = await _guest_join(api, _token(invited))
    assert refused.status_code == 409
    assert "revoked" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"display_name": "Gus"}, "email", 422),
        ({"display_name": "Gus", "email": "not-an-email"}, "email", 422),
        ({"display_name": "Gus", "phone": "0470"}, "phone", 422),
        ({"display_name": "Gus", "email": "g@x.example", "locale": "de"}, "locale", 422),
    ],
)
async def test_bad_invitations_are_refused_with_their_field_and_write_nothing(
    api: Api, admin: dict[str, str], body: dict[str, Any], field: str, status: int
) -> None:
    session_id = await api.create_session(admin)
    response = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations", json=body, headers=admin
    )
    assert response.status_code == status, response.text
    assert response.json()["errors"][0]["field"] == field
    assert await api.outbox_size("acme") == 0


async def test_unknown_guest_tokens_are_not_found(api: Api, admin: dict[str, str]) -> None:
    response = await _guest_join(api, "no-such-token")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "token"


async def test_usage_counts_minutes_from_join_to_leave_for_admins_only(
    api: Api,
    admin: dict[str, str],
    clock: FixedClock,  # noqa: F811
) -> None:
    session_id = await api.create_session(admin)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=admin)
    participant = joined.json()["participant_id"]
    clock.advance(timedelta(minutes=12, seconds=5))
    left = await api.client.post(
        f"/api/v1/sessions/{session_id}/participants/{participant}/leave", headers=admin
    )
    assert left.status_code == 204, left.text
    month = clock.now().strftime("%Y-%m")

    usage = await api.client.get("/api/v1/usage", params={"month": month}, headers=admin)

    assert usage.status_code == 200, usage.text
    report = usage.json()
    assert (report["month"], report["minutes"]) == (month, 13)
    assert report["sessions"][0]["participants"][0]["minutes"] == 13
    expert, _ = await signed_in(api, "acme", Role.EXPERT, "Ada Expert")
    refused = await api.client.get("/api/v1/usage", headers=expert)
    assert refused.status_code == 403
    bad = await api.client.get("/api/v1/usage", params={"month": "2026-13"}, headers=admin)
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "month"


async def test_a_guest_leaves_with_their_pass_and_their_minutes_stop_counting(
    api: Api,
    admin: dict[str, str],
    clock: FixedClock,  # noqa: F811
) -> None:
    session_id, invited = await _invite(api, admin, email="gus@supplier.example")
    joined = await _guest_join(api, _token(invited))
    assert joined.status_code == 200, joined.text
    guest = TENANT | {"Authorization": f"Bearer {joined.json()['realtime']['guest_pass']}"}
    clock.advance(timedelta(minutes=4, seconds=30))

    left = await api.client.post("/api/v1/guest/leave", headers=guest)
    clock.advance(timedelta(minutes=20))
    again = await api.client.post("/api/v1/guest/leave", headers=guest)

    assert (left.status_code, again.status_code) == (204, 204), left.text
    month = clock.now().strftime("%Y-%m")
    usage = await api.client.get("/api/v1/usage", params={"month": month}, headers=admin)
    [session] = usage.json()["sessions"]
    assert session["session_id"] == session_id
    assert [p["minutes"] for p in session["participants"]] == [5]


async def test_only_a_guest_pass_of_the_addressed_tenant_lets_a_guest_leave(
    api: Api, admin: dict[str, str]
) -> None:
    _, invited = await _invite(api, admin, email="gus@supplier.example")
    guest_pass = (await _guest_join(api, _token(invited))).json()["realtime"]["guest_pass"]
    await api.create_tenant("bravo")

    answers = {
        "no token": await api.client.post("/api/v1/guest/leave", headers=TENANT),
        "a user's token": await api.client.post("/api/v1/guest/leave", headers=admin),
        "another tenant": await api.client.post(
            "/api/v1/guest/leave",
            headers={"X-Passerelle-Tenant": "bravo", "Authorization": f"Bearer {guest_pass}"},
        ),
    }

    assert {name: a.status_code for name, a in answers.items()} == {
        "no token": 401,
        "a user's token": 401,
        "another tenant": 403,
    }
    assert answers["another tenant"].json()["code"] == "tenant_mismatch"


async def test_exhausted_minutes_refuse_new_sessions_and_joins_with_a_stable_code(
    api: Api,
    admin: dict[str, str],
    clock: FixedClock,  # noqa: F811
) -> None:
    session_id = await api.create_session(admin)
    await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=admin)
    clock.advance(timedelta(minutes=2))
    tenant = await api.container.catalog().find_by_slug("acme")
    assert tenant is not None
    patched = await api.client.patch(
        f"/api/v1/tenants/{tenant.id}",
        json={"limits": {"monthly_session_minutes": 1}},
        headers={"Authorization": f"Bearer {api.operator_key}"},
    )
    assert patched.status_code == 200, patched.text
    clock.advance(timedelta(seconds=5))

    created = await api.client.post("/api/v1/sessions", json={}, headers=admin)
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=admin)

    for refused in (created, joined):
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "session_minutes_exhausted"
        assert refused.json()["errors"][0]["field"] == "limits.monthly_session_minutes"


async def test_the_host_describes_the_session_and_ends_it(api: Api, admin: dict[str, str]) -> None:
    session_id = await api.create_session(admin)
    url = f"/api/v1/sessions/{session_id}"
    described = await api.client.patch(
        url, json={"tags": ["Pump", "pump", "line 3"], "outcome": "Seal replaced"}, headers=admin
    )
    assert described.status_code == 200, described.text
    assert described.json()["tags"] == ["pump", "line 3"]
    await api.client.post(f"{url}/join", headers=admin)
    ended = await api.client.post(f"{url}/end", headers=admin)
    assert ended.json()["state"] == "ended"
    kept = await api.client.get(url, headers=admin)
    assert (kept.json()["outcome"], kept.json()["tags"]) == ("Seal replaced", ["pump", "line 3"])
    too_long = await api.client.patch(url, json={"notes": "n" * 5001}, headers=admin)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "notes"
