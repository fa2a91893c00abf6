"""Request and response bodies of the realtime and presence endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.realtime.presence import UserPresence
from ports.events import ClientGrant
from ports.presence import DevicePresence, PresenceStatus


class FirebaseTokenOut(ResponseBody):
    """Sign in with ``signInWithCustomToken(token)``, then read the listed paths."""

    token: Annotated[str, msgspec.Meta(description="Firebase custom token (a signed JWT).")]
    expires_in: Annotated[int, msgspec.Meta(description="Seconds Firebase accepts the token.")]
    database_url: str
    paths: Annotated[
        list[str],
        msgspec.Meta(description="Where this user's events are: <path>/events, ordered by ts."),
    ]

    @classmethod
    def of(cls, grant: ClientGrant) -> FirebaseTokenOut:
        return cls(
            token=grant.token,
            expires_in=grant.expires_in_seconds,
            database_url=grant.database_url,
            paths=list(grant.channels),
        )


class HeartbeatBody(RequestBody):
    device: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=100,
            pattern=r"^[A-Za-z0-9._:-]+$",
            description="Stable name of the sending device or tab (a device id, 'web-3f2a').",
        ),
    ]
    status: PresenceStatus = PresenceStatus.ONLINE


class DeviceStatusOut(ResponseBody):
    device: str
    status: PresenceStatus
    expires_at: datetime

    @classmethod
    def of(cls, entry: DevicePresence) -> DeviceStatusOut:
        return cls(device=entry.device, status=entry.status, expires_at=entry.expires_at)


class PresenceOut(ResponseBody):
    user_id: UUID
    status: PresenceStatus
    devices: list[DeviceStatusOut]

    @classmethod
    def of(cls, presence: UserPresence) -> PresenceOut:
        devices = sorted(presence.devices, key=lambda entry: entry.device)
        return cls(
            user_id=presence.user_id,
            status=presence.status,
            devices=[DeviceStatusOut.of(entry) for entry in devices],
        )


class PresencePage(ResponseBody):
    items: list[PresenceOut]
    next_cursor: str | None
