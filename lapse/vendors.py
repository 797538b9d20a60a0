"""The one data table that turns nameserver hostnames and registrar names into vendor ids.

Vendor ids are what the single-vendor rules compare, so every provider, the stack-export reader and
the rules all go through :func:`vendor_for_nameserver` and :func:`vendor_for_registrar`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Vendor:
    id: str
    name: str
    #: regular expressions matched against the end of a normalized nameserver hostname
    nameservers: tuple[str, ...] = ()
    #: lower-case fragments of registrar names as registrars and registries spell them
    registrars: tuple[str, ...] = ()
    #: IANA registrar ids (RDAP "IANA Registrar ID" public ids)
    iana_ids: tuple[str, ...] = ()
    #: a parking or expired-domain service: delegation here means the domain stopped serving
    parking: bool = False
    #: the vendor answers from anycast addresses at many sites: one network prefix by design
    anycast: bool = False


# Sorted by id. Nameserver patterns come from the vendors' published nameserver names; parking
# services are the ones expired and for-sale domains are delegated to (what the 2024 outage's
# expired domain fell to).
VENDORS: tuple[Vendor, ...] = (
    Vendor(id="above", name="Above.com parking", nameservers=(r"(^|\.)above\.com",), parking=True),
    Vendor(
        id="akamai",
        name="Akamai Edge DNS",
        nameservers=(r"\.akam\.net", r"\.akamaidns\.net", r"\.akamaiedge\.net"),
        anycast=True,
    ),
    Vendor(
        id="aws",
        name="Amazon Web Services",
        nameservers=(r"\.awsdns-\d+\.(com|net|org|co\.uk)",),
        registrars=("amazon registrar", "amazon route 53", "amazon.com"),
        iana_ids=("468",),
        anycast=True,
    ),
    Vendor(
        id="azure",
        name="Microsoft Azure",
        nameservers=(r"\.azure-dns\.(com|net|org|info)",),
        registrars=("microsoft corporation",),
        anycast=True,
    ),
    Vendor(id="bodis", name="Bodis parking", nameservers=(r"(^|\.)bodis\.com",), parking=True),
    Vendor(
        id="cloudflare",
        name="Cloudflare",
        nameservers=(r"\.ns\.cloudflare\.com", r"\.foundationdns\.(com|net|org)"),
        registrars=("cloudflare",),
        iana_ids=("1910",),
        anycast=True,
    ),
    Vendor(id="comlaude", name="Com Laude", registrars=("com laude", "nom-iq"), iana_ids=("470",)),
    Vendor(
        id="csc",
        name="CSC Corporate Domains",
        nameservers=(r"\.cscdns\.(net|uk)",),
        registrars=("csc corporate domains", "corporation service company"),
        iana_ids=("299",),
    ),
    Vendor(id="dan", name="Dan.com parking", nameservers=(r"(^|\.)dan\.com",), parking=True),
    Vendor(
        id="digitalocean",
        name="DigitalOcean",
        nameservers=(r"(^|\.)digitalocean\.com",),
    ),
    Vendor(
        id="dnsimple",
        name="DNSimple",
        nameservers=(r"\.dnsimple\.com", r"\.dnsimple-edge\.(net|org|com)"),
        registrars=("dnsimple",),
        anycast=True,
    ),
    Vendor(id="dnsparking", name="DNS-Parking", nameservers=(r"(^|\.)dns-parking\.com",), parking=True),
    Vendor(
        id="gandi",
        name="Gandi",
        nameservers=(r"\.gandi\.net",),
        registrars=("gandi",),
        iana_ids=("81",),
    ),
    Vendor(
        id="godaddy",
        name="GoDaddy",
        nameservers=(r"\.domaincontrol\.com",),
        registrars=("godaddy", "go daddy", "wild west domains"),
        iana_ids=("146",),
    ),
    Vendor(
        id="google",
        name="Google",
        nameservers=(r"\.googledomains\.com", r"^ns\d+\.google\.com"),
        registrars=("google llc", "google inc", "google domains"),
        iana_ids=("895",),
        anycast=True,
    ),
    Vendor(
        id="hetzner",
        name="Hetzner",
        nameservers=(r"\.hetzner\.(com|de)", r"\.your-server\.de", r"\.second-ns\.(com|de)"),
        registrars=("hetzner",),
    ),
    Vendor(
        id="markmonitor",
        name="MarkMonitor",
        nameservers=(r"\.markmonitor\.com",),
        registrars=("markmonitor",),
        iana_ids=("292",),
    ),
    Vendor(
        id="namecheap",
        name="Namecheap",
        nameservers=(r"\.registrar-servers\.com", r"\.namecheaphosting\.com"),
        registrars=("namecheap",),
        iana_ids=("1068",),
    ),
    Vendor(
        id="ns1",
        name="NS1 (IBM)",
        nameservers=(r"\.nsone\.net",),
        anycast=True,
    ),
    Vendor(
        id="ovh",
        name="OVHcloud",
        nameservers=(r"\.ovh\.(net|ca)", r"\.anycast\.me"),
        registrars=("ovh",),
        iana_ids=("433",),
    ),
    Vendor(id="parkingcrew", name="ParkingCrew", nameservers=(r"(^|\.)parkingcrew\.net",), parking=True),
    Vendor(
        id="pendingrenewal",
        name="Registrar expired-domain parking",
        nameservers=(r"(^|\.)pendingrenewaldeletion\.com",),
        parking=True,
    ),
    Vendor(
        id="porkbun",
        name="Porkbun",
        nameservers=(r"\.porkbun\.com",),
        registrars=("porkbun",),
        iana_ids=("1861",),
    ),
    Vendor(id="sedo", name="Sedo parking", nameservers=(r"(^|\.)sedoparking\.com",), parking=True),
    Vendor(id="squarespace", name="Squarespace Domains", registrars=("squarespace",)),
    Vendor(id="tucows", name="Tucows", registrars=("tucows",), iana_ids=("69",)),
    Vendor(
        id="ultradns",
        name="UltraDNS (Vercara)",
        nameservers=(r"\.ultradns\.(com|net|org|biz|info|co\.uk)",),
        anycast=True,
    ),
)

_BY_ID = {vendor.id: vendor for vendor in VENDORS}


@functools.cache
def _nameserver_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled on first use: a check with no nameservers to classify never pays for it."""
    return tuple(
        (vendor.id, re.compile("(?:" + "|".join(vendor.nameservers) + r")\.?$"))
        for vendor in VENDORS
        if vendor.nameservers
    )


def get(vendor_id: str) -> Vendor | None:
    return _BY_ID.get(vendor_id)


def display_name(vendor_id: str) -> str:
    vendor = _BY_ID.get(vendor_id)
    return vendor.name if vendor else vendor_id


def is_anycast(vendor_id: str | None) -> bool:
    vendor = get(vendor_id) if vendor_id else None
    return bool(vendor and vendor.anycast)


def is_parking(vendor_id: str | None) -> bool:
    vendor = _BY_ID.get(vendor_id) if vendor_id else None
    return bool(vendor and vendor.parking)


@functools.lru_cache(maxsize=16384)
def vendor_for_nameserver(hostname: str) -> str | None:
    """Vendor id serving a nameserver hostname; cached because an estate has few distinct ones."""
    host = hostname.lower().rstrip(".")
    for vendor_id, pattern in _nameserver_patterns():
        if pattern.search(host):
            return vendor_id
    return None


@functools.lru_cache(maxsize=4096)
def vendor_for_registrar(name: str | None, iana_id: str | None = None) -> str | None:
    """Vendor id of a registrar, by IANA id when the registry gave one, else by name."""
    if iana_id:
        for vendor in VENDORS:
            if iana_id in vendor.iana_ids:
                return vendor.id
    if name:
        text = name.lower()
        for vendor in VENDORS:
            if any(fragment in text for fragment in vendor.registrars):
                return vendor.id
    return None


def cloudflare_alert_kind(alert_type: str) -> str | None:
    """The monitor kind a Cloudflare notification policy amounts to ("certificate" or "http"), if any.

    Certificate and SSL events watch certificates; health-check, HTTP-alert and load-balancer health
    events watch availability. Everything else (billing, security) watches no domain.
    """
    if "certificate" in alert_type or "ssl" in alert_type:
        return "certificate"
    if alert_type.startswith(("health_check", "http_alert", "load_balancing_health")):
        return "http"
    return None
