"""The blast-radius table for a terminal (rich), and the per-vendor detail behind ``--vendor``."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from lapse.blast import Impact


def _cell(items: tuple[str, ...], most: int = 5) -> str:
    """One name per line, the first few, then how many more."""
    if not items:
        return "-"
    return "\n".join(items[:most]) + (f"\n+{len(items) - most} more" if len(items) > most else "")


def render(found: list[Impact], *, detail: bool = False, width: int | None = None, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 160, no_color=not color, highlight=False, force_terminal=color)
    if not found:
        console.print("No vendor holds anything lapse knows of: no registrar, nameserver or edge was read.")
        return buffer.getvalue()
    if detail:
        for impact in found:
            _detail(console, impact)
        return buffer.getvalue()
    table = Table(title="If this vendor fails…", show_edge=False, pad_edge=False, header_style="bold")
    for column in ("Vendor", "Lose registration control", "Stop resolving", "Fewer nameservers", "Edge down"):
        table.add_column(column, overflow="fold", no_wrap=True)
    for impact in found:
        table.add_row(
            impact.name + (f"\n{len(impact.critical)} critical" if impact.critical else ""),
            _cell(impact.registration),
            _cell(impact.dns),
            _cell(impact.dns_partial),
            _cell(impact.edge),
        )
    console.print(table)
    console.print("Details: lapse blast-radius --vendor ID · diagram: --diagram mermaid|dot")
    return buffer.getvalue()


def _detail(console: Console, impact: Impact) -> None:
    console.print(f"[bold]If {impact.name} ({impact.vendor}) fails[/bold]")
    rows = (
        ("registration control is lost for", impact.registration, "no renewals, no nameserver or lock changes"),
        ("these domains stop resolving", impact.dns, "every nameserver is there"),
        ("these keep resolving on their other nameservers", impact.dns_partial, ""),
        ("these hostnames lose their edge", impact.edge, "proxied through it"),
        ("hostnames that stop working", impact.hostnames, ""),
    )
    for heading, items, why in rows:
        if not items:
            continue
        console.print(f"  {heading} ({len(items)}{'; ' + why if why else ''}):")
        for item in items:
            mark = "  [red]critical[/red]" if item in impact.critical else ""
            console.print(f"    {item}{mark}")
    if impact.critical:
        console.print(f"  critical domains affected: {', '.join(impact.critical)}")
