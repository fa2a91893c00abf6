"""Recordings of assistance sessions and their copy into the tenant's storage."""
