"""The stub resolver the live probes share, and how they turn DNS failures into plain words.

Probes look up addresses (of the parent zone's servers, of nameservers without glue, of hostnames to
connect to) through an ordinary recursive resolver: the system's, or the ``resolvers`` a config
lists (``"192.0.2.53"``, ``"192.0.2.53:5353"``, ``"[2001:db8::53]:53"``). dnspython is imported by
the probes only, never on the offline path.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Mapping, Sequence
from typing import Any

from lapse.errors import ProviderErrorKind, UsageError
from lapse.providers.runtime import Failure, Session


def parse_server(text: str, *, default_port: int = 53) -> tuple[str, int]:
    """``host``, ``host:port`` or ``[v6]:port`` as (address, port); the address must be an IP."""
    host, port = text.strip(), default_port
    if host.startswith("["):
        inside, _, rest = host[1:].partition("]")
        host = inside
        if rest.startswith(":"):
            port = int(rest[1:])
    elif host.count(":") == 1:
        host, _, digits = host.partition(":")
        port = int(digits)
    ipaddress.ip_address(host)  # ValueError for a name: a resolver must be given by address
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range")
    return host, port


def resolver(settings: Mapping[str, Any], *, provider: str, timeout: float) -> Any:
    """A dnspython Resolver with a cache: the configured servers, else the system's."""
    import dns.nameserver
    import dns.resolver

    listed: Sequence[str] = settings.get("resolvers", ())
    try:
        made = dns.resolver.Resolver(configure=not listed)
    except dns.resolver.NoResolverConfiguration:
        raise UsageError(
            f"providers.{provider}: the system has no resolver configured; list some in 'resolvers'"
        ) from None
    if listed:
        servers = []
        for i, text in enumerate(listed):
            try:
                address, port = parse_server(text)
            except ValueError as exc:
                raise UsageError(
                    f"providers.{provider}.resolvers[{i}]: expected an IP address with an optional port, got {text!r} "
                    f"({exc})"
                ) from None
            servers.append(dns.nameserver.Do53Nameserver(address, port))
        made.nameservers = servers
    made.timeout = timeout
    made.lifetime = timeout * 2
    made.cache = dns.resolver.LRUCache(10_000)
    return made


def classify(exc: BaseException) -> Failure:
    """DNS and socket failures in plain words; timeouts are worth one more try."""
    import dns.exception
    import dns.resolver

    if isinstance(exc, dns.resolver.LifetimeTimeout | dns.exception.Timeout | TimeoutError | socket.timeout):
        return Failure(ProviderErrorKind.TIMEOUT, "no answer in time", retryable=True)
    if isinstance(exc, dns.resolver.NoNameservers):
        return Failure(ProviderErrorKind.UNAVAILABLE, "every resolver failed to answer (SERVFAIL or refused)")
    if isinstance(exc, ConnectionRefusedError):
        return Failure(ProviderErrorKind.UNAVAILABLE, "connection refused")
    if isinstance(exc, ssl.SSLError):
        return Failure(ProviderErrorKind.UNAVAILABLE, f"TLS failed: {exc.reason or exc}")
    if isinstance(exc, OSError):
        return Failure(ProviderErrorKind.UNAVAILABLE, exc.strerror or str(exc))
    if isinstance(exc, dns.exception.DNSException):
        return Failure(ProviderErrorKind.INVALID_RESPONSE, f"a malformed DNS answer ({type(exc).__name__}: {exc})")
    return Failure(ProviderErrorKind.INVALID_RESPONSE, f"{type(exc).__name__}: {exc}")


def addresses(session: Session, resolve: Any, name: str, *, ipv6: bool) -> tuple[str, ...]:
    """The A (and AAAA) addresses of a name; empty when it does not exist or has none."""
    import dns.resolver

    def lookup(rdtype: str) -> list[str]:
        try:
            return [r.address for r in resolve.resolve(name, rdtype, search=False)]
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []

    found: list[str] = []
    for rdtype in ("A", "AAAA") if ipv6 else ("A",):
        found += session.call(lambda t=rdtype: lookup(t), what=f"{name} {rdtype}")  # type: ignore[misc]
    return tuple(found)
