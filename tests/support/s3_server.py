"""An S3 peer on 127.0.0.1: moto in server mode, emptied for each test.

moto speaks S3's REST protocol over plain HTTP (path-style addressing), with conditional
writes (``If-Match``, ``If-None-Match: *``), multipart uploads and presigned URLs; it
checks neither signatures nor expiry. Its state lives in this process; one server serves
the session and is reset before each test.

Fixtures (import them into a conftest.py to use them):

- ``moto_server``: the server, started once per session.
- ``s3_server``: that server emptied, with the shared bucket and a dedicated one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from adapters.s3.blob_store import S3BlobStore
from adapters.s3.settings import S3Settings
from adapters.system.clock import SystemClock

SHARED_BUCKET = "passerelle-files"
DEDICATED_BUCKET = "acme-own-files"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"


@dataclass
class S3Peer:
    endpoint: str

    def settings(self, **overrides: Any) -> S3Settings:
        return S3Settings(
            bucket=SHARED_BUCKET,
            endpoint_url=self.endpoint,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            path_style=True,
            **overrides,
        )

    def store(self, **overrides: Any) -> S3BlobStore:
        """The adapter on this peer, its client built from the shared session."""
        return S3BlobStore(self.settings(**overrides), SystemClock(), self.session)

    @functools.cached_property
    def session(self) -> boto3.session.Session:
        """One boto3 session for every client of the tests: building one is slow."""
        return boto3.session.Session()

    @functools.cached_property
    def client(self) -> Any:
        return self.session.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def object_names(self, bucket: str = SHARED_BUCKET) -> list[str]:
        answer = self.client.list_objects_v2(Bucket=bucket)
        return [item["Key"] for item in answer.get("Contents", [])]

    def unfinished_uploads(self, bucket: str = SHARED_BUCKET) -> int:
        return len(self.client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Peer]:
    """One moto server for the session (its state is reset per test by ``s3_server``)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Peer(endpoint=f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture
def s3_server(moto_server: S3Peer) -> S3Peer:
    httpx.post(f"{moto_server.endpoint}/moto-api/reset").raise_for_status()
    for bucket in (SHARED_BUCKET, DEDICATED_BUCKET):
        moto_server.client.create_bucket(Bucket=bucket)
    return moto_server
