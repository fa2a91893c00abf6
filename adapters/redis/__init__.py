"""Redis adapters: state shared by every API replica (request limits)."""
