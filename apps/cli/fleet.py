"""Commands that run over every tenant, the way `passerelle migrate` does: a tenant that
fails is named with its reason, the others are still done, and the command exits 1 at
the end.

A tenant whose database is missing or behind the newest schema is reported before any
work touches it: opening a missing SQLite database would leave an empty one in its place,
and code running on an older schema fails half-way (or worse, does not) with an error
that names neither the tenant nor the cure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from apps.cli.output import ExitCode, errors, fail
from apps.container import Container
from core.tenants.model import Tenant
from ports.tenant_databases import ProvisioningError, TenantDatabases

T = TypeVar("T")

_DATABASE_FAILURES = (ProvisioningError, SQLAlchemyError, OSError)
"""What one tenant's database may raise while the others still answer."""


class DatabaseNotReady(Exception):
    """The tenant's database is missing or not migrated: nothing was tried on it."""


@dataclass
class TenantRound(Generic[T]):
    """What a command did to each tenant, and why it could not for the others."""

    done: list[tuple[Tenant, T]] = field(default_factory=list)
    failed: list[tuple[Tenant, str]] = field(default_factory=list)


async def tenant_by_tenant(
    container: Container,
    tenants: Sequence[Tenant],
    work: Callable[[Tenant], Awaitable[T]],
    *,
    failures: tuple[type[Exception], ...] = (),
    after_each: Callable[[], None] | None = None,
) -> TenantRound[T]:
    """``work`` on each tenant in turn; a database failure, or one of ``failures`` (what
    the command expects of a single tenant), fails that tenant alone."""
    found: TenantRound[T] = TenantRound()
    databases = container.tenant_databases()
    expected: tuple[type[Exception], ...] = (DatabaseNotReady, *_DATABASE_FAILURES, *failures)
    for tenant in tenants:
        try:
            await _ready(databases, tenant)
            found.done.append((tenant, await work(tenant)))
        except expected as exc:
            found.failed.append((tenant, _reason(exc)))
        if after_each is not None:
            after_each()
    return found


def print_failures(failed: Sequence[tuple[Tenant, str]]) -> None:
    """On stderr, as `passerelle migrate` prints them, so that stdout stays the report."""
    for tenant, reason in failed:
        errors.print(f"[red]failed[/] {escape(tenant.slug)}: {escape(reason)}", highlight=False)


def exit_if_any_failed(failed: Sequence[tuple[Tenant, str]], command: str) -> None:
    """Exit 1 naming the failed tenants; running ``command`` again redoes the others too,
    which every command using this is safe to do."""
    if failed:
        slugs = ", ".join(tenant.slug for tenant, _ in failed)
        fail(
            f"{len(failed)} tenant(s) failed ({slugs}); run `{command}` again once fixed",
            ExitCode.FAILED,
        )


async def _ready(databases: TenantDatabases, tenant: Tenant) -> None:
    """One question for a healthy tenant (``at_head`` is false for a missing database
    too); a second only to say which of the two is wrong."""
    if await databases.at_head(tenant.id):
        return
    if not await databases.exists(tenant.id):
        raise DatabaseNotReady("its database does not exist (see `passerelle tenants reconcile`)")
    raise DatabaseNotReady("its database is not at this version's schema: run `passerelle migrate`")


def _reason(exc: Exception) -> str:
    """One line per tenant: a driver error's first line says what failed (the statement
    and the link SQLAlchemy adds follow it), and its type names the failure."""
    said = next(iter(str(exc).splitlines()), "")
    return f"{type(exc).__name__}: {said}" if isinstance(exc, (SQLAlchemyError, OSError)) else said
