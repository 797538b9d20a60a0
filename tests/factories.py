"""Small model factories and shared constants for the tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lapse import estate
from lapse.model import (
    CertificateCheck,
    Criticality,
    DeclaredDomain,
    Inventory,
    LiveDelegation,
    Monitor,
    MonitorKind,
    NameserverCheck,
    Record,
    Registration,
    Source,
    Zone,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
AWS_NS = ("ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net")
CF_NS = ("lara.ns.cloudflare.com", "theo.ns.cloudflare.com")


def source(provider: str = "aws", account: str | None = "123456789012") -> Source:
    return Source(provider=provider, account=account, read_at=NOW, file="snapshot.json")


def registration(domain: str = "example.com", *, days: float | None = 400, **fields: Any) -> Registration:
    """A healthy registrar view unless told otherwise: auto-renew on, locked, AWS nameservers."""
    values: dict[str, Any] = {
        "registrar": "Amazon Registrar, Inc.",
        "expires": NOW + timedelta(days=days) if days is not None else None,
        "auto_renew": True,
        "transfer_lock": True,
        "statuses": frozenset({"clientTransferProhibited"}),
        "nameservers": AWS_NS,
        "contact_emails": ("domains@corp.example",),
        "source": source(),
    }
    values.update(fields)
    return Registration(domain=domain, **values)


def zone(name: str = "example.com", *, nameservers: tuple[str, ...] = AWS_NS, **fields: Any) -> Zone:
    values: dict[str, Any] = {"provider": "aws", "source": source(), "records": ()}
    values.update(fields)
    return Zone(name=name, nameservers=nameservers, **values)


def record(name: str, *, edge: str | None = None, rtype: str = "A") -> Record:
    return Record(name=name, type=rtype, content="192.0.2.1", proxied=edge is not None, edge=edge)


def monitor(*covers: str, kind: MonitorKind = MonitorKind.EXPIRY, name: str = "m") -> Monitor:
    return Monitor(name=name, kind=kind, covers=covers, source=source("config", None))


def declared(name: str, criticality: Criticality = Criticality.MEDIUM) -> DeclaredDomain:
    return DeclaredDomain(name=name, criticality=criticality, source=source("config", None))


def live(domain: str = "example.com", **fields: Any) -> LiveDelegation:
    values: dict[str, Any] = {
        "parent": "com",
        "nameservers": AWS_NS,
        "servers": tuple(NameserverCheck(name=ns, addresses=(f"205.251.19{i}.1",)) for i, ns in enumerate(AWS_NS)),
    }
    values.update(fields)
    return LiveDelegation(domain=domain, source=source("dns", None), **values)


def cert(hostname: str = "www.example.com", **fields: Any) -> CertificateCheck:
    values: dict[str, Any] = {
        "address": "192.0.2.7:443",
        "not_after": NOW + timedelta(days=80),
        "names": ("example.com", "*.example.com"),
        "issuer": "Let's Encrypt",
    }
    values.update(fields)
    return CertificateCheck(hostname=hostname, source=source("tls", None), **values)


def inventory(*items: object) -> Inventory:
    """An Inventory from loose model objects, sorted into their places."""
    kinds: dict[type, list[object]] = {
        Registration: [],
        Zone: [],
        Monitor: [],
        DeclaredDomain: [],
        LiveDelegation: [],
        CertificateCheck: [],
    }
    for item in items:
        kinds[type(item)].append(item)
    return Inventory(
        registrations=tuple(kinds[Registration]),  # type: ignore[arg-type]
        zones=tuple(kinds[Zone]),  # type: ignore[arg-type]
        monitors=tuple(kinds[Monitor]),  # type: ignore[arg-type]
        domains=tuple(kinds[DeclaredDomain]),  # type: ignore[arg-type]
        delegations=tuple(kinds[LiveDelegation]),  # type: ignore[arg-type]
        certificates=tuple(kinds[CertificateCheck]),  # type: ignore[arg-type]
    )


def view(*items: object, name: str | None = None) -> estate.DomainView:
    """The one domain view an inventory of these items builds (or the one called ``name``)."""
    views = estate.build(inventory(*items)).domains
    if name is not None:
        return next(v for v in views if v.name == name)
    assert len(views) == 1, [v.name for v in views]
    return views[0]


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def names_of(items: Iterable[Any]) -> list[str]:
    return [getattr(i, "name", None) or i.domain for i in items]
