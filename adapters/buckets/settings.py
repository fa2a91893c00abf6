"""Settings every bucket store shares: the shared bucket and tenants' own buckets."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class BucketPlacementSettings(BaseModel):
    """Which bucket holds which tenant's files."""

    model_config = ConfigDict(extra="forbid")

    bucket: str | None = Field(
        default=None,
        description="The shared bucket (required); each tenant's files live under "
        "tenants/<tenant id>/.",
    )
    dedicated_buckets: dict[UUID, str] = Field(
        default_factory=dict,
        description=(
            "Tenants with a bucket of their own, by tenant id: "
            '{"<tenant id>" = "acme-files"}; same tenants/<tenant id>/ layout inside.'
        ),
    )
