"""Idempotency stores: the kit's contract against memory, SQLite and PostgreSQL (for SQL,
two stores as two API replicas have them: two engines, one database)."""

from __future__ import annotations

from adapters.memory.idempotency_store import MemoryIdempotencyStore
from adapters.sql.idempotency_store import SqlIdempotencyStore
from plugins.testing.idempotency import Harness, IdempotencyStoreContract
from tests.support.replica_harness import control_database_harness

harness = control_database_harness(MemoryIdempotencyStore, SqlIdempotencyStore, Harness)


class TestEveryIdempotencyStore(IdempotencyStoreContract):
    """The kit's contract (plugins.testing.idempotency), against each built-in store."""
