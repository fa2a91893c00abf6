"""Outbound webhook endpoints a tenant admin configures (delivery: core.webhooks)."""
