"""The renewal calendar: upcoming expiries as a list, and as an iCalendar feed a team subscribes to.

Each domain is one all-day event on its expiry date, with reminders before its renewal window (the
days before expiry by which a working auto-renew has renewed it: LAP112's ``window-days``). UIDs
depend on the domain and the expiry date, so a subscribed calendar updates in place: when a
domain is renewed, its old event leaves the feed and the next one arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lapse.estate import Estate
from lapse.model import Criticality


@dataclass(frozen=True, slots=True, kw_only=True)
class Renewal:
    domain: str
    expires: datetime
    auto_renew: bool | None
    registrar: str | None
    owner: str | None
    criticality: Criticality
    #: when a working auto-renew should have renewed it; after this, LAP112 calls it overdue
    renew_by: datetime

    def days_left(self, now: datetime) -> int:
        return (self.expires - now).days


def upcoming(estate: Estate, *, now: datetime, days: int, window_days: int) -> list[Renewal]:
    """Every domain with a known expiry within ``days`` (already expired ones included), soonest first."""
    horizon = now + timedelta(days=days)
    found = [
        Renewal(
            domain=view.name,
            expires=view.expires,
            auto_renew=view.auto_renew,
            registrar=view.registrar,
            owner=view.declared.owner if view.declared else None,
            criticality=view.criticality,
            renew_by=view.expires - timedelta(days=window_days),
        )
        for view in estate.domains
        if view.expires is not None and view.expires <= horizon
    ]
    return sorted(found, key=lambda r: (r.expires, r.domain))


def _summary(renewal: Renewal) -> str:
    if renewal.auto_renew is False:
        return f"Renew {renewal.domain}: expires, auto-renew is OFF"
    if renewal.auto_renew is None:
        return f"{renewal.domain} expires (auto-renew unknown)"
    return f"{renewal.domain} expires (auto-renew on: check it renewed)"


def _description(renewal: Renewal) -> str:
    lines = [
        f"{renewal.domain} expires on {renewal.expires.date().isoformat()}.",
        f"Registrar: {renewal.registrar or 'unknown'}.",
        f"Criticality: {renewal.criticality}" + (f"; owner: {renewal.owner}." if renewal.owner else "."),
        f"A working auto-renew renews it by {renewal.renew_by.date().isoformat()}; "
        "if the expiry has not moved by then, the renewal failed (lapse rule LAP112).",
    ]
    if renewal.auto_renew is False:
        lines.append("Auto-renew is off: renew it by hand, or turn auto-renew on (LAP101).")
    return "\n".join(lines)


def ical(renewals: Sequence[Renewal], *, now: datetime, reminders: Sequence[int], window_days: int) -> bytes:
    """An RFC 5545 calendar: one all-day event per expiry, alarms ``reminders`` days before each
    renewal window opens (0: the day it opens)."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//lapse//domain renewal calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Domain renewals (lapse)")
    calendar.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")
    for renewal in renewals:
        event = Event()
        day = renewal.expires.date()
        event.add("uid", f"{renewal.domain}-{day.isoformat()}@lapse")
        event.add("dtstamp", now)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", _summary(renewal))
        event.add("description", _description(renewal))
        event.add("categories", ["domain-renewal", str(renewal.criticality)])
        event.add("transp", "TRANSPARENT")
        for before in sorted(set(reminders), reverse=True):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", -timedelta(days=window_days + before))
            opens = "opens today" if before == 0 else f"opens in {before} days"
            alarm.add("description", f"{renewal.domain}: the renewal window {opens} (expires {day.isoformat()})")
            event.add_component(alarm)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data
