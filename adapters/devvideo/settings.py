"""Settings of the development video provider."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class DevelopmentVideoSettings(BaseModel):
    """Signs tokens with a local secret; clients of the embedded platform can verify them."""

    secret: SecretStr = Field(
        default=SecretStr("development-video-secret"),
        description="HMAC key for the development video tokens.",
    )
