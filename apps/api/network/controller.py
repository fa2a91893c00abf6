"""Operators fetch the firewall rules of the deployment, as JSON or as a markdown page.

Operator-only: the list names every provider the deployment uses, which is nobody
else's business. It is a report of a handful of lines, bounded by the configured
adapters, so it is one document rather than a paginated collection.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency, Provide

from apps.api.dependencies import container_of, provide_operator
from apps.api.schemas import ResponseBody
from apps.network.documents import markdown
from apps.network.requirements import Requirement, configured_requirements
from plugins.egress import Side
from ports.operator_keys import OperatorKey

MARKDOWN = "text/markdown"


class RuleOut(ResponseBody):
    hosts: list[str]
    ports: list[str]
    transport: str
    protocol: str
    tls: bool
    purpose: str
    used_by: str
    examples: list[str] = msgspec.field(default_factory=list)


class NetworkRequirementsOut(ResponseBody):
    clients: list[RuleOut]
    servers: list[RuleOut]
    undeclared: list[str]


def _rules(lines: list[Requirement], side: Side) -> list[RuleOut]:
    return [
        RuleOut(
            hosts=list(line.egress.hosts),
            ports=[str(port) for port in line.egress.ports],
            transport=line.egress.transport.value,
            protocol=line.egress.protocol,
            tls=line.egress.tls,
            purpose=line.egress.purpose,
            used_by=line.source,
            examples=list(line.egress.examples),
        )
        for line in lines
        if line.egress is not None and line.egress.side is side
    ]


@get(
    "/network/requirements",
    tags=["operations"],
    summary="Hosts and ports clients and servers must reach",
    description=(
        "The firewall rules of this deployment's configured adapters, clients and servers "
        "apart; adapters that declare nothing are listed under `undeclared`. "
        "Send `Accept: text/markdown` for a page an IT department can act on."
    ),
    security=[{"OperatorKey": []}],
    dependencies={"operator": Provide(provide_operator)},
)
async def network_requirements(
    request: Request[Any, Any, Any], operator: NamedDependency[OperatorKey]
) -> Response[NetworkRequirementsOut | str]:
    lines = configured_requirements(container_of(request))
    if request.accept.best_match(["application/json", MARKDOWN]) == MARKDOWN:
        host = request.url.hostname or "this deployment"
        return Response(markdown(lines, deployment=host), media_type=MARKDOWN)
    document = NetworkRequirementsOut(
        clients=_rules(lines, Side.CLIENTS),
        servers=_rules(lines, Side.SERVERS),
        undeclared=[line.source for line in lines if not line.declared],
    )
    return Response(document)
