"""Outgoing mail over SMTP with aiosmtplib (Combell's relay by default)."""
