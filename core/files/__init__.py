"""Files: a tenant's blobs with their metadata, uploads, quota and reconciliation."""
