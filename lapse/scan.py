"""``lapse scan``: run the configured providers, join what they read into one inventory.

Registrar and DNS providers run concurrently in a first phase; RDAP runs second, over every domain
found anywhere plus every declared domain. A provider that fails, even with a bug, becomes a
ScanError: the scan goes on with the rest and says it is incomplete.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from lapse.config import Config
from lapse.errors import UsageError
from lapse.model import Inventory, ScanError, Source


@dataclass(frozen=True, slots=True)
class ScanResult:
    inventory: Inventory
    #: requests made, per provider
    requests: Mapping[str, int]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lapse"


def selected_providers(config: Config, only: Sequence[str]) -> list[str]:
    from lapse import providers

    enabled = sorted(config.providers)
    for name in only:
        providers.info(name)  # unknown names are a usage error
        if name not in enabled:
            raise UsageError(f"--provider {name}: add a [providers.{name}] table to the config to enable it")
    chosen = [n for n in enabled if not only or n in only]
    if not chosen:
        raise UsageError("no providers configured: add e.g. [providers.rdap] to lapse.toml")
    return chosen


def scan(
    config: Config,
    *,
    now: datetime,
    only: Sequence[str] = (),
    deadline: float | None = None,
    since: Inventory | None = None,
    max_age: timedelta = timedelta(days=7),
    progress: Callable[[str], None] = lambda _: None,
) -> ScanResult:
    from lapse import providers
    from lapse.providers.scope import Scope

    names = selected_providers(config, only)
    loaded = {name: providers.load(name) for name in names}  # fails early on a missing extra
    first = [n for n in names if not providers.info(n).second_phase]
    second = [n for n in names if providers.info(n).second_phase]
    base = config.inventory()
    previous = {(r.source.provider, r.source.account, r.domain): r for r in (since.registrations if since else ())}
    scope = Scope(
        now=now,
        deadline=deadline,
        cache_dir=cache_dir(),
        domains=frozenset(d.name for d in base.domains),
        previous=previous,
        previous_zones={(z.source.provider, z.source.account, z.name): z for z in (since.zones if since else ())},
        max_age=max_age,
    )
    requests: dict[str, int] = {}

    def run(name: str, scope: Scope) -> Inventory:
        progress(f"reading {name}")
        started = time.monotonic()
        try:
            fragment = loaded[name].read(config.providers[name], scope)
        except UsageError:
            raise  # a setting the schema cannot check (a resolver given by name): exit 2, as for any config error
        except Exception as exc:  # a bug in one provider must not cost the others' results
            message = f"the provider failed unexpectedly ({type(exc).__name__}: {exc})"
            return Inventory(
                errors=(ScanError(provider=name, kind="internal", message=message, source=Source(provider=name)),)
            )
        requests[name] = fragment.requests
        progress(f"{name}: {fragment.requests} requests in {time.monotonic() - started:.1f} s")
        return fragment.inventory

    inventory = base
    if first:
        with ThreadPoolExecutor(max_workers=len(first)) as pool:
            inventory = inventory.merge(*pool.map(lambda n: run(n, scope), first))
    if second:
        from lapse import estate

        # every registered or declared domain, and every zone with no known domain above it
        views = estate.build(inventory).domains
        later = replace(
            scope,
            domains=frozenset(view.name for view in views),
            hostnames=frozenset(host for view in views for host in view.hostnames),
        )
        with ThreadPoolExecutor(max_workers=len(second)) as pool:
            inventory = inventory.merge(*pool.map(lambda n: run(n, later), second))
    return ScanResult(inventory=inventory, requests=requests)
