"""Conventions shared by every request and response schema."""

from __future__ import annotations

import msgspec


class RequestBody(msgspec.Struct, forbid_unknown_fields=True):
    """Requests refuse fields they do not know: a typo is an error, not a silent no-op."""


class ResponseBody(msgspec.Struct):
    """Responses may grow fields; clients must ignore the ones they do not know."""
