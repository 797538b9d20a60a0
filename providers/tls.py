"""The ``tls`` probe: connect to each hostname that serves traffic and read the certificate it serves.

Hostnames are the declared ``hostnames`` of each domain plus every proxied record the DNS providers
reported. Each is looked up through the shared stub resolver and connected to on ``port`` with SNI.
The chain is verified against the system trust store (plus ``ca-file``) with hostname checking off,
so that "untrusted" and "does not cover this name" are told apart; the rules judge coverage and
expiry from the names and dates stored here. Only a handshake is made: no request is sent.
"""

from __future__ import annotations

import functools
import socket
import ssl
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from lapse.errors import ProviderError, ProviderErrorKind, UsageError
from lapse.model import CertificateCheck, Inventory, ScanError, Source
from lapse.providers import Fragment
from lapse.providers.resolve import addresses, classify, resolver
from lapse.providers.runtime import Limits, Session, by_cause, listed
from lapse.providers.scope import Scope

NAME = "tls"
LIMITS = Limits(rate=20.0, burst=5, concurrency=8, timeout=8.0, retries=1)
#: OpenSSL's X509_V_ERR_CERT_HAS_EXPIRED: expiry is LAP511's to report, not "untrusted"
_EXPIRED = 10


def contexts(ca_file: str | None) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A verifying context (chain only) and one that accepts anything, to read what is served."""
    verifying = ssl.create_default_context()
    if ca_file:
        try:
            verifying.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"providers.tls.ca-file: cannot load {ca_file} ({exc})") from None
    verifying.check_hostname = False
    accepting = ssl.create_default_context()
    accepting.check_hostname = False
    accepting.verify_mode = ssl.CERT_NONE
    return verifying, accepting


def describe(der: bytes) -> tuple[Any, tuple[str, ...], str | None]:
    """notAfter, subjectAltName DNS names and issuer of a DER certificate."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns_names = tuple(n.lower() for n in san.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        dns_names = ()
    issuer = cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME) or cert.issuer.get_attributes_for_oid(
        NameOID.COMMON_NAME
    )
    return cert.not_valid_after_utc.astimezone(UTC), dns_names, str(issuer[0].value) if issuer else None


class _Connector:
    def __init__(self, session: Session, resolve: Any, *, port: int, ca_file: str | None, source: Source) -> None:
        self.session = session
        self.resolve = resolve
        self.port = port
        self.verifying, self.accepting = contexts(ca_file)
        self.source = source

    def handshake(self, address: str, hostname: str, context: ssl.SSLContext) -> bytes:
        with (
            socket.create_connection((address, self.port), timeout=self.session.limits.timeout) as raw,
            context.wrap_socket(raw, server_hostname=hostname) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
        if not der:
            raise ssl.SSLError("the server sent no certificate")
        return der

    def check(self, hostname: str) -> CertificateCheck:
        found = addresses(self.session, self.resolve, hostname, ipv6=False)
        if not found:
            return CertificateCheck(hostname=hostname, source=self.source, error="the name has no address (A record)")
        address = found[0]
        where = f"{address}:{self.port}"
        made = functools.partial(CertificateCheck, hostname=hostname, source=self.source, address=where)
        untrusted = None
        try:
            der = self.session.call(lambda: self._verified(address, hostname), what=f"{hostname} at {where}")
        except _Untrusted as exc:
            untrusted = exc.reason
            try:
                der = self.session.call(
                    lambda: self.handshake(address, hostname, self.accepting), what=f"{hostname} at {where}"
                )
            except ProviderError as failed:
                return made(error=failed.reason.rsplit(": ", 1)[-1])
        except ProviderError as failed:
            return made(error=_plain(failed))
        try:
            not_after, dns_names, issuer = describe(der)
        except ValueError as exc:
            return made(error=f"the certificate could not be parsed ({exc})")
        return made(not_after=not_after, names=dns_names, issuer=issuer, untrusted=untrusted)

    def _verified(self, address: str, hostname: str) -> bytes:
        try:
            return self.handshake(address, hostname, self.verifying)
        except ssl.SSLCertVerificationError as exc:
            if exc.verify_code == _EXPIRED:
                return self.handshake(address, hostname, self.accepting)
            raise _Untrusted(exc.verify_message or str(exc)) from None


class _Untrusted(ProviderError):
    """The chain did not verify: not a failure to read, a fact about what is served."""

    def __init__(self, reason: str) -> None:
        super().__init__(NAME, ProviderErrorKind.INVALID_RESPONSE, reason)


def _plain(failure: ProviderError) -> str:
    """``api.example.com at 192.0.2.1:443: connection refused`` -> ``connection refused``."""
    reason = failure.reason.split(": ", 1)[-1]
    return f"TLS handshake failed: {reason[len('TLS failed: ') :]}" if reason.startswith("TLS failed: ") else reason


def read(settings: Mapping[str, Any], scope: Scope) -> Fragment:
    limits = LIMITS.configured(settings)
    session = Session(NAME, limits, classify, deadline=scope.deadline)
    source = Source(provider=NAME, read_at=scope.now)
    connector = _Connector(
        session,
        resolver(settings, provider=NAME, timeout=min(limits.timeout, 5.0)),
        port=int(settings.get("port", 443)),
        ca_file=settings.get("ca-file"),
        source=source,
    )
    found: list[CertificateCheck] = []
    failed: list[tuple[str, ProviderError]] = []
    for hostname, outcome in session.map(connector.check, sorted(scope.hostnames)):
        if isinstance(outcome, ProviderError):  # the lookup failed: our resolver, not their host
            failed.append((hostname, outcome))
        else:
            found.append(outcome)
    errors = tuple(
        ScanError(
            provider=NAME,
            kind=kind,
            message=f"address lookup failed ({reason}) for {listed(hosts, 'hostname')}",
            source=source,
        )
        for kind, reason, hosts in by_cause(failed)
    )
    return Fragment(Inventory(certificates=tuple(found), errors=errors), session.requests)
