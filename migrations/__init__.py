"""Alembic histories: ``control`` for the tenant catalog, ``tenant`` for every tenant database."""
