"""The tenant entity: its slug, placement, plan limits and life cycle.

Life cycle: provisioning -> active <-> suspended; active, suspended or provisioning ->
deleting (soft delete, data kept for a grace period) -> deleted (database and files
purged; the catalog row and its audit trail stay).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import PurePath
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

from core.errors import Conflict, Forbidden, InvalidInput
from core.host_names import is_host

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_SLUGS = frozenset(
    {"api", "www", "admin", "app", "mail", "static", "status", "operator", "docs", "auth", "cdn"}
)
SLUG_PATTERN = f"^(?!(?:{'|'.join(sorted(RESERVED_SLUGS))})$){_SLUG.pattern[1:]}"
"""Both slug rules as one expression, for API schemas: an RFC 1123 label, not reserved."""
MAX_DISPLAY_NAME = 200
GIB = 1024**3


class TenantStatus(StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETING = "deleting"
    DELETED = "deleted"


class Placement(StrEnum):
    """``shared``: a database on the shared instance and a directory in the shared bucket.
    ``dedicated``: the tenant's own database server and/or bucket."""

    SHARED = "shared"
    DEDICATED = "dedicated"


class TenantSuspended(Forbidden):
    code = "tenant_suspended"


class SlugTaken(InvalidInput):
    """422 naming the field, like every other slug rule (the tenancy issue asks for it)."""

    code = "slug_taken"


class InvalidTransition(Conflict):
    code = "invalid_transition"


LIMIT_RANGES = {
    "max_users": (1, 100_000),
    "max_concurrent_sessions": (1, 10_000),
    "monthly_session_minutes": (0, 10_000_000),
    "storage_quota_bytes": (0, 100 * 1024 * GIB),
    "max_file_bytes": (1024, 100 * GIB),
}


@dataclass(frozen=True, slots=True)
class PlanLimits:
    max_users: int = 25
    max_concurrent_sessions: int = 5
    monthly_session_minutes: int = 6_000
    storage_quota_bytes: int = 10 * GIB
    max_file_bytes: int = 2 * GIB

    def validated(self) -> PlanLimits:
        for name, (low, high) in LIMIT_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(
                    f"{name} must be a whole number from {low} to {high}",
                    field=f"limits.{name}",
                    code="limit_out_of_range",
                )
        return self


@dataclass(frozen=True, slots=True)
class Tenant:
    id: UUID
    slug: str
    display_name: str
    status: TenantStatus
    created_at: datetime
    updated_at: datetime
    placement: Placement = Placement.SHARED
    database_url: str | None = None
    limits: PlanLimits = field(default_factory=PlanLimits)
    provisioning_error: str | None = None
    deleted_at: datetime | None = None
    purge_after: datetime | None = None
    allowed_origins: tuple[str, ...] = ()

    def activated(self, now: datetime) -> Tenant:
        """Provisioning finished: the tenant may serve requests."""
        self._require(TenantStatus.PROVISIONING, action="activate")
        return replace(self, status=TenantStatus.ACTIVE, provisioning_error=None, updated_at=now)

    def provisioning_failed(self, error: str, now: datetime) -> Tenant:
        """Stays ``provisioning`` (never ``active`` with a missing database), error visible."""
        return replace(self, provisioning_error=error[:2000], updated_at=now)

    def suspended(self, now: datetime) -> Tenant:
        self._require(TenantStatus.ACTIVE, action="suspend")
        return replace(self, status=TenantStatus.SUSPENDED, updated_at=now)

    def resumed(self, now: datetime) -> Tenant:
        self._require(TenantStatus.SUSPENDED, action="resume")
        return replace(self, status=TenantStatus.ACTIVE, updated_at=now)

    def deletion_requested(self, now: datetime, grace: timedelta) -> Tenant:
        """Soft delete: requests stop now, data is purged after the grace period.

        Asking again while deleting changes nothing, so a retried request is harmless.
        """
        if self.status is TenantStatus.DELETING:
            return self
        self._require(
            TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.PROVISIONING, action="delete"
        )
        return replace(
            self,
            status=TenantStatus.DELETING,
            deleted_at=now,
            purge_after=now + grace,
            updated_at=now,
        )

    def purged(self, now: datetime) -> Tenant:
        self._require(TenantStatus.DELETING, action="purge")
        return replace(self, status=TenantStatus.DELETED, updated_at=now)

    def with_limits(self, limits: PlanLimits, now: datetime) -> Tenant:
        return replace(self, limits=limits.validated(), updated_at=now)

    def renamed(self, display_name: str, now: datetime) -> Tenant:
        return replace(self, display_name=validate_display_name(display_name), updated_at=now)

    def with_allowed_origins(self, origins: Sequence[str], now: datetime) -> Tenant:
        """The browser origins whose pages may call this tenant's API (CORS)."""
        return replace(self, allowed_origins=validate_origins(origins), updated_at=now)

    def allows_origin(self, origin: str) -> bool:
        """Exact match only: a browser's ``Origin`` header is already in canonical form."""
        return origin in self.allowed_origins

    def ensure_serving(self) -> None:
        """Refuse requests for a tenant that is not active, without saying more than needed."""
        if self.status is TenantStatus.SUSPENDED:
            raise TenantSuspended(f"tenant '{self.slug}' is suspended")
        if self.status is not TenantStatus.ACTIVE:
            raise Forbidden(f"tenant '{self.slug}' is {self.status.value}", code="tenant_inactive")

    def _require(self, *allowed: TenantStatus, action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"cannot {action} a tenant that is {self.status.value}", field="status"
            )


@dataclass(frozen=True, slots=True)
class TenantEvent:
    """One entry of a tenant's audit trail in the control database; it outlives the tenant."""

    id: UUID
    tenant_id: UUID
    slug: str
    action: str
    actor: str
    created_at: datetime
    detail: dict[str, str] = field(default_factory=dict)


def validate_slug(slug: str) -> str:
    """A slug becomes a DNS label (`<slug>.<base domain>`), so it follows RFC 1123 label rules."""
    if not _SLUG.fullmatch(slug):
        raise InvalidInput(
            "slug must be 1-63 lowercase letters, digits or hyphens, "
            "starting and ending with a letter or digit",
            field="slug",
            code="invalid_slug",
        )
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"slug '{slug}' is reserved", field="slug", code="reserved_slug")
    return slug


_POSTGRES_SCHEME = "postgresql+asyncpg://"
_SQLITE_SCHEME = "sqlite+aiosqlite:///"
_SEGMENT = r"[^./\\\s?\x00-\x1f][^/\\\s?\x00-\x1f]{0,99}"
_SQLITE_PATH = rf"(?:{_SEGMENT}/){{0,8}}{_SEGMENT}"
DATABASE_URL_PATTERN = rf"^(?:postgresql\+asyncpg://\S+|sqlite\+aiosqlite:///{_SQLITE_PATH})$"
POSTGRES_URL_PARAMETERS = ("prepared_statement_cache_size", "statement_cache_size")
"""The query parameters a dedicated PostgreSQL URL may carry: the statement caches a
connection pooler needs turned off (docs/database.md). Any other would reach the driver's
connect call as an argument it may not know, or name another host."""


def validate_database_url(url: str, *, sqlite_folder: PurePath) -> str:
    """A dedicated tenant's own database: PostgreSQL (asyncpg) or SQLite (aiosqlite).

    A PostgreSQL URL is ``postgresql+asyncpg://[user[:password]@]host[:port]/database``,
    with only the parameters of POSTGRES_URL_PARAMETERS: one host, a DNS name (IDNA
    encodable, labels of 1-63 letters, digits, hyphens or underscores) or an IP address
    (IPv6 in brackets), a port from 1 to 65535, ``@`` in the credentials escaped as
    ``%40``; it is kept as given. Anything else would only fail once the tenant is in the
    catalog, when the driver tries to connect.

    A SQLite path is relative to the deployment's data directory and may not leave it, so
    whoever holds an operator key cannot make the server write a file anywhere else, and
    the path never depends on the directory the server was started from. The URL kept is
    the absolute one.
    """
    if len(url) > 2000 or any(c.isspace() or unicodedata.category(c) == "Cc" for c in url):
        raise _bad_database_url()
    if url.startswith(_POSTGRES_SCHEME):
        return _checked_postgres_url(url)
    if not url.startswith(_SQLITE_SCHEME):
        raise _bad_database_url()
    relative = url.removeprefix(_SQLITE_SCHEME)
    if not re.fullmatch(_SQLITE_PATH, relative):
        raise InvalidInput(
            "a dedicated SQLite database is a path relative to the data directory, no segment "
            "starting with '.', e.g. sqlite+aiosqlite:///acme/acme.db",
            field="database_url",
            code="invalid_database_url",
        )
    return _SQLITE_SCHEME + str(sqlite_folder.joinpath(*relative.split("/")))


def _checked_postgres_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _bad_postgres_url("is a URL: brackets around a host hold an IPv6 address") from None
    if "#" in url:
        raise _bad_postgres_url("has no fragment ('#'): escape it as %23 in a password")
    credentials, _, host_and_port = parts.netloc.rpartition("@")
    if "@" in credentials:
        raise _bad_postgres_url("escapes '@' in the user name or password as %40")
    _check_host_and_port(host_and_port)
    if not parts.path.startswith("/") or not parts.path.removeprefix("/"):
        raise _bad_postgres_url("names its database: .../<database> after the host")
    _check_parameters(parts.query)
    return url


def _check_host_and_port(host_and_port: str) -> None:
    """One host, DNS can carry or an IP literal, and an optional port from 1 to 65535."""
    if host_and_port.startswith("["):
        address, bracket, rest = host_and_port[1:].partition("]")
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            raise _bad_postgres_url("puts only an IPv6 address in brackets") from None
        if not bracket or (rest and not rest.startswith(":")):
            raise _bad_postgres_url("has ':port' after the bracketed IPv6 address, or nothing")
        port = rest[1:] if rest else None
    else:
        host, colon, port_text = host_and_port.partition(":")
        _check_host_name(host)
        port = port_text if colon else None
    if port is not None and not (
        port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535
    ):
        raise _bad_postgres_url("has a port from 1 to 65535, or none")


def _check_host_name(host: str) -> None:
    if not is_host(host):
        raise _bad_postgres_url(
            "names one host: an IP address or a DNS name (IDNA, labels of 1-63 letters, digits, "
            "hyphens or underscores, not starting or ending with a hyphen); in a password, "
            "escape / ? # @ as %2F %3F %23 %40"
        )


def _check_parameters(query: str) -> None:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        pairs = [("", "")]
    names = [name for name, _ in pairs]
    if (
        len(set(names)) != len(names)
        or not set(names) <= set(POSTGRES_URL_PARAMETERS)
        or not all(value.isascii() and value.isdigit() and len(value) <= 9 for _, value in pairs)
    ):
        raise _bad_postgres_url(
            f"takes only {' and '.join(POSTGRES_URL_PARAMETERS)} as parameters, "
            "each once, with a whole number"
        )


def _bad_postgres_url(reason: str) -> InvalidInput:
    return InvalidInput(
        f"a dedicated PostgreSQL database_url {reason}, e.g. "
        "postgresql+asyncpg://acme@db.acme.example:5432/passerelle",
        field="database_url",
        code="invalid_database_url",
    )


def _bad_database_url() -> InvalidInput:
    return InvalidInput(
        "database_url must be a postgresql+asyncpg://... or sqlite+aiosqlite:///... URL",
        field="database_url",
        code="invalid_database_url",
    )


def validate_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_DISPLAY_NAME:
        raise InvalidInput(
            f"display name must be 1-{MAX_DISPLAY_NAME} characters",
            field="display_name",
        )
    return cleaned


MAX_ALLOWED_ORIGINS = 50
_ORIGIN_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)


def validate_origins(origins: Sequence[str]) -> tuple[str, ...]:
    """Each origin in the canonical form browsers send, so matching can stay exact.

    ``scheme://host[:port]``: http or https, a lowercase DNS name or IPv4 address, no path,
    query, user or wildcard; a default port (80 for http, 443 for https) is dropped.
    Duplicates are removed, the order is kept.
    """
    if len(origins) > MAX_ALLOWED_ORIGINS:
        raise InvalidInput(
            f"at most {MAX_ALLOWED_ORIGINS} allowed origins",
            field="allowed_origins",
            code="too_many_origins",
        )
    cleaned = [_canonical_origin(origin, index) for index, origin in enumerate(origins)]
    return tuple(dict.fromkeys(cleaned))


def _canonical_origin(origin: str, index: int) -> str:
    def refuse(reason: str) -> InvalidInput:
        return InvalidInput(
            f"'{origin[:100]}' is not an origin: {reason}",
            field=f"allowed_origins[{index}]",
            code="invalid_origin",
        )

    if len(origin) > 300 or any(c.isspace() or ord(c) > 126 for c in origin):
        raise refuse("use scheme://host[:port] in ASCII (punycode for other names)")
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError as exc:
        raise refuse("the port is not a number from 0 to 65535") from exc
    if parts.scheme not in ("http", "https") or not origin.lower().startswith(parts.scheme + "://"):
        raise refuse("the scheme must be http or https")
    if parts.path or parts.query or parts.fragment or origin.endswith(("?", "#")):
        raise refuse("an origin has no path, query or fragment")
    host = parts.hostname or ""
    if "*" in origin:
        raise refuse("wildcards are not allowed; list each origin")
    if parts.username is not None or "@" in parts.netloc or not _ORIGIN_HOST.fullmatch(host):
        raise refuse("the host must be a DNS name or an IPv4 address")
    default_port = 443 if parts.scheme == "https" else 80
    suffix = f":{port}" if port is not None and port != default_port else ""
    return f"{parts.scheme}://{host}{suffix}"
