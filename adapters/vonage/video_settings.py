"""Settings of the Vonage Video adapter; defaults are Vonage's documented Video API host."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from adapters.setting_addresses import HostAndPort


class VonageVideoSettings(BaseModel):
    """The vonage video adapter: application credentials, API host, callback signing."""

    model_config = ConfigDict(extra="forbid")

    application_id: str | None = Field(
        default=None, description="Vonage application id; required by video 'vonage'."
    )
    private_key: SecretStr | None = Field(
        default=None,
        description=(
            "PEM private key of the application: signs REST calls and join tokens (RS256)."
        ),
    )
    video_host: HostAndPort = Field(
        default="video.api.vonage.com",
        description="Host[:port] of the Video API, without scheme; always reached over HTTPS.",
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
            "Signature secret of the account: archive callbacks are accepted only with a "
            "Vonage signed-webhook JWT made with it. Unset: callbacks are refused."
        ),
    )
