"""What a firewall must open for each storage adapter, derived from its settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.system.clock import SystemClock
from plugins.egress import Egress, Side
from plugins.manager import build_plugins
from plugins.registry import AdapterContext


def _egress(backend: str, blocks: dict[str, Any]) -> list[Egress]:
    spec = build_plugins().adapters().get("storage", backend)
    context = AdapterContext(blocks=blocks, clock=SystemClock(), data_dir=Path("var"))
    rules = spec.egress_for(context)
    assert rules is not None
    return rules


def _rules(rules: list[Egress]) -> set[tuple[str, str, int, bool]]:
    return {
        (host, rule.side, port.first, rule.tls)
        for rule in rules
        for host in rule.hosts
        for port in rule.ports
    }


def test_cloud_storage_is_reached_by_servers_and_by_clients_holding_signed_urls() -> None:
    rules = _rules(_egress("gcs", {"gcs": {"bucket": "b"}}))

    assert rules == {
        ("storage.googleapis.com", Side.SERVERS, 443, True),
        ("storage.googleapis.com", Side.CLIENTS, 443, True),
        ("oauth2.googleapis.com", Side.SERVERS, 443, True),
    }


def test_an_s3_compatible_endpoint_replaces_aws_and_plain_http_needs_no_tls() -> None:
    rules = _rules(_egress("s3", {"s3": {"bucket": "b", "endpoint_url": "http://minio.corp:9000"}}))

    assert rules == {
        ("minio.corp", Side.SERVERS, 9000, False),
        ("minio.corp", Side.CLIENTS, 9000, False),
    }


def test_aws_s3_is_the_regional_endpoint_and_its_bucket_subdomains() -> None:
    rules = _rules(_egress("s3", {"s3": {"bucket": "b", "region": "eu-west-3"}}))

    assert ("s3.eu-west-3.amazonaws.com", Side.CLIENTS, 443, True) in rules
    assert ("*.s3.eu-west-3.amazonaws.com", Side.SERVERS, 443, True) in rules


def test_the_local_store_reaches_nothing() -> None:
    assert _egress("local", {}) == []
