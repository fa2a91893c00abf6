"""Authentication: tenant users with JWT access tokens, operators with API keys."""
