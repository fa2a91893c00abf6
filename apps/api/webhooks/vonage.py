"""Vonage's delivery-receipt webhook: one URL for the whole platform, as the dashboard sets it.

Vonage calls it with GET parameters or a POST (JSON or form), as the account's webhook
method says; every field is read the same way. It answers 204 to every receipt it has
verified, even one whose notification is gone, because Vonage re-sends anything else
for a day. Unsigned, forged and stale receipts get 401 and change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from litestar import Controller, Request, route
from litestar.status_codes import HTTP_204_NO_CONTENT

from apps.api.dependencies import container_of
from apps.api.middleware.routes import vendor_calls
from core.errors import InvalidInput, NotFound
from core.notifications.receipt_recording import record_receipt
from ports.sms_receipts import SmsReceiptReader


class VonageWebhookController(Controller):
    path = "/webhooks/vonage"
    tags = ["webhooks"]
    opt = vendor_calls()

    @route(
        "/sms-receipts",
        http_method=["GET", "POST"],
        status_code=HTTP_204_NO_CONTENT,
        summary="Vonage SMS delivery receipt (called by Vonage)",
        description="Set this URL as the account's delivery-receipt webhook in the Vonage "
        "dashboard, with signed webhooks on (vonage.signature_secret).",
    )
    async def sms_receipt(self, request: Request[Any, Any, Any]) -> None:
        container = container_of(request)
        reader = cast("SmsReceiptReader | None", container.sms_receipts())
        if reader is None:
            raise NotFound(
                "SMS delivery receipts are not enabled on this platform",
                code="receipts_not_configured",
            )
        receipt = reader.read(await _fields(request))
        await record_receipt(receipt, container.receipt_dependencies())


async def _fields(request: Request[Any, Any, Any]) -> Mapping[str, str]:
    """The receipt's fields, whether Vonage sent them as query, form or JSON."""
    if request.method == "GET":
        return dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "application/json":
        try:
            body = json.loads(await request.body())
        except (ValueError, RecursionError):
            raise InvalidInput("the body is not JSON", field="body", code="invalid_body") from None
        if not isinstance(body, dict):
            raise InvalidInput("the body is not a JSON object", field="body", code="invalid_body")
        return {str(key): _text(value) for key, value in body.items()}
    form = await request.form()
    return {str(key): str(value) for key, value in form.items()}


def _text(value: object) -> str:
    """Vonage signs each value as text; numbers and booleans are signed as JSON writes them."""
    if isinstance(value, str):
        return value
    return json.dumps(value)
