"""What the built-in feature plugins (audit log, retention) are given to do their work.

Each is a getter, called only when a hook runs: the container builds some of these from
adapters that plugins register, so they cannot exist yet when the plugins are loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from core.audit.services import AuditDependencies
from core.retention.services import RetentionDependencies
from core.webhooks.services import WebhookDependencies


@dataclass(frozen=True, slots=True)
class FeatureServices:
    audit: Callable[[], AuditDependencies]
    retention: Callable[[], RetentionDependencies]
    webhooks: Callable[[], WebhookDependencies]

    @classmethod
    def for_listing(cls) -> FeatureServices:
        """Lets a process build the feature plugins only to read what they declare (their
        hooks for ``passerelle plugins``, their settings blocks when settings load); a hook
        that ran with these would fail loudly instead of working on nothing."""
        return cls(audit=_outside_platform, retention=_outside_platform, webhooks=_outside_platform)


def _outside_platform() -> NoReturn:
    raise RuntimeError("feature plugins work inside the platform; this process only lists them")
