"""An SmsSender for a simple JSON gateway: ``POST {url}/messages`` with a bearer token.

The gateway answers 200 ``{"ids": ["..."]}`` (one id per part billed), 429 when sent too
fast, 4xx for a refused message and 5xx when it fails; each becomes the SmsDeliveryError
the outbox knows how to retry or give up.
"""

from __future__ import annotations

import httpx
from pydantic import BaseModel, Field, SecretStr

from ports.sms import SentSms, SmsDeliveryError, SmsFailure, SmsMessage, check_sendable


class GatewaySettings(BaseModel):
    url: str = Field(description="Base URL of the gateway, e.g. https://sms.example.com/v1.")
    token: SecretStr = Field(description="Bearer token the gateway expects.")
    sender_id: str = Field(default="Passerelle", description="Default sender id.")
    timeout_seconds: float = Field(default=10.0, gt=0)


class GatewaySmsSender:
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self._client = httpx.AsyncClient(
            base_url=settings.url.rstrip("/"),
            timeout=settings.timeout_seconds,
            headers={"Authorization": f"Bearer {settings.token.get_secret_value()}"},
        )

    async def send(self, message: SmsMessage) -> SentSms:
        sender = message.sender or self.settings.sender_id
        length = check_sendable(message, sender)
        body = {"to": message.to, "from": sender, "text": message.text, "ref": message.reference}
        try:
            answer = await self._client.post("/messages", json=body)
        except httpx.TimeoutException as exc:
            raise SmsDeliveryError(
                "gateway timed out", retryable=True, code=SmsFailure.TIMEOUT
            ) from exc
        except httpx.HTTPError as exc:
            raise SmsDeliveryError(
                f"gateway unreachable: {exc}", retryable=True, code=SmsFailure.UNREACHABLE
            ) from exc
        if answer.status_code == 429:
            raise SmsDeliveryError("gateway throttled", retryable=True, code=SmsFailure.THROTTLED)
        if answer.status_code >= 500:
            raise SmsDeliveryError(
                f"gateway failed ({answer.status_code})",
                retryable=True,
                code=SmsFailure.UNAVAILABLE,
            )
        if answer.status_code >= 400:
            raise SmsDeliveryError(
                f"gateway refused the message ({answer.status_code})",
                retryable=False,
                code=SmsFailure.INVALID_MESSAGE,
            )
        ids = tuple(str(i) for i in answer.json().get("ids", []))
        return SentSms(message_ids=ids, parts=len(ids) or length.parts)

    async def close(self) -> None:
        await self._client.aclose()
