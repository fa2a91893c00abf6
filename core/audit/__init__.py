"""The audit log: who did what in a tenant, recorded as it happens, read by its admins."""
