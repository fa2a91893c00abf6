"""A PushNotification as the JSON ``message`` FCM's HTTP v1 API takes.

firebase-admin's message model builds and checks it (string-only data, priority,
TTL format) and its encoder writes the JSON; ``str(Message)`` is that encoder's output
(``json.dumps`` with ``MessageEncoder``), the same one ``messaging.send`` posts, reached
without touching the SDK's private classes.

Priority, time to live and collapse key are said twice, because FCM passes them on per
platform: in ``android`` (priority, ttl, collapse_key) and in ``apns`` as Apple's headers
(apns-priority 10 or 5, apns-expiration as an epoch second, apns-collapse-id).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from firebase_admin import messaging

from adapters.firebase.settings import DeviceAddress
from ports.push import PushNotification, PushPriority

_APNS_PRIORITY = {PushPriority.HIGH: "10", PushPriority.NORMAL: "5"}


def encode_message(push: PushNotification, address: DeviceAddress, now: datetime) -> dict[str, Any]:
    """The ``message`` object; raises ValueError when the SDK finds it unsendable."""
    message = messaging.Message(
        notification=messaging.Notification(title=push.title, body=push.body),
        data=dict(push.data) or None,
        android=messaging.AndroidConfig(
            priority=push.priority.value, ttl=push.time_to_live, collapse_key=push.collapse_key
        ),
        apns=messaging.APNSConfig(headers=_apns_headers(push, now)),
    )
    # Set after construction: ``Message(token=...)`` warns that registration tokens are
    # deprecated, which the operator already chose with ``device_address``.
    setattr(message, address.value, push.device_token)
    encoded = json.loads(str(message))
    if not isinstance(encoded, dict):
        raise ValueError("the SDK encoded the message as something else than a JSON object")
    return encoded


def _apns_headers(push: PushNotification, now: datetime) -> dict[str, str]:
    headers = {"apns-priority": _APNS_PRIORITY[push.priority]}
    if push.time_to_live is not None:
        headers["apns-expiration"] = _apns_expiration(push.time_to_live, now)
    if push.collapse_key is not None:
        headers["apns-collapse-id"] = push.collapse_key
    return headers


def _apns_expiration(time_to_live: timedelta, now: datetime) -> str:
    """Apple's expiry is an instant; 0 means one attempt and no storing."""
    if time_to_live <= timedelta(0):
        return "0"
    return str(int((now + time_to_live).timestamp()))
