"""S3-compatible storage (boto3): AWS S3, MinIO and the like, for on-prem installs."""
