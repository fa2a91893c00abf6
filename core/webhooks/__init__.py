"""Outbound webhooks: how a delivery is signed, and which target URLs may receive one."""
