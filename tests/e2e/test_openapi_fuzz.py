"""Schemathesis against the OpenAPI schema the running platform serves.

Cases are generated from the document the API builds at import time (so that each
operation is a test of its own) and sent to a `passerelle up` on loopback, which serves
that very document (test_the_served_schema_is_the_one_fuzzed).

Every operation, with all of schemathesis's default checks: no 5xx, status codes, content
types, headers and bodies as documented, invalid input refused and every schema-valid input
accepted, authentication enforced where the schema says so. Requests carry a tenant admin's
token, or the operator key on operator routes; ids are random, so most calls on one object
end in a documented 404. Rate limits are off: they would answer 429 before the checks learn
anything. ``--hypothesis-show-statistics`` prints the examples and time per operation.

Two refusals of schema-valid requests depend on state, not on the request's shape, and are
told to schemathesis per operation (``STATEFUL_REFUSALS``); and an ``Idempotency-Key`` must
be new for each intended creation, which a schema cannot say, so each call gets a fresh one
as a client would (reuse is tested in tests/integration/test_idempotency_api.py).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from apps.api.app import create_app
from apps.config.loading import load_settings
from apps.container import build_container
from tests.support.platform import start_platform

pytestmark = pytest.mark.e2e

EXAMPLES = 25
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
SUCCESS = ["2xx", "3xx", "4xx"]
STATEFUL_REFUSALS = {
    # RFC 8628: the device polls with its device code and hears 400 `authorization_pending`
    # (or `invalid_grant` for a code no pairing issued) until someone approves the pairing.
    "POST /api/v1/devices/token": ["400"],
    # The tenant's plan sets the largest file and its storage quota: 413 past either.
    # ... and a form's fields must come before its file part, which is streamed as it
    # arrives: OpenAPI has no word for the order of multipart parts (422 `field_after_file`).
    "POST /api/v1/files": ["413", "422"],
    "POST /api/v1/files/raw": ["413"],
    "POST /api/v1/files/uploads": ["413"],
    # A wording is a template for the channel named in the path: it must compile, use only
    # the kind's values, have a subject for e-mail and none for SMS, and fit 3 SMS parts once
    # rendered. One body schema serves every channel and cannot see the path: 422 names the
    # field (tests/integration/test_notification_customisation.py covers each rule).
    "PUT /api/v1/notifications/wordings/{kind}/{channel}/{locale}": ["422"],
    # A webhook URL's host must resolve, to public addresses only (the SSRF guard): DNS
    # decides, not the request's shape; 422 names `url` (tests/integration/test_webhooks_api.py).
    "POST /api/v1/webhook-endpoints": ["422"],
    "PATCH /api/v1/webhook-endpoints/{endpoint_id}": ["422"],
    # A slug an earlier case took is refused like every other slug rule (422 `slug_taken`),
    # and the admin's password may not contain the name part of the admin's address, a rule
    # across two fields (422 `password_contains_email`).
    "POST /api/v1/tenants": ["422"],
}
"""Statuses that answer a schema-valid request because of the server's state, or of a rule
the schema cannot hold, per operation, on top of positive_data_acceptance's defaults."""
UNREACHABLE = {
    # A dedicated tenant's database server is named by the request; the ones the fuzzer
    # names do not exist, and the documented answer to an unreachable provider is 503.
    "POST /api/v1/tenants": ["503"],
}
"""Server errors that are the documented answer to a provider the request names, per
operation, on top of not_a_server_error's defaults."""
RANGE_MEMBERS = {"audio/*": "audio/mpeg", "video/*": "video/mp4", "image/*": "image/png"}
"""A type of each media range the upload routes declare, for schemathesis to send."""
IDEMPOTENCY_KEY = "Idempotency-Key"
OPERATOR_PATHS = ("/api/v1/tenants", "/api/v1/network/")


@dataclass(frozen=True)
class Served:
    url: str
    tenant_headers: dict[str, str]
    operator_headers: dict[str, str]

    def headers_for(self, path: str) -> dict[str, str]:
        return self.operator_headers if path.startswith(OPERATOR_PATHS) else self.tenant_headers


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "data"
    env = {"PASSERELLE_RATE_LIMITS__ENABLED": "false", "PASSERELLE_MAIL__BACKEND": "file"}
    for platform in start_platform(data_dir, env):
        credentials = platform.credentials()
        tenant = {"X-Passerelle-Tenant": credentials["tenant"]}
        login = httpx.post(
            f"{platform.url}/api/v1/auth/login",
            json={"email": credentials["email"], "password": credentials["password"]},
            headers=tenant,
            timeout=10,
        )
        assert login.status_code == 200, login.text
        yield Served(
            url=platform.url,
            tenant_headers={**tenant, "Authorization": f"Bearer {login.json()['access_token']}"},
            operator_headers={"Authorization": f"Bearer {credentials['operator_key']}"},
        )


def _document() -> dict[str, Any]:
    """The OpenAPI document of the embedded platform, built without serving it."""
    with tempfile.TemporaryDirectory() as data_dir:
        container = build_container(load_settings(profile="embedded", data_dir=Path(data_dir)))
        return create_app(container).openapi_schema.to_schema()


DOCUMENT = _document()
STREAMS = "/api/v1/realtime/events"
"""The SSE stream never ends, so it has no response to validate as a whole;
tests/integration/test_realtime_stream.py covers it, refusals included."""
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            *(
                {
                    "include-name": name,
                    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + extra}},
                }
                for name, extra in STATEFUL_REFUSALS.items()
            ),
            *(
                {
                    "include-name": name,
                    "checks": {"not_a_server_error": {"expected-statuses": SUCCESS + extra}},
                }
                for name, extra in UNREACHABLE.items()
            ),
            {
                # Schemathesis 4's coverage phase marks as negative a multipart body that holds
                # only the file part ("object with only required properties"), a body the
                # schema allows, and expects a refusal. The form's bad parts are refused in
                # tests/integration/test_files_api.py.
                "include-name": "POST /api/v1/files",
                "checks": {"negative_data_rejection": {"enabled": False}},
            },
        ]
    }
)


def _binary_media_types(document: dict[str, Any]) -> list[str]:
    """The media types a body of raw bytes is declared with (file uploads), which
    schemathesis would otherwise skip as types it cannot send. A range (``video/*``) stands
    for its types: schemathesis sends one it knows of the range, so it learns one here."""
    declared = {
        media_type
        for operations in document["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict) and "requestBody" in operation
        for media_type, content in operation["requestBody"]["content"].items()
        if content.get("schema", {}).get("format") == "binary" and media_type != "*/*"
    }
    return sorted(RANGE_MEMBERS.get(media_type, media_type) for media_type in declared)


schemathesis.serializer.alias(_binary_media_types(DOCUMENT), "application/octet-stream")
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).exclude(path=STREAMS)
# Unknown query parameters are ignored, as most HTTP APIs do, not refused.
schema.config.generation.update(allow_extra_parameters=False)


def test_the_served_schema_is_the_one_fuzzed(served: Served) -> None:
    assert httpx.get(f"{served.url}/schema/openapi.json").json() == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(
    case: schemathesis.Case, served: Served
) -> None:
    headers = served.headers_for(case.operation.path)
    if _headers_are_negative(case):
        headers = {
            name: value
            for name, value in headers.items()
            if name != "Authorization" and name not in (case.headers or {})
        }
    if isinstance(case.body, dict):
        case.body = _targets_on_loopback(case.body)
    key = (case.headers or {}).get(IDEMPOTENCY_KEY)
    if isinstance(key, str) and 0 < len(key) <= 255:
        headers = {**headers, IDEMPOTENCY_KEY: str(uuid.uuid4())}
    case.call_and_validate(base_url=served.url, headers=headers)


OUTBOUND_FIELDS = ("url", "database_url")
"""Body fields naming a server the platform then connects to (a webhook receiver, a
dedicated tenant's database)."""


def _targets_on_loopback(body: dict[str, Any]) -> dict[str, Any]:
    """Point every generated server address at a closed loopback port, keeping its shape, so
    the fuzzer never makes the platform reach out past 127.0.0.1 (test traffic stays local)."""
    rewritten = dict(body)
    for name in OUTBOUND_FIELDS:
        value = body.get(name)
        if isinstance(value, str) and "//" in value:
            rewritten[name] = _on_loopback(value)
    return rewritten


def _on_loopback(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # not a URL the platform could connect to either
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:9" if credentials else "127.0.0.1:9"
    return urlunsplit(parts._replace(netloc=netloc)) if parts.netloc else url


def _headers_are_negative(case: schemathesis.Case) -> bool:
    """A case whose headers break the schema (a missing or malformed credential, say) is sent
    with its own headers: adding a valid credential would make it a valid request that the
    negative-data check then expects to be refused. The tenant is still named when the case
    does not name one, so a missing credential meets 401, not 404 for a missing tenant."""
    header = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    return header is not None and header.mode == GenerationMode.NEGATIVE
