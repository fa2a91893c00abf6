"""Contract suites run every adapter of a port against real peers started on loopback."""

from tests.support.fcm_server import (  # noqa: F401 - fixtures, found by pytest by name
    fcm_keys,
    fcm_server,
    start_fcm_server,
)
from tests.support.gcs_server import gcs_server  # noqa: F401 - fixture, found by pytest by name
from tests.support.s3_server import (  # noqa: F401 - fixtures, found by pytest by name
    moto_server,
    s3_server,
)
from tests.support.smtp_server import (  # noqa: F401 - fixtures, found by pytest by name
    smtp_certificates,
    smtp_server,
    start_smtp_server,
    starttls_smtp_server,
    tls_smtp_server,
)
from tests.support.vonage_server import (  # noqa: F401 - fixtures, found by pytest by name
    start_vonage_server,
    vonage_certificates,
    vonage_server,
)
