"""Where Redis is, when a deployment has one."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class RedisSettings(BaseModel):
    """Redis shared by API replicas (request limits); without it each process counts alone."""

    model_config = ConfigDict(extra="forbid")

    url: SecretStr | None = Field(
        default=None,
        description=(
            "redis://[:password@]host:port/db or rediss://... for TLS. Left out: request "
            "limits are kept in each API process."
        ),
    )
    key_prefix: str = Field(
        default="pxr:",
        pattern=r"^[A-Za-z0-9:_-]{0,40}$",
        description="Prefix of every key the platform writes, to share a Redis with others.",
    )
    timeout_seconds: float = Field(
        default=0.5,
        gt=0,
        le=30,
        description=(
            "Longest wait for Redis on a request; past it (or if Redis is down) the request "
            "passes unlimited and a warning is logged, so an outage never stops the API."
        ),
    )
