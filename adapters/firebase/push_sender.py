"""Push notifications through Firebase Cloud Messaging's HTTP v1 API.

What comes from firebase-admin, and why the request itself does not:

- The SDK does the parts worth having: reading and checking the service-account key,
  the OAuth 2.0 JWT-bearer exchange and token caching (its google-auth credential; see
  ``access_tokens``), and the message model with its validation and JSON encoding (see
  ``fcm_message``).
- ``messaging.send`` is not used. Its endpoint is a private class attribute
  (``_MessagingService.FCM_URL``), so pointing it anywhere but Google means patching a
  global that every app in the process shares; it blocks, and retries 500/503 up to four
  times with back-off before answering, while the outbox already owns retries.
  ``send_each_async`` has the same endpoint, and refreshes the access token with blocking
  I/O on the event loop, with no timeout of ours. The request is one documented POST, so
  the adapter sends it with httpx (the SDK's own async transport) to
  ``<fcm_base_url>/v1/projects/<project>/messages:send``: the endpoint is a setting, and
  two senders with different endpoints and keys live side by side.

Each push is one attempt within ``timeout_seconds``, token refresh included. A 401 means
the cached access token went stale early: it is dropped and the push is sent once more
with a new one. Every failure leaves as a PushDeliveryError (see ``fcm_errors``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import quote

import firebase_admin
import httpx

from adapters.firebase.access_tokens import AccessTokens, load_service_account
from adapters.firebase.fcm_errors import (
    access_token_rejected,
    fcm_refusal,
    retry_after_seconds,
)
from adapters.firebase.fcm_message import encode_message
from adapters.firebase.settings import FirebaseCredentialsError, FirebaseSettings
from ports.clock import Clock
from ports.push import PushDeliveryError, PushFailure, PushNotification

log = logging.getLogger(__name__)


class FcmPushSender:
    def __init__(self, settings: FirebaseSettings, clock: Clock) -> None:
        service_account = load_service_account(settings)
        project_id = settings.project_id or service_account.get("project_id")
        if not isinstance(project_id, str) or not project_id:
            raise FirebaseCredentialsError(
                "firebase.project_id: not set, and the service-account key names no project"
            )
        self._settings = settings
        self._clock = clock
        self._tokens = AccessTokens(service_account, timeout_seconds=settings.timeout_seconds)
        self._url = (
            f"{settings.fcm_base_url.rstrip('/')}/v1/projects/{quote(project_id, safe='')}"
            "/messages:send"
        )
        self._client = httpx.AsyncClient(
            timeout=settings.timeout_seconds,
            headers={
                # The headers firebase-admin sends with every FCM request.
                "X-GOOG-API-FORMAT-VERSION": "2",
                "X-Firebase-Client": f"fire-admin-python/{firebase_admin.__version__}",
            },
        )

    async def send(self, push: PushNotification) -> str:
        try:
            message = encode_message(push, self._settings.device_address, self._clock.now())
        except ValueError as exc:
            raise PushDeliveryError(
                f"push cannot be sent: {exc}", retryable=False, code=PushFailure.INVALID_MESSAGE
            ) from exc
        timeout = self._settings.timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                return await self._send({"message": message})
        except TimeoutError as exc:
            raise PushDeliveryError(
                f"FCM did not answer within {timeout:g} s", retryable=True, code=PushFailure.TIMEOUT
            ) from exc

    async def close(self) -> None:
        await self._client.aclose()
        await self._tokens.close()

    async def _send(self, body: dict[str, Any]) -> str:
        token = await self._tokens.current()
        response = await self._post(body, token)
        if access_token_rejected(response.status_code, response.content):
            log.info("FCM refused the cached access token; fetching a new one")
            self._tokens.reject(token)
            response = await self._post(body, await self._tokens.current())
        if response.is_success:
            return self._message_name(response)
        retry_after = retry_after_seconds(response.headers.get("Retry-After"), self._clock.now())
        raise fcm_refusal(response.status_code, response.content, retry_after)

    async def _post(self, body: dict[str, Any], token: str) -> httpx.Response:
        try:
            return await self._client.post(
                self._url, json=body, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TimeoutException as exc:
            raise PushDeliveryError(
                f"FCM timed out: {type(exc).__name__}", retryable=True, code=PushFailure.TIMEOUT
            ) from exc
        except httpx.HTTPError as exc:
            raise PushDeliveryError(
                f"FCM unreachable at {self._url}: {exc}",
                retryable=True,
                code=PushFailure.UNREACHABLE,
            ) from exc

    def _message_name(self, response: httpx.Response) -> str:
        """``projects/<project>/messages/<id>``; anything else did not come from FCM."""
        try:
            name = response.json().get("name")
        except (ValueError, AttributeError):
            name = None
        if not isinstance(name, str) or not name:
            raise PushDeliveryError(
                f"FCM answered {response.status_code} without a message name",
                retryable=True,
                code=PushFailure.UNAVAILABLE,
            )
        log.debug("push sent as %s", name)
        return name
