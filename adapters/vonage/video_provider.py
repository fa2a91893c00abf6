"""Vonage Video provider through the vonage SDK's video module: the alternative to opentok.

Same rooms, tokens and archives as the opentok adapter, with a Vonage application
(application id + RS256 private key) instead of an OpenTok project. The SDK blocks, so
REST calls run in a worker thread; its client keeps per-request state, so one lock
serialises them (room creation is rare: once per assistance session). urllib3 retries
are off: a failed creation is the caller's to retry. No vonage or requests exception
escapes this module.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import jwt
import requests
from pydantic import Field, ValidationError
from vonage import Auth, HttpClientOptions, Vonage  # type: ignore[import-untyped]
from vonage_http_client import (  # type: ignore[import-untyped]
    AuthenticationError,
    ForbiddenError,
    HttpRequestError,
)
from vonage_utils import VonageError  # type: ignore[import-untyped]
from vonage_video import (  # type: ignore[import-untyped]
    ArchiveMode as VonageArchiveMode,
)
from vonage_video import (
    CreateArchiveRequest,
    MediaMode,
    SessionOptions,
    TokenOptions,
    TokenRole,
)

from adapters.opentok.archive_callbacks import archive_event_from_body, archive_status
from adapters.vonage.sms_sender import _PinnedCaAdapter, _session_of
from adapters.vonage.video_settings import VonageVideoSettings
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

T = TypeVar("T")

_ROLES = {
    VideoRole.SUBSCRIBER: TokenRole.SUBSCRIBER,
    VideoRole.PUBLISHER: TokenRole.PUBLISHER,
    VideoRole.MODERATOR: TokenRole.MODERATOR,
}
_CALLBACK_MAX_AGE = timedelta(minutes=5)


class VonageVideoProvider:
    name = "vonage"

    def __init__(self, settings: VonageVideoSettings, clock: Clock) -> None:
        if not settings.application_id or settings.private_key is None:
            raise ValueError("vonage_video.application_id and private_key are required")
        if settings.ca_file is not None and not settings.ca_file.is_file():
            raise ValueError(f"vonage_video.ca_file: no file at {settings.ca_file}")
        try:
            self._client = Vonage(
                Auth(
                    application_id=settings.application_id,
                    private_key=settings.private_key.get_secret_value(),
                ),
                HttpClientOptions(
                    video_host=settings.video_host,
                    timeout=settings.timeout_seconds,
                    max_retries=0,
                ),
            )
        except (VonageError, ValidationError) as exc:
            raise ValueError(f"vonage_video: refused by the SDK: {exc}") from exc
        if settings.ca_file is not None:
            _session_of(self._client).mount("https://", _PinnedCaAdapter(settings.ca_file))
        self._signature_secret = settings.signature_secret
        self._clock = clock
        self._lock = threading.Lock()

    async def create_room(
        self,
        session_id: UUID,
        *,
        archive_mode: ArchiveMode = ArchiveMode.MANUAL,
        archive_name: str | None = None,
    ) -> str:
        always = archive_mode is ArchiveMode.ALWAYS
        options = _NamedArchiveSessionOptions(
            media_mode=MediaMode.ROUTED,
            archive_mode=VonageArchiveMode(archive_mode.value),
            archive_name=archive_name if always else None,
        )
        try:
            session = await self._call(self._client.video.create_session, options)
        except VideoArchiveRefused as exc:
            raise VideoUnavailable(f"vonage refused to create a session: {exc}") from exc
        room_id: str = session.session_id
        return room_id

    def grant(
        self, room_id: str, participant_id: UUID, role: VideoRole, ttl: timedelta
    ) -> VideoGrant:
        expires_at = self._clock.now() + ttl
        try:
            options = TokenOptions(
                session_id=room_id,
                role=_ROLES[role],
                connection_data=participant_connection_data(participant_id),
                exp=int(expires_at.timestamp()),
            )
            token = self._client.video.generate_client_token(options)
        except (VonageError, ValidationError) as exc:
            raise ValueError(f"vonage cannot mint a token for {room_id!r}: {exc}") from exc
        text = token.decode() if isinstance(token, bytes) else str(token)
        return VideoGrant(provider=self.name, room_id=room_id, token=text, expires_at=expires_at)

    async def start_archive(self, room_id: str, name: str) -> VideoArchive:
        request = CreateArchiveRequest(session_id=room_id, name=name)
        return _archive(await self._call(self._client.video.start_archive, request), room_id)

    async def stop_archive(self, archive_id: str) -> VideoArchive:
        return _archive(await self._call(self._client.video.stop_archive, archive_id), "")

    def parse_archive_callback(self, request: CallbackRequest) -> ArchiveEvent:
        """Checks Vonage's signed-webhook JWT: HS256 with the signature secret, body hash."""
        if self._signature_secret is None:
            raise InvalidVideoCallback("no signature secret is configured: callback refused")
        authorization = _header(request, "authorization")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise InvalidVideoCallback("the callback carries no signed token")
        try:
            claims = jwt.decode(
                token,
                self._signature_secret.get_secret_value(),
                algorithms=["HS256"],
                options={"require": ["iat", "payload_hash"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidVideoCallback(f"the callback's token is not valid: {exc}") from exc
        issued = int(claims["iat"])
        if abs(self._clock.now().timestamp() - issued) > _CALLBACK_MAX_AGE.total_seconds():
            raise InvalidVideoCallback("the callback's token is too old: a replay")
        digest = hashlib.sha256(request.body).hexdigest()
        if not hmac.compare_digest(str(claims["payload_hash"]), digest):
            raise InvalidVideoCallback("the callback's body is not the one that was signed")
        return archive_event_from_body(request.body)

    async def _call(self, method: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(self._locked, method, *args)

    def _locked(self, method: Callable[..., T], *args: Any) -> T:
        with self._lock:
            try:
                return method(*args)
            except (AuthenticationError, ForbiddenError) as exc:
                raise VideoUnavailable(f"vonage refused our credentials: {exc}") from exc
            except HttpRequestError as exc:
                status = exc.response.status_code
                if status >= 500 or status == 429:
                    raise VideoUnavailable(f"vonage answered HTTP {status}") from exc
                raise VideoArchiveRefused(f"vonage answered HTTP {status}: {exc}") from exc
            except VonageError as exc:
                raise VideoArchiveRefused(str(exc)) from exc
            except (requests.RequestException, ValidationError, KeyError, TypeError) as exc:
                raise VideoUnavailable(f"vonage is unavailable: {exc!r}") from exc


class _NamedArchiveSessionOptions(SessionOptions):  # type: ignore[misc]
    """The SDK's session options plus ``archiveName``, a field of the REST API's session
    creation (the name of every automatic archive of the session) the SDK does not model."""

    archive_name: str | None = Field(None, serialization_alias="archiveName", max_length=80)


def _archive(archive: Any, room_id: str) -> VideoArchive:
    return VideoArchive(
        archive_id=archive.id,
        room_id=archive.session_id or room_id,
        status=archive_status(archive.status),
        name=archive.name,
    )


def _header(request: CallbackRequest, name: str) -> str:
    for key, value in request.headers.items():
        if key.lower() == name:
            return value
    return ""
