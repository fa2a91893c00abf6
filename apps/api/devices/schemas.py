"""Request and response bodies of the device and pairing endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from apps.api.fields import UserCode, text
from apps.api.schemas import RequestBody, ResponseBody
from core.devices.model import DEVICE_CODE_GRANT, Device, DeviceKind

Serial = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=100,
        pattern="^[ -~]*[!-~][ -~]*$",
        description="Serial number of the device: printable ASCII; outer spaces are dropped.",
        examples=["NAV520-0042"],
    ),
]
DeviceName = Annotated[str, text(100, example="Site B", description="Name shown to people.")]


class StartPairingBody(RequestBody):
    serial: Serial
    model: Annotated[str, text(100, example="RealWear Navigator 520")]
    kind: DeviceKind = DeviceKind.GLASSES


class PairingOut(ResponseBody):
    """RFC 8628 section 3.2 device authorization response, plus the QR code to show."""

    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int
    qr_code_svg: Annotated[str, msgspec.Meta(description="data: URI of an SVG QR code.")]
    qr_code_png: Annotated[str, msgspec.Meta(description="data: URI of a PNG QR code.")]


class TokenBody(RequestBody):
    grant_type: Annotated[
        str,
        msgspec.Meta(
            max_length=100,
            description="Another value answers 400 `unsupported_grant_type` (RFC 8628).",
            examples=[DEVICE_CODE_GRANT],
            extra_json_schema={"extra": {"enum": [DEVICE_CODE_GRANT]}},
        ),
    ]
    device_code: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class DeviceTokenOut(ResponseBody):
    """RFC 6749 section 5.1 token response; the credential never expires until revoked."""

    access_token: str
    token_type: Literal["Bearer"]
    device_id: UUID


class ApproveBody(RequestBody):
    user_code: UserCode
    display_name: DeviceName | None = None


class DenyBody(RequestBody):
    user_code: UserCode


class DecisionOut(ResponseBody):
    status: str
    serial: str
    model: str
    device_id: UUID | None


class RenameBody(RequestBody):
    display_name: DeviceName


class DeviceOut(ResponseBody):
    id: UUID
    serial: str
    model: str
    kind: str
    display_name: str
    owner_id: UUID
    status: str
    paired_at: datetime
    last_seen_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, device: Device) -> DeviceOut:
        return cls(
            id=device.id,
            serial=device.serial,
            model=device.model,
            kind=device.kind.value,
            display_name=device.display_name,
            owner_id=device.owner_id,
            status=device.status.value,
            paired_at=device.paired_at,
            last_seen_at=device.last_seen_at,
            revoked_at=device.revoked_at,
            created_at=device.created_at,
        )


class DevicePage(ResponseBody):
    items: list[DeviceOut]
    next_cursor: str | None
