"""What the identity use cases need, and the rules operators may tune."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from core.notifications.routing import Chains
from ports.clock import Clock
from ports.passwords import PasswordHasher
from ports.unit_of_work import TenantUnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class IdentityRules:
    max_failed_logins: int = 5
    """Failures in a row that lock an account."""
    lockout: timedelta = timedelta(minutes=15)
    refresh_ttl: timedelta = timedelta(days=30)
    invitation_ttl: timedelta = timedelta(hours=72)
    password_reset_ttl: timedelta = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class IdentityDependencies:
    tenant_uow: TenantUnitOfWorkFactory
    hasher: PasswordHasher
    clock: Clock
    public_url: str
    rules: IdentityRules = field(default_factory=IdentityRules)
    channel_chains: Chains = field(default_factory=dict)
