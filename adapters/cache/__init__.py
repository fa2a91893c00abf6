"""Read-through caches in front of other adapters."""
