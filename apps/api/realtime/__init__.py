"""Realtime over HTTP: the event stream (WebSocket, SSE), Firebase client tokens, presence."""
