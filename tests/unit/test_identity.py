"""Operator keys: shown once, stored hashed."""

from __future__ import annotations

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.tenant_catalog import MemoryOperatorKeys
from core.errors import InvalidInput, Unauthenticated
from core.identity.services import authenticate_operator, create_operator_key, hash_operator_key


async def test_operator_key_is_returned_once_and_stored_only_as_a_hash(clock: FixedClock) -> None:
    keys = MemoryOperatorKeys()
    plaintext, key = await create_operator_key("ci", keys=keys, clock=clock)

    assert plaintext.startswith("pxo_")
    assert plaintext not in {k.key_hash for k in keys.keys.values()}
    assert key.key_hash == hash_operator_key(plaintext)
    assert (await authenticate_operator(plaintext, keys=keys)).id == key.id
    with pytest.raises(Unauthenticated):
        await authenticate_operator(plaintext + "x", keys=keys)


async def test_operator_key_needs_a_name(clock: FixedClock) -> None:
    with pytest.raises(InvalidInput) as raised:
        await create_operator_key("  ", keys=MemoryOperatorKeys(), clock=clock)
    assert raised.value.field == "name"
