"""Vonage's Video API played on 127.0.0.1 over HTTPS, recording what it receives.

The vonage SDK always speaks HTTPS, so the fake serves the throwaway CA's certificate of
the ``vonage_certificates`` fixture. Every call must carry ``Authorization: Bearer`` an
RS256 application JWT, verified with the application's public key (``application_id``
claim, not expired); otherwise 401 as Vonage answers. Routes and JSON shapes are those of
the OpenTok fake (``/session/create`` form-encoded, answering
``[{"session_id": ...}]``; ``/v2/project/{application_id}/archive`` and ``.../stop``),
with ``applicationId`` in archives.

Fixtures: ``vonage_video_keys`` (an RSA key pair), ``vonage_video_server``; import
the ``*_fixture`` functions to use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from adapters.vonage.video_settings import VonageVideoSettings
from tests.support.opentok_server import (
    VideoApiFake,
    VideoApiHandler,
    VideoApiServer,
    VideoApiState,
)
from tests.support.vonage_server import VonageCertificates

APPLICATION_ID = "5f2a8b1c-7d3e-4f60-9a1b-2c3d4e5f6a7b"
SIGNATURE_SECRET = "pxr-test-vonage-video-signature-secret"


@dataclass(frozen=True)
class VonageVideoKeys:
    private_pem: str
    public_pem: str


class _VonageVideoHandler(VideoApiHandler):
    owner_field = "applicationId"
    server: _TlsServer

    def authenticated(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer":
            return False
        try:
            claims = jwt.decode(
                token,
                self.server.public_pem,
                algorithms=["RS256"],
                options={"require": ["application_id", "iat", "exp", "jti"]},
            )
        except jwt.PyJWTError:
            return False
        return bool(claims["application_id"] == APPLICATION_ID)

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        if not self.authenticated() and self.server.state.fail_with is None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._reply(401, {"type": "about:blank", "title": "Unauthorized"})
            return
        super().do_POST()


class _TlsServer(VideoApiServer):
    def __init__(self, certificates: VonageCertificates, public_pem: str) -> None:
        super().__init__(_VonageVideoHandler, VideoApiState(APPLICATION_ID))
        self.socket = certificates.server_context.wrap_socket(self.socket, server_side=True)
        self.public_pem = public_pem


class VonageVideoTestServer(VideoApiFake):
    def __init__(self, certificates: VonageCertificates, keys: VonageVideoKeys) -> None:
        super().__init__(_TlsServer(certificates, keys.public_pem))
        self._certificates = certificates
        self._keys = keys

    def settings(self, **overrides: Any) -> VonageVideoSettings:
        values: dict[str, Any] = {
            "application_id": APPLICATION_ID,
            "private_key": SecretStr(self._keys.private_pem),
            "video_host": f"127.0.0.1:{self.port}",
            "timeout_seconds": 5,
            "ca_file": self._certificates.ca_file,
            "signature_secret": SecretStr(SIGNATURE_SECRET),
        }
        return VonageVideoSettings(**(values | overrides))


def new_private_key_pem() -> str:
    """A fresh RSA key, as the PEM text Vonage hands out for an application."""
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session", name="vonage_video_keys")
def vonage_video_keys_fixture() -> VonageVideoKeys:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return VonageVideoKeys(_pem(key), public_pem)


@pytest.fixture(name="vonage_video_server")
def vonage_video_server_fixture(
    vonage_certificates: VonageCertificates, vonage_video_keys: VonageVideoKeys
) -> Iterator[VonageVideoTestServer]:
    server = VonageVideoTestServer(vonage_certificates, vonage_video_keys)
    yield server
    server.stop()
