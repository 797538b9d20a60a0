"""GET-only JSON over httpx, and the plain-words classification of everything that can go wrong.

Used by the providers that speak HTTP themselves (RDAP). Only GET is ever sent: the client is
built with an event hook that refuses any other method.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lapse import __version__
from lapse.errors import ProviderErrorKind
from lapse.providers.runtime import Failure, parse_retry_after

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"lapse/{__version__} (+read-only domain policy checker)"


class ReadOnlyViolation(RuntimeError):
    """A provider tried to send a request that could change something; a bug, never sent."""


class StatusError(Exception):
    def __init__(self, status: int, reason: str, url: str, body_kind: str, retry_after: float | None) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.url = url
        self.body_kind = body_kind
        self.retry_after = retry_after


class BodyError(Exception):
    """A 2xx response whose body is not the JSON it should be."""


def only_get(request: httpx.Request) -> None:
    """An httpx request hook: anything but GET/HEAD is refused before it leaves the machine."""
    if request.method not in {"GET", "HEAD"}:
        raise ReadOnlyViolation(
            f"refused to send {request.method} {request.url.copy_with(query=None)}: lapse only reads"
        )


def client(
    *, timeout: float, headers: dict[str, str] | None = None, on_send: Callable[..., None] | None = None
) -> httpx.Client:
    """A GET-only client; ``on_send`` runs just before each request leaves (the rate limiter)."""
    import httpx

    return httpx.Client(
        timeout=timeout,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
        follow_redirects=True,
        event_hooks={"request": [only_get, *([on_send] if on_send else [])]},
    )


def _body_kind(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "")
    head = response.content[:200].lstrip().lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if not head:
        return "an empty body"
    return "JSON" if "json" in content_type else "text"


def get_json(http: httpx.Client, url: str, *, params: dict[str, Any] | None = None, allow_missing: bool = False) -> Any:
    """The JSON body of a GET; None for a 404 when ``allow_missing`` (an answer, not a failure)."""
    response = http.get(url, params=params)
    if allow_missing and response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise StatusError(
            response.status_code,
            response.reason_phrase,
            str(response.request.url.copy_with(query=None)),
            _body_kind(response),
            parse_retry_after(response.headers.get("retry-after")),
        )
    try:
        return response.json()
    except ValueError:
        kind = _body_kind(response)
        raise BodyError(
            f"the response was {kind}, not valid JSON"
            if kind != "JSON"
            else "the response was not valid JSON (malformed or truncated)"
        ) from None


def classify(exc: BaseException) -> Failure:
    """Say what went wrong in words a person can act on; decide whether a retry can help."""
    import httpx

    match exc:
        case StatusError(status=401):
            return Failure(ProviderErrorKind.AUTH, "401 Unauthorized: the credentials were refused")
        case StatusError(status=403):
            return Failure(ProviderErrorKind.AUTH, "403 Forbidden: the credentials lack a read permission")
        case StatusError(status=429, retry_after=retry_after):
            return Failure(ProviderErrorKind.THROTTLED, "429 Too Many Requests: rate limited", True, retry_after)
        case StatusError(status=status, body_kind=body) if status >= 500:
            return Failure(
                ProviderErrorKind.UNAVAILABLE, f"server error {exc} (it returned {body})", True, exc.retry_after
            )
        case StatusError():
            return Failure(ProviderErrorKind.INVALID_RESPONSE, f"unexpected {exc} for {exc.url}")
        case BodyError():
            return Failure(ProviderErrorKind.INVALID_RESPONSE, str(exc))
        case httpx.TimeoutException():
            return Failure(ProviderErrorKind.TIMEOUT, "the request timed out", True)
        case httpx.ConnectError():
            return _connect_failure(exc)
        case httpx.RemoteProtocolError() | httpx.ReadError():
            return Failure(ProviderErrorKind.UNAVAILABLE, "the connection broke off mid-response", True)
        case httpx.TooManyRedirects():
            return Failure(ProviderErrorKind.INVALID_RESPONSE, "too many redirects")
        case _:
            return Failure(ProviderErrorKind.UNAVAILABLE, f"{type(exc).__name__}: {exc}")


def _connect_failure(exc: BaseException) -> Failure:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            detail = cause.verify_message or str(cause)
            if "mismatch" in detail.lower() or "not valid for" in detail.lower():
                problem = "does not match the host"
            else:
                problem = "is not trusted"
            return Failure(ProviderErrorKind.UNAVAILABLE, f"TLS error: the server's certificate {problem} ({detail})")
        if isinstance(cause, ssl.SSLError):
            return Failure(ProviderErrorKind.UNAVAILABLE, f"TLS error: {cause}")
        if isinstance(cause, ConnectionRefusedError):
            return Failure(ProviderErrorKind.UNAVAILABLE, "connection refused", True)
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "refused" in text.lower():
        return Failure(ProviderErrorKind.UNAVAILABLE, "connection refused", True)
    if "certificate" in text.lower():
        return Failure(ProviderErrorKind.UNAVAILABLE, f"TLS error: {text}")
    return Failure(ProviderErrorKind.UNAVAILABLE, f"could not connect ({text})", True)
