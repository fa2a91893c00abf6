"""`network check` resolves, connects and shakes hands with loopback servers, line by line."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import trustme
from typer.testing import CliRunner

from apps.cli.main import app
from apps.network.check import CheckResult, Outcome, check_requirements
from apps.network.requirements import Requirement
from plugins.egress import Egress, PortRange, Side, Transport
from tests.support.network import free_port

Listen = Callable[[ssl.SSLContext | None], Awaitable[int]]


@pytest.fixture
def certificate_authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
async def listening() -> AsyncIterator[Listen]:
    """Start loopback servers that accept and hold connections; closed after the test."""
    servers: list[asyncio.Server] = []

    async def start(tls: ssl.SSLContext | None) -> int:
        async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await asyncio.sleep(0.5)
            writer.close()

        server = await asyncio.start_server(hold, "127.0.0.1", 0, ssl=tls)
        servers.append(server)
        port: int = server.sockets[0].getsockname()[1]
        return port

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def _line(host: str, port: int, *, tls: bool, **extra: object) -> Requirement:
    rule = Egress(
        hosts=(host,),
        ports=(PortRange.single(port),),
        purpose="test",
        side=Side.SERVERS,
        tls=tls,
        **extra,  # type: ignore[arg-type]
    )
    return Requirement("test", rule)


def _client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def _server_context(ca: trustme.CA, name: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


async def _check(*lines: Requirement, ca: trustme.CA | None = None) -> list[CheckResult]:
    context = _client_context(ca) if ca else None
    return await check_requirements(list(lines), step_seconds=2, tls_context=context)


async def test_a_listening_tcp_port_passes(listening: Listen) -> None:
    port = await listening(None)
    [result] = await _check(_line("127.0.0.1", port, tls=False))
    assert result.outcome is Outcome.PASS, result.reason
    assert "TCP connected" in result.reason


async def test_a_tls_server_with_a_trusted_certificate_passes_the_handshake(
    listening: Listen, certificate_authority: trustme.CA
) -> None:
    port = await listening(_server_context(certificate_authority, "localhost"))
    [result] = await _check(_line("localhost", port, tls=True), ca=certificate_authority)
    assert result.outcome is Outcome.PASS, result.reason
    assert "TLS handshake ok" in result.reason


async def test_a_certificate_for_another_name_fails_the_handshake(
    listening: Listen, certificate_authority: trustme.CA
) -> None:
    port = await listening(_server_context(certificate_authority, "other.example"))
    [result] = await _check(_line("localhost", port, tls=True), ca=certificate_authority)
    assert result.outcome is Outcome.FAIL
    assert result.reason.startswith("TLS handshake failed")


async def test_a_plain_server_where_tls_is_expected_fails_the_handshake(
    listening: Listen, certificate_authority: trustme.CA
) -> None:
    port = await listening(None)
    [result] = await _check(_line("localhost", port, tls=True), ca=certificate_authority)
    assert result.outcome is Outcome.FAIL
    assert "TLS" in result.reason


async def test_a_closed_port_fails_with_the_connect_error() -> None:
    [result] = await _check(_line("127.0.0.1", free_port(), tls=False))
    assert result.outcome is Outcome.FAIL
    assert result.reason.startswith("TCP connect failed")


async def test_a_name_that_does_not_resolve_fails() -> None:
    [result] = await _check(_line("no-such-host.invalid", 443, tls=True))
    assert result.outcome is Outcome.FAIL
    assert result.reason.startswith("name not resolved")


async def test_wildcards_are_not_checkable_but_their_concrete_names_are(listening: Listen) -> None:
    port = await listening(None)
    line = _line("*.localhost", port, tls=False, examples=("localhost",))
    wildcard, concrete = sorted(await _check(line), key=lambda r: r.target)
    assert wildcard.outcome is Outcome.NOT_CHECKABLE
    assert "concrete names checked: localhost" in wildcard.reason
    assert (concrete.target, concrete.outcome) == (f"localhost:{port}", Outcome.PASS)


async def test_udp_and_port_ranges_are_reported_as_not_checkable() -> None:
    udp = Requirement(
        "photon",
        Egress(
            hosts=("ns.exitgames.com",),
            ports=(PortRange.single(5058), PortRange(49152, 65535)),
            purpose="test",
            side=Side.CLIENTS,
            transport=Transport.UDP,
            tls=False,
        ),
    )
    results = await _check(udp, Requirement("video=x", None))
    assert [r.outcome for r in results] == [Outcome.NOT_CHECKABLE] * 3
    assert results[-1].reason == "adapter declares no egress"


@pytest.mark.usefixtures("environment")
async def test_the_command_checks_the_configured_relay_and_fails_when_it_is_down(
    listening: Listen, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = await listening(None)
    monkeypatch.setenv("PASSERELLE_MAIL__BACKEND", "smtp")
    monkeypatch.setenv("PASSERELLE_SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("PASSERELLE_SMTP__SECURITY", "none")
    monkeypatch.setenv("PASSERELLE_SMTP__PORT", str(port))
    runner = CliRunner()

    up = await asyncio.to_thread(runner.invoke, app, ["network", "check", "--json"])
    relay = [r for r in json.loads(up.stdout) if r["source"] == "mail=smtp"]
    assert [(r["target"], r["outcome"]) for r in relay] == [(f"127.0.0.1:{port}", "pass")]

    monkeypatch.setenv("PASSERELLE_SMTP__PORT", str(free_port()))
    down = await asyncio.to_thread(runner.invoke, app, ["network", "check", "--json"])
    assert down.exit_code == 1
    relay = [r for r in json.loads(down.stdout) if r["source"] == "mail=smtp"]
    assert relay[0]["outcome"] == "fail"
    assert relay[0]["reason"].startswith("TCP connect failed")


@pytest.mark.usefixtures("environment")
def test_the_requirements_command_prints_json_and_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSERELLE_MAIL__BACKEND", "smtp")
    monkeypatch.setenv("PASSERELLE_SMTP__HOST", "relay.corp.example")
    runner = CliRunner()
    as_json = runner.invoke(app, ["network", "requirements", "--json"])
    assert as_json.exit_code == 0, as_json.output
    relay = [r for r in json.loads(as_json.stdout) if r["source"] == "mail=smtp"]
    assert relay[0]["hosts"] == ["relay.corp.example"]
    page = runner.invoke(app, ["network", "requirements", "--markdown"]).stdout
    assert "## What clients need" in page
    assert "relay.corp.example" in page.split("## What servers need")[1]
