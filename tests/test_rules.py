"""Each rule against scenarios that must flag, must pass, and must say "not evaluated"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from factories import AWS_NS, CF_NS, NOW, cert, declared, inventory, live, monitor, record, registration, source, zone
from msgspec import structs

from lapse import engine
from lapse.config import Config
from lapse.model import Criticality, MonitorKind, NameserverCheck, RenewalFailure, ScanError

HEALTHY = [registration("example.com", days=800), zone("example.com"), monitor("example.com")]


@dataclass
class Case:
    code: str
    items: list[Any]
    expect: str  # "flag", "pass" or "skip"
    severity: str | None = None
    contains: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    domain: str = "example.com"


def cid(case: Case) -> str:
    return f"{case.code}-{case.expect}-{case.contains or case.severity or ''}".replace(" ", "_")


CRIT = declared("example.com", Criticality.CRITICAL)
HIGH = declared("example.com", Criticality.HIGH)

CASES = [
    # LAP101 auto-renew-off
    Case("LAP101", [registration(auto_renew=False)], "flag", "high", "auto-renew is off"),
    Case("LAP101", [registration(auto_renew=False), CRIT], "flag", "critical"),
    Case("LAP101", [registration(auto_renew=True)], "pass"),
    Case("LAP101", [registration(auto_renew=None)], "skip", contains="auto-renew"),
    Case("LAP101", [declared("example.com")], "skip", contains="no registration data"),
    # a registrar saying off wins over another view saying on
    Case(
        "LAP101", [registration(auto_renew=True), registration(auto_renew=False, source=source("cloudflare"))], "flag"
    ),
    # LAP102 auto-renew-unknown
    Case("LAP102", [registration(auto_renew=None, source=source("rdap", None))], "flag", "medium", "rdap"),
    Case("LAP102", [registration(auto_renew=None), registration(auto_renew=True)], "pass"),
    Case("LAP102", [zone()], "skip"),
    # LAP110 expires-soon: escalating thresholds, auto-renew left to LAP112
    Case("LAP110", [registration(days=80, auto_renew=False)], "flag", "medium", "in 80 days"),
    Case("LAP110", [registration(days=45, auto_renew=False)], "flag", "high"),
    Case("LAP110", [registration(days=10, auto_renew=False)], "flag", "critical"),
    Case("LAP110", [registration(days=120, auto_renew=False)], "pass"),
    Case("LAP110", [registration(days=10, auto_renew=True)], "pass"),
    Case("LAP110", [registration(days=10)], "flag", "critical", options={"include-auto-renew": True}),
    Case("LAP110", [registration(days=100, auto_renew=None)], "flag", "high", options={"days": {"high": 120}}),
    Case("LAP110", [registration(days=None, auto_renew=False)], "skip", contains="expiry"),
    # the earliest expiry any source reports counts
    Case("LAP110", [registration(days=400, auto_renew=False), registration(days=20, source=source("rdap"))], "flag"),
    # LAP111 short-registration-term (critical and high domains by default)
    Case("LAP111", [registration(days=200), CRIT], "flag", "medium", "critical domain"),
    Case("LAP111", [registration(days=200), HIGH], "flag", "low"),
    Case("LAP111", [registration(days=200)], "pass"),
    Case("LAP111", [registration(days=800), CRIT], "pass"),
    Case("LAP111", [registration(days=500), CRIT], "flag", options={"min-years": 2}),
    Case("LAP111", [registration(days=None), CRIT], "skip"),
    # LAP112 renewal-overdue
    Case("LAP112", [registration(days=12)], "flag", "critical", "expires in 12 days"),
    Case("LAP112", [registration(days=-3)], "flag", "critical", "expired"),
    Case("LAP112", [registration(days=40)], "pass"),
    Case("LAP112", [registration(days=40)], "flag", options={"window-days": 45}),
    Case("LAP112", [registration(days=12, auto_renew=False)], "pass"),
    Case(
        "LAP112",
        [registration(days=300, renewal_failures=(RenewalFailure(at=NOW, reason="payment declined"),))],
        "flag",
        "critical",
        "payment declined",
    ),
    Case("LAP112", [registration(days=None)], "skip"),
    # LAP113 expired-or-held
    Case("LAP113", [registration(days=-1)], "flag", "critical", "expired on"),
    Case("LAP113", [registration(statuses=frozenset({"redemptionPeriod"}))], "flag", contains="redemption"),
    Case("LAP113", [registration(statuses=frozenset({"client hold"}))], "flag", contains="client hold"),
    Case(
        "LAP113", [registration(statuses=frozenset({"pendingDelete", "serverHold"}))], "flag", contains="pending delete"
    ),
    Case("LAP113", [registration(statuses=frozenset({"autoRenewPeriod", "clientTransferProhibited"}))], "pass"),
    Case("LAP113", [registration(days=None, statuses=None)], "skip"),
    # LAP120 renewal-notices-self-hosted
    Case("LAP120", [registration(contact_emails=("hostmaster@example.com",))], "flag", "medium", "hostmaster@"),
    Case("LAP120", [registration(contact_emails=("ops@mail.example.com",))], "flag"),
    Case("LAP120", [registration(contact_emails=("ops@notexample.com",))], "pass"),
    Case("LAP120", [registration(contact_emails=("REDACTED FOR PRIVACY",))], "skip"),
    # LAP201 expiry-monitor-missing
    Case("LAP201", [registration()], "flag", "medium", "no expiry monitor"),
    Case("LAP201", [registration(), CRIT], "flag", "high"),
    Case("LAP201", [registration(), monitor("example.com")], "pass"),
    Case("LAP201", [registration(), monitor("*.example.com")], "pass"),
    Case("LAP201", [registration(), monitor("www.example.com")], "pass"),
    Case("LAP201", [registration(), monitor("*.com")], "pass"),
    Case("LAP201", [registration(), monitor("example.com", kind=MonitorKind.HTTP)], "flag"),
    Case("LAP201", [registration(), monitor("notexample.com")], "flag"),
    Case("LAP201", [registration(), monitor("example.co")], "flag"),
    Case("LAP201", [registration()], "pass", options={"min-criticality": "high"}),
    # LAP202 uptime-monitor-missing: off until configured
    Case("LAP202", [registration(), CRIT], "pass"),
    Case("LAP202", [registration(), CRIT], "flag", "medium", options={"require-for": ["critical"]}),
    Case(
        "LAP202",
        [registration(), CRIT, monitor("api.example.com", kind=MonitorKind.HTTP)],
        "pass",
        options={"require-for": ["critical"]},
    ),
    Case(
        "LAP202",
        [registration(), CRIT, monitor("example.com", kind=MonitorKind.DNS)],
        "flag",
        options={"require-for": ["critical"]},
    ),
    # LAP210 stale-monitor
    Case("LAP210", [registration(), monitor("gone.example")], "flag", "low", "gone.example", domain="gone.example"),
    Case("LAP210", [registration(), monitor("*.example.com")], "pass"),
    Case("LAP210", [registration(), declared("other.example"), monitor("www.other.example")], "pass"),
    Case("LAP210", [declared("other.example"), monitor("gone.example")], "skip", domain="monitors"),
    # LAP301 single-vendor-nameservers
    Case("LAP301", [registration()], "flag", "low", "Amazon Web Services"),
    Case("LAP301", [registration(), CRIT], "flag", "medium"),
    Case("LAP301", [registration(nameservers=("ns-1.awsdns-01.org", "dns1.p01.nsone.net"))], "pass"),
    Case("LAP301", [registration(nameservers=("ns1.a-dns.example", "ns2.b-dns.example"))], "pass"),
    Case("LAP301", [registration(nameservers=("ns1.corp-dns.example", "ns2.corp-dns.example"))], "flag"),
    Case("LAP301", [registration(nameservers=()), zone(nameservers=CF_NS)], "flag", contains="Cloudflare"),
    Case(
        "LAP301",
        [registration(nameservers=("ns-1.awsdns-01.org", "dns1.p01.nsone.net"))],
        "flag",
        options={"min-vendors": 3},
    ),
    Case("LAP301", [registration(nameservers=())], "skip"),
    # LAP302 single-vendor-stack
    Case(
        "LAP302",
        [
            registration(registrar="Cloudflare, Inc.", nameservers=CF_NS),
            zone(nameservers=CF_NS, records=(record("www.example.com", edge="cloudflare"),)),
        ],
        "flag",
        "medium",
        "all Cloudflare",
    ),
    Case(
        "LAP302",
        [registration(registrar="Cloudflare, Inc.", nameservers=CF_NS), zone(nameservers=CF_NS)],
        "pass",
    ),
    Case(
        "LAP302",
        [registration(nameservers=CF_NS), zone(nameservers=CF_NS, records=(record("example.com", edge="cloudflare"),))],
        "pass",
    ),
    Case("LAP302", [registration(registrar="Tiny Registrar GmbH")], "skip", contains="vendor table"),
    Case("LAP302", [zone()], "skip"),
    # LAP401 transfer-lock-off
    Case("LAP401", [registration(transfer_lock=False)], "flag", "medium", "transfer lock is off"),
    Case("LAP401", [registration(transfer_lock=False), CRIT], "flag", "high"),
    Case("LAP401", [registration(transfer_lock=None, statuses=frozenset({"clientTransferProhibited"}))], "pass"),
    Case("LAP401", [registration(transfer_lock=None, statuses=frozenset({"active"}))], "flag"),
    Case("LAP401", [registration(transfer_lock=None, statuses=None)], "skip"),
    Case(
        "LAP401",
        [registration("example.de", transfer_lock=False)],
        "pass",
        options={"exempt-tlds": ["de"]},
        domain="example.de",
    ),
    # LAP402 delegation-drift
    Case("LAP402", [registration(), zone()], "pass"),
    Case("LAP402", [registration(nameservers=CF_NS), zone()], "flag", "high", "served on"),
    Case(
        "LAP402",
        [registration(nameservers=("ns1.sedoparking.com", "ns2.sedoparking.com"))],
        "flag",
        "critical",
        "parking",
    ),
    Case(
        "LAP402",
        [registration(nameservers=("ns-9.awsdns-09.org", *AWS_NS[1:])), zone()],
        "flag",
        contains="did not assign",
    ),
    # a secondary provider lapse does not read is not drift
    Case("LAP402", [registration(nameservers=(*AWS_NS, "dns1.p01.nsone.net")), zone()], "pass"),
    Case("LAP402", [registration()], "skip", contains="no DNS zone"),
    Case("LAP402", [registration(nameservers=()), zone()], "skip"),
    # LAP403 dnssec-broken
    Case(
        "LAP403",
        [registration(ds_key_tags=frozenset({2371})), zone(dnskey_tags=frozenset({40304}))],
        "flag",
        "critical",
        "match no DNSKEY",
    ),
    Case(
        "LAP403",
        [registration(ds_key_tags=frozenset({2371})), zone(dnskey_tags=frozenset())],
        "flag",
        contains="not signed",
    ),
    Case("LAP403", [registration(ds_key_tags=frozenset({2371})), zone(dnskey_tags=frozenset({2371, 9}))], "pass"),
    Case("LAP403", [registration(ds_key_tags=frozenset()), zone(dnskey_tags=frozenset({5}))], "pass"),
    Case("LAP403", [registration(ds_key_tags=frozenset({2371})), zone()], "skip"),
    Case("LAP403", [registration()], "skip"),
    Case("LAP501", [live(nameservers=("ns1.sedoparking.com",))], "flag", "critical", "parking service"),
    Case("LAP501", [live()], "pass"),
    Case("LAP501", [registration()], "skip", contains="lapse scan"),
    Case("LAP502", [registration(nameservers=CF_NS), live()], "flag", "high", "the registrar"),
    Case("LAP502", [registration(), zone(), live()], "pass"),
    Case("LAP502", [live(error="NXDOMAIN", nameservers=(), servers=())], "flag", contains="no delegation"),
    Case("LAP503", [live(servers=(NameserverCheck(name="ns1.example.net", lame="refused"),))], "flag", "critical"),
    Case("LAP503", [live()], "pass"),
    Case(
        "LAP504",
        [
            live(
                nameservers=("ns1.example.net", "ns2.example.net"),
                servers=(
                    NameserverCheck(name="ns1.example.net", addresses=("192.0.2.1",)),
                    NameserverCheck(name="ns2.example.net", addresses=("192.0.2.2",)),
                ),
            )
        ],
        "flag",
        contains="192.0.2.0/24",
    ),
    Case("LAP504", [live()], "pass"),
    Case("LAP505", [live(ds_key_tags=frozenset({1}), dnskey_tags=frozenset({2}))], "flag", "critical"),
    Case("LAP505", [live(ds_key_tags=frozenset({1}), dnskey_tags=frozenset({1}), ds_matched=frozenset({1}))], "pass"),
    Case("LAP510", [registration(), cert(names=("example.net",))], "flag", "high", "altnames"),
    Case("LAP510", [registration(), cert()], "pass"),
    Case("LAP511", [registration(), cert(not_after=NOW + timedelta(days=2))], "flag", "high", "in 2 days"),
    Case("LAP511", [registration(), cert()], "pass"),
    Case("LAP512", [registration(), cert(error="connection refused")], "flag", contains="connection refused"),
    Case("LAP512", [registration(), cert()], "pass"),
]


@pytest.mark.parametrize("case", CASES, ids=[cid(c) for c in CASES])
def test_rule(case: Case) -> None:
    from lapse.policies import find

    rule = find(case.code)
    assert rule is not None
    config = Config(rules={rule.name: case.options})
    result = engine.run(inventory(*case.items), config, now=NOW, select=[case.code], ignore=[])
    flagged = [f for f in result.findings if f.code == case.code and (f.domain or f.target) == case.domain]
    skipped = [
        n
        for n in result.not_evaluated
        if n.code == case.code and (n.domain or n.target) in (case.domain, engine.ESTATE_WIDE)
    ]
    if case.expect == "flag":
        assert flagged, f"expected {case.code} to flag {case.domain}; skipped: {skipped}"
        assert not skipped
        if case.severity:
            assert str(flagged[0].severity) == case.severity
        assert case.contains in flagged[0].message
    elif case.expect == "pass":
        assert not flagged, flagged
        assert not skipped, skipped
    else:
        assert not flagged, flagged
        assert skipped, f"expected {case.code} to say not evaluated for {case.domain}"
        assert case.contains in skipped[0].reason


def test_every_domain_rule_has_flag_pass_and_skip_cases() -> None:
    from lapse.policies import RULES, DomainRule

    for rule in RULES:
        expects = {c.expect for c in CASES if c.code == rule.code}
        if isinstance(rule, DomainRule):
            assert {"flag", "pass"} <= expects, rule.code


def test_provider_errors_become_lap901_and_make_the_result_incomplete() -> None:
    error = ScanError(provider="cloudflare", account="acme", kind="auth", message="401 Unauthorized", source=source())
    inv = inventory(registration(days=800), monitor("example.com"))
    clean = engine.run(inv, Config(), now=NOW, select=["LAP901"], ignore=[])
    assert clean.complete and not clean.findings and clean.exit_code == 0

    broken = engine.run(structs.replace(inv, errors=(error,)), Config(), now=NOW, select=["LAP901"], ignore=[])
    assert not broken.complete
    assert broken.exit_code == engine.EXIT_INCOMPLETE
    [finding] = broken.findings
    assert finding.code == "LAP901" and finding.target == "provider:cloudflare/acme"
    assert "401 Unauthorized" in finding.message


def test_vendor_blast_radius_counts_roles_per_vendor() -> None:
    inv = inventory(
        registration("a.example", nameservers=CF_NS, registrar="Cloudflare, Inc."),
        registration("b.example"),
        zone("b.example", records=(record("www.b.example", edge="cloudflare"),)),
        declared("b.example", Criticality.CRITICAL),
    )
    result = engine.run(inv, Config(), now=NOW, select=["LAP310"], ignore=[])
    by_target = {f.target: f.message for f in result.findings}
    assert (
        by_target["vendor:cloudflare"]
        == "Cloudflare: registrar for 1, DNS for 1, edge for 1; 2 domains (1 critical) depend on it "
        "(lapse blast-radius --vendor cloudflare)"
    )
    assert (
        by_target["vendor:aws"]
        == "Amazon Web Services: registrar for 1, DNS for 1; 1 domain (1 critical) depends on it "
        "(lapse blast-radius --vendor aws)"
    )


def test_rules_are_pure_now_comes_from_the_engine() -> None:
    inv = inventory(registration(days=20, auto_renew=False))
    later = engine.run(inv, Config(), now=NOW + timedelta(days=100), select=["LAP110"], ignore=[])
    sooner = engine.run(inv, Config(), now=NOW, select=["LAP110"], ignore=[])
    assert sooner.findings and not later.findings  # by then it has expired: LAP113's business
