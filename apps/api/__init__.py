"""The HTTP API (Litestar): controllers, schemas, authentication, error mapping."""
