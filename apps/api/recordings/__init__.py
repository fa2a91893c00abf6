"""Recordings of sessions: start, stop, list; the video provider's archive callback."""
