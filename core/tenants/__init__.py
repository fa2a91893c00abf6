"""Tenants: the customer companies, each with its own database and storage directory."""
