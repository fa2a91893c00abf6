"""Notification templates rendered with Jinja2 (sandboxed, strict about missing values)."""
