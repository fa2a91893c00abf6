"""Dispatch indexes: the kit's contract against memory, SQLite and PostgreSQL (for SQL, two
indexes as two workers have them: two engines, one control database)."""

from __future__ import annotations

from adapters.memory.dispatch_index import MemoryDispatchIndex
from adapters.sql.dispatch_index import SqlDispatchIndex
from plugins.testing.dispatch_index import DispatchIndexContract, Harness
from tests.support.replica_harness import control_database_harness

harness = control_database_harness(MemoryDispatchIndex, SqlDispatchIndex, Harness)


class TestEveryDispatchIndex(DispatchIndexContract):
    """The kit's contract (plugins.testing.dispatch_index), against each built-in index."""
