"""A tenant's files: what is stored of each blob, and the rules every upload follows.

The blob's key derives from the file's id (``files/<id>``), never from the name a client
sent: the display name is only data, cleaned for showing and for ``Content-Disposition``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from core.errors import Conflict, InvalidInput, NotFound, TooLarge, UnsupportedType
from core.tenants.model import PlanLimits

KEY_PREFIX = "files/"
MAX_NAME_LENGTH = 200
_FALLBACK_NAME = "file"


class FileKind(StrEnum):
    DOCUMENT = "document"
    SNAPSHOT = "snapshot"
    RECORDING = "recording"


class FileStatus(StrEnum):
    """``pending``: a signed upload URL was issued and the upload is not confirmed yet."""

    PENDING = "pending"
    AVAILABLE = "available"


class FileNotFound(NotFound):
    code = "file_not_found"


class FileNotReady(Conflict):
    code = "file_not_ready"


class UploadMissing(Conflict):
    """Confirm was called but no blob arrived at the signed URL."""

    code = "upload_missing"


class UploadExpired(Conflict):
    """A body upload outlasted its reservation, which was swept: nothing was kept."""

    code = "upload_expired"


class FileTooLarge(TooLarge):
    code = "file_too_large"


class StorageQuotaReached(TooLarge):
    """The tenant's plan quota would be passed: 413, like any content the server refuses
    for its size, with a code of its own so clients can tell it from the per-file limit."""

    code = "storage_quota_exceeded"


class ContentTypeRefused(UnsupportedType):
    code = "content_type_not_allowed"


class InvalidContentType(UnsupportedType):
    """Not one media type: a range (``image/*``, which ``Accept`` and an allowlist may
    hold but no file has), or no ``type/subtype`` at all. Refused like a type off the
    allowlist (415), with a code of its own."""

    code = "invalid_content_type"


def file_key(file_id: UUID) -> str:
    return f"{KEY_PREFIX}{file_id}"


def file_id_of(key: str) -> UUID | None:
    """The file id a blob key names, or None for a key no file row could own."""
    if not key.startswith(KEY_PREFIX):
        return None
    try:
        return UUID(key[len(KEY_PREFIX) :])
    except ValueError:
        return None


def clean_name(name: str) -> str:
    """A display name safe to show and to send back: the last path segment, NFKC-normalised
    (full-width slashes and dots become plain ones first), no control characters, no
    leading dots, at most MAX_NAME_LENGTH characters; ``file`` when nothing is left."""
    text = unicodedata.normalize("NFKC", name)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = text.strip().lstrip(".").strip()
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            text = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            text = text[:MAX_NAME_LENGTH]
    return text or _FALLBACK_NAME


FALLBACK_TYPE = "application/octet-stream"
_TCHARS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_MEDIA_TYPE = re.compile(
    rf"(?P<type>{_TCHARS})/(?P<subtype>{_TCHARS})"
    rf"(?:[ \t]*;(?:[ \t]*{_TCHARS}=(?:{_TCHARS}|{_QUOTED}))?)*"
)
"""RFC 9110's ``media-type``, ``type "/" subtype *( OWS ";" OWS [ name "=" value ] )``,
written so that each character has one way to match (no backtracking blow-up)."""


def base_type(content_type: str) -> str:
    """``Text/Plain; charset=utf-8`` -> ``text/plain``: a concrete media type without its
    parameters, lower case; ``""`` for a range (a ``*`` in its type or subtype, which no
    registered type has) or a value that is no media type."""
    parsed = _MEDIA_TYPE.fullmatch(content_type.strip(" \t"))
    if parsed is None or "*" in parsed["type"] + parsed["subtype"]:
        return ""
    return f"{parsed['type']}/{parsed['subtype']}".lower()


def served_type(content_type: str) -> str:
    """The Content-Type to serve a stored file with: its own, unless it is not a concrete
    media type (a row stored before the rule), then ``application/octet-stream``."""
    return base_type(content_type) or FALLBACK_TYPE


@dataclass(frozen=True, slots=True)
class FileRules:
    """Deployment-wide limits; the tenant's plan adds its file size (under the ceiling
    ``max_file_bytes``) and its storage quota."""

    allowed_types: frozenset[str] = frozenset()
    max_file_bytes: int = 2 * 1024**3
    upload_url_ttl: timedelta = timedelta(minutes=15)
    download_url_ttl: timedelta = timedelta(minutes=5)
    pending_grace: timedelta = timedelta(hours=1)

    @property
    def body_upload_lease(self) -> timedelta:
        """How long a body upload's reservation holds quota: once it expires, the sweep of
        expired uploads frees it, and an upload still running is refused at its end."""
        return max(self.upload_url_ttl, self.pending_grace)

    def checked_type(self, content_type: str, field: str = "content_type") -> str:
        """The media type of ``content_type`` (parameters dropped, lower case), if it is a
        concrete one (``image/png``, never the range ``image/*``) and allowed (``image/*``
        in the allowlist allows every image type). ``field`` names the input it came from
        in the refusal: a header, a form part, a body field."""
        if not content_type.strip():
            raise ContentTypeRefused("content type '(none)' is not accepted", field=field)
        kind = base_type(content_type)
        if not kind:
            raise InvalidContentType(
                f"content type '{content_type[:100]}' is not one media type (type/subtype, "
                "no '*'): send the file's own type, such as image/png",
                field=field,
            )
        family = kind.split("/", 1)[0] + "/*"
        if kind not in self.allowed_types and family not in self.allowed_types:
            raise ContentTypeRefused(f"content type '{kind}' is not accepted", field=field)
        return kind

    def file_limit(self, plan: PlanLimits) -> int:
        """The tenant's plan sets the size of one file, up to the deployment's ceiling."""
        return min(self.max_file_bytes, plan.max_file_bytes)

    def size_limit(self, plan: PlanLimits, used_bytes: int) -> int:
        """The most one upload may hold now: the file limit, or what the quota leaves."""
        return max(0, min(self.file_limit(plan), plan.storage_quota_bytes - used_bytes))

    def check_size(self, size: int, plan: PlanLimits, used_bytes: int) -> None:
        limit = self.file_limit(plan)
        if size > limit:
            raise FileTooLarge(f"a file may hold at most {limit} bytes", field="size")
        quota_bytes = plan.storage_quota_bytes
        if used_bytes + size > quota_bytes:
            raise StorageQuotaReached(
                f"the tenant's storage quota of {quota_bytes} bytes would be passed "
                f"({used_bytes} bytes used)",
                field="size",
            )


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: UUID
    name: str
    kind: FileKind
    content_type: str
    size: int
    status: FileStatus
    uploader_id: UUID | None
    created_at: datetime
    updated_at: datetime
    sha256: str | None = None
    session_id: UUID | None = None
    expires_at: datetime | None = None

    @property
    def key(self) -> str:
        return file_key(self.id)

    @property
    def available(self) -> bool:
        return self.status is FileStatus.AVAILABLE

    def confirmed(self, size: int, sha256: str | None, now: datetime) -> StoredFile:
        return replace(
            self,
            size=size,
            sha256=sha256,
            status=FileStatus.AVAILABLE,
            expires_at=None,
            updated_at=now,
        )

    def attached(self, session_id: UUID | None, now: datetime) -> StoredFile:
        return replace(self, session_id=session_id, updated_at=now)


def parse_kind(value: str) -> FileKind:
    try:
        return FileKind(value)
    except ValueError as exc:
        allowed = ", ".join(k.value for k in FileKind)
        raise InvalidInput(
            f"kind must be one of {allowed}", field="kind", code="invalid_file_kind"
        ) from exc
