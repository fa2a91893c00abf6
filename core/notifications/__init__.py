"""Notifications: messages to the outside world, written to the outbox and delivered by workers."""
