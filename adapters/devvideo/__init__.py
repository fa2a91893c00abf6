"""A development video provider for the embedded default: no vendor account needed."""
