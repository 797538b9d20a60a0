"""The normalized inventory every provider produces and every rule reads.

Frozen all the way down, so a rule cannot change what another rule sees and an inventory can be
shared between threads during a scan. ``None`` always means "no source told us", never "false".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

import msgspec


class Criticality(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _CRITICALITY_ORDER.index(self)


_CRITICALITY_ORDER = (Criticality.LOW, Criticality.MEDIUM, Criticality.HIGH, Criticality.CRITICAL)


class MonitorKind(enum.StrEnum):
    EXPIRY = "expiry"
    CERTIFICATE = "certificate"
    HTTP = "http"
    DNS = "dns"


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Where an item came from: which provider, which account, when it was read, from which file."""

    provider: str
    account: str | None = None
    read_at: datetime | None = None
    #: the repository file that declares the item (snapshot, config, stack export); set on load
    file: str | None = field(default=None, compare=False)

    def describe(self) -> str:
        account = f" ({self.account})" if self.account else ""
        return f"{self.provider}{account}"


class RenewalFailure(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Evidence from a provider that a renewal was tried and did not go through."""

    at: datetime | None
    reason: str


class Registration(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What one registrar or registry says about one registered domain."""

    domain: str
    source: Source
    registrar: str | None = None
    registrar_iana_id: str | None = None
    created: datetime | None = None
    expires: datetime | None = None
    auto_renew: bool | None = None
    #: years bought at the last registration or renewal, when the source says
    term_years: int | None = None
    transfer_lock: bool | None = None
    #: EPP status codes (RFC 5731 spelling, e.g. ``clientTransferProhibited``); None: not reported
    statuses: frozenset[str] | None = None
    nameservers: tuple[str, ...] = ()
    contact_emails: tuple[str, ...] = ()
    #: key tags of the DS records at the parent; None: unknown, empty: unsigned delegation
    ds_key_tags: frozenset[int] | None = None
    renewal_failures: tuple[RenewalFailure, ...] = ()


class Record(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    name: str
    type: str
    content: str = ""
    ttl: int | None = None
    #: traffic for this name goes through a vendor's edge (Cloudflare proxy, CloudFront alias, …)
    proxied: bool = False
    #: vendor id of that edge when proxied
    edge: str | None = None


class Zone(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A DNS zone as its DNS provider hosts it."""

    name: str
    source: Source
    #: vendor id of the DNS host
    provider: str | None = None
    #: nameservers the DNS provider assigned to this zone
    nameservers: tuple[str, ...] = ()
    records: tuple[Record, ...] = ()
    #: key tags of the zone's DNSKEYs; None: unknown, empty: zone not signed
    dnskey_tags: frozenset[int] | None = None


class Monitor(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    name: str
    kind: MonitorKind
    #: normalized names or globs (``*.example.org``) the monitor watches
    covers: tuple[str, ...]
    source: Source


class DeclaredDomain(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A domain the team says it owns, with who owns it and how much it matters."""

    name: str
    source: Source
    owner: str | None = None
    criticality: Criticality = Criticality.MEDIUM
    #: hostnames under the domain that serve traffic (checked for TLS coverage, shown in blast radius)
    hostnames: tuple[str, ...] = ()


class NameserverCheck(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One delegated nameserver as the live probe found it."""

    name: str
    #: the addresses it was asked at (glue from the parent, else looked up)
    addresses: tuple[str, ...] = ()
    #: why it is lame ("refused", "not authoritative", "timed out", "no address", …); None: it answered
    #: authoritatively for the domain at every address
    lame: str | None = None


class LiveDelegation(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """What the internet sees: the parent zone's servers asked directly who serves the domain."""

    domain: str
    source: Source
    #: the parent zone asked (``com``, ``co.uk``)
    parent: str
    #: the nameservers the parent delegates to; empty with ``error`` when there is no delegation
    nameservers: tuple[str, ...] = ()
    servers: tuple[NameserverCheck, ...] = ()
    #: key tags of the parent's DS records (empty: unsigned delegation)
    ds_key_tags: frozenset[int] = frozenset()
    #: key tags of the DNSKEYs the zone's servers publish; None: could not be read
    dnskey_tags: frozenset[int] | None = None
    #: DS key tags whose digest matches one of those DNSKEYs
    ds_matched: frozenset[int] = frozenset()
    #: why there is no delegation to report (the parent answered NXDOMAIN, …)
    error: str | None = None


class CertificateCheck(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The certificate one hostname serves, as a TLS client saw it."""

    hostname: str
    source: Source
    #: where it connected (``203.0.113.7:443``)
    address: str | None = None
    not_after: datetime | None = None
    #: subjectAltName DNS names, lower-case (browsers ignore the subject's common name)
    names: tuple[str, ...] = ()
    issuer: str | None = None
    #: why the chain is not trusted, as the TLS library said it; None: trusted (or not reached)
    untrusted: str | None = None
    #: why no certificate was seen (refused, timed out, handshake failure); None: one was seen
    error: str | None = None


class ScanError(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A provider, or part of one, that could not be read: the result is incomplete."""

    provider: str
    kind: str
    message: str
    source: Source
    account: str | None = None


class Note(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Something a provider could not see, without failing: a TLD with no RDAP service, an endpoint
    the plan or token scope does not include. Rules that needed it say "not evaluated"."""

    provider: str
    message: str
    domain: str | None = None


class Inventory(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    registrations: tuple[Registration, ...] = ()
    zones: tuple[Zone, ...] = ()
    monitors: tuple[Monitor, ...] = ()
    domains: tuple[DeclaredDomain, ...] = ()
    errors: tuple[ScanError, ...] = ()
    notes: tuple[Note, ...] = ()
    delegations: tuple[LiveDelegation, ...] = ()
    certificates: tuple[CertificateCheck, ...] = ()

    def merge(self, *others: Inventory) -> Inventory:
        """Concatenate fragments; joining views of the same domain is the index's job."""
        parts = (self, *others)
        return Inventory(
            registrations=tuple(r for p in parts for r in p.registrations),
            zones=tuple(z for p in parts for z in p.zones),
            monitors=tuple(m for p in parts for m in p.monitors),
            domains=tuple(d for p in parts for d in p.domains),
            errors=tuple(e for p in parts for e in p.errors),
            notes=tuple(n for p in parts for n in p.notes),
            delegations=tuple(d for p in parts for d in p.delegations),
            certificates=tuple(c for p in parts for c in p.certificates),
        )

    @property
    def complete(self) -> bool:
        return not self.errors
