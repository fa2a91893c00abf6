"""AES-256-GCM sealing of stored secrets: round trip, refusals, rotation, the stored form."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from adapters.aesgcm.sealer import AesGcmSealer, InvalidKeyRing, key_id, new_key, parse_keys
from adapters.sql.tenant_tables import webhook_endpoints
from apps.config.embedded_secret import embedded_encryption_key
from core.webhooks.signing import new_secret
from ports.secret_sealer import SecretUnreadable

OLD, NEW = parse_keys(new_key())[0], parse_keys(new_key())[0]
CONTEXT = "webhook_endpoints.secret:tenant-a:endpoint-1"


def test_a_sealed_secret_opens_with_its_context_and_is_not_in_the_clear() -> None:
    sealer = AesGcmSealer([NEW])
    secret = new_secret()

    sealed = sealer.seal(secret, CONTEXT)

    assert sealer.open(sealed, CONTEXT) == secret
    assert secret not in sealed
    assert secret.removeprefix("whsec_") not in sealed


def test_the_stored_form_names_its_version_and_key_and_uses_a_new_nonce_each_time() -> None:
    sealer = AesGcmSealer([NEW])

    first, second = sealer.seal("whsec_x", CONTEXT), sealer.seal("whsec_x", CONTEXT)

    version, sealed_by, body = first.split(":")
    assert (version, sealed_by) == ("v1", key_id(NEW))
    assert len(base64.urlsafe_b64decode(body + "==")) == 12 + len("whsec_x") + 16
    assert first != second


def test_a_sealed_webhook_secret_fits_its_column() -> None:
    sealed = AesGcmSealer([NEW]).seal(new_secret(), CONTEXT)

    assert len(sealed) <= webhook_endpoints.c.secret.type.length  # type: ignore[attr-defined]


def test_another_context_does_not_open_it() -> None:
    sealer = AesGcmSealer([NEW])
    sealed = sealer.seal(new_secret(), CONTEXT)

    for moved in (
        "webhook_endpoints.secret:tenant-a:endpoint-2",
        "webhook_endpoints.secret:tenant-b:endpoint-1",
    ):
        with pytest.raises(SecretUnreadable):
            sealer.open(sealed, moved)


def test_a_key_the_ring_lacks_does_not_open_it() -> None:
    sealed = AesGcmSealer([OLD]).seal(new_secret(), CONTEXT)

    with pytest.raises(SecretUnreadable, match="not configured"):
        AesGcmSealer([NEW]).open(sealed, CONTEXT)


def test_another_key_under_the_same_id_does_not_open_it() -> None:
    sealed = AesGcmSealer([OLD]).seal(new_secret(), CONTEXT)
    forged = sealed.replace(key_id(OLD), key_id(NEW), 1)

    with pytest.raises(SecretUnreadable):
        AesGcmSealer([NEW]).open(forged, CONTEXT)


@pytest.mark.parametrize("position", [3, 20, -1])
def test_an_altered_ciphertext_is_refused(position: int) -> None:
    sealer = AesGcmSealer([NEW])
    sealed = sealer.seal(new_secret(), CONTEXT)
    prefix = len(f"v1:{key_id(NEW)}:")
    index = prefix + position if position >= 0 else len(sealed) + position
    altered = sealed[:index] + ("A" if sealed[index] != "A" else "B") + sealed[index + 1 :]

    with pytest.raises(SecretUnreadable):
        sealer.open(altered, CONTEXT)


@pytest.mark.parametrize("stored", ["v1:", "v1:abcdef", "v1:abcdef:", "v1:abcdef:!!!"])
def test_a_malformed_sealed_value_is_refused(stored: str) -> None:
    sealer = AesGcmSealer([NEW])
    stored = stored.replace("abcdef", key_id(NEW))

    with pytest.raises(SecretUnreadable):
        sealer.open(stored, CONTEXT)


def test_a_value_stored_before_sealing_existed_reads_as_it_is_and_is_not_current() -> None:
    sealer = AesGcmSealer([NEW])

    assert sealer.open("whsec_AAAA", CONTEXT) == "whsec_AAAA"
    assert not sealer.is_current("whsec_AAAA")


def test_after_rotation_the_new_key_seals_and_the_old_one_still_opens() -> None:
    old_sealed = AesGcmSealer([OLD]).seal("whsec_old", CONTEXT)
    rotated = AesGcmSealer([NEW, OLD])

    new_sealed = rotated.seal("whsec_new", CONTEXT)

    assert rotated.open(old_sealed, CONTEXT) == "whsec_old"
    assert not rotated.is_current(old_sealed)
    assert rotated.is_current(new_sealed)
    assert new_sealed.split(":")[1] == key_id(NEW)
    assert AesGcmSealer([NEW]).open(new_sealed, CONTEXT) == "whsec_new"


def test_keys_are_read_newest_first_from_comma_separated_base64url() -> None:
    text = f"{new_key()}, {new_key()}"

    keys = parse_keys(text)

    assert len(keys) == 2
    assert all(len(key) == 32 for key in keys)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no key"),
        (" , ", "no key"),
        (base64.urlsafe_b64encode(b"short").decode(), "32 bytes"),
        ("not base64 at all!", "32 bytes"),
    ],
)
def test_an_unusable_key_ring_is_refused(text: str, problem: str) -> None:
    with pytest.raises(InvalidKeyRing, match=problem):
        parse_keys(text)


def test_a_key_given_twice_is_refused() -> None:
    key = new_key()

    with pytest.raises(InvalidKeyRing, match="twice"):
        parse_keys(f"{key},{key}")


def test_the_embedded_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = embedded_encryption_key(tmp_path / "data")

    assert embedded_encryption_key(tmp_path / "data") == first
    assert len(parse_keys(first)) == 1
    assert stat.S_IMODE((tmp_path / "data" / "encryption-key").stat().st_mode) == 0o600
