"""Operators back tenants up into blob storage and restore them."""
