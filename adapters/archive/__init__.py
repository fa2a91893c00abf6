"""Tenant archives packed as files: a gzip-compressed tar on the local disk."""
