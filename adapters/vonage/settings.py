"""Vonage SMS settings; defaults are Vonage's documented SMS API host."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from adapters.setting_addresses import HostAndPort
from core.notifications.sms_text import is_sender_id


class VonageSettings(BaseModel):
    """The vonage sms adapter: account credentials, sender id and API endpoint."""

    model_config = ConfigDict(extra="forbid")

    api_key: str | None = Field(
        default=None, description="Vonage API key (dashboard); required by the vonage adapter."
    )
    api_secret: SecretStr | None = Field(
        default=None, description="Vonage API secret, sent as HTTP Basic auth over TLS."
    )
    sender_id: str = Field(
        default="Passerelle",
        description=(
            "Default sender of every SMS: up to 11 letters, digits and spaces, or a number "
            "of 3 to 15 digits without '+' (some countries only accept a Vonage number)."
        ),
    )
    rest_host: HostAndPort = Field(
        default="rest.nexmo.com",
        description="Host[:port] of the SMS API, without scheme; always reached over HTTPS.",
    )
    timeout_seconds: int = Field(
        default=10,
        ge=1,
        le=120,
        description="Connect and read timeout of each request, whole seconds (the SDK's unit).",
    )
    ca_file: Path | None = Field(
        default=None,
        description=(
            "CA bundle to verify the API with, instead of the system one and of "
            "REQUESTS_CA_BUNDLE (tests, TLS-inspecting proxies)."
        ),
    )

    signature_secret: SecretStr | None = Field(
        default=None,
        min_length=1,
        description=(
            "Signature secret of the account (dashboard > API settings); delivery receipts "
            "are accepted only when signed with it. Unset: receipts are refused."
        ),
    )
    signature_method: Literal["md5", "sha1", "sha256", "sha512"] = Field(
        default="sha256",
        description=(
            "HMAC method chosen in the dashboard for signed webhooks (the legacy 'MD5 hash' "
            "is not accepted: it is not an HMAC)."
        ),
    )
    receipt_max_age_seconds: int = Field(
        default=300,
        ge=30,
        le=3600,
        description="Delivery receipts signed longer ago than this are refused as replays.",
    )

    @field_validator("sender_id")
    @classmethod
    def _valid_sender_id(cls, value: str) -> str:
        if not is_sender_id(value):
            raise ValueError(
                "a sender id is up to 11 letters, digits and spaces, or 3 to 15 digits"
            )
        return value
