"""LAP3xx: vendors. Know where one vendor is a single point of failure."""

from __future__ import annotations

from collections.abc import Iterator

from lapse import vendors
from lapse.estate import DomainView, Estate
from lapse.findings import Severity
from lapse.policies.rule import (
    Context,
    DomainRule,
    EstateRule,
    Flag,
    Options,
    Outcome,
    Skip,
    escalate,
    options_schema,
)


def _names(vendor_ids: frozenset[str]) -> str:
    return ", ".join(vendors.display_name(v) for v in sorted(vendor_ids))


class SingleVendorNameservers(DomainRule):
    """Every authoritative nameserver of the domain is at one DNS vendor.

    ## What it checks
    The vendors behind the domain's nameservers (the delegation the registrar or registry reports,
    else the DNS zone's assigned nameservers), derived from the nameserver hostnames through lapse's
    vendor table. Fewer than `min-vendors` distinct vendors is a finding.

    ## Why it matters
    When that vendor's DNS fails, the domain stops resolving for everyone at once; the 2016 Dyn
    attack took down many large sites that way. Secondary DNS at a second vendor keeps answers
    flowing through such an outage.

    ## Example
    `example.com` delegated to four `awsdns` nameservers only.

    ## How to fix
    Add a secondary DNS provider and list its nameservers in the delegation:
    - AWS: keep Route 53 as primary and add a provider that supports zone transfers or API sync
      (e.g. octoDNS to push the same records to both).
    - Cloudflare: use Cloudflare secondary DNS or multi-provider DNS (Enterprise), or push the
      zone to another provider with octoDNS.
    - Azure: Azure DNS has no outgoing zone transfer; sync records to a second provider.

    ## Options
    - `min-vendors` (integer, default 2): how many distinct DNS vendors are required.

    ## References
    - RFC 2182 (selection and operation of secondary DNS servers).
    """

    code = "LAP301"
    name = "single-vendor-nameservers"
    severity = Severity.LOW
    options = options_schema({"min-vendors": {"type": "integer", "minimum": 1, "maximum": 8, "default": 2}})

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.nameservers:
            yield Skip(reason="no nameservers known (no delegation reported, no zone read)")
            return
        found = domain.dns_vendors
        if all(vendors.is_parking(v) for v in found):
            return  # parked: LAP402 reports the lapse, redundancy is moot
        if len(found) < options["min-vendors"]:
            yield Flag(
                message=(
                    f"all {len(domain.nameservers)} nameservers are at {_names(found)}: "
                    "an outage there takes the domain off the internet"
                ),
                severity=escalate(self.severity, domain, to=Severity.MEDIUM),
            )


class SingleVendorStack(DomainRule):
    """Registrar, DNS and edge for the domain are all one vendor.

    ## What it checks
    Whether the registrar's vendor, every nameserver's vendor and every proxied record's edge vendor
    are one and the same. Domains with no proxied records have no edge and are not flagged.

    ## Why it matters
    One vendor then holds every layer: an outage, an account suspension or a billing problem there
    takes away the name, its answers and its traffic at once, and leaves no layer from which to
    route around. In 2025 a Cloudflare Workers KV outage broke an auth vendor's request routing
    because everything sat on that edge.

    ## Example
    `example.com` registered at Cloudflare Registrar, on Cloudflare nameservers, with proxied records.

    ## How to fix
    Split at least one layer: keep the registration at a registrar that is not your DNS or edge
    vendor (e.g. a corporate registrar), or add a secondary DNS provider (LAP301), and keep a
    tested DNS-only fallback for proxied names.

    ## Options
    None.

    ## References
    - Auth vendor postmortem, 2025-06 (Cloudflare Workers KV outage).
    """

    code = "LAP302"
    name = "single-vendor-stack"
    severity = Severity.MEDIUM

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.registrations:
            yield Skip(reason="no registration data: the registrar is unknown")
            return
        if domain.registrar_vendor is None:
            who = domain.registrar or "not reported"
            yield Skip(reason=f"registrar ({who}) is not in lapse's vendor table")
            return
        if not domain.nameservers:
            yield Skip(reason="no nameservers known")
            return
        edges = domain.edge_vendors
        everything = {domain.registrar_vendor} | domain.dns_vendors | edges
        if edges and len(everything) == 1:
            yield Flag(
                message=f"registrar, DNS and edge are all {_names(frozenset(everything))}",
                severity=escalate(self.severity, domain, to=Severity.HIGH),
            )


class VendorBlastRadius(EstateRule):
    """What each vendor takes down if it fails: a summary per vendor.

    ## What it checks
    For every vendor, how many domains it is registrar for, serves DNS for, or is the edge of;
    one informational finding per vendor that holds at least `min-domains` domains.

    ## Why it matters
    Outages are per vendor, not per domain. Knowing that one vendor holds 40 domains, 6 of them
    critical, is what turns a vendor status page into a decision. The 2025 outage came from not
    knowing where one vendor was a single point of failure.

    ## Example
    "Cloudflare: registrar for 3, DNS for 12, edge for 4 — 12 domains (2 critical)".

    ## How to fix
    Nothing to fix by itself: use it to pick where a second vendor (LAP301, LAP302) matters most.

    ## Options
    - `min-domains` (integer, default 1): report vendors holding at least this many domains.

    ## References
    - Auth vendor postmortem, 2025-06.
    """

    code = "LAP310"
    name = "vendor-blast-radius"
    severity = Severity.INFO
    options = options_schema({"min-domains": {"type": "integer", "minimum": 1, "default": 1}})

    def check_estate(self, estate: Estate, options: Options, ctx: Context) -> Iterator[Outcome]:
        from lapse.blast import impacts

        for impact in sorted(impacts(estate), key=lambda i: i.vendor):
            domains = impact.domains
            if len(domains) < options["min-domains"]:
                continue
            counts = (
                ("registrar", len(impact.registration)),
                ("DNS", len(impact.dns) + len(impact.dns_partial)),
                ("edge", len(impact.edge_domains)),
            )
            parts = ", ".join(f"{role} for {n}" for role, n in counts if n)
            crit = f" ({len(impact.critical)} critical)" if impact.critical else ""
            plural = len(domains) != 1
            yield Flag(
                message=(
                    f"{impact.name}: {parts}; {len(domains)} domain{'s' if plural else ''}{crit} "
                    f"depend{'' if plural else 's'} on it (lapse blast-radius --vendor {impact.vendor})"
                ),
                target=f"vendor:{impact.vendor}",
            )
