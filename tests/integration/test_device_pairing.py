"""Pairing glasses without typing, through the HTTP API, on SQLite and PostgreSQL.

The device plays RFC 8628's part (device authorization request, then polling the token
endpoint); a signed-in user approves the code in the portal's place.
"""

from __future__ import annotations

import base64
import re
import struct
import uuid
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest
import zxingcpp
from dependency_injector import providers

from adapters.memory.clock import FixedClock
from apps.container import Container
from core.devices.model import DEVICE_CODE_GRANT
from core.identity.model import Role, User
from tests.integration.conftest import ADMIN_PASSWORD, Api

TENANT = {"X-Passerelle-Tenant": "acme"}
GLASSES = {"serial": "RW-0042", "model": "RealWear Navigator 520", "kind": "glasses"}


@pytest.fixture
def clock(container: Container) -> Iterator[FixedClock]:
    """Set before the API starts, so every use case reads the test's time."""
    fixed = FixedClock(datetime.now(UTC))
    container.clock.override(providers.Object(fixed))
    yield fixed
    container.clock.reset_override()


async def start_pairing(api: Api, slug: str, body: dict[str, Any] = GLASSES) -> dict[str, Any]:
    response = await api.client.post(
        "/api/v1/devices/pairings", json=body, headers={"X-Passerelle-Tenant": slug}
    )
    assert response.status_code == 200, response.text
    started: dict[str, Any] = response.json()
    return started


async def poll(api: Api, slug: str, device_code: str) -> Any:
    return await api.client.post(
        "/api/v1/devices/token",
        json={"grant_type": DEVICE_CODE_GRANT, "device_code": device_code},
        headers={"X-Passerelle-Tenant": slug},
    )


async def pair_device(
    api: Api, slug: str, user: dict[str, str], body: dict[str, Any] = GLASSES
) -> dict[str, Any]:
    """A device paired to ``user``: its id and its credential."""
    started = await start_pairing(api, slug, body)
    approved = await api.client.post(
        "/api/v1/devices/pairings/approve",
        json={"user_code": started["user_code"]},
        headers=user,
    )
    assert approved.status_code == 200, approved.text
    issued = await poll(api, slug, started["device_code"])
    assert issued.status_code == 200, issued.text
    token: dict[str, Any] = issued.json()
    return token


async def _error_of(api: Api, device_code: str) -> str:
    response = await poll(api, "acme", device_code)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == body["error"]
    assert body["status"] == 400
    assert response.headers["cache-control"] == "no-store"
    error: str = body["error"]
    return error


async def _signed_in_engineer(api: Api, email: str = "fe@acme.example") -> dict[str, str]:
    tenant = await api.container.catalog().find_by_slug("acme")
    assert tenant is not None
    async with api.container.tenant_uow()(tenant.id) as uow:
        await uow.users.add(
            User(
                id=uuid.uuid4(),
                email=email,
                display_name="Fiona Field",
                role=Role.FIELD_ENGINEER,
                password_hash=api.container.hasher().hash(ADMIN_PASSWORD),
                created_at=datetime.now(UTC),
            )
        )
        await uow.commit()
    return await api.login("acme", email)


@pytest.fixture
async def admin(clock: FixedClock, api: Api) -> dict[str, str]:
    await api.create_tenant("acme")
    return await api.login("acme")


async def test_glasses_pair_by_code_and_then_read_their_own_record(
    api: Api, admin: dict[str, str]
) -> None:
    started = await start_pairing(api, "acme")
    assert started["expires_in"] == 600
    assert started["interval"] == 5
    assert started["verification_uri"].endswith("/pair?tenant=acme")
    assert started["verification_uri_complete"].endswith(started["user_code"])
    assert await _error_of(api, started["device_code"]) == "authorization_pending"

    typed = started["user_code"].replace("-", "").lower()
    approved = await api.client.post(
        "/api/v1/devices/pairings/approve",
        json={"user_code": typed, "display_name": "Hall 3 glasses"},
        headers=admin,
    )
    assert approved.status_code == 200, approved.text
    issued = await poll(api, "acme", started["device_code"])
    assert issued.status_code == 200, issued.text
    credential = issued.json()["access_token"]
    assert credential.startswith("pxd_")
    assert issued.json()["device_id"] == approved.json()["device_id"]

    me = await api.client.get(
        "/api/v1/devices/me", headers={**TENANT, "Authorization": f"Bearer {credential}"}
    )
    assert me.status_code == 200, me.text
    assert me.json()["display_name"] == "Hall 3 glasses"
    assert me.json()["serial"] == "RW-0042"
    assert me.json()["last_seen_at"] is not None
    assert await _error_of(api, started["device_code"]) == "invalid_grant"


async def test_polling_faster_than_the_interval_is_told_to_slow_down(
    api: Api, admin: dict[str, str], clock: FixedClock
) -> None:
    started = await start_pairing(api, "acme")
    assert await _error_of(api, started["device_code"]) == "authorization_pending"
    clock.advance(timedelta(seconds=1))
    assert await _error_of(api, started["device_code"]) == "slow_down"
    clock.advance(timedelta(seconds=10))
    assert await _error_of(api, started["device_code"]) == "authorization_pending"


async def test_codes_expire_after_ten_minutes(
    api: Api, admin: dict[str, str], clock: FixedClock
) -> None:
    started = await start_pairing(api, "acme")
    clock.advance(timedelta(minutes=10))
    late = await api.client.post(
        "/api/v1/devices/pairings/approve", json={"user_code": started["user_code"]}, headers=admin
    )
    assert late.status_code == 409, late.text
    assert late.json()["code"] == "user_code_expired"
    assert await _error_of(api, started["device_code"]) == "expired_token"


async def test_denied_pairing_is_refused_to_the_device(api: Api, admin: dict[str, str]) -> None:
    started = await start_pairing(api, "acme")
    denied = await api.client.post(
        "/api/v1/devices/pairings/deny", json={"user_code": started["user_code"]}, headers=admin
    )
    assert denied.status_code == 200, denied.text
    assert denied.json()["status"] == "denied"
    assert await _error_of(api, started["device_code"]) == "access_denied"
    listed = await api.client.get("/api/v1/devices", headers=admin)
    assert listed.json()["items"] == []


async def test_a_user_code_is_used_once(api: Api, admin: dict[str, str]) -> None:
    started = await start_pairing(api, "acme")
    body = {"user_code": started["user_code"]}
    first = await api.client.post("/api/v1/devices/pairings/approve", json=body, headers=admin)
    again = await api.client.post("/api/v1/devices/pairings/deny", json=body, headers=admin)
    assert first.status_code == 200
    assert again.status_code == 404, again.text
    assert again.json()["errors"][0]["field"] == "user_code"


async def test_revoking_a_device_stops_its_credential_at_once(
    api: Api, admin: dict[str, str]
) -> None:
    paired = await pair_device(api, "acme", admin)
    device = {**TENANT, "Authorization": f"Bearer {paired['access_token']}"}
    assert (await api.client.get("/api/v1/devices/me", headers=device)).status_code == 200
    revoked = await api.client.post(f"/api/v1/devices/{paired['device_id']}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    refused = await api.client.get("/api/v1/devices/me", headers=device)
    assert refused.status_code == 401, refused.text


async def test_owners_manage_their_devices_and_not_another_users(
    api: Api, admin: dict[str, str], clock: FixedClock
) -> None:
    engineer = await _signed_in_engineer(api)
    theirs = await pair_device(api, "acme", engineer, {**GLASSES, "serial": "FE-1"})
    clock.advance(timedelta(seconds=1))
    admins = await pair_device(api, "acme", admin, {**GLASSES, "serial": "AD-1"})

    renamed = await api.client.patch(
        f"/api/v1/devices/{theirs['device_id']}",
        json={"display_name": "My phone"},
        headers=engineer,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["display_name"] == "My phone"
    own_list = (await api.client.get("/api/v1/devices", headers=engineer)).json()
    assert [d["id"] for d in own_list["items"]] == [theirs["device_id"]]

    path = f"/api/v1/devices/{admins['device_id']}"
    assert (await api.client.get(path, headers=engineer)).status_code == 403
    forbidden = await api.client.patch(path, json={"display_name": "x"}, headers=engineer)
    assert forbidden.status_code == 403
    assert (await api.client.post(f"{path}/revoke", headers=engineer)).status_code == 403
    owner_id = own_list["items"][0]["owner_id"]
    by_owner = await api.client.get(f"/api/v1/devices?owner_id={owner_id}", headers=admin)
    assert [d["id"] for d in by_owner.json()["items"]] == [theirs["device_id"]]
    everyone = await api.client.get("/api/v1/devices?limit=1", headers=admin)
    second = await api.client.get(
        f"/api/v1/devices?limit=1&cursor={everyone.json()['next_cursor']}", headers=admin
    )
    seen = [d["id"] for d in everyone.json()["items"] + second.json()["items"]]
    assert seen == [theirs["device_id"], admins["device_id"]]


async def test_a_users_token_does_not_open_the_device_only_route(
    api: Api, admin: dict[str, str]
) -> None:
    response = await api.client.get("/api/v1/devices/me", headers=admin)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "device_credential_required"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "Pixel 9", "kind": "phone"}, "serial"),
        ({**GLASSES, "kind": "toaster"}, "kind"),
        ({**GLASSES, "serial": "   "}, "serial"),
        ({**GLASSES, "colour": "red"}, "colour"),
    ],
)
async def test_bad_pairing_requests_name_the_field(
    api: Api, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await api.client.post("/api/v1/devices/pairings", json=body, headers=TENANT)
    assert response.status_code in (400, 422), response.text
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_a_malformed_user_code_is_refused_with_its_field(
    api: Api, admin: dict[str, str]
) -> None:
    response = await api.client.post(
        "/api/v1/devices/pairings/approve", json={"user_code": "AEIO-U123"}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["user_code"]


async def test_the_qr_code_encodes_the_approval_link(api: Api, admin: dict[str, str]) -> None:
    started = await start_pairing(api, "acme")
    png = base64.b64decode(started["qr_code_png"].removeprefix("data:image/png;base64,"))
    width, height, pixels = _grey_png(png)
    image = zxingcpp.ImageView(pixels, width, height, zxingcpp.ImageFormat.Lum)
    decoded = [code.text for code in zxingcpp.read_barcodes(image)]
    assert decoded == [started["verification_uri_complete"]]
    svg = unquote(started["qr_code_svg"].split(",", 1)[1])
    size = re.search(r"<svg [^>]*width=.(\d+). height=.(\d+).", svg)
    assert size is not None, svg[:200]
    assert (int(size[1]), int(size[2])) == (width, height)


def _grey_png(data: bytes) -> tuple[int, int, bytes]:
    """Black-and-white PNG (1-bit greyscale, as segno writes it) to 8-bit pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    position = 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        chunks[kind] = chunks.get(kind, b"") + data[position + 8 : position + 8 + length]
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (1, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = (width + 7) // 8
    pixels, above = bytearray(), bytes(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], raw[start + 1 : start + 1 + stride]
        assert kind in (0, 2), "segno writes rows plain or as 'Up' (same as the row above)"
        if kind == 2:
            line = bytes((a + b) & 0xFF for a, b in zip(line, above, strict=True))
        above = line
        bits = "".join(f"{byte:08b}" for byte in line)[:width]
        pixels.extend(255 if bit == "1" else 0 for bit in bits)
    return width, height, bytes(pixels)
