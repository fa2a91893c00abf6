"""End-to-end tests drive `passerelle up` as a subprocess; some give it a real SMTP relay."""

from tests.support.smtp_server import (  # noqa: F401 - fixtures, found by pytest by name
    smtp_certificates,
    smtp_server,
    start_smtp_server,
)
