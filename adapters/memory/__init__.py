"""In-memory adapters for unit tests: same contracts as the real ones, no I/O."""
