"""Settings of the Photon multiplayer adapter and of the endpoints Photon calls."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class PhotonSettings(BaseModel):
    """The photon adapter: application, region, ticket signing, webhook authentication."""

    model_config = ConfigDict(extra="forbid")

    app_id: str | None = Field(
        default=None, description="Photon application id (dashboard); required by photon."
    )
    region: str = Field(
        default="eu", description="Photon region clients connect to (eu, us, asia...)."
    )
    ticket_secret: SecretStr | None = Field(
        default=None,
        description=(
            "HMAC key of the join tickets Photon's custom authentication sends back to us; "
            "at least 32 characters. Required by photon; the development adapter signs "
            "with a fixed development key when unset."
        ),
    )
    ticket_ttl_seconds: int = Field(
        default=300,
        ge=30,
        le=3600,
        description="How long a join ticket may be used to authenticate with Photon.",
    )
    webhook_header: str = Field(
        default="X-Passerelle-Photon-Secret",
        description="Name of the custom HTTP header set in Photon's webhook settings.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        min_length=16,
        description=(
            "Value of that header, as set in Photon's dashboard (CustomHttpHeaders), at "
            "least 16 characters. Unset: every webhook call is refused."
        ),
    )
