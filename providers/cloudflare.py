"""Cloudflare: Registrar registrations, zones, DNS records, Workers routes and health checks.

Uses the official ``cloudflare`` SDK one page at a time (its own retries off), so the shared runtime
paces every request within Cloudflare's 1,200 requests per five minutes and follows every cursor.
Registrations come from the current ``/accounts/{id}/registrar/registrations`` API (cursor
pagination); the older ``registrar/domains`` endpoints reached end of life on 2026-09-27.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lapse import names, vendors
from lapse.errors import ProviderError, ProviderErrorKind
from lapse.model import Inventory, Monitor, MonitorKind, Note, Record, Registration, ScanError, Source, Zone
from lapse.providers import Fragment
from lapse.providers.runtime import Failure, Limits, Session, by_cause, parse_retry_after, response_shape
from lapse.providers.scope import Scope
from lapse.timeutil import lenient_datetime

NAME = "cloudflare"
DEFAULT_TOKEN_ENV = "CLOUDFLARE_API_TOKEN"
# 1,200 requests per five minutes per token: 4 a second on average.
LIMITS = Limits(rate=4.0, burst=8, concurrency=4, timeout=20.0, retries=4)
_shape = response_shape(NAME)
PER_PAGE = 50
#: registration states (registrations API) as the EPP statuses the rules read
_STATUS = {
    "expired": "expired",
    "suspended": "serverHold",
    "redemption_period": "redemptionPeriod",
    "pending_delete": "pendingDelete",
    "active": "ok",
    "registration_pending": "pendingCreate",
    "transfer_pending": "pendingTransfer",
}

_when = lenient_datetime
_name = names.lenient


def classify(exc: BaseException) -> Failure:
    import cloudflare

    match exc:
        case cloudflare.AuthenticationError():
            return Failure(ProviderErrorKind.AUTH, "401 Unauthorized: the API token is invalid or expired")
        case cloudflare.PermissionDeniedError():
            return Failure(ProviderErrorKind.AUTH, "403 Forbidden: the API token lacks a read permission", status=403)
        case cloudflare.RateLimitError():
            retry = parse_retry_after(exc.response.headers.get("retry-after"))
            return Failure(ProviderErrorKind.THROTTLED, "429 Too Many Requests: rate limited", True, retry)
        case cloudflare.InternalServerError():
            html = "html" in exc.response.headers.get("content-type", "")
            body = " (it returned an HTML page)" if html else ""
            return Failure(ProviderErrorKind.UNAVAILABLE, f"server error {exc.status_code}{body}", True)
        case cloudflare.APIStatusError():
            return Failure(
                ProviderErrorKind.INVALID_RESPONSE, f"unexpected HTTP {exc.status_code}", status=exc.status_code
            )
        case cloudflare.APITimeoutError():
            return Failure(ProviderErrorKind.TIMEOUT, "the request timed out", True)
        case cloudflare.APIConnectionError():
            from lapse.providers import http

            cause = exc.__cause__
            return (
                http.classify(cause)
                if cause is not None
                else Failure(ProviderErrorKind.UNAVAILABLE, "could not connect", True)
            )
        case cloudflare.APIResponseValidationError() | _Shape():
            return Failure(ProviderErrorKind.INVALID_RESPONSE, "the response did not have the documented shape")
        case ValueError():  # the SDK's JSON decoding
            return Failure(
                ProviderErrorKind.INVALID_RESPONSE, "the response was not valid JSON (malformed or truncated)"
            )
        case _:
            return Failure(ProviderErrorKind.UNAVAILABLE, f"{type(exc).__name__}: {exc}")


# -- normalize -----------------------------------------------------------------------------------


@_shape
def normalize_registration(item: Mapping[str, Any], source: Source) -> Registration | None:
    domain = _name(item.get("domain_name", ""))
    if domain is None:
        return None
    status = str(item.get("status", ""))
    statuses = {_STATUS.get(status, status)} if status else set()
    if item.get("locked"):
        statuses.add("clientTransferProhibited")
    auto_renew = item.get("auto_renew")
    locked = item.get("locked")
    return Registration(
        domain=domain,
        source=source,
        registrar="Cloudflare, Inc.",
        registrar_iana_id="1910",
        created=_when(item.get("created_at")),
        expires=_when(item.get("expires_at")),
        auto_renew=None if auto_renew is None else bool(auto_renew),
        transfer_lock=None if locked is None else bool(locked),
        statuses=frozenset(statuses) if status else None,
    )


@_shape
def normalize_record(item: Mapping[str, Any]) -> Record | None:
    name = _name(item.get("name", ""))
    if name is None:
        return None
    proxied = bool(item.get("proxied"))
    return Record(
        name=name,
        type=str(item.get("type", "")),
        content=str(item.get("content", "")),
        ttl=int(item["ttl"]) if isinstance(item.get("ttl"), int | float) else None,
        proxied=proxied,
        edge="cloudflare" if proxied else None,
    )


@_shape
def normalize_route(item: Mapping[str, Any]) -> Record | None:
    """A Workers route puts code on the request path of every name it matches."""
    host = str(item.get("pattern", "")).split("/", 1)[0]
    name = _name(host)
    if name is None:
        return None
    return Record(name=name, type="WORKER", content=str(item.get("script", "")), proxied=True, edge="cloudflare")


@_shape
def normalize_zone(item: Mapping[str, Any], records: Sequence[Record], source: Source) -> Zone | None:
    name = _name(item.get("name", ""))
    if name is None:
        return None
    nameservers = [n for n in (_name(ns) for ns in item.get("name_servers", []) or []) if n]
    return Zone(name=name, source=source, provider=NAME, nameservers=tuple(nameservers), records=tuple(records))


@_shape
def normalize_policy(item: Mapping[str, Any], zone_names: Mapping[str, str], source: Source) -> Monitor | None:
    """A notification policy that pages someone about certificates or health: a monitor of those zones.

    With no zone filter it covers every zone of the account.
    """
    found = vendors.cloudflare_alert_kind(str(item.get("alert_type", "")))
    if found is None or not item.get("enabled", True):
        return None
    filtered = ((item.get("filters") or {}).get("zones")) or []
    covers = [zone_names[z] for z in filtered if z in zone_names] if filtered else sorted(zone_names.values())
    if not covers:
        return None
    return Monitor(
        name=f"cloudflare-notification:{item.get('name') or item.get('id')}",
        kind=MonitorKind(found),
        covers=tuple(covers),
        source=source,
    )


@_shape
def normalize_healthcheck(item: Mapping[str, Any], source: Source) -> Monitor | None:
    address = _name(item.get("address", ""))
    if address is None:
        return None
    kind = MonitorKind.HTTP if str(item.get("type", "")).upper().startswith("HTTP") else MonitorKind.DNS
    return Monitor(
        name=f"cloudflare-healthcheck:{item.get('name') or item.get('id')}", kind=kind, covers=(address,), source=source
    )


# -- fetch ---------------------------------------------------------------------------------------


class _Shape(Exception):
    """A v4 response whose envelope is not the documented ``{"result": [...], "result_info": {...}}``."""


def _page(response: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A v4 list response's items and ``result_info``, read straight from its JSON.

    The SDK sends the request (auth, base URL, GET-only client); its raw-response form skips the
    typed models, which lapse would only dump back into dicts: building them was most of a large
    scan's CPU time, and the scan is paced by the CPU before the rate limit on a two-core runner.
    """
    body = response.json()
    if not isinstance(body, dict):
        raise _Shape("the response is not a JSON object")
    result = body.get("result") or []
    info = body.get("result_info") or {}
    if not isinstance(result, list) or not isinstance(info, dict):
        raise _Shape("result is not a list")
    return [item for item in result if isinstance(item, dict)], info


class Reader:
    def __init__(self, token: str, limits: Limits, scope: Scope) -> None:
        import cloudflare

        from lapse.providers.http import only_get

        # the SDK reads CLOUDFLARE_BASE_URL itself; its retries are off (the runtime retries), and its
        # HTTP client refuses anything but GET
        self.session = Session(NAME, limits, classify, deadline=scope.deadline)
        self.client = cloudflare.Cloudflare(
            api_token=token,
            max_retries=0,
            timeout=limits.timeout,
            http_client=cloudflare.DefaultHttpxClient(
                event_hooks={"request": [only_get, self.session.pace_each_send()]}
            ),
        )
        self.raw = self.client.with_raw_response
        self.scope = scope
        self.notes: list[Note] = []

    def numbered(self, fetch: Callable[[int], Any], what: str) -> Iterator[dict[str, Any]]:
        """V4 page-numbered lists (zones, DNS records, health checks)."""

        def page(number: int) -> tuple[list[Any], int]:
            items, info = _page(fetch(number))
            total = info.get("total_pages")
            return items, total if isinstance(total, int) else 1

        return self.session.numbered(page, what=what)

    def cursored(self, fetch: Callable[[str | None], Any], what: str) -> Iterator[dict[str, Any]]:
        def page(cursor: str | None) -> tuple[list[Any], str | None]:
            items, info = _page(fetch(cursor))
            return items, info.get("cursor") or None

        return self.session.pages(page, what=what)

    def optional(self, read: Callable[[], list[Any]], what: str, domain: str | None = None) -> list[Any]:
        """An endpoint the plan or token may not include: refusal is a note, not a failure."""
        try:
            return read()
        except ProviderError as exc:
            if exc.status in (403, 404):
                self.notes.append(
                    Note(provider=NAME, domain=domain, message=f"{what} not read: {exc.reason.split(': ', 1)[-1]}")
                )
                return []
            raise

    def accounts(self, configured: Sequence[str]) -> list[str]:
        if configured:
            return list(configured)
        return [
            str(a["id"]) for a in self.numbered(lambda n: self.raw.accounts.list(page=n, per_page=PER_PAGE), "accounts")
        ]

    def registrations(self, account: str) -> list[Registration]:
        source = Source(provider=NAME, account=account, read_at=self.scope.now)

        def read() -> list[Any]:
            items = self.cursored(
                # an empty cursor asks for the first page (the API's documented convention)
                lambda c: self.raw.registrar.registrations.list(account_id=account, per_page=PER_PAGE, cursor=c or ""),
                f"registrar registrations ({account})",
            )
            return [r for r in (normalize_registration(i, source) for i in items) if r is not None]

        return self.optional(read, f"registrar registrations for account {account}")

    def zones(self, account: str) -> tuple[list[Zone], list[Monitor], list[ScanError]]:
        source = Source(provider=NAME, account=account, read_at=self.scope.now)
        listed = list(
            self.numbered(
                lambda n: self.raw.zones.list(account={"id": account}, page=n, per_page=PER_PAGE),
                f"zones ({account})",
            )
        )

        def one(zone: dict[str, Any]) -> tuple[Zone | None, list[Monitor]]:
            zone_id = str(zone["id"])
            records = [
                r
                for r in (
                    normalize_record(i)
                    for i in self.numbered(
                        lambda n: self.raw.dns.records.list(zone_id=zone_id, page=n, per_page=100),
                        f"DNS records of {zone.get('name')}",
                    )
                )
                if r is not None
            ]
            routes = self.optional(
                lambda: [
                    r
                    for r in (
                        normalize_route(i)
                        for i in self.session.call(
                            lambda: _page(self.raw.workers.routes.list(zone_id=zone_id))[0],
                            what=f"Workers routes of {zone.get('name')}",
                        )
                    )
                    if r is not None
                ],
                "Workers routes",
                _name(zone.get("name", "")),
            )
            checks = self.optional(
                lambda: [
                    m
                    for m in (
                        normalize_healthcheck(i, source)
                        for i in self.numbered(
                            lambda n: self.raw.healthchecks.list(zone_id=zone_id, page=n, per_page=PER_PAGE),
                            f"health checks of {zone.get('name')}",
                        )
                    )
                    if m is not None
                ],
                "health checks",
                _name(zone.get("name", "")),
            )
            return normalize_zone(zone, [*records, *routes], source), checks

        zones: list[Zone] = []
        monitors: list[Monitor] = []
        failed: list[tuple[str, ProviderError]] = []
        for zone, outcome in self.session.map(one, listed):
            if isinstance(outcome, ProviderError):
                failed.append((str(zone.get("name")), outcome))
                continue
            found, checks = outcome
            if found is not None:
                zones.append(found)
            monitors += checks
        errors = [
            ScanError(
                provider=NAME,
                account=account,
                kind=kind,
                message=f"zones {', '.join(sorted(items)[:3])}: {cause}",
                source=source,
            )
            for kind, cause, items in by_cause(failed)
        ]
        names_by_id = {str(z["id"]): n for z in listed if (n := _name(z.get("name", ""))) is not None}

        def policies() -> list[Monitor]:
            found = self.session.call(
                lambda: _page(self.raw.alerting.policies.list(account_id=account))[0],
                what=f"notification policies ({account})",
            )
            return [m for m in (normalize_policy(p, names_by_id, source) for p in found) if m is not None]

        monitors += self.optional(policies, f"notification policies for account {account}")
        return zones, monitors, errors


def read(settings: Mapping[str, Any], scope: Scope) -> Fragment:
    token_env = str(settings.get("token-env", DEFAULT_TOKEN_ENV))
    token = os.environ.get(token_env, "")
    source = Source(provider=NAME, read_at=scope.now)
    if not token:
        message = f"no API token: the environment variable {token_env} is not set"
        return Fragment(
            Inventory(
                errors=(ScanError(provider=NAME, kind=str(ProviderErrorKind.AUTH), message=message, source=source),)
            )
        )
    reader = Reader(token, LIMITS.configured(settings), scope)
    try:
        return _read_all(reader, settings, scope, source)
    finally:
        reader.client.close()


def _account_error(account: str, exc: ProviderError, source: Source) -> ScanError:
    return ScanError(provider=NAME, account=account, kind=str(exc.kind), message=exc.reason, source=source)


def _read_all(reader: Reader, settings: Mapping[str, Any], scope: Scope, source: Source) -> Fragment:
    registrations: list[Registration] = []
    zones: list[Zone] = []
    monitors: list[Monitor] = []
    errors: list[ScanError] = []
    try:
        accounts = reader.accounts(list(settings.get("accounts", [])))
    except ProviderError as exc:
        errors.append(ScanError(provider=NAME, kind=str(exc.kind), message=exc.reason, source=source))
        accounts = []
    for account in accounts:
        account_source = Source(provider=NAME, account=account, read_at=scope.now)
        # registrations page by cursor, one after another: read them while the zones are read
        with ThreadPoolExecutor(max_workers=1) as aside:
            registered = aside.submit(reader.registrations, account)
            try:
                found, checks, part_errors = reader.zones(account)
                zones += found
                monitors += checks
                errors += part_errors
            except ProviderError as exc:
                errors.append(_account_error(account, exc, account_source))
            try:
                registrations += registered.result()
            except ProviderError as exc:
                errors.append(_account_error(account, exc, account_source))
    inventory = Inventory(
        registrations=tuple(registrations),
        zones=tuple(zones),
        monitors=tuple(monitors),
        errors=tuple(errors),
        notes=tuple(reader.notes),
    )
    return Fragment(inventory, reader.session.requests)
