"""Device registry and pairing endpoints."""
