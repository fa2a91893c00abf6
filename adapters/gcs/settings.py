"""Cloud Storage settings (the ``gcs`` block): bucket, project, credentials, endpoint."""

from __future__ import annotations

from pathlib import Path

from pydantic import ConfigDict, Field

from adapters.buckets.settings import BucketPlacementSettings
from adapters.setting_addresses import BaseUrl


class GcsSettings(BucketPlacementSettings):
    """The gcs storage adapter: the shared bucket, tenants' own buckets, how to reach them."""

    model_config = ConfigDict(extra="forbid")

    project: str | None = Field(
        default=None, description="Google Cloud project; default: the credentials' project."
    )
    credentials_file: Path | None = Field(
        default=None,
        description=(
            "Service-account key (JSON) for data calls and for signing URLs; default: "
            "Application Default Credentials (signed URLs then need a key file)."
        ),
    )
    endpoint: BaseUrl | None = Field(
        default=None,
        description=(
            "API root for an emulator or a private endpoint (http://127.0.0.1:9023); "
            "signed URLs point there too. Default: https://storage.googleapis.com."
        ),
    )
    anonymous: bool = Field(
        default=False,
        description=(
            "Send no credentials on data calls (emulators only); credentials_file then only "
            "signs URLs."
        ),
    )
    timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="Longest wait for one request to Cloud Storage."
    )
    chunk_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=256 * 1024,
        le=256 * 1024 * 1024,
        multiple_of=256 * 1024,
        description=(
            "Size of each request of a resumable upload and each read of a download (a "
            "multiple of 256 KiB). An upload holds about twice this in memory: 2 MiB keeps "
            "an API process under 20 MB per upload; 8 MiB uploads faster with fewer "
            "requests, for about 40 MB per upload."
        ),
    )
