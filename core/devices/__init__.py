"""Devices of a tenant (smart glasses, phones) and how they pair without typing."""
