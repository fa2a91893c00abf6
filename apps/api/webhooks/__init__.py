"""Endpoints that providers call: delivery receipts."""
