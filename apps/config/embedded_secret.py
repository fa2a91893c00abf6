"""The embedded profile's keys: generated once, kept in the data directory."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from adapters.aesgcm.sealer import new_key


def embedded_jwt_secret(data_dir: Path) -> str:
    return _kept(data_dir / "jwt-secret", lambda: secrets.token_urlsafe(48))


def embedded_encryption_key(data_dir: Path) -> str:
    """The key sealing webhook secrets; losing the file loses those secrets (rotate them)."""
    return _kept(data_dir / "encryption-key", new_key)


def _kept(path: Path, generate: Callable[[], str]) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = generate()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(value)
    return value
