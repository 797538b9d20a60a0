"""Provider adapters: each reads one vendor's live state into an Inventory fragment.

The contract lives here so the core can be written against it before any adapter exists. No
adapter ships yet: ``lapse scan`` says so plainly (see lapse.cli) instead of pretending to scan.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Protocol

from lapse.model import Inventory


class Capability(enum.StrEnum):
    """What a provider can see; a rule needing a capability no provider has says "not evaluated"."""

    REGISTRATION = "registration"
    DELEGATION = "delegation"
    ZONE_RECORDS = "zone-records"
    MONITORS = "monitors"
    EDGE = "edge"


class Provider(Protocol):
    #: the config table name: ``[providers.<name>]``
    name: str
    capabilities: frozenset[Capability]
    #: read-only permissions a scan needs, printed by ``lapse permissions``
    permissions: Mapping[str, Any]

    def read(self, settings: Mapping[str, Any]) -> Inventory:
        """Read the configured scope; failures come back as ScanErrors in the Inventory, never raised."""
        ...
