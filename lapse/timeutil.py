"""Date-time parsing and formatting shared by the snapshot, config and reporters."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time


@functools.lru_cache(maxsize=65536)
def parse_datetime(text: str) -> datetime:
    """Parse an RFC 3339 / ISO 8601 date-time that carries a timezone; result is in UTC.

    Raises ValueError for anything else: a time without a zone is ambiguous by hours, which is
    enough to move an expiry across a rule's threshold.
    """
    value = datetime.fromisoformat(text.strip().replace("z", "Z"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no timezone")
    return value.astimezone(UTC)


def lenient_datetime(value: object) -> datetime | None:
    """A date-time as vendors send it, in UTC, or None when it is not one.

    Accepts aware or naive ``datetime`` objects (SDKs), epoch seconds (the AWS CLI), and ISO 8601
    strings in every spelling registries use; a time without a zone is taken as UTC (RFC 9083 §4.5).
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
        except ValueError:
            return None
    else:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """A ``--now`` value: a date (midnight UTC) or a date-time (UTC when no zone is given)."""
    text = text.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    value = datetime.fromisoformat(text.replace("z", "Z"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc(value: date | datetime) -> datetime:
    """A TOML date or date-time as an aware UTC datetime (a bare date is its midnight, UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.combine(value, time(), tzinfo=UTC)


def format_datetime(value: datetime) -> str:
    """``2027-03-01T00:00:00Z``: UTC, second precision, the form every snapshot uses."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def days_until(moment: datetime, now: datetime) -> float:
    return (moment - now).total_seconds() / 86400.0
