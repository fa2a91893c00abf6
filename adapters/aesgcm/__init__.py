"""AES-256-GCM sealing of secrets kept in tenant databases (the ``cryptography`` package)."""
