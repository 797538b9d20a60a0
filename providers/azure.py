"""Azure: DNS zones and record sets (azure-mgmt-dns), App Service Domains (azure-mgmt-domainregistration).

Credentials: ``DefaultAzureCredential`` by default, or a ready ARM bearer token from the variable
named by ``access-token-env`` (CI systems that already hold one). ``resource-manager-url`` points at a
sovereign cloud. Responses are normalized from their REST (wire) form, the same JSON as the REST
API's own examples, so the normalize functions are tested against those documents.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from lapse import names
from lapse.errors import ProviderError, ProviderErrorKind
from lapse.model import Inventory, Record, Registration, RenewalFailure, ScanError, Source, Zone
from lapse.providers import Fragment
from lapse.providers.runtime import Failure, Limits, Session, by_cause, parse_retry_after, response_shape
from lapse.providers.scope import Scope
from lapse.timeutil import lenient_datetime

NAME = "azure"
DEFAULT_RESOURCE_MANAGER = "https://management.azure.com"
# ARM allows 12,000 reads an hour per subscription and principal (~3/s); stay well inside.
LIMITS = Limits(rate=3.0, burst=6, concurrency=4, timeout=30.0, retries=4)
_shape = response_shape(NAME)
#: App Service Domain states as the EPP statuses the rules read
_STATUS = {
    "Active": "ok",
    "Expired": "expired",
    "Held": "held",
    "Suspended": "suspended",
    "Locked": "clientTransferProhibited",
    "Parked": "parked",
    "Disabled": "serverHold",
    "Confiscated": "serverHold",
}
#: domainNotRenewableReasons that mean a renewal cannot happen (the third, "ExpirationNotInRenewalTimeRange",
#: only means it is too early to renew)
_BLOCKING = {"RegistrationStatusNotSupportedForRenewal", "SubscriptionNotActive"}
_RECORD_KEYS = {
    "ARecords": ("A", "ipv4Address"),
    "AAAARecords": ("AAAA", "ipv6Address"),
    "MXRecords": ("MX", "exchange"),
    "NSRecords": ("NS", "nsdname"),
    "TXTRecords": ("TXT", "value"),
    "CAARecords": ("CAA", "value"),
    "caaRecords": ("CAA", "value"),
}

_when = lenient_datetime
_name = names.lenient


class ReadOnlyViolation(RuntimeError):
    """A request that could change something; refused by the pipeline before it is sent."""


def classify(exc: BaseException) -> Failure:
    from azure.core import exceptions as ax

    match exc:
        case ax.ClientAuthenticationError():
            return Failure(ProviderErrorKind.AUTH, f"authentication failed ({_first_line(exc)})", status=401)
        case ax.HttpResponseError() if exc.status_code == 403:
            return Failure(ProviderErrorKind.AUTH, "403 Forbidden: the identity lacks the Reader role here", status=403)
        case ax.HttpResponseError() if exc.status_code == 429:
            headers = getattr(exc.response, "headers", None) or {}
            return Failure(
                ProviderErrorKind.THROTTLED,
                "429 Too Many Requests: throttled by Azure Resource Manager",
                True,
                parse_retry_after(headers.get("Retry-After")),
                429,
            )
        case ax.HttpResponseError() if (exc.status_code or 0) >= 500:
            html = "html" in (getattr(exc.response, "headers", None) or {}).get("Content-Type", "")
            return Failure(
                ProviderErrorKind.UNAVAILABLE,
                f"server error {exc.status_code}" + (" (it returned an HTML page)" if html else ""),
                True,
                None,
                exc.status_code,
            )
        case ax.DecodeError():
            return Failure(
                ProviderErrorKind.INVALID_RESPONSE, "the response was not valid JSON (malformed or truncated)"
            )
        case ax.HttpResponseError():
            return Failure(
                ProviderErrorKind.INVALID_RESPONSE,
                f"unexpected HTTP {exc.status_code} ({_first_line(exc)})",
                status=exc.status_code,
            )
        case ax.ServiceRequestTimeoutError() | ax.ServiceResponseTimeoutError():
            return Failure(ProviderErrorKind.TIMEOUT, "the request timed out", True)
        case ax.ServiceRequestError() | ax.ServiceResponseError():
            return _connection_failure(exc)
        case _:
            return Failure(ProviderErrorKind.UNAVAILABLE, f"{type(exc).__name__}: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _connection_failure(exc: BaseException) -> Failure:
    text = str(exc)
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered:
        problem = "does not match the host" if "match" in lowered else "is not trusted"
        return Failure(ProviderErrorKind.UNAVAILABLE, f"TLS error: the server's certificate {problem}")
    if "timed out" in lowered or "timeout" in lowered:
        return Failure(ProviderErrorKind.TIMEOUT, "the request timed out", True)
    if "refused" in lowered:
        return Failure(ProviderErrorKind.UNAVAILABLE, "connection refused", True)
    return Failure(ProviderErrorKind.UNAVAILABLE, f"could not connect ({_first_line(exc)})", True)


# -- normalize -----------------------------------------------------------------------------------


@_shape
def normalize_domain(doc: Mapping[str, Any], source: Source) -> Registration | None:
    """One App Service Domain (Domains_Get / Domains_List item) as a registrar view."""
    domain = _name(doc.get("name", ""))
    if domain is None:
        return None
    props = doc.get("properties", {}) or {}
    status = props.get("registrationStatus")
    auto_renew = props.get("autoRenew")
    reasons = [str(r) for r in props.get("domainNotRenewableReasons", []) or []]
    failures = tuple(
        RenewalFailure(at=None, reason=f"Azure says the domain cannot renew: {reason}")
        for reason in reasons
        if reason in _BLOCKING
    )
    contacts = [
        str(props[key]["email"])
        for key in ("contactRegistrant", "contactAdmin", "contactTech", "contactBilling")
        if isinstance(props.get(key), Mapping) and props[key].get("email")
    ]
    return Registration(
        domain=domain,
        source=source,
        # App Service Domains are registered through GoDaddy
        registrar="GoDaddy.com, LLC (Azure App Service Domains)",
        registrar_iana_id="146",
        created=_when(props.get("createdTime")),
        expires=_when(props.get("expirationTime")),
        auto_renew=None if auto_renew is None else bool(auto_renew),
        statuses=frozenset({_STATUS.get(str(status), str(status))}) if status else None,
        nameservers=tuple(n for n in (_name(ns) for ns in props.get("nameServers", []) or []) if n),
        contact_emails=tuple(dict.fromkeys(contacts)),
        renewal_failures=failures,
    )


@_shape
def normalize_zone(doc: Mapping[str, Any], record_sets: Sequence[Mapping[str, Any]], source: Source) -> Zone | None:
    name = _name(doc.get("name", ""))
    if name is None:
        return None
    props = doc.get("properties", {}) or {}
    records: list[Record] = []
    for rs in record_sets:
        rprops = rs.get("properties", {}) or {}
        fqdn = _name(rprops.get("fqdn") or f"{rs.get('name')}.{name}".replace("@.", ""))
        if fqdn is None:
            continue
        ttl = rprops.get("TTL")
        target = (rprops.get("targetResource") or {}).get("id", "")
        edge = "azure" if "Microsoft.Cdn" in target or "frontDoors" in target else None
        cname = (rprops.get("CNAMERecord") or {}).get("cname")
        if cname:
            records.append(
                Record(name=fqdn, type="CNAME", content=str(cname), ttl=ttl, proxied=edge is not None, edge=edge)
            )
        for key, (rtype, field) in _RECORD_KEYS.items():
            for item in rprops.get(key, []) or []:
                value = item.get(field)
                content = " ".join(value) if isinstance(value, list) else str(value)
                records.append(
                    Record(name=fqdn, type=rtype, content=content, ttl=ttl, proxied=edge is not None, edge=edge)
                )
    nameservers = tuple(n for n in (_name(ns) for ns in props.get("nameServers", []) or []) if n)
    return Zone(name=name, source=source, provider=NAME, nameservers=nameservers, records=tuple(records))


# -- fetch ---------------------------------------------------------------------------------------


class _StaticToken:
    """A TokenCredential over a bearer token the CI system already holds."""

    def __init__(self, token: str) -> None:
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)

    def __repr__(self) -> str:  # never show the token, even in a debugger or a log line
        return "_StaticToken(<redacted>)"


def _read_only_policy() -> Any:
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    class ReadOnly(SansIOHTTPPolicy):  # type: ignore[type-arg]
        def on_request(self, request: Any) -> None:
            method = request.http_request.method
            if method not in {"GET", "HEAD"}:
                raise ReadOnlyViolation(f"refused to send {method} {request.http_request.url}: lapse only reads")

    return ReadOnly()


def _wire(item: Any) -> dict[str, Any]:
    """An SDK model in its REST form (the same JSON the API sent)."""
    if hasattr(item, "as_dict") and not hasattr(item, "serialize"):
        wire: dict[str, Any] = item.as_dict()
        return wire
    if hasattr(item, "serialize"):
        data: dict[str, Any] = item.serialize(keep_readonly=True)
        return data
    return dict(item)


class Subscription:
    def __init__(self, subscription: str, credential: Any, base_url: str, limits: Limits, scope: Scope) -> None:
        from azure.mgmt.dns import DnsManagementClient
        from azure.mgmt.domainregistration import DomainRegistrationMgmtClient

        common: dict[str, Any] = {
            "credential_scopes": [base_url.rstrip("/") + "/.default"],
            "retry_total": 0,  # the shared runtime retries, not azure-core
            "connection_timeout": limits.timeout,
            "read_timeout": limits.timeout,
            "per_call_policies": [_read_only_policy()],
        }
        self.id = subscription
        self.dns = DnsManagementClient(credential, subscription, base_url=base_url, **common)
        self.domains = DomainRegistrationMgmtClient(credential, subscription, base_url=base_url, **common)
        self.session = Session(f"{NAME}:{subscription}", limits, classify, deadline=scope.deadline)
        self.source = Source(provider=NAME, account=subscription, read_at=scope.now)

    def pages(self, paged: Any, what: str) -> Iterator[dict[str, Any]]:
        def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            iterator = paged().by_page(continuation_token=cursor)
            items = [_wire(i) for i in next(iterator, [])]
            return items, iterator.continuation_token

        return self.session.pages(fetch, what=what)

    def registrations(self) -> list[Registration]:
        return [
            r
            for r in (
                normalize_domain(d, self.source) for d in self.pages(self.domains.domains.list, "App Service Domains")
            )
            if r is not None
        ]

    def zones(self) -> tuple[list[Zone], list[ScanError]]:
        listed = list(self.pages(self.dns.zones.list, "DNS zones"))

        def one(zone: dict[str, Any]) -> Zone | None:
            group = str(zone.get("id", "")).split("/resourceGroups/")[-1].split("/")[0]
            sets = list(
                self.pages(
                    lambda: self.dns.record_sets.list_all_by_dns_zone(group, zone["name"]),
                    f"record sets of {zone['name']}",
                )
            )
            return normalize_zone(zone, sets, self.source)

        zones: list[Zone] = []
        failed: list[tuple[str, ProviderError]] = []
        for zone, outcome in self.session.map(one, listed):
            if isinstance(outcome, ProviderError):
                failed.append((str(zone.get("name")), outcome))
            elif outcome is not None:
                zones.append(outcome)
        errors = [
            ScanError(
                provider=NAME,
                account=self.id,
                kind=kind,
                message=f"record sets of {', '.join(sorted(z)[:3])}: {cause}",
                source=self.source,
            )
            for kind, cause, z in by_cause(failed)
        ]
        return zones, errors


def _credential(settings: Mapping[str, Any]) -> Any:
    env = settings.get("access-token-env")
    if env:
        token = os.environ.get(str(env), "")
        if not token:
            raise ProviderError(
                NAME, ProviderErrorKind.AUTH, f"no access token: the environment variable {env} is not set"
            )
        return _StaticToken(token)
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def read(settings: Mapping[str, Any], scope: Scope) -> Fragment:
    limits = LIMITS.configured(settings)
    base_url = str(settings.get("resource-manager-url", DEFAULT_RESOURCE_MANAGER))
    configured = settings.get("subscription-id") or os.environ.get("AZURE_SUBSCRIPTION_ID")
    source = Source(provider=NAME, read_at=scope.now)
    if not configured:
        error = ScanError(
            provider=NAME,
            kind=str(ProviderErrorKind.AUTH),
            message="no subscription: set subscription-id in [providers.azure] or AZURE_SUBSCRIPTION_ID",
            source=source,
        )
        return Fragment(Inventory(errors=(error,)))
    subscriptions = [configured] if isinstance(configured, str) else list(configured)
    try:
        credential = _credential(settings)
    except ProviderError as exc:
        return Fragment(
            Inventory(errors=(ScanError(provider=NAME, kind=str(exc.kind), message=exc.reason, source=source),))
        )
    inventory = Inventory()
    requests = 0
    for subscription in subscriptions:
        sub = Subscription(str(subscription), credential, base_url, limits, scope)
        registrations: list[Registration] = []
        zones: list[Zone] = []
        errors: list[ScanError] = []
        try:
            registrations = sub.registrations()
        except ProviderError as exc:
            errors.append(
                ScanError(provider=NAME, account=sub.id, kind=str(exc.kind), message=exc.reason, source=sub.source)
            )
        try:
            zones, zone_errors = sub.zones()
            errors += zone_errors
        except ProviderError as exc:
            errors.append(
                ScanError(provider=NAME, account=sub.id, kind=str(exc.kind), message=exc.reason, source=sub.source)
            )
        inventory = inventory.merge(
            Inventory(registrations=tuple(registrations), zones=tuple(zones), errors=tuple(errors))
        )
        requests += sub.session.requests
        sub.dns.close()
        sub.domains.close()
    return Fragment(inventory, requests)
