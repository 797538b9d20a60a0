"""The default report on a terminal: one rich table a person can scan in seconds."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lapse.engine import Result
from lapse.findings import Severity
from lapse.report import RenderOptions
from lapse.report.summary import headline, verdict

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(result: Result, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
    )
    for error in result.errors:
        account = f" ({error.account})" if error.account else ""
        console.print(Text(f"! {error.provider}{account}: {error.message}", style="bold red"))
    if result.findings:
        table = Table(show_edge=False, pad_edge=False, expand=False, header_style="bold")
        table.add_column("Severity", no_wrap=True)
        table.add_column("Rule", no_wrap=True)
        table.add_column("Domain", overflow="fold")
        table.add_column("Finding", overflow="fold")
        for f in result.findings:
            table.add_row(
                Text(str(f.severity), style=STYLES[f.severity]),
                f"{f.code} {f.name}",
                f.domain or f.target,
                f.message,
            )
        console.print(table)
    if options.verbose and result.not_evaluated:
        skipped = Table(title="Not evaluated", show_edge=False, pad_edge=False, header_style="bold")
        skipped.add_column("Rule", no_wrap=True)
        skipped.add_column("Domain", overflow="fold")
        skipped.add_column("Why", overflow="fold")
        for n in result.not_evaluated:
            skipped.add_row(f"{n.code} {n.name}", n.domain or n.target, n.reason)
        console.print(skipped)
    if options.verbose:
        for note in result.notes:
            where = f" {note.domain}:" if note.domain else ""
            console.print(Text(f"note: {note.provider}:{where} {note.message}", style="dim"))
    summary = Text(headline(result))
    summary.append(f" · {verdict(result)}", style="bold" if result.exit_code else "green")
    console.print(summary)
    if result.not_evaluated and not options.verbose:
        console.print(Text("(-v lists what was not evaluated and why)", style="dim"))
    return buffer.getvalue()
