"""Delivering one webhook outbox message: the endpoint as it is now, guarded and signed.

The endpoint is read at delivery time, so a changed URL or a rotated secret applies to
retries too, and a deleted or disabled endpoint gets nothing more. Its host is resolved
and vetted again (DNS answers change) and the request connects to the vetted address.
Any answer but 2xx, or no answer, is retried by the outbox's backoff until the attempt
bound; the receiver's status and a short excerpt of its answer are kept for the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from core.errors import InvalidInput
from core.notifications.model import Jitter, OutboxMessage
from core.webhooks.model import WebhookRules, message_id, with_response
from core.webhooks.signing import signed_headers
from core.webhooks.targets import Resolve, check_target
from ports.clock import Clock
from ports.webhooks import (
    WebhookRequest,
    WebhookTransport,
    WebhookUnitOfWorkFactory,
    WebhookUnreachable,
)

USER_AGENT = "Passerelle-Webhooks/1"
KEY_MISSING = (
    "the endpoint's signing secret does not open with this deployment's keys: put the key "
    "that sealed it back in encryption.keys, or rotate the endpoint's secret"
)


@dataclass(frozen=True, slots=True)
class WebhookSender:
    tenant_uow: WebhookUnitOfWorkFactory
    transport: WebhookTransport
    resolve: Resolve
    rules: WebhookRules
    clock: Clock
    jitter: Jitter

    async def deliver(self, tenant_id: UUID, message: OutboxMessage) -> OutboxMessage:
        """One attempt; returns the message's next state, never raises for the receiver."""
        async with self.tenant_uow(tenant_id) as uow:
            endpoint = await uow.webhook_endpoints.get(UUID(message.recipient))
        if endpoint is None or not endpoint.enabled:
            gone = "deleted" if endpoint is None else "disabled"
            return self._failed(message, f"the endpoint was {gone}", retryable=False)
        if endpoint.secret is None:
            return self._failed(message, KEY_MISSING, retryable=True)
        try:
            addresses = await check_target(
                endpoint.url, self.resolve, allow_private=self.rules.allow_private_targets
            )
        except InvalidInput as refused:
            return self._failed(message, refused.detail, retryable=True)
        body = message.payload["body"].encode()
        headers = {
            **signed_headers(endpoint.secret, message_id(message), self.clock.now(), body),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        try:
            answer = await self.transport.post(
                WebhookRequest(endpoint.url, addresses[0], headers, body)
            )
        except WebhookUnreachable as exc:
            return self._failed(message, str(exc), retryable=True)
        if 200 <= answer.status_code < 300:
            return with_response(message.sent(self.clock.now()), answer.status_code, answer.excerpt)
        failed = self._failed(message, f"HTTP {answer.status_code}", retryable=True)
        return with_response(failed, answer.status_code, answer.excerpt)

    def _failed(self, message: OutboxMessage, error: str, *, retryable: bool) -> OutboxMessage:
        failed = message.failed(error, self.clock.now(), retryable=retryable, jitter=self.jitter)
        return with_response(failed, None, "")
