"""Settings of the OpenTok video adapter; defaults are OpenTok's documented API endpoint."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from adapters.setting_addresses import BaseUrl


class OpenTokSettings(BaseModel):
    """The opentok video adapter: project credentials, API endpoint, callback secret."""

    model_config = ConfigDict(extra="forbid")

    api_key: str | None = Field(
        default=None, description="OpenTok project API key (numeric); required by opentok."
    )
    api_secret: SecretStr | None = Field(
        default=None,
        description="OpenTok project secret: signs REST calls and every join token offline.",
    )
    api_url: BaseUrl = Field(
        default="https://api.opentok.com",
        description="Base URL of the OpenTok REST API, scheme included (tests: loopback).",
    )
    timeout_seconds: float = Field(
        default=10, gt=0, le=120, description="Timeout of each REST call, in seconds."
    )
    callback_secret: SecretStr | None = Field(
        default=None,
        min_length=16,
        description=(
            "Secret carried as the `token` query parameter of the archive callback URL set "
            "in the project dashboard (OpenTok signs no callback), at least 16 characters. "
            "Unset: callbacks refused."
        ),
    )
