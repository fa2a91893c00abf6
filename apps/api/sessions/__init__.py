"""Assistance-session endpoints."""
