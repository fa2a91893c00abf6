"""Reading the archive-status callback body that OpenTok and Vonage Video both send.

Both post the same JSON (``id``, ``sessionId``, ``status``, ``size``, ``duration``,
``url``, ``reason``...); only how the sender is authenticated differs, so each adapter
verifies its own way and hands the body here.
"""

from __future__ import annotations

import json
from typing import Any

from ports.video import ArchiveEvent, ArchiveStatus, MalformedVideoCallback

MAX_COUNT = 2**53
"""The largest integer JSON carries exactly; sizes and durations beyond it are garbage."""


def archive_event_from_body(body: bytes) -> ArchiveEvent:
    """The typed event of a verified callback body; MalformedVideoCallback if malformed."""
    try:
        payload: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedVideoCallback("the callback body is not JSON") from exc
    if not isinstance(payload, dict):
        raise MalformedVideoCallback("the callback body is not a JSON object")
    archive_id, room_id = payload.get("id"), payload.get("sessionId")
    if not isinstance(archive_id, str) or not isinstance(room_id, str):
        raise MalformedVideoCallback("the callback names no archive id or session id")
    try:
        status = ArchiveStatus(str(payload.get("status")))
    except ValueError as exc:
        raise MalformedVideoCallback(f"unknown archive status {payload.get('status')!r}") from exc
    url, reason, name = payload.get("url"), payload.get("reason"), payload.get("name")
    return ArchiveEvent(
        archive_id=archive_id,
        room_id=room_id,
        status=status,
        url=url if isinstance(url, str) and url else None,
        size_bytes=_count(payload.get("size"), "size"),
        duration_seconds=_count(payload.get("duration"), "duration"),
        reason=reason if isinstance(reason, str) and reason else None,
        name=name if isinstance(name, str) and name else None,
    )


def archive_status(value: object) -> ArchiveStatus:
    """The port's status of an SDK's archive status (a string or a string enum)."""
    raw = getattr(value, "value", value)
    try:
        return ArchiveStatus(str(raw))
    except ValueError:
        return ArchiveStatus.FAILED


def _count(value: object, name: str) -> int:
    """A size or duration; absent or negative reads 0, beyond JSON's exact integers
    (or infinite, or NaN) is no number a provider sends."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return 0
    if not value <= MAX_COUNT:
        raise MalformedVideoCallback(f"the callback's {name} is out of range")
    return int(value)
