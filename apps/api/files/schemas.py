"""Request and response bodies of the file endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.schemas import RequestBody, ResponseBody
from core.files.model import FileKind, StoredFile
from core.files.services import IssuedUpload

Sha256 = Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{64}$", description="Hex SHA-256.")]


class FileOut(ResponseBody):
    id: UUID
    name: str
    kind: str
    content_type: str
    size: int
    status: str
    sha256: str | None
    session_id: UUID | None
    uploader_id: UUID | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None

    @classmethod
    def of(cls, stored: StoredFile) -> FileOut:
        return cls(
            id=stored.id,
            name=stored.name,
            kind=stored.kind.value,
            content_type=stored.content_type,
            size=stored.size,
            status=stored.status.value,
            sha256=stored.sha256,
            session_id=stored.session_id,
            uploader_id=stored.uploader_id,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            expires_at=stored.expires_at,
        )


class FilePage(ResponseBody):
    items: list[FileOut]
    next_cursor: str | None


class StartUploadBody(RequestBody):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=1000, examples=["pump.jpg"])]
    content_type: Annotated[str, msgspec.Meta(max_length=255, examples=["image/jpeg"])]
    size: Annotated[int, msgspec.Meta(ge=0, description="Bytes the client will send.")]
    kind: FileKind = FileKind.DOCUMENT
    session_id: UUID | None = None
    sha256: Sha256 | None = None


class SignedUrlOut(ResponseBody):
    method: str
    url: str
    expires_at: datetime
    headers: dict[str, str]


class IssuedUploadOut(ResponseBody):
    file: FileOut
    upload: SignedUrlOut

    @classmethod
    def of(cls, issued: IssuedUpload) -> IssuedUploadOut:
        signed = issued.upload
        return cls(
            file=FileOut.of(issued.file),
            upload=SignedUrlOut(
                method=signed.method,
                url=signed.url,
                expires_at=signed.expires_at,
                headers=dict(signed.headers),
            ),
        )


class AttachBody(RequestBody):
    session_id: Annotated[
        UUID | None, msgspec.Meta(description="The session to attach to; null detaches.")
    ]
