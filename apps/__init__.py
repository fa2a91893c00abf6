"""Deliverable processes: the HTTP API, the worker and the command line, sharing one container."""
