"""How a route opts into idempotency keys and chooses its rate-limit class.

Kept apart from the middleware so that controllers import only these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.enums import ParamType
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema

IDEMPOTENT = "idempotent"
STREAMED_BODY = "streamed_body"
RATE_LIMIT = "rate_limit"
DEFAULT_LIMITS = "default"
AUTH_LIMITS = "auth"
NO_LIMITS = "off"


def vendor_calls() -> dict[str, str]:
    """The ``opt`` of routes vendors call (Photon, the video provider, Vonage): they come
    from a few addresses on behalf of every tenant, each call authenticated by a ticket, a
    signature or a secret, and a 429 would fail them for every tenant at once."""
    return {RATE_LIMIT: NO_LIMITS}


IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_PATTERN = f"^[ -~]{{1,{MAX_KEY_LENGTH}}}$"
"""1-255 printable ASCII characters, as the schema documents and the middleware checks."""

_KEY_PARAMETER = Parameter(
    name=IDEMPOTENCY_HEADER,
    param_in=ParamType.HEADER,
    required=False,
    description=(
        "A unique value (e.g. a UUID) per intended creation. Retrying with the same key "
        "within 24 h answers the first response again (header `Idempotent-Replayed: true`) "
        "instead of creating twice. The same key with another body answers 422 "
        "`idempotency_key_reused`; while the first request is still running, 409 "
        "`idempotency_key_in_flight`. A first attempt that failed with 5xx, or with 401 "
        "(no valid credential), frees the key. 1-255 printable ASCII characters; any other "
        "key answers 422 `invalid_idempotency_key`."
    ),
    schema=Schema(
        type=OpenAPIType.STRING, min_length=1, max_length=MAX_KEY_LENGTH, pattern=KEY_PATTERN
    ),
)


@dataclass
class IdempotentOperation(Operation):
    """An operation documented with the ``Idempotency-Key`` header it accepts."""

    def __post_init__(self) -> None:
        self.parameters = [*(self.parameters or []), _KEY_PARAMETER]


def idempotent(*, streamed: bool = False, **opt: Any) -> dict[str, Any]:
    """Route keyword arguments for a create endpoint: ``@post("/", **idempotent())``.

    ``streamed``: the handler reads the body as a stream (uploads), so the middleware
    fingerprints it as it passes instead of reading it first. Extra ``opt`` entries
    (``rate_limit=AUTH_LIMITS``) are merged into the route's opt.
    """
    flags = {IDEMPOTENT: True, STREAMED_BODY: streamed}
    return {"opt": {**flags, **opt}, "operation_class": IdempotentOperation}
