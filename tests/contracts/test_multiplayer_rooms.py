"""Multiplayer rooms: the kit's contract against Photon and the development adapter, each
built by the registry from its settings block as ``passerelle up`` builds it."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.memory.clock import FixedClock
from plugins.testing.multiplayer import Harness, MultiplayerRoomsContract
from plugins.testing.pytest_plugin import BuildAdapter

SECRET = "a-photon-ticket-secret-of-32-characters"
OTHER_SECRET = "another-ticket-secret-of-32-characters!"


@pytest.fixture(params=["photon", "development"])
def harness(
    request: pytest.FixtureRequest, passerelle_adapter: BuildAdapter, passerelle_clock: FixedClock
) -> Harness:
    """Through the kit's own fixtures, as a plugin's tests would build theirs."""

    def rooms(secret: str | None) -> Any:
        photon = {"app_id": "app-1", "region": "eu"} if request.param == "photon" else {}
        if secret is not None:
            photon["ticket_secret"] = secret
        blocks = {"photon": photon}
        return passerelle_adapter("multiplayer", request.param, blocks, clock=passerelle_clock)

    own = SECRET if request.param == "photon" else None
    return Harness(rooms(own), passerelle_clock, rooms(OTHER_SECRET))


class TestEveryMultiplayerAdapter(MultiplayerRoomsContract):
    """The kit's contract (plugins.testing.multiplayer), against each built-in adapter."""
