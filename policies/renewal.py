"""LAP1xx: renewal. A registration that lapses takes every name under it offline at once."""

from __future__ import annotations

from collections.abc import Iterator

from lapse.estate import DomainView
from lapse.findings import Severity
from lapse.model import Criticality
from lapse.policies.rule import (
    Context,
    DomainRule,
    Flag,
    Options,
    Outcome,
    Skip,
    day,
    escalate,
    options_schema,
)
from lapse.timeutil import days_until

NO_REGISTRATION = "no registration data: scan the registrar (aws, cloudflare, azure) or enable the rdap provider"
NO_EXPIRY = "no source reported an expiry date"

#: EPP statuses (RFC 5731, RFC 3915) and registrar states that mean the domain is not being renewed
#: normally: it expired, sits in a grace or redemption period, is about to be deleted, or is on hold.
LAPSED_STATUSES = {
    "expired": "expired",
    "redemptionperiod": "in the redemption period",
    "pendingrestore": "pending restore",
    "pendingdelete": "pending delete",
    "serverhold": "on server hold (removed from the zone by the registry)",
    "clienthold": "on client hold (removed from the zone by the registrar)",
    "suspended": "suspended by the registrar",
    "held": "held by the registrar",
}


def status_key(status: str) -> str:
    """Compare ``clientHold``, ``client hold`` and ``CLIENT_HOLD`` as one status."""
    return status.replace(" ", "").replace("_", "").replace("-", "").lower()


class AutoRenewOff(DomainRule):
    """Auto-renew is turned off for a registered domain.

    ## What it checks
    Any registrar that reports the domain's auto-renew setting says it is off.

    ## Why it matters
    With auto-renew off, the domain lapses on its expiry date unless a person renews it by hand in
    time. People leave, inboxes change, and renewal reminders go to addresses nobody reads; when the
    domain lapses, DNS falls to the registrar's parking page and every service under it stops. An
    auth vendor lost nine hours in 2024 to a production domain whose renewal did not happen.

    ## Example
    `example.com` at Route 53 Domains with `AutoRenew: false`, expiring 2027-01-13.

    ## How to fix
    - AWS: `aws route53domains enable-domain-auto-renew --domain-name example.com` (us-east-1).
    - Cloudflare: Dashboard → Domain Registration → Manage → Auto-renew: on.
    - Azure: App Service Domain → Domain renewal → Auto renew: on.
    - Other registrars: turn on auto-renew and keep a valid payment method on file.
    If the domain is being let go on purpose, add a waiver with the reason and an expiry date.

    ## Options
    None.

    ## References
    - ICANN Expired Registration Recovery Policy (ERRP).
    - LAP112 renewal-overdue, for the case where auto-renew is on but did not work.
    """

    code = "LAP101"
    name = "auto-renew-off"
    severity = Severity.HIGH

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.registrations:
            yield Skip(reason=NO_REGISTRATION)
        elif domain.auto_renew is None:
            yield Skip(reason="no source reported the auto-renew setting (see LAP102)")
        elif domain.auto_renew is False:
            at = f" at {domain.registrar}" if domain.registrar else ""
            until = f"; it lapses on {day(domain.expires)}" if domain.expires else ""
            yield Flag(
                message=f"auto-renew is off{at}{until} unless someone renews it by hand",
                severity=escalate(self.severity, domain, to=Severity.CRITICAL),
            )


class AutoRenewUnknown(DomainRule):
    """No source says whether auto-renew is on.

    ## What it checks
    The domain has registration data (for example from RDAP) but no registrar provider reported its
    auto-renew setting.

    ## Why it matters
    RDAP and WHOIS publish the expiry but never the auto-renew setting; only the registrar knows it.
    A domain whose renewal nobody can see is the domain that lapses unnoticed, as in the 2024
    outage where a renewal failed silently.

    ## Example
    `example.org` is known only from its registry's RDAP record; its registrar is not scanned.

    ## How to fix
    - Add the registrar as a provider (`[providers.aws]`, `[providers.cloudflare]`,
      `[providers.azure]`) so lapse reads the setting, or
    - transfer the domain to a registrar lapse can read, or
    - if the registrar has no API, waive this rule for the domain with the reason (e.g. "renewed by
      the legal team, calendar reminder in place") and an expiry date.

    ## Options
    None.

    ## References
    - RFC 9083 (RDAP responses carry no auto-renew field).
    """

    code = "LAP102"
    name = "auto-renew-unknown"
    severity = Severity.MEDIUM

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.registrations:
            yield Skip(reason=NO_REGISTRATION)
        elif domain.auto_renew is None:
            seen = ", ".join(sorted({r.source.provider for r in domain.registrations}))
            yield Flag(message=f"no source reports the auto-renew setting (seen only by: {seen})")


class ExpiresSoon(DomainRule):
    """The registration expires soon and nothing will renew it automatically.

    ## What it checks
    Days left until the earliest expiry any source reports, against escalating thresholds: by
    default medium inside 90 days, high inside 60, critical inside 30. Domains with auto-renew on
    are left to LAP112 (renewal-overdue) unless `include-auto-renew` is set.

    ## Why it matters
    An expiring domain takes down every service, mail flow and certificate under it. Renewal
    notices go to whoever registered the domain years ago; the alert has to reach the team today.

    ## Example
    `docs.example` expires 2026-11-29 with auto-renew off: seven days left, critical.

    ## How to fix
    - AWS: `aws route53domains renew-domain --domain-name NAME --current-expiry-year YEAR`.
    - Cloudflare: Domain Registration → Manage → Renew.
    - Azure: App Service Domain → Domain renewal → Renew domain.
    Then turn auto-renew on (LAP101) so the next renewal does not depend on a person.

    ## Options
    - `days` (table): days-left threshold per severity; default `{critical = 30, high = 60, medium = 90}`.
    - `include-auto-renew` (bool, default false): also flag domains whose auto-renew is on.

    ## References
    - ICANN Expired Registration Recovery Policy (ERRP): registrars' renewal reminder duties.
    """

    code = "LAP110"
    name = "expires-soon"
    severity = Severity.MEDIUM
    options = options_schema(
        {
            "days": {
                "type": "object",
                "description": "days-left threshold per severity",
                "additionalProperties": False,
                "properties": {s.value: {"type": "integer", "minimum": 0, "maximum": 3650} for s in Severity},
                "default": {"critical": 30, "high": 60, "medium": 90},
            },
            "include-auto-renew": {"type": "boolean", "default": False},
        }
    )

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.registrations:
            yield Skip(reason=NO_REGISTRATION)
            return
        if domain.expires is None:
            yield Skip(reason=NO_EXPIRY)
            return
        if domain.auto_renew is True and not options["include-auto-renew"]:
            return  # LAP112 watches renewals that auto-renew should have done
        left = days_until(domain.expires, ctx.now)
        if left < 0:
            return  # already lapsed: LAP113 reports it
        # the most severe threshold the domain is inside of
        inside = [Severity(s) for s, limit in options["days"].items() if left <= limit]
        if inside:
            severity = max(inside, key=lambda s: s.rank)
            renew = "auto-renew is on" if domain.auto_renew else "nothing renews it automatically"
            yield Flag(
                message=f"expires {day(domain.expires)}, in {int(left)} days; {renew}",
                severity=severity,
            )


class ShortRegistrationTerm(DomainRule):
    """An important domain is registered less far ahead than policy requires.

    ## What it checks
    For domains declared at or above `min-criticality` (default high), whether the registration runs
    at least `min-years` (default 1) into the future.

    ## Why it matters
    A domain renewed one year at a time is always at most a year from lapsing, and one failed
    payment away from it. Registering critical domains several years ahead buys months of slack
    when a renewal fails silently, as one did in the 2024 outage.

    ## Example
    `example.com`, declared critical, expires in five months.

    ## How to fix
    Renew for several years at once (most registries allow up to ten):
    - AWS: `aws route53domains renew-domain --duration-in-years 5 ...`.
    - Cloudflare: Domain Registration → Manage → Renew → choose years.
    - Azure: App Service Domains renew one year at a time; transfer critical domains to a
      registrar that supports multi-year terms.

    ## Options
    - `min-years` (number, default 1): years the registration must run ahead.
    - `min-criticality` (low|medium|high|critical, default high): which domains this applies to.

    ## References
    - RFC 5731 §3.2.7 (EPP renew: periods up to 10 years).
    """

    code = "LAP111"
    name = "short-registration-term"
    severity = Severity.LOW
    options = options_schema(
        {
            "min-years": {"type": "number", "exclusiveMinimum": 0, "maximum": 10, "default": 1},
            "min-criticality": {"enum": [c.value for c in Criticality], "default": "high"},
        }
    )

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if domain.criticality.rank < Criticality(options["min-criticality"]).rank:
            return
        if not domain.registrations:
            yield Skip(reason=NO_REGISTRATION)
            return
        if domain.expires is None:
            yield Skip(reason=NO_EXPIRY)
            return
        years = days_until(domain.expires, ctx.now) / 365.25
        if 0 <= years < options["min-years"]:
            yield Flag(
                message=(
                    f"{domain.criticality} domain registered only until {day(domain.expires)} "
                    f"({years:.1f} years ahead, policy is {options['min-years']})"
                ),
                severity=escalate(self.severity, domain, to=Severity.MEDIUM),
            )


class RenewalOverdue(DomainRule):
    """Auto-renew is on, but the renewal has not happened: it probably failed.

    ## What it checks
    A domain with auto-renew on whose expiry is already inside `window-days` (default 25), the
    window in which registrars should long since have renewed it; or a provider reported a failed
    or blocked renewal (e.g. a Route 53 Domains RENEW_DOMAIN operation that failed).

    ## Why it matters
    This is the 2024 outage exactly: auto-renew was on, the renewal failed without anyone noticing,
    the domain expired, DNS fell to a parking page, TLS broke, and production was down for nine
    hours. Registrars renew a month or more ahead; a domain still unrenewed close to expiry means
    the card was declined, the account is suspended, or the registry refused.

    ## Example
    `example.com`, auto-renew on, expires in 12 days.

    ## How to fix
    - Check the registrar's billing and notifications: expired card, suspended account,
      renewal blocked by a registry lock or a pending transfer.
    - AWS: `aws route53domains list-operations --type RENEW_DOMAIN` shows the failure; renew by hand
      with `renew-domain`.
    - Cloudflare: Domain Registration → Manage shows the renewal state and payment errors.
    - Azure: App Service Domain → `domainNotRenewableReasons` says why it cannot renew.

    ## Options
    - `window-days` (integer, default 25): days before expiry by which a working auto-renew has
      renewed the domain.

    ## References
    - Auth vendor postmortem, 2024-01: production domain expired after a silent auto-renew failure.
    - AWS Route 53 Domains API: ListOperations, OperationStatus FAILED / ERROR.
    """

    code = "LAP112"
    name = "renewal-overdue"
    severity = Severity.CRITICAL
    options = options_schema({"window-days": {"type": "integer", "minimum": 1, "maximum": 365, "default": 25}})

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.registrations:
            yield Skip(reason=NO_REGISTRATION)
            return
        for failure in domain.renewal_failures:
            when = f" on {day(failure.at)}" if failure.at else ""
            yield Flag(message=f"a renewal failed{when}: {failure.reason}")
            return
        if domain.auto_renew is not True:
            return  # LAP101/LAP102 cover domains whose auto-renew is off or unknown
        if domain.expires is None:
            yield Skip(reason=NO_EXPIRY)
            return
        left = days_until(domain.expires, ctx.now)
        if left <= options["window-days"]:
            state = f"expired {day(domain.expires)}" if left < 0 else f"expires in {int(left)} days"
            yield Flag(
                message=(
                    f"auto-renew is on but the domain {state} ({day(domain.expires)}): "
                    "registrars renew earlier than this, so the renewal has likely failed"
                )
            )


class ExpiredOrHeld(DomainRule):
    """The domain has expired, or sits in grace, redemption, pending delete or hold.

    ## What it checks
    An expiry date in the past, or an EPP status (RFC 5731/3915) or registrar state that means the
    domain no longer renews normally: redemptionPeriod, pendingRestore, pendingDelete, serverHold,
    clientHold, expired, suspended, held.

    ## Why it matters
    A domain on hold is removed from its zone: it stops resolving everywhere at once. In redemption
    it can still be restored, at a price, for a few weeks; after pendingDelete it is gone and
    anyone may register it.

    ## Example
    `example.com` with status `redemptionPeriod`, expired 2026-10-30.

    ## How to fix
    - Restore or renew at once at the registrar (redemption restores cost extra and take days).
    - A hold usually follows an abuse or verification complaint: answer the registrar's email.
    - AWS: contact AWS Support for a domain in redemption; Cloudflare and Azure: the domain's
      page in the dashboard offers restore while it is possible.

    ## Options
    None.

    ## References
    - RFC 5731 §2.3 (EPP status values), RFC 3915 (redemption grace period).
    - ICANN Expired Registration Recovery Policy.
    """

    code = "LAP113"
    name = "expired-or-held"
    severity = Severity.CRITICAL

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        if not domain.registrations:
            yield Skip(reason=NO_REGISTRATION)
            return
        if domain.statuses is None and domain.expires is None:
            yield Skip(reason="no source reported an expiry date or status")
            return
        problems = sorted(
            {LAPSED_STATUSES[status_key(s)] for s in domain.statuses or () if status_key(s) in LAPSED_STATUSES}
        )
        if domain.expires is not None and domain.expires < ctx.now:
            problems.insert(0, f"expired on {day(domain.expires)}")
        if problems:
            yield Flag(message="domain " + "; ".join(dict.fromkeys(problems)))


class RenewalNoticesSelfHosted(DomainRule):
    """Renewal notices go to an address on the domain itself.

    ## What it checks
    Whether a registrant, admin, tech or billing contact email is an address on the domain or
    a name under it (e.g. `hostmaster@example.com` for `example.com`).

    ## Why it matters
    Registrars send renewal and payment-failure warnings by email. When that address lives on the
    domain, the warnings stop arriving exactly when the domain stops working: the lapse silences its
    own alarm.

    ## Example
    `example.com` with registrant contact `domains@example.com`.

    ## How to fix
    Point the contacts at an address on another domain, ideally a team list:
    - AWS: `aws route53domains update-domain-contact`.
    - Cloudflare: Domain Registration → Manage → Contacts.
    - Azure: App Service Domain → Contact information (set at purchase; contact support to change).

    ## Options
    None.

    ## References
    - ICANN Expired Registration Recovery Policy: reminders go to the registrant's email.
    """

    code = "LAP120"
    name = "renewal-notices-self-hosted"
    severity = Severity.MEDIUM

    def check(self, domain: DomainView, options: Options, ctx: Context) -> Iterator[Outcome]:
        emails = [e.strip().lower() for e in domain.contact_emails if "@" in e]
        if not emails:
            yield Skip(reason="no contact email published (redacted, or not reported by the registrar)")
            return
        inside = [e for e in emails if _on_domain(e, domain.name)]
        if inside:
            yield Flag(
                message=(
                    f"renewal notices go to {', '.join(inside)}, on the domain itself: "
                    "if it lapses, the warnings stop arriving"
                )
            )


def _on_domain(email: str, domain: str) -> bool:
    host = email.rsplit("@", 1)[1].rstrip(".")
    return host == domain or host.endswith("." + domain)
