"""Settings of local-directory storage."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from adapters.setting_addresses import BaseUrl


class LocalStorageSettings(BaseModel):
    """Local-directory storage: the folder that holds every tenant's directory."""

    model_config = ConfigDict(extra="forbid")

    root: Path = Field(
        default=Path("files"),
        description="Folder holding tenants/<tenant id>/...; relative paths are under data_dir.",
    )
    links_url: BaseUrl | None = Field(
        default=None,
        description=(
            "Where the API serves signed links to files (its /api/v1/blobs route), as "
            "clients reach it; default: <api.public_url>/api/v1/blobs, which without "
            "api.public_url is http://<api.host>:<api.port>/api/v1/blobs."
        ),
    )
    link_secret: SecretStr | None = Field(
        default=None,
        min_length=32,
        description=(
            "Key signing links to files, at least 32 characters; default: a random key "
            "kept in <root>/.link-key, shared by every process using the folder."
        ),
    )
