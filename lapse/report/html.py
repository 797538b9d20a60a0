"""One self-contained HTML page: summary, findings by domain, blast radius, renewal calendar.

Made to be opened from a CI artifact: no external CSS, scripts, fonts or images, so it renders the
same offline and under a strict Content-Security-Policy. Everything is autoescaped by Jinja2; the
only script filters findings by severity (``?severity=critical,high`` in the address works too).
"""

from __future__ import annotations

from collections import defaultdict
from importlib import resources
from typing import TYPE_CHECKING, Any

from lapse import __version__
from lapse.findings import SEVERITIES, Finding
from lapse.model import Criticality
from lapse.report import RenderOptions
from lapse.report.summary import headline

if TYPE_CHECKING:
    from lapse.engine import Result

CALENDAR_DAYS = 365


def _groups(result: Result) -> list[dict[str, Any]]:
    """Findings per domain, the domains with the worst finding first; estate-wide ones last."""
    critical = set()
    if result.estate is not None:
        critical = {v.name for v in result.estate.domains if v.criticality is Criticality.CRITICAL}
    by_domain: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_domain[finding.domain or "estate-wide"].append(finding)

    def order(item: tuple[str, list[Finding]]) -> tuple[bool, int, bool, str]:
        name, found = item
        return (name == "estate-wide", -max(f.severity.rank for f in found), name not in critical, name)

    return [
        {"name": name, "findings": found, "critical": name in critical}
        for name, found in sorted(by_domain.items(), key=order)
    ]


def render(result: Result, options: RenderOptions) -> str:
    from jinja2 import Environment, StrictUndefined, select_autoescape

    from lapse import blast, renewals

    environment = Environment(autoescape=select_autoescape(default=True), undefined=StrictUndefined)
    template = environment.from_string(
        resources.files("lapse.report").joinpath("report.html.j2").read_text(encoding="utf-8")
    )
    counts = result.counts()
    estate = result.estate
    return template.render(
        version=__version__,
        now=result.now.strftime("%Y-%m-%d %H:%M UTC"),
        now_dt=result.now,
        headline=headline(result),
        complete=result.complete,
        failing=len(result.failing),
        fail_on=str(result.fail_on),
        domain_count=result.domain_count,
        rule_count=len(result.rules),
        inputs=list(result.inputs),
        errors=result.errors,
        counts=[(str(s), counts[s]) for s in reversed(SEVERITIES)],
        groups=_groups(result),
        waived=result.waived,
        not_evaluated=result.not_evaluated if options.verbose else (),
        impacts=blast.impacts(estate) if estate is not None else [],
        renewals=(
            renewals.upcoming(estate, now=result.now, days=CALENDAR_DAYS, window_days=result.renewal_window)
            if estate is not None
            else []
        ),
    )
