"""Files benchmark: a 200 MB upload and download through the API vs the store called directly.

Not a test: it prints figures and never asserts on time. The API runs in its own process
(uvicorn on 127.0.0.1, SQLite control and tenant databases and the local store in a
temporary directory), so its resident memory can be read from ``/proc/<pid>/status``
while the upload runs. This process creates the tenant with the real ``create_tenant``,
then:

1. upload: ``POST /api/v1/files/raw`` with a streamed body of ``--megabytes`` MB
   (generated chunk by chunk, never held whole), vs ``BlobStore.put`` of the same bytes
   on the same store in this process. MB/s of each and the ratio API / direct (goal >= 0.7).
2. download: ``GET /api/v1/files/{id}/content?stream=true`` read to the end, vs
   ``BlobStore.get``; MB/s and ratio.
3. the API process's RSS growth during the upload: peak (VmHWM) after minus RSS before
   (goal < 20 MB: the body is streamed, never buffered).

With ``--storage gcs`` the store is Cloud Storage on gcp-storage-emulator (in memory, in
a thread of this process, single-threaded): the API process and the direct calls use the
same adapter settings, ``gcs.chunk_bytes`` included (``--gcs-chunk-mib``; the SDK holds
one chunk in memory per upload).

    .venv/bin/python bench/files.py [--storage local|gcs] [--megabytes 200]
                                    [--chunk-kib 256] [--gcs-chunk-mib 2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchkit import Report, cpu_model, run_bench  # noqa: E402

from apps.config.loading import load_settings  # noqa: E402
from apps.container import Container, build_container, close_container  # noqa: E402
from apps.maintenance import migrate_control  # noqa: E402
from core.identity.model import Actor, Role  # noqa: E402
from core.tenants.services import CreateTenant, create_tenant  # noqa: E402
from ports.pagination import PageRequest  # noqa: E402

SECRET = "bench-secret-that-is-long-enough-for-hs256-0123456789"  # noqa: S105 - a throwaway key
MIB = 1024 * 1024
BUCKET = "passerelle-bench"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--megabytes", type=int, default=200)
    parser.add_argument("--chunk-kib", type=int, default=256)
    parser.add_argument(
        "--storage",
        choices=["local", "gcs"],
        default="local",
        help="local directory, or Cloud Storage on gcp-storage-emulator started here",
    )
    parser.add_argument(
        "--gcs-chunk-mib",
        type=int,
        default=2,
        help="gcs.chunk_bytes of the API and the direct store: the SDK holds one such chunk",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _environment(root: Path, storage: str, gcs_port: int, gcs_chunk: int) -> dict[str, str]:
    chosen = {"PASSERELLE_STORAGE__BACKEND": "local"}
    if storage == "gcs":
        chosen = {
            "PASSERELLE_STORAGE__BACKEND": "gcs",
            "PASSERELLE_GCS__BUCKET": BUCKET,
            "PASSERELLE_GCS__ENDPOINT": f"http://127.0.0.1:{gcs_port}",
            "PASSERELLE_GCS__ANONYMOUS": "true",
            "PASSERELLE_GCS__PROJECT": "bench",
            "PASSERELLE_GCS__CHUNK_BYTES": str(gcs_chunk),
        }
    return chosen | {
        "PASSERELLE_PROFILE": "production",
        "PASSERELLE_DATA_DIR": str(root),
        "PASSERELLE_DATABASE__URL": f"sqlite+aiosqlite:///{root}/control.db",
        "PASSERELLE_AUTH__JWT_SECRET": SECRET,
        "PASSERELLE_MAIL__BACKEND": "console",
        "PASSERELLE_VIDEO__BACKEND": "development",
        "PASSERELLE_MULTIPLAYER__BACKEND": "development",
        "PASSERELLE_PUSH__BACKEND": "console",
        "PASSERELLE_SMS__BACKEND": "console",
        "PASSERELLE_RATE_LIMITS__ENABLED": "false",
    }


def serve(port: int) -> None:
    """The API process: settings from the environment the parent set."""
    import uvicorn

    from apps.api.app import create_app

    container = build_container(load_settings())
    uvicorn.run(create_app(container), host="127.0.0.1", port=port, log_level="warning")


@contextlib.contextmanager
def _emulator(args: argparse.Namespace) -> Iterator[int]:
    """gcp-storage-emulator on 127.0.0.1 (in memory, in a thread of this process)."""
    if args.storage != "gcs":
        yield 0
        return
    from gcp_storage_emulator import server as emulator

    port = _free_port()
    server = emulator.create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    server.start()
    try:
        yield port
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in bytes."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    return found


async def _body(total: int, chunk: bytes) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


def _rate(size: int, seconds: float) -> float:
    return round(size / MIB / seconds, 1)


async def run(args: argparse.Namespace, report: Report) -> None:
    total = args.megabytes * MIB
    chunk = os.urandom(args.chunk_kib * 1024)
    report.line(f"machine: {cpu_model()}, Python {sys.version.split()[0]}")
    report.line(f"file: {args.megabytes} MiB in {args.chunk_kib} KiB chunks, {args.storage} store")
    report.put("storage", args.storage)
    report.put("megabytes", args.megabytes)
    with tempfile.TemporaryDirectory(prefix="pxf-bench-") as folder, _emulator(args) as gcs:
        root = Path(folder)
        os.environ.update(_environment(root, args.storage, gcs, args.gcs_chunk_mib * MIB))
        settings = load_settings()
        container = build_container(settings)
        await migrate_control(container)
        tenant, _ = await create_tenant(
            CreateTenant("bench", "Bench Inc.", "admin@bench.example", "x" * 16, "Ada"),
            container.tenant_dependencies(),
            actor="bench",
        )
        admin = (await _admin(container, tenant.id)) or Actor(tenant.id, uuid.uuid4(), Role.ADMIN)
        token = container.access_tokens().issue(admin).token
        port = _free_port()
        api = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--serve", str(port), env=os.environ.copy()
        )
        try:
            await _phases(args, report, container, tenant.id, token, port, api.pid, total, chunk)
        finally:
            api.terminate()
            await api.wait()
            await close_container(container)


async def _admin(container: Container, tenant_id: uuid.UUID) -> Actor | None:
    async with container.tenant_uow()(tenant_id) as uow:
        users = await uow.users.list(PageRequest(limit=1))
    return Actor(tenant_id, users.items[0].id, Role.ADMIN) if users.items else None


async def _phases(
    args: argparse.Namespace,
    report: Report,
    container: Container,
    tenant_id: uuid.UUID,
    token: str,
    port: int,
    pid: int,
    total: int,
    chunk: bytes,
) -> None:
    store = container.blob_store()
    headers = {"Authorization": f"Bearer {token}", "X-Passerelle-Tenant": "bench"}
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        for _ in range(200):
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        before = _memory(pid)
        started = time.perf_counter()
        uploaded = await client.post(
            "/api/v1/files/raw",
            params={"name": "bench.bin"},
            content=_body(total, chunk),
            headers={
                **headers,
                "Content-Type": "application/octet-stream",
                "Content-Length": str(total),
            },
        )
        api_up = time.perf_counter() - started
        after = _memory(pid)
        assert uploaded.status_code == 201, uploaded.text
        file_id = uploaded.json()["id"]

        started = time.perf_counter()
        await store.put(
            tenant_id,
            "bench/direct.bin",
            _body(total, chunk),
            content_type="application/octet-stream",
        )
        direct_up = time.perf_counter() - started

        started = time.perf_counter()
        received = 0
        async with client.stream(
            "GET", f"/api/v1/files/{file_id}/content", params={"stream": "true"}, headers=headers
        ) as response:
            async for piece in response.aiter_raw():
                received += len(piece)
        api_down = time.perf_counter() - started
        assert received == total, received

        started = time.perf_counter()
        direct_received = 0
        async for piece in store.get(tenant_id, "bench/direct.bin"):
            direct_received += len(piece)
        direct_down = time.perf_counter() - started

    growth = after["VmHWM"] - before["VmRSS"]
    figures = {
        "upload_api_mib_s": _rate(total, api_up),
        "upload_direct_mib_s": _rate(total, direct_up),
        "upload_ratio": round(direct_up / api_up, 2),
        "download_api_mib_s": _rate(total, api_down),
        "download_direct_mib_s": _rate(total, direct_down),
        "download_ratio": round(direct_down / api_down, 2),
        "api_rss_before_mib": round(before["VmRSS"] / MIB, 1),
        "api_rss_peak_growth_mib": round(growth / MIB, 1),
    }
    for key, value in figures.items():
        report.put(key, value)
    report.line(
        f"\n1. upload: API {figures['upload_api_mib_s']} MiB/s, direct "
        f"{figures['upload_direct_mib_s']} MiB/s, ratio {figures['upload_ratio']} (goal >= 0.7)"
    )
    report.line(
        f"2. download: API {figures['download_api_mib_s']} MiB/s, direct "
        f"{figures['download_direct_mib_s']} MiB/s, ratio {figures['download_ratio']} "
        "(goal >= 0.7)"
    )
    report.line(
        f"3. API RSS: {figures['api_rss_before_mib']} MiB before, peak growth during the upload "
        f"{figures['api_rss_peak_growth_mib']} MiB (goal < 20)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    return run_bench(run, args, "files bench interrupted; temporary directory removed")


if __name__ == "__main__":
    sys.exit(main())
