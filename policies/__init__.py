"""The built-in rules: one sorted, immutable tuple (no import-time registry)."""

from __future__ import annotations

from lapse.policies.integrity import DelegationDrift, DnssecBroken, TransferLockOff
from lapse.policies.live import (
    CertificateExpiring,
    CertificateNameMismatch,
    CertificateUnusable,
    LameDelegation,
    LiveDelegationDiffers,
    LiveDelegationParked,
    LiveDnssecMismatch,
    NameserverNetworkDiversity,
)
from lapse.policies.monitoring import ExpiryMonitorMissing, StaleMonitor, UptimeMonitorMissing
from lapse.policies.renewal import (
    AutoRenewOff,
    AutoRenewUnknown,
    ExpiredOrHeld,
    ExpiresSoon,
    RenewalNoticesSelfHosted,
    RenewalOverdue,
    ShortRegistrationTerm,
)
from lapse.policies.rule import DomainRule, EngineRule, EstateRule, Rule
from lapse.policies.scan import ProviderUnreadable, WaiverExpired, WaiverUnused
from lapse.policies.vendors import SingleVendorNameservers, SingleVendorStack, VendorBlastRadius

RULES: tuple[Rule, ...] = (
    AutoRenewOff(),
    AutoRenewUnknown(),
    ExpiresSoon(),
    ShortRegistrationTerm(),
    RenewalOverdue(),
    ExpiredOrHeld(),
    RenewalNoticesSelfHosted(),
    ExpiryMonitorMissing(),
    UptimeMonitorMissing(),
    StaleMonitor(),
    SingleVendorNameservers(),
    SingleVendorStack(),
    VendorBlastRadius(),
    TransferLockOff(),
    DelegationDrift(),
    DnssecBroken(),
    LiveDelegationParked(),
    LiveDelegationDiffers(),
    LameDelegation(),
    NameserverNetworkDiversity(),
    LiveDnssecMismatch(),
    CertificateNameMismatch(),
    CertificateExpiring(),
    CertificateUnusable(),
    ProviderUnreadable(),
    WaiverExpired(),
    WaiverUnused(),
)

_BY_KEY = {**{r.code: r for r in RULES}, **{r.name: r for r in RULES}}


def find(code_or_name: str) -> Rule | None:
    """A rule by code (``LAP101``, any case) or by name (``auto-renew-off``)."""
    key = code_or_name.strip()
    return _BY_KEY.get(key.upper()) or _BY_KEY.get(key.lower())


def did_you_mean(code_or_name: str) -> str:
    """`` (did you mean 'auto-renew-off'?)`` for a near miss, else an empty string."""
    import difflib

    known = [r.code for r in RULES] + [r.name for r in RULES]
    close = difflib.get_close_matches(code_or_name.strip(), known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


__all__ = ["RULES", "DomainRule", "EngineRule", "EstateRule", "Rule", "did_you_mean", "find"]
