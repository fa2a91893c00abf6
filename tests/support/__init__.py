"""Test helpers shared by several test suites: real peers started on loopback."""
