"""A server process freezes what start-up built and collects its young generation less often."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from apps.cli.collector import YOUNG_THRESHOLD, settle_for_serving


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_start_up_objects_are_frozen_and_young_collections_are_rarer() -> None:
    gc.unfreeze()
    _, middle, old = gc.get_threshold()
    settle_for_serving()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old)
