"""A token that passed verification is not checked again until its expiry; a token altered
in any byte, or one past its expiry, is checked afresh."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from adapters.memory.clock import FixedClock
from apps.api.auth.tokens import AccessTokens
from core.errors import Unauthenticated
from core.identity.model import Actor, Role

SECRET = "a-test-secret-that-is-long-enough-for-hs256-0123456789"
ACTOR = Actor(tenant_id=uuid.uuid4(), user_id=uuid.uuid4(), role=Role.EXPERT)


class Wall:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return seen


def _tokens(wall: Wall) -> AccessTokens:
    clock = FixedClock(datetime.fromtimestamp(wall.now, UTC))
    return AccessTokens(SECRET, issuer="test", ttl=timedelta(minutes=5), clock=clock, wall=wall)


def test_a_verified_token_is_not_decoded_again_before_it_expires(decodes: list[str]) -> None:
    wall = Wall()
    issuer = _tokens(wall)
    token = issuer.issue(ACTOR).token

    first, second = issuer.verify(token), issuer.verify(token)

    assert first == second
    assert first.user_id == ACTOR.user_id
    assert decodes == [token]


def test_a_kept_token_is_checked_afresh_once_its_expiry_passed(decodes: list[str]) -> None:
    wall = Wall()
    issuer = _tokens(wall)
    token = issuer.issue(ACTOR).token
    issuer.verify(token)

    wall.now += 5 * 60 + 1
    issuer.verify(token)  # PyJWT reads the real time, when the token is still valid

    assert decodes == [token, token]


def test_a_token_altered_after_a_good_one_is_refused() -> None:
    issuer = _tokens(Wall())
    token = issuer.issue(ACTOR).token
    issuer.verify(token)
    head, payload, signature = token.split(".")
    altered = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"

    with pytest.raises(Unauthenticated):
        issuer.verify(altered)
