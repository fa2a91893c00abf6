"""Keyset pagination over (created_at, id), the same on every table that lists."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from ports.pagination import Page, PageRequest, Position

T = TypeVar("T")


def paginate(query: sa.Select[Any], table: sa.Table, page: PageRequest) -> sa.Select[Any]:
    created_at, row_id = table.c.created_at, table.c.id
    if page.after is not None:
        query = query.where(
            sa.or_(
                created_at > page.after.created_at,
                sa.and_(created_at == page.after.created_at, row_id > page.after.id),
            )
        )
    return query.order_by(created_at, row_id).limit(page.limit + 1)


def to_page(rows: Sequence[sa.Row[Any]], page: PageRequest, convert: Callable[[Any], T]) -> Page[T]:
    """One row more than asked was read: its presence says whether a next page exists."""
    items = [convert(row) for row in rows[: page.limit]]
    has_more = len(rows) > page.limit
    last = rows[page.limit - 1] if has_more else None
    return Page(
        items=items,
        next=Position(created_at=last.created_at, id=last.id) if last is not None else None,
    )
