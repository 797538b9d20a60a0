"""What rules produce: findings, and the domains a rule could not evaluate."""

from __future__ import annotations

import enum

import msgspec

from lapse.model import Source


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_ORDER = (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)
SEVERITIES = _SEVERITY_ORDER


def fingerprint(code: str, target: str) -> str:
    """Stable id of a (rule, target) pair: the same problem keeps its id from run to run.

    Used by baselines and SARIF ``partialFingerprints``; the message is left out on purpose
    because it carries counts and dates that change daily.
    """
    import hashlib  # here, not at the top: the pre-commit hook rarely needs it

    return hashlib.sha256(f"{code}\x00{target}".encode()).hexdigest()[:32]


class Finding(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    code: str
    name: str
    severity: Severity
    #: the domain the finding is about; None for estate-wide findings (a vendor, a provider)
    domain: str | None
    #: what the finding is about, stable across runs: the domain, or e.g. ``vendor:aws``
    target: str
    message: str
    source: Source | None = None

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.code, self.target)


class NotEvaluated(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A rule that lacked the data to decide: reported, never counted as a pass."""

    code: str
    name: str
    domain: str | None
    target: str
    reason: str
