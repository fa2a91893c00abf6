"""Vonage's SMS API through the vonage SDK: the SaaS default for SMS."""
