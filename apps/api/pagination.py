"""Opaque cursors for keyset pagination: the last item's position, in 32 URL-safe characters.

A position is 24 bytes: the item's time as signed microseconds since the Unix epoch (8 bytes,
big-endian) and its 16-byte id, written as unpadded base64url. 24 bytes are exactly 32
characters of the alphabet with no bits left over, so every string the pattern allows decodes
to a position: the schema can say what a cursor is, and a client (or a fuzzer) cannot send a
well-formed cursor the server refuses. A time outside what a timestamp can hold is clamped to
the nearest end; the page then starts at the first item after it, as for any other position.
Strings that do not match the pattern are refused before a handler runs (400, field ``cursor``).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

from litestar.params import QueryParameter

from ports.pagination import PageRequest, Position

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
CURSOR_LENGTH = 32
CURSOR_PATTERN = f"^[A-Za-z0-9_-]{{{CURSOR_LENGTH}}}$"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_EARLIEST = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // _MICROSECOND
_LATEST = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _MICROSECOND

CursorParam = Annotated[
    str | None,
    QueryParameter(
        description="Opaque cursor from the previous page's `next_cursor`.",
        min_length=CURSOR_LENGTH,
        max_length=CURSOR_LENGTH,
        pattern=CURSOR_PATTERN,
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
    at = position.created_at
    micros = ((at if at.tzinfo else at.replace(tzinfo=UTC)) - _EPOCH) // _MICROSECOND
    raw = micros.to_bytes(8, "big", signed=True) + position.id.bytes
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; ``cursor`` matches ``CURSOR_PATTERN`` (checked on input)."""
    raw = base64.urlsafe_b64decode(cursor)
    micros = min(max(int.from_bytes(raw[:8], "big", signed=True), _EARLIEST), _LATEST)
    return Position(created_at=_EPOCH + micros * _MICROSECOND, id=UUID(bytes=raw[8:]))


def page_request(cursor: str | None, limit: int) -> PageRequest:
    return PageRequest(limit=limit, after=decode_cursor(cursor) if cursor else None)
