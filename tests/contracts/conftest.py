"""Contract suites run every adapter of a port against real peers started on loopback."""

from tests.support.smtp_server import (  # noqa: F401 - fixtures, found by pytest by name
    smtp_certificates,
    smtp_server,
    start_smtp_server,
    starttls_smtp_server,
    tls_smtp_server,
)
