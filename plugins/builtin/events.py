"""Built-in realtime event transports, chosen by ``events.backend``.

- ``channels``: the platform's own WebSocket/SSE endpoints over Litestar channels; Redis
  pub/sub between replicas when ``redis.url`` is set, this process's memory otherwise.
- ``firebase``: the Firebase Realtime Database, read by clients directly with custom
  tokens (firebase-admin, an optional extra imported only when chosen).
- ``memory``: an in-process recorder for tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from litestar.channels.backends.memory import MemoryChannelsBackend

from adapters.channels.event_feed import ChannelsEventPublisher
from adapters.channels.history import MemoryHistory
from adapters.channels.settings import ChannelsSettings
from adapters.firebase.settings import FirebaseCredentialsError, FirebaseSettings
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.redis.settings import RedisSettings
from plugins.egress import Egress, PortRange, Side, redis_server, split_host_port
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError

if TYPE_CHECKING:
    from adapters.firebase.realtime_database import FirebaseRealtimeEvents


def _channels(context: AdapterContext) -> ChannelsEventPublisher:
    settings = context.settings("channels", ChannelsSettings)
    redis_settings = context.settings("redis", RedisSettings)
    if redis_settings.url is None:
        return ChannelsEventPublisher(
            MemoryChannelsBackend(),
            MemoryHistory(settings.history_per_channel, idle_seconds=settings.history_seconds),
            backlog=settings.subscriber_backlog,
        )
    from litestar.channels.backends.redis import RedisChannelsPubSubBackend
    from redis.asyncio import Redis

    from adapters.channels.history import RedisHistory

    redis = Redis.from_url(
        redis_settings.url.get_secret_value(),
        socket_connect_timeout=redis_settings.timeout_seconds,
    )
    prefix = redis_settings.key_prefix + "events:"
    return ChannelsEventPublisher(
        RedisChannelsPubSubBackend(redis=redis),
        RedisHistory(
            redis,
            key_prefix=prefix + "history:",
            limit=settings.history_per_channel,
            ttl_seconds=settings.history_seconds,
        ),
        backlog=settings.subscriber_backlog,
        channel_prefix=prefix,
        redis=redis,
    )


def _channels_egress(context: AdapterContext) -> list[Egress]:
    url = context.settings("redis", RedisSettings).url
    if url is None:
        return []
    return redis_server(url.get_secret_value(), "realtime event fan-out between replicas (Redis)")


def _firebase(context: AdapterContext) -> FirebaseRealtimeEvents:
    settings = context.settings("firebase", FirebaseSettings)
    try:
        from adapters.firebase.realtime_database import FirebaseRealtimeEvents
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"events adapter 'firebase' needs {exc.name}: pip install 'passerelle-xr[firebase]'"
        ) from exc
    try:
        return FirebaseRealtimeEvents(settings)
    except FirebaseCredentialsError as exc:
        raise AdapterSettingsError(f"invalid setting {exc}") from exc


def _firebase_egress(context: AdapterContext) -> list[Egress]:
    """The database, reached by the servers (writes) and by the clients (reads)."""
    url = context.settings("firebase", FirebaseSettings).database_url
    host, port = split_host_port(urlsplit(url or "https://*.firebaseio.com").netloc, 443)
    return [
        Egress(
            hosts=(host,),
            ports=(PortRange.single(port),),
            purpose=f"realtime events (Firebase Realtime Database) for the {side.value}",
            side=side,
        )
        for side in (Side.SERVERS, Side.CLIENTS)
    ]


def _memory(_context: AdapterContext) -> InProcessEventPublisher:
    return InProcessEventPublisher()


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "events",
        "channels",
        _channels,
        description=(
            "the platform's WebSocket/SSE endpoints over Litestar channels; Redis between "
            "replicas when redis.url is set (settings: channels, redis)"
        ),
        egress=_channels_egress,
    )
    registry.add(
        "events",
        "firebase",
        _firebase,
        description="Firebase Realtime Database through firebase-admin (settings: firebase)",
        egress=_firebase_egress,
    )
    registry.add(
        "events",
        "memory",
        _memory,
        description="test recorder: keeps events in this process",
        development=True,
        egress=(),
    )
