"""The tenant archive format: its members, its manifest, canonical rows and checksums.

An archive holds, in this order:

- ``manifest.json``: format and format version, when it was exported, the source tenant
  (id, slug, display name, plan limits), the tenant schema version, per table its row
  count, byte size and SHA-256, per file its key, size and SHA-256;
- ``rows/<table>.jsonl`` for every table in dependency order: one row per line in
  canonical JSON (sorted keys, no spaces, UTF-8), so equal rows give equal checksums
  whatever database they came from;
- ``files/<key>`` for every file of the tenant's directory.

The manifest never holds where the tenant lived (database URL, placement): that belongs
to the deployment, not to the tenant.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncIterable, AsyncIterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from core.errors import InvalidInput
from core.tenants.model import PlanLimits
from ports.tenant_rows import JsonValue, Row
from ports.tenant_storage import UnsafeFileKey, checked_file_key

FORMAT = "passerelle-tenant-archive"
FORMAT_VERSION = 1
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ArchiveRejected(InvalidInput):
    """The archive is not one this deployment can import: corrupt, truncated, too new."""

    code = "archive_rejected"


@dataclass(frozen=True, slots=True)
class TableEntry:
    name: str
    rows: int
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class FileEntry:
    key: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class SourceTenant:
    id: UUID
    slug: str
    display_name: str
    limits: PlanLimits


@dataclass(frozen=True, slots=True)
class Manifest:
    exported_at: datetime
    tenant: SourceTenant
    schema_version: str
    tables: tuple[TableEntry, ...]
    files: tuple[FileEntry, ...]
    format_version: int = FORMAT_VERSION

    @property
    def row_count(self) -> int:
        return sum(table.rows for table in self.tables)

    @property
    def file_bytes(self) -> int:
        return sum(file.size for file in self.files)

    def expected_members(self) -> list[tuple[str, TableEntry | FileEntry]]:
        """Every member after the manifest, in archive order, with what it must match."""
        rows: list[tuple[str, TableEntry | FileEntry]] = [
            (table_member(t.name), t) for t in self.tables
        ]
        return rows + [(file_member(f.key), f) for f in self.files]

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": self.format_version,
            "exported_at": self.exported_at.isoformat(),
            "tenant": {
                "id": str(self.tenant.id),
                "slug": self.tenant.slug,
                "display_name": self.tenant.display_name,
                "limits": asdict(self.tenant.limits),
            },
            "schema_version": self.schema_version,
            "tables": [asdict(table) for table in self.tables],
            "files": [asdict(file) for file in self.files],
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"


def table_member(table: str) -> str:
    return f"rows/{table}.jsonl"


def file_member(key: str) -> str:
    return f"files/{key}"


def row_line(row: Mapping[str, JsonValue]) -> bytes:
    """A row's canonical line: the bytes its table checksum is computed over."""
    text = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8") + b"\n"


class Digest:
    """Size, SHA-256 and line count of a member's bytes, taken as they stream past."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0
        self.lines = 0

    def update(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        self.size += len(chunk)
        self.lines += chunk.count(b"\n")

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def check(self, name: str, entry: TableEntry | FileEntry) -> None:
        """Refuse the member unless it is exactly what the manifest recorded."""
        rows_match = not isinstance(entry, TableEntry) or entry.rows == self.lines
        if not rows_match or entry.size != self.size or entry.sha256 != self.sha256:
            raise ArchiveRejected(
                f"{name} does not match its checksum in the manifest: "
                "the archive is corrupt or was changed",
                field="archive",
            )


async def digested(chunks: AsyncIterable[bytes], digest: Digest) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        digest.update(chunk)
        yield chunk


async def parsed_rows(chunks: AsyncIterable[bytes], name: str) -> AsyncIterator[Row]:
    """The rows of a ``rows/`` member, line by line; a line that is no JSON object is refused."""
    pending = b""
    async for chunk in chunks:
        *lines, pending = (pending + chunk).split(b"\n")
        for line in lines:
            yield _row(line, name)
    if pending:
        raise ArchiveRejected(f"{name} does not end with a line break", field="archive")


def _row(line: bytes, name: str) -> Row:
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise ArchiveRejected(f"{name} holds a line that is not JSON", field="archive") from exc
    if not isinstance(row, dict):
        raise ArchiveRejected(f"{name} holds a line that is not a row", field="archive")
    return row


def parse_manifest(data: bytes) -> Manifest:
    """The manifest, every field checked; raises ArchiveRejected naming what is wrong."""
    try:
        document = json.loads(data)
        _require(isinstance(document, dict), "it is not a JSON object")
        _require(document.get("format") == FORMAT, "it is not a Passerelle tenant archive")
        version = _integer(document, "format_version")
        if version > FORMAT_VERSION:
            raise ArchiveRejected(
                f"the archive has format version {version}; this deployment reads up to "
                f"{FORMAT_VERSION}: upgrade Passerelle to import it",
                field="archive",
                code="archive_too_new",
            )
        exported_at = datetime.fromisoformat(_text(document, "exported_at"))
        _require(exported_at.tzinfo is not None, "exported_at has no time zone")
        tables = tuple(_table(item) for item in _list(document, "tables"))
        files = tuple(_file(item) for item in _list(document, "files"))
        _require(len({t.name for t in tables}) == len(tables), "a table is listed twice")
        _require(len({f.key for f in files}) == len(files), "a file is listed twice")
        return Manifest(
            exported_at=exported_at,
            tenant=_source_tenant(_object(document, "tenant")),
            schema_version=_text(document, "schema_version"),
            tables=tables,
            files=files,
            format_version=version,
        )
    except (ValueError, UnsafeFileKey) as exc:
        raise ArchiveRejected(f"the manifest is invalid: {exc}", field="archive") from exc


def _source_tenant(raw: dict[str, Any]) -> SourceTenant:
    limits = _object(raw, "limits")
    names = {field.name for field in fields(PlanLimits)}
    return SourceTenant(
        id=UUID(_text(raw, "id")),
        slug=_text(raw, "slug"),
        display_name=_text(raw, "display_name"),
        limits=PlanLimits(**{name: _integer(limits, name) for name in names if name in limits}),
    )


def _table(raw: Any) -> TableEntry:
    _require(isinstance(raw, dict), "a table entry is not an object")
    name = _text(raw, "name")
    _require(bool(_TABLE_NAME.fullmatch(name)), f"table name {name!r} is not allowed")
    return TableEntry(name, _integer(raw, "rows"), _integer(raw, "size"), _sha256(raw))


def _file(raw: Any) -> FileEntry:
    _require(isinstance(raw, dict), "a file entry is not an object")
    return FileEntry(checked_file_key(_text(raw, "key")), _integer(raw, "size"), _sha256(raw))


def _require(condition: bool, problem: str) -> None:
    if not condition:
        raise ValueError(problem)


def _object(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name)
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be an object")
    return value


def _list(raw: dict[str, Any], name: str) -> list[Any]:
    value = raw.get(name)
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list")
    return value


def _text(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be non-empty text")
    return value


def _integer(raw: dict[str, Any], name: str) -> int:
    value = raw.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a whole number, 0 or more")
    return value


def _sha256(raw: dict[str, Any]) -> str:
    value = _text(raw, "sha256")
    _require(bool(_SHA256.fullmatch(value)), "sha256 must be 64 lowercase hex digits")
    return value
