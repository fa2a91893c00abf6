"""Notification endpoints: delivery status."""
