"""Sealing the secrets the platform must read back (webhook signing secrets) before they rest.

A hash will not do for a secret the platform signs with, so such a secret is encrypted
with a deployment key. A sealed value is text, versioned and self-describing, and bound to
a context naming where it is kept (table, column, tenant, row): copied to another row or
another tenant, it does not open. Keys rotate: the newest seals, every configured key opens.
"""

from __future__ import annotations

from typing import Protocol


class SecretUnreadable(Exception):
    """A sealed value did not open: a key this deployment lacks, another context, or altered."""


class SecretSealer(Protocol):
    def seal(self, secret: str, context: str) -> str:
        """The secret sealed with the newest key, bound to ``context``."""
        ...

    def open(self, stored: str, context: str) -> str:
        """The secret that ``stored`` holds; raises SecretUnreadable when it does not open.

        A value that is not in sealed form was stored before sealing existed and comes back
        as it is, so older rows keep working until they are sealed.
        """
        ...

    def is_current(self, stored: str) -> bool:
        """True when ``stored`` is sealed with the newest key: nothing to seal again."""
        ...
