"""Columns of tenant tables whose values rest sealed, and the context each value is bound to.

The context names the table, column, tenant and row, so a sealed value copied to another
row or another tenant's database does not open. The repositories seal on write and open on
read; tenant archives carry the opened values, sealed again by the importing deployment
for the tenant's new id and with its own key.
"""

from __future__ import annotations

from uuid import UUID

SEALED_COLUMNS: dict[str, str] = {"webhook_endpoints": "secret"}
"""Per table, its sealed column; each such table has an ``id`` primary key."""


def sealed_context(table: str, tenant_id: UUID, row_id: UUID) -> str:
    return f"{table}.{SEALED_COLUMNS[table]}:{tenant_id}:{row_id}"
