"""What a scan asks a provider to read, besides its own config table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from lapse.model import Registration, Zone


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    now: datetime
    #: every domain known so far (declared, or found by a registrar or DNS provider); RDAP reads these
    domains: frozenset[str] = frozenset()
    #: hostnames that serve traffic (declared, or proxied records); the tls probe connects to these
    hostnames: frozenset[str] = frozenset()
    #: monotonic-clock deadline for the whole scan
    deadline: float | None = None
    cache_dir: Path | None = None
    #: registrations from an earlier snapshot (``lapse scan --since``), by (provider, account, domain)
    previous: Mapping[tuple[str, str | None, str], Registration] = field(default_factory=dict)
    #: zones from an earlier snapshot, by (provider, account, zone name)
    previous_zones: Mapping[tuple[str, str | None, str], Zone] = field(default_factory=dict)
    #: how old a reused detail may be before it is fetched again
    max_age: timedelta = timedelta(days=7)

    def reusable(self, provider: str, account: str | None, domain: str) -> Registration | None:
        """An earlier registration read less than ``max_age`` ago, or None."""
        earlier = self.previous.get((provider, account, domain))
        if earlier is None or earlier.source.read_at is None:
            return None
        return earlier if self.now - earlier.source.read_at < self.max_age else None

    def reusable_zone(self, provider: str, account: str | None, name: str) -> Zone | None:
        earlier = self.previous_zones.get((provider, account, name))
        if earlier is None or earlier.source.read_at is None:
            return None
        return earlier if self.now - earlier.source.read_at < self.max_age else None
