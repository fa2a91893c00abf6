"""SMTP relay settings; defaults are Combell's documented authenticated relay."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from adapters.setting_addresses import HostName


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


class SmtpSettings(BaseModel):
    """The smtp mail adapter: relay, transport security and credentials."""

    model_config = ConfigDict(extra="forbid")

    host: HostName = Field(default="smtp-auth.mailprotect.be", description="SMTP relay host name.")
    port: int = Field(default=587, ge=1, le=65535, description="587 for STARTTLS, 465 for TLS.")
    security: SmtpSecurity = Field(
        default=SmtpSecurity.STARTTLS,
        description="starttls (upgrade on 587), tls (implicit on 465), or none (tests only).",
    )
    username: str | None = Field(default=None, description="AUTH user; no AUTH when unset.")
    password: SecretStr | None = Field(default=None, description="AUTH password.")
    timeout_seconds: float = Field(
        default=15.0, gt=0, le=300, description="Timeout of the connection and of each command."
    )
    ca_file: Path | None = Field(
        default=None, description="CA bundle to verify the relay with, instead of the system one."
    )
