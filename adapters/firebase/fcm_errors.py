"""FCM's error answers, read into PushDeliveryError as FCM documents them.

An HTTP v1 error is ``{"error": {"code", "message", "status", "details": [...]}}``. The
``details`` may hold an FcmError (``errorCode``: UNREGISTERED, INVALID_ARGUMENT,
QUOTA_EXCEEDED...) and a google.rpc.BadRequest naming the fields at fault. The FcmError
says what happened; without one, the HTTP status decides.

Two readings guard the device tokens the core would delete:

- INVALID_ARGUMENT is about the token only when no field is named or the field named is
  the target (``message.token`` / ``message.fid``); a bad data key or an oversized
  payload is the message's fault, and the token stays.
- A 404 without an UNREGISTERED detail is not an unregistered device but a wrong project
  or URL: nothing to forget.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ports.push import PushDeliveryError, PushFailure

_FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
_BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"
_TARGET_FIELDS = frozenset({"message.token", "message.fid"})

_BY_FCM_CODE: dict[str, tuple[PushFailure, bool]] = {
    "UNREGISTERED": (PushFailure.UNREGISTERED, False),
    "SENDER_ID_MISMATCH": (PushFailure.SENDER_MISMATCH, False),
    "THIRD_PARTY_AUTH_ERROR": (PushFailure.THIRD_PARTY_AUTH, False),
    "APNS_AUTH_ERROR": (PushFailure.THIRD_PARTY_AUTH, False),
    "QUOTA_EXCEEDED": (PushFailure.QUOTA_EXCEEDED, True),
    "UNAVAILABLE": (PushFailure.UNAVAILABLE, True),
    "INTERNAL": (PushFailure.UNAVAILABLE, True),
}

_BY_HTTP_STATUS: dict[int, tuple[PushFailure, bool]] = {
    401: (PushFailure.CREDENTIALS_REFUSED, False),
    403: (PushFailure.CREDENTIALS_REFUSED, False),
    408: (PushFailure.TIMEOUT, True),
    429: (PushFailure.QUOTA_EXCEEDED, True),
    504: (PushFailure.TIMEOUT, True),
}


def fcm_refusal(status: int, body: bytes, retry_after: float | None) -> PushDeliveryError:
    """The error for a non-2xx answer; ``retry_after`` is kept only when a retry may help."""
    error = _error_object(body)
    fcm_code, fields = _details(error)
    failure, retryable = _outcome(status, fcm_code, fields)
    label = " ".join(str(part) for part in (status, fcm_code or error.get("status")) if part)
    message = str(error.get("message") or "no error message")
    reason = f"FCM answered {label}: {message}"
    return PushDeliveryError(
        reason,
        retryable=retryable,
        code=failure,
        retry_after=retry_after if retryable else None,
    )


def access_token_rejected(status: int, body: bytes) -> bool:
    """A 401 about the platform's own access token, not one relayed from APNs or web push.

    THIRD_PARTY_AUTH_ERROR also comes as 401, with an FcmError detail: a new access token
    would not help there, and the push must not be sent twice.
    """
    if status != 401:
        return False
    fcm_code, _fields = _details(_error_object(body))
    return fcm_code is None


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header in seconds, whether given as a number or as an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def _outcome(status: int, fcm_code: str | None, fields: set[str]) -> tuple[PushFailure, bool]:
    if fcm_code in _BY_FCM_CODE:
        return _BY_FCM_CODE[fcm_code]
    if fcm_code == "INVALID_ARGUMENT" or status == 400:
        about_token = bool(fields & _TARGET_FIELDS) if fields else fcm_code == "INVALID_ARGUMENT"
        return (PushFailure.INVALID_TOKEN if about_token else PushFailure.INVALID_MESSAGE), False
    if status in _BY_HTTP_STATUS:
        return _BY_HTTP_STATUS[status]
    if status >= 500:
        return PushFailure.UNAVAILABLE, True
    return PushFailure.REJECTED, False


def _error_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    error = parsed.get("error") if isinstance(parsed, dict) else None
    return error if isinstance(error, dict) else {}


def _details(error: dict[str, Any]) -> tuple[str | None, set[str]]:
    """The FcmError code, if any, and the fields a BadRequest names."""
    fcm_code: str | None = None
    fields: set[str] = set()
    details = error.get("details")
    for detail in details if isinstance(details, list) else []:
        if not isinstance(detail, dict):
            continue
        if detail.get("@type") == _FCM_ERROR and isinstance(detail.get("errorCode"), str):
            fcm_code = detail["errorCode"]
        elif detail.get("@type") == _BAD_REQUEST:
            violations = detail.get("fieldViolations")
            for violation in violations if isinstance(violations, list) else []:
                if isinstance(violation, dict) and isinstance(violation.get("field"), str):
                    fields.add(violation["field"])
    return fcm_code, fields
