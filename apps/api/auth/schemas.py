"""Request and response bodies of the authentication endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from apps.api.schemas import RequestBody, ResponseBody


class LoginBody(RequestBody):
    email: Annotated[str, msgspec.Meta(max_length=254, examples=["ops@acme.example"])]
    password: Annotated[str, msgspec.Meta(max_length=256)]


class TokenOut(ResponseBody):
    access_token: str
    expires_at: datetime
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name, not a secret
