"""The inventory indexed by domain: every view of one domain joined, built once in linear time.

Registrar, registry and DNS provider each say something about the same domain; rules want one
view per domain. Conflicts resolve toward the conservative answer (the earliest expiry, "off" over
"on") because a false alarm costs a look and a missed lapse costs an outage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from lapse import names, vendors
from lapse.model import (
    CertificateCheck,
    Criticality,
    DeclaredDomain,
    Inventory,
    LiveDelegation,
    Monitor,
    Registration,
    RenewalFailure,
    Source,
    Zone,
)

T = TypeVar("T")


class DomainView(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    name: str
    registrations: tuple[Registration, ...]
    zones: tuple[Zone, ...]
    declared: DeclaredDomain | None
    monitors: tuple[Monitor, ...]
    # joined values (None: no source said)
    expires: datetime | None
    auto_renew: bool | None
    transfer_lock: bool | None
    statuses: frozenset[str] | None
    delegation: tuple[str, ...]
    contact_emails: tuple[str, ...]
    renewal_failures: tuple[RenewalFailure, ...]
    ds_key_tags: frozenset[int] | None
    registrar: str | None
    registrar_vendor: str | None

    @property
    def criticality(self) -> Criticality:
        return self.declared.criticality if self.declared else Criticality.MEDIUM

    @property
    def source(self) -> Source | None:
        """The item that best locates this domain in a repository file."""
        for item in (*self.registrations, *self.zones, self.declared):
            if item is not None:
                return item.source
        return None

    @property
    def apex_zone(self) -> Zone | None:
        return next((z for z in self.zones if z.name == self.name), None)

    @property
    def nameservers(self) -> tuple[str, ...]:
        """Delegated nameservers when a registrar or registry said, else the apex zone's."""
        if self.delegation:
            return self.delegation
        zone = self.apex_zone
        return zone.nameservers if zone else ()

    #: vendors of the nameservers; computed once, several rules read it
    dns_vendors: frozenset[str] = frozenset()
    #: vendors whose edge serves any proxied record of the domain
    edge_vendors: frozenset[str] = frozenset()
    #: what the parent zone's servers said when asked directly (``lapse scan`` with the dns probe)
    live: LiveDelegation | None = None
    #: certificates served by hostnames under the domain (the tls probe)
    certificates: tuple[CertificateCheck, ...] = ()

    @property
    def hostnames(self) -> tuple[str, ...]:
        """Names under the domain that serve traffic: declared hostnames, then proxied records."""
        declared = self.declared.hostnames if self.declared else ()
        proxied = (rec.name for zone in self.zones for rec in zone.records if rec.proxied)
        return _unique((*declared, *proxied))


def nameserver_vendor(hostname: str) -> str:
    """Vendor id of a nameserver; an unknown host counts as its own vendor (its last two labels)."""
    known = vendors.vendor_for_nameserver(hostname)
    if known:
        return known
    return ".".join(hostname.rstrip(".").split(".")[-2:])


@dataclass(frozen=True, slots=True)
class Estate:
    inventory: Inventory
    domains: tuple[DomainView, ...]
    #: every name any source knows: registrations, zones, declared domains
    known_names: frozenset[str]

    def knows(self, name: str) -> bool:
        """True when the name, or a domain above it, is in the inventory."""
        return name in self.known_names or any(a in self.known_names for a in names.ancestors(name))


def build(inventory: Inventory) -> Estate:
    """Group every item under its domain. Linear in the size of the inventory."""
    registrations: dict[str, list[Registration]] = defaultdict(list)
    for reg in inventory.registrations:
        registrations[reg.domain].append(reg)
    declared: dict[str, DeclaredDomain] = {}
    for dom in inventory.domains:
        declared.setdefault(dom.name, dom)
    roots = set(registrations) | set(declared)
    # A zone belongs to the nearest registered or declared domain above it; a zone with none
    # above it is a domain of its own (we host its DNS but nobody told us about its registration).
    zones: dict[str, list[Zone]] = defaultdict(list)
    for zone in sorted(inventory.zones, key=lambda z: z.name.count(".")):
        zones[_owner(zone.name, roots)].append(zone)
    live = {d.domain: d for d in inventory.delegations}
    roots |= live.keys()
    certificates: dict[str, list[CertificateCheck]] = defaultdict(list)
    for cert in inventory.certificates:
        certificates[_owner(cert.hostname, roots)].append(cert)
    monitors = _monitor_index(inventory.monitors)
    shared = _Shared()
    views = tuple(
        _view(
            name,
            registrations.get(name, ()),
            zones.get(name, ()),
            declared.get(name),
            monitors,
            shared,
            live=live.get(name),
            certificates=tuple(certificates.get(name, ())),
        )
        for name in sorted(roots)
    )
    known = frozenset(roots) | frozenset(z.name for z in inventory.zones)
    return Estate(inventory=inventory, domains=views, known_names=known)


def _owner(name: str, roots: set[str]) -> str:
    """The nearest root at or above ``name``; with none, ``name`` becomes a root of its own."""
    if name in roots:
        return name
    found = next((a for a in names.ancestors(name) if a in roots), None)
    if found is None:
        roots.add(name)
        return name
    return found


class _MonitorIndex:
    """Monitors indexed so that finding the ones covering a domain never scans all of them.

    ``under`` files a pattern under its literal base and every ancestor of it (a monitor on
    ``www.example.com`` covers ``example.com``); ``by_base`` keeps the exact base, for globs such
    as ``*.co.uk`` whose base sits above the domain. A lookup costs one dict access per label.
    """

    def __init__(self) -> None:
        self.under: dict[str, dict[int, Monitor]] = defaultdict(dict)
        self.by_base: dict[str, list[tuple[str, Monitor]]] = defaultdict(list)

    def add(self, pattern: str, monitor: Monitor) -> None:
        base = names.pattern_base(pattern)
        self.by_base[base].append((pattern, monitor))
        if base:
            for key in (base, *names.ancestors(base)):
                self.under[key][id(monitor)] = monitor

    def covering(self, domain: str) -> tuple[Monitor, ...]:
        found = dict(self.under.get(domain, {}))
        for above in (*names.ancestors(domain), ""):
            for pattern, monitor in self.by_base.get(above, ()):
                if names.matches(domain, pattern):
                    found.setdefault(id(monitor), monitor)
        return tuple(found.values())


def _monitor_index(monitors: Iterable[Monitor]) -> _MonitorIndex:
    index = _MonitorIndex()
    for monitor in monitors:
        for pattern in monitor.covers:
            index.add(pattern, monitor)
    return index


def _all_or_any(values: Iterable[bool | None]) -> bool | None:
    """False if any source says false, else True if any says true, else unknown."""
    result = None
    for value in values:
        if value is False:
            return False
        if value is True:
            result = True
    return result


def _lock_of(reg: Registration) -> bool | None:
    if reg.transfer_lock is not None:
        return reg.transfer_lock
    if reg.statuses is None:
        return None
    return any(s.endswith("TransferProhibited") or s == "transferProhibited" for s in reg.statuses)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _distinct(items: tuple[str, ...]) -> tuple[str, ...]:
    """``items`` itself when it has no repeats (shared, not copied), else its distinct values."""
    return items if len(set(items)) == len(items) else _unique(items)


def _view(
    name: str,
    regs: Iterable[Registration],
    zones: Iterable[Zone],
    declared: DeclaredDomain | None,
    monitors: _MonitorIndex,
    shared: _Shared,
    *,
    live: LiveDelegation | None,
    certificates: tuple[CertificateCheck, ...],
) -> DomainView:
    regs = tuple(regs)
    zones = tuple(zones)
    if len(regs) == 1:  # the common case: the registration's own values, no copies
        (only,) = regs
        expires, statuses, delegation = only.expires, only.statuses, _distinct(only.nameservers)
        contact_emails, renewal_failures = _distinct(only.contact_emails), only.renewal_failures
        ds_key_tags = only.ds_key_tags
        auto_renew, transfer_lock = only.auto_renew, _lock_of(only)
    else:
        expiries = [r.expires for r in regs if r.expires is not None]
        said = [r.statuses for r in regs if r.statuses is not None]
        expires = min(expiries) if expiries else None
        statuses = frozenset().union(*said) if said else None
        delegation = _unique(ns for r in regs for ns in r.nameservers)
        contact_emails = _unique(e for r in regs for e in r.contact_emails)
        renewal_failures = tuple(f for r in regs for f in r.renewal_failures)
        ds_key_tags = next((r.ds_key_tags for r in regs if r.ds_key_tags is not None), None)
        auto_renew = _all_or_any(r.auto_renew for r in regs)
        transfer_lock = _all_or_any(_lock_of(r) for r in regs)
    registrar = next((r for r in regs if r.registrar or r.registrar_iana_id), None)
    apex = next((z for z in zones if z.name == name), None)
    served = delegation or (apex.nameservers if apex else ())
    edges = frozenset(rec.edge for zone in zones for rec in zone.records if rec.proxied and rec.edge is not None)
    return DomainView(
        name=name,
        registrations=regs,
        zones=zones,
        declared=declared,
        monitors=monitors.covering(name),
        expires=expires,
        auto_renew=auto_renew,
        transfer_lock=transfer_lock,
        statuses=statuses,
        delegation=delegation,
        dns_vendors=shared.vendors_of(served),
        edge_vendors=shared.one(edges),
        contact_emails=contact_emails,
        renewal_failures=renewal_failures,
        ds_key_tags=ds_key_tags,
        registrar=registrar.registrar if registrar else None,
        live=live,
        certificates=certificates,
        registrar_vendor=(
            vendors.vendor_for_registrar(registrar.registrar, registrar.registrar_iana_id) if registrar else None
        ),
    )


class _Shared:
    """Values that thousands of domains have in common, computed and stored once."""

    def __init__(self) -> None:
        self.vendor_sets: dict[tuple[str, ...], frozenset[str]] = {}
        self.values: dict[Any, Any] = {}

    def vendors_of(self, nameservers: tuple[str, ...]) -> frozenset[str]:
        found = self.vendor_sets.get(nameservers)
        if found is None:
            found = self.vendor_sets[nameservers] = frozenset(nameserver_vendor(ns) for ns in nameservers)
        return found

    def one(self, value: T) -> T:
        return self.values.setdefault(value, value)  # type: ignore[no-any-return]
