"""OAuth 2.0 access tokens for FCM, from a service-account key, fetched once and reused.

firebase-admin reads and checks the key (``credentials.Certificate``) and gives the
google-auth credential behind it, which signs the JWT assertion, posts it to the key's
``token_uri`` (the JWT-bearer grant) and remembers the token until shortly before it
expires. That exchange is blocking I/O, so it runs in a worker thread, one at a time:
concurrent sends that find no valid token wait for the same refresh, and a send that
gives up waiting does not abort it for the others.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any

from firebase_admin import credentials
from google.auth import exceptions as google_auth_errors
from google.auth.transport.requests import Request

from adapters.firebase.settings import FirebaseCredentialsError, FirebaseSettings
from ports.push import PushDeliveryError, PushFailure

log = logging.getLogger(__name__)


def load_service_account(settings: FirebaseSettings) -> dict[str, Any]:
    """The key as a dict, with ``token_uri`` replaced when the settings name one.

    Error messages name the setting and what is wrong, never the key's content.
    """
    if settings.credentials_json is not None:
        source, text = "firebase.credentials_json", settings.credentials_json.get_secret_value()
    elif settings.credentials_file is not None:
        source = "firebase.credentials_file"
        try:
            text = settings.credentials_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise FirebaseCredentialsError(
                f"{source}: cannot read {settings.credentials_file}: {exc}"
            ) from None
    else:
        raise FirebaseCredentialsError(
            "firebase.credentials_file or firebase.credentials_json: the fcm push adapter "
            "needs a service-account key"
        )
    try:
        info = json.loads(text)
    except ValueError:
        raise FirebaseCredentialsError(f"{source}: not valid JSON") from None
    if not isinstance(info, dict):
        raise FirebaseCredentialsError(f"{source}: not a service-account key (a JSON object)")
    if settings.token_uri is not None:
        info["token_uri"] = settings.token_uri
    return info


class AccessTokens:
    def __init__(self, service_account: dict[str, Any], *, timeout_seconds: float) -> None:
        try:
            certificate = credentials.Certificate(service_account)
        except ValueError as exc:
            raise FirebaseCredentialsError(
                f"firebase credentials: not a usable service-account key: {exc}"
            ) from None
        self._credential: Any = certificate.get_credential()
        self._token_uri = str(service_account.get("token_uri"))
        self._timeout_seconds = timeout_seconds
        self._transport = Request()
        self._request = functools.partial(self._transport, timeout=timeout_seconds)
        self._refreshing: asyncio.Future[None] | None = None

    async def current(self) -> str:
        """A valid access token, fetched only when the last one expired or was rejected."""
        if not self._credential.valid:
            if self._refreshing is None:
                self._refreshing = asyncio.ensure_future(asyncio.to_thread(self._refresh))
                self._refreshing.add_done_callback(self._refreshed)
            try:
                await asyncio.shield(self._refreshing)
            except PushDeliveryError as shared:
                raise _copy(shared) from shared.__cause__
        return str(self._credential.token)

    def reject(self, token: str) -> None:
        """FCM refused ``token``: the next ``current`` fetches another."""
        if self._credential.token == token:
            self._credential.token = None

    async def close(self) -> None:
        """Let a refresh under way end (bounded by its own timeout), then drop connections."""
        if self._refreshing is not None:
            await asyncio.wait([self._refreshing], timeout=self._timeout_seconds)
        self._transport.session.close()

    def _refreshed(self, refresh: asyncio.Future[None]) -> None:
        self._refreshing = None
        if not refresh.cancelled():
            refresh.exception()  # retrieved, even when every waiter gave up

    def _refresh(self) -> None:
        """Blocking: the JWT-bearer grant at ``token_uri``; every failure as a port error."""
        try:
            self._credential.refresh(self._request)
        except google_auth_errors.RefreshError as exc:
            raise _refused(exc) from exc
        except google_auth_errors.TransportError as exc:
            raise PushDeliveryError(
                f"token endpoint {self._token_uri} unreachable: {exc.__cause__ or exc}",
                retryable=True,
                code=PushFailure.UNREACHABLE,
            ) from exc
        except (google_auth_errors.GoogleAuthError, ValueError, TypeError, KeyError) as exc:
            raise PushDeliveryError(
                f"token endpoint {self._token_uri} answered unexpectedly: {type(exc).__name__}",
                retryable=True,
                code=PushFailure.UNAVAILABLE,
            ) from exc
        log.info("FCM access token fetched from %s", self._token_uri)


def _copy(error: PushDeliveryError) -> PushDeliveryError:
    """One error per waiting send: a raised exception collects that send's traceback."""
    return PushDeliveryError(
        error.reason, retryable=error.retryable, code=error.code, retry_after=error.retry_after
    )


def _refused(exc: google_auth_errors.RefreshError) -> PushDeliveryError:
    """The token endpoint's own answer (``invalid_grant: ...``), retryable as google-auth says.

    google-auth has already retried a 5xx or 429 twice with back-off by then.
    """
    answer = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    retryable = bool(getattr(exc, "retryable", False))
    return PushDeliveryError(
        f"token endpoint refused the service-account key: {answer}"
        if not retryable
        else f"token endpoint failed: {answer}",
        retryable=retryable,
        code=PushFailure.UNAVAILABLE if retryable else PushFailure.CREDENTIALS_REFUSED,
    )
