"""Retention: each tenant's policy of how long ended things are kept, and the purge."""
