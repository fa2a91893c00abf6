"""What the Cloud Storage and S3 adapters share: tenants as prefixes of a bucket."""
