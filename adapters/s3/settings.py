"""S3 settings (the ``s3`` block): bucket, endpoint, region, keys, addressing style."""

from __future__ import annotations

from pydantic import ConfigDict, Field, SecretStr

from adapters.buckets.settings import BucketPlacementSettings
from adapters.setting_addresses import BaseUrl


class S3Settings(BucketPlacementSettings):
    """The s3 storage adapter: AWS S3 or an S3-compatible server such as MinIO."""

    model_config = ConfigDict(extra="forbid")

    endpoint_url: BaseUrl | None = Field(
        default=None,
        description="Server root for MinIO and the like (https://minio.example:9000); default AWS.",
    )
    region: str = Field(default="us-east-1", description="Region the bucket is in.")
    access_key_id: str | None = Field(
        default=None, description="Access key id; default: boto3's usual credential chain."
    )
    secret_access_key: SecretStr | None = Field(
        default=None, description="Secret access key, with access_key_id."
    )
    path_style: bool = Field(
        default=False,
        description=(
            "Address buckets as <endpoint>/<bucket>/... instead of <bucket>.<endpoint>/...; "
            "MinIO usually needs it."
        ),
    )
    timeout_seconds: float = Field(
        default=30.0, gt=0, le=600, description="Longest wait for one request to the server."
    )
    part_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=5 * 1024 * 1024,
        le=512 * 1024 * 1024,
        description=(
            "Size of each part of a multipart upload (S3's minimum is 5 MiB), the most "
            "held in memory per upload; smaller files go in one request."
        ),
    )
