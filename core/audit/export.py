"""CSV lines of audit events, safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
as a formula by spreadsheet programs (CSV injection): such a cell is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterable, AsyncIterator

from core.audit.model import AuditEvent

HEADER = (
    "id",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "ip",
    "request_id",
    "details",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def csv_line(cells: tuple[str, ...] | list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(c) for c in cells])
    return buffer.getvalue()


def cells_of(event: AuditEvent) -> list[str]:
    return [
        str(event.id),
        event.occurred_at.isoformat(),
        event.actor.kind.value,
        str(event.actor.id) if event.actor.id is not None else "",
        event.action,
        event.target_type or "",
        event.target_id or "",
        event.ip or "",
        event.request_id or "",
        json.dumps(event.details, sort_keys=True) if event.details else "",
    ]


async def csv_lines(events: AsyncIterable[AuditEvent]) -> AsyncIterator[str]:
    """The header row, then one line per event, as the events arrive."""
    yield csv_line(HEADER)
    async for event in events:
        yield csv_line(cells_of(event))
