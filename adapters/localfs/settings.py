"""Settings of local-directory storage."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class LocalStorageSettings(BaseModel):
    """Local-directory storage: the folder that holds every tenant's directory."""

    model_config = ConfigDict(extra="forbid")

    root: Path = Field(
        default=Path("files"),
        description="Folder holding tenants/<tenant id>/...; relative paths are under data_dir.",
    )
