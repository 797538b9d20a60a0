"""Provider adapters: each reads one vendor's live state into an Inventory fragment.

Each adapter is a module with ``NAME``, ``CAPABILITIES``, ``PERMISSIONS`` and
``read(settings, scope) -> Fragment``; it is imported only when a scan uses it, so the offline path
never pays for a vendor SDK. :data:`PROVIDERS` is the one sorted table of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from lapse.errors import UsageError
from lapse.model import Inventory


@dataclass(frozen=True, slots=True)
class Fragment:
    """What one provider read: its part of the inventory (errors included) and the requests it took."""

    inventory: Inventory
    requests: int = 0


class Provider(Protocol):
    NAME: str

    def read(self, settings: Mapping[str, Any], scope: Any) -> Fragment: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderInfo:
    name: str
    module: str
    #: the extra that installs its SDK, and a module whose absence means the extra is missing
    extra: str
    requires: str
    #: providers that look up what the others found run in a second phase
    second_phase: bool = False


PROVIDERS: tuple[ProviderInfo, ...] = (
    ProviderInfo(name="aws", module="lapse.providers.aws", extra="aws", requires="boto3"),
    ProviderInfo(name="azure", module="lapse.providers.azure", extra="azure", requires="azure.mgmt.dns"),
    ProviderInfo(name="cloudflare", module="lapse.providers.cloudflare", extra="cloudflare", requires="cloudflare"),
    ProviderInfo(
        name="dns", module="lapse.providers.delegation", extra="dns", requires="dns.resolver", second_phase=True
    ),
    ProviderInfo(name="rdap", module="lapse.providers.rdap", extra="rdap", requires="httpx", second_phase=True),
    ProviderInfo(name="tls", module="lapse.providers.tls", extra="tls", requires="cryptography", second_phase=True),
)


def info(name: str) -> ProviderInfo:
    for provider in PROVIDERS:
        if provider.name == name:
            return provider
    known = ", ".join(p.name for p in PROVIDERS)
    raise UsageError(f"no provider '{name}' (expected one of: {known})")


def load(name: str) -> Provider:
    """Import a provider, saying exactly which extra to install when its SDK is missing."""
    provider = info(name)
    try:
        importlib.import_module(provider.requires)
    except ImportError:
        raise UsageError(f"the {name} provider needs its SDK: pip install 'lapse[{provider.extra}]'") from None
    module: ModuleType = importlib.import_module(provider.module)
    return module  # a module with NAME and read() satisfies Provider
