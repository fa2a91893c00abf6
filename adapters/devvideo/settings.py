"""Settings of the development video provider."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class DevelopmentVideoSettings(BaseModel):
    """Signs tokens with a local secret; clients of the embedded platform can verify them."""

    model_config = ConfigDict(extra="forbid")

    secret: SecretStr = Field(
        default=SecretStr("development-video-secret"),
        description="HMAC key for the development video tokens.",
    )
