"""The upcoming-renewals table for a terminal."""

from __future__ import annotations

import io
from datetime import datetime

from rich.console import Console
from rich.table import Table

from lapse.renewals import Renewal


def _auto(value: bool | None) -> str:
    return {True: "on", False: "[bold red]OFF[/bold red]", None: "[yellow]unknown[/yellow]"}[value]


def render(found: list[Renewal], *, now: datetime, days: int, color: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, no_color=not color, highlight=False, force_terminal=color)
    if not found:
        console.print(f"No domain with a known expiry in the next {days} days.")
        return buffer.getvalue()
    table = Table(title=f"Expiries in the next {days} days", show_edge=False, pad_edge=False, header_style="bold")
    for column in ("Expires", "In", "Domain", "Auto-renew", "Renewed by", "Registrar", "Owner"):
        table.add_column(column, overflow="fold", justify="right" if column == "In" else "left")
    for r in found:
        left = r.days_left(now)
        when = f"[bold red]{-left} days ago[/bold red]" if left < 0 else f"{left} days"
        domain = r.domain + (" [red](critical)[/red]" if r.criticality == "critical" else "")
        table.add_row(
            r.expires.date().isoformat(),
            when,
            domain,
            _auto(r.auto_renew),
            r.renew_by.date().isoformat(),
            r.registrar or "-",
            r.owner or "-",
        )
    console.print(table)
    return buffer.getvalue()
