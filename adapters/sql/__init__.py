"""SQLAlchemy (async, Core) adapters for the control database and the tenant databases."""
