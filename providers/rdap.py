"""RDAP (RFC 9083): what the registry itself says about each domain. No credentials needed.

The fetch layer finds each TLD's RDAP server through the IANA bootstrap registry (RFC 9224), cached
on disk, and GETs ``domain/<name>``. :func:`normalize` turns a response into a Registration and is
written for real responses: upper-case or trailing-dot names, missing status lists, unprefixed
statuses, ``registrar expiration`` instead of ``expiration``, and eight spellings of a date.
"""

from __future__ import annotations

import base64
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lapse import names
from lapse.errors import LapseError, ProviderError, ProviderErrorKind
from lapse.model import Inventory, Note, Registration, ScanError, Source
from lapse.providers import Fragment, http
from lapse.providers.runtime import Limits, Session, listed, response_shape
from lapse.providers.scope import Scope
from lapse.timeutil import lenient_datetime

NAME = "rdap"
DEFAULT_BOOTSTRAP = "https://data.iana.org/rdap/dns.json"
BOOTSTRAP_MAX_AGE = 24 * 3600  # IANA updates the registry rarely; a day old is fresh enough
LIMITS = Limits(rate=4.0, burst=1, concurrency=4, timeout=15.0, retries=3)
_shape = response_shape(NAME)

BOOTSTRAP_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:lapse:external:rdap-bootstrap",
    "type": "object",
    "required": ["services"],
    "properties": {
        "version": {"type": "string"},
        "publication": {"type": "string"},
        "services": {
            "type": "array",
            "items": {
                "type": "array",
                "minItems": 2,
                "prefixItems": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "array", "items": {"type": "string"}},
                ],
            },
        },
    },
}

# Lenient on purpose: registries add members freely (CZ.NIC's fred_nsset); what we read must have
# the right shape, nothing more.
DOMAIN_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:lapse:external:rdap-domain",
    "type": "object",
    "properties": {
        "ldhName": {"type": "string"},
        "unicodeName": {"type": "string"},
        "status": {"type": "array", "items": {"type": "string"}},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"eventAction": {"type": "string"}, "eventDate": {"type": "string"}},
            },
        },
        "entities": {"type": "array", "items": {"type": "object"}},
        "nameservers": {"type": "array", "items": {"type": "object", "properties": {"ldhName": {"type": "string"}}}},
        "secureDNS": {"type": ["object", "boolean", "null"]},
    },
}

CONTACT_ROLES = {"registrant", "administrative", "technical", "billing"}


# -- normalize -----------------------------------------------------------------------------------


#: RDAP dates as servers really write them; a date with no zone is UTC (RFC 9083 §4.5)
parse_date = lenient_datetime


def epp_status(status: str) -> str:
    """RDAP status words to EPP codes (RFC 8056 §2): ``client transfer prohibited`` -> ``clientTransferProhibited``."""
    words = status.strip().replace("_", " ").split()
    if not words:
        return status
    if len(words) == 1:
        return "ok" if words[0].lower() == "active" else words[0]
    first, *rest = (w.lower() for w in words)
    return first + "".join(w.capitalize() for w in rest)


def key_tag(flags: int, protocol: int, algorithm: int, public_key: str) -> int:
    """DNSKEY key tag (RFC 4034 Appendix B), so keyData can be compared with DS key tags."""
    rdata = flags.to_bytes(2, "big") + bytes([protocol, algorithm]) + base64.b64decode(public_key)
    if algorithm == 1:
        return int.from_bytes(rdata[-3:-1], "big")
    total = sum(byte if i & 1 else byte << 8 for i, byte in enumerate(rdata))
    total += (total >> 16) & 0xFFFF
    return total & 0xFFFF


def _vcard(entity: Mapping[str, Any], field: str) -> list[str]:
    card = entity.get("vcardArray")
    if not (isinstance(card, list) and len(card) > 1 and isinstance(card[1], list)):
        return []
    return [str(item[3]) for item in card[1] if isinstance(item, list) and len(item) > 3 and item[0] == field]


def _roles(entity: Mapping[str, Any]) -> set[str]:
    return {str(r).lower() for r in entity.get("roles", []) if isinstance(r, str)}


def _entities(doc: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    for entity in doc.get("entities", []):
        if isinstance(entity, Mapping):
            yield entity
            yield from (e for e in entity.get("entities", []) if isinstance(e, Mapping))


def _ds_tags(secure: Any) -> frozenset[int] | None:
    if not isinstance(secure, Mapping):
        return frozenset() if secure is False else None
    tags = {int(ds["keyTag"]) for ds in secure.get("dsData", []) if isinstance(ds, Mapping) and "keyTag" in ds}
    for key in secure.get("keyData", []):
        try:
            tags.add(key_tag(int(key["flags"]), int(key["protocol"]), int(key["algorithm"]), str(key["publicKey"])))
        except (KeyError, TypeError, ValueError):
            continue
    if tags:
        return frozenset(tags)
    return frozenset() if secure.get("delegationSigned") is False else None


@_shape
def normalize(doc: Mapping[str, Any], *, queried: str, source: Source) -> Registration:
    """One RDAP domain response as a Registration (the registry's view)."""
    raw_name = doc.get("ldhName") or doc.get("unicodeName") or queried
    try:
        domain = names.normalize(str(raw_name))
    except names.InvalidName:
        domain = queried
    events: dict[str, datetime] = {}
    for event in doc.get("events", []):
        action = str(event.get("eventAction", "")).lower()
        when = parse_date(str(event.get("eventDate", "")))
        if when is not None:
            events.setdefault(action, when)
    registrar = next((e for e in _entities(doc) if "registrar" in _roles(e)), None)
    iana_id = None
    if registrar is not None:
        iana_id = next(
            (str(p.get("identifier")) for p in registrar.get("publicIds", []) if p.get("type") == "IANA Registrar ID"),
            None,
        )
        handle = str(registrar.get("handle", ""))
        if iana_id is None and handle.isdigit():
            iana_id = handle  # Verisign gives the IANA id as the registrar's handle
    registrar_name = None
    if registrar is not None:
        registrar_name = next(iter(_vcard(registrar, "fn") + _vcard(registrar, "org")), None)
    status = doc.get("status")
    emails = [
        email.removeprefix("mailto:")
        for entity in _entities(doc)
        if _roles(entity) & CONTACT_ROLES
        for email in _vcard(entity, "email")
        if "@" in email and "redacted" not in email.lower()
    ]
    nameservers = []
    for ns in doc.get("nameservers", []):
        try:
            nameservers.append(names.normalize(str(ns.get("ldhName", ""))))
        except names.InvalidName:
            continue
    return Registration(
        domain=domain,
        source=source,
        registrar=registrar_name,
        registrar_iana_id=iana_id,
        created=events.get("registration"),
        expires=events.get("expiration") or events.get("registrar expiration"),
        statuses=None if status is None else frozenset(epp_status(s) for s in status),
        nameservers=tuple(dict.fromkeys(nameservers)),
        contact_emails=tuple(dict.fromkeys(emails)),
        ds_key_tags=_ds_tags(doc.get("secureDNS")),
    )


class _BadResponse(LapseError):
    """An RDAP document that does not have the shape RFC 9083 / RFC 9224 promise."""


# -- bootstrap -----------------------------------------------------------------------------------


class Bootstrap:
    """TLD (or longer suffix) -> RDAP base URL, from the IANA registry."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.servers: dict[str, str] = {}
        for entry in document.get("services", []):
            suffixes, urls = entry[0], entry[1]
            https = [u for u in urls if u.lower().startswith("https://")]
            chosen = (https or urls or [None])[0]
            if chosen:
                for suffix in suffixes:
                    self.servers[suffix.lower().rstrip(".")] = chosen if chosen.endswith("/") else chosen + "/"

    def server_for(self, domain: str) -> str | None:
        """Longest matching suffix wins (RFC 9224 §4)."""
        labels = domain.split(".")
        for i in range(len(labels)):
            server = self.servers.get(".".join(labels[i:]))
            if server:
                return server
        return None


def _cache_path(cache_dir: Path | None, url: str) -> Path | None:
    if cache_dir is None:
        return None
    import hashlib

    return cache_dir / f"rdap-bootstrap-{hashlib.sha256(url.encode()).hexdigest()[:12]}.json"


def _read_cache(path: Path | None) -> tuple[float, Mapping[str, Any]] | None:
    """The cached bootstrap, or None when missing or corrupt: a bad cache never breaks a run."""
    if path is None:
        return None
    from lapse.validation import validate

    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        validate(cached["document"], BOOTSTRAP_SCHEMA, where=str(path), error=_BadResponse)
        return float(cached["fetched_at"]), cached["document"]
    except Exception:
        return None


def _write_cache(path: Path | None, document: Mapping[str, Any]) -> None:
    if path is None:
        return
    from lapse.files import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"fetched_at": time.time(), "document": document}))
    except OSError:
        pass  # a read-only home directory costs a fetch next time, nothing more


def load_bootstrap(session: Session, client: Any, url: str, cache_dir: Path | None) -> tuple[Bootstrap, list[Note]]:
    from lapse.validation import validate

    path = _cache_path(cache_dir, url)
    cached = _read_cache(path)
    if cached and time.time() - cached[0] < BOOTSTRAP_MAX_AGE:
        return Bootstrap(cached[1]), []
    try:
        document = session.call(lambda: http.get_json(client, url), what=f"bootstrap {url}")
        validate(document, BOOTSTRAP_SCHEMA, where=f"bootstrap {url}", error=_BadResponse)
    except (ProviderError, _BadResponse) as exc:
        if cached is None:
            if isinstance(exc, _BadResponse):
                raise ProviderError(NAME, ProviderErrorKind.INVALID_RESPONSE, str(exc)) from None
            raise
        age = (time.time() - cached[0]) / 3600
        return Bootstrap(cached[1]), [Note(provider=NAME, message=f"using the bootstrap cached {age:.0f} h ago: {exc}")]
    _write_cache(path, document)
    return Bootstrap(document), []


# -- read ----------------------------------------------------------------------------------------


def read(settings: Mapping[str, Any], scope: Scope) -> Fragment:
    """Query the registry of every known domain; failures are grouped per server, never raised."""
    limits = LIMITS.configured(settings)
    session = Session(NAME, limits, http.classify, deadline=scope.deadline)
    url = str(settings.get("bootstrap-url", DEFAULT_BOOTSTRAP))
    cache_dir = Path(settings["cache-dir"]).expanduser() if "cache-dir" in settings else scope.cache_dir
    read_at = scope.now
    with http.client(timeout=limits.timeout, on_send=session.pace_each_send()) as client:
        try:
            bootstrap, notes = load_bootstrap(session, client, url, cache_dir)
        except ProviderError as exc:
            source = Source(provider=NAME, read_at=read_at)
            error = ScanError(provider=NAME, kind=str(exc.kind), message=exc.reason, source=source)
            return Fragment(Inventory(errors=(error,)), session.requests)
        targets: list[tuple[str, str]] = []
        for domain in sorted(scope.domains):
            server = bootstrap.server_for(domain)
            if server is None:
                tld = domain.rsplit(".", 1)[-1]
                notes.append(Note(provider=NAME, domain=domain, message=f"the .{tld} registry has no RDAP service"))
            else:
                targets.append((domain, server))

        def fetch(target: tuple[str, str]) -> Registration | None:
            domain, server = target
            source = Source(provider=NAME, account=urlsplit(server).hostname, read_at=read_at)
            doc = session.call(
                lambda: http.get_json(client, f"{server}domain/{domain}", allow_missing=True), what=f"domain/{domain}"
            )
            if doc is None:
                notes.append(Note(provider=NAME, domain=domain, message="the registry has no record of this domain"))
                return None
            from lapse.validation import validate

            try:
                validate(doc, DOMAIN_SCHEMA, where=f"domain/{domain}", error=_BadResponse)
            except _BadResponse as bad:
                raise ProviderError(NAME, ProviderErrorKind.INVALID_RESPONSE, str(bad)) from None
            return normalize(doc, queried=domain, source=source)

        registrations: list[Registration] = []
        failed: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for (domain, server), outcome in session.map(fetch, targets):
            if isinstance(outcome, ProviderError):
                host = urlsplit(server).hostname or server
                reason = outcome.reason.split(": ", 1)[-1]
                failed[(host, str(outcome.kind), reason)].append(domain)
            elif outcome is not None:
                registrations.append(outcome)
    errors = tuple(
        ScanError(
            provider=NAME,
            account=host,
            kind=kind,
            message=f"{reason} for {listed(domains)}",
            source=Source(provider=NAME, account=host, read_at=read_at),
        )
        for (host, kind, reason), domains in sorted(failed.items())
    )
    inventory = Inventory(registrations=tuple(registrations), errors=errors, notes=tuple(notes))
    return Fragment(inventory, session.requests)
