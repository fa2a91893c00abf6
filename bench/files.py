"""Files benchmark: a 200 MB upload and download through the API vs the store called directly.

Not a test: it prints figures and never asserts on time. The API runs in its own process
(uvicorn on 127.0.0.1, SQLite control and tenant databases), so its resident memory can
be read from ``/proc/<pid>/status`` while the upload runs. Its HTTP parser and event loop
are those of ``api.http_parser`` and ``api.event_loop`` (httptools and uvloop when
installed; ``PASSERELLE_API__HTTP_PARSER=h11 PASSERELLE_API__EVENT_LOOP=asyncio`` for the
pure-Python ones). This process creates the
tenant with the real ``create_tenant``, then, ``--repeat`` times (best time kept, as
the machine is shared):

1. upload: ``POST /api/v1/files/raw`` with a body of ``--megabytes`` MiB sent in
   ``--chunk-kib`` pieces (never held whole), vs ``BlobStore.put`` of the same pieces on
   the same store in this process. MiB/s of each and the ratio API / direct (goal >= 0.7).
2. download: ``GET /api/v1/files/{id}/content?stream=true`` read to the end, vs
   ``BlobStore.get``; MiB/s and ratio.
3. the API process's RSS growth during the first upload: peak (VmHWM) after minus RSS
   before (goal < 20 MB: the body is streamed, never buffered).
4. the API process's CPU time (user + system, ``/proc/<pid>/stat``) per MiB uploaded and
   downloaded, the least of the runs: a figure the machine's other load moves less than
   the rates, for comparing how the API is served.

The HTTP client is a plain socket read into one reused buffer: an HTTP library in this
process (httpx tops out around 500 MiB/s here) would measure itself, not the API.

``--storage``: ``local`` (a temporary directory), ``gcs`` (gcp-storage-emulator, in
memory, in a thread of this process; ``--gcs-chunk-mib`` sets ``gcs.chunk_bytes`` of the
API and the direct store alike, the SDK holds one such chunk per upload) or ``s3``
(moto's server in a thread of this process).

    .venv/bin/python bench/files.py [--storage local|gcs|s3] [--megabytes 200]
                                    [--chunk-kib 256] [--gcs-chunk-mib 2] [--repeat 3]
                                    [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
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

from benchkit import (  # noqa: E402
    ENCRYPTION_KEY,
    PUBLIC_URL,
    Report,
    cpu_model,
    process_cpu_seconds,
    run_bench,
)

from apps.cli.server_choices import http_parser, loop_factory  # noqa: E402
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
        choices=["local", "gcs", "s3"],
        default="local",
        help="local directory, Cloud Storage on gcp-storage-emulator, or S3 on moto",
    )
    parser.add_argument(
        "--gcs-chunk-mib",
        type=int,
        default=2,
        help="gcs.chunk_bytes of the API and the direct store: the SDK holds one such chunk",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _environment(root: Path, args: argparse.Namespace, endpoint: str) -> dict[str, str]:
    chosen = {"PASSERELLE_STORAGE__BACKEND": "local"}
    if args.storage == "gcs":
        chosen = {
            "PASSERELLE_STORAGE__BACKEND": "gcs",
            "PASSERELLE_GCS__BUCKET": BUCKET,
            "PASSERELLE_GCS__ENDPOINT": endpoint,
            "PASSERELLE_GCS__ANONYMOUS": "true",
            "PASSERELLE_GCS__PROJECT": "bench",
            "PASSERELLE_GCS__CHUNK_BYTES": str(args.gcs_chunk_mib * MIB),
        }
    elif args.storage == "s3":
        chosen = {
            "PASSERELLE_STORAGE__BACKEND": "s3",
            "PASSERELLE_S3__BUCKET": BUCKET,
            "PASSERELLE_S3__ENDPOINT_URL": endpoint,
            "PASSERELLE_S3__ACCESS_KEY_ID": "bench",
            "PASSERELLE_S3__SECRET_ACCESS_KEY": "bench-secret",
            "PASSERELLE_S3__PATH_STYLE": "true",
        }
    return chosen | {
        "PASSERELLE_PROFILE": "production",
        "PASSERELLE_DATA_DIR": str(root),
        "PASSERELLE_DATABASE__URL": f"sqlite+aiosqlite:///{root}/control.db",
        "PASSERELLE_AUTH__JWT_SECRET": SECRET,
        "PASSERELLE_ENCRYPTION__KEYS": ENCRYPTION_KEY,
        "PASSERELLE_API__PUBLIC_URL": PUBLIC_URL,
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

    settings = load_settings()
    uvicorn.run(
        create_app(build_container(settings)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        http=settings.api.http_parser,
        loop=settings.api.event_loop,
    )


@contextlib.contextmanager
def _peer(args: argparse.Namespace) -> Iterator[str]:
    """The storage server of ``--storage`` on 127.0.0.1, in a thread of this process."""
    if args.storage == "gcs":
        from gcp_storage_emulator import server as emulator

        port = _free_port()
        server = emulator.create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
        server.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.stop()
    elif args.storage == "s3":
        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench-secret",  # noqa: S106 - moto checks no key
        ).create_bucket(Bucket=BUCKET)
        try:
            yield endpoint
        finally:
            moto.stop()
    else:
        yield ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    seconds = process_cpu_seconds(pid)
    if seconds is None:
        raise RuntimeError("this bench reads the API's CPU time and memory from /proc")
    return seconds


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


def _exchange(
    port: int, head: str, total: int = 0, chunk: bytes = b"", sink: bool = False
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a plain socket: ``total`` bytes of body sent in ``chunk``
    pieces; the status and the response body (only counted, as b"", when ``sink``)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.encode())
        sent = 0
        while sent < total:
            piece = chunk[: total - sent]
            sock.sendall(piece)
            sent += len(piece)
        received = b""
        while b"\r\n\r\n" not in received:
            more = sock.recv(65536)
            if not more:
                raise ConnectionError("the API closed the connection")
            received += more
        header, _, rest = received.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
        length = int(fields.get("content-length", "0"))
        if not sink:
            body = bytearray(rest)
            while len(body) < length:
                body += sock.recv(65536)
            return status, bytes(body)
        buffer = memoryview(bytearray(4 * MIB))
        count = len(rest)
        while count < length:
            got = sock.recv_into(buffer)
            if not got:
                break
            count += got
        return status, str(count).encode()


def _rate(size: int, seconds: float) -> float:
    return round(size / MIB / seconds, 1)


async def run(args: argparse.Namespace, report: Report) -> None:
    total = args.megabytes * MIB
    chunk = os.urandom(args.chunk_kib * 1024)
    report.line(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    report.line(
        f"file: {args.megabytes} MiB in {args.chunk_kib} KiB chunks, {args.storage} store, "
        f"best of {args.repeat}"
        + (f", gcs.chunk_bytes {args.gcs_chunk_mib} MiB" if args.storage == "gcs" else "")
    )
    report.put("storage", args.storage)
    report.put("megabytes", args.megabytes)
    with tempfile.TemporaryDirectory(prefix="pxf-bench-") as folder, _peer(args) as endpoint:
        root = Path(folder)
        os.environ.update(_environment(root, args, endpoint))
        settings = load_settings()
        server = _server(settings.api.http_parser, settings.api.event_loop)
        report.line(f"API server: uvicorn with {server}")
        report.put("api_server", server)
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
            await _ready(port)
            phases = _Phases(args, container, tenant.id, token, port, total, chunk)
            await phases.measure(api.pid)
            phases.report(report)
        finally:
            api.terminate()
            await api.wait()
            await close_container(container)


def _server(parser: str, loop: str) -> str:
    """The parser and loop the API process runs on, as ``serve`` resolves the settings."""
    return f"{http_parser(parser)} on {'uvloop' if loop_factory(loop) else 'asyncio'}"


async def _admin(container: Container, tenant_id: uuid.UUID) -> Actor | None:
    async with container.tenant_uow()(tenant_id) as uow:
        users = await uow.users.list(PageRequest(limit=1))
    return Actor(tenant_id, users.items[0].id, Role.ADMIN) if users.items else None


async def _ready(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        for _ in range(300):
            try:
                if (await client.get("/api/v1/health")).status_code == 200:
                    return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise RuntimeError("the API did not start")


class _Phases:
    """Each measurement ``--repeat`` times; the shortest time of each is kept."""

    def __init__(
        self,
        args: argparse.Namespace,
        container: Container,
        tenant_id: uuid.UUID,
        token: str,
        port: int,
        total: int,
        chunk: bytes,
    ) -> None:
        self._repeat = args.repeat
        self._store = container.blob_store()
        self._tenant_id = tenant_id
        self._port = port
        self._total = total
        self._chunk = chunk
        self._auth = f"Authorization: Bearer {token}\r\nX-Passerelle-Tenant: bench\r\n"
        self.best: dict[str, float] = {}
        self.rss: tuple[int, int] = (0, 0)

    def _keep(self, name: str, seconds: float) -> None:
        self.best[name] = min(seconds, self.best.get(name, seconds))

    async def measure(self, pid: int) -> None:
        before = _memory(pid)["VmRSS"]
        for run in range(self._repeat):
            used = _cpu_seconds(pid)
            file_id = await self._api_upload()
            self._keep("api_up_cpu", _cpu_seconds(pid) - used)
            if run == 0:
                self.rss = (before, _memory(pid)["VmHWM"])
            await self._direct_upload(run)
            used = _cpu_seconds(pid)
            await self._api_download(file_id)
            self._keep("api_down_cpu", _cpu_seconds(pid) - used)
            await self._direct_download(run)

    async def _api_upload(self) -> str:
        head = (
            "POST /api/v1/files/raw?name=bench.bin HTTP/1.1\r\nHost: bench\r\n"
            f"{self._auth}Content-Type: application/octet-stream\r\n"
            f"Content-Length: {self._total}\r\nConnection: close\r\n\r\n"
        )
        started = time.perf_counter()
        status, body = await asyncio.to_thread(
            _exchange, self._port, head, self._total, self._chunk
        )
        self._keep("api_up", time.perf_counter() - started)
        assert status == 201, body
        return str(json.loads(body)["id"])

    async def _direct_upload(self, run: int) -> None:
        started = time.perf_counter()
        await self._store.put(
            self._tenant_id,
            f"bench/direct-{run}.bin",
            _body(self._total, self._chunk),
            content_type="application/octet-stream",
        )
        self._keep("direct_up", time.perf_counter() - started)

    async def _api_download(self, file_id: str) -> None:
        head = (
            f"GET /api/v1/files/{file_id}/content?stream=true HTTP/1.1\r\nHost: bench\r\n"
            f"{self._auth}Connection: close\r\n\r\n"
        )
        started = time.perf_counter()
        status, count = await asyncio.to_thread(_exchange, self._port, head, sink=True)
        self._keep("api_down", time.perf_counter() - started)
        assert (status, int(count)) == (200, self._total), (status, count)

    async def _direct_download(self, run: int) -> None:
        started = time.perf_counter()
        received = 0
        async for piece in self._store.get(self._tenant_id, f"bench/direct-{run}.bin"):
            received += len(piece)
        self._keep("direct_down", time.perf_counter() - started)
        assert received == self._total, received

    def report(self, report: Report) -> None:
        total, best = self._total, self.best
        figures = {
            "upload_api_mib_s": _rate(total, best["api_up"]),
            "upload_direct_mib_s": _rate(total, best["direct_up"]),
            "upload_ratio": round(best["direct_up"] / best["api_up"], 2),
            "download_api_mib_s": _rate(total, best["api_down"]),
            "download_direct_mib_s": _rate(total, best["direct_down"]),
            "download_ratio": round(best["direct_down"] / best["api_down"], 2),
            "upload_api_cpu_ms_per_mib": round(best["api_up_cpu"] * 1000 / (total / MIB), 2),
            "download_api_cpu_ms_per_mib": round(best["api_down_cpu"] * 1000 / (total / MIB), 2),
            "api_rss_before_mib": round(self.rss[0] / MIB, 1),
            "api_rss_peak_growth_mib": round((self.rss[1] - self.rss[0]) / MIB, 1),
        }
        for key, value in figures.items():
            report.put(key, value)
        report.line(
            f"\n1. upload: API {figures['upload_api_mib_s']} MiB/s, direct "
            f"{figures['upload_direct_mib_s']} MiB/s, ratio {figures['upload_ratio']} "
            "(goal >= 0.7)"
        )
        report.line(
            f"2. download: API {figures['download_api_mib_s']} MiB/s, direct "
            f"{figures['download_direct_mib_s']} MiB/s, ratio {figures['download_ratio']} "
            "(goal >= 0.7)"
        )
        report.line(
            f"3. API RSS: {figures['api_rss_before_mib']} MiB before, peak growth during the "
            f"upload {figures['api_rss_peak_growth_mib']} MiB (goal < 20)"
        )
        report.line(
            f"4. API CPU per MiB (least of the runs): upload "
            f"{figures['upload_api_cpu_ms_per_mib']} ms, download "
            f"{figures['download_api_cpu_ms_per_mib']} ms"
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    return run_bench(run, args, "files bench interrupted; temporary directory removed")


if __name__ == "__main__":
    sys.exit(main())
