"""AWS: Route 53 Domains (registrations), Route 53 (hosted zones, records, health checks).

The fetch layer is the only code that touches boto3; the ``normalize_*`` functions turn the
response shapes (botocore's service model) into the lapse model. botocore's own retries are
switched off so that the shared runtime paces and retries every call, and a ``before-call`` hook
refuses any operation that is not a List/Get: lapse never changes an AWS account.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import msgspec

from lapse import __version__, names
from lapse.errors import ProviderError, ProviderErrorKind
from lapse.model import (
    Inventory,
    Monitor,
    MonitorKind,
    Record,
    Registration,
    RenewalFailure,
    ScanError,
    Source,
    Zone,
)
from lapse.providers import Fragment
from lapse.providers.permissions import AWS_POLICY
from lapse.providers.runtime import Failure, Limits, Session, by_cause, parse_retry_after, response_shape
from lapse.providers.scope import Scope
from lapse.timeutil import lenient_datetime

NAME = "aws"
# Route 53 Domains allows about 5 requests a second per account; Route 53 itself about 5 too.
LIMITS = Limits(rate=5.0, burst=1, concurrency=5, timeout=20.0, retries=4)
_shape = response_shape(NAME)
READ_PREFIXES = ("List", "Get", "Describe")
PERMISSIONS = AWS_POLICY
_AUTH_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "AuthFailure",
}
_THROTTLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "PriorRequestNotComplete"}
#: RENEW_DOMAIN operations in these states mean the renewal did not go through
_FAILED_STATES = {"FAILED", "ERROR"}
_BLOCKED_FLAGS = {"PENDING_PAYMENT_VERIFICATION", "PENDING_CUSTOMER_ACTION", "PENDING_SUPPORT_CASE"}

_utc = lenient_datetime
_name = names.lenient


class ReadOnlyViolation(RuntimeError):
    """An AWS call that could change something; refused before it is signed or sent."""


def _guard(model: Any, **_: Any) -> None:
    if not model.name.startswith(READ_PREFIXES):
        raise ReadOnlyViolation(f"refused to call {model.name}: lapse only reads")


# -- classification ------------------------------------------------------------------------------


def classify(exc: BaseException) -> Failure:
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    match exc:
        case bx.ClientError():
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            meta = exc.response.get("ResponseMetadata", {})
            status = int(meta.get("HTTPStatusCode", 0) or 0)
            text = f"{code}: {error.get('Message', '')}".strip(": ")
            if not text or text == str(status):
                html = "html" in str(meta.get("HTTPHeaders", {}).get("content-type", ""))
                text = f"HTTP {status}" + (", it returned an HTML page" if html else "")
            if code in _AUTH_CODES or status in (401, 403):
                return Failure(
                    ProviderErrorKind.AUTH,
                    f"{text} (check the credentials and the IAM policy 'lapse permissions aws' prints)",
                )
            if code in _THROTTLE_CODES or status == 429:
                retry = parse_retry_after(meta.get("HTTPHeaders", {}).get("retry-after"))
                return Failure(ProviderErrorKind.THROTTLED, f"throttled ({text})", True, retry)
            if status >= 500:
                return Failure(ProviderErrorKind.UNAVAILABLE, f"server error {status} ({text})", True)
            return Failure(ProviderErrorKind.INVALID_RESPONSE, text)
        case bx.NoCredentialsError() | bx.PartialCredentialsError():
            return Failure(ProviderErrorKind.AUTH, "no AWS credentials found (set a profile, or the AWS_* variables)")
        case bx.ProfileNotFound():
            return Failure(ProviderErrorKind.AUTH, str(exc))
        case bx.ConnectTimeoutError() | bx.ReadTimeoutError():
            return Failure(ProviderErrorKind.TIMEOUT, "the request timed out", True)
        case bx.SSLError():
            detail = str(exc)
            problem = "does not match the host" if "match" in detail.lower() else "was not accepted"
            return Failure(ProviderErrorKind.UNAVAILABLE, f"TLS error: the endpoint's certificate {problem} ({detail})")
        case bx.EndpointConnectionError() | bx.ConnectionClosedError():
            return Failure(ProviderErrorKind.UNAVAILABLE, f"could not connect ({exc})", True)
        case ResponseParserError():
            return Failure(
                ProviderErrorKind.INVALID_RESPONSE, "the response could not be parsed (malformed or truncated)", True
            )
        case _:
            return Failure(ProviderErrorKind.UNAVAILABLE, f"{type(exc).__name__}: {exc}")


# -- normalize -----------------------------------------------------------------------------------


@_shape
def normalize_domain(
    summary: Mapping[str, Any], detail: Mapping[str, Any] | None, failures: Sequence[RenewalFailure], source: Source
) -> Registration:
    """ListDomains' summary joined with GetDomainDetail (when fetched) for one domain.

    The expiry is ``Expiry`` in the summary and ``ExpirationDate`` in the detail; GetDomainDetail
    has no TransferLock field, only ``clientTransferProhibited`` in StatusList.
    """
    detail = detail or {}
    statuses = detail.get("StatusList")
    lock = summary.get("TransferLock")
    if lock is None and statuses is not None:
        lock = "clientTransferProhibited" in statuses
    contacts = [
        str(detail[key]["Email"])
        for key in ("RegistrantContact", "AdminContact", "TechContact", "BillingContact")
        if isinstance(detail.get(key), Mapping) and detail[key].get("Email")
    ]
    nameservers = [n for n in (_name(ns.get("Name", "")) for ns in detail.get("Nameservers", [])) if n]
    tags = [k["KeyTag"] for k in detail.get("DnssecKeys", []) if isinstance(k, Mapping) and "KeyTag" in k]
    auto_renew = detail.get("AutoRenew", summary.get("AutoRenew"))
    return Registration(
        domain=names.normalize(summary["DomainName"]),
        source=source,
        registrar=detail.get("RegistrarName") or "Amazon Registrar, Inc.",
        created=_utc(detail.get("CreationDate")),
        expires=_utc(detail.get("ExpirationDate") or summary.get("Expiry")),
        auto_renew=None if auto_renew is None else bool(auto_renew),
        transfer_lock=None if lock is None else bool(lock),
        statuses=None if statuses is None else frozenset(str(s) for s in statuses),
        nameservers=tuple(dict.fromkeys(nameservers)),
        contact_emails=tuple(dict.fromkeys(contacts)),
        ds_key_tags=frozenset(int(t) for t in tags) if detail else None,
        renewal_failures=tuple(failures),
    )


@_shape
def renewal_failure(operation: Mapping[str, Any]) -> RenewalFailure | None:
    if operation.get("Type") != "RENEW_DOMAIN":
        return None
    status, flag = operation.get("Status"), operation.get("StatusFlag")
    if status not in _FAILED_STATES and flag not in _BLOCKED_FLAGS:
        return None
    what = f"RENEW_DOMAIN operation {status}" + (f" ({flag})" if flag else "")
    message = operation.get("Message")
    return RenewalFailure(
        at=_utc(operation.get("LastUpdatedDate") or operation.get("SubmittedDate")),
        reason=f"{what}: {message}" if message else what,
    )


@_shape
def normalize_zone(zone: Mapping[str, Any], record_sets: Sequence[Mapping[str, Any]], source: Source) -> Zone | None:
    name = _name(zone["Name"])
    if name is None:
        return None
    nameservers: list[str] = []
    records: list[Record] = []
    for rrset in record_sets:
        rname = _name(rrset.get("Name", "").replace("\\052", "*"))
        if rname is None:
            continue
        values = [str(r.get("Value", "")) for r in rrset.get("ResourceRecords", [])]
        alias = rrset.get("AliasTarget") or {}
        if rrset.get("Type") == "NS" and rname == name:
            nameservers += [n for n in (_name(v) for v in values) if n]
        target = str(alias.get("DNSName", "")).rstrip(".").lower()
        edge = "aws" if target.endswith(".cloudfront.net") else None
        records.append(
            Record(
                name=rname,
                type=str(rrset.get("Type", "")),
                content=target or " ".join(values),
                ttl=rrset.get("TTL"),
                proxied=edge is not None,
                edge=edge,
            )
        )
    return Zone(name=name, source=source, provider=NAME, nameservers=tuple(nameservers), records=tuple(records))


@_shape
def normalize_health_check(check: Mapping[str, Any], source: Source) -> Monitor | None:
    config = check.get("HealthCheckConfig", {})
    fqdn = config.get("FullyQualifiedDomainName")
    if not fqdn or _name(fqdn) is None:
        return None  # IP-only or calculated checks watch no domain
    kind = MonitorKind.HTTP if str(config.get("Type", "")).startswith("HTTP") else MonitorKind.DNS
    return Monitor(
        name=f"route53-health-check:{check.get('Id')}", kind=kind, covers=(names.normalize(fqdn),), source=source
    )


# -- fetch ---------------------------------------------------------------------------------------


class Account:
    """One AWS profile's clients, behind the shared runtime."""

    def __init__(self, profile: str | None, limits: Limits, scope: Scope) -> None:
        import boto3
        from botocore.config import Config

        self.label = profile or "default"
        self.session = Session(f"{NAME}:{self.label}", limits, classify, deadline=scope.deadline)
        config = Config(
            retries={"total_max_attempts": 1, "mode": "standard"},  # the runtime retries, not botocore
            connect_timeout=limits.timeout,
            read_timeout=limits.timeout,
            user_agent_extra=f"lapse/{__version__}",
            max_pool_connections=max(10, limits.concurrency),
        )
        boto = boto3.Session(profile_name=profile) if profile else boto3.Session()
        pace = self.session.pace_each_send()
        # Route 53 and Route 53 Domains are served from us-east-1 whatever the profile's region.
        self.domains = boto.client("route53domains", region_name="us-east-1", config=config)
        self.route53 = boto.client("route53", region_name="us-east-1", config=config)
        for client in (self.domains, self.route53):
            client.meta.events.register("provide-client-params.*.*", _guard)  # before validation or signing
            client.meta.events.register("before-send.*.*", pace)  # returns None: the request goes on
        self.source = Source(provider=NAME, account=self.label, read_at=scope.now)

    def call(self, fn: Callable[..., Any], what: str, **kwargs: Any) -> Any:
        return self.session.call(lambda: fn(**kwargs), what=what)

    def pages(
        self, fn: Callable[..., Any], what: str, key: str, marker_in: str, marker_out: str, **kwargs: Any
    ) -> Iterator[Any]:
        def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            response = fn(**kwargs, **({marker_in: cursor} if cursor else {}))
            truncated = response.get("IsTruncated", True)
            return list(response.get(key, [])), (response.get(marker_out) if truncated else None)

        return self.session.pages(fetch, what=what)


def read_registrations(account: Account, scope: Scope) -> tuple[list[Registration], list[ScanError]]:
    summaries = list(
        account.pages(
            account.domains.list_domains,
            "route53domains ListDomains",
            "Domains",
            "Marker",
            "NextPageMarker",
            MaxItems=100,
        )
    )
    since = scope.now - timedelta(days=400)
    operations = account.pages(
        account.domains.list_operations,
        "route53domains ListOperations",
        "Operations",
        "Marker",
        "NextPageMarker",
        SubmittedSince=since,
        Type=["RENEW_DOMAIN"],
    )
    failures: dict[str, list[RenewalFailure]] = {}
    for operation in operations:
        failure = renewal_failure(operation)
        if failure and operation.get("DomainName"):
            failures.setdefault(names.normalize(operation["DomainName"]), []).append(failure)

    def detail(summary: Mapping[str, Any]) -> Registration:
        name = names.normalize(summary["DomainName"])
        listed = normalize_domain(summary, None, failures.get(name, ()), account.source)
        earlier = scope.reusable(NAME, account.label, name)
        if earlier is not None and _same_listing(earlier, listed):
            # what ListDomains shows is unchanged: keep the earlier detail (and its read time, so it
            # is fetched again once it passes the maximum age)
            return msgspec.structs.replace(earlier, renewal_failures=listed.renewal_failures)
        response = account.call(
            account.domains.get_domain_detail, f"GetDomainDetail {name}", DomainName=summary["DomainName"]
        )
        return normalize_domain(summary, response, failures.get(name, ()), account.source)

    registrations: list[Registration] = []
    failed: list[tuple[str, ProviderError]] = []
    for summary, outcome in account.session.map(detail, summaries):
        if isinstance(outcome, ProviderError):
            # the list view still says enough to lint (auto-renew, lock, expiry); say what is missing
            name = names.normalize(summary["DomainName"])
            registrations.append(normalize_domain(summary, None, failures.get(name, ()), account.source))
            failed.append((name, outcome))
        else:
            registrations.append(outcome)
    return registrations, grouped(failed, "GetDomainDetail", account)


def _same_listing(earlier: Registration, listed: Registration) -> bool:
    """Snapshots keep whole seconds, so expiries are compared at that precision."""

    def key(r: Registration) -> tuple[object, ...]:
        return (r.auto_renew, r.transfer_lock, r.expires.replace(microsecond=0) if r.expires else None)

    return key(earlier) == key(listed)


def grouped(failed: Sequence[tuple[str, ProviderError]], what: str, account: Account) -> list[ScanError]:
    """One ScanError per cause, naming the domains it hit, rather than one per domain."""
    return [
        ScanError(
            provider=NAME,
            account=account.label,
            kind=kind,
            message=f"{what} failed for {len(items)} domain(s) ({', '.join(sorted(items)[:3])}"
            f"{', …' if len(items) > 3 else ''}): {cause}",
            source=account.source,
        )
        for kind, cause, items in by_cause(failed)
    ]


def read_zones(account: Account, scope: Scope) -> tuple[list[Zone], list[ScanError]]:
    zones = [
        z
        for z in account.pages(
            account.route53.list_hosted_zones,
            "route53 ListHostedZones",
            "HostedZones",
            "Marker",
            "NextMarker",
            MaxItems="100",
        )
        if not z.get("Config", {}).get("PrivateZone")
    ]

    def records(zone: Mapping[str, Any]) -> Zone | None:
        name = names.normalize(str(zone["Name"]))
        earlier = scope.reusable_zone(NAME, account.label, name)
        if earlier is not None and len(earlier.records) == zone.get("ResourceRecordSetCount"):
            # ListHostedZones shows the same number of record sets: keep the earlier records until
            # they pass the maximum age (an edit that keeps the count is caught then)
            return earlier

        def fetch(cursor: str | None) -> tuple[list[Any], str | None]:
            start = json.loads(cursor) if cursor else {}
            response = account.route53.list_resource_record_sets(HostedZoneId=zone["Id"], **start)
            if not response.get("IsTruncated"):
                return list(response.get("ResourceRecordSets", [])), None
            following = {"StartRecordName": response["NextRecordName"], "StartRecordType": response["NextRecordType"]}
            if response.get("NextRecordIdentifier"):
                following["StartRecordIdentifier"] = response["NextRecordIdentifier"]
            return list(response.get("ResourceRecordSets", [])), json.dumps(following)

        rrsets = list(account.session.pages(fetch, what=f"ListResourceRecordSets {zone['Name']}"))
        return normalize_zone(zone, rrsets, account.source)

    found: list[Zone] = []
    failed: list[tuple[str, ProviderError]] = []
    for zone, outcome in account.session.map(records, zones):
        if isinstance(outcome, ProviderError):
            failed.append((str(zone["Name"]).rstrip("."), outcome))
        elif outcome is not None:
            found.append(outcome)
    return found, grouped(failed, "ListResourceRecordSets", account)


def read_monitors(account: Account) -> tuple[list[Monitor], list[ScanError]]:
    checks = account.pages(
        account.route53.list_health_checks, "route53 ListHealthChecks", "HealthChecks", "Marker", "NextMarker"
    )
    return [m for m in (normalize_health_check(c, account.source) for c in checks) if m is not None], []


def read(settings: Mapping[str, Any], scope: Scope) -> Fragment:
    limits = LIMITS.configured(settings)
    profiles: list[str | None] = list(settings.get("profiles", [])) or [None]
    inventory = Inventory()
    requests = 0
    for profile in profiles:
        fragment = _read_account(profile, limits, scope)
        inventory = inventory.merge(fragment.inventory)
        requests += fragment.requests
    return Fragment(inventory, requests)


def _read_account(profile: str | None, limits: Limits, scope: Scope) -> Fragment:
    """Each part of an account is read on its own: a denied Route 53 Domains still leaves the zones."""
    try:
        account = Account(profile, limits, scope)
    except Exception as exc:
        failure = classify(exc)
        label = profile or "default"
        error = ScanError(
            provider=NAME,
            account=label,
            kind=str(failure.kind),
            message=failure.message,
            source=Source(provider=NAME, account=label, read_at=scope.now),
        )
        return Fragment(Inventory(errors=(error,)))
    parts: dict[str, list[Any]] = {"registrations": [], "zones": [], "monitors": []}
    errors: list[ScanError] = []
    readers: dict[str, Callable[[], tuple[list[Any], list[ScanError]]]] = {
        "registrations": lambda: read_registrations(account, scope),
        "zones": lambda: read_zones(account, scope),
        "monitors": lambda: read_monitors(account),
    }
    # the three parts are independent: read them at once, all paced by the account's one limiter
    with ThreadPoolExecutor(max_workers=len(readers), thread_name_prefix=f"{NAME}-{account.label}") as pool:
        futures = {part: pool.submit(reader) for part, reader in readers.items()}
    for part, future in futures.items():
        try:
            parts[part], part_errors = future.result()
            errors += part_errors
        except ProviderError as exc:
            errors.append(
                ScanError(
                    provider=NAME, account=account.label, kind=str(exc.kind), message=exc.reason, source=account.source
                )
            )
    inventory = Inventory(
        registrations=tuple(parts["registrations"]),
        zones=tuple(parts["zones"]),
        monitors=tuple(parts["monitors"]),
        errors=tuple(errors),
    )
    return Fragment(inventory, account.session.requests)
