"""The one-line summary every human-facing format ends with."""

from __future__ import annotations

from lapse.engine import Result
from lapse.findings import SEVERITIES


def headline(result: Result) -> str:
    counts = result.counts()
    total = len(result.findings)
    if total:
        parts = ", ".join(f"{counts[s]} {s}" for s in reversed(SEVERITIES) if counts[s])
        text = f"{total} finding{'s' if total != 1 else ''} ({parts}) in {result.domain_count} domains"
    else:
        text = f"no findings in {result.domain_count} domains"
    extras = []
    if result.not_evaluated:
        extras.append(f"{len(result.not_evaluated)} not evaluated")
    if result.waived:
        extras.append(f"{len(result.waived)} waived")
    if result.baselined:
        extras.append(f"{len(result.baselined)} in baseline")
    extras.append("scan complete" if result.complete else f"INCOMPLETE: {len(result.errors)} provider error(s)")
    return text + " · " + " · ".join(extras)


def verdict(result: Result) -> str:
    if not result.complete:
        return "incomplete (exit 3)"
    if result.failing:
        return f"{len(result.failing)} at or above {result.fail_on} (exit 1)"
    return f"nothing at or above {result.fail_on} (exit 0)"
