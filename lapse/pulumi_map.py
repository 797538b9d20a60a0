"""Pulumi resources mapped into the lapse model.

One mapping serves the stack-export reader (``lapse check`` on ``pulumi stack export`` files) and
the CrossGuard policy pack, so a domain looks the same to every rule whichever way it arrives.
Secret values and values unknown during a preview read as "unknown", never as their ciphertext.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lapse import names
from lapse.model import (
    Inventory,
    Monitor,
    MonitorKind,
    Record,
    Registration,
    Source,
    Zone,
)
from lapse.timeutil import lenient_datetime

#: the signature key Pulumi puts on secret values (property-values.json)
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
#: what an output not yet known during ``pulumi preview`` reads as (one sentinel per type)
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWNS = frozenset(
    {
        UNKNOWN,
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)

_name = names.lenient
_when = lenient_datetime


@dataclass(frozen=True, slots=True)
class Resource:
    type: str
    urn: str
    props: Mapping[str, Any]


def is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == SECRET_VALUE


def known(value: Any) -> Any:
    """The plain value, or None for a secret or a preview-time unknown (never the ciphertext)."""
    if is_secret(value) or (isinstance(value, str) and value in UNKNOWNS):
        return None
    return value


def _get(props: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = known(props.get(key))
        if value not in (None, ""):
            return value
    return None


def _names(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    found = []
    for value in values:
        value = known(value)
        if isinstance(value, Mapping):
            value = known(value.get("name"))
        name = _name(value)
        if name:
            found.append(name)
    return tuple(dict.fromkeys(found))


def _bool(value: Any) -> bool | None:
    value = known(value)
    return value if isinstance(value, bool) else None


def kind(type_token: str) -> str:
    """``aws:route53/zone:Zone`` -> ``aws:route53/zone:Zone``; versioned azure-native aliases
    (``azure-native:network/v20180501:Zone``) and the newer ``dns`` module map to one token."""
    package, _, rest = type_token.partition(":")
    module, _, name = rest.partition(":")
    if package == "azure-native":
        module = module.split("/")[0]
        if module == "dns":
            module = "network"
    return f"{package}:{module}:{name}"


def _registration(res: Resource, source: Source) -> Registration | None:
    p = res.props
    t = kind(res.type)
    if t == "aws:route53domains/registeredDomain:RegisteredDomain":
        domain = _name(_get(p, "domainName"))
        contacts = [
            known(c.get("email"))
            for key in ("registrantContact", "adminContact", "techContact", "billingContact")
            for c in [known(p.get(key))]
            if isinstance(c, Mapping) and known(c.get("email"))
        ]
        statuses = known(p.get("statusLists"))
        if domain is None:
            return None
        return Registration(
            domain=domain,
            source=source,
            registrar=_get(p, "registrarName") or "Amazon Registrar, Inc.",
            created=_when(_get(p, "creationDate")),
            expires=_when(_get(p, "expirationDate")),
            auto_renew=_bool(p.get("autoRenew")),
            transfer_lock=_bool(p.get("transferLock")),
            statuses=frozenset(str(s) for s in statuses) if isinstance(statuses, list) else None,
            nameservers=_names(known(p.get("nameServers"))),
            contact_emails=tuple(str(c) for c in contacts),
        )
    if t == "cloudflare:index/registrarDomain:RegistrarDomain":
        domain = _name(_get(p, "domainName", "name"))
        if domain is None:
            return None
        return Registration(
            domain=domain,
            source=source,
            registrar="Cloudflare, Inc.",
            registrar_iana_id="1910",
            expires=_when(_get(p, "expiresAt")),
            auto_renew=_bool(p.get("autoRenew")),
            transfer_lock=_bool(p.get("locked")),
            nameservers=_names(known(p.get("nameServers"))),
        )
    if t == "azure-native:domainregistration:Domain":
        domain = _name(_get(p, "name", "domainName"))
        status = _get(p, "registrationStatus")
        if domain is None:
            return None
        return Registration(
            domain=domain,
            source=source,
            registrar="GoDaddy.com, LLC (Azure App Service Domains)",
            registrar_iana_id="146",
            created=_when(_get(p, "createdTime")),
            expires=_when(_get(p, "expirationTime")),
            auto_renew=_bool(p.get("autoRenew")),
            statuses=frozenset({"expired"}) if status == "Expired" else (frozenset({"ok"}) if status else None),
            nameservers=_names(known(p.get("nameServers"))),
        )
    return None


def _policy_monitor(
    res: Resource, zones: Mapping[str, tuple[str, str, tuple[str, ...]]], source: Source
) -> Monitor | None:
    """A Cloudflare notification policy about certificates or health: a monitor of the zones it filters
    on, or of every Cloudflare zone in the stack when it has no zone filter."""
    from lapse import vendors

    found = vendors.cloudflare_alert_kind(str(_get(res.props, "alertType") or ""))
    if found is None or _bool(res.props.get("enabled")) is False:
        return None
    filters = known(res.props.get("filters")) or {}
    zone_ids = known(filters.get("zones")) if isinstance(filters, Mapping) else None
    if zone_ids:
        covers = [zones[z][0] for z in zone_ids if isinstance(z, str) and z in zones]
    else:
        covers = [name for name, provider, _ in zones.values() if provider == "cloudflare"]
    if not covers:
        return None
    return Monitor(
        name=f"pulumi:{res.urn.rsplit('::', 1)[-1]}",
        kind=MonitorKind(found),
        covers=tuple(sorted(covers)),
        source=source,
    )


def to_inventory(resources: Iterable[Resource], *, source: Source) -> Inventory:
    """Map every domain, zone, record and monitor resource; everything else is ignored."""
    resources = list(resources)
    registrations: list[Registration] = []
    zones: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # zone id -> (name, provider, nameservers)
    zone_names: dict[str, str] = {}
    records: dict[str, list[Record]] = {}
    monitors: list[Monitor] = []
    pending_policies: list[Resource] = []
    for res in resources:
        p, t = res.props, kind(res.type)
        reg = _registration(res, source)
        if reg:
            registrations.append(reg)
        elif t in (
            "aws:route53/zone:Zone",
            "cloudflare:index/zone:Zone",
            "azure-native:network:Zone",
            "azure:dns/zone:Zone",
        ):
            name = _name(_get(p, "zone", "name", "zoneName"))
            if name:
                provider = {"aws": "aws", "cloudflare": "cloudflare"}.get(t.split(":")[0], "azure")
                key = str(_get(p, "zoneId", "id") or res.urn)
                zones[key] = (name, provider, _names(known(p.get("nameServers"))))
                zone_names[name] = key
        elif t == "aws:route53/healthCheck:HealthCheck":
            fqdn = _name(_get(p, "fqdn"))
            if fqdn:
                check_type = str(_get(p, "type") or "")
                kind_ = MonitorKind.HTTP if check_type.startswith("HTTP") else MonitorKind.DNS
                monitors.append(
                    Monitor(name=f"pulumi:{res.urn.rsplit('::', 1)[-1]}", kind=kind_, covers=(fqdn,), source=source)
                )
        elif t == "cloudflare:index/notificationPolicy:NotificationPolicy":
            pending_policies.append(res)
        elif t == "cloudflare:index/healthcheck:Healthcheck":
            address = _name(_get(p, "address"))
            if address:
                monitors.append(
                    Monitor(
                        name=f"pulumi:{res.urn.rsplit('::', 1)[-1]}",
                        kind=MonitorKind.HTTP,
                        covers=(address,),
                        source=source,
                    )
                )
    for res in resources:
        p, t = res.props, kind(res.type)
        if t == "aws:route53/record:Record":
            zone_id = str(_get(p, "zoneId") or "")
            aliases = known(p.get("aliases")) or []
            target = next((str(known(a.get("name")) or "") for a in aliases if isinstance(a, Mapping)), "")
            edge = "aws" if target.rstrip(".").endswith(".cloudfront.net") else None
            name = _name(_get(p, "fqdn", "name"))
            if name:
                content = target or " ".join(str(v) for v in known(p.get("records")) or [])
                records.setdefault(zone_id, []).append(
                    Record(
                        name=name,
                        type=str(_get(p, "type") or ""),
                        content=content,
                        ttl=_get(p, "ttl"),
                        proxied=edge is not None,
                        edge=edge,
                    )
                )
        elif t in ("cloudflare:index/record:Record", "cloudflare:index/dnsRecord:DnsRecord"):
            zone_id = str(_get(p, "zoneId") or "")
            name = _name(_get(p, "hostname", "name"))
            if name:
                proxied = bool(_bool(p.get("proxied")))
                records.setdefault(zone_id, []).append(
                    Record(
                        name=name,
                        type=str(_get(p, "type") or ""),
                        content=str(_get(p, "content", "value") or ""),
                        ttl=_get(p, "ttl") if isinstance(_get(p, "ttl"), int) else None,
                        proxied=proxied,
                        edge="cloudflare" if proxied else None,
                    )
                )
        elif t == "azure-native:network:RecordSet":
            zone = _name(_get(p, "zoneName"))
            relative = str(_get(p, "relativeRecordSetName", "name") or "@")
            if zone:
                fqdn = _name(zone if relative == "@" else f"{relative}.{zone}")
                if fqdn:
                    records.setdefault(zone_names.get(zone, zone), []).append(
                        Record(name=fqdn, type=str(_get(p, "recordType") or ""), ttl=_get(p, "ttl"))
                    )
    monitors += [m for m in (_policy_monitor(res, zones, source) for res in pending_policies) if m is not None]
    return Inventory(
        registrations=tuple(registrations),
        zones=tuple(
            Zone(name=name, source=source, provider=provider, nameservers=ns, records=tuple(records.get(key, ())))
            for key, (name, provider, ns) in zones.items()
        ),
        monitors=tuple(monitors),
    )
