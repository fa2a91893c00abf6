"""Multiplayer rooms: the kit's contract against Photon and the development adapter, each
built by the registry from its settings block as ``passerelle up`` builds it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.memory.clock import FixedClock
from plugins.manager import build_plugins
from plugins.registry import AdapterContext
from plugins.testing.multiplayer import START, Harness, MultiplayerRoomsContract

SECRET = "a-photon-ticket-secret-of-32-characters"
OTHER_SECRET = "another-ticket-secret-of-32-characters!"


def _built(name: str, blocks: dict[str, Any], clock: FixedClock, tmp_path: Path) -> Any:
    context = AdapterContext(blocks=blocks, clock=clock, data_dir=tmp_path)
    return (
        build_plugins(load_entry_points=False).adapters().get("multiplayer", name).factory(context)
    )


@pytest.fixture(params=["photon", "development"])
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Harness:
    clock = FixedClock(START)

    def rooms(secret: str | None) -> Any:
        photon = {"app_id": "app-1", "region": "eu"} if request.param == "photon" else {}
        if secret is not None:
            photon["ticket_secret"] = secret
        return _built(request.param, {"photon": photon}, clock, tmp_path)

    own = SECRET if request.param == "photon" else None
    return Harness(rooms(own), clock, rooms(OTHER_SECRET))


class TestEveryMultiplayerAdapter(MultiplayerRoomsContract):
    """The kit's contract (plugins.testing.multiplayer), against each built-in adapter."""
