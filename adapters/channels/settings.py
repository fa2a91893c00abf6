"""The self-hosted realtime transport (the ``channels`` block): how much history it keeps."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ChannelsSettings(BaseModel):
    """Events kept per channel so a client that reconnects gets what it missed."""

    model_config = ConfigDict(extra="forbid")

    history_per_channel: int = Field(
        default=200,
        ge=0,
        le=100_000,
        description=(
            "Events kept per channel (a user's, a session's) for clients resuming from their "
            "last event id; 0 keeps none (a reconnect then always reloads its state)."
        ),
    )
    history_seconds: int = Field(
        default=3600,
        ge=1,
        le=7 * 86_400,
        description=(
            "A channel with no new event for this long forgets its history (by Redis key "
            "expiry, or in this process's memory without Redis)."
        ),
    )
    subscriber_backlog: int = Field(
        default=1000,
        ge=10,
        le=1_000_000,
        description=(
            "Events queued for one slow subscriber; past it the oldest are dropped, so one "
            "stalled client never holds the process's memory."
        ),
    )
