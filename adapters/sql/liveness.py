"""Checking a pooled PostgreSQL connection before use only when it sat idle for a while.

SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and the asyncpg dialect's ping is
three round trips (BEGIN, an empty statement, ROLLBACK, so that it also works behind a
transaction-mode PgBouncer): on a join that took four checkouts, nine of its 22 round trips
were pings. A connection checked in moments ago is almost always still alive; the ones that
die are those left idle (a server restart during a quiet spell, an idle timeout in a proxy
or a firewall), so only those are pinged, and one that fails the ping is replaced before
the caller sees it (the pool retries the checkout with a new connection).

What this gives up: a connection used less than ``IDLE_BEFORE_PING`` seconds ago and broken
since (the server restarted under load) fails the one statement that meets it; SQLAlchemy
then recognises the disconnect and invalidates the whole pool, so the next checkouts get
new connections. That is one failed request per pool at a restart, which clients already
have to retry for the requests in flight at that moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

IDLE_BEFORE_PING = 10.0
_LAST_USED = "passerelle_last_used"


def ping_when_idle(
    engine: AsyncEngine,
    idle_seconds: float = IDLE_BEFORE_PING,
    monotonic: Callable[[], float] = time.monotonic,
) -> None:
    """Ping a connection on checkout if it was last checked in over ``idle_seconds`` ago."""
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "connect")
    def _on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USED] = monotonic()

    @event.listens_for(pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_LAST_USED] = monotonic()

    @event.listens_for(pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if monotonic() - record.info.get(_LAST_USED, 0.0) < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:
            # the pool discards this connection and checks out another (a fresh one)
            raise exc.DisconnectionError("idle connection failed its ping") from error
        record.info[_LAST_USED] = monotonic()
