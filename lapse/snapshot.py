"""The inventory as a versioned JSON document, validated against the schema shipped in the package."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from lapse import __version__, files, jsonlines, names
from lapse.errors import InputError
from lapse.model import (
    Criticality,
    DeclaredDomain,
    Inventory,
    Monitor,
    MonitorKind,
    Note,
    Record,
    Registration,
    RenewalFailure,
    ScanError,
    Source,
    Zone,
)
from lapse.timeutil import format_datetime, parse_datetime
from lapse.validation import json_kind, packaged_schema, validate

SCHEMA_VERSION = 1
SCHEMA_FILE = "snapshot-v1.schema.json"

T = TypeVar("T")
Obj = Mapping[str, Any]


def schema() -> Mapping[str, Any]:
    return packaged_schema(SCHEMA_FILE)


def looks_like_snapshot(document: Any) -> bool:
    return isinstance(document, Mapping) and "schema_version" in document


def load(path: Path) -> Inventory:
    """Read, validate and convert one snapshot file."""
    return from_document(files.load_json(path), where=str(path))


def from_document(document: Any, *, where: str) -> Inventory:
    if not isinstance(document, Mapping):
        raise InputError(f"{where}: expected a JSON object (a lapse snapshot), got {json_kind(document)}")
    version = document.get("schema_version")
    if version is None:
        raise InputError(f"{where}: schema_version: missing; this is not a lapse snapshot")
    if version != SCHEMA_VERSION:
        raise InputError(
            f"{where}: schema_version: this is a version {json.dumps(version)} snapshot; "
            f"lapse {__version__} reads version {SCHEMA_VERSION}"
        )
    validate(document, schema(), where=where, error=InputError, fast=True)
    return _Reader(where).inventory(document)


class _Reader:
    """Turns a schema-valid document into model objects; names the field of any bad value."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, message: str) -> InputError:
        return InputError(f"{self.where}: {path}: {message}")

    def name(self, value: str, path: str) -> str:
        try:
            return names.normalize(value)
        except names.InvalidName as exc:
            raise self.fail(path, str(exc)) from None

    def when(self, value: str | None, path: str) -> datetime | None:
        if value is None:
            return None
        try:
            return parse_datetime(value)
        except ValueError:
            raise self.fail(path, f"expected an RFC 3339 date-time with a timezone, got {value!r}") from None

    def source(self, obj: Obj, path: str) -> Source:
        return Source(
            provider=obj["provider"],
            account=obj.get("account"),
            read_at=self.when(obj.get("read_at"), f"{path}.read_at"),
            file=self.where,
        )

    def each(self, items: Sequence[Obj], path: str, make: Callable[[Obj, str], T]) -> tuple[T, ...]:
        return tuple(make(item, f"{path}[{i}]") for i, item in enumerate(items))

    def inventory(self, doc: Obj) -> Inventory:
        return Inventory(
            registrations=self.each(doc.get("registrations", ()), "registrations", self.registration),
            zones=self.each(doc.get("zones", ()), "zones", self.zone),
            monitors=self.each(doc.get("monitors", ()), "monitors", self.monitor),
            domains=self.each(doc.get("domains", ()), "domains", self.domain),
            errors=self.each(doc.get("errors", ()), "errors", self.error),
            notes=self.each(doc.get("notes", ()), "notes", self.note),
        )

    def note(self, obj: Obj, path: str) -> Note:
        domain = obj.get("domain")
        return Note(
            provider=obj["provider"],
            message=obj["message"],
            domain=None if domain is None else self.name(domain, f"{path}.domain"),
        )

    def registration(self, obj: Obj, path: str) -> Registration:
        statuses = obj.get("statuses")
        ds = obj.get("ds_key_tags")
        return Registration(
            domain=self.name(obj["domain"], f"{path}.domain"),
            source=self.source(obj["source"], f"{path}.source"),
            registrar=obj.get("registrar"),
            registrar_iana_id=obj.get("registrar_iana_id"),
            created=self.when(obj.get("created"), f"{path}.created"),
            expires=self.when(obj.get("expires"), f"{path}.expires"),
            auto_renew=obj.get("auto_renew"),
            term_years=obj.get("term_years"),
            transfer_lock=obj.get("transfer_lock"),
            statuses=None if statuses is None else frozenset(statuses),
            nameservers=tuple(
                self.name(ns, f"{path}.nameservers[{i}]") for i, ns in enumerate(obj.get("nameservers", ()))
            ),
            contact_emails=tuple(obj.get("contact_emails", ())),
            ds_key_tags=None if ds is None else frozenset(ds),
            renewal_failures=tuple(
                RenewalFailure(at=self.when(f.get("at"), f"{path}.renewal_failures[{i}].at"), reason=f["reason"])
                for i, f in enumerate(obj.get("renewal_failures", ()))
            ),
        )

    def record(self, obj: Obj, path: str) -> Record:
        return Record(
            name=self.name(obj["name"], f"{path}.name"),
            type=obj["type"].upper(),
            content=obj.get("content", ""),
            ttl=obj.get("ttl"),
            proxied=obj.get("proxied", False),
            edge=obj.get("edge"),
        )

    def zone(self, obj: Obj, path: str) -> Zone:
        tags = obj.get("dnskey_tags")
        return Zone(
            name=self.name(obj["name"], f"{path}.name"),
            source=self.source(obj["source"], f"{path}.source"),
            provider=obj.get("provider"),
            nameservers=tuple(
                self.name(ns, f"{path}.nameservers[{i}]") for i, ns in enumerate(obj.get("nameservers", ()))
            ),
            records=self.each(obj.get("records", ()), f"{path}.records", self.record),
            dnskey_tags=None if tags is None else frozenset(tags),
        )

    def monitor(self, obj: Obj, path: str) -> Monitor:
        covers = []
        for i, pattern in enumerate(obj["covers"]):
            try:
                covers.append(names.normalize_pattern(pattern))
            except names.InvalidName as exc:
                raise self.fail(f"{path}.covers[{i}]", str(exc)) from None
        return Monitor(
            name=obj["name"],
            kind=MonitorKind(obj["kind"]),
            covers=tuple(covers),
            source=self.source(obj["source"], f"{path}.source"),
        )

    def domain(self, obj: Obj, path: str) -> DeclaredDomain:
        return DeclaredDomain(
            name=self.name(obj["name"], f"{path}.name"),
            source=self.source(obj["source"], f"{path}.source"),
            owner=obj.get("owner"),
            criticality=Criticality(obj.get("criticality", "medium")),
        )

    def error(self, obj: Obj, path: str) -> ScanError:
        return ScanError(
            provider=obj["provider"],
            account=obj.get("account"),
            kind=obj["kind"],
            message=obj["message"],
            source=self.source(obj["source"], f"{path}.source"),
        )


# -- writing -----------------------------------------------------------------------------------


def to_document(inventory: Inventory, *, generated_at: datetime) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": format_datetime(generated_at),
        "generator": f"lapse {__version__}",
        "registrations": [_registration(r) for r in inventory.registrations],
        "zones": [_zone(z) for z in inventory.zones],
        "monitors": [
            {"name": m.name, "kind": str(m.kind), "covers": list(m.covers), "source": _source(m.source)}
            for m in inventory.monitors
        ],
        "domains": [
            {"name": d.name, "owner": d.owner, "criticality": str(d.criticality), "source": _source(d.source)}
            for d in inventory.domains
        ],
        "errors": [
            {
                "provider": e.provider,
                "account": e.account,
                "kind": e.kind,
                "message": e.message,
                "source": _source(e.source),
            }
            for e in inventory.errors
        ],
        "notes": [{"provider": n.provider, "message": n.message, "domain": n.domain} for n in inventory.notes],
    }


def dumps(inventory: Inventory, *, generated_at: datetime) -> str:
    return jsonlines.dumps(to_document(inventory, generated_at=generated_at))


def write(path: Path, inventory: Inventory, *, generated_at: datetime) -> None:
    files.write_atomic(path, dumps(inventory, generated_at=generated_at))


def _when(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


def _source(source: Source) -> dict[str, Any]:
    return {"provider": source.provider, "account": source.account, "read_at": _when(source.read_at)}


def _registration(r: Registration) -> dict[str, Any]:
    return {
        "domain": r.domain,
        "source": _source(r.source),
        "registrar": r.registrar,
        "registrar_iana_id": r.registrar_iana_id,
        "created": _when(r.created),
        "expires": _when(r.expires),
        "auto_renew": r.auto_renew,
        "term_years": r.term_years,
        "transfer_lock": r.transfer_lock,
        "statuses": None if r.statuses is None else sorted(r.statuses),
        "nameservers": list(r.nameservers),
        "contact_emails": list(r.contact_emails),
        "ds_key_tags": None if r.ds_key_tags is None else sorted(r.ds_key_tags),
        "renewal_failures": [{"at": _when(f.at), "reason": f.reason} for f in r.renewal_failures],
    }


def _zone(z: Zone) -> dict[str, Any]:
    return {
        "name": z.name,
        "source": _source(z.source),
        "provider": z.provider,
        "nameservers": list(z.nameservers),
        "records": [
            {
                "name": rec.name,
                "type": rec.type,
                "content": rec.content,
                "ttl": rec.ttl,
                "proxied": rec.proxied,
                "edge": rec.edge,
            }
            for rec in z.records
        ],
        "dnskey_tags": None if z.dnskey_tags is None else sorted(z.dnskey_tags),
    }
