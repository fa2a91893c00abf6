"""Firebase settings (the ``firebase`` block): project, service-account key and endpoints.

The endpoints default to Google's; tests and air-gapped set-ups point them elsewhere.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from adapters.setting_addresses import BaseUrl, HttpUrl


class FirebaseCredentialsError(ValueError):
    """The service-account key is missing or unusable; the message names the setting."""


class DeviceAddress(StrEnum):
    """What the device apps register: an FCM registration token, or an installation id."""

    TOKEN = "token"  # noqa: S105 - the name of FCM's target field, not a secret
    FID = "fid"


class FirebaseSettings(BaseModel):
    """The fcm push and firebase events adapters: project, key, endpoints, event retention."""

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
    fcm_base_url: BaseUrl = Field(
        default="https://fcm.googleapis.com",
        description="FCM HTTP v1 API root; messages go to <root>/v1/projects/<id>/messages:send.",
    )
    token_uri: HttpUrl | None = Field(
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

    database_url: str | None = Field(
        default=None,
        pattern=r"^(https://[^/?#@]+/?|http://[^/?#@]+/?\?ns=[A-Za-z0-9-]+)$",
        description=(
            "Realtime Database of the firebase events backend, "
            "https://<db>.firebaseio.com (or http://host:port?ns=<db> for an emulator)."
        ),
    )
    event_retention_hours: int = Field(
        default=24,
        ge=1,
        le=24 * 90,
        description=(
            "Events older than this are deleted from the Realtime Database by the workers' "
            "prune job; clients read their history from the API, not from there."
        ),
    )
    prune_interval_seconds: float = Field(
        default=3600,
        ge=10,
        le=86_400,
        description="How often workers prune old events from the Realtime Database.",
    )

    @model_validator(mode="after")
    def _one_key_source(self) -> Self:
        if self.credentials_file is not None and self.credentials_json is not None:
            raise ValueError("set credentials_file or credentials_json, not both")
        return self
