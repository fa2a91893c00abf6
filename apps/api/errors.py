"""Every error leaves the API as an RFC 9457 problem document, mapped here and nowhere else.

Body: ``type``, ``title``, ``status``, ``detail``, ``code`` (stable, machine-readable),
``instance`` (the path), and ``errors`` (``field`` + ``message``) when input was at fault.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from apps.api.fields import explain_format
from core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    QuotaExceeded,
    TooLarge,
    Unauthenticated,
    Unavailable,
    UnsupportedType,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "urn:passerelle-xr:problem:"
_STATUS_OF: list[tuple[type[DomainError], int]] = [
    (InvalidInput, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PreconditionFailed, 412),
    (TooLarge, 413),
    (UnsupportedType, 415),
    (QuotaExceeded, 507),
    (Unavailable, 503),
]
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    507: "Insufficient storage",
}
_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
_NO_BODY = "'data'"
"""What the framework reports, as a KeyError's text, when a route's JSON body is empty."""
_WRONG_SHAPE = re.compile(
    rf", got `|^Object (?:contains unknown|missing required) field|^{_NO_BODY}$"
)
_PATTERN_MISMATCH = re.compile(r"^Expected `str` matching regex .*$", re.DOTALL)
_FORMAT_MESSAGE = "not in the format this field's schema documents (its pattern and description)"


def problem(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": _TYPE_BASE + code,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(exc: BaseException) -> int:
    """The status the handlers below answer for ``exc``: for a middleware that sees an
    error pass on its way out, before it becomes an answer."""
    if isinstance(exc, HTTPException):
        return exc.status_code
    if isinstance(exc, DomainError):
        return next((s for kind, s in _STATUS_OF if isinstance(exc, kind)), 400)
    return HTTP_500_INTERNAL_SERVER_ERROR


def domain_error_handler(
    request: Request[Any, Any, Any], exc: DomainError
) -> Response[dict[str, Any]]:
    status = status_of(exc)
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "30"}
    return problem(request, status, exc.code, exc.detail, errors=errors, headers=headers)


def validation_error_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    """Schema violations answer with the fields at fault. A body of the right shape whose
    values break a rule (format, length, range, allowed values) is a 422, as the
    platform's own rules are; a body of the wrong shape (unknown or missing fields, wrong
    types), a wrong query, path or header parameter, or an unreadable body is a 400."""
    errors = [_field_error(item) for item in exc.extra or [] if isinstance(item, dict)]
    detail = "the request does not match the schema" if errors else str(exc.detail)
    code = "validation_failed" if errors else "malformed_request"
    return problem(request, _validation_status(exc, errors), code, detail, errors=errors or None)


def _validation_status(exc: ValidationException, errors: list[dict[str, str]]) -> int:
    messages = [str(item.get("message", "")) for item in exc.extra or [] if isinstance(item, dict)]
    values_only = not any(_WRONG_SHAPE.search(message) for message in messages)
    in_body = bool(errors) and all(error["source"] == "body" for error in errors)
    return 422 if in_body and values_only else 400


def http_error_handler(
    request: Request[Any, Any, Any], exc: HTTPException
) -> Response[dict[str, Any]]:
    if isinstance(exc.__cause__, SerializationException):
        detail = str(exc.detail)
        error = {"field": "body", "message": detail, "source": "body"}
        return problem(request, 400, "malformed_request", detail, errors=[error])
    status = exc.status_code
    code = _TITLES.get(status, "http_error").lower().replace(" ", "_")
    return problem(request, status, code, str(exc.detail), headers=exc.headers)


def internal_error_handler(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        "an unexpected error occurred; it has been logged",
    )


def _field_error(item: dict[str, Any]) -> dict[str, str]:
    message = str(item.get("message", "invalid value"))
    if message == _NO_BODY:
        message = "the body is empty: send a JSON object"
    explained = explain_format(message) if _PATTERN_MISMATCH.match(message) else None
    message = _PATTERN_MISMATCH.sub(_FORMAT_MESSAGE, message)
    key = str(item.get("key") or "")
    named = _NAMED_FIELD.search(message)
    if key in ("", "data") and named:
        key = named.group(1)
    field = key.removeprefix("$.") if key != "data" else "body"
    error = {"field": field, "message": message, "source": str(item.get("source") or "body")}
    if explained:
        error["code"], rule = explained
        error["message"] = f"{field} {rule}"
    return error


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON", "MediaType", "problem"]
