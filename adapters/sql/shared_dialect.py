"""One dialect initialisation per PostgreSQL server, shared by every tenant engine on it.

SQLAlchemy initialises each new engine's dialect on the engine's first connection: a few
queries (server version, current schema, ``standard_conforming_strings``, the default
isolation level) on a backend that has just started, with its catalog caches still cold.
With one engine per tenant under an LRU bound, each read of a tenant whose engine had been
evicted paid for them again. The tenant databases of one server are alike (the platform
creates them all, as copies of one template, with the same role), so what the first engine
learnt serves every later one on that server: host, port and user.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import URL, Connection

DRIVER = "pxr_asyncpg"

_Server = tuple[str | None, int | None, str | None]
# What initialize learns is plain values; caches it fills on the way (type memos) stay
# each engine's own.
_PLAIN = (str, int, float, bool, tuple, type(None))


class SharedInitAsyncpgDialect(PGDialect_asyncpg):
    """asyncpg, with ``initialize`` run once per server and its findings copied after."""

    supports_statement_cache = True
    _learnt: ClassVar[dict[_Server, dict[str, Any]]] = {}

    def initialize(self, connection: Connection) -> None:
        url = connection.engine.url
        server = (url.host, url.port, url.username)
        learnt = self._learnt.get(server)
        if learnt is not None:
            self.__dict__.update(learnt)
            return
        before = dict(self.__dict__)
        super().initialize(connection)  # type: ignore[no-untyped-call]
        self._learnt[server] = {
            name: value
            for name, value in self.__dict__.items()
            if isinstance(value, _PLAIN) and (name not in before or before[name] != value)
        }


registry.register(f"postgresql.{DRIVER}", __name__, SharedInitAsyncpgDialect.__name__)


def sharing_initialisation(url: URL) -> URL:
    """``url`` with the sharing dialect when it is PostgreSQL over asyncpg, else as it is."""
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "asyncpg":
        return url.set(drivername=f"postgresql+{DRIVER}")
    return url
