"""LAP4xx: integrity. The domain points where you think it points, and nobody can take it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from lapse import vendors
from lapse.estate import DomainView, nameserver_vendor
from lapse.findings import Severity
from lapse.model import Zone
from lapse.policies.rule import Context, DomainRule, Flag, Options, Outcome, Skip, escalate, options_schema


class TransferLockOff(DomainRule):
    """The registrar transfer lock is off.

    ## What it checks
    Whether the domain has a transfer lock: the registrar's lock setting, or the
    `clientTransferProhibited` / `serverTransferProhibited` EPP status the registry publishes.

    ## Why it matters
    Without the lock, anyone who obtains the transfer code (phished, leaked, or from a compromised
    registrar account) can move the domain to another registrar, where you no longer control DNS or
    renewal. Hijacked domains are used to serve phishing and intercept mail.

    ## Example
    `example.com` with `TransferLock: false` at Route 53 Domains.

    ## How to fix
    - AWS: `aws route53domains enable-domain-transfer-lock --domain-name example.com`.
    - Cloudflare: Domain Registration → Manage → Domain lock: on (Cloudflare locks by default).
    - Azure: App Service Domains are locked by GoDaddy; contact support if unlocked.
    Some ccTLDs have no transfer lock: list them in `exempt-tlds`.

    ## Options
    - `exempt-tlds` (list of strings, default []): top-level domains without transfer locks.

    ## References
    - RFC 5731 §2.3 (clientTransferProhibited); ICANN Transfer Policy.
    """

    code = "LAP401"
    name = "transfer-lock-off"
    severity = Severity.MEDIUM
    options = options_schema(
        {"exempt-tlds": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "default": []}}
    )

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        tld = domain.name.rsplit(".", 1)[-1]
        if tld in {t.lower().lstrip(".") for t in options["exempt-tlds"]}:
            return
        if not domain.registrations:
            yield Skip(reason="no registration data")
        elif domain.transfer_lock is None:
            yield Skip(reason="no source reported a transfer lock or EPP statuses")
        elif domain.transfer_lock is False:
            yield Flag(
                message="transfer lock is off: the domain can be moved away with its transfer code",
                severity=escalate(self.severity, domain, to=Severity.HIGH),
            )


class DelegationDrift(DomainRule):
    """The delegation differs from the nameservers the DNS provider serves the zone on.

    ## What it checks
    The nameservers the registrar or registry delegate the domain to, against the nameservers the
    DNS zones lapse read for the domain are assigned. A finding when none of the delegated servers
    serves a zone, or when a delegated server belongs to the zone's DNS vendor but is not one it
    assigned (a recreated hosted zone). Servers at vendors lapse did not read count as a secondary
    provider. A delegation to a parking service is always a finding, zone or no zone.

    ## Why it matters
    If the parent zone points elsewhere, every change you make at your DNS provider is invisible
    to the world. It happens after a migration half-done (drift), after the domain lapsed and the
    registrar parked it (the 2024 outage: DNS fell to the registrar's parking page), or after a
    hijack.

    ## Example
    `example.com` delegated to `ns1.sedoparking.com`, while its Route 53 zone is served on
    `ns-1.awsdns-01.org`, ...

    ## How to fix
    Set the delegation at the registrar to the zone's nameservers:
    - AWS: `aws route53domains update-domain-nameservers` with the hosted zone's delegation set.
    - Cloudflare: the zone's Overview page lists its two assigned nameservers.
    - Azure: `az network dns zone show` lists `nameServers`; set them at the registrar.
    A parked delegation after expiry: renew first (LAP113), then restore the nameservers.

    ## Options
    None.

    ## References
    - RFC 1034 §4.2.2 (delegation and zone cuts).
    - Auth vendor postmortem, 2024-01.
    """

    code = "LAP402"
    name = "delegation-drift"
    severity = Severity.HIGH

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        delegated = domain.delegation
        if not delegated:
            yield Skip(reason="registrar and registry reported no delegated nameservers")
            return
        parked = sorted(ns for ns in delegated if vendors.is_parking(vendors.vendor_for_nameserver(ns)))
        if parked:
            yield Flag(
                message=f"delegated to a parking service ({', '.join(parked)}): the domain has lapsed or been taken",
                severity=Severity.CRITICAL,
            )
            return
        zones = [z for z in domain.zones if z.name == domain.name and z.nameservers]
        if not zones:
            yield Skip(reason="no DNS zone with assigned nameservers was read for this domain")
            return
        mismatch = zone_mismatch(delegated, zones)
        if mismatch:
            yield Flag(message=mismatch)


def zone_mismatch(delegated: Sequence[str], zones: Sequence[Zone]) -> str | None:
    """How a delegation disagrees with the zones the DNS providers serve, or None when it does not.

    None of the delegated servers serving a zone is a mismatch; so is a delegated server at a vendor
    whose zone was read but which that vendor did not assign (a recreated hosted zone or a half-done
    migration, answering lame or stale). Servers at vendors not read count as a secondary provider.
    """
    served = {ns for z in zones for ns in z.nameservers}
    where = "; ".join(f"{z.source.describe()}: {', '.join(z.nameservers)}" for z in zones)
    if not served & set(delegated):
        return f"delegated to {', '.join(delegated)}, but the zone is served on {where}"
    zone_vendors = {nameserver_vendor(ns) for ns in served}
    stray = [ns for ns in delegated if ns not in served and nameserver_vendor(ns) in zone_vendors]
    if stray:
        return f"delegated to {', '.join(stray)}, which the DNS provider did not assign (it serves on {where})"
    return None


class DnssecBroken(DomainRule):
    """DNSSEC is broken: the parent's DS records match no key in the zone.

    ## What it checks
    The DS key tags at the parent (registrar or registry) against the zone's DNSKEY key tags. DS
    with an unsigned zone, or DS that matches no DNSKEY, is broken.

    ## Why it matters
    Validating resolvers (most ISPs, 1.1.1.1, 8.8.8.8) then answer SERVFAIL for every name in the
    domain: to most users it looks like the domain vanished. This happens when a zone moves DNS
    provider or rotates keys without updating the DS at the registrar.

    ## Example
    `example.com` has DS key tag 2371 at the registry; the Route 53 zone's only key has tag 40304.

    ## How to fix
    Publish the zone's current DS at the registrar, or remove the DS first and re-enable DNSSEC:
    - AWS: `aws route53 get-dnssec --hosted-zone-id ID` shows the DS to publish;
      `aws route53domains associate-delegation-signer-to-domain` publishes it.
    - Cloudflare: DNS → Settings → DNSSEC shows the DS record.
    - Azure: `az network dns dnssec-config show` shows the signing keys' DS.

    ## Options
    None.

    ## References
    - RFC 4035 §5 (authenticating DNS responses), RFC 7344 (automating DS maintenance).
    """

    code = "LAP403"
    name = "dnssec-broken"
    severity = Severity.CRITICAL

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        ds = domain.ds_key_tags
        if ds is None:
            yield Skip(reason="DS records at the parent are unknown")
            return
        if not ds:
            return  # unsigned delegation: nothing to break
        zone = domain.apex_zone
        if zone is None or zone.dnskey_tags is None:
            yield Skip(reason="the zone's DNSKEYs were not read")
            return
        tags = ", ".join(str(t) for t in sorted(ds))
        if not zone.dnskey_tags:
            yield Flag(message=f"the parent publishes DS ({tags}) but the zone is not signed")
        elif not ds & zone.dnskey_tags:
            keys = ", ".join(str(t) for t in sorted(zone.dnskey_tags))
            yield Flag(message=f"DS key tags {tags} at the parent match no DNSKEY in the zone ({keys})")
