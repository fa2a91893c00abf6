"""Settings of the file mail sink."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class FileMailSettings(BaseModel):
    """The file mail adapter (mail.backend = "file"): keeps each message as a file."""

    model_config = ConfigDict(extra="forbid")

    directory: Path = Field(
        default=Path("var/mail"),
        description="Where each message is written as an RFC 5322 .eml file.",
    )
