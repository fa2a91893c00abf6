"""Opaque cursors for keyset pagination: base64url of the last item's position."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from core.errors import InvalidInput
from ports.pagination import PageRequest, Position

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

CursorParam = Annotated[
    str | None,
    QueryParameter(
        description="Opaque cursor from the previous page's `next_cursor`.",
        max_length=200,
        required=False,
    ),
]
LimitParam = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_LIMIT, description="Items per page.", required=False),
]


def encode_cursor(position: Position | None) -> str | None:
    if position is None:
        return None
    raw = json.dumps({"t": position.created_at.isoformat(), "i": str(position.id)})
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def page_request(cursor: str | None, limit: int) -> PageRequest:
    return PageRequest(limit=limit, after=_decode(cursor) if cursor else None)


def _decode(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        created_at = datetime.fromisoformat(data["t"])
        if created_at.tzinfo is None:
            raise ValueError("cursor time without zone")
        return Position(created_at=created_at, id=UUID(data["i"]))
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "cursor is not one this API issued", field="cursor", code="invalid_cursor"
        ) from exc
