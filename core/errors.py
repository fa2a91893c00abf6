"""Typed domain errors.

The core raises these; the API maps each family to one HTTP status in one place, and the
CLI to one exit code. ``code`` is stable and machine-readable, ``field`` names the input at
fault when there is one.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code = "domain_error"

    def __init__(self, detail: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """A value the caller sent breaks a business rule."""

    code = "invalid_input"


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not know that it does."""

    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the current state (a taken slug, an ended session)."""

    code = "conflict"


class Unauthenticated(DomainError):
    """The caller did not prove who it is; the detail never says which part was wrong."""

    code = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class Unavailable(DomainError):
    """A provider the use case needs did not answer; the caller may try again later."""

    code = "unavailable"


class PreconditionFailed(DomainError):
    """The caller's condition on the current state (a version it expected) no longer holds."""

    code = "precondition_failed"


class QuotaExceeded(DomainError):
    """Storing this would pass a storage limit (the tenant's quota or the provider's)."""

    code = "quota_exceeded"


class TooLarge(DomainError):
    """The content is larger than the caller may send: the file limit or what the quota leaves."""

    code = "too_large"


class UnsupportedType(DomainError):
    """The content's media type is not one the platform accepts here."""

    code = "unsupported_type"
