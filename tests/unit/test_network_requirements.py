"""Firewall rules come from the configured adapters, what clients and servers need apart."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.memory.clock import FixedClock
from adapters.memory.mail_sender import RecordingMailSender
from apps.config.loading import load_settings
from apps.config.settings import Settings
from apps.network.documents import markdown
from apps.network.requirements import Requirement, network_requirements
from plugins.egress import PortRange, Side, split_host_port
from plugins.hookspecs import hookimpl
from plugins.manager import build_plugins
from plugins.registry import AdapterContext, AdapterRegistry

PRODUCTION = {
    "profile": "production",
    "database": {"url": "postgresql+asyncpg://db.internal:6432/control"},
    "auth": {"jwt_secret": "x" * 40},
    "encryption": {"keys": "dGVzdC1lbmNyeXB0aW9uLWtleS0wMTIzNDU2Nzg5YWI"},
    "api": {"base_domain": "assist.example", "public_url": "https://acme.assist.example"},
    "video": {"backend": "development"},
    "storage": {"backend": "local"},
}


class SilentPlugin:
    """A third-party mail adapter that says nothing about its network use."""

    @hookimpl
    def register_adapters(self, registry: AdapterRegistry) -> None:
        registry.add("mail", "pigeon", lambda _c: RecordingMailSender(), description="by air")


def _requirements(settings: Settings, *extra: object) -> list[Requirement]:
    registry = build_plugins(extra=extra, load_entry_points=False).adapters()
    context = AdapterContext(
        blocks=settings.adapter_blocks(),
        clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)),
        data_dir=Path("var"),
    )
    return network_requirements(settings, registry, context)


def _settings(**overrides: Any) -> Settings:
    return load_settings(**{**PRODUCTION, **overrides})


def _by_source(lines: list[Requirement], source: str) -> list[dict[str, Any]]:
    return [line.as_dict() for line in lines if line.source == source]


def test_default_providers_are_combell_vonage_and_firebase_on_their_ports() -> None:
    lines = _requirements(_settings())
    assert [(r["hosts"], r["ports"]) for r in _by_source(lines, "mail=smtp")] == [
        (["smtp-auth.mailprotect.be"], ["587"])
    ]
    assert [(r["hosts"], r["ports"]) for r in _by_source(lines, "sms=vonage")] == [
        (["rest.nexmo.com"], ["443"])
    ]
    assert {tuple(r["hosts"]) for r in _by_source(lines, "push=fcm")} == {
        ("fcm.googleapis.com",),
        ("oauth2.googleapis.com",),
    }
    assert all(r["side"] == "servers" for r in _by_source(lines, "mail=smtp"))


def test_a_configured_smtp_host_and_port_replace_combells() -> None:
    lines = _requirements(
        _settings(smtp={"host": "relay.corp.example", "port": 465, "security": "tls"})
    )
    [rule] = _by_source(lines, "mail=smtp")
    assert (rule["hosts"], rule["ports"], rule["tls"]) == (["relay.corp.example"], ["465"], True)


def test_a_vonage_host_with_a_port_is_split_into_host_and_port() -> None:
    lines = _requirements(_settings(vonage={"rest_host": "sms-gw.corp.example:8443"}))
    [rule] = _by_source(lines, "sms=vonage")
    assert (rule["hosts"], rule["ports"]) == (["sms-gw.corp.example"], ["8443"])


def test_clients_reach_every_tenant_subdomain_of_the_platform_on_443() -> None:
    lines = _requirements(_settings())
    [platform] = [r for r in _by_source(lines, "platform") if r["side"] == "clients"]
    assert platform["hosts"] == ["*.assist.example"]
    assert platform["ports"] == ["443"]
    assert platform["examples"] == ["acme.assist.example"]
    assert lines[0].egress is not None
    assert lines[0].egress.side is Side.CLIENTS


def test_servers_reach_the_configured_database_server() -> None:
    lines = _requirements(_settings())
    servers = [r for r in _by_source(lines, "platform") if r["side"] == "servers"]
    assert [(r["hosts"], r["ports"]) for r in servers] == [(["db.internal"], ["6432"])]


def test_development_sinks_need_no_network_at_all() -> None:
    lines = _requirements(_settings(mail={"backend": "console"}, sms={"backend": "console"}))
    assert _by_source(lines, "mail=console") == []
    assert _by_source(lines, "sms=console") == []


def test_an_adapter_that_declares_nothing_is_listed_as_undeclared() -> None:
    # Settings as the model reads them: load_settings would refuse "pigeon", which only
    # this test's registry, not an installed plugin, provides.
    lines = _requirements(Settings(**{**PRODUCTION, "mail": {"backend": "pigeon"}}), SilentPlugin())
    assert _by_source(lines, "mail=pigeon") == [{"source": "mail=pigeon", "declared": False}]
    assert not lines[-1].declared
    page = markdown(lines, deployment="acme")
    assert "## Undeclared" in page
    assert "`mail=pigeon`" in page


def test_the_markdown_page_separates_clients_from_servers() -> None:
    page = markdown(_requirements(_settings()), deployment="acme")
    clients, servers = page.split("## What servers need")
    assert "## What clients need" in clients
    assert "*.assist.example (e.g. acme.assist.example) | 443" in clients
    assert "smtp-auth.mailprotect.be" not in clients
    assert "| smtp-auth.mailprotect.be | 587 | TCP smtp (starttls) |" in servers


def test_host_and_port_are_read_as_settings_write_them() -> None:
    assert split_host_port("rest.nexmo.com", 443) == ("rest.nexmo.com", 443)
    assert split_host_port("127.0.0.1:8443", 443) == ("127.0.0.1", 8443)
    assert split_host_port("[::1]:8443", 443) == ("::1", 8443)
    assert str(PortRange(49152, 65535)) == "49152-65535"


def test_opentok_servers_reach_its_api_and_clients_its_media_domains() -> None:
    lines = _by_source(_requirements(_settings(video={"backend": "opentok"})), "video=opentok")
    servers = [(r["hosts"], r["ports"]) for r in lines if r["side"] == "servers"]
    assert servers == [(["api.opentok.com"], ["443"])]
    clients = {
        (tuple(r["hosts"]), r["transport"], tuple(r["ports"]))
        for r in lines
        if r["side"] == "clients"
    }
    media = ("*.tokbox.com", "*.opentok.com")
    assert clients == {
        (media, "tcp", ("443",)),
        (media, "udp", ("3478",)),
        (media, "udp", ("1025-65535",)),
    }


def test_vonage_video_servers_reach_the_configured_video_host() -> None:
    settings = _settings(
        video={"backend": "vonage"}, vonage_video={"video_host": "v.corp.example:8443"}
    )
    servers = [
        r for r in _by_source(_requirements(settings), "video=vonage") if r["side"] == "servers"
    ]
    assert [(r["hosts"], r["ports"], r["tls"]) for r in servers] == [
        (["v.corp.example"], ["8443"], True)
    ]


def test_photon_clients_open_its_documented_ports_from_the_ephemeral_range() -> None:
    settings = _settings(multiplayer={"backend": "photon"}, photon={"app_id": "a"})
    lines = _by_source(_requirements(settings), "multiplayer=photon")
    assert {r["side"] for r in lines} == {"clients"}
    assert all(r["hosts"] == ["*.photonengine.io", "*.exitgames.com"] for r in lines)
    assert all(r["source_ports"] == ["49152-65535"] for r in lines)
    ports = {(r["transport"], port) for r in lines for port in r["ports"]}
    assert {("tcp", "443"), ("udp", "5055-5058"), ("udp", "27000-27002")} <= ports
    page = markdown(_requirements(settings), deployment="acme")
    assert "443, 19090-19093 (from 49152-65535) | TCP wss" in page


def test_development_video_and_rooms_need_no_network() -> None:
    lines = _requirements(_settings(multiplayer={"backend": "development"}))
    assert _by_source(lines, "video=development") == []
    assert _by_source(lines, "multiplayer=development") == []


@pytest.mark.parametrize(("scheme", "tls"), [("redis", False), ("rediss", True)])
def test_the_event_fan_out_reaches_redis_in_its_own_protocol(scheme: str, tls: bool) -> None:
    """A TLS handshake against a plain Redis fails: network check would report it down."""
    settings = _settings(
        events={"backend": "channels"}, redis={"url": f"{scheme}://:pw@cache.internal:6380/0"}
    )

    [rule] = _by_source(_requirements(settings), "events=channels")

    assert (rule["hosts"], rule["ports"], rule["protocol"], rule["tls"]) == (
        ["cache.internal"],
        ["6380"],
        scheme,
        tls,
    )
