"""LAP2xx: monitoring. Auto-renew fails silently; a monitor is what makes the failure loud."""

from __future__ import annotations

from collections.abc import Iterator

from lapse import names
from lapse.estate import DomainView, Estate
from lapse.findings import Severity
from lapse.model import Criticality, MonitorKind
from lapse.policies.rule import (
    Context,
    DomainRule,
    EstateRule,
    Flag,
    Options,
    Outcome,
    Skip,
    options_schema,
)

_CRITICALITIES = [c.value for c in Criticality]


class ExpiryMonitorMissing(DomainRule):
    """No expiry monitor watches the domain.

    ## What it checks
    Whether any monitor of kind `expiry` covers the domain: a monitor whose `covers` list names the
    domain, a name under it, or a glob that matches it. Monitors come from `[[monitors]]` in the
    config and from providers that read health checks.

    ## Why it matters
    The first lesson of the 2024 outage: monitor expiry for every domain, even with auto-renew on.
    Auto-renew failed silently there; an expiry monitor would have paged someone weeks before the
    domain lapsed.

    ## Example
    `example.net` is registered and hosted, but no `[[monitors]]` entry of kind `expiry` covers it.

    ## How to fix
    Add an expiry check in your monitoring system and record it in `lapse.toml`:

        [[monitors]]
        name = "domain-expiry"
        kind = "expiry"
        covers = ["example.net"]

    (A scheduled `lapse scan` in CI is itself an expiry monitor; list it the same way.)

    ## Options
    - `min-criticality` (low|medium|high|critical, default low): check only domains at or above this.

    ## References
    - Auth vendor postmortem, 2024-01: "monitor expiry for every domain".
    """

    code = "LAP201"
    name = "expiry-monitor-missing"
    severity = Severity.MEDIUM
    options = options_schema({"min-criticality": {"enum": _CRITICALITIES, "default": "low"}})

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if domain.criticality.rank < Criticality(options["min-criticality"]).rank:
            return
        if not any(m.kind is MonitorKind.EXPIRY for m in domain.monitors):
            severity = Severity.HIGH if domain.criticality.rank >= Criticality.HIGH.rank else self.severity
            yield Flag(message="no expiry monitor covers this domain", severity=severity)


class UptimeMonitorMissing(DomainRule):
    """A domain that needs a certificate or uptime monitor has none.

    ## What it checks
    For domains whose declared criticality is in `require-for`, whether a monitor of one of `kinds`
    (default certificate or http) covers the domain or a name under it. Off until configured:
    `require-for` defaults to an empty list.

    ## Why it matters
    When the 2024 domain lapsed, TLS failed with an altname mismatch on the parking page's
    certificate. A certificate or HTTP check on the production name turns that into a page within
    minutes instead of a customer report.

    ## Example
    `example.com` is declared critical, `require-for = ["critical"]`, and no http or certificate
    monitor covers it.

    ## How to fix
    Add an HTTP or certificate check (e.g. a Route 53 health check, a Cloudflare health check, or
    your uptime service) and list it under `[[monitors]]` with `kind = "http"` or `"certificate"`.

    ## Options
    - `require-for` (list of criticalities, default []): which domains must have such a monitor.
    - `kinds` (list of monitor kinds, default ["certificate", "http"]): what counts.

    ## References
    - Auth vendor postmortem, 2024-01 (TLS altname mismatch after the domain lapsed).
    """

    code = "LAP202"
    name = "uptime-monitor-missing"
    severity = Severity.MEDIUM
    options = options_schema(
        {
            "require-for": {
                "type": "array",
                "items": {"enum": _CRITICALITIES},
                "uniqueItems": True,
                "default": [],
            },
            "kinds": {
                "type": "array",
                "items": {"enum": [k.value for k in MonitorKind]},
                "minItems": 1,
                "uniqueItems": True,
                "default": ["certificate", "http"],
            },
        }
    )

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if domain.criticality.value not in options["require-for"]:
            return
        kinds = set(options["kinds"])
        if not any(m.kind.value in kinds for m in domain.monitors):
            wanted = " or ".join(sorted(kinds))
            yield Flag(message=f"{domain.criticality} domain has no {wanted} monitor")


class StaleMonitor(EstateRule):
    """A monitor watches a domain that no provider or declaration knows.

    ## What it checks
    For every name a monitor covers, whether that name or a domain above it appears in any
    registration, DNS zone or `[[domains]]` declaration.

    ## Why it matters
    A monitor for a domain nobody holds any more is noise at best; at worst it shows the inventory
    misses a registrar account, so the real domains there go unchecked. Either way the monitoring
    list and the estate have drifted apart.

    ## Example
    A `[[monitors]]` entry covers `old-brand.example` but no registrar, zone or declaration has it.

    ## How to fix
    Remove the monitor if the domain was let go; otherwise add the missing provider account to the
    config or declare the domain under `[[domains]]`.

    ## Options
    None.

    ## References
    - Ruff RUF100 (unused suppressions) for the same idea applied to monitors.
    """

    code = "LAP210"
    name = "stale-monitor"
    severity = Severity.LOW

    def check_estate(self, estate: Estate, options: Options, ctx: Context) -> Iterator[Outcome]:
        inventory = estate.inventory
        if not inventory.monitors:
            return
        if not inventory.registrations and not inventory.zones:
            yield Skip(reason="no provider data to compare the monitors with", target="monitors")
            return
        for monitor in inventory.monitors:
            for pattern in monitor.covers:
                base = names.pattern_base(pattern)
                if base and not estate.knows(base):
                    yield Flag(
                        message=(f"monitor '{monitor.name}' watches {pattern}, which no provider or declaration knows"),
                        target=f"monitor:{monitor.name}:{pattern}",
                        domain=base,
                        source=monitor.source,
                    )
