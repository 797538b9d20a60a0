"""The blast radius as a picture: Mermaid (renders in GitHub, GitLab and most wikis) and Graphviz DOT.

Vendors on the left, the domains and hostnames they hold on the right, one arrow per role:
registrar, DNS (all nameservers), DNS (some nameservers, dashed), edge (bold, to the hostname).
Critical domains are outlined in red.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lapse.blast import Impact

REGISTRAR, DNS, DNS_PARTIAL, EDGE = "registrar", "DNS", "DNS, some servers", "edge"


def _edges(found: Iterable[Impact]) -> list[tuple[str, str, str]]:
    """(vendor, target, role) for every arrow; targets are domains, or hostnames for the edge."""
    edges: list[tuple[str, str, str]] = []
    for impact in found:
        edges += [(impact.vendor, d, REGISTRAR) for d in impact.registration]
        edges += [(impact.vendor, d, DNS) for d in impact.dns]
        edges += [(impact.vendor, d, DNS_PARTIAL) for d in impact.dns_partial]
        edges += [(impact.vendor, h, EDGE) for h in impact.edge]
    return edges


def _critical(found: Iterable[Impact]) -> set[str]:
    return {d for impact in found for d in impact.critical}


def _id(prefix: str, text: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", text)


def _mermaid_label(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(found: list[Impact]) -> str:
    lines = [
        "flowchart LR",
        "  classDef vendor fill:#dde7f7,stroke:#33507a,color:#111",
        "  classDef name fill:#fff,stroke:#888,color:#111",
        "  classDef critical fill:#fff,stroke:#c0262d,stroke-width:3px,color:#111",
    ]
    critical = _critical(found)
    for impact in found:
        lines.append(f'  {_id("v_", impact.vendor)}["{_mermaid_label(impact.name)}"]:::vendor')
    targets = dict.fromkeys(target for _, target, _ in _edges(found))
    for target in targets:
        kind = "critical" if target in critical else "name"
        lines.append(f'  {_id("n_", target)}["{_mermaid_label(target)}"]:::{kind}')
    arrows = {REGISTRAR: "-->", DNS: "-->", DNS_PARTIAL: "-.->", EDGE: "==>"}
    for vendor, target, role in _edges(found):
        lines.append(f"  {_id('v_', vendor)} {arrows[role]}|{role}| {_id('n_', target)}")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(found: list[Impact]) -> str:
    lines = [
        "digraph blast_radius {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", label="lapse blast radius: what each vendor takes down", labelloc=t];',
        '  node [fontname="Helvetica", shape=box, style="rounded,filled", fillcolor=white, color="#888888"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    critical = _critical(found)
    for impact in found:
        lines.append(
            f"  {_dot_quote('vendor:' + impact.vendor)} [label={_dot_quote(impact.name)}, "
            'fillcolor="#dde7f7", color="#33507a"];'
        )
    for target in dict.fromkeys(target for _, target, _ in _edges(found)):
        style = ', color="#c0262d", penwidth=3' if target in critical else ""
        lines.append(f"  {_dot_quote('name:' + target)} [label={_dot_quote(target)}{style}];")
    styles = {REGISTRAR: "", DNS: "", DNS_PARTIAL: ", style=dashed", EDGE: ", penwidth=2.5"}
    for vendor, target, role in _edges(found):
        lines.append(
            f"  {_dot_quote('vendor:' + vendor)} -> {_dot_quote('name:' + target)} "
            f"[label={_dot_quote(role)}{styles[role]}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
