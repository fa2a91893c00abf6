"""The OpenAPI document lists, on every operation, the problem documents it may answer.

Handlers declare their success responses; the errors come from one mapping
(``apps.api.errors``) and a few cross-cutting layers (authentication, tenant resolution,
rate limits, body limits), so they are documented here, by the same rules, instead of
on each handler. Clients and schema fuzzers then know every status an operation can
send, and that its body is ``application/problem+json`` (RFC 9457).
"""

from __future__ import annotations

from collections.abc import Iterator

from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
)

from apps.api.errors import PROBLEM_JSON

PROBLEM = "Problem"
_STRING = Schema(type=OpenAPIType.STRING)
PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail", "code"],
    properties={
        "type": _STRING,
        "title": _STRING,
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": _STRING,
        "code": Schema(type=OpenAPIType.STRING, description="Stable, machine-readable code."),
        "instance": _STRING,
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            description="The fields at fault, when the input was.",
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={"field": _STRING, "message": _STRING},
            ),
        ),
    },
    description="An RFC 9457 problem document.",
    examples=[
        {
            "type": "urn:passerelle-xr:problem:session_not_found",
            "title": "Not found",
            "status": 404,
            "detail": "no such session",
            "code": "session_not_found",
            "instance": "/api/v1/sessions/0b8f7f0e-6f4e-4f7c-9a53-53a1c3f0a1de",
        }
    ],
)
_DESCRIPTIONS = {
    400: "The request is malformed (syntax, or a parameter of the wrong type).",
    401: "No credential, or one that is not valid (expired, revoked, forged).",
    403: "The credential may not do this here (another tenant, role, suspended tenant).",
    404: "The tenant or an object named in the path does not exist for the caller.",
    409: "The object's state forbids this now, or the same Idempotency-Key is in flight.",
    412: "The bytes received do not have the SHA-256 the client declared.",
    413: "The body is larger than allowed, or would exceed the tenant's storage quota.",
    415: "The body's content type is not accepted.",
    422: "The input is invalid; `errors` names the fields at fault.",
    429: "Too many requests; Retry-After says when to try again.",
    503: "A provider or the database did not answer in time; retry later.",
    507: "The storage provider itself is full.",
}
_UNCHECKED = ("/api/v1/health",)
"""Probes answer before any tenant, credential or limit is looked at."""
_METHODS = ("get", "put", "post", "delete", "patch")


def document_problems(spec: OpenAPI) -> None:
    """Add the problem schema, and the problem responses of every operation, to ``spec``."""
    components = spec.components if isinstance(spec.components, Components) else Components()
    components.schemas = {**(components.schemas or {}), PROBLEM: PROBLEM_SCHEMA}
    spec.components = components
    for path, operation, method in _operations(spec):
        responses = operation.responses if operation.responses is not None else {}
        for status in _statuses(path, method):
            responses[str(status)] = _problem_response(status)
        operation.responses = responses


def _operations(spec: OpenAPI) -> Iterator[tuple[str, Operation, str]]:
    for path, item in (spec.paths or {}).items():
        for method in _METHODS:
            operation = getattr(item, method)
            if isinstance(operation, Operation):
                yield path, operation, method


def _statuses(path: str, method: str) -> set[int]:
    """Any route past the probes resolves a tenant (404, 403 when suspended) and checks a
    credential, a signature or a link (401, 403); any write may meet a conflicting state,
    an oversize or mistyped body."""
    if path.startswith(_UNCHECKED):
        return set()
    statuses = {400, 401, 403, 404, 422, 429, 503}
    if method != "get":
        statuses |= {409, 413, 415}
    if "/files" in path:
        statuses |= {412, 507} if method != "get" else {507}
    return statuses


def _problem_response(status: int) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=_DESCRIPTIONS[status],
        content={
            PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref=f"#/components/schemas/{PROBLEM}"))
        },
    )
