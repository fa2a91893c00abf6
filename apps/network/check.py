"""`passerelle network check`: can this machine reach what the deployment needs?

Each concrete host and TCP port is resolved, connected to and, where the protocol starts
with TLS, shaken hands with, every step under a timeout. Wildcards, UDP and port ranges
cannot be probed by connecting: they are reported as not checkable, with the concrete
names (if any) checked in their place.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from apps.network.requirements import Requirement
from plugins.egress import Egress, Transport


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - a check outcome, not a password
    FAIL = "fail"
    NOT_CHECKABLE = "not checkable"


@dataclass(frozen=True, slots=True)
class CheckResult:
    source: str
    target: str
    outcome: Outcome
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "outcome": self.outcome.value}


async def check_requirements(
    requirements: Sequence[Requirement],
    *,
    step_seconds: float,
    tls_context: ssl.SSLContext | None = None,
) -> list[CheckResult]:
    """Every line checked at once; one slow host costs at most ``step_seconds`` per step."""
    context = tls_context or ssl.create_default_context()
    probes: list[asyncio.Task[CheckResult]] = []
    results: list[CheckResult] = []
    for line in requirements:
        if line.egress is None:
            results.append(
                CheckResult(line.source, "-", Outcome.NOT_CHECKABLE, "adapter declares no egress")
            )
            continue
        for target, port, reason in _targets(line.egress):
            if reason:
                results.append(CheckResult(line.source, target, Outcome.NOT_CHECKABLE, reason))
                continue
            probe = _probe(line.source, target, port, line.egress.tls, step_seconds, context)
            probes.append(asyncio.ensure_future(probe))
    return results + list(await asyncio.gather(*probes))


def _targets(rule: Egress) -> list[tuple[str, int, str]]:
    """(host, port, why not checkable or '') for every host and port of a rule."""
    targets: list[tuple[str, int, str]] = []
    for host in rule.hosts:
        for ports in rule.ports:
            label = f"{host}:{ports} {rule.transport.value}"
            if rule.transport is Transport.UDP:
                targets.append((label, 0, "UDP cannot be probed by connecting"))
            elif ports.first != ports.last:
                targets.append((label, 0, "a port range is opened as a whole, not probed"))
            elif "*" in host:
                names = ", ".join(rule.examples) or "none known"
                targets.append((label, 0, f"wildcard; concrete names checked: {names}"))
            else:
                targets.append((host, ports.first, ""))
        if "*" in host:
            targets += [(name, port.first, "") for name in rule.examples for port in rule.ports]
    return targets


async def _probe(
    source: str, host: str, port: int, tls: bool, step_seconds: float, context: ssl.SSLContext
) -> CheckResult:
    target = f"{host}:{port}"
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(step_seconds):
            addresses = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        return CheckResult(
            source, target, Outcome.FAIL, f"name not resolved within {step_seconds}s"
        )
    except socket.gaierror as exc:
        return CheckResult(source, target, Outcome.FAIL, f"name not resolved: {exc.strerror}")
    address = str(addresses[0][4][0])
    try:
        async with asyncio.timeout(step_seconds):
            _, writer = await asyncio.open_connection(address, port)
    except TimeoutError:
        return CheckResult(source, target, Outcome.FAIL, f"no TCP answer within {step_seconds}s")
    except OSError as exc:
        return CheckResult(source, target, Outcome.FAIL, f"TCP connect failed: {exc.strerror}")
    try:
        if tls:
            async with asyncio.timeout(step_seconds):
                await writer.start_tls(context, server_hostname=host)
    except TimeoutError:
        return CheckResult(source, target, Outcome.FAIL, f"no TLS handshake within {step_seconds}s")
    except (ssl.SSLError, OSError) as exc:
        return CheckResult(source, target, Outcome.FAIL, f"TLS handshake failed: {exc}")
    finally:
        writer.close()
    done = f"resolved to {address}, TCP connected" + (", TLS handshake ok" if tls else "")
    return CheckResult(source, target, Outcome.PASS, done)
