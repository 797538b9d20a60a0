"""What a scan asks a provider to read, besides its own config table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    now: datetime
    #: every domain known so far (declared, or found by a registrar or DNS provider); RDAP reads these
    domains: frozenset[str] = frozenset()
    #: monotonic-clock deadline for the whole scan
    deadline: float | None = None
    cache_dir: Path | None = None
    #: names seen earlier whose details need not be fetched again (``lapse scan --since``)
    fresh: frozenset[str] = field(default=frozenset())
