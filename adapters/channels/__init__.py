"""Realtime events served by the platform itself: Litestar channels, in memory or over Redis."""
