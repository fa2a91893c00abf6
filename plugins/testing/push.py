"""The contract every PushSender passes, for the platform's adapters and plugins' alike.

A plugin's tests subclass ``PushSenderContract`` and give it a ``harness`` fixture: the
sender under test and a way to read back what reached the other side as ``Delivered``::

    from plugins.testing.push import Delivered, Harness, PushSenderContract

    class TestMyPushSender(PushSenderContract):
        @pytest.fixture
        def harness(self, my_gateway): ...
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from ports.push import PushNotification, PushPriority, PushSender

GLASSES = "fB3xT9qLQ0e-Zk1mN2v:APA91bH4_lunettes-de-Jean-Noël_token"
RING = PushNotification(
    device_token=GLASSES,
    title="Appel entrant — Zoé 📞",
    body="Zoé Lefèvre vous appelle pour « Maintenance pompe 3 ».\nDécrochez sur vos lunettes.",
    data={"call_id": "4f1c9a2e", "caller": "Zoé Lefèvre", "room": "Pompe n° 3 ☂", "kind": "ring"},
    priority=PushPriority.HIGH,
    time_to_live=timedelta(seconds=30),
    collapse_key="call-4f1c9a2e",
)


@dataclass(frozen=True)
class Delivered:
    """A push as it reached the other side, whatever the adapter."""

    device_token: str
    title: str
    body: str
    data: dict[str, str]


@dataclass(frozen=True)
class Harness:
    sender: PushSender
    delivered: Callable[[], list[Delivered]]


def delivered_from_record(pushes: list[PushNotification]) -> list[Delivered]:
    return [Delivered(p.device_token, p.title, p.body, p.data) for p in pushes]


class PushSenderContract:
    """Subclass with a ``harness`` fixture; every test here must pass."""

    async def test_push_arrives_with_its_title_body_and_data(self, harness: Harness) -> None:
        await harness.sender.send(RING)

        [push] = harness.delivered()
        assert push == Delivered(GLASSES, RING.title, RING.body, RING.data)

    async def test_push_without_data_arrives_with_empty_data(self, harness: Harness) -> None:
        await harness.sender.send(replace(RING, data={}))

        [push] = harness.delivered()
        assert push.data == {}
        assert push.title == RING.title

    async def test_each_push_gets_its_own_message_id(self, harness: Harness) -> None:
        first = await harness.sender.send(RING)
        second = await harness.sender.send(RING)

        assert first
        assert second
        assert first != second

    async def test_every_push_sent_arrives_once(self, harness: Harness) -> None:
        calls = [f"call-{number}" for number in range(6)]

        await asyncio.gather(
            *(harness.sender.send(replace(RING, data={"call_id": call})) for call in calls)
        )

        assert sorted(push.data["call_id"] for push in harness.delivered()) == calls
