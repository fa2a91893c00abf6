"""Signed links of the local store: GET downloads a file, PUT uploads one, no login needed.

Cloud Storage and S3 serve their own signed URLs; the local store's links point here. The
token in the path carries the grant and its HMAC signature (``adapters.localfs.signed_links``):
a forged, altered or expired token gets 403, and a link of a tenant that is no longer
active opens nothing. An upload must send the content type it was signed for, and stops
with 413, storing nothing, once it passes the size it was signed for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, put
from litestar.exceptions import HTTPException
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath
from litestar.response import Stream
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE

from adapters.localfs.blob_store import LocalBlobStore
from adapters.localfs.signed_links import InvalidLink, LinkGrant
from apps.api.dependencies import container_of
from apps.api.files.openapi import ANY_BYTES
from apps.api.schemas import ResponseBody
from core.errors import NotFound
from core.files.model import served_type
from ports.byte_streams import read_ahead


class StoredBlobOut(ResponseBody):
    key: str
    size: int
    content_type: str
    sha256: str | None
    version: str


@dataclass
class _DownloadOperation(Operation):
    """The bytes in the file's own media type, which a return annotation cannot say."""

    def __post_init__(self) -> None:
        self.responses = {
            **(self.responses or {}),
            "200": OpenAPIResponse(
                description="The file's bytes, with the file's own Content-Type, never JSON.",
                content=ANY_BYTES,
                headers={
                    "Content-Length": OpenAPIHeader(
                        schema=Schema(type=OpenAPIType.INTEGER), required=True
                    ),
                    "ETag": OpenAPIHeader(schema=Schema(type=OpenAPIType.STRING), required=True),
                },
            ),
        }


@dataclass
class _UploadOperation(Operation):
    """The handler streams its body, so Litestar documents none."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="The file's bytes, sent with the Content-Type the link was signed for.",
            content=ANY_BYTES,
        )


class BlobLinkController(Controller):
    path = "/blobs"
    tags = ["files"]

    @get(
        "/{token:str}",
        summary="Download a file through a signed link (local storage)",
        description="The URL comes from the platform; it works without credentials until "
        "it expires.",
        operation_class=_DownloadOperation,
    )
    async def download(self, request: Request[Any, Any, Any], token: FromPath[str]) -> Stream:
        store, grant = await _granted(request, token, "GET")
        info = await store.stat(grant.tenant_id, grant.key)
        return Stream(
            read_ahead(store.get(grant.tenant_id, grant.key)),
            media_type=served_type(info.content_type),
            headers={"Content-Length": str(info.size), "ETag": f'"{info.version}"'},
        )

    @put(
        "/{token:str}",
        summary="Upload a file through a signed link (local storage)",
        description="Send the Content-Type the link was signed for; the body is the file.",
        request_max_body_size=None,
        operation_class=_UploadOperation,
    )
    async def upload(self, request: Request[Any, Any, Any], token: FromPath[str]) -> StoredBlobOut:
        store, grant = await _granted(request, token, "PUT")
        content_type = request.headers.get("content-type", "")
        if grant.content_type is None or content_type != grant.content_type:
            raise InvalidLink("this link is for another content type", field="Content-Type")
        declared = request.headers.get("content-length", "")
        if grant.max_size is not None and declared.isdigit() and int(declared) > grant.max_size:
            raise _too_large(grant.max_size)
        info = await store.put(
            grant.tenant_id,
            grant.key,
            _limited(request.stream(), grant.max_size),
            content_type=grant.content_type,
        )
        return StoredBlobOut(
            key=info.key,
            size=info.size,
            content_type=info.content_type,
            sha256=info.sha256,
            version=info.version,
        )


async def _granted(
    request: Request[Any, Any, Any], token: str, method: str
) -> tuple[LocalBlobStore, LinkGrant]:
    container = container_of(request)
    store = container.storage()
    if not isinstance(store, LocalBlobStore):
        raise NotFound("this platform's files are not served by the API", code="no_local_links")
    grant = store.links.verify(token, method)
    tenant = await container.catalog().get(grant.tenant_id)
    if tenant is None:
        raise InvalidLink("this link is not valid for this request")
    tenant.ensure_serving()
    return store, grant


async def _limited(chunks: AsyncIterator[bytes], limit: int | None) -> AsyncIterator[bytes]:
    """The request body, cut off with 413 once it passes ``limit`` bytes."""
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if limit is not None and received > limit:
            raise _too_large(limit)
        yield chunk


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        detail=f"this link accepts at most {limit} bytes",
    )
