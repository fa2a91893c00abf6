"""TLS to PostgreSQL as operators configure it (libpq sslmode), against a TLS-enabled server."""

from __future__ import annotations

import ssl

import pytest
import sqlalchemy as sa

from adapters.sql.engines import create_engine
from adapters.sql.tls import DatabaseTls, SslMode
from tests.support.tls_postgres import TlsPostgres

pytestmark = pytest.mark.postgres

ENCRYPTED = sa.text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")


async def _encrypted(url: str, tls: DatabaseTls) -> bool:
    engine = create_engine(url, tls=tls)
    try:
        async with engine.connect() as connection:
            return bool((await connection.execute(ENCRYPTED)).scalar_one())
    finally:
        await engine.dispose()


async def test_verify_ca_with_the_servers_ca_connects_encrypted(tls_postgres: TlsPostgres) -> None:
    tls = DatabaseTls(SslMode.VERIFY_CA, tls_postgres.ca_file)
    assert await _encrypted(tls_postgres.url(), tls)


async def test_require_encrypts_without_checking_the_certificate(tls_postgres: TlsPostgres) -> None:
    assert await _encrypted(tls_postgres.url(), DatabaseTls(SslMode.REQUIRE))


async def test_disable_connects_in_clear(tls_postgres: TlsPostgres) -> None:
    assert not await _encrypted(tls_postgres.url(), DatabaseTls(SslMode.DISABLE))


async def test_a_certificate_from_another_authority_is_refused(tls_postgres: TlsPostgres) -> None:
    tls = DatabaseTls(SslMode.VERIFY_CA, tls_postgres.other_ca_file)
    with pytest.raises((ssl.SSLCertVerificationError, sa.exc.DBAPIError, OSError)):
        await _encrypted(tls_postgres.url(), tls)


async def test_verify_full_refuses_a_server_whose_name_does_not_match(
    tls_postgres: TlsPostgres,
) -> None:
    """The certificate names db.passerelle.test; connecting to 127.0.0.1 must not pass."""
    tls = DatabaseTls(SslMode.VERIFY_FULL, tls_postgres.ca_file)
    with pytest.raises((ssl.SSLCertVerificationError, sa.exc.DBAPIError, OSError)):
        await _encrypted(tls_postgres.url(), tls)
