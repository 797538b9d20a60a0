"""LAP9xx: the scan itself. A result that is missing part of the estate must say so."""

from __future__ import annotations

from collections.abc import Iterator

from lapse.estate import Estate
from lapse.findings import Severity
from lapse.policies.rule import Context, EngineRule, EstateRule, Flag, Options, Outcome


class ProviderUnreadable(EstateRule):
    """A provider could not be read: the result is incomplete.

    ## What it checks
    Every error a provider reported during the scan (timeout, refused connection, TLS failure,
    401/403, throttling that did not clear, a 5xx or malformed response).

    ## Why it matters
    A scan that silently skips an account reports a clean estate it never saw. The 2025 outage came
    from code that threw instead of degrading; lapse degrades, and says so: the other providers'
    findings are still reported, the result is marked incomplete, and the exit code is 3.

    ## Example
    "cloudflare: 401 Unauthorized — the API token is invalid or expired".

    ## How to fix
    Read the message: renew the credential, grant the read permission `lapse permissions` lists,
    or retry when the vendor's API recovers.

    ## Options
    None.

    ## References
    - Auth vendor postmortem, 2025-06 (degrade when a dependency fails).
    """

    code = "LAP901"
    name = "provider-unreadable"
    severity = Severity.HIGH

    def check_estate(self, estate: Estate, options: Options, ctx: Context) -> Iterator[Outcome]:
        for error in estate.inventory.errors:
            account = f" ({error.account})" if error.account else ""
            yield Flag(
                message=f"{error.provider}{account}: {error.message}; the result is incomplete",
                target=f"provider:{error.provider}" + (f"/{error.account}" if error.account else ""),
                source=error.source,
            )


class WaiverExpired(EngineRule):
    """A waiver has passed its expiry date.

    ## What it checks
    Every `[[waivers]]` entry whose `expires` date is before today.

    ## Why it matters
    A waiver is a promise to revisit a risk by a date. Once it expires, the finding it hid is
    reported again; this finding says why it came back so the waiver is renewed or removed on
    purpose rather than forgotten.

    ## Example
    A waiver of `auto-renew-off` for `legacy.example` that expired on 2026-10-01.

    ## How to fix
    Fix the underlying finding and delete the waiver, or extend `expires` with a fresh reason.

    ## Options
    None.

    ## References
    - Ruff RUF100 (unused noqa), the model for reporting suppressions themselves.
    """

    code = "LAP910"
    name = "waiver-expired"
    severity = Severity.LOW


class WaiverUnused(EngineRule):
    """A waiver matches no finding.

    ## What it checks
    Every active `[[waivers]]` entry that suppressed nothing in this run.

    ## Why it matters
    An unused waiver is dead config that will silently hide the next real finding on that domain.
    Removing it keeps suppressions honest.

    ## Example
    A waiver of `transfer-lock-off` for `*.example.org` after every lock was turned on.

    ## How to fix
    Delete the waiver, or correct its `rule` or `domain` if it was meant to match something.

    ## Options
    None.

    ## References
    - Ruff RUF100 (unused noqa).
    """

    code = "LAP911"
    name = "waiver-unused"
    severity = Severity.LOW
