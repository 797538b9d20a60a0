"""The shared runtime: pacing, retries with Retry-After, pages, deadlines. Clock and sleep are injected."""

from __future__ import annotations

import random
import threading
import time

import pytest

from lapse.errors import ProviderError, ProviderErrorKind
from lapse.providers.runtime import Failure, Limits, RateLimiter, Session, parse_retry_after


class Boom(Exception):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure


def session(limits: Limits, waits: list[float], deadline: float | None = None) -> Session:
    return Session(
        "test",
        limits,
        lambda exc: exc.failure if isinstance(exc, Boom) else Failure(ProviderErrorKind.UNAVAILABLE, str(exc)),
        deadline=deadline,
        sleep=waits.append,
    )


FAST = Limits(rate=1000, burst=1000, retries=3, backoff=1.0, backoff_max=8.0, retry_after_max=60)


def flaky(failures: list[Failure], result: str = "ok"):  # type: ignore[no-untyped-def]
    def call() -> str:
        if failures:
            raise Boom(failures.pop(0))
        return result

    return call


def test_retry_after_is_honoured_and_the_call_then_succeeds() -> None:
    waits: list[float] = []
    throttled = Failure(ProviderErrorKind.THROTTLED, "429", retryable=True, retry_after=7)
    assert session(FAST, waits).call(flaky([throttled, throttled]), what="x") == "ok"
    assert len(waits) == 2
    assert all(w >= 7 for w in waits)


def test_backoff_grows_with_jitter_and_stops_after_the_retries() -> None:
    waits: list[float] = []
    down = Failure(ProviderErrorKind.UNAVAILABLE, "502", retryable=True)
    with pytest.raises(ProviderError) as err:
        session(FAST, waits).call(flaky([down] * 10), what="GET /zones")
    assert err.value.reason == "GET /zones: 502 (after 4 attempts)"
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 2**attempt / 2 <= wait <= 2**attempt  # half fixed, half jitter


def test_errors_that_cannot_clear_are_not_retried() -> None:
    waits: list[float] = []
    denied = Failure(ProviderErrorKind.AUTH, "401 Unauthorized")
    with pytest.raises(ProviderError) as err:
        session(FAST, waits).call(flaky([denied]), what="x")
    assert err.value.kind is ProviderErrorKind.AUTH
    assert waits == []


def test_a_retry_after_longer_than_the_limit_is_reported_not_waited_for() -> None:
    waits: list[float] = []
    long = Failure(ProviderErrorKind.THROTTLED, "429", retryable=True, retry_after=3600)
    with pytest.raises(ProviderError, match="asked to wait 3600 s"):
        session(FAST, waits).call(flaky([long]), what="x")
    assert waits == []


def test_no_retry_past_the_deadline() -> None:
    waits: list[float] = []
    down = Failure(ProviderErrorKind.UNAVAILABLE, "502", retryable=True, retry_after=30)
    with pytest.raises(ProviderError, match="no time left to retry"):
        session(FAST, waits, deadline=time.monotonic() + 5).call(flaky([down]), what="x")
    with pytest.raises(ProviderError, match="deadline passed"):
        session(FAST, waits, deadline=time.monotonic() - 1).call(flaky([]), what="x")


def test_pages_follow_the_cursor_and_stop_on_a_repeat_or_too_many() -> None:
    pages = {None: ([1, 2], "b"), "b": ([3], "c"), "c": ([4], None)}
    s = session(FAST, [])
    assert list(s.pages(lambda c: pages[c], what="x")) == [1, 2, 3, 4]
    assert s.requests == 3
    loop = {None: ([1], "a"), "a": ([2], "b"), "b": ([3], "a")}
    with pytest.raises(ProviderError, match="cursor repeated"):
        list(session(FAST, []).pages(lambda c: loop[c], what="x"))
    endless = session(Limits(rate=1000, burst=1000, max_pages=5), [])
    with pytest.raises(ProviderError, match="more than 5 pages"):
        list(endless.pages(lambda c: ([0], str(int(c or 0) + 1)), what="x"))


def test_map_keeps_going_when_one_item_fails() -> None:
    s = session(Limits(rate=1000, burst=1000, retries=0, concurrency=3), [])

    def work(n: int) -> int:
        return s.call(
            flaky([Failure(ProviderErrorKind.UNAVAILABLE, "down")] if n == 2 else [], result=str(n)), what=str(n)
        )  # type: ignore[return-value]

    outcomes = dict(s.map(work, [1, 2, 3]))
    assert outcomes[1] == "1" and outcomes[3] == "3"
    assert isinstance(outcomes[2], ProviderError)


def test_rate_limiter_paces_to_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(rate=5, burst=5, clock=lambda: now[0])
    for _ in range(25):
        limiter.acquire(sleep)
    # five at once (the burst), then five a second: the last of 25 goes out after 4 seconds
    assert now[0] == pytest.approx(4.0, abs=0.01)


def test_no_second_ever_holds_more_than_the_rate_however_late_threads_wake() -> None:
    """Threads that oversleep (a busy interpreter) must not leave together and overshoot."""
    limiter = RateLimiter(rate=20, burst=1)
    released: list[float] = []
    lock = threading.Lock()

    def late(seconds: float) -> None:
        time.sleep(seconds + random.uniform(0, 0.15))

    def work() -> None:
        for _ in range(8):
            limiter.acquire(late)
            with lock:
                released.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(released)
    busiest = max(sum(1 for u in ordered[i:] if u - t < 1.0) for i, t in enumerate(ordered))
    assert len(ordered) == 80
    assert busiest <= 20, busiest


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0)],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    from email.utils import parsedate_to_datetime

    now = parsedate_to_datetime("Wed, 21 Oct 2015 07:27:30 GMT").timestamp()
    assert parse_retry_after(header, now=now) == seconds


def test_limits_from_config() -> None:
    limits = Limits().configured({"rate-limit": 2, "concurrency": 8, "timeout": 3, "retries": 0})
    assert (limits.rate, limits.burst, limits.concurrency, limits.timeout, limits.retries) == (2.0, 1, 8, 3.0, 0)
