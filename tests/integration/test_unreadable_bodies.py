"""A body the API cannot read is a 400 naming the body, never a 500 nor a leaked KeyError.

The framework's decoders (msgspec) and the standard library's raise RecursionError, not a
decoding error, for ``[[[[...]]]]`` a hundred thousand deep.
"""

from __future__ import annotations

import pytest
from dependency_injector import providers
from pydantic import SecretStr

from adapters.vonage.settings import VonageSettings
from adapters.vonage.sms_receipts import VonageReceiptReader
from tests.integration.conftest import Api

DEEP = b'{"token": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/auth/login", 400, "malformed_request"),
        ("/api/v1/guest/join", 400, "malformed_request"),
        ("/api/v1/webhooks/vonage/sms-receipts", 422, "invalid_body"),
    ],
)
async def test_json_endpoints_refuse_it_as_unreadable(
    api: Api, path: str, status: int, code: str
) -> None:
    await api.create_tenant("alpha")
    receipts = VonageSettings(api_key="key", signature_secret=SecretStr("signature-secret"))
    reader = VonageReceiptReader(receipts, api.container.clock())
    api.container.sms_receipts.override(providers.Object(reader))

    response = await api.client.post(
        path, content=DEEP, headers=JSON | {"X-Passerelle-Tenant": "alpha"}
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_photon_answers_its_own_json_with_a_failure_code(api: Api) -> None:
    settings = api.container.settings()
    photon = settings.photon.model_copy(update={"webhook_secret": SecretStr("x" * 32)})
    api.container.settings.override(settings.model_copy(update={"photon": photon}))

    auth = await api.client.post("/api/v1/photon/auth", content=DEEP, headers=JSON)
    hook = await api.client.post(
        "/api/v1/photon/webhooks/GameJoin",
        content=DEEP,
        headers=JSON | {"X-Passerelle-Photon-Secret": "x" * 32},
    )

    assert (auth.status_code, auth.json()["ResultCode"]) == (200, 3)
    assert (hook.status_code, hook.json()["ResultCode"]) == (200, 2)


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/guest/join"])
@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (b"{bad", "malformed_request", "JSON is malformed"),
        (b"", "validation_failed", "the body is empty: send a JSON object"),
    ],
    ids=["malformed", "empty"],
)
async def test_a_malformed_or_empty_body_is_a_400_naming_the_body(
    api: Api, path: str, body: bytes, code: str, message: str
) -> None:
    await api.create_tenant("alpha")

    response = await api.client.post(
        path, content=body, headers=JSON | {"X-Passerelle-Tenant": "alpha"}
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    [error] = response.json()["errors"]
    assert error["field"] == "body"
    assert error["message"].startswith(message)
