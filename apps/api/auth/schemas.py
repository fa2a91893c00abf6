"""Request and response bodies of the authentication endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from apps.api.fields import Email, NewPassword
from apps.api.schemas import RequestBody, ResponseBody

Secret = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Password = Annotated[str, msgspec.Meta(max_length=256)]


class LoginBody(RequestBody):
    email: Email
    password: Password


class RefreshBody(RequestBody):
    refresh_token: Secret


class SetPasswordBody(RequestBody):
    """Accepting an invitation or confirming a reset: the link's token and the new password."""

    token: Secret
    password: NewPassword


class PasswordResetBody(RequestBody):
    email: Email


class TokenOut(ResponseBody):
    access_token: str
    expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name, not a secret
