"""Realtime: who may follow which event channels, and who is present."""
