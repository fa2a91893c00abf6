"""OpenTok video provider: routed rooms, offline HS256 tokens, archives, with the opentok SDK.

The SDK blocks (requests), so every REST call runs in a worker thread with the settings'
timeout. Tokens are minted offline by the SDK, which also checks that a room id belongs
to the project's API key. No opentok or requests exception escapes: a provider that is
down or refuses our credentials becomes VideoUnavailable, a request the provider refuses
on its merits (nobody publishing, already recording) VideoArchiveRefused.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import timedelta
from typing import Any
from uuid import UUID

import requests
from opentok import (  # type: ignore[import-untyped]
    ArchiveModes,
    Client,
    MediaModes,
    Roles,
)
from opentok.exceptions import (  # type: ignore[import-untyped]
    ArchiveError,
    NotFoundError,
    OpenTokException,
    RequestError,
)

from adapters.opentok.archive_callbacks import archive_event_from_body, archive_status
from adapters.opentok.settings import OpenTokSettings
from ports.clock import Clock
from ports.video import (
    ArchiveEvent,
    ArchiveMode,
    CallbackRequest,
    InvalidVideoCallback,
    VideoArchive,
    VideoArchiveRefused,
    VideoGrant,
    VideoRole,
    VideoUnavailable,
    participant_connection_data,
)

_ROLES = {
    VideoRole.SUBSCRIBER: Roles.subscriber,
    VideoRole.PUBLISHER: Roles.publisher,
    VideoRole.MODERATOR: Roles.moderator,
}
_ARCHIVE_MODES = {ArchiveMode.MANUAL: ArchiveModes.manual, ArchiveMode.ALWAYS: ArchiveModes.always}


class OpenTokVideoProvider:
    name = "opentok"

    def __init__(self, settings: OpenTokSettings, clock: Clock) -> None:
        if not settings.api_key or settings.api_secret is None:
            raise ValueError("opentok.api_key and opentok.api_secret are required")
        self._client = Client(
            settings.api_key,
            settings.api_secret.get_secret_value(),
            api_url=settings.api_url,
            timeout=settings.timeout_seconds,
        )
        self._callback_secret = settings.callback_secret
        self._clock = clock

    async def create_room(
        self,
        session_id: UUID,
        *,
        archive_mode: ArchiveMode = ArchiveMode.MANUAL,
        archive_name: str | None = None,
    ) -> str:
        """OpenTok takes the automatic archives' name only in ``always`` mode."""
        name = archive_name if archive_mode is ArchiveMode.ALWAYS else None
        try:
            session = await asyncio.to_thread(
                self._client.create_session,
                media_mode=MediaModes.routed,
                archive_mode=_ARCHIVE_MODES[archive_mode],
                archive_name=name,
            )
        except (OpenTokException, requests.RequestException, ValueError) as exc:
            raise VideoUnavailable(f"opentok refused to create a session: {exc}") from exc
        room_id: str = session.session_id
        return room_id

    def grant(
        self, room_id: str, participant_id: UUID, role: VideoRole, ttl: timedelta
    ) -> VideoGrant:
        expires_at = self._clock.now() + ttl
        try:
            token: str = self._client.generate_token(
                room_id,
                role=_ROLES[role],
                expire_time=int(expires_at.timestamp()),
                data=participant_connection_data(participant_id),
            )
        except OpenTokException as exc:
            raise ValueError(f"opentok cannot mint a token for {room_id!r}: {exc}") from exc
        return VideoGrant(provider=self.name, room_id=room_id, token=token, expires_at=expires_at)

    async def start_archive(self, room_id: str, name: str) -> VideoArchive:
        archive = await self._call(self._client.start_archive, room_id, name=name)
        return _archive(archive)

    async def stop_archive(self, archive_id: str) -> VideoArchive:
        return _archive(await self._call(self._client.stop_archive, archive_id))

    def parse_archive_callback(self, request: CallbackRequest) -> ArchiveEvent:
        secret = self._callback_secret
        given = request.query.get("token", "")
        if secret is None or not hmac.compare_digest(
            given.encode(), secret.get_secret_value().encode()
        ):
            raise InvalidVideoCallback("the callback does not carry the configured secret")
        return archive_event_from_body(request.body)

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(method, *args, **kwargs)
        except (ArchiveError, NotFoundError) as exc:
            raise VideoArchiveRefused(str(exc) or type(exc).__name__) from exc
        except RequestError as exc:
            if len(exc.args) == 1:
                raise VideoArchiveRefused(str(exc)) from exc
            raise VideoUnavailable(f"opentok answered an error: {exc.args}") from exc
        except (OpenTokException, requests.RequestException, ValueError) as exc:
            raise VideoUnavailable(f"opentok is unavailable: {exc!r}") from exc


def _archive(archive: Any) -> VideoArchive:
    return VideoArchive(
        archive_id=archive.id,
        room_id=archive.session_id,
        status=archive_status(archive.status),
        name=archive.name,
    )
