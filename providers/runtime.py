"""The one place that paces, retries, times out and pages provider calls.

Every provider call goes through :meth:`Session.call`: it waits for the vendor's rate limit, counts
the request, retries what is worth retrying with exponential backoff and jitter (waiting at least
as long as a ``Retry-After`` says), and turns what is not worth retrying into a typed
:class:`~lapse.errors.ProviderError`. No provider sleeps, retries or loops over pages by itself.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, ParamSpec, TypeVar

from lapse.errors import ProviderError, ProviderErrorKind

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Pacing for one vendor; defaults come from the vendor's published limits."""

    rate: float = 5.0  # requests per second
    burst: int = 5
    concurrency: int = 4
    timeout: float = 20.0  # seconds per request
    retries: int = 4  # attempts after the first
    backoff: float = 0.5  # first backoff, doubled each attempt
    backoff_max: float = 30.0
    retry_after_max: float = 60.0  # a longer Retry-After is not waited for: it is reported
    max_pages: int = 10_000
    #: seconds added to the rate limiter's one-second window for send jitter (see RateLimiter)
    slack: float = 0.08

    def configured(self, settings: Mapping[str, Any]) -> Limits:
        """Apply ``rate-limit``, ``concurrency``, ``timeout`` and ``retries`` from a provider's config table."""
        changes: dict[str, Any] = {}
        if "rate-limit" in settings:
            # a configured limit is a ceiling: no burst above it in any one second
            changes["rate"] = float(settings["rate-limit"])
            changes["burst"] = 1
        if "concurrency" in settings:
            changes["concurrency"] = int(settings["concurrency"])
        if "timeout" in settings:
            changes["timeout"] = float(settings["timeout"])
        if "retries" in settings:
            changes["retries"] = int(settings["retries"])
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class Failure:
    """How a provider classifies an exception from its SDK or HTTP client."""

    kind: ProviderErrorKind
    message: str
    retryable: bool = False
    retry_after: float | None = None
    status: int | None = None


class RateLimiter:
    """A token bucket for smooth pacing, under a hard ceiling of ``rate`` releases in any one second.

    The bucket alone hands out evenly spaced slots, but threads wake from their sleep late and
    unevenly when the interpreter is busy, and then leave together: a server counting arrivals saw
    up to 6% more than the limit in some second. The ceiling counts what was actually released
    (a sliding one-second log), so no second can hold more than the limit, however threads wake.
    Shared by every thread of one provider account.
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic, slack: float = 0.0
    ) -> None:
        self.rate = rate
        self.capacity = float(max(1, burst))
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()
        self.lock = threading.Lock()
        # below one request a second the window stretches: rate 0.5 is one release per two seconds
        span = max(1.0, 1.0 / rate)
        self.ceiling = max(1, round(rate * span))
        # plus the time a released request may take to reach the server (writing it under a busy
        # interpreter, the network): releases that close together can arrive closer still
        self.window = span + slack
        self.released: deque[float] = deque()

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """Take a token, waiting until it is due, then until the last second has room."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1  # reserved, so waiters queue fairly
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait > 0:
            sleep(wait)
        while True:
            with self.lock:
                now = self.clock()
                while self.released and now - self.released[0] >= self.window:
                    self.released.popleft()
                if len(self.released) < self.ceiling:
                    self.released.append(now)
                    return
                wait = self.released[0] + self.window - now
            sleep(wait)


class Session:
    """One provider account's pacing, counters and deadline."""

    def __init__(
        self,
        provider: str,
        limits: Limits,
        classify: Callable[[BaseException], Failure],
        *,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.provider = provider
        self.limits = limits
        self.classify = classify
        self.deadline = deadline
        self.sleep = sleep
        self.limiter = RateLimiter(limits.rate, limits.burst, slack=limits.slack)
        #: set by :meth:`pace_each_send`: the HTTP client paces each request itself, as it is sent
        self.paced_by_sender = False
        self.requests = 0
        self.retried = 0
        self._count_lock = threading.Lock()

    def _count(self, retried: bool = False) -> None:
        with self._count_lock:
            self.requests += 1
            self.retried += int(retried)

    def pace_each_send(self) -> Callable[..., None]:
        """A hook for the HTTP client to call just before each request leaves: pacing there, not
        before the SDK builds and signs the request, keeps the CPU time of 16 threads from bunching
        requests so that the server would count more than the limit in some second."""
        self.paced_by_sender = True

        def pace(*_: Any, **__: Any) -> None:
            self.limiter.acquire(self.sleep)

        return pace

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def call(self, fn: Callable[[], T], *, what: str) -> T:
        """Run one request with pacing and retries; raise ProviderError when it cannot succeed."""
        attempt = 0
        while True:
            left = self.remaining()
            if left is not None and left <= 0:
                raise ProviderError(self.provider, ProviderErrorKind.TIMEOUT, f"{what}: the scan deadline passed")
            if not self.paced_by_sender:
                self.limiter.acquire(self.sleep)
            self._count(retried=attempt > 0)
            try:
                return fn()
            except ProviderError:
                raise
            except Exception as exc:
                failure = self.classify(exc)
            if not failure.retryable or attempt >= self.limits.retries:
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise ProviderError(
                    self.provider, failure.kind, f"{what}: {failure.message}{tries}", status=failure.status
                )
            wait = min(self.limits.backoff * 2**attempt, self.limits.backoff_max)
            wait = wait / 2 + random.uniform(0, wait / 2)  # jitter: retries from many threads spread out
            if failure.retry_after is not None:
                if failure.retry_after > self.limits.retry_after_max:
                    raise ProviderError(
                        self.provider,
                        failure.kind,
                        f"{what}: {failure.message}; the server asked to wait {failure.retry_after:.0f} s",
                    )
                wait = max(wait, failure.retry_after)
            left = self.remaining()
            if left is not None and wait >= left:
                raise ProviderError(self.provider, failure.kind, f"{what}: {failure.message} (no time left to retry)")
            self.sleep(wait)
            attempt += 1

    def pages(self, fetch: Callable[[str | None], tuple[list[T], str | None]], *, what: str) -> Iterator[T]:
        """Follow a cursor until it runs out; a cursor that repeats, or endless pages, is an error."""
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(self.limits.max_pages):
            items, cursor = self.call(lambda c=cursor: fetch(c), what=what)  # type: ignore[misc]
            yield from items
            if not cursor:
                return
            if cursor in seen:
                raise ProviderError(
                    self.provider,
                    ProviderErrorKind.INVALID_RESPONSE,
                    f"{what}: the pagination cursor repeated ({_short(cursor)}); stopped following it",
                )
            seen.add(cursor)
        raise ProviderError(
            self.provider,
            ProviderErrorKind.INVALID_RESPONSE,
            f"{what}: more than {self.limits.max_pages} pages; stopped following them",
        )

    def numbered(self, fetch: Callable[[int], tuple[list[T], int]], *, what: str) -> Iterator[T]:
        """Page-numbered lists: the first page says how many there are, and the rest are fetched
        concurrently (in order), instead of one round trip after another."""
        items, total = self.call(lambda: fetch(1), what=what)
        yield from items
        if total > self.limits.max_pages:
            raise ProviderError(
                self.provider,
                ProviderErrorKind.INVALID_RESPONSE,
                f"{what}: {total} pages, more than {self.limits.max_pages}; not reading them",
            )
        if total <= 1:
            return
        with ThreadPoolExecutor(max_workers=min(self.limits.concurrency, total - 1)) as pool:
            pages = pool.map(lambda n: self.call(lambda: fetch(n), what=f"{what}, page {n}"), range(2, total + 1))
            for page, _ in pages:
                yield from page

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R | ProviderError]]:
        """Run ``fn`` over items with bounded concurrency; one item's failure never stops the rest."""

        def guarded(item: T) -> tuple[T, R | ProviderError]:
            try:
                return item, fn(item)
            except ProviderError as exc:
                return item, exc

        with ThreadPoolExecutor(max_workers=self.limits.concurrency, thread_name_prefix=self.provider) as pool:
            yield from pool.map(guarded, list(items))


def response_shape(provider: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """For normalize functions: a response that does not have the documented shape (a list where an
    object should be, a missing member) becomes a typed INVALID_RESPONSE error naming the function,
    never a TypeError from deep inside it."""

    def decorate(normalize: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(normalize)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return normalize(*args, **kwargs)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                raise ProviderError(
                    provider,
                    ProviderErrorKind.INVALID_RESPONSE,
                    f"a response did not have the documented shape ({normalize.__name__}: {type(exc).__name__}: {exc})",
                ) from None

        return guarded

    return decorate


def by_cause(failed: Iterable[tuple[str, ProviderError]]) -> list[tuple[str, str, list[str]]]:
    """Failures grouped as (kind, cause, items), sorted: one ScanError per cause, naming the items
    it hit, rather than one per item. The cause is the reason without its leading "what: "."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for item, error in failed:
        grouped.setdefault((str(error.kind), error.reason.split(": ", 1)[-1]), []).append(item)
    return [(kind, cause, items) for (kind, cause), items in sorted(grouped.items())]


def listed(items: list[str], noun: str = "domain", most: int = 3) -> str:
    """``3 domains (a.example, b.example, c.example)``, with ``+N more`` past ``most``: for error
    messages that group many items failing the same way."""
    shown = ", ".join(sorted(items)[:most])
    more = f", +{len(items) - most} more" if len(items) > most else ""
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''} ({shown}{more})"


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:21] + "..."


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
