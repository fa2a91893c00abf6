"""Settings of the file mail sink."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class FileMailSettings(BaseModel):
    directory: Path = Field(
        default=Path("var/mail"),
        description="Where each message is written as an RFC 5322 .eml file.",
    )
