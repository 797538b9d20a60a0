"""Joining snapshots written by separate scans (one CI job per account) into one inventory.

The same item read twice (the same account scanned by two jobs, or a snapshot merged twice) is kept
once, the most recently read copy winning; views of one domain from different sources all stay,
and the estate index joins them exactly as it would after a single scan.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from lapse.model import Inventory, Source

T = TypeVar("T")
_EPOCH = datetime.min.replace(tzinfo=UTC)


def _newest(items: Iterable[T], key: Callable[[T], Hashable], source: Callable[[T], Source]) -> tuple[T, ...]:
    chosen: dict[Hashable, T] = {}
    for item in items:
        k = key(item)
        current = chosen.get(k)
        if current is None or (source(item).read_at or _EPOCH) > (source(current).read_at or _EPOCH):
            chosen[k] = item
    return tuple(chosen.values())


def merge(inventories: Sequence[Inventory]) -> Inventory:
    every = Inventory().merge(*inventories)
    return Inventory(
        registrations=_newest(
            every.registrations, lambda r: (r.source.provider, r.source.account, r.domain), lambda r: r.source
        ),
        zones=_newest(every.zones, lambda z: (z.source.provider, z.source.account, z.name), lambda z: z.source),
        monitors=_newest(every.monitors, lambda m: (m.source.provider, m.name, m.kind, m.covers), lambda m: m.source),
        domains=_newest(every.domains, lambda d: d.name, lambda d: d.source),
        errors=tuple(dict.fromkeys(every.errors)),
        notes=tuple(dict.fromkeys(every.notes)),
        delegations=_newest(every.delegations, lambda d: d.domain, lambda d: d.source),
        certificates=_newest(every.certificates, lambda c: c.hostname, lambda c: c.source),
    )
