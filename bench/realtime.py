"""Realtime events benchmark: publish -> receive over Redis with 1,000 WebSocket subscribers.

Not a test: it prints figures and never asserts on time. Two API replicas share one
control database (SQLite in a temporary directory, one tenant made by the real
``create_tenant``) and the Redis at 127.0.0.1:6379 (``--redis-url``; keys under a fresh
prefix, deleted at the end). Replica B is served by uvicorn on 127.0.0.1 and holds the
WebSocket subscribers (real TCP connections, the ``websockets`` client, token in the
first message as a browser sends it); replica A publishes through its events adapter,
so every event crosses Redis pub/sub. Everything runs in this one process and event loop
(server, 1,000 clients, publisher) on a 2-core machine: the figures include the clients'
own work, and a real deployment spreads it over machines.

    .venv/bin/python bench/realtime.py [--subscribers 1000] [--fanout-events 30]
                                       [--fanout-interval 0.1] [--throughput-events 5000]
                                       [--redis-url URL] [--json]

Phases:

Each subscriber follows its own user channel (not the tenant's ``everyone`` channel:
1,000 users coming online would flood it with 1,000 presence changes for 1,000 readers).

1. Fan-out latency: one event every ``--fanout-interval`` s addressed to every user (one
   publish, 1,000 channels); for each event and each subscriber, publish start to the
   moment the client's websocket yields the frame. p50/p95/p99/max over all deliveries.
2. Throughput: ``--throughput-events`` events to users in turn, published back to back;
   events/s from the first publish to the last delivery, and that run's latencies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
import websockets
from dependency_injector import providers
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchkit import (  # noqa: E402
    ENCRYPTION_KEY,
    PUBLIC_URL,
    Report,
    cpu_model,
    ms,
    percentile,
    run_bench,
)

from adapters.argon2.password_hasher import Argon2PasswordHasher  # noqa: E402
from apps.api.app import create_app  # noqa: E402
from apps.config.loading import load_settings  # noqa: E402
from apps.container import Container, build_container, close_container  # noqa: E402
from apps.maintenance import migrate_control  # noqa: E402
from core.identity.model import Actor, Role  # noqa: E402
from core.tenants.services import CreateTenant, create_tenant  # noqa: E402
from ports.events import Audience, Event, EventType, user_channel  # noqa: E402

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 - a throwaway key


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--fanout-events", type=int, default=30)
    parser.add_argument("--fanout-interval", type=float, default=0.1)
    parser.add_argument("--throughput-events", type=int, default=5000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


class Subscriber:
    """One WebSocket client; records when each event id arrived."""

    def __init__(self, url: str, token: str, channels: list[str]) -> None:
        self.url, self.token, self.channels = url, token, channels
        self.arrivals: dict[str, float] = {}
        self.ready = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        async with websockets.connect(
            self.url, additional_headers={"X-Passerelle-Tenant": "bench"}, max_queue=None
        ) as ws:
            first = {"type": "subscribe", "token": self.token, "channels": self.channels}
            await ws.send(json.dumps(first))
            hello = json.loads(await ws.recv())
            if hello.get("type") != "subscribed":
                raise RuntimeError(f"subscription refused: {hello}")
            self.ready.set()
            async for frame in ws:
                message = json.loads(frame)
                if message.get("type") == "event":
                    self.arrivals[message["event"]["id"]] = time.perf_counter()


@contextlib.asynccontextmanager
async def replicas(
    args: argparse.Namespace, root: Path, prefix: str
) -> AsyncIterator[tuple[Container, Container, str]]:
    """Replica A (publisher) and B (served on 127.0.0.1 by uvicorn), one database, one Redis."""
    settings = load_settings(
        profile="production",
        data_dir=root,
        database={"url": f"sqlite+aiosqlite:///{root}/control.db"},
        auth={"jwt_secret": SECRET},
        encryption={"keys": ENCRYPTION_KEY},
        api={"public_url": PUBLIC_URL},
        mail={"backend": "console"},
        video={"backend": "development"},
        multiplayer={"backend": "development"},
        storage={"backend": "local"},
        push={"backend": "console"},
        sms={"backend": "console"},
        redis={"url": args.redis_url, "key_prefix": prefix},
        rate_limits={"enabled": False},
    )
    a, b = build_container(settings), build_container(settings)
    for container in (a, b):
        container.hasher.override(
            providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
        )
    await migrate_control(a)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(b, close=False),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ws_max_queue=1024,
            lifespan="off",
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.05)
    try:
        yield a, b, f"ws://127.0.0.1:{port}/api/v1/realtime/ws"
    finally:
        server.should_exit = True
        await serving
        await close_container(a)
        await close_container(b)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def connect_all(subscribers: list[Subscriber]) -> float:
    started = time.perf_counter()
    for batch in range(0, len(subscribers), 100):
        for subscriber in subscribers[batch : batch + 100]:
            subscriber.task = asyncio.create_task(subscriber.run())
        for subscriber in subscribers[batch : batch + 100]:
            ready = asyncio.create_task(subscriber.ready.wait())
            assert subscriber.task is not None
            await asyncio.wait([ready, subscriber.task], return_when=asyncio.FIRST_COMPLETED)
            if subscriber.task.done():
                ready.cancel()
                subscriber.task.result()
                raise RuntimeError("a subscriber's connection closed before it subscribed")
    return time.perf_counter() - started


async def drain(subscribers: list[Subscriber], expected: int, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while sum(len(s.arrivals) for s in subscribers) < expected:
        if time.perf_counter() > deadline:
            return
        await asyncio.sleep(0.02)


async def close_all(subscribers: list[Subscriber]) -> None:
    for subscriber in subscribers:
        if subscriber.task is not None:
            subscriber.task.cancel()
    await asyncio.gather(*(s.task for s in subscribers if s.task), return_exceptions=True)


def latencies(subscribers: list[Subscriber], sent: dict[str, float]) -> list[float]:
    return sorted(
        arrival - sent[event_id]
        for s in subscribers
        for event_id, arrival in s.arrivals.items()
        if event_id in sent
    )


def summary(report: Report, key: str, values: list[float], expected: int) -> None:
    figures = {
        "deliveries": len(values),
        "expected": expected,
        "p50_ms": ms(percentile(values, 50)) if values else None,
        "p95_ms": ms(percentile(values, 95)) if values else None,
        "p99_ms": ms(percentile(values, 99)) if values else None,
        "max_ms": ms(values[-1]) if values else None,
    }
    report.put(key, figures)
    report.line(
        f"  deliveries {len(values)}/{expected}   p50 {figures['p50_ms']} ms   "
        f"p95 {figures['p95_ms']} ms   p99 {figures['p99_ms']} ms   max {figures['max_ms']} ms"
    )


async def run(args: argparse.Namespace, report: Report) -> None:
    prefix = f"pxb{uuid.uuid4().hex[:8]}:"
    report.line(f"machine: {cpu_model()}, Python {sys.version.split()[0]}")
    report.line(f"redis: {args.redis_url} (keys under {prefix})")
    with tempfile.TemporaryDirectory(prefix="pxr-bench-") as folder:
        try:
            async with replicas(args, Path(folder), prefix) as (a, _b, url):
                await _phases(args, report, a, url)
        finally:
            redis = Redis.from_url(args.redis_url)
            keys = [key async for key in redis.scan_iter(match=prefix + "*")]
            if keys:
                await redis.delete(*keys)
            await redis.aclose()


async def _phases(args: argparse.Namespace, report: Report, a: Container, url: str) -> None:
    tenant, _ = await create_tenant(
        CreateTenant("bench", "Bench Inc.", "admin@bench.example", "x" * 16, "Ada"),
        a.tenant_dependencies(),
        actor="bench",
    )
    tokens = a.access_tokens()
    actors = [Actor(tenant.id, uuid.uuid4(), Role.EXPERT) for _ in range(args.subscribers)]
    events = a.events()

    report.line(f"\n1. fan-out: each event to all {args.subscribers} users")
    subs = [
        Subscriber(url, tokens.issue(x).token, [user_channel(x.tenant_id, x.user_id)])
        for x in actors
    ]
    report.line(f"  connected in {await connect_all(subs):.1f} s")
    everybody = Audience(frozenset(x.user_id for x in actors))
    sent: dict[str, float] = {}
    for number in range(args.fanout_events):
        event = Event(
            EventType.NOTIFICATION_STATUS, tenant.id, datetime.now(UTC), everybody, {"n": number}
        )
        sent[str(event.id)] = time.perf_counter()
        await events.publish([event])
        await asyncio.sleep(args.fanout_interval)
    expected = args.fanout_events * len(subs)
    await drain(subs, expected, seconds=30)
    summary(report, "fanout", latencies(subs, sent), expected)

    report.line(f"\n2. throughput: {args.throughput_events} events, one per user channel in turn")
    for subscriber in subs:
        subscriber.arrivals.clear()
    sent = {}
    started = time.perf_counter()
    for number in range(args.throughput_events):
        actor = actors[number % len(actors)]
        event = Event(
            EventType.NOTIFICATION_STATUS,
            tenant.id,
            datetime.now(UTC),
            Audience(frozenset({actor.user_id})),
            {"number": number},
        )
        sent[str(event.id)] = time.perf_counter()
        await events.publish([event])
    published = time.perf_counter() - started
    await drain(subs, args.throughput_events, seconds=60)
    last = max((t for s in subs for t in s.arrivals.values()), default=started)
    delivered = sum(len(s.arrivals) for s in subs)
    rate = delivered / (last - started) if last > started else 0.0
    report.put(
        "throughput",
        {
            "published_per_s": round(args.throughput_events / published, 1),
            "delivered_per_s": round(rate, 1),
        },
    )
    report.line(
        f"  published {args.throughput_events / published:.0f} events/s; "
        f"delivered {delivered} at {rate:.0f} events/s (first publish to last delivery)"
    )
    summary(report, "throughput_latency", latencies(subs, sent), args.throughput_events)
    await close_all(subs)


def main(argv: Sequence[str] | None = None) -> int:
    return run_bench(run, parse_args(argv), "realtime bench interrupted; keys cleaned up")


if __name__ == "__main__":
    sys.exit(main())
