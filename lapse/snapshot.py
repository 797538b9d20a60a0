"""The inventory as a versioned JSON document, validated against the schema shipped in the package."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from lapse import __version__, files, jsonlines, names, schema_types
from lapse.errors import InputError
from lapse.model import (
    CertificateCheck,
    Criticality,
    DeclaredDomain,
    Inventory,
    LiveDelegation,
    Monitor,
    MonitorKind,
    NameserverCheck,
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


def schema() -> Mapping[str, Any]:
    return packaged_schema(SCHEMA_FILE)


def looks_like_snapshot(document: Any) -> bool:
    return isinstance(document, Mapping) and "schema_version" in document


def load(path: Path) -> Inventory:
    """Read, check and convert one snapshot file."""
    return from_bytes(files.read_bytes(path), where=str(path))


def from_bytes(data: bytes, *, where: str) -> Inventory:
    """Parse, check and convert a snapshot; the fast path checks each item while it parses it."""
    inventory = read_fast(data, where=where)
    if inventory is None:
        return from_document(files.parse_json(data, where=where), where=where)
    return inventory


def read_fast(data: bytes, *, where: str) -> Inventory | None:
    """The snapshot in ``data``, or None when the fast check rejects it (or it is no snapshot at all).

    Items are parsed one at a time and turned into model objects at once, so the parsed document
    never sits in memory whole. None sends the caller to :func:`from_document`, which parses the
    JSON the ordinary way and lets jsonschema say exactly what is wrong.
    """
    envelope_type, item_types = _split_types()
    try:
        envelope = msgspec.json.decode(data, type=envelope_type)
        if envelope.schema_version != SCHEMA_VERSION:
            return None
        sections = {key: _decoded(getattr(envelope, key), kind) for key, kind in item_types.items()}
        return _Reader(where).inventory(sections)
    except (msgspec.ValidationError, msgspec.DecodeError, UnicodeDecodeError):
        return None


def _decoded(items: Iterable[msgspec.Raw], kind: Any) -> Iterator[Any]:
    """Each item parsed and checked only when the reader asks for it."""
    decoder = msgspec.json.Decoder(kind)
    for raw in items:
        yield decoder.decode(raw)


def from_document(document: Any, *, where: str) -> Inventory:
    """Check and convert an already parsed snapshot; any violation is named by its path."""
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
    kind = schema_types.document_type(schema(), "snapshot")
    try:
        parsed = msgspec.convert(document, kind)
    except msgspec.ValidationError:
        validate(document, schema(), where=where, error=InputError)  # the reference says what is wrong
        parsed = _as_schema_reads(document, kind, where)
    _, item_types = _split_types()
    return _Reader(where).inventory({key: getattr(parsed, key) for key in item_types})


def _as_schema_reads(document: Any, kind: Any, where: str) -> Any:
    """A document jsonschema accepts but the strict types do not: JSON Schema counts ``1.0`` as an
    integer. Lax conversion reads it as 1; by now every value is known to fit the schema."""
    try:
        return msgspec.convert(document, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise InputError(f"{where}: {exc}") from None


def _split_types() -> tuple[Any, dict[str, Any]]:
    return schema_types.split_types(schema(), "snapshot")


class _FieldError(Exception):
    """A bad value at ``field`` (relative to the item being read); the path is built only on failure."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def under(self, parent: str) -> _FieldError:
        joined = parent + (self.field if self.field.startswith("[") else f".{self.field}")
        return _FieldError(joined, self.message)


def _read_name(value: str, field: str) -> str:
    try:
        return names.normalize(value)
    except names.InvalidName as exc:
        raise _FieldError(field, str(exc)) from None


def _read_names(values: Iterable[str], field: str) -> tuple[str, ...]:
    found = []
    for i, value in enumerate(values):
        try:
            found.append(names.normalize(value))
        except names.InvalidName as exc:
            raise _FieldError(f"{field}[{i}]", str(exc)) from None
    return tuple(found)


def _read_addresses(values: Sequence[str]) -> tuple[str, ...]:
    import ipaddress

    for i, value in enumerate(values):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise _FieldError(f"addresses[{i}]", f"expected an IPv4 or IPv6 address, got {value!r}") from None
    return tuple(values)


def _read_when(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise _FieldError(field, f"expected an RFC 3339 date-time with a timezone, got {value!r}") from None


def _given(value: T | Any, default: T) -> T:
    """An optional member's value, or ``default`` when the document left it out (msgspec.UNSET)."""
    return default if value is msgspec.UNSET else value


class _Reader:
    """Turns schema-checked items (msgspec structs named as the schema names its members) into model
    objects; names the field of any bad value.

    Paths such as ``registrations[3].expires`` are put together only when a value is bad: formatting
    one for each of the million values in a large snapshot cost a fifth of the load time.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        # a scan writes one source per provider account, repeated on every item: read each once
        self.sources: dict[tuple[Any, Any, Any], Source] = {}
        # values most items repeat (registrar, nameserver sets, statuses, record types): one copy each
        self.shared: dict[Any, Any] = {}

    def one(self, value: T) -> T:
        """The first equal value read, so that a 100,000-domain estate holds a few hundred
        nameserver sets and registrar names instead of a copy per domain."""
        return self.shared.setdefault(value, value)  # type: ignore[no-any-return]

    def source(self, obj: Any) -> Source:
        key = (obj.provider, obj.account, obj.read_at)
        found = self.sources.get(key)
        if found is None:
            try:
                read_at = _read_when(obj.read_at, "read_at")
            except _FieldError as exc:
                raise exc.under("source") from None
            found = self.sources[key] = Source(
                provider=obj.provider, account=obj.account, read_at=read_at, file=self.where
            )
        return found

    @staticmethod
    def each(items: Iterable[Any], field: str, make: Callable[[Any], T]) -> tuple[T, ...]:
        made = []
        for i, item in enumerate(items):
            try:
                made.append(make(item))
            except _FieldError as exc:
                raise exc.under(f"{field}[{i}]") from None
        return tuple(made)

    def inventory(self, sections: Mapping[str, Iterable[Any]]) -> Inventory:
        try:
            return Inventory(
                registrations=self.each(sections["registrations"], "registrations", self.registration),
                zones=self.each(sections["zones"], "zones", self.zone),
                monitors=self.each(sections["monitors"], "monitors", self.monitor),
                domains=self.each(sections["domains"], "domains", self.domain),
                errors=self.each(sections["errors"], "errors", self.error),
                notes=self.each(sections["notes"], "notes", self.note),
                delegations=self.each(sections["delegations"], "delegations", self.delegation),
                certificates=self.each(sections["certificates"], "certificates", self.certificate),
            )
        except _FieldError as exc:
            raise InputError(f"{self.where}: {exc.field}: {exc.message}") from None

    def note(self, obj: Any) -> Note:
        return Note(
            provider=obj.provider,
            message=obj.message,
            domain=None if obj.domain is None else _read_name(obj.domain, "domain"),
        )

    def registration(self, obj: Any) -> Registration:
        statuses = obj.statuses
        ds = obj.ds_key_tags
        failures = obj.renewal_failures
        return Registration(
            domain=_read_name(obj.domain, "domain"),
            source=self.source(obj.source),
            registrar=self.one(obj.registrar),
            registrar_iana_id=self.one(obj.registrar_iana_id),
            created=_read_when(obj.created, "created"),
            expires=_read_when(obj.expires, "expires"),
            auto_renew=obj.auto_renew,
            term_years=obj.term_years,
            transfer_lock=obj.transfer_lock,
            statuses=None if statuses is None else self.one(frozenset(statuses)),
            nameservers=self.one(_read_names(obj.nameservers, "nameservers")),
            contact_emails=self.one(tuple(obj.contact_emails)),
            ds_key_tags=None if ds is None else self.one(frozenset(ds)),
            renewal_failures=self.each(
                failures,
                "renewal_failures",
                lambda f: RenewalFailure(at=_read_when(f.at, "at"), reason=f.reason),
            )
            if failures
            else (),
        )

    def record(self, obj: Any) -> Record:
        return Record(
            name=_read_name(obj.name, "name"),
            type=self.one(obj.type.upper()),
            content=_given(obj.content, ""),
            ttl=obj.ttl,
            proxied=_given(obj.proxied, False),
            edge=self.one(obj.edge),
        )

    def zone(self, obj: Any) -> Zone:
        tags = obj.dnskey_tags
        return Zone(
            name=_read_name(obj.name, "name"),
            source=self.source(obj.source),
            provider=self.one(obj.provider),
            nameservers=self.one(_read_names(obj.nameservers, "nameservers")),
            records=self.each(obj.records, "records", self.record),
            dnskey_tags=None if tags is None else self.one(frozenset(tags)),
        )

    def monitor(self, obj: Any) -> Monitor:
        covers = []
        for i, pattern in enumerate(obj.covers):
            try:
                covers.append(names.normalize_pattern(pattern))
            except names.InvalidName as exc:
                raise _FieldError(f"covers[{i}]", str(exc)) from None
        return Monitor(name=obj.name, kind=MonitorKind(obj.kind), covers=tuple(covers), source=self.source(obj.source))

    def domain(self, obj: Any) -> DeclaredDomain:
        return DeclaredDomain(
            name=_read_name(obj.name, "name"),
            source=self.source(obj.source),
            owner=obj.owner,
            criticality=Criticality(_given(obj.criticality, "medium")),
            hostnames=_read_names(obj.hostnames, "hostnames"),
        )

    def delegation(self, obj: Any) -> LiveDelegation:
        tags = obj.dnskey_tags
        return LiveDelegation(
            domain=_read_name(obj.domain, "domain"),
            source=self.source(obj.source),
            parent=obj.parent,
            nameservers=_read_names(obj.nameservers, "nameservers"),
            servers=self.each(
                obj.servers,
                "servers",
                lambda s: NameserverCheck(
                    name=_read_name(s.name, "name"), addresses=_read_addresses(s.addresses), lame=s.lame
                ),
            ),
            ds_key_tags=frozenset(obj.ds_key_tags),
            dnskey_tags=None if tags is None else frozenset(tags),
            ds_matched=frozenset(obj.ds_matched),
            error=obj.error,
        )

    def certificate(self, obj: Any) -> CertificateCheck:
        return CertificateCheck(
            hostname=_read_name(obj.hostname, "hostname"),
            source=self.source(obj.source),
            address=obj.address,
            not_after=_read_when(obj.not_after, "not_after"),
            names=tuple(n.lower() for n in obj.names),
            issuer=obj.issuer,
            untrusted=obj.untrusted,
            error=obj.error,
        )

    def error(self, obj: Any) -> ScanError:
        return ScanError(
            provider=obj.provider,
            account=obj.account,
            kind=obj.kind,
            message=obj.message,
            source=self.source(obj.source),
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
        "domains": [_domain(d) for d in inventory.domains],
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
        "delegations": [_delegation(d) for d in inventory.delegations],
        "certificates": [_certificate(c) for c in inventory.certificates],
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


def _domain(d: DeclaredDomain) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": d.name,
        "owner": d.owner,
        "criticality": str(d.criticality),
        "source": _source(d.source),
    }
    if d.hostnames:
        found["hostnames"] = list(d.hostnames)
    return found


def _delegation(d: LiveDelegation) -> dict[str, Any]:
    return {
        "domain": d.domain,
        "source": _source(d.source),
        "parent": d.parent,
        "nameservers": list(d.nameservers),
        "servers": [{"name": s.name, "addresses": list(s.addresses), "lame": s.lame} for s in d.servers],
        "ds_key_tags": sorted(d.ds_key_tags),
        "dnskey_tags": None if d.dnskey_tags is None else sorted(d.dnskey_tags),
        "ds_matched": sorted(d.ds_matched),
        "error": d.error,
    }


def _certificate(c: CertificateCheck) -> dict[str, Any]:
    return {
        "hostname": c.hostname,
        "source": _source(c.source),
        "address": c.address,
        "not_after": _when(c.not_after),
        "names": list(c.names),
        "issuer": c.issuer,
        "untrusted": c.untrusted,
        "error": c.error,
    }
