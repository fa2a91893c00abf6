"""A Cloud Storage peer on 127.0.0.1: gcp-storage-emulator, in memory, one per test.

The emulator speaks the JSON API (uploads, resumable uploads, listing, rewrite) and serves
signed-URL paths (``/<bucket>/<object>``), but checks neither signatures nor expiry, and
ignores ``ifGenerationMatch``. This peer adds Cloud Storage's documented precondition rule
on uploads (412 when the object's generation is not the one named; 0 means "absent"), so
the adapter's preconditions meet a real refusal. Signatures and expiry are tested on the
local store's links instead.

Fixtures (import them into a conftest.py to use them):

- ``gcs_server``: a started emulator with the shared bucket and a dedicated one, and a
  service-account key file for signing URLs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from gcp_storage_emulator import server as emulator  # type: ignore[import-untyped]
from gcp_storage_emulator.exceptions import NotFound  # type: ignore[import-untyped]
from gcp_storage_emulator.handlers import objects  # type: ignore[import-untyped]
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage  # type: ignore[import-untyped]

from adapters.gcs.blob_store import GcsBlobStore
from adapters.gcs.settings import GcsSettings
from adapters.system.clock import SystemClock
from tests.support.fcm_server import new_rsa_key
from tests.support.network import free_port

SHARED_BUCKET = "passerelle-files"
DEDICATED_BUCKET = "acme-own-files"

Handler = Callable[..., Any]


@dataclass(frozen=True)
class GcsPeer:
    endpoint: str
    key_file: Path

    def settings(self, **overrides: Any) -> GcsSettings:
        return GcsSettings(
            bucket=SHARED_BUCKET,
            endpoint=self.endpoint,
            anonymous=True,
            credentials_file=self.key_file,
            project="test",
            **overrides,
        )

    def store(self, **overrides: Any) -> GcsBlobStore:
        return GcsBlobStore(self.settings(**overrides), SystemClock())

    def object_names(self, bucket: str = SHARED_BUCKET) -> list[str]:
        return [blob.name for blob in self._client().list_blobs(bucket)]

    def _client(self) -> Any:
        return storage.Client(
            project="test",
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": self.endpoint},
        )


def _with_preconditions(handler: Handler) -> Handler:
    """The handler, behind Cloud Storage's ``ifGenerationMatch`` rule for uploads."""

    def checked(request: Any, response: Any, storage_: Any, *args: Any, **kwargs: Any) -> Any:
        wanted = (request.query.get("ifGenerationMatch") or [None])[0]
        if wanted is not None and "upload_id" not in request.query:
            name = (request.query.get("name") or [None])[0] or (request.data or {}).get("name")
            try:
                current = storage_.get_file_obj(request.params["bucket_name"], name)["generation"]
            except NotFound:
                current = "0"
            if str(current) != wanted:
                response.status = HTTPStatus.PRECONDITION_FAILED
                response.json({"error": {"code": 412, "message": "conditionNotMet"}})
                return None
        return handler(request, response, storage_, *args, **kwargs)

    return checked


def _precondition_handlers() -> tuple[Any, ...]:
    return tuple(
        (
            pattern,
            {
                method: _with_preconditions(handler) if handler is objects.insert else handler
                for method, handler in handlers.items()
            },
        )
        for pattern, handlers in emulator.HANDLERS
    )


@pytest.fixture
def gcs_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GcsPeer]:
    monkeypatch.setattr(emulator, "HANDLERS", _precondition_handlers())
    port = free_port()
    server = emulator.create_server("127.0.0.1", port, in_memory=True)
    server.start()
    key = new_rsa_key()
    key_file = tmp_path / "gcs-signer.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "test",
                "private_key_id": key.key_id,
                "private_key": key.pem,
                "client_email": "signer@test.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": f"http://127.0.0.1:{free_port()}/token",
            }
        )
    )
    peer = GcsPeer(endpoint=f"http://127.0.0.1:{port}", key_file=key_file)
    client = peer._client()
    for bucket in (SHARED_BUCKET, DEDICATED_BUCKET):
        client.create_bucket(bucket)
    try:
        yield peer
    finally:
        server.stop()
