"""`passerelle up` as a user runs it: a subprocess on a free port, stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.network import free_port


@dataclass
class Platform:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]

    def credentials(self) -> dict[str, str]:
        stored: dict[str, str] = json.loads((self.data_dir / "demo-credentials.json").read_text())
        return stored


def start_platform(data_dir: Path, env: dict[str, str]) -> Iterator[Platform]:
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "passerelle"),
        "up",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    log = (data_dir.parent / "up.log").open("wb")
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **env},
        cwd=data_dir.parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, data_dir.parent / "up.log")
        yield Platform(url=url, data_dir=data_dir, process=process)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"passerelle up exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"passerelle up did not answer within 60 s:\n{log.read_text()}")
