"""Shared AR rooms on Photon (Realtime, PUN, Fusion): room names, join tickets, presence."""
