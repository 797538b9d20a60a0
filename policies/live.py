"""LAP5xx: live truth. What the parent zone and the served certificates say, not what the consoles say.

These rules read what ``lapse scan`` saw on the wire (the ``dns`` and ``tls`` probes). They are as
pure as the rest: the probes did the asking, the snapshot holds the answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from lapse import vendors
from lapse.estate import DomainView, Estate, nameserver_vendor
from lapse.findings import Severity
from lapse.model import CertificateCheck, LiveDelegation
from lapse.policies.integrity import zone_mismatch
from lapse.policies.rule import Context, DomainRule, Flag, Options, Outcome, Skip, day, escalate, options_schema

_NOT_PROBED = "no live delegation was read (enable [providers.dns] and run lapse scan)"


class _DelegationRule(DomainRule):
    """A rule over the dns probe's answers: not evaluated at all when no input has any."""

    def unavailable(self, estate: Estate) -> str | None:
        return None if estate.inventory.delegations else _NOT_PROBED


def _live(domain: DomainView) -> LiveDelegation | Skip:
    live = domain.live
    if live is None:
        return Skip(reason=_NOT_PROBED)
    if live.error:
        return Skip(reason=f"the parent zone gave no delegation: {live.error}")
    return live


class LiveDelegationParked(_DelegationRule):
    """The parent zone delegates the domain to a parking service.

    ## What it checks
    The nameservers the parent zone's own servers (the `.com` servers for `example.com`) hand out
    for the domain, asked directly: if any belongs to a parking or expired-domain service in lapse's
    vendor table, the whole internet is being sent there now.

    ## Why it matters
    It is what an expired domain does: the registrar swaps the delegation to its parking page and
    every name under the domain stops serving your content. In the 2024 outage the domain fell to
    the registrar's parking page and TLS then failed with an altname mismatch; nine hours down.
    Consoles can lag the registry; the parent zone is what resolvers follow.

    ## Example
    `.com` servers answer `example.com NS ns1.sedoparking.com`.

    ## How to fix
    Renew the domain at once (LAP113 shows the status), then restore the nameservers at the
    registrar; resolvers follow the parent's NS TTL (often two days for `.com`).

    ## Options
    None.

    ## References
    - RFC 1034 §4.2.2 (delegation); ICANN Expired Registration Recovery Policy.
    - Auth vendor postmortem, 2024-01.
    """

    code = "LAP501"
    name = "live-delegation-parked"
    severity = Severity.CRITICAL

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        live = _live(domain)
        if isinstance(live, Skip):
            yield live
            return
        parked = [ns for ns in live.nameservers if vendors.is_parking(vendors.vendor_for_nameserver(ns))]
        if parked:
            yield Flag(
                message=(
                    f"the .{live.parent} servers delegate it to a parking service ({', '.join(parked)}): "
                    "the domain has lapsed or been taken, and nothing under it serves your content"
                )
            )


class LiveDelegationDiffers(_DelegationRule):
    """The live delegation differs from what the registrar, registry or DNS provider say.

    ## What it checks
    The nameserver set the parent zone's servers hand out, against each one that was read: the
    registrar's and the registry's (RDAP) nameservers must be the same set; against the nameservers
    the DNS provider assigned to the zone it applies LAP402's test (a secondary provider is fine, a
    server the provider did not assign is not). Also a finding when the parent has no delegation at
    all (NXDOMAIN).

    ## Why it matters
    Resolvers follow the parent zone, not the console. A registrar change that never reached the
    registry, a registry that still lists last year's DNS provider, or a domain deleted at the
    registry all look fine in the dashboard and fail for real users.

    ## Example
    Route 53 Domains lists `ns-1.awsdns-01.org`; the `.com` servers still delegate to
    `ns1.old-provider.net`.

    ## How to fix
    Set the nameservers again at the registrar and confirm with
    `dig +norec NS example.com @a.gtld-servers.net`; if the registry rejects the update, open a
    ticket with the registrar. A missing delegation: check LAP113 and the registrar account.

    ## Options
    None.

    ## References
    - RFC 1034 §4.2.2; RFC 7477 (child-to-parent synchronisation).
    """

    code = "LAP502"
    name = "live-delegation-differs"
    severity = Severity.HIGH

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        live = domain.live
        if live is None:
            yield Skip(reason=_NOT_PROBED)
            return
        if live.error:
            yield Flag(
                message=f"the .{live.parent} servers have no delegation for it: {live.error}",
                severity=escalate(Severity.HIGH, domain, to=Severity.CRITICAL),
            )
            return
        seen = set(live.nameservers)
        registered = [r for r in domain.registrations if r.nameservers]
        zones = [z for z in domain.zones if z.name == domain.name and z.nameservers]
        if not registered and not zones:
            yield Skip(reason="no registrar, registry or DNS provider nameservers to compare with")
            return
        said = [
            f"the {'registry' if r.source.provider == 'rdap' else 'registrar'} ({r.source.describe()}) says "
            + ", ".join(sorted(r.nameservers))
            for r in registered
            if set(r.nameservers) != seen
        ]
        parent = f"the .{live.parent} servers"
        if said:
            yield Flag(message=f"{parent} delegate to {', '.join(sorted(seen))}, but {'; '.join(said)}")
        elif zones:
            mismatch = zone_mismatch(live.nameservers, zones)
            if mismatch:
                yield Flag(message=f"{parent}: {mismatch}")


class LameDelegation(_DelegationRule):
    """A delegated nameserver does not answer authoritatively for the domain.

    ## What it checks
    Every nameserver the parent delegates to is asked for the domain's SOA at each of its
    addresses, without recursion. A refusal, a timeout, an error, an answer without the
    authoritative flag, or no address at all makes that server lame.

    ## Why it matters
    Resolvers pick delegated servers at random: each lame one adds timeouts and retries to a share
    of lookups, and when the working ones fail there is nothing left. A lame server at another
    vendor is also what a half-finished migration or a deleted hosted zone leaves behind, and a
    deleted zone at a shared DNS host can be claimed by someone else (subdomain takeover).

    ## Example
    `ns2.example.net` answers `REFUSED` for `example.com`.

    ## How to fix
    Create the zone on that server (or restore the deleted hosted zone), or remove the server from
    the delegation at the registrar.

    ## Options
    None.

    ## References
    - RFC 1912 §2.8 (lame delegations); RFC 8499 ("lame delegation").
    """

    code = "LAP503"
    name = "lame-delegation"
    severity = Severity.MEDIUM

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        live = _live(domain)
        if isinstance(live, Skip):
            yield live
            return
        lame = [s for s in live.servers if s.lame]
        if not lame:
            return
        what = "; ".join(f"{s.name}: {s.lame}" for s in lame)
        if len(lame) == len(live.servers):
            yield Flag(message=f"no delegated nameserver answers for it ({what})", severity=Severity.CRITICAL)
        else:
            yield Flag(
                message=f"{len(lame)} of {len(live.servers)} delegated nameservers are lame ({what})",
                severity=escalate(self.severity, domain, to=Severity.HIGH),
            )


def _network(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) an address sits in: a rough stand-in for "one network"."""
    import ipaddress

    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class NameserverNetworkDiversity(_DelegationRule):
    """All of the domain's nameservers sit in one network.

    ## What it checks
    The IPv4 addresses of the delegated nameservers grouped by /24 prefix (IPv6 by /48 when no server
    has IPv4). Fewer than `min-networks` distinct prefixes is a finding. Nameservers of anycast DNS vendors (Route 53,
    Cloudflare, Azure DNS, Google Cloud DNS, NS1, …) are skipped: each of their addresses is
    announced from many sites, so one prefix is how they are built; LAP301 asks for a second vendor
    instead.

    ## Why it matters
    Two nameservers in one subnet share a router, a data centre and an upstream: one fault takes
    both away, and the domain with them. RFC 2182 asks for servers that are topologically and
    geographically apart.

    ## Example
    `ns1.example.com` at 192.0.2.10 and `ns2.example.com` at 192.0.2.11.

    ## How to fix
    Move one nameserver to another network or site, or add a secondary DNS provider.

    ## Options
    - `min-networks` (integer, default 2): distinct networks required.

    ## References
    - RFC 2182 §3.1 (selection of secondary servers); BCP 16.
    """

    code = "LAP504"
    name = "nameserver-network-diversity"
    severity = Severity.MEDIUM
    options = options_schema({"min-networks": {"type": "integer", "minimum": 1, "maximum": 8, "default": 2}})

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        live = _live(domain)
        if isinstance(live, Skip):
            yield live
            return
        servers = [s for s in live.servers if not vendors.is_anycast(nameserver_vendor(s.name))]
        if not servers:
            return
        addresses = {a for s in servers for a in s.addresses}
        if not addresses:
            yield Skip(reason="no nameserver address was found")
            return
        # compare like with like: IPv4 networks when there are IPv4 addresses, else IPv6 ones
        v4 = {a for a in addresses if ":" not in a}
        networks = sorted({_network(a) for a in (v4 or addresses)})
        if len(networks) < options["min-networks"]:
            yield Flag(
                message=(
                    f"all {len(servers)} nameservers ({', '.join(s.name for s in servers)}) are in "
                    f"{', '.join(networks)}: one network fault takes the domain's DNS away"
                ),
                severity=escalate(self.severity, domain, to=Severity.HIGH),
            )


class LiveDnssecMismatch(_DelegationRule):
    """The parent's DS records match none of the DNSKEYs the zone's servers publish.

    ## What it checks
    The DS records the parent zone's servers hold for the domain against the DNSKEY set one of the
    domain's own servers answers with, by digest, not only by key tag. No DS matching any key, or DS
    over an unsigned zone, is a finding. An unsigned delegation (no DS) is not.

    ## Why it matters
    Validating resolvers (most ISPs, 1.1.1.1, 8.8.8.8) then answer SERVFAIL for every name in the
    domain: to most users it looks like the domain vanished. It happens when a zone moves provider
    or rolls its keys without the DS at the registrar following.

    ## Example
    `.com` holds DS 2371 for `example.com`; the zone's servers publish only key 40304.

    ## How to fix
    Publish the DS for the zone's current key at the registrar (AWS:
    `aws route53 get-dnssec`; Cloudflare: DNS → Settings → DNSSEC), or remove the DS and re-sign.

    ## Options
    None.

    ## References
    - RFC 4035 §5; RFC 6781 (DNSSEC operational practices, key rollover).
    """

    code = "LAP505"
    name = "live-dnssec-mismatch"
    severity = Severity.CRITICAL

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        live = _live(domain)
        if isinstance(live, Skip):
            yield live
            return
        if not live.ds_key_tags:
            return
        if live.dnskey_tags is None:
            yield Skip(reason="the zone's DNSKEYs could not be read from its servers")
            return
        ds = ", ".join(str(t) for t in sorted(live.ds_key_tags))
        if not live.dnskey_tags:
            yield Flag(message=f"the .{live.parent} servers hold DS {ds} but the zone's servers publish no DNSKEY")
        elif not live.ds_matched:
            keys = ", ".join(str(t) for t in sorted(live.dnskey_tags))
            yield Flag(message=f"DS {ds} at the .{live.parent} servers matches none of the zone's DNSKEYs ({keys})")


# -- TLS --------------------------------------------------------------------------------------------

_NOT_CONNECTED = "no certificate was read (list hostnames, enable [providers.tls] and run lapse scan)"


class _CertificateRule(DomainRule):
    """A rule over the tls probe's answers: not evaluated at all when no input has any."""

    def unavailable(self, estate: Estate) -> str | None:
        return None if estate.inventory.certificates else _NOT_CONNECTED


def covers(pattern: str, hostname: str) -> bool:
    """Whether a certificate name covers a hostname: exact, or a wildcard for exactly one label."""
    pattern = pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = hostname.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == hostname


def _certificates(domain: DomainView) -> list[CertificateCheck] | Skip:
    if not domain.certificates:
        return Skip(reason=_NOT_CONNECTED)
    return [c for c in domain.certificates if c.error is None]


class CertificateNameMismatch(_CertificateRule):
    """The certificate a hostname serves does not cover that hostname.

    ## What it checks
    The subjectAltName DNS names of the certificate each checked hostname served (declared
    `hostnames` and proxied records), with one-label wildcards as browsers apply them.

    ## Why it matters
    Every browser and HTTP client refuses the connection: "Hostname/IP does not match certificate's
    altnames". In the 2024 outage the expired domain's parking page served its own certificate, and
    this altname error is what clients hit, crashing a proxy module that did not catch it.

    ## Example
    `api.example.com` serves a certificate for `*.parkingcrew.net`.

    ## How to fix
    Issue a certificate that lists the hostname (or a wildcard one label above it) and deploy it
    where the hostname terminates TLS; if the host now serves someone else's certificate, check
    LAP501 and LAP502 first.

    ## Options
    None.

    ## References
    - RFC 6125 §6.4 (matching the DNS domain name portion); RFC 5280 §4.2.1.6.
    - Auth vendor postmortem, 2024-01.
    """

    code = "LAP510"
    name = "tls-name-mismatch"
    severity = Severity.HIGH

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        seen = _certificates(domain)
        if isinstance(seen, Skip):
            yield seen
            return
        for cert in seen:
            if not any(covers(n, cert.hostname) for n in cert.names):
                listed = ", ".join(cert.names[:5]) + (" …" if len(cert.names) > 5 else "") or "no DNS names"
                yield Flag(
                    message=(
                        f"{cert.hostname} serves a certificate for {listed}: clients refuse it (the hostname does "
                        "not match the certificate's altnames)"
                    ),
                    target=cert.hostname,
                    severity=escalate(self.severity, domain, to=Severity.CRITICAL),
                )


class CertificateExpiring(_CertificateRule):
    """The certificate a hostname serves expires soon, or has expired.

    ## What it checks
    The `notAfter` of the certificate each checked hostname served, against `days`.

    ## Why it matters
    An expired certificate breaks every client at once, on a date known months ahead. Automated
    renewal (ACME, managed certificates) fails quietly: a DNS-01 challenge against a moved zone, a
    CAA record, a removed validation CNAME.

    ## Example
    `www.example.com` serves a certificate that expires in 6 days.

    ## How to fix
    Find why automatic renewal stopped (the ACME client's log, the managed certificate's status in
    ACM, Cloudflare or App Service) and renew now.

    ## Options
    - `days` (integer, default 14): flag certificates that expire within this many days.

    ## References
    - RFC 5280 §4.1.2.5 (validity); RFC 8555 (ACME).
    """

    code = "LAP511"
    name = "tls-expiring"
    severity = Severity.HIGH
    options = options_schema({"days": {"type": "integer", "minimum": 1, "maximum": 365, "default": 14}})

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        seen = _certificates(domain)
        if isinstance(seen, Skip):
            yield seen
            return
        window = timedelta(days=options["days"])
        for cert in seen:
            if cert.not_after is None:
                continue
            left = cert.not_after - ctx.now
            if left <= timedelta(0):
                yield Flag(
                    message=f"{cert.hostname} serves a certificate that expired on {day(cert.not_after)}",
                    target=cert.hostname,
                    severity=Severity.CRITICAL,
                )
            elif left <= window:
                yield Flag(
                    message=(
                        f"{cert.hostname} serves a certificate that expires on {day(cert.not_after)} "
                        f"(in {left.days} days)"
                    ),
                    target=cert.hostname,
                )


class CertificateUnusable(_CertificateRule):
    """A hostname serves no usable certificate: no connection, no handshake, or untrusted.

    ## What it checks
    The TLS connection to each checked hostname on the configured port: a refused or timed-out
    connection, a failed handshake, or a chain the system's trust store (plus any configured CA
    file) does not trust.

    ## Why it matters
    Clients see the same failure. An untrusted chain is often a missing intermediate, which some
    clients tolerate and others (mobile apps, API clients) do not, so it breaks for a share of
    users only and takes long to notice.

    ## Example
    `api.example.com`: "unable to get local issuer certificate".

    ## How to fix
    Serve the full chain (leaf and intermediates) from a publicly trusted CA; check the listener
    is up on the hostname's addresses.

    ## Options
    None.

    ## References
    - RFC 5246 §7.4.2 and RFC 8446 §4.4.2 (the certificate chain a server sends).
    """

    code = "LAP512"
    name = "tls-unusable"
    severity = Severity.HIGH

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.certificates:
            yield Skip(reason=_NOT_CONNECTED)
            return
        for cert in domain.certificates:
            where = f" at {cert.address}" if cert.address else ""
            if cert.error:
                yield Flag(message=f"{cert.hostname}{where}: {cert.error}", target=cert.hostname)
            elif cert.untrusted:
                yield Flag(
                    message=f"{cert.hostname}{where} serves a certificate clients do not trust: {cert.untrusted}",
                    target=cert.hostname,
                )
