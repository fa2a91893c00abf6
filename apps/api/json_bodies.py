"""The request class of the API: a JSON body nested too deeply is a client's error.

The framework decodes JSON bodies with msgspec, which raises RecursionError (not a decoding
error) for ``[[[[...]]]]`` a hundred thousand deep; that escaped as a 500. Raised as the
framework's SerializationException, it answers what malformed JSON answers: 400
``malformed_request`` naming the body (``apps.api.errors``).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class JsonBodyRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise SerializationException("JSON is nested too deeply to be read") from None
