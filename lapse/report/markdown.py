"""Markdown for a CI job summary or a pull-request comment."""

from __future__ import annotations

from lapse.engine import Result
from lapse.report import RenderOptions
from lapse.report.summary import headline, verdict

ICONS = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "🔵", "info": "⚪"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: Result, options: RenderOptions) -> str:
    lines = ["## lapse", "", f"**{headline(result)}** · {verdict(result)}", ""]
    if result.errors:
        lines += ["> [!WARNING]", "> The scan is incomplete; these providers could not be read:"]
        lines += [f"> - `{e.provider}`: {_cell(e.message)}" for e in result.errors]
        lines.append("")
    if result.findings:
        lines += ["| Severity | Rule | Domain | Finding |", "|---|---|---|---|"]
        for f in result.findings:
            icon = ICONS[str(f.severity)]
            lines.append(
                f"| {icon} {f.severity} | `{f.code}` {f.name} | {_cell(f.domain or f.target)} | {_cell(f.message)} |"
            )
        lines.append("")
    if result.not_evaluated:
        lines += [
            f"<details><summary>{len(result.not_evaluated)} checks not evaluated</summary>",
            "",
            "| Rule | Domain | Why |",
            "|---|---|---|",
        ]
        lines += [f"| `{n.code}` | {_cell(n.domain or n.target)} | {_cell(n.reason)} |" for n in result.not_evaluated]
        lines += ["", "</details>", ""]
    if result.waived:
        lines += [f"<details><summary>{len(result.waived)} waived</summary>", ""]
        lines += [f"- `{f.code}` {f.domain or f.target}: {_cell(w.reason)}" for f, w in result.waived]
        lines += ["", "</details>", ""]
    return "\n".join(lines)
