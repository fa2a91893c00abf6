"""Upload, list, read, download, attach and delete a tenant's files.

Uploads stream to the blob store: a multipart form (``POST /files``), the raw body
(``POST /files/raw?name=...``), or a signed URL the client PUTs to, then confirms. The
size a client declares (Content-Length) is checked before any byte is stored, and the
bytes are counted as they arrive: past the limit the upload stops with 413 and nothing
is kept. Every upload route takes an ``Idempotency-Key``; a body upload's fingerprint
includes the SHA-256 of the body, computed as it streams.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Stream

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.files.multipart import open_form_upload
from apps.api.files.openapi import DownloadOperation
from apps.api.files.schemas import (
    AttachBody,
    FileOut,
    FilePage,
    IssuedUploadOut,
    StartUploadBody,
)
from apps.api.middleware.routes import idempotent
from apps.api.pagination import DEFAULT_LIMIT, CursorParam, LimitParam, encode_cursor, page_request
from core.errors import InvalidInput
from core.files import services
from core.files.model import FileKind, parse_kind, served_type
from core.identity.model import Actor
from core.tenants.model import Tenant
from ports.byte_streams import read_ahead

MULTIPART_OVERHEAD = 16 * 1024
"""Bytes of a multipart body that may not be file content (boundaries, part headers, the
small fields): a Content-Length above limit + this is refused before reading."""
SHA256_HEADER = "x-content-sha256"
NAME_HEADER = "x-file-name"

NameParam = Annotated[
    str | None,
    QueryParameter(
        max_length=1000,
        required=False,
        description="The file's display name (else the `X-File-Name` header, else `file`).",
    ),
]
KindParam = Annotated[FileKind, QueryParameter(description="What the file is.", required=False)]
SessionParam = Annotated[
    UUID | None, QueryParameter(description="Attach to this session.", required=False)
]


class FileController(Controller):
    path = "/files"
    tags = ["files"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/",
        summary="Upload a file (multipart/form-data)",
        description=(
            "The `file` part carries the file with its name and content type. Optional "
            "fields `kind`, `session_id` and `sha256` must come before it. 413 past the size "
            "limit or the storage quota, 415 for a content type not accepted or not one "
            "concrete media type (`image/*`)."
        ),
        request_max_body_size=None,
        **idempotent(streamed=True),
    )
    async def upload_form(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
    ) -> FileOut:
        content_type = request.headers.get("content-type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise InvalidInput(
                "send multipart/form-data, or the raw body to /files/raw",
                field="Content-Type",
                code="multipart_expected",
            )
        length = _content_length(request)
        form = await open_form_upload(request.stream(), content_type)
        new = services.NewFile(
            name=form.filename,
            content_type=form.content_type,
            kind=parse_kind(form.fields.get("kind") or "document"),
            session_id=_uuid(form.fields.get("session_id"), "session_id"),
            size=None if length is None else max(0, length - MULTIPART_OVERHEAD),
            sha256=form.fields.get("sha256") or None,
            most=length,
            content_type_field="file",
        )
        deps = container_of(request).file_dependencies()
        return FileOut.of(await services.upload(actor, new, form.chunks, tenant.limits, deps))

    @post(
        "/raw",
        summary="Upload a file as the raw request body",
        description=(
            "The body is the file and Content-Type its type, a concrete one (`image/png`; "
            "a range such as `image/*` gets 415 `invalid_content_type`); the name comes "
            "from `name`. Send `X-Content-SHA256` to have the bytes checked."
        ),
        request_max_body_size=None,
        **idempotent(streamed=True),
    )
    async def upload_raw(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
        name: NameParam = None,
        kind: KindParam = FileKind.DOCUMENT,
        session_id: SessionParam = None,
    ) -> FileOut:
        length = _content_length(request)
        new = services.NewFile(
            name=name or request.headers.get(NAME_HEADER) or "",
            content_type=request.headers.get("content-type", ""),
            kind=kind,
            session_id=session_id,
            size=length,
            sha256=request.headers.get(SHA256_HEADER) or None,
            most=length,
            content_type_field="Content-Type",
        )
        deps = container_of(request).file_dependencies()
        stored = await services.upload(actor, new, request.stream(), tenant.limits, deps)
        return FileOut.of(stored)

    @post(
        "/uploads",
        **idempotent(),
        summary="Start an upload to a signed URL",
        description=(
            "Answers a pending file and a URL to PUT the bytes to, with the headers to send; "
            "then call confirm. Unconfirmed uploads are deleted once the URL expires."
        ),
    )
    async def start_upload(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[StartUploadBody],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
    ) -> IssuedUploadOut:
        new = services.NewFile(
            name=data.name,
            content_type=data.content_type,
            kind=data.kind,
            session_id=data.session_id,
            size=data.size,
            sha256=data.sha256,
        )
        deps = container_of(request).file_dependencies()
        return IssuedUploadOut.of(await services.start_upload(actor, new, tenant.limits, deps))

    @post(
        "/{file_id:uuid}/confirm",
        status_code=200,
        summary="Confirm an upload to a signed URL",
        description="Checks size, quota, type and checksum of what arrived; 409 if nothing did.",
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        file_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        tenant: NamedDependency[Tenant],
    ) -> FileOut:
        deps = container_of(request).file_dependencies()
        return FileOut.of(await services.confirm_upload(actor, file_id, tenant.limits, deps))

    @get("/", summary="List files, oldest first")
    async def list_files(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        session_id: SessionParam = None,
        kind: Annotated[FileKind | None, QueryParameter(required=False)] = None,
        cursor: CursorParam = None,
        limit: LimitParam = DEFAULT_LIMIT,
    ) -> FilePage:
        deps = container_of(request).file_dependencies()
        page = await services.list_files(
            actor,
            page_request(cursor, limit),
            deps,
            session_id=session_id,
            kind=kind,
        )
        return FilePage(
            items=[FileOut.of(f) for f in page.items], next_cursor=encode_cursor(page.next)
        )

    @get("/{file_id:uuid}", summary="Get a file's metadata")
    async def get_file(
        self,
        request: Request[Any, Any, Any],
        file_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> FileOut:
        deps = container_of(request).file_dependencies()
        return FileOut.of(await services.get_file(actor, file_id, deps))

    @get(
        "/{file_id:uuid}/content",
        summary="Download a file",
        description="307 to a short-lived signed URL, or with `stream=true` the bytes "
        "themselves; either way with the file's own Content-Type. 409 while a signed upload "
        "is not confirmed.",
        operation_class=DownloadOperation,
    )
    async def download(
        self,
        request: Request[Any, Any, Any],
        file_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        stream: Annotated[bool, QueryParameter(required=False)] = False,
    ) -> Stream | Redirect:
        deps = container_of(request).file_dependencies()
        if not stream:
            signed = await services.download_url(actor, file_id, deps)
            return Redirect(signed.url, status_code=307)
        stored, chunks = await services.download(actor, file_id, deps)
        return Stream(
            read_ahead(chunks),
            media_type=served_type(stored.content_type),
            headers={
                "Content-Length": str(stored.size),
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.name)}",
                "X-Content-SHA256": stored.sha256 or "",
            },
        )

    @patch(
        "/{file_id:uuid}",
        summary="Attach a file to a session, or detach it",
        description="The uploader or an admin; the session's participants hear `file.shared`.",
    )
    async def attach(
        self,
        request: Request[Any, Any, Any],
        file_id: FromPath[UUID],
        data: JSONBody[AttachBody],
        actor: NamedDependency[Actor],
    ) -> FileOut:
        deps = container_of(request).file_dependencies()
        return FileOut.of(await services.attach(actor, file_id, data.session_id, deps))

    @delete("/{file_id:uuid}", summary="Delete a file and its content")
    async def delete_file(
        self,
        request: Request[Any, Any, Any],
        file_id: FromPath[UUID],
        actor: NamedDependency[Actor],
    ) -> None:
        deps = container_of(request).file_dependencies()
        await services.delete_file(actor, file_id, deps)


def _content_length(request: Request[Any, Any, Any]) -> int | None:
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isdigit() else None


def _uuid(value: str | None, field: str) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(value)
    except ValueError as exc:
        raise InvalidInput(f"{field} is not a UUID", field=field, code="invalid_uuid") from exc
