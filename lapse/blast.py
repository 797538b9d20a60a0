"""Vendor blast radius: for each vendor, what goes dark if it fails.

A vendor can hold three things for a domain: the registration (lose it and you lose control: no
renewals, no nameserver changes), the DNS (lose every nameserver and the domain stops resolving;
lose some and the rest carry it), and the edge (proxied hostnames stop serving). The table, the
diagrams, LAP310 and the HTML report all read :func:`impacts`, so they always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from lapse import vendors
from lapse.estate import DomainView, Estate, nameserver_vendor
from lapse.model import Criticality


@dataclass(frozen=True, slots=True, kw_only=True)
class Impact:
    vendor: str
    #: domains whose registration control is lost (renewals, nameserver and lock changes)
    registration: tuple[str, ...] = ()
    #: domains that stop resolving: every nameserver is at this vendor
    dns: tuple[str, ...] = ()
    #: domains that keep resolving on their other nameservers, with less to spare
    dns_partial: tuple[str, ...] = ()
    #: hostnames whose traffic goes through this vendor's edge, and the domains they sit under
    edge: tuple[str, ...] = ()
    edge_domains: tuple[str, ...] = ()
    #: hostnames that stop working: under a domain that stops resolving, or served by this edge
    hostnames: tuple[str, ...] = ()
    critical: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return vendors.display_name(self.vendor)

    @property
    def domains(self) -> tuple[str, ...]:
        """Every domain this vendor holds any part of."""
        return tuple(sorted({*self.registration, *self.dns, *self.dns_partial, *self.edge_domains}))


def _served_names(view: DomainView) -> set[str]:
    """Declared hostnames, proxied records and every record name in the domain's zones."""
    found = set(view.hostnames)
    for zone in view.zones:
        found.update(r.name for r in zone.records if r.name != view.name and not r.name.startswith("_"))
    return found


def impacts(estate: Estate) -> list[Impact]:
    """One Impact per vendor that holds anything, most domains first."""
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for view in estate.domains:
        touched: set[str] = set()
        if view.registrar_vendor:
            roles[view.registrar_vendor]["registration"].add(view.name)
            touched.add(view.registrar_vendor)
        servers = view.nameservers
        by_vendor = {nameserver_vendor(ns) for ns in servers}
        for vendor in by_vendor:
            if len(by_vendor) == 1:
                roles[vendor]["dns"].add(view.name)
                roles[vendor]["hostnames"].update(_served_names(view))
            else:
                roles[vendor]["dns_partial"].add(view.name)
            touched.add(vendor)
        for zone in view.zones:
            for record in zone.records:
                if record.proxied and record.edge:
                    roles[record.edge]["edge"].add(record.name)
                    roles[record.edge]["edge_domains"].add(view.name)
                    roles[record.edge]["hostnames"].add(record.name)
                    touched.add(record.edge)
        if view.criticality is Criticality.CRITICAL:
            for vendor in touched:
                roles[vendor]["critical"].add(view.name)
    found = [
        Impact(
            vendor=vendor,
            registration=tuple(sorted(held["registration"])),
            dns=tuple(sorted(held["dns"])),
            dns_partial=tuple(sorted(held["dns_partial"])),
            edge=tuple(sorted(held["edge"])),
            hostnames=tuple(sorted(held["hostnames"])),
            critical=tuple(sorted(held["critical"])),
            edge_domains=tuple(sorted(held["edge_domains"])),
        )
        for vendor, held in roles.items()
    ]
    return sorted(found, key=lambda i: (-len(i.domains), i.vendor))


def find_vendor(found: list[Impact], wanted: str) -> Impact | None:
    """A vendor by id or display name, any case."""
    key = wanted.strip().lower()
    return next((i for i in found if key in (i.vendor, i.name.lower())), None)
