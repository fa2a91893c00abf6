"""Sends SMS through Vonage's SMS API with the vonage SDK (``vonage.sms.send``).

The SDK blocks (requests), so each send runs in a worker thread and the event loop never
waits on Vonage. An SDK client is not safe to share between threads (it keeps the last
response and mutates its request headers), so each concurrent send borrows its own client
from a small pool and gives it back; clients are created on demand and kept for their
HTTPS connections.

Each send is one attempt: urllib3's retries are off (``max_retries=0``) because the outbox
owns retries, with back-off. The SDK still re-sends once a request whose connection the
server closed without answering (its RemoteDisconnected loop, bounded by
``pool_maxsize``): the usual stale keep-alive connection.

Text that GSM-7 cannot carry goes as ``type=unicode``; the notification id travels as
``client-ref`` and comes back in delivery receipts. Every failure leaves as an
SmsDeliveryError (see ``sms_errors``); no vonage or requests exception escapes.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import requests
from pydantic import ValidationError
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from vonage import Auth, HttpClientOptions, Vonage  # type: ignore[import-untyped]
from vonage_http_client import HttpRequestError  # type: ignore[import-untyped]
from vonage_sms import (  # type: ignore[import-untyped]
    PartialFailureError,
    SmsError,
)
from vonage_sms import SmsMessage as VonageSms
from vonage_utils import VonageError  # type: ignore[import-untyped]

from adapters.vonage.settings import VonageSettings
from adapters.vonage.sms_errors import (
    http_refusal,
    refused_by_sdk_text,
    refused_parts,
    unexpected_answer,
)
from core.notifications.sms_text import SmsEncoding
from ports.sms import SentSms, SmsDeliveryError, SmsFailure, SmsMessage, check_sendable

log = logging.getLogger(__name__)

# Bounds the SDK's re-sends after RemoteDisconnected to one; a pooled client serves one
# thread at a time, so it never needs more connections than that.
_POOL_MAXSIZE = 2


class VonageSmsSender:
    def __init__(self, settings: VonageSettings) -> None:
        if not settings.api_key or settings.api_secret is None:
            raise ValueError("vonage.api_key and vonage.api_secret are required")
        if settings.ca_file is not None and not settings.ca_file.is_file():
            raise ValueError(f"vonage.ca_file: no file at {settings.ca_file}")
        self._settings = settings
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        try:
            self._idle.put(self._new_client())
        except (VonageError, ValidationError) as exc:
            raise ValueError(f"vonage: refused by the SDK: {exc}") from exc

    async def send(self, message: SmsMessage) -> SentSms:
        sender = message.sender or self._settings.sender_id
        length = check_sendable(message, sender)
        try:
            request = VonageSms(
                to=message.to.removeprefix("+"),
                from_=sender,
                text=message.text,
                client_ref=message.reference,
                type="unicode" if length.encoding is SmsEncoding.UCS_2 else None,
            )
        except ValidationError as exc:
            raise SmsDeliveryError(
                f"SMS cannot be sent: {exc.errors()[0]['msg']}",
                retryable=False,
                code=SmsFailure.INVALID_MESSAGE,
            ) from exc
        return await asyncio.to_thread(self._send_with_pooled_client, request)

    async def close(self) -> None:
        self._closed = True
        while True:
            try:
                _close_client(self._idle.get_nowait())
            except queue.Empty:
                return

    def _send_with_pooled_client(self, request: Any) -> SentSms:
        try:
            client = self._idle.get_nowait()
        except queue.Empty:
            client = self._new_client()
        try:
            return _submit(client, request)
        finally:
            if self._closed:
                _close_client(client)
            else:
                self._idle.put(client)

    def _new_client(self) -> Any:
        settings = self._settings
        secret = settings.api_secret.get_secret_value() if settings.api_secret else None
        client = Vonage(
            Auth(api_key=settings.api_key, api_secret=secret),
            HttpClientOptions(
                rest_host=settings.rest_host,
                timeout=settings.timeout_seconds,
                max_retries=0,
                pool_connections=1,
                pool_maxsize=_POOL_MAXSIZE,
            ),
        )
        if settings.ca_file is not None:
            _session_of(client).mount("https://", _PinnedCaAdapter(settings.ca_file))
        return client


def _submit(client: Any, request: Any) -> SentSms:
    """One blocking request; every outcome a SentSms or an SmsDeliveryError."""
    try:
        response = client.sms.send(request)
    except PartialFailureError as exc:
        raise _refusal_of_answer(getattr(exc, "response", None), exc) from exc
    except SmsError as exc:
        raise _refusal_of_last_answer(client, exc) from exc
    except HttpRequestError as exc:
        raise http_refusal(exc.response.status_code, exc.response.text) from exc
    except requests.exceptions.ConnectTimeout as exc:
        raise _unreachable(exc) from exc
    except requests.exceptions.Timeout as exc:
        raise SmsDeliveryError(
            f"Vonage did not answer in time (the SMS may have left): {exc}",
            retryable=True,
            code=SmsFailure.TIMEOUT,
        ) from exc
    except (requests.exceptions.RequestException, OSError) as exc:
        raise _unreachable(exc) from exc
    except VonageError as exc:
        raise SmsDeliveryError(
            f"Vonage SDK refused the request: {exc}", retryable=False, code=SmsFailure.REJECTED
        ) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise unexpected_answer(f"{type(exc).__name__}: {exc}") from exc
    ids = tuple(part.message_id for part in response.messages if part.message_id)
    try:
        parts = int(response.message_count)
    except ValueError as exc:
        raise unexpected_answer(f"message-count {response.message_count!r}") from exc
    log.debug("Vonage accepted an SMS in %d part(s): %s", parts, ", ".join(ids))
    return SentSms(message_ids=ids, parts=parts)


def _refusal_of_last_answer(client: Any, error: Exception) -> SmsDeliveryError:
    """The SDK's SmsError says the status only in its text: read the answer itself again.

    The pooled client served only this request, so its last response is this answer.
    """
    try:
        answer = client.http_client.last_response.json()
    except (AttributeError, ValueError):
        return refused_by_sdk_text(str(error))
    return _refusal_of_answer(answer, error)


def _refusal_of_answer(answer: object, error: Exception) -> SmsDeliveryError:
    try:
        return refused_parts(_parts(answer))
    except (KeyError, TypeError):
        return refused_by_sdk_text(str(error))


def _parts(answer: object) -> Sequence[Mapping[str, Any]]:
    if not isinstance(answer, Mapping):
        raise TypeError(f"answer is {type(answer).__name__}, not an object")
    messages = answer["messages"]
    if not isinstance(messages, list) or not all(isinstance(m, Mapping) for m in messages):
        raise TypeError("messages is not a list of objects")
    return messages


def _unreachable(exc: Exception) -> SmsDeliveryError:
    return SmsDeliveryError(
        f"Vonage unreachable: {exc}", retryable=True, code=SmsFailure.UNREACHABLE
    )


def _session_of(client: Any) -> requests.Session:
    """The SDK's requests session: a private attribute, checked so a change fails loudly."""
    session = getattr(client.http_client, "_session", None)
    if not isinstance(session, requests.Session):
        raise RuntimeError(
            "this vonage SDK version does not expose its requests session: "
            "vonage.ca_file cannot be applied (trust the CA through REQUESTS_CA_BUNDLE)"
        )
    return session


def _close_client(client: Any) -> None:
    session = getattr(client.http_client, "_session", None)
    if isinstance(session, requests.Session):
        session.close()


class _PinnedCaAdapter(HTTPAdapter):
    """Verifies with one CA bundle, whatever the environment says.

    requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override ``Session.verify``
    (this machine exports both), so a configured ``ca_file`` is enforced here, where the
    connection is verified; proxies from the environment still apply.
    """

    def __init__(self, ca_file: Path) -> None:
        super().__init__(pool_connections=1, pool_maxsize=_POOL_MAXSIZE, max_retries=0)
        self._ca_file = str(ca_file)

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> Response:
        return super().send(
            request,
            stream=stream,
            timeout=timeout,
            verify=self._ca_file,
            cert=cert,
            proxies=proxies,
        )
