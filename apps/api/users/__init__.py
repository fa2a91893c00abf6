"""Users of a tenant and the API keys of its integrations."""
