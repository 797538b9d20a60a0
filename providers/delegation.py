"""The ``dns`` probe: ask the parent zone's own servers who serves each domain, then ask those.

Registrar consoles, the registry's RDAP and the DNS provider can each be wrong about what the world
sees; resolvers follow only the parent zone. For every domain the probe finds the parent zone's
servers, asks one of them without recursion for the delegation (the referral's NS set and glue) and
the DS set, asks every delegated server at every address for the domain's SOA (lame or not), and,
when the parent holds DS, reads the DNSKEYs and checks each DS digest against them (dnspython).

Only queries are sent; nothing is changed anywhere. A parent zone that cannot be reached is a
ScanError (the result is incomplete); a nameserver that does not answer is an observation (lame).
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lapse import names
from lapse.errors import ProviderError, ProviderErrorKind
from lapse.model import Inventory, LiveDelegation, NameserverCheck, ScanError, Source
from lapse.providers import Fragment
from lapse.providers.resolve import addresses, classify, resolver
from lapse.providers.runtime import Limits, Session, by_cause, listed
from lapse.providers.scope import Scope

NAME = "dns"
#: public DNS servers answer thousands of queries a second; stay far below that per scan
LIMITS = Limits(rate=100.0, burst=20, concurrency=16, timeout=3.0, retries=1)


@dataclass(frozen=True, slots=True)
class _Server:
    name: str
    addresses: tuple[str, ...]


class _Prober:
    def __init__(self, session: Session, resolve: Any, *, port: int, ipv6: bool, source: Source) -> None:
        self.session = session
        self.resolve = resolve
        self.port = port
        self.ipv6 = ipv6
        self.source = source
        self._parents: dict[str, tuple[str, list[_Server]]] = {}
        self._lock = threading.Lock()

    # -- the wire ---------------------------------------------------------------------------------

    def ask(self, address: str, qname: str, rdtype: str) -> Any:
        """One non-recursive query (UDP, TCP when truncated), paced and retried by the session."""
        import dns.flags
        import dns.message
        import dns.query

        query = dns.message.make_query(qname, rdtype)
        query.flags &= ~dns.flags.RD
        timeout = self.session.limits.timeout
        return self.session.call(
            lambda: dns.query.udp_with_fallback(query, address, timeout=timeout, port=self.port)[0],
            what=f"{qname} {rdtype} at {address}",
        )

    def lookup(self, name: str) -> tuple[str, ...]:
        return addresses(self.session, self.resolve, name, ipv6=self.ipv6)

    # -- the parent -------------------------------------------------------------------------------

    def parent_of(self, domain: str) -> tuple[str, list[_Server]]:
        """The nearest zone above the domain that has NS records, and its servers (cached)."""
        import dns.resolver

        for parent in names.ancestors(domain):
            with self._lock:
                if parent in self._parents:
                    return self._parents[parent]

            def ns(zone: str = parent) -> list[str]:
                try:
                    answer = self.resolve.resolve(zone, "NS", search=False)
                except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                    return []
                return sorted(filter(None, (names.lenient(r.target.to_text()) for r in answer)))

            servers = self.session.call(ns, what=f"{parent} NS")
            if servers:
                found = (parent, [_Server(s, self.lookup(s)) for s in servers])
                with self._lock:
                    self._parents[parent] = found
                return found
        raise ProviderError(NAME, ProviderErrorKind.INVALID_RESPONSE, f"{domain}: no parent zone with nameservers")

    def ask_parent(self, servers: list[_Server], qname: str, rdtype: str) -> Any:
        """The first parent server that answers; the last failure when none does."""
        failure: ProviderError | None = None
        for server in servers:
            for address in server.addresses:
                try:
                    return self.ask(address, qname, rdtype)
                except ProviderError as exc:
                    failure = exc
        if failure is None:
            raise ProviderError(NAME, ProviderErrorKind.UNAVAILABLE, f"{qname}: no address for any parent server")
        raise failure

    # -- one domain -------------------------------------------------------------------------------

    def probe(self, domain: str) -> LiveDelegation:
        import dns.rcode
        import dns.rdatatype

        parent, servers = self.parent_of(domain)
        referral = self.ask_parent(servers, domain, "NS")
        made = functools.partial(LiveDelegation, domain=domain, source=self.source, parent=parent)
        if referral.rcode() == dns.rcode.NXDOMAIN:
            return made(error="the parent answered NXDOMAIN (not delegated: expired, deleted or never registered)")
        if referral.rcode() != dns.rcode.NOERROR:
            return made(error=f"the parent answered {dns.rcode.to_text(referral.rcode())}")
        delegated = _ns_set(referral, domain)
        if not delegated:
            return made(error="the parent has no NS records for it")
        glue = _glue(referral)
        checks = [self.check_server(domain, ns, glue.get(ns, ())) for ns in delegated]
        ds = self.ask_parent(servers, domain, "DS")
        ds_records = [r for rrset in ds.answer if rrset.rdtype == dns.rdatatype.DS for r in rrset]
        dnskey_tags: frozenset[int] | None = None
        matched: frozenset[int] = frozenset()
        if ds_records:
            keys = self.dnskeys(domain, [c for c in checks if not c.lame])
            if keys is not None:
                dnskey_tags, matched = _match(domain, ds_records, keys)
        return made(
            nameservers=tuple(delegated),
            servers=tuple(checks),
            ds_key_tags=frozenset(r.key_tag for r in ds_records),
            dnskey_tags=dnskey_tags,
            ds_matched=matched,
        )

    def check_server(self, domain: str, ns: str, glue: tuple[str, ...]) -> NameserverCheck:
        """Authoritative at every address, or the first reason it is not."""
        import dns.flags
        import dns.rcode
        import dns.rdatatype

        try:
            found = glue or self.lookup(ns)
        except ProviderError as exc:
            return NameserverCheck(name=ns, lame=f"its address could not be looked up ({exc.reason})")
        if not found:
            return NameserverCheck(name=ns, lame="no address (its name does not resolve)")
        for address in found:
            try:
                answer = self.ask(address, domain, "SOA")
            except ProviderError as exc:
                return NameserverCheck(name=ns, addresses=found, lame=f"{exc.reason.rsplit(': ', 1)[-1]} at {address}")
            rcode = answer.rcode()
            if rcode != dns.rcode.NOERROR:
                lame = f"answers {dns.rcode.to_text(rcode)} at {address}"
                return NameserverCheck(name=ns, addresses=found, lame=lame)
            if not answer.flags & dns.flags.AA or not any(
                r.rdtype == dns.rdatatype.SOA and _name(r.name) == domain for r in answer.answer
            ):
                return NameserverCheck(name=ns, addresses=found, lame=f"not authoritative at {address}")
        return NameserverCheck(name=ns, addresses=found)

    def dnskeys(self, domain: str, servers: list[NameserverCheck]) -> list[Any] | None:
        import dns.rdatatype

        for server in servers:
            for address in server.addresses:
                try:
                    answer = self.ask(address, domain, "DNSKEY")
                except ProviderError:
                    continue
                return [r for rrset in answer.answer if rrset.rdtype == dns.rdatatype.DNSKEY for r in rrset]
        return None


def _name(value: Any) -> str:
    return names.lenient(value.to_text()) or ""


def _ns_set(message: Any, domain: str) -> list[str]:
    """The delegation: NS for the domain in the authority section (a referral) or the answer."""
    import dns.rdatatype

    for section in (message.authority, message.answer):
        for rrset in section:
            if rrset.rdtype == dns.rdatatype.NS and _name(rrset.name) == domain:
                return sorted({_name(r.target) for r in rrset})
    return []


def _glue(message: Any) -> dict[str, tuple[str, ...]]:
    import dns.rdatatype

    glue: dict[str, list[str]] = defaultdict(list)
    for rrset in message.additional:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            glue[_name(rrset.name)] += [r.address for r in rrset]
    return {name: tuple(found) for name, found in glue.items()}


def _match(domain: str, ds_records: list[Any], keys: list[Any]) -> tuple[frozenset[int], frozenset[int]]:
    """Key tags of the DNSKEYs, and of the DS records whose digest one of them produces."""
    import dns.dnssec
    import dns.exception
    import dns.name

    tags = {id(key): dns.dnssec.key_id(key) for key in keys}
    matched = set()
    for ds in ds_records:
        for key in keys:
            if tags[id(key)] != ds.key_tag or key.algorithm != ds.algorithm:
                continue
            try:
                made = dns.dnssec.make_ds(dns.name.from_text(domain), key, ds.digest_type, validating=True)
            except (dns.exception.DNSException, ValueError):
                continue
            if made.digest == ds.digest:
                matched.add(ds.key_tag)
    return frozenset(tags.values()), frozenset(matched)


def read(settings: Mapping[str, Any], scope: Scope) -> Fragment:
    """Probe every known domain; parents that cannot be asked are grouped into ScanErrors."""
    limits = LIMITS.configured(settings)
    session = Session(NAME, limits, classify, deadline=scope.deadline)
    source = Source(provider=NAME, read_at=scope.now)
    prober = _Prober(
        session,
        resolver(settings, provider=NAME, timeout=limits.timeout),
        port=int(settings.get("port", 53)),
        ipv6=bool(settings.get("ipv6", False)),
        source=source,
    )
    found: list[LiveDelegation] = []
    failed: list[tuple[str, ProviderError]] = []
    for domain, outcome in session.map(prober.probe, sorted(scope.domains)):
        if isinstance(outcome, ProviderError):
            failed.append((domain, outcome))
        else:
            found.append(outcome)
    errors = tuple(
        ScanError(provider=NAME, kind=kind, message=f"{reason} for {listed(domains)}", source=source)
        for kind, reason, domains in by_cause(failed)
    )
    return Fragment(Inventory(delegations=tuple(found), errors=errors), session.requests)
