"""Firebase settings (the ``firebase`` block): project, service-account key and endpoints.

The endpoints default to Google's; tests and air-gapped set-ups point them elsewhere.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator


class FirebaseCredentialsError(ValueError):
    """The service-account key is missing or unusable; the message names the setting."""


class DeviceAddress(StrEnum):
    """What the device apps register: an FCM registration token, or an installation id."""

    TOKEN = "token"  # noqa: S105 - the name of FCM's target field, not a secret
    FID = "fid"


class FirebaseSettings(BaseModel):
    """The fcm push adapter: which project it sends as, with which key, to which endpoint."""

    model_config = ConfigDict(extra="forbid")

    project_id: str | None = Field(
        default=None,
        description="Firebase project to send as; defaults to the key's project_id.",
    )
    credentials_file: Path | None = Field(
        default=None,
        description="Service-account key (JSON) downloaded from the Firebase console.",
    )
    credentials_json: SecretStr | None = Field(
        default=None,
        description="The same key given inline as JSON text, instead of credentials_file.",
    )
    fcm_base_url: str = Field(
        default="https://fcm.googleapis.com",
        description="FCM HTTP v1 API root; messages go to <root>/v1/projects/<id>/messages:send.",
    )
    token_uri: str | None = Field(
        default=None,
        description="OAuth 2.0 token endpoint; defaults to the key's token_uri (Google's).",
    )
    timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="Longest wait for one push, access-token refresh included.",
    )
    device_address: DeviceAddress = Field(
        default=DeviceAddress.TOKEN,
        description=(
            "token: devices register FCM registration tokens; fid: Firebase installation "
            "ids (FCM's successor to tokens; the apps must switch first)."
        ),
    )

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if self.credentials_file is not None and self.credentials_json is not None:
            raise ValueError("set credentials_file or credentials_json, not both")
        return self
