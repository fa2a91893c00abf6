"""The keys sealing the secrets kept in tenant databases (webhook signing secrets)."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from adapters.aesgcm.sealer import parse_keys


class EncryptionSettings(BaseModel):
    """Application-level encryption of secrets the platform must read back."""

    model_config = ConfigDict(extra="forbid")

    keys: SecretStr | None = Field(
        default=None,
        description=(
            "Keys sealing the secrets kept in tenant databases (webhook signing secrets), "
            "AES-256-GCM: comma-separated base64url 32-byte keys, newest first; the first "
            "seals, every one opens. `passerelle secrets new-key` prints one. Required in "
            "production; the embedded profile generates one under data_dir."
        ),
    )

    @model_validator(mode="after")
    def _keys_usable(self) -> Self:
        if self.keys is not None:
            try:
                parse_keys(self.keys.get_secret_value())
            except ValueError as exc:
                raise ValueError(f"encryption.keys: {exc}") from None
        return self
