"""The requirements as an IT department reads them: a markdown page, clients and servers apart."""

from __future__ import annotations

from collections.abc import Sequence

from apps.network.requirements import Requirement
from plugins.egress import Egress, Side

_INTRO = {
    Side.CLIENTS: (
        "Users' devices (web browsers, the mobile apps and the smart glasses) open these "
        "connections. Allow them from the networks where the apps are used."
    ),
    Side.SERVERS: (
        "The platform's servers (API and worker pods) open these connections. Allow them "
        "from the hosts or cluster that run the platform."
    ),
}
_TITLES = {Side.CLIENTS: "What clients need", Side.SERVERS: "What servers need"}


def rule_cells(rule: Egress) -> tuple[str, str, str, str]:
    """Hosts, ports, protocol and purpose as one table row shows them."""
    hosts = ", ".join(rule.hosts)
    if rule.examples:
        hosts += f" (e.g. {', '.join(rule.examples)})"
    ports = ", ".join(str(port) for port in rule.ports)
    if rule.source_ports:
        ports += f" (from {', '.join(str(port) for port in rule.source_ports)})"
    protocol = f"{rule.transport.value.upper()} {rule.protocol}"
    return hosts, ports, protocol, rule.purpose


def markdown(requirements: Sequence[Requirement], *, deployment: str) -> str:
    """One page: a table per side, then the adapters that declared nothing, if any."""
    lines = [
        f"# Network requirements of {deployment}",
        "",
        "Outbound connections only; nothing needs to be opened inbound on client networks. "
        "Names with `*` are wildcards: allow the whole subdomain, since providers pick the "
        "concrete host at run time.",
    ]
    for side in (Side.CLIENTS, Side.SERVERS):
        rows = [r for r in requirements if r.egress is not None and r.egress.side is side]
        lines += ["", f"## {_TITLES[side]}", "", _INTRO[side], ""]
        if not rows:
            lines.append("Nothing.")
            continue
        lines += ["| hosts | ports | protocol | purpose | used by |", "|---|---|---|---|---|"]
        for row in rows:
            assert row.egress is not None
            cells = (*rule_cells(row.egress), row.source)
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    undeclared = [r.source for r in requirements if not r.declared]
    if undeclared:
        lines += [
            "",
            "## Undeclared",
            "",
            "These adapters do not declare what they reach; ask their provider: "
            + ", ".join(f"`{source}`" for source in undeclared)
            + ".",
        ]
    return "\n".join(lines) + "\n"
