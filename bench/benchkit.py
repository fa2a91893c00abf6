"""What every benchmark script shares: the report, percentiles, the machine, the runner."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

ENCRYPTION_KEY = "YmVuY2gtZW5jcnlwdGlvbi1rZXktMDEyMzQ1Njc4OWE"
"""Seals the webhook secrets of a run's throwaway tenants (encryption.keys)."""

PUBLIC_URL = "http://127.0.0.1:8000"
"""api.public_url, which the production profile needs; no bench follows a link to it."""


class Report:
    """Figures for --json, and the same figures as lines of text otherwise."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.data: dict[str, Any] = {}

    def line(self, text: str = "") -> None:
        if not self.as_json:
            print(text, flush=True)

    def put(self, key: str, value: Any) -> None:
        self.data[key] = value


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentile(ordered: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def process_cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process so far (``/proc/<pid>/stat``); None where /proc
    does not say. CPU per request moves less with the machine's other load than rates do."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float | None:
    """CPU time of this machine's PostgreSQL so far: its live processes, plus the backends
    that have exited (counted in the postmaster's reaped-children times). None where /proc
    shows no PostgreSQL (a server elsewhere, or another OS)."""
    ticks, found = 0, False
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        name, _, rest = stat.partition("(")[2].rpartition(")")
        if name != "postgres":
            continue
        fields = rest.split()
        found = True
        ticks += int(fields[11]) + int(fields[12])
        if fields[1] == "1":  # the postmaster: add the backends it has reaped
            ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


def asyncpg_dsn(url: URL, database: str | None = None) -> dict[str, Any]:
    return {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username,
        "password": url.password,
        "database": database or url.database or "postgres",
    }


def run_bench(
    run: Callable[[Any, Report], Awaitable[None]],
    args: Any,
    interrupted: str,
) -> int:
    """Run a benchmark; Ctrl-C exits 130 after the script's own clean-up."""
    report = Report(as_json=args.json)
    try:
        asyncio.run(run(args, report))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print(interrupted, file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(report.data, indent=2))
    return 0
