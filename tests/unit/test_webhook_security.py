"""Webhook signatures as Standard Webhooks receivers verify them, and the SSRF guard."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from adapters.system.address_resolver import resolve_host
from core.errors import InvalidInput
from core.webhooks.signing import new_secret, signed_headers, verify
from core.webhooks.targets import Resolve, check_target, forbidden_reason

BODY = b'{"type":"session.ended","data":{"session_id":"s1"}}'
SENT_AT = datetime(2026, 11, 29, 5, 0, tzinfo=UTC)


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body_keyed_by_the_secret() -> None:
    secret = new_secret()
    headers = signed_headers(secret, "msg_1", SENT_AT, BODY)

    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = b"msg_1." + str(int(SENT_AT.timestamp())).encode() + b"." + BODY
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    assert headers == {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(SENT_AT.timestamp())),
        "webhook-signature": f"v1,{expected}",
    }
    assert verify(secret, headers, BODY)


def test_a_tampered_body_or_another_secret_fails_verification() -> None:
    secret = new_secret()
    headers = signed_headers(secret, "msg_1", SENT_AT, BODY)
    assert not verify(secret, headers, BODY + b" ")
    assert not verify(new_secret(), headers, BODY)


def test_secrets_are_whsec_prefixed_and_distinct() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_")
    assert first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 24


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address classified, not bound
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),
        ("fd00::1", "private"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_addresses_are_classified(address: str, reason: str | None) -> None:
    assert forbidden_reason(address) == reason


def _resolver(*addresses: str) -> Resolve:
    async def resolve(host: str) -> Sequence[str]:
        return addresses

    return resolve


async def test_the_guard_refuses_loopback_by_default_with_the_system_resolver() -> None:
    for url in ("http://127.0.0.1:8080/hook", "https://localhost/hook", "http://[::1]/hook"):
        with pytest.raises(InvalidInput) as refused:
            await check_target(url, resolve_host, allow_private=False)
        assert (refused.value.field, refused.value.code) == ("url", "webhook_target_refused")
        assert "loopback" in refused.value.detail


async def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(InvalidInput, match="private address"):
        await check_target(
            "https://hooks.example", _resolver("93.184.215.14", "10.0.0.5"), allow_private=False
        )


async def test_public_targets_pass_and_the_operator_may_allow_private_ones() -> None:
    await check_target("https://hooks.example/x", _resolver("93.184.215.14"), allow_private=False)
    await check_target("http://127.0.0.1:9/x", resolve_host, allow_private=True)


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example/x", "file:///etc/passwd", "https://user:pw@hooks.example/", "x"]
)
async def test_urls_that_are_not_plain_http_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        await check_target(url, _resolver("93.184.215.14"), allow_private=True)
    assert refused.value.field == "url"


async def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(InvalidInput, match="does not resolve"):
        await check_target("https://nowhere.invalid/", resolve_host, allow_private=True)


async def test_a_host_name_idna_cannot_encode_does_not_resolve_rather_than_raise() -> None:
    """A delivery re-checks stored URLs; one saved before names were checked must not
    crash the worker."""
    assert await resolve_host("a..example") == []
    with pytest.raises(InvalidInput, match="does not resolve"):
        await check_target("https://a..example/", resolve_host, allow_private=True)
