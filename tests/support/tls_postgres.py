"""A throwaway PostgreSQL cluster with TLS on, for testing sslmode handling.

The machine's own server runs without TLS; this one is initialised in a temporary
folder (about a second), serves a certificate from a test CA for the name
``db.passerelle.test`` only, and is stopped at the end of the session.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme

from tests.conftest import service_missing
from tests.support.network import free_port

SERVER_NAME = "db.passerelle.test"


@dataclass(frozen=True)
class TlsPostgres:
    port: int
    ca_file: Path
    other_ca_file: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def tls_postgres() -> Iterator[TlsPostgres]:
    binaries = _binaries()
    if binaries is None or shutil.which("runuser") is None:
        service_missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        return
    root = Path(tempfile.mkdtemp(prefix="passerelle-tls-pg-"))
    data = root / "data"
    authority, other = trustme.CA(), trustme.CA()
    certificate = authority.issue_cert(SERVER_NAME)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    _as_postgres(
        str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"
    )
    certificate.cert_chain_pems[0].write_to_path(str(data / "server.crt"))
    certificate.private_key_pem.write_to_path(str(data / "server.key"))
    (data / "server.key").chmod(0o600)
    if os.geteuid() == 0:
        for name in ("server.crt", "server.key"):
            shutil.chown(data / name, "postgres")
    port = free_port()
    options = (
        f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} "
        "-c ssl=on -c fsync=off -c max_connections=20"
    )
    _as_postgres(
        str(binaries / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-w",
        "-l",
        str(root / "server.log"),
        "start",
    )
    ca_file, other_ca_file = root / "ca.pem", root / "other-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    other.cert_pem.write_to_path(str(other_ca_file))
    try:
        yield TlsPostgres(port=port, ca_file=ca_file, other_ca_file=other_ca_file)
    finally:
        _as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)
