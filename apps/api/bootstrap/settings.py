"""The ``clients`` settings block: what the web, mobile and glasses apps are told at start."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ClientSettings(BaseModel):
    """Public configuration handed to every client by ``GET /api/v1/bootstrap``."""

    model_config = ConfigDict(extra="forbid")

    languages: list[str] = Field(
        default_factory=lambda: ["en", "fr", "nl"],
        min_length=1,
        description="Interface languages offered, first is the default (BCP 47 tags).",
    )
    firebase_web_config: dict[str, str] | None = Field(
        default=None,
        description=(
            "The Firebase web app configuration (apiKey, authDomain, projectId, appId, "
            "messagingSenderId, databaseURL...) the web portal initialises Firebase with. "
            "Public by Firebase's design; unset: not sent."
        ),
    )
    cache_seconds: int = Field(
        default=300,
        ge=0,
        le=86_400,
        description="max-age of the bootstrap document; clients revalidate with its ETag.",
    )
